//! Proof that the inspector is read-only: its state machine and the real worker,
//! dispatched as the loop does, against a sandbox with a few hundred numbers, a number
//! order and a telephony credential, so every tab has records and every relation has a
//! target.
//!
//! The test presses every key the inspector knows on all six tabs: Tab and Shift-Tab and
//! the digits, the movement keys (End and PageDown page the numbers in), `/` with a
//! filter (typed and pasted, applied, cancelled and cleared, and a refused 2-digit
//! number filter), Enter into the details and every relation followed two levels deep
//! (each walked back with Esc), the doctor, `J`, `y`, `r`, `?`, an Esc that cancels a
//! load, Esc at the top (which quits), and `q`. The screen is rendered after every
//! key, as the loop would.
//!
//! Then, from the sandbox's journal: every exchange after the setup is a GET, or the
//! doctor's `POST /credential_connections/{id}/actions/check_registration_status`, and
//! the walk did reach every collection, filter, relation and the doctor. The account read
//! back through the API afterwards is the account read before.

use crate::support;
use crate::support::{api_base, client};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use telnyx_setup::api::{
    self, Client, NewNumberOrder, NewTelephonyCredential, NumberSearch, OrderedNumberRequest, PageRequest,
};
use telnyx_setup::app::{Effects, Flow, dispatch};
use telnyx_setup::clipboard::{CopyMethod, Recording};
use telnyx_setup::msg::Msg;
use telnyx_setup::sandbox::{Exchange, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{InspectorStep, KeySource, Mode, Problem, Start, State, Step, Tab};
use telnyx_setup::worker;

/// Numbers the account owns from the start: four pages of the inspector's 250, so End
/// reads the last three at once.
const SEEDED_NUMBERS: usize = 850;
/// How long one request may take before the test gives up.
const REPLY_DEADLINE: Duration = Duration::from_secs(60);

/// The inspector as the loop runs it: update(), the real worker, a recording clipboard.
struct Inspector {
    state: State,
    effects: Effects,
    clipboard: Recording,
    /// Every key pressed so far, for failure messages.
    keys: Vec<String>,
}

impl Inspector {
    fn new(sandbox: &Sandbox) -> Self {
        let base = api_base(&sandbox.base_url());
        let clipboard = Recording::answering(Ok(CopyMethod::Osc52));
        let state = State::new(Start {
            key: Some(Secret::from("KEYinspect")),
            key_source: KeySource::Flag,
            seed: 1,
            color: false,
            now: support::state::now(),
            utc_offset: time::UtcOffset::UTC,
            mode: Mode::Inspector,
            api: telnyx_setup::state::ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
        });
        Self {
            state,
            effects: Effects {
                worker: worker::spawn(base, api::http_client()),
                clipboard: Box::new(clipboard.clone()),
            },
            clipboard,
            keys: Vec::new(),
        }
    }

    /// Dispatches `msg` without waiting for what it asks of the API.
    fn send(&mut self, msg: Msg) -> Flow {
        self.keys.push(match &msg {
            Msg::Key(key) => format!("{:?}", key.code),
            other => format!("{other:?}"),
        });
        let flow = dispatch(&mut self.state, &mut self.effects, msg);
        // Drawn after every message, as the loop draws: a panic in view() fails here.
        self.screen();
        flow
    }

    /// Feeds the worker's answers back until nothing is in flight.
    async fn settle(&mut self) {
        while self.state.busy() {
            let reply = tokio::time::timeout(REPLY_DEADLINE, self.effects.worker.replies.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "no answer within {REPLY_DEADLINE:?}; keys so far: {:?}\n{}",
                        self.keys,
                        self.screen()
                    )
                })
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, reply);
            self.screen();
        }
    }

    async fn press(&mut self, code: KeyCode) -> Flow {
        self.key(KeyEvent::new(code, KeyModifiers::NONE)).await
    }

    async fn key(&mut self, key: KeyEvent) -> Flow {
        let flow = self.send(Msg::Key(key));
        self.settle().await;
        flow
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c)).await;
        }
    }

    fn step(&self) -> &InspectorStep {
        match &self.state.step {
            Step::Inspect(step) => step,
            other => panic!(
                "expected the inspector, on {other:?}\nkeys so far: {:?}\n{}",
                self.keys,
                self.screen()
            ),
        }
    }

    /// No problem on screen (a failed request would be one).
    fn expect_no_problem(&self, doing: &str) {
        let problem = &self.state.step.activity().problem;
        assert!(problem.is_none(), "{doing}: {problem:?}\nkeys so far: {:?}\n{}", self.keys, self.screen());
    }

    fn screen(&self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(110, 30)).expect("a test terminal");
        terminal.draw(|frame| telnyx_setup::ui::view(&self.state, frame)).expect("draw");
        terminal.backend().to_string()
    }

    /// Moves, pages, toggles, copies, reloads, opens the details and follows every
    /// relation of the highlighted record; at `depth` 0 also filters, and each relation
    /// followed gets the same tour at depth 1 (which follows relations without going
    /// deeper).
    async fn tour(&mut self, depth: usize) {
        let tab = self.step().listing.tab;
        let trail = self.step().trail.len();
        let doing = format!("touring {tab:?} at depth {depth}");
        self.expect_no_problem(&doing);

        for code in [
            KeyCode::Down,
            KeyCode::Char('j'),
            KeyCode::PageDown,
            KeyCode::End,
            KeyCode::End,
            KeyCode::End,
            KeyCode::End,
            KeyCode::PageUp,
            KeyCode::Up,
            KeyCode::Char('k'),
            KeyCode::Home,
        ] {
            self.press(code).await;
        }
        self.expect_no_problem(&doing);
        let listing = &self.step().listing;
        if tab != Tab::Balance {
            assert!(
                listing.next_page.is_none() && listing.records().len() as u64 == listing.total,
                "End four times should have loaded all of {tab:?} ({} of {}, next page {:?})\n{}",
                listing.records().len(),
                listing.total,
                listing.next_page,
                self.screen()
            );
        }
        if tab == Tab::Numbers && listing.scope.is_none() {
            assert!(
                listing.records().len() > SEEDED_NUMBERS,
                "all the numbers should be loaded\n{}",
                self.screen()
            );
        }

        // The balance tab has no records, so no raw JSON to show.
        if tab != Tab::Balance {
            self.press(KeyCode::Char('J')).await;
            assert!(self.step().raw, "J should show the raw JSON\n{}", self.screen());
            self.press(KeyCode::Char('J')).await;
            assert!(!self.step().raw, "J again should show the fields\n{}", self.screen());
        }
        self.press(KeyCode::Char('y')).await;
        self.press(KeyCode::Char('R')).await;
        self.expect_no_problem(&doing);

        if self.step().listing.highlighted().is_some() {
            self.press(KeyCode::Enter).await;
            assert!(self.step().in_detail, "Enter should focus the details\n{}", self.screen());
            for code in [KeyCode::Char('J'), KeyCode::Down, KeyCode::Up, KeyCode::Char('J')] {
                self.press(code).await;
            }
            self.press(KeyCode::Left).await;
            assert!(!self.step().in_detail, "Left should return to the list\n{}", self.screen());
        }

        let relations = self.step().relations();
        for (index, relation) in relations.iter().enumerate() {
            self.press(KeyCode::Enter).await;
            for _ in 0..index {
                self.press(KeyCode::Down).await;
            }
            assert_eq!(self.step().relation_cursor, index, "the cursor should be on {:?}", relation.label);
            self.press(KeyCode::Enter).await;
            let following = format!("{doing}, following {:?}", relation.label);
            self.expect_no_problem(&following);
            if self.step().doctor.is_some() {
                let report = self.step().doctor.as_ref().expect("checked");
                assert!(
                    report.checks.iter().any(|c| c.id == "connection"),
                    "{following}: the report should check the connection: {report:?}"
                );
                self.press(KeyCode::Char('x')).await;
                assert!(self.step().doctor.is_none(), "{following}: any key should close the report");
                self.press(KeyCode::Esc).await;
                continue;
            }
            assert_eq!(self.step().trail.len(), trail + 1, "{following}: the listing left should be kept");
            assert!(self.step().listing.scope.is_some(), "{following}: the listing should be scoped");
            if depth == 0 {
                Box::pin(self.tour(depth + 1)).await;
            } else if self.step().listing.highlighted().is_some() {
                self.press(KeyCode::Enter).await;
                self.press(KeyCode::Char('J')).await;
                self.press(KeyCode::Esc).await;
                self.press(KeyCode::Char('J')).await;
                self.press(KeyCode::Char('y')).await;
            }
            self.press(KeyCode::Esc).await;
            assert_eq!(self.step().trail.len(), trail, "{following}: Esc should walk back");
            assert_eq!(self.step().listing.tab, tab, "{following}: Esc should return to {tab:?}");
        }

        if depth == 0 && tab != Tab::Balance {
            self.filter(tab).await;
        }
    }

    /// Opens the filter prompt and cancels it, applies a filter (the first tab's pasted,
    /// the others' typed), clears it with Esc; on the numbers tab a 2-digit filter is
    /// refused before anything is sent.
    async fn filter(&mut self, tab: Tab) {
        self.press(KeyCode::Char('/')).await;
        assert!(self.step().filter_input.is_some(), "/ should open the filter prompt\n{}", self.screen());
        self.press(KeyCode::Esc).await;
        assert!(self.step().filter_input.is_none(), "Esc should close the prompt\n{}", self.screen());

        let text = match tab {
            Tab::Connections | Tab::Profiles => "office",
            Tab::Numbers => "0012",
            Tab::Orders => "success",
            Tab::Credentials => "inspector",
            Tab::Balance => unreachable!("the balance has no filter"),
        };
        self.press(KeyCode::Char('/')).await;
        if tab == Tab::Connections {
            self.send(Msg::Paste(text.to_owned()));
        } else {
            self.type_text(text).await;
        }
        self.press(KeyCode::Enter).await;
        self.expect_no_problem(&format!("filtering {tab:?} by {text:?}"));
        let listing = &self.step().listing;
        assert_eq!(listing.filter, text, "the filter should be applied\n{}", self.screen());
        assert!(!listing.visible().is_empty(), "{text:?} should match some of {tab:?}\n{}", self.screen());
        self.press(KeyCode::Down).await;
        self.press(KeyCode::End).await;
        self.press(KeyCode::Esc).await;
        assert!(self.step().listing.filter.is_empty(), "Esc should clear the filter\n{}", self.screen());

        if tab == Tab::Numbers {
            self.press(KeyCode::Char('/')).await;
            self.type_text("12").await;
            self.press(KeyCode::Enter).await;
            assert!(
                matches!(self.state.step.activity().problem, Some(Problem::Input(_))),
                "a 2-digit number filter should be refused\n{}",
                self.screen()
            );
        }
    }
}

