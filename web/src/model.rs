//! The playground's data: the scenario being edited, its policy documents, and the saved form (`Snapshot`).
//!
//! Documents: every policy of the scenario (each key's key policy, each user's and role's identity policies and
//! permissions boundary, each named role session's session policy, each account's SCPs) is one editable text, kept in `State::docs` with its location in the
//! scenario ([`DocLoc`]). Before a run, and in every snapshot, each text is written back into the scenario as a JSON
//! string ([`splice`]); the scenario accepts a policy written as a string, so a document with a syntax error can be
//! saved and shared as typed, and the engine's spans stay relative to the text the editor shows.

use std::collections::BTreeMap;

use kmsim_kms::scenario::{PrincipalSpec, ScenarioFile, StepSpec};
use kmsim_policy::{Policy, PolicyError, PolicyType, PolicyWarning};
use serde::Serialize;
use serde_json::Value as J;

pub mod rules;

/// Where a policy document lives in the scenario.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum DocLoc {
    /// `keys.NAME.policy`
    KeyPolicy { key: String },
    /// `accounts.ACCOUNT.{users|roles}.NAME.policies.POLICY`
    Identity { account: String, role: bool, principal: String, policy: String },
    /// `accounts.ACCOUNT.{users|roles}.NAME.permissions_boundary`
    Boundary { account: String, role: bool, principal: String },
    /// `accounts.ACCOUNT.scps.NAME`
    Scp { account: String, name: String },
    /// `accounts.ACCOUNT.roles.ROLE.sessions.SESSION.policy`: a named role session's session policy.
    SessionPolicy { account: String, role: String, session: String },
    /// `rules.INDEX`: an automated-response rule, its JSON as a document (not a policy: see [`rules`]).
    Rule { index: usize, name: String },
}

impl DocLoc {
    /// The JSON Pointer of the document in the scenario (also its id in snapshots).
    pub fn pointer(&self) -> String {
        use kmsim_policy::json::escape_pointer as e;
        let kind = |role: bool| if role { "roles" } else { "users" };
        match self {
            DocLoc::KeyPolicy { key } => format!("/keys/{}/policy", e(key)),
            DocLoc::Identity { account, role, principal, policy } => {
                format!("/accounts/{}/{}/{}/policies/{}", e(account), kind(*role), e(principal), e(policy))
            }
            DocLoc::Boundary { account, role, principal } => {
                format!("/accounts/{}/{}/{}/permissions_boundary", e(account), kind(*role), e(principal))
            }
            DocLoc::Scp { account, name } => format!("/accounts/{}/scps/{}", e(account), e(name)),
            DocLoc::SessionPolicy { account, role, session } => {
                format!("/accounts/{}/roles/{}/sessions/{}/policy", e(account), e(role), e(session))
            }
            DocLoc::Rule { index, .. } => format!("/rules/{index}"),
        }
    }

    /// The engine's policy type for this location.
    pub fn policy_type(&self) -> PolicyType {
        match self {
            DocLoc::KeyPolicy { .. } => PolicyType::Resource,
            DocLoc::Identity { .. } => PolicyType::Identity,
            DocLoc::Boundary { .. } => PolicyType::PermissionsBoundary,
            DocLoc::Scp { .. } => PolicyType::Scp,
            DocLoc::SessionPolicy { .. } => PolicyType::Session,
            // Never parsed as a policy (`Doc::reparse`); the editor does not lint it as one.
            DocLoc::Rule { .. } => PolicyType::Identity,
        }
    }

    /// The sidebar group: `key NAME` or `account ID`.
    pub fn group(&self) -> String {
        match self {
            DocLoc::KeyPolicy { key } => format!("key {key}"),
            DocLoc::Identity { account, .. }
            | DocLoc::Boundary { account, .. }
            | DocLoc::Scp { account, .. }
            | DocLoc::SessionPolicy { account, .. } => {
                format!("account {account}")
            }
            DocLoc::Rule { .. } => "rules".to_string(),
        }
    }

    /// The document's name in the sidebar.
    pub fn label(&self) -> String {
        let who = |role: bool, p: &str| format!("{} {p}", if role { "role" } else { "user" });
        match self {
            DocLoc::KeyPolicy { .. } => "key policy".to_string(),
            DocLoc::Identity { role, principal, policy, .. } => format!("{} · {policy}", who(*role, principal)),
            DocLoc::Boundary { role, principal, .. } => format!("{} · permissions boundary", who(*role, principal)),
            DocLoc::Scp { name, .. } => format!("SCP {name}"),
            DocLoc::SessionPolicy { role, session, .. } => format!("role {role} · session {session} policy"),
            DocLoc::Rule { name, .. } => format!("rule {name}"),
        }
    }

    /// Whether the document is a rule (JSON checked against the scenario, [`rules::check`]), not a policy.
    pub fn is_rule(&self) -> bool {
        matches!(self, DocLoc::Rule { .. })
    }
}

