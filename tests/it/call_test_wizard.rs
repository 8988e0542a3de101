//! The call test on the token screen, message by message: offered (a question) after a
//! login test passes and only then, `y` places it on the setup's connection at the
//! run's signaling URL, anything else declines; Esc cancels it; its outcome on the
//! token screen, on the summary (which claims "can log in and call" only after a
//! passed call) and in the printed summary; and render snapshots.

use crate::support::state::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use telnyx_setup::calltest::{CallOutcome, Hangup};
use telnyx_setup::media::Heard;
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::signaling::{LoginOutcome, LoginTest, Refusal, SignalingUrl};
use telnyx_setup::state::{State, Step, TokenStep};
use telnyx_setup::ui;

const URL: &str = "ws://127.0.0.1:4010/rtc";

fn login(passed: bool) -> LoginTest {
    let outcome = if passed {
        LoginOutcome::LoggedIn { elapsed: Duration::from_millis(23) }
    } else {
        LoginOutcome::Refused { code: -32001, message: "Login Incorrect".into(), why: Refusal::TokenRefused }
    };
    LoginTest::new(SignalingUrl::parse(URL).unwrap(), outcome)
}

/// On the token screen, the login test just passed.
fn offered() -> State {
    let mut state = at_token();
    state.ctx.signaling = SignalingUrl::parse(URL).unwrap();
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(login(true)));
    state
}

fn passed() -> CallOutcome {
    CallOutcome::Passed {
        answered: Duration::from_millis(41),
        heard: Heard {
            connected_after: Some(Duration::from_millis(3)),
            first_audio_after: Some(Duration::from_millis(27)),
            round_trip: Some(Duration::from_millis(22)),
            frames: 99,
            tone_frames: 98,
            codec: Some("PCMU/8000".into()),
            pair: Some(("host".into(), "host".into())),
        },
    }
}

fn refused_d38() -> CallOutcome {
    CallOutcome::Refused(Hangup {
        cause: "CALL_REJECTED".into(),
        cause_code: Some(21),
        sip_code: Some(403),
        sip_reason: Some("Outbound Profile Missing D38".into()),
    })
}

fn token_step(state: &State) -> &TokenStep {
    match &state.step {
        Step::Token(step) => step,
        _ => panic!("not on the token screen"),
    }
}

#[test]
fn a_passed_login_offers_the_call_test_and_y_places_it_on_the_connection() {
    let mut state = offered();
    let connection = state.ctx.setup.connection.as_ref().unwrap().id.clone();
    let screen = screen_text(&state, 120, 30);
    assert!(screen.contains("✓ Login test: Logged in to"), "{screen}");
    assert!(screen.contains("Place a test call? The call test creates 2 telephony credentials"), "{screen}");
    assert!(screen.contains(&format!("on connection {connection}")), "{screen}");
    assert!(screen.contains("y places it; n, Esc or any other key does not."), "{screen}");
    let hints = state.hints();
    assert!(hints.iter().any(|(key, words)| key == "y" && *words == "place test call"), "{hints:?}");
    assert!(hints.iter().any(|(key, words)| key == "n" && *words == "no call"), "{hints:?}");

    let cmds = press(&mut state, KeyCode::Char('y'));
    let [Cmd::Call { request: Request::TestCall { url, connection_id, caller_id }, .. }] = cmds.as_slice()
    else {
        panic!("y should place the call test: {cmds:?}");
    };
    assert_eq!(url.as_str(), URL);
    assert_eq!(connection_id, &connection);
    assert_eq!(caller_id, "", "numbers were skipped: no caller ID to give");
    assert!(state.busy(), "the spinner runs while it calls");
    assert!(token_step(&state).call_offer.is_none(), "the question is answered");
    let screen = screen_text(&state, 120, 30);
    assert!(screen.contains("Placing a test call"), "{screen}");
}

#[test]
fn the_caller_id_is_one_of_the_connections_numbers() {
    let mut state = offered();
    state.ctx.desired.account.numbers = vec!["+13125550100".to_owned()];
    // Offered again, with the numbers known.
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(login(true)));
    let cmds = press(&mut state, KeyCode::Char('y'));
    let [Cmd::Call { request: Request::TestCall { caller_id, .. }, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(caller_id, "+13125550100");
}

#[test]
fn n_esc_or_any_other_key_declines_and_nothing_is_sent() {
    for key in [KeyCode::Char('n'), KeyCode::Esc, KeyCode::Enter, KeyCode::Char('x')] {
        let mut state = offered();
        assert_eq!(press(&mut state, key), Vec::<Cmd>::new(), "{key:?}");
        assert!(!state.busy());
        assert!(matches!(state.step, Step::Token(_)), "{key:?} answered the question, it did not go back");
        let screen = screen_text(&state, 120, 30);
        assert!(
            screen.contains("No call was placed: t tests the login again and offers the call test."),
            "{screen}"
        );
        assert!(state.ctx.setup.call_test.is_none());
    }
}

#[test]
fn a_failed_login_offers_no_call() {
    let mut state = at_token();
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(login(false)));
    assert!(token_step(&state).call_offer.is_none());
    assert!(!screen_text(&state, 120, 30).contains("Place a test call?"));
    // y copies the token here, as always.
    assert!(matches!(press(&mut state, KeyCode::Char('y')).as_slice(), [Cmd::CopySecret(_)]));
}

