//! Fuzzing of response parsing: whatever comes back from the API (or from something
//! pretending to be it), the parsers never panic, never quote a body in an error, and
//! still read every valid answer.
//!
//! Every input goes through every public parser the product reads answers with:
//! [`parse_data`] and [`parse_page`] for each model type (balance, credential
//! connection, outbound voice profile, telephony credential, registration status,
//! available number, number order, phone number, and raw JSON for the inspector),
//! [`parse_token`], [`error_from_response`] for the status codes that matter, and the
//! login token's JWT decoding ([`LoginToken::new`]). Every error that results is shown
//! as the screens show it (Display, [`ApiError::hint`], [`ApiError::short_reason`]).
//!
//! The inputs are (a) arbitrary bytes, plain and JSON-like; (b) arbitrary JSON values,
//! bare and inside the `data`, `meta` and `errors` envelopes; (c) mutations of valid
//! sample answers: truncated at a random byte, a byte flipped, deleted or inserted, a
//! field replaced by a value of the wrong type; (d) valid variations of the samples
//! (any strings, optional fields dropped or null, unknown fields added); (e) any
//! status, `Retry-After` and body for [`error_from_response`]; (f) JWTs with any
//! claims, and strings that are no JWT.
//!
//! Invariants: no panic; a parse failure is an [`ApiError::Decode`] whose text never
//! contains the marker [`MARKER`] planted in the bodies' strings (bodies can hold
//! passwords); an HTTP error quotes only Telnyx's own `errors[]` text, never the rest
//! of the body, and maps the status as documented; parsed records never show a
//! password in their Debug output; valid samples and their valid variations parse;
//! `parse_data::<Value>` returns exactly the `data` it was given; a JWT's `exp` is read
//! whenever the token carries one as an integer.
//!
//! Case counts are the named constants below; failures are saved next to this file
//! (tests/it/fuzz_responses.proptest-regressions) and replayed first on the next run.

use base64::Engine;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::time::Duration;
use telnyx_setup::api::{
    ApiError, AvailableNumber, Balance, CredentialConnection, NumberOrder, OutboundVoiceProfile, PhoneNumber,
    RegistrationStatus, TelephonyCredential, TelnyxError, error_from_response, parse_data, parse_page,
    parse_token,
};
use telnyx_setup::secret::Secret;
use telnyx_setup::setup::LoginToken;

/// Cases of arbitrary bytes.
const BYTES_CASES: u32 = 4096;
/// Cases of arbitrary JSON values, each in six envelopes.
const JSON_CASES: u32 = 1024;
/// Cases of mutated sample answers.
const MUTATION_CASES: u32 = 4096;
/// Cases of valid variations of the sample answers.
const VARIATION_CASES: u32 = 2048;
/// Cases of HTTP error answers (status, Retry-After, body).
const ERROR_CASES: u32 = 4096;
/// Cases of login tokens.
const TOKEN_CASES: u32 = 4096;

/// Planted in the bodies' strings: no error may show it.
const MARKER: &str = "s3cr3t-marker";
/// Planted in the samples' password fields: no parsed record may show it. It contains
/// [`MARKER`], so no error may show it either.
const PASSWORD_MARKER: &str = "pw-s3cr3t-marker";

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

// ----- the parsers -----

/// A parser of the product, giving the Debug output of what it read.
type Parser = fn(&[u8]) -> Result<String, ApiError>;

fn shown<T: Debug>(parsed: Result<T, ApiError>) -> Result<String, ApiError> {
    parsed.map(|value| format!("{value:?}"))
}

macro_rules! parsers {
    ($($model:ty),* $(,)?) => {
        vec![$(
            (
                concat!("parse_data::<", stringify!($model), ">"),
                (|body: &[u8]| shown(parse_data::<$model>(body))) as Parser,
            ),
            (
                concat!("parse_page::<", stringify!($model), ">"),
                (|body: &[u8]| shown(parse_page::<$model>(body))) as Parser,
            ),
        )*]
    };
}

/// Every parser the product reads success bodies with.
fn parsers() -> Vec<(&'static str, Parser)> {
    let mut all = parsers![
        Balance,
        CredentialConnection,
        OutboundVoiceProfile,
        TelephonyCredential,
        RegistrationStatus,
        AvailableNumber,
        NumberOrder,
        PhoneNumber,
        Value,
    ];
    all.push(("parse_token", |body| shown(parse_token(body))));
    all
}

