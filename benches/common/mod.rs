//! What the benchmarks share (`mod common;` in each; cargo builds only `benches/*.rs`
//! as benchmarks, so this directory is not one): a fresh state as the app starts it,
//! a key press through update(), and drawing a frame on a TestBackend.

// Each benchmark uses the part it needs.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};
use telnyx_setup::msg::Msg;
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{ApiTarget, KeySource, Mode, Start, State};

/// A fresh state in `mode`, with a key from the command line, a fixed seed and clock.
pub fn start(mode: Mode) -> State {
    State::new(Start {
        key: Some(Secret::from("KEYbench")),
        key_source: KeySource::Flag,
        seed: 1,
        color: true,
        now: UNIX_EPOCH + Duration::from_secs(1_795_780_800),
        utc_offset: time::UtcOffset::UTC,
        mode,
        api: ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
    })
}

/// `code` pressed, through update().
pub fn press(state: &mut State, code: KeyCode) {
    black_box(state.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))));
}

/// One frame of `state` on `terminal`, drawn as the app draws (only changed cells).
pub fn draw(terminal: &mut Terminal<TestBackend>, state: &State) {
    terminal.draw(|frame| telnyx_setup::ui::view(state, frame)).map(|_| ()).expect("draw");
}

/// One frame of `state` on a cleared `terminal`: every cell drawn and diffed, as after
/// a resize.
pub fn full_redraw(terminal: &mut Terminal<TestBackend>, state: &State) {
    terminal.clear().expect("clear");
    draw(terminal, state);
}

/// Draws `state` once on `terminal` and returns the screen's text: what a render
/// benchmark's checks look at, drawn before it runs so that they hold whether or not
/// a filter on the command line runs the benchmark.
pub fn frame(terminal: &mut Terminal<TestBackend>, state: &State) -> String {
    draw(terminal, state);
    terminal.backend().to_string()
}

/// A `cols`x`rows` test terminal.
pub fn terminal(cols: u16, rows: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(cols, rows)).expect("a test terminal")
}
