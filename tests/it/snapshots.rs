//! Render snapshots: every screen and its loading, error and variant states drawn on
//! ratatui's TestBackend and compared with the files in tests/it/snapshots/.

use crate::support;
use crate::support::state::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use std::time::Duration;
use telnyx_setup::api::ApiError;
use telnyx_setup::clipboard::{CopyError, CopyMethod};
use telnyx_setup::journal::Record;
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::state::{KeySource, State};
use telnyx_setup::ui;

fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::view(state, frame)).unwrap();
    terminal
}

macro_rules! snapshot {
    ($name:literal, $state:expr) => {
        snapshot!($name, $state, 80, 24)
    };
    ($name:literal, $state:expr, $width:expr, $height:expr) => {
        insta::assert_snapshot!($name, render(&$state, $width, $height).backend())
    };
}

#[test]
fn sign_in() {
    snapshot!("sign_in_empty", fresh());
    let demo = state_with(Some("KEY_DEMO_SANDBOX"), KeySource::Demo);
    snapshot!("sign_in_demo_key", demo);
    let mut revealed = state_with(Some("KEYrevealed"), KeySource::Env);
    ctrl(&mut revealed, 'r');
    snapshot!("sign_in_revealed_env_key", revealed);
}

#[test]
fn sign_in_remember_saved_key_and_warnings() {
    let mut ticked = state_with(Some("KEYticked"), KeySource::Flag);
    press(&mut ticked, KeyCode::Tab);
    press(&mut ticked, KeyCode::Char(' '));
    snapshot!("sign_in_remember_ticked", ticked);
    let saved =
        state_with(Some("KEYsaved"), KeySource::Saved("/home/dev/.config/telnyx-setup/api-key".into()));
    snapshot!("sign_in_saved_key", saved);
    let mut warned = fresh();
    let telnyx_setup::state::Step::SignIn(step) = &mut warned.step else { panic!() };
    step.warnings = vec![
        "Plain HTTP to example.com: the API key travels unencrypted".into(),
        "the saved API key was not used: permissions 0644 for /home/dev/.config/telnyx-setup/api-key \
         are too open"
            .into(),
    ];
    snapshot!("sign_in_warnings", warned);
    // The next screen says where the key went, or why it did not.
    press(&mut ticked, KeyCode::Enter);
    reply(&mut ticked, Reply::KeyAccepted(balance()));
    let file = telnyx_setup::accounts::Store::File("/home/dev/.config/telnyx-setup/api-key".into());
    let saved = telnyx_setup::accounts::Saved { store: file, keyring_refused: Some("no session bus".into()) };
    ticked.update(Msg::KeySaved(Ok(saved)));
    reply(&mut ticked, Reply::ConnectionsListed(page(Vec::new())));
    snapshot!("sign_in_then_key_saved_notice", ticked);
    let saved = telnyx_setup::accounts::Saved {
        store: telnyx_setup::accounts::Store::Keyring,
        keyring_refused: None,
    };
    ticked.update(Msg::KeySaved(Ok(saved)));
    snapshot!("sign_in_then_key_saved_in_keyring_notice", ticked);
    ticked.update(Msg::KeySaved(Err("cannot create /home/dev/.config: read-only file system".into())));
    snapshot!("sign_in_then_key_not_saved_notice", ticked);
}

