//! Benchmarks of the read-only inspector on an account with 10,000 phone numbers: what
//! a key press costs in update() and what a frame costs in view(), with every page of
//! the listing loaded.
//!
//! The state is built the way the app builds it, through messages only: the sign-in
//! reply, then End and a `Reply::Browsed` page of 100 numbers (raw JSON shaped like the
//! sandbox's records), a hundred times, each answering the op the inspector has pending.
//!
//! - `update/down_x10000`: Home, then Down through all 10,000 rows.
//! - `update/page_down_x1000`: Home, then PageDown (10 rows) to the end.
//! - `update/filter_typed_and_cancelled`: `/`, `1234`, Esc: the prompt alone.
//! - `update/filter_applied`: `/`, `1234`, Enter, and the one-number page answered, on
//!   a fresh 10,000-number listing each time (its replacement is part of the cost).
//! - `render/view_120x40_cursor_7500`: one frame of `ui::view` on a 120x40 TestBackend
//!   with the cursor on row 7,500, fields and raw JSON.
//! - `render/full_redraw_200x60_cursor_7500`: the same on a cleared 200x60 terminal, so
//!   every cell is drawn and diffed, as after a resize.
//! - `local_filter/credentials_10000_*`: the credentials tab, which the API cannot
//!   filter, with 10,000 credentials loaded under a `/` filter applied here: Down and
//!   Up, and one frame. This is the path where a key's cost grows with what is loaded.
//!
//! Run: `cargo bench --bench inspector -- --quick` (or `--measurement-time 2`).

mod common;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use serde_json::{Value, json};
use std::hint::black_box;
use telnyx_setup::api::{Balance, Page, PageMeta};
use telnyx_setup::msg::{Msg, Reply};
use telnyx_setup::state::{InspectorStep, Mode, PAGE_SIZE, State, Step, Tab};

const NUMBERS: usize = 10_000;
const CONNECTION: &str = "1293384261075731402";
const STAMP: &str = "2026-11-27T12:00:00.000000Z";

/// A phone number as the sandbox (and Telnyx) lists it.
fn number(index: usize) -> Value {
    json!({
        "id": (1_293_384_261_075_800_000u64 + index as u64).to_string(),
        "record_type": "phone_number",
        "phone_number": format!("+1555{index:07}"),
        "status": "active",
        "phone_number_type": "local",
        "country_iso_alpha2": "US",
        "connection_id": CONNECTION,
        "connection_name": "Office softphones",
        "messaging_profile_id": null,
        "messaging_profile_name": null,
        "billing_group_id": null,
        "customer_reference": null,
        "tags": [],
        "external_pin": null,
        "emergency_enabled": false,
        "emergency_address_id": null,
        "call_forwarding_enabled": true,
        "cnam_listing_enabled": false,
        "caller_id_name_enabled": false,
        "call_recording_enabled": false,
        "hd_voice_enabled": false,
        "inbound_call_screening": "disabled",
        "deletion_lock_enabled": false,
        "source_type": "number_order",
        "purchased_at": STAMP,
        "created_at": STAMP,
        "updated_at": STAMP,
    })
}

fn page(data: Vec<Value>, number: u32, total: u64) -> Page<Value> {
    Page {
        data,
        meta: PageMeta {
            page_number: number,
            page_size: PAGE_SIZE,
            total_pages: total.div_ceil(u64::from(PAGE_SIZE)) as u32,
            total_results: total,
        },
    }
}

/// Answers the request the inspector has pending.
fn answer(state: &mut State, reply: Reply) {
    let op = state.step.activity().pending.as_ref().expect("a request should be pending").op;
    black_box(state.update(Msg::Done { op, outcome: Ok(reply) }));
}

fn inspector(state: &State) -> &InspectorStep {
    match &state.step {
        Step::Inspect(step) => step,
        other => panic!("not in the inspector: {other:?}"),
    }
}

