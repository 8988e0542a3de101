//! What a newcomer hit on a first real use (issue 10), each pinned by a test that
//! failed before its fix: expired credentials, stale progress and balance, silent
//! input changes, and numbers cut short on narrow screens.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::{ApiError, TelephonyCredential};
use telnyx_setup::msg::{Cmd, Reply, Request};
use telnyx_setup::state::{CredentialField, FormField, KeySource, Problem, State, Step};

fn problem(state: &State) -> String {
    match &state.step.activity().problem {
        Some(Problem::Input(message)) => message.clone(),
        other => panic!("expected an input problem, got {other:?}"),
    }
}

#[test]
fn a_past_or_unreadable_expiry_is_refused_before_anything_is_sent() {
    for (date, expected) in [("2020-01-01", "is not in the future"), ("2026-11-27", "is not in the future")] {
        let mut state = at_credentials_with(vec![]);
        press(&mut state, KeyCode::Char('n'));
        for _ in 0..2 {
            press(&mut state, KeyCode::Tab);
        }
        type_text(&mut state, date);
        let cmds = press(&mut state, KeyCode::Enter);
        assert!(cmds.is_empty(), "{date}: nothing may be sent: {cmds:?}");
        assert!(problem(&state).contains(expected), "{date}: {}", problem(&state));
        let Step::Credential(step) = &state.step else { unreachable!() };
        assert_eq!(step.form.as_ref().and_then(|form| form.invalid), Some(CredentialField::Expires));
    }
    // Tomorrow (the tests' clock is 2026-11-27 12:00 UTC) is fine.
    let mut state = at_credentials_with(vec![]);
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "2026-11-28");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateCredential { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.expires_at.as_deref(), Some("2026-11-28T00:00:00Z"));
}

#[test]
fn an_expired_credential_never_reaches_the_token_step() {
    let flagged = TelephonyCredential { expired: true, ..credential() };
    let lapsed = TelephonyCredential { expires_at: Some("2026-11-27T11:59:59Z".into()), ..credential() };
    for expired in [flagged, lapsed] {
        let mut state = at_credentials_with(vec![expired.clone()]);
        press(&mut state, KeyCode::Down);
        press(&mut state, KeyCode::Enter);
        let cmds = press(&mut state, KeyCode::Enter);
        assert!(cmds.is_empty(), "{cmds:?}");
        assert!(matches!(state.step, Step::Credential(_)), "{:?}", expired.expires_at);
        assert!(problem(&state).contains("has expired"), "{}", problem(&state));
        assert!(state.ctx.setup.credential.is_none());
        assert!(screen_text(&state, 80, 24).contains("cannot log in"));
    }
}

#[test]
fn choosing_another_connection_resets_the_later_steps() {
    let mut state = at_token();
    assert!(state.ctx.done().iter().all(|done| *done), "{:?}", state.ctx.done());
    // Back to the connection list; the lists on the way reload, as on return they do.
    let lobby = connection("1293384261075731409", "Lobby phones", &["G722"], None);
    while !matches!(state.step, Step::Connection(_)) {
        press(&mut state, KeyCode::Esc);
        if state.busy() {
            let listed = match &state.step {
                Step::Credential(_) => Reply::CredentialsListed(page(vec![credential()])),
                Step::Profile(_) => Reply::ProfilesListed(page(vec![])),
                Step::Connection(_) => Reply::ConnectionsListed(page(vec![lobby.clone()])),
                other => panic!("unexpected load on {other:?}"),
            };
            reply(&mut state, listed);
        }
    }
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let done = state.ctx.done();
    assert_eq!(done, [true, true, false, false, false, false, false, false], "{:?}", state.ctx.setup);
    assert!(!state.ctx.numbers_skipped(), "the numbers are to choose again");
    assert!(state.ctx.setup.token.is_none() && state.ctx.setup.credential.is_none());
}

#[test]
fn a_list_that_failed_to_load_does_not_say_loading() {
    let mut state = at_codecs();
    press(&mut state, KeyCode::Enter);
    fail(&mut state, ApiError::Server { status: 500, errors: vec![].into() });
    let screen = screen_text(&state, 80, 24);
    assert!(!screen.contains("Loading"), "{screen}");
    assert!(screen.contains("not loaded; Enter loads them again"), "{screen}");
    assert!(matches!(only_call(&press(&mut state, KeyCode::Enter)), Request::ListProfiles));
}

