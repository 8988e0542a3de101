//! update() tests for the read-only inspector: it asks only for reads, pages as the
//! cursor nears the end, filters, follows relations and walks back, and never changes
//! the account.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::PARALLEL_PAGES;
use telnyx_setup::msg::{Cmd, Reply, Request};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{InspectorStep, PAGE_SIZE, Problem, Scope, State, Step, Tab};
use telnyx_setup::target::{Found, Kind};

fn inspector_step(state: &State) -> &InspectorStep {
    match &state.step {
        Step::Inspect(step) => step,
        other => panic!("not in the inspector: {other:?}"),
    }
}

/// The only requests the inspector may make.
fn assert_read_only(cmds: &[Cmd]) {
    for cmd in cmds {
        if let Cmd::Call { request, .. } = cmd {
            assert!(
                matches!(
                    request,
                    Request::Browse { .. }
                        | Request::BrowseMany { .. }
                        | Request::FindTarget { .. }
                        | Request::Fetch { .. }
                        | Request::ReadBalance
                        | Request::Diagnose { trial_token: false, .. }
                ),
                "the inspector asked for {request:?}"
            );
        }
    }
}

#[test]
fn sign_in_opens_the_connections_tab_and_asks_for_its_first_page() {
    let mut state = state_with(Some("KEYinspect"), telnyx_setup::state::KeySource::Flag);
    state.ctx.mode = telnyx_setup::state::Mode::Inspector;
    press(&mut state, KeyCode::Enter);
    let cmds = reply(&mut state, Reply::KeyAccepted(balance()));
    assert_eq!(
        only_call(&cmds),
        &Request::Browse { collection: "credential_connections", page: 1, size: PAGE_SIZE, filters: vec![] }
    );
}

#[test]
fn tabs_switch_with_tab_and_digits_and_load_their_collection() {
    let mut state = inspector();
    let cmds = press(&mut state, KeyCode::Char('3'));
    assert!(matches!(only_call(&cmds), Request::Browse { collection: "phone_numbers", .. }));
    assert_eq!(inspector_step(&state).listing.tab, Tab::Numbers);
    reply(&mut state, Reply::Browsed(raw_page(vec![], 1, 0)));
    let cmds = press(&mut state, KeyCode::Tab);
    assert!(matches!(only_call(&cmds), Request::Browse { collection: "number_orders", .. }));
    reply(&mut state, Reply::Browsed(raw_page(vec![], 1, 0)));
    let cmds = press(&mut state, KeyCode::Char('6'));
    assert_eq!(only_call(&cmds), &Request::ReadBalance);
}

#[test]
fn the_next_page_is_asked_for_as_the_cursor_nears_the_end() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('3'));
    let size = PAGE_SIZE as usize;
    let first: Vec<_> = (0..size).map(|i| number_json(i, EXISTING_CONNECTION)).collect();
    let cmds = reply(&mut state, Reply::Browsed(raw_page(first, 1, 10_000)));
    assert!(cmds.is_empty(), "the cursor is at the top: no need for more yet");
    let mut asked = Vec::new();
    for _ in 0..size - 10 {
        asked.extend(press(&mut state, KeyCode::Down));
    }
    assert_read_only(&asked);
    let Request::Browse { page, .. } = only_call(&asked) else { panic!("{asked:?}") };
    assert_eq!(*page, 2);
    // While that page loads, moving on asks for nothing more.
    assert!(press(&mut state, KeyCode::Down).is_empty());
    let second: Vec<_> = (size..2 * size).map(|i| number_json(i, EXISTING_CONNECTION)).collect();
    reply(&mut state, Reply::Browsed(raw_page(second, 2, 10_000)));
    let step = inspector_step(&state);
    assert_eq!(step.listing.records().len(), 2 * size);
    assert_eq!(step.listing.next_page, Some(3));
}

