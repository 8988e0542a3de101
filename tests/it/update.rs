//! update() tests: message sequences in, screens and commands out. No I/O, no tokio.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::{
    ApiError, InboundUpdate, NewOutboundVoiceProfile, OutboundUpdate, RetryNotice, check_user_name,
};
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{FormField, KeySource, Problem, SignInFocus, SignInStep, Step};

// ----- global keys -----

#[test]
fn ctrl_c_quits_from_any_screen_even_while_typing_or_waiting() {
    let mut state = fresh();
    assert_eq!(ctrl(&mut state, 'c'), vec![Cmd::Quit]);
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter); // the create form has the keyboard
    assert_eq!(ctrl(&mut state, 'c'), vec![Cmd::Quit]);
    let mut state = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    assert!(state.busy());
    assert_eq!(ctrl(&mut state, 'c'), vec![Cmd::Quit]);
}

#[test]
fn q_types_into_text_fields_and_quits_elsewhere() {
    let mut state = fresh();
    assert!(press(&mut state, KeyCode::Char('q')).is_empty());
    let Step::SignIn(step) = &state.step else { panic!() };
    assert_eq!(step.key.value(), "q");
    let mut state = at_codecs();
    assert_eq!(press(&mut state, KeyCode::Char('q')), vec![Cmd::Quit]);
}

#[test]
fn help_opens_with_question_mark_and_any_key_closes_it_without_acting() {
    let mut state = at_codecs();
    press(&mut state, KeyCode::Char('?'));
    assert!(state.help);
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "Enter only closes the help");
    assert!(!state.help);
    assert!(matches!(state.step, Step::Codecs(_)));
}

// ----- step 1: sign in -----

#[test]
fn sign_in_sends_the_trimmed_key() {
    let mut state = fresh();
    state.update(Msg::Paste("  KEY0123abc \n".into()));
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(sign_in_request(&cmds), &Request::SignIn { key: Secret::from("KEY0123abc") });
    assert!(state.busy());
}

#[test]
fn an_empty_or_spaced_key_is_refused_without_a_request() {
    let mut state = fresh();
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(state.step.activity().problem, Some(Problem::Input(_))));
    type_text(&mut state, "KEY abc");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Some(Problem::Input(message)) = &state.step.activity().problem else { panic!() };
    assert!(message.contains("no spaces"), "{message}");
}

#[test]
fn a_rejected_key_stays_on_sign_in_with_the_reason_and_can_be_retried() {
    let mut state = state_with(Some("badkey"), KeySource::Env);
    press(&mut state, KeyCode::Enter);
    assert!(fail(&mut state, rejected_key()).is_empty());
    let Step::SignIn(step) = &state.step else { panic!("must stay on sign in") };
    assert_eq!(step.activity.problem, Some(Problem::Api(rejected_key())));
    assert!(state.ctx.setup.balance.is_none());
    // Editing clears the problem and marks the key as typed.
    press(&mut state, KeyCode::Backspace);
    let Step::SignIn(step) = &state.step else { panic!() };
    assert_eq!(step.activity.problem, None);
    assert_eq!(step.source, KeySource::Typed);
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(sign_in_request(&cmds), &Request::SignIn { key: Secret::from("badke") });
}

