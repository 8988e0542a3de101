//! A credential or token made a moment ago may be refused for a few seconds while it
//! propagates (issue 23): the login test tries a refusal of a new credential again,
//! and says so, before it reports FAIL; an old credential's refusal fails at once. Each
//! against the sandbox's `credential-propagation` scenario, with its time shortened so
//! the tests stay fast (they wait for the login to pass, not for a fixed time).

use crate::support::{BIN, client, log_path};
use serde_json::Value;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use telnyx_setup::api::{Client, PageRequest, RetryNotice, TelephonyCredentialFilter};
use telnyx_setup::msg::{Reply, Request};
use telnyx_setup::sandbox::{Sandbox, Scenario, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::signaling::{
    self, Login, LoginOutcome, LoginTest, PROPAGATION_NOTE, Refusal, SignalingUrl,
};

const KEY: &str = "KEYpropagation";
/// Long enough that the first try (moments after the create) is refused, well inside
/// the retries' ten seconds.
const SHORT: Duration = Duration::from_secs(3);
/// Longer than any test: every login of a credential made since the start is refused.
const LONG: Duration = Duration::from_secs(3600);

async fn propagating(propagation: Duration) -> (Sandbox, Client) {
    let seed = Seed { scenario: Some(Scenario::CredentialPropagation), propagation, ..Seed::default() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    (sandbox, api)
}

/// The scenario's connection and its (seeded) credential.
async fn seeded(api: &Client) -> (String, String) {
    let connections = api.list_credential_connections(PageRequest::first(250), None).await.unwrap();
    let connection = connections.data[0].id.clone();
    let filter =
        TelephonyCredentialFilter { resource_id: Some(format!("connection:{connection}")), tag: None };
    let credentials = api.list_telephony_credentials(PageRequest::first(250), &filter).await.unwrap();
    (connection, credentials.data[0].id.clone())
}

/// Runs `telnyx-setup ARGS` against the sandbox: its output, and what it logged.
async fn run(sandbox: &Sandbox, args: &[&str], log_name: &str) -> (Output, String) {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .args(["--api-base", &sandbox.base_url(), "--api-key", KEY])
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .env_remove("TELNYX_SIGNALING_URL");
    let log = log_path(log_name);
    command.env("TELNYX_SETUP_LOG", &log);
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    (output, logged)
}

/// Runs `telnyx-setup token ARGS --login-test --json` against the sandbox (whose
/// signaling is its `/rtc`).
async fn token(sandbox: &Sandbox, args: &[&str]) -> (Output, Value) {
    let (output, _) =
        run(sandbox, &[&["token", "--login-test", "--json"], args].concat(), "propagation").await;
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, json)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_login_test_retries_the_new_credential_until_it_works_and_says_so() {
    let (sandbox, api) = propagating(SHORT).await;
    let (connection, seeded) = seeded(&api).await;
    // No credential left: --create makes one, and its first login is refused.
    api.delete_telephony_credential(&seeded).await.unwrap();
    let (output, json) = token(&sandbox, &["--connection", &connection, "--create"]).await;
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{json:#} {stderr}");
    let test = &json["login_test"];
    assert_eq!(test["passed"], true, "{json:#} {stderr}");
    assert!(test["retried"].as_u64().unwrap() >= 1, "{json:#}");
    assert!(
        test["reason"].as_str().unwrap().contains("Telnyx refused the new credential at first"),
        "{test:#}"
    );
    assert!(
        stderr.contains(&format!(
            "{PROPAGATION_NOTE} — trying again (2 of {})…",
            signaling::PROPAGATION_WAITS.len() + 1
        )),
        "{stderr}"
    );
    assert_ne!(json["credential_id"], seeded.as_str(), "a credential was made: {json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_that_is_not_new_fails_at_once() {
    let (sandbox, api) = propagating(LONG).await;
    let (_, credential) = seeded(&api).await;
    // Ten minutes old for the client, still refused by the sandbox: not a propagation
    // delay as far as anyone can tell, so no retry.
    assert!(sandbox.backdate_credential(&credential, Duration::from_secs(600)));
    let (output, json) = token(&sandbox, &["--credential", &credential]).await;
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "a failed login test is a failed check: {json:#} {stderr}");
    let test = &json["login_test"];
    assert_eq!(test["passed"], false, "{json:#}");
    assert_eq!(test["retried"], 0, "{json:#}");
    assert!(test["reason"].as_str().unwrap().contains("The token was refused"), "{test:#}");
    assert!(test["fix"].as_str().is_some_and(|fix| fix.contains("fresh token")), "{test:#}");
    assert!(!stderr.contains("trying again"), "{stderr}");
    // The token is printed anyway: it was made, and is valid for what Telnyx is concerned.
    assert!(json["token"].as_str().is_some_and(|t| t.starts_with("eyJ")), "{json:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_its_retries_a_refused_new_credential_fails_as_before() {
    let (sandbox, api) = propagating(LONG).await;
    let (_, credential) = seeded(&api).await;
    let token = api.create_token(&credential).await.unwrap();
    let url = SignalingUrl::parse(&sandbox.signaling_url()).unwrap();
    let notices = Arc::new(Mutex::new(Vec::<RetryNotice>::new()));
    let seen = notices.clone();
    let told = move |notice| seen.lock().unwrap().push(notice);
    let waits = [Duration::from_millis(20), Duration::from_millis(20)];
    let test =
        signaling::test_login_patiently(&url, &Login::Token(token), signaling::LOGIN_TIMEOUT, &waits, &told)
            .await;
    assert!(matches!(test.outcome, LoginOutcome::Refused { why: Refusal::TokenRefused, .. }), "{test:?}");
    assert_eq!(test.retried, 2);
    assert!(test.reason().contains("It was tried 3 times"), "{}", test.reason());
    let notices = notices.lock().unwrap().clone();
    let said: Vec<(u32, u32)> = notices.iter().map(|n| (n.attempt, n.of)).collect();
    assert_eq!(said, [(2, 3), (3, 3)]);
    assert!(notices.iter().all(|n| n.reason == PROPAGATION_NOTE));
}

/// The worker's login test with `token`, of a credential made at `created_at`: its
/// outcome, and the retries it reported.
async fn worker_login_test(
    sandbox: &Sandbox,
    api: Client,
    token: Secret,
    created_at: Option<String>,
) -> (LoginTest, Vec<RetryNotice>) {
    let notices = Arc::new(Mutex::new(Vec::<RetryNotice>::new()));
    let seen = notices.clone();
    let api = api.on_retry(Arc::new(move |notice| seen.lock().unwrap().push(notice)));
    let request = Request::TestLogin {
        url: SignalingUrl::parse(&sandbox.signaling_url()).unwrap(),
        login: Login::Token(token),
        credential_created_at: created_at,
    };
    let Ok(Reply::LoginTested(test)) = telnyx_setup::worker::execute(&api, request).await else {
        panic!("the login test answers");
    };
    let notices = notices.lock().unwrap().clone();
    (test, notices)
}

/// The wizard's `t` goes through the worker: a new credential's refusal is tried again,
/// each retry reported as a request's retry is (the status line's "retrying (2/5)").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workers_login_test_retries_a_new_credential_and_reports_each_retry() {
    let (sandbox, api) = propagating(SHORT).await;
    let (connection, _) = seeded(&api).await;
    let body = telnyx_setup::api::NewTelephonyCredential { connection_id: connection, ..Default::default() };
    let credential = api.create_telephony_credential(&body).await.unwrap();
    let token = api.create_token(&credential.id).await.unwrap();
    let (test, notices) = worker_login_test(&sandbox, api, token, credential.created_at.clone()).await;
    assert!(test.passed(), "{test:?}");
    assert!(test.retried >= 1, "{test:?}");
    assert_eq!(notices.len() as u32, test.retried);
    assert_eq!(notices[0].attempt, 2);
    assert_eq!(notices[0].reason, PROPAGATION_NOTE);
}

/// The worker's login test of a credential the API says is old: a refusal is the
/// outcome at once, with no retry reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workers_login_test_of_an_old_credential_fails_at_once() {
    let (sandbox, api) = propagating(LONG).await;
    let (_, credential) = seeded(&api).await;
    let token = api.create_token(&credential).await.unwrap();
    let (test, notices) = worker_login_test(&sandbox, api, token, Some("2020-01-01T00:00:00Z".into())).await;
    assert!(!test.passed() && test.retried == 0, "{test:?}");
    assert!(notices.is_empty());
}

/// The call test logs in with two credentials it has just made: under the scenario
/// they are refused at first, and it tries again as the login test does, so the call
/// is placed and its tone comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_tests_new_credentials_are_tried_again_until_they_work() {
    let (sandbox, _api) = propagating(SHORT).await;
    let signaling = sandbox.signaling_url();
    let args = [
        "doctor",
        "--json",
        "--connection",
        "Office softphones",
        "--call-test",
        "--signaling-url",
        &signaling,
    ];
    let (output, logged) = run(&sandbox, &args, "propagation-call").await;
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    let call = report["checks"].as_array().and_then(|checks| checks.iter().find(|c| c["id"] == "call"));
    assert_eq!(call.map(|c| &c["verdict"]), Some(&Value::from("pass")), "{report:#} {}", stderr(&output));
    assert!(logged.contains(PROPAGATION_NOTE), "the retry is logged: {logged}");
}
