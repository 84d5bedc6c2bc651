//! Running the scenario with `kmsim-kms` (the only source of KMS decisions), and what the views need from a run:
//! which statements decided, which document a traced policy is, the callers and keys to offer, parameter templates.
//!
//! The world is never stored: every run rebuilds it from the scenario (seed, accounts, keys, grants) and replays
//! every step, the scenario's and then the user's.

use std::collections::BTreeMap;
use std::sync::Arc;

use kmsim_kms::audit::AuditRecord;
use kmsim_kms::lint::complete::Names;
use kmsim_kms::scenario::{GoalResult, Scenario, ScenarioFile, StepResult, StepSpec};
use kmsim_kms::trace::{AuthzTrace, PolicyEval, PolicyKind};
use kmsim_kms::Operation;
use serde_json::{json, Value as J};

use crate::model::{Doc, DocLoc};

/// The result of one run: every step's result and the world's audit log and key ARNs.
#[derive(Debug, Clone)]
pub struct RunView {
    pub steps: Vec<StepResult>,
    pub audit: Vec<Arc<AuditRecord>>,
    /// Key name -> ARN in this run's world.
    pub key_arns: BTreeMap<String, String>,
    pub passed: bool,
    /// The exercise's goals, graded on this run.
    pub goals: Vec<GoalResult>,
}

/// Why a run could not start: the scenario's located errors, as `path: message` lines.
pub type RunErrors = Vec<String>;

/// The scenario as it runs: the base file with the documents spliced in and the user's steps appended.
pub fn runnable(base: &ScenarioFile, docs: &[Doc], user_steps: &[StepSpec]) -> ScenarioFile {
    let mut file = base.clone();
    crate::model::splice(&mut file, docs);
    file.steps.extend(user_steps.iter().cloned());
    file
}

/// Checks and runs `file` with the trace on. `file.seed` should be set (the playground always sets one).
pub fn run(file: &ScenarioFile) -> Result<RunView, RunErrors> {
    run_owned(file.clone())
}

/// [`run`] of a file made for the run (as [`runnable`] makes one): no copy of the whole scenario.
pub fn run_owned(file: ScenarioFile) -> Result<RunView, RunErrors> {
    let seed = file.seed.unwrap_or(0);
    let scenario = Scenario::from_file(file).map_err(|errs| {
        errs.errors
            .iter()
            .map(|e| if e.span.path.is_empty() { e.message.clone() } else { format!("{}: {}", e.span.path, e.message) })
            .collect::<Vec<String>>()
    })?;
    let run = scenario.run(seed, true);
    Ok(RunView {
        audit: run.world.audit().records().to_vec(),
        steps: run.steps,
        key_arns: run.key_arns,
        passed: run.passed,
        goals: run.goals,
    })
}

/// Whether statement `index` of the policy `p` decided the authorization `a`.
pub fn is_deciding(a: &AuthzTrace, p: &PolicyEval, index: usize) -> bool {
    a.decided_by.statements().any(|s| s.policy == p.kind && s.name == p.name && s.index == index)
}

/// The document a traced policy came from, if it is one of the scenario's documents.
pub fn doc_of(docs: &[Doc], key_arns: &BTreeMap<String, String>, p: &PolicyEval) -> Option<usize> {
    docs.iter().position(|d| match (&d.loc, p.kind) {
        (DocLoc::KeyPolicy { key }, PolicyKind::KeyPolicy) => key_arns.get(key) == Some(&p.attached_to),
        (DocLoc::Identity { account, role, principal, policy }, PolicyKind::Identity) => {
            policy == &p.name && p.attached_to == principal_arn(account, *role, principal)
        }
        (DocLoc::Boundary { account, role, principal }, PolicyKind::PermissionsBoundary) => {
            p.attached_to == principal_arn(account, *role, principal)
        }
        (DocLoc::Scp { account, name }, PolicyKind::Scp) => {
            name == &p.name && p.attached_to == format!("account {account}")
        }
        (DocLoc::SessionPolicy { account, role, session }, PolicyKind::Session) => {
            p.attached_to == format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")
        }
        _ => false,
    })
}

fn principal_arn(account: &str, role: bool, name: &str) -> String {
    format!("arn:aws:iam::{account}:{}/{name}", if role { "role" } else { "user" })
}

/// The callers to offer: each account's roles (each followed by its named sessions) and users, then its root; the
/// first account's in short form.
pub fn callers(file: &ScenarioFile) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (id, a)) in file.accounts.iter().enumerate() {
        let prefix = if i == 0 { String::new() } else { format!("{id}:") };
        for (r, spec) in &a.roles {
            out.push(format!("{prefix}role/{r}"));
            out.extend(spec.sessions.keys().map(|s| format!("{prefix}role/{r}/{s}")));
        }
        out.extend(a.users.keys().map(|u| format!("{prefix}user/{u}")));
        out.push(format!("{prefix}root"));
    }
    out
}