#[test]
fn an_accepted_key_moves_to_connections_and_loads_them() {
    let mut state = state_with(Some("KEYgood"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    let cmds = reply(&mut state, Reply::KeyAccepted(balance()));
    // The list went with the key's check: the screen waits for it, sending nothing.
    assert!(sent(&cmds).is_empty(), "{cmds:?}");
    assert!(matches!(state.step, Step::Connection(_)));
    assert!(state.busy(), "the list sent ahead is still on its way");
    assert_eq!(state.ctx.setup.balance, Some(balance()));
    assert!(state.ctx.setup.done()[0]);
}

#[test]
fn esc_cancels_the_request_in_flight_and_its_late_answer_is_ignored() {
    let mut state = state_with(Some("KEYgood"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    let op = pending_op(&state);
    assert_eq!(press(&mut state, KeyCode::Esc), vec![Cmd::Cancel(op)]);
    assert!(!state.busy());
    assert!(matches!(state.step.activity().problem, Some(Problem::Cancelled(_))));
    let late = state.update(Msg::Done { op, outcome: Ok(Reply::KeyAccepted(balance())) });
    assert!(late.is_empty());
    assert!(matches!(state.step, Step::SignIn(_)), "a cancelled answer must not advance");
}

#[test]
fn keys_other_than_esc_wait_while_a_request_runs() {
    let mut state = state_with(Some("KEYgood"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "no second request");
    assert!(press(&mut state, KeyCode::Char('x')).is_empty());
    let Step::SignIn(step) = &state.step else { panic!() };
    assert_eq!(step.key.value(), "KEYgood", "the field must not change under the request");
}

fn sign_in(state: &telnyx_setup::state::State) -> &SignInStep {
    let Step::SignIn(step) = &state.step else { panic!("expected the sign-in screen") };
    step
}

#[test]
fn remember_is_off_and_tab_then_space_toggles_it() {
    let mut state = fresh();
    assert_eq!(sign_in(&state).remember, Some(false), "offered, off by default");
    assert!(state.hints().contains(&("Tab".into(), "remember option")));
    type_text(&mut state, "KEYabc");
    press(&mut state, KeyCode::Tab);
    assert_eq!(sign_in(&state).focus, SignInFocus::Remember);
    assert!(state.hints().contains(&("Space".into(), "tick")));
    assert!(press(&mut state, KeyCode::Char(' ')).is_empty());
    assert_eq!(sign_in(&state).remember, Some(true));
    assert!(state.hints().contains(&("Space".into(), "untick")));
    // Letters do not type into the field that lost the keyboard.
    press(&mut state, KeyCode::Char('x'));
    assert_eq!(sign_in(&state).key.value(), "KEYabc");
    press(&mut state, KeyCode::Char(' '));
    assert_eq!(sign_in(&state).remember, Some(false));
    press(&mut state, KeyCode::Char(' '));
    // Shift-Tab goes back to the field, where Space types again.
    press(&mut state, KeyCode::BackTab);
    assert_eq!(sign_in(&state).focus, SignInFocus::Key);
    type_text(&mut state, " ");
    assert_eq!(sign_in(&state).key.value(), "KEYabc ");
    assert_eq!(sign_in(&state).remember, Some(true), "typing leaves the box as it was");
}

#[test]
fn q_and_help_work_on_the_checkbox() {
    let mut state = fresh();
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Char('?'));
    assert!(state.help);
    press(&mut state, KeyCode::Esc);
    assert_eq!(press(&mut state, KeyCode::Char('q')), vec![Cmd::Quit]);
}

#[test]
fn the_key_is_saved_only_when_ticked_and_only_after_telnyx_accepts_it() {
    // Ticked, but refused: nothing is saved; accepted on the retry: the key is saved,
    // before the connection list loads.
    let mut state = fresh();
    type_text(&mut state, "KEYbad");
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Char(' '));
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(
        sign_in_request(&cmds),
        &Request::SignIn { key: Secret::from("KEYbad") },
        "no save before the check"
    );
    assert!(!cmds.iter().any(|cmd| matches!(cmd, Cmd::SaveKey(_))), "no save before the check");
    assert!(fail(&mut state, rejected_key()).is_empty(), "a refused key is not saved");
    press(&mut state, KeyCode::BackTab);
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);
    type_text(&mut state, "good");
    press(&mut state, KeyCode::Enter);
    let cmds = reply(&mut state, Reply::KeyAccepted(balance()));
    assert!(matches!(state.step, Step::Connection(_)));
    // Saved now; the list, sent with the check, is on its way.
    assert_eq!(cmds, [Cmd::SaveKey(Secret::from("KEYgood"))]);

    // Not ticked: nothing is saved.
    let mut state = state_with(Some("KEYgood"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    let cmds = reply(&mut state, Reply::KeyAccepted(balance()));
    assert!(!cmds.iter().any(|cmd| matches!(cmd, Cmd::SaveKey(_))), "{cmds:?}");
}

#[test]
fn the_saved_outcome_is_kept_for_the_next_screen() {
    let mut state = state_with(Some("KEYgood"), KeySource::Flag);
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    use telnyx_setup::accounts::{Saved, Store};
    let saved = Saved { store: Store::Keyring, keyring_refused: None };
    assert!(state.update(Msg::KeySaved(Ok(saved.clone()))).is_empty());
    assert_eq!(state.ctx.setup.key_saved, Some(Ok(saved)));
    state.update(Msg::KeySaved(Err("cannot create /config: read-only".into())));
    assert_eq!(state.ctx.setup.key_saved, Some(Err("cannot create /config: read-only".into())));
}

#[test]
fn demo_offers_no_remember_and_never_saves() {
    let mut demo = state_with(Some("KEY_DEMO_SANDBOX"), KeySource::Demo);
    assert_eq!(sign_in(&demo).remember, None);
    assert!(!demo.hints().iter().any(|(key, _)| key == "Tab"));
    press(&mut demo, KeyCode::Tab);
    assert_eq!(sign_in(&demo).focus, SignInFocus::Key, "nothing to move to");
    press(&mut demo, KeyCode::Enter);
    let cmds = reply(&mut demo, Reply::KeyAccepted(balance()));
    assert!(!cmds.iter().any(|cmd| matches!(cmd, Cmd::SaveKey(_))), "{cmds:?}");

    // `--demo --api-key KEY...`: the key came from the flag, still no box.
    let mut flagged = state_with(Some("KEYflag"), KeySource::Flag);
    let Step::SignIn(step) = &mut flagged.step else { panic!() };
    step.without_remember();
    press(&mut flagged, KeyCode::Tab);
    press(&mut flagged, KeyCode::Char(' '));
    assert_eq!(sign_in(&flagged).remember, None);
    assert_eq!(sign_in(&flagged).key.value(), "KEYflag ", "Space types into the field");
}

#[test]
fn the_key_source_follows_the_field() {
    let path = std::path::PathBuf::from("/home/u/.config/telnyx-setup/api-key");
    let mut state = state_with(Some("KEYsaved"), KeySource::Saved(path.clone()));
    assert_eq!(sign_in(&state).source, KeySource::Saved(path.clone()));
    assert_eq!(sign_in(&state).key.value(), "KEYsaved");
    // Moving to the box and back changes nothing; editing makes the key the user's own.
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    assert_eq!(sign_in(&state).source, KeySource::Saved(path));
    press(&mut state, KeyCode::Backspace);
    assert_eq!(sign_in(&state).source, KeySource::Typed);
    // So does a paste.
    let mut state = state_with(Some("KEYenv"), KeySource::Env);
    state.update(Msg::Paste("KEYpasted".into()));
    assert_eq!(sign_in(&state).source, KeySource::Typed);
}

// ----- step 2: connection -----

#[test]
fn create_new_is_first_and_opens_a_form_with_valid_generated_credentials() {
    let mut state = at_connections();
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Step::Connection(step) = &state.step else { panic!() };
    let form = step.form.as_ref().expect("the form opens");
    assert!(
        check_user_name(form.field(FormField::UserName).value()).is_ok(),
        "{}",
        form.field(FormField::UserName).value()
    );
    assert!(form.field(FormField::Password).value().chars().count() >= 8);
    assert!(!step.reveal, "the password starts hidden");
    let (user_name, password) =
        (form_value(&state, FormField::UserName), form_value(&state, FormField::Password));
    // Enter names it: nothing is sent until the profile is chosen (step 4).
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    assert!(matches!(state.step, Step::Codecs(_)));
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office", &["US"])])));
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.connection_name, "WebRTC (telnyx-setup)");
    // The login the form held, not one the plan made up.
    assert_eq!(body.user_name, user_name);
    assert_eq!(body.password.expose(), password);
}

fn form_value(state: &telnyx_setup::state::State, field: FormField) -> String {
    let Step::Connection(step) = &state.step else { panic!() };
    step.form.as_ref().unwrap().field(field).value().to_owned()
}

#[test]
fn ctrl_r_reveals_and_ctrl_g_regenerates_the_credentials() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter);
    let before = form_value(&state, FormField::Password);
    ctrl(&mut state, 'r');
    ctrl(&mut state, 'g');
    let Step::Connection(step) = &state.step else { panic!() };
    assert!(step.reveal);
    assert_ne!(form_value(&state, FormField::Password), before);
}

#[test]
fn an_invalid_user_name_is_caught_before_sending() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Tab);
    for _ in 0..40 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "12345x");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Step::Connection(step) = &state.step else { panic!() };
    let form = step.form.as_ref().unwrap();
    assert_eq!(form.invalid, Some(FormField::UserName));
    assert_eq!(form.focus, FormField::UserName);
    let Some(Problem::Input(message)) = &step.activity.problem else { panic!() };
    assert!(message.contains("letter among its first 5"), "{message}");
}

