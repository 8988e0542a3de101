//! update() and the summary: the summary's connection, codecs, profile, countries and
//! credential lines come from the same facts as the header's marks (`Ctx::done`), so a
//! line is there exactly when its step is marked done, and says what the account has;
//! the numbers line and mark read the numbers wanted, those on the connection and the
//! order on its way.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::ApiError;
use telnyx_setup::msg::{Reply, Request};
use telnyx_setup::state::{NumbersScreen, State, Step};

/// The summary's label of each step the plan marks, by the step's index in the header.
const MARKED: [(usize, &str); 4] = [(2, "Codecs"), (3, "Voice profile"), (4, "Countries"), (6, "Credential")];

/// The printed summary lists a step's line exactly when the header marks it done, and
/// its codecs are the connection's as the account has them.
fn header_agrees_with_summary(state: &State, when: &str) {
    let done = state.ctx.done();
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    for (index, label) in MARKED {
        let listed = printed.lines().any(|line| line.split("  ").next() == Some(label));
        assert_eq!(listed, done[index], "{when}: header done {:?}, summary:\n{printed}", done);
    }
    // The numbers: skipped (`–` in the header as drawn) exactly when the summary says
    // so, and done when it lists numbers (on the numbers step itself, the header marks
    // it current instead).
    let numbers = printed.lines().find_map(|line| line.strip_prefix("Numbers")).expect("a numbers line");
    let header = screen_text(state, 140, 30).lines().nth(1).unwrap_or_default().to_owned();
    let skipped = numbers.contains("step skipped");
    assert_eq!(state.ctx.numbers_skipped(), skipped, "{when}: summary:\n{printed}");
    assert!(!numbers.contains('+') || done[5], "{when}: the summary lists numbers, not done:\n{printed}");
    if !header.contains("● Numbers") {
        let mark = if skipped {
            "– Numbers"
        } else if done[5] {
            "✓ Numbers"
        } else {
            "○ Numbers"
        };
        assert!(header.contains(mark), "{when}: header {header:?}, summary:\n{printed}");
    }
    if let Some(line) = printed.lines().find(|line| line.starts_with("Codecs ")) {
        let account = state.ctx.desired.account.connection.as_ref().expect("a connection");
        assert_eq!(
            line.split_whitespace().skip(1).collect::<Vec<_>>().join(" "),
            account.inbound.codecs.join(", ")
        );
    }
}

/// After the credential, back to the codecs, a codec turned off and Enter: the change
/// fails, so the account keeps its codecs and the header no longer marks them done
/// (the codecs wanted are not the account's); the summary, printed on quitting, must
/// not list the codecs as set up either. Forward again with the codecs as they were,
/// both mark and list them.
#[test]
fn the_summary_lists_what_the_header_marks_done_after_going_back() {
    let mut state = at_token();
    header_agrees_with_summary(&state, "on the token");
    assert!(state.ctx.done()[2] && state.ctx.done()[6], "{:?}", state.ctx.done());
    let mut presses = 0;
    while !matches!(state.step, Step::Codecs(_)) {
        press(&mut state, KeyCode::Esc);
        presses += 1;
        assert!(presses < 12, "Esc never reached the codecs");
        header_agrees_with_summary(&state, "going back");
    }
    // The first codec off, and saved: the change is sent, and fails.
    press(&mut state, KeyCode::Char(' '));
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(!sent(&cmds).is_empty(), "the codecs change is sent: {cmds:?}");
    fail(&mut state, ApiError::Server { status: 503, errors: vec![].into() });
    assert!(!state.ctx.done()[2], "the codecs wanted are not the account's: {:?}", state.ctx.done());
    header_agrees_with_summary(&state, "after the failed change");
    // The codec back on, and Enter: nothing to change, on to the profile.
    press(&mut state, KeyCode::Char(' '));
    let cmds = press(&mut state, KeyCode::Enter);
    let writes = sent(&cmds).into_iter().filter(|r| !matches!(r, Request::ListProfiles)).count();
    assert_eq!(writes, 0, "nothing to change: {cmds:?}");
    assert!(matches!(state.step, Step::Profile(_)));
    assert!(state.ctx.done()[2], "{:?}", state.ctx.done());
    header_agrees_with_summary(&state, "forward again");
}

/// Issue 20, case 5: two numbers bought, then back to the numbers step and `s`: the
/// connection keeps them, so the header marks the step done (not skipped) and the
/// summary lists both; the header and the summary agree on every screen on the way.
#[test]
fn numbers_bought_then_skipped_going_back_stay_done_and_listed() {
    // Both in the cart, reviewed, bought.
    let mut state = at_cart_of_both();
    press(&mut state, KeyCode::Enter);
    let Step::Numbers(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.screen, NumbersScreen::Confirm);
    header_agrees_with_summary(&state, "asked to buy");
    press(&mut state, KeyCode::Char('y'));
    let cmds = reply(&mut state, Reply::OrderFound(None));
    // The order is the plan's numbers step's, with the cart wanted.
    let Request::PlaceOrder { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    let plan = state.ctx.plan().expect("a plan");
    let planned = plan.step(telnyx_setup::setup::Part::Numbers).expect("a numbers step");
    let Some(Request::PlaceOrder { body: planned, .. }) = planned.requests.first() else {
        panic!("{planned:?}")
    };
    assert_eq!(body, planned);
    let bought = ["+13125550100", "+13125550199"];
    reply(&mut state, Reply::OrderPlaced { order: order("success", &bought), existing: false });
    let Step::Numbers(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.screen, NumbersScreen::Done);
    assert!(state.ctx.done()[5], "{:?}", state.ctx.done());
    header_agrees_with_summary(&state, "bought");
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::CredentialsListed(page(vec![])));
    assert!(matches!(state.step, Step::Credential(_)));
    header_agrees_with_summary(&state, "on the credential");

    // Back to the countries, and forward to the numbers step again: it reads what the
    // connection has (the two bought), and `s` skips buying more.
    while !matches!(state.step, Step::Countries(_)) {
        press(&mut state, KeyCode::Esc);
        header_agrees_with_summary(&state, "going back");
    }
    press(&mut state, KeyCode::Enter);
    let on: Vec<_> = bought.iter().map(|n| owned(n)).collect();
    reply(&mut state, Reply::ConnectionNumbers(on));
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("2 numbers already ordered for this connection"), "{screen}");
    header_agrees_with_summary(&state, "back on the numbers");
    press(&mut state, KeyCode::Char('s'));
    assert!(matches!(state.step, Step::Credential(_)), "{:?}", state.step);
    assert!(state.ctx.done()[5] && !state.ctx.numbers_skipped(), "{:?}", state.ctx.done());
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    let numbers = printed.lines().find(|line| line.starts_with("Numbers")).unwrap_or_default();
    assert!(numbers.contains("+13125550100, +13125550199"), "{printed}");
    header_agrees_with_summary(&state, "skipped after buying");
}

/// The summary lists the countries in the order the countries screen's "Allowed" line
/// has them (by code: `CA, US`), not in the order the profile keeps them (`US, CA`).
#[test]
fn the_summary_lists_the_countries_as_the_countries_screen_does() {
    let state = at_token();
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    let line = printed.lines().find_map(|line| line.strip_prefix("Countries")).expect("a countries line");
    let listed: Vec<&str> = line.trim().split(", ").collect();
    let mut kept = state.ctx.setup.profile.as_ref().expect("a profile").whitelisted_destinations.clone();
    assert!(kept.len() > 1, "{kept:?}");
    kept.sort();
    assert_eq!(listed, kept, "{printed}");
}
