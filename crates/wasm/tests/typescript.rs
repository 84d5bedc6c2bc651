//! Generates `types/kmsim.d.ts` and checks that it matches the Rust types.
//!
//! The core crates' types cannot carry a `Tsify` derive (they are pure and know nothing of JavaScript), so this file
//! declares their JSON shapes once more as mirror types that derive `Tsify`. Two tests keep the mirrors honest:
//! - `mirrors_match_core_output`: real output of every API function (evaluations with traces, a scenario run with
//!   calls, grants, denials, rotations and deletions, diagnostics) must deserialise into the mirrors with
//!   `deny_unknown_fields` and serialise back to the same JSON. A field added, renamed or retyped in the core fails it.
//! - `types_file_is_up_to_date`: `types/kmsim.d.ts` must equal what the mirrors generate. Regenerate it with
//!   `KMSIM_BLESS=1 cargo test -p kmsim-wasm --test typescript`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as J};
use tsify::Tsify;

// ---- policy engine -------------------------------------------------------------------------------------------------

/// The kind of policy document; the parser applies each kind's rules.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyType {
    Identity,
    Resource,
    Scp,
    PermissionsBoundary,
    Session,
}

/// A place in a source text. Lines and columns are 1-based (columns count characters); `offset`/`len` are UTF-8 byte
/// offsets; `path` is a JSON Pointer such as `/Statement/2/Condition`.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub offset: u32,
    pub len: u32,
    pub path: String,
}

/// What kind of problem a policy error reports.
#[derive(Serialize, Deserialize, Tsify)]
pub enum ErrorKind {
    InvalidJson,
    DuplicateKey,
    UnknownElement,
    MissingElement,
    ConflictingElements,
    InvalidType,
    InvalidValue,
    UnknownOperator,
    NotAllowedInPolicyType,
    PolicyTooLarge,
    InvalidCharacter,
    InvalidVariable,
}

/// One problem in a policy document.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PolicyError {
    pub kind: ErrorKind,
    /// One line, lower case, no final period; user input in backticks.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub span: Span,
}

#[derive(Serialize, Deserialize, Tsify)]
pub enum Effect {
    Allow,
    Deny,
}

/// The outcome of one policy.
#[derive(Serialize, Deserialize, Tsify)]
pub enum PolicyDecision {
    ExplicitDeny,
    Allow,
    NoMatch,
}

/// The outcome of a set of policies (explicit deny wins, then allow, else implicit deny).
#[derive(Serialize, Deserialize, Tsify)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// How an applying statement's `Principal` matched the caller (resource-based policies).
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalMatch {
    Wildcard,
    Account,
    Exact,
    Role,
    Service,
    NotPrincipal,
}

/// A statement that applied to the request.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct StatementRef {
    /// 0-based position in the policy's `Statement` list.
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalMatch>,
    pub span: Span,
}

/// The result of evaluating one policy.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PolicyResult {
    pub decision: PolicyDecision,
    /// Every statement that applied, in order (Allow and Deny alike).
    pub applied: Vec<StatementRef>,
    /// Present when the trace was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<PolicyTrace>,
}

/// The result of evaluating several policies of one kind together (`evaluate`'s answer).
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct SetResult {
    pub decision: Decision,
    /// One result per policy, in the order given.
    pub policies: Vec<PolicyResult>,
}

/// The full explanation of one policy's evaluation.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PolicyTrace {
    pub policy_type: PolicyType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub decision: PolicyDecision,
    pub statements: Vec<StatementTrace>,
}

#[derive(Serialize, Deserialize, Tsify)]
pub enum ElementName {
    Principal,
    NotPrincipal,
    Action,
    NotAction,
    Resource,
    NotResource,
}

/// One statement, element by element and condition by condition.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct StatementTrace {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    pub span: Span,
    pub applies: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_match: Option<PrincipalMatch>,
    pub elements: Vec<ElementTrace>,
    pub conditions: Vec<ConditionTrace>,
    pub reason: String,
}

