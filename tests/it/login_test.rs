//! `t` on the token screen, message by message: the request it makes (the token on
//! screen, the signaling URL of the run), the spinner and Esc, the outcome on the token
//! screen, on the summary screen and in the printed summary; and render snapshots of
//! the outcomes.

use crate::support::state::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use telnyx_setup::msg::{Cmd, Reply, Request};
use telnyx_setup::signaling::{Login, LoginOutcome, LoginTest, Refusal, SignalingUrl};
use telnyx_setup::state::{State, Step};
use telnyx_setup::ui;

const URL: &str = "ws://127.0.0.1:4010/rtc";

fn at_token_with_url() -> State {
    let mut state = at_token();
    state.ctx.signaling = SignalingUrl::parse(URL).unwrap();
    state
}

fn passed() -> LoginTest {
    LoginTest {
        url: SignalingUrl::parse(URL).unwrap(),
        outcome: LoginOutcome::LoggedIn { elapsed: Duration::from_millis(23) },
        retried: 0,
    }
}

fn refused() -> LoginTest {
    LoginTest {
        url: SignalingUrl::parse(URL).unwrap(),
        outcome: LoginOutcome::Refused {
            code: -32001,
            message: "Login Incorrect".into(),
            why: Refusal::TokenRefused,
        },
        retried: 0,
    }
}

fn token_step(state: &State) -> &telnyx_setup::state::TokenStep {
    match &state.step {
        Step::Token(step) => step,
        _ => panic!("not on the token screen"),
    }
}

#[test]
fn t_logs_in_with_the_token_on_screen_at_the_runs_signaling_url() {
    let mut state = at_token_with_url();
    let jwt = token_step(&state).token.as_ref().unwrap().jwt.clone();
    let cmds = press(&mut state, KeyCode::Char('t'));
    let [Cmd::Call { request: Request::TestLogin { url, login, .. }, .. }] = cmds.as_slice() else {
        panic!("t should start a login test: {cmds:?}");
    };
    assert_eq!(url.as_str(), URL);
    assert_eq!(login, &Login::Token(jwt));
    assert!(state.busy(), "the spinner runs while it logs in");
    assert!(state.hints().iter().any(|(key, words)| key == "Esc" && *words == "cancel"));
}

#[test]
fn esc_cancels_the_login_test_and_a_late_answer_is_dropped() {
    let mut state = at_token_with_url();
    let cmds = press(&mut state, KeyCode::Char('t'));
    let Some(Cmd::Call { op, .. }) = cmds.first() else { panic!("{cmds:?}") };
    let op = *op;
    assert_eq!(press(&mut state, KeyCode::Esc), vec![Cmd::Cancel(op)]);
    assert!(!state.busy());
    assert!(matches!(state.step, Step::Token(_)), "Esc cancelled; it did not go back");
    let screen = screen_text(&state, 120, 30);
    // Enter would go on to the summary here, so the hint names t and g instead.
    assert!(screen.contains("Cancelled: Testing the login. Press t to test the login again"), "{screen}");
    state.update(telnyx_setup::msg::Msg::Done { op, outcome: Ok(Reply::LoginTested(passed())) });
    assert!(token_step(&state).login_test.is_none());
    assert!(state.ctx.setup.login_test.is_none());
}

#[test]
fn the_outcome_shows_on_the_token_screen_and_the_summary() {
    let mut state = at_token_with_url();
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(refused()));
    let screen = screen_text(&state, 120, 30);
    assert!(screen.contains("✗ Login test: The token was refused (-32001 Login Incorrect)"), "{screen}");
    assert!(screen.contains("Generate a fresh token"), "{screen}");
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(summary.contains("✗ The login test failed"), "{summary}");
    assert!(!summary.contains("can log in"), "{summary}");
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    assert!(printed.contains("Login test        FAILED: The token was refused"), "{printed}");

    // Back, test again: it passes now.
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(passed()));
    // The call test is offered; n declines it.
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(
        summary.contains("✓ Your WebRTC client can log in: Logged in to ws://127.0.0.1:4010/rtc"),
        "{summary}"
    );
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    assert!(printed.contains("Login test        passed: Logged in to"), "{printed}");
    assert!(printed.contains("in 23 ms"), "{printed}");
}