/// The statuses every body is also read as an error answer with.
const STATUSES: [u16; 9] = [400, 401, 403, 404, 422, 429, 500, 503, 302];

// ----- the invariants -----

fn contains(text: &str, needle: &str) -> bool {
    text.contains(needle)
}

/// Whether Telnyx's own error text (which the screens quote) carries the marker.
fn telnyx_text_has_marker(errors: &[TelnyxError]) -> bool {
    errors.iter().any(|e| {
        let source = e.source.as_ref();
        [
            e.code.as_deref(),
            e.title.as_deref(),
            e.detail.as_deref(),
            source.and_then(|s| s.pointer.as_deref()),
            source.and_then(|s| s.parameter.as_deref()),
            e.meta.as_ref().and_then(|m| m.url.as_deref()),
        ]
        .into_iter()
        .flatten()
        .any(|text| contains(text, MARKER))
    })
}

/// An error is shown without panicking, says something, and quotes nothing of the
/// body but Telnyx's `errors[]`.
fn check_error(what: &str, error: &ApiError) -> Result<(), TestCaseError> {
    let display = error.to_string();
    let debug = format!("{error:?}");
    prop_assert!(!display.trim().is_empty(), "{what}: an error with no text: {error:?}");
    prop_assert!(error.advice().is_none_or(|advice| !advice.is_empty()), "{what}: empty advice");
    let reason = error.short_reason();
    prop_assert!(!reason.is_empty() && !contains(&reason, MARKER), "{what}: short reason {reason:?}");
    let _ = (error.is_transient(), error.outcome_unknown());
    if !telnyx_text_has_marker(error.errors()) {
        prop_assert!(!contains(&display, MARKER), "{what}: the error quotes the body: {display}");
        prop_assert!(!contains(&debug, MARKER), "{what}: the error's Debug quotes the body: {debug}");
    }
    Ok(())
}

/// `error_from_response` maps statuses as its documentation says.
fn check_status(status: u16, retry_after: Option<Duration>, error: &ApiError) -> Result<(), TestCaseError> {
    let mapped = match error {
        ApiError::Unauthorized(_) => status == 401,
        ApiError::Forbidden(_) => status == 403,
        ApiError::NotFound(_) => status == 404,
        ApiError::Invalid { status: s, .. } => *s == status && matches!(status, 400 | 422),
        ApiError::RateLimited { retry_after: r } => status == 429 && *r == retry_after,
        ApiError::Server { status: s, .. } => *s == status && (500..=599).contains(&status),
        ApiError::Unexpected { status: s, .. } => {
            *s == status && !matches!(status, 400 | 401 | 403 | 404 | 422 | 429 | 500..=599)
        }
        ApiError::Timeout
        | ApiError::Unreachable(_)
        | ApiError::Transport(_)
        | ApiError::Redirected { .. }
        | ApiError::Decode(_) => false,
    };
    prop_assert!(mapped, "HTTP {status} became {error:?}");
    Ok(())
}

/// Every parser, the error mapping and the JWT decoding on one body.
fn check_body(body: &[u8], status: u16, retry_after: Option<Duration>) -> Result<(), TestCaseError> {
    for (name, parse) in parsers() {
        if let Err(error) = parse(body) {
            prop_assert!(matches!(error, ApiError::Decode(_)), "{name} failed with {error:?}");
            check_error(name, &error)?;
        }
    }
    for status in STATUSES.into_iter().chain([status]) {
        let error = error_from_response(status, retry_after, body);
        check_status(status, retry_after, &error)?;
        check_error("error_from_response", &error)?;
    }
    let token = LoginToken::new(Secret::new(String::from_utf8_lossy(body)));
    prop_assert!(!contains(&format!("{token:?}"), MARKER), "a login token shows its text");
    Ok(())
}

// ----- (a) arbitrary bytes -----

/// Pieces of JSON, so that random bytes get past the first character now and then.
const JSON_PIECES: [&str; 24] = [
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    " ",
    "\"data\"",
    "\"meta\"",
    "\"errors\"",
    "\"id\"",
    "\"password\"",
    "null",
    "true",
    "0",
    "-1",
    "1e999",
    "18446744073709551616",
    "\"\\ud800\"",
    "\\u00",
    MARKER,
    "\"s3cr3t-marker\"",
    "\u{feff}",
];

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        (prop::collection::vec(any::<u8>(), 0..64), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(before, after)| [before, MARKER.as_bytes().to_vec(), after].concat()),
        prop::collection::vec(prop::sample::select(JSON_PIECES.to_vec()), 0..40)
            .prop_map(|pieces| pieces.concat().into_bytes()),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![3 => prop::sample::select(STATUSES.to_vec()), 1 => any::<u16>()]
}

