//! The world editor's edits of a scenario ([`Edit`]: every [`WorldAction`] on the scenario with the user's steps
//! and the console's caller and key), and the name, reference and rewrite helpers they use.

use super::*;

/// The first name `base1`, `base2`, ... not taken.
fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    (1..).map(|n| format!("{base}{n}")).find(|n| !taken(n)).unwrap_or_else(|| base.to_string())
}

/// A name a person typed: trimmed, not empty, without characters the scenario's names cannot hold.
fn clean_name(what: &str, name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("a {what} needs a name"));
    }
    if let Some(c) = name.chars().find(|c| c.is_whitespace() || matches!(c, '/' | ':' | '"' | '*' | '?')) {
        return Err(format!("the {what} name `{name}` cannot contain `{c}`"));
    }
    Ok(name.to_string())
}

/// What AWS STS accepts as a role session name or a source identity.
const STS_NAME: &str = "2 to 64 characters: letters, digits and _+=,.@-";

fn is_sts_name(s: &str) -> bool {
    (2..=64).contains(&s.chars().count()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// A session name a person typed, as `AssumeRole`'s `RoleSessionName` takes it.
fn session_name(name: &str) -> Result<String, String> {
    let name = clean_name("session", name)?;
    if !is_sts_name(&name) {
        return Err(format!("the session name `{name}` is not {STS_NAME}"));
    }
    Ok(name)
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A principal named by a step's `as`, a grant's grantee or an ARN: its account, kind and name, and how it was
/// written (so that a rewrite keeps the style).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PrincipalRef {
    account: String,
    /// `role`, `user` or `root`.
    kind: String,
    name: String,
    /// What follows the name (a role session: `/session`).
    rest: String,
    style: Style,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `role/App` (the first account's).
    Short,
    /// `444455556666:role/App`.
    WithAccount,
    /// `arn:aws:iam::ACCOUNT:role/App`.
    IamArn,
    /// `arn:aws:sts::ACCOUNT:assumed-role/App/session`.
    StsArn,
}

fn parse_ref(s: &str, first: &str) -> Option<PrincipalRef> {
    let (account, rest, style) = if let Some(r) = s.strip_prefix("arn:aws:iam::") {
        let (a, rest) = r.split_once(':')?;
        (a.to_string(), rest.to_string(), Style::IamArn)
    } else if let Some(r) = s.strip_prefix("arn:aws:sts::") {
        let (a, rest) = r.split_once(':')?;
        (a.to_string(), rest.strip_prefix("assumed-")?.to_string(), Style::StsArn)
    } else if s.starts_with("arn:") || s.contains(".amazonaws.com") {
        return None;
    } else {
        match s.split_once(':') {
            Some((a, rest)) if is_account_id(a) => (a.to_string(), rest.to_string(), Style::WithAccount),
            Some(_) => return None,
            None => (first.to_string(), s.to_string(), Style::Short),
        }
    };
    if rest == "root" {
        return Some(PrincipalRef { account, kind: "root".into(), name: String::new(), rest: String::new(), style });
    }
    let (kind, tail) = rest.split_once('/')?;
    if kind != "role" && kind != "user" {
        return None;
    }
    let (name, more) = match tail.split_once('/') {
        Some((n, m)) => (n.to_string(), format!("/{m}")),
        None => (tail.to_string(), String::new()),
    };
    Some(PrincipalRef { account, kind: kind.to_string(), name, rest: more, style })
}

fn write_ref(r: &PrincipalRef, first: &str) -> String {
    let body = if r.kind == "root" { "root".to_string() } else { format!("{}/{}{}", r.kind, r.name, r.rest) };
    match r.style {
        Style::IamArn => format!("arn:aws:iam::{}:{body}", r.account),
        Style::StsArn => format!("arn:aws:sts::{}:assumed-{body}", r.account),
        Style::Short | Style::WithAccount if r.account == first => body,
        Style::Short | Style::WithAccount => format!("{}:{body}", r.account),
    }
}

/// The scenario being edited, with the user's steps and the console's caller and key.
pub(super) struct Edit<'a> {
    pub(super) file: &'a mut ScenarioFile,
    pub(super) user_steps: &'a mut Vec<StepSpec>,
    pub(super) caller: &'a mut String,
    pub(super) key: &'a mut String,
}

impl Edit<'_> {
    fn first_account(&self) -> String {
        self.file.accounts.keys().next().cloned().unwrap_or_default()
    }

    fn steps_mut(&mut self) -> impl Iterator<Item = &mut StepSpec> {
        self.file.steps.iter_mut().chain(self.user_steps.iter_mut())
    }

    fn steps(&self) -> impl Iterator<Item = (usize, &StepSpec)> {
        self.file.steps.iter().chain(self.user_steps.iter()).enumerate()
    }

    fn principal(&mut self, who: &Who) -> Result<&mut PrincipalSpec, String> {
        let kind = if who.role { "role" } else { "user" };
        let a =
            self.file.accounts.get_mut(&who.account).ok_or_else(|| format!("there is no account {}", who.account))?;
        let map = if who.role { &mut a.roles } else { &mut a.users };
        map.get_mut(&who.name).ok_or_else(|| format!("account {} has no {kind} `{}`", who.account, who.name))
    }

    fn session(&mut self, session: &SessionRef) -> Result<&mut SessionSpec, String> {
        let p = self.principal(&session.role())?;
        p.sessions
            .get_mut(&session.name)
            .ok_or_else(|| format!("role `{}` has no session `{}`", session.role, session.name))
    }

    /// The steps and grants that name a session, for messages.
    fn uses_of_session(&self, session: &SessionRef) -> Vec<String> {
        let first = self.first_account();
        let rest = format!("/{}", session.name);
        let is = |s: &str| {
            parse_ref(s, &first).is_some_and(|r| {
                r.account == session.account && r.kind == "role" && r.name == session.role && r.rest == rest
            })
        };
        let mut uses = Vec::new();
        for (i, s) in self.steps() {
            if s.caller.as_deref().is_some_and(is) || s.authorize.as_ref().is_some_and(|a| is(&a.caller)) {
                uses.push(format!("step {i} calls as it"));
            }
        }
        for (i, g) in self.file.grants.iter().enumerate() {
            if is(&g.grantee) || g.retiring_principal.as_deref().is_some_and(is) {
                uses.push(format!("grant #{i} names it"));
            }
        }
        if is(self.caller) {
            uses.push("the console calls as it".to_string());
        }
        uses
    }

    fn rename_session(&mut self, session: &SessionRef, to: &str) -> Result<(), String> {
        let to = session_name(to)?;
        if to == session.name {
            return Ok(());
        }
        let p = self.principal(&session.role())?;
        if p.sessions.contains_key(&to) {
            return Err(format!("role `{}` already has a session `{to}`", session.role));
        }
        let spec = p
            .sessions
            .remove(&session.name)
            .ok_or_else(|| format!("role `{}` has no session `{}`", session.role, session.name))?;
        p.sessions.insert(to.clone(), spec);
        let first = self.first_account();
        let (old_rest, new_rest) = (format!("/{}", session.name), format!("/{to}"));
        self.rewrite_principals(|s| {
            if let Some(mut r) = parse_ref(s, &first) {
                if r.account == session.account && r.kind == "role" && r.name == session.role && r.rest == old_rest {
                    r.rest.clone_from(&new_rest);
                    *s = write_ref(&r, &first);
                }
            }
        });
        let prefix = format!("sts::{}:assumed-role/{}/", session.account, session.role);
        let (old, new) = (format!("{prefix}{}", session.name), format!("{prefix}{to}"));
        self.rewrite_texts(|t| replace_name(t, &old, &new));
        Ok(())
    }

    fn delete_session(&mut self, session: &SessionRef) -> Result<(), String> {
        let uses = self.uses_of_session(session);
        if !uses.is_empty() {
            return Err(format!(
                "session `{}` of role `{}` is still used: {}",
                session.name,
                session.role,
                uses.join("; ")
            ));
        }
        let p = self.principal(&session.role())?;
        p.sessions
            .remove(&session.name)
            .map(|_| ())
            .ok_or_else(|| format!("role `{}` has no session `{}`", session.role, session.name))
    }

    fn key_mut(&mut self, key: &str) -> Result<&mut KeySpecFile, String> {
        self.file.keys.get_mut(key).ok_or_else(|| format!("there is no key `{key}`"))
    }

    fn grant_mut(&mut self, index: usize) -> Result<&mut GrantSpec, String> {
        self.file.grants.get_mut(index).ok_or_else(|| format!("there is no grant #{index}"))
    }

    pub(super) fn apply(&mut self, action: WorldAction) -> Result<Option<String>, String> {
        use WorldAction as W;
        match action {
            W::AddAccount(id) => {
                let id = match id {
                    Some(id) => id.trim().to_string(),
                    None => ["444455556666", "777788889999", "123456789012", "210987654321"]
                        .iter()
                        .map(|s| s.to_string())
                        .chain((100_000_000_000u64..).map(|n| n.to_string()))
                        .find(|id| !self.file.accounts.contains_key(id))
                        .unwrap_or_default(),
                };
                if !is_account_id(&id) {
                    return Err(format!("`{id}` is not a 12-digit account id"));
                }
                if self.file.accounts.contains_key(&id) {
                    return Err(format!("there is already an account {id}"));
                }
                self.keep_defaults();
                self.file.accounts.insert(id, AccountSpec::default());
                self.short_again();
            }
            W::RenameAccount { from, to } => self.rename_account(&from, to.trim())?,
            W::SetAccountName { account, name } => {
                self.file.accounts.get_mut(&account).ok_or_else(|| format!("there is no account {account}"))?.name =
                    name.trim().to_string();
            }
            W::DeleteAccount(id) => self.delete_account(&id)?,
            W::AddPrincipal { account, role, name } => {
                let kind = if role { "role" } else { "user" };
                let a = self.file.accounts.get_mut(&account).ok_or_else(|| format!("there is no account {account}"))?;
                let map = if role { &mut a.roles } else { &mut a.users };
                let name = match name {
                    Some(n) => clean_name(kind, &n)?,
                    None => free_name(if role { "Role" } else { "user" }, |n| map.contains_key(n)),
                };
                if map.contains_key(&name) {
                    return Err(format!("account {account} already has a {kind} `{name}`"));
                }
                map.insert(name, PrincipalSpec::default());
            }
            W::RenamePrincipal { who, to } => self.rename_principal(&who, &to)?,
            W::DeletePrincipal(who) => self.delete_principal(&who)?,
            W::SetPrincipalTag { who, old, key, value } => {
                let p = self.principal(&who)?;
                set_tag(&mut p.tags, old, &key, value)?;
            }
            W::RemovePrincipalTag { who, key } => {
                self.principal(&who)?.tags.remove(&key);
            }
            W::AddIdentityPolicy { who, name } => {
                let p = self.principal(&who)?;
                let name = match name {
                    Some(n) => clean_name("policy", &n)?,
                    None => free_name("Policy", |n| p.policies.contains_key(n)),
                };
                if p.policies.contains_key(&name) {
                    return Err(format!("`{}` already has a policy `{name}`", who.name));
                }
                p.policies.insert(name.clone(), J::String(starter_policy("identity")));
                let loc =
                    model::DocLoc::Identity { account: who.account, role: who.role, principal: who.name, policy: name };
                return Ok(Some(loc.pointer()));
            }
            W::RenameIdentityPolicy { who, from, to } => {
                let to = clean_name("policy", &to)?;
                let p = self.principal(&who)?;
                if from == to {
                    return Ok(None);
                }
                if p.policies.contains_key(&to) {
                    return Err(format!("`{}` already has a policy `{to}`", who.name));
                }
                let doc = p.policies.remove(&from).ok_or_else(|| format!("`{}` has no policy `{from}`", who.name))?;
                p.policies.insert(to, doc);
            }
            W::RemoveIdentityPolicy { who, name } => {
                self.principal(&who)?.policies.remove(&name);
            }
            W::AddBoundary(who) => {
                let p = self.principal(&who)?;
                if p.permissions_boundary.is_none() {
                    p.permissions_boundary = Some(J::String(starter_policy("boundary")));
                }
                let loc = model::DocLoc::Boundary { account: who.account, role: who.role, principal: who.name };
                return Ok(Some(loc.pointer()));
            }
            W::RemoveBoundary(who) => self.principal(&who)?.permissions_boundary = None,
            W::AddSession { role, name } => {
                if !role.role {
                    return Err(format!("user `{}` cannot have sessions: only a role is assumed", role.name));
                }
                let p = self.principal(&role)?;
                let name = match name {
                    Some(n) => session_name(&n)?,
                    None => free_name("session", |n| p.sessions.contains_key(n)),
                };
                if p.sessions.contains_key(&name) {
                    return Err(format!("role `{}` already has a session `{name}`", role.name));
                }
                p.sessions.insert(name, SessionSpec::default());
            }
            W::RenameSession { session, to } => self.rename_session(&session, &to)?,
            W::DeleteSession(session) => self.delete_session(&session)?,
            W::SetSessionTag { session, old, key, value } => {
                set_tag(&mut self.session(&session)?.tags, old, &key, value)?;
            }
            W::RemoveSessionTag { session, key } => {
                self.session(&session)?.tags.remove(&key);
            }
            W::SetSession { session, field, value } => {
                let s = self.session(&session)?;
                let value = value.trim();
                match field {
                    SessionField::Mfa => {
                        s.mfa = (value == "true").then_some(true);
                        if s.mfa.is_none() {
                            s.mfa_age_seconds = None;
                        }
                    }
                    SessionField::MfaAge => {
                        s.mfa_age_seconds = match value {
                            "" => None,
                            _ if s.mfa != Some(true) => {
                                return Err("the MFA age needs MFA: tick MFA first".to_string());
                            }
                            v => Some(
                                v.parse()
                                    .map_err(|_| format!("the MFA age `{v}` is not a number of seconds (0 or more)"))?,
                            ),
                        };
                    }
                    SessionField::SourceIdentity => {
                        s.source_identity = match value {
                            "" => None,
                            v if is_sts_name(v) => Some(v.to_string()),
                            v => return Err(format!("the source identity `{v}` is not {STS_NAME}")),
                        };
                    }
                }
            }
            W::AddSessionPolicy(session) => {
                let s = self.session(&session)?;
                if s.policy.is_none() {
                    s.policy = Some(J::String(starter_policy("session")));
                }
                let loc = model::DocLoc::SessionPolicy {
                    account: session.account,
                    role: session.role,
                    session: session.name,
                };
                return Ok(Some(loc.pointer()));
            }
            W::RemoveSessionPolicy(session) => self.session(&session)?.policy = None,
            W::AddScp { account, name } => {
                let a = self.file.accounts.get_mut(&account).ok_or_else(|| format!("there is no account {account}"))?;
                let name = match name {
                    Some(n) => clean_name("SCP", &n)?,
                    None => free_name("Scp", |n| a.scps.contains_key(n)),
                };
                if a.scps.contains_key(&name) {
                    return Err(format!("account {account} already has an SCP `{name}`"));
                }
                a.scps.insert(name.clone(), J::String(starter_policy("scp")));
                return Ok(Some(model::DocLoc::Scp { account, name }.pointer()));
            }
            W::RemoveScp { account, name } => {
                if let Some(a) = self.file.accounts.get_mut(&account) {
                    a.scps.remove(&name);
                }
            }
            W::AddKey(name) => {
                if self.file.accounts.is_empty() {
                    return Err("a key needs an account: add one first".to_string());
                }
                let name = match name {
                    Some(n) => clean_name("key", &n)?,
                    None => free_name("key", |n| self.file.keys.contains_key(n)),
                };
                if self.file.keys.contains_key(&name) {
                    return Err(format!("there is already a key `{name}`"));
                }
                // No policy: the documents pane shows AWS's default key policy, as CreateKey gives it.
                self.file.keys.insert(name.clone(), KeySpecFile::default());
                return Ok(Some(model::DocLoc::KeyPolicy { key: name }.pointer()));
            }
            W::RenameKey { from, to } => self.rename_key(&from, &to)?,
            W::DeleteKey(key) => self.delete_key(&key)?,
            W::SetKey { key, field, value } => self.set_key(&key, field, value.trim())?,
            W::AddAlias { key, alias } => {
                let alias = alias.trim();
                let alias = if alias.starts_with("alias/") { alias.to_string() } else { format!("alias/{alias}") };
                let k = self.key_mut(&key)?;
                if !k.aliases.contains(&alias) {
                    k.aliases.push(alias);
                }
            }
            W::RemoveAlias { key, alias } => self.key_mut(&key)?.aliases.retain(|a| *a != alias),
            W::SetKeyTag { key, old, tag, value } => set_tag(&mut self.key_mut(&key)?.tags, old, &tag, value)?,
            W::RemoveKeyTag { key, tag } => {
                self.key_mut(&key)?.tags.remove(&tag);
            }
            W::AddGrant(key) => {
                let key = key
                    .or_else(|| self.file.keys.keys().next().cloned())
                    .ok_or("a grant needs a key: add one first")?;
                if !self.file.keys.contains_key(&key) {
                    return Err(format!("there is no key `{key}`"));
                }
                let grantee = run::callers(self.file).into_iter().next().unwrap_or_else(|| "root".to_string());
                self.file.grants.push(GrantSpec {
                    key,
                    grantee,
                    operations: vec!["Decrypt".to_string()],
                    ..GrantSpec::default()
                });
            }
            W::SetGrant { index, field, value } => self.set_grant(index, field, &value)?,
            W::DeleteGrant(index) => {
                if index >= self.file.grants.len() {
                    return Err(format!("there is no grant #{index}"));
                }
                self.file.grants.remove(index);
            }
            W::SetConfig { field, value } => self.set_config(field, value.trim())?,
            W::NewBlank { .. } | W::OpenJson | W::DiscardJson | W::EditJson(_) => {}
        }
        Ok(None)
    }

    /// Before the first account changes: keys without an account keep theirs, and short callers keep naming the
    /// same principals (written with their account when it is no longer the first).
    fn keep_defaults(&mut self) {
        let first = self.first_account();
        if first.is_empty() {
            return;
        }
        for k in self.file.keys.values_mut() {
            k.account.get_or_insert_with(|| first.clone());
        }
        let explicit = |s: &mut String| {
            if let Some(mut r) = parse_ref(s, &first) {
                if r.style == Style::Short {
                    r.style = Style::WithAccount;
                    *s = write_ref(&r, "");
                }
            }
        };
        self.rewrite_principals(explicit);
    }

    /// Applies `f` to every principal reference the scenario holds outside policy texts: steps' callers, grants'
    /// grantees and retiring principals, the console's caller, and strings in steps' parameters.
    fn rewrite_principals(&mut self, f: impl Fn(&mut String)) {
        for s in self.steps_mut() {
            s.caller.iter_mut().for_each(&f);
            if let Some(a) = s.authorize.as_mut() {
                f(&mut a.caller);
            }
            if let Some(p) = s.params.as_mut() {
                walk_strings(p, &f);
            }
        }
        for g in &mut self.file.grants {
            f(&mut g.grantee);
            g.retiring_principal.iter_mut().for_each(&f);
        }
        f(self.caller);
    }

    /// Applies `f` to every policy text (key policies, identity policies, boundaries, SCPs) and steps' inline
    /// session policies.
    fn rewrite_texts(&mut self, f: impl Fn(&str) -> String) {
        let g = |v: &mut J| match v {
            J::String(s) => *s = f(s),
            other => walk_strings(other, &|s: &mut String| *s = f(s)),
        };
        for k in self.file.keys.values_mut() {
            k.policy.iter_mut().for_each(&g);
        }
        for a in self.file.accounts.values_mut() {
            for p in a.roles.values_mut().chain(a.users.values_mut()) {
                p.policies.values_mut().for_each(&g);
                p.permissions_boundary.iter_mut().for_each(&g);
                p.sessions.values_mut().filter_map(|s| s.policy.as_mut()).for_each(&g);
            }
            a.scps.values_mut().for_each(&g);
        }
    }

    /// The short compact form of the caller strings that name `who` (steps and grants), for messages.
    fn uses_of_principal(&self, who: &Who) -> Vec<String> {
        let first = self.first_account();
        let kind = if who.role { "role" } else { "user" };
        let is = |s: &str| {
            parse_ref(s, &first).is_some_and(|r| r.account == who.account && r.kind == kind && r.name == who.name)
        };
        let mut uses = Vec::new();
        for (i, s) in self.steps() {
            if s.caller.as_deref().is_some_and(is) || s.authorize.as_ref().is_some_and(|a| is(&a.caller)) {
                uses.push(format!("step {i} calls as it"));
            } else if s.params.as_ref().is_some_and(|p| any_string(p, &is)) {
                uses.push(format!("step {i} names it"));
            }
        }
        for (i, g) in self.file.grants.iter().enumerate() {
            if is(&g.grantee) || g.retiring_principal.as_deref().is_some_and(is) {
                uses.push(format!("grant #{i} names it"));
            }
        }
        uses
    }

    fn rename_account(&mut self, from: &str, to: &str) -> Result<(), String> {
        if from == to {
            return Ok(());
        }
        if !is_account_id(to) {
            return Err(format!("`{to}` is not a 12-digit account id"));
        }
        if self.file.accounts.contains_key(to) {
            return Err(format!("there is already an account {to}"));
        }
        if !self.file.accounts.contains_key(from) {
            return Err(format!("there is no account {from}"));
        }
        self.keep_defaults();
        let before = self.first_account();
        let map = |s: &mut String| {
            if let Some(mut r) = parse_ref(s, &before) {
                if r.account == from {
                    r.account = to.to_string();
                    *s = write_ref(&r, "");
                }
            }
        };
        self.rewrite_principals(map);
        for k in self.file.keys.values_mut() {
            if k.account.as_deref() == Some(from) {
                k.account = Some(to.to_string());
            }
        }
        // The id in ARNs and condition values of the policies (`arn:aws:iam::ID:root`, `"aws:PrincipalAccount": "ID"`).
        self.rewrite_texts(|t| replace_account(t, from, to));
        if let Some(a) = self.file.accounts.remove(from) {
            self.file.accounts.insert(to.to_string(), a);
        }
        self.short_again();
        Ok(())
    }

    /// Callers written with the first account's id go back to the short form.
    fn short_again(&mut self) {
        let first = self.first_account();
        self.rewrite_principals(|s| {
            if let Some(r) = parse_ref(s, &first) {
                if r.style == Style::WithAccount && r.account == first {
                    *s = write_ref(&r, &first);
                }
            }
        });
    }

    fn delete_account(&mut self, id: &str) -> Result<(), String> {
        let Some(a) = self.file.accounts.get(id) else { return Err(format!("there is no account {id}")) };
        let first = self.first_account();
        let keys: Vec<&String> = self
            .file
            .keys
            .iter()
            .filter(|(_, k)| k.account.as_deref().unwrap_or(&first) == id)
            .map(|(n, _)| n)
            .collect();
        let mut uses: Vec<String> = keys.iter().map(|k| format!("key `{k}` belongs to it")).collect();
        let principals: Vec<Who> = a
            .roles
            .keys()
            .map(|n| Who { account: id.to_string(), role: true, name: n.clone() })
            .chain(a.users.keys().map(|n| Who { account: id.to_string(), role: false, name: n.clone() }))
            .collect();
        for who in &principals {
            uses.extend(self.uses_of_principal(who));
        }
        let root_used = self.steps().any(|(_, s)| {
            s.caller.as_deref().and_then(|c| parse_ref(c, &first)).is_some_and(|r| r.account == id && r.kind == "root")
        });
        if root_used {
            uses.push("a step calls as its root".to_string());
        }
        if !uses.is_empty() {
            uses.dedup();
            return Err(format!("account {id} is still used: {}", uses.join("; ")));
        }
        self.keep_defaults();
        self.file.accounts.remove(id);
        self.short_again();
        Ok(())
    }

    fn rename_principal(&mut self, who: &Who, to: &str) -> Result<(), String> {
        let kind = if who.role { "role" } else { "user" };
        let to = clean_name(kind, to)?;
        if to == who.name {
            return Ok(());
        }
        let a =
            self.file.accounts.get_mut(&who.account).ok_or_else(|| format!("there is no account {}", who.account))?;
        let map = if who.role { &mut a.roles } else { &mut a.users };
        if map.contains_key(&to) {
            return Err(format!("account {} already has a {kind} `{to}`", who.account));
        }
        let spec =
            map.remove(&who.name).ok_or_else(|| format!("account {} has no {kind} `{}`", who.account, who.name))?;
        map.insert(to.clone(), spec);
        let first = self.first_account();
        self.rewrite_principals(|s| {
            if let Some(mut r) = parse_ref(s, &first) {
                if r.account == who.account && r.kind == kind && r.name == who.name {
                    r.name.clone_from(&to);
                    *s = write_ref(&r, &first);
                }
            }
        });
        let account = &who.account;
        let (old_iam, new_iam) = (format!("iam::{account}:{kind}/{}", who.name), format!("iam::{account}:{kind}/{to}"));
        let (old_sts, new_sts) =
            (format!("sts::{account}:assumed-role/{}/", who.name), format!("sts::{account}:assumed-role/{to}/"));
        self.rewrite_texts(|t| {
            let t = replace_name(t, &old_iam, &new_iam);
            if who.role {
                t.replace(&old_sts, &new_sts)
            } else {
                t
            }
        });
        Ok(())
    }

    fn delete_principal(&mut self, who: &Who) -> Result<(), String> {
        let uses = self.uses_of_principal(who);
        let kind = if who.role { "role" } else { "user" };
        if !uses.is_empty() {
            return Err(format!("{kind} `{}` is still used: {}", who.name, uses.join("; ")));
        }
        let a =
            self.file.accounts.get_mut(&who.account).ok_or_else(|| format!("there is no account {}", who.account))?;
        let map = if who.role { &mut a.roles } else { &mut a.users };
        map.remove(&who.name);
        Ok(())
    }

    fn rename_key(&mut self, from: &str, to: &str) -> Result<(), String> {
        let to = clean_name("key", to)?;
        if to == from {
            return Ok(());
        }
        if self.file.keys.contains_key(&to) {
            return Err(format!("there is already a key `{to}`"));
        }
        let spec = self.file.keys.remove(from).ok_or_else(|| format!("there is no key `{from}`"))?;
        self.file.keys.insert(to.clone(), spec);
        for g in &mut self.file.grants {
            if g.key == from {
                g.key.clone_from(&to);
            }
        }
        let rename = |v: &mut J| {
            walk_key_refs(v, &mut |name: &mut String| {
                if name == from {
                    name.clone_from(&to)
                }
            })
        };
        for s in self.file.steps.iter_mut().chain(self.user_steps.iter_mut()) {
            s.params.iter_mut().for_each(&rename);
            if let Some(a) = s.authorize.as_mut() {
                rename(&mut a.resource);
                a.key_id.iter_mut().for_each(&rename);
            }
        }
        for r in &mut self.file.rules {
            for a in &mut r.actions {
                a.params.iter_mut().for_each(&rename);
            }
        }
        if *self.key == format!("$key:{from}") {
            *self.key = format!("$key:{to}");
        }
        Ok(())
    }

    fn delete_key(&mut self, key: &str) -> Result<(), String> {
        if !self.file.keys.contains_key(key) {
            return Err(format!("there is no key `{key}`"));
        }
        let mut uses: Vec<String> = self
            .file
            .grants
            .iter()
            .enumerate()
            .filter(|(_, g)| g.key == key)
            .map(|(i, _)| format!("grant #{i} is on it"))
            .collect();
        for (i, s) in self.steps() {
            let mut found = false;
            let mut look = |v: &J| {
                let mut v = v.clone();
                walk_key_refs(&mut v, &mut |n: &mut String| found |= n == key);
            };
            s.params.iter().for_each(&mut look);
            if let Some(a) = &s.authorize {
                look(&a.resource);
                a.key_id.iter().for_each(&mut look);
            }
            if found {
                uses.push(format!("step {i} names it"));
            }
        }
        if !uses.is_empty() {
            return Err(format!("key `{key}` is still used: {}", uses.join("; ")));
        }
        self.file.keys.remove(key);
        if *self.key == format!("$key:{key}") {
            self.key.clear();
        }
        Ok(())
    }

    fn set_key(&mut self, key: &str, field: KeyField, value: &str) -> Result<(), String> {
        let accounts_known = field != KeyField::Account || value.is_empty() || self.file.accounts.contains_key(value);
        if !accounts_known {
            return Err(format!("there is no account {value}"));
        }
        let k = self.key_mut(key)?;
        let opt = || (!value.is_empty()).then(|| value.to_string());
        match field {
            KeyField::Account => k.account = opt(),
            KeyField::Description => k.description = value.to_string(),
            KeyField::State => k.state = opt(),
            KeyField::KeySpec => k.key_spec = opt(),
            KeyField::KeyUsage => k.key_usage = opt(),
            KeyField::Rotation => {
                k.rotation_period_days =
                    match value {
                        "" => None,
                        v => Some(v.parse().ok().filter(|d| (90..=2560).contains(d)).ok_or_else(|| {
                            format!("the rotation period `{v}` is not a number of days from 90 to 2560")
                        })?),
                    }
            }
        }
        Ok(())
    }

    fn set_grant(&mut self, index: usize, field: GrantField, value: &str) -> Result<(), String> {
        if field == GrantField::Key && !self.file.keys.contains_key(value) {
            return Err(format!("there is no key `{value}`"));
        }
        let g = self.grant_mut(index)?;
        let opt = || (!value.trim().is_empty()).then(|| value.trim().to_string());
        match field {
            GrantField::Key => g.key = value.to_string(),
            GrantField::Name => g.name = opt(),
            GrantField::Grantee => g.grantee = value.trim().to_string(),
            GrantField::RetiringPrincipal => g.retiring_principal = opt(),
            GrantField::Operations => {
                g.operations = value
                    .split([',', ' ', '\n'])
                    .filter(|o| !o.trim().is_empty())
                    .map(|o| o.trim().to_string())
                    .collect();
            }
            GrantField::ConstraintKind => {
                let context = g
                    .constraints
                    .take()
                    .and_then(|c| c.encryption_context_subset.or(c.encryption_context_equals))
                    .unwrap_or_default();
                g.constraints = match value {
                    "subset" => {
                        Some(GrantConstraintsSpec { encryption_context_subset: Some(context), ..Default::default() })
                    }
                    "equals" => {
                        Some(GrantConstraintsSpec { encryption_context_equals: Some(context), ..Default::default() })
                    }
                    _ => None,
                };
            }
            GrantField::ConstraintContext => {
                let mut context = BTreeMap::new();
                for (n, line) in value.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    let (k, v) = line
                        .split_once('=')
                        .ok_or_else(|| format!("line {} of the encryption context is not `key=value`", n + 1))?;
                    context.insert(k.trim().to_string(), v.trim().to_string());
                }
                let c = g.constraints.get_or_insert_with(GrantConstraintsSpec::default);
                if c.encryption_context_equals.is_some() {
                    c.encryption_context_equals = Some(context);
                } else {
                    c.encryption_context_subset = Some(context);
                }
            }
        }
        Ok(())
    }

    fn set_config(&mut self, field: ConfigField, value: &str) -> Result<(), String> {
        let opt = || (!value.is_empty()).then(|| value.to_string());
        match field {
            ConfigField::Title => self.file.title = value.to_string(),
            ConfigField::Description => self.file.description = value.to_string(),
            ConfigField::Seed => {
                self.file.seed =
                    Some(value.parse().map_err(|_| format!("the seed `{value}` is not a whole number (0 or more)"))?);
            }
            ConfigField::StartTime => self.file.start_time = opt(),
            ConfigField::Region => config_of(self.file).region = opt(),
            ConfigField::GrantPropagationSeconds => {
                config_of(self.file).grant_propagation_seconds = match value {
                    "" => None,
                    v => Some(v.parse().ok().filter(|s| *s >= 0).ok_or_else(|| {
                        format!("the grant propagation delay `{v}` is not a number of seconds (0 or more)")
                    })?),
                }
            }
        }
        if self.file.config.as_ref().is_some_and(|c| *c == ConfigSpec::default()) {
            self.file.config = None;
        }
        Ok(())
    }
}

