//! Benchmarks of the country search, which runs on every key typed in step 5's `/`
//! search: ranking the ~250 countries (names, aliases, regions) with the matcher.
//!
//! - `search/<query>`: `countries::search` alone, for queries that end in each tier:
//!   one letter (prefixes and word starts only), a name prefix, two words, an alias,
//!   a typo (fuzzy), and nothing found (every country tried fuzzily).
//! - `update/type_and_erase_after_<query>`: on step 5 with `/` open and `query` typed,
//!   one more letter and Backspace through `State::update`: the cost of two key
//!   presses, each of which ranks the list (for the screen's bindings and the cursor).
//! - `render/countries_search_80x24`: one frame of the step with a search applied.
//! - `render/countries_full_redraw_200x60`: the whole list (`/` open, nothing typed)
//!   on a cleared 200x60 terminal, so every cell is drawn and diffed, as after a resize.
//!
//! Run: `cargo bench --bench countries -- --quick`.

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};
use telnyx_setup::api::OutboundVoiceProfile;
use telnyx_setup::countries;
use telnyx_setup::msg::Msg;
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{CountriesStep, KeySource, Mode, Start, State, Step};

const QUERIES: &[&str] = &["i", "ire", "united", "south korea", "uk", "vietnm", "zzzz"];

fn press(state: &mut State, code: KeyCode) {
    black_box(state.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))));
}

/// Step 5 with `/` open and `query` typed.
fn searching(query: &str) -> State {
    let mut state = State::new(Start {
        key: Some(Secret::from("KEYbench")),
        key_source: KeySource::Flag,
        seed: 1,
        color: true,
        now: UNIX_EPOCH + Duration::from_secs(1_795_780_800),
        utc_offset: time::UtcOffset::UTC,
        mode: Mode::Wizard,
        api: telnyx_setup::state::ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
    });
    let profile = OutboundVoiceProfile {
        id: "1".into(),
        name: "WebRTC outbound".into(),
        whitelisted_destinations: vec!["US".into(), "CA".into()],
        ..Default::default()
    };
    state.step = Step::Countries(CountriesStep::new(profile, true, 0));
    press(&mut state, KeyCode::Char('/'));
    for letter in query.chars() {
        press(&mut state, KeyCode::Char(letter));
    }
    let Step::Countries(step) = &state.step else { panic!("on step 5") };
    assert_eq!(step.filter.value(), query);
    state
}

fn search(c: &mut Criterion) {
    let mut group = c.benchmark_group("search");
    for query in QUERIES {
        group.bench_function(*query, |b| b.iter(|| countries::search(black_box(query))));
    }
    group.finish();
}

fn update(c: &mut Criterion) {
    let mut group = c.benchmark_group("update");
    for query in ["ire", "south korea", "zzzz"] {
        let mut state = searching(query);
        group.bench_function(format!("type_and_erase_after_{query}"), |b| {
            b.iter(|| {
                press(&mut state, KeyCode::Char('a'));
                press(&mut state, KeyCode::Backspace);
            })
        });
    }
    group.finish();
}

/// Draws `state` once on `terminal` and returns the screen's text: what a render
/// benchmark's assertions look at, drawn before it runs so that they hold whether or
/// not a filter on the command line runs the benchmark.
fn frame(terminal: &mut Terminal<TestBackend>, state: &State) -> String {
    terminal.draw(|frame| telnyx_setup::ui::view(state, frame)).expect("draw");
    terminal.backend().to_string()
}

fn render(c: &mut Criterion) {
    let state = searching("ire");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    let screen = frame(&mut terminal, &state);
    assert!(screen.contains("IE Ireland"), "the frame should list Ireland:\n{screen}");
    c.bench_function("render/countries_search_80x24", |b| {
        b.iter(|| terminal.draw(|frame| telnyx_setup::ui::view(&state, frame)).map(|_| ()).expect("draw"));
    });
    // Every cell drawn and diffed, as after a resize: the whole list at 200x60.
    let state = searching("");
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("a test terminal");
    let screen = frame(&mut terminal, &state);
    assert!(screen.contains("Step 5 of 8"), "the frame should be step 5:\n{screen}");
    c.bench_function("render/countries_full_redraw_200x60", |b| {
        b.iter(|| {
            terminal.clear().expect("clear");
            terminal.draw(|frame| telnyx_setup::ui::view(&state, frame)).map(|_| ()).expect("draw")
        });
    });
}

criterion_group!(benches, search, update, render);
criterion_main!(benches);
