//! Names (issue 20, case 3): a second setup that keeps the suggested name does not make
//! a second record of that name, so the day-two commands still know which one a name
//! means; a name the account has is flagged on the form as it is typed, before Enter,
//! and Enter then uses that record (or, of several alike, the user picks one).

use crate::support::pty::{BACKSPACE, CTRL_C, DOWN, ENTER, Pty, start_sandbox};
use crate::support::state::*;
use crate::support::{BIN, TempDir, client, log_path};
use crossterm::event::KeyCode;
use std::process::{Command, Output, Stdio};
use telnyx_setup::api::CredentialConnection;
use telnyx_setup::api::PageRequest;
use telnyx_setup::msg::Reply;
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::state::{State, Step};

const KEY: &str = "KEYnames";
const DEFAULT: &str = "WebRTC (telnyx-setup)";
const UP: &str = "\x1b[A";

fn command(sandbox: &Sandbox, state: &TempDir, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--api-base", &sandbox.base_url(), "--api-key", KEY])
        .stdin(Stdio::null())
        .env_remove("TELNYX_API_KEY")
        .env("TELNYX_SETUP_STATE_DIR", state.path())
        .env("TELNYX_SETUP_LOG", log_path("names"))
        .output()
        .expect("the binary runs")
}

fn connection_names(runtime: &tokio::runtime::Runtime, sandbox: &Sandbox) -> Vec<String> {
    let api = client(&sandbox.base_url(), KEY);
    let listed = runtime.block_on(api.list_credential_connections(PageRequest::first(250), None)).unwrap();
    let mut names: Vec<String> = listed.data.into_iter().map(|c| c.connection_name).collect();
    names.sort();
    names
}

/// From the connection list: highlights "+ Create a new" and opens the form.
fn open_the_form(app: &mut Pty) -> String {
    let list = app.wait_idle_with(&["+ Create a new"]);
    if !list.contains("▶ + Create a new") {
        app.send(&UP.repeat(10));
        app.wait_for_text(&["▶ + Create a new"]);
    }
    app.send(ENTER);
    app.wait_idle_with(&["Connection name", "SIP user name"])
}

#[test]
fn a_new_setup_suggests_a_free_name_and_the_day_two_commands_still_know_the_first() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let state = TempDir::new("names-state");
    // The first setup, with the default names.
    let first = command(&sandbox, &state, &["setup", "--yes"]);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(connection_names(&runtime, &sandbox), [DEFAULT]);

    // The second: the wizard, `n` (a new setup) at the prompt, and the form as it opens.
    let env = [("TELNYX_API_KEY", KEY), ("TELNYX_SETUP_STATE_DIR", state.path().to_str().unwrap())];
    let mut app = Pty::spawn_with_env("names-second", &["--api-base", &sandbox.base_url()], 100, 32, &env);
    app.wait_for_text(&["Step 1 of 8: Sign in", "The key came from the TELNYX_API_KEY"]);
    app.send(ENTER);
    app.wait_idle_with(&["The setup finished at"]);
    app.send("n");
    let form = open_the_form(&mut app);
    assert!(form.contains(&format!("{DEFAULT} 2")), "the suggestion is free on the account:\n{form}");

    // The name the account has is flagged as it is typed, before Enter (which would
    // use that connection), and nothing is sent.
    let writes = || sandbox.journal().iter().filter(|e| !e.is_read()).count();
    let before = writes();
    app.send(&BACKSPACE.repeat(2));
    let flagged = app.wait_for_text(&["exists already"]);
    assert!(
        flagged.contains(&format!("A connection named “{DEFAULT}” exists already: Enter uses it")),
        "{flagged}"
    );
    assert!(flagged.contains("Enter use it"), "the footer says what Enter does now:\n{flagged}");
    assert_eq!(writes(), before, "nothing sent for a taken name");

    // The suggestion made, the day-two commands still know what the default name means.
    app.send(" 2");
    let free = app.wait_for_text(&[&format!("{DEFAULT} 2"), "Enter next"]);
    assert!(!free.contains("exists already"), "{free}");
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8"]);
    // Named, it is made on step 4, on the profile chosen (the first setup's).
    app.send(ENTER);
    app.wait_idle_with(&["Step 4 of 8", "+ Create a new outbound voice profile"]);
    app.send(DOWN);
    app.wait_for("a profile highlighted", |screen| {
        screen.contents().lines().any(|line| line.contains('▶') && !line.contains("+ Create"))
    });
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
    assert_eq!(connection_names(&runtime, &sandbox), [DEFAULT.to_owned(), format!("{DEFAULT} 2")]);
    for args in [
        &["token", "--connection", DEFAULT][..],
        &["doctor", "--connection", DEFAULT],
        &["setup", "--dry-run", "--connection", DEFAULT],
    ] {
        let output = command(&sandbox, &state, args);
        assert_ne!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// Issue 20, names: the lists a new record's name is checked against hold every page,
/// not the first 250: a connection, a profile and a credential of the default names
/// on page 2 are in the wizard's lists (so the form suggests a free name and flags a
/// taken one), in one request for each further wave of pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lists_names_are_checked_against_hold_every_page() {
    use telnyx_setup::api::{NewOutboundVoiceProfile, NewTelephonyCredential};
    use telnyx_setup::msg::{Reply, Request};
    use telnyx_setup::worker::execute;
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let fillers = 260;
    let mut connection_id = String::new();
    for n in 0..fillers {
        let made = api
            .create_credential_connection(&crate::support::new_connection(
                &format!("Filler {n}"),
                &format!("filler{n:04}"),
            ))
            .await
            .unwrap();
        connection_id = made.id;
        api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named(format!("Filler {n}")))
            .await
            .unwrap();
    }
    api.create_credential_connection(&crate::support::new_connection(DEFAULT, "lastpage01")).await.unwrap();
    api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("WebRTC outbound")).await.unwrap();
    for n in 0..=fillers {
        let body = NewTelephonyCredential {
            connection_id: connection_id.clone(),
            name: Some(format!("Login {n}")),
            tag: None,
            expires_at: None,
        };
        api.create_telephony_credential(&body).await.unwrap();
    }

    let Ok(Reply::ConnectionsListed(page)) = execute(&api, Request::ListConnections).await else { panic!() };
    assert_eq!(page.data.len(), fillers + 1);
    assert!(page.data.iter().any(|c| c.connection_name == DEFAULT), "the default name, on page 2");
    let names = page.data.iter().map(|c| c.connection_name.as_str());
    assert_eq!(telnyx_setup::setup::free_name(DEFAULT, names), format!("{DEFAULT} 2"));
    let Ok(Reply::ProfilesListed(page)) = execute(&api, Request::ListProfiles).await else { panic!() };
    assert!(page.data.len() == fillers + 1 && page.data.iter().any(|p| p.name == "WebRTC outbound"));
    let request = Request::ListCredentials { connection_id };
    let Ok(Reply::CredentialsListed(page)) = execute(&api, request).await else { panic!() };
    assert_eq!(page.data.len(), fillers + 1, "every credential of the connection");
    assert!(page.data.iter().any(|c| c.name.as_deref() == Some(&format!("Login {fillers}"))));
}