fn config_of(file: &mut ScenarioFile) -> &mut ConfigSpec {
    file.config.get_or_insert_with(ConfigSpec::default)
}

fn set_tag(tags: &mut BTreeMap<String, String>, old: Option<String>, key: &str, value: String) -> Result<(), String> {
    let key = key.trim();
    let key = if key.is_empty() { free_name("tag", |n| tags.contains_key(n)) } else { key.to_string() };
    if let Some(old) = old.filter(|o| *o != key) {
        if tags.contains_key(&key) {
            return Err(format!("there is already a tag `{key}`"));
        }
        tags.remove(&old);
    }
    tags.insert(key, value);
    Ok(())
}

/// Every string in a JSON value, mutably.
fn walk_strings(v: &mut J, f: &dyn Fn(&mut String)) {
    match v {
        J::String(s) => f(s),
        J::Array(a) => a.iter_mut().for_each(|x| walk_strings(x, f)),
        J::Object(o) => o.values_mut().for_each(|x| walk_strings(x, f)),
        _ => {}
    }
}

fn any_string(v: &J, f: &dyn Fn(&str) -> bool) -> bool {
    match v {
        J::String(s) => f(s),
        J::Array(a) => a.iter().any(|x| any_string(x, f)),
        J::Object(o) => o.values().any(|x| any_string(x, f)),
        _ => false,
    }
}

