#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests may fail loudly")]

use std::rc::Rc;

use kmsim_kms::scenario::Scenario;
use serde_json::json;
use yew::Reducible;

use super::edit::{replace_account, replace_name};
use super::*;
use crate::state::{Action, State, View};

fn reduce(state: State, action: impl Into<Action>) -> State {
    (*Rc::new(state).reduce(action.into())).clone()
}

fn reduce_all(state: State, actions: impl IntoIterator<Item = WorldAction>) -> State {
    actions.into_iter().fold(state, reduce)
}

fn blank_state() -> State {
    reduce(State::default(), WorldAction::NewBlank { seed: 42 })
}

fn who(account: &str, role: bool, name: &str) -> Who {
    Who { account: account.into(), role, name: name.into() }
}

fn pointers(s: &State) -> Vec<String> {
    s.docs.iter().map(|d| d.loc.pointer()).collect()
}

const OTHER: &str = "444455556666";

/// The engineer's flow of issue 11 by actions: a second account with a role, the key policy letting that account
/// use the key, an identity policy there, a grant with an encryption-context constraint.
fn engineers_world() -> State {
    use WorldAction as W;
    let s = blank_state();
    let s = reduce_all(
        s,
        [
            W::AddAccount(Some(OTHER.into())),
            W::AddPrincipal { account: OTHER.into(), role: true, name: Some("Partner".into()) },
            W::AddIdentityPolicy { who: who(OTHER, true, "Partner"), name: Some("UseSharedKey".into()) },
            W::AddGrant(Some("main".into())),
            W::SetGrant { index: 0, field: GrantField::Grantee, value: format!("{OTHER}:role/Partner") },
            W::SetGrant { index: 0, field: GrantField::Operations, value: "Encrypt, Decrypt".into() },
            W::SetGrant { index: 0, field: GrantField::ConstraintKind, value: "subset".into() },
            W::SetGrant { index: 0, field: GrantField::ConstraintContext, value: "project = apollo\n".into() },
            W::SetGrant { index: 0, field: GrantField::Name, value: "partner-apollo".into() },
        ],
    );
    // The key policy: the default one plus a statement for the other account.
    let doc = s.docs.iter().position(|d| d.loc.pointer() == "/keys/main/policy").unwrap();
    let policy = s.docs[doc].source.replace(
        "\"Resource\" : \"*\"\n  } ]",
        &format!(
            "\"Resource\" : \"*\"\n  }}, {{\n    \"Sid\" : \"Partner\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{ \"AWS\" : \"arn:aws:iam::{OTHER}:root\" }},\n    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\" ],\n    \"Resource\" : \"*\"\n  }} ]"
        ),
    );
    assert_ne!(policy, s.docs[doc].source, "the default key policy's end is where the test expects it");
    reduce(s, Action::Edit { doc, source: policy })
}

#[test]
fn a_blank_workspace_has_one_account_an_admin_role_and_a_key_with_the_default_policy() {
    let s = blank_state();
    assert_eq!(s.view, View::World);
    assert_eq!(s.current_workspace().map(|w| w.name.as_str()), Some("Blank workspace"));
    assert_eq!(s.base.accounts.len(), 1);
    assert!(s.base.accounts["111122223333"].roles.contains_key("Admin"));
    assert_eq!(pointers(&s), ["/keys/main/policy", "/accounts/111122223333/roles/Admin/policies/KmsAdmin"]);
    assert_eq!(s.docs[0].source, kmsim_kms::policy::default_key_policy("aws", "111122223333"));
    assert!(s.docs.iter().all(|d| d.errors.is_empty()));
    assert!(s.run.as_ref().unwrap().result.is_ok());
    // A second blank workspace is a new one, not the first again.
    let two = reduce(s.clone(), WorldAction::NewBlank { seed: 43 });
    assert_eq!(two.ws.list.len(), s.ws.list.len() + 1);
    assert_ne!(two.ws.current, s.ws.current);
}

#[test]
fn the_admin_of_a_blank_workspace_can_use_its_key() {
    let s = blank_state();
    let s = reduce(s, Action::SetCaller("role/Admin".into()));
    let s = reduce(s, Action::RunCall);
    let run = s.view_of_run().unwrap();
    let last = run.steps.last().and_then(|r| r.call.as_ref()).unwrap();
    assert!(last.is_success(), "{:?}", last.response);
}

#[test]
fn adding_an_identity_policy_adds_its_document_and_selects_it() {
    let s = blank_state();
    let s = reduce(s, WorldAction::AddIdentityPolicy { who: who("111122223333", true, "Admin"), name: None });
    let pointer = "/accounts/111122223333/roles/Admin/policies/Policy1";
    assert_eq!(s.current().unwrap().loc.pointer(), pointer);
    assert!(s.current().unwrap().errors.is_empty());
    // Live diagnostics: the document is an ordinary one.
    let bad = reduce(s.clone(), Action::Edit { doc: s.selected, source: "{ \"Statement\": [".into() });
    assert!(!bad.current().unwrap().errors.is_empty());
    let s = reduce(
        s,
        WorldAction::RemoveIdentityPolicy { who: who("111122223333", true, "Admin"), name: "Policy1".into() },
    );
    assert!(!pointers(&s).contains(&pointer.to_string()));
}