#[test]
fn an_empty_name_is_caught_before_sending() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter);
    for _ in 0..40 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "   ");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.form.as_ref().unwrap().invalid, Some(FormField::Name));
}

/// The create is sent on step 4; Telnyx's 422 shows there, and back on step 2 the form
/// that named the connection is still open, the field Telnyx named focused.
#[test]
fn a_422_focuses_the_field_telnyx_named_and_keeps_the_form() {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Down);
    assert!(matches!(only_call(&press(&mut state, KeyCode::Enter)), Request::CreateConnection { .. }));
    let error = ApiError::Invalid {
        status: 422,
        errors: vec![telnyx_error(
            "10015",
            "Invalid value",
            "user_name has already been taken",
            Some("/user_name"),
        )]
        .into(),
    };
    assert!(fail(&mut state, error.clone()).is_empty());
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.activity.problem, Some(Problem::Api(error.clone())));
    // Enter here would send the same details again: the screen says where to fix them.
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("Esc twice: fix the field Telnyx refused on step 2's form"), "{screen}");
    press(&mut state, KeyCode::Esc); // the codecs
    let cmds = press(&mut state, KeyCode::Esc); // step 2, its list read again
    assert_eq!(only_call(&cmds), &Request::ListConnections);
    let Step::Connection(step) = &state.step else { panic!() };
    let form = step.form.as_ref().expect("the form stays open for a fix");
    assert_eq!(form.focus, FormField::UserName);
    assert_eq!(form.invalid, Some(FormField::UserName));
    assert_eq!(step.activity.problem, Some(Problem::Api(error)));
    assert!(state.ctx.setup.connection.is_none());
}

