//! A key shown is a key that works, and a key that works is shown: on every screen,
//! the footer and the help overlay list exactly the bindings update() reads keys
//! through, each bound key changes something, and every other key changes nothing
//! (but for typing into the focused text field).

use crate::support::state::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use telnyx_setup::api::Balance;
use telnyx_setup::journal::Record;
use telnyx_setup::msg::{Msg, Reply};
use telnyx_setup::state::keys::{Action, Binding};
use telnyx_setup::state::{KeySource, State, Step};

/// Builds one screen, the same each time it is called.
type Build = fn() -> State;

/// Every screen and part of a screen, by name.
fn screens() -> Vec<(&'static str, Build)> {
    vec![
        ("sign-in, key field", fresh),
        ("sign-in, remember box", || keys(fresh(), &[KeyCode::Tab])),
        ("sign-in, demo", || state_with(Some("KEYdemo"), KeySource::Demo)),
        ("sign-in, checking the key", || keys(state_with(Some("KEY123"), KeySource::Env), &[KeyCode::Enter])),
        ("continue prompt", at_resume),
        ("continue prompt, finding the order", at_resume_finding_the_order),
        ("continue prompt, order lookup failed", || {
            let mut state = at_resume_finding_the_order();
            fail(&mut state, telnyx_setup::api::ApiError::Timeout);
            state
        }),
        ("connections, loading", connections_loading),
        ("connections", at_connections),
        ("connections, several alike", at_connections_alike),
        ("connection form", || keys(at_connections(), &[KeyCode::Char('n')])),
        ("connection form, a name the account has", || {
            let mut keys_typed = vec![KeyCode::Char('n')];
            keys_typed.extend(std::iter::repeat_n(KeyCode::Backspace, "WebRTC (telnyx-setup)".len()));
            keys_typed.extend("Office softphones".chars().map(KeyCode::Char));
            keys(at_connections(), &keys_typed)
        }),
        ("codecs", at_codecs),
        ("codecs, change question", || {
            keys(at_existing_codecs(&["G722"]), &[KeyCode::End, KeyCode::Char(' '), KeyCode::Enter])
        }),
        ("codecs, requests pane", || keys(at_codecs(), &[KeyCode::Char('L')])),
        ("codecs, curl panel", || keys(at_codecs(), &[KeyCode::Char('c')])),
        ("codecs, curl panel revealed", || keys(at_codecs(), &[KeyCode::Char('c'), KeyCode::Char('r')])),
        ("profiles", at_profiles),
        ("profile form", || keys(at_profiles(), &[KeyCode::Char('n')])),
        ("profile form, a name the account has", || keys(at_profiles(), &retyped("Office outbound"))),
        ("countries", at_countries),
        ("countries, searching", || keys(at_countries(), &[KeyCode::Char('/'), KeyCode::Char('a')])),
        ("countries, searched", || {
            keys(at_countries(), &[KeyCode::Char('/'), KeyCode::Char('a'), KeyCode::Enter])
        }),
        ("numbers intro", at_numbers),
        ("numbers intro, numbers on the connection", || {
            let mut state = continued_to_numbers(Some(earlier_setup()));
            reply(&mut state, Reply::ConnectionNumbers(vec![number_on_connection()]));
            state
        }),
        ("numbers intro, skipped before", || {
            let record = Record { numbers_done: true, numbers_skipped: true, ..earlier_setup() };
            let mut state = continued_to_numbers(Some(record));
            reply(&mut state, Reply::ConnectionNumbers(Vec::new()));
            state
        }),
        ("numbers search, text field", || keys(at_numbers(), &[KeyCode::Enter])),
        ("numbers search, type row", || {
            keys(at_numbers(), &[KeyCode::Enter, KeyCode::Up, KeyCode::Up, KeyCode::Up])
        }),
        ("numbers search, features row", || keys(at_numbers(), &[KeyCode::Enter, KeyCode::Up, KeyCode::Up])),
        ("numbers results", at_results),
        ("numbers cart", || keys(at_results(), &[KeyCode::Char(' '), KeyCode::Enter])),
        ("numbers confirm", || keys(at_results(), &[KeyCode::Char(' '), KeyCode::Enter, KeyCode::Enter])),
        ("numbers ordering", || {
            keys(at_results(), &[KeyCode::Char(' '), KeyCode::Enter, KeyCode::Enter, KeyCode::Char('y')])
        }),
        ("credentials", at_credentials),
        ("credential form", || keys(at_credentials(), &[KeyCode::Char('n')])),
        ("credential form, a name the connection has", || {
            keys(at_credentials_with(vec![credential()]), &retyped("WebRTC login for WebRTC (telnyx-setup)"))
        }),
        ("credential chosen", || keys(at_credentials(), &[KeyCode::Down, KeyCode::Enter])),
        ("token, none yet", || {
            let state = keys(at_credentials(), &[KeyCode::Down, KeyCode::Enter, KeyCode::Enter]);
            assert!(matches!(state.step, Step::Token(_)));
            state
        }),
        ("token", at_token),
        ("token, call test offered", || {
            let mut state = keys(at_token(), &[KeyCode::Char('t')]);
            reply(&mut state, Reply::LoginTested(passed_login()));
            state
        }),
        ("token, call tested", || {
            let mut state = keys(at_token(), &[KeyCode::Char('t')]);
            reply(&mut state, Reply::LoginTested(passed_login()));
            press(&mut state, KeyCode::Char('y'));
            let outcome = telnyx_setup::calltest::CallOutcome::NoAnswer(std::time::Duration::from_secs(30));
            reply(&mut state, Reply::CallTested(outcome));
            state
        }),
        ("summary", || keys(at_token(), &[KeyCode::Enter])),
        ("inspector list", inspector),
        ("inspector details", || keys(inspector(), &[KeyCode::Enter])),
        ("inspector filter", || keys(inspector(), &[KeyCode::Char('/')])),
        ("inspector, curl panel", || keys(inspector(), &[KeyCode::Char('c')])),
        ("inspector balance", || {
            let mut state = keys(inspector(), &[KeyCode::Char('6')]);
            reply(&mut state, Reply::BalanceRead(Balance::default()));
            state
        }),
    ]
}

