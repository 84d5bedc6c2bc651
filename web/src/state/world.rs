//! The reducer's part for the world editor (issue 11): accounts, users, roles (tags, identity policies, permissions
//! boundary, named sessions with their tags, MFA, source identity and session policy), SCPs, keys, grants and the configuration edited from forms; a blank workspace; and the whole scenario
//! as one JSON document that round-trips with the forms.
//!
//! Every structural edit is made on the scenario with the documents spliced in, then the documents are read back
//! from it ([`model::extract`]), so the documents pane always lists the world's policies in the scenario's order and
//! a document's text is kept exactly as typed. Renames rewrite every reference the scenario holds to the old name
//! (grants, steps' callers and parameters, `$key`s, ARNs in policy texts, the console's caller and key); a delete
//! that something still uses is refused with a message saying where.

use std::collections::BTreeMap;

use kmsim_kms::scenario::{
    AccountSpec, ConfigSpec, GrantConstraintsSpec, GrantSpec, KeySpecFile, PrincipalSpec, Scenario, ScenarioFile,
    SessionSpec, StepSpec,
};
use serde_json::Value as J;

use super::{Action, Banner, State};
use crate::model::{self, Snapshot};
use crate::run;
use crate::workspaces::Workspace;

mod edit;
use edit::Edit;

/// The pointer of the whole scenario's JSON document: its key in a snapshot's `texts` (a draft that does not read)
/// and its `doc` (the JSON document was the one in the editor).
pub const JSON_POINTER: &str = "";

/// The id of the "New blank workspace" entry of the lessons menu.
pub const BLANK_ID: &str = "new:blank";

/// A user or role of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub account: String,
    pub role: bool,
    pub name: String,
}

/// A named session of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    pub account: String,
    pub role: String,
    pub name: String,
}

impl SessionRef {
    /// The role the session belongs to.
    pub fn role(&self) -> Who {
        Who { account: self.account.clone(), role: true, name: self.role.clone() }
    }
}

/// A field of a named session the form edits (an empty value clears it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionField {
    /// `true` or `false`: the session was obtained with MFA (off clears the MFA age).
    Mfa,
    /// Seconds since the MFA authentication.
    MfaAge,
    SourceIdentity,
}

/// A field of a key the form edits (an empty value clears it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyField {
    Account,
    Description,
    State,
    KeySpec,
    KeyUsage,
    /// The rotation period in days; empty: rotation off.
    Rotation,
}

/// A field of a grant the form edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantField {
    Key,
    Name,
    Grantee,
    RetiringPrincipal,
    /// Operations separated by commas or spaces.
    Operations,
    /// `none`, `subset` (EncryptionContextSubset) or `equals` (EncryptionContextEquals).
    ConstraintKind,
    /// The constraint's encryption context, one `key=value` a line.
    ConstraintContext,
}

/// A field of the scenario's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigField {
    Title,
    Description,
    Seed,
    StartTime,
    Region,
    GrantPropagationSeconds,
}