#[test]
fn boundaries_and_scps_are_documents_too() {
    let s = blank_state();
    let admin = who("111122223333", true, "Admin");
    let s = reduce(s, WorldAction::AddBoundary(admin.clone()));
    assert_eq!(s.current().unwrap().loc.pointer(), "/accounts/111122223333/roles/Admin/permissions_boundary");
    let s = reduce(s, WorldAction::AddScp { account: "111122223333".into(), name: Some("Guard".into()) });
    assert_eq!(s.current().unwrap().loc.pointer(), "/accounts/111122223333/scps/Guard");
    assert_eq!(s.docs.len(), 4);
    let s = reduce(s, WorldAction::RemoveBoundary(admin));
    let s = reduce(s, WorldAction::RemoveScp { account: "111122223333".into(), name: "Guard".into() });
    assert_eq!(s.docs.len(), 2);
}

#[test]
fn renaming_a_role_updates_steps_grants_policies_and_the_console() {
    let s = engineers_world();
    // A step calling as the partner role, and the console's caller.
    let s = reduce(s, Action::SetCaller(format!("{OTHER}:role/Partner")));
    let s = reduce(s, Action::RunCall);
    let s = reduce(s, WorldAction::RenamePrincipal { who: who(OTHER, true, "Partner"), to: "Ally".into() });
    assert!(s.banner.is_none(), "{:?}", s.banner);
    assert!(s.base.accounts[OTHER].roles.contains_key("Ally"));
    assert_eq!(s.base.grants[0].grantee, format!("{OTHER}:role/Ally"));
    assert_eq!(s.user_steps[0].caller.as_deref(), Some(&*format!("{OTHER}:role/Ally")));
    assert_eq!(s.call.caller, format!("{OTHER}:role/Ally"));
    // Its identity policy moved with it (same text).
    assert!(pointers(&s).contains(&format!("/accounts/{OTHER}/roles/Ally/policies/UseSharedKey")));
    assert!(s.run.as_ref().unwrap().result.is_ok());
}

#[test]
fn renaming_a_role_rewrites_its_arn_in_policies_but_not_a_longer_name() {
    let text = "\"arn:aws:iam::1:role/App\" \"arn:aws:iam::1:role/AppX\" \"arn:aws:sts::1:assumed-role/App/s\"";
    let out = replace_name(text, "iam::1:role/App", "iam::1:role/Web");
    assert_eq!(out, "\"arn:aws:iam::1:role/Web\" \"arn:aws:iam::1:role/AppX\" \"arn:aws:sts::1:assumed-role/App/s\"");
    assert_eq!(
        replace_account("a 111122223333: 1111222233334", "111122223333", "999988887777"),
        "a 999988887777: 1111222233334"
    );
}

#[test]
fn renaming_an_account_keeps_every_principal_and_key_it_had() {
    let s = engineers_world();
    let s = reduce(s, Action::SetCaller(format!("{OTHER}:role/Partner")));
    let s = reduce(s, Action::RunCall);
    // The first account becomes the second in order: short callers must still name the same principals.
    let s = reduce(s, WorldAction::RenameAccount { from: "111122223333".into(), to: "999999999999".into() });
    assert!(s.banner.is_none(), "{:?}", s.banner);
    assert_eq!(s.base.accounts.keys().collect::<Vec<_>>(), [OTHER, "999999999999"]);
    assert_eq!(s.base.keys["main"].account.as_deref(), Some("999999999999"));
    assert!(s.docs[0].source.contains("arn:aws:iam::999999999999:root"), "{}", s.docs[0].source);
    // The partner account is now the first: its callers are short.
    assert_eq!(s.base.grants[0].grantee, "role/Partner");
    assert_eq!(s.user_steps[0].caller.as_deref(), Some("role/Partner"));
    assert!(s.run.as_ref().unwrap().result.is_ok(), "{:?}", s.run.as_ref().unwrap().result.as_ref().err());
    // Not a 12-digit id: refused, nothing changed.
    let refused = reduce(s.clone(), WorldAction::RenameAccount { from: OTHER.into(), to: "12".into() });
    assert!(refused.banner.as_ref().unwrap().text.contains("not a 12-digit account id"));
    assert_eq!(refused.base, s.base);
}

