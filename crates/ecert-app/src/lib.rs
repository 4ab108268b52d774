//! ecert's use cases, shared by the command line and the web layer: getting the
//! registration authority's data in, reporting records, and inspecting them.

pub mod accounts;
pub mod certificates;
pub mod demo;
pub mod downloads;
pub mod endorsements;
pub mod files;
pub mod holders;
pub mod images;
pub mod import;
pub mod keys;
pub mod providers;
pub mod realname;
pub mod registry;
pub mod secrets;
pub mod sessions;
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

/// A moment as the holder reads it on a clock in China: `14:05`.
pub fn clock_time(moment: jiff::Timestamp) -> String {
    moment
        .to_zoned_datetime(ecert_domain::calendar::shanghai().clone())
        .strftime("%H:%M")
        .to_string()
}

/// A moment as date and time in China: `2026-12-03 14:05`.
pub fn local_time(moment: jiff::Timestamp) -> String {
    moment
        .to_zoned_datetime(ecert_domain::calendar::shanghai().clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}
