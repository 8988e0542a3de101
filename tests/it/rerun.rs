//! Safe re-run: the real binary in a PTY against the sandbox, killed (SIGKILL) at each
//! write of the Enter-only path just after the sandbox performed it and before its
//! answer arrived, or quit with Ctrl-C on each screen, then started again and driven
//! with Enter to the summary. Through the API, the account then holds exactly one of
//! each thing the setup makes, and one order.

use crate::support::contract::Contract;
use crate::support::pty::{CTRL_C, ENTER, Pty, SPACE, in_flight, start_sandbox};
use crate::support::{TempDir, client};
use telnyx_setup::api::{Client, PageRequest, PhoneNumberFilter, TelephonyCredentialFilter};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};
use telnyx_setup::signaling::{Login, LoginOutcome, SignalingUrl, test_login};

const KEY: &str = "KEYrerun";
/// What the summary shows, and nothing before it.
const SUMMARY: &str = "Press d for a last check by the doctor";

/// The account a run works on: a sandbox whose orders settle quickly, and a journal
/// shared by the runs.
struct Account {
    runtime: tokio::runtime::Runtime,
    sandbox: Sandbox,
    dir: TempDir,
}

impl Account {
    fn new(faults: &[&str]) -> Self {
        Self::settling_after(faults, std::time::Duration::from_millis(200))
    }

    /// The account, with orders that settle `settle` after they are placed.
    fn settling_after(faults: &[&str], settle: std::time::Duration) -> Self {
        let seed = Seed {
            order_settles_after: settle,
            faults: FaultPlan::parse(faults.iter().copied()).expect("valid fault rules"),
            ..Seed::empty()
        };
        let (runtime, sandbox) = start_sandbox(&seed);
        Self { runtime, sandbox, dir: TempDir::new("rerun") }
    }

    /// Starts the wizard on this account, with the key from the environment.
    fn wizard(&self, name: &str) -> Pty {
        let base = self.sandbox.base_url();
        let state = self.dir.path().to_str().expect("a UTF-8 temp path");
        let mut app = Pty::spawn_with_env(
            name,
            &["--api-base", &base, "--timeout", "5s"],
            100,
            32,
            &[("TELNYX_API_KEY", KEY), ("TELNYX_SETUP_STATE_DIR", state)],
        );
        // Keys before the first frame would meet a terminal not yet in raw mode.
        app.wait_for_text(&["Step 1 of 8: Sign in", "The key came from the TELNYX_API_KEY"]);
        app
    }

    fn api(&self) -> Client {
        client(&self.sandbox.base_url(), "KEYcheck")
    }

    /// What the account holds, read through the API.
    fn holdings(&self) -> Holdings {
        self.runtime.block_on(async {
            let api = self.api();
            let first = || PageRequest::first(250);
            let connections = api.list_credential_connections(first(), None).await.unwrap().data;
            let profiles = api.list_outbound_voice_profiles(first(), None).await.unwrap().data;
            let orders = api.list_number_orders(first(), None).await.unwrap().data;
            let numbers = api.list_phone_numbers(first(), &PhoneNumberFilter::default()).await.unwrap().data;
            let credentials = api
                .list_telephony_credentials(first(), &TelephonyCredentialFilter::default())
                .await
                .unwrap()
                .data;
            let connection = connections.first();
            Holdings {
                connections: connections.len(),
                marked: connections.iter().all(|c| c.is_marked()),
                profiles: profiles.len(),
                attached: connection.and_then(|c| c.outbound.outbound_voice_profile_id.clone())
                    == profiles.first().map(|p| p.id.clone()),
                vp8: connection.is_some_and(|c| c.inbound.codecs.iter().any(|codec| codec == "VP8")),
                orders: orders.len(),
                numbers_on_connection: numbers
                    .iter()
                    .filter(|n| {
                        n.connection_id.is_some() && n.connection_id == connection.map(|c| c.id.clone())
                    })
                    .count(),
                credentials: credentials.len(),
            }
        })
    }

    /// Whether a fresh token of the account's one credential logs in over WebRTC
    /// signaling, as the SDK would with what the setup made.
    fn token_logs_in(&self) -> bool {
        self.runtime.block_on(async {
            let api = self.api();
            let filter = TelephonyCredentialFilter::default();
            let credentials =
                api.list_telephony_credentials(PageRequest::first(1), &filter).await.unwrap().data;
            let token = api.create_token(&credentials[0].id).await.unwrap();
            let url = SignalingUrl::parse(&self.sandbox.signaling_url()).unwrap();
            let outcome = test_login(&url, &Login::Token(token), std::time::Duration::from_secs(10)).await;
            matches!(outcome, LoginOutcome::LoggedIn { .. })
        })
    }

