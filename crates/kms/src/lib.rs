#![doc = include_str!("../README.md")]

pub mod api;
pub mod audit;
mod authz;
pub mod catalogue;
pub mod clock;
mod context;
pub mod envelope;
pub mod error;
pub mod grant;
pub mod hsm;
pub mod ids;
pub mod key;
pub mod keystate;
pub mod model;
pub mod operation;
mod ops;
pub mod policy;
pub mod principal;
pub mod scenario;
pub mod services;
pub mod session;
pub mod trace;
pub mod validate;
pub mod world;

pub use api::{Blob, KmsRequest, OPERATIONS};
pub use audit::{AuditLog, AuditQuery, AuditRecord};
pub use clock::{Duration, Timestamp};
pub use error::{ErrorCode, KmsError};
pub use hsm::Seed;
pub use key::{Key, KeyManager, KeySpec, KeyState, KeyUsage, Origin};
pub use operation::Operation;
pub use ops::{CallOutcome, SimulatedRequest};
pub use policy::NamedPolicy;
pub use principal::{Account, Caller, Credentials, Role, User};
pub use trace::{AuthzTrace, CallTrace, Outcome};
pub use world::{World, WorldConfig};
