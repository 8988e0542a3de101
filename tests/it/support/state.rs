//! Builders shared by the update() and snapshot tests: a fresh State, key presses,
//! replies to the request in flight, and sample API records.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{SystemTime, UNIX_EPOCH};
use telnyx_setup::api::{
    ApiError, Balance, ConnectionInbound, ConnectionOutbound, CredentialConnection, ErrorMeta, ErrorSource,
    OutboundVoiceProfile, Page, PageMeta, TelnyxError,
};
use telnyx_setup::msg::{Cmd, Msg, OpId, Reply, Request};
use telnyx_setup::secret::{Secret, SecretRng};
use telnyx_setup::state::{KeySource, Start, State, Step};

/// The wall clock the tests' states start at, in Unix seconds: 2026-11-27 12:00:00 UTC.
pub const NOW_SECS: u64 = 1_795_780_800;

/// The real wall clock in Unix seconds, for checking what a server stamped.
pub fn now_unix_secs_real() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

pub fn now() -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_secs(NOW_SECS)
}

/// A fresh wizard whose generators are both seeded, so generated user names and
/// passwords are the same on every run (the snapshots show them).
pub fn state_with(key: Option<&str>, source: KeySource) -> State {
    let mut state = State::new(Start {
        key: key.map(Secret::from),
        key_source: source,
        seed: 1,
        color: false,
        now: now(),
        utc_offset: time::UtcOffset::UTC,
        mode: telnyx_setup::state::Mode::Wizard,
        api: telnyx_setup::state::ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
    });
    state.ctx.secret_rng = SecretRng::seeded(2);
    state
}

pub fn fresh() -> State {
    state_with(None, KeySource::Typed)
}

pub fn press(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    state.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(state: &mut State, c: char) -> Vec<Cmd> {
    state.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        let cmds = press(state, KeyCode::Char(c));
        assert!(cmds.is_empty(), "typing {c:?} should not issue commands: {cmds:?}");
    }
}

/// The operation the current screen waits for.
pub fn pending_op(state: &State) -> OpId {
    state.step.activity().pending.as_ref().expect("a request should be in flight").op
}

pub fn reply(state: &mut State, reply: Reply) -> Vec<Cmd> {
    let op = pending_op(state);
    state.update(Msg::Done { op, outcome: Ok(reply) })
}

pub fn fail(state: &mut State, error: ApiError) -> Vec<Cmd> {
    let op = pending_op(state);
    state.update(Msg::Done { op, outcome: Err(error) })
}

