//! `setup --yes` applies its plan with the numbers and the credential at once
//! (`setup::apply`): against a sandbox with latency and an order that stays pending a
//! while, the credential and its token are made before the order completes, and the
//! setup is the same as one made step by step; and when the credential fails while
//! the order is followed, the order still completes, the error is reported, and the
//! journal says exactly what was done.

use crate::support::contract::Contract;
use crate::support::{BIN, TempDir, client, log_path};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use telnyx_setup::api::{PageRequest, PhoneNumberFilter};
use telnyx_setup::journal::{Intent, Record};
use telnyx_setup::sandbox::{Exchange, FaultPlan, Sandbox, Seed};

const KEY: &str = "KEYsetupapply";

/// A sandbox where every answer takes `LATENCY` and an order stays pending for
/// `SETTLES`: its first check comes after half a second, so a setup that waited for
/// the order before the credential could not send the credential's POST before
/// seeing the order complete.
const LATENCY: Duration = Duration::from_millis(100);
const SETTLES: Duration = Duration::from_secs(2);

async fn sandbox(faults: &[&str]) -> Sandbox {
    let faults = FaultPlan::parse(faults.iter().copied()).unwrap().with_latency(LATENCY);
    Sandbox::start_local(&Seed { faults, order_settles_after: SETTLES, ..Seed::empty() }).await.unwrap()
}

async fn setup(sandbox: &Sandbox, state: &TempDir, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .arg("setup")
        .args(["--api-base", &sandbox.base_url(), "--api-key", KEY])
        .args(args)
        .stdin(Stdio::null())
        .env_remove("TELNYX_API_KEY")
        .env("TELNYX_SETUP_STATE_DIR", state.path())
        .env("TELNYX_SETUP_LOG", log_path("setup-apply"));
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn record(state: &TempDir) -> Record {
    let loaded = telnyx_setup::journal::load(&state.path().join("setups.json"));
    loaded.accounts.into_values().next().expect("a journal record")
}

/// Where in the sandbox's journal (answers in the order they were sent back) the
/// first exchange `is` holds.
fn position(journal: &[Exchange], what: &str, is: impl Fn(&Exchange) -> bool) -> usize {
    journal.iter().position(is).unwrap_or_else(|| panic!("no {what} in {:#?}", brief(journal)))
}

fn brief(journal: &[Exchange]) -> Vec<String> {
    journal.iter().map(|e| format!("{} {} {}", e.method, e.path, e.status)).collect()
}

/// The check of the order that saw it complete.
fn completed(e: &Exchange) -> bool {
    e.method == "GET"
        && e.path.starts_with("/number_orders/")
        && serde_json::from_slice::<serde_json::Value>(&e.response_body)
            .is_ok_and(|body| body["data"]["status"] == "success")
}

fn creates_credential(e: &Exchange) -> bool {
    e.method == "POST" && e.path == "/telephony_credentials"
}

fn makes_token(e: &Exchange) -> bool {
    e.method == "POST" && e.path.starts_with("/telephony_credentials/") && e.path.ends_with("/token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_credential_and_its_token_are_made_while_the_order_completes() {
    let sandbox = sandbox(&[]).await;
    let state = TempDir::new("setup-apply-state");
    let output = setup(&sandbox, &state, &["--yes", "--json", "--buy-numbers", "1"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let journal = sandbox.journal();
    let placed = position(&journal, "order", |e| e.method == "POST" && e.path == "/number_orders");
    let completes = position(&journal, "completing check", completed);
    let credential = position(&journal, "credential", creates_credential);
    let token = position(&journal, "token", makes_token);
    // Step by step, both came after the order's last check: here they overlap it.
    assert!(placed < completes, "{:#?}", brief(&journal));
    assert!(credential < completes && token < completes, "{:#?}", brief(&journal));
    assert!(credential < token, "the token is of the credential made first: {:#?}", brief(&journal));
    // The order's numbers reached the connection; the token logs in as that credential.
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let connection = report["connection"]["id"].as_str().expect("the connection's id").to_owned();
    let api = client(&sandbox.base_url(), KEY);
    let filter = PhoneNumberFilter { connection_id: Some(connection), phone_number: None };
    let on = api.list_phone_numbers(PageRequest::first(250), &filter).await.unwrap().data;
    assert_eq!(on.len(), 1, "{on:?}");
    assert!(report["token"]["expires_at"].is_string(), "{report:#}");
    // Both branches are done: the journal says the setup finished, nothing pending.
    let record = record(&state);
    assert!(record.finished && record.numbers_done && record.pending.is_none(), "{record:?}");
    assert!(record.credential.is_some(), "{record:?}");
    assert_eq!(record.order.as_ref().and_then(|o| o.status.as_deref()), Some("success"), "{record:?}");
    Contract::load().check_all(&journal).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_credential_lets_the_order_finish_and_the_journal_says_so() {
    let sandbox = sandbox(&["POST /telephony_credentials=500:1"]).await;
    let state = TempDir::new("setup-apply-fails");
    let output = setup(&sandbox, &state, &["--yes", "--buy-numbers", "1"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let journal = sandbox.journal();
    // The credential failed first, yet the order was followed to its end.
    let failed = position(&journal, "failed credential", |e| creates_credential(e) && e.status == 500);
    let completes = position(&journal, "completing check", completed);
    assert!(failed < completes, "{:#?}", brief(&journal));
    assert!(!journal.iter().any(makes_token), "no token without a credential: {:#?}", brief(&journal));
    let record = record(&state);
    assert!(record.numbers_done && !record.finished && record.credential.is_none(), "{record:?}");
    assert_eq!(record.order.as_ref().and_then(|o| o.status.as_deref()), Some("success"), "{record:?}");
    assert!(
        matches!(&record.pending, Some(Intent::CreateCredential { name: Some(name) })
            if name == "WebRTC login for WebRTC (telnyx-setup)"),
        "the failed write is the one pending: {record:?}"
    );
    // Again: the setup finishes with the numbers it has, buying nothing more.
    let again = setup(&sandbox, &state, &["--yes"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let api = client(&sandbox.base_url(), KEY);
    let orders = api.list_number_orders(PageRequest::first(250), None).await.unwrap().data;
    assert_eq!(orders.len(), 1, "one order: {orders:?}");
    let record = self::record(&state);
    assert!(record.finished && record.pending.is_none() && record.credential.is_some(), "{record:?}");
    // What the product sent is the contract's; the fault's 500 is the test's.
    let sent: Vec<Exchange> = sandbox.journal().into_iter().filter(|e| e.fault.is_none()).collect();
    Contract::load().check_all(&sent).assert_clean();
}