/// Signed in to the inspector, on the numbers tab with all 10,000 numbers loaded
/// (`pages` are cloned in), the cursor at the top.
fn loaded(pages: &[Vec<Value>]) -> State {
    let mut state = common::start(Mode::Inspector);
    common::press(&mut state, KeyCode::Enter);
    let balance = Balance {
        balance: "250.00".into(),
        available_credit: "250.00".into(),
        credit_limit: "0.00".into(),
        pending: "0.00".into(),
        currency: "USD".into(),
    };
    answer(&mut state, Reply::KeyAccepted(balance));
    answer(&mut state, Reply::Browsed(page(Vec::new(), 1, 0)));
    common::press(&mut state, KeyCode::Char('3'));
    for (index, data) in pages.iter().enumerate() {
        answer(&mut state, Reply::Browsed(page(data.clone(), index as u32 + 1, NUMBERS as u64)));
        // The cursor at the end of what is loaded: the next page is asked for.
        common::press(&mut state, KeyCode::End);
    }
    common::press(&mut state, KeyCode::Home);
    let listing = &inspector(&state).listing;
    assert_eq!(listing.tab, Tab::Numbers);
    assert_eq!(listing.records().len(), NUMBERS, "every page should be loaded");
    assert!(listing.next_page.is_none() && !state.busy(), "nothing more to load");
    state
}

fn all_pages() -> Vec<Vec<Value>> {
    (0..NUMBERS).map(number).collect::<Vec<_>>().chunks(PAGE_SIZE as usize).map(<[Value]>::to_vec).collect()
}