/// Every API request among `cmds`, in order (a screen's own, and lists sent ahead).
pub fn sent(cmds: &[Cmd]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|cmd| match cmd {
            Cmd::Call { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

/// Asserts that `cmds` send only the read of the numbers on the existing connection
/// `connection_id`: what Enter on it sends, ahead of step 6, so that the codecs and
/// attach questions can name them.
#[track_caller]
pub fn assert_reads_its_numbers(cmds: &[Cmd], connection_id: &str) {
    assert!(
        matches!(
            sent(cmds)[..],
            [Request::ListConnectionNumbers { connection_id: id }] if id == connection_id
        ),
        "only the numbers on {connection_id}, read ahead: {cmds:?}"
    );
}

/// Sign-in's requests: the key check, with steps 2 and 4's lists sent alongside it.
pub fn sign_in_request(cmds: &[Cmd]) -> &Request {
    match sent(cmds)[..] {
        [check @ Request::SignIn { .. }, Request::ListConnections, Request::ListProfiles] => check,
        _ => panic!("expected the key check and the connections and profiles lists, got {cmds:?}"),
    }
}

/// The single API request among `cmds`.
pub fn only_call(cmds: &[Cmd]) -> &Request {
    match cmds {
        [Cmd::Call { request, .. }] => request,
        other => panic!("expected one API call, got {other:?}"),
    }
}

pub fn balance() -> Balance {
    Balance {
        balance: "250.00".into(),
        available_credit: "250.00".into(),
        credit_limit: "0.00".into(),
        pending: "0.00".into(),
        currency: "USD".into(),
    }
}

pub fn connection(id: &str, name: &str, codecs: &[&str], profile: Option<&str>) -> CredentialConnection {
    CredentialConnection {
        id: id.into(),
        connection_name: name.into(),
        user_name: format!("user{id}"),
        password: Secret::from("password123"),
        active: true,
        inbound: ConnectionInbound { codecs: codecs.iter().map(|c| c.to_string()).collect() },
        outbound: ConnectionOutbound {
            outbound_voice_profile_id: profile.map(str::to_owned),
            ani_override: None,
        },
        created_at: None,
        tags: Vec::new(),
        ..Default::default()
    }
}

pub fn profile(id: &str, name: &str, countries: &[&str]) -> OutboundVoiceProfile {
    OutboundVoiceProfile {
        id: id.into(),
        name: name.into(),
        enabled: Some(true),
        traffic_type: Some("conversational".into()),
        service_plan: Some("global".into()),
        whitelisted_destinations: countries.iter().map(|c| c.to_string()).collect(),
        connections_count: Some(1),
        created_at: None,
        tags: Vec::new(),
        ..Default::default()
    }
}

pub fn page<T>(data: Vec<T>) -> Page<T> {
    let total = data.len() as u64;
    Page { data, meta: PageMeta { page_number: 1, page_size: 250, total_pages: 1, total_results: total } }
}

pub fn telnyx_error(code: &str, title: &str, detail: &str, pointer: Option<&str>) -> TelnyxError {
    TelnyxError {
        code: Some(code.into()),
        title: Some(title.into()),
        detail: Some(detail.into()),
        source: pointer.map(|p| ErrorSource { pointer: Some(p.into()), parameter: None }),
        meta: Some(ErrorMeta {
            url: Some(format!("https://developers.telnyx.com/docs/overview/errors/{code}")),
        }),
    }
}

pub fn rejected_key() -> ApiError {
    ApiError::Unauthorized(
        vec![telnyx_error(
            "10009",
            "Authentication failed",
            "Could not understand the provided credentials.",
            None,
        )]
        .into(),
    )
}

pub const EXISTING_CONNECTION: &str = "1293384261075731401";
pub const EXISTING_PROFILE: &str = "1293384261075731400";

/// Signed in, with the connection list loaded (one existing connection).
pub fn at_connections() -> State {
    let mut state = state_with(Some("KEYtest"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    reply(
        &mut state,
        Reply::ConnectionsListed(page(vec![connection(
            EXISTING_CONNECTION,
            "Office softphones",
            &["G722", "G711U"],
            Some(EXISTING_PROFILE),
        )])),
    );
    assert!(matches!(state.step, Step::Connection(_)));
    state
}

/// On the codecs screen for a new connection, named on step 2's form (nothing sent:
/// it is made on step 4 or 5, with the codecs chosen here).
pub fn at_codecs() -> State {
    let mut state = at_connections();
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "step 2's form sends nothing: {cmds:?}");
    assert!(matches!(state.step, Step::Codecs(_)));
    state
}

/// The connection [`at_codecs`] named, as Telnyx answers its create on `profile`.
pub fn made_connection(profile: &str) -> CredentialConnection {
    connection(
        "1293384261075731402",
        "WebRTC (telnyx-setup)",
        &["OPUS", "G722", "G711U", "G711A", "G729", "H.264", "VP8"],
        Some(profile),
    )
}

/// On the profile list, with one existing profile; the connection named on step 2 is
/// still to be made (Enter on a profile makes it on that profile).
pub fn at_profiles() -> State {
    let mut state = at_codecs();
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(
        !sent(&cmds)
            .iter()
            .any(|r| matches!(r, Request::UpdateConnection { .. } | Request::CreateConnection { .. })),
        "the codecs come with the create: {cmds:?}"
    );
    reply(
        &mut state,
        Reply::ProfilesListed(page(vec![profile(EXISTING_PROFILE, "Office outbound", &["US", "CA", "MX"])])),
    );
    assert!(matches!(state.step, Step::Profile(_)));
    state
}

/// On the countries screen of the existing profile, the connection made on it.
pub fn at_existing_profile_countries() -> State {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateConnection { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, EXISTING_PROFILE);
    reply(&mut state, Reply::ConnectionCreated(made_connection(EXISTING_PROFILE)));
    assert!(matches!(state.step, Step::Countries(_)));
    state
}

/// On the countries screen of a new profile "WebRTC outbound", named on step 4 and
/// made when the countries are saved (Telnyx's US and CA selected).
pub fn at_countries() -> State {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(sent(&cmds).is_empty(), "the profile is made with its countries, on step 5: {cmds:?}");
    assert!(matches!(&state.step, Step::Countries(step) if step.draft));
    state
}

/// On step 6's intro, with a connection "1293384261075731402" made on the new
/// profile "1293384261075731403", made with US and CA.
pub fn at_numbers() -> State {
    let mut state = at_countries();
    let cmds = to_numbers_from(&mut state);
    // The search the form starts with is sent ahead (the builders after this one
    // answer it as the form's own).
    assert!(
        matches!(sent(&cmds)[..], [Request::SearchNumbers(_)]) && cmds.len() == 1,
        "only the search ahead: {cmds:?}"
    );
    assert!(matches!(state.step, Step::Numbers(_)));
    // As for a connection that existed before this run, step 7 lists the credentials,
    // which the builders after this one answer (a new connection has none, so its list
    // is not asked for: update_purchase tests that).
    state.ctx.setup.connection_new = false;
    state
}

/// From [`at_countries`], Enter: the profile made with US and CA, then the connection
/// made on it. Returns what the create's answer sent (step 6's reads ahead).
pub fn to_numbers_from(state: &mut State) -> Vec<Cmd> {
    let cmds = press(state, KeyCode::Enter);
    let Request::CreateProfile { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.whitelisted_destinations, ["US", "CA"]);
    let cmds =
        reply(state, Reply::ProfileCreated(profile("1293384261075731403", "WebRTC outbound", &["US", "CA"])));
    let Request::CreateConnection { body, .. } = only_call(&cmds) else {
        panic!("then the connection: {cmds:?}")
    };
    assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, "1293384261075731403");
    let cmds = reply(state, Reply::ConnectionCreated(made_connection("1293384261075731403")));
    assert!(matches!(state.step, Step::Numbers(_)));
    cmds
}

pub fn available(number: &str, upfront: &str, monthly: &str) -> telnyx_setup::api::AvailableNumber {
    use telnyx_setup::api::{AvailableNumber, CostInformation, Feature, RegionInformation};
    AvailableNumber {
        phone_number: number.into(),
        cost_information: CostInformation {
            upfront_cost: upfront.into(),
            monthly_cost: monthly.into(),
            currency: "USD".into(),
        },
        features: ["voice", "sms"].map(|name| Feature { name: name.into() }).to_vec(),
        region_information: vec![
            RegionInformation { region_type: "country_code".into(), region_name: "US".into() },
            RegionInformation { region_type: "location".into(), region_name: "Chicago".into() },
            RegionInformation { region_type: "state".into(), region_name: "IL".into() },
        ],
    }
}

/// On the search results with two numbers listed.
pub fn at_results() -> State {
    at_results_with(vec![
        available("+13125550100", "1.00", "1.00"),
        available("+13125550199", "2.50", "3.25"),
    ])
}

/// On the cart, with both numbers of [`at_results`] in it.
pub fn at_cart_of_both() -> State {
    let mut state = at_results();
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Enter);
    state
}

/// On the search results, which are `found`.
pub fn at_results_with(found: Vec<telnyx_setup::api::AvailableNumber>) -> State {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::NumbersFound(found));
    state
}

pub fn order(status: &str, numbers: &[&str]) -> telnyx_setup::api::NumberOrder {
    use telnyx_setup::api::{NumberOrder, OrderedNumber};
    NumberOrder {
        id: "5b6a2b74-0f7c-4c55-9b1a-2d8c3f0b9e11".into(),
        status: status.into(),
        phone_numbers: numbers
            .iter()
            .map(|n| OrderedNumber {
                id: format!("id-{n}"),
                phone_number: (*n).into(),
                status: Some(status.into()),
                requirements_met: Some(true),
                requirements_status: Some("approved".into()),
            })
            .collect(),
        connection_id: Some("1293384261075731402".into()),
        customer_reference: None,
        requirements_met: Some(true),
    }
}

pub fn owned(number: &str) -> telnyx_setup::api::PhoneNumber {
    telnyx_setup::api::PhoneNumber {
        id: "1293384261075731500".into(),
        phone_number: number.into(),
        status: "active".into(),
        connection_id: Some("1293384261075731402".into()),
        connection_name: Some("WebRTC (telnyx-setup)".into()),
        phone_number_type: Some("local".into()),
    }
}

/// A JWT whose `exp` is `NOW_SECS + 24h` (unsigned: only its claims are read).
pub fn jwt() -> Secret {
    use base64::Engine;
    let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let claims = format!(r#"{{"sub":"connection:1","exp":{}}}"#, NOW_SECS + 24 * 3600);
    Secret::new(format!("{}.{}.c2lnbmF0dXJl", encode(r#"{"alg":"HS256","typ":"JWT"}"#), encode(&claims)))
}

pub fn credential() -> telnyx_setup::api::TelephonyCredential {
    telnyx_setup::api::TelephonyCredential {
        id: "c215ade3-0d39-418e-94be-c5f780760199".into(),
        name: Some("WebRTC login for WebRTC (telnyx-setup)".into()),
        resource_id: Some("connection:1293384261075731402".into()),
        tag: None,
        sip_username: "gencrednCvHU5IYpSBPPsXI2iQsDX".into(),
        sip_password: Secret::from("a92dbcfb60184a8cb330b0acb2f7617b"),
        expired: false,
        expires_at: None,
        created_at: None,
    }
}

/// On step 8 with a token generated.
pub fn at_token() -> State {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![])));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::CredentialCreated(credential()));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::TokenCreated(jwt()));
    assert!(matches!(state.step, Step::Token(_)));
    state
}

