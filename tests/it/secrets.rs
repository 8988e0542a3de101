//! No secret leaks: the API key, the SIP passwords and the login token never reach the
//! log file, the terminal or the summary printed on exit, nor any `Debug` output.
//!
//! The end-to-end test runs the whole wizard (steps 1 to 8, numbers skipped) with the
//! real binary in a pseudo-terminal (the harness in `support/pty.rs`) against a
//! sandbox started in-process on loopback. The key comes from `TELNYX_API_KEY`, the log
//! goes to a file of the test's own (`TELNYX_SETUP_LOG`) at `TELNYX_SETUP_LOG_LEVEL=trace`,
//! so it holds all it can, and `y` copies the token (OSC 52: the child has no display).
//! Every byte the app wrote to the terminal is kept, not only the last screen. Afterwards
//! the secrets are read back from the sandbox: the key the test chose, the credential
//! connection's and the telephony credential's SIP passwords through the API client, and
//! the login token from the sandbox's journal (checked against the OSC 52 copy, which
//! carries it base64-encoded, so the copy itself never holds the raw token). None may
//! appear in the log, the raw terminal output or the summary.
//!
//! The positive control runs the same wizard with `--print-secrets`: the summary then
//! holds both SIP passwords and the token, and so does the raw output, so the searches
//! are known to find a secret that is there; the log is non-empty and records the
//! requests, so its search is not over an empty file. The log stays clean even then.
//!
//! The in-process test builds the structs that hold secrets (with the
//! `support::state` builders: a State signed in, creating a connection, holding a
//! credential and a token; the commands update() returns; the API client) and checks
//! their `Debug` output.
//!
//! Unix only, like the other PTY tests.
#![cfg(unix)]

use crate::support;
use crate::support::client;
use crate::support::pty::{
    ENTER, Pty, credential_and_token, enter_through_steps_one_to_five_from, start_sandbox,
};
use crate::support::state::{
    EXISTING_PROFILE, at_connections, at_token, credential, jwt, only_call, press, profile, reply,
    sign_in_request, state_with,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crossterm::event::KeyCode;
use telnyx_setup::api::{PageRequest, TelephonyCredentialFilter};
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::sandbox::Seed;
use telnyx_setup::state::KeySource;

/// The key the end-to-end tests sign in with (the sandbox takes any key starting with
/// `KEY`): long and odd enough that finding it anywhere means it leaked.
const API_KEY: &str = "KEYleakcheck_8d41c6e2f09b4a77";

/// One secret and what it is, for the failure messages.
struct Needle {
    what: &'static str,
    value: String,
}

/// What one run of the wizard left behind.
struct Run {
    /// What the app printed after leaving the alternate screen: the summary.
    summary: String,
    /// Every byte the app wrote to the terminal.
    raw: Vec<u8>,
    /// The log file's contents.
    log: String,
    /// The secrets, as the sandbox knows them.
    secrets: Vec<Needle>,
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// The whole wizard with the key from the environment and the log at trace level;
/// numbers are skipped. Returns the outputs and the secrets read back from the sandbox.
fn run_wizard(name: &str, extra: &[&str]) -> Run {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let mut args = vec!["--api-base", base_url.as_str()];
    args.extend_from_slice(extra);
    let env = [("TELNYX_API_KEY", API_KEY), ("TELNYX_SETUP_LOG_LEVEL", "trace")];
    let mut app = Pty::spawn_with_env(name, &args, 100, 30, &env);

    enter_through_steps_one_to_five_from(
        &mut app,
        "The key came from the TELNYX_API_KEY environment variable.",
    );
    credential_and_token(&mut app, "s");
    app.send("y");
    app.wait_for_text(&["Sent to your terminal's clipboard (OSC 52"]);
    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "Enter or q to quit"]);
    app.send("q");
    let summary = app.expect_restored();
    let raw = app.output();
    let log = std::fs::read_to_string(app.log_file())
        .unwrap_or_else(|e| panic!("read the log {}: {e}", app.log_file().display()));

    // The secrets, from the sandbox.
    let api = client(&base_url, API_KEY);
    let (connections, credentials) = runtime.block_on(async {
        let connections = api
            .list_credential_connections(PageRequest::first(250), None)
            .await
            .expect("list credential connections");
        let credentials = api
            .list_telephony_credentials(PageRequest::first(250), &TelephonyCredentialFilter::default())
            .await
            .expect("list telephony credentials");
        (connections.data, credentials.data)
    });
    assert_eq!(connections.len(), 1, "the wizard should have made one connection: {connections:#?}");
    assert_eq!(credentials.len(), 1, "the wizard should have made one credential: {credentials:#?}");
    let tokens: Vec<String> = sandbox
        .journal()
        .into_iter()
        .filter(|exchange| exchange.method == "POST" && exchange.path.ends_with("/token"))
        .map(|exchange| String::from_utf8_lossy(&exchange.response_body).trim().to_owned())
        .collect();
    let [token] = tokens.as_slice() else {
        panic!("the sandbox should have issued one login token: {tokens:?}");
    };
    let copies = app.osc52_copies();
    let copied: Vec<String> = copies
        .iter()
        .filter_map(|(_, data)| STANDARD.decode(data).ok())
        .filter_map(|bytes| String::from_utf8(bytes).ok())
        .collect();
    assert_eq!(copied, [token.as_str()], "`y` should have copied the token the sandbox issued: {copies:?}");
    let signature = token.rsplit('.').next().expect("rsplit yields at least one part").to_owned();
    assert!(signature.len() >= 16, "the token should be a signed JWT: {token:?}");

    let secrets = vec![
        Needle { what: "the API key", value: API_KEY.to_owned() },
        Needle {
            what: "the credential connection's SIP password",
            value: connections[0].password.expose().to_owned(),
        },
        Needle {
            what: "the telephony credential's SIP password",
            value: credentials[0].sip_password.expose().to_owned(),
        },
        Needle { what: "the login token", value: token.clone() },
        Needle { what: "the login token's signature", value: signature },
    ];
    for needle in &secrets {
        assert!(needle.value.len() >= 8, "{} is too short to search for: {:?}", needle.what, needle.value);
    }
    drop(sandbox);
    Run { summary, raw, log, secrets }
}

