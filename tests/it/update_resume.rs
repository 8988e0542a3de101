//! update() with a setup journal: the intent saved before each write and the result
//! after it, the continue prompt, and what each step preselects when continuing.

use crate::support::state::*;
use crossterm::event::KeyCode;
use std::collections::BTreeMap;
use telnyx_setup::api::{MARK, NumberOrder, OrderedNumber};
use telnyx_setup::journal::{Intent, Loaded, Named, Record};
use telnyx_setup::msg::{Cmd, Reply, Request};
use telnyx_setup::state::{KeySource, State, Step};

/// The API requests among `cmds` (journal saves come with them).
fn requests(cmds: &[Cmd]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|cmd| match cmd {
            Cmd::Call { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

/// The one API request among `cmds`.
fn only_request(cmds: &[Cmd]) -> &Request {
    match requests(cmds)[..] {
        [request] => request,
        _ => panic!("expected one API call, got {cmds:?}"),
    }
}

fn journal_saves(cmds: &[Cmd]) -> Vec<&Record> {
    cmds.iter()
        .filter_map(|cmd| match cmd {
            Cmd::Journal { record, .. } => Some(record),
            _ => None,
        })
        .collect()
}

/// From sign-in on an account without connections: a new connection named on step 2,
/// its codecs, and step 4's list (`profiles`) shown.
fn named_to_profiles(state: &mut State, profiles: Vec<telnyx_setup::api::OutboundVoiceProfile>) {
    reply(state, Reply::ConnectionsListed(page(vec![])));
    press(state, KeyCode::Enter);
    let cmds = press(state, KeyCode::Enter);
    assert!(cmds.is_empty(), "naming it saves and sends nothing: {cmds:?}");
    press(state, KeyCode::Enter);
    reply(state, Reply::ProfilesListed(page(profiles)));
    assert!(matches!(state.step, Step::Profile(_)));
}

#[test]
fn the_intent_is_saved_before_the_write_and_the_result_after_it() {
    let mut state = journaled(None);
    let cmds = signed_in(&mut state);
    assert!(journal_saves(&cmds).is_empty(), "nothing is saved before anything is made: {cmds:?}");
    named_to_profiles(&mut state, vec![profile(SETUP_PROFILE, "Office outbound", &["US"])]);
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let [
        Cmd::Journal { account: saved_for, record },
        Cmd::Call { request: Request::CreateConnection { body, .. }, .. },
    ] = &cmds[..]
    else {
        panic!("the journal first, then the create: {cmds:?}")
    };
    assert_eq!(*saved_for, account());
    assert_eq!(
        record.pending,
        Some(Intent::CreateConnection {
            name: body.connection_name.clone(),
            user_name: body.user_name.clone()
        })
    );
    assert_eq!(body.tags, [MARK], "the connection carries the mark");
    assert!(record.connection.is_none());

    let created = connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["G722"], Some(SETUP_PROFILE));
    let cmds = reply(&mut state, Reply::ConnectionCreated(created));
    let [record] = journal_saves(&cmds)[..] else { panic!("one save: {cmds:?}") };
    assert_eq!(record.pending, None, "the answer came");
    assert_eq!(record.connection.as_ref().map(|c| c.id.as_str()), Some(SETUP_CONNECTION));
    assert_eq!(record.profile.as_ref().map(|p| p.id.as_str()), Some(SETUP_PROFILE));
    assert_eq!(record.reached(), 4, "the connection, its codecs and its profile");
    let json = serde_json::to_string(record).unwrap();
    assert!(!json.contains(body.password.expose()), "no SIP password in the journal: {json}");
    assert!(!json.contains(JOURNAL_KEY), "no key in the journal: {json}");
}

/// A new profile is made before the connection named on step 2: the journal names it
/// with the connection's create in flight, so a run killed between the two finds the
/// profile (and what the create may have made) instead of making them again.
#[test]
fn a_profile_made_before_its_connection_is_journaled_with_the_create_in_flight() {
    let mut state = journaled(None);
    signed_in(&mut state);
    named_to_profiles(&mut state, vec![]);
    press(&mut state, KeyCode::Enter); // the form
    press(&mut state, KeyCode::Enter); // named: made on step 5
    let cmds = press(&mut state, KeyCode::Enter);
    let [Cmd::Journal { record, .. }, Cmd::Call { request: Request::CreateProfile { body, .. }, .. }] =
        &cmds[..]
    else {
        panic!("the journal first, then the profile's create: {cmds:?}")
    };
    assert_eq!(record.pending, Some(Intent::CreateProfile { name: body.name.clone() }));
    let cmds =
        reply(&mut state, Reply::ProfileCreated(profile(SETUP_PROFILE, "WebRTC outbound", &["US", "CA"])));
    let [Cmd::Journal { record, .. }, Cmd::Call { request: Request::CreateConnection { body, .. }, .. }] =
        &cmds[..]
    else {
        panic!("the journal first, then the connection's create: {cmds:?}")
    };
    assert_eq!(record.profile.as_ref().map(|p| p.id.as_str()), Some(SETUP_PROFILE));
    assert!(record.connection.is_none());
    assert_eq!(
        record.pending,
        Some(Intent::CreateConnection {
            name: body.connection_name.clone(),
            user_name: body.user_name.clone()
        })
    );
    assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, SETUP_PROFILE);
}

/// A run killed after its profile was made and before the connection's create was
/// answered (or sent): continued, step 4 highlights that profile, and Enter makes only
/// the connection, on it. Nothing is made twice.
#[test]
fn a_run_killed_between_the_profile_and_the_connection_makes_only_the_connection() {
    let record = Record {
        started_at: 1_795_863_720,
        updated_at: 1_795_863_900,
        profile: Some(Named { id: SETUP_PROFILE.into(), name: "WebRTC outbound".into() }),
        pending: Some(Intent::CreateConnection {
            name: "WebRTC (telnyx-setup)".into(),
            user_name: "webrtcabcd1234".into(),
        }),
        ..Record::default()
    };
    let mut state = journaled(Some(record));
    signed_in(&mut state);
    // No connection was made: no setup to offer, it is continued quietly.
    assert!(matches!(state.step, Step::Connection(_)), "{:?}", state.step);
    // The create never reached Telnyx: no connection to highlight.
    reply(&mut state, Reply::ConnectionsListed(page(vec![])));
    press(&mut state, KeyCode::Enter); // the form
    press(&mut state, KeyCode::Enter); // named
    press(&mut state, KeyCode::Enter); // the codecs
    let mut made = profile(SETUP_PROFILE, "WebRTC outbound", &["US", "CA"]);
    made.tags = vec![MARK.to_owned()];
    reply(
        &mut state,
        Reply::ProfilesListed(page(vec![profile("1293384261075731400", "Office", &["US"]), made])),
    );
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.list.cursor, 2, "the profile the killed run made is highlighted");
    let cmds = press(&mut state, KeyCode::Enter);
    let [Request::CreateConnection { body, .. }] = requests(&cmds)[..] else { panic!("{cmds:?}") };
    assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, SETUP_PROFILE);
}