#[test]
fn renaming_a_key_updates_grants_steps_and_documents() {
    let s = engineers_world();
    let s = reduce(s, Action::SetKey("$key:main".into()));
    let s = reduce(s, Action::RunCall);
    assert_eq!(s.user_steps[0].params.as_ref().unwrap()["KeyId"], json!({ "$key": "main" }));
    let source = s.docs[0].source.clone();
    let s = reduce(s, WorldAction::RenameKey { from: "main".into(), to: "shared".into() });
    assert_eq!(s.base.grants[0].key, "shared");
    assert_eq!(s.user_steps[0].params.as_ref().unwrap()["KeyId"], json!({ "$key": "shared" }));
    assert_eq!(s.call.key, "$key:shared");
    assert_eq!(s.docs[0].loc.pointer(), "/keys/shared/policy");
    assert_eq!(s.docs[0].source, source, "the edited key policy follows the key");
}

#[test]
fn a_delete_that_something_uses_is_refused_with_where() {
    let s = engineers_world();
    let s2 = reduce(s.clone(), WorldAction::DeletePrincipal(who(OTHER, true, "Partner")));
    let banner = s2.banner.unwrap().text;
    assert!(banner.contains("role `Partner` is still used") && banner.contains("grant #0"), "{banner}");
    assert_eq!(s2.base, s.base);
    let s3 = reduce(s.clone(), WorldAction::DeleteKey("main".into()));
    assert!(s3.banner.unwrap().text.contains("grant #0 is on it"));
    let s4 = reduce(s.clone(), WorldAction::DeleteAccount(OTHER.into()));
    assert!(s4.banner.unwrap().text.contains("account 444455556666 is still used"));
    // Once the grant is gone, all three go.
    let s = reduce_all(
        s,
        [
            WorldAction::DeleteGrant(0),
            WorldAction::DeletePrincipal(who(OTHER, true, "Partner")),
            WorldAction::DeleteAccount(OTHER.into()),
            WorldAction::DeleteKey("main".into()),
        ],
    );
    assert!(s.banner.is_none(), "{:?}", s.banner);
    assert_eq!(pointers(&s), ["/accounts/111122223333/roles/Admin/policies/KmsAdmin"]);
}

#[test]
fn key_fields_aliases_and_tags() {
    use WorldAction as W;
    let s = reduce_all(
        blank_state(),
        [
            W::AddKey(Some("hmac".into())),
            W::SetKey { key: "hmac".into(), field: KeyField::KeySpec, value: "HMAC_256".into() },
            W::SetKey { key: "hmac".into(), field: KeyField::KeyUsage, value: "GENERATE_VERIFY_MAC".into() },
            W::SetKey { key: "main".into(), field: KeyField::Rotation, value: "365".into() },
            W::SetKey { key: "main".into(), field: KeyField::State, value: "Disabled".into() },
            W::SetKey { key: "main".into(), field: KeyField::Description, value: "data".into() },
            W::AddAlias { key: "main".into(), alias: "data".into() },
            W::SetKeyTag { key: "main".into(), old: None, tag: "team".into(), value: "a".into() },
            W::SetKeyTag { key: "main".into(), old: Some("team".into()), tag: "owner".into(), value: "b".into() },
        ],
    );
    assert!(s.banner.is_none(), "{:?}", s.banner);
    let k = &s.base.keys["main"];
    assert_eq!(k.rotation_period_days, Some(365));
    assert_eq!(k.state.as_deref(), Some("Disabled"));
    assert_eq!(k.aliases, ["alias/data"]);
    assert_eq!(k.tags, BTreeMap::from([("owner".to_string(), "b".to_string())]));
    assert_eq!(s.base.keys["hmac"].key_spec.as_deref(), Some("HMAC_256"));
    assert!(s.run.as_ref().unwrap().result.is_ok());
    let bad = reduce(s.clone(), W::SetKey { key: "main".into(), field: KeyField::Rotation, value: "7".into() });
    assert!(bad.banner.unwrap().text.contains("from 90 to 2560"));
    // An invalid key usage is the scenario's error, with its path.
    let s = reduce(s, W::SetKey { key: "hmac".into(), field: KeyField::KeyUsage, value: "ENCRYPT_DECRYPT".into() });
    let errors = s.run.as_ref().unwrap().result.as_ref().unwrap_err();
    assert!(errors.iter().any(|e| e.contains("/keys/hmac")), "{errors:?}");
}

#[test]
fn principal_tags_and_configuration() {
    use WorldAction as W;
    let admin = who("111122223333", true, "Admin");
    let s = reduce_all(
        blank_state(),
        [
            W::SetPrincipalTag { who: admin.clone(), old: None, key: "team".into(), value: "red".into() },
            W::SetConfig { field: ConfigField::Region, value: "eu-west-1".into() },
            W::SetConfig { field: ConfigField::Seed, value: "7".into() },
            W::SetConfig { field: ConfigField::GrantPropagationSeconds, value: "300".into() },
            W::SetConfig { field: ConfigField::Title, value: "Mine".into() },
            W::SetAccountName { account: "111122223333".into(), name: "prod".into() },
        ],
    );
    assert_eq!(s.base.accounts["111122223333"].roles["Admin"].tags["team"], "red");
    assert_eq!(s.base.seed, Some(7));
    assert_eq!(s.base.config.as_ref().unwrap().region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.base.title, "Mine");
    assert!(s.view_of_run().unwrap().key_arns["main"].starts_with("arn:aws:kms:eu-west-1:111122223333:key/"));
    let bad = reduce(s, W::SetConfig { field: ConfigField::Seed, value: "-1".into() });
    assert!(bad.banner.unwrap().text.contains("the seed `-1` is not a whole number"));
}

