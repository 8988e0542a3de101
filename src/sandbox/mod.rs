//! The embedded sandbox: a stateful fake of the Telnyx API v2 that answers as the
//! contract says (status codes, `errors[]` bodies, content types, paging).
//!
//! `--demo` and `telnyx-setup sandbox` serve it on loopback, and every test runs
//! against it. Keys starting with `KEY` are accepted. Each exchange is kept in a
//! bounded journal so tests can check what the product sent against the contract.
//!
//! [`Seed::faults`] makes it misbehave on purpose (error statuses, timeouts, dropped
//! connections, spoiled bodies, latency): see the [`faults`] module for the rules.
//!
//! No client can make it hold much ([`Limits`]): the key is checked before a body is
//! read, so an unauthenticated request costs nothing; bodies are capped (413, refused
//! from their `Content-Length` when it is given); the journal is capped in bytes as well
//! as in exchanges; a request's head and body must arrive in time, or the connection is
//! closed (the head, sooner) or answered 408 (the body); and only so many connections
//! are open at once, a new one closing the oldest that serves no request (so half-open
//! connections cannot starve a request), or waiting in the listen queue when every one
//! is serving.

mod calls;
mod connections;
mod contract;
mod credentials;
pub mod faults;
mod idempotency;
mod numbers;
mod persist;
mod profiles;
mod respond;
mod rtc;
pub mod scenario;
mod store;

pub use calls::{CallRecord, CallState, Ending, Rejection};
pub use connections::KNOWN_CODECS;
pub use credentials::TOKEN_LIFETIME;
pub use faults::{BadFaultRule, FaultPlan, FaultRule, HOSTILE_TEXT};
pub use scenario::{Scenario, UnknownScenario};
pub use store::Seed;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use respond::{Failure, Handled, data};
use serde_json::json;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot, watch};

/// Where the API is mounted, as on api.telnyx.com.
pub const BASE_PATH: &str = "/v2";
/// Where WebRTC signaling is served (a WebSocket, on the API's port): see [`rtc`].
pub const SIGNALING_PATH: &str = "/rtc";
/// The most phone numbers a sandbox account may start with (`--seed-numbers`): each is
/// about 1 KiB of JSON in memory.
pub const MAX_SEED_NUMBERS: usize = 100_000;
/// How many exchanges the journal keeps; older ones are dropped.
const JOURNAL_LIMIT: usize = 10_000;

/// What one sandbox lets its clients make it hold. The defaults are far beyond what the
/// product sends (its largest body, a profile's countries or an order, is a few KiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Larger request bodies are answered 413, unread.
    pub body_bytes: usize,
    /// The journal keeps exchanges while their bodies add up to at most this; older
    /// ones are dropped first.
    pub journal_bytes: usize,
    /// A request's body must arrive within this, or it is answered 408; a signaling
    /// socket must log in within it, or it is closed.
    pub read_timeout: Duration,
    /// A request's head must arrive within this, or the connection is closed (hyper's
    /// header read timeout, which also ends idle keep-alive connections): shorter than
    /// [`Self::read_timeout`], as a half-open connection holds a place.
    pub head_timeout: Duration,
    /// Connections open at once. When a new one comes at the bound, the oldest one
    /// not serving a request (idle, or still sending its head) is closed for it; when
    /// every one is serving a request, it waits in the listen queue. Signaling sockets
    /// are counted apart, up to the same number: a further one is answered 503.
    pub connections: usize,
    /// Records of each kind (connections, profiles, credentials, number orders) an
    /// account holds; a create beyond is answered 422.
    pub records: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 256 * 1024,
            journal_bytes: 32 * 1024 * 1024,
            read_timeout: Duration::from_secs(30),
            head_timeout: Duration::from_secs(10),
            connections: 128,
            records: 1000,
        }
    }
}

/// One request and its answer, as the sandbox saw them (no headers: they carry the key).
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// Path below [`BASE_PATH`], e.g. `/credential_connections/12`.
    pub path: String,
    pub query: Option<String>,
    pub request_body: Bytes,
    pub status: u16,
    pub content_type: Option<String>,
    pub response_body: Bytes,
    /// The fault rule that fired on this exchange (`GET /balance=429`), if any. The
    /// status and body are what the client got, except under `timeout` and `reset`,
    /// which send none: there they are what the handler produced.
    pub fault: Option<String>,
}