/// End on a big account: once the first page says how many pages there are, the rest
/// are asked for [`PARALLEL_PAGES`] at a time, each batch as one request the worker
/// sends at once, until the last; the cursor ends on the last record.
#[test]
fn end_reads_the_remaining_pages_several_at_a_time() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('3'));
    let size = PAGE_SIZE as usize;
    let page = |number: u32| {
        let from = (number as usize - 1) * size;
        let data = (from..(from + size).min(10_000)).map(|i| number_json(i, EXISTING_CONNECTION)).collect();
        raw_page(data, number, 10_000)
    };
    reply(&mut state, Reply::Browsed(page(1)));
    let mut cmds = press(&mut state, KeyCode::End);
    let mut batches = Vec::new();
    while let [Cmd::Call { request: Request::BrowseMany { first, last, size: asked, .. }, .. }] = &cmds[..] {
        assert_eq!(*asked, PAGE_SIZE);
        assert!(last - first < PARALLEL_PAGES, "{first}..={last}");
        batches.push((*first, *last));
        let pages = (*first..=*last).map(page).collect();
        cmds = reply(&mut state, Reply::BrowsedMany(pages));
    }
    assert!(cmds.is_empty(), "{cmds:?}");
    let pages = 10_000u32.div_ceil(PAGE_SIZE);
    assert_eq!(batches.first(), Some(&(2, 1 + PARALLEL_PAGES)));
    assert_eq!(batches.last().map(|b| b.1), Some(pages));
    assert_eq!(batches.len() as u32, (pages - 1).div_ceil(PARALLEL_PAGES));
    let step = inspector_step(&state);
    assert_eq!(step.listing.records().len(), 10_000);
    assert_eq!(step.listing.next_page, None);
    assert_eq!(step.listing.cursor, 9_999);
    assert!(!step.to_end);
}

/// The listing keeps each record as compact text with its row made on arrival: the
/// row is the one [`Tab::row`] makes, and the record parses back to what arrived, an
/// id that is not a string, nesting, a float and a telnyx-setup mark included.
#[test]
fn a_record_kept_compact_gives_back_its_row_id_and_json() {
    let mut state = inspector();
    let odd = serde_json::json!({
        "id": 42,
        "record_type": "credential_connection",
        "connection_name": "Numeric id",
        "active": false,
        "tags": [telnyx_setup::api::MARK],
        "outbound": {"outbound_voice_profile_id": "1293", "rates": [0.0125, 1e-7]},
    });
    let records = vec![connection_json("1293384261075731409", "Lobby phones", None), odd];
    press(&mut state, KeyCode::Char('R'));
    reply(&mut state, Reply::Browsed(raw_page(records.clone(), 1, 2)));
    let listing = &inspector_step(&state).listing;
    assert_eq!(listing.records().len(), 2);
    for (kept, arrived) in listing.records().iter().zip(&records) {
        assert_eq!(kept.row(), Tab::Connections.row(arrived));
        assert_eq!(&listing.value(kept), arrived);
    }
    assert_eq!(listing.records()[0].id(), Some("1293384261075731409"));
    assert_eq!(listing.records()[1].id(), None, "a numeric id is not copied, as before");
    assert!(listing.records()[1].row().ends_with("· by telnyx-setup"));
}

#[test]
fn filters_go_to_the_server_where_the_api_has_them() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "lobby");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::Browse { filters, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(filters, &[("filter[connection_name][contains]", "lobby".to_owned())]);
    assert_eq!(inspector_step(&state).listing.filter, "lobby");
}

/// A filter by digits on a big account is one request to the API: Telnyx filters, and
/// what matches fits in one page; the 10,000 numbers loaded before are dropped.
#[test]
fn a_digits_filter_is_one_request() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('3'));
    let first: Vec<_> = (0..PAGE_SIZE as usize).map(|i| number_json(i, EXISTING_CONNECTION)).collect();
    reply(&mut state, Reply::Browsed(raw_page(first, 1, 10_000)));
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "1234");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::Browse { filters, page: 1, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(filters, &[("filter[phone_number]", "1234".to_owned())]);
    let cmds =
        reply(&mut state, Reply::Browsed(raw_page(vec![number_json(1234, EXISTING_CONNECTION)], 1, 1)));
    assert!(cmds.is_empty(), "nothing more to ask for: {cmds:?}");
    assert_eq!(inspector_step(&state).listing.records().len(), 1);
}

#[test]
fn a_number_filter_needs_three_digits() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('3'));
    reply(&mut state, Reply::Browsed(raw_page(vec![number_json(1, EXISTING_CONNECTION)], 1, 1)));
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "12");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(inspector_step(&state).activity.problem, Some(Problem::Input(_))));
}

#[test]
fn credentials_are_filtered_locally() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('5'));
    let records = vec![
        serde_json::json!({"id": "a", "name": "alpha", "sip_username": "gencredA", "expired": false}),
        serde_json::json!({"id": "b", "name": "beta", "sip_username": "gencredB", "expired": true}),
    ];
    reply(&mut state, Reply::Browsed(raw_page(records, 1, 2)));
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "beta");
    let cmds = press(&mut state, KeyCode::Enter);
    reply(
        &mut state,
        Reply::Browsed(raw_page(
            vec![
                serde_json::json!({"id": "a", "name": "alpha", "sip_username": "gencredA", "expired": false}),
                serde_json::json!({"id": "b", "name": "beta", "sip_username": "gencredB", "expired": true}),
            ],
            1,
            2,
        )),
    );
    let Request::Browse { filters, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert!(filters.is_empty(), "the API has no text filter for credentials");
    let step = inspector_step(&state);
    assert_eq!(step.listing.visible(), [1]);
    assert_eq!(step.listing.highlighted().unwrap().id(), Some("b"));
}

