//! Contract tests: every request the product sends and every answer the sandbox gives
//! must keep the OpenAPI contract in `tests/fixtures/openapi-subset.json`.
//!
//! The checker lives in `support::contract` (request bodies, deepObject query keys,
//! declared statuses and content types, response bodies against their schemas). Here:
//!
//! - every `api::Client` method runs against a sandbox, with successes and the 401, 404
//!   and 422 refusals the contract declares, and the whole journal is checked;
//! - the wizard runs end to end (state machine + real worker) by pressing Enter on
//!   every screen, and its journal is checked;
//! - fabricated exchanges prove the checker fails when it should.

use crate::support::contract::{Contract, Report};
use crate::support::{api_base, client, new_connection};
use axum::body::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, SystemTime};
use telnyx_setup::api::{
    self, ApiError, CredentialConnectionUpdate, InboundUpdate, NewNumberOrder, NewOutboundVoiceProfile,
    NewTelephonyCredential, NumberSearch, OrderedNumberRequest, OutboundUpdate, OutboundVoiceProfileUpdate,
    PageRequest, PhoneNumberFilter, PhoneNumberUpdate, TelephonyCredentialFilter,
};
use telnyx_setup::app::{Effects, dispatch};
use telnyx_setup::clipboard::{CopyMethod, Recording};
use telnyx_setup::msg::Msg;
use telnyx_setup::sandbox::{Exchange, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{KeySource, NumbersScreen, STEP_TITLES, Start, State, Step};
use telnyx_setup::worker;

/// How long one worker answer may take before the test gives up.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// An id no record has (connections and profiles use numeric ids, credentials UUIDs).
const MISSING_ID: &str = "1";
const MISSING_UUID: &str = "00000000-0000-4000-8000-000000000000";

fn attach(profile_id: &str) -> CredentialConnectionUpdate {
    CredentialConnectionUpdate {
        inbound: None,
        outbound: Some(OutboundUpdate { outbound_voice_profile_id: profile_id.to_owned() }),
    }
}

fn countries(name: &str, codes: &[&str]) -> OutboundVoiceProfileUpdate {
    OutboundVoiceProfileUpdate {
        name: name.to_owned(),
        whitelisted_destinations: codes.iter().map(|c| c.to_string()).collect(),
    }
}

/// Asserts `outcome` failed with the variant `matches` accepts.
#[track_caller]
fn refused<T: std::fmt::Debug>(outcome: Result<T, ApiError>, matches: fn(&ApiError) -> bool) {
    match outcome {
        Err(error) if matches(&error) => {}
        other => panic!("unexpected outcome: {other:?}"),
    }
}

fn unauthorized(error: &ApiError) -> bool {
    matches!(error, ApiError::Unauthorized(_))
}

fn not_found(error: &ApiError) -> bool {
    matches!(error, ApiError::NotFound(_))
}

fn invalid(error: &ApiError) -> bool {
    matches!(error, ApiError::Invalid { status: 422, .. })
}

#[tokio::test]
async fn every_client_method_keeps_the_contract() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let api = client(&sandbox.base_url(), "KEYcontract");

    // Successes, in the order the wizard and its follow-up steps use them.
    api.balance().await.unwrap();
    let connections = api.list_credential_connections(PageRequest::first(250), None).await.unwrap();
    api.list_credential_connections(PageRequest::default(), Some("Office")).await.unwrap();
    let connection =
        api.create_credential_connection(&new_connection("Contract", "contract01")).await.unwrap();
    api.credential_connection(&connection.id).await.unwrap();
    let codecs = CredentialConnectionUpdate {
        inbound: Some(InboundUpdate { codecs: vec!["OPUS".into(), "VP8".into(), "G722".into()] }),
        outbound: None,
    };
    api.update_credential_connection(&connection.id, &codecs).await.unwrap();
    api.check_registration_status(&connection.id).await.unwrap();
    let profiles = api.list_outbound_voice_profiles(PageRequest::first(20), None).await.unwrap();
    api.list_outbound_voice_profiles(PageRequest::default(), Some("Office")).await.unwrap();
    let profile =
        api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Contract calls")).await.unwrap();
    api.outbound_voice_profile(&profile.id).await.unwrap();
    api.update_credential_connection(&connection.id, &attach(&profile.id)).await.unwrap();
    api.update_outbound_voice_profile(&profile.id, &countries("Contract calls", &["US", "DE"]))
        .await
        .unwrap();
    let credential = api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: connection.id.clone(),
            name: Some("contract".into()),
            tag: Some("contract-tests".into()),
            expires_at: Some("2099-01-01T00:00:00Z".into()),
        })
        .await
        .unwrap();
    api.list_telephony_credentials(
        PageRequest::first(50),
        &TelephonyCredentialFilter {
            resource_id: Some(format!("connection:{}", connection.id)),
            tag: Some("contract-tests".into()),
        },
    )
    .await
    .unwrap();
    api.list_telephony_credentials(PageRequest::default(), &TelephonyCredentialFilter::default())
        .await
        .unwrap();
    api.telephony_credential(&credential.id).await.unwrap();
    api.create_token(&credential.id).await.unwrap();
    // Only the required field: what Telnyx fills in must keep the schema too.
    let bare = api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: connection.id.clone(),
            ..NewTelephonyCredential::default()
        })
        .await
        .unwrap();
    api.telephony_credential(&bare.id).await.unwrap();

    // Numbers: search, order, follow the order, find and assign the bought number.
    let search = NumberSearch {
        country_code: "US".into(),
        locality: "Chicago".into(),
        phone_number_type: "local".into(),
        features: vec!["voice".into(), "sms".into()],
        limit: 3,
        ..NumberSearch::default()
    };
    let offered = api.search_available_numbers(&search).await.unwrap();
    let number = offered.first().expect("the sandbox offers Chicago numbers").phone_number.clone();
    let abroad = NumberSearch {
        country_code: "GB".into(),
        contains: "20".into(),
        limit: 2,
        ..NumberSearch::default()
    };
    api.search_available_numbers(&abroad).await.unwrap();
    let order_body = |phone_number: &str| NewNumberOrder {
        phone_numbers: vec![OrderedNumberRequest { phone_number: phone_number.to_owned() }],
        connection_id: Some(connection.id.clone()),
        customer_reference: Some("contract-order".into()),
    };
    let order = api.create_number_order(&order_body(&number)).await.unwrap();
    api.number_order(&order.id).await.unwrap();
    api.list_number_orders(PageRequest::first(1), Some("contract-order")).await.unwrap();
    api.list_number_orders(PageRequest::default(), None).await.unwrap();
    let by_connection = PhoneNumberFilter { connection_id: Some(connection.id.clone()), phone_number: None };
    let owned = api.list_phone_numbers(PageRequest::first(20), &by_connection).await.unwrap();
    let owned_id = &owned.data.first().expect("the ordered number is listed").id;
    let digits = PhoneNumberFilter { connection_id: None, phone_number: Some(number[2..8].to_owned()) };
    api.list_phone_numbers(PageRequest::default(), &digits).await.unwrap();
    let assign = PhoneNumberUpdate { connection_id: connection.id.clone() };
    api.update_phone_number(owned_id, &assign).await.unwrap();

    // 422: input the schemas allow but Telnyx refuses.
    refused(api.create_credential_connection(&new_connection("Taken", "contract01")).await, invalid);
    refused(api.update_credential_connection(&connection.id, &attach(MISSING_ID)).await, invalid);
    refused(
        api.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Bell\u{7} calls")).await,
        invalid,
    );
    refused(
        api.update_outbound_voice_profile(&profile.id, &countries("Contract calls", &["XX"])).await,
        invalid,
    );
    let seeded_profile =
        &profiles.data.iter().find(|p| p.name == "Office outbound").expect("the seed has a profile").id;
    refused(api.delete_outbound_voice_profile(seeded_profile).await, invalid);
    refused(
        api.create_telephony_credential(&NewTelephonyCredential {
            connection_id: MISSING_ID.into(),
            ..NewTelephonyCredential::default()
        })
        .await,
        invalid,
    );

    refused(api.create_number_order(&order_body(&number)).await, invalid);
    refused(api.create_number_order(&order_body("+13125550100")).await, invalid);

    // 404: ids nobody has.
    refused(api.credential_connection(MISSING_ID).await, not_found);
    refused(api.update_credential_connection(MISSING_ID, &codecs).await, not_found);
    refused(api.delete_credential_connection(MISSING_ID).await, not_found);
    refused(api.outbound_voice_profile(MISSING_ID).await, not_found);
    refused(api.update_outbound_voice_profile(MISSING_ID, &countries("Nobody", &["US"])).await, not_found);
    refused(api.delete_outbound_voice_profile(MISSING_ID).await, not_found);
    refused(api.telephony_credential(MISSING_UUID).await, not_found);
    refused(api.delete_telephony_credential(MISSING_UUID).await, not_found);
    refused(api.create_token(MISSING_UUID).await, not_found);
    refused(api.number_order(MISSING_UUID).await, not_found);
    refused(api.update_phone_number(MISSING_ID, &assign).await, not_found);

    // 401: a bad key, on every operation whose contract declares 401 (or `default`).
    // CreateTelephonyCredential and CreateTelephonyCredentialToken declare neither;
    // tests/it/client.rs covers how the client reads a 401 in general.
    let stranger = client(&sandbox.base_url(), "not-a-key");
    let seeded_connection = &connections.data[0].id;
    refused(stranger.balance().await, unauthorized);
    refused(stranger.list_credential_connections(PageRequest::default(), None).await, unauthorized);
    refused(
        stranger.create_credential_connection(&new_connection("Stranger", "stranger01")).await,
        unauthorized,
    );
    refused(stranger.credential_connection(seeded_connection).await, unauthorized);
    refused(stranger.update_credential_connection(seeded_connection, &codecs).await, unauthorized);
    refused(stranger.delete_credential_connection(seeded_connection).await, unauthorized);
    refused(stranger.list_outbound_voice_profiles(PageRequest::default(), None).await, unauthorized);
    refused(
        stranger.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Stranger")).await,
        unauthorized,
    );
    refused(stranger.outbound_voice_profile(seeded_profile).await, unauthorized);
    refused(
        stranger.update_outbound_voice_profile(seeded_profile, &countries("Stranger", &["US"])).await,
        unauthorized,
    );
    refused(stranger.delete_outbound_voice_profile(seeded_profile).await, unauthorized);
    refused(
        stranger
            .list_telephony_credentials(PageRequest::default(), &TelephonyCredentialFilter::default())
            .await,
        unauthorized,
    );
    refused(stranger.telephony_credential(&credential.id).await, unauthorized);
    refused(stranger.delete_telephony_credential(&credential.id).await, unauthorized);

    refused(stranger.search_available_numbers(&search).await, unauthorized);
    refused(stranger.create_number_order(&order_body(&number)).await, unauthorized);
    refused(stranger.number_order(&order.id).await, unauthorized);
    refused(stranger.list_number_orders(PageRequest::default(), None).await, unauthorized);
    refused(stranger.list_phone_numbers(PageRequest::default(), &by_connection).await, unauthorized);
    refused(stranger.update_phone_number(owned_id, &assign).await, unauthorized);

    // Deletes last, so the records above exist while they are used.
    api.delete_telephony_credential(&credential.id).await.unwrap();
    api.delete_telephony_credential(&bare.id).await.unwrap();
    api.delete_credential_connection(&connection.id).await.unwrap();
    api.delete_outbound_voice_profile(&profile.id).await.unwrap();

    let report = Contract::load().check_all(&sandbox.journal());
    report.assert_clean();
    let expected = [
        "GetUserBalance",
        "ListCredentialConnections",
        "CreateCredentialConnection",
        "RetrieveCredentialConnection",
        "UpdateCredentialConnection",
        "DeleteCredentialConnection",
        "CheckRegistrationStatus",
        "ListOutboundVoiceProfiles",
        "CreateVoiceProfile",
        "GetOutboundVoiceProfile",
        "UpdateOutboundVoiceProfile",
        "DeleteOutboundVoiceProfile",
        "FindTelephonyCredentials",
        "CreateTelephonyCredential",
        "GetTelephonyCredential",
        "DeleteTelephonyCredential",
        "CreateTelephonyCredentialToken",
        "ListAvailablePhoneNumbers",
        "CreateNumberOrder",
        "RetrieveNumberOrder",
        "ListNumberOrders",
        "ListPhoneNumbers",
        "UpdatePhoneNumber",
    ];
    assert_eq!(
        report.operations,
        expected.iter().map(|id| id.to_string()).collect(),
        "every client method was exercised"
    );
    for status in [200, 201, 401, 404, 422] {
        assert!(report.statuses.contains(&status), "no {status} among {:?}", report.statuses);
    }
}

