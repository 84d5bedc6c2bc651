//! Format version 1 (the first playground: a "policy lab" of loose policy documents and one request). Old links and
//! saved state keep opening: a v1 snapshot becomes a scenario with one account, the caller, a key with the lab's
//! key policy, and one `authorize` step asking the lab's question. Only the first key policy and session policy of
//! a v1 lab are kept (the lab had no way to say which key a second one belonged to).

use kmsim_kms::scenario::{AccountSpec, AuthorizeSpec, KeySpecFile, PrincipalSpec, ScenarioFile, StepSpec};
use kmsim_policy::{Context, ContextValue, PolicyType, Value};
use serde_json::{json, Value as J};

use crate::model::Snapshot;

#[derive(Debug, Clone, kmsim_de::Deserialize)]
pub struct DocV1 {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: PolicyType,
    pub source: String,
}

#[derive(Debug, Clone, kmsim_de::Deserialize)]
pub struct ContextRowV1 {
    pub key: String,
    /// `string` if left out.
    #[serde(rename = "type", default = "string_type")]
    pub ty: String,
    pub value: String,
}

fn string_type() -> String {
    "string".to_string()
}

#[derive(Debug, Clone, Default, kmsim_de::Deserialize)]
pub struct RequestV1 {
    pub principal: String,
    pub action: String,
    pub resource: String,
    #[serde(default)]
    pub context: Vec<ContextRowV1>,
}

#[derive(Debug, Clone, Default, kmsim_de::Deserialize)]
pub struct SnapshotV1 {
    pub docs: Vec<DocV1>,
    pub request: RequestV1,
}

// `Deserialize`: kmsim_de's (serde_derive's results, less code in the bundle). Fields without `default` are
// required; the `Default`s below are the starting values (what the fields left out keep).
impl Default for DocV1 {
    fn default() -> Self {
        DocV1 { name: String::new(), ty: PolicyType::Identity, source: String::new() }
    }
}

impl Default for ContextRowV1 {
    fn default() -> Self {
        ContextRowV1 { key: String::new(), ty: string_type(), value: String::new() }
    }
}

const DEFAULT_ACCOUNT: &str = "111122223333";

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `(account, Some((is_role, name)))` of a principal ARN; the name is absent for root and unknown forms.
fn principal_parts(arn: &str) -> (String, Option<(bool, String)>) {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let account = parts.get(4).filter(|a| is_account(a)).map_or(DEFAULT_ACCOUNT.to_string(), |a| a.to_string());
    let rest = parts.get(5).copied().unwrap_or("");
    let named = if let Some(u) = rest.strip_prefix("user/") {
        Some((false, u.rsplit('/').next().unwrap_or(u).to_string()))
    } else if let Some(r) = rest.strip_prefix("assumed-role/").or_else(|| rest.strip_prefix("role/")) {
        r.split('/').next().map(|n| (true, n.to_string()))
    } else {
        None
    };
    (account, named.filter(|(_, n)| !n.is_empty()))
}

fn context_json(rows: &[ContextRowV1]) -> Option<J> {
    let mut context = Context::new();
    for row in rows.iter().filter(|r| !r.key.trim().is_empty()) {
        let value = if row.ty == "list" {
            let values = row.value.split(',').map(str::trim).filter(|s| !s.is_empty());
            ContextValue::Multi(values.map(|s| Value::String(s.to_string())).collect())
        } else {
            match kmsim_kms::scenario::read_value::<Value>(&json!({ "type": row.ty, "value": row.value.trim() })) {
                Ok(v) => ContextValue::Single(v),
                Err(_) => continue,
            }
        };
        context.insert(row.key.trim(), value);
    }
    (!context.is_empty()).then(|| serde_json::to_value(&context).ok()).flatten()
}

/// The v2 form of a v1 snapshot.
pub fn upgrade(v1: SnapshotV1) -> Snapshot {
    let (account, named) = principal_parts(v1.request.principal.trim());
    let mut file = ScenarioFile {
        title: "Policy lab (from an older link)".to_string(),
        description: "This playground was saved by an older version (the policy lab). Its documents are now a \
                      scenario: the lab's request is the `authorize` step."
            .to_string(),
        seed: Some(1),
        ..ScenarioFile::default()
    };
    let mut acct = AccountSpec::default();
    let mut principal = PrincipalSpec::default();
    let mut key: Option<KeySpecFile> = None;
    let mut session_policy = None;
    for d in v1.docs {
        let text = J::String(d.source);
        match d.ty {
            PolicyType::Resource if key.is_none() => {
                key = Some(KeySpecFile { policy: Some(text), ..Default::default() })
            }
            PolicyType::Resource => {}
            PolicyType::Identity => {
                principal.policies.insert(d.name, text);
            }
            PolicyType::PermissionsBoundary => principal.permissions_boundary = Some(text),
            PolicyType::Scp => {
                acct.scps.insert(d.name, text);
            }
            PolicyType::Session => session_policy = session_policy.or(Some(text)),
            // Scenarios have no resource control policies.
            PolicyType::Rcp => {}
        }
    }
    let resource = v1.request.resource.trim().to_string();
    // A key ARN as the resource: the key gets that id and account, so the question is about that key.
    let key_parts: Vec<&str> = resource.splitn(6, ':').collect();
    let key_id = key_parts.get(5).and_then(|r| r.strip_prefix("key/")).map(str::to_string);
    let mut key_account = key_parts.get(4).filter(|a| is_account(a)).map(|a| a.to_string());
    match named {
        Some((true, name)) => {
            acct.roles.insert(name, principal);
        }
        Some((false, name)) => {
            acct.users.insert(name, principal);
        }
        None => {}
    }
    file.accounts.insert(account.clone(), acct);
    let resource_json = if let Some(mut k) = key {
        k.key_id = key_id.clone();
        if let Some(a) = key_account.take().filter(|a| *a != account) {
            file.accounts.entry(a.clone()).or_default();
            k.account = Some(a);
        }
        file.keys.insert("key".to_string(), k);
        if key_id.is_some() || resource.is_empty() || resource == "*" {
            json!({ "$key": "key" })
        } else {
            J::String(resource)
        }
    } else {
        J::String(if resource.is_empty() { "*".to_string() } else { resource })
    };
    file.steps.push(StepSpec {
        note: "the question the policy lab asked".to_string(),
        authorize: Some(Box::new(AuthorizeSpec {
            caller: v1.request.principal.trim().to_string(),
            action: v1.request.action.trim().to_string(),
            resource: resource_json,
            ..AuthorizeSpec::default()
        })),
        session_policy: session_policy.map(Box::new),
        context: context_json(&v1.request.context).map(Box::new),
        ..StepSpec::default()
    });
    Snapshot { step: Some(0), ..Snapshot::of_file(None, file) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_split_into_account_and_name() {
        assert_eq!(
            principal_parts("arn:aws:iam::444455556666:user/path/bob"),
            ("444455556666".into(), Some((false, "bob".into())))
        );
        assert_eq!(
            principal_parts("arn:aws:sts::111122223333:assumed-role/App/s1"),
            ("111122223333".into(), Some((true, "App".into())))
        );
        assert_eq!(principal_parts("arn:aws:iam::111122223333:root"), ("111122223333".into(), None));
        assert_eq!(principal_parts("nonsense"), (DEFAULT_ACCOUNT.into(), None));
    }
}