/// A login test that passed.
fn passed_login() -> telnyx_setup::signaling::LoginTest {
    use telnyx_setup::signaling::{LoginOutcome, LoginTest, SignalingUrl};
    let outcome = LoginOutcome::LoggedIn { elapsed: std::time::Duration::from_millis(23) };
    LoginTest::new(SignalingUrl::parse("ws://127.0.0.1:4010/rtc").unwrap(), outcome)
}

/// Signed in, while the connections load.
fn connections_loading() -> State {
    let mut state = keys(state_with(Some("KEY123"), KeySource::Env), &[KeyCode::Enter]);
    reply(&mut state, Reply::KeyAccepted(balance()));
    state
}

/// `n`, then the suggested name cleared and `name` typed instead.
fn retyped(name: &str) -> Vec<KeyCode> {
    let mut codes = vec![KeyCode::Char('n')];
    codes.extend(std::iter::repeat_n(KeyCode::Backspace, 60));
    codes.extend(name.chars().map(KeyCode::Char));
    codes
}

fn keys(mut state: State, codes: &[KeyCode]) -> State {
    for code in codes {
        press(&mut state, *code);
    }
    state
}

/// On step 7 with two credentials listed.
fn at_credentials() -> State {
    at_credentials_with(vec![credential(), credential()])
}

/// A key that asks for `action` (with `typing`, as the screen is).
fn probes(action: Action, typing: bool) -> Vec<KeyEvent> {
    let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let letter = |c| plain(KeyCode::Char(c));
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    match action {
        Action::Submit => vec![plain(KeyCode::Enter)],
        Action::Back => vec![plain(KeyCode::Esc)],
        Action::NextField => vec![plain(KeyCode::Tab)],
        Action::PrevField => vec![KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)],
        Action::Up => vec![plain(KeyCode::Up)],
        Action::Down => vec![plain(KeyCode::Down)],
        Action::PageUp => vec![plain(KeyCode::PageUp)],
        Action::PageDown => vec![plain(KeyCode::PageDown)],
        Action::Home => vec![plain(KeyCode::Home)],
        Action::End => vec![plain(KeyCode::End)],
        Action::Left => vec![plain(KeyCode::Left)],
        Action::Right => vec![plain(KeyCode::Right)],
        Action::Toggle => vec![letter(' ')],
        Action::Remove => vec![plain(KeyCode::Delete), plain(KeyCode::Backspace)],
        Action::Filter => vec![letter('/')],
        Action::New | Action::No => vec![letter('n')],
        Action::Skip => vec![letter('s')],
        Action::Copy | Action::Yes => vec![letter('y')],
        Action::Reveal if typing => vec![ctrl('r')],
        Action::Reveal => vec![letter('r'), ctrl('r')],
        Action::Generate if typing => vec![ctrl('g')],
        Action::Generate => vec![letter('g'), ctrl('g')],
        Action::Reload => vec![KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)],
        Action::Raw => vec![KeyEvent::new(KeyCode::Char('J'), KeyModifiers::SHIFT)],
        Action::Doctor => vec![letter('d')],
        Action::TestLogin => vec![letter('t')],
        Action::GoTo => vec![letter('g')],
        Action::Tab(n) => vec![letter(char::from(b'0' + n))],
        Action::AnyOther => vec![letter('x')],
        Action::Requests if typing => vec![plain(KeyCode::F(2))],
        Action::Requests => {
            vec![KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT), plain(KeyCode::F(2))]
        }
        Action::Curl => vec![letter('c')],
        Action::Help if typing => vec![plain(KeyCode::F(1))],
        Action::Help => vec![letter('?'), plain(KeyCode::F(1))],
        Action::Quit if typing => vec![ctrl('c')],
        Action::Quit => vec![letter('q'), ctrl('c')],
    }
}

