//! AWS KMS error codes and the error a call returns.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The AWS error codes a simulated call can return (the `__type` of the AWS JSON protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
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

impl ErrorCode {
    /// The `errorCode` CloudTrail writes for a call that failed with this error: `AccessDenied` for a denial (the
    /// API answers `AccessDeniedException`), the exception's name otherwise. Sources: the KMS Developer Guide's
    /// CloudTrail examples (<https://docs.aws.amazon.com/kms/latest/developerguide/ct-decrypt.html>) and real records
    /// of denied KMS calls (docs/research/issue-9-fidelity.md, A6); how CloudTrail writes ValidationException and
    /// throttling is not documented, so they keep the exception's name.
    pub fn cloudtrail_name(&self) -> &'static str {
        match self {
            ErrorCode::AccessDeniedException => "AccessDenied",
            other => other.as_str(),
        }
    }

    /// The code as AWS writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::AccessDeniedException => "AccessDeniedException",
            ErrorCode::AlreadyExistsException => "AlreadyExistsException",
            ErrorCode::ConflictException => "ConflictException",
            ErrorCode::DisabledException => "DisabledException",
            ErrorCode::DryRunOperationException => "DryRunOperationException",
            ErrorCode::IncorrectKeyException => "IncorrectKeyException",
            ErrorCode::InvalidAliasNameException => "InvalidAliasNameException",
            ErrorCode::InvalidArnException => "InvalidArnException",
            ErrorCode::InvalidCiphertextException => "InvalidCiphertextException",
            ErrorCode::InvalidGrantIdException => "InvalidGrantIdException",
            ErrorCode::InvalidGrantTokenException => "InvalidGrantTokenException",
            ErrorCode::InvalidKeyUsageException => "InvalidKeyUsageException",
            ErrorCode::InvalidMarkerException => "InvalidMarkerException",
            ErrorCode::KMSInvalidStateException => "KMSInvalidStateException",
            ErrorCode::LimitExceededException => "LimitExceededException",
            ErrorCode::MalformedPolicyDocumentException => "MalformedPolicyDocumentException",
            ErrorCode::NotFoundException => "NotFoundException",
            ErrorCode::TagException => "TagException",
            ErrorCode::UnsupportedOperationException => "UnsupportedOperationException",
            ErrorCode::ValidationException => "ValidationException",
        }
    }

    /// Parses a code as AWS writes it (used by scenario expectations).
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }
}

/// Every error code, for validation of scenario expectations.
pub const ALL_CODES: &[ErrorCode] = &[
    ErrorCode::AccessDeniedException,
    ErrorCode::AlreadyExistsException,
    ErrorCode::ConflictException,
    ErrorCode::DisabledException,
    ErrorCode::DryRunOperationException,
    ErrorCode::IncorrectKeyException,
    ErrorCode::InvalidAliasNameException,
    ErrorCode::InvalidArnException,
    ErrorCode::InvalidCiphertextException,
    ErrorCode::InvalidGrantIdException,
    ErrorCode::InvalidGrantTokenException,
    ErrorCode::InvalidKeyUsageException,
    ErrorCode::InvalidMarkerException,
    ErrorCode::KMSInvalidStateException,
    ErrorCode::LimitExceededException,
    ErrorCode::MalformedPolicyDocumentException,
    ErrorCode::NotFoundException,
    ErrorCode::TagException,
    ErrorCode::UnsupportedOperationException,
    ErrorCode::ValidationException,
];

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed call: AWS's error code and message. Policy errors from PutKeyPolicy/CreateKey also carry the engine's
/// located diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct KmsError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<kmsim_policy::PolicyError>,
}

impl KmsError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> KmsError {
        KmsError { code, message: message.into(), diagnostics: Vec::new() }
    }
    pub fn validation(message: impl Into<String>) -> KmsError {
        KmsError::new(ErrorCode::ValidationException, message)
    }
    pub fn not_found(message: impl Into<String>) -> KmsError {
        KmsError::new(ErrorCode::NotFoundException, message)
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for KmsError {}