#[test]
fn a_failed_write_keeps_its_intent_for_the_next_run() {
    let mut state = journaled(None);
    signed_in(&mut state);
    named_to_profiles(&mut state, vec![profile(SETUP_PROFILE, "Office outbound", &["US"])]);
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(requests(&cmds)[..], [Request::CreateConnection { .. }]), "{cmds:?}");
    let cmds = fail(&mut state, telnyx_setup::api::ApiError::Timeout);
    assert!(journal_saves(&cmds).is_empty(), "the intent stands: it may have happened: {cmds:?}");
}

#[test]
fn without_a_journal_nothing_is_saved() {
    let mut state = state_with(Some(JOURNAL_KEY), KeySource::Flag);
    signed_in(&mut state);
    named_to_profiles(&mut state, vec![profile(SETUP_PROFILE, "Office outbound", &["US"])]);
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(only_request(&cmds), Request::CreateConnection { .. }));
}

#[test]
fn an_unfinished_setup_is_offered_and_enter_continues_it() {
    let mut state = journaled(Some(earlier_setup()));
    let cmds = signed_in(&mut state);
    assert!(cmds.is_empty(), "no request: the prompt waits for the user: {cmds:?}");
    assert!(matches!(state.step, Step::Resume(_)));
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen
            .contains("Continue the setup started at 2026-11-28 11:02 (connection “WebRTC (telnyx-setup)”,"),
        "{screen}"
    );
    assert!(screen.contains("done up to") && screen.contains("Countries)?"), "{screen}");
    assert!(screen.contains("Enter continue") && screen.contains("n new setup"), "{screen}");

    let cmds = press(&mut state, KeyCode::Enter);
    // The list sent with the key's check: the screen waits for it.
    assert!(requests(&cmds).is_empty() && matches!(state.step, Step::Connection(_)) && state.busy());
    let other = connection("1293384261075731499", "Office", &["G722"], None);
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    reply(&mut state, Reply::ConnectionsListed(page(vec![ours, other])));
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 1, "the setup's connection is highlighted");

    // Enter keeps it; the codecs, as saved, change nothing; the attached profile is
    // highlighted and kept without a request.
    // (Step 4's list went with the key's check: it is not sent again; the numbers on
    // the connection are read ahead, for the codecs and attach questions.)
    assert_reads_its_numbers(&press(&mut state, KeyCode::Enter), SETUP_CONNECTION);
    assert!(matches!(state.step, Step::Codecs(_)));
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(requests(&cmds).is_empty(), "no PATCH for unchanged codecs: {cmds:?}");
    let profiles = vec![
        profile("1293384261075731400", "Office outbound", &["US"]),
        profile(SETUP_PROFILE, "WebRTC outbound", &["US", "CA"]),
    ];
    reply(&mut state, Reply::ProfilesListed(page(profiles)));
    let Step::Profile(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 2, "the attached profile is highlighted");
    assert!(requests(&press(&mut state, KeyCode::Enter)).is_empty(), "already attached: nothing to send");
    assert!(matches!(state.step, Step::Countries(_)));
    // The whitelist as saved; Enter sends nothing but step 7's list ahead: step 6
    // waits for the numbers the connection has, read ahead when it was chosen.
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(requests(&cmds)[..],
            [Request::ListCredentials { connection_id }] if connection_id == SETUP_CONNECTION),
        "{cmds:?}"
    );
    let Step::Numbers(step) = &state.step else { panic!("{:?}", state.step) };
    assert!(step.activity.busy() && step.existing.is_none(), "waiting for the numbers read ahead");
    reply(&mut state, Reply::ConnectionNumbers(Vec::new()));
    let Step::Numbers(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.existing, Some(Vec::new()), "the read ahead is step 6's");
}

