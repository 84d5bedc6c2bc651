//! What running a scenario returns: each step's result and whether every expectation held.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::audit::AuditRecord;
use crate::ops::CallOutcome;
use crate::rules::RuleReport;
use crate::services::ServiceOutcome;
use crate::trace::AuthzTrace;
use crate::world::World;

use super::KeyArns;

/// The result of running a scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ScenarioRun {
    pub title: String,
    // The JS layer writes integers beyond 2^53 as decimal strings.
    #[cfg_attr(feature = "ts", tsify(type = "number | string"))]
    pub seed: u64,
    pub steps: Vec<StepResult>,
    /// Every step ran and every expectation held.
    pub passed: bool,
    /// How each of the exercise's goals fared (see [`super::goals`]); `passed` does not count them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<super::GoalResult>,
    pub world: World,
    /// Each key of the file by its local name -> its ARN in `world` (not serialised: the world's keys carry them).
    #[serde(skip)]
    pub key_arns: KeyArns,
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct StepResult {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallOutcome>,
    // Boxed: most steps are calls, and a trace inline would make every step 280 bytes larger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(type = "AuthzTrace"))]
    pub authorization: Option<Box<AuthzTrace>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Arc<AuditRecord>>,
    /// A service step's outcome, with its KMS calls nested (boxed, as `authorization`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(type = "ServiceOutcome"))]
    pub service: Option<Box<ServiceOutcome>>,
    /// The rules that fired after the step (boxed: most steps fire none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(type = "RuleReport"))]
    pub rules: Option<Box<RuleReport>>,
    pub expectations: Vec<Expectation>,
    /// The step could not run (an unresolved `$ref`, bad parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One expectation and whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Expectation {
    pub what: String,
    pub expected: String,
    pub actual: String,
    pub held: bool,
}

impl ScenarioRun {
    /// The file has goals and every one is met: the exercise is solved.
    pub fn goals_met(&self) -> bool {
        !self.goals.is_empty() && self.goals.iter().all(|g| g.passed)
    }
}