#[test]
fn picking_an_existing_connection_goes_to_codecs_without_a_request() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Char('j'));
    // Step 4's list went with the key's check and is on its way: only the numbers
    // on the connection are read, ahead, for the codecs and attach questions.
    assert_reads_its_numbers(&press(&mut state, KeyCode::Enter), EXISTING_CONNECTION);
    let Step::Codecs(step) = &state.step else { panic!() };
    assert!(!state.busy(), "the codecs screen does not wait for it");
    assert_eq!(step.connection.id, EXISTING_CONNECTION);
}

#[test]
fn esc_closes_the_form_then_goes_back_to_sign_in() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Esc);
    let Step::Connection(step) = &state.step else { panic!() };
    assert!(step.form.is_none());
    press(&mut state, KeyCode::Esc);
    assert!(matches!(state.step, Step::SignIn(_)));
}

#[test]
fn returning_to_the_connection_list_reloads_it() {
    let mut state = at_codecs();
    let cmds = press(&mut state, KeyCode::Esc);
    assert!(matches!(state.step, Step::Connection(_)));
    assert_eq!(only_call(&cmds), &Request::ListConnections);
}

#[test]
fn a_failed_list_load_is_retried_with_enter() {
    let mut state = state_with(Some("KEYgood"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    fail(&mut state, ApiError::Server { status: 503, errors: vec![].into() });
    assert!(matches!(state.step.activity().problem, Some(Problem::Api(_))));
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(only_call(&cmds), &Request::ListConnections);
}

// ----- step 3: codecs -----

#[test]
fn vp8_starts_checked_and_enter_saves_the_checked_codecs_in_order() {
    let mut state = at_codecs();
    let Step::Codecs(step) = &state.step else { panic!() };
    assert!(step.choices.iter().any(|c| c.name == "VP8" && c.enabled));
    // Turn OPUS (the first row) off.
    press(&mut state, KeyCode::Char(' '));
    // The connection is not made yet: its codecs go in its create, on step 4.
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).iter().all(|r| matches!(r, Request::ListProfiles)), "{cmds:?}");
    reply(&mut state, Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office", &["US"])])));
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    let codecs = ["G722", "G711U", "G711A", "G729", "H.264", "VP8"].map(String::from).to_vec();
    assert_eq!(body.inbound, Some(InboundUpdate { codecs }));
}

#[test]
fn codecs_the_product_does_not_offer_are_kept() {
    for created in [true, false] {
        let choices = telnyx_setup::setup::codec_choices(&["G722".into(), "T38X".into()], created);
        let kept = choices.iter().find(|c| c.name == "T38X").expect("unknown codecs stay listed");
        assert!(kept.enabled);
        // VP8 is proposed on every connection: on an existing one, what `setup` keeps
        // for codecs left open (its own plus VP8), right after its own.
        assert!(choices.iter().any(|c| c.name == "VP8" && c.enabled));
        if !created {
            let on: Vec<&str> = choices.iter().filter(|c| c.enabled).map(|c| c.name.as_str()).collect();
            assert_eq!(on, ["G722", "T38X", "VP8"]);
        }
        assert!(choices.iter().any(|c| c.name == "OPUS" && !c.enabled));
    }
}

#[test]
fn no_codec_at_all_is_refused() {
    let mut state = at_codecs();
    let count = match &state.step {
        Step::Codecs(step) => step.choices.len(),
        _ => unreachable!(),
    };
    for _ in 0..count {
        press(&mut state, KeyCode::Char(' '));
        press(&mut state, KeyCode::Down);
    }
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(state.step.activity().problem, Some(Problem::Input(_))));
}

#[test]
fn saved_codecs_move_on_to_profiles() {
    let state = at_profiles();
    assert!(state.ctx.setup.codecs_saved);
    // The connection named on step 2 is not made yet: nothing of it is marked done.
    assert_eq!(state.ctx.setup.done()[..3], [true, false, true]);
    assert_eq!(state.ctx.done()[..3], [true, false, false]);
    // Made on the profile chosen, with the codecs saved: both done.
    let state = at_existing_profile_countries();
    assert_eq!(state.ctx.setup.done()[..4], [true; 4]);
    assert_eq!(state.ctx.done()[..4], [true; 4]);
}

// ----- step 4: outbound voice profile -----