#[test]
fn n_starts_a_new_setup_with_nothing_preselected() {
    let mut state = journaled(Some(earlier_setup()));
    signed_in(&mut state);
    let cmds = press(&mut state, KeyCode::Char('n'));
    // The list sent with the key's check: the screen waits for it.
    assert!(requests(&cmds).is_empty() && matches!(state.step, Step::Connection(_)) && state.busy());
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    reply(&mut state, Reply::ConnectionsListed(page(vec![ours])));
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 0, "Create new, as on a first run");
}

#[test]
fn another_accounts_setup_is_not_offered() {
    let mut state = journaled(None);
    let cmds = signed_in(&mut state);
    assert!(
        requests(&cmds).is_empty() && matches!(state.step, Step::Connection(_)),
        "straight to step 2: {cmds:?}"
    );
}

#[test]
fn fresh_ignores_the_journal_and_the_mark() {
    let mut accounts = BTreeMap::new();
    accounts.insert(account(), earlier_setup());
    let mut state = state_with(Some(JOURNAL_KEY), KeySource::Flag);
    state.use_journal(Loaded { accounts, ignored: None }, true);
    signed_in(&mut state);
    assert!(matches!(state.step, Step::Connection(_)));
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    reply(&mut state, Reply::ConnectionsListed(page(vec![ours])));
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 0);
}

#[test]
fn without_a_journal_the_newest_marked_connection_is_highlighted() {
    let mut state = journaled(None);
    signed_in(&mut state);
    let mut newest = marked(connection("1293384261075731410", "WebRTC (telnyx-setup)", &["VP8"], None));
    newest.created_at = Some("2026-11-28T11:02:00.5Z".into());
    let other = connection("1293384261075731411", "Office", &["G722"], None);
    let mut old = marked(connection("1293384261075731412", "WebRTC (telnyx-setup)", &["VP8"], None));
    old.created_at = Some("2026-11-28T11:02:00Z".into());
    reply(&mut state, Reply::ConnectionsListed(page(vec![newest, other, old])));
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 1, "the newest marked one, by its time, wherever it is listed");
    assert!(step.list.tie.is_none());
}

