//! A hostile Telnyx API on loopback: every string field of every answer holds
//! [`PLANTED`] (shell metacharacters, a newline, quotes, curl's private-use variable
//! marker naming the key, terminal escapes), prices are negative or unreadable, and the
//! login token is a JWT with a command after it. It keeps every request it is sent
//! (method, path, body), so a test can say that no key left in a body, and it is also
//! the server a printed plan's curl commands go to when a shell runs them.
//!
//! It is a server of its own, not the sandbox's fault injection: a real attacker
//! answers whatever it likes, ids included. A record asked for by id answers with that
//! id (so `--connection 1001` finds it, as it would on Telnyx); every other id, and
//! every reference to another record, is planted too.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// What every string field holds: a newline that would start a shell line, command
/// substitutions, quotes of both kinds, a comment, curl's variable marker around the
/// key's name, a window title, a screen clear, an 8-bit CSI and a DEL.
pub const PLANTED: &str = "Office\ntouch pwned #$(touch pwned)`touch pwned`'\"};touch pwned;\
                           \u{E000}TELNYX_API_KEY\u{E000}\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}31m\u{7f}";

/// The login token it gives: a well-formed JWT, then a command for a shell that
/// `eval`s it unquoted, then terminal escapes.
pub const PLANTED_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln$(touch pwned)\
                                 \u{1b}]0;PWNED\u{7}\u{1b}[2J";

/// A login token that is only a JWT, for a server hostile everywhere else, so that a
/// setup gets as far as its summary.
pub const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln";

/// One request it was sent.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The path and query, as sent (percent-encoded).
    pub target: String,
    pub body: String,
}

/// The running server; it stops when dropped.
pub struct Hostile {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Hostile {
    /// Starts on a free loopback port, giving [`PLANTED_TOKEN`]; call from a tokio runtime.
    pub async fn start() -> Self {
        Self::start_with_token(PLANTED_TOKEN).await
    }

    /// Starts, giving `token` as the login token.
    pub async fn start_with_token(token: &'static str) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new().fallback(answer).with_state((seen.clone(), token));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let base = format!("http://{}/v2", listener.local_addr().expect("its address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, seen, task }
    }

    /// The API base, `http://127.0.0.1:PORT/v2`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Every request sent so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    State((seen, token)): State<(Arc<Mutex<Vec<Seen>>>, &'static str)>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let target = uri.path_and_query().map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let body = String::from_utf8_lossy(&body).into_owned();
    seen.lock().unwrap().push(Seen { method: method.to_string(), target, body });
    let path: Vec<String> = uri
        .path()
        .trim_start_matches("/v2")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let get = method == Method::GET;
    let data = match path.as_slice() {
        ["balance"] => one(plant(json!({
            "record_type": "balance", "balance": "100.00", "available_credit": "100.00",
            "credit_limit": "0.00", "pending": "0.00", "currency": "USD"
        }))),
        ["credential_connections"] if get => page(connection(None)),
        ["credential_connections"] => one(connection(None)),
        ["credential_connections", id] => one(connection(Some(id))),
        ["credential_connections", _, "actions", "check_registration_status"] => one(json!({
            "record_type": "registration_status", "status": "Not Registered", "sip_username": "u",
            "ip_address": "1", "transport": "UDP", "user_agent": "x", "last_registration": "now"
        })),
        ["outbound_voice_profiles"] if get => page(profile(None)),
        ["outbound_voice_profiles"] => one(profile(None)),
        ["outbound_voice_profiles", id] => one(profile(Some(id))),
        ["telephony_credentials"] if get => page(credential(None)),
        ["telephony_credentials"] => one(credential(None)),
        ["telephony_credentials", _, "token"] => {
            return ([(header::CONTENT_TYPE, "text/plain")], token).into_response();
        }
        ["telephony_credentials", id] => one(credential(Some(id))),
        ["available_phone_numbers"] => {
            // Prices that are not amounts: one negative, one unreadable.
            let mut number = plant(json!({
                "record_type": "available_phone_number", "phone_number": "+13125550100",
                "cost_information": { "currency": "USD" },
                "features": [{ "name": "voice" }],
                "region_information": [{ "region_type": "location", "region_name": "Chicago" }],
            }));
            number["cost_information"]["upfront_cost"] = json!("-250.00");
            number["cost_information"]["monthly_cost"] = json!("n/a");
            json!({ "data": [number], "meta": { "total_results": 1, "best_effort_results": 0 } })
        }
        ["phone_numbers"] if get => page(plant(json!({
            "record_type": "phone_number", "id": "1", "phone_number": "+13125550199",
            "connection_id": "1", "status": "active"
        }))),
        ["number_orders"] if get => page(order()),
        ["number_orders"] | ["number_orders", _] => one(order()),
        _ => {
            let errors = plant(json!({ "errors": [{ "code": "10005", "title": "t", "detail": "d" }] }));
            return (StatusCode::NOT_FOUND, axum::Json(errors)).into_response();
        }
    };
    axum::Json(data).into_response()
}

fn one(record: Value) -> Value {
    json!({ "data": record })
}

fn page(record: Value) -> Value {
    json!({
        "data": [record],
        "meta": { "page_number": 1, "page_size": 250, "total_pages": 1, "total_results": 1 }
    })
}

/// `value` with every string in it replaced by [`PLANTED`].
pub fn plant(value: Value) -> Value {
    match value {
        Value::String(_) => Value::String(PLANTED.to_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(plant).collect()),
        Value::Object(fields) => Value::Object(fields.into_iter().map(|(k, v)| (k, plant(v))).collect()),
        other => other,
    }
}

/// A record with every string planted, but its `id` the one asked for, if one was.
fn with_id(record: Value, id: Option<&str>) -> Value {
    let mut record = plant(record);
    if let Some(id) = id {
        record["id"] = json!(id);
    }
    record
}

fn connection(id: Option<&str>) -> Value {
    with_id(
        json!({
            "record_type": "credential_connection", "id": "1001", "connection_name": "n",
            "user_name": "u", "password": "p", "active": true,
            "inbound": { "codecs": ["G722", "OPUS"] },
            "outbound": { "outbound_voice_profile_id": "2001" },
            "created_at": "t", "updated_at": "t", "tags": ["telnyx-setup"]
        }),
        id,
    )
}

fn profile(id: Option<&str>) -> Value {
    with_id(
        json!({
            "record_type": "outbound_voice_profile", "id": "2001", "name": "n", "enabled": true,
            "traffic_type": "conversational", "service_plan": "global",
            "whitelisted_destinations": ["US", "CA"], "connections_count": 1,
            "tags": ["telnyx-setup"], "created_at": "t"
        }),
        id,
    )
}

fn credential(id: Option<&str>) -> Value {
    with_id(
        json!({
            "record_type": "credential", "id": "c", "name": "n", "resource_id": "connection:1001",
            "tag": "telnyx-setup", "sip_username": "u", "sip_password": "p", "expired": false,
            "expires_at": "t", "created_at": "t", "updated_at": "t"
        }),
        id,
    )
}

fn order() -> Value {
    plant(json!({
        "record_type": "number_order", "id": "o", "status": "success",
        "phone_numbers": [{ "phone_number": "+13125550100", "status": "success" }],
        "connection_id": "1001", "customer_reference": "r", "requirements_met": true
    }))
}

/// `%XX` sequences decoded (as UTF-8, lossily): a path segment as the client meant it.
fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}