/// The form of step 2 with `name` typed over the suggestion, the list holding `listed`.
fn form_named(listed: Vec<CredentialConnection>, name: &str) -> State {
    let mut state = journaled(None);
    signed_in(&mut state);
    reply(&mut state, Reply::ConnectionsListed(page(listed)));
    press(&mut state, KeyCode::Char('n'));
    for _ in 0.."WebRTC (telnyx-setup)".len() {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, name);
    state
}

/// A name the account has is said on the form as it is typed (no request), and Enter
/// then goes on with that connection, creating nothing; one character more and the
/// form creates again.
#[test]
fn a_taken_name_is_flagged_as_typed_and_enter_uses_that_connection() {
    let office = connection(EXISTING_CONNECTION, "Office softphones", &["G722"], Some(EXISTING_PROFILE));
    let mut state = form_named(vec![office], "Office softphones");
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen.contains(
            "A connection named “Office softphones” exists already: Enter uses it, or give another name."
        ),
        "{screen}"
    );
    assert!(screen.contains("Enter use it"), "{screen}");

    type_text(&mut state, " 2");
    let screen = screen_text(&state, 100, 30);
    assert!(!screen.contains("exists already") && screen.contains("Enter next"), "{screen}");
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);

    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "nothing created: {cmds:?}");
    let Step::Codecs(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.connection.id, EXISTING_CONNECTION);
    assert!(!step.created, "the user's connection: a change to it is asked about");
}

/// Of several connections of the name, Enter uses the one the recogniser means
/// (telnyx-setup's), and the flag says which; where it cannot tell them apart, the
/// flag says to pick one in the list, and Enter creates nothing.
#[test]
fn of_several_of_the_name_enter_uses_the_one_it_means_or_none() {
    let twin = |id: &str| connection(id, "Lobby", &["G722"], None);
    let mut marked_one = marked(twin("1293384261075731441"));
    marked_one.user_name = "lobbyours".into();
    let mut state = form_named(vec![twin("1293384261075731440"), marked_one], "Lobby");
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains("2 connections are named “Lobby”: Enter uses telnyx-setup's (user lobbyours)"),
        "{screen}"
    );
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    let Step::Codecs(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.connection.id, "1293384261075731441");

    let mut state = form_named(vec![twin("1293384261075731440"), twin("1293384261075731442")], "Lobby");
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains("2 connections are named “Lobby” and look alike: press Esc and pick one"),
        "{screen}"
    );
    assert!(screen.contains("Enter next"), "{screen}");
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "{cmds:?}");
    assert!(matches!(&state.step, Step::Connection(step) if step.form.is_some()), "still on the form");
}

/// Clears the focused field (a suggested name) and types `name` in it.
fn retype(state: &mut State, name: &str) {
    for _ in 0..80 {
        press(state, KeyCode::Backspace);
    }
    type_text(state, name);
}

/// A new profile's and a new credential's name the account has are flagged on their
/// forms as they are typed too (Enter refuses them, as before), and go once the name
/// is free.
#[test]
fn a_taken_profile_or_credential_name_is_flagged_as_typed() {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Char('n'));
    retype(&mut state, "Office outbound");
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("A profile named “Office outbound” exists already"), "{screen}");
    type_text(&mut state, " 2");
    assert!(!screen_text(&state, 100, 30).contains("exists already"));

    let mut state = at_credentials_with(vec![credential()]);
    press(&mut state, KeyCode::Char('n'));
    retype(&mut state, "WebRTC login for WebRTC (telnyx-setup)");
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen.contains("A credential named “WebRTC login for WebRTC (telnyx-setup)” exists already"),
        "{screen}"
    );
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "refused on Enter: {cmds:?}");
    type_text(&mut state, " 2");
    assert!(!screen_text(&state, 100, 30).contains("exists already"));
}