/// The highlighted row of `screen` (the line with `▶`), and every row marked as one of
/// several alike (`≈`).
fn rows_of(screen: &str) -> (String, Vec<String>) {
    let highlighted = screen.lines().find(|line| line.contains('▶')).unwrap_or_default().to_owned();
    let tied = screen
        .lines()
        .filter(|line| line.contains("≈") && !line.contains("look alike"))
        .map(str::to_owned)
        .collect();
    (highlighted, tied)
}

/// Two connections telnyx-setup made that the rule cannot tell apart (the same time,
/// or none): step 2 highlights neither by guess, says so naming both, and marks them;
/// Enter takes the one the user highlights.
#[test]
fn connections_telnyx_setup_made_that_look_alike_are_a_question_not_a_guess() {
    let mut state = at_connections_alike();
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 0, "none of them highlighted by guess");
    let tie = step.list.tie.as_ref().expect("a question");
    assert_eq!(tie.rows, [0, 2]);
    assert_eq!(
        tie.question,
        "2 connections telnyx-setup made look alike: “WebRTC (telnyx-setup)” (id 1293384261075731430) \
         and “WebRTC (telnyx-setup)” (id 1293384261075731432) — pick one"
    );
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("2 connections telnyx-setup made look alike"), "{screen}");
    let (highlighted, tied) = rows_of(&screen);
    assert!(highlighted.contains("+ Create a new"), "{screen}");
    assert_eq!(tied.len(), 2, "{screen}");
    assert!(
        tied[0].contains("user1293384261075731430") && tied[1].contains("user1293384261075731432"),
        "{screen}"
    );
    assert!(screen.contains("Enter choose"), "the footer is the list's: {screen}");

    // The user highlights the second, and Enter takes it, as the setup's own.
    for _ in 0..3 {
        press(&mut state, KeyCode::Down);
    }
    let (highlighted, _) = rows_of(&screen_text(&state, 100, 30));
    assert!(highlighted.contains("user1293384261075731432"), "{highlighted}");
    let cmds = press(&mut state, KeyCode::Enter);
    assert_reads_its_numbers(&cmds, "1293384261075731432");
    let Step::Codecs(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.connection.id, "1293384261075731432");
    assert!(step.created, "telnyx-setup made it: its codecs change without a question");

    // Back to step 2: the list reloads, and the pick stays highlighted.
    press(&mut state, KeyCode::Esc);
    let listed = vec![
        marked(connection("1293384261075731430", "WebRTC (telnyx-setup)", &["VP8"], None)),
        connection("1293384261075731431", "Office", &["G722"], None),
        marked(connection("1293384261075731432", "WebRTC (telnyx-setup)", &["VP8"], None)),
    ];
    reply(&mut state, Reply::ConnectionsListed(page(listed)));
    let Step::Connection(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.list.cursor, 3, "the user's pick, not a guess nor \"Create new\"");
}

/// A connection the continued setup made is meant, however many look like it; of
/// several marked ones with times, the newest: no question either way.
#[test]
fn no_question_where_the_rule_tells_them_apart() {
    let mut state = journaled(Some(earlier_setup()));
    signed_in(&mut state);
    press(&mut state, KeyCode::Enter);
    let twin = marked(connection("1293384261075731430", "WebRTC (telnyx-setup)", &["VP8"], None));
    let ours = marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["VP8"], Some(SETUP_PROFILE)));
    reply(&mut state, Reply::ConnectionsListed(page(vec![ours, twin])));
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!((step.list.cursor, step.list.tie.is_none()), (1, true));
}

