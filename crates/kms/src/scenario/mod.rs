//! Scenarios: a KMS world and the steps to run in it, with what each step should produce. The unit of a workshop
//! exercise, a docs example, a CI check and a conformance test.
//!
//! A scenario is JSON (see `schema/scenario.schema.json`, generated from these types by `kmsim schema`):
//!
//! ```json
//! {
//!   "title": "Least privilege",
//!   "seed": 42,
//!   "accounts": { "111122223333": { "roles": { "App": { "policies": {} } } } },
//!   "keys": { "app": { "account": "111122223333", "aliases": ["alias/app"],
//!                       "policy": { "Version": "2012-10-17", "Statement": [ ... ] } } },
//!   "steps": [
//!     { "name": "enc", "call": "Encrypt", "as": "role/App",
//!       "params": { "KeyId": "alias/app", "Plaintext": { "Text": "hi" } }, "expect": { "outcome": "success" } },
//!     { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "$ref": "enc.CiphertextBlob" } } },
//!     { "authorize": { "as": "role/App", "action": "kms:ScheduleKeyDeletion", "resource": { "$key": "app" } },
//!       "expect": { "outcome": "implicit-deny" } },
//!     { "advance": { "days": 30 } }
//!   ]
//! }
//! ```
//!
//! In step parameters, `{"$ref": "STEP.Path.To.Field"}` is replaced by a field of an earlier named step's response,
//! `{"$key": "NAME"}` by the ARN of a key of the world and `{"$keyId": "NAME"}` by its bare key id. A caller (`as`) is
//! a full ARN, or a short form resolved in the first account: `user/NAME`, `role/NAME` (a session named `session`),
//!
//! The module's parts: [`file`] (the file format and its schema), [`error`] (located problems), `parse` (reading a file
//! from its located JSON tree, through `located`), `validate` (the checks), `build` (the world before the first step), `run` (steps, `$ref`/`$key` substitution),
//! `expect` (expectations) and [`result`] (what a run returns).

use std::collections::BTreeMap;

use crate::policy::NamedPolicy;

mod build;
pub mod error;
mod expect;
pub mod file;
mod locate;
pub(crate) mod located;
mod parse;
pub mod result;
mod run;
mod steps;
mod validate;

pub use build::resolve_principal;
pub use error::{ScenarioError, ScenarioErrors};
pub use expect::deciding_statements;
pub use file::*;
pub use result::{Expectation, ScenarioRun, StepResult};

/// Each key of a scenario by its local name -> its ARN in the world built from it.
pub type KeyArns = BTreeMap<String, String>;

/// A parsed, validated scenario: the file and its compiled policies.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub file: ScenarioFile,
    /// Compiled policies by the JSON Pointer of their document in the file.
    policies: BTreeMap<String, NamedPolicy>,
}

#[cfg(test)]
mod tests;