/// One policy document of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub loc: DocLoc,
    pub source: String,
    /// The engine's diagnostics for `source` (recomputed on every edit, never stored).
    pub errors: Vec<PolicyError>,
    /// What AWS accepts but ignores in `source` (a key policy statement without `Resource`), when it parses.
    pub warnings: Vec<PolicyWarning>,
}

impl Doc {
    /// A document with its diagnostics computed.
    pub fn new(loc: DocLoc, source: impl Into<String>) -> Doc {
        let mut doc = Doc { loc, source: source.into(), errors: Vec::new(), warnings: Vec::new() };
        doc.reparse();
        doc
    }

    /// Re-runs the parser and keeps its diagnostics.
    pub fn reparse(&mut self) {
        if self.loc.is_rule() {
            // A rule is checked against the scenario (its role, the other rules' names): `rules::check`.
            return;
        }
        (self.errors, self.warnings) = match Policy::parse(&self.source, self.loc.policy_type()) {
            Ok(policy) => (Vec::new(), policy.warnings()),
            Err(e) => (e.errors, Vec::new()),
        };
    }
}

/// A policy value of the scenario as the editor shows it: a string as is, an object pretty-printed.
fn text_of(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// Every policy document of the scenario, keys first (in name order), then accounts. A key without a policy gets
/// AWS's default key policy, which is what the world would give it.
pub fn extract(file: &ScenarioFile) -> Vec<Doc> {
    let mut docs = Vec::new();
    let first_account = file.accounts.keys().next().cloned().unwrap_or_else(|| "111122223333".to_string());
    for (name, k) in &file.keys {
        let text = match &k.policy {
            Some(p) => text_of(p),
            None => {
                let account = k.account.clone().unwrap_or_else(|| first_account.clone());
                kmsim_kms::policy::default_key_policy("aws", &account)
            }
        };
        docs.push(Doc::new(DocLoc::KeyPolicy { key: name.clone() }, text));
    }
    for (account, a) in &file.accounts {
        for (role, principals) in [(true, &a.roles), (false, &a.users)] {
            for (name, p) in principals {
                for (policy, v) in &p.policies {
                    let loc = DocLoc::Identity {
                        account: account.clone(),
                        role,
                        principal: name.clone(),
                        policy: policy.clone(),
                    };
                    docs.push(Doc::new(loc, text_of(v)));
                }
                if let Some(b) = &p.permissions_boundary {
                    let loc = DocLoc::Boundary { account: account.clone(), role, principal: name.clone() };
                    docs.push(Doc::new(loc, text_of(b)));
                }
                for (session, v) in p.sessions.iter().filter(|_| role) {
                    let Some(v) = &v.policy else { continue };
                    let loc = DocLoc::SessionPolicy {
                        account: account.clone(),
                        role: name.clone(),
                        session: session.clone(),
                    };
                    docs.push(Doc::new(loc, text_of(v)));
                }
            }
        }
        for (name, v) in &a.scps {
            docs.push(Doc::new(DocLoc::Scp { account: account.clone(), name: name.clone() }, text_of(v)));
        }
    }
    rules::extract(file, &mut docs);
    docs
}

fn principal_mut<'a>(file: &'a mut ScenarioFile, account: &str, role: bool, name: &str) -> &'a mut PrincipalSpec {
    let a = file.accounts.entry(account.to_string()).or_default();
    let map = if role { &mut a.roles } else { &mut a.users };
    map.entry(name.to_string()).or_default()
}

/// Writes every document's text into the scenario, as a JSON string at its location.
pub fn splice(file: &mut ScenarioFile, docs: &[Doc]) {
    for d in docs {
        let text = J::String(d.source.clone());
        match &d.loc {
            DocLoc::KeyPolicy { key } => file.keys.entry(key.clone()).or_default().policy = Some(text),
            DocLoc::Identity { account, role, principal, policy } => {
                principal_mut(file, account, *role, principal).policies.insert(policy.clone(), text);
            }
            DocLoc::Boundary { account, role, principal } => {
                principal_mut(file, account, *role, principal).permissions_boundary = Some(text);
            }
            DocLoc::Scp { account, name } => {
                file.accounts.entry(account.clone()).or_default().scps.insert(name.clone(), text);
            }
            DocLoc::SessionPolicy { account, role, session } => {
                principal_mut(file, account, true, role).sessions.entry(session.clone()).or_default().policy =
                    Some(text);
            }
            DocLoc::Rule { index, .. } => rules::splice(file, *index, &d.source),
        }
    }
}

/// One encryption-context row of the call console.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, kmsim_de::Deserialize)]
pub struct EcRow {
    pub key: String,
    pub value: String,
}

