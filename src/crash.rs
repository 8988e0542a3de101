//! Deliberate crashes, for the tests that prove the terminal is given back intact when
//! the program fails (the hidden `--simulate-crash` flag). Nothing here runs unless that
//! flag asked for it.

use std::sync::OnceLock;

/// Where the program should fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Crash {
    /// Panic in the UI loop on the first key press.
    Ui,
    /// Panic in the API worker on its first request, which stops the worker.
    Worker,
}

static PLANNED: OnceLock<Crash> = OnceLock::new();

/// Arms the crash; called once, at start-up.
pub fn plan(crash: Crash) {
    let _ = PLANNED.set(crash);
}

/// Panics if the armed crash is `at`.
pub fn here(at: Crash) {
    if PLANNED.get() == Some(&at) {
        panic!("simulated crash in the {at:?} (--simulate-crash)");
    }
}
