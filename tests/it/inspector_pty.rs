//! End-to-end test of `telnyx-setup inspect`: the real binary in a pseudo-terminal
//! against an in-process sandbox that owns 10,000 phone numbers.
//!
//! A support engineer's tour, checked on the screen a user would see (vt100 parses the
//! PTY's output; the harness is `support/pty.rs`, shared with `tests/it/pty.rs`): sign
//! in, the READ-ONLY header, the numbers tab paging in 250 at a time, End reading the rest several pages at once,
//! a server-side filter down to one number, a connection's "Its phone numbers" relation
//! and Esc back, the raw JSON with the SIP password hidden, the doctor on the connection,
//! and `q`, after which the terminal must be given back intact.
//!
//! Then the sandbox's journal proves the tour changed nothing: every request was a GET,
//! or the doctor's `POST …/actions/check_registration_status`.
//!
//! Nothing sleeps for a fixed time: after every key the test waits (with a deadline) for
//! something on screen that only the key's effect can bring. Unix only, like the harness.
#![cfg(unix)]

use crate::support::client;
use crate::support::pty::{DOWN, ENTER, Pty, dump_text, start_sandbox};
use telnyx_setup::api::PageRequest;
use telnyx_setup::sandbox::{Exchange, Seed};

/// End as xterm sends it.
const END: &str = "\x1b[F";
const HOME: &str = "\x1b[H";
/// A lone Escape (nothing follows it in the same write, so it is not a sequence).
const ESC: &str = "\x1b";
const KEY: &str = "KEYinspect";

/// Every request the inspector made was a read, or the doctor's registration check.
fn assert_only_reads(journal: &[Exchange]) {
    let writes: Vec<String> = journal
        .iter()
        .filter(|e| !e.is_read())
        .map(|e| format!("{} {}?{} -> {}", e.method, e.path, query_of(e), e.status))
        .collect();
    assert!(
        writes.is_empty(),
        "the read-only inspector sent {} request(s) that are neither GET nor the registration check:\n  {}",
        writes.len(),
        writes.join("\n  ")
    );
}

/// How many Down presses reach the relation `label` in the detail pane ("→ label").
fn relation_index(screen: &str, label: &str) -> usize {
    let relations: Vec<&str> = screen
        .lines()
        .filter_map(|line| line.split('│').find_map(|cell| cell.trim().strip_prefix("→ ")))
        .collect();
    relations.iter().position(|relation| relation.starts_with(label)).unwrap_or_else(|| {
        panic!("the detail pane should offer \"→ {label}\", it has {relations:?}\n{}", dump_text(screen))
    })
}

