//! A progress bar on a terminal; nothing when output goes to a file or a pipe.

use indicatif::{ProgressBar, ProgressStyle};

/// Draws [`ecert_app::Progress`] as a bar on stderr.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar labelled `what`; hidden automatically when stderr is not a terminal.
    pub fn new(what: &'static str) -> Self {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what);
        Self(bar)
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl ecert_app::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }

    fn advance(&self, steps: u64) {
        self.0.inc(steps);
    }
}
