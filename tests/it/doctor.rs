//! The doctor, scriptable: `telnyx-setup doctor` against a sandbox account set up through
//! the API for each condition, with its exit code (0 nothing failed, 1 a check failed,
//! 2 usage or API errors) and its JSON report checked.

use crate::support::{BIN, client, log_path};
use serde_json::Value;
use std::process::{Command, Output};
use std::time::Duration;
use telnyx_setup::api::{
    self, Client, CredentialConnectionUpdate, InboundUpdate, NewCredentialConnection, NewNumberOrder,
    NewOutboundVoiceProfile, NewTelephonyCredential, NumberSearch, OrderedNumberRequest, OutboundUpdate,
    OutboundVoiceProfileUpdate,
};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;

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
    let connection = api
        .create_credential_connection(&NewCredentialConnection {
            connection_name: "Doctor".into(),
            user_name: "doctor01".into(),
            password: Secret::from("doctor-password"),
        })
        .await
        .unwrap()
        .id;
    let codecs = ["OPUS", "G722", "VP8"].map(String::from).to_vec();
    api.update_credential_connection(
        &connection,
        &CredentialConnectionUpdate { inbound: Some(InboundUpdate { codecs }), outbound: None },
    )
    .await
    .unwrap();
    let profile =
        api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Doctor calls")).await.unwrap().id;
    let attach = OutboundUpdate { outbound_voice_profile_id: profile.clone() };
    api.update_credential_connection(
        &connection,
        &CredentialConnectionUpdate { inbound: None, outbound: Some(attach) },
    )
    .await
    .unwrap();
    let offered = api
        .search_available_numbers(&NumberSearch { country_code: "US".into(), limit: 1, ..Default::default() })
        .await
        .unwrap();
    api.create_number_order(&NewNumberOrder {
        phone_numbers: vec![OrderedNumberRequest { phone_number: offered[0].phone_number.clone() }],
        connection_id: Some(connection.clone()),
        customer_reference: None,
    })
    .await
    .unwrap();
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
