//! ecert's use cases, shared by the command line and the web layer: getting the
//! registration authority's data in, reporting records, and inspecting them.

pub mod certificates;
pub mod demo;
pub mod files;
pub mod images;
pub mod import;
pub mod keys;
pub mod registry;
pub mod settings;
pub mod verification;

pub use settings::IssuerSettings;

/// Receives progress of a long task; the command line draws a bar with it.
pub trait Progress {
    /// The task has `total` steps.
    fn start(&self, total: u64);
    /// `steps` more are done.
    fn advance(&self, steps: u64);
}

/// Progress that nobody watches.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _steps: u64) {}
}