/// A `Principal`/`Action`/`Resource` element (or its `Not` form) compared with the request.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ElementTrace {
    pub element: ElementName,
    pub span: Span,
    pub request_value: String,
    pub entries: Vec<EntryTrace>,
    pub matched: bool,
    pub reason: String,
}

/// One value of an element or condition as written in the policy.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct EntryTrace {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    pub span: Span,
    pub matched: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One condition (operator + key + values) compared with the request.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
#[tsify(missing_as_null)]
pub struct ConditionTrace {
    pub operator: String,
    pub key: String,
    pub span: Span,
    pub values: Vec<EntryTrace>,
    /// `null` when the key is missing from the request.
    pub request_values: Option<Vec<String>>,
    pub outcome: bool,
    pub reason: String,
}

#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    User,
    Role,
    RoleSession,
    FederatedUser,
    Root,
    Service,
    Anonymous,
}

/// The caller of a request.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    pub arn: String,
    pub kind: PrincipalKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

/// An explicitly typed context value.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum TypedValue {
    String(String),
    Number(#[tsify(type = "number | string")] J),
    Bool(#[tsify(type = "boolean | string")] J),
    /// ISO 8601 text or epoch seconds.
    Date(#[tsify(type = "string | number")] J),
    Ip(String),
    Arn(String),
    /// base64
    Binary(String),
}

/// One context value: a string, number or boolean, or an explicitly typed value.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum ContextScalar {
    Bool(bool),
    Number(#[tsify(type = "number")] serde_json::Number),
    String(String),
    Typed(TypedValue),
}

/// A context entry: one value or several (a multi-valued key such as `kms:EncryptionContextKeys`).
#[derive(Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum ContextValue {
    Multi(Vec<ContextScalar>),
    Single(ContextScalar),
}

/// Condition keys and their values (names are case-insensitive).
#[derive(Default, Serialize, Deserialize, Tsify)]
#[serde(transparent)]
#[tsify(hashmap_as_object)]
pub struct Context(BTreeMap<String, ContextValue>);

/// A request to authorize.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub principal: Principal,
    /// `service:Action`, e.g. `kms:Decrypt`.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    #[serde(default)]
    pub context: Context,
}

// ---- the JS API's own inputs and outputs ---------------------------------------------------------------------------

/// One policy for `evaluate`.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    #[serde(rename = "type")]
    pub ty: PolicyType,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `evaluate`'s input: policies of one kind, a request, and whether to record the full trace.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct EvaluateInput {
    pub policies: Vec<PolicyInput>,
    pub request: Request,
    #[serde(default)]
    pub trace: bool,
}

/// `validatePolicy`'s answer.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(untagged, deny_unknown_fields)]
pub enum ValidationResult {
    Valid {
        #[tsify(type = "true")]
        ok: bool,
    },
    Invalid {
        #[tsify(type = "false")]
        ok: bool,
        errors: Vec<PolicyError>,
    },
}

/// One problem reported by a thrown `KmsimError`.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Diagnostic {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where the problem is (policy text or scenario file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// For policy errors: the engine's error kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ErrorKind>,
    /// For `evaluate`: the 0-based index of the input policy the problem is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<usize>,
    /// For a call that could not be made: the AWS error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
}

// ---- KMS -----------------------------------------------------------------------------------------------------------

/// The AWS error codes a simulated call can return.
#[derive(Serialize, Deserialize, Tsify)]
pub enum ErrorCode {
    AccessDeniedException,
    AlreadyExistsException,
    ConflictException,
    DisabledException,
    DryRunOperationException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotFoundException,
    TagException,
    UnsupportedOperationException,
    ValidationException,
}

/// A failed call: AWS's error code and message, and for policy errors the engine's located diagnostics.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct KmsError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<PolicyError>,
}

/// Long-term (access keys) or temporary (STS) credentials.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum Credentials {
    LongTerm,
    Temporary,
}

/// A policy as the world holds it.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct NamedPolicy {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: PolicyType,
    /// The policy text.
    pub document: String,
}