fn retry_after() -> impl Strategy<Value = Option<Duration>> {
    prop::option::of(any::<u64>().prop_map(Duration::from_secs))
}

proptest! {
    #![proptest_config(config(BYTES_CASES))]

    #[test]
    fn arbitrary_bytes_never_panic_nor_leak(body in bytes(), status in status(), retry_after in retry_after()) {
        check_body(&body, status, retry_after)?;
    }
}

// ----- (b) arbitrary JSON -----

/// Object keys: the models' field names (so typed parsers go deep) and others.
const KEYS: [&str; 24] = [
    "data",
    "meta",
    "errors",
    "id",
    "record_type",
    "password",
    "sip_password",
    "connection_name",
    "user_name",
    "name",
    "status",
    "phone_number",
    "phone_numbers",
    "cost_information",
    "upfront_cost",
    "currency",
    "inbound",
    "codecs",
    "outbound",
    "outbound_voice_profile_id",
    "total_results",
    "source",
    "pointer",
    "detail",
];

fn string() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        6 => prop::char::range(' ', '~'),
        1 => prop::sample::select(vec!['\n', '\u{0}', '\u{1b}', '"', '\\', 'é', '日', '😀', '\u{fffd}']),
    ];
    prop_oneof![
        4 => prop::collection::vec(chars, 0..16).prop_map(String::from_iter),
        1 => Just(MARKER.to_owned()),
        1 => "[a-z]{0,6}".prop_map(|s| format!("{s}{MARKER}{s}")),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key =
            prop_oneof![3 => prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned), 1 => string()];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config(JSON_CASES))]

    #[test]
    fn arbitrary_json_never_panics_nor_leaks(value in json_value(), other in json_value(), status in status()) {
        let bodies = [
            value.clone(),
            json!({ "data": value }),
            json!({ "data": [value, other] }),
            json!({ "data": [value], "meta": other }),
            json!({ "errors": value }),
            json!({ "errors": [value, other] }),
        ];
        for body in &bodies {
            check_body(&serde_json::to_vec(body).expect("JSON serialises"), status, None)?;
        }
        // The inspector's raw records come back exactly as sent.
        let data = parse_data::<Value>(&serde_json::to_vec(&bodies[1]).unwrap());
        prop_assert_eq!(data.ok(), Some(value.clone()));
        let page = parse_page::<Value>(&serde_json::to_vec(&bodies[2]).unwrap());
        prop_assert_eq!(page.ok().map(|page| page.data), Some(vec![value, other]));
    }
}

// ----- the samples -----

/// A valid answer of one endpoint, as Telnyx sends it.
struct Sample {
    name: &'static str,
    body: Value,
    /// The product's parser for this answer.
    parse: Parser,
    /// Fields the model reads as `Option`, which may also be null.
    nullable: &'static [&'static str],
    /// The parsed value's Debug must not show [`PASSWORD_MARKER`] (false for raw JSON,
    /// which the inspector shows as it came).
    redacts: bool,
}

/// Keys a valid variation never drops: what the models require.
const REQUIRED: [&str; 3] = ["data", "id", "phone_number"];

fn connection_record(id: &str) -> Value {
    json!({
        "id": id, "record_type": "credential_connection", "active": true,
        "connection_name": "Office softphones", "user_name": "webrtcuser42", "password": PASSWORD_MARKER,
        "created_at": "2026-11-27T12:00:00.000Z", "updated_at": "2026-11-27T12:00:00.000Z",
        "anchorsite_override": "Latency", "sip_uri_calling_preference": "disabled",
        "inbound": { "codecs": ["G722", "G711U", "VP8"], "channel_limit": 10 },
        "outbound": { "outbound_voice_profile_id": "1293384261075731400", "channel_limit": 10 },
    })
}

fn profile_record(id: &str) -> Value {
    json!({
        "id": id, "record_type": "outbound_voice_profile", "name": "Office outbound", "enabled": true,
        "traffic_type": "conversational", "service_plan": "global", "concurrent_call_limit": null,
        "whitelisted_destinations": ["US", "CA"], "connections_count": 2, "tags": ["office"],
        "daily_spend_limit": "100.00", "max_destination_rate": 10.5,
    })
}