#[test]
fn without_a_test_the_summary_claims_no_login_and_a_new_token_forgets_the_old_test() {
    let mut state = at_token_with_url();
    press(&mut state, KeyCode::Enter);
    let summary = screen_text(&state, 120, 30);
    assert!(summary.contains("The login was not tested"), "{summary}");
    assert!(summary.contains("t tests it"), "{summary}");
    assert!(!summary.contains("can log in"), "{summary}");
    assert!(telnyx_setup::summary::text(&state.ctx, false).contains("Login test        not run"));

    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(passed()));
    assert!(state.ctx.setup.login_test.is_some());
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Char('g'));
    reply(&mut state, Reply::TokenCreated(jwt()));
    assert!(token_step(&state).login_test.is_none(), "the test was of the old token");
    assert!(state.ctx.setup.login_test.is_none());
}

fn render(state: &State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|frame| ui::view(state, frame)).unwrap();
    terminal
}

#[test]
fn snapshots_of_the_outcomes() {
    let mut state = at_token_with_url();
    press(&mut state, KeyCode::Char('t'));
    insta::assert_snapshot!("token_login_testing", render(&state).backend());
    reply(&mut state, Reply::LoginTested(passed()));
    insta::assert_snapshot!("token_login_passed", render(&state).backend());
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!("finish_login_passed", render(&state).backend());
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('t'));
    let url = SignalingUrl::parse(URL).unwrap();
    let unreachable = LoginOutcome::Unreachable("Connection refused (os error 111)".into());
    reply(&mut state, Reply::LoginTested(LoginTest::new(url, unreachable)));
    insta::assert_snapshot!("token_login_unreachable", render(&state).backend());
    press(&mut state, KeyCode::Char('t'));
    reply(&mut state, Reply::LoginTested(refused()));
    insta::assert_snapshot!("token_login_refused", render(&state).backend());
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!("finish_login_failed", render(&state).backend());
}

/// A credential made moments ago may be refused while it propagates: `t` sends the
/// credential's `created_at` (the worker tries a refusal again when it is recent), the
/// status line says why while it tries again, and the outcome says it took retries.
#[test]
fn t_says_so_while_a_new_credential_is_tried_again() {
    use telnyx_setup::api::RetryNotice;
    use telnyx_setup::msg::Msg;
    let mut state = at_token_of(Some("2026-12-07T05:00:00Z"));
    let cmds = press(&mut state, KeyCode::Char('t'));
    let [Cmd::Call { op, request: Request::TestLogin { credential_created_at, .. } }] = cmds.as_slice()
    else {
        panic!("t should start a login test: {cmds:?}");
    };
    assert_eq!(credential_created_at.as_deref(), Some("2026-12-07T05:00:00Z"));
    let notice = RetryNotice {
        attempt: 2,
        of: 5,
        reason: telnyx_setup::signaling::PROPAGATION_NOTE.into(),
        wait: Duration::from_secs(1),
    };
    state.update(Msg::Retrying { op: *op, notice });
    let screen = screen_text(&state, 160, 30);
    assert!(
        screen.contains(
            "Testing the login… retrying (2/5): Telnyx refused the new credential; new credentials can take a \
             few seconds to work"
        ),
        "{screen}"
    );
    reply(&mut state, Reply::LoginTested(LoginTest { retried: 2, ..passed() }));
    // The call test offered; n declines it, and the token screen shows the outcome.
    press(&mut state, KeyCode::Char('n'));
    let screen = screen_text(&state, 250, 30);
    assert!(screen.contains("Telnyx refused the new credential at first (it took 3 tries)"), "{screen}");
}

/// On the token screen, with a credential made at `created_at`.
fn at_token_of(created_at: Option<&str>) -> State {
    let mut state = at_token_with_url();
    if let Step::Token(step) = &mut state.step {
        step.credential.created_at = created_at.map(str::to_owned);
    }
    state
}