/// The wizard with the loop's effects, as `app::run` wires them (a recording clipboard
/// stands in for the terminal's).
struct Wizard {
    state: State,
    effects: Effects,
}

impl Wizard {
    /// Feeds one key to the wizard, then the worker's answers until nothing is in
    /// flight.
    async fn press(&mut self, code: KeyCode) {
        let key = Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
        dispatch(&mut self.state, &mut self.effects, key);
        while self.state.busy() {
            let reply = tokio::time::timeout(REPLY_TIMEOUT, self.effects.worker.replies.recv())
                .await
                .unwrap_or_else(|_| panic!("no answer within {REPLY_TIMEOUT:?} on {}", self.screen()))
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, reply);
        }
    }

    /// The step's title as the header shows it, for messages.
    fn screen(&self) -> &'static str {
        match &self.state.step {
            Step::Finish(_) => "Finish",
            step => STEP_TITLES[step.number() - 1],
        }
    }
}

impl Wizard {
    fn new(sandbox: &Sandbox) -> Self {
        Self {
            state: State::new(Start {
                key: Some(Secret::new("KEYtest")),
                key_source: KeySource::Flag,
                seed: 7,
                color: false,
                now: SystemTime::now(),
                utc_offset: time::UtcOffset::UTC,
                mode: telnyx_setup::state::Mode::Wizard,
                api: telnyx_setup::state::ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
            }),
            effects: Effects {
                worker: worker::spawn(api_base(&sandbox.base_url()), api::http_client()),
                clipboard: Box::new(Recording::answering(Ok(CopyMethod::Osc52))),
            },
        }
    }

