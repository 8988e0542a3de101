//! Names (issue 20, case 3): a second setup that keeps the suggested name does not make
//! a second record of that name, so the day-two commands still know which one a name
//! means; a name the account has is flagged on the connection, profile and credential
//! forms as it is typed, before Enter, and Enter then uses that record the way Enter
//! on its row would, questions and all (or, of several alike, the user picks one; an
//! expired credential is not reused).

use crate::support::pty::{BACKSPACE, CTRL_C, DOWN, ENTER, Pty, start_sandbox};
use crate::support::state::*;
use crate::support::{BIN, TempDir, client, log_path};
use crossterm::event::KeyCode;
use std::process::{Command, Output, Stdio};
use telnyx_setup::api::PageRequest;
use telnyx_setup::api::{CredentialConnection, NewOutboundVoiceProfile, TelephonyCredential};
use telnyx_setup::msg::{Reply, Request};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::state::{Problem, State, Step};

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
    // Nothing created: only the numbers on the connection are read, ahead.
    assert_reads_its_numbers(&cmds, EXISTING_CONNECTION);
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
    assert_reads_its_numbers(&press(&mut state, KeyCode::Enter), "1293384261075731441");
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

/// The profile form of step 4 with `name` typed over the suggestion.
fn profile_form_named(mut state: State, name: &str) -> State {
    press(&mut state, KeyCode::Char('n'));
    retype(&mut state, name);
    assert!(matches!(&state.step, Step::Profile(step) if step.form.is_some()));
    state
}

/// A profile's name the account has is flagged as it is typed, the footer's Enter
/// reads "use it", and Enter uses that profile, as Enter on its row does: the
/// connection named on step 2 is made on it (a create: nothing to ask), no profile
/// made.
#[test]
fn a_taken_profile_name_is_flagged_as_typed_and_enter_attaches_that_profile() {
    let mut state = profile_form_named(at_profiles(), "Office outbound");
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen.contains(
            "A profile named “Office outbound” exists already: Enter uses it, or give another name."
        ),
        "{screen}"
    );
    assert!(screen.contains("Enter use it"), "{screen}");
    assert!(!screen.contains("US and CA to start"), "what a new profile would have is not shown:\n{screen}");
    type_text(&mut state, " 2");
    let screen = screen_text(&state, 100, 30);
    assert!(!screen.contains("exists already") && screen.contains("Enter next"), "{screen}");
    assert!(screen.contains("US and CA to start"), "{screen}");
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);

    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, .. } = only_call(&cmds) else {
        panic!("only the connection's create, on it: {cmds:?}")
    };
    assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, EXISTING_PROFILE);
    reply(&mut state, Reply::ConnectionCreated(made_connection(EXISTING_PROFILE)));
    let Step::Countries(step) = &state.step else { panic!("{:?}", state.step) };
    assert!(!step.draft && step.profile.id == EXISTING_PROFILE, "the existing profile, not a new one");
}

/// Step 4 of the user's connection "Office softphones", attached to "Office", with the
/// profile "Lobby outbound" (id 9) on the account too.
fn at_profiles_of_the_users_connection() -> State {
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter); // the existing connection, attached to EXISTING_PROFILE
    answer_numbers_read(&mut state, &cmds);
    untick_vp8(&mut state);
    press(&mut state, KeyCode::Enter); // its codecs as they are
    let listed = vec![profile(EXISTING_PROFILE, "Office", &["US"]), profile("9", "Lobby outbound", &["US"])];
    reply(&mut state, Reply::ProfilesListed(page(listed)));
    assert!(matches!(state.step, Step::Profile(_)));
    state
}