#[test]
fn no_secret_reaches_the_log_the_terminal_or_the_summary() {
    let run = run_wizard("secrets", &[]);
    for needle in &run.secrets {
        assert!(!run.log.contains(&needle.value), "the log holds {}:\n{}", needle.what, run.log);
        assert!(
            !contains(&run.raw, &needle.value),
            "the app wrote {} to the terminal ({} bytes in all)",
            needle.what,
            run.raw.len()
        );
        assert!(!run.summary.contains(&needle.value), "the summary holds {}:\n{}", needle.what, run.summary);
    }
}

/// The control: with `--print-secrets` the same searches find the secrets in the
/// summary and the raw output, and the log is a real log of the run.
#[test]
fn print_secrets_puts_them_in_the_summary_and_the_searches_find_them() {
    let run = run_wizard("secrets-printed", &["--print-secrets"]);
    for needle in &run.secrets[1..] {
        assert!(
            run.summary.contains(&needle.value),
            "--print-secrets should print {}:\n{}",
            needle.what,
            run.summary
        );
        assert!(
            contains(&run.raw, &needle.value),
            "the raw output should hold the summary's {}",
            needle.what
        );
    }
    // The key is never printed, not even with --print-secrets.
    assert!(!contains(&run.raw, API_KEY), "the app wrote the API key to the terminal");

    assert!(!run.log.trim().is_empty(), "the log should not be empty");
    // (This run sends no PATCH: its connection is made on its profile, with its codecs.)
    let requests = ["GET", "POST", "/balance", "/outbound_voice_profiles", "/credential_connections"];
    for request in requests.into_iter().chain(["/telephony_credentials"]) {
        assert!(run.log.contains(request), "the log should record the requests ({request}):\n{}", run.log);
    }
    for needle in &run.secrets {
        assert!(!run.log.contains(&needle.value), "the log holds {}:\n{}", needle.what, run.log);
    }
}

