//! What a newcomer hit, round two (issue 22), at the level of update(): each test
//! failed before its fix.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::NewOutboundVoiceProfile;
use telnyx_setup::journal::Record;
use telnyx_setup::msg::Request;
use telnyx_setup::state::{CredentialField, Problem, Step};

// ----- text fields -----

/// In the full 10-character "Expires on", Ctrl-U clears the refused date (it used to
/// count as typing past the cap, and the old date stayed).
#[test]
fn ctrl_u_clears_a_full_field_after_its_error_and_the_new_date_is_sent() {
    let mut state = at_credentials_with(vec![]);
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "2020-01-01");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(
        matches!(&state.step.activity().problem, Some(Problem::Input(m)) if m.contains("not in the future"))
    );
    ctrl(&mut state, 'a');
    ctrl(&mut state, 'u');
    let Step::Credential(step) = &state.step else { panic!() };
    let form = step.form.as_ref().unwrap();
    let expires = form.field(CredentialField::Expires);
    assert_eq!(expires.value(), "", "Ctrl-U deletes the line");
    assert!(!expires.was_cut(), "an editing key is not typing past the cap");
    type_text(&mut state, "2026-12-31");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateCredential { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.expires_at.as_deref(), Some("2026-12-31T00:00:00Z"));
}

/// `?` in the key field types (keys are typed there), and the screen says that help is
/// F1 here.
#[test]
fn a_question_mark_typed_into_the_key_says_help_is_f1() {
    let mut state = fresh();
    type_text(&mut state, "KEY?");
    assert!(!state.help);
    let notice = state.step.activity().notice.clone().unwrap_or_default();
    assert!(notice.contains("F1"), "{notice:?}");
    assert!(screen_text(&state, 80, 24).contains("help is F1"));
    press(&mut state, KeyCode::Backspace);
    assert_eq!(state.step.activity().notice, None, "gone with the '?'");
}

// ----- countries -----

fn countries_selected(state: &telnyx_setup::state::State) -> Vec<String> {
    let Step::Countries(step) = &state.step else { panic!("on step 5") };
    step.selected.iter().cloned().collect()
}

/// `/`, `ireland`, Enter ticks Ireland (it used to leave it unticked, and the next
/// Enter saved without it); the footer says so while searching.
#[test]
fn enter_after_a_search_ticks_the_highlighted_match_and_the_next_enter_saves_it() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "ireland");
    assert!(screen_text(&state, 80, 24).contains("Enter tick"));
    press(&mut state, KeyCode::Enter);
    assert_eq!(countries_selected(&state), ["CA", "IE", "US"]);
    assert!(screen_text(&state, 80, 24).contains("Ticked Ireland (IE)."));
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateProfile { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    let countries: Vec<String> = ["US", "CA", "IE"].map(String::from).to_vec();
    assert_eq!(body, &NewOutboundVoiceProfile::with_countries("WebRTC outbound", countries));
}

/// A name two countries go by asks which; moving to one and Enter ticks that one.
#[test]
fn a_name_of_two_countries_asks_which_before_enter_ticks() {
    for (typed, second) in [("congo", "CD"), ("korea", "KP")] {
        let mut state = at_countries();
        press(&mut state, KeyCode::Char('/'));
        type_text(&mut state, typed);
        assert!(press(&mut state, KeyCode::Enter).is_empty());
        assert_eq!(countries_selected(&state), ["CA", "US"], "{typed}: nothing ticked yet");
        let Some(Problem::Input(asked)) = &state.step.activity().problem else { panic!("{typed}: asks") };
        assert!(asked.contains("is the name of 2 countries") && asked.contains(second), "{asked}");
        press(&mut state, KeyCode::Down);
        press(&mut state, KeyCode::Enter);
        assert!(countries_selected(&state).contains(&second.to_owned()), "{typed}");
    }
}

// ----- words -----

/// A new connection is made with VP8: the codecs screen no longer says it is off.
#[test]
fn the_codecs_screen_of_a_new_connection_does_not_say_vp8_is_off() {
    let screen = screen_text(&at_codecs(), 100, 30);
    assert!(screen.contains("all on for the new connection, VP8"), "{screen}");
    assert!(!screen.contains("off on new connections"), "{screen}");
}

/// The summary names the connection's user name as the connection's login, apart from
/// the credential.
#[test]
fn the_summary_says_whose_login_the_user_name_is() {
    let state = at_token();
    let printed = telnyx_setup::summary::text(&state.ctx, false);
    assert!(printed.contains("WebRTC connection login: new TelnyxRTC({ login: \""), "{printed}");
    assert!(!printed.contains("credential login"), "{printed}");
}

/// The finished setup's question names the keys that answer it, and a record `setup
/// --yes` left without names shows ids, not empty names.
#[test]
fn the_resume_question_says_what_its_keys_do_and_never_shows_an_empty_name() {
    use telnyx_setup::journal::Named;
    let record = Record {
        profile: Some(Named { id: SETUP_PROFILE.into(), name: String::new() }),
        credential: Some(Named { id: "cred-1".into(), name: String::new() }),
        numbers_done: true,
        finished: true,
        ..earlier_setup()
    };
    let mut state = journaled(Some(record));
    signed_in(&mut state);
    let screen = screen_text(&state, 120, 40);
    // Its words are the keys': Enter continue, n new setup.
    assert!(
        screen.contains(": continue it (step 8 makes a") && screen.contains("or start a new setup?"),
        "{screen}"
    );
    assert!(screen.contains("Enter continue") && screen.contains("n new setup"), "{screen}");
    assert!(!screen.contains("get a fresh token, or change"), "{screen}");
    assert!(screen.contains(&format!("id {SETUP_PROFILE}")) && !screen.contains(":  (id"), "{screen}");
}

/// `t` before a token exists says why it cannot test yet.
#[test]
fn t_before_a_token_says_there_is_none_yet() {
    let mut state = at_token();
    let Step::Token(step) = &mut state.step else { panic!() };
    step.token = None;
    assert!(press(&mut state, KeyCode::Char('t')).is_empty());
    let notice = state.step.activity().notice.clone().unwrap_or_default();
    assert!(notice.contains("no token to test yet"), "{notice:?}");
}

/// The curl panel offers `r` only where a command has a password to show.
#[test]
fn the_curl_panel_offers_r_only_where_there_are_passwords() {
    use telnyx_setup::state::keys::Action;
    let offers_reveal = |state: &telnyx_setup::state::State| {
        state.bindings().iter().any(|binding| binding.actions.contains(&Action::Reveal))
    };
    // Where a create sent a password, `r` shows it (curl_panel.rs's
    // passwords_are_hidden_until_revealed_and_y_copies_what_is_shown). Step 3's panel
    // has no password in it.
    let mut state = at_codecs();
    press(&mut state, KeyCode::Char('c'));
    assert!(!offers_reveal(&state));
    // Step 5 of a new connection on a new profile: Enter sends the profile's create,
    // then the connection's, whose SIP password `r` shows.
    let mut state = at_countries();
    press(&mut state, KeyCode::Char('c'));
    assert!(offers_reveal(&state));
    // Once the connection is made (on step 4), step 5's panel has none: a profile's
    // update carries no password.
    let mut state = at_existing_profile_countries();
    press(&mut state, KeyCode::Char('c'));
    assert!(!offers_reveal(&state));
    assert!(!screen_text(&state, 120, 40).contains("show passwords"));
}
