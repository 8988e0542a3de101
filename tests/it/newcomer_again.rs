//! What a newcomer hit, round two (issue 22), at the level of update(): each test
//! failed before its fix.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::NewOutboundVoiceProfile;
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