/// Three or more alike: the first three named, the rest counted; profiles on step 4
/// ask the same way.
#[test]
fn profiles_that_look_alike_are_a_question_too() {
    let mut state = at_codecs();
    press(&mut state, KeyCode::Enter);
    let profiles: Vec<_> = (0..5)
        .map(|i| {
            let mut p = profile(&format!("129338426107573145{i}"), "WebRTC outbound", &["US"]);
            p.tags = vec![MARK.to_owned()];
            p
        })
        .collect();
    reply(&mut state, Reply::ProfilesListed(page(profiles)));
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.list.cursor, 0);
    let tie = step.list.tie.as_ref().expect("a question");
    assert_eq!(tie.rows, [0, 1, 2, 3, 4]);
    assert!(
        tie.question.starts_with(
            "5 profiles telnyx-setup made look alike: “WebRTC outbound” (id 1293384261075731450), "
        ) && tie.question.ends_with("“WebRTC outbound” (id 1293384261075731452) and 2 more — pick one"),
        "{}",
        tie.question
    );
    let screen = screen_text(&state, 100, 30);
    assert_eq!(rows_of(&screen).1.len(), 5, "{screen}");
}

#[test]
fn a_create_whose_answer_was_lost_is_found_by_what_it_sent() {
    let record = Record {
        started_at: 1_795_863_720,
        updated_at: 1_795_863_720,
        pending: Some(Intent::CreateConnection { name: "Mine".into(), user_name: "webrtcabc12345".into() }),
        ..Record::default()
    };
    let mut state = journaled(Some(record));
    signed_in(&mut state);
    // Nothing was made for sure: no "Continue the setup?" about nothing, straight on.
    assert!(matches!(state.step, Step::Connection(_)), "{:?}", state.step);
    let mut made = marked(connection("1293384261075731420", "Mine", &["G722"], None));
    made.user_name = "webrtcabc12345".into();
    let newer = marked(connection("1293384261075731421", "WebRTC (telnyx-setup)", &["VP8"], None));
    reply(&mut state, Reply::ConnectionsListed(page(vec![made, newer])));
    let Step::Connection(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 1, "the connection the lost create made, not the newest");
    // It is the setup's own, so its codecs get VP8 without a question.
    press(&mut state, KeyCode::Enter);
    let Step::Codecs(step) = &state.step else { panic!() };
    assert!(step.created && !step.vp8_off());
}

#[test]
fn the_setups_credential_is_highlighted_and_an_expired_one_never() {
    let record =
        Record { credential: Some(Named { id: "cred-2".into(), name: String::new() }), ..earlier_setup() };
    let mut credentials: Vec<_> = (1..=3)
        .map(|i| {
            let mut c = credential();
            c.id = format!("cred-{i}");
            c.tag = Some(MARK.to_owned());
            c
        })
        .collect();
    // Continued: the journal's credential.
    let mut state = continued_to_credentials(Some(record.clone()), credentials.clone());
    let Step::Credential(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 2);
    // Expired: the newest marked one that can log in instead.
    credentials[1].expired = true;
    credentials[0].created_at = Some("2026-11-28T11:02:00Z".into());
    credentials[2].created_at = Some("2026-11-28T11:03:00Z".into());
    state = continued_to_credentials(Some(record.clone()), credentials.clone());
    let Step::Credential(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 3);
    // Two made at one moment: neither by guess; the question names them.
    credentials[2].created_at = credentials[0].created_at.clone();
    state = continued_to_credentials(Some(record), credentials);
    let Step::Credential(step) = &state.step else { panic!() };
    assert_eq!(step.list.cursor, 0);
    let tie = step.list.tie.as_ref().expect("a question");
    assert_eq!(tie.rows, [0, 2], "the expired one is not among them");
    assert!(
        tie.question.starts_with("2 credentials telnyx-setup made look alike: “WebRTC login for"),
        "{tie:?}"
    );
}

/// Continues `record` to step 7 with the numbers skipped, and lists `credentials`.
fn continued_to_credentials(
    record: Option<Record>,
    credentials: Vec<telnyx_setup::api::TelephonyCredential>,
) -> State {
    let mut state = continued_to_numbers(record);
    reply(&mut state, Reply::ConnectionNumbers(Vec::new()));
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(credentials)));
    assert!(matches!(state.step, Step::Credential(_)), "{}", screen_text(&state, 100, 30));
    state
}