#[test]
fn a_new_profile_is_made_with_its_countries_on_step_5_then_the_connection_on_it() {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Enter);
    // Named here, made on the next screen: nothing is sent yet.
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Step::Countries(step) = &state.step else { panic!("{:?}", state.step) };
    assert!(step.draft && step.whitelist() == ["US", "CA"], "Telnyx's countries to start");
    assert!(!state.ctx.setup.done()[3] && !state.ctx.done()[3], "no profile exists yet");
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(
        only_call(&cmds),
        &Request::CreateProfile {
            body: NewOutboundVoiceProfile::with_countries("WebRTC outbound", vec!["US".into(), "CA".into()]),
            known: Some(vec![EXISTING_PROFILE.into()]),
            first_try: true,
        }
    );
    let cmds = reply(&mut state, Reply::ProfileCreated(profile("77", "WebRTC outbound", &["US", "CA"])));
    // Then the connection named on step 2, made on it with its codecs: no attach after.
    let Request::CreateConnection { body, first_try: true } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.outbound, Some(OutboundUpdate { outbound_voice_profile_id: "77".into() }));
    let codecs = ["OPUS", "G722", "G711U", "G711A", "G729", "H.264", "VP8"];
    assert_eq!(body.inbound, Some(InboundUpdate { codecs: codecs.map(String::from).to_vec() }));
    assert!(state.ctx.setup.done()[3], "the profile exists now");
    // The header's mark reads the plan: made, but the connection is not made on it yet.
    assert!(!state.ctx.done()[3], "the connection is still to make");
    reply(&mut state, Reply::ConnectionCreated(made_connection("77")));
    assert!(matches!(state.step, Step::Numbers(_)));
    assert_eq!(state.ctx.setup.done()[..5], [true; 5]);
    assert_eq!(state.ctx.done()[..5], [true; 5], "what is wanted is what the account has");
}

#[test]
fn a_failed_create_or_attach_on_step_5_is_retried_without_a_second_profile() {
    // The create's answer lost: the retry lets the worker look for it first.
    let mut state = at_countries();
    press(&mut state, KeyCode::Enter);
    fail(&mut state, ApiError::Timeout);
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(only_call(&cmds), Request::CreateProfile { first_try: false, .. }), "{cmds:?}");
    // Made, but the connection's create failed: Enter sends it again (looking first:
    // the answer may have been lost), and makes no second profile.
    reply(&mut state, Reply::ProfileCreated(profile("77", "WebRTC outbound", &["US", "CA"])));
    fail(&mut state, ApiError::Timeout);
    let Step::Countries(step) = &state.step else { panic!() };
    assert!(!step.draft && step.profile.id == "77");
    press(&mut state, KeyCode::Char(' ')); // one more country meanwhile: AF, first in the list
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, first_try: false } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.outbound, Some(OutboundUpdate { outbound_voice_profile_id: "77".into() }));
    // Made, the profile gets the country chosen since it was made.
    let cmds = reply(&mut state, Reply::ConnectionCreated(made_connection("77")));
    let Request::UpdateProfile { id, update } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(
        (id.as_str(), update.whitelisted_destinations.clone()),
        ("77", vec!["US".into(), "CA".into(), "AF".into()])
    );
}

/// Telnyx refuses the details of the connection named on step 2 when step 5 sends its
/// create (after the profile's): the screen says they are fixed on step 2's form, and
/// a failure of another kind is tried again with Enter, as ever.
#[test]
fn a_refused_connection_on_step_5_says_where_to_fix_it() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::ProfileCreated(profile("77", "WebRTC outbound", &["US", "CA"])));
    let refused =
        telnyx_error("10015", "Invalid value", "user_name has already been taken", Some("/user_name"));
    fail(&mut state, ApiError::Invalid { status: 422, errors: vec![refused].into() });
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("Esc twice: fix the field Telnyx refused on step 2's form"), "{screen}");
    assert!(matches!(only_call(&press(&mut state, KeyCode::Enter)), Request::CreateConnection { .. }));
    fail(&mut state, ApiError::Timeout);
    let screen = screen_text(&state, 100, 30);
    assert!(!screen.contains("Esc twice: fix") && screen.contains("Press Enter to try again"), "{screen}");
}

#[test]
fn back_from_step_5_after_its_profile_was_made_highlights_it_and_makes_no_second_one() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::ProfileCreated(profile("77", "WebRTC outbound", &["US", "CA"])));
    fail(&mut state, ApiError::Timeout); // the connection's create
    let cmds = press(&mut state, KeyCode::Esc);
    assert!(matches!(only_call(&cmds), Request::ListProfiles), "{cmds:?}");
    let listed =
        vec![profile("77", "WebRTC outbound", &["US", "CA"]), profile(EXISTING_PROFILE, "Office", &["US"])];
    reply(&mut state, Reply::ProfilesListed(page(listed)));
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    assert!(step.form.is_none(), "the form that named it is closed");
    assert_eq!(step.list.cursor, 1, "the profile made is highlighted");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, first_try: false } = only_call(&cmds) else {
        panic!("only the connection's create, on it: {cmds:?}")
    };
    assert_eq!(body.outbound, Some(OutboundUpdate { outbound_voice_profile_id: "77".into() }));
}