/// The world editor's actions (inside `Action::World`). Names left `None` are chosen free (`Role1`, `key2`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum WorldAction {
    /// A new workspace: one account, an admin role, one key with AWS's default key policy.
    NewBlank {
        seed: u64,
    },
    AddAccount(Option<String>),
    RenameAccount {
        from: String,
        to: String,
    },
    SetAccountName {
        account: String,
        name: String,
    },
    DeleteAccount(String),
    AddPrincipal {
        account: String,
        role: bool,
        name: Option<String>,
    },
    RenamePrincipal {
        who: Who,
        to: String,
    },
    DeletePrincipal(Who),
    /// Sets a tag (a new one when `key` is empty: `tag1`, ...). `old` renames the tag.
    SetPrincipalTag {
        who: Who,
        old: Option<String>,
        key: String,
        value: String,
    },
    RemovePrincipalTag {
        who: Who,
        key: String,
    },
    /// Adds an identity policy (a document, selected).
    AddIdentityPolicy {
        who: Who,
        name: Option<String>,
    },
    RenameIdentityPolicy {
        who: Who,
        from: String,
        to: String,
    },
    RemoveIdentityPolicy {
        who: Who,
        name: String,
    },
    AddBoundary(Who),
    RemoveBoundary(Who),
    /// Adds a named session to a role (`session1`, ... when `name` is `None`).
    AddSession {
        role: Who,
        name: Option<String>,
    },
    /// Renames a session; steps calling as it and session ARNs in policies follow.
    RenameSession {
        session: SessionRef,
        to: String,
    },
    /// Deletes a session, refused while a step calls as it or a grant names it.
    DeleteSession(SessionRef),
    /// Sets a session tag (a new one when `key` is empty). `old` renames the tag.
    SetSessionTag {
        session: SessionRef,
        old: Option<String>,
        key: String,
        value: String,
    },
    RemoveSessionTag {
        session: SessionRef,
        key: String,
    },
    SetSession {
        session: SessionRef,
        field: SessionField,
        value: String,
    },
    /// Adds the session's session policy (a document, selected).
    AddSessionPolicy(SessionRef),
    RemoveSessionPolicy(SessionRef),
    AddScp {
        account: String,
        name: Option<String>,
    },
    RemoveScp {
        account: String,
        name: String,
    },
    AddKey(Option<String>),
    RenameKey {
        from: String,
        to: String,
    },
    DeleteKey(String),
    SetKey {
        key: String,
        field: KeyField,
        value: String,
    },
    AddAlias {
        key: String,
        alias: String,
    },
    RemoveAlias {
        key: String,
        alias: String,
    },
    SetKeyTag {
        key: String,
        old: Option<String>,
        tag: String,
        value: String,
    },
    RemoveKeyTag {
        key: String,
        tag: String,
    },
    /// Adds a grant on the key (the first key when `None`) to the first principal.
    AddGrant(Option<String>),
    SetGrant {
        index: usize,
        field: GrantField,
        value: String,
    },
    DeleteGrant(usize),
    SetConfig {
        field: ConfigField,
        value: String,
    },
    /// Shows the scenario as one JSON document in the editor.
    OpenJson,
    /// Drops the JSON document's draft that does not read: the document shows the scenario again.
    DiscardJson,
    /// The JSON document edited: applied when it reads, else its located problems are shown.
    EditJson(String),
}

/// A problem of the JSON document, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    pub line: u32,
    pub column: u32,
    pub path: String,
    pub message: String,
}

/// The JSON document as typed, with the scenario it was typed against.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDraft {
    pub text: String,
    pub problems: Vec<JsonProblem>,
    /// The scenario (as it runs) when the draft was last applied or refused: once the world changes otherwise (a form,
    /// a document), the draft is out of date and the JSON is shown afresh.
    basis: ScenarioFile,
}

/// The world editor's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorldEdit {
    /// The JSON document is the one in the editor.
    pub json_open: bool,
    pub draft: Option<JsonDraft>,
}

/// A key or grant a step created, from the last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub step: usize,
    /// `key` or `grant`.
    pub kind: &'static str,
    /// The key's ARN, or the grant's name (its id when unnamed).
    pub id: String,
    /// A line about it (the key's description, the grant's grantee and operations).
    pub detail: String,
}

impl State {
    /// The scenario as it runs (documents spliced in, the user's steps after the scenario's).
    pub fn full_file(&self) -> ScenarioFile {
        run::runnable(&self.base, &self.docs, &self.user_steps)
    }

    /// The whole scenario as one JSON document: the draft being typed while it is current, else the scenario with
    /// the documents spliced in (a document that is exactly the pretty form of its JSON is written as that object,
    /// any other text as a string, so that nothing typed changes).
    pub fn scenario_json(&self) -> (String, &[JsonProblem]) {
        let full = self.full_file();
        if let Some(d) = self.world.draft.as_ref().filter(|d| d.basis == full) {
            return (d.text.clone(), &d.problems);
        }
        (json_text(full), &[])
    }

    /// The JSON document's draft that a snapshot keeps: one typed against the scenario as it is, that does not read
    /// (a draft that reads is the scenario already).
    pub fn json_draft_kept(&self) -> Option<&str> {
        let d = self.world.draft.as_ref().filter(|d| !d.problems.is_empty())?;
        (d.basis == self.full_file()).then_some(d.text.as_str())
    }

    /// After a snapshot is loaded: its kept JSON draft back, with its problems found again, and the JSON document
    /// open if it was.
    pub(super) fn restore_json(&mut self, draft: Option<&String>, open: bool) {
        self.world = WorldEdit::default();
        if let Some(text) = draft {
            self.edit_json(text.clone());
        }
        self.world.json_open = open;
    }

