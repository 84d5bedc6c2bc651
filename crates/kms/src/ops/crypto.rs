//! Cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey (with and without plaintext), GenerateRandom.

use serde_json::Value as Json;

use super::json::{b64, ToJson};
use super::steps::{caller_account, KeyAuthz};
use super::Cx;
use crate::api::*;
use crate::context;
use crate::error::{ErrorCode, KmsError};
use crate::hsm::{EncryptionContext, Hsm};
use crate::ids::KeyIdentifier;
use crate::key::Key;
use crate::operation::Operation;
use crate::principal::Caller;
use crate::trace::CheckKind;
use crate::world::World;

impl World {
    pub(super) fn ec_params(&self, cx: &mut Cx, ec: Option<&Ec>) -> Result<EncryptionContext, KmsError> {
        let ec = ec.cloned().unwrap_or_default();
        let size: usize = ec.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > 8192 {
            return self.param(
                cx,
                Err(KmsError::validation("The encryption context is too large: at most 8192 bytes of keys and values")),
            );
        }
        Ok(ec)
    }

    pub(super) fn encrypt(&mut self, cx: &mut Cx, caller: &Caller, r: &Encrypt) -> Result<Json, KmsError> {
        let ec = self.ec_params(cx, r.encryption_context.as_ref())?;
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "encryptionAlgorithm": r.encryption_algorithm.as_deref().unwrap_or("SYMMETRIC_DEFAULT"), "encryptionContext": ec }),
        );
        self.algorithm(cx, r.encryption_algorithm.as_deref())?;
        let (key, ident) = self.lookup_for(cx, caller, &r.key_id, true)?;
        let authz =
            KeyAuthz::new(Operation::Encrypt, &key).named(Some(&ident)).ec(&ec).tokens(r.grant_tokens.as_deref());
        self.authorize_key(cx, caller, authz, context::symmetric_algorithm)?;
        self.state(cx, Operation::Encrypt, &key)?;
        self.usage(cx, Operation::Encrypt, &key)?;
        self.dry_run(cx, r.dry_run)?;
        let blob = self.with_hsm(|h| h.encrypt(&key.key_id, key.current_version, &r.plaintext.0, &ec));
        let blob = blob.map_err(|e| KmsError::validation(e.to_string()))?;
        cx.check(
            CheckKind::Cryptography,
            true,
            format!(
                "AES-256-GCM under backing key version {}; encryption context bound as additional authenticated data",
                key.current_version
            ),
        );
        Ok(obj!({ "CiphertextBlob": b64(&blob), "KeyId": key.arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT" }))
    }

    pub(super) fn algorithm(&self, cx: &mut Cx, alg: Option<&str>) -> Result<(), KmsError> {
        match alg {
            None | Some("SYMMETRIC_DEFAULT") => Ok(()),
            Some(a) => self.param(
                cx,
                Err(KmsError::new(
                    ErrorCode::InvalidKeyUsageException,
                    format!("Algorithm {a} is not valid for a symmetric encryption key; use SYMMETRIC_DEFAULT"),
                )),
            ),
        }
    }

    /// Finds the key of a ciphertext from its header, checking a named KeyId against it.
    pub(super) fn ciphertext_key(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        blob: &[u8],
        key_id: Option<&str>,
    ) -> Result<(Key, Option<KeyIdentifier>), KmsError> {
        let header = match Hsm::parse_header(blob) {
            Ok(h) => h,
            Err(_) => {
                cx.check(
                    CheckKind::Parameters,
                    false,
                    "the ciphertext blob is not a kmsim ciphertext (header unreadable)",
                );
                return Err(KmsError::new(ErrorCode::InvalidCiphertextException, ""));
            }
        };
        let found = self.keys().find(|k| k.key_id == header.key_id).cloned();
        let Some(key) = found else {
            // [verify] AWS's wording for a ciphertext whose key is gone or inaccessible (local-kms and moto use it).
            let e = KmsError::new(ErrorCode::AccessDeniedException, "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.");
            cx.check(
                CheckKind::KeyLookup,
                false,
                format!("the ciphertext names key {} which does not exist", header.key_id),
            );
            return Err(e);
        };
        cx.check(
            CheckKind::KeyLookup,
            true,
            format!("the ciphertext header names {} (backing key version {})", key.arn, header.version),
        );
        cx.resource(&key);
        let mut ident = None;
        if let Some(named) = key_id {
            let account = caller_account(caller);
            match self.find_key(named, &account) {
                Ok((arn, i)) if arn == key.arn => ident = Some(i),
                Ok(_) | Err(_) => {
                    let e = KmsError::new(
                        ErrorCode::IncorrectKeyException,
                        "The key ID in the request does not identify a CMK that can perform this operation.",
                    );
                    cx.check(
                        CheckKind::KeyLookup,
                        false,
                        format!("KeyId `{named}` does not name the key that encrypted the ciphertext ({})", key.arn),
                    );
                    return Err(e);
                }
            }
        }
        Ok((key, ident))
    }

    /// The ciphertext of a Decrypt or ReEncrypt: `None` when DryRun is set with the `IGNORE_CIPHERTEXT` modifier
    /// (only authorization is checked, through the named key); otherwise the blob, which the model leaves optional
    /// only for that case.
    pub(super) fn ciphertext<'r>(
        &self,
        cx: &mut Cx,
        blob: Option<&'r Blob>,
        dry: Option<bool>,
        modifiers: Option<&[String]>,
    ) -> Result<Option<&'r Blob>, KmsError> {
        let ignore = dry == Some(true) && modifiers.is_some_and(|m| m.iter().any(|x| x == "IGNORE_CIPHERTEXT"));
        if ignore {
            cx.check(CheckKind::Parameters, true, "DryRun with IGNORE_CIPHERTEXT: the ciphertext is not read");
            return Ok(None);
        }
        match blob {
            Some(b) => Ok(Some(b)),
            None => self.param(cx, Err(KmsError::validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"))),
        }
    }

    /// The key a Decrypt or ReEncrypt names by its ciphertext or, with `IGNORE_CIPHERTEXT`, by its key id.
    fn source_key(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        blob: Option<&Blob>,
        key_id: Option<&str>,
    ) -> Result<(Key, Option<KeyIdentifier>), KmsError> {
        match (blob, key_id) {
            (Some(b), _) => self.ciphertext_key(cx, caller, &b.0, key_id),
            (None, Some(k)) => self.lookup_for(cx, caller, k, true).map(|(key, i)| (key, Some(i))),
            // [verify] AWS's message when IGNORE_CIPHERTEXT comes without a key id.
            (None, None) => self.param(
                cx,
                Err(KmsError::validation("A KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT")),
            ),
        }
    }

    pub(super) fn decrypt(&mut self, cx: &mut Cx, caller: &Caller, r: &Decrypt) -> Result<Json, KmsError> {
        let ec = self.ec_params(cx, r.encryption_context.as_ref())?;
        cx.request_parameters = Some(
            obj!({ "keyId": r.key_id, "encryptionAlgorithm": r.encryption_algorithm.as_deref().unwrap_or("SYMMETRIC_DEFAULT"), "encryptionContext": ec }),
        );
        self.recipient(cx, r.recipient.as_ref())?;
        self.algorithm(cx, r.encryption_algorithm.as_deref())?;
        let blob = self.ciphertext(cx, r.ciphertext_blob.as_ref(), r.dry_run, r.dry_run_modifiers.as_deref())?;
        let (key, ident) = self.source_key(cx, caller, blob, r.key_id.as_deref())?;
        let authz =
            KeyAuthz::new(Operation::Decrypt, &key).named(ident.as_ref()).ec(&ec).tokens(r.grant_tokens.as_deref());
        self.authorize_key(cx, caller, authz, context::symmetric_algorithm)?;
        self.state(cx, Operation::Decrypt, &key)?;
        self.usage(cx, Operation::Decrypt, &key)?;
        self.dry_run(cx, r.dry_run)?;
        let Some(blob) = blob else { return self.dry_run(cx, Some(true)).map(|()| Json::Null) };
        match self.hsm().decrypt(&blob.0, &ec) {
            Ok(d) => {
                cx.check(
                    CheckKind::Cryptography,
                    true,
                    format!(
                        "authentication tag verified with backing key version {}; the encryption context matches",
                        d.version
                    ),
                );
                Ok(
                    obj!({ "KeyId": key.arn, "Plaintext": b64(&d.plaintext), "EncryptionAlgorithm": "SYMMETRIC_DEFAULT" }),
                )
            }
            Err(_) => {
                cx.check(CheckKind::Cryptography, false, "authentication failed: the ciphertext was altered or the encryption context is not exactly the one used to encrypt");
                Err(KmsError::new(ErrorCode::InvalidCiphertextException, ""))
            }
        }
    }

    pub(super) fn re_encrypt(&mut self, cx: &mut Cx, caller: &Caller, r: &ReEncrypt) -> Result<Json, KmsError> {
        let src_ec = self.ec_params(cx, r.source_encryption_context.as_ref())?;
        let dst_ec = self.ec_params(cx, r.destination_encryption_context.as_ref())?;
        let src_alg = r.source_encryption_algorithm.as_deref();
        let dst_alg = r.destination_encryption_algorithm.as_deref();
        cx.request_parameters = Some(obj!({
            "sourceKeyId": r.source_key_id, "destinationKeyId": r.destination_key_id,
            "sourceEncryptionContext": src_ec, "destinationEncryptionContext": dst_ec,
            "sourceEncryptionAlgorithm": src_alg.unwrap_or("SYMMETRIC_DEFAULT"),
            "destinationEncryptionAlgorithm": dst_alg.unwrap_or("SYMMETRIC_DEFAULT"),
        }));
        self.algorithm(cx, src_alg)?;
        self.algorithm(cx, dst_alg)?;
        let blob = self.ciphertext(cx, r.ciphertext_blob.as_ref(), r.dry_run, r.dry_run_modifiers.as_deref())?;
        let (src, src_ident) = self.source_key(cx, caller, blob, r.source_key_id.as_deref())?;
        let (dst, dst_ident) = self.lookup_for(cx, caller, &r.destination_key_id, true)?;
        let same = src.arn == dst.arn;
        // [verify] the source context is checked against the source key's policy, the destination context against
        // the destination key's (reference 1f).
        let tokens = r.grant_tokens.as_deref();
        let from = KeyAuthz::new(Operation::ReEncrypt, &src).action("kms:ReEncryptFrom");
        self.authorize_key(cx, caller, from.named(src_ident.as_ref()).ec(&src_ec).tokens(tokens), |c| {
            context::re_encrypt(c, same)
        })?;
        let to = KeyAuthz::new(Operation::ReEncrypt, &dst).action("kms:ReEncryptTo");
        self.authorize_key(cx, caller, to.named(Some(&dst_ident)).ec(&dst_ec).tokens(tokens), |c| {
            context::re_encrypt(c, same)
        })?;
        self.state(cx, Operation::ReEncrypt, &src)?;
        self.state(cx, Operation::ReEncrypt, &dst)?;
        self.usage(cx, Operation::ReEncrypt, &src)?;
        self.usage(cx, Operation::ReEncrypt, &dst)?;
        self.dry_run(cx, r.dry_run)?;
        let Some(blob) = blob else { return self.dry_run(cx, Some(true)).map(|()| Json::Null) };
        let plain = match self.hsm().decrypt(&blob.0, &src_ec) {
            Ok(d) => d,
            Err(_) => {
                cx.check(CheckKind::Cryptography, false, "authentication failed: the source ciphertext was altered or the source encryption context does not match");
                return Err(KmsError::new(ErrorCode::InvalidCiphertextException, ""));
            }
        };
        let blob = self.with_hsm(|h| h.encrypt(&dst.key_id, dst.current_version, &plain.plaintext, &dst_ec));
        let blob = blob.map_err(|e| KmsError::validation(e.to_string()))?;
        cx.check(CheckKind::Cryptography, true, "decrypted under the source key and encrypted under the destination key inside the HSM; the plaintext never left it");
        Ok(obj!({
            "CiphertextBlob": b64(&blob), "SourceKeyId": src.arn, "KeyId": dst.arn,
            "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }))
    }

    /// GenerateDataKey and GenerateDataKeyWithoutPlaintext.
    pub(super) fn generate_data_key(&mut self, cx: &mut Cx, caller: &Caller, r: DataKey<'_>) -> Result<Json, KmsError> {
        let DataKey { op, key_id, key_spec, number_of_bytes, ec, tokens, dry, recipient } = r;
        let with_plaintext = op == Operation::GenerateDataKey;
        let ec = self.ec_params(cx, ec)?;
        cx.request_parameters = Some(
            obj!({ "keyId": key_id, "keySpec": key_spec, "numberOfBytes": number_of_bytes, "encryptionContext": ec }),
        );
        self.recipient(cx, recipient)?;
        let n = match (key_spec, number_of_bytes) {
            // The model's DataKeySpec and NumberOfBytesType were checked before the call ran.
            (Some("AES_128"), None) => Ok(16usize),
            (Some(_), None) => Ok(32usize),
            (None, Some(n)) => Ok(usize::try_from(n).unwrap_or(32)),
            (Some(_), Some(_)) => {
                Err(KmsError::validation("Please specify either number of bytes or key spec, not both."))
            }
            (None, None) => Err(KmsError::validation("Please specify either number of bytes or key spec.")),
        };
        let n = self.param(cx, n)?;
        let (key, ident) = self.lookup_for(cx, caller, key_id, true)?;
        let authz = KeyAuthz::new(op, &key).named(Some(&ident)).ec(&ec).tokens(tokens);
        self.authorize_key(cx, caller, authz, context::symmetric_algorithm)?;
        self.state(cx, op, &key)?;
        self.usage(cx, op, &key)?;
        self.dry_run(cx, dry)?;
        let (data_key, blob) = self.with_hsm(|h| {
            let dk = h.random_bytes(n);
            let blob = h.encrypt(&key.key_id, key.current_version, &dk, &ec);
            (dk, blob)
        });
        let blob = blob.map_err(|e| KmsError::validation(e.to_string()))?;
        cx.check(
            CheckKind::Cryptography,
            true,
            format!(
                "{n}-byte data key drawn inside the HSM and encrypted under backing key version {}",
                key.current_version
            ),
        );
        let mut out = obj!({ "CiphertextBlob": b64(&blob), "KeyId": key.arn });
        if with_plaintext {
            if let Some(o) = out.as_object_mut() {
                o.insert("Plaintext".into(), ToJson::to_json(&b64(&data_key)));
            }
        }
        Ok(out)
    }

    pub(super) fn generate_random(
        &mut self,
        cx: &mut Cx,
        caller: &Caller,
        r: &GenerateRandom,
    ) -> Result<Json, KmsError> {
        cx.request_parameters = Some(obj!({ "numberOfBytes": r.number_of_bytes }));
        self.custom_key_store(cx, r.custom_key_store_id.as_deref())?;
        self.recipient(cx, r.recipient.as_ref())?;
        let n = match r.number_of_bytes {
            Some(n) => Ok(usize::try_from(n).unwrap_or(32)),
            None => Err(KmsError::validation("NumberOfBytes is required.")),
        };
        let n = self.param(cx, n)?;
        self.authorize_identity(cx, caller, Operation::GenerateRandom, "*", |_| {})?;
        let bytes = self.with_hsm(|h| h.random_bytes(n));
        cx.check(CheckKind::Cryptography, true, format!("{n} random bytes from the HSM"));
        Ok(obj!({ "Plaintext": b64(&bytes) }))
    }
}

/// A GenerateDataKey or GenerateDataKeyWithoutPlaintext request (the two have the same parameters).
pub(super) struct DataKey<'a> {
    op: Operation,
    key_id: &'a str,
    key_spec: Option<&'a str>,
    number_of_bytes: Option<i64>,
    ec: Option<&'a Ec>,
    tokens: Option<&'a [String]>,
    dry: Option<bool>,
    recipient: Option<&'a RecipientInfo>,
}

impl<'a> DataKey<'a> {
    pub(super) fn with_plaintext(r: &'a GenerateDataKey) -> DataKey<'a> {
        DataKey {
            op: Operation::GenerateDataKey,
            key_id: &r.key_id,
            key_spec: r.key_spec.as_deref(),
            number_of_bytes: r.number_of_bytes,
            ec: r.encryption_context.as_ref(),
            tokens: r.grant_tokens.as_deref(),
            dry: r.dry_run,
            recipient: r.recipient.as_ref(),
        }
    }
    pub(super) fn without_plaintext(r: &'a GenerateDataKeyWithoutPlaintext) -> DataKey<'a> {
        DataKey {
            op: Operation::GenerateDataKeyWithoutPlaintext,
            key_id: &r.key_id,
            key_spec: r.key_spec.as_deref(),
            number_of_bytes: r.number_of_bytes,
            ec: r.encryption_context.as_ref(),
            tokens: r.grant_tokens.as_deref(),
            dry: r.dry_run,
            recipient: None,
        }
    }
}