fn credential_record(id: &str) -> Value {
    json!({
        "id": id, "record_type": "credential", "name": "WebRTC login", "tag": "telnyx-setup",
        "resource_id": "connection:1293384261075731402", "sip_username": "gencrednCvHU5IYpSBPPsXI2iQsDX",
        "sip_password": PASSWORD_MARKER, "expired": false, "expires_at": "2027-01-31T00:00:00Z",
        "user_id": "user-1", "created_at": "2026-11-27T12:00:00Z",
    })
}

fn order_record() -> Value {
    json!({
        "id": "5b6a2b74-0f7c-4c55-9b1a-2d8c3f0b9e11", "record_type": "number_order", "status": "pending",
        "phone_numbers_count": 1, "connection_id": "1293384261075731402",
        "customer_reference": "telnyx-setup-0123456789abcdef", "requirements_met": true,
        "phone_numbers": [{
            "id": "id-1", "record_type": "number_order_phone_number", "phone_number": "+13125550100",
            "status": "pending", "requirements_met": false, "requirements_status": "requirement-info-pending",
            "regulatory_requirements": [],
        }],
        "created_at": "2026-11-27T12:00:00Z",
    })
}

fn phone_record() -> Value {
    json!({
        "id": "1293384261075731500", "record_type": "phone_number", "phone_number": "+13125550100",
        "status": "active", "connection_id": "1293384261075731402", "connection_name": "WebRTC (telnyx-setup)",
        "phone_number_type": "local", "tags": [], "emergency_enabled": false,
    })
}

fn meta() -> Value {
    json!({ "page_number": 1, "page_size": 20, "total_pages": 1, "total_results": 2 })
}

