//! A catalogue of AWS KMS as static data: every `kms:` action, every `kms:` condition key, the global `aws:` keys
//! that apply to KMS requests, the services that support `kms:ViaService`, and the aliases of AWS managed keys.
//! One place for lint, completion, hover, the console and the authorizer's context to read from.
//!
//! Everything is `const` data (slices of small structs with `&'static str` fields and enums): no parsing at run
//! time, nothing allocated, compact in the wasm bundle. Lookups are case-insensitive, like IAM's own matching of
//! action names and condition key names.
//!
//! # Sources
//!
//! Each table names the pages it was read from ([`SOURCES`]); entries carry a link where one is useful.
//! - [`SAR`]: the Service Authorization Reference page for KMS, read from the `aws/iam_definition.json` scrape of
//!   that page in the public `iann0036/iam-dataset` repository (commit `08eff2d7ffe7d6cf0259ab47a7c390f80f86972e`):
//!   action names, access levels, resource types, the condition keys each action supports, key types.
//! - [`DG_PERMISSIONS`], [`DG_KEY_POLICY_DEFAULT`], [`DG_CUSTOMER_POLICIES`], [`DG_GRANT_MANAGE`],
//!   [`DG_CUSTOM_KEY_STORE`]: the KMS Developer Guide pages that say which permissions are valid only in IAM
//!   policies (the permissions table's "Policy type" and "Cross-account use" columns themselves are not in the
//!   guide's published source; see each action's `iam_only` documentation).
//! - [`DG_CONDITIONS`], [`DG_NITRO`], [`DG_ABAC`]: the KMS Developer Guide condition-key pages: single- or
//!   multi-valued, which policies a key can be used in, the `kms:ViaService` service table.
//! - [`IAM_GLOBAL_KEYS`] and [`DG_GLOBAL_KEYS`]: the global condition keys, their value types, operators and
//!   availability.
//!
//! The Developer Guide and IAM User Guide text is the archived `awsdocs/aws-kms-developer-guide` and
//! `awsdocs/iam-user-guide` sources (May 2023); the SAR scrape is newer (it has `kms:GetKeyLastUsage` and the
//! NitroTPM attestation keys), so where the two differ on what exists, the SAR wins and the guide supplies the
//! value types and policy types.

mod actions;
mod global;
mod keys;
mod managed_keys;
mod services;

pub use actions::ACTIONS;
pub use global::GLOBAL_KEYS;
pub use keys::KMS_KEYS;
pub use managed_keys::{managed_key_policy, ManagedKeyPolicy, MANAGED_KEY_POLICIES};
pub use services::{MANAGED_ALIASES, VIA_SERVICES};

use serde::Serialize;

/// A documentation page a table or entry was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    pub title: &'static str,
    pub url: &'static str,
}

/// Service Authorization Reference: the KMS page.
pub const SAR: Source = Source {
    title: "Actions, resources, and condition keys for AWS Key Management Service",
    url: "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html",
};
/// KMS Developer Guide: the permissions reference.
pub const DG_PERMISSIONS: Source = Source {
    title: "AWS KMS permissions",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html",
};
/// KMS Developer Guide: the default key policy (which `kms:Create*`/`kms:List*` permissions are IAM-only).
pub const DG_KEY_POLICY_DEFAULT: Source = Source {
    title: "Default key policy",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
};
/// KMS Developer Guide: customer managed policy examples (permissions "that can be provided only in an IAM policy").
pub const DG_CUSTOMER_POLICIES: Source = Source {
    title: "Customer managed policy examples",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html",
};
/// KMS Developer Guide: retiring and revoking grants (`kms:RetireGrant` "is not effective in a key policy").
pub const DG_GRANT_MANAGE: Source = Source {
    title: "Retiring and revoking grants",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/grant-manage.html",
};
/// KMS Developer Guide: custom key stores are controlled with IAM policies.
pub const DG_CUSTOM_KEY_STORE: Source = Source {
    title: "Controlling access to your AWS CloudHSM key store",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/authorize-key-store.html",
};
/// KMS Developer Guide: the `kms:` condition keys.
pub const DG_CONDITIONS: Source = Source {
    title: "AWS KMS condition keys",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html",
};
/// KMS Developer Guide: the attestation condition keys for Nitro Enclaves.
pub const DG_NITRO: Source = Source {
    title: "Condition keys for AWS Nitro Enclaves",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-nitro-enclaves.html",
};
/// KMS Developer Guide: ABAC condition keys (which tag and alias keys are IAM-only).
pub const DG_ABAC: Source =
    Source { title: "ABAC for AWS KMS", url: "https://docs.aws.amazon.com/kms/latest/developerguide/abac.html" };
