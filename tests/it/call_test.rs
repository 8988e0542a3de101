//! `doctor --call-test` and `doctor --call +E164` against the sandbox: a call between two
//! temporary logins (one answering with an echo) and a call to a number the sandbox's
//! echo answers both pass with their figures; calls refused for D13, D38 and D35 fail
//! with the cause and what to do; the temporary credentials are gone afterwards; and
//! against Telnyx nothing is created or called unless the question is answered yes.

use crate::support::{BIN, attach_profile, buy_us_number, client, log_path, new_connection};
use serde_json::Value;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use telnyx_setup::api::{Client, NewOutboundVoiceProfile, PageRequest, TelephonyCredentialFilter};
use telnyx_setup::sandbox::{Sandbox, Seed};

const KEY: &str = "KEYcalltest";

struct Account {
    sandbox: Sandbox,
    api: Client,
    connection: String,
    profile: String,
}

/// A connection with an enabled profile (US and CA), one US number, no credential.
async fn account() -> Account {
    let seed = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let connection = api.create_credential_connection(&new_connection("Calls", "calls01")).await.unwrap().id;
    let profile =
        api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Calls")).await.unwrap().id;
    attach_profile(&api, &connection, &profile).await;
    buy_us_number(&api, &connection).await;
    Account { sandbox, api, connection, profile }
}

async fn doctor(account: &Account, connection: &str, signaling: &str, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--api-base", &account.sandbox.base_url(), "--api-key", KEY, "--json"])
        .args(["--connection", connection, "--signaling-url", signaling])
        .args(args)
        .stdin(Stdio::null())
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    let log = log_path("call_test");
    command.env("TELNYX_SETUP_LOG", &log);
    // The sandbox runs on this test's runtime: wait for the child on another thread.
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    output
}

async fn run_doctor(account: &Account, connection: &str, args: &[&str]) -> (i32, Value) {
    let output = doctor(account, connection, &account.sandbox.signaling_url(), args).await;
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exited"), json)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

/// The temporary credentials the call test made that are still there.
async fn leftovers(account: &Account) -> usize {
    let filter =
        TelephonyCredentialFilter { tag: Some("telnyx-setup-call-test".into()), ..Default::default() };
    account.api.list_telephony_credentials(PageRequest::first(50), &filter).await.unwrap().data.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_test_between_two_logins_hears_its_tone_come_back() {
    let account = account().await;
    let (code, report) = run_doctor(&account, &account.connection, &["--call-test"]).await;
    let call = check(&report, "call");
    assert_eq!((code, call["verdict"].as_str()), (0, Some("pass")), "{report:#}");
    let reason = call["reason"].as_str().unwrap();
    for expected in [
        "Answered in",
        "audio back",
        "tone came back after a round trip of",
        "PCMU/8000",
        "ICE pair host to host",
    ] {
        assert!(reason.contains(expected), "{expected:?} in {reason}");
    }
    assert_eq!(leftovers(&account).await, 0, "the temporary credentials are deleted");
    // The sandbox saw one call between two logins, answered by the second, not the echo.
    let calls = account.sandbox.calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].answered_by.as_deref().is_some_and(|who| who != "echo"), "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_to_a_number_is_answered_by_the_sandboxs_echo() {
    let account = account().await;
    let (code, report) = run_doctor(&account, &account.connection, &["--call", "+13129457420"]).await;
    let call = check(&report, "call_number");
    assert_eq!((code, call["verdict"].as_str()), (0, Some("pass")), "{report:#}");
    assert!(call["reason"].as_str().unwrap().contains("tone came back"), "{call}");
    assert_eq!(account.sandbox.calls()[0].answered_by.as_deref(), Some("echo"));
    assert_eq!(leftovers(&account).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_calls_fail_with_their_d_code_and_what_to_do() {
    let account = account().await;
    // A country the profile does not allow.
    let (code, report) = run_doctor(&account, &account.connection, &["--call", "+493012345678"]).await;
    let call = check(&report, "call_number");
    assert_eq!((code, call["verdict"].as_str()), (1, Some("fail")), "{report:#}");
    assert!(call["reason"].as_str().unwrap().contains("D13"), "{call}");
    assert!(call["fix"].as_str().unwrap().contains("allowed destinations"), "{call}");

    // A connection with a profile but no number: no caller ID to send.
    let bare = account.api.create_credential_connection(&new_connection("Bare", "bare01")).await.unwrap().id;
    attach_profile(&account.api, &bare, &account.profile).await;
    let (_, report) = run_doctor(&account, &bare, &["--call", "+13129457420"]).await;
    let call = check(&report, "call_number");
    assert!(call["reason"].as_str().unwrap().contains("D35"), "{call}");
    assert!(call["fix"].as_str().unwrap().contains("E.164"), "{call}");

    // No outbound voice profile.
    let lone = account.api.create_credential_connection(&new_connection("Lone", "lone01")).await.unwrap().id;
    let (_, report) = run_doctor(&account, &lone, &["--call", "+13129457420"]).await;
    let call = check(&report, "call_number");
    assert!(call["reason"].as_str().unwrap().contains("D38"), "{call}");
    assert!(call["fix"].as_str().unwrap().contains("outbound voice profile"), "{call}");
    assert_eq!(leftovers(&account).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_telnyx_nothing_is_created_or_called_without_a_yes() {
    let account = account().await;
    let before = account.sandbox.journal().len();
    let output = doctor(
        &account,
        &account.connection,
        "wss://rtc.telnyx.com",
        &["--call-test", "--call", "+13129457420"],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["error"]["code"], "declined", "{report}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("may cost money") && stderr.contains("[y/N]"),
        "the question was asked: {stderr}"
    );
    let journal = account.sandbox.journal();
    assert!(journal[before..].iter().all(|exchange| exchange.is_read()), "only reads were sent");
    assert!(account.sandbox.calls().is_empty());
}
