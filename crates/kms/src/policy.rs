//! Policies as the world holds them: a name, the source text as the user wrote it, and the compiled form.

use kmsim_policy::{Policy, PolicyErrors, PolicyType};
use serde::{Deserialize, Serialize};

/// A named, compiled policy. Serialises as `{"name": ..., "type": ..., "document": "<source text>"}`; deserialising
/// parses the text again, so a saved world can never hold a policy the engine would reject.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(type = "{ name: string; type: PolicyType; document: string }"))]
pub struct NamedPolicy {
    pub name: String,
    pub policy: Policy,
}

impl NamedPolicy {
    pub fn parse(name: impl Into<String>, source: &str, ty: PolicyType) -> Result<NamedPolicy, PolicyErrors> {
        Ok(NamedPolicy { name: name.into(), policy: Policy::parse(source, ty)? })
    }
    pub fn source(&self) -> &str {
        self.policy.source()
    }
    pub fn policy_type(&self) -> PolicyType {
        self.policy.policy_type()
    }
}

impl PartialEq for NamedPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.source() == other.source() && self.policy_type() == other.policy_type()
    }
}

#[derive(Serialize, Deserialize)]
struct NamedPolicyRepr {
    name: String,
    #[serde(rename = "type")]
    ty: PolicyType,
    document: String,
}

impl Serialize for NamedPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        NamedPolicyRepr { name: self.name.clone(), ty: self.policy_type(), document: self.source().to_string() }
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for NamedPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = NamedPolicyRepr::deserialize(d)?;
        NamedPolicy::parse(r.name.clone(), &r.document, r.ty)
            .map_err(|e| serde::de::Error::custom(format!("policy `{}`: {e}", r.name)))
    }
}

/// The key policy AWS writes when CreateKey is called without one (exactly as GetKeyPolicy returns it).
pub fn default_key_policy(partition: &str, account: &str) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {{\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"arn:{partition}:iam::{account}:root\"\n    }},\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  }} ]\n}}"
    )
}