/// KMS Developer Guide: the global condition keys as they apply to KMS.
pub const DG_GLOBAL_KEYS: Source = Source {
    title: "AWS global condition keys",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-aws.html",
};
/// IAM User Guide: the global condition context keys.
pub const IAM_GLOBAL_KEYS: Source = Source {
    title: "AWS global condition context keys",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
};
/// KMS Developer Guide: AWS managed keys (`alias/aws/<service>`).
pub const DG_AWS_MANAGED_KEYS: Source = Source {
    title: "AWS KMS keys: AWS managed keys",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-cmk",
};

/// Every page the catalogue was read from.
pub const SOURCES: &[Source] = &[
    SAR,
    DG_PERMISSIONS,
    DG_KEY_POLICY_DEFAULT,
    DG_CUSTOMER_POLICIES,
    DG_GRANT_MANAGE,
    DG_CUSTOM_KEY_STORE,
    DG_CONDITIONS,
    DG_NITRO,
    DG_ABAC,
    DG_GLOBAL_KEYS,
    IAM_GLOBAL_KEYS,
    DG_AWS_MANAGED_KEYS,
];

// ---------------------------------------------------------------------------------------------------------------
// Actions

/// The Service Authorization Reference's access levels. An action can have two ("Permissions management, Write").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessLevel {
    Read,
    Write,
    List,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    /// The label the Service Authorization Reference uses.
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::List => "List",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

/// The KMS resource types an action is authorized on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResourceType {
    /// `arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}`
    Key,
    /// `arn:${Partition}:kms:${Region}:${Account}:alias/${Alias}`
    Alias,
}

impl ResourceType {
    /// The resource type's ARN pattern, as the Service Authorization Reference writes it.
    pub fn arn_pattern(self) -> &'static str {
        match self {
            ResourceType::Key => "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
            ResourceType::Alias => "arn:${Partition}:kms:${Region}:${Account}:alias/${Alias}",
        }
    }
}

/// Where a permission can be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyPlacement {
    /// In the key policy, and in IAM policies when the key policy enables them.
    KeyPolicy,
    /// Only in IAM policies: the action is not authorized on a KMS key, so no key policy takes part.
    IamOnly,
    /// The alias operations: the permission on the alias only in an IAM policy, the permission on the key in the
    /// key policy or an IAM policy.
    AliasInIamKeyInEither,
}

/// Whether an action is an API operation of its own or only a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActionKind {
    /// An API operation of the same name requires this permission.
    Api,
    /// No API operation has this name: the permission is checked by other operations (`kms:ReEncryptFrom` and
    /// `kms:ReEncryptTo` for ReEncrypt) or by KMS itself (`kms:SynchronizeMultiRegionKey`).
    PermissionOnly,
}

/// One `kms:` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The name as AWS spells it, with the `kms:` prefix (`kms:Encrypt`).
    pub name: &'static str,
    /// The API operations that require this permission (ReEncryptFrom: `ReEncrypt`); empty for a permission that
    /// no public operation checks.
    pub operations: &'static [&'static str],
    /// The access levels, primary first.
    pub access: &'static [AccessLevel],
    /// The resource types it is authorized on; empty means `"*"` (no resource-level permissions).
    pub resources: &'static [ResourceType],
    /// Where the permission can be granted.
    pub placement: PolicyPlacement,
    /// Whether a principal can be allowed this on a key in another account.
    pub cross_account: bool,
    /// The condition keys it supports beyond the key-resource set ([`KEY_RESOURCE_KEYS`]), as the Service
    /// Authorization Reference names them (`kms:EncryptionContext:${EncryptionContextKey}`).
    pub keys: &'static [&'static str],
    /// Whether it supports the key-resource set [`KEY_RESOURCE_KEYS`] (every action on a KMS key but CreateKey and
    /// SynchronizeMultiRegionKey, whose keys are listed in full in `keys`).
    pub key_resource_keys: bool,
    /// Other permissions the operation also needs (CreateKey with a policy or tags: PutKeyPolicy, TagResource).
    pub dependent: &'static [&'static str],
    /// The Service Authorization Reference's description, shortened.
    pub summary: &'static str,
}

