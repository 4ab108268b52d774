//! ecert's storage: one schema on SQLite (embedded default) or PostgreSQL (deployments).
//!
//! Both engines go through sqlx's `Any` driver with portable SQL (`$N` parameters, ISO days
//! as text, moments as epoch milliseconds), so every query is written once and the same
//! tests run on both. Only the migrations differ, one folder per engine.

mod accounts;
mod audit;
mod database;
mod endorsements;
mod error;
mod jobs;
mod keys;
mod materials;
mod registrations;
mod rows;
mod sessions;
#[cfg(feature = "testing")]
pub mod testing;

pub use accounts::{PhoneCode, StoredAccount, Throttle};
pub use audit::{AuditEntry, AuditRecord};
pub use database::{Engine, Store};
pub use endorsements::NewEndorsement;
pub use error::StoreError;
pub use jobs::{JobState, NewJob, StoredJob};
pub use keys::StoredKey;
pub use materials::{Material, MaterialKind, MaterialSummary};
pub use registrations::{
    NewVersion, RecordedEvent, RegistrationDetail, RegistrationWrite, StoredRegistration,
};
pub use sessions::{StoredChallenge, StoredSession};