/// The phone numbers (`+1…`) listed in the left pane's rows.
fn listed_numbers(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|line| line.split('│').nth(1))
        .filter_map(|cell| cell.trim_start_matches(['▶', ' ']).split_whitespace().next())
        .filter(|word| word.starts_with("+1"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_inspector_pages_filters_follows_relations_runs_the_doctor_and_changes_nothing() {
    let seed = Seed { phone_numbers: 10_000, ..Seed::default() };
    let (runtime, sandbox) = start_sandbox(&seed);
    let base_url = sandbox.base_url();
    let api = client(&base_url, "KEYcheck");
    let connection = runtime
        .block_on(api.list_credential_connections(PageRequest::first(10), None))
        .expect("list the seeded connections")
        .data
        .into_iter()
        .find(|c| c.connection_name == "Office softphones")
        .expect("the default seed has the connection \"Office softphones\"");
    let before = sandbox.journal().len();

    let mut app = Pty::spawn("inspect", &["inspect", "--api-base", &base_url, "--api-key", KEY], 110, 30);

    // The key from the flag is checked at once, with no sign-in screen to confirm:
    // the first tab opens by itself.
    let first = app.wait_idle_with(&["●1 Connections", "Connections (1)", "Office softphones"]);
    app.expect_raw();
    let header = first.lines().next().unwrap_or_default();
    assert!(
        header.contains("READ-ONLY") && header.contains("account inspector"),
        "the header should stay READ-ONLY after sign-in, got {header:?}\n{}",
        dump_text(&first)
    );

    // Numbers: the first page of 250 out of 10,000.
    app.send("3");
    let numbers = app.wait_idle_with(&["●3 Numbers", "Numbers (250 of 10000)"]);
    assert!(
        numbers.contains("▶ +15550000000"),
        "the cursor should start on the first number\n{}",
        dump_text(&numbers)
    );

    // End goes to the true end: page after page loads until the last, the cursor on
    // the last number; then Home goes back to the first.
    app.send(END);
    app.wait_idle_with(&["Numbers (10000)", "▶ +15550009999"]);
    app.send(HOME);
    app.wait_idle_with(&["Numbers (10000)", "▶ +15550000000"]);

    // A server-side filter: at least 3 digits; one number of the 10,000 has 1234.
    app.send("/");
    app.wait_for_text(&["/ phone number digits (3 or more) >"]);
    app.send("1234");
    app.wait_for_text(&["/ phone number digits (3 or more) > 1234"]);
    app.send(ENTER);
    let filtered = app.wait_idle_with(&["filter: 1234", "Numbers (1)"]);
    assert_eq!(
        listed_numbers(&filtered),
        ["+15550001234"],
        "the filter 1234 should leave exactly +15550001234\n{}",
        dump_text(&filtered)
    );

    // Connections, then the connection's "Its phone numbers" relation.
    app.send("1");
    let connections = app.wait_idle_with(&["●1 Connections", "Connections (1)", "→ Its phone numbers"]);
    assert!(
        !connections.contains("filter: 1234"),
        "a new tab should start unfiltered\n{}",
        dump_text(&connections)
    );
    app.send(ENTER);
    let detail = app.wait_for_text(&["Enter follow", "Esc list"]);
    let downs = relation_index(&detail, "Its phone numbers");
    app.send(&DOWN.repeat(downs));
    app.send(ENTER);
    let scoped =
        app.wait_idle_with(&["numbers of Office softphones", "●3 Numbers", "Numbers (250 of 10000)"]);
    let rows = listed_numbers(&scoped);
    assert!(
        rows.first().map(String::as_str) == Some("+15550000000"),
        "the connection's numbers should be listed from the first\n{}",
        dump_text(&scoped)
    );

    // Esc walks back to the connections as they were.
    app.send(ESC);
    let back = app.wait_idle_with(&["●1 Connections", "Connections (1)", "→ Its phone numbers"]);
    assert!(
        !back.contains("numbers of Office softphones"),
        "Esc should leave the scoped numbers list\n{}",
        dump_text(&back)
    );

    // J: the raw JSON. The detail pane does not scroll, so the terminal is made tall
    // enough to reach "password" (the record's keys are sorted).
    app.send("J");
    app.wait_for_text(&["Raw JSON (J)", r#""connection_name": "Office softphones","#]);
    app.resize(110, 90);
    let raw = app.wait_for_text(&["Raw JSON (J)", r#""password": "(hidden)","#]);
    let password = connection.password.expose();
    assert!(!password.is_empty(), "the seeded connection should have a SIP password");
    assert!(!raw.contains(password), "the raw JSON should hide the SIP password\n{}", dump_text(&raw));
    assert!(
        raw.contains(&format!(r#""id": "{}","#, connection.id)),
        "the raw JSON should show the connection's id {}\n{}",
        connection.id,
        dump_text(&raw)
    );

    // The doctor, from the detail pane's last relation.
    app.send(ENTER);
    let detail = app.wait_for_text(&["Enter follow", "Esc list", "→ Run the doctor"]);
    let downs = relation_index(&detail, "Run the doctor");
    app.send(&DOWN.repeat(downs));
    app.send(ENTER);
    let report = app.wait_idle_with(&[&format!("Doctor: connection {}", connection.id), "PASS connection"]);
    assert!(
        report.contains("No check failed."),
        "the seeded connection should pass the doctor\n{}",
        dump_text(&report)
    );
    assert!(
        !report.contains(password),
        "the doctor's report should not show the password\n{}",
        dump_text(&report)
    );

    // Any key closes the report; q quits and gives the terminal back.
    app.send("x");
    app.wait_for("the doctor's report closed", |screen| {
        let contents = screen.contents();
        !contents.contains("Doctor: connection") && contents.contains("Raw JSON (J)")
    });
    app.send("q");
    let printed = app.expect_restored();
    assert!(!printed.contains(password), "nothing printed on exit should hold the SIP password:\n{printed}");

    // What the tour asked of the API: reads only, and the ones the screens promised.
    let journal: Vec<Exchange> = sandbox.journal().split_off(before);
    assert_only_reads(&journal);
    let asked =
        |path: &str, query: &str| journal.iter().any(|e| e.path == path && query_of(e).contains(query));
    for (path, query, why) in [
        ("/phone_numbers", "page[number]=3", "the third page of numbers (End twice)"),
        ("/phone_numbers", "filter[phone_number]=1234", "the number filter"),
        ("/phone_numbers", &format!("filter[connection_id]={}", connection.id), "the connection's numbers"),
    ] {
        assert!(
            asked(path, query),
            "the inspector should have asked {path}?…{query}… for {why}; it asked:\n{}",
            summary(&journal)
        );
    }
    let doctor_check = format!("/credential_connections/{}/actions/check_registration_status", connection.id);
    assert!(
        journal.iter().any(|e| e.method == "POST" && e.path == doctor_check),
        "the doctor should have checked the registration; the inspector asked:\n{}",
        summary(&journal)
    );
    drop(sandbox);
}

/// The exchange's query string with the brackets of `page[number]` and `filter[…]`
/// unescaped, as a person would write it.
fn query_of(exchange: &Exchange) -> String {
    exchange.query.as_deref().unwrap_or_default().replace("%5B", "[").replace("%5D", "]")
}

/// The journal, one exchange a line, for failure messages.
fn summary(journal: &[Exchange]) -> String {
    journal
        .iter()
        .map(|e| format!("  {} {}?{} -> {}", e.method, e.path, query_of(e), e.status))
        .collect::<Vec<_>>()
        .join("\n")
}