#[test]
fn cross_account_calls_are_allowed_and_denied_in_the_engineers_world() {
    let s = engineers_world();
    assert!(s.docs.iter().all(|d| d.errors.is_empty()));
    let s = reduce(s, Action::SetCaller(format!("{OTHER}:role/Partner")));
    let s = reduce(s, Action::SetKey("$key:main".into()));
    // The partner's identity policy allows Encrypt and Decrypt; the key policy lets its account: allowed.
    let s = reduce(s, Action::RunCall);
    assert!(s.console_error.is_none(), "{:?}", s.console_error);
    let outcome = |s: &State| s.view_of_run().unwrap().steps.last().unwrap().call.as_ref().unwrap().is_success();
    assert!(outcome(&s));
    // Without the key policy's statement for the other account, and outside the grant's context: denied.
    let doc = 0;
    let default = kmsim_kms::policy::default_key_policy("aws", "111122223333");
    let s = reduce(s, Action::Edit { doc, source: default });
    let s = reduce(s, Action::RunAll);
    assert!(!outcome(&s));
}

#[test]
fn keys_and_grants_created_by_calls_are_listed_with_their_step() {
    let s = blank_state();
    let s = reduce(s, Action::SetCaller("role/Admin".into()));
    let s = reduce(s, Action::SetOperation("CreateKey".into()));
    let s = reduce(s, Action::RunCall);
    let s = reduce(s, Action::SetOperation("CreateGrant".into()));
    let s = reduce(s, Action::SetParams(
        json!({ "KeyId": { "$key": "main" }, "GranteePrincipal": "arn:aws:iam::111122223333:role/Admin", "Operations": ["Decrypt"], "Name": "g1" })
            .to_string(),
    ));
    let s = reduce(s, Action::RunCall);
    let created = s.created_by_steps();
    assert_eq!(created.len(), 2, "{created:?}");
    assert_eq!((created[0].step, created[0].kind), (0, "key"));
    assert!(created[0].id.starts_with("arn:aws:kms:us-east-1:111122223333:key/"), "{}", created[0].id);
    assert_eq!((created[1].step, created[1].kind, created[1].id.as_str()), (1, "grant", "g1"));
    assert!(created[1].detail.contains("Decrypt"));
}

#[test]
fn form_edits_show_in_the_json_and_the_json_reads_back_equal() {
    let s = engineers_world();
    let s = reduce(s, Action::SetCaller(format!("{OTHER}:role/Partner")));
    let s = reduce(s, Action::RunCall);
    let (text, problems) = s.scenario_json();
    assert!(problems.is_empty());
    assert!(text.contains("\"partner-apollo\"") && text.contains("\"EncryptionContextSubset\""), "{text}");
    // Policies that are the pretty form of their JSON are shown as objects.
    assert!(text.contains("\"UseSharedKey\": {"), "{text}");
    // It is a scenario file the CLI reads.
    let parsed = Scenario::parse(&text).unwrap();
    assert_eq!(parsed.file.steps.len(), 1);
    // Read back: the same world, documents and steps (the user's step stays the user's).
    let back = reduce(s.clone(), WorldAction::EditJson(text.clone()));
    assert_eq!(back.full_file(), s.full_file());
    assert_eq!(back.docs, s.docs);
    assert_eq!(back.user_steps, s.user_steps);
    assert_eq!(back.scenario_json().0, text);
}

#[test]
fn editing_the_json_replaces_the_world_and_the_forms_show_it() {
    let s = blank_state();
    let (text, _) = s.scenario_json();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["accounts"]["111122223333"]["users"] = json!({ "alice": { "tags": { "team": "blue" } } });
    v["keys"]["main"]["aliases"] = json!(["alias/main"]);
    v["steps"] = json!([{ "call": "Encrypt", "as": "role/Admin", "params": { "KeyId": "alias/main", "Plaintext": { "Text": "x" } }, "expect": { "outcome": "success" } }]);
    let edited = serde_json::to_string_pretty(&v).unwrap();
    let s = reduce(s, WorldAction::EditJson(edited.clone()));
    assert!(s.world.json_open);
    assert_eq!(s.base.accounts["111122223333"].users["alice"].tags["team"], "blue");
    assert_eq!(s.base.keys["main"].aliases, ["alias/main"]);
    assert_eq!(s.base.steps.len(), 1);
    assert!(s.view_of_run().unwrap().passed);
    // While current, the text is kept as typed.
    assert_eq!(s.scenario_json().0, edited);
    assert_eq!(s.json_problem_count(), 0);
    // A form edit makes the JSON show the world afresh.
    let s =
        reduce(s, WorldAction::AddPrincipal { account: "111122223333".into(), role: false, name: Some("bob".into()) });
    let (text, _) = s.scenario_json();
    assert!(text.contains("\"bob\"") && text.contains("\"alice\""));
    // Choosing a policy document leaves the JSON.
    let s = reduce(s, Action::SelectDoc(0));
    assert!(!s.world.json_open);
}