fn samples() -> Vec<Sample> {
    vec![
        Sample {
            name: "GET /balance",
            body: json!({ "data": {
                "record_type": "balance", "balance": "300.00", "available_credit": "300.00",
                "credit_limit": "0.00", "pending": "10.00", "currency": "USD",
            }}),
            parse: |b| shown(parse_data::<Balance>(b)),
            nullable: &[],
            redacts: true,
        },
        Sample {
            name: "GET /credential_connections/{id}",
            body: json!({ "data": connection_record("1293384261075731402") }),
            parse: |b| shown(parse_data::<CredentialConnection>(b)),
            nullable: &["/data/created_at", "/data/outbound/outbound_voice_profile_id"],
            redacts: true,
        },
        Sample {
            name: "GET /credential_connections",
            body: json!({
                "data": [connection_record("1293384261075731401"), connection_record("1293384261075731402")],
                "meta": meta(),
            }),
            parse: |b| shown(parse_page::<CredentialConnection>(b)),
            nullable: &["/data/0/created_at", "/data/1/outbound/outbound_voice_profile_id"],
            redacts: true,
        },
        Sample {
            name: "GET /outbound_voice_profiles",
            body: json!({ "data": [profile_record("1293384261075731400"), profile_record("2")], "meta": meta() }),
            parse: |b| shown(parse_page::<OutboundVoiceProfile>(b)),
            nullable: &[
                "/data/0/enabled",
                "/data/0/traffic_type",
                "/data/0/service_plan",
                "/data/1/connections_count",
            ],
            redacts: true,
        },
        Sample {
            name: "PATCH /outbound_voice_profiles/{id}",
            body: json!({ "data": profile_record("1293384261075731400") }),
            parse: |b| shown(parse_data::<OutboundVoiceProfile>(b)),
            nullable: &[
                "/data/enabled",
                "/data/traffic_type",
                "/data/service_plan",
                "/data/connections_count",
            ],
            redacts: true,
        },
        Sample {
            name: "POST /telephony_credentials",
            body: json!({ "data": credential_record("c215ade3-0d39-418e-94be-c5f780760199") }),
            parse: |b| shown(parse_data::<TelephonyCredential>(b)),
            nullable: &["/data/name", "/data/resource_id", "/data/expires_at"],
            redacts: true,
        },
        Sample {
            name: "GET /telephony_credentials",
            body: json!({ "data": [credential_record("c1"), credential_record("c2")], "meta": meta() }),
            parse: |b| shown(parse_page::<TelephonyCredential>(b)),
            nullable: &["/data/0/name", "/data/1/resource_id", "/data/1/expires_at"],
            redacts: true,
        },
        Sample {
            name: "POST /credential_connections/{id}/actions/check_registration_status",
            body: json!({ "data": {
                "record_type": "registration_status", "status": "Registered", "sip_username": "webrtcuser42",
                "ip_address": "192.0.2.10:5060", "transport": "WSS", "user_agent": "TelnyxRTC/2.0",
                "last_registration": "2026-11-27T12:00:00Z",
            }}),
            parse: |b| shown(parse_data::<RegistrationStatus>(b)),
            nullable: &[
                "/data/sip_username",
                "/data/ip_address",
                "/data/transport",
                "/data/user_agent",
                "/data/last_registration",
            ],
            redacts: true,
        },
        Sample {
            name: "GET /available_phone_numbers",
            body: json!({
                "data": [{
                    "record_type": "available_phone_number", "phone_number": "+13125550100",
                    "vanity_format": "", "best_effort": false, "quickship": true, "reservable": true,
                    "region_information": [
                        { "region_type": "country_code", "region_name": "US" },
                        { "region_type": "location", "region_name": "Chicago" },
                    ],
                    "cost_information": { "upfront_cost": "1.00", "monthly_cost": "1.00", "currency": "USD" },
                    "features": [{ "name": "voice" }, { "name": "sms" }],
                }],
                "metadata": { "total_results": 1, "best_effort_results": 0 },
            }),
            parse: |b| shown(parse_page::<AvailableNumber>(b)),
            nullable: &[],
            redacts: true,
        },
        Sample {
            name: "POST /number_orders",
            body: json!({ "data": order_record() }),
            parse: |b| shown(parse_data::<NumberOrder>(b)),
            nullable: &[
                "/data/connection_id",
                "/data/customer_reference",
                "/data/requirements_met",
                "/data/phone_numbers/0/status",
                "/data/phone_numbers/0/requirements_met",
                "/data/phone_numbers/0/requirements_status",
            ],
            redacts: true,
        },
        Sample {
            name: "GET /number_orders",
            body: json!({ "data": [order_record()], "meta": meta() }),
            parse: |b| shown(parse_page::<NumberOrder>(b)),
            nullable: &["/data/0/connection_id", "/data/0/customer_reference"],
            redacts: true,
        },
        Sample {
            name: "GET /phone_numbers",
            body: json!({ "data": [phone_record()], "meta": meta() }),
            parse: |b| shown(parse_page::<PhoneNumber>(b)),
            nullable: &["/data/0/connection_id", "/data/0/connection_name", "/data/0/phone_number_type"],
            redacts: true,
        },
        Sample {
            name: "PATCH /phone_numbers/{id}",
            body: json!({ "data": phone_record() }),
            parse: |b| shown(parse_data::<PhoneNumber>(b)),
            nullable: &["/data/connection_id", "/data/connection_name", "/data/phone_number_type"],
            redacts: true,
        },
        Sample {
            name: "GET /credential_connections (inspector, raw)",
            body: json!({ "data": [connection_record("1"), profile_record("2"), phone_record()], "meta": meta() }),
            parse: |b| shown(parse_page::<Value>(b)),
            nullable: &["/data/0/created_at"],
            redacts: false,
        },
        Sample {
            name: "GET /outbound_voice_profiles/{id} (inspector, raw)",
            body: json!({ "data": profile_record("1293384261075731400") }),
            parse: |b| shown(parse_data::<Value>(b)),
            nullable: &["/data/enabled"],
            redacts: false,
        },
    ]
}

/// An error answer as Telnyx sends it, with the marker in its own text.
fn error_sample() -> Value {
    json!({ "errors": [{
        "code": "10015", "title": "Invalid value",
        "detail": format!("user_name {MARKER} is taken"),
        "source": { "pointer": "/user_name" },
        "meta": { "url": "https://developers.telnyx.com/docs/overview/errors/10015" },
    }, { "code": "10005", "title": "Resource not found" }]})
}

