//! `telnyx-setup inspect TARGET`: what a pasted id, UUID, phone number or SIP user name
//! names, found by the forms the API gives each kind; `--json` prints the record and
//! its relations, secrets hidden; a target that names nothing, or several records, is
//! exit 2 with what it could be. The inspector's side (opening on the target, `g`) is
//! tested in `update_inspector`.

use crate::support::pty::{CTRL_C, DOWN, ENTER, Pty, start_sandbox};
use crate::support::{BIN, buy_us_number, client, log_path, new_connection};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;
use telnyx_setup::api::{NewTelephonyCredential, PageRequest};
use telnyx_setup::sandbox::{Sandbox, Seed};

const KEY: &str = "KEYtarget";

/// `inspect TARGET --json` against `sandbox`: the exit code and stdout as JSON.
async fn inspect(sandbox: &Sandbox, target: &str) -> (i32, Value) {
    inspect_words(sandbox, &[target]).await
}

/// `inspect WORD... --json`: a target given as several words, unquoted.
async fn inspect_words(sandbox: &Sandbox, words: &[&str]) -> (i32, Value) {
    let log = log_path("inspect-target");
    let mut command = Command::new(BIN);
    command
        .arg("inspect")
        .args(words)
        .args(["--json", "--api-base", &sandbox.base_url(), "--api-key", KEY])
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .env("TELNYX_SETUP_LOG", &log);
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("JSON on stdout: {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().unwrap_or(-1), json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_target_is_found_and_printed_with_its_relations() {
    let seed = Seed { phone_numbers: 3, order_settles_after: Duration::ZERO, ..Seed::default() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let connection = api.create_credential_connection(&new_connection("Lobby", "lobby01")).await.unwrap();
    let credential = api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: connection.id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let (number, order) = buy_us_number(&api, &connection.id).await;
    let profile =
        api.list_outbound_voice_profiles(PageRequest::first(10), None).await.unwrap().data[0].clone();

    // A connection by id: its profile, numbers and credentials, the password hidden.
    let (code, json) = inspect(&sandbox, &connection.id).await;
    assert_eq!((code, json["kind"].as_str()), (0, Some("credential_connections")), "{json}");
    assert_eq!(json["record"]["password"], "(hidden)");
    assert_eq!(json["relations"]["telephony_credentials"][0]["id"], credential.id.as_str());
    assert_eq!(json["relations"]["telephony_credentials"][0]["sip_password"], "(hidden)");
    assert_eq!(json["relations"]["phone_numbers"][0]["phone_number"], number.as_str());
    // A profile by id: its connections.
    let (code, json) = inspect(&sandbox, &profile.id).await;
    assert_eq!((code, json["kind"].as_str()), (0, Some("outbound_voice_profiles")), "{json}");
    assert!(json["relations"]["credential_connections"].is_array());
    // A number, in E.164 and as digits with spaces: its connection.
    for given in [number.clone(), format!("{} {}", &number[1..5], &number[5..])] {
        let (code, json) = inspect(&sandbox, &given).await;
        assert_eq!((code, json["kind"].as_str()), (0, Some("phone_numbers")), "{given}: {json}");
        assert_eq!(json["record"]["phone_number"], number.as_str());
        assert_eq!(json["relations"]["credential_connection"]["id"], connection.id.as_str());
    }
    // A credential by UUID, and by its SIP user name with Telnyx's domain.
    for given in [credential.id.clone(), format!("{}@sip.telnyx.com", credential.sip_username)] {
        let (code, json) = inspect(&sandbox, &given).await;
        assert_eq!((code, json["kind"].as_str()), (0, Some("telephony_credentials")), "{given}: {json}");
        assert_eq!(json["id"], credential.id.as_str());
        assert_eq!(json["relations"]["credential_connection"]["id"], connection.id.as_str());
    }
    // An order by UUID.
    let (code, json) = inspect(&sandbox, &order.id).await;
    assert_eq!((code, json["kind"].as_str()), (0, Some("number_orders")), "{json}");
    // A connection by its SIP user name.
    let (code, json) = inspect(&sandbox, "lobby01").await;
    assert_eq!((code, json["id"].as_str()), (0, Some(connection.id.as_str())), "{json}");

    let json = serde_json::to_string(&json).unwrap();
    assert!(!json.contains("correct-horse-battery"), "no password in the output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_names_nothing_or_two_records_is_exit_2_with_what_it_could_be() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let first = api.create_credential_connection(&new_connection("One", "one01")).await.unwrap();
    let credential = api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: first.id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    // A connection whose SIP user name is the credential's: the name means either.
    let second =
        api.create_credential_connection(&new_connection("Two", &credential.sip_username)).await.unwrap();
    let (code, json) = inspect(&sandbox, &credential.sip_username).await;
    assert_eq!(code, 2, "{json}");
    assert_eq!(json["error"]["code"], "ambiguous_target");
    let ids: Vec<&str> =
        json["error"]["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(ids.contains(&credential.id.as_str()) && ids.contains(&second.id.as_str()), "{ids:?}");
    let message = json["error"]["detail"].as_str().unwrap();
    assert!(
        message.contains("telephony credential") && message.contains("credential connection"),
        "{message}"
    );

    let (code, json) = inspect(&sandbox, "1293384261075799999").await;
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("not_found")), "{json}");
}

/// A number pasted from a ticket with its spaces needs no quotes; a few digits that many
/// numbers have are a question with every id, and a message that names the first few.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unquoted_number_is_one_target_and_many_matches_are_counted() {
    let seed = Seed { phone_numbers: 12, ..Seed::default() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let (code, json) = inspect_words(&sandbox, &["+1", "555", "000", "0003"]).await;
    assert_eq!((code, json["record"]["phone_number"].as_str()), (0, Some("+15550000003")), "{json}");

    let (code, json) = inspect(&sandbox, "555").await;
    assert_eq!((code, json["error"]["code"].as_str()), (2, Some("ambiguous_target")), "{json}");
    assert_eq!(json["error"]["ids"].as_array().map(Vec::len), Some(12), "{json}");
    let detail = json["error"]["detail"].as_str().unwrap();
    assert!(detail.contains("could be 12 records") && detail.contains("and 7 more"), "{detail}");
    assert_eq!(detail.matches("phone number ").count(), 5, "the first five named: {detail}");
}

/// In a terminal, `inspect TARGET` that could be several records asks which: the list
/// of them, Enter opens the one highlighted, Esc on it asks again.
#[test]
fn in_a_terminal_a_target_that_could_be_several_asks_which() {
    let seed = Seed { phone_numbers: 12, ..Seed::default() };
    let (_runtime, sandbox) = start_sandbox(&seed);
    let base = sandbox.base_url();
    // 555000001 is part of +15550000010 and +15550000011.
    let mut app = Pty::spawn(
        "inspect-choices",
        &["inspect", "555", "000", "001", "--api-base", &base, "--api-key", KEY],
        110,
        30,
    );
    app.wait_for_text(&["That could be 2 records: which one?", "Enter open", "Esc cancel"]);
    app.send(DOWN);
    app.send(ENTER);
    app.wait_for_text(&["Numbers (1)", "Esc back"]);
    app.send("\x1b");
    app.wait_for_text(&["That could be 2 records: which one?"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
}