    /// Drives the wizard to the summary: `y` where a question needs it, Enter
    /// elsewhere, except where `key` says otherwise. Returns the screens seen.
    async fn walk(&mut self, key: impl Fn(&Step) -> Option<KeyCode>) -> Vec<&'static str> {
        let mut screens = vec![self.screen()];
        for _ in 0..30 {
            if matches!(self.state.step, Step::Finish(_)) {
                break;
            }
            let step = &self.state.step;
            let question = step.screen().change().is_some()
                || matches!(step, Step::Numbers(numbers) if numbers.screen == NumbersScreen::Confirm);
            let code = key(step).unwrap_or(if question { KeyCode::Char('y') } else { KeyCode::Enter });
            self.press(code).await;
            if let Some(problem) = &self.state.step.activity().problem {
                panic!("the {} screen shows a problem: {problem:?}", self.screen());
            }
            screens.push(self.screen());
        }
        screens.dedup();
        assert!(
            matches!(self.state.step, Step::Finish(_)),
            "the wizard did not finish; screens seen: {screens:?}\n{}",
            crate::support::state::screen_text(&self.state, 100, 30)
        );
        screens
    }
}

#[tokio::test]
async fn the_wizard_end_to_end_keeps_the_contract() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();

    // A first setup, Enter on every screen: sign in; connection (open the form,
    // create); codecs (keep); profile (open the form, create and attach); countries
    // (one more ticked with Space, so there is a change to save, then save); numbers
    // (search, add the first result to the cart, review it, then `y`, the only key that
    // buys, and Enter once the order is settled); credential (open the form, create,
    // continue); token (generate, finish).
    let mut wizard = Wizard::new(&sandbox);
    let tick_once = std::sync::atomic::AtomicBool::new(false);
    let screens = wizard
        .walk(|step| {
            let first = matches!(step, Step::Countries(_))
                && !tick_once.swap(true, std::sync::atomic::Ordering::Relaxed);
            first.then_some(KeyCode::Char(' '))
        })
        .await;
    let all = [
        "Sign in",
        "Connection",
        "Codecs",
        "Voice profile",
        "Countries",
        "Numbers",
        "Credential",
        "Token",
        "Finish",
    ];
    assert_eq!(screens, all);
    // Then one on a connection made before this run (the second in the list), whose
    // numbers and credentials are read: Enter keeps its numbers, or the step is skipped;
    // its first codec is turned off (the PATCH of a connection: the first walk made its
    // connection with its codecs and on its profile, in one create); the profile it has
    // (made by the first walk) gets one more country, saved by PATCH.
    let mut second = Wizard::new(&sandbox);
    let tick_again = std::sync::atomic::AtomicBool::new(false);
    let toggle_codec = std::sync::atomic::AtomicBool::new(false);
    let screens = second
        .walk(|step| match step {
            Step::Codecs(_) if !toggle_codec.swap(true, std::sync::atomic::Ordering::Relaxed) => {
                Some(KeyCode::Char(' '))
            }
            Step::Countries(_) if !tick_again.swap(true, std::sync::atomic::Ordering::Relaxed) => {
                Some(KeyCode::Char(' '))
            }
            Step::Connection(connection) if connection.list.is_loaded() && connection.list.cursor == 0 => {
                Some(KeyCode::Down)
            }
            // Enter goes on with numbers the connection has; without any, skip.
            Step::Numbers(numbers)
                if numbers.screen == NumbersScreen::Intro
                    && numbers.existing.as_ref().is_some_and(Vec::is_empty) =>
            {
                Some(KeyCode::Char('s'))
            }
            _ => None,
        })
        .await;
    assert_eq!(screens, all);

    let journal = sandbox.journal();
    let contract = Contract::load();
    let report = contract.check_all(&journal);
    report.assert_clean();
    // Every operation the wizard relies on went over the wire.
    for operation in [
        "GetUserBalance",
        "ListCredentialConnections",
        "CreateCredentialConnection",
        "UpdateCredentialConnection",
        "ListOutboundVoiceProfiles",
        "CreateVoiceProfile",
        "UpdateOutboundVoiceProfile",
        "ListAvailablePhoneNumbers",
        "ListNumberOrders",
        "CreateNumberOrder",
        "RetrieveNumberOrder",
        "ListPhoneNumbers",
        "FindTelephonyCredentials",
        "CreateTelephonyCredential",
        "CreateTelephonyCredentialToken",
    ] {
        assert!(
            report.operations.contains(operation),
            "the wizard never called {operation}; it called {:?}",
            report.operations
        );
    }
}