/// Every record of every collection the inspector shows, and the balance, read through
/// the API page by page.
async fn account(api: &Client) -> BTreeMap<&'static str, Vec<Value>> {
    let mut account = BTreeMap::new();
    for tab in Tab::ALL.into_iter().filter(|&tab| tab != Tab::Balance) {
        let mut records = Vec::new();
        for number in 1.. {
            let page = api
                .list_raw(tab.collection(), PageRequest { number: Some(number), size: Some(250) }, &[])
                .await
                .unwrap_or_else(|e| panic!("read page {number} of {}: {e}", tab.collection()));
            records.extend(page.data);
            if number >= page.meta.total_pages {
                break;
            }
        }
        account.insert(tab.collection(), records);
    }
    let balance = api.balance().await.expect("read the balance");
    account.insert("balance", vec![serde_json::to_value(format!("{balance:?}")).expect("a string")]);
    account
}

/// The query string with the brackets of `page[number]` and `filter[…]` unescaped.
fn query_of(exchange: &Exchange) -> String {
    exchange.query.as_deref().unwrap_or_default().replace("%5B", "[").replace("%5D", "]")
}

fn line(exchange: &Exchange) -> String {
    format!("{} {}?{} -> {}", exchange.method, exchange.path, query_of(exchange), exchange.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_inspector_key_on_every_tab_sends_only_reads() {
    let seed = Seed { phone_numbers: SEEDED_NUMBERS, order_settles_after: Duration::ZERO, ..Seed::default() };
    let sandbox = Sandbox::start_local(&seed).await.expect("start the sandbox");
    let api = client(&sandbox.base_url(), "KEYsetup");

    // Something on every tab: the seeded connection, profile and numbers, plus a number
    // order and a telephony credential on the connection.
    let connection = api
        .list_credential_connections(PageRequest::first(10), None)
        .await
        .expect("list the seeded connections")
        .data
        .into_iter()
        .next()
        .expect("the default seed has a connection");
    let offered = api
        .search_available_numbers(&NumberSearch { country_code: "US".into(), limit: 2, ..Default::default() })
        .await
        .expect("search for numbers to order");
    api.create_number_order(&NewNumberOrder {
        phone_numbers: offered
            .iter()
            .map(|n| OrderedNumberRequest { phone_number: n.phone_number.clone() })
            .collect(),
        connection_id: Some(connection.id.clone()),
        customer_reference: Some("inspector-readonly-test".into()),
    })
    .await
    .expect("order two numbers");
    api.create_telephony_credential(&NewTelephonyCredential {
        connection_id: connection.id.clone(),
        name: Some("Inspector test login".into()),
        tag: None,
        expires_at: None,
    })
    .await
    .expect("create a telephony credential");
    let before = account(&api).await;
    let start = sandbox.journal().len();

    let mut inspector = Inspector::new(&sandbox);
    inspector.press(KeyCode::Enter).await; // sign in
    assert_eq!(inspector.step().listing.tab, Tab::Connections, "sign-in should open the connections");

    // Tab and Shift-Tab go round all six.
    for expected in Tab::ALL.iter().cycle().skip(1).take(6) {
        inspector.press(KeyCode::Tab).await;
        assert_eq!(inspector.step().listing.tab, *expected, "Tab\n{}", inspector.screen());
    }
    for expected in Tab::ALL.iter().rev().cycle().take(6) {
        inspector.press(KeyCode::BackTab).await;
        assert_eq!(inspector.step().listing.tab, *expected, "Shift-Tab\n{}", inspector.screen());
    }

    // Every tab by its digit, toured.
    for (digit, tab) in ('1'..='6').zip(Tab::ALL) {
        inspector.press(KeyCode::Char(digit)).await;
        assert_eq!(inspector.step().listing.tab, tab, "key {digit}\n{}", inspector.screen());
        inspector.tour(0).await;
    }

    // Help opens and any key closes it.
    inspector.press(KeyCode::Char('?')).await;
    assert!(inspector.state.help, "? should open the help");
    inspector.press(KeyCode::Down).await;
    assert!(!inspector.state.help, "any key should close the help");

    // Esc cancels a load in flight; Enter (the footer's "reload") asks again.
    inspector.send(Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE)));
    assert!(inspector.state.busy(), "the numbers tab should be loading");
    inspector.press(KeyCode::Esc).await;
    assert!(
        matches!(inspector.state.step.activity().problem, Some(Problem::Cancelled(_))),
        "Esc should cancel the load\n{}",
        inspector.screen()
    );
    inspector.press(KeyCode::Enter).await;
    inspector.expect_no_problem("loading again after a cancel");
    assert!(!inspector.step().listing.records().is_empty(), "moving should load the numbers again");

    // Esc at the top quits, as k9s and lazygit do (it used to drop to the sign-in).
    assert!(inspector.screen().contains("Esc quit"), "{}", inspector.screen());
    assert_eq!(inspector.press(KeyCode::Esc).await, Flow::Quit, "Esc at the top should quit");
    assert_eq!(inspector.press(KeyCode::Char('q')).await, Flow::Quit, "q should quit");
    let keys = inspector.keys.len();

    // The journal: reads only.
    let journal: Vec<Exchange> = sandbox.journal().split_off(start);
    let writes: Vec<String> = journal.iter().filter(|e| !e.is_read()).map(line).collect();
    assert!(
        writes.is_empty(),
        "after {keys} keys the read-only inspector sent {} request(s) that are neither GET nor the \
         registration check:\n  {}",
        writes.len(),
        writes.join("\n  ")
    );
    let failed: Vec<String> = journal.iter().filter(|e| e.status >= 400).map(line).collect();
    assert!(failed.is_empty(), "no read should have failed:\n  {}", failed.join("\n  "));

    // ... and the walk reached everything it should have.
    let asked = |method: &str, path: &str, query: &str| {
        journal.iter().any(|e| e.method == method && e.path == path && query_of(e).contains(query))
    };
    let id = &connection.id;
    let profile =
        connection.outbound.outbound_voice_profile_id.clone().expect("the seeded connection has a profile");
    let credential_filter = format!("filter[resource_id]=connection:{id}");
    let expected = [
        ("GET", "/balance".to_owned(), String::new()),
        ("GET", "/credential_connections".to_owned(), "filter[connection_name][contains]=office".to_owned()),
        ("GET", "/credential_connections".to_owned(), format!("filter[outbound_voice_profile_id]={profile}")),
        ("GET", format!("/credential_connections/{id}"), String::new()),
        ("GET", "/outbound_voice_profiles".to_owned(), "filter[name][contains]=office".to_owned()),
        ("GET", format!("/outbound_voice_profiles/{profile}"), String::new()),
        ("GET", "/phone_numbers".to_owned(), "page[number]=4".to_owned()),
        ("GET", "/phone_numbers".to_owned(), "filter[phone_number]=0012".to_owned()),
        ("GET", "/phone_numbers".to_owned(), format!("filter[connection_id]={id}")),
        ("GET", "/number_orders".to_owned(), "filter[status]=success".to_owned()),
        ("GET", "/telephony_credentials".to_owned(), credential_filter.replace(':', "%3A")),
        ("POST", format!("/credential_connections/{id}/actions/check_registration_status"), String::new()),
    ];
    let missing: Vec<String> = expected
        .iter()
        .filter(|(method, path, query)| {
            !asked(method, path, query) && !asked(method, path, &query.replace("%3A", ":"))
        })
        .map(|(method, path, query)| format!("{method} {path}?…{query}…"))
        .collect();
    assert!(
        missing.is_empty(),
        "the walk should have reached:\n  {}\nit asked:\n  {}",
        missing.join("\n  "),
        journal.iter().map(line).collect::<Vec<_>>().join("\n  ")
    );
    let copies = inspector.clipboard.copies();
    assert!(copies.contains(id), "y should have copied the connection's id {id}: {copies:?}");

    // The account is as it was.
    let after = account(&api).await;
    for (collection, records) in &before {
        assert_eq!(
            after.get(collection),
            Some(records),
            "{collection} changed while the inspector ran ({keys} keys)"
        );
    }
}