/// A sandbox-like connection record, as the inspector receives it.
pub fn connection_json(id: &str, name: &str, profile: Option<&str>) -> serde_json::Value {
    let mut record = serde_json::json!({
        "id": id,
        "record_type": "credential_connection",
        "connection_name": name,
        "user_name": format!("user{id}"),
        "password": "secret-password-1",
        "active": true,
        "inbound": { "codecs": ["G722", "VP8"] },
        "outbound": {},
    });
    if let Some(profile) = profile {
        record["outbound"]["outbound_voice_profile_id"] = serde_json::json!(profile);
    }
    record
}

pub fn number_json(index: usize, connection: &str) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{}", 9_000_000 + index),
        "record_type": "phone_number",
        "phone_number": format!("+1555{index:07}"),
        "status": "active",
        "connection_id": connection,
        "connection_name": "Office softphones",
    })
}

/// A page of raw records with its paging `meta`.
pub fn raw_page(data: Vec<serde_json::Value>, number: u32, total: u64) -> Page<serde_json::Value> {
    let size = telnyx_setup::state::PAGE_SIZE;
    Page {
        data,
        meta: PageMeta {
            page_number: number,
            page_size: size,
            total_pages: total.div_ceil(u64::from(size)) as u32,
            total_results: total,
        },
    }
}