fn exchange(method: &str, path: &str, query: Option<&str>, body: &str) -> Exchange {
    Exchange {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.map(str::to_owned),
        request_body: Bytes::from(body.to_owned()),
        status: 201,
        content_type: Some("application/json".to_owned()),
        response_body: Bytes::from_static(br#"{"data":{"id":"1293384261075731401"}}"#),
        fault: None,
    }
}

/// The problems the checker finds in one exchange, as text.
fn problems(contract: &Contract, exchange: &Exchange) -> Vec<String> {
    contract.check(exchange).iter().map(ToString::to_string).collect()
}

#[track_caller]
fn assert_caught(contract: &Contract, exchange: &Exchange, expected: &[&str]) {
    let found = problems(contract, exchange);
    assert!(!found.is_empty(), "the checker missed a violation in {exchange:?}");
    for text in expected {
        assert!(
            found.iter().any(|p| p.contains(text)),
            "expected a violation mentioning {text:?}, got:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_checker_catches_violations() {
    let contract = Contract::load();
    let valid_create = r#"{"connection_name":"a","user_name":"abcd1","password":"12345678"}"#;

    // The baseline is clean, so each case below fails for its own reason.
    let clean = exchange("POST", "/credential_connections", None, valid_create);
    assert_eq!(problems(&contract, &clean), Vec::<String>::new());

    // (a) A create body without `password`; one with a wrongly typed field.
    let no_password =
        exchange("POST", "/credential_connections", None, r#"{"connection_name":"a","user_name":"abcd1"}"#);
    assert_caught(&contract, &no_password, &["request body", "password"]);
    let wrong_type = exchange(
        "POST",
        "/credential_connections",
        None,
        r#"{"connection_name":"a","user_name":"abcd1","password":"12345678","active":"yes"}"#,
    );
    assert_caught(&contract, &wrong_type, &["/active"]);
    let missing_body = exchange("POST", "/credential_connections", None, "");
    assert_caught(&contract, &missing_body, &["required"]);

    // (b) Query keys: undeclared parameter, undeclared deepObject property, a value
    // beyond the maximum, a non-integer page.
    let mut list = exchange("GET", "/credential_connections", None, "");
    list.status = 200;
    list.response_body = Bytes::from_static(br#"{"data":[],"meta":{"page_number":1}}"#);
    for (query, expected) in [
        ("page%5Bsize%5D=10&bogus=1", "`bogus`"),
        ("filter%5Bname%5D%5Bcontains%5D=x", "`name`"),
        ("filter%5Bconnection_name%5D%5Bstarts_with%5D=x", "`starts_with`"),
        ("page%5Bsize%5D=1000", "page[size]=1000"),
        ("page%5Bnumber%5D=first", "page[number]=first"),
        ("filter=x", "`filter`"),
    ] {
        list.query = Some(query.to_owned());
        assert_caught(&contract, &list, &[expected]);
    }
    list.query = Some(
        "page%5Bnumber%5D=2&page%5Bsize%5D=250&filter%5Bconnection_name%5D%5Bcontains%5D=x&sort=active"
            .to_owned(),
    );
    assert_eq!(problems(&contract, &list), Vec::<String>::new());

    // (c) An undeclared status (no `default` on this operation).
    let mut teapot = clean.clone();
    teapot.status = 418;
    assert_caught(&contract, &teapot, &["status 418 is not declared"]);

    // (d) A content type the response does not declare; JSON where text is declared.
    let mut text = clean.clone();
    text.content_type = Some("text/plain".to_owned());
    assert_caught(&contract, &text, &["content type `text/plain`"]);
    let mut token = exchange("POST", "/telephony_credentials/x/token", None, "");
    token.content_type = Some("application/json".to_owned());
    assert_caught(&contract, &token, &["application/json"]);

    // (e) A response body that breaks its schema.
    let mut bad_response = clean.clone();
    bad_response.response_body = Bytes::from_static(br#"{"data":{"id":5,"inbound":{"codecs":"G722"}}}"#);
    assert_caught(&contract, &bad_response, &["response body", "/data/id", "/data/inbound/codecs"]);

    // A templated path (`/credential_connections/{id}`) is checked the same way.
    let mut patch = exchange("PATCH", "/credential_connections/5", None, r#"{"inbound":{"codecs":"OPUS"}}"#);
    patch.status = 200;
    patch.response_body = Bytes::from_static(br#"{"data":{"outbound":{"outbound_voice_profile_id":null}}}"#);
    assert_caught(
        &contract,
        &patch,
        &["request body at /inbound/codecs", "response body at /data/outbound/outbound_voice_profile_id"],
    );

    // Array filters travel comma-separated and each item must fit the enum.
    let mut search = exchange("GET", "/available_phone_numbers", None, "");
    search.status = 200;
    search.response_body = Bytes::from_static(br#"{"data":[]}"#);
    search.query = Some("filter%5Bfeatures%5D=voice,sms&filter%5Blimit%5D=5".to_owned());
    assert_eq!(problems(&contract, &search), Vec::<String>::new());
    search.query = Some("filter%5Bfeatures%5D=voice,telepathy".to_owned());
    assert_caught(&contract, &search, &["filter[features]=voice,telepathy"]);

    // A response declared without content (a profile's 404) describes no body, so
    // whatever body comes is accepted; the status must still be declared.
    let mut gone = exchange("GET", "/outbound_voice_profiles/5", None, "");
    gone.status = 404;
    gone.response_body = Bytes::from_static(br#"{"errors":[{"code":"10005"}]}"#);
    assert_eq!(problems(&contract, &gone), Vec::<String>::new());
    gone.status = 409;
    assert_caught(&contract, &gone, &["status 409 is not declared"]);

    // No operation at all.
    let unknown = exchange("GET", "/whoami", None, "");
    assert_caught(&contract, &unknown, &["no operation"]);

    // And a whole report fails readably.
    let report: Report = contract.check_all(&[clean, no_password]);
    let message = report.failure().expect("the report has a violation");
    assert!(
        message.starts_with("1 contract violation(s) in 2 exchanges:")
            && message.contains("POST /credential_connections -> 201 (CreateCredentialConnection)"),
        "{message}"
    );
}