/// The call console's fields, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, kmsim_de::Deserialize)]
pub struct CallForm {
    pub operation: String,
    /// A short form (`role/App`, `444455556666:user/bob`, `root`) or a full ARN.
    pub caller: String,
    /// The key parameter: `$key:NAME`, an alias name, or anything the user typed.
    pub key: String,
    /// The parameters as JSON text.
    pub params: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<EcRow>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mfa: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub via: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_ip: String,
    // Issue 11 (console): the rest of how a call is made, and where it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_tags: Vec<EcRow>,
    /// Extra request-context keys, each a string.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_keys: Vec<EcRow>,
    /// Seconds since MFA (`aws:MultiFactorAuthAge`), as typed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mfa_age: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_vpce: String,
    /// Run calls after this step (index among all steps) instead of after the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<usize>,
}

/// What is saved and shared (format version 2): the scenario with the edited documents spliced in (see the module
/// docs), the user's own steps, and where the user was. Never a world: worlds are rebuilt from the scenario's seed
/// and steps, so no key material, plaintext or ciphertext is ever saved or shared (only what the user typed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, kmsim_de::Deserialize)]
pub struct Snapshot {
    pub v: u32,
    /// The lesson or sample it started from (`starts::Start::id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub scenario: ScenarioFile,
    /// Steps the user added (calls from the console), run after the scenario's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSpec>,
    /// The pointer of the document in the editor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The selected step (index among all steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallForm>,
    /// Documents whose text the scenario cannot hold as typed, by pointer: a rule document (the scenario keeps the
    /// rule's last text that read) unless its text is the rule pretty-printed ([`rules::texts`]); the whole
    /// scenario's JSON document (pointer `""`) while its draft does not read (`State::json_draft_kept`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
}

impl Snapshot {
    /// The current format version.
    pub const VERSION: u32 = 2;

    /// A scenario file as opened fresh (from a lesson or sample `origin`, a file, a blank workspace): no steps of
    /// the user's, nothing selected, no kept texts.
    pub fn of_file(origin: Option<String>, scenario: ScenarioFile) -> Snapshot {
        Snapshot { v: Snapshot::VERSION, origin, scenario, ..Snapshot::default() }
    }
}

/// Names used by `$ref` in a scenario's steps, to avoid clashes when naming new steps.
pub fn step_names(steps: &[StepSpec]) -> BTreeMap<String, usize> {
    steps.iter().enumerate().filter_map(|(i, s)| s.name.clone().map(|n| (n, i))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::starts::LESSONS;

    fn lesson(i: usize) -> ScenarioFile {
        kmsim_kms::scenario::Scenario::parse(LESSONS[i].text).unwrap().file
    }

    #[test]
    fn extracts_every_policy_of_a_lesson_with_its_location() {
        let docs = extract(&lesson(0));
        let pointers: Vec<String> = docs.iter().map(|d| d.loc.pointer()).collect();
        assert_eq!(
            pointers,
            vec!["/keys/app/policy", "/keys/partner/policy", "/accounts/111122223333/roles/App/policies/AppKms"]
        );
        assert!(docs.iter().all(|d| d.errors.is_empty()));
        // Key order is kept (serde_json preserve_order): Sid comes first, as written in the lesson.
        assert!(docs[0].source.find("\"Sid\"") < docs[0].source.find("\"Effect\""), "{}", docs[0].source);
        assert_eq!(docs[2].loc.label(), "role App · AppKms");
        assert_eq!(docs[2].loc.group(), "account 111122223333");
    }

    #[test]
    fn a_key_without_a_policy_gets_the_default_key_policy() {
        let file = kmsim_kms::scenario::Scenario::parse(crate::starts::SAMPLES[0].text).unwrap().file;
        let docs = extract(&file);
        assert!(docs[0].source.contains("Enable IAM User Permissions"));
        assert!(docs[0].source.contains("arn:aws:iam::111122223333:root"));
    }

    #[test]
    fn splicing_writes_texts_back_and_extracting_reads_them_unchanged() {
        let mut file = lesson(0);
        let mut docs = extract(&file);
        assert!(docs.len() >= 3);
        docs[1].source = "{ \"Statement\": [ oops".into();
        docs[1].reparse();
        assert!(!docs[1].errors.is_empty());
        splice(&mut file, &docs);
        let back = extract(&file);
        assert_eq!(back, docs);
    }

    #[test]
    fn a_key_policy_statement_without_resource_is_a_warning() {
        let mut docs = extract(&lesson(0));
        docs[0].source =
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}"#
                .into();
        docs[0].reparse();
        assert!(docs[0].errors.is_empty());
        assert_eq!(docs[0].warnings.len(), 1);
        assert!(docs[0].warnings[0].message.ends_with("no Resource element: the statement has no effect"));
        // The same statement in an identity policy is an error.
        docs[2].source = docs[0].source.replace("\"Principal\": \"*\", ", "");
        docs[2].reparse();
        assert!(!docs[2].errors.is_empty() && docs[2].warnings.is_empty());
    }

    #[test]
    fn pointers_escape_names() {
        let loc = DocLoc::Identity { account: "1".into(), role: false, principal: "a/b".into(), policy: "p~q".into() };
        assert_eq!(loc.pointer(), "/accounts/1/users/a~1b/policies/p~0q");
    }
}