#[test]
fn sign_in_checking_rejected_and_cancelled() {
    let mut state = state_with(Some("KEYchecking"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    state.update(Msg::Tick(now()));
    snapshot!("sign_in_checking", state);
    fail(&mut state, rejected_key());
    snapshot!("sign_in_rejected", state);
    let mut cancelled = state_with(Some("KEYslow"), KeySource::Flag);
    press(&mut cancelled, KeyCode::Enter);
    press(&mut cancelled, KeyCode::Esc);
    snapshot!("sign_in_cancelled", cancelled);
    let mut empty = fresh();
    press(&mut empty, KeyCode::Enter);
    snapshot!("sign_in_empty_key_refused", empty);
}

#[test]
fn connections() {
    let mut loading = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut loading, KeyCode::Enter);
    reply(&mut loading, Reply::KeyAccepted(balance()));
    snapshot!("connection_loading", loading);
    fail(&mut loading, ApiError::Server { status: 503, errors: vec![].into() });
    snapshot!("connection_load_failed", loading);
    let mut state = at_connections();
    snapshot!("connection_list", state);
    press(&mut state, KeyCode::Enter);
    snapshot!("connection_form", state);
    ctrl(&mut state, 'r');
    snapshot!("connection_form_revealed", state);
    // Named here, the connection is made on step 4, on the profile chosen: Telnyx's
    // refusal shows there, and back here on the form, which names the field.
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office", &["US"])])));
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let error = ApiError::Invalid {
        status: 422,
        errors: vec![
            telnyx_error("10015", "Invalid value", "user_name has already been taken", Some("/user_name")),
            telnyx_error(
                "10015",
                "Invalid value",
                "password must be between 8 and 128 characters",
                Some("/password"),
            ),
        ]
        .into(),
    };
    fail(&mut state, error);
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Esc);
    reply(&mut state, Reply::ConnectionsListed(page(vec![])));
    snapshot!("connection_form_422", state);
}

#[test]
fn the_minimum_size_still_lays_out() {
    snapshot!("connection_list_60x16", at_connections(), 60, 16);
}

#[test]
fn codecs() {
    let mut state = at_codecs();
    snapshot!("codecs", state);
    press(&mut state, KeyCode::Enter);
    snapshot!("codecs_saving", state);
}

#[test]
fn profiles() {
    let mut state = at_profiles();
    snapshot!("profile_list", state);
    press(&mut state, KeyCode::Enter);
    snapshot!("profile_form", state);
    press(&mut state, KeyCode::Enter); // to its countries
    press(&mut state, KeyCode::Enter); // made with them, then attached
    reply(&mut state, Reply::ProfileCreated(profile("77", "WebRTC outbound", &["US", "CA"])));
    fail(&mut state, ApiError::Timeout);
    snapshot!("profile_attach_failed", state);
}

#[test]
fn countries() {
    let mut state = at_countries();
    snapshot!("countries", state);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "ger");
    snapshot!("countries_search", state);
    for _ in 0..3 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "zzz");
    snapshot!("countries_search_no_match", state);
}

#[test]
fn numbers_search() {
    let mut state = at_numbers();
    snapshot!("numbers_intro", state);
    press(&mut state, KeyCode::Enter);
    snapshot!("numbers_search_form", state);
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "zz");
    press(&mut state, KeyCode::Enter);
    snapshot!("numbers_search_bad_country", state);
}

#[test]
fn numbers_cart_and_order() {
    let mut state = at_results();
    press(&mut state, KeyCode::Char(' '));
    snapshot!("numbers_results", state);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Enter);
    snapshot!("numbers_cart", state);
    press(&mut state, KeyCode::Enter);
    snapshot!("numbers_confirm", state);
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::OrderFound(None)); // no earlier order of this cart
    fail(&mut state, ApiError::Timeout);
    snapshot!("numbers_confirm_after_timeout", state);
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::OrderFound(None));
    reply(
        &mut state,
        Reply::OrderPlaced { order: order("pending", &["+13125550100", "+13125550199"]), existing: false },
    );
    snapshot!("numbers_ordering", state);
    // Ordered with the connection's id, the numbers are on it once the order settles.
    let cmds = reply(&mut state, Reply::OrderChecked(order("success", &["+13125550100", "+13125550199"])));
    // The balance is read again after the purchase; the header shows the new one.
    let [Cmd::Call { op, request: Request::ReadBalance }] = cmds[..] else { panic!("{cmds:?}") };
    let after = telnyx_setup::api::Balance { balance: "245.00".into(), ..balance() };
    state.update(Msg::Done { op, outcome: Ok(Reply::BalanceRead(after)) });
    snapshot!("numbers_done", state);
}

#[test]
fn quitting_during_an_order_asks_first() {
    let mut state = at_results();
    press(&mut state, KeyCode::Enter); // puts the highlighted number in the cart
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::OrderFound(None)); // no earlier order: it is placed
    press(&mut state, KeyCode::Char('q'));
    snapshot!("numbers_quit_during_order", state);
}

