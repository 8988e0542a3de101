//! The account's name on screen: the header names the account whose key is in use on
//! every screen, and a question before a write to a production account that is not
//! the default one names it (the change popup and the purchase), so a change meant for
//! one customer does not land in another's.

use crate::support::state::{
    at_codecs, at_connections, at_countries, at_existing_codecs, at_numbers, at_profiles, at_results,
    at_resume, at_token, fresh, inspector, press, screen_text,
};
use crossterm::event::KeyCode;
use telnyx_setup::accounts::InUse;
use telnyx_setup::state::{ApiTarget, State};

fn with_account(mut state: State, default: bool, api: ApiTarget) -> State {
    state.ctx.account = Some(InUse { name: "acme-prod".into(), default });
    state.ctx.api = api;
    state
}

fn sandbox() -> ApiTarget {
    ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into())
}

#[test]
fn the_header_names_the_account_on_every_screen() {
    let state = with_account(at_connections(), true, sandbox());
    let screen = screen_text(&state, 100, 30);
    assert!(screen.lines().next().unwrap().contains("[sandbox · account acme-prod]"), "{screen}");
    let mut state = with_account(at_results(), false, ApiTarget::Production);
    press(&mut state, KeyCode::Enter);
    assert!(screen_text(&state, 100, 30).contains("[production · account acme-prod]"));
    // A key given directly names no account.
    let screen = screen_text(&at_connections(), 100, 30);
    assert!(!screen.contains("account acme-prod") && screen.contains("[sandbox]"), "{screen}");
}

/// The purchase question names a production account that is not the default only.
#[test]
fn the_purchase_question_names_a_production_account_that_is_not_the_default() {
    let confirm = |default: bool, api: ApiTarget| {
        let mut state = with_account(at_results(), default, api);
        for _ in 0..3 {
            press(&mut state, KeyCode::Enter); // the number into the cart, the cart, the question
        }
        screen_text(&state, 100, 30)
    };
    let screen = confirm(false, ApiTarget::Production);
    assert!(screen.contains("in account acme-prod? [y/N]"), "{screen}");
    for (default, api) in [(true, ApiTarget::Production), (false, sandbox())] {
        let screen = confirm(default, api);
        assert!(screen.contains("? [y/N]") && !screen.contains("in account"), "{screen}");
    }
}

#[test]
fn the_change_question_names_a_production_account_that_is_not_the_default() {
    let change = |default: bool, api: ApiTarget| {
        let mut state = with_account(at_existing_codecs(&["G722"]), default, api);
        press(&mut state, KeyCode::End);
        press(&mut state, KeyCode::Char(' '));
        press(&mut state, KeyCode::Enter);
        screen_text(&state, 100, 30)
    };
    let screen = change(false, ApiTarget::Production);
    assert!(screen.contains("Change it in account acme-prod? [y/N]"), "{screen}");
    assert!(change(true, ApiTarget::Production).contains("Change it? [y/N]"));
    assert!(change(false, sandbox()).contains("Change it? [y/N]"));
}

/// Every screen, the wizard's steps and the inspector, at a wide and a narrow size: the
/// header's first line names the account.
#[test]
fn every_screens_header_names_the_account() {
    type Screen = (&'static str, fn() -> State);
    let screens: [Screen; 10] = [
        ("sign in", fresh),
        ("connections", at_connections),
        ("codecs", at_codecs),
        ("profiles", at_profiles),
        ("countries", at_countries),
        ("numbers", at_numbers),
        ("number results", at_results),
        ("token", at_token),
        ("resume", at_resume),
        ("inspector", inspector),
    ];
    for (name, make) in screens {
        for (width, height) in [(100, 30), (80, 24)] {
            let state = with_account(make(), false, ApiTarget::Production);
            let screen = screen_text(&state, width, height);
            let header = screen.lines().next().unwrap_or_default();
            assert!(header.contains("account acme-prod"), "{name} at {width}x{height}: {header}\n{screen}");
        }
    }
}
