//! The doctor, scriptable: `telnyx-setup doctor` against a sandbox account set up through
//! the API for each condition, with its exit code (0 nothing failed, 1 a check failed,
//! 2 usage or API errors) and its JSON report checked.

use crate::support::{BIN, attach_profile, buy_us_number, client, log_path, new_connection};
use serde_json::Value;
use std::process::{Command, Output};
use std::time::Duration;
use telnyx_setup::api::{
    self, Client, CredentialConnectionUpdate, InboundUpdate, NewOutboundVoiceProfile, NewTelephonyCredential,
    OutboundVoiceProfileUpdate,
};
use telnyx_setup::sandbox::{Sandbox, Seed};

const KEY: &str = "KEYdoctor";

struct Account {
    sandbox: Sandbox,
    api: Client,
    connection: String,
    profile: String,
}

/// A connection that passes every check: active, VP8 on, an enabled profile allowing
/// US and CA, a number assigned and a valid credential.
async fn healthy() -> Account {
    let seed = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let connection =
        api.create_credential_connection(&new_connection("Doctor", "doctor01")).await.unwrap().id;
    let codecs = ["OPUS", "G722", "VP8"].map(String::from).to_vec();
    api.update_credential_connection(
        &connection,
        &CredentialConnectionUpdate { inbound: Some(InboundUpdate { codecs }), outbound: None },
    )
    .await
    .unwrap();
    let profile =
        api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Doctor calls")).await.unwrap().id;
    attach_profile(&api, &connection, &profile).await;
    buy_us_number(&api, &connection).await;
    api.create_telephony_credential(&NewTelephonyCredential {
        connection_id: connection.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    Account { sandbox, api, connection, profile }
}

/// Runs `telnyx-setup doctor` with `args` against the account's sandbox.
async fn doctor(account: &Account, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--api-base", &account.sandbox.base_url(), "--api-key", KEY])
        .args(args)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    run(command).await
}

/// Runs `command` to its exit with a log file of its own, removed afterwards.
async fn run(mut command: Command) -> Output {
    let log = log_path("doctor");
    command.env("TELNYX_SETUP_LOG", &log);
    // The sandbox runs on this test's runtime: wait for the child on another thread.
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    output
}

/// The JSON report of `doctor --json` for the account's connection (plus `args`), and
/// the exit code.
async fn report(account: &Account, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--connection", account.connection.as_str(), "--json"];
    all.extend_from_slice(args);
    let output = doctor(account, &all).await;
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().expect("exited"), json)
}

/// The verdict of check `id` in a report.
fn verdict<'a>(report: &'a Value, id: &str) -> (&'a str, &'a str) {
    let check = report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"));
    (check["verdict"].as_str().unwrap(), check["reason"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_connection_passes() {
    let account = healthy().await;
    let (code, report) = report(&account, &["--destination", "+14155550123"]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    for id in ["connection", "outbound_profile", "destinations", "codecs", "numbers", "credentials", "token"]
    {
        assert_eq!(verdict(&report, id).0, "pass", "{id}: {report:#}");
    }
    let (registration, reason) = verdict(&report, "registration");
    assert_eq!(registration, "warn");
    assert!(reason.contains("Not Registered"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_connection_fails() {
    let account = healthy().await;
    let output = doctor(&account, &["--connection", "1", "--json"]).await;
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict(&report, "connection").0, "fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inactive_connection_fails() {
    let account = healthy().await;
    patch(&account, &format!("credential_connections/{}", account.connection), r#"{"active":false}"#).await;
    let (code, report) = report(&account, &[]).await;
    assert_eq!(code, 1);
    assert!(verdict(&report, "connection").1.contains("inactive"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_outbound_profile_fails_with_d38() {
    let account = healthy().await;
    let body = r#"{"outbound":{"outbound_voice_profile_id":null}}"#;
    patch(&account, &format!("credential_connections/{}", account.connection), body).await;
    let (code, report) = report(&account, &[]).await;
    assert_eq!(code, 1);
    let (outcome, reason) = verdict(&report, "outbound_profile");
    assert_eq!(outcome, "fail");
    assert!(reason.contains("D38"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_profile_fails() {
    let account = healthy().await;
    patch(
        &account,
        &format!("outbound_voice_profiles/{}", account.profile),
        r#"{"name":"Doctor calls","enabled":false}"#,
    )
    .await;
    let (code, report) = report(&account, &[]).await;
    assert_eq!(code, 1);
    assert!(verdict(&report, "outbound_profile").1.contains("disabled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_outside_the_whitelist_fails_with_d13() {
    let account = healthy().await;
    let (code, report) = report(&account, &["--destination", "+493012345678"]).await;
    assert_eq!(code, 1);
    let (outcome, reason) = verdict(&report, "destinations");
    assert_eq!(outcome, "fail");
    assert!(reason.contains("DE") && reason.contains("D13"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_whitelist_fails() {
    let account = healthy().await;
    let update = OutboundVoiceProfileUpdate { name: "Doctor calls".into(), whitelisted_destinations: vec![] };
    account.api.update_outbound_voice_profile(&account.profile, &update).await.unwrap();
    let (code, report) = report(&account, &[]).await;
    assert_eq!(code, 1);
    assert_eq!(verdict(&report, "destinations").0, "fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_vp8_and_numbers_warn_without_failing() {
    let account = healthy().await;
    let codecs = vec!["G711U".to_owned()];
    account
        .api
        .update_credential_connection(
            &account.connection,
            &CredentialConnectionUpdate { inbound: Some(InboundUpdate { codecs }), outbound: None },
        )
        .await
        .unwrap();
    let numbers = account.api.list_phone_numbers(Default::default(), &Default::default()).await.unwrap();
    patch(&account, &format!("phone_numbers/{}", numbers.data[0].id), r#"{"connection_id":""}"#).await;
    let (code, report) = report(&account, &[]).await;
    assert_eq!(code, 0, "warnings do not fail: {report:#}");
    assert_eq!(verdict(&report, "codecs").0, "warn");
    assert_eq!(verdict(&report, "numbers").0, "warn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_expired_credentials_fail() {
    let account = healthy().await;
    let credentials =
        account.api.list_telephony_credentials(Default::default(), &Default::default()).await.unwrap();
    account.api.delete_telephony_credential(&credentials.data[0].id).await.unwrap();
    account
        .api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: account.connection.clone(),
            expires_at: Some("2020-01-01T00:00:00Z".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let (code, report) = report(&account, &[]).await;
    assert_eq!(code, 1);
    assert!(verdict(&report, "credentials").1.contains("expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_text_report_names_each_check_and_its_fix() {
    let account = healthy().await;
    let output =
        doctor(&account, &["--connection", &account.connection, "--destination", "+33123456789"]).await;
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("FAIL  destinations"), "{text}");
    assert!(text.contains("fix: Add the country"), "{text}");
    assert!(text.contains("PASS  codecs"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_and_usage_errors_exit_2() {
    let account = healthy().await;
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--connection", &account.connection, "--api-base", &account.sandbox.base_url()])
        .args(["--api-key", "not-a-key"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("rejected the API key"));
    let output = doctor(&account, &[]).await; // no --connection
    assert_eq!(output.status.code(), Some(2));
}

/// Sends a raw PATCH (for fields the product's client never changes).
async fn patch(account: &Account, path: &str, body: &'static str) {
    let url = format!("{}/{path}", account.sandbox.base_url());
    let response = api::http_client()
        .patch(&url)
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the sandbox answers");
    assert_eq!(response.status(), 200, "PATCH {path} {body}");
}

// ---------------------------------------------------------------------------------------
// The command line: usage errors, JSON errors, names, messages, --verbose
// ---------------------------------------------------------------------------------------

/// The exchanges the account's sandbox has seen so far.
fn exchanges(account: &Account) -> usize {
    account.sandbox.journal().len()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Words that make sense on a screen, not on a command line.
fn assert_no_screen_words(message: &str) {
    for screen_word in ["press", "Press", "sign in again", "Esc", "Enter"] {
        assert!(!message.contains(screen_word), "a CLI message should not say {screen_word:?}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_without_a_plus_is_a_usage_error_with_the_right_form() {
    let account = healthy().await;
    let before = exchanges(&account);
    let output =
        doctor(&account, &["--connection", &account.connection, "--destination", "4915112345678"]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "a malformed number is a usage error:\n{stderr}");
    assert!(output.stdout.is_empty(), "no report for a wrong command: {}", text(&output.stdout));
    assert!(stderr.contains("write +4915112345678"), "the fix for this number: {stderr}");
    assert!(stderr.contains("e.g. +14155550123"), "an example of the right form: {stderr}");
    assert_eq!(exchanges(&account), before, "nothing should be sent for a wrong command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_with_an_unknown_country_code_says_so() {
    let account = healthy().await;
    let output = doctor(&account, &["--connection", &account.connection, "--destination", "+999123"]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown country code"), "{stderr}");
    assert!(!stderr.contains("not an international number"), "it is one, of no country: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_usage_line_shows_only_what_is_required() {
    let account = healthy().await;
    // --api-key and --api-base are given (by `doctor`), --connection is not.
    let output = doctor(&account, &[]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let usage = stderr.lines().find(|line| line.starts_with("Usage:")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(usage.contains("--connection <ID|NAME>"), "{usage}");
    for optional in ["--api-key <KEY>", "--api-base <URL>"] {
        assert!(!usage.contains(optional), "{optional} is not required, so not in the usage line: {usage}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_json_every_error_is_a_json_object_on_stdout() {
    let account = healthy().await;
    let base = account.sandbox.base_url();
    for (args, kind) in [
        (vec!["doctor", "--api-base", &base, "--api-key", KEY, "--json"], "usage"),
        (vec!["doctor", "--api-base", &base, "--api-key", KEY, "--json", "--bogus"], "usage"),
        (
            vec!["doctor", "--api-base", &base, "--api-key", KEY, "--connection", "1", "--json"]
                .into_iter()
                .chain(["--destination", "4915112345678"])
                .collect(),
            "usage",
        ),
        (vec!["doctor", "--api-base", &base, "--api-key", "not-a-key", "--connection", "1", "--json"], "api"),
    ] {
        let mut command = Command::new(BIN);
        command.args(&args).env_remove("TELNYX_API_KEY").env_remove("TELNYX_API_BASE");
        let output = run(command).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output.stderr));
        let json: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout should be JSON ({e}): {}", text(&output.stdout)));
        assert_eq!(json["error"]["code"], kind, "{args:?}: {json:#}");
        let message = json["error"]["detail"].as_str().unwrap_or_else(|| panic!("a message: {json:#}"));
        assert!(!message.is_empty() && !message.contains("error: "), "{args:?}: {message}");
        assert_no_screen_words(message);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_can_be_given_by_its_exact_name() {
    let account = healthy().await;
    let (code, report) = report_for(&account, "Doctor", &[]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["connection_id"], account.connection.as_str(), "{report:#}");
    // Exact: a part of the name, or another case, is no name.
    for near in ["Doc", "doctor"] {
        let (code, report) = report_for(&account, near, &[]).await;
        assert_eq!(code, 1, "{near:?}: {report:#}");
        assert!(verdict(&report, "connection").1.contains(&format!("“{near}”")), "{report:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_several_connections_have_fails_listing_their_ids() {
    let account = healthy().await;
    let twin =
        account.api.create_credential_connection(&new_connection("Doctor", "doctor02")).await.unwrap().id;
    let output = doctor(&account, &["--connection", "Doctor"]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&account.connection) && stderr.contains(&twin), "both ids: {stderr}");
    let output = doctor(&account, &["--connection", "Doctor", "--json"]).await;
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["error"]["code"], "ambiguous_connection", "{json:#}");
    assert_eq!(json["error"]["ids"], serde_json::json!([account.connection, twin]), "{json:#}");
}

/// `doctor --json --connection <name>` plus `args`: the exit code and the report.
async fn report_for(account: &Account, connection: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--connection", connection, "--json"];
    all.extend_from_slice(args);
    let output = doctor(account, &all).await;
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().expect("exited"), json)
}

/// `doctor --demo` with `args`, against a sandbox of its own.
async fn demo_doctor(args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--demo", "--connection", "Office softphones"])
        .args(args)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    run(command).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_say_what_to_do_from_a_command_line() {
    let refused = demo_doctor(&["--api-key", "not-a-key"]).await;
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("rejected the API key") && stderr.contains("then give it in TELNYX_API_KEY"),
        "{stderr}"
    );
    assert_no_screen_words(&stderr);
    // A key refused every read is a finding (exit 1), not a misuse: doctor_causes.rs.
    let forbidden = demo_doctor(&["--fault", "GET *=403"]).await;
    assert_eq!(forbidden.status.code(), Some(1), "{}", text(&forbidden.stderr));
    assert!(text(&forbidden.stdout).contains("lacks permission for GET /credential_connections"));
    for (fault, expected) in
        [("GET *=500", "internal problem"), ("GET *=malformed", "cannot read"), ("GET *=404", "Not found")]
    {
        let output = demo_doctor(&["--fault", fault]).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{fault}: {stderr}");
        assert!(stderr.contains(expected), "{fault}: {stderr}");
        assert_no_screen_words(&stderr);
    }
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--connection", "1", "--api-key", KEY, "--api-base", "http://127.0.0.1:1/v2"])
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    let unreachable = run(command).await;
    let stderr = text(&unreachable.stderr);
    assert_eq!(unreachable.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--api-base"), "{stderr}");
    assert_no_screen_words(&stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_writes_each_request_to_stderr_without_keys_or_bodies() {
    let account = healthy().await;
    let before = exchanges(&account);
    let output = doctor(&account, &["--connection", &account.connection, "--verbose"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let sent: Vec<_> = account.sandbox.journal().into_iter().skip(before).collect();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), sent.len(), "one line per request sent ({sent:#?}):\n{stderr}");
    // The reads after the connection's go at once, so lines and exchanges are matched
    // as sets: each line names one exchange, in the order the answers came.
    let mut starts: Vec<String> =
        sent.iter().map(|e| format!("{} /v2{} -> {} in ", e.method, e.path, e.status)).collect();
    for line in &lines {
        let found = starts.iter().position(|start| line.starts_with(start.as_str()) && line.ends_with(" ms"));
        let Some(found) = found else { panic!("{line:?} should be one of {starts:?}, then ... ms") };
        starts.remove(found);
    }
    let password = new_connection("Doctor", "doctor01").password;
    for secret in [KEY, password.expose()] {
        assert!(!stderr.contains(secret), "--verbose should not show {secret:?}:\n{stderr}");
    }
    assert!(!stderr.contains('{'), "--verbose should show no body:\n{stderr}");
    // Without --verbose, stderr stays empty.
    let quiet = doctor(&account, &["--connection", &account.connection]).await;
    assert!(quiet.stderr.is_empty(), "{}", text(&quiet.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_retries() {
    let output = demo_doctor(&["--verbose", "--fault", "GET /outbound_voice_profiles/*=503:1"]).await;
    let stderr = text(&output.stderr);
    assert!(stderr.contains("/outbound_voice_profiles/") && stderr.contains("-> 503 in "), "{stderr}");
    assert!(stderr.contains("retrying (2/4) after HTTP 503"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// --login-test: a real login on the sandbox's signaling socket
// ---------------------------------------------------------------------------------------

/// The JSON report with `--login-test` against the account's own signaling URL (plus
/// `args`).
async fn login_report(account: &Account, args: &[&str]) -> (i32, Value) {
    let url = account.sandbox.signaling_url();
    let mut all = vec!["--login-test", "--signaling-url", url.as_str()];
    all.extend_from_slice(args);
    report(account, &all).await
}

/// The fix of check `id`.
fn fix<'a>(report: &'a Value, id: &str) -> &'a str {
    let checks = report["checks"].as_array().unwrap();
    checks.iter().find(|c| c["id"] == id).and_then(|c| c["fix"].as_str()).unwrap_or_default()
}

/// The ids of the account's credentials.
async fn credential_ids(account: &Account) -> Vec<String> {
    let filter = api::TelephonyCredentialFilter {
        resource_id: Some(format!("connection:{}", account.connection)),
        tag: None,
    };
    let page = account.api.list_telephony_credentials(api::PageRequest::first(250), &filter).await.unwrap();
    page.data.into_iter().map(|c| c.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_test_passes_with_the_time_it_took() {
    let account = healthy().await;
    let (code, report) = login_report(&account, &[]).await;
    assert_eq!(code, 0, "{report:#}");
    let (passed, reason) = verdict(&report, "login");
    assert_eq!(passed, "pass", "{report:#}");
    assert!(reason.contains(" ms") && reason.contains("REGED"), "{reason}");
    assert!(reason.contains(&account.sandbox.signaling_url()), "{reason}");
    // It logged in and left: the connection was registered, and is no more.
    let status = account.api.check_registration_status(&account.connection).await.unwrap();
    assert_eq!(status.status, "Unregistered");
    // As text too.
    let url = account.sandbox.signaling_url();
    let args = ["--connection", account.connection.as_str(), "--login-test", "--signaling-url", url.as_str()];
    let output = doctor(&account, &args).await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.lines().any(|l| l.starts_with("PASS  login")), "{text}");
}

/// A standalone sandbox as `--api-base` (no `--signaling-url`): the login test logs in
/// at that sandbox's `/rtc`, not at Telnyx's server, which this machine cannot reach.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_test_logs_in_at_the_rtc_of_a_sandbox_api_base() {
    let account = healthy().await;
    let output =
        doctor(&account, &["--connection", account.connection.as_str(), "--json", "--login-test"]).await;
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let (passed, reason) = verdict(&report, "login");
    assert_eq!(passed, "pass", "{report:#}");
    assert!(reason.contains(&account.sandbox.signaling_url()), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_login_test_nothing_logs_in() {
    let account = healthy().await;
    let url = account.sandbox.signaling_url();
    let (code, report) = report(&account, &["--signaling-url", url.as_str()]).await;
    assert_eq!(code, 0);
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["id"] != "login"), "{report:#}");
    let status = account.api.check_registration_status(&account.connection).await.unwrap();
    assert_eq!(status.status, "Not Registered", "no device ever registered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_test_fails_when_the_only_credential_expired_or_was_deleted() {
    let account = healthy().await;
    let ids = credential_ids(&account).await;
    assert_eq!(ids.len(), 1);
    patch(&account, &format!("telephony_credentials/{}", ids[0]), r#"{"expires_at":"2020-01-01T00:00:00Z"}"#)
        .await;
    let (code, report) = login_report(&account, &[]).await;
    assert_eq!(code, 1, "{report:#}");
    let (failed, reason) = verdict(&report, "login");
    assert_eq!(failed, "fail");
    assert!(reason.contains("No valid"), "{reason}");
    assert!(fix(&report, "login").contains("step 7"), "{report:#}");

    account.api.delete_telephony_credential(&ids[0]).await.unwrap();
    let (code, report) = login_report(&account, &[]).await;
    assert_eq!(code, 1);
    assert_eq!(verdict(&report, "login").0, "fail");
    assert_eq!(report["ok"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_test_uses_the_newest_valid_credential_and_says_why_a_refusal_happened() {
    let account = healthy().await;
    let newer = account
        .api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: account.connection.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let (code, report) = login_report(&account, &[]).await;
    assert_eq!(code, 0, "{report:#}");
    assert!(verdict(&report, "login").1.contains(&newer.sip_username), "{report:#}");
    // Another sandbox's signaling: its tokens are not this one's, so it refuses them.
    let other = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let url = other.signaling_url();
    let args =
        ["--connection", account.connection.as_str(), "--json", "--login-test", "--signaling-url", &url];
    let output = doctor(&account, &args).await;
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (failed, reason) = verdict(&report, "login");
    assert_eq!(failed, "fail");
    assert!(reason.contains("token was refused") && reason.contains("-32001"), "{reason}");
    assert!(fix(&report, "login").contains("fresh token"), "{report:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_test_fails_on_an_unreachable_server_and_a_bad_url_is_a_usage_error() {
    let account = healthy().await;
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let url = format!("ws://127.0.0.1:{port}/rtc");
    let args =
        ["--connection", account.connection.as_str(), "--json", "--login-test", "--signaling-url", &url];
    let output = doctor(&account, &args).await;
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict(&report, "login").0, "fail");
    assert!(verdict(&report, "login").1.contains("Could not reach"), "{report:#}");
    // The fix names the flag with a value to paste, for Telnyx and for a sandbox.
    let fix = fix(&report, "login");
    assert!(fix.contains("--signaling-url wss://rtc.telnyx.com"), "{fix}");
    assert!(fix.contains("--signaling-url ws://127.0.0.1:PORT/rtc"), "{fix}");

    let args = [
        "--connection",
        account.connection.as_str(),
        "--json",
        "--login-test",
        "--signaling-url",
        "ws://example.com/rtc",
    ];
    let output = doctor(&account, &args).await;
    assert_eq!(output.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(error["error"]["code"], "usage");
    assert!(error["error"]["detail"].as_str().unwrap().contains("--signaling-url"), "{error:#}");
}

/// Once the connection is found, the doctor's reads (profile, numbers, credentials,
/// registration, balance) go at once: against a sandbox that holds every answer for a
/// second, five are open together. One after another, they would share one connection.
#[tokio::test]
async fn once_the_connection_is_found_its_reads_go_at_once() {
    let seed = Seed {
        faults: telnyx_setup::sandbox::FaultPlan::new(Vec::new(), Duration::from_secs(1)),
        ..Seed::default()
    };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let connection = match telnyx_setup::setup::find_connection(&api, "Office softphones").await.unwrap() {
        telnyx_setup::setup::Recognised::Found(connection) => connection,
        other => panic!("the seeded connection: {other:?}"),
    };
    let before = sandbox.journal().len();
    let facts = telnyx_setup::doctor::gather_for(&api, &connection.id.clone(), Some(connection), None, false)
        .await
        .unwrap();
    assert!(facts.profile.is_some() && facts.registration.is_some());
    assert_eq!(sandbox.journal().len() - before, 5, "profile, numbers, credentials, registration, balance");
    assert!(sandbox.peak_connections() >= 5, "at most {} at once", sandbox.peak_connections());
}

// ---------------------------------------------------------------------------------------
// doctor --all and doctor --report
// ---------------------------------------------------------------------------------------

/// `doctor --all`: one line per credential connection with its first failing check,
/// exit 1 when one fails; the lists the checks share are read once for all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_checks_every_connection_one_line_each() {
    let account = healthy().await;
    let broken =
        account.api.create_credential_connection(&new_connection("Broken", "broken01")).await.unwrap().id;
    let before = account.sandbox.journal().len();
    let output = doctor(&account, &["--all"]).await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "one connection fails\n{stdout}{}", text(&output.stderr));
    let line = |start: &str| stdout.lines().find(|l| l.starts_with(start)).unwrap_or_default().to_owned();
    let failed = line(&format!("✗ Broken ({broken})"));
    assert!(failed.contains("FAIL outbound_profile: "), "{stdout}");
    assert!(line(&format!("✓ Doctor ({})", account.connection)).contains("no check failed"), "{stdout}");
    assert!(stdout.contains("1 of 2 credential connection(s) have a failing check."), "{stdout}");
    let lists = |path: &str| {
        account.sandbox.journal()[before..].iter().filter(|e| e.method == "GET" && e.path == path).count()
    };
    assert_eq!(lists("/telephony_credentials"), 1, "one read of the credentials for both connections");
    assert_eq!(lists("/outbound_voice_profiles"), 1, "one read of the profiles for both connections");

    let output = doctor(&account, &["--all", "--json"]).await;
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["ok"], false);
    let names: Vec<&str> = json["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["connection_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Broken") && names.contains(&"Doctor"), "{names:?}");

    // --report writes the same reports, each connection's records and the requests.
    let file = crate::support::TempPath::new("doctor-all-report");
    let output = doctor(&account, &["--all", "--json", "--report", &file.0.to_string_lossy()]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let bytes = std::fs::read(&file.0).expect("the report");
    assert!(!text(&bytes).contains("correct-horse-battery"), "no password in the file");
    let written: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(written["report"], serde_json::from_slice::<Value>(&output.stdout).unwrap());
    let records = written["records"].as_array().expect("one record set per connection");
    let ids: Vec<&str> = records.iter().map(|r| r["connection"]["id"].as_str().unwrap()).collect();
    assert!(ids.len() == 2 && ids.contains(&broken.as_str()), "{ids:?}");
    assert!(records.iter().all(|r| r["connection"]["password"] == "(removed)"), "{records:#?}");
    assert!(written["requests"].as_array().is_some_and(|sent| !sent.is_empty()), "{written:#}");

    // Only healthy connections: exit 0.
    account.api.delete_credential_connection(&broken).await.unwrap();
    let output = doctor(&account, &["--all"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

/// `doctor --report FILE`: the checks, the records read, the requests with their
/// status and time, the versions; never the key, a password, a PIN or a token, each
/// planted in the account first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_to_attach_holds_the_evidence_and_no_secret() {
    let account = healthy().await;
    let number =
        account.api.list_phone_numbers(api::PageRequest::first(10), &Default::default()).await.unwrap();
    let number = &number.data[0].id;
    patch(&account, &format!("phone_numbers/{number}"), r#"{"external_pin": "PIN-planted-4242"}"#).await;
    let filter = api::TelephonyCredentialFilter {
        resource_id: Some(format!("connection:{}", account.connection)),
        tag: None,
    };
    let credentials =
        account.api.list_telephony_credentials(api::PageRequest::first(10), &filter).await.unwrap();
    let credential = &credentials.data[0];
    let token = account.api.create_token(&credential.id).await.unwrap();
    let secrets = [
        KEY.to_owned(),
        "correct-horse-battery".to_owned(),
        "PIN-planted-4242".to_owned(),
        credential.sip_password.expose().to_owned(),
        token.expose().to_owned(),
    ];
    let path = std::env::temp_dir().join(format!("telnyx-setup-report-{}.json", std::process::id()));
    let output =
        doctor(&account, &["--connection", &account.connection, "--report", path.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(0), "{}{}", text(&output.stdout), text(&output.stderr));
    let file = std::fs::read_to_string(&path).expect("the report was written");
    let _ = std::fs::remove_file(&path);
    for secret in &secrets {
        assert!(!file.contains(secret.as_str()), "the report holds a secret ({} chars)", secret.len());
    }
    let report: Value = serde_json::from_str(&file).expect("the report is JSON");
    assert_eq!(report["report"]["ok"], true);
    assert!(report["report"]["checks"].as_array().is_some_and(|c| c.len() >= 5));
    assert_eq!(report["program"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(report["os"]["family"].is_string());
    let records = &report["records"];
    assert_eq!(records["connection"]["id"], account.connection.as_str());
    assert_eq!(records["connection"]["password"], "(removed)");
    assert_eq!(records["outbound_voice_profile"]["id"], account.profile.as_str());
    assert_eq!(records["phone_numbers"][0]["external_pin"], "(removed)");
    assert_eq!(records["telephony_credentials"][0]["sip_password"], "(removed)");
    let requests = report["requests"].as_array().expect("the requests");
    let connection_read = format!("/v2/credential_connections/{}", account.connection);
    assert!(
        requests
            .iter()
            .any(|r| r["method"] == "GET" && r["path"] == connection_read.as_str() && r["status"] == 200),
        "{requests:?}"
    );
    // Every answer of the sandbox has its x-request-id, as Telnyx's do: each request names its own.
    assert!(
        requests
            .iter()
            .all(|r| r["elapsed_ms"].is_u64() && r["x_request_id"].as_str().is_some_and(|id| !id.is_empty())),
        "{requests:?}"
    );
}

/// `--demo doctor --all` checks the embedded sandbox's connections: the sandbox lives
/// until the checks are done (it was dropped as soon as the client was made).
#[test]
fn the_demo_doctor_all_checks_the_embedded_sandbox() {
    let log = crate::support::log_path("doctor-demo-all");
    let output = std::process::Command::new(crate::support::BIN)
        .args(["--demo", "doctor", "--all"])
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_PROFILE")
        .env_remove("TELNYX_API_BASE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&log);
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(matches!(output.status.code(), Some(0 | 1)), "{said}");
    assert!(said.contains("Office softphones") && !said.contains("Could not connect"), "{said}");
}