#[test]
fn relations_are_followed_with_enter_and_walked_back_with_esc() {
    let mut state = inspector();
    press(&mut state, KeyCode::Enter); // into the details of "Office softphones"
    let step = inspector_step(&state);
    assert!(step.in_detail);
    let labels: Vec<_> = step.relations().into_iter().map(|r| r.label).collect();
    assert_eq!(
        labels,
        [
            format!("Outbound voice profile {EXISTING_PROFILE}"),
            "Its phone numbers".to_owned(),
            "Its telephony credentials".to_owned(),
            "Run the doctor".to_owned()
        ]
    );
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::Browse { collection, filters, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(*collection, "phone_numbers");
    assert_eq!(filters, &[("filter[connection_id]", EXISTING_CONNECTION.to_owned())]);
    let step = inspector_step(&state);
    assert!(matches!(&step.listing.scope, Some(Scope::Filter { .. })));
    reply(&mut state, Reply::Browsed(raw_page(vec![number_json(7, EXISTING_CONNECTION)], 1, 1)));
    // From the number, to its connection: one record fetched by id.
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(
        only_call(&cmds),
        &Request::Fetch { collection: "credential_connections", id: EXISTING_CONNECTION.to_owned() }
    );
    reply(&mut state, Reply::Fetched(connection_json(EXISTING_CONNECTION, "Office softphones", None)));
    assert_eq!(inspector_step(&state).trail.len(), 2);
    press(&mut state, KeyCode::Esc);
    assert_eq!(inspector_step(&state).listing.tab, Tab::Numbers);
    press(&mut state, KeyCode::Esc);
    let step = inspector_step(&state);
    assert_eq!(step.listing.tab, Tab::Connections);
    assert_eq!(step.listing.records().len(), 2, "the connections are still there, not reloaded");
}

#[test]
fn the_doctor_runs_without_its_trial_token() {
    let mut state = inspector();
    press(&mut state, KeyCode::Enter);
    for _ in 0..3 {
        press(&mut state, KeyCode::Down);
    }
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(
        only_call(&cmds),
        &Request::Diagnose { connection_id: EXISTING_CONNECTION.to_owned(), trial_token: false }
    );
}

#[test]
fn y_copies_the_id_and_j_shows_raw_json() {
    let mut state = inspector();
    assert_eq!(press(&mut state, KeyCode::Char('y')), vec![Cmd::Copy(Secret::from(EXISTING_CONNECTION))]);
    press(&mut state, KeyCode::Char('J'));
    assert!(inspector_step(&state).raw);
}

#[test]
fn every_key_everywhere_asks_only_for_reads() {
    let mut state = inspector();
    let keys = [
        KeyCode::Down,
        KeyCode::End,
        KeyCode::PageDown,
        KeyCode::Enter,
        KeyCode::Down,
        KeyCode::Enter,
        KeyCode::Char('J'),
        KeyCode::Char('y'),
        KeyCode::Char('R'),
        KeyCode::Char('/'),
        KeyCode::Char('5'),
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
    ];
    for tab in ['1', '2', '3', '4', '5', '6'] {
        let mut cmds = press(&mut state, KeyCode::Char(tab));
        for key in keys {
            // Answer whatever is in flight with an empty page so keys are not held back.
            if state.busy() {
                cmds.extend(reply(&mut state, Reply::Browsed(raw_page(vec![], 1, 0))));
            }
            cmds.extend(press(&mut state, key));
        }
        assert_read_only(&cmds);
    }
}

#[test]
fn records_telnyx_setup_made_are_marked_in_the_lists() {
    let marked = [
        (
            Tab::Connections,
            serde_json::json!({"connection_name": "WebRTC", "tags": ["office", "telnyx-setup"]}),
        ),
        (Tab::Profiles, serde_json::json!({"name": "WebRTC outbound", "tags": ["telnyx-setup"]})),
        (Tab::Credentials, serde_json::json!({"name": "login", "tag": "telnyx-setup"})),
        (Tab::Orders, serde_json::json!({"status": "success", "customer_reference": "telnyx-setup-00ff"})),
    ];
    for (tab, record) in marked {
        assert!(tab.row(&record).ends_with("· by telnyx-setup"), "{tab:?}: {}", tab.row(&record));
    }
    let others = [
        (Tab::Connections, serde_json::json!({"connection_name": "Office", "tags": ["office"]})),
        (Tab::Credentials, serde_json::json!({"name": "login", "tag": "telnyx-setup-ish"})),
        (Tab::Orders, serde_json::json!({"status": "success", "customer_reference": "mine"})),
    ];
    for (tab, record) in others {
        assert!(!tab.row(&record).contains("telnyx-setup"), "{tab:?}: {}", tab.row(&record));
    }
}

/// `inspect TARGET` opens the inspector on the record: its lookup is the first request,
/// and the one record found opens on its tab.
#[test]
fn a_target_opens_the_inspector_on_its_record() {
    let mut state = state_with(Some("KEYinspect"), telnyx_setup::state::KeySource::Flag);
    state.ctx.mode = telnyx_setup::state::Mode::Inspector;
    state.ctx.inspect_target = Some("+15550001234".into());
    press(&mut state, KeyCode::Enter);
    let cmds = reply(&mut state, Reply::KeyAccepted(balance()));
    assert_eq!(only_call(&cmds), &Request::FindTarget { given: "+15550001234".into() });
    let record = number_json(1234, EXISTING_CONNECTION);
    let id = record["id"].as_str().unwrap().to_owned();
    let found = Found { kind: Kind::Number, id: id.clone(), record: record.clone() };
    assert!(reply(&mut state, Reply::TargetFound(vec![found])).is_empty());
    let step = inspector_step(&state);
    assert_eq!(step.listing.tab, Tab::Numbers);
    assert_eq!(step.listing.records().len(), 1);
    assert_eq!(step.listing.highlighted().and_then(|r| r.id()), Some(id.as_str()));
    assert!(step.listing.scope.as_ref().is_some_and(|s| s.label().contains("+15550001234")));
}

/// `g` asks for a target; several records found are asked about, as a list to pick
/// one from (Enter opens it, Esc on it asks again, Esc closes the question); none
/// found says so.
#[test]
fn g_goes_to_a_record_and_asks_which_when_it_could_be_several() {
    let mut state = inspector();
    assert!(press(&mut state, KeyCode::Char('g')).is_empty());
    assert!(inspector_step(&state).goto_input.is_some());
    type_text(&mut state, "gencredAbc");
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(only_call(&cmds), &Request::FindTarget { given: "gencredAbc".into() });
    let credential = serde_json::json!({"id": "c-1", "sip_username": "gencredAbc"});
    let connection = serde_json::json!({"id": "77", "connection_name": "Lobby", "user_name": "gencredAbc"});
    let two = vec![
        Found { kind: Kind::Credential, id: "c-1".into(), record: credential },
        Found { kind: Kind::Connection, id: "77".into(), record: connection },
    ];
    reply(&mut state, Reply::TargetFound(two));
    let step = inspector_step(&state);
    assert!(step.activity.problem.is_none(), "{:?}", step.activity.problem);
    let choices = step.choices.as_ref().expect("the question of which record");
    assert_eq!(choices.found.len(), 2);
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen.contains("That could be 2 records")
            && screen.contains("telephony credential c-1 (gencredAbc)")
            && screen.contains("credential connection 77 (Lobby)"),
        "{screen}"
    );
    let footer = screen.lines().last().unwrap_or_default().to_owned();
    assert!(footer.contains("Enter open") && footer.contains("Esc cancel"), "{footer}");

    // The second one, picked: its tab, the record alone.
    press(&mut state, KeyCode::Down);
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "the record is in hand: nothing to read");
    let step = inspector_step(&state);
    assert!(step.choices.is_none());
    assert_eq!(step.listing.tab, Tab::Connections);
    assert_eq!(step.listing.highlighted().and_then(|r| r.id()), Some("77"));
    // Esc on it asks again, the pick still highlighted; Esc then closes the question.
    assert!(screen_text(&state, 100, 30).lines().last().unwrap_or_default().contains("Esc back"));
    press(&mut state, KeyCode::Esc);
    assert_eq!(inspector_step(&state).choices.as_ref().map(|c| c.cursor), Some(1));
    press(&mut state, KeyCode::Esc);
    assert!(inspector_step(&state).choices.is_none());

    press(&mut state, KeyCode::Char('g'));
    type_text(&mut state, "nobody");
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::TargetFound(Vec::new()));
    let Some(Problem::Input(said)) = &inspector_step(&state).activity.problem else { panic!("a problem") };
    assert!(said.starts_with("No record of this account is that"), "{said}");
}