#[test]
fn numbers_the_connection_has_are_kept_with_enter_and_n_buys_more() {
    let mut state = continued_to_numbers(Some(earlier_setup()));
    reply(&mut state, Reply::ConnectionNumbers(vec![number_on_connection()]));
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("1 number already ordered for this connection (+14155550123)."), "{screen}");
    assert!(screen.contains("Enter continue") && screen.contains("n buy more"), "{screen}");
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(requests(&cmds).is_empty(), "on without buying: {cmds:?}");
    assert!(matches!(state.step, Step::Credential(_)) && state.busy(), "its list, sent ahead, loads");
    assert_eq!(state.ctx.desired.account.numbers, [number_on_connection().phone_number]);
    let wanted = state.ctx.desired.wanted.as_ref().and_then(|w| w.numbers.as_ref());
    assert_eq!(wanted.map(Vec::len), Some(0), "the numbers it has are the ones wanted: nothing to buy");
    assert!(state.ctx.done()[5] && !state.ctx.numbers_skipped(), "{:?}", state.ctx.done());

    let mut buying = continued_to_numbers(Some(earlier_setup()));
    reply(&mut buying, Reply::ConnectionNumbers(vec![number_on_connection()]));
    assert!(requests(&press(&mut buying, KeyCode::Char('n'))).is_empty());
    let Step::Numbers(step) = &buying.step else { panic!() };
    assert_eq!(step.screen, telnyx_setup::state::NumbersScreen::Search, "buying more is asked for");
}

#[test]
fn a_setup_that_skipped_the_numbers_skips_them_again_with_enter() {
    let record = Record { numbers_done: true, numbers_skipped: true, ..earlier_setup() };
    let mut state = continued_to_numbers(Some(record));
    reply(&mut state, Reply::ConnectionNumbers(Vec::new()));
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(requests(&cmds).is_empty() && matches!(state.step, Step::Credential(_)), "{cmds:?}");
    assert!(state.ctx.setup.numbers_skipped);
}

#[test]
fn an_order_sent_without_an_answer_is_looked_up_first_and_followed() {
    let mut state = journaled(Some(unsettled_order_setup()));
    let cmds = signed_in(&mut state);
    assert!(
        matches!(only_request(&cmds), Request::FindOrder { reference } if reference == "telnyx-setup-0123456789abcdef"),
        "{cmds:?}"
    );
    // Nothing else is offered until the lookup is done.
    assert!(press(&mut state, KeyCode::Char('x')).is_empty());
    let order = NumberOrder {
        id: "order-1".into(),
        status: "success".into(),
        phone_numbers: vec![OrderedNumber {
            phone_number: "+14155550123".into(),
            ..OrderedNumber::default()
        }],
        connection_id: Some(SETUP_CONNECTION.into()),
        customer_reference: Some("telnyx-setup-0123456789abcdef".into()),
        requirements_met: Some(true),
    };
    reply(&mut state, Reply::OrderFound(Some(order)));
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("Found the order placed at 2026-11-28 11:06: success."), "{screen}");
    from_the_prompt_to_countries(&mut state);
    let cmds = press(&mut state, KeyCode::Enter);
    // The found order is followed, not bought again: it settled onto the connection.
    assert!(matches!(only_request(&cmds), Request::ReadBalance), "{cmds:?}");
    let Step::Numbers(step) = &state.step else { panic!() };
    assert!(step.order_found);
    assert_eq!(state.ctx.desired.account.numbers, ["+14155550123"]);
}

#[test]
fn an_order_telnyx_never_got_is_said_and_forgotten() {
    let mut state = journaled(Some(unsettled_order_setup()));
    signed_in(&mut state);
    reply(&mut state, Reply::OrderFound(None));
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("never reached Telnyx: nothing was bought"), "{screen}");
    let Step::Resume(step) = &state.step else { panic!() };
    assert!(step.record.order.is_none());
}

#[test]
fn an_ignored_journal_is_said_where_the_setup_begins() {
    let mut state = state_with(Some(JOURNAL_KEY), KeySource::Flag);
    let ignored = "The setup journal /tmp/x/setups.json was ignored: it is not a journal this program wrote.";
    state.use_journal(Loaded { accounts: BTreeMap::new(), ignored: Some(ignored.into()) }, false);
    signed_in(&mut state);
    reply(&mut state, Reply::ConnectionsListed(page(vec![])));
    let screen = screen_text(&state, 120, 30);
    assert!(screen.contains("was ignored: it is not a journal this program wrote."), "{screen}");
}