fn update(c: &mut Criterion) {
    let pages = all_pages();
    let mut state = loaded(&pages);
    let mut group = c.benchmark_group("update");

    group.throughput(Throughput::Elements(NUMBERS as u64));
    group.bench_function("down_x10000", |b| {
        b.iter(|| {
            common::press(&mut state, KeyCode::Home);
            for _ in 1..NUMBERS {
                common::press(&mut state, KeyCode::Down);
            }
        });
    });
    assert_eq!(inspector(&state).listing.cursor, NUMBERS - 1, "Down should reach the last number");

    group.throughput(Throughput::Elements(NUMBERS as u64 / 10));
    group.bench_function("page_down_x1000", |b| {
        b.iter(|| {
            common::press(&mut state, KeyCode::Home);
            for _ in 0..NUMBERS / 10 {
                common::press(&mut state, KeyCode::PageDown);
            }
        });
    });
    assert_eq!(inspector(&state).listing.cursor, NUMBERS - 1, "PageDown should reach the last number");

    group.throughput(Throughput::Elements(6));
    group.bench_function("filter_typed_and_cancelled", |b| {
        b.iter(|| {
            common::press(&mut state, KeyCode::Char('/'));
            for digit in "1234".chars() {
                common::press(&mut state, KeyCode::Char(digit));
            }
            common::press(&mut state, KeyCode::Esc);
        });
    });
    assert!(inspector(&state).filter_input.is_none(), "Esc should close the prompt");
    assert_eq!(inspector(&state).listing.records().len(), NUMBERS, "a cancelled prompt keeps the listing");

    group.throughput(Throughput::Elements(7));
    group.bench_function("filter_applied", |b| {
        b.iter_batched(
            || loaded(&pages),
            |mut state| {
                common::press(&mut state, KeyCode::Char('/'));
                for digit in "1234".chars() {
                    common::press(&mut state, KeyCode::Char(digit));
                }
                common::press(&mut state, KeyCode::Enter);
                answer(&mut state, Reply::Browsed(page(vec![number(1234)], 1, 1)));
                debug_assert_eq!(inspector(&state).listing.records().len(), 1);
                state
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn render(c: &mut Criterion) {
    let mut state = loaded(&all_pages());
    for _ in 0..750 {
        common::press(&mut state, KeyCode::PageDown);
    }
    assert_eq!(inspector(&state).listing.cursor, 7_500);
    let mut terminal = common::terminal(120, 40);
    let screen = common::frame(&mut terminal, &state);
    assert!(screen.contains("+15550007500"), "the frame should show row 7,500:\n{screen}");
    let mut group = c.benchmark_group("render");
    group.bench_function("view_120x40_cursor_7500_fields", |b| {
        b.iter(|| common::draw(&mut terminal, &state));
    });
    common::press(&mut state, KeyCode::Char('J'));
    assert!(inspector(&state).raw, "J should show the raw JSON");
    group.bench_function("view_120x40_cursor_7500_raw_json", |b| {
        b.iter(|| common::draw(&mut terminal, &state));
    });
    common::press(&mut state, KeyCode::Char('J'));
    assert!(!inspector(&state).raw, "J again should show the fields");
    let mut terminal = common::terminal(200, 60);
    let screen = common::frame(&mut terminal, &state);
    assert!(screen.contains("+15550007500"), "the 200x60 frame should show row 7,500:\n{screen}");
    group.bench_function("full_redraw_200x60_cursor_7500", |b| {
        b.iter(|| common::full_redraw(&mut terminal, &state));
    });
    group.finish();
}

/// A telephony credential as Telnyx lists it.
fn credential(index: usize) -> Value {
    json!({
        "id": format!("c215ade3-0d39-418e-94be-{index:012}"),
        "record_type": "credential",
        "name": format!("Login {index}"),
        "resource_id": format!("connection:{CONNECTION}"),
        "sip_username": format!("gencred{index:024}"),
        "sip_password": "a92dbcfb60184a8cb330b0acb2f7617b",
        "expired": false,
        "expires_at": null,
        "created_at": STAMP,
        "updated_at": STAMP,
    })
}

/// The credentials tab has no server-side filter, so `/` filters the loaded records
/// here: 10,000 credentials loaded under the filter "login" (which all match).
fn local_filter(c: &mut Criterion) {
    let mut state = loaded(&all_pages());
    let pages: Vec<Vec<Value>> = (0..NUMBERS)
        .map(credential)
        .collect::<Vec<_>>()
        .chunks(PAGE_SIZE as usize)
        .map(<[Value]>::to_vec)
        .collect();
    common::press(&mut state, KeyCode::Char('5'));
    answer(&mut state, Reply::Browsed(page(pages[0].clone(), 1, NUMBERS as u64)));
    common::press(&mut state, KeyCode::Char('/'));
    for letter in "login".chars() {
        common::press(&mut state, KeyCode::Char(letter));
    }
    common::press(&mut state, KeyCode::Enter);
    for (index, data) in pages.iter().enumerate() {
        answer(&mut state, Reply::Browsed(page(data.clone(), index as u32 + 1, NUMBERS as u64)));
        common::press(&mut state, KeyCode::End);
    }
    common::press(&mut state, KeyCode::Home);
    let listing = &inspector(&state).listing;
    assert_eq!((listing.tab, listing.filter.as_str()), (Tab::Credentials, "login"));
    assert_eq!(listing.visible().len(), NUMBERS, "every credential should be loaded and match");
    assert!(!state.busy(), "nothing more to load");

    let mut group = c.benchmark_group("local_filter");
    // Each iteration takes tens of milliseconds: fewer samples keep the run short.
    group.sample_size(10);
    group.bench_function("credentials_10000_down_up", |b| {
        b.iter(|| {
            common::press(&mut state, KeyCode::Down);
            common::press(&mut state, KeyCode::Up);
        });
    });
    let mut terminal = common::terminal(120, 40);
    group.bench_function("credentials_10000_view_120x40", |b| {
        b.iter(|| common::draw(&mut terminal, &state));
    });
    group.finish();
}

criterion_group!(benches, update, render, local_filter);
criterion_main!(benches);