    /// Writes the sandbox has answered (or held), in order: `POST credential_connections`.
    fn writes(&self) -> Vec<String> {
        self.sandbox
            .journal()
            .iter()
            .filter(|e| !e.is_read())
            .map(|e| format!("{} {}", e.method, e.path.split('/').nth(1).unwrap_or_default()))
            .collect()
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Holdings {
    connections: usize,
    marked: bool,
    profiles: usize,
    attached: bool,
    vp8: bool,
    orders: usize,
    numbers_on_connection: usize,
    credentials: usize,
}

/// One of each, wired together: what a finished setup leaves.
const ONE_OF_EACH: Holdings = Holdings {
    connections: 1,
    marked: true,
    profiles: 1,
    attached: true,
    vp8: true,
    orders: 1,
    numbers_on_connection: 1,
    credentials: 1,
};

/// The screen's text with digits taken out: the token's countdown ticks every second,
/// and must not pass for the effect of a key.
fn settled(screen: &str) -> String {
    screen.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// Waits until no request is in flight, and returns the screen.
fn idle(app: &mut Pty) -> String {
    app.wait_for("no request in flight", |screen| !in_flight(&screen.contents()))
}

/// Presses what a user who only presses Enter would (and `y` at the purchase question,
/// which Enter never answers), until the summary; at most `limit` keys. Returns how
/// many keys it pressed and whether it reached the summary.
fn press_on(app: &mut Pty, limit: usize) -> (usize, bool) {
    for pressed in 0..limit {
        let screen = idle(app);
        if screen.contains(SUMMARY) {
            return (pressed, true);
        }
        app.send(if screen.contains("[y/N]") { "y" } else { ENTER });
        let before = settled(&screen);
        app.wait_for("the key to take effect", |now| settled(&now.contents()) != before);
    }
    let screen = idle(app);
    (limit, screen.contains(SUMMARY))
}

fn drive_to_summary(app: &mut Pty) {
    let (pressed, done) = press_on(app, 40);
    assert!(done, "no summary after {pressed} keys:\n{}", app.contents());
}

/// The writes of the Enter-only path, in order, on an empty account.
const PATH: [&str; 5] = [
    "POST outbound_voice_profiles", // the profile, with its countries
    "POST credential_connections",  // the connection, on it, with its codecs (VP8 on)
    "POST number_orders",           // the number
    "POST telephony_credentials",   // the credential
    "POST telephony_credentials",   // the token (`/{id}/token`)
];

/// Presses keys as [`press_on`] does until `stop` holds; returns whether it did.
fn press_until(app: &mut Pty, stop: impl Fn() -> bool) -> bool {
    for _ in 0..40 {
        // The held write keeps a request in flight: waiting for idle would wait it out.
        let screen = app.wait_for("no request in flight", |now| !in_flight(&now.contents()) || stop());
        if stop() {
            return true;
        }
        if screen.contains(SUMMARY) {
            return false;
        }
        app.send(if screen.contains("[y/N]") { "y" } else { ENTER });
        let before = settled(&screen);
        app.wait_for("the key to take effect", |now| settled(&now.contents()) != before || stop());
    }
    stop()
}

/// A first run killed while the sandbox holds the answer of write number `write` of
/// [`PATH`] (which `rule` delays), then a second run to the end: one of each, and the
/// second run sends only the writes the first did not get to (and a fresh token).
fn crash_at(write: usize, rule: &str) {
    let account = Account::new(&[rule]);
    let mut first = account.wizard("rerun-first");
    let held = || account.sandbox.journal().iter().any(|e| e.fault.as_deref() == Some(rule));
    assert!(press_until(&mut first, held), "the fault {rule} never fired:\n{}", first.contents());
    first.kill_hard();
    let before = account.writes();
    assert_eq!(before, PATH[..=write], "the first run got as far as the held write");

    let mut second = account.wizard("rerun-second");
    drive_to_summary(&mut second);
    assert_eq!(account.holdings(), ONE_OF_EACH, "writes: {:?}", account.writes());
    let rest = &PATH[(write + 1).min(PATH.len() - 1)..];
    assert_eq!(account.writes()[before.len()..], *rest, "the second run's writes");
    assert!(account.token_logs_in(), "a token of the setup's credential logs in");
    // The lookups a continued setup makes (the order by its reference, the numbers a
    // connection has) keep the contract like the rest.
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

// A new connection is made on its profile, after it, with its codecs: there is no
// attach (PATCH) to be killed in any more.

#[test]
fn killed_while_creating_the_profile() {
    crash_at(0, "POST /outbound_voice_profiles=timeout:1");
}

/// After the profile was made and before the connection's create was answered.
#[test]
fn killed_while_creating_the_connection() {
    crash_at(1, "POST /credential_connections=timeout:1");
}

#[test]
fn killed_while_ordering_the_number() {
    crash_at(2, "POST /number_orders=timeout:1");
}

#[test]
fn killed_while_creating_the_credential() {
    crash_at(3, "POST /telephony_credentials=timeout:1");
}

#[test]
fn killed_while_making_the_token() {
    crash_at(4, "POST /telephony_credentials/*/token=timeout:1");
}

/// Enter on the order's screen goes on while Telnyx completes it: the summary lists
/// the number once the background checks see it done, and the account holds one of
/// each, the number on the connection.
#[test]
fn enter_goes_on_while_the_order_completes_and_the_summary_lists_its_number() {
    let account = Account::settling_after(&[], std::time::Duration::from_secs(2));
    let mut app = account.wizard("order-in-background");
    let ordered = || account.writes().iter().any(|w| w == "POST number_orders");
    assert!(press_until(&mut app, ordered), "no order was placed:\n{}", app.contents());
    app.wait_for_text(&["Press Enter to go on while Telnyx completes it", "Enter continue"]);
    app.send(ENTER);
    app.wait_for_text(&["Step 7 of 8: Credential"]);
    drive_to_summary(&mut app);
    let summary = app.wait_for("the number on the summary", |screen| {
        let text = screen.contents();
        !text.contains("completing the order")
            && text.lines().any(|l| l.contains("Numbers") && l.contains("+"))
    });
    assert!(summary.contains(SUMMARY), "{summary}");
    assert_eq!(account.holdings(), ONE_OF_EACH);
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

/// A second run after a finished one changes nothing and buys nothing; it makes a
/// fresh token.
#[test]
fn a_second_run_after_a_finished_one_makes_only_a_token() {
    let account = Account::new(&[]);
    let mut first = account.wizard("rerun-finished-first");
    drive_to_summary(&mut first);
    first.send(ENTER);
    first.expect_restored();
    assert_eq!(account.holdings(), ONE_OF_EACH);
    let writes_before = account.writes().len();
    // The journal names what was made, never a secret.
    let journal = std::fs::read_to_string(account.dir.path().join("setups.json")).expect("a journal");
    let (password, sip_password) = account.runtime.block_on(async {
        let api = account.api();
        let connections = api.list_credential_connections(PageRequest::first(1), None).await.unwrap().data;
        let filter = TelephonyCredentialFilter::default();
        let credentials = api.list_telephony_credentials(PageRequest::first(1), &filter).await.unwrap().data;
        (connections[0].password.expose().to_owned(), credentials[0].sip_password.expose().to_owned())
    });
    for secret in [KEY, &password, &sip_password] {
        assert!(!journal.contains(secret), "a secret in the journal:\n{journal}");
    }
    assert!(journal.contains("\"finished\": true"), "{journal}");

    let mut second = account.wizard("rerun-finished-second");
    second.send(ENTER);
    let prompt = second.wait_for_text(&["The setup finished at", "Enter continue"]);
    assert!(
        prompt.contains(": continue it (step 8 makes a") && prompt.contains("or start a new setup?"),
        "{prompt}"
    );
    drive_to_summary(&mut second);
    assert_eq!(account.holdings(), ONE_OF_EACH);
    let writes = account.writes();
    assert_eq!(writes[writes_before..], ["POST telephony_credentials"], "only the token: {writes:?}");
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

/// The first line of the screen: the header, which names the screen.
fn header(screen: &str) -> String {
    screen.lines().next().unwrap_or_default().to_owned()
}

/// The step a header names ("Step 4 of 8: …"), if it names one.
fn step_number(header: &str) -> Option<usize> {
    let rest = &header[header.find("Step ")? + "Step ".len()..];
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Where each screen begins, in keys from the start, from an uninterrupted run; `None`
/// when the run went more than one step on between two looks: a read answered in the
/// background changes the screen as a key would, so the next key can be sent before
/// the one before it was acted on, and a screen that sends nothing (step 2's form,
/// step 3 of a connection not made yet) is then passed unseen.
fn screen_starts() -> Option<Vec<usize>> {
    let account = Account::new(&[]);
    let mut app = account.wizard("rerun-count");
    let mut starts = vec![0];
    let mut last = header(&idle(&mut app));
    for pressed in 1..40 {
        press_on(&mut app, 1);
        let screen = idle(&mut app);
        if screen.contains(SUMMARY) {
            break;
        }
        let now = header(&screen);
        if now != last {
            if let (Some(before), Some(after)) = (step_number(&last), step_number(&now))
                && after > before + 1
            {
                return None;
            }
            starts.push(pressed);
            last = now;
        }
    }
    Some(starts)
}

/// Ctrl-C on each screen of the path (each form and question too), then a second run
/// to the end.
#[test]
fn quit_with_ctrl_c_on_each_screen_then_run_again() {
    let starts = (0..5)
        .find_map(|_| screen_starts())
        .expect("in each of five runs a step was passed between two looks at the screen");
    assert!(starts.len() >= 8, "one screen a step at least: {starts:?}");
    for stop in starts {
        let account = Account::new(&[]);
        let mut first = account.wizard("rerun-ctrl-c-first");
        // The keys a screen takes vary by one or two from run to run (an order that
        // settles, or a list read in the background, changes the screen as a key would),
        // so a run may already be on the summary: Ctrl-C there is a quit all the same.
        press_on(&mut first, stop);
        idle(&mut first);
        first.send(CTRL_C);
        first.expect_restored_with(130);
        let mut second = account.wizard("rerun-ctrl-c-second");
        drive_to_summary(&mut second);
        assert_eq!(account.holdings(), ONE_OF_EACH, "after Ctrl-C at key {stop}: {:?}", account.writes());
    }
}

/// Continuing a finished setup and quitting on step 7 (issue 20's review): the journal
/// still holds the finished setup, so `token` alone makes a token of its credential
/// and the next prompt offers the finished setup, not one "done up to Numbers".
#[test]
fn continuing_a_finished_setup_and_quitting_early_keeps_it() {
    let account = Account::new(&[]);
    let mut first = account.wizard("continue-quit-first");
    drive_to_summary(&mut first);
    first.send(ENTER);
    first.expect_restored();

    let mut second = account.wizard("continue-quit-second");
    second.send(ENTER);
    second.wait_for_text(&["The setup finished at", "Enter continue"]);
    let mut reached = false;
    for _ in 0..20 {
        let screen = idle(&mut second);
        if screen.contains("Step 7 of 8: Credential") {
            reached = true;
            break;
        }
        assert!(!screen.contains("[y/N]"), "a question while keeping everything:\n{screen}");
        second.send(ENTER);
        let before = settled(&screen);
        second.wait_for("the key to take effect", |now| settled(&now.contents()) != before);
    }
    assert!(reached, "step 7 with Enter only:\n{}", second.contents());
    second.send("q");
    second.expect_restored();

    let journal = std::fs::read_to_string(account.dir.path().join("setups.json")).expect("a journal");
    assert!(journal.contains("\"finished\": true"), "{journal}");
    let base = account.sandbox.base_url();
    let state = account.dir.path().to_str().expect("a UTF-8 temp path");
    let output = crate::support::run_bin(
        &["token", "--api-base", &base],
        [("TELNYX_API_KEY", KEY), ("TELNYX_SETUP_STATE_DIR", state)],
        None,
    );
    assert!(output.status.success(), "token alone: {}", String::from_utf8_lossy(&output.stderr));

    let mut third = account.wizard("continue-quit-third");
    third.send(ENTER);
    third.wait_for_text(&["The setup finished at", "Enter continue"]);
}

/// Continuing a setup whose profile another setup's connection uses too (issue 20's
/// review): adding a country on step 5, at 80 columns, the Enter line names that other
/// connection, as `setup`'s question does.
#[test]
fn a_countries_change_names_the_other_connection_on_the_profile_at_80_columns() {
    let account = Account::new(&[]);
    let base = account.sandbox.base_url();
    let other = TempDir::new("rerun-other-setup");
    for (connection, dir) in [("Lobby tablets", account.dir.path()), ("Kiosk tablets", other.path())] {
        let dir = dir.to_str().expect("a UTF-8 temp path");
        let args = [
            "setup",
            "--api-base",
            &base,
            "--yes",
            "--connection",
            connection,
            "--voice-profile",
            "Lobby outbound",
        ];
        let output =
            crate::support::run_bin(&args, [("TELNYX_API_KEY", KEY), ("TELNYX_SETUP_STATE_DIR", dir)], None);
        assert!(output.status.success(), "setup {connection}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let state = account.dir.path().to_str().expect("a UTF-8 temp path");
    let mut app = Pty::spawn_with_env(
        "countries-names-the-other",
        &["--api-base", &base],
        80,
        24,
        &[("TELNYX_API_KEY", KEY), ("TELNYX_SETUP_STATE_DIR", state)],
    );
    app.wait_for_text(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    app.wait_idle_with(&["The setup finished at", "Lobby tablets"]);
    for step in ["Step 2 of 8", "Step 3 of 8", "Step 4 of 8", "Step 5 of 8"] {
        app.send(ENTER);
        app.wait_idle_with(&[step]);
    }
    app.send(SPACE);
    let flat =
        |screen: &vt100::Screen| screen.contents().lines().map(str::trim).collect::<Vec<_>>().join(" ");
    let screen = app
        .wait_for("the Enter line of the change", |screen| flat(screen).contains("Enter: change countries"));
    let flat = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(flat.contains("also affects connection Kiosk tablets ("), "{screen}");
    app.send("q");
    app.expect_restored();
}