impl Exchange {
    /// A GET, or the registration-status check: the requests that change nothing, and
    /// the only ones the read-only inspector may make.
    pub fn is_read(&self) -> bool {
        self.method == "GET"
            || (self.method == "POST"
                && self
                    .path
                    .strip_prefix("/credential_connections/")
                    .and_then(|rest| rest.strip_suffix("/actions/check_registration_status"))
                    .is_some_and(|id| !id.is_empty() && !id.contains('/')))
    }
}

#[derive(Clone)]
pub struct Shared(Arc<Inner>);

struct Inner {
    store: Mutex<Store>,
    /// What the account started as, for `POST /_sandbox/reset`.
    seed: Seed,
    /// Who is logged in on `/rtc` and the calls between them. Locked after `store`
    /// when both are needed, never before.
    calls: Mutex<calls::Switchboard>,
    journal: Mutex<Journal>,
    faults: Arc<faults::Injector>,
    /// Turns true when the server stops, which releases the answers `timeout` holds
    /// and closes the connections.
    closing: watch::Sender<bool>,
    limits: Limits,
    /// The connections open, for [`Limits::connections`].
    connections: Mutex<Connections>,
    /// Told when a connection closes or finishes a request: one may be closed now.
    connection_freed: tokio::sync::Notify,
    /// One permit per signaling socket open; as many.
    sockets: Arc<Semaphore>,
    /// Connections being served now, and the most served at once so far.
    open_connections: AtomicUsize,
    peak_connections: AtomicUsize,
    /// [`Seed::log_requests`].
    log_requests: bool,
    /// [`Seed::scenario`]: the ones that change how requests are answered are read here,
    /// without the store's lock.
    scenario: Option<Scenario>,
    /// Successes kept for replay under their `Idempotency-Key`.
    idempotency: Mutex<idempotency::Store>,
    /// [`Seed::rate_limit`], when set.
    rate_limiter: Option<Mutex<RateLimiter>>,
    /// Under `--state`: snapshots taken of the account, and the last one written, so a
    /// slower write never overwrites a newer one.
    snapshots: AtomicU64,
    written: Mutex<u64>,
}

/// The exchanges kept, oldest first, and the bytes their bodies hold.
#[derive(Default)]
struct Journal {
    exchanges: VecDeque<Exchange>,
    bytes: usize,
}

impl Journal {
    fn size(exchange: &Exchange) -> usize {
        exchange.request_body.len() + exchange.response_body.len()
    }

    /// Adds `exchange`, dropping the oldest ones over either limit. An exchange larger
    /// than the byte limit on its own is kept without its bodies.
    fn push(&mut self, mut exchange: Exchange, max_bytes: usize) {
        if Self::size(&exchange) > max_bytes {
            exchange.request_body = Bytes::new();
            exchange.response_body = Bytes::new();
        }
        self.bytes += Self::size(&exchange);
        self.exchanges.push_back(exchange);
        while self.exchanges.len() > JOURNAL_LIMIT || self.bytes > max_bytes {
            let Some(old) = self.exchanges.pop_front() else { break };
            self.bytes -= Self::size(&old);
        }
    }
}

impl Shared {
    fn new(seed: &Seed, store: Store) -> Self {
        Self(Arc::new(Inner {
            store: Mutex::new(store),
            seed: seed.clone(),
            calls: Mutex::default(),
            journal: Mutex::default(),
            faults: Arc::new(faults::Injector::new(seed.faults.clone())),
            closing: watch::Sender::new(false),
            limits: seed.limits,
            connections: Mutex::default(),
            connection_freed: tokio::sync::Notify::new(),
            sockets: Arc::new(Semaphore::new(seed.limits.connections.max(1))),
            open_connections: AtomicUsize::new(0),
            peak_connections: AtomicUsize::new(0),
            log_requests: seed.log_requests,
            scenario: seed.scenario,
            idempotency: Mutex::default(),
            rate_limiter: seed.rate_limit.map(|limit| Mutex::new(RateLimiter::new(limit))),
            snapshots: AtomicU64::new(0),
            written: Mutex::new(0),
        }))
    }