/// The condition keys every action on a KMS key supports (the Service Authorization Reference lists them for each):
/// the key's tags, the caller's account, the key's properties and aliases, and the calling service.
pub const KEY_RESOURCE_KEYS: &[&str] = &[
    "aws:ResourceTag/${TagKey}",
    "kms:CallerAccount",
    "kms:KeyOrigin",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:MultiRegion",
    "kms:MultiRegionKeyType",
    "kms:ResourceAliases",
    "kms:ViaService",
];

impl Action {
    /// The name without the `kms:` prefix (`Encrypt`).
    pub fn bare(&self) -> &'static str {
        self.name.strip_prefix("kms:").unwrap_or(self.name)
    }

    /// API operation or permission only.
    pub fn kind(&self) -> ActionKind {
        if self.operations.contains(&self.bare()) {
            ActionKind::Api
        } else {
            ActionKind::PermissionOnly
        }
    }

    /// Whether the permission is authorized on a KMS key (a "KMS key resource operation").
    pub fn on_key(&self) -> bool {
        self.resources.contains(&ResourceType::Key)
    }

    /// Every condition key the action supports, as the Service Authorization Reference names them.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'static str> {
        let common: &'static [&'static str] = if self.key_resource_keys { KEY_RESOURCE_KEYS } else { &[] };
        common.iter().chain(self.keys.iter()).copied()
    }

    /// Whether the action supports the condition key `name` (any spelling [`condition_key`] accepts): the action
    /// lists it (or the key that replaces a deprecated one), or it is a global key that no action lists, which
    /// applies to every request ([`ConditionKey::is_universal`]).
    pub fn supports(&self, name: &str) -> bool {
        condition_key(name).is_some_and(|m| {
            let wanted = m.key.replaced_by.unwrap_or(m.key.name);
            m.key.is_universal() || self.condition_keys().any(|k| k == wanted)
        })
    }

    /// The API Reference page of the operation of the same name, if it is one.
    pub fn api_reference(&self) -> Option<String> {
        (self.kind() == ActionKind::Api)
            .then(|| format!("https://docs.aws.amazon.com/kms/latest/APIReference/API_{}.html", self.bare()))
    }
}

/// The action named `name`, with or without the `kms:` prefix, ignoring ASCII case.
pub fn action(name: &str) -> Option<&'static Action> {
    let bare = strip_prefix_fold(name, "kms:").unwrap_or(name);
    ACTIONS.iter().find(|a| a.bare().eq_ignore_ascii_case(bare))
}

/// Every action's name (`kms:Encrypt`), for did-you-mean (`kmsim_policy::suggest`) and completion.
pub fn action_names() -> impl Iterator<Item = &'static str> {
    ACTIONS.iter().map(|a| a.name)
}

/// The actions an API operation needs (`ReEncrypt`: ReEncryptFrom and ReEncryptTo), ignoring ASCII case.
pub fn actions_for_operation(operation: &str) -> impl Iterator<Item = &'static Action> + '_ {
    ACTIONS.iter().filter(move |a| a.operations.iter().any(|o| o.eq_ignore_ascii_case(operation)))
}

// ---------------------------------------------------------------------------------------------------------------
// Condition keys

/// A condition key's value type (IAM's condition operator families).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyType {
    String,
    Bool,
    Numeric,
    Date,
    Arn,
    IpAddress,
}

