//! Getting the registration authority's data in: registrations and materials.
//!
//! Every import is checked whole before anything is written, and written in one
//! transaction: a file with any bad row or any bad image changes nothing.

mod materials;
mod reader;
mod registrations;

pub use materials::{MaterialsSummary, import_materials};
pub use reader::{COLUMNS, Format, Line, read_records};
pub use registrations::{ImportSummary, import_registrations};

use std::fmt;

/// One problem found in an import, tied to where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line (registrations) or the file name (materials).
    pub place: String,
    /// The field or aspect at fault.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.place, self.field, self.problem)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be read at all.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// What was being read.
        path: String,
        /// Why it failed.
        reason: String,
    },
    /// The input was read, and these problems were found in it.
    #[error("{} problem(s) found; nothing was imported", .0.len())]
    Invalid(Vec<Problem>),
    /// Storage failed; the transaction was rolled back.
    #[error(transparent)]
    Store(#[from] ecert_store::StoreError),
}