#[test]
fn numbers_order_failed() {
    let mut state = at_results();
    press(&mut state, KeyCode::Enter); // puts the highlighted number in the cart
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::OrderFound(None));
    let mut failed = order("failure", &["+13125550100"]);
    failed.phone_numbers[0].requirements_met = Some(false);
    failed.phone_numbers[0].requirements_status = Some("requirement-info-pending".into());
    reply(&mut state, Reply::OrderPlaced { order: failed, existing: false });
    snapshot!("numbers_order_failed", state);
}

#[test]
fn credential() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    snapshot!("credential_loading", state);
    reply(&mut state, Reply::CredentialsListed(page(vec![support::state::credential()])));
    // The connection's newest credential is highlighted: Enter would keep it.
    snapshot!("credential_list", state);
    press(&mut state, KeyCode::Up);
    press(&mut state, KeyCode::Enter);
    snapshot!("credential_form", state);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::CredentialCreated(support::state::credential()));
    snapshot!("credential_details", state);
    press(&mut state, KeyCode::Char('r'));
    snapshot!("credential_details_revealed", state);
}

#[test]
fn token() {
    let mut state = at_token();
    snapshot!("token", state);
    state.update(Msg::Tick(now() + Duration::from_secs(3600 + 61)));
    press(&mut state, KeyCode::Char('y'));
    state.update(Msg::Copied(Ok(CopyMethod::Osc52)));
    snapshot!("token_copied_osc52", state);
    state.update(Msg::Copied(Ok(CopyMethod::System { kept_after_exit: true })));
    snapshot!("token_copied_system", state);
    state.update(Msg::Copied(Err(CopyError("the terminal refused it".into()))));
    press(&mut state, KeyCode::Char('r'));
    snapshot!("token_copy_failed_revealed", state);
    state.update(Msg::Tick(now() + Duration::from_secs(25 * 3600)));
    snapshot!("token_expired", state);
}

#[test]
fn finish() {
    let mut state = at_token();
    press(&mut state, KeyCode::Enter);
    snapshot!("finish", state);
}

#[test]
fn help_overlay() {
    let mut state = at_codecs();
    press(&mut state, KeyCode::Char('?'));
    snapshot!("help_codecs", state);
}

#[test]
fn a_tiny_terminal_gets_a_notice_not_garbage() {
    snapshot!("too_small_20x5", at_connections(), 20, 5);
    // Sizes down to nothing must not panic.
    for (width, height) in [(0, 0), (1, 1), (59, 30), (200, 15)] {
        render(&at_countries(), width, height);
    }
}

#[test]
fn colour_follows_no_color() {
    let mut state = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    fail(&mut state, rejected_key());
    let plain = render(&state, 80, 24);
    assert!(
        plain
            .backend()
            .buffer()
            .content()
            .iter()
            .all(|cell| cell.fg == Color::Reset && cell.bg == Color::Reset),
        "NO_COLOR output must not set colours"
    );
    state.color = true;
    let coloured = render(&state, 80, 24);
    let error_cell = coloured
        .backend()
        .buffer()
        .content()
        .iter()
        .find(|cell| cell.symbol() == "✗")
        .expect("the error is marked with a symbol, not colour alone");
    assert_eq!(error_cell.fg, Color::Red);
}

#[test]
fn inspector() {
    let mut sign_in = state_with(Some("KEYinspect"), KeySource::Flag);
    sign_in.ctx.mode = telnyx_setup::state::Mode::Inspector;
    snapshot!("inspector_sign_in", sign_in);
    let mut state = support::state::inspector();
    snapshot!("inspector_connections", state);
    press(&mut state, KeyCode::Enter);
    snapshot!("inspector_connection_relations", state);
    press(&mut state, KeyCode::Char('J'));
    snapshot!("inspector_connection_raw_json", state);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let numbers: Vec<_> = (0..100).map(|i| number_json(i, EXISTING_CONNECTION)).collect();
    reply(&mut state, Reply::Browsed(raw_page(numbers, 1, 10_000)));
    press(&mut state, KeyCode::Char('J'));
    for _ in 0..30 {
        press(&mut state, KeyCode::Down);
    }
    snapshot!("inspector_numbers_of_a_connection", state);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "1234");
    snapshot!("inspector_filter_prompt", state);
}