    /// How many problems the JSON document shows (cheap when there are none: the sidebar asks on every render).
    pub fn json_problem_count(&self) -> usize {
        match self.world.draft.as_ref().filter(|d| !d.problems.is_empty()) {
            Some(d) if d.basis == self.full_file() => d.problems.len(),
            _ => 0,
        }
    }

    /// Keys and grants that the last run's steps created, in step order.
    pub fn created_by_steps(&self) -> Vec<Created> {
        let Some(view) = self.view_of_run() else { return Vec::new() };
        let steps: Vec<&StepSpec> = self.all_steps().collect();
        let mut out = Vec::new();
        for r in &view.steps {
            let Some(Ok(response)) = r.call.as_ref().map(|c| &c.response) else { continue };
            let op = r.call.as_ref().map_or("", |c| c.trace.operation.as_str());
            let params = steps.get(r.index).and_then(|s| s.params.clone()).unwrap_or(J::Null);
            let text = |v: &J, field: &str| v.get(field).and_then(J::as_str).unwrap_or("").to_string();
            match op {
                "CreateKey" => {
                    let meta = response.get("KeyMetadata").cloned().unwrap_or(J::Null);
                    out.push(Created {
                        step: r.index,
                        kind: "key",
                        id: text(&meta, "Arn"),
                        detail: text(&meta, "Description"),
                    });
                }
                "CreateGrant" => {
                    let name = text(&params, "Name");
                    let ops: Vec<&str> = params
                        .get("Operations")
                        .and_then(J::as_array)
                        .map(|a| a.iter().filter_map(J::as_str).collect())
                        .unwrap_or_default();
                    out.push(Created {
                        step: r.index,
                        kind: "grant",
                        id: if name.is_empty() { text(response, "GrantId") } else { name },
                        detail: format!("to {}: {}", text(&params, "GranteePrincipal"), ops.join(", ")),
                    });
                }
                _ => {}
            }
        }
        out
    }

    pub(super) fn apply_world(&mut self, action: WorldAction) {
        use WorldAction as W;
        let result = match action {
            W::NewBlank { seed } => {
                self.new_blank(seed);
                return;
            }
            W::OpenJson => {
                self.world.json_open = true;
                return;
            }
            W::DiscardJson => {
                self.world.draft = None;
                return;
            }
            W::EditJson(text) => {
                self.edit_json(text);
                return;
            }
            other => self.edit_world(other),
        };
        match result {
            Ok(select) => {
                self.rerun();
                if let Some(pointer) = select {
                    if let Some(i) = self.docs.iter().position(|d| d.loc.pointer() == pointer) {
                        self.selected = i;
                        self.world.json_open = false;
                    }
                }
            }
            Err(message) => self.banner = Some(Banner::error(message)),
        }
    }

    /// The scenario and the user's steps replaced; the documents read from it, the same one kept selected.
    fn replace_scenario(&mut self, file: ScenarioFile, user_steps: Vec<StepSpec>) {
        let pointer = self.current().map(|d| d.loc.pointer());
        self.docs = model::extract(&file);
        self.selected = pointer.and_then(|p| self.docs.iter().position(|d| d.loc.pointer() == p)).unwrap_or(0);
        self.base = file;
        self.user_steps = user_steps;
        self.highlight = None;
        self.caret = None;
    }

    /// Runs again after the world changed; the selected step stays if it still exists.
    fn rerun(&mut self) {
        self.exercise.checked = None;
        self.run_all();
        let total = self.step_count();
        self.step = self.step.filter(|s| *s < total).or((total > 0).then_some(0));
    }

    /// A structural edit on the scenario (documents spliced in), then the documents read back. `Ok` carries the
    /// pointer of a document to select.
    fn edit_world(&mut self, action: WorldAction) -> Result<Option<String>, String> {
        let mut file = self.base.clone();
        model::splice(&mut file, &self.docs);
        let mut steps = std::mem::take(&mut self.user_steps);
        let mut call = self.call.clone();
        let result = {
            let mut w = Edit { file: &mut file, user_steps: &mut steps, caller: &mut call.caller, key: &mut call.key };
            w.apply(action)
        };
        if result.is_err() {
            self.user_steps = steps;
            return result;
        }
        self.replace_scenario(file, steps);
        self.call = call;
        result
    }

    fn new_blank(&mut self, seed: u64) {
        let snapshot = Snapshot::of_file(None, blank(seed));
        let ws = Workspace { id: self.fresh_id(seed), name: "Blank workspace".to_string(), lesson: None, snapshot };
        self.add_and_open(ws);
        self.view = super::View::World;
    }