/// Whether the request context has at most one value for the key, or a set (which needs `ForAnyValue` or
/// `ForAllValues`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Values {
    Single,
    Multi,
}

/// How a key's name is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyForm {
    /// The name as written.
    Exact,
    /// The name up to its `${...}` placeholder is a prefix, and any non-empty suffix follows
    /// (`kms:EncryptionContext:Department`, `aws:RequestTag/Project`).
    Variable,
    /// The name is a prefix followed by a number from 0 to `max` (`kms:RecipientAttestation:PCR12`).
    Indexed { max: u8 },
}

/// When a global key is in the request context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Presence {
    /// The IAM User Guide says it is always present (or present in every request, anonymous ones included), so
    /// `...IfExists` adds nothing.
    Always,
    /// Present only in some requests (see the key's description).
    Sometimes,
}

/// One condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConditionKey {
    /// As the Service Authorization Reference writes it: `kms:EncryptionContext:${EncryptionContextKey}`,
    /// `aws:RequestTag/${TagKey}`; for an indexed family the prefix and `${N}` (`kms:RecipientAttestation:PCR${N}`).
    pub name: &'static str,
    pub form: KeyForm,
    pub ty: KeyType,
    pub values: Values,
    /// Valid only in IAM policies (the Developer Guide's "IAM policies only": `kms:ResourceAliases`,
    /// `aws:ResourceTag`).
    pub iam_only: bool,
    pub presence: Presence,
    /// The key that replaces a deprecated one.
    pub replaced_by: Option<&'static str>,
    /// One line: what the key holds.
    pub summary: &'static str,
    /// The documentation page (with its anchor) that describes the key.
    pub doc: &'static str,
}

impl ConditionKey {
    /// The Service Authorization Reference's type name (`ArrayOfString` for a multi-valued string key).
    pub fn sar_type(&self) -> &'static str {
        match (self.ty, self.values) {
            (KeyType::String, Values::Multi) => "ArrayOfString",
            (KeyType::String, Values::Single) => "String",
            (KeyType::Bool, _) => "Bool",
            (KeyType::Numeric, _) => "Numeric",
            (KeyType::Date, _) => "Date",
            (KeyType::Arn, _) => "ARN",
            (KeyType::IpAddress, _) => "IPAddress",
        }
    }

    /// The fixed part of the name: all of it for an exact key, the text before `${` otherwise.
    pub fn stem(&self) -> &'static str {
        match self.form {
            KeyForm::Exact => self.name,
            KeyForm::Variable | KeyForm::Indexed { .. } => self.name.split("${").next().unwrap_or(self.name),
        }
    }

    /// Whether this is a `kms:` key (else a global `aws:` key).
    pub fn is_kms(&self) -> bool {
        self.name.starts_with("kms:")
    }

    /// Whether the key applies to every KMS request: a global key that the Service Authorization Reference lists
    /// for no action (it lists only the tag keys per action).
    pub fn is_universal(&self) -> bool {
        !self.is_kms() && self.actions().next().is_none()
    }

    /// The actions that list the key.
    pub fn actions(&self) -> impl Iterator<Item = &'static Action> + '_ {
        ACTIONS.iter().filter(move |a| a.condition_keys().any(|k| k == self.name))
    }

    fn matches<'n>(&self, name: &'n str) -> Option<Option<&'n str>> {
        if name.eq_ignore_ascii_case(self.name) {
            return Some(None);
        }
        match self.form {
            KeyForm::Exact => None,
            KeyForm::Variable => strip_prefix_fold(name, self.stem()).filter(|rest| !rest.is_empty()).map(Some),
            KeyForm::Indexed { max } => {
                let rest = strip_prefix_fold(name, self.stem())?;
                let canonical = rest.len() == 1 || !rest.starts_with('0');
                let n: u8 = rest.parse().ok().filter(|_| canonical && rest.bytes().all(|b| b.is_ascii_digit()))?;
                (n <= max).then_some(Some(rest))
            }
        }
    }
}