/// On a connection this setup did not make, Enter on another profile's name asks
/// before the move, as Enter on its row does: `n` moves nothing and leaves that row
/// highlighted; `y` sends the one PATCH, and no profile is made. The name of the
/// profile it has goes on with nothing sent.
#[test]
fn a_taken_profile_name_asks_before_it_moves_the_users_connection() {
    let mut state = profile_form_named(at_profiles_of_the_users_connection(), "Lobby outbound");
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty(), "nothing before the answer");
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    let change = step.change.as_ref().expect("the move is asked about");
    assert_eq!(change.title, "Move the connection to another profile?");
    assert!(change.lines.iter().any(|l| l.contains("now:   “Office”")), "{:?}", change.lines);
    assert!(change.lines.iter().any(|l| l.contains("after: “Lobby outbound”")), "{:?}", change.lines);
    assert_eq!(state.hints()[0], ("y".to_owned(), "change it"));

    assert!(sent(&press(&mut state, KeyCode::Char('n'))).is_empty());
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    assert!(step.form.is_none() && step.change.is_none());
    assert_eq!(step.list.cursor, 2, "“Lobby outbound” highlighted");
    assert_eq!(state.step.activity().notice.as_deref(), Some("Nothing was changed."));

    let mut state = profile_form_named(at_profiles_of_the_users_connection(), "Lobby outbound");
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Char('y'));
    let Request::UpdateConnection { id, update } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(
        (id.as_str(), update.outbound.as_ref().unwrap().outbound_voice_profile_id.as_str()),
        (EXISTING_CONNECTION, "9")
    );
    let moved = connection(EXISTING_CONNECTION, "Office softphones", &["G722", "G711U"], Some("9"));
    reply(&mut state, Reply::ConnectionUpdated(moved));
    assert!(matches!(&state.step, Step::Countries(step) if step.profile.id == "9"), "{:?}", state.step);

    // The name of the profile it has: nothing to send, nothing to ask.
    let mut state = profile_form_named(at_profiles_of_the_users_connection(), "Office");
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    assert!(
        matches!(&state.step, Step::Countries(step) if step.profile.id == EXISTING_PROFILE),
        "{:?}",
        state.step
    );
}

/// Of several profiles of the name, Enter uses the one the recogniser means
/// (telnyx-setup's), and the flag names it; where it cannot tell them apart, the flag
/// names their ids and says to pick one in the list, and Enter sends nothing.
#[test]
fn of_several_profiles_of_the_name_enter_uses_the_one_it_means_or_none() {
    let twins = |marked_one: bool| {
        let mut state = at_codecs();
        press(&mut state, KeyCode::Enter);
        let mut ours = profile("71", "Shared", &["US"]);
        if marked_one {
            ours.tags = vec![telnyx_setup::api::MARK.to_owned()];
        }
        reply(&mut state, Reply::ProfilesListed(page(vec![profile("70", "Shared", &["US"]), ours])));
        profile_form_named(state, "Shared")
    };
    let mut state = twins(true);
    let screen = screen_text(&state, 120, 30);
    assert!(screen.contains("2 profiles are named “Shared”: Enter uses telnyx-setup's (id 71)"), "{screen}");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, "71");

    let mut state = twins(false);
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains(
            "2 profiles are named “Shared” and look alike: press Esc and pick one in the list (ids 70, 71)"
        ),
        "{screen}"
    );
    assert!(screen.contains("Enter next"), "{screen}");
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    assert!(matches!(&state.step, Step::Profile(step) if step.form.is_some()), "still on the form");
    assert!(matches!(state.step.activity().problem, Some(Problem::Input(_))));
}

/// A credential of the connection named `name`, with id `id`.
fn credential_named(id: &str, name: &str, sip_username: &str) -> TelephonyCredential {
    TelephonyCredential {
        id: id.into(),
        name: Some(name.into()),
        sip_username: sip_username.into(),
        ..credential()
    }
}

/// The credential form of step 7 with `name` typed over the suggestion.
fn credential_form_named(listed: Vec<TelephonyCredential>, name: &str) -> State {
    let mut state = at_credentials_with(listed);
    press(&mut state, KeyCode::Char('n'));
    retype(&mut state, name);
    assert!(matches!(&state.step, Step::Credential(step) if step.form.is_some()));
    state
}

