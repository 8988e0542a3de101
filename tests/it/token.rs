//! `telnyx-setup token` against a sandbox: each way of choosing the credential, each
//! output form, the failures (exit 2, the reason on stderr, nothing on stdout), no
//! duplicate credential from `--create`, and every request it sends in the contract.

use crate::support::contract::Contract;
use crate::support::{BIN, TempDir, client, log_path, new_connection};
use serde_json::Value;
use std::process::{Command, Output};
use telnyx_setup::api::{Client, NewTelephonyCredential, PageRequest, TelephonyCredentialFilter};
use telnyx_setup::journal;
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::setup::LoginToken;

const KEY: &str = "KEYtoken";

struct Account {
    sandbox: Sandbox,
    api: Client,
    connection: String,
    /// The state directory the runs read the last setup from.
    state: TempDir,
}

async fn account_with(seed: Seed) -> Account {
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let connection =
        api.create_credential_connection(&new_connection("Token test", "tokentest01")).await.unwrap().id;
    Account { sandbox, api, connection, state: TempDir::new("token-state") }
}

async fn account() -> Account {
    account_with(Seed::empty()).await
}

impl Account {
    async fn credential(&self, expires_at: Option<&str>) -> String {
        let body = NewTelephonyCredential {
            connection_id: self.connection.clone(),
            name: Some("made by the test".into()),
            expires_at: expires_at.map(str::to_owned),
            ..Default::default()
        };
        self.api.create_telephony_credential(&body).await.unwrap().id
    }

    async fn credentials(&self) -> Vec<telnyx_setup::api::TelephonyCredential> {
        let filter = TelephonyCredentialFilter {
            resource_id: Some(format!("connection:{}", self.connection)),
            tag: None,
        };
        self.api.list_telephony_credentials(PageRequest::first(250), &filter).await.unwrap().data
    }