#[test]
fn a_skipped_numbers_step_shows_as_skipped() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    let header: String = screen_text(&state, 120, 24).lines().nth(1).unwrap_or_default().to_owned();
    assert!(header.contains("– Numbers") || header.contains("– 6"), "{header}");
    assert!(!header.contains("✓ Numbers") && !header.contains("✓ 6"), "{header}");
}

/// Empties the focused field.
fn clear(state: &mut State) {
    for _ in 0..40 {
        press(state, KeyCode::Backspace);
    }
}

#[test]
fn a_long_user_name_is_cut_with_a_notice_and_non_ascii_letters_are_named() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Tab);
    clear(&mut state);
    type_text(&mut state, &"a".repeat(33));
    let Step::Connection(step) = &state.step else { unreachable!() };
    let form = step.form.as_ref().unwrap();
    assert_eq!(form.field(FormField::UserName).value().len(), 32);
    let screen = screen_text(&state, 100, 24);
    assert!(screen.contains("at most 32 characters: the rest was cut"), "{screen}");

    clear(&mut state);
    type_text(&mut state, "ÄÖÜuser");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(problem(&state).contains("ASCII letters"), "{}", problem(&state));
}

#[test]
fn phone_numbers_are_never_cut_on_narrow_screens() {
    let long = available("+4920503123456789", "1.00", "1.00");
    for width in [60, 70, 80, 100] {
        let state = at_results_with(vec![long.clone()]);
        let screen = screen_text(&state, width, 16);
        assert!(screen.contains("+4920503123456789"), "{width} columns:\n{screen}");
    }
}

#[test]
fn a_declined_purchase_is_a_note_not_an_error() {
    let mut state = at_results();
    for key in [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter, KeyCode::Char('n')] {
        let cmds = press(&mut state, key);
        // Only the look for an earlier order of the cart, sent as the question shows.
        let writes = cmds.iter().filter(
            |cmd| matches!(cmd, Cmd::Call { request, .. } if !matches!(request, Request::FindOrder { .. })),
        );
        assert_eq!(writes.count(), 0, "{cmds:?}");
    }
    assert_eq!(state.step.activity().problem, None);
    assert!(screen_text(&state, 80, 24).contains("Nothing was bought."));
    assert!(!screen_text(&state, 80, 24).contains("✗ Nothing was bought."));
}

#[test]
fn the_inspector_checks_a_given_key_at_once_and_the_wizard_waits() {
    use telnyx_setup::msg::Msg;
    let mut inspector = inspector_signed_out(telnyx_setup::state::KeySource::Flag);
    let cmds = inspector.update(Msg::Started);
    assert!(matches!(only_call(&cmds), Request::SignIn { .. }), "{cmds:?}");

    let mut typed = inspector_signed_out(telnyx_setup::state::KeySource::Typed);
    assert!(typed.update(Msg::Started).is_empty(), "a key still to be typed waits");

    let mut wizard = state_with(Some("KEY123"), telnyx_setup::state::KeySource::Env);
    assert!(wizard.update(Msg::Started).is_empty(), "the wizard shows where its key came from first");
}

#[test]
fn the_screens_say_which_api_they_talk_to() {
    let state = fresh();
    let screen = screen_text(&state, 100, 24);
    assert!(screen.lines().next().unwrap_or_default().contains("[sandbox]"), "{screen}");
    assert!(screen.contains("the embedded sandbox (nothing reaches Telnyx)"), "{screen}");
    let mut production = fresh();
    production.ctx.api = telnyx_setup::state::ApiTarget::Production;
    let screen = screen_text(&production, 100, 24);
    assert!(screen.lines().next().unwrap_or_default().contains("[production]"), "{screen}");
    assert!(screen.contains("Telnyx production"), "{screen}");
}