/// The world's names the policy editor completes besides the catalogue's: every account's root, roles and users as
/// ARNs, and the keys' ARNs (from the last run, which made them).
pub fn completion_names(file: &ScenarioFile, key_arns: Option<&BTreeMap<String, String>>) -> Names {
    let mut principals = Vec::new();
    for (id, a) in &file.accounts {
        principals.push((format!("arn:aws:iam::{id}:root"), format!("account {id}")));
        principals.extend(a.roles.keys().map(|r| (format!("arn:aws:iam::{id}:role/{r}"), format!("role {r}"))));
        principals.extend(a.users.keys().map(|u| (format!("arn:aws:iam::{id}:user/{u}"), format!("user {u}"))));
    }
    let keys = key_arns.into_iter().flatten().map(|(name, arn)| (arn.clone(), format!("key {name}"))).collect();
    Names { principals, keys }
}

/// The keys to offer, as `(value, label)`: `$key:NAME` for each key, then each alias.
pub fn key_choices(file: &ScenarioFile) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = file.keys.keys().map(|k| (format!("$key:{k}"), format!("key {k}"))).collect();
    for k in file.keys.values() {
        out.extend(k.aliases.iter().map(|a| (a.clone(), a.clone())));
    }
    out
}

/// The JSON for a key choice: `{"$key": NAME}` (the scenario resolves it to the ARN) or the text itself.
pub fn key_param(choice: &str) -> J {
    match choice.strip_prefix("$key:") {
        Some(name) => json!({ "$key": name }),
        None => J::String(choice.to_string()),
    }
}