/// The inspector on its sign-in screen, with a key from `source`.
pub fn inspector_signed_out(source: KeySource) -> State {
    State::new(Start {
        key: Some(Secret::from("KEYinspect")),
        key_source: source,
        seed: 1,
        color: false,
        now: now(),
        utc_offset: time::UtcOffset::UTC,
        mode: telnyx_setup::state::Mode::Inspector,
        api: telnyx_setup::state::ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
    })
}

/// The inspector, signed in, on its connections tab with two connections loaded.
pub fn inspector() -> State {
    let mut state = inspector_signed_out(KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    reply(
        &mut state,
        Reply::Browsed(raw_page(
            vec![
                connection_json(EXISTING_CONNECTION, "Office softphones", Some(EXISTING_PROFILE)),
                connection_json("1293384261075731409", "Lobby phones", None),
            ],
            1,
            2,
        )),
    );
    assert!(matches!(state.step, Step::Inspect(_)));
    state
}

/// The screen `state` draws at `width` x `height`, as text, one line a row.
pub fn screen_text(state: &State, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| telnyx_setup::ui::view(state, frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..height {
        for x in 0..width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// The codecs screen of the existing connection "Office softphones".
pub fn at_existing_codecs(codecs: &[&str]) -> State {
    let mut state = state_with(Some("KEYtest"), KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    let office = connection(EXISTING_CONNECTION, "Office softphones", codecs, None);
    reply(&mut state, Reply::ConnectionsListed(page(vec![office])));
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    answer_numbers_read(&mut state, &cmds);
    assert!(matches!(state.step, Step::Codecs(_)));
    state
}

/// Answers the read of the numbers on the existing connection just chosen, sent ahead
/// among `cmds`: it has none.
pub fn answer_numbers_read(state: &mut State, cmds: &[Cmd]) {
    let op = cmds
        .iter()
        .find_map(|cmd| match cmd {
            Cmd::Call { op, request: Request::ListConnectionNumbers { .. } } => Some(*op),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no read of the numbers: {cmds:?}"));
    state.update(Msg::Done { op, outcome: Ok(Reply::ConnectionNumbers(Vec::new())) });
}

/// On step 7 (numbers skipped) with `credentials` listed.
pub fn at_credentials_with(credentials: Vec<telnyx_setup::api::TelephonyCredential>) -> State {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(credentials)));
    assert!(matches!(state.step, Step::Credential(_)));
    state
}

// ----- a setup journal -----

use std::collections::BTreeMap;
use telnyx_setup::api::MARK;
use telnyx_setup::journal::{self, Loaded, Named, Record};

/// The base URL and key the state builders use, so the journal's account matches.
pub const JOURNAL_BASE: &str = "http://127.0.0.1:4010/v2";
pub const JOURNAL_KEY: &str = "KEYtest";
pub const SETUP_CONNECTION: &str = "1293384261075731402";
pub const SETUP_PROFILE: &str = "1293384261075731403";

/// The journal's id of the account the builders sign in to.
pub fn account() -> String {
    journal::account_id(JOURNAL_BASE, JOURNAL_KEY)
}

/// A state keeping a journal that holds `record` for this account (and one for another).
pub fn journaled(record: Option<Record>) -> State {
    let mut accounts = BTreeMap::new();
    accounts.insert(journal::account_id(JOURNAL_BASE, "KEYsomeoneelse"), earlier_setup());
    if let Some(record) = record {
        accounts.insert(account(), record);
    }
    let mut state = state_with(Some(JOURNAL_KEY), KeySource::Flag);
    state.use_journal(Loaded { accounts, ignored: None }, false);
    state
}

/// An earlier setup that got as far as the countries (started 2026-11-28 11:02 UTC).
pub fn earlier_setup() -> Record {
    Record {
        started_at: 1_795_863_720,
        updated_at: 1_795_863_900,
        connection: Some(Named { id: SETUP_CONNECTION.into(), name: "WebRTC (telnyx-setup)".into() }),
        codecs_saved: true,
        profile: Some(Named { id: SETUP_PROFILE.into(), name: "WebRTC outbound".into() }),
        countries_saved: true,
        ..Record::default()
    }
}

/// Enter on sign-in, and Telnyx accepts the key.
pub fn signed_in(state: &mut State) -> Vec<Cmd> {
    press(state, KeyCode::Enter);
    reply(state, Reply::KeyAccepted(balance()))
}

/// `connection` with telnyx-setup's mark in its tags.
pub fn marked(
    mut connection: telnyx_setup::api::CredentialConnection,
) -> telnyx_setup::api::CredentialConnection {
    connection.tags = vec![MARK.to_owned()];
    connection
}

/// Step 2 with two connections telnyx-setup made that the preselection cannot tell
/// apart (no time to tell them by) and one the user made between them: the list asks.
pub fn at_connections_alike() -> State {
    let mut state = journaled(None);
    signed_in(&mut state);
    let twin = |id: &str| marked(connection(id, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], None));
    let other = connection("1293384261075731431", "Office softphones", &["G722"], None);
    let listed = vec![twin("1293384261075731430"), other, twin("1293384261075731432")];
    reply(&mut state, Reply::ConnectionsListed(page(listed)));
    assert!(matches!(&state.step, Step::Connection(step) if step.list.tie.is_some()));
    state
}

/// Signed in with a journal holding [`earlier_setup`]: the continue prompt.
pub fn at_resume() -> State {
    let mut state = journaled(Some(earlier_setup()));
    signed_in(&mut state);
    assert!(matches!(state.step, Step::Resume(_)));
    state
}

/// Continues `record` with Enter to step 6, where the connection's numbers are being
/// read.
pub fn continued_to_numbers(record: Option<Record>) -> State {
    let mut state = journaled(record);
    signed_in(&mut state);
    from_the_prompt_to_countries(&mut state);
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.step, Step::Numbers(_)), "{}", screen_text(&state, 100, 30));
    state
}

/// From the continue prompt, Enter on every screen to step 5, the setup's connection
/// and profile listed and kept.
pub fn from_the_prompt_to_countries(state: &mut State) {
    press(state, KeyCode::Enter);
    let ours =
        marked(connection(SETUP_CONNECTION, "WebRTC (telnyx-setup)", &["OPUS", "VP8"], Some(SETUP_PROFILE)));
    reply(state, Reply::ConnectionsListed(page(vec![ours])));
    press(state, KeyCode::Enter);
    press(state, KeyCode::Enter);
    reply(state, Reply::ProfilesListed(page(vec![profile(SETUP_PROFILE, "WebRTC outbound", &["US", "CA"])])));
    press(state, KeyCode::Enter);
}

/// A number the setup's connection has.
pub fn number_on_connection() -> telnyx_setup::api::PhoneNumber {
    telnyx_setup::api::PhoneNumber {
        id: "num-1".into(),
        phone_number: "+14155550123".into(),
        status: "active".into(),
        connection_id: Some(SETUP_CONNECTION.into()),
        ..Default::default()
    }
}

/// The continue prompt for a setup whose order was sent without an answer, while the
/// order is looked up.
pub fn at_resume_finding_the_order() -> State {
    let mut state = journaled(Some(unsettled_order_setup()));
    signed_in(&mut state);
    assert!(state.busy());
    state
}

/// [`earlier_setup`] with an order sent at 2026-11-28 11:06 UTC whose answer never came.
pub fn unsettled_order_setup() -> Record {
    Record {
        order: Some(journal::OrderNote {
            reference: "telnyx-setup-0123456789abcdef".into(),
            placed_at: 1_795_863_960,
            id: None,
            status: None,
            numbers: vec!["+14155550123".into()],
        }),
        ..earlier_setup()
    }
}

/// On the codecs of an existing connection without VP8, which opens with VP8 ticked
/// (what `setup` keeps for codecs left open): VP8 unticked, so that Enter keeps the
/// codecs as they are and sends nothing.
pub fn untick_vp8(state: &mut State) {
    let Step::Codecs(step) = &state.step else { panic!("not on the codecs: {:?}", state.step) };
    if step.connection.inbound.codecs.iter().any(|c| c == "VP8") {
        return;
    }
    let row = step.choices.iter().position(|c| c.name == "VP8").expect("VP8 is listed");
    while let Step::Codecs(step) = &state.step
        && step.cursor < row
    {
        press(state, KeyCode::Down);
    }
    press(state, KeyCode::Char(' '));
}