    /// Under `--state`, writes the account to its file (off the async workers: it
    /// syncs), finishing before the caller answers. `Err` says why it failed.
    async fn save_state(&self) -> std::io::Result<()> {
        let Some(path) = self.0.seed.state_file.clone() else { return Ok(()) };
        let (bytes, sequence) = {
            let store = self.store();
            (persist::snapshot(&store), self.0.snapshots.fetch_add(1, Ordering::SeqCst) + 1)
        };
        let app = self.clone();
        let written = tokio::task::spawn_blocking(move || {
            let mut last = app.0.written.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if *last >= sequence {
                return Ok(());
            }
            persist::write(&path, &bytes).map_err(|error| {
                std::io::Error::other(format!("cannot write the state file {}: {error}", path.display()))
            })?;
            *last = sequence;
            Ok(())
        })
        .await;
        written.unwrap_or_else(|error| Err(std::io::Error::other(error.to_string())))
    }

    /// [`Self::save_state`] while serving: a failure is said on stderr, and the
    /// sandbox serves on (the next write tries again).
    async fn save_state_or_warn(&self) {
        if let Err(error) = self.save_state().await {
            tracing::warn!(%error, "sandbox");
            crate::output::error_line(format_args!("telnyx-setup sandbox: {error}"));
        }
    }

    /// The account. A poisoned lock only means a handler panicked mid-request; the data
    /// is still the best there is, so keep serving.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn calls(&self) -> MutexGuard<'_, calls::Switchboard> {
        self.0.calls.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn journal(&self) -> MutexGuard<'_, Journal> {
        self.0.journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts a connection accepted, until the returned guard is dropped.
    fn connection_opened(&self) -> OpenConnection {
        let open = self.0.open_connections.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.peak_connections.fetch_max(open, Ordering::SeqCst);
        OpenConnection(self.clone())
    }
}

/// A connection being served; dropping it counts it closed.
struct OpenConnection(Shared);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.0.open_connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The connections open, by the order they were accepted (ids increase): whether each
/// is serving a request, and how to close it.
#[derive(Default)]
struct Connections {
    next: u64,
    open: std::collections::BTreeMap<u64, Tracked>,
}

struct Tracked {
    /// Requests in flight on it (0: idle, or its head still arriving).
    serving: usize,
    /// Told to close to make room; it leaves the map once it has.
    closing: bool,
    close: Arc<tokio::sync::Notify>,
}

impl Shared {
    fn tracked(&self) -> MutexGuard<'_, Connections> {
        self.0.connections.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes room for one more connection under [`Limits::connections`]: at the bound,
    /// closes the oldest one serving no request, or waits until one can be closed or
    /// one closes on its own. Then registers it: its id, and what tells it to close.
    async fn admit(&self) -> (u64, Arc<tokio::sync::Notify>) {
        let limit = self.0.limits.connections.max(1);
        loop {
            let freed = self.0.connection_freed.notified();
            {
                let mut connections = self.tracked();
                // At the bound, one connection at a time is told to close, and the new
                // one waits until it has: never more than the bound open at once.
                if connections.open.len() >= limit && !connections.open.values().any(|c| c.closing) {
                    let idle = connections.open.values_mut().find(|c| c.serving == 0);
                    if let Some(tracked) = idle {
                        tracked.closing = true;
                        tracked.close.notify_one();
                    }
                }
                if connections.open.len() < limit {
                    connections.next += 1;
                    let id = connections.next;
                    let close = Arc::new(tokio::sync::Notify::new());
                    connections.open.insert(id, Tracked { serving: 0, closing: false, close: close.clone() });
                    return (id, close);
                }
            }
            freed.await;
        }
    }

    /// Counts a request starting (`+1`) or answered (`-1`) on connection `id`.
    fn serving(&self, id: u64, starting: bool) {
        if let Some(tracked) = self.tracked().open.get_mut(&id) {
            if starting {
                tracked.serving += 1;
            } else {
                tracked.serving = tracked.serving.saturating_sub(1);
            }
        }
        if !starting {
            self.0.connection_freed.notify_waiters();
        }
    }

    fn closed(&self, id: u64) {
        self.tracked().open.remove(&id);
        self.0.connection_freed.notify_waiters();
    }
}

/// A request in flight on a connection, until it is answered.
struct Serving(Shared, u64);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.serving(self.1, false);
    }
}