/// A condition key found by [`condition_key`]: the catalogue entry and, for a variable or indexed key, the part of
/// the name after the stem (the encryption context key, the tag key, the PCR number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyMatch<'n> {
    pub key: &'static ConditionKey,
    pub variable: Option<&'n str>,
}

/// The condition key `name` names, ignoring ASCII case in the fixed part: `kms:ViaService`,
/// `kms:EncryptionContext:Department`, `aws:RequestTag/Project`, `kms:RecipientAttestation:PCR0`, or a pattern
/// as written (`aws:RequestTag/${TagKey}`). `kms:` keys first, then the global keys.
pub fn condition_key(name: &str) -> Option<KeyMatch<'_>> {
    KMS_KEYS
        .iter()
        .chain(GLOBAL_KEYS.iter())
        .find_map(|key| key.matches(name).map(|variable| KeyMatch { key, variable }))
}

/// Every condition key's name as written in the catalogue (patterns included), for did-you-mean and completion.
pub fn condition_key_names() -> impl Iterator<Item = &'static str> {
    KMS_KEYS.iter().chain(GLOBAL_KEYS.iter()).map(|k| k.name)
}

// ---------------------------------------------------------------------------------------------------------------
// kms:ViaService and AWS managed keys

/// A service that supports `kms:ViaService`: its value is `PREFIX.REGION.amazonaws.com` (`.amazonaws.com` in every
/// partition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ViaService {
    /// The service's name in the Developer Guide's table.
    pub service: &'static str,
    /// The endpoint prefixes; a condition for the service lists all of them (ElastiCache has two).
    pub prefixes: &'static [&'static str],
    /// A qualification from the table ("EBS only").
    pub note: Option<&'static str>,
}

impl ViaService {
    /// The `kms:ViaService` values for `region`, one per prefix.
    pub fn values(&self, region: &str) -> Vec<String> {
        self.prefixes.iter().map(|p| format!("{p}.{region}.amazonaws.com")).collect()
    }
}

/// The services whose `kms:ViaService` value `value` is (`ec2.us-west-2.amazonaws.com`), ignoring ASCII case; more
/// than one when services share a prefix (`rds`: Aurora, Neptune, RDS, Performance Insights). Empty when the value
/// is not of the form `PREFIX.REGION.amazonaws.com` or the prefix is not in the table.
pub fn via_service(value: &str) -> impl Iterator<Item = &'static ViaService> {
    const SUFFIX: &str = ".amazonaws.com";
    let prefix = value
        .len()
        .checked_sub(SUFFIX.len())
        .filter(|_| ends_with_fold(value, SUFFIX))
        .and_then(|end| value.get(..end))
        .and_then(|rest| rest.rsplit_once('.'))
        .filter(|(p, region)| !p.is_empty() && !region.is_empty())
        .map(|(p, _)| p.to_ascii_lowercase());
    VIA_SERVICES.iter().filter(move |s| prefix.as_deref().is_some_and(|p| s.prefixes.contains(&p)))
}

/// An alias of an AWS managed key (`alias/aws/<service>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ManagedAlias {
    pub name: &'static str,
    /// The service that creates and uses the key.
    pub service: &'static str,
    /// Where the alias was seen: a documentation page, or where only observed (see [`Provenance`]).
    pub provenance: Provenance,
}

/// How an alias in [`MANAGED_ALIASES`] is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    /// Named in the page.
    Documented(&'static str),
    /// Not found in AWS documentation here; seen in `aws kms list-aliases` output and in public code that uses it.
    Observed,
}

/// The AWS managed key alias `name`, ignoring ASCII case.
pub fn managed_alias(name: &str) -> Option<&'static ManagedAlias> {
    MANAGED_ALIASES.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Whether `name` is in the `alias/aws/` namespace that AWS reserves for AWS managed keys.
pub fn is_reserved_alias(name: &str) -> bool {
    strip_prefix_fold(name, "alias/aws/").is_some()
}

// ---------------------------------------------------------------------------------------------------------------

fn strip_prefix_fold<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

fn ends_with_fold(text: &str, suffix: &str) -> bool {
    text.len()
        .checked_sub(suffix.len())
        .and_then(|i| text.get(i..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}