/// Who makes a call and how. `principal` is an ARN or a short form (`user/alice`, `role/App`, `root`,
/// `ACCOUNT:role/App/session`) resolved in the world's first account. `call` records a trace unless `trace` is false.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
#[tsify(hashmap_as_object)]
pub struct Caller {
    pub principal: String,
    /// An AWS service calling on the principal's behalf, e.g. `s3.us-east-1.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_service: Option<String>,
    #[serde(default)]
    pub mfa: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_age_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpce: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub session_tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy: Option<NamedPolicy>,
    /// Extra condition keys (override derived ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    #[serde(default)]
    pub trace: bool,
}

/// A length of simulated time; the fields add up.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub days: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hours: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub minutes: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seconds: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// What a call returns: AWS's response (AWS JSON names) or the error, the trace, and the audit record's event id.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct CallOutcome {
    #[tsify(type = "{ Ok: Record<string, unknown> } | { Err: KmsError }")]
    pub response: Result<J, KmsError>,
    pub trace: CallTrace,
    pub event_id: String,
}

/// The whole story of one call.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct CallTrace {
    pub operation: String,
    pub caller: String,
    /// Each authorization decision, in order.
    pub authorizations: Vec<AuthzTrace>,
    /// Checks made after (or instead of) authorization, in order.
    pub checks: Vec<Check>,
    pub outcome: Outcome,
}

/// The result of a call in one line.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(tag = "status", rename_all = "lowercase", deny_unknown_fields)]
pub enum Outcome {
    Success,
    Error { code: ErrorCode, message: String },
}

/// One check after authorization: key state, key usage, a parameter rule, the cryptography.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub kind: CheckKind,
    pub passed: bool,
    pub detail: String,
}

#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    Parameters,
    KeyLookup,
    KeyState,
    KeyUsage,
    Grant,
    Cryptography,
    Limit,
    PolicyLockout,
}

/// How the principal and the key relate, which decides the combining rule.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum CombiningRule {
    SameAccount,
    CrossAccount,
    IdentityOnly,
}

#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    KeyPolicy,
    Identity,
    Scp,
    PermissionsBoundary,
    Session,
}

/// One policy's evaluation within an authorization.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PolicyEval {
    pub kind: PolicyKind,
    pub name: String,
    /// The key ARN, the user/role ARN, or the account.
    pub attached_to: String,
    pub result: PolicyResult,
}

/// One grant considered for the call.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct GrantEval {
    pub grant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub grantee: String,
    pub matched: bool,
    pub reason: String,
}

/// What decided an authorization.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(tag = "by", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DecidedBy {
    ExplicitDeny { policy: PolicyKind, name: String, statement: String },
    KeyPolicy { statement: String },
    KeyPolicyAndIdentity { key_policy_statement: String, identity_policy: String, identity_statement: String },
    Identity { policy: String, statement: String },
    Grant { grant_id: String },
    ImplicitDeny { missing: Missing },
}

/// What an implicit deny was missing.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    ResourcePolicy,
    IdentityPolicy,
    ScpAllow,
    BoundaryAllow,
    SessionAllow,
    CrossAccountNotSupported,
}

/// One authorization: the action and resource, the derived context, every policy and grant considered, and the
/// verdict.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct AuthzTrace {
    pub action: String,
    pub resource: String,
    pub rule: CombiningRule,
    pub context: Context,
    pub policies: Vec<PolicyEval>,
    pub grants: Vec<GrantEval>,
    pub grants_skipped: usize,
    pub decision: Decision,
    pub decided_by: DecidedBy,
    /// The combining rule applied step by step, in plain words.
    pub explanation: Vec<String>,
}

/// `userIdentity` of an audit record.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Record<string, unknown>")]
    pub session_context: Option<J>,
}

#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct AuditResource {
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ARN")]
    pub arn: String,
}