/// A connection registered with [`Shared::admit`]; dropping it unregisters it.
struct Admitted(Shared, u64);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.closed(self.1);
    }
}

/// The sandbox's routes, mounted under [`BASE_PATH`].
pub fn router(shared: Shared) -> Router {
    let api = Router::new()
        .route("/balance", get(balance))
        .route("/credential_connections", get(connections::list).post(connections::create))
        .route(
            "/credential_connections/{id}",
            get(connections::get).patch(connections::update).delete(connections::delete),
        )
        .route(
            "/credential_connections/{id}/actions/check_registration_status",
            post(connections::registration_status),
        )
        .route("/outbound_voice_profiles", get(profiles::list).post(profiles::create))
        .route(
            "/outbound_voice_profiles/{id}",
            get(profiles::get).patch(profiles::update).delete(profiles::delete),
        )
        .route("/telephony_credentials", get(credentials::list).post(credentials::create))
        .route(
            "/telephony_credentials/{id}",
            get(credentials::get).patch(credentials::update).delete(credentials::delete),
        )
        .route("/telephony_credentials/{id}/token", post(credentials::token))
        .route("/available_phone_numbers", get(numbers::search))
        .route("/number_orders", get(numbers::list_orders).post(numbers::create_order))
        .route("/number_orders/{id}", get(numbers::get_order).patch(numbers::update_order))
        .route("/phone_numbers", get(numbers::list_numbers))
        .route(
            "/phone_numbers/{id}",
            get(numbers::get_number).patch(numbers::update_number).delete(numbers::delete_number),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), authenticate));
    // Faults come before the key check, as a gateway's would. Without any, the layer
    // is left out, so a sandbox without faults is exactly what it was.
    let api = if shared.0.faults.is_active() {
        api.layer(middleware::from_fn_with_state(shared.0.faults.clone(), faults::inject))
    } else {
        api
    };
    // Every answer of the API carries an x-request-id, as Telnyx's do (its support asks
    // for it); outermost, so refusals and faults carry one too.
    let api = api.layer(middleware::map_response(with_request_id));
    // Signaling is a WebSocket, outside the API's key check and journal: its login is
    // its own, and a socket's frames are no HTTP exchange.
    let signaling = Router::new().route(SIGNALING_PATH, get(rtc::upgrade));
    // For test suites, as LocalStack's and stripe-mock's: outside `/v2` (nothing there
    // exists on the real API) and outside the journal they read.
    let control = Router::new()
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/requests", get(served_requests))
        .route("/_sandbox/balance", post(set_balance));
    Router::new()
        .nest(BASE_PATH, api)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), record))
        .merge(signaling)
        .merge(control)
        .with_state(shared)
}

async fn balance(State(app): State<Shared>) -> Handled {
    let store = app.store();
    data(
        StatusCode::OK,
        json!({
            "record_type": "balance",
            "balance": store.balance,
            "available_credit": store.balance,
            "credit_limit": "0.00",
            "pending": "0.00",
            "currency": "USD",
        }),
    )
}

/// `POST /_sandbox/reset`: the account as it started (a new token signing key too, so
/// earlier tokens stop working), an empty journal, and no idempotency keys kept.
async fn reset(State(app): State<Shared>) -> Response {
    *app.store() = Store::new(&app.0.seed);
    *app.journal() = Journal::default();
    *app.0.idempotency.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Default::default();
    app.save_state_or_warn().await;
    (StatusCode::OK, axum::Json(json!({ "data": { "reset": true } }))).into_response()
}

/// `POST /_sandbox/balance` with `{"balance": "25.00"}`: sets the account's balance, as
/// a payment (or a charge) would, for tests of what an app does at or below zero; the
/// real API has no such call. A body that is not one amount in USD with two decimals is
/// a 422, and changes nothing.
async fn set_balance(State(app): State<Shared>, body: Bytes) -> Response {
    let amount = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|body| body.get("balance").and_then(|b| b.as_str()).and_then(crate::money::parse_cents))
        .map(crate::money::format_cents);
    let Some(amount) = amount else {
        let mut problems = respond::Problems::default();
        problems.add("/balance", "balance must be an amount in USD with two decimals, e.g. \"25.00\"");
        return problems.into_result().err().map(IntoResponse::into_response).unwrap_or_default();
    };
    app.store().balance = amount.clone();
    app.save_state_or_warn().await;
    (StatusCode::OK, axum::Json(json!({ "data": { "balance": amount } }))).into_response()
}