#[test]
fn a_new_profile_that_moves_a_connection_is_asked_about_on_step_4_and_made_on_step_5() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter); // the existing connection, attached to EXISTING_PROFILE
    answer_numbers_read(&mut state, &cmds);
    untick_vp8(&mut state);
    press(&mut state, KeyCode::Enter); // its codecs as they are
    reply(&mut state, Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office", &["US"])])));
    press(&mut state, KeyCode::Up); // "+ Create a new outbound voice profile"
    press(&mut state, KeyCode::Enter);
    // Nothing is made before the move it makes is answered.
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    let change = step.change.as_ref().expect("moving the connection off “Office” is asked first");
    assert!(change.lines.iter().any(|l| l.contains("“Office”")), "{:?}", change.lines);
    // y: its countries next, and Enter makes it with them, then attaches it unasked.
    assert!(sent(&press(&mut state, KeyCode::Char('y'))).is_empty());
    assert!(matches!(&state.step, Step::Countries(step) if step.draft));
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateProfile { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.whitelisted_destinations, ["US", "CA"]);
    let cmds = reply(&mut state, Reply::ProfileCreated(profile("77", "WebRTC outbound", &["US", "CA"])));
    let Request::UpdateConnection { update, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(update.outbound.as_ref().unwrap().outbound_voice_profile_id, "77");
}

#[test]
fn a_short_profile_name_is_refused() {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Enter);
    for _ in 0..40 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "ab");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(state.step.activity().problem, Some(Problem::Input(_))));
}

#[test]
fn the_attached_profile_is_highlighted_and_kept_without_a_request() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter); // the existing connection, attached to EXISTING_PROFILE
    // Its codecs kept as they are (VP8 unticked): nothing is saved, and the profiles
    // sent ahead load.
    untick_vp8(&mut state);
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    assert!(matches!(state.step, Step::Profile(_)) && state.busy());
    reply(
        &mut state,
        Reply::ProfilesListed(page(vec![
            profile("9", "Other", &["US"]),
            profile(EXISTING_PROFILE, "Office", &["US"]),
        ])),
    );
    let Step::Profile(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 2);
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Step::Countries(step) = &state.step else { panic!() };
    assert_eq!(step.profile.id, EXISTING_PROFILE);
}

// ----- step 5: countries -----

#[test]
fn the_profile_whitelist_starts_selected() {
    let state = at_countries();
    let Step::Countries(step) = &state.step else { panic!() };
    assert_eq!(step.selected.iter().collect::<Vec<_>>(), ["CA", "US"]);
}

#[test]
fn search_and_enter_tick_a_country_and_enter_makes_the_profile_with_it() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "germ");
    press(&mut state, KeyCode::Enter); // ticks Germany and leaves the search
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateProfile { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    let countries: Vec<String> = ["US", "CA", "DE"].map(String::from).to_vec();
    assert_eq!(body, &NewOutboundVoiceProfile::with_countries("WebRTC outbound", countries));
    reply(
        &mut state,
        Reply::ProfileCreated(profile("1293384261075731403", "WebRTC outbound", &["US", "CA", "DE"])),
    );
    let cmds = reply(&mut state, Reply::ConnectionCreated(made_connection("1293384261075731403")));
    // Only step 6's first search, sent ahead (the first whitelisted country's).
    let [Request::SearchNumbers(search)] = sent(&cmds)[..] else { panic!("{cmds:?}") };
    assert_eq!(search.country_code, "US");
    assert!(matches!(state.step, Step::Numbers(_)));
    assert_eq!(state.ctx.setup.done()[..5], [true; 5]);
    assert_eq!(state.ctx.setup.profile.as_ref().unwrap().whitelisted_destinations, ["US", "CA", "DE"]);
}

#[test]
fn typing_while_searching_does_not_toggle_or_quit() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "united q ");
    let Step::Countries(step) = &state.step else { panic!() };
    assert_eq!(step.filter.value(), "united q ");
    assert_eq!(step.selected.len(), 2);
    press(&mut state, KeyCode::Esc); // clears the search and leaves it
    let Step::Countries(step) = &state.step else { panic!() };
    assert!(!step.filtering);
    assert_eq!(step.filter.value(), "");
}

#[test]
fn an_empty_whitelist_is_refused() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "united states of america");
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char(' ')); // US off
    press(&mut state, KeyCode::Char('/'));
    for _ in 0.."united states of america".len() {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "canada");
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char(' ')); // CA off
    let Step::Countries(step) = &state.step else { panic!() };
    assert!(step.selected.is_empty(), "{:?} filter {:?}", step.selected, step.filter.value());
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(state.step.activity().problem, Some(Problem::Input(_))));
}

