//! `telnyx-setup setup`, without a terminal, against sandboxes: what `--yes` makes and
//! that a second run makes nothing; that `--dry-run` sends only GETs and its curl
//! commands, run in order, make the same setup; the refusal without `--yes`; faults;
//! the order follower (an assignment only where the order left one to do);
//! secrets only when asked; `token` afterwards; and the contract.

use crate::support::contract::Contract;
use crate::support::{BIN, TempDir, client, log_path};
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use telnyx_setup::api::{Client, PageRequest, PhoneNumberFilter, TelephonyCredentialFilter};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};

const KEY: &str = "KEYsetup";

struct Account {
    sandbox: Sandbox,
    api: Client,
    state: TempDir,
}

async fn account_with(seed: Seed) -> Account {
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    Account { sandbox, api, state: TempDir::new("setup-state") }
}

async fn account() -> Account {
    account_with(Seed { order_settles_after: Duration::ZERO, ..Seed::empty() }).await
}

/// What the account holds, as the API lists it.
#[derive(Debug, PartialEq)]
struct Held {
    connections: Vec<(String, Vec<String>, bool)>,
    profiles: Vec<(String, Vec<String>)>,
    credentials: Vec<(Option<String>, Option<String>)>,
    numbers: usize,
}

impl Account {
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(BIN);
        command
            .arg("setup")
            .args(["--api-base", &self.sandbox.base_url(), "--api-key", KEY])
            .args(args)
            .stdin(Stdio::null())
            .env_remove("TELNYX_API_KEY")
            .env("TELNYX_SETUP_STATE_DIR", self.state.path())
            .env("TELNYX_SETUP_LOG", log_path("setup"));
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
    }

    async fn report(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let output = self.run(&all).await;
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
    }

    async fn held(&self) -> Held {
        let first = PageRequest::first(250);
        let connections = self.api.list_credential_connections(first, None).await.unwrap().data;
        let profiles = self.api.list_outbound_voice_profiles(first, None).await.unwrap().data;
        let credentials = self
            .api
            .list_telephony_credentials(first, &TelephonyCredentialFilter::default())
            .await
            .unwrap()
            .data;
        let numbers = self.api.list_phone_numbers(first, &PhoneNumberFilter::default()).await.unwrap().data;
        let attached = |c: &telnyx_setup::api::CredentialConnection| {
            profiles.iter().any(|p| c.outbound.outbound_voice_profile_id.as_deref() == Some(p.id.as_str()))
        };
        Held {
            connections: connections
                .iter()
                .map(|c| (c.connection_name.clone(), c.inbound.codecs.clone(), attached(c)))
                .collect(),
            profiles: profiles.iter().map(|p| (p.name.clone(), p.whitelisted_destinations.clone())).collect(),
            credentials: credentials.iter().map(|c| (c.name.clone(), c.tag.clone())).collect(),
            numbers: numbers.len(),
        }
    }
}

fn actions(report: &Value) -> Vec<(String, String)> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_owned(), s["action"].as_str().unwrap().to_owned()))
        .collect()
}

