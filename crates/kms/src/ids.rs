//! Identifiers: accounts, key ids, key and alias ARNs, and how a request's `KeyId` names a key.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, KmsError};

/// How a request's `KeyId` parameter identifies a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "kebab-case")]
pub enum KeyIdentifier {
    /// A bare key id: resolved in the caller's own account and Region.
    KeyId { key_id: String },
    /// `arn:aws:kms:REGION:ACCOUNT:key/ID`.
    KeyArn { region: String, account: String, key_id: String },
    /// `alias/NAME`: resolved in the caller's own account and Region.
    AliasName { name: String },
    /// `arn:aws:kms:REGION:ACCOUNT:alias/NAME`.
    AliasArn { region: String, account: String, name: String },
}

impl KeyIdentifier {
    /// Parses a `KeyId` parameter. The message follows AWS's NotFound/Validation wording.
    pub fn parse(text: &str) -> Result<KeyIdentifier, KmsError> {
        if text.is_empty() {
            return Err(KmsError::validation("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"));
        }
        if text.len() > 2048 {
            return Err(KmsError::validation("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"));
        }
        if let Some(rest) = text.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            if let [_partition, "kms", region, account, resource] = parts.as_slice() {
                if let Some(id) = resource.strip_prefix("key/") {
                    return Ok(KeyIdentifier::KeyArn {
                        region: region.to_string(),
                        account: account.to_string(),
                        key_id: id.to_string(),
                    });
                }
                if resource.starts_with("alias/") {
                    return Ok(KeyIdentifier::AliasArn {
                        region: region.to_string(),
                        account: account.to_string(),
                        name: resource.to_string(),
                    });
                }
            }
            return Err(KmsError::not_found(format!("Invalid keyId '{text}'")));
        }
        if text.starts_with("alias/") {
            return Ok(KeyIdentifier::AliasName { name: text.to_string() });
        }
        Ok(KeyIdentifier::KeyId { key_id: text.to_string() })
    }

    /// Whether the identifier is an alias (name or ARN): `kms:RequestAlias` is set only then.
    pub fn alias_name(&self) -> Option<&str> {
        match self {
            KeyIdentifier::AliasName { name } | KeyIdentifier::AliasArn { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether the identifier is a full ARN (required for cross-account calls).
    pub fn is_arn(&self) -> bool {
        matches!(self, KeyIdentifier::KeyArn { .. } | KeyIdentifier::AliasArn { .. })
    }
}

/// `arn:aws:kms:REGION:ACCOUNT:key/ID`
pub fn key_arn(partition: &str, region: &str, account: &str, key_id: &str) -> String {
    format!("arn:{partition}:kms:{region}:{account}:key/{key_id}")
}

/// `arn:aws:kms:REGION:ACCOUNT:alias/NAME` (name includes the `alias/` prefix).
pub fn alias_arn(partition: &str, region: &str, account: &str, alias_name: &str) -> String {
    format!("arn:{partition}:kms:{region}:{account}:{alias_name}")
}

/// Checks a 12-digit account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Validates an alias name per AWS's rules (prefix `alias/`, 1-256 characters, `[a-zA-Z0-9:/_-]`).
/// `reserved_ok` allows the `alias/aws/` prefix (AWS managed keys only).
pub fn validate_alias_name(name: &str, reserved_ok: bool) -> Result<(), KmsError> {
    if !name.starts_with("alias/") {
        return Err(KmsError::validation("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"));
    }
    if name.len() > 256 || name.len() <= "alias/".len() {
        return Err(KmsError::validation(format!("1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must have length between 1 and 256")));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-')) {
        return Err(KmsError::validation(format!("1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")));
    }
    if !reserved_ok && name.starts_with("alias/aws/") {
        // [verify] AWS documents that the prefix is reserved but not the error code; we answer ValidationException.
        return Err(KmsError::new(
            ErrorCode::ValidationException,
            "Alias names that begin with alias/aws/ are reserved for AWS managed keys",
        ));
    }
    Ok(())
}

/// 16 random bytes as a UUID version 4 (RFC 9562): the version nibble 4 and the variant bits `10` set. Key ids and
/// audit ids are such UUIDs.
pub(crate) fn uuid_v4_bits(mut bytes: [u8; 16]) -> [u8; 16] {
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    bytes
}
