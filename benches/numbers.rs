//! Benchmarks of step 6's search results, the wizard's longest list: 100 available
//! numbers (the most one search may ask for), each with its prices and region, and a
//! cart whose totals are summed on every change.
//!
//! The state is built through messages only, as the app builds it: step 6's intro,
//! Enter (the search form), Enter (the search with its defaults), and the answer,
//! `Reply::NumbersFound` with 100 numbers.
//!
//! - `update/down_x99`: Home, then Down to the last result.
//! - `update/toggle_cart_x2`: Space twice on a result (into the cart, out again), with
//!   50 numbers already in the cart, whose totals are summed again each time.
//! - `render/results_120x40`: one frame of the results with 50 in the cart.
//! - `render/full_redraw_200x60`: the same frame on a cleared 200x60 terminal, so every
//!   cell is drawn and diffed, as after a resize.
//!
//! Run: `cargo bench --bench numbers -- --quick`.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use std::hint::black_box;
use telnyx_setup::api::{AvailableNumber, CostInformation, CredentialConnection, Feature, RegionInformation};
use telnyx_setup::msg::{Msg, Reply};
use telnyx_setup::state::{Mode, NumbersScreen, NumbersStep, State, Step};

const RESULTS: usize = 100;
const IN_CART: usize = 50;

/// A number as a search returns it: prices that vary, a city and a state.
fn available(index: usize) -> AvailableNumber {
    AvailableNumber {
        phone_number: format!("+1312555{index:04}"),
        cost_information: CostInformation {
            upfront_cost: format!("{}.{:02}", 1 + index % 3, index % 100),
            monthly_cost: format!("1.{:02}", (index * 7) % 100),
            currency: "USD".into(),
        },
        features: ["voice", "sms", "mms", "fax"].map(|name| Feature { name: name.into() }).to_vec(),
        region_information: vec![
            RegionInformation { region_type: "country_code".into(), region_name: "US".into() },
            RegionInformation { region_type: "location".into(), region_name: "Chicago".into() },
            RegionInformation { region_type: "state".into(), region_name: "IL".into() },
            RegionInformation { region_type: "rate_center".into(), region_name: "CHICAGO ZONE 1".into() },
        ],
    }
}

fn numbers(state: &State) -> &NumbersStep {
    match &state.step {
        Step::Numbers(step) => step,
        other => panic!("not on step 6: {other:?}"),
    }
}

/// Step 6's results with [`RESULTS`] numbers, [`IN_CART`] of them in the cart, the
/// cursor on the first one.
fn results() -> State {
    let mut state = common::start(Mode::Wizard);
    let connection = CredentialConnection {
        id: "1293384261075731402".into(),
        connection_name: "WebRTC (telnyx-setup)".into(),
        user_name: "webrtcbench01".into(),
        active: true,
        ..Default::default()
    };
    state.step = Step::Numbers(NumbersStep::new(connection, &["US".into(), "CA".into()]));
    common::press(&mut state, KeyCode::Enter);
    common::press(&mut state, KeyCode::Enter);
    let op = state.step.activity().pending.as_ref().expect("the search should be pending").op;
    black_box(
        state.update(Msg::Done {
            op,
            outcome: Ok(Reply::NumbersFound((0..RESULTS).map(available).collect())),
        }),
    );
    for _ in 0..IN_CART {
        common::press(&mut state, KeyCode::Char(' '));
        common::press(&mut state, KeyCode::Down);
    }
    common::press(&mut state, KeyCode::Home);
    let step = numbers(&state);
    assert_eq!(step.screen, NumbersScreen::Results);
    assert_eq!((step.results.len(), step.cart.len(), step.cursor), (RESULTS, IN_CART, 0));
    state
}

/// Home, then Down to the last result.
fn down_to_the_end(state: &mut State) {
    common::press(state, KeyCode::Home);
    for _ in 1..RESULTS {
        common::press(state, KeyCode::Down);
    }
}

/// Space twice: the highlighted number into the cart and out again.
fn toggle_twice(state: &mut State) {
    common::press(state, KeyCode::Char(' '));
    common::press(state, KeyCode::Char(' '));
}

// Each routine is run and checked once before it is measured, so the checks hold
// whether or not a filter on the command line runs the benchmark.
fn update(c: &mut Criterion) {
    let mut state = results();
    down_to_the_end(&mut state);
    assert_eq!(numbers(&state).cursor, RESULTS - 1, "Down should reach the last result");
    toggle_twice(&mut state);
    assert_eq!(numbers(&state).cart.len(), IN_CART, "two toggles leave the cart as it was");
    let mut group = c.benchmark_group("update");
    group.throughput(Throughput::Elements(RESULTS as u64 - 1));
    group.bench_function("down_x99", |b| b.iter(|| down_to_the_end(&mut state)));
    group.throughput(Throughput::Elements(2));
    group.bench_function("toggle_cart_x2", |b| b.iter(|| toggle_twice(&mut state)));
    group.finish();
}

fn render(c: &mut Criterion) {
    let mut state = results();
    for _ in 0..30 {
        common::press(&mut state, KeyCode::Down);
    }
    let mut group = c.benchmark_group("render");
    let mut terminal = common::terminal(120, 40);
    let screen = common::frame(&mut terminal, &state);
    assert!(screen.contains("+13125550030"), "the frame should show the highlighted number:\n{screen}");
    group.bench_function("results_120x40", |b| {
        b.iter(|| common::draw(&mut terminal, &state));
    });
    let mut terminal = common::terminal(200, 60);
    let screen = common::frame(&mut terminal, &state);
    assert!(screen.contains("cart: 50"), "the frame should show the cart:\n{screen}");
    group.bench_function("full_redraw_200x60", |b| {
        b.iter(|| common::full_redraw(&mut terminal, &state));
    });
    group.finish();
}

criterion_group!(benches, update, render);
criterion_main!(benches);