/// `GET /_sandbox/requests`: the requests served under `/v2`, oldest first (within the
/// journal's limits): method, path, query, status, the fault that fired, and the JSON
/// body sent with every secret-looking field hidden. No headers (they carry the key)
/// and no answers (they carry SIP passwords).
async fn served_requests(State(app): State<Shared>) -> Response {
    let requests: Vec<serde_json::Value> = app
        .journal()
        .exchanges
        .iter()
        .map(|exchange| {
            let body =
                serde_json::from_slice::<serde_json::Value>(&exchange.request_body).ok().map(hide_secrets);
            json!({
                "method": exchange.method,
                "path": exchange.path,
                "query": exchange.query,
                "status": exchange.status,
                "fault": exchange.fault,
                "body": body,
            })
        })
        .collect();
    (StatusCode::OK, axum::Json(json!({ "data": requests }))).into_response()
}

/// `value` with the values of secret-looking fields (`password`, `passwd`, `*token*`,
/// `*secret*`, `*api_key*`, `pin`, any case) replaced, at any depth.
fn hide_secrets(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let lower = key.to_ascii_lowercase();
                    let secret = ["password", "passwd", "token", "secret", "api_key"]
                        .iter()
                        .any(|s| lower.contains(s))
                        || lower == "pin"
                        || lower.ends_with("_pin");
                    let value = if secret { json!("[hidden]") } else { hide_secrets(value) };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(hide_secrets).collect()),
        other => other,
    }
}

/// Telnyx's `x-request-id` on an answer: a UUID, new for each request.
async fn with_request_id(mut response: Response) -> Response {
    if let Ok(id) = axum::http::HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

async fn not_found() -> Response {
    Failure::not_found().into_response()
}

/// The sandbox's rule for Telnyx's bearer auth: keys starting with `KEY` are valid,
/// unless the `revoked-key` scenario refuses them all.
fn authorized(app: &Shared, headers: &HeaderMap) -> bool {
    app.0.scenario != Some(Scenario::RevokedKey)
        && headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|key| key.starts_with("KEY"))
}

/// Under `restricted-key`, whether the request's key is the one with every permission.
fn full_access(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|key| key.starts_with(scenario::FULL_ACCESS_KEY))
}

/// Telnyx's bearer auth, answered 401 when the key is not valid; then, under the
/// `rate-limited` scenario, Telnyx's 429.
async fn authenticate(
    State(app): State<Shared>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    if !authorized(&app, &headers) {
        return Failure::unauthenticated().into_response();
    }
    if let Some(limiter) = &app.0.rate_limiter {
        let key = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()).unwrap_or_default();
        let (allowed, limit, remaining, reset) =
            limiter.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take(key);
        let mut response = if allowed {
            next.run(request).await
        } else {
            let mut response = Failure::rate_limited().into_response();
            response.headers_mut().insert(header::RETRY_AFTER, reset.into());
            response
        };
        let headers = response.headers_mut();
        headers.insert("x-ratelimit-limit", limit.into());
        headers.insert("x-ratelimit-remaining", remaining.into());
        headers.insert("x-ratelimit-reset", reset.into());
        return response;
    }
    // The `restricted-*` scenarios: a key without every permission is refused an area.
    if let Some(scenario) = app.0.scenario
        && !full_access(&headers)
        && scenario.refuses(request.uri().path().trim_start_matches(BASE_PATH))
    {
        return Failure::forbidden(
            "You do not have permission to perform the requested action on the specified resource or \
             resources.",
        )
        .into_response();
    }
    if app.0.scenario == Some(Scenario::RateLimited) {
        let mut response = Failure::rate_limited().into_response();
        response.headers_mut().insert(header::RETRY_AFTER, scenario::RATE_LIMITED_RETRY_AFTER.into());
        return response;
    }
    next.run(request).await
}

