//! The kinds of policy document and the facts that depend only on the kind: its size limit and how it is measured,
//! and its name in messages.

use serde::{Deserialize, Serialize};

/// The kind of policy document; the parser applies each kind's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum PolicyType {
    /// An identity-based policy attached to a user, group or role. No `Principal`.
    Identity,
    /// A resource-based policy; a KMS key policy is one (32 KB limit, `Sid` may contain spaces).
    Resource,
    /// A service control policy (an Organizations guardrail).
    Scp,
    /// A permissions boundary on a user or role.
    PermissionsBoundary,
    /// A session policy passed when assuming a role.
    Session,
    /// A resource control policy (an Organizations guardrail on the resources of an account). Its statements may
    /// name principals (`Principal`), never with `NotPrincipal` (AWS Organizations User Guide, *RCP syntax*,
    /// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html>).
    Rcp,
}

impl PolicyType {
    /// How big a policy of this type may be, and how it is measured:
    /// - `Resource` (KMS key policy): 32,768 bytes, whitespace included;
    /// - `Identity` and `PermissionsBoundary` (managed policies): 6,144 characters, whitespace not counted (IAM
    ///   ignores whitespace when it measures a policy);
    /// - `Scp` and `Rcp`: 5,120 characters, whitespace included;
    /// - `Session`: 2,048 characters, whitespace not counted.
    pub(crate) fn size_limit(self) -> (usize, &'static str) {
        match self {
            PolicyType::Resource => (32_768, "bytes"),
            PolicyType::Identity | PolicyType::PermissionsBoundary => (6_144, "characters (whitespace not counted)"),
            PolicyType::Scp | PolicyType::Rcp => (5_120, "characters"),
            PolicyType::Session => (2_048, "characters (whitespace not counted)"),
        }
    }

    /// The size of `source` as [`PolicyType::size_limit`] measures it.
    pub(crate) fn measure(self, source: &str) -> usize {
        match self {
            PolicyType::Resource => source.len(),
            PolicyType::Scp | PolicyType::Rcp => source.chars().count(),
            PolicyType::Identity | PolicyType::PermissionsBoundary | PolicyType::Session => {
                source.chars().filter(|c| !c.is_whitespace()).count()
            }
        }
    }

    /// The type as an adjective in messages ("`Principal` is not allowed in identity-based policies").
    pub(crate) fn adjective(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity-based",
            PolicyType::Resource => "resource-based",
            PolicyType::Scp => "service control",
            PolicyType::Rcp => "resource control",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session",
        }
    }
}