#[test]
fn the_credential_screen_copies_each_sip_detail_and_says_where_it_went() {
    use telnyx_setup::clipboard::{CopyError, CopyMethod};
    use telnyx_setup::msg::Msg;
    use telnyx_setup::secret::Secret;
    let mut state = at_credentials_with(vec![credential()]);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let user = credential().sip_username;
    let expected = [
        (Secret::new(user.clone()), "the SIP user name"),
        (credential().sip_password, "the SIP password"),
        (Secret::new(format!("{user}@sip.telnyx.com")), "the SIP address"),
    ];
    for (index, (text, what)) in expected.into_iter().enumerate() {
        if index > 0 {
            press(&mut state, KeyCode::Down);
        }
        assert!(state.hints().iter().any(|(key, _)| key == "y"), "{:?}", state.hints());
        // The password is a secret: copied to be cleared after a time.
        let copy = if what == "the SIP password" { Cmd::CopySecret(text) } else { Cmd::Copy(text) };
        assert_eq!(press(&mut state, KeyCode::Char('y')), vec![copy], "{what}");
        state.update(Msg::Copied(Ok(CopyMethod::Osc52)));
        let notice = state.step.activity().notice.clone().unwrap_or_default();
        assert!(notice.contains(what) && notice.contains("OSC 52"), "{notice}");
    }
    press(&mut state, KeyCode::Char('y'));
    state.update(Msg::Copied(Err(CopyError("no terminal".into()))));
    assert!(problem(&state).contains("Could not copy the SIP address"), "{}", problem(&state));
}

#[test]
fn the_inspector_says_what_it_copied() {
    use telnyx_setup::clipboard::CopyMethod;
    use telnyx_setup::msg::Msg;
    let mut state = inspector();
    press(&mut state, KeyCode::Char('y'));
    state.update(Msg::Copied(Ok(CopyMethod::System { kept_after_exit: true })));
    let notice = state.step.activity().notice.clone().unwrap_or_default();
    assert!(notice.starts_with("Copied the id ") && notice.contains("system clipboard"), "{notice}");
}

#[test]
fn help_and_quit_answer_at_once_while_an_order_is_in_flight() {
    let mut state = at_results();
    for key in [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')] {
        press(&mut state, key);
    }
    assert!(state.purchase_in_flight());
    let hints = state.hints();
    assert_eq!(hints, vec![("?".to_owned(), "help"), ("q".to_owned(), "quit")], "nothing else works now");
    assert!(press(&mut state, KeyCode::Char('?')).is_empty());
    assert!(state.help, "? opens the help while the order goes on");
    press(&mut state, KeyCode::Char('x'));
    assert!(press(&mut state, KeyCode::Char('q')).is_empty());
    assert!(state.confirm_quit, "q asks at once");
    assert!(state.purchase_in_flight(), "the order goes on behind the question");
}

#[test]
fn an_existing_connection_shows_its_real_codecs_plus_vp8_and_unticked_enter_changes_nothing() {
    let real = ["G722", "G711U", "G711A", "G729", "OPUS", "H.264"];
    let mut state = at_existing_codecs(&real);
    let Step::Codecs(step) = &state.step else { unreachable!() };
    let shown: Vec<(&str, bool)> = step.choices.iter().map(|c| (c.name.as_str(), c.enabled)).collect();
    assert_eq!(shown[..6], real.map(|name| (name, true)), "its own codecs, in its order");
    // VP8 after them, ticked: what `setup` keeps for codecs left open.
    assert_eq!(shown[6], ("VP8", true), "VP8 is proposed");
    // Turned off, the screen warns, and Enter with the codecs as they are sends no
    // PATCH: the profiles, sent ahead, load.
    untick_vp8(&mut state);
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("VP8 is off: video calls from browsers will not work"), "{screen}");
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    assert!(matches!(state.step, Step::Profile(_)) && state.busy());
}

#[test]
fn a_change_to_an_existing_connection_is_shown_and_needs_y() {
    // VP8 is proposed (ticked) on a connection without it: Enter asks.
    let mut state = at_existing_codecs(&["G722", "G711U"]);
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "nothing is sent before y");
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("now:   G722, G711U") && screen.contains("after: G722, G711U, VP8"), "{screen}");
    assert!(screen.contains("[y/N]"), "{screen}");
    assert_eq!(state.hints()[0], ("y".to_owned(), "change it"));
    // n keeps it as it was.
    assert!(press(&mut state, KeyCode::Char('n')).is_empty());
    assert_eq!(state.step.activity().notice.as_deref(), Some("Nothing was changed."));
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Char('y'));
    let Request::UpdateConnection { update, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(
        update.inbound.as_ref().map(|i| i.codecs.clone()),
        Some(vec!["G722".into(), "G711U".into(), "VP8".into()])
    );
}