/// A JWT as Telnyx issues it: header, claims, signature (never checked).
fn jwt_with(claims: &str, signature: &str) -> String {
    let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    format!("{}.{}.{signature}", encode(r#"{"alg":"HS256","typ":"JWT"}"#), encode(claims))
}

#[test]
fn the_samples_parse() {
    for sample in samples() {
        let body = serde_json::to_vec(&sample.body).unwrap();
        match (sample.parse)(&body) {
            Ok(debug) => {
                assert!(!sample.redacts || !debug.contains(PASSWORD_MARKER), "{}: {debug}", sample.name)
            }
            Err(error) => panic!("{}: {error}", sample.name),
        }
        for pointer in sample.nullable {
            assert!(sample.body.pointer(pointer).is_some(), "{}: no field at {pointer}", sample.name);
        }
    }
    let body = serde_json::to_vec(&error_sample()).unwrap();
    let error = error_from_response(422, None, &body);
    assert_eq!(error.errors().len(), 2, "{error:?}");
    assert!(error.to_string().contains(MARKER), "Telnyx's own detail is shown: {error}");
    let jwt = jwt_with(r#"{"exp":1795867200}"#, "c2ln");
    assert_eq!(parse_token(format!("{jwt}\n").as_bytes()).map(|t| t.expose().to_owned()), Ok(jwt.clone()));
    assert_eq!(LoginToken::new(Secret::new(jwt)).expires_at, Some(1_795_867_200));
}

#[test]
fn the_checks_catch_what_they_guard() {
    // An error that quotes the body (not Telnyx's errors[]) fails the leak check.
    assert!(check_error("test", &ApiError::Decode(format!("bad body: {MARKER}"))).is_err());
    // A status mapped the wrong way fails the status check.
    assert!(check_status(404, None, &ApiError::Server { status: 404, errors: vec![].into() }).is_err());
    assert!(
        check_status(429, Some(Duration::from_secs(3)), &ApiError::RateLimited { retry_after: None })
            .is_err()
    );
}

// ----- (c) mutations of valid samples -----

/// Values of every JSON type, to put where another type belongs.
fn wrong_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(MARKER),
        json!([]),
        json!([MARKER]),
        json!({}),
        json!({ "id": MARKER }),
    ]
}

fn json_type(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

/// Every node's JSON pointer, the root first.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                pointers(field, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn all_pointers(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    pointers(value, String::new(), &mut out);
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the node at a pointer with a value of another type.
    WrongType(Index, Index),
    /// Cut the body at a byte.
    Truncate(Index),
    /// XOR a byte with a non-zero mask.
    Flip(Index, u8),
    Delete(Index),
    Insert(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, value)| Mutation::WrongType(at, value)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        1 => any::<Index>().prop_map(Mutation::Delete),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert(at, byte)),
    ]
}

/// Applies the mutations: the structural ones to the JSON, then the byte-level ones to
/// its text. Returns the body, and whether only values were replaced (the structure,
/// and so where the passwords are, is intact).
fn mutate(sample: &Sample, mutations: &[Mutation]) -> (Vec<u8>, bool) {
    let mut value = sample.body.clone();
    for mutation in mutations {
        if let Mutation::WrongType(at, replacement) = mutation {
            let pointers = all_pointers(&value);
            let pointer = &pointers[at.index(pointers.len())];
            let node = value.pointer_mut(pointer).expect("a pointer just listed");
            let choices: Vec<Value> =
                wrong_values().into_iter().filter(|v| json_type(v) != json_type(node)).collect();
            *node = choices[replacement.index(choices.len())].clone();
        }
    }
    let mut body = serde_json::to_vec(&value).expect("JSON serialises");
    let mut structural = true;
    for mutation in mutations {
        let len = body.len();
        match mutation {
            Mutation::WrongType(..) => continue,
            Mutation::Truncate(at) => body.truncate(at.index(len + 1)),
            Mutation::Flip(at, mask) if len > 0 => body[at.index(len)] ^= *mask,
            Mutation::Delete(at) if len > 0 => {
                body.remove(at.index(len));
            }
            Mutation::Insert(at, byte) => body.insert(at.index(len + 1), *byte),
            Mutation::Flip(..) | Mutation::Delete(_) => {}
        }
        structural = false;
    }
    (body, structural)
}

proptest! {
    #![proptest_config(config(MUTATION_CASES))]

    #[test]
    fn mutated_samples_never_panic_nor_leak(
        sample in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
        status in status(),
    ) {
        let samples = samples();
        let sample = &samples[sample.index(samples.len())];
        let (body, structural) = mutate(sample, &mutations);
        check_body(&body, status, None)?;
        if let Ok(debug) = (sample.parse)(&body)
            && structural
            && sample.redacts
        {
            prop_assert!(!contains(&debug, PASSWORD_MARKER), "{}: a password shows: {debug}", sample.name);
        }
    }
}