#[test]
fn invalid_json_shows_located_problems_and_changes_nothing() {
    let s = blank_state();
    let before = (s.base.clone(), s.docs.clone());
    let (text, _) = s.scenario_json();
    let broken = text.replacen("\"keys\": {", "\"keys\": { \"bad\": { \"state\": \"Sleeping\" },", 1);
    let s = reduce(s, WorldAction::EditJson(broken.clone()));
    let (shown, problems) = s.scenario_json();
    assert_eq!(shown, broken);
    assert_eq!(s.json_problem_count(), problems.len());
    let p = problems.iter().find(|p| p.message.contains("unknown key state `Sleeping`")).unwrap();
    assert_eq!(p.path, "/keys/bad/state");
    assert!(p.line > 1 && p.column > 1, "{p:?}");
    assert_eq!((s.base.clone(), s.docs.clone()), before);
    // Not JSON at all: a located syntax error.
    let s = reduce(s, WorldAction::EditJson("{ \"accounts\": ".into()));
    let (_, problems) = s.scenario_json();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 1);
    assert_eq!((s.base.clone(), s.docs.clone()), before);
    // Words a person reads: no Rust type names.
    assert!(problems.iter().all(|p| !p.message.contains("ScenarioFile") && !p.message.contains("serde")));
    // A form edit afterwards: the broken draft is out of date, the JSON shows the world again.
    let s = reduce(s, WorldAction::AddKey(Some("second".into())));
    assert_eq!(s.json_problem_count(), 0);
    let (text, problems) = s.scenario_json();
    assert!(problems.is_empty() && text.contains("\"second\""));
}

#[test]
fn bad_names_are_refused_with_what_is_wrong() {
    let s = blank_state();
    let s2 = reduce(
        s.clone(),
        WorldAction::AddPrincipal { account: "111122223333".into(), role: true, name: Some("a b".into()) },
    );
    assert!(s2.banner.unwrap().text.contains("cannot contain"));
    let s3 = reduce(
        s.clone(),
        WorldAction::AddPrincipal { account: "111122223333".into(), role: true, name: Some("Admin".into()) },
    );
    assert!(s3.banner.unwrap().text.contains("already has a role `Admin`"));
    let s4 = reduce(s.clone(), WorldAction::AddAccount(Some("abc".into())));
    assert!(s4.banner.unwrap().text.contains("`abc` is not a 12-digit account id"));
    let s5 = reduce(s, WorldAction::SetGrant { index: 3, field: GrantField::Name, value: "x".into() });
    assert!(s5.banner.unwrap().text.contains("there is no grant #3"));
}

#[test]
fn generated_names_do_not_clash() {
    use WorldAction as W;
    let s = reduce_all(
        blank_state(),
        [
            W::AddAccount(None),
            W::AddAccount(None),
            W::AddKey(None),
            W::AddKey(None),
            W::AddPrincipal { account: "111122223333".into(), role: true, name: None },
            W::AddPrincipal { account: "111122223333".into(), role: true, name: None },
        ],
    );
    assert!(s.banner.is_none(), "{:?}", s.banner);
    assert_eq!(s.base.accounts.len(), 3);
    assert!(s.base.keys.contains_key("key1") && s.base.keys.contains_key("key2"));
    assert!(s.base.accounts["111122223333"].roles.contains_key("Role2"));
}