/// Continuing a finished setup on its own connection and stopping before step 8: every
/// save on the way keeps what that setup made and that it was finished, so `token`
/// alone still finds its credential and the next prompt offers the whole setup. (The
/// numbers, kept before, are skipped now: a change, so the journal is saved.)
#[test]
fn continuing_a_finished_setup_and_stopping_early_keeps_it() {
    let finished = Record {
        numbers_done: true,
        credential: Some(Named { id: "cred-1".into(), name: "Lobby tablet".into() }),
        finished: true,
        ..earlier_setup()
    };
    let mut state = journaled(Some(finished.clone()));
    signed_in(&mut state);
    let mut saves = Vec::new();
    let mut keep = |cmds: Vec<Cmd>| saves.extend(journal_saves(&cmds).into_iter().cloned());
    keep(press(&mut state, KeyCode::Enter));
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    keep(reply(&mut state, Reply::ConnectionsListed(page(vec![ours]))));
    keep(press(&mut state, KeyCode::Enter));
    keep(press(&mut state, KeyCode::Enter));
    keep(reply(
        &mut state,
        Reply::ProfilesListed(page(vec![profile(SETUP_PROFILE, "WebRTC outbound", &["US", "CA"])])),
    ));
    keep(press(&mut state, KeyCode::Enter));
    keep(press(&mut state, KeyCode::Enter));
    assert!(matches!(state.step, Step::Numbers(_)), "{}", screen_text(&state, 100, 30));
    keep(reply(&mut state, Reply::ConnectionNumbers(Vec::new())));
    keep(press(&mut state, KeyCode::Char('s')));
    assert!(matches!(state.step, Step::Credential(_)), "{}", screen_text(&state, 100, 30));
    assert!(saves.last().is_some_and(|save| save.numbers_skipped), "the skip is saved: {saves:?}");
    for save in &saves {
        assert_eq!(save.credential, finished.credential, "{save:?}");
        assert!(save.finished && save.reached() == 8, "{save:?}");
        assert_eq!(save.profile, finished.profile, "{save:?}");
    }
}

/// Continuing a setup on another connection is choosing differently: its facts go.
#[test]
fn continuing_on_another_connection_forgets_the_earlier_ones() {
    let finished = Record {
        credential: Some(Named { id: "cred-1".into(), name: "Lobby tablet".into() }),
        finished: true,
        numbers_done: true,
        ..earlier_setup()
    };
    let mut state = journaled(Some(finished));
    signed_in(&mut state);
    press(&mut state, KeyCode::Enter);
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    let other = connection("1293384261075731499", "Office", &["G722"], None);
    reply(&mut state, Reply::ConnectionsListed(page(vec![ours, other])));
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let [save] = journal_saves(&cmds)[..] else { panic!("one save: {cmds:?}") };
    assert_eq!(save.connection.as_ref().map(|c| c.id.as_str()), Some("1293384261075731499"));
    assert!(save.credential.is_none() && save.profile.is_none() && !save.finished, "{save:?}");
}

/// A countries change of the continued setup's own profile, which another connection
/// uses too, goes without a question, and its Enter line names that connection even at
/// 80 columns: it wraps rather than cut off who else the change affects.
#[test]
fn a_countries_change_names_the_profiles_other_connection_at_80_columns() {
    let mut state = journaled(Some(earlier_setup()));
    signed_in(&mut state);
    press(&mut state, KeyCode::Enter);
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    let kiosk =
        marked(connection("1293384261075731460", "Kiosk tablets", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    reply(&mut state, Reply::ConnectionsListed(page(vec![ours, kiosk])));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    let mut own = profile(SETUP_PROFILE, "WebRTC outbound", &["US", "CA"]);
    own.tags = vec![MARK.to_owned()];
    reply(&mut state, Reply::ProfilesListed(page(vec![own])));
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.step, Step::Countries(_)), "{:?}", state.step);
    press(&mut state, KeyCode::Char(' '));
    let screen = screen_text(&state, 80, 24);
    let flat = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Enter: change countries of “WebRTC outbound”")
            && flat.contains("also affects connection Kiosk tablets (1293384261075731460)"),
        "{screen}"
    );
    assert!(screen.contains("Step 5 of 8: Countries"), "the header stays: {screen}");
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(requests(&cmds)[..], [Request::UpdateProfile { id, .. }, ..] if id == SETUP_PROFILE),
        "the setup's own profile changes without a question: {cmds:?}\n{}",
        screen_text(&state, 80, 24)
    );
}