// ----- (d) valid variations of the samples -----

#[derive(Debug, Clone)]
enum Variation {
    /// Any string in place of a string.
    Text(Index, String),
    /// An optional field dropped.
    Drop(Index),
    /// A field the model reads as Option set to null.
    Null(Index),
    /// A field the models do not know, with any value.
    Unknown(Index, String, Value),
}

fn variation() -> impl Strategy<Value = Variation> {
    prop_oneof![
        3 => (any::<Index>(), string()).prop_map(|(at, text)| Variation::Text(at, text)),
        2 => any::<Index>().prop_map(Variation::Drop),
        2 => any::<Index>().prop_map(Variation::Null),
        2 => (any::<Index>(), "[a-z_]{1,10}", json_value())
            .prop_map(|(at, key, value)| Variation::Unknown(at, format!("x_{key}"), value)),
    ]
}

fn vary(sample: &Sample, variations: &[Variation]) -> Value {
    let mut value = sample.body.clone();
    for variation in variations {
        let pointers = all_pointers(&value);
        let pick = |at: &Index, keep: &dyn Fn(&str, &Value) -> bool| {
            let candidates: Vec<&String> =
                pointers.iter().filter(|p| keep(p, value.pointer(p).expect("listed"))).collect();
            (!candidates.is_empty()).then(|| candidates[at.index(candidates.len())].clone())
        };
        match variation {
            Variation::Text(at, text) => {
                if let Some(p) = pick(at, &|_, node| node.is_string()) {
                    *value.pointer_mut(&p).expect("listed") = json!(text);
                }
            }
            Variation::Drop(at) => {
                let droppable = |p: &str, _: &Value| {
                    let key = p.rsplit('/').next().unwrap_or_default();
                    // Object members only (array items keep their places), never a required one.
                    !p.is_empty() && !key.chars().all(|c| c.is_ascii_digit()) && !REQUIRED.contains(&key)
                };
                if let Some(p) = pick(at, &droppable) {
                    let (parent, key) = p.rsplit_once('/').expect("a member");
                    if let Some(Value::Object(fields)) = value.pointer_mut(parent) {
                        fields.remove(key);
                    }
                }
            }
            Variation::Null(at) => {
                let present: Vec<&str> =
                    sample.nullable.iter().copied().filter(|p| value.pointer(p).is_some()).collect();
                if !present.is_empty() {
                    *value.pointer_mut(present[at.index(present.len())]).expect("present") = Value::Null;
                }
            }
            Variation::Unknown(at, key, extra) => {
                if let Some(p) = pick(at, &|_, node| node.is_object())
                    && let Some(Value::Object(fields)) = value.pointer_mut(&p)
                {
                    fields.insert(key.clone(), extra.clone());
                }
            }
        }
    }
    value
}

proptest! {
    #![proptest_config(config(VARIATION_CASES))]

    #[test]
    fn valid_variations_of_the_samples_parse(
        sample in any::<Index>(),
        variations in prop::collection::vec(variation(), 0..6),
    ) {
        let samples = samples();
        let sample = &samples[sample.index(samples.len())];
        let value = vary(sample, &variations);
        let body = serde_json::to_vec(&value).expect("JSON serialises");
        match (sample.parse)(&body) {
            Ok(debug) => prop_assert!(
                !sample.redacts || !contains(&debug, PASSWORD_MARKER),
                "{}: a password shows: {debug}",
                sample.name
            ),
            Err(error) => {
                return Err(TestCaseError::fail(format!("{}: a valid answer was refused: {error}\n{value}", sample.name)));
            }
        }
        check_body(&body, 200, None)?;
    }
}

// ----- (e) HTTP error answers -----