#[test]
fn the_engineers_flow_across_accounts_with_a_grant() {
    use WorldAction as W;
    let s = reduce_all(
        blank_state(),
        [
            W::AddAccount(None),
            W::AddPrincipal { account: OTHER.into(), role: true, name: None },
            W::RenamePrincipal { who: who(OTHER, true, "Role1"), to: "Partner".into() },
            W::AddPrincipal { account: OTHER.into(), role: true, name: Some("Intern".into()) },
            W::AddIdentityPolicy { who: who(OTHER, true, "Partner"), name: None },
            W::AddGrant(None),
            W::SetGrant { index: 0, field: GrantField::Grantee, value: format!("{OTHER}:role/Partner") },
            W::SetGrant { index: 0, field: GrantField::Operations, value: "Decrypt".into() },
            W::SetGrant { index: 0, field: GrantField::ConstraintKind, value: "subset".into() },
            W::SetGrant { index: 0, field: GrantField::ConstraintContext, value: "project=apollo".into() },
            W::SetGrant { index: 0, field: GrantField::Name, value: "partner-apollo".into() },
        ],
    );
    assert!(s.banner.is_none(), "{:?}", s.banner);
    // The key policy lets the other account encrypt (not decrypt: that is the grant's).
    let mut policy: serde_json::Value = serde_json::from_str(&s.docs[0].source).unwrap();
    policy["Statement"].as_array_mut().unwrap().push(json!({
        "Sid": "PartnerEncrypts", "Effect": "Allow", "Principal": { "AWS": format!("arn:aws:iam::{OTHER}:root") },
        "Action": "kms:Encrypt", "Resource": "*"
    }));
    let s = reduce(s, Action::Edit { doc: 0, source: serde_json::to_string_pretty(&policy).unwrap() });
    let calls = [
        (
            "role/Partner",
            "Encrypt",
            json!({ "KeyId": { "$key": "main" }, "Plaintext": { "Text": "hi" }, "EncryptionContext": { "project": "apollo" } }),
            true,
        ),
        (
            "role/Partner",
            "Decrypt",
            json!({ "CiphertextBlob": { "$ref": "call1.CiphertextBlob" }, "EncryptionContext": { "project": "apollo" } }),
            true,
        ),
        (
            "role/Partner",
            "Decrypt",
            json!({ "CiphertextBlob": { "$ref": "call1.CiphertextBlob" }, "EncryptionContext": { "project": "zeus" } }),
            false,
        ),
        ("role/Intern", "Encrypt", json!({ "KeyId": { "$key": "main" }, "Plaintext": { "Text": "hi" } }), false),
    ];
    let mut s = s;
    for (caller, op, params, allowed) in calls {
        s = reduce(s, Action::SetOperation(op.into()));
        s = reduce(s, Action::SetCaller(format!("{OTHER}:{caller}")));
        s = reduce(s, Action::SetParams(params.to_string()));
        s = reduce(s, Action::RunCall);
        assert!(s.console_error.is_none(), "{:?}", s.console_error);
        let c = s.view_of_run().unwrap().steps.last().unwrap().call.clone().unwrap();
        assert_eq!(c.is_success(), allowed, "{op} as {caller}: {:?}", c.response);
        if !allowed {
            assert_eq!(c.error_code(), Some(kmsim_kms::ErrorCode::AccessDeniedException));
        }
    }
}

fn alice() -> SessionRef {
    SessionRef { account: "111122223333".into(), role: "Admin".into(), name: "alice".into() }
}

/// The blank workspace with the key policy allowing Decrypt only to sessions tagged `tenant=t1` (no IAM delegation
/// for Decrypt), and the admin role's sessions `alice` (tenant t1) and `bob` (tenant t2).
fn tenant_world() -> State {
    use WorldAction as W;
    let admin = who("111122223333", true, "Admin");
    let bob = SessionRef { name: "bob".into(), ..alice() };
    let s = reduce_all(
        blank_state(),
        [
            W::AddSession { role: admin.clone(), name: Some("alice".into()) },
            W::SetSessionTag { session: alice(), old: None, key: "tenant".into(), value: "t1".into() },
            W::AddSession { role: admin, name: Some("bob".into()) },
            W::SetSessionTag { session: bob, old: None, key: "tenant".into(), value: "t2".into() },
        ],
    );
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Sid": "Admin", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
              "Action": "kms:*", "Resource": "*" },
            { "Sid": "TenantOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
              "Condition": { "StringNotEquals": { "aws:PrincipalTag/tenant": "t1" } } }
        ]
    });
    let source = serde_json::to_string_pretty(&policy).unwrap();
    reduce(s, Action::Edit { doc: 0, source })
}

