//! `doctor --all` on an account of many connections: they are checked several at once,
//! and never more than [`ALL_AT_ONCE`] at a time (a support engineer's customer may have
//! dozens, and the account's rate limit is shared with its production traffic).
//!
//! The account is made on a quick sandbox and kept in a state file; a second sandbox
//! serves the same account with every answer held back, so each request keeps its
//! connection open while the others start: the most connections open at once is then
//! the most requests in flight at once.

use crate::support::{TempDir, client, new_connection};
use std::time::Duration;
use telnyx_setup::doctor::{ALL_AT_ONCE, gather_all};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};

const KEY: &str = "KEYdoctorall";
const CONNECTIONS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_all_checks_connections_several_at_once_and_no_more_than_its_bound() {
    let dir = TempDir::new("doctor-all");
    let state = dir.path().join("account.json");
    let quick = Seed { state_file: Some(state.clone()), ..Seed::empty() };
    let maker = Sandbox::start_local(&quick).await.unwrap();
    let api = client(&maker.base_url(), KEY);
    for i in 0..CONNECTIONS {
        api.create_credential_connection(&new_connection(
            &format!("Customer {i}"),
            &format!("customer{i:02}"),
        ))
        .await
        .unwrap();
    }
    drop(maker);

    let slow = Seed {
        state_file: Some(state),
        faults: FaultPlan::new(Vec::new(), Duration::from_millis(300)),
        ..Seed::empty()
    };
    let sandbox = Sandbox::start_local(&slow).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let all = gather_all(&api, None, true).await.unwrap();
    assert_eq!(all.len(), CONNECTIONS, "every connection is checked");
    let registration_checks = sandbox
        .journal()
        .iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/actions/check_registration_status"))
        .count();
    assert_eq!(registration_checks, CONNECTIONS, "one registration check each");

    // Each connection's own reads are two here (its numbers and its registration; it
    // has no credential for a trial token): one at a time would keep at most two open,
    // all at once 24.
    let peak = sandbox.peak_connections();
    assert!(peak > 2, "the connections are checked several at once: at most {peak} requests were open");
    assert!(
        peak <= 2 * ALL_AT_ONCE + 4,
        "at most {ALL_AT_ONCE} connections at a time (2 reads each, beside the 4 shared lists): {peak} were open"
    );
}
