#![doc = include_str!("../README.md")]

pub mod api;
pub mod audit;
mod authz;
pub mod catalogue;
pub mod clock;
pub mod envelope;
pub mod error;
#[doc(hidden)]
pub mod fields;
pub mod grant;
pub mod hsm;
pub mod ids;
pub mod key;
pub mod keystate;
mod ops;
pub mod policy;
pub mod principal;
pub mod scenario;
pub mod trace;
pub mod world;

pub use api::{Blob, KmsRequest, OPERATIONS};
pub use audit::{AuditLog, AuditQuery, AuditRecord};
pub use authz::CROSS_ACCOUNT_ACTIONS;
pub use clock::{Duration, Timestamp};
pub use error::{ErrorCode, KmsError};
pub use hsm::Seed;
pub use key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin};
pub use ops::CallOutcome;
pub use policy::NamedPolicy;
pub use principal::{Account, Caller, Credentials, Role, User};
pub use trace::{AuthzTrace, CallTrace, Outcome};
pub use world::{World, WorldConfig};
