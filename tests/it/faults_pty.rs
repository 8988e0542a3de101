//! The whole wizard, in a PTY, against a sandbox that misbehaves: every third request
//! answers 503, one read is rate limited (429), and the connection's create times out
//! after the server made it. The setup must still complete with the keyboard alone,
//! and the account must hold exactly one of each thing created: connection, profile,
//! number order and credential.
//!
//! A second test presses Ctrl-C while an order's answer is held: the app asks first,
//! and the order, found by its reference once the answer times out, completes once.
//!
//! The harness (tests/it/support/pty.rs) waits for screens, never for fixed times; the
//! binary runs with a short `--timeout` so a lost answer is given up on quickly.
#![cfg(unix)]

use crate::support::client;
use crate::support::pty::{
    CTRL_C, DOWN, ENTER, Pty, SPACE, credential_and_token, enter_through_steps_one_to_five,
    search_default_numbers, start_sandbox,
};
use std::time::Duration;
use telnyx_setup::api::{PageRequest, PhoneNumberFilter, TelephonyCredentialFilter};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};

/// Rules are tried in order: the create's timeout and the profile list's 429 come
/// first, so the every-third-request 503 cannot take their turn.
const FAULTS: [&str; 3] =
    ["POST /credential_connections=timeout:1", "GET /outbound_voice_profiles=429:1", "* *=503%3"];

/// The binary in a 100x30 PTY against an in-process sandbox misbehaving as `faults`,
/// walked through steps 1-5. Tests take it apart as `Run { runtime, sandbox, base_url,
/// mut app }`, so the app goes first and the runtime serving the sandbox last.
struct Run {
    runtime: tokio::runtime::Runtime,
    sandbox: Sandbox,
    base_url: String,
    app: Pty,
}

impl Run {
    fn start(name: &str, key: &str, faults: FaultPlan, timeout: &str) -> Self {
        let seed = Seed { faults, order_settles_after: Duration::from_millis(300), ..Seed::empty() };
        let (runtime, sandbox) = start_sandbox(&seed);
        let base_url = sandbox.base_url();
        let mut app =
            Pty::spawn(name, &["--api-base", &base_url, "--api-key", key, "--timeout", timeout], 100, 30);
        enter_through_steps_one_to_five(&mut app);
        Self { runtime, sandbox, base_url, app }
    }
}

#[test]
fn the_wizard_completes_through_faults_and_creates_each_thing_once() {
    // A little latency, so the resize below lands while a request is in flight.
    let faults = FaultPlan::parse(FAULTS).expect("valid rules").with_latency(Duration::from_millis(30));
    let Run { runtime, sandbox, base_url, mut app } = Run::start("faults", "KEYfaults", faults, "1s");

    // Step 6: search, resize while the search is in flight, buy two numbers.
    app.send(ENTER);
    app.wait_idle_with(&["Search available numbers", "Enter search"]);
    app.send(ENTER);
    app.resize(72, 24);
    app.wait_idle_with(&["· cart: 0", "Space add/remove"]);
    app.resize(100, 30);
    // The step list's tail was cut off at 72 columns: it is back only once the app has
    // redrawn at the new size.
    app.wait_idle_with(&["· cart: 0", "○ Token", "Space add/remove"]);
    app.send(SPACE);
    app.wait_for_text(&["· cart: 1"]);
    app.send(DOWN);
    app.send(SPACE);
    app.wait_for_text(&["· cart: 2"]);
    app.send(ENTER);
    app.wait_idle_with(&["Cart: 2 numbers"]);
    app.send(ENTER);
    app.wait_idle_with(&["Buy 2 numbers for", "[y/N]"]);
    app.send("y");
    app.wait_idle_with(&["2 numbers bought and assigned", "Enter continue"]);

    // Steps 7 and 8, then the summary.
    credential_and_token(&mut app, ENTER);
    app.send(ENTER);
    app.wait_idle_with(&["Setup complete"]);
    app.send("q");
    app.expect_restored();

    // The faults did happen...
    let journal = sandbox.journal();
    let fired = |rule: &str| journal.iter().filter(|e| e.fault.as_deref() == Some(rule)).count();
    assert_eq!(fired(FAULTS[0]), 1, "the connection's create timed out once");
    assert_eq!(fired(FAULTS[1]), 1, "one read was rate limited");
    assert!(fired(FAULTS[2]) >= 6, "every third request failed: {} did", fired(FAULTS[2]));
    let creates =
        journal.iter().filter(|e| e.method == "POST" && e.path == "/credential_connections").count();
    assert_eq!(creates, 1, "the timed-out create was looked up, not sent again");

    // ...and the account holds one of each, as the API tells it.
    let api = client(&base_url, "KEYfaults");
    let (connections, profiles, orders, numbers, credentials) = runtime.block_on(async {
        let page = PageRequest::first(250);
        (
            api.list_credential_connections(page, None).await.expect("list connections").data,
            api.list_outbound_voice_profiles(page, None).await.expect("list profiles").data,
            api.list_number_orders(page, None).await.expect("list orders").data,
            api.list_phone_numbers(page, &PhoneNumberFilter::default()).await.expect("list numbers").data,
            api.list_telephony_credentials(page, &TelephonyCredentialFilter::default())
                .await
                .expect("list credentials")
                .data,
        )
    });
    assert_eq!(connections.len(), 1, "{connections:#?}");
    assert_eq!(profiles.len(), 1, "{profiles:#?}");
    assert_eq!(orders.len(), 1, "{orders:#?}");
    assert_eq!(credentials.len(), 1, "{credentials:#?}");
    assert_eq!(numbers.len(), 2, "{numbers:#?}");
    let connection = &connections[0];
    assert_eq!(connection.outbound.outbound_voice_profile_id.as_deref(), Some(profiles[0].id.as_str()));
    assert!(
        numbers.iter().all(|n| n.connection_id.as_deref() == Some(connection.id.as_str())),
        "{numbers:#?}"
    );
    assert_eq!(credentials[0].resource_id.as_deref(), Some(format!("connection:{}", connection.id).as_str()));
}

/// Ctrl-C while an order's answer is held asks first; `n` goes back to the wait, the
/// timed-out order is then found by its reference, and exactly one order exists.
#[test]
fn ctrl_c_during_an_order_asks_and_the_order_still_completes() {
    let faults = FaultPlan::parse(["POST /number_orders=timeout:1"]).expect("a valid rule");
    let Run { runtime, sandbox, base_url, mut app } = Run::start("order-quit", "KEYquit", faults, "2s");
    search_default_numbers(&mut app);
    app.send(ENTER);
    app.wait_idle_with(&["· cart: 1"]);
    app.send(ENTER);
    app.wait_idle_with(&["Cart: 1 number"]);
    app.send(ENTER);
    app.wait_idle_with(&["Buy 1 number for", "[y/N]"]);
    app.send("y");
    app.wait_for_text(&["Ordering 1 number"]);
    app.send(CTRL_C);
    app.wait_for_text(&["Quit anyway? [y/N]"]);
    app.send("n");
    app.wait_idle_with(&["1 number bought and assigned", "Enter continue"]);
    app.send("q");
    app.expect_restored();

    let journal = sandbox.journal();
    let posts = journal.iter().filter(|e| e.method == "POST" && e.path == "/number_orders").count();
    assert_eq!(posts, 1, "the held order was looked up, not placed again");
    let orders = runtime
        .block_on(client(&base_url, "KEYquit").list_number_orders(PageRequest::first(250), None))
        .expect("list orders")
        .data;
    assert_eq!(orders.len(), 1, "{orders:#?}");
}