/// Reads an authorized request's body within the limits; `Err` is the answer instead.
/// An unauthorized request's body is never read: it reaches the handlers empty, and
/// they answer 401 (after any fault, as a gateway's would come first).
async fn read_body(app: &Shared, parts: &axum::http::request::Parts, body: Body) -> Result<Bytes, Failure> {
    if !authorized(app, &parts.headers) {
        return Ok(Bytes::new());
    }
    let limit = app.0.limits.body_bytes;
    let declared =
        parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(Failure::too_large(limit));
    }
    match tokio::time::timeout(app.0.limits.read_timeout, to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(Failure::too_large(limit)),
        Err(_) => Err(Failure::request_timeout()),
    }
}

/// Buffers both bodies so the exchange can be journaled, then passes them on intact;
/// or, when a fault says so, holds the answer or drops the connection instead.
async fn record(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let (parts, body) = request.into_parts();
    let mut keep_as = None;
    let (request_body, response) = match read_body(&app, &parts, body).await {
        Ok(request_body) => match idempotent(&app, &parts, &request_body) {
            Ok(Some(idempotency::Seen::Replay(kept))) => (request_body, replay(kept)),
            Ok(seen) => {
                if let Some(idempotency::Seen::New { slot, request }) = seen {
                    keep_as = Some((slot, request));
                }
                let response = next.run(Request::from_parts(parts, Body::from(request_body.clone()))).await;
                (request_body, response)
            }
            Err(refused) => (request_body, refused.into_response()),
        },
        Err(refused) => (Bytes::new(), refused.into_response()),
    };
    let (mut parts, body) = response.into_parts();
    let applied = parts.extensions.remove::<faults::Applied>();
    let response_body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    if method != Method::GET && parts.status.is_success() && uri.path().starts_with(BASE_PATH) {
        app.save_state_or_warn().await;
    }
    if let Some((slot, request)) = keep_as.filter(|_| parts.status.is_success() && applied.is_none()) {
        let content_type =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        app.0.idempotency.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).keep(
            slot,
            request,
            parts.status,
            content_type,
            response_body.clone(),
        );
    }
    let exchange = Exchange {
        method: method.to_string(),
        path: uri.path().strip_prefix(BASE_PATH).unwrap_or(uri.path()).to_owned(),
        query: uri.query().map(str::to_owned),
        request_body: if method == Method::GET { Bytes::new() } else { request_body },
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        response_body: response_body.clone(),
        fault: applied.as_ref().map(|applied| applied.rule.clone()),
    };
    tracing::debug!(
        method = %exchange.method, path = %exchange.path, status = exchange.status, fault = exchange.fault,
        "sandbox"
    );
    if app.0.log_requests {
        let fault = exchange.fault.as_ref().map(|rule| format!(" (fault {rule})")).unwrap_or_default();
        crate::output::error_line(format_args!(
            "{} {} -> {} in {} ms{fault}",
            exchange.method,
            uri.path(),
            exchange.status,
            started.elapsed().as_millis()
        ));
    }
    app.journal().push(exchange, app.0.limits.journal_bytes);
    // Journaled first, so a test sees a held or dropped exchange as soon as it happened.
    match applied.map(|applied| applied.delivery) {
        Some(faults::Delivery::Hold) => faults::hold(parts, app.0.closing.subscribe()).await,
        Some(faults::Delivery::Reset) => faults::abort(parts),
        Some(faults::Delivery::Send) | None => Response::from_parts(parts, Body::from(response_body)),
    }
}

impl Shared {
    /// `Err` (a 422) when the account already holds `held` records of a kind: as many
    /// as [`Limits::records`].
    fn room_for(&self, held: usize, kind: &str) -> Result<(), Failure> {
        let limit = self.0.limits.records;
        if held < limit {
            return Ok(());
        }
        Err(Failure::invalid(vec![(
            "/".into(),
            format!("the account holds {limit} {kind}, the most this sandbox keeps: delete some first"),
        )]))
    }
}

/// Telnyx's per-key rate limit (`--rate-limit N/s`): at most `limit` requests per key in
/// each one-second window. Keys are kept as hashes, and only for the current window, so
/// the map holds no secret and cannot grow past one window's keys.
pub struct RateLimiter {
    limit: u32,
    window: u64,
    used: std::collections::HashMap<u64, u32>,
    /// Keyed per sandbox, so no client can aim two keys at one count.
    hasher: std::collections::hash_map::RandomState,
}