/// Every key the test tries where nothing is bound to it.
fn all_keys() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> =
        (' '..='~').map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)).collect();
    keys.extend(('a'..='z').map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    keys.extend(
        [
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Delete,
            KeyCode::Backspace,
            KeyCode::Insert,
            KeyCode::F(1),
            KeyCode::F(2),
            KeyCode::F(5),
        ]
        .map(|code| KeyEvent::new(code, KeyModifiers::NONE)),
    );
    keys
}

/// Keys that edit the text in a focused field rather than act (Ctrl-A, Ctrl-E, Ctrl-W
/// and the like are the field's editing keys).
fn edits_text(key: &KeyEvent) -> bool {
    matches!(
        key.code,
        KeyCode::Char(_)
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End
    )
}

/// Whether `key` did something to a freshly built `screen`: commands, or any change
/// to the state.
fn acts(build: Build, key: KeyEvent) -> bool {
    let mut state = build();
    let before = format!("{state:?}");
    let cmds = state.update(Msg::Key(key));
    !cmds.is_empty() || format!("{state:?}") != before
}

/// The text of `binding`'s row in the footer: the key and its words.
fn footer_entry(binding: &Binding, typing: bool) -> String {
    format!("{} {}", binding.label(typing), binding.hint)
}

#[test]
fn every_screen_shows_exactly_the_keys_it_handles() {
    for (name, build) in screens() {
        let state = build();
        let typing = state.typing();
        let bindings = state.bindings();
        assert!(!bindings.is_empty(), "{name}: no bindings");

        // The footer shows every binding not kept for the help, and nothing else.
        let footer: Vec<String> = state.hints().iter().map(|(key, words)| format!("{key} {words}")).collect();
        let expected: Vec<String> =
            bindings.iter().filter(|b| !b.help_only).map(|b| footer_entry(b, typing)).collect();
        assert_eq!(footer, expected, "{name}: footer");
        let screen = screen_text(&state, 200, 40);
        let last_lines: String = screen.lines().rev().take(2).collect::<Vec<_>>().join(" ");
        for entry in &expected {
            assert!(last_lines.contains(entry.as_str()), "{name}: the footer lacks {entry:?}:\n{screen}");
        }

        // The help overlay lists every binding with its sentence, under the screen's title.
        let mut with_help = build();
        let help_key = probes(Action::Help, typing)[0];
        with_help.update(Msg::Key(help_key));
        assert!(with_help.help, "{name}: {help_key:?} should open the help");
        let help = screen_text(&with_help, 200, 40);
        assert!(help.contains(with_help.step.screen().title()), "{name}: help title\n{help}");
        for binding in &bindings {
            assert!(help.contains(binding.help), "{name}: help lacks {:?}\n{help}", binding.help);
            assert!(
                help.contains(&binding.all_labels(typing)),
                "{name}: help lacks the keys of {binding:?}\n{help}"
            );
        }

        // Each binding does something with at least one of its keys.
        for binding in &bindings {
            let works =
                binding.actions.iter().flat_map(|action| probes(*action, typing)).any(|key| acts(build, key));
            assert!(works, "{name}: {binding:?} is shown but none of its keys does anything");
        }

        // Every other key does nothing (typing aside).
        let bound: Vec<KeyEvent> = all_keys()
            .into_iter()
            .filter(|key| bindings.iter().any(|b| b.matches(key, typing).is_some()))
            .collect();
        let catch_all = bindings.iter().any(|b| b.actions.contains(&Action::AnyOther));
        for key in all_keys() {
            if bound.contains(&key) || catch_all || (typing && edits_text(&key)) {
                continue;
            }
            assert!(!acts(build, key), "{name}: {key:?} is in no binding but did something");
        }
    }
}

/// At 80 columns no footer wraps or cuts a hint: its one line holds whole hints of the
/// screen's, and always help (where the others that did not fit are).
#[test]
fn no_footer_wraps_at_80_columns() {
    for (name, build) in screens() {
        let state = build();
        let typing = state.typing();
        let expected: Vec<String> =
            state.hints().iter().map(|(key, words)| format!("{key} {words}")).collect();
        let screen = screen_text(&state, 80, 24);
        let last = screen.lines().last().unwrap_or_default().trim_end().to_owned();
        let shown: Vec<&str> = last.split("  ").map(str::trim).filter(|entry| !entry.is_empty()).collect();
        for entry in &shown {
            assert!(expected.iter().any(|e| e == entry), "{name}: {entry:?} is not a whole hint:\n{screen}");
        }
        let help = format!("{} help", Action::Help.label(typing));
        assert!(shown.contains(&help.as_str()), "{name}: the footer lacks {help:?}:\n{screen}");
        // The line above is not the footer's first half.
        let above = screen.lines().rev().nth(1).unwrap_or_default();
        assert!(
            !expected.iter().any(|e| above.contains(e.as_str()) && !last.contains(e.as_str())),
            "{name}: the footer wrapped:\n{screen}"
        );
    }
}