/// One CloudTrail event. Never holds key material or plaintext.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[tsify(missing_as_null)]
pub struct AuditRecord {
    pub event_version: String,
    pub user_identity: UserIdentity,
    /// ISO 8601.
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    pub aws_region: String,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    pub user_agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[tsify(type = "Record<string, unknown> | null")]
    pub request_parameters: Option<J>,
    #[tsify(type = "Record<string, unknown> | null")]
    pub response_elements: Option<J>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(type = "Record<string, unknown>")]
    pub additional_event_data: Option<J>,
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub read_only: bool,
    pub resources: Vec<AuditResource>,
    /// `AwsApiCall` or `AwsServiceEvent`.
    pub event_type: String,
    pub management_event: bool,
    pub recipient_account_id: String,
    pub event_category: String,
}

/// One expectation of a scenario step and whether it held.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub what: String,
    pub expected: String,
    pub actual: String,
    pub held: bool,
}

/// One scenario step's result.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct StepResult {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<AuthzTrace>,
    /// Service events of an `advance` step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<AuditRecord>,
    pub expectations: Vec<Expectation>,
    /// The step could not run (an unresolved `$ref`, bad parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The result of running a scenario.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRun {
    pub title: String,
    /// A number; a decimal string when beyond 2^53.
    #[tsify(type = "number | string")]
    pub seed: J,
    pub steps: Vec<StepResult>,
    /// Every step ran and every expectation held.
    pub passed: bool,
    pub world: World,
}

