//! update() and the summary: the summary's connection, codecs, profile, countries and
//! credential lines come from the same facts as the header's marks (`Ctx::done`), so a
//! line is there exactly when its step is marked done, and says what the account has.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::ApiError;
use telnyx_setup::msg::Request;
use telnyx_setup::state::{State, Step};

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