    fn edit_json(&mut self, text: String) {
        self.world.json_open = true;
        let basis_before = self.full_file();
        match Scenario::parse(&text) {
            Err(errs) => {
                let problems = errs
                    .errors
                    .iter()
                    .map(|e| JsonProblem {
                        line: e.span.line,
                        column: e.span.column,
                        path: e.span.path.to_string(),
                        message: e.message.clone(),
                    })
                    .collect();
                self.world.draft = Some(JsonDraft { text, problems, basis: basis_before });
            }
            Ok(scenario) => {
                let mut file = scenario.file;
                let n = file.steps.len();
                let user = self.user_steps.len();
                // The user's own steps stay theirs when the text still ends with them.
                let keeps_user = n >= user && file.steps.get(n - user..) == Some(self.user_steps.as_slice());
                let user_steps = if keeps_user { file.steps.split_off(n - user) } else { Vec::new() };
                if file.seed.is_none() {
                    file.seed = self.base.seed.or(Some(1));
                }
                self.replace_scenario(file, user_steps);
                self.rerun();
                self.world.draft = Some(JsonDraft { text, problems: Vec::new(), basis: self.full_file() });
            }
        }
    }
}

/// Every action of `Action::World` that changes the scenario.
impl From<WorldAction> for Action {
    fn from(w: WorldAction) -> Action {
        Action::World(w)
    }
}

/// The blank workspace's scenario: one account, an admin role allowed every KMS action by its identity policy, and
/// one key without a key policy (so it gets AWS's default key policy, as `CreateKey` without `Policy` does).
pub fn blank(seed: u64) -> ScenarioFile {
    let admin_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Sid": "AdministerKms", "Effect": "Allow", "Action": "kms:*", "Resource": "*" }]
    });
    let admin =
        PrincipalSpec { policies: BTreeMap::from([("KmsAdmin".to_string(), admin_policy)]), ..Default::default() };
    let account = AccountSpec { roles: BTreeMap::from([("Admin".to_string(), admin)]), ..Default::default() };
    let key = KeySpecFile { description: "a customer managed key".to_string(), ..Default::default() };
    ScenarioFile {
        title: "Blank workspace".to_string(),
        description:
            "One account, an admin role and one key with AWS's default key policy: build your world from here."
                .to_string(),
        seed: Some(seed),
        accounts: BTreeMap::from([("111122223333".to_string(), account)]),
        keys: BTreeMap::from([("main".to_string(), key)]),
        ..Default::default()
    }
}

/// The JSON text of a scenario: policies that are the pretty form of an object shown as that object.
fn json_text(mut file: ScenarioFile) -> String {
    let as_object = |v: &mut J| {
        if let J::String(s) = v {
            if let Ok(parsed @ J::Object(_)) = serde_json::from_str::<J>(s) {
                if serde_json::to_string_pretty(&parsed).ok().as_deref() == Some(s.as_str()) {
                    *v = parsed;
                }
            }
        }
    };
    for k in file.keys.values_mut() {
        k.policy.iter_mut().for_each(&as_object);
    }
    for a in file.accounts.values_mut() {
        for p in a.roles.values_mut().chain(a.users.values_mut()) {
            p.policies.values_mut().for_each(&as_object);
            p.permissions_boundary.iter_mut().for_each(&as_object);
            p.sessions.values_mut().filter_map(|s| s.policy.as_mut()).for_each(&as_object);
        }
        a.scps.values_mut().for_each(&as_object);
    }
    serde_json::to_value(&file).and_then(|v| serde_json::to_string_pretty(&v)).unwrap_or_default()
}

/// A new policy's text: allow nothing yet, with a statement to fill in.
fn starter_policy(kind: &str) -> String {
    let statement = match kind {
        "scp" => serde_json::json!({ "Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*" }),
        "boundary" => serde_json::json!({ "Sid": "KmsOnly", "Effect": "Allow", "Action": "kms:*", "Resource": "*" }),
        "session" => serde_json::json!({ "Sid": "SessionMay", "Effect": "Allow", "Action": "kms:*", "Resource": "*" }),
        _ => {
            serde_json::json!({ "Sid": "UseKeys", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*" })
        }
    };
    let doc = serde_json::json!({ "Version": "2012-10-17", "Statement": [statement] });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests;