/// A credential's name the connection has is flagged as it is typed, the footer's
/// Enter reads "use it", and Enter shows that credential's SIP details, as Enter on its
/// row does; Enter then goes on with it. Nothing is created.
#[test]
fn a_taken_credential_name_is_flagged_as_typed_and_enter_uses_that_credential() {
    let other = credential_named("0b0e7a8c-1d2e-4f5a-8b9c-0d1e2f3a4b5c", "Desk phone", "gencreddesk");
    let name = "WebRTC login for WebRTC (telnyx-setup)";
    let mut state = credential_form_named(vec![other, credential()], name);
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen.contains(&format!("A credential named “{name}” exists already: Enter uses it")),
        "{screen}"
    );
    assert!(screen.contains("Enter use it"), "{screen}");
    type_text(&mut state, " 2");
    let screen = screen_text(&state, 100, 30);
    assert!(!screen.contains("exists already") && screen.contains("Enter create"), "{screen}");
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Backspace);

    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "nothing created: {cmds:?}");
    let Step::Credential(step) = &state.step else { panic!("{:?}", state.step) };
    assert!(step.form.is_none());
    assert_eq!(step.chosen.as_ref().map(|c| c.id.as_str()), Some(credential().id.as_str()));
    assert_eq!(step.list.cursor, 2, "its row highlighted, for Esc back to the list");
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(!sent(&cmds).iter().any(|r| matches!(r, Request::CreateCredential { .. })), "{cmds:?}");
    assert!(matches!(state.step, Step::Token(_)), "{:?}", state.step);
}

/// A credential that has expired cannot log in, so its name is not reused: the flag
/// says so, and Enter makes a new one of that name, as `setup --credential NAME` does
/// (an expired one is not counted when a name is recognised).
#[test]
fn an_expired_credentials_name_says_so_and_enter_makes_a_new_one() {
    let expired = TelephonyCredential {
        expires_at: Some("2026-01-01T00:00:00Z".into()),
        ..credential_named("5d7a9a51-3f0b-4a43-9d0e-3c1f5b0c9a11", "Lobby login", "gencredlobby")
    };
    let mut state = credential_form_named(vec![expired], "Lobby login");
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains(
            "A credential named “Lobby login” exists but has expired, so it cannot log in: Enter makes"
        ),
        "{screen}"
    );
    assert!(screen.contains("Enter create") && !screen.contains("Enter use it"), "{screen}");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateCredential { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.name.as_deref(), Some("Lobby login"));
}

/// Of several credentials of the name, Enter uses the one the recogniser means
/// (telnyx-setup's), and the flag names it; where it cannot tell them apart, the flag
/// names their ids, and Enter creates nothing.
#[test]
fn of_several_credentials_of_the_name_enter_uses_the_one_it_means_or_none() {
    let first = credential_named("11111111-1111-4111-8111-111111111111", "Lobby login", "gencredfirst");
    let second = credential_named("22222222-2222-4222-8222-222222222222", "Lobby login", "gencredsecond");
    let ours = TelephonyCredential { tag: Some(telnyx_setup::api::MARK.to_owned()), ..second.clone() };
    let mut state = credential_form_named(vec![first.clone(), ours], "Lobby login");
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains(
            "2 credentials are named “Lobby login”: Enter uses telnyx-setup's (SIP user gencredsecond)"
        ),
        "{screen}"
    );
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    let Step::Credential(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.chosen.as_ref().map(|c| c.id.as_str()), Some(second.id.as_str()));

    let mut state = credential_form_named(vec![first, second], "Lobby login");
    let screen = screen_text(&state, 140, 30);
    assert!(
        screen.contains(
            "and look alike: press Esc and pick one in the list (ids 11111111-1111-4111-8111-111111111111, "
        ),
        "{screen}"
    );
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    assert!(matches!(&state.step, Step::Credential(step) if step.form.is_some() && step.chosen.is_none()));
}

/// The writes the sandbox has answered, as "METHOD /path".
fn writes(sandbox: &Sandbox) -> Vec<String> {
    sandbox.journal().iter().filter(|e| !e.is_read()).map(|e| format!("{} {}", e.method, e.path)).collect()
}

/// The highlighted row of a list: the screen's line with `▶`.
fn highlighted(screen: &str) -> String {
    screen.lines().find(|line| line.contains('▶')).unwrap_or_default().to_owned()
}

/// The real binary from sign-in to step 4 of the seed's connection "Office softphones",
/// which uses the seed's profile "Office outbound".
fn to_the_profiles_of_office_softphones(app: &mut Pty) {
    app.wait_idle_with(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Office softphones"]);
    app.send(DOWN);
    app.wait_for("the connection highlighted", |screen| {
        highlighted(&screen.contents()).contains("Office softphones")
    });
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs"]);
    // Its codecs plus VP8, as `setup` keeps them: asked first, `y`.
    app.send(ENTER);
    app.wait_idle_with(&["Change this connection's codecs?"]);
    app.send("y");
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "attached"]);
}