/// Fails if `shown` holds any of `secrets`.
fn assert_hidden(what: &str, shown: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!shown.contains(secret), "{what}'s Debug shows the secret {secret:?}:\n{shown}");
    }
}

#[test]
fn debug_output_never_shows_a_secret() {
    // Signing in: the state holding the key, and the request carrying it.
    let key = "KEYdebug_3b9e07c4d2a15f68";
    let mut state = state_with(Some(key), KeySource::Env);
    assert_hidden("a State with a key", &format!("{state:?}"), &[key]);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::SignIn { key: sent } = sign_in_request(&cmds) else {
        panic!("Enter on step 1 should sign in: {cmds:?}");
    };
    assert_eq!(sent.expose(), key, "the sign-in should carry the key");
    assert_hidden("Request::SignIn", &format!("{:?}", sign_in_request(&cmds)), &[key]);
    assert_hidden("the sign-in commands", &format!("{cmds:?} {cmds:#?}"), &[key]);
    assert_hidden("a State signing in", &format!("{state:?} {state:#?}"), &[key]);

    // The API client.
    let api = client("http://127.0.0.1:9/v2", key);
    assert_hidden("Client", &format!("{api:?} {api:#?}"), &[key]);

    // Creating a connection: the form holds a generated password, what is wanted holds
    // it once the form named the connection, and the request (sent on step 4, on the
    // profile chosen) carries it. The signed-in state's key is `KEYtest`
    // (tests/it/support/state.rs), and the existing connection the API listed came with
    // the password `password123`.
    let existing = ["KEYtest", "password123"];
    let mut state = at_connections();
    assert_hidden("a State signed in", &format!("{state:?}"), &existing);
    press(&mut state, KeyCode::Enter);
    let with_form = format!("{state:?} {state:#?}");
    press(&mut state, KeyCode::Enter);
    let drafted = format!("{state:?} {state:#?}");
    press(&mut state, KeyCode::Enter);
    reply(
        &mut state,
        Reply::ProfilesListed(support::state::page(vec![profile(EXISTING_PROFILE, "Office", &["US"])])),
    );
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, .. } = only_call(&cmds) else {
        panic!("Enter on a profile should create the connection named on the form: {cmds:?}");
    };
    let password = body.password.expose().to_owned();
    assert!(password.len() >= 8, "the form should generate a password: {password:?}");
    let secrets = [existing[0], existing[1], password.as_str()];
    assert_hidden("a State with the connection form", &with_form, &secrets);
    assert_hidden("a State with the connection named", &drafted, &secrets);
    assert_hidden("the create-connection commands", &format!("{cmds:?} {cmds:#?}"), &secrets);
    assert_hidden("a State creating a connection", &format!("{state:?} {state:#?}"), &secrets);

    // Holding a credential and a token: copied, then revealed on screen.
    let credential = credential();
    let token = jwt();
    let secrets = [existing[0], existing[1], credential.sip_password.expose(), token.expose()];
    let mut state = at_token();
    assert_hidden("a State with a token", &format!("{state:?} {state:#?}"), &secrets);
    let cmds = press(&mut state, KeyCode::Char('y'));
    assert!(matches!(cmds.as_slice(), [Cmd::CopySecret(_)]), "y should copy the token: {cmds:?}");
    assert_hidden("the copy command", &format!("{cmds:?}"), &secrets);
    press(&mut state, KeyCode::Char('r'));
    assert_hidden("a State with the token revealed", &format!("{state:?} {state:#?}"), &secrets);

    // The worker's answers that carry secrets.
    let replies = [
        Msg::Done { op: 1, outcome: Ok(Reply::CredentialCreated(credential.clone())) },
        Msg::Done { op: 2, outcome: Ok(Reply::TokenCreated(token.clone())) },
        Msg::Done {
            op: 3,
            outcome: Ok(Reply::CredentialsListed(support::state::page(vec![credential.clone()]))),
        },
    ];
    assert_hidden("the worker's replies", &format!("{replies:?} {replies:#?}"), &secrets);
}