#[test]
fn inspector_balance_and_doctor() {
    let mut state = support::state::inspector();
    press(&mut state, KeyCode::Char('6'));
    reply(&mut state, Reply::BalanceRead(balance()));
    snapshot!("inspector_balance", state);
    press(&mut state, KeyCode::Char('1'));
    reply(
        &mut state,
        Reply::Browsed(raw_page(vec![connection_json(EXISTING_CONNECTION, "Office softphones", None)], 1, 1)),
    );
    press(&mut state, KeyCode::Enter);
    for _ in 0..2 {
        press(&mut state, KeyCode::Down);
    }
    press(&mut state, KeyCode::Enter);
    let facts = telnyx_setup::doctor::Facts {
        connection_id: EXISTING_CONNECTION.into(),
        connection: Some(support::state::connection(
            EXISTING_CONNECTION,
            "Office softphones",
            &["G722"],
            None,
        )),
        ..Default::default()
    };
    reply(&mut state, Reply::Diagnosed(telnyx_setup::doctor::diagnose(&facts)));
    snapshot!("inspector_doctor_report", state);
}

#[test]
fn the_inspector_never_shows_secrets() {
    let mut state = support::state::inspector();
    press(&mut state, KeyCode::Enter);
    for raw in [false, true] {
        let screen = render(&state, 120, 60).backend().to_string();
        assert!(screen.contains("hidden"), "the password is marked hidden:\n{screen}");
        assert!(!screen.contains("secret-password-1"), "raw JSON {raw}:\n{screen}");
        press(&mut state, KeyCode::Char('J'));
    }
}

#[test]
fn a_retry_in_progress_is_shown() {
    let mut state = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    let notice = telnyx_setup::api::RetryNotice {
        attempt: 2,
        of: 4,
        reason: "HTTP 503".into(),
        wait: Duration::from_millis(250),
    };
    state.update(Msg::Retrying { op: pending_op(&state), notice });
    snapshot!("connection_loading_retrying", state);
}

#[test]
fn wide_and_non_ascii_names_keep_the_layout() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter);
    // Replace the suggested name with double-width CJK, an emoji and accents.
    for _ in 0..40 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "東京オフィス 📞 Zoë's WebRTC");
    snapshot!("connection_form_wide_name", state);
    let mut list = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut list, KeyCode::Enter);
    reply(&mut list, Reply::KeyAccepted(balance()));
    let wide = connection("1293384261075731499", "大阪 📞 サポート窓口 — Ünïcödé", &["OPUS"], None);
    reply(&mut list, Reply::ConnectionsListed(page(vec![wide])));
    snapshot!("connection_list_wide_name", list);
}

/// Two connections telnyx-setup made that the preselection cannot tell apart: the
/// question above the list, both rows marked, "Create new" highlighted.
#[test]
fn connections_that_look_alike() {
    let state = at_connections_alike();
    snapshot!("connection_list_alike", state);
    snapshot!("connection_list_alike_60x16", state, 60, 16);
}

#[test]
fn continue_prompt() {
    snapshot!("resume_unfinished", at_resume());
    let finished = Record {
        credential: Some(telnyx_setup::journal::Named { id: "cred-1".into(), name: "WebRTC login".into() }),
        numbers_done: true,
        finished: true,
        ..earlier_setup()
    };
    let mut state = journaled(Some(finished));
    signed_in(&mut state);
    snapshot!("resume_finished", state);
    snapshot!("resume_finding_the_order", at_resume_finding_the_order());
    let mut found = at_resume_finding_the_order();
    let order = telnyx_setup::api::NumberOrder {
        id: "order-1".into(),
        status: "success".into(),
        connection_id: Some(SETUP_CONNECTION.into()),
        ..Default::default()
    };
    reply(&mut found, Reply::OrderFound(Some(order)));
    snapshot!("resume_order_found", found);
    let mut numbers = continued_to_numbers(Some(earlier_setup()));
    reply(&mut numbers, Reply::ConnectionNumbers(vec![number_on_connection()]));
    snapshot!("numbers_already_on_the_connection", numbers);
}

