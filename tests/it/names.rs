//! Names (issue 20, case 3): a second setup that keeps the suggested name does not make
//! a second record of that name, so the day-two commands still know which one a name
//! means; a name the account has is refused on the form, before anything is sent.

use crate::support::pty::{BACKSPACE, CTRL_C, ENTER, Pty, start_sandbox};
use crate::support::{BIN, TempDir, client, log_path};
use std::process::{Command, Output, Stdio};
use telnyx_setup::api::PageRequest;
use telnyx_setup::sandbox::{Sandbox, Seed};

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

    // The name the account has is refused on the form, and nothing is sent.
    let writes = || sandbox.journal().iter().filter(|e| !e.is_read()).count();
    let before = writes();
    app.send(&BACKSPACE.repeat(2));
    app.wait_for_text(&[&format!("{DEFAULT} ")]);
    app.send(ENTER);
    let refused = app.wait_idle_with(&["exists already"]);
    assert!(refused.contains(&format!("A connection named “{DEFAULT}” exists already")), "{refused}");
    assert_eq!(writes(), before, "nothing sent for a taken name");

    // The suggestion made, the day-two commands still know what the default name means.
    app.send(" 2");
    app.wait_for_text(&[&format!("{DEFAULT} 2")]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8"]);
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