/// The countries of the existing profile "Office outbound" (US, CA, MX), which one
/// other connection uses (the list of step 2 says so), just attached to the existing
/// connection (which had none: a change of a connection this setup did not make, so
/// asked about first).
fn at_shared_profile_countries() -> State {
    let mut state = state_with(Some("KEYtest"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    let office = connection(EXISTING_CONNECTION, "Office softphones", &["G722"], None);
    let lobby = connection("1293384261075739999", "Lobby", &["G722"], Some(EXISTING_PROFILE));
    reply(&mut state, Reply::ConnectionsListed(page(vec![office, lobby])));
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    answer_numbers_read(&mut state, &cmds);
    assert!(matches!(state.step, Step::Codecs(_)));
    untick_vp8(&mut state); // its codecs as they are
    press(&mut state, KeyCode::Enter);
    let shared = profile(EXISTING_PROFILE, "Office outbound", &["US", "CA", "MX"]);
    reply(&mut state, Reply::ProfilesListed(page(vec![shared])));
    press(&mut state, KeyCode::Down);
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "attaching an existing connection asks first");
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("Attach the connection to this profile?"), "{screen}");
    let cmds = press(&mut state, KeyCode::Char('y'));
    assert!(matches!(only_call(&cmds), Request::UpdateConnection { .. }), "{cmds:?}");
    let attached = connection(EXISTING_CONNECTION, "Office softphones", &["G722"], Some(EXISTING_PROFILE));
    reply(&mut state, Reply::ConnectionUpdated(attached));
    assert!(matches!(state.step, Step::Countries(_)));
    state
}

#[test]
fn a_shared_profile_says_who_else_its_countries_change_for() {
    // Unchanged: Enter changes nothing; the numbers step takes the read of what the
    // existing connection already has, sent ahead (and answered) when it was chosen.
    let mut unchanged = at_shared_profile_countries();
    let cmds = press(&mut unchanged, KeyCode::Enter);
    assert!(
        matches!(sent(&cmds)[..], [Request::ListCredentials { .. }]),
        "only step 7's list sent ahead: {cmds:?}"
    );
    let Step::Numbers(step) = &unchanged.step else { panic!("{:?}", unchanged.step) };
    assert!(!step.activity.busy() && step.existing == Some(Vec::new()), "the numbers read ahead, taken");
    // Changed: shown first, with the other connection named.
    let mut state = at_shared_profile_countries();
    press(&mut state, KeyCode::Char(' '));
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("1 other connection uses this profile"), "{screen}");
    assert!(screen.contains("connection Lobby (1293384261075739999)"), "{screen}");
    let cmds = press(&mut state, KeyCode::Char('y'));
    assert!(matches!(only_call(&cmds), Request::UpdateProfile { .. }), "{cmds:?}");
}

#[test]
fn the_requests_pane_lists_this_sessions_requests() {
    use std::time::Duration;
    use telnyx_setup::api::RequestRecord;
    use telnyx_setup::msg::Msg;
    let mut state = at_connections();
    let answers = [
        ("/v2/balance", Ok(200)),
        ("/v2/credential_connections", Ok(503)),
        ("/v2/x", Err("no answer in time".to_owned())),
    ];
    for (path, outcome) in answers {
        let record = RequestRecord {
            method: "GET".into(),
            path: path.into(),
            outcome,
            elapsed: Duration::from_millis(42),
            request_id: None,
        };
        state.update(Msg::Requested(record));
    }
    assert!(!screen_text(&state, 100, 30).contains("Requests this session"));
    press(&mut state, KeyCode::Char('L'));
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("Requests this session"), "{screen}");
    for expected in ["/v2/balance", "200", "/v2/credential_connections", "503", "—", "42 ms"] {
        assert!(screen.contains(expected), "{expected}:\n{screen}");
    }
    // F2 works in a text field too.
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::F(2));
    assert!(!state.show_requests);
}