/// A newcomer's walk at 60x20, the smallest terminal the wizard lays out for (the tests
/// above are at 80x24): every screen of the straight path, with a search, a cart, an
/// order and a revealed token, so a layout change shows here as a diff.
#[test]
fn every_screen_at_60x20() {
    let small = |name: &str, state: &State| {
        insta::assert_snapshot!(format!("small_{name}"), render(state, 60, 20).backend());
    };
    small("sign_in_empty", &fresh());
    small("sign_in_demo_key", &state_with(Some("KEY_DEMO_SANDBOX"), KeySource::Demo));
    let mut rejected = state_with(Some("KEYx"), KeySource::Flag);
    press(&mut rejected, KeyCode::Enter);
    fail(&mut rejected, rejected_key());
    small("sign_in_rejected", &rejected);
    let mut state = at_connections();
    small("connection_list", &state);
    press(&mut state, KeyCode::Enter);
    small("connection_form", &state);
    small("codecs", &at_codecs());
    let mut state = at_profiles();
    small("profile_list", &state);
    press(&mut state, KeyCode::Enter);
    small("profile_form", &state);
    let mut state = at_countries();
    small("countries", &state);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "ire");
    small("countries_search", &state);
    let mut state = at_numbers();
    small("numbers_intro", &state);
    press(&mut state, KeyCode::Enter);
    small("numbers_search_form", &state);
    let mut state = at_results();
    press(&mut state, KeyCode::Char(' '));
    small("numbers_results", &state);
    press(&mut state, KeyCode::Enter);
    small("numbers_cart", &state);
    press(&mut state, KeyCode::Enter);
    small("numbers_confirm", &state);
    // Two numbers: the question's plan line wraps rather than cut a number or a price.
    let mut two = at_results();
    press(&mut two, KeyCode::Char(' '));
    press(&mut two, KeyCode::Down);
    press(&mut two, KeyCode::Char(' '));
    press(&mut two, KeyCode::Enter);
    press(&mut two, KeyCode::Enter);
    small("numbers_confirm_two", &two);
    press(&mut state, KeyCode::Char('y'));
    reply(&mut state, Reply::OrderFound(None));
    reply(&mut state, Reply::OrderPlaced { order: order("pending", &["+13125550100"]), existing: false });
    small("numbers_ordering", &state);
    reply(&mut state, Reply::OrderChecked(order("success", &["+13125550100"])));
    small("numbers_done", &state);
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![])));
    small("credential_list", &state);
    press(&mut state, KeyCode::Enter);
    small("credential_form", &state);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::CredentialCreated(support::state::credential()));
    small("credential_details", &state);
    let mut state = at_token();
    small("token", &state);
    press(&mut state, KeyCode::Char('r'));
    small("token_revealed", &state);
    press(&mut state, KeyCode::Enter);
    small("finish", &state);
    small("resume_unfinished", &at_resume());
    let mut help = at_codecs();
    press(&mut help, KeyCode::Char('?'));
    small("help_codecs", &help);
    small("inspector_connections", &support::state::inspector());
}

/// Screens of the straight path the tests above show only in another state.
#[test]
fn more_screens_at_80x24() {
    let mut state = at_token();
    press(&mut state, KeyCode::Char('r'));
    snapshot!("token_revealed", state);
    let mut inspector = support::state::inspector();
    press(&mut inspector, KeyCode::Char('2'));
    let profile = serde_json::json!({
        "id": "77", "record_type": "outbound_voice_profile", "name": "WebRTC outbound", "enabled": true,
        "whitelisted_destinations": ["US", "CA"], "connections_count": 1, "tags": ["telnyx-setup"],
    });
    reply(&mut inspector, Reply::Browsed(raw_page(vec![profile], 1, 1)));
    snapshot!("inspector_profiles", inspector);
}