/// The key names of every `{"$key": NAME}` in a JSON value.
fn walk_key_refs(v: &mut J, f: &mut dyn FnMut(&mut String)) {
    match v {
        J::Object(o) if o.len() == 1 && o.contains_key("$key") => {
            if let Some(J::String(name)) = o.get_mut("$key") {
                f(name);
            }
        }
        J::Object(o) => o.values_mut().for_each(|x| walk_key_refs(x, f)),
        J::Array(a) => a.iter_mut().for_each(|x| walk_key_refs(x, f)),
        _ => {}
    }
}

/// `from` replaced by `to` wherever `keep(char before, char after)` does not say it is part of something longer.
fn replace_where(text: &str, from: &str, to: &str, keep: impl Fn(Option<char>, Option<char>) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let (before, tail) = rest.split_at(at);
        let after = tail.get(from.len()..).unwrap_or_default();
        out.push_str(before);
        out.push_str(if keep(before.chars().next_back(), after.chars().next()) { from } else { to });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `from` (an account id) replaced by `to` where it stands alone (not inside a longer number).
pub(super) fn replace_account(text: &str, from: &str, to: &str) -> String {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    replace_where(text, from, to, |b, a| digit(b) || digit(a))
}

/// `from` (an ARN's `iam::ID:role/NAME`) replaced by `to` where the name ends there (not `role/NAMEX`).
pub(super) fn replace_name(text: &str, from: &str, to: &str) -> String {
    replace_where(text, from, to, |_, a| a.is_some_and(|c| c.is_alphanumeric() || "+=,.@_-".contains(c)))
}