#[test]
fn sessions_are_added_with_tags_mfa_and_source_identity_and_the_console_lists_them() {
    use WorldAction as W;
    let s = tenant_world();
    assert!(s.banner.is_none(), "{:?}", s.banner);
    let sessions = &s.base.accounts["111122223333"].roles["Admin"].sessions;
    assert_eq!(sessions.keys().collect::<Vec<_>>(), ["alice", "bob"]);
    assert_eq!(sessions["alice"].tags.get("tenant").map(String::as_str), Some("t1"));
    assert_eq!(s.callers(), ["role/Admin", "role/Admin/alice", "role/Admin/bob", "root"]);
    // The console's caller picker: each session once, with the sessions steps call as.
    let s = [
        Action::SetCaller("role/Admin/alice".into()),
        Action::RunCall,
        Action::SetCaller("role/Admin/temp".into()),
        Action::RunCall,
    ]
    .into_iter()
    .fold(s, reduce);
    let picker = crate::state::steps::principal_choices(&s);
    assert_eq!(picker[..5], ["role/Admin", "role/Admin/alice", "role/Admin/bob", "role/Admin/temp", "root"]);
    let s = reduce_all(
        s,
        [
            W::SetSession { session: alice(), field: SessionField::Mfa, value: "true".into() },
            W::SetSession { session: alice(), field: SessionField::MfaAge, value: "300".into() },
            W::SetSession { session: alice(), field: SessionField::SourceIdentity, value: "alice@example.com".into() },
        ],
    );
    let a = &s.base.accounts["111122223333"].roles["Admin"].sessions["alice"];
    assert_eq!(
        (a.mfa, a.mfa_age_seconds, a.source_identity.as_deref()),
        (Some(true), Some(300), Some("alice@example.com"))
    );
    // MFA off clears its age; an age without MFA and bad names are refused with what is wrong.
    let off = reduce(s.clone(), W::SetSession { session: alice(), field: SessionField::Mfa, value: "false".into() });
    let a = &off.base.accounts["111122223333"].roles["Admin"].sessions["alice"];
    assert_eq!((a.mfa, a.mfa_age_seconds), (None, None));
    let bad = reduce(off, W::SetSession { session: alice(), field: SessionField::MfaAge, value: "5".into() });
    assert_eq!(bad.banner.unwrap().text, "the MFA age needs MFA: tick MFA first");
    let bad = reduce(s.clone(), W::AddSession { role: who("111122223333", true, "Admin"), name: Some("a".into()) });
    assert_eq!(bad.banner.unwrap().text, "the session name `a` is not 2 to 64 characters: letters, digits and _+=,.@-");
    let bad = reduce(s.clone(), W::AddSession { role: who("111122223333", false, "nobody"), name: None });
    assert!(bad.banner.unwrap().text.contains("only a role is assumed"));
    let bad = reduce(s, W::SetSession { session: alice(), field: SessionField::SourceIdentity, value: "a b".into() });
    assert!(bad.banner.unwrap().text.starts_with("the source identity `a b` is not"));
}

#[test]
fn a_console_call_as_a_session_sees_its_tags() {
    let s = tenant_world();
    let s = reduce(s, Action::SetKey("$key:main".into()));
    let outcome = |s: &State| s.view_of_run().unwrap().steps.last().unwrap().call.as_ref().unwrap().is_success();
    let s = reduce(s, Action::SetCaller("role/Admin/alice".into()));
    let s = reduce(s, Action::RunCall);
    assert!(s.console_error.is_none(), "{:?}", s.console_error);
    assert!(outcome(&s), "alice is tagged tenant=t1");
    let s = reduce(s, Action::SetCaller("role/Admin/bob".into()));
    let s = reduce(s, Action::RunCall);
    assert!(!outcome(&s), "bob is tagged tenant=t2");
}

#[test]
fn a_session_policy_is_a_document_with_live_diagnostics() {
    use WorldAction as W;
    let s = reduce(tenant_world(), W::AddSessionPolicy(alice()));
    let pointer = "/accounts/111122223333/roles/Admin/sessions/alice/policy";
    let doc = s.current().unwrap();
    assert_eq!(doc.loc.pointer(), pointer);
    assert_eq!(doc.loc.label(), "role Admin · session alice policy");
    assert_eq!(doc.loc.policy_type(), kmsim_policy::PolicyType::Session);
    assert!(doc.errors.is_empty());
    let bad = reduce(s.clone(), Action::Edit { doc: s.selected, source: "{ \"Statement\": [".into() });
    assert!(!bad.current().unwrap().errors.is_empty());
    // The session policy limits the session: allowing only Decrypt, alice's Encrypt is denied.
    let only_decrypt =
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    let s = reduce(s.clone(), Action::Edit { doc: s.selected, source: only_decrypt.into() });
    let s = [Action::SetKey("$key:main".into()), Action::SetCaller("role/Admin/alice".into()), Action::RunCall]
        .into_iter()
        .fold(s, reduce);
    let last = s.view_of_run().unwrap().steps.last().unwrap().call.clone().unwrap();
    assert!(!last.is_success());
    let s = reduce(s, W::RemoveSessionPolicy(alice()));
    assert!(!pointers(&s).contains(&pointer.to_string()));
}