/// A saved world: its seed, clock, accounts, keys, grants and audit log (never key material or plaintext). Treat it
/// as opaque: keep it (e.g. `JSON.stringify`) and give it to `Simulator.restore`.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(transparent)]
pub struct World(#[tsify(type = "{ [field: string]: unknown }")] J);

/// Written by hand (the only part of the file that is): the error type the API throws.
const KMSIM_ERROR: &str = "\
/**
 * What the API throws: an `Error` whose `diagnostics` list every problem, with locations where known.
 */
export interface KmsimError extends Error {
    diagnostics: Diagnostic[];
}";

fn generate() -> String {
    let decls = [
        PolicyType::DECL,
        Span::DECL,
        ErrorKind::DECL,
        PolicyError::DECL,
        Effect::DECL,
        PolicyDecision::DECL,
        Decision::DECL,
        PrincipalMatch::DECL,
        StatementRef::DECL,
        PolicyResult::DECL,
        SetResult::DECL,
        PolicyTrace::DECL,
        ElementName::DECL,
        StatementTrace::DECL,
        ElementTrace::DECL,
        EntryTrace::DECL,
        ConditionTrace::DECL,
        PrincipalKind::DECL,
        Principal::DECL,
        TypedValue::DECL,
        ContextScalar::DECL,
        ContextValue::DECL,
        Context::DECL,
        Request::DECL,
        PolicyInput::DECL,
        EvaluateInput::DECL,
        ValidationResult::DECL,
        Diagnostic::DECL,
        KMSIM_ERROR,
        ErrorCode::DECL,
        KmsError::DECL,
        Credentials::DECL,
        NamedPolicy::DECL,
        Caller::DECL,
        Duration::DECL,
        CallOutcome::DECL,
        CallTrace::DECL,
        Outcome::DECL,
        Check::DECL,
        CheckKind::DECL,
        CombiningRule::DECL,
        PolicyKind::DECL,
        PolicyEval::DECL,
        GrantEval::DECL,
        DecidedBy::DECL,
        Missing::DECL,
        AuthzTrace::DECL,
        UserIdentity::DECL,
        AuditResource::DECL,
        AuditRecord::DECL,
        Expectation::DECL,
        StepResult::DECL,
        ScenarioRun::DECL,
        World::DECL,
    ];
    let mut out = String::from(
        "// Generated by crates/wasm/tests/typescript.rs from Rust types: do not edit.\n\
         // Regenerate: KMSIM_BLESS=1 cargo test -p kmsim-wasm --test typescript\n\n",
    );
    for d in decls {
        out.push_str(d.trim_end());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[test]
fn types_file_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("types/kmsim.d.ts");
    let want = generate();
    if std::env::var_os("KMSIM_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "types/kmsim.d.ts is out of date: run `KMSIM_BLESS=1 cargo test -p kmsim-wasm --test typescript`"
    );
}

// ---- the mirrors against real output -------------------------------------------------------------------------------

/// `value` must read into `T` (no unknown fields) and write back unchanged.
#[track_caller]
#[expect(clippy::panic, clippy::unwrap_used, reason = "a test helper: a mismatch fails the test")]
fn mirrors<T: DeserializeOwned + Serialize>(value: &J) {
    let typed: T = match serde_json::from_value(value.clone()) {
        Ok(t) => t,
        Err(e) => panic!("{} does not match the core's JSON: {e}\n{value:#}", std::any::type_name::<T>()),
    };
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, value, "{} does not write back the same JSON", std::any::type_name::<T>());
}

const SCENARIO: &str = r#"{
  "title": "mirrors",
  "seed": 7,
  "accounts": {
    "111122223333": {
      "users": { "admin": { "policies": { "all": { "Version": "2012-10-17",
          "Statement": [{ "Effect": "Allow", "Action": "kms:*", "Resource": "*" }] } } } },
      "roles": {
        "App": { "tags": { "team": "blue" }, "policies": { "use": { "Version": "2012-10-17", "Statement": [
          { "Sid": "Use", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
            "Condition": { "StringEquals": { "aws:PrincipalTag/team": "blue" } } },
          { "Sid": "NoDelete", "Effect": "Deny", "NotAction": ["kms:Encrypt", "kms:Decrypt", "kms:Describe*"],
            "Resource": "*" } ] } } },
        "Other": {}
      }
    }
  },
  "keys": {
    "app": { "aliases": ["alias/app"], "rotation_period_days": 90 },
    "old": { "description": "to delete" }
  },
  "grants": [ { "key": "app", "name": "other-decrypt", "grantee": "role/Other", "operations": ["Decrypt"],
                "constraints": { "EncryptionContextSubset": { "tenant": "a" } } } ],
  "steps": [
    { "name": "enc", "call": "Encrypt", "as": "role/App",
      "params": { "KeyId": "alias/app", "Plaintext": { "Text": "secret words" }, "EncryptionContext": { "tenant": "a" } },
      "expect": { "outcome": "success" } },
    { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "$ref": "enc.CiphertextBlob" },
      "EncryptionContext": { "tenant": "a" } }, "expect": { "outcome": "success", "statement": "Use" } },
    { "call": "Decrypt", "as": "role/Other", "params": { "CiphertextBlob": { "$ref": "enc.CiphertextBlob" },
      "EncryptionContext": { "tenant": "a" } }, "expect": { "outcome": "success", "grant": "other-decrypt" } },
    { "call": "ScheduleKeyDeletion", "as": "role/App", "params": { "KeyId": { "$key": "app" } },
      "expect": { "outcome": "AccessDeniedException", "statement": "NoDelete" } },
    { "call": "Encrypt", "as": "role/Other", "params": { "KeyId": { "$key": "app" }, "Plaintext": "aGk=" } },
    { "authorize": { "as": "role/App", "action": "kms:Decrypt", "resource": { "$key": "app" },
      "encryption_context": { "tenant": "a" } }, "expect": { "outcome": "allow" } },
    { "call": "ScheduleKeyDeletion", "as": "user/admin", "params": { "KeyId": { "$key": "old" },
      "PendingWindowInDays": 7 } },
    { "call": "PutKeyPolicy", "as": "user/admin", "params": { "KeyId": { "$key": "app" }, "Policy": "{\"Statement\": 1}" } },
    { "call": "Decrypt", "as": "role/App", "params": { "CiphertextBlob": { "$ref": "missing.CiphertextBlob" } } },
    { "advance": { "days": 100 } }
  ]
}"#;