/// The profile form of the real binary: the name of a profile the account has is
/// flagged as it is typed, and Enter on it asks before it moves the user's connection
/// there, as Enter on its row does; `y` sends that one PATCH, and no profile is made.
#[test]
fn the_profile_form_uses_a_profile_the_account_has_and_asks_before_the_move() {
    let (runtime, sandbox) = start_sandbox(&Seed::default());
    let api = client(&sandbox.base_url(), KEY);
    runtime
        .block_on(api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Lobby outbound")))
        .unwrap();
    let mut app =
        Pty::spawn("names-profile", &["--api-base", &sandbox.base_url(), "--api-key", KEY], 100, 32);
    to_the_profiles_of_office_softphones(&mut app);
    let before = writes(&sandbox);

    app.send("n");
    app.wait_idle_with(&["┌ Profile name ", "Enter next"]);
    app.send(&BACKSPACE.repeat(40));
    app.send("Lobby outbound");
    let flagged = app.wait_for_text(&["exists already", "Enter use it"]);
    assert!(
        flagged.contains(
            "A profile named “Lobby outbound” exists already: Enter uses it, or give another name."
        ),
        "{flagged}"
    );
    app.send(ENTER);
    let asked = app.wait_idle_with(&["Move the connection to another profile?"]);
    assert!(asked.contains("“Office outbound”") && asked.contains("after: “Lobby outbound”"), "{asked}");
    assert_eq!(writes(&sandbox), before, "nothing sent before y");
    app.send("y");
    app.wait_idle_with(&["Step 5 of 8: Countries", "Lobby outbound"]);
    let sent: Vec<String> = writes(&sandbox).split_off(before.len());
    assert!(
        matches!(&sent[..], [patch] if patch.starts_with("PATCH ") && patch.contains("/credential_connections/")),
        "the move only, no profile made: {sent:?}"
    );
    app.send(CTRL_C);
}

/// The credential form of the real binary: the name of one of the connection's
/// credentials is flagged as it is typed, and Enter shows that credential's SIP
/// details, as Enter on its row does; no credential is made.
#[test]
fn the_credential_form_uses_a_credential_the_connection_has() {
    let (runtime, sandbox) = start_sandbox(&Seed::default());
    let api = client(&sandbox.base_url(), KEY);
    let listed = runtime.block_on(api.list_credential_connections(PageRequest::first(250), None)).unwrap();
    let office = listed.data.iter().find(|c| c.connection_name == "Office softphones").expect("the seed's");
    let login = telnyx_setup::api::NewTelephonyCredential {
        connection_id: office.id.clone(),
        name: Some("Office softphones login".into()),
        tag: None,
        expires_at: None,
    };
    runtime.block_on(api.create_telephony_credential(&login)).unwrap();
    let mut app =
        Pty::spawn("names-credential", &["--api-base", &sandbox.base_url(), "--api-key", KEY], 100, 32);
    to_the_profiles_of_office_softphones(&mut app);
    app.send(ENTER); // the profile it has: nothing sent
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    app.send(ENTER); // its countries as they are
    app.wait_idle_with(&["Step 6 of 8"]);
    app.send("s");
    app.wait_idle_with(&["Step 7 of 8", "Office softphones login"]);
    app.send("n");
    app.wait_idle_with(&["Step 7 of 8", "Enter create"]);
    app.send(&BACKSPACE.repeat(60));
    app.send("Office softphones login");
    let flagged = app.wait_for_text(&["exists already", "Enter use it"]);
    assert!(
        flagged.contains("A credential named “Office softphones login” exists already: Enter uses it"),
        "{flagged}"
    );
    app.send(ENTER);
    let details = app.wait_idle_with(&["Press Enter to make a login token from it."]);
    assert!(details.contains("Office softphones login"), "{details}");
    let made = writes(&sandbox).into_iter().filter(|w| w.contains("/telephony_credentials")).count();
    assert_eq!(made, 1, "none made but the test's own: {:?}", writes(&sandbox));
    app.send(CTRL_C);
}