#[test]
fn renaming_a_session_follows_steps_the_console_and_policies_and_a_delete_in_use_is_refused() {
    use WorldAction as W;
    let s = tenant_world();
    let s = [Action::SetKey("$key:main".into()), Action::SetCaller("role/Admin/alice".into()), Action::RunCall]
        .into_iter()
        .fold(s, reduce);
    // A key policy naming the session's ARN.
    let doc = 0;
    let source = s.docs[doc].source.replace(
        "\"Principal\": \"*\"",
        "\"Principal\": { \"AWS\": [\"arn:aws:sts::111122223333:assumed-role/Admin/alice\", \"arn:aws:sts::111122223333:assumed-role/Admin/alicex\"] }",
    );
    let s = reduce(s, Action::Edit { doc, source });
    let s = reduce(s, W::RenameSession { session: alice(), to: "carol".into() });
    assert!(s.banner.is_none(), "{:?}", s.banner);
    let sessions = &s.base.accounts["111122223333"].roles["Admin"].sessions;
    assert!(sessions.contains_key("carol") && !sessions.contains_key("alice"));
    assert_eq!(sessions["carol"].tags.get("tenant").map(String::as_str), Some("t1"));
    assert_eq!(s.user_steps[0].caller.as_deref(), Some("role/Admin/carol"));
    assert_eq!(s.call.caller, "role/Admin/carol");
    assert!(s.docs[0].source.contains("assumed-role/Admin/carol\""), "{}", s.docs[0].source);
    assert!(s.docs[0].source.contains("assumed-role/Admin/alicex\""), "a longer name is another session");
    // In use by a step and the console: refused with where.
    let carol = SessionRef { name: "carol".into(), ..alice() };
    let refused = reduce(s.clone(), W::DeleteSession(carol.clone()));
    assert_eq!(
        refused.banner.unwrap().text,
        "session `carol` of role `Admin` is still used: step 0 calls as it; the console calls as it"
    );
    // bob is unused: deleted.
    let s = reduce(s, W::DeleteSession(SessionRef { name: "bob".into(), ..alice() }));
    assert!(s.banner.is_none(), "{:?}", s.banner);
    assert!(!s.base.accounts["111122223333"].roles["Admin"].sessions.contains_key("bob"));
}

#[test]
fn sessions_round_trip_through_the_json_document() {
    let s = reduce(tenant_world(), WorldAction::AddSessionPolicy(alice()));
    let (text, problems) = s.scenario_json();
    assert!(problems.is_empty());
    let parsed = Scenario::parse(&text).unwrap().file;
    assert_eq!(parsed.accounts["111122223333"].roles["Admin"].sessions.len(), 2);
    assert!(parsed.accounts["111122223333"].roles["Admin"].sessions["alice"].policy.as_ref().unwrap().is_object());
    let again = reduce(s.clone(), WorldAction::EditJson(text));
    assert_eq!(pointers(&again), pointers(&s));
    // A bad session member in the JSON is located.
    let (text, _) = s.scenario_json();
    let broken = text.replacen("\"tenant\": \"t1\"", "\"tenant\": 5", 1);
    let s = reduce(s, WorldAction::EditJson(broken));
    let (_, problems) = s.scenario_json();
    let p = problems.iter().find(|p| p.path == "/accounts/111122223333/roles/Admin/sessions/alice/tags/tenant");
    assert_eq!(p.map(|p| p.message.as_str()), Some("invalid type: integer `5`, expected a string"), "{problems:?}");
    assert!(p.is_some_and(|p| p.line > 1 && p.column > 1));
}

#[test]
fn a_json_draft_that_does_not_read_is_kept_in_the_snapshot_until_it_reads_or_is_discarded() {
    let s = reduce(blank_state(), WorldAction::OpenJson);
    let (text, _) = s.scenario_json();
    let broken = text.replacen("\"keys\": {", "\"keys\": { ,", 1);
    let s = reduce(s, WorldAction::EditJson(broken.clone()));
    assert_eq!(s.json_problem_count(), 1);
    // Saved and loaded again (a reload): the draft, its problem and the open JSON document are back.
    let snapshot = s.snapshot();
    assert_eq!(snapshot.texts.get(JSON_POINTER), Some(&broken));
    assert_eq!(snapshot.doc.as_deref(), Some(JSON_POINTER));
    let back: crate::model::Snapshot = serde_json::from_str(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    let reloaded = State::from_snapshot(back);
    assert!(reloaded.world.json_open);
    let (shown, problems) = reloaded.scenario_json();
    assert_eq!(shown, broken);
    assert_eq!(problems, s.scenario_json().1);
    assert_eq!(reloaded.full_file(), s.full_file(), "the world is the last one that read");
    // Discarded: the document shows the scenario again and the snapshot keeps nothing.
    let discarded = reduce(reloaded.clone(), WorldAction::DiscardJson);
    assert_eq!(discarded.scenario_json(), (text.clone(), &[][..]));
    assert!(!discarded.snapshot().texts.contains_key(JSON_POINTER));
    // Fixed: it reads, is applied, and is no longer kept as a draft.
    let fixed = reduce(reloaded, WorldAction::EditJson(text.replace("Blank workspace", "Fixed")));
    assert_eq!(fixed.json_problem_count(), 0);
    assert_eq!(fixed.base.title, "Fixed");
    assert!(!fixed.snapshot().texts.contains_key(JSON_POINTER));
    // A document chosen instead: the snapshot names that document, and the draft is still kept.
    let chose = reduce(s, Action::SelectDoc(0));
    assert_eq!(chose.snapshot().doc.as_deref(), Some("/keys/main/policy"));
    assert_eq!(chose.snapshot().texts.get(JSON_POINTER), Some(&broken));
}