#[test]
fn mirrors_match_core_output() {
    use kmsim_wasm::api;

    // evaluate, with and without the trace, allow and deny, typed context values.
    let policy = r#"{"Version": "2012-10-17", "Id": "p", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalTag/team": "${aws:username}*"}, "Bool": {"aws:SecureTransport": "true"},
                       "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "Null": {"kms:ViaService": "true"}}},
        {"Effect": "Deny", "NotAction": "kms:Decrypt", "NotResource": "arn:aws:kms:*:*:key/keep"}]}"#;
    let resource_policy = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Root", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Get*", "Resource": "*"}]}"#;
    for (action, trace) in [("kms:Decrypt", true), ("kms:Encrypt", true), ("kms:Decrypt", false), ("kms:Sign", true)] {
        let input = json!({
            "policies": [{"type": "identity", "text": policy, "name": "mine"}, {"type": "resource", "text": resource_policy}],
            "request": {
                "principal": {"arn": "arn:aws:iam::111122223333:user/alice", "kind": "user", "account": "111122223333"},
                "action": action, "resource": "arn:aws:kms:us-east-1:111122223333:key/k",
                "context": {"aws:PrincipalTag/team": "alice-ops", "aws:SecureTransport": true, "aws:EpochTime": 1767225600,
                            "aws:SourceIp": {"type": "ip", "value": "203.0.113.7"},
                            "aws:CurrentTime": {"type": "date", "value": "2026-01-01T00:00:00Z"},
                            "kms:EncryptionContextKeys": ["tenant", "path"]}
            },
            "trace": trace
        });
        mirrors::<EvaluateInput>(&input);
        let result = api::evaluate(input).unwrap();
        mirrors::<SetResult>(&result);
    }
    let bad = api::validate_policy(r#"{"Version": "2012-10-17", "Statment": []}"#, "identity").unwrap();
    assert_eq!(bad["ok"], json!(false));
    mirrors::<ValidationResult>(&bad);
    mirrors::<ValidationResult>(&api::validate_policy(policy, "identity").unwrap());
    let failure = api::evaluate(json!({"policies": [{"type": "scp", "text": "{"}], "request": {
        "principal": {"arn": "*", "kind": "anonymous"}, "action": "kms:Decrypt", "resource": "*"}}))
    .unwrap_err();
    mirrors::<Vec<Diagnostic>>(&failure.diagnostics_json());
    let failure = api::Session::load(r#"{"steps": [{"call": "Encrypt"}], "titel": 1}"#, 1).unwrap_err();
    mirrors::<Vec<Diagnostic>>(&failure.diagnostics_json());

    // A scenario run with the trace: calls, a grant, denials, an authorization, a policy error, rotation, deletion.
    let mut s = api::Session::load(SCENARIO, 1).unwrap();
    let run = s.run_all(true).unwrap();
    mirrors::<ScenarioRun>(&run);
    let steps = run["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| s["call"]["response"]["Err"]["diagnostics"].is_array()), "a policy error");
    assert!(steps.iter().any(|s| s["error"].is_string()), "a step that could not run");
    assert!(steps.iter().any(|s| s["authorization"]["decided_by"]["by"].is_string()), "an authorize step");
    let events: Vec<&str> =
        steps.last().unwrap()["events"].as_array().unwrap().iter().map(|e| e["eventName"].as_str().unwrap()).collect();
    assert!(events.contains(&"RotateKey") && events.contains(&"DeleteKey"), "{events:?}");
    mirrors::<Vec<AuditRecord>>(&s.audit());

    // Calls with a caller object that sets every field.
    let caller = json!({"principal": "role/App/s1", "via_service": "s3.us-east-1.amazonaws.com", "mfa": true,
        "mfa_age_seconds": 30, "credentials": "temporary", "source_ip": "198.51.100.1", "source_vpce": "vpce-1",
        "session_tags": {"team": "blue"}, "context": {"aws:RequestedRegion": "us-east-1",
        "aws:TokenIssueTime": {"type": "date", "value": 1767225600}}, "trace": true});
    mirrors::<Caller>(&caller);
    let out = s.call(caller.clone(), "ListAliases", json!({})).unwrap();
    mirrors::<CallOutcome>(&out);
    let out = s.call(json!("user/admin"), "CreateKey", json!({"Description": "new"})).unwrap();
    mirrors::<CallOutcome>(&out);
    let key = out["response"]["Ok"]["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let t = s.simulate(caller, "kms:Decrypt", &key, json!({"tenant": "a"})).unwrap();
    mirrors::<AuthzTrace>(&t);
    mirrors::<Duration>(&json!({"days": 1, "seconds": 5}));
}
