//! ecert's storage: one schema on SQLite (embedded default) or PostgreSQL (deployments).
//!
//! Both engines go through sqlx's `Any` driver with portable SQL (`$N` parameters, ISO days
//! as text, moments as epoch milliseconds), so every query is written once and the same
//! tests run on both. Only the migrations differ, one folder per engine.

mod database;
mod error;
mod keys;
mod materials;
mod registrations;
mod rows;
#[cfg(feature = "testing")]
pub mod testing;

pub use database::{Engine, Store};
pub use error::StoreError;
pub use keys::StoredKey;
pub use materials::{Material, MaterialKind, MaterialSummary};
pub use registrations::{
    NewVersion, RecordedEvent, RegistrationDetail, RegistrationWrite, StoredRegistration,
};