/// The parameters template for `operation`, using `key` (a key choice) and the last step that made a ciphertext.
pub fn template(operation: &str, key: &str, ciphertext_step: Option<&str>) -> J {
    // The operation table's example (JSON text); the members `"KEY"` and `"CT"` are replaced below.
    let text = Operation::parse(operation).map_or(r#"{"KeyId":"KEY"}"#, |op| op.facts().example);
    let mut out: J = serde_json::from_str(text).unwrap_or_default();
    if let J::Object(members) = &mut out {
        for v in members.values_mut() {
            match v.as_str() {
                Some("KEY") => *v = key_param(key),
                Some("CT") => {
                    let step = ciphertext_step.unwrap_or("STEP");
                    *v = json!({ "$ref": format!("{step}.CiphertextBlob") });
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether the operation's response holds a `CiphertextBlob` (the operation table says).
pub fn makes_ciphertext(operation: &str) -> bool {
    Operation::parse(operation).is_some_and(|op| op.facts().makes_ciphertext)
}

#[cfg(test)]
mod tests {
    /// `template` as it was written with `json!`.
    fn json_template(operation: &str, key: &str, ciphertext_step: Option<&str>) -> J {
        let k = key_param(key);
        let ct = json!({ "$ref": format!("{}.CiphertextBlob", ciphertext_step.unwrap_or("STEP")) });
        match operation {
            "Encrypt" => json!({ "KeyId": k, "Plaintext": { "Text": "hello" }, "EncryptionContext": {} }),
            "Decrypt" => json!({ "CiphertextBlob": ct, "EncryptionContext": {} }),
            "ReEncrypt" => json!({ "CiphertextBlob": ct, "DestinationKeyId": k }),
            "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
                json!({ "KeyId": k, "KeySpec": "AES_256", "EncryptionContext": {} })
            }
            "GenerateRandom" => json!({ "NumberOfBytes": 32 }),
            "CreateKey" => json!({ "Description": "a new key" }),
            "ListKeys" | "ListAliases" => json!({}),
            "ScheduleKeyDeletion" => json!({ "KeyId": k, "PendingWindowInDays": 7 }),
            "CreateAlias" | "UpdateAlias" => json!({ "AliasName": "alias/new", "TargetKeyId": k }),
            "DeleteAlias" => json!({ "AliasName": "alias/new" }),
            "UpdateKeyDescription" => json!({ "KeyId": k, "Description": "updated" }),
            "PutKeyPolicy" => json!({ "KeyId": k, "Policy": { "Version": "2012-10-17", "Statement": [] } }),
            "TagResource" => json!({ "KeyId": k, "Tags": [{ "TagKey": "team", "TagValue": "a" }] }),
            "UntagResource" => json!({ "KeyId": k, "TagKeys": ["team"] }),
            "EnableKeyRotation" => json!({ "KeyId": k, "RotationPeriodInDays": 365 }),
            "CreateGrant" => json!({
                "KeyId": k,
                "GranteePrincipal": "arn:aws:iam::111122223333:role/NAME",
                "Operations": ["Decrypt"]
            }),
            "ListRetirableGrants" => json!({ "RetiringPrincipal": "arn:aws:iam::111122223333:role/NAME" }),
            "RetireGrant" | "RevokeGrant" => json!({ "KeyId": k, "GrantId": "GRANT_ID" }),
            _ => json!({ "KeyId": k }),
        }
    }

    #[test]
    fn templates_are_the_json_macro_ones() {
        for op in kmsim_kms::OPERATIONS.iter().chain(&["Nope"]) {
            for key in ["$key:app", "alias/app"] {
                for step in [None, Some("c1")] {
                    let (new, old) = (template(op, key, step), json_template(op, key, step));
                    // As text too: the members' order shows in the console.
                    assert_eq!(new.to_string(), old.to_string(), "{op} {key} {step:?}");
                }
            }
        }
    }

    use super::*;
    use crate::model::extract;
    use crate::starts::LESSONS;
    use kmsim_policy::Decision;

    fn lesson(i: usize) -> ScenarioFile {
        Scenario::parse(LESSONS[i].text).unwrap().file
    }

    #[test]
    fn every_lesson_runs_green_from_its_documents() {
        for (i, l) in LESSONS.iter().enumerate() {
            let file = lesson(i);
            let docs = extract(&file);
            let view = run(&runnable(&file, &docs, &[])).unwrap_or_else(|e| panic!("{}: {e:?}", l.id));
            assert!(view.passed, "{} fails when run from its extracted documents", l.id);
            assert_eq!(view.steps.len(), file.steps.len());
            assert!(!view.audit.is_empty());
        }
    }

    #[test]
    fn deciding_statements_map_to_their_documents() {
        let file = lesson(0);
        let docs = extract(&file);
        let view = run(&runnable(&file, &docs, &[])).unwrap();
        // Step 1: App encrypts; the key policy's AllowAppCrypto decides.
        let a = &view.steps[1].call.as_ref().unwrap().trace.authorizations[0];
        assert_eq!(a.decision, Decision::Allow);
        let mut found = Vec::new();
        for p in &a.policies {
            for s in &p.result.trace.as_ref().unwrap().statements {
                if is_deciding(a, p, s.index) {
                    found.push((doc_of(&docs, &view.key_arns, p), s.sid.as_deref().map(str::to_string)));
                }
            }
        }
        assert_eq!(found, vec![(Some(0), Some("AllowAppCrypto".to_string()))]);
        // Step 6: the partner key (doc 1) and App's identity policy (doc 2) both take part.
        let a = &view.steps[6].call.as_ref().unwrap().trace.authorizations[0];
        let docs_seen: Vec<Option<usize>> = a.policies.iter().map(|p| doc_of(&docs, &view.key_arns, p)).collect();
        assert!(docs_seen.contains(&Some(1)) && docs_seen.contains(&Some(2)), "{docs_seen:?}");
    }

    #[test]
    fn bad_steps_are_reported_with_their_path() {
        let file = lesson(0);
        let docs = extract(&file);
        let step = StepSpec { call: Some("Encrypt".into()), ..StepSpec::default() };
        let errors = run(&runnable(&file, &docs, &[step])).unwrap_err();
        assert!(errors.iter().any(|e| e.starts_with("/steps/8")), "{errors:?}");
    }

    #[test]
    fn callers_keys_and_templates() {
        let file = lesson(0);
        assert_eq!(
            callers(&file),
            vec!["role/App", "role/KeyAdmin", "root", "444455556666:user/bob", "444455556666:root"]
        );
        assert_eq!(
            key_choices(&file),
            vec![
                ("$key:app".to_string(), "key app".to_string()),
                ("$key:partner".to_string(), "key partner".to_string()),
                ("alias/app".to_string(), "alias/app".to_string())
            ]
        );
        let arns = BTreeMap::from([("app".to_string(), "arn:aws:kms:us-east-1:111122223333:key/k".to_string())]);
        let names = completion_names(&file, Some(&arns));
        let principals: Vec<&str> = names.principals.iter().map(|(arn, _)| arn.as_str()).collect();
        assert_eq!(
            principals,
            [
                "arn:aws:iam::111122223333:root",
                "arn:aws:iam::111122223333:role/App",
                "arn:aws:iam::111122223333:role/KeyAdmin",
                "arn:aws:iam::444455556666:root",
                "arn:aws:iam::444455556666:user/bob"
            ]
        );
        assert_eq!(names.keys, [("arn:aws:kms:us-east-1:111122223333:key/k".to_string(), "key app".to_string())]);
        assert!(completion_names(&file, None).keys.is_empty());
        assert_eq!(template("Encrypt", "$key:app", None)["KeyId"], json!({ "$key": "app" }));
        assert_eq!(
            template("Decrypt", "alias/app", Some("c1"))["CiphertextBlob"],
            json!({ "$ref": "c1.CiphertextBlob" })
        );
        assert_eq!(template("DescribeKey", "alias/app", None), json!({ "KeyId": "alias/app" }));
        for op in kmsim_kms::OPERATIONS {
            assert!(template(op, "alias/app", Some("c")).is_object(), "{op}");
        }
    }
}