#[test]
fn debug_output_of_the_whole_state_never_shows_secrets() {
    let mut state = state_with(Some("KEYtopsecret"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    reply(&mut state, Reply::ConnectionsListed(page(vec![])));
    press(&mut state, KeyCode::Enter);
    let password = form_value(&state, FormField::Password);
    let cmds = press(&mut state, KeyCode::Enter);
    let shown = format!("{state:?} {cmds:?}");
    assert!(!shown.contains("KEYtopsecret"), "the API key leaked into Debug output");
    assert!(!shown.contains(&password), "the SIP password leaked into Debug output");
}

// ----- failures anywhere -----

#[test]
fn a_key_revoked_mid_way_leads_back_to_sign_in_with_the_reason() {
    let mut state = at_countries();
    press(&mut state, KeyCode::Enter); // create the profile
    assert!(state.busy());
    assert!(fail(&mut state, rejected_key()).is_empty(), "nothing is retried with a refused key");
    let Step::SignIn(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.activity.problem, Some(Problem::Api(rejected_key())));
    assert!(!state.can_go_back(), "sign-in is the first screen again");
    // What was chosen stays chosen: the connection named on step 2 (made on step 5,
    // after its profile) and its codecs.
    assert!(state.ctx.desired.drafted() && state.ctx.setup.codecs_saved, "what was set up stays set up");
    // Signing in again picks up where the account stands.
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(sign_in_request(&cmds), Request::SignIn { .. }));
}

#[test]
fn a_refused_key_at_sign_in_stays_on_sign_in() {
    let mut state = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    fail(&mut state, rejected_key());
    let Step::SignIn(step) = &state.step else { panic!() };
    assert_eq!(step.activity.problem, Some(Problem::Api(rejected_key())));
}

#[test]
fn a_retry_notice_shows_on_the_request_it_belongs_to() {
    let mut state = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    let op = pending_op(&state);
    let notice = RetryNotice {
        attempt: 2,
        of: 4,
        reason: "HTTP 503".into(),
        wait: std::time::Duration::from_millis(250),
    };
    state.update(Msg::Retrying { op: op + 1, notice: notice.clone() });
    assert_eq!(state.step.activity().pending.as_ref().unwrap().retry, None, "another request's notice");
    assert!(state.update(Msg::Retrying { op, notice: notice.clone() }).is_empty());
    assert_eq!(state.step.activity().pending.as_ref().unwrap().retry, Some(notice));
    // The answer ends the wait, and the notice with it.
    reply(&mut state, Reply::KeyAccepted(balance()));
    assert!(matches!(state.step, Step::Connection(_)));
    assert_eq!(state.step.activity().pending.as_ref().unwrap().retry, None, "the list load is new");
}

#[test]
fn a_profile_list_cut_short_leaves_the_known_profiles_to_the_worker() {
    let mut state = at_codecs();
    press(&mut state, KeyCode::Enter);
    // The account has more profiles than the page shown.
    let mut listed = page(vec![profile(EXISTING_PROFILE, "Office outbound", &["US"])]);
    listed.meta.total_results = 300;
    reply(&mut state, Reply::ProfilesListed(listed));
    press(&mut state, KeyCode::Up);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter); // made on step 5
    let Request::CreateProfile { known, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(known, &None, "the worker must not trust a partial list");
}

// ----- lists sent ahead -----

/// The op of the read of `wanted` among `cmds`.
fn op_of(cmds: &[Cmd], wanted: &Request) -> telnyx_setup::msg::OpId {
    cmds.iter()
        .find_map(|cmd| match cmd {
            Cmd::Call { op, request } if request == wanted => Some(*op),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{wanted:?} is not among {cmds:?}"))
}

/// Signed in (the connections listed), with step 4's list sent with the key's check
/// (its op) and not answered yet.
fn signed_in_with_profiles_ahead() -> (telnyx_setup::state::State, telnyx_setup::msg::OpId) {
    let mut state = state_with(Some("KEYtest"), KeySource::Flag);
    let op = op_of(&press(&mut state, KeyCode::Enter), &Request::ListProfiles);
    reply(&mut state, Reply::KeyAccepted(balance()));
    reply(&mut state, Reply::ConnectionsListed(page(vec![])));
    assert!(matches!(state.step, Step::Connection(_)) && !state.busy());
    (state, op)
}

/// On the codecs of a new connection, with step 4's list sent ahead (its op).
fn codecs_with_profiles_ahead() -> (telnyx_setup::state::State, telnyx_setup::msg::OpId) {
    let (mut state, op) = signed_in_with_profiles_ahead();
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter); // named: made on step 4
    assert!(sent(&cmds).is_empty(), "the list on its way is not sent again: {cmds:?}");
    assert!(matches!(state.step, Step::Codecs(_)) && !state.busy(), "the codecs do not wait for it");
    (state, op)
}

/// `state` with its clock at `secs` after the tests' start time.
fn clock_at(state: &mut telnyx_setup::state::State, secs: u64) {
    let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW_SECS);
    state.update(Msg::Now(start + std::time::Duration::from_secs(secs)));
}

#[test]
fn a_list_sent_ahead_stands_for_a_minute_then_is_read_again() {
    for (age, read_again) in [(59, false), (61, true)] {
        let (mut state, op) = codecs_with_profiles_ahead();
        clock_at(&mut state, 0);
        let listed = Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office outbound", &["US"])]));
        state.update(Msg::Done { op, outcome: Ok(listed) });
        clock_at(&mut state, age);
        let cmds = press(&mut state, KeyCode::Enter);
        assert!(matches!(state.step, Step::Profile(_)));
        if read_again {
            assert!(matches!(only_call(&cmds), Request::ListProfiles), "{age} s old: {cmds:?}");
            assert!(state.busy(), "the screen waits for the list read afresh");
        } else {
            assert!(sent(&cmds).is_empty() && !state.busy(), "{age} s old: {cmds:?}");
        }
    }
}

#[test]
fn a_new_key_reads_ahead_again_whatever_the_last_key_read() {
    let mut state = state_with(Some("KEYfirst"), KeySource::Flag);
    let cmds = press(&mut state, KeyCode::Enter);
    let profiles = op_of(&cmds, &Request::ListProfiles);
    // The check timed out, but the lists sent with it were answered (for that key).
    fail(&mut state, ApiError::Timeout);
    let listed = Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Another account's", &["US"])]));
    state.update(Msg::Done { op: profiles, outcome: Ok(listed) });
    type_text(&mut state, "X");
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(sign_in_request(&cmds), &Request::SignIn { key: Secret::from("KEYfirstX") });
}

#[test]
fn a_list_sent_ahead_that_arrives_first_shows_at_once() {
    let (mut state, op) = codecs_with_profiles_ahead();
    let listed = Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office outbound", &["US"])]));
    assert!(state.update(Msg::Done { op, outcome: Ok(listed) }).is_empty());
    assert!(matches!(state.step, Step::Codecs(_)), "the answer does not move the user");
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "{cmds:?}");
    let Step::Profile(step) = &state.step else { panic!() };
    assert!(!state.busy() && step.list.items.as_ref().is_some_and(|items| items.len() == 1));
}

