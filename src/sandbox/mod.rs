//! The embedded sandbox: a stateful fake of the Telnyx API v2 that answers as the
//! contract says (status codes, `errors[]` bodies, content types, paging).
//!
//! `--demo` and `telnyx-setup sandbox` serve it on loopback, and every test runs
//! against it. Keys starting with `KEY` are accepted. Each exchange is kept in a
//! bounded journal so tests can check what the product sent against the contract.
//!
//! [`Seed::faults`] makes it misbehave on purpose (error statuses, timeouts, dropped
//! connections, spoiled bodies, latency): see the [`faults`] module for the rules.

mod connections;
mod credentials;
pub mod faults;
mod numbers;
mod profiles;
mod respond;
mod store;

pub use connections::KNOWN_CODECS;
pub use credentials::TOKEN_LIFETIME;
pub use faults::{BadFaultRule, FaultPlan, FaultRule};
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
use std::sync::{Arc, Mutex, MutexGuard};
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

/// Where the API is mounted, as on api.telnyx.com.
pub const BASE_PATH: &str = "/v2";
/// How many exchanges the journal keeps; older ones are dropped.
const JOURNAL_LIMIT: usize = 10_000;
/// Bodies above this size are refused (Telnyx's own limit is far lower than any real need).
const BODY_LIMIT: usize = 1 << 20;

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
    journal: Mutex<VecDeque<Exchange>>,
    faults: Arc<faults::Injector>,
    /// Turns true when the server stops, which releases the answers `timeout` holds.
    closing: watch::Sender<bool>,
    /// [`Seed::log_requests`].
    log_requests: bool,
}

impl Shared {
    fn new(seed: &Seed) -> Self {
        Self(Arc::new(Inner {
            store: Mutex::new(Store::new(seed)),
            journal: Mutex::default(),
            faults: Arc::new(faults::Injector::new(seed.faults.clone())),
            closing: watch::Sender::new(false),
            log_requests: seed.log_requests,
        }))
    }

    /// The account. A poisoned lock only means a handler panicked mid-request; the data
    /// is still the best there is, so keep serving.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn journal(&self) -> MutexGuard<'_, VecDeque<Exchange>> {
        self.0.journal.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        .layer(middleware::from_fn(authenticate));
    // Faults come before the key check, as a gateway's would. Without any, the layer
    // is left out, so a sandbox without faults is exactly what it was.
    let api = if shared.0.faults.is_active() {
        api.layer(middleware::from_fn_with_state(shared.0.faults.clone(), faults::inject))
    } else {
        api
    };
    Router::new()
        .nest(BASE_PATH, api)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), record))
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

async fn not_found() -> Response {
    Failure::not_found().into_response()
}

/// Telnyx's bearer auth, with the sandbox's rule: keys starting with `KEY` are valid.
async fn authenticate(headers: HeaderMap, request: Request, next: Next) -> Response {
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|key| key.starts_with("KEY"));
    if authorized { next.run(request).await } else { Failure::unauthenticated().into_response() }
}

/// Buffers both bodies so the exchange can be journaled, then passes them on intact;
/// or, when a fault says so, holds the answer or drops the connection instead.
async fn record(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let (parts, body) = request.into_parts();
    let Ok(request_body) = to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let response = next.run(Request::from_parts(parts, Body::from(request_body.clone()))).await;
    let (mut parts, body) = response.into_parts();
    let applied = parts.extensions.remove::<faults::Applied>();
    let response_body = to_bytes(body, usize::MAX).await.unwrap_or_default();
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
    {
        let mut journal = app.journal();
        if journal.len() == JOURNAL_LIMIT {
            journal.pop_front();
        }
        journal.push_back(exchange);
    }
    // Journaled first, so a test sees a held or dropped exchange as soon as it happened.
    match applied.map(|applied| applied.delivery) {
        Some(faults::Delivery::Hold) => faults::hold(parts, app.0.closing.subscribe()).await,
        Some(faults::Delivery::Reset) => faults::abort(parts),
        Some(faults::Delivery::Send) | None => Response::from_parts(parts, Body::from(response_body)),
    }
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
    pub async fn start(addr: SocketAddr, seed: &Seed) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Shared::new(seed);
        let app = router(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let closing = shared.clone();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
                // A graceful shutdown waits for every request in flight: release the
                // answers `timeout` holds, or it would wait forever.
                closing.0.closing.send_replace(true);
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
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

    /// Every exchange so far, oldest first.
    pub fn journal(&self) -> Vec<Exchange> {
        self.shared.journal().iter().cloned().collect()
    }
}