impl RateLimiter {
    fn new(limit: u32) -> Self {
        Self {
            limit: limit.max(1),
            window: 0,
            used: std::collections::HashMap::new(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Counts a request by `key`: whether it is allowed, and the headers' values
    /// (limit, remaining, seconds until the window resets).
    fn take(&mut self, key: &[u8]) -> (bool, u32, u32, u64) {
        use std::hash::{BuildHasher, Hasher};
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let window = now.as_secs();
        if window != self.window {
            self.window = window;
            self.used.clear();
        }
        let mut hasher = self.hasher.build_hasher();
        hasher.write(key);
        let used = self.used.entry(hasher.finish()).or_insert(0);
        let allowed = *used < self.limit;
        if allowed {
            *used += 1;
        }
        (allowed, self.limit, self.limit - *used, 1)
    }
}

/// A write's `Idempotency-Key`, looked up: `Ok(None)` when there is none (or the
/// request is not an authorized write under [`BASE_PATH`]), `Err` Telnyx's 422 for a
/// key it would refuse or one used for another request.
fn idempotent(
    app: &Shared,
    parts: &axum::http::request::Parts,
    body: &[u8],
) -> Result<Option<idempotency::Seen>, Failure> {
    let Some(key) = parts.headers.get(idempotency::HEADER) else { return Ok(None) };
    let write = matches!(parts.method, Method::POST | Method::PATCH | Method::DELETE);
    if !write || !parts.uri.path().starts_with(BASE_PATH) || !authorized(app, &parts.headers) {
        return Ok(None);
    }
    let key = key.to_str().ok().filter(|key| idempotency::valid(key)).ok_or_else(|| {
        Failure::invalid_parameter(
            "Idempotency-Key",
            "Idempotency-Key must be 1 to 255 characters of A-Z, a-z, 0-9, _, : and -",
        )
    })?;
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()).unwrap_or_default();
    let seen = app.0.idempotency.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).see(
        authorization,
        key,
        parts.method.as_str(),
        parts.uri.path(),
        body,
    );
    match seen {
        idempotency::Seen::Conflict => Err(Failure::invalid_parameter(
            "Idempotency-Key",
            "This Idempotency-Key was used for another request in the last 24 hours; use a new key",
        )),
        seen => Ok(Some(seen)),
    }
}

/// A kept success, answered again as it was.
fn replay(kept: idempotency::Kept) -> Response {
    let mut response = Response::new(Body::from(kept.body));
    *response.status_mut() = kept.status;
    if let Some(content_type) = kept.content_type.and_then(|c| c.parse().ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    }
    response
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Shared,
    _shutdown: oneshot::Sender<()>,
}

impl Sandbox {
    /// Serves a fresh account on `addr` (port 0 picks a free port) in the background of
    /// the current tokio runtime.
    ///
    /// With [`Seed::state_file`], the account is the file's when it exists, and the
    /// file is written before this returns; an error of kind `InvalidData` says why the
    /// file cannot be used, in a sentence for the user.
    pub async fn start(addr: SocketAddr, seed: &Seed) -> std::io::Result<Self> {
        let store = match &seed.state_file {
            Some(path) => persist::load(path, seed)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
            None => None,
        };
        let shared = Shared::new(seed, store.unwrap_or_else(|| Store::new(seed)));
        shared
            .save_state()
            .await
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = router(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, shared.clone(), stopped));
        Ok(Self { addr, shared, _shutdown: shutdown })
    }