#[test]
fn a_list_sent_ahead_that_arrives_late_is_the_screens_own() {
    let (mut state, op) = codecs_with_profiles_ahead();
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.step, Step::Profile(_)) && state.busy(), "waits for the list on its way");
    let listed = Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office outbound", &["US"])]));
    state.update(Msg::Done { op, outcome: Ok(listed) });
    let Step::Profile(step) = &state.step else { panic!() };
    assert!(!state.busy() && step.list.is_loaded());
}

#[test]
fn a_list_sent_ahead_that_fails_is_asked_again_and_only_then_shown() {
    let (mut state, op) = codecs_with_profiles_ahead();
    // Even a refused key: the user is not on that screen, so nothing happens yet.
    let cmds = state.update(Msg::Done { op, outcome: Err(rejected_key()) });
    assert!(cmds.is_empty());
    assert!(matches!(state.step, Step::Codecs(_)));
    assert_eq!(state.step.activity().problem, None, "the codecs screen shows no error of another's");
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(only_call(&cmds), Request::ListProfiles), "asked again on arrival: {cmds:?}");
    fail(&mut state, ApiError::Server { status: 503, errors: vec![].into() });
    assert!(matches!(state.step, Step::Profile(_)));
    assert!(state.step.activity().problem.is_some(), "its own failure shows where it belongs");
}

/// The codecs of an existing connection without VP8 open on its codecs plus VP8, what
/// `setup` keeps when `--codecs` is left out: Enter plans that change, and asks first
/// (telnyx-setup did not make the connection); `y` sends it.
#[test]
fn an_existing_connections_codecs_open_on_its_own_plus_vp8_and_enter_asks() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    answer_numbers_read(&mut state, &cmds);
    let Step::Codecs(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.enabled(), ["G722", "G711U", "VP8"]);
    assert!(!step.vp8_off());
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty(), "asked first");
    let change = state.step.screen().change().expect("a question");
    assert!(change.lines.iter().any(|l| l.contains("after: G722, G711U, VP8")), "{:?}", change.lines);
    let cmds = press(&mut state, KeyCode::Char('y'));
    let Request::UpdateConnection { update, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(
        update.inbound.as_ref().map(|i| i.codecs.clone()),
        Some(vec!["G722".into(), "G711U".into(), "VP8".into()])
    );
}