#[test]
fn a_passed_call_shows_its_figures_and_the_summary_says_log_in_and_call() {
    let mut state = offered();
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::CallTested(passed()));
    let screen = screen_text(&state, 200, 30);
    assert!(screen.contains("✓ Call test: Answered in 41 ms; audio back 27 ms after the answer"), "{screen}");
    assert!(screen.contains("round trip of 22 ms"), "{screen}");
    assert!(screen.contains("codec PCMU/8000; ICE pair host to host"), "{screen}");
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(summary.contains("✓ Your WebRTC client can log in and call: Answered in 41 ms"), "{summary}");
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    assert!(printed.contains("Call test         passed: Answered in 41 ms"), "{printed}");
}

#[test]
fn a_refused_call_says_why_and_what_to_do_and_the_summary_claims_only_the_login() {
    let mut state = offered();
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::CallTested(refused_d38()));
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains(
            "✗ Call test: The call was refused: CALL_REJECTED (21), SIP 403 \"Outbound Profile Missing D38\""
        ),
        "{screen}"
    );
    assert!(screen.contains("Assign an outbound voice profile to the connection"), "{screen}");
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(summary.contains("✓ Your WebRTC client can log in: Logged in to"), "{summary}");
    assert!(summary.contains("✗ The call test failed: The call was refused"), "{summary}");
    assert!(!summary.contains("can log in and call"), "{summary}");
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    assert!(printed.contains("Call test         FAILED: The call was refused"), "{printed}");
}

#[test]
fn without_a_call_test_the_summary_says_the_call_was_not_tested() {
    let mut state = offered();
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(summary.contains("✓ Your WebRTC client can log in: Logged in to"), "{summary}");
    assert!(summary.contains("The call was not tested"), "{summary}");
    assert!(!summary.contains("can log in and call"), "{summary}");
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    assert!(printed.contains("Call test         not run"), "{printed}");
}

#[test]
fn esc_cancels_the_call_test_and_a_late_answer_is_dropped() {
    let mut state = offered();
    let cmds = press(&mut state, KeyCode::Char('y'));
    let Some(Cmd::Call { op, .. }) = cmds.first() else { panic!("{cmds:?}") };
    let op = *op;
    assert_eq!(press(&mut state, KeyCode::Esc), vec![Cmd::Cancel(op)]);
    assert!(!state.busy());
    assert!(matches!(state.step, Step::Token(_)));
    state.update(Msg::Done { op, outcome: Ok(Reply::CallTested(passed())) });
    assert!(token_step(&state).call_test.is_none());
    assert!(state.ctx.setup.call_test.is_none());
}

#[test]
fn a_new_token_keeps_the_call_test_which_used_temporary_credentials() {
    let mut state = offered();
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::CallTested(passed()));
    press(&mut state, KeyCode::Char('g'));
    reply(&mut state, Reply::TokenCreated(jwt()));
    assert!(token_step(&state).login_test.is_none(), "the login test was of the old token");
    assert_eq!(state.ctx.setup.call_test, Some(passed()));
    // With the login untested, the summary makes no claim.
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(summary.contains("The login was not tested"), "{summary}");
    assert!(!summary.contains("can log in"), "{summary}");
}

fn render(state: &State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| ui::view(state, frame)).unwrap();
    terminal
}

#[test]
fn snapshots_of_the_call_test() {
    let mut state = offered();
    insta::assert_snapshot!("token_call_offered", render(&state).backend());
    press(&mut state, KeyCode::Char('y'));
    insta::assert_snapshot!("token_call_placing", render(&state).backend());
    reply(&mut state, Reply::CallTested(passed()));
    insta::assert_snapshot!("token_call_passed", render(&state).backend());
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!("finish_call_passed", render(&state).backend());
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(login(true)));
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::CallTested(refused_d38()));
    insta::assert_snapshot!("token_call_refused", render(&state).backend());
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!("finish_call_failed", render(&state).backend());
}