    /// Runs `telnyx-setup token ARGS` against the sandbox, with the account's state dir.
    async fn token(&self, args: &[&str]) -> Output {
        let mut command = Command::new(BIN);
        command
            .arg("token")
            .args(["--api-base", &self.sandbox.base_url(), "--api-key", KEY])
            .args(args)
            .env_remove("TELNYX_API_KEY")
            .env_remove("TELNYX_API_BASE")
            .env("TELNYX_SETUP_STATE_DIR", self.state.path());
        let log = log_path("token");
        command.env("TELNYX_SETUP_LOG", &log);
        let output =
            tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
        let _ = std::fs::remove_file(&log);
        output
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Asserts the run failed as a usage or API error: exit 2, nothing on stdout, and
/// stderr containing each of `says`.
#[track_caller]
fn failed(output: &Output, says: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    for said in says {
        assert!(stderr(output).contains(said), "{said:?} not in: {}", stderr(output));
    }
}

/// The seconds from now until the token's `exp`.
fn lifetime(jwt: &str) -> i64 {
    let exp = LoginToken::new(Secret::from(jwt)).expires_at.expect("the token has exp");
    exp - crate::support::state::now_unix_secs_real()
}

/// The credential id a token was signed for (the sandbox puts it in the claims).
fn credential_of(jwt: &str) -> String {
    use base64::Engine;
    let claims = jwt.split('.').nth(1).unwrap();
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap();
    let claims: Value = serde_json::from_slice(&claims).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_id_prints_one_jwt_and_a_newline() {
    let account = account().await;
    let credential = account.credential(None).await;
    let output = account.token(&["--credential", &credential]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let jwt = out.strip_suffix('\n').expect("ends with a newline");
    assert!(!jwt.contains(char::is_whitespace), "one token, nothing else: {out:?}");
    assert_eq!(jwt.split('.').count(), 3, "a JWT: {jwt}");
    assert!((24 * 3600 - 120..=24 * 3600).contains(&lifetime(jwt)), "exp about 24 h ahead");
    assert_eq!(credential_of(jwt), credential);
    assert!(!stderr(&output).contains(jwt), "the token is not on stderr");
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_gives_its_newest_credential_that_has_not_expired() {
    let account = account().await;
    let older = account.credential(None).await;
    let newest = account.credential(Some("2099-01-01T00:00:00Z")).await;
    let _expired = account.credential(Some("2020-01-01T00:00:00Z")).await;
    let output = account.token(&["--connection", &account.connection]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(credential_of(stdout(&output).trim_end()), newest, "not {older}");
    // By exact name too, as the doctor takes it.
    let output = account.token(&["--connection", "Token test", "--env"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let jwt = out.strip_prefix("TELNYX_LOGIN_TOKEN=").and_then(|t| t.strip_suffix('\n')).expect(&out);
    assert_eq!(credential_of(jwt), newest);
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_names_the_token_its_expiry_and_its_credential() {
    let account = account().await;
    let credential = account.credential(None).await;
    let output = account.token(&["--credential", &credential, "--json"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let keys: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["connection_id", "credential_id", "expires_at", "token"]);
    assert_eq!(report["credential_id"], credential.as_str());
    assert_eq!(report["connection_id"], account.connection.as_str());
    let expires = report["expires_at"].as_str().unwrap();
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339).unwrap();
    let jwt = report["token"].as_str().unwrap();
    assert_eq!(Some(expires.unix_timestamp()), LoginToken::new(Secret::from(jwt)).expires_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_without_a_credential_says_how_to_make_one_and_create_makes_it_once() {
    let account = account().await;
    let expired = account.credential(Some("2020-01-01T00:00:00Z")).await;
    let output = account.token(&["--connection", &account.connection]).await;
    failed(&output, &["no telephony credential that has not expired", "--create"]);

    let output = account.token(&["--connection", &account.connection, "--create"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let credentials = account.credentials().await;
    assert_eq!(credentials.len(), 2, "the expired one and one new one");
    let made = credentials.iter().find(|c| c.id != expired).unwrap();
    assert_eq!(credential_of(stdout(&output).trim_end()), made.id);
    let raw = account.api.get_raw("telephony_credentials", &made.id).await.unwrap();
    assert_eq!(raw["tag"], "telnyx-setup", "tagged like the wizard's");
    // Again: the one made is used, none is added.
    let output = account.token(&["--connection", &account.connection, "--create"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(account.credentials().await.len(), 2);
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_expired_credentials_fail_with_the_reason() {
    let account = account().await;
    let output = account.token(&["--credential", "00000000-0000-4000-8000-000000000000"]).await;
    failed(&output, &["no telephony credential has the id", "Resource not found"]);
    let expired = account.credential(Some("2020-01-01T00:00:00Z")).await;
    let output = account.token(&["--credential", &expired]).await;
    failed(&output, &["expired", &format!("--connection {} --create", account.connection)]);
    let output = account.token(&["--connection", "No such connection"]).await;
    failed(&output, &["no credential connection has the id or the exact name"]);
    // A failure makes no token, and no credential but the test's own.
    let journal = account.sandbox.journal();
    assert!(!journal.iter().any(|e| e.path.ends_with("/token")), "no token was asked for");
    assert_eq!(journal.iter().filter(|e| !e.is_read()).count(), 2, "the test's connection and credential");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_flag_the_last_finished_setup_is_used() {
    let account = account().await;
    let output = account.token(&[]).await;
    failed(
        &output,
        &["no setup with this API key and API has been finished", "--credential ID", "--connection"],
    );

    let credential = account.credential(None).await;
    let named = |id: &str| Some(journal::Named { id: id.to_owned(), name: "n".to_owned() });
    let mut record = journal::Record {
        connection: named(&account.connection),
        credential: named(&credential),
        finished: false,
        ..Default::default()
    };
    // Where the binary finds it: `setups.json` in its state directory.
    let path = account.state.path().join("setups.json");
    let this_account = journal::account_id(&account.sandbox.base_url(), KEY);
    // A setup not finished yet is not used.
    journal::save(&path, &this_account, &record).unwrap();
    failed(&account.token(&[]).await, &["no setup with this API key and API has been finished"]);
    record.finished = true;
    journal::save(&path, &this_account, &record).unwrap();
    let output = account.token(&[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(credential_of(stdout(&output).trim_end()), credential);
    // What is remembered is ids, never the token.
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(!saved.contains(stdout(&output).trim_end()));

    // Another account's finished setup (another key, or another API) is not this one's.
    std::fs::remove_file(&path).unwrap();
    journal::save(&path, &journal::account_id("https://api.telnyx.com/v2", KEY), &record).unwrap();
    failed(&account.token(&[]).await, &["no setup with this API key and API has been finished"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_and_faults_give_the_reason_and_exit_2() {
    let faults = FaultPlan::parse(["POST /telephony_credentials/*/token=500"]).unwrap();
    let account = account_with(Seed { faults, ..Seed::empty() }).await;
    let credential = account.credential(None).await;
    let output = account.token(&["--credential", &credential, "--timeout", "2s"]).await;
    failed(&output, &["500"]);

    let mut command = Command::new(BIN);
    command
        .args(["token", "--api-base", &account.sandbox.base_url(), "--credential", &credential])
        .env("TELNYX_API_KEY", "wrong-key")
        .env("TELNYX_SETUP_STATE_DIR", account.state.path())
        .env("TELNYX_SETUP_LOG", log_path("token-badkey"));
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    failed(&output, &["TELNYX_API_KEY"]);
}

#[test]
fn usage_errors_say_what_was_expected() {
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("token")
            .args(args)
            .env("TELNYX_SETUP_LOG", log_path("token-usage"))
            .output()
            .unwrap()
    };
    let output = run(&["--demo", "--create"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--connection"), "{}", stderr(&output));
    let output = run(&["--demo", "--credential", "a", "--connection", "b"]);
    assert_eq!(output.status.code(), Some(2));
    // Under --json the usage error is JSON on stdout, as every --json error is.
    let output = run(&["--demo", "--json", "--env", "--credential", "a"]);
    assert_eq!(output.status.code(), Some(2));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(error["error"]["code"], "usage", "{error:#}");
    let output = run(&["--demo", "--env", "--copy", "--credential", "a"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

/// `--copy` in a terminal without a display: the token goes out as an OSC 52 request
/// to the terminal, stdout stays empty, and stderr says where it went.
#[cfg(unix)]
#[test]
fn copy_sends_the_token_to_the_terminal_and_prints_nothing() {
    use crate::support::pty::{Pty, start_sandbox};
    use base64::Engine;
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let api = client(&sandbox.base_url(), KEY);
    let credential = runtime.block_on(async {
        let connection =
            api.create_credential_connection(&new_connection("Copy", "copytest01")).await.unwrap().id;
        let body = NewTelephonyCredential { connection_id: connection, ..Default::default() };
        api.create_telephony_credential(&body).await.unwrap().id
    });
    let base = sandbox.base_url();
    let args = [
        "token",
        "--api-base",
        base.as_str(),
        "--api-key",
        KEY,
        "--credential",
        credential.as_str(),
        "--copy",
    ];
    let mut app = Pty::spawn("token-copy", &args, 100, 30);
    let shown = app.wait_for_text(&["sent the login token to the terminal's clipboard"]);
    // No terminal confirms an OSC 52 write: it says so, and how to check.
    let said = shown.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("may not have arrived") && said.contains("set -g set-clipboard on"), "{said}");
    let copies = app.osc52_copies();
    assert_eq!(copies.len(), 1, "{copies:?}");
    let copied = base64::engine::general_purpose::STANDARD.decode(&copies[0].1).unwrap();
    let jwt = String::from_utf8(copied).unwrap();
    assert_eq!(credential_of(&jwt), credential);
    assert!(!shown.contains(&jwt), "the token is copied, not shown:\n{shown}");
}

/// Without a terminal (and a display), `--copy` fails rather than write the token
/// into stderr, which may be a file.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_without_a_terminal_fails_and_leaks_nothing() {
    use std::os::unix::process::CommandExt;
    let account = account().await;
    let credential = account.credential(None).await;
    let mut command = Command::new(BIN);
    command
        .args(["token", "--api-base", &account.sandbox.base_url(), "--api-key", KEY])
        .args(["--credential", &credential, "--copy"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("TELNYX_SETUP_LOG", log_path("token-copy-none"))
        .stdin(std::process::Stdio::null());
    // SAFETY: setsid is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| if libc::setsid() == -1 { Err(std::io::Error::last_os_error()) } else { Ok(()) });
    }
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    failed(&output, &["could not copy", "without --copy"]);
    assert!(!stderr(&output).contains("\x1b]52"), "no OSC 52 on stderr");
}