/// What the report says the run did for `step`.
fn action_of<'a>(report: &'a Value, step: &str) -> &'a Value {
    let steps = report["steps"].as_array().expect("steps");
    &steps.iter().find(|s| s["step"] == step).unwrap_or_else(|| panic!("no step {step}: {report:#}"))["action"]
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yes_twice_makes_each_resource_once() {
    let account = account().await;
    let args = ["--yes", "--countries", "US,IE", "--buy-numbers", "1"];
    let first = account.report(&args).await;
    let made = actions(&first);
    for (step, action) in &made {
        let expected = match step.as_str() {
            // A new connection is made on the profile (made first, with its countries),
            // with its codecs.
            "codecs" | "attach" | "countries" => "nothing to change",
            "numbers" => "buy",
            _ => "create",
        };
        assert_eq!(action, expected, "{step}: {first:#}");
    }
    let held = account.held().await;
    assert_eq!(held.connections.len(), 1, "{held:?}");
    assert!(held.connections[0].1.contains(&"VP8".to_owned()) && held.connections[0].2, "{held:?}");
    assert_eq!(held.profiles, vec![("WebRTC outbound".to_owned(), vec!["US".to_owned(), "IE".to_owned()])]);
    assert_eq!(held.credentials.len(), 1);
    assert_eq!(held.credentials[0].1.as_deref(), Some("telnyx-setup"));
    assert_eq!(held.numbers, 1);
    let expires = first["token"]["expires_at"].as_str().expect("the token's expiry");
    assert!(expires.ends_with('Z'), "{expires}");

    let second = account.report(&args).await;
    for (step, action) in actions(&second) {
        let expected = match step.as_str() {
            "connection" | "profile" | "credential" => "reuse",
            "token" => "create",
            _ => "nothing to change",
        };
        assert_eq!(action, expected, "{step}: {second:#}");
    }
    assert_eq!(account.held().await, held, "the second run made nothing new");
    assert_eq!(second["connection"]["id"], first["connection"]["id"]);
    assert_eq!(second["credential"]["id"], first["credential"]["id"]);
    let orders = account.api.list_number_orders(PageRequest::first(250), None).await.unwrap().data;
    assert_eq!(orders.len(), 1, "one order: {orders:?}");

    // `token` with no flag then uses the credential this setup made.
    let mut command = Command::new(BIN);
    command
        .args(["token", "--api-base", &account.sandbox.base_url(), "--api-key", KEY, "--json"])
        .env("TELNYX_SETUP_STATE_DIR", account.state.path())
        .env("TELNYX_SETUP_LOG", log_path("setup-token"));
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let token: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(token["credential_id"], first["credential"]["id"]);

    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_nothing_and_its_curl_makes_the_same_setup() {
    let planned = account().await;
    let plan = planned.report(&["--dry-run", "--countries", "US,IE"]).await;
    assert!(planned.sandbox.journal().iter().all(|e| e.method == "GET"), "a dry run sends only GETs");
    assert_eq!(planned.held().await.connections.len(), 0);

    // The plan's commands, in order, on the same (still empty) account, each
    // variable set from the answer of the step that names it.
    let mut vars: HashMap<String, String> =
        HashMap::from([("SIP_PASSWORD".to_owned(), "Sip-pass-1234567890".to_owned())]);
    for step in plan["steps"].as_array().unwrap() {
        let mut last = String::new();
        for command in step["curl"].as_array().unwrap() {
            let command = command.as_str().unwrap().to_owned();
            let env = vars.clone();
            let output = tokio::task::spawn_blocking(move || {
                Command::new("sh")
                    .arg("-c")
                    .arg(&command)
                    .env("TELNYX_API_KEY", KEY)
                    .envs(env)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            assert!(output.status.success(), "{step:#}: {}", stderr(&output));
            last = String::from_utf8(output.stdout).unwrap();
        }
        if let Some(name) = step["sets"].as_str() {
            let answer: Value = serde_json::from_str(&last).unwrap();
            vars.insert(name.to_owned(), answer["data"]["id"].as_str().unwrap().to_owned());
        }
    }
    let by_curl = planned.held().await;

    let direct = account().await;
    direct.report(&["--yes", "--countries", "US,IE"]).await;
    assert_eq!(by_curl, direct.held().await, "the curl commands made what --yes makes");
    Contract::load().check_all(&planned.sandbox.journal()).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_yes_or_a_terminal_nothing_changes() {
    let account = account().await;
    let output = account.run(&[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("pass --yes"), "{}", stderr(&output));
    assert!(account.sandbox.journal().iter().all(|e| e.method == "GET"));
    // Buying needs --yes even where the rest would not.
    let output = account.run(&["--buy-numbers", "1"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("buying numbers needs --yes"), "{}", stderr(&output));
    assert!(account.sandbox.journal().iter().all(|e| e.method == "GET"));
}

/// `--countries` takes what the wizard takes: codes in any case, names, and the names
/// people use (UK is GB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn countries_take_the_wizards_names() {
    let account = account().await;
    account.report(&["--yes", "--countries", "us,UK,Ireland"]).await;
    let held = account.held().await;
    let countries = ["US", "GB", "IE"].map(String::from).to_vec();
    assert_eq!(held.profiles, vec![("WebRTC outbound".to_owned(), countries)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_and_unknown_names_say_what_was_expected() {
    let account = account().await;
    for (args, says) in [
        (&["--codecs", "OPUS,XYZ", "--yes"][..], "unknown codec \"XYZ\""),
        (&["--countries", "US,Narnia", "--yes"], "“Narnia” is not a country"),
        (&["--countries", "US,Grmany", "--yes"], "could be Germany (DE)"),
        (&["--countries", "congo", "--yes"], "could be Congo (CG), Congo (Democratic Republic of the) (CD)"),
        (&["--buy-numbers", "two"], "expected a whole number"),
    ] {
        let output = account.run(args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(says), "{args:?}: {}", stderr(&output));
    }
    assert!(account.sandbox.journal().iter().all(|e| e.method == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_leave_a_clear_message_and_no_duplicates() {
    // The profile's create times out (it happens, the answer is lost), and the
    // connection's create fails: the run stops with the reason.
    let faults =
        FaultPlan::parse(["POST /outbound_voice_profiles=timeout:1", "POST /credential_connections=500:1"])
            .unwrap();
    let account = account_with(Seed { faults, ..Seed::empty() }).await;
    let output = account.run(&["--yes", "--timeout", "1s"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("500"), "{}", stderr(&output));
    // Again, without the faults: it finishes, with the first run's profile.
    let report = account.report(&["--yes"]).await;
    assert_eq!(action_of(&report, "profile"), "reuse", "{report:#}");
    let held = account.held().await;
    assert_eq!((held.connections.len(), held.profiles.len(), held.credentials.len()), (1, 1, 1), "{held:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_appear_only_when_asked() {
    let account = account().await;
    let output = account.run(&["--yes"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let first = PageRequest::first(250);
    let connection = &account.api.list_credential_connections(first, None).await.unwrap().data[0];
    let credential_id = account
        .api
        .list_telephony_credentials(first, &TelephonyCredentialFilter::default())
        .await
        .unwrap()
        .data[0]
        .id
        .clone();
    let credential = account.api.telephony_credential(&credential_id).await.unwrap();
    let mut kept = String::new();
    for entry in std::fs::read_dir(account.state.path()).unwrap() {
        kept.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    for secret in [connection.password.expose(), credential.sip_password.expose()] {
        assert!(!secret.is_empty());
        for (what, text) in [
            ("stdout", String::from_utf8_lossy(&output.stdout).into_owned()),
            ("stderr", stderr(&output)),
            ("state", kept.clone()),
        ] {
            assert!(!text.contains(secret), "{what} holds a secret: {text}");
        }
    }
    assert!(!String::from_utf8_lossy(&output.stdout).contains("eyJ"), "no token without --print-secrets");
    let shown = account.report(&["--yes", "--print-secrets"]).await;
    assert_eq!(shown["credential"]["sip_password"], credential.sip_password.expose());
    assert!(shown["token"]["token"].as_str().is_some_and(|t| t.starts_with("eyJ")));
}

/// With a terminal and without `--yes`, the plan is shown and asked about once: `n`
/// changes nothing, `y` makes the setup.
#[cfg(unix)]
#[test]
fn on_a_terminal_it_asks_once() {
    use crate::support::pty::{Pty, start_sandbox};
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let base = sandbox.base_url();
    let args = ["setup", "--api-base", base.as_str(), "--api-key", KEY];
    let mut declined = Pty::spawn("setup-no", &args, 100, 30);
    let asked = declined.wait_for_text(&[
        "The setup will:",
        "profile: create",
        "connection: create",
        "Go ahead? [y/N]",
    ]);
    // A step a line, not the question's newlines escaped into one line.
    let lines: Vec<&str> = asked.lines().map(str::trim_end).collect();
    assert!(lines.contains(&"The setup will:"), "{asked}");
    assert!(lines.iter().any(|l| l.starts_with("  profile: create")), "{asked}");
    assert!(!asked.contains("\\n"), "{asked}");
    declined.send("n\r");
    declined.wait_for_text(&["nothing was changed (the answer was not y)"]);
    assert!(sandbox.journal().iter().all(|e| e.method == "GET"), "n changed nothing");

    let mut accepted = Pty::spawn("setup-yes", &args, 100, 30);
    accepted.wait_for_text(&["Go ahead? [y/N]"]);
    accepted.send("y\r");
    accepted.wait_for_text(&["Login token: expires"]);
    let api = client(&base, KEY);
    let connections =
        runtime.block_on(api.list_credential_connections(PageRequest::first(250), None)).unwrap().data;
    assert_eq!(connections.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_records_are_found_by_id_or_name_and_unknown_ids_are_refused() {
    use crate::support::new_connection;
    let account = account().await;
    let mine = account.api.create_credential_connection(&new_connection("Desk", "desk0001")).await.unwrap();
    let report = account.report(&["--yes", "--connection", &mine.id]).await;
    assert_eq!(action_of(&report, "connection"), "reuse");
    assert_eq!(report["connection"]["id"], mine.id.as_str());
    // Two with one name: the one telnyx-setup made (its tag) is the one meant.
    let mut marked = new_connection("Desk", "desk0002");
    marked.tags = vec![telnyx_setup::api::MARK.to_owned()];
    let marked = account.api.create_credential_connection(&marked).await.unwrap();
    let report = account.report(&["--yes", "--connection", "Desk"]).await;
    assert_eq!(report["connection"]["id"], marked.id.as_str(), "{report:#}");
    // Two unmarked with one name: refused, with their ids.
    account.api.create_credential_connection(&new_connection("Lobby", "lobby001")).await.unwrap();
    account.api.create_credential_connection(&new_connection("Lobby", "lobby002")).await.unwrap();
    let output = account.run(&["--yes", "--connection", "Lobby"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("2 credential connections have this name"), "{}", stderr(&output));
    // An id that names nothing is not a name to create something with.
    let before = account.held().await;
    let writes = || account.sandbox.journal().iter().filter(|e| e.method != "GET").count();
    let written = writes();
    for args in [
        &["--yes", "--connection", "1293384261075731999"][..],
        &["--yes", "--connection", "Desk", "--credential", "00000000-0000-4000-8000-000000000000"],
    ] {
        let output = account.run(args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("has this id"), "{args:?}: {}", stderr(&output));
    }
    assert_eq!(account.held().await, before);
    assert_eq!(writes(), written, "refused before any write");
    // Even when earlier steps had something to change.
    let output = account
        .run(&[
            "--yes",
            "--connection",
            "Desk",
            "--codecs",
            "OPUS",
            "--credential",
            "00000000-0000-4000-8000-000000000000",
        ])
        .await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(writes(), written, "the codecs were not changed either");
}

/// Under `--yes` the plan's lookups stand for the apply's: each is read once, and the
/// writes follow (on an empty account: the profile, the connection, the credential,
/// its token).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yes_reads_each_lookup_once() {
    let account = account().await;
    account.report(&["--yes"]).await;
    let mut reads: Vec<String> =
        account.sandbox.journal().iter().filter(|e| e.method == "GET").map(|e| e.path.clone()).collect();
    let all = reads.len();
    reads.sort();
    reads.dedup();
    assert_eq!(all, reads.len(), "a lookup was read twice: {:?}", account.sandbox.journal());
    let writes = account.sandbox.journal().iter().filter(|e| e.method != "GET").count();
    assert_eq!(writes, 4, "{:?}", account.sandbox.journal());
}

/// Issue 20, case 4: a choice left out keeps what the connection has (its profile, its
/// newest credential that has not expired, its codecs plus VP8), as the wizard does,
/// rather than the defaults a new setup would take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_choice_left_out_keeps_what_the_connection_has() {
    let account = account().await;
    let lobby = [
        "--connection",
        "Lobby tablets",
        "--voice-profile",
        "Lobby outbound",
        "--credential",
        "Lobby tablet",
    ];
    let mut first_args = vec!["--yes"];
    first_args.extend_from_slice(&lobby);
    let first = account.report(&first_args).await;
    // Another setup with the default names, so the default profile exists as well.
    account.report(&["--yes"]).await;
    let held = account.held().await;

    let plan = account.report(&["--dry-run", "--connection", "Lobby tablets", "--countries", "US,FR"]).await;
    assert_eq!(plan["connection"]["id"], first["connection"]["id"], "{plan:#}");
    assert_eq!(action_of(&plan, "profile"), "reuse", "{plan:#}");
    assert_eq!(plan["profile"]["id"], first["profile"]["id"], "its own profile, not the default: {plan:#}");
    assert_eq!(action_of(&plan, "attach"), "nothing to change", "no move: {plan:#}");
    assert_eq!(action_of(&plan, "credential"), "reuse", "{plan:#}");
    assert_eq!(plan["credential"]["id"], first["credential"]["id"], "its own credential: {plan:#}");
    assert_eq!(action_of(&plan, "codecs"), "nothing to change", "{plan:#}");

    // Applied, it changes the countries and nothing else.
    let done = account.report(&["--yes", "--connection", "Lobby tablets", "--countries", "US,FR"]).await;
    assert_eq!(done["credential"]["id"], first["credential"]["id"], "{done:#}");
    let after = account.held().await;
    assert_eq!(after.connections, held.connections, "no connection made or moved");
    assert_eq!(after.credentials, held.credentials, "no credential made");
    let lobby_outbound = after.profiles.iter().find(|p| p.0 == "Lobby outbound").expect("the profile");
    let mut countries = lobby_outbound.1.clone();
    countries.sort();
    assert_eq!(countries, ["FR", "US"], "{after:?}");
}

/// Issue 20: the plan says what else a step affects. A second connection on the
/// profile whose countries change is named, and so is the number on a connection
/// that moves to another profile; the `[y/N]`-free dry run sends only GETs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_says_what_else_each_change_affects() {
    let account = account().await;
    let lobby = ["--connection", "Lobby tablets", "--voice-profile", "Lobby outbound", "--buy-numbers", "1"];
    let mut args = vec!["--yes"];
    args.extend_from_slice(&lobby);
    account.report(&args).await;
    account.report(&["--yes", "--connection", "Kiosk", "--voice-profile", "Lobby outbound"]).await;
    let writes = || account.sandbox.journal().iter().filter(|e| e.method != "GET").count();
    let written = writes();

    let plan = account.report(&["--dry-run", "--connection", "Lobby tablets", "--countries", "US,FR"]).await;
    let countries = plan["steps"].as_array().unwrap().iter().find(|s| s["step"] == "countries").unwrap();
    assert_eq!(countries["action"], "change", "{plan:#}");
    assert_eq!(countries["before"], "US, CA");
    assert_eq!(countries["after"], "US, FR");
    let affects = countries["affects"].as_array().unwrap();
    assert!(affects.len() == 1 && affects[0].as_str().unwrap().contains("Kiosk"), "{plan:#}");

    let output = account
        .run(&["--dry-run", "--connection", "Lobby tablets", "--voice-profile", "Other outbound"])
        .await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("attach: move — the connection from profile Lobby outbound ("), "{text}");
    assert!(text.contains(") to profile Other outbound ("), "{text}");
    assert!(
        text.contains("#    before: Lobby outbound (") && text.contains("; after: Other outbound ("),
        "{text}"
    );
    assert!(text.contains("#    also affects the number +1"), "{text}");
    assert_eq!(writes(), written, "dry runs change nothing");
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

/// `setup --yes` keeps the setup journal as the wizard does: the intent of a write is
/// on disk before it is sent, so a run that stops there is found again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_holds_the_intent_of_the_write_that_failed() {
    let faults = FaultPlan::parse(["POST /telephony_credentials=500:1"]).unwrap();
    let account = account_with(Seed { faults, ..Seed::empty() }).await;
    let output = account.run(&["--yes"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let loaded = telnyx_setup::journal::load(&account.state.path().join("setups.json"));
    let record = loaded.accounts.values().next().expect("a record");
    assert!(record.connection.is_some() && record.profile.is_some(), "{record:?}");
    assert!(record.codecs_saved && record.countries_saved && !record.finished, "{record:?}");
    assert!(
        matches!(&record.pending, Some(telnyx_setup::journal::Intent::CreateCredential { name: Some(name) })
            if name == "WebRTC login for WebRTC (telnyx-setup)"),
        "{record:?}"
    );
    // Again: it finishes, with the same connection, and the record says so.
    let report = account.report(&["--yes"]).await;
    assert_eq!(action_of(&report, "connection"), "reuse", "{report:#}");
    let loaded = telnyx_setup::journal::load(&account.state.path().join("setups.json"));
    let record = loaded.accounts.values().next().expect("a record");
    assert!(record.finished && record.pending.is_none() && record.credential.is_some(), "{record:?}");
}

/// `setup`'s order follower (`setup::follow_order`) executes what the one follower
/// says: checks until the order completes, then an assignment only where the order
/// does not carry the connection (a write it names before sending, for the journal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_follower_assigns_only_what_the_order_did_not_put_on_the_connection() {
    use telnyx_setup::api::{NewNumberOrder, NumberSearch, OrderedNumberRequest};
    use telnyx_setup::msg::Request;
    use telnyx_setup::setup::{Ended, OrderFollower, follow_order};
    let account = account().await;
    let api = &account.api;
    let connection = api
        .create_credential_connection(&crate::support::new_connection("Follow", "follow01"))
        .await
        .unwrap()
        .id;
    for carries_connection in [true, false] {
        let search = NumberSearch { country_code: "US".into(), limit: 1, ..Default::default() };
        let number = api.search_available_numbers(&search).await.unwrap()[0].phone_number.clone();
        let order = api
            .create_number_order(&NewNumberOrder {
                phone_numbers: vec![OrderedNumberRequest { phone_number: number.clone() }],
                connection_id: carries_connection.then(|| connection.clone()),
                customer_reference: None,
            })
            .await
            .unwrap();
        assert_eq!(order.status, "pending");
        let mut writes = Vec::new();
        let mut follower = OrderFollower::new(&connection, "Follow");
        let (order, ended) =
            follow_order(api, order, &mut follower, &mut |write: &Request| writes.push(write.clone()))
                .await
                .unwrap();
        assert_eq!(order.status, "success");
        assert!(follower.polls() >= 1, "a pending order is checked");
        let Ended::Done(numbers) = ended else { panic!("{ended:?}") };
        let done: Vec<(&str, Option<&str>)> =
            numbers.iter().map(|n| (n.phone_number.as_str(), n.connection_id.as_deref())).collect();
        assert_eq!(done, [(number.as_str(), Some(connection.as_str()))]);
        let assign =
            Request::AssignNumbers { connection_id: connection.clone(), phone_numbers: vec![number.clone()] };
        let expected = if carries_connection { Vec::new() } else { vec![assign] };
        assert_eq!(writes, expected, "carries the connection: {carries_connection}");
        let filter = PhoneNumberFilter { connection_id: Some(connection.clone()), phone_number: None };
        let on = api.list_phone_numbers(PageRequest::first(250), &filter).await.unwrap().data;
        assert!(on.iter().any(|n| n.phone_number == number), "{on:?}");
    }
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}

/// A setup that reuses what an earlier one made names the profile and the credential
/// with their ids, in its summary and in the journal (which the wizard's "continue?"
/// prompt reads), as it names the connection: not by the id alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_profile_is_named_in_the_summary_and_the_journal() {
    let account = account().await;
    for run in ["made", "reused"] {
        let output = account.run(&["--yes"]).await;
        assert_eq!(output.status.code(), Some(0), "{run}: {}", stderr(&output));
        let summary = String::from_utf8_lossy(&output.stdout);
        let loaded = telnyx_setup::journal::load(&account.state.path().join("setups.json"));
        let record = loaded.accounts.values().next().expect("a record");
        let profile = record.profile.as_ref().expect("the profile");
        assert_eq!(profile.name, "WebRTC outbound", "{run}: {record:?}");
        let credential = record.credential.as_ref().expect("the credential");
        assert_eq!(credential.name, "WebRTC login for WebRTC (telnyx-setup)", "{run}: {record:?}");
        let line = format!("Profile:    WebRTC outbound ({})", profile.id);
        assert!(summary.lines().any(|l| l == line), "{run}: no {line:?} in\n{summary}");
    }
}

/// The dry run's header names `SIP_PASSWORD` only when a command uses it: for a new
/// connection whose password is not printed, not for a plan that reuses one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_run_asks_for_sip_password_only_when_it_makes_a_connection() {
    let account = account().await;
    let header = |output: &Output| {
        assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let header: Vec<String> = text.lines().take(2).map(str::to_owned).collect();
        (header.join("\n"), text)
    };
    let (new, text) = header(&account.run(&["--dry-run"]).await);
    assert!(text.contains("${SIP_PASSWORD}"), "{text}");
    assert!(new.contains("SIP_PASSWORD for the new connection"), "{new}");
    let (revealed, text) = header(&account.run(&["--dry-run", "--print-secrets"]).await);
    assert!(!text.contains("SIP_PASSWORD"), "the password is in the command: {text}");
    assert!(revealed.ends_with("# Set TELNYX_API_KEY to run these in order."), "{revealed}");

    let made = account.run(&["--yes"]).await;
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let (reused, text) = header(&account.run(&["--dry-run", "--countries", "US,IE"]).await);
    assert!(!text.contains("SIP_PASSWORD"), "no connection is made: {text}");
    assert!(reused.ends_with("# Set TELNYX_API_KEY to run these in order."), "{reused}");
}

/// A fresh `setup --yes` passes the doctor: the connection it makes takes calls to its
/// token logins' SIP URIs (`sip_uri_calling_preference: internal`, where Telnyx's
/// default `disabled` made the doctor WARN `sip_uri` right after setting up), and
/// nothing but the registration (no client logged in yet) and push (a mobile app's own
/// credential) is short of a PASS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_setup_passes_the_doctor() {
    let account = account().await;
    let setup = account.report(&["--yes", "--buy-numbers", "1"]).await;
    let connection = setup["connection"]["id"].as_str().expect("the connection's id").to_owned();
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--api-base", &account.sandbox.base_url(), "--api-key", KEY, "--json"])
        .args(["--connection", &connection])
        .env_remove("TELNYX_API_KEY")
        .env("TELNYX_SETUP_STATE_DIR", account.state.path())
        .env("TELNYX_SETUP_LOG", log_path("setup-doctor"));
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&output.stdout), stderr(&output)));
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    let checks = report["checks"].as_array().expect("checks");
    assert!(checks.iter().any(|c| c["id"] == "sip_uri"), "the check is made: {report:#}");
    for check in checks {
        // Left to the user: no client has logged in yet, and a push credential is their
        // app's (its certificate or FCM key), which no setup can make.
        let expected =
            if ["registration", "push"].contains(&check["id"].as_str().unwrap()) { "warn" } else { "pass" };
        assert_eq!(check["verdict"], expected, "{check:#}");
    }
    Contract::load().check_all(&account.sandbox.journal()).assert_clean();
}