fn error_body() -> impl Strategy<Value = Vec<u8>> {
    let telnyx_error = (
        prop::option::of(string()),
        prop::option::of(string()),
        prop::option::of(string()),
        prop::option::of((prop::option::of(string()), prop::option::of(string()))),
    )
        .prop_map(|(code, title, detail, source)| {
            let mut error = json!({ "code": code, "title": title, "detail": detail });
            if let Some((pointer, parameter)) = source {
                error["source"] = json!({ "pointer": pointer, "parameter": parameter });
            }
            error
        });
    prop_oneof![
        2 => prop::collection::vec(telnyx_error, 0..3)
            .prop_map(|errors| serde_json::to_vec(&json!({ "errors": errors, "password": MARKER })).unwrap()),
        1 => json_value().prop_map(|value| serde_json::to_vec(&json!({ "errors": value, "data": MARKER })).unwrap()),
        1 => bytes(),
        1 => Just(b"<html><body>502 Bad Gateway s3cr3t-marker</body></html>".to_vec()),
    ]
}

proptest! {
    #![proptest_config(config(ERROR_CASES))]

    #[test]
    fn error_answers_map_their_status_and_quote_only_telnyx(
        status in any::<u16>(),
        retry_after in retry_after(),
        body in error_body(),
    ) {
        let error = error_from_response(status, retry_after, &body);
        check_status(status, retry_after, &error)?;
        check_error("error_from_response", &error)?;
        // Telnyx's first error is what the screen quotes, when it says anything, with its
        // control characters escaped; and no control character is left raw.
        let message = error.to_string();
        if let Some(first) = error.errors().first()
            && let Some(detail) = first.detail.as_deref().filter(|d| !d.is_empty())
        {
            let shown = telnyx_setup::sanitize::escape_controls(detail);
            prop_assert!(message.contains(shown.as_ref()), "{message} leaves out {shown:?}");
        }
        prop_assert!(!message.chars().any(telnyx_setup::sanitize::is_control), "raw control in {message:?}");
    }
}

// ----- (f) login tokens -----

fn token_text() -> impl Strategy<Value = String> {
    let claims = prop_oneof![
        2 => any::<i64>().prop_map(|exp| json!({ "exp": exp, "sub": "connection:1" })),
        1 => json_value().prop_map(|value| json!({ "exp": value })),
        1 => json_value(),
    ];
    let signature = prop_oneof![Just(String::new()), Just("c2ln".to_owned()), Just(MARKER.to_owned())];
    prop_oneof![
        3 => (claims, signature).prop_map(|(claims, signature)| jwt_with(&claims.to_string(), &signature)),
        1 => string(),
        1 => (string(), string(), string()).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
    ]
}

proptest! {
    #![proptest_config(config(TOKEN_CASES))]

    #[test]
    fn login_tokens_decode_without_panicking_or_showing(text in token_text()) {
        let token = LoginToken::new(Secret::new(text.clone()));
        let debug = format!("{token:?}");
        prop_assert!(!contains(&debug, MARKER), "the token shows in {debug}");
        prop_assert!(text.len() < 12 || !contains(&debug, &text), "the token shows in {debug}");
        // A JWT's integer `exp` is read; anything else leaves the expiry unknown.
        let parts: Vec<&str> = text.split('.').collect();
        let claims = parts.get(1).and_then(|part| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok())
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        let header_ok = parts.first().is_some_and(|h| *h == jwt_with("{}", "").split('.').next().unwrap());
        if parts.len() == 3 && header_ok && let Some(Value::Object(claims)) = &claims {
            let expected = match claims.get("exp") {
                None | Some(Value::Null) => Some(None),
                Some(exp) => exp.as_i64().map(Some),
            };
            if let Some(expected) = expected {
                prop_assert_eq!(token.expires_at, expected, "claims {:?}", claims);
            }
        }
        // The token endpoint's body is the token, trimmed, when it is a JWT: three
        // base64url parts, a header with its `alg`, claims that are a JSON object, a
        // signature. Anything else is refused, with an error that does not quote it.
        let trimmed: Vec<&str> = text.trim().split('.').collect();
        let decoded = |part: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok();
        let claims_object = trimmed.get(1).and_then(|part| decoded(part))
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .is_some_and(|claims| claims.is_object());
        let is_jwt = trimmed.len() == 3
            && trimmed[0] == jwt_with("{}", "").split('.').next().unwrap()
            && claims_object
            && !trimmed[2].is_empty()
            && decoded(trimmed[2]).is_some();
        match parse_token(text.as_bytes()) {
            Ok(secret) => {
                prop_assert!(is_jwt, "{text:?} accepted");
                prop_assert_eq!(secret.expose(), text.trim());
            }
            Err(error) => {
                prop_assert!(!is_jwt, "{text:?} refused: {error}");
                check_error("parse_token", &error)?;
            }
        }
    }
}
