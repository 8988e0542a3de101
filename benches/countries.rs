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

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use std::hint::black_box;
use telnyx_setup::api::OutboundVoiceProfile;
use telnyx_setup::countries;
use telnyx_setup::state::{CountriesStep, Mode, State, Step};

const QUERIES: &[&str] = &["i", "ire", "united", "south korea", "uk", "vietnm", "zzzz"];

/// Step 5 with `/` open and `query` typed.
fn searching(query: &str) -> State {
    let mut state = common::start(Mode::Wizard);
    let profile = OutboundVoiceProfile {
        id: "1".into(),
        name: "WebRTC outbound".into(),
        whitelisted_destinations: vec!["US".into(), "CA".into()],
        ..Default::default()
    };
    state.step = Step::Countries(CountriesStep::new(profile, true));
    common::press(&mut state, KeyCode::Char('/'));
    for letter in query.chars() {
        common::press(&mut state, KeyCode::Char(letter));
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
                common::press(&mut state, KeyCode::Char('a'));
                common::press(&mut state, KeyCode::Backspace);
            })
        });
    }
    group.finish();
}

fn render(c: &mut Criterion) {
    let state = searching("ire");
    let mut terminal = common::terminal(80, 24);
    let screen = common::frame(&mut terminal, &state);
    assert!(screen.contains("IE Ireland"), "the frame should list Ireland:\n{screen}");
    c.bench_function("render/countries_search_80x24", |b| {
        b.iter(|| common::draw(&mut terminal, &state));
    });
    // Every cell drawn and diffed, as after a resize: the whole list at 200x60.
    let state = searching("");
    let mut terminal = common::terminal(200, 60);
    let screen = common::frame(&mut terminal, &state);
    assert!(screen.contains("Step 5 of 8"), "the frame should be step 5:\n{screen}");
    c.bench_function("render/countries_full_redraw_200x60", |b| {
        b.iter(|| common::full_redraw(&mut terminal, &state));
    });
}

criterion_group!(benches, search, update, render);
criterion_main!(benches);