    /// A sandbox on a free loopback port.
    pub async fn start_local(seed: &Seed) -> std::io::Result<Self> {
        Self::start(SocketAddr::from(([127, 0, 0, 1], 0)), seed).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API base URL clients use, e.g. `http://127.0.0.1:41234/v2`.
    pub fn base_url(&self) -> String {
        format!("http://{}{BASE_PATH}", self.addr)
    }

    /// The WebRTC signaling URL, e.g. `ws://127.0.0.1:41234/rtc`.
    pub fn signaling_url(&self) -> String {
        format!("ws://{}{SIGNALING_PATH}", self.addr)
    }

    /// Signaling sockets open now.
    pub fn open_sockets(&self) -> usize {
        self.shared.0.limits.connections.max(1) - self.shared.0.sockets.available_permits()
    }

    /// A login token for a credential as `POST /telephony_credentials/{id}/token` makes
    /// it, but issued at `issued` (in the past: expired; ahead: not yet valid), for
    /// the tests of what the signaling login refuses. `None`: no such credential.
    pub fn token_issued_at(&self, credential_id: &str, issued: time::OffsetDateTime) -> Option<String> {
        let store = self.shared.store();
        let credential = store.credentials.iter().find(|c| c["id"] == json!(credential_id))?;
        Some(credentials::sign_token(&store, credential, issued))
    }

    /// Makes the credential `credential_id` look made `ago` before now (its
    /// `created_at`), for the tests of how a new credential is treated (under
    /// `credential-propagation`, and by the login test's retries). `false`: no such
    /// credential.
    pub fn backdate_credential(&self, credential_id: &str, ago: std::time::Duration) -> bool {
        let mut store = self.shared.store();
        let Some(credential) = store.credentials.iter_mut().find(|c| c["id"] == json!(credential_id)) else {
            return false;
        };
        let at = time::OffsetDateTime::now_utc() - ago;
        credential["created_at"] =
            json!(at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default());
        true
    }

    /// Every call placed on the signaling socket so far, oldest first (the last
    /// thousand ended ones, and every one still up).
    pub fn calls(&self) -> Vec<CallRecord> {
        self.shared.calls().history()
    }

    /// Every exchange so far, oldest first (within the journal's limits).
    pub fn journal(&self) -> Vec<Exchange> {
        self.shared.journal().exchanges.iter().cloned().collect()
    }

    /// The bytes of request and response bodies the journal holds now.
    pub fn journal_bytes(&self) -> usize {
        self.shared.journal().bytes
    }

    /// Connections being served now.
    pub fn open_connections(&self) -> usize {
        self.shared.0.open_connections.load(Ordering::SeqCst)
    }

    /// The most connections served at once so far.
    pub fn peak_connections(&self) -> usize {
        self.shared.0.peak_connections.load(Ordering::SeqCst)
    }
}

/// Whether serving on `addr` reaches beyond this machine, and what to say then.
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "the sandbox listens on {addr}, beyond this machine: anyone who can reach it can use it with \
             any key starting with KEY, and read what it holds. Use --host 127.0.0.1 unless that is meant"
        )
    })
}

/// The accept loop: one task per connection, at most [`Limits::connections`] at once
/// (room is made before accepting, by closing the oldest connection serving no
/// request, or else the rest wait in the listen queue), each with hyper's header read
/// timeout ([`Limits::head_timeout`]). On loopback every client has the same address,
/// so the bound is on connections, not per address: half-open connections cannot
/// starve a request, as each new connection displaces the oldest of them. When `stopped` fires (the [`Sandbox`] is dropped)
/// it stops accepting, releases the answers `timeout` holds, and has every connection
/// close once its request in flight is answered.
async fn serve(listener: TcpListener, app: Router, shared: Shared, mut stopped: oneshot::Receiver<()>) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let service = hyper_util::service::TowerToHyperService::new(app);
    loop {
        let (id, evicted) = tokio::select! {
            admitted = shared.admit() => admitted,
            _ = &mut stopped => break,
        };
        let admitted = Admitted(shared.clone(), id);
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, most likely: let some close first.
                    tracing::warn!(%error, "sandbox: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        let open = shared.connection_opened();
        let _ = stream.set_nodelay(true);
        let inner = service.clone();
        let tracker = shared.clone();
        // Each request marks its connection busy until answered, so it is never the
        // one closed to make room.
        let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            tracker.serving(id, true);
            let serving = Serving(tracker.clone(), id);
            let answer = hyper::service::Service::call(&inner, request);
            async move {
                let answer = answer.await;
                drop(serving);
                answer
            }
        });
        let mut closing = shared.0.closing.subscribe();
        let head_timeout = shared.0.limits.head_timeout;
        tokio::spawn(async move {
            // Counted closed before it leaves the map, so the next one admitted never
            // finds more open than the bound.
            let _open = (open, admitted);
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(head_timeout);
            // Upgrades: `/rtc` becomes a WebSocket, served on from there by its own task
            // (which ends when `closing` turns true).
            let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                // Closed to make room for a newer connection: dropped unanswered.
                _ = evicted.notified() => return,
                _ = closing.wait_for(|closing| *closing) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    shared.0.closing.send_replace(true);
}
