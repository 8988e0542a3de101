//! `/rtc`: WebRTC signaling as Telnyx's server speaks it to the official JS SDK, so the
//! SDK itself, and the product's login test (`crate::signaling`), can log in here.
//!
//! JSON-RPC 2.0 over a WebSocket, on the API's port, any query string. A `login` is
//! accepted with a `login_token` this sandbox signed (valid now, its credential still
//! there and not expired), or with a `login`/`passwd` that is a telephony credential's
//! SIP user name and password (not expired) or a credential connection's user name and
//! password. The answer is the login result with a `sessid`, then
//! `telnyx_rtc.clientReady`; `telnyx_rtc.gatewayState` is answered `REGED` and
//! `telnyx_rtc.ping` with a result. Anything else: `-32001 Login Incorrect` for a bad
//! login, `-32000 Authentication Required` for another method before one, and the
//! JSON-RPC errors for frames that are not requests; binary and oversized frames close
//! the socket. While a socket is logged in, its connection reports `Registered`.
//!
//! Logged in, a socket places and takes calls: `telnyx_rtc.invite`, `answer`, `bye`,
//! `info`, `modify`, `candidate` and `endOfCandidates`, routed by [`super::calls`]
//! (where the frames and the reasons a call is refused are laid out); what other
//! sockets send it arrives through its outbox, each frame with the next of its ids.
//!
//! Every socket ends when the sandbox stops (a 1001 close), and one that has not logged
//! in within [`super::Limits::read_timeout`] is closed; at most
//! [`super::Limits::connections`] are open at once (the rest are answered 503).

use super::Shared;
use super::calls::{self, Outgoing};
use super::credentials::{by_sip_login, verify_token};
use super::store::{Registration, numeric_id};
use crate::signaling::{
    ERROR_AUTHENTICATION_REQUIRED, ERROR_LOGIN_INCORRECT, METHOD_CLIENT_READY, METHOD_GATEWAY_STATE,
    METHOD_LOGIN, METHOD_PING, STATE_REGISTERED,
};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// The largest frame read; the SDK's login is under 2 KiB.
pub const MAX_FRAME: usize = 64 * 1024;
/// The first id of the requests the server sends (`clientReady`), as Telnyx's.
const FIRST_SERVER_ID: u64 = 1001;

/// Upgrades `GET /rtc` to a signaling socket.
pub async fn upgrade(State(app): State<Shared>, ws: WebSocketUpgrade) -> Response {
    let Ok(permit) = app.0.sockets.clone().try_acquire_owned() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many signaling sockets are open").into_response();
    };
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).on_upgrade(move |socket| async move {
        let _permit = permit;
        serve(app, socket).await;
    })
}

async fn serve(app: Shared, mut socket: WebSocket) {
    let mut closing = app.0.closing.subscribe();
    let (outbox, mut inbox) = mpsc::channel(calls::OUTBOX);
    let mut session =
        Session { sessid: None, registered: None, next_id: FIRST_SERVER_ID, outbox, held: HashMap::new() };
    let login_deadline = tokio::time::sleep(app.0.limits.read_timeout);
    tokio::pin!(login_deadline);
    let close = loop {
        tokio::select! {
            // The guard `wait_for` returns is not Send: dropped before the select's await.
            _ = async { closing.wait_for(|closing| *closing).await.map(|_| ()) } => {
                break Some((1001, "the sandbox is stopping"));
            }
            () = &mut login_deadline, if session.sessid.is_none() => break Some((1008, "no login in time")),
            // What other sockets' calls send this one (the session keeps a sender, so
            // this never ends while the socket is served).
            Some(outgoing) = inbox.recv() => {
                let frame = session.request(outgoing);
                if socket.send(Message::Text(frame.to_string().into())).await.is_err() {
                    break None;
                }
            }
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    for reply in session.handle(&app, &text) {
                        if socket.send(Message::Text(reply.to_string().into())).await.is_err() {
                            break;
                        }
                    }
                }
                Some(Ok(Message::Binary(_))) => break Some((1003, "signaling frames are JSON text")),
                // axum answers pings itself.
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                // tungstenite has queued the answering close frame: send it, so the
                // client sees a clean close rather than a reset.
                Some(Ok(Message::Close(_))) => {
                    let _ = futures::SinkExt::flush(&mut socket).await;
                    break None;
                }
                None => break None,
                // A frame over MAX_FRAME, or a protocol error.
                Some(Err(_)) => break Some((1009, "frame too large or malformed")),
            },
        }
    };
    if let Some((code, reason)) = close {
        let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
    }
    // Unregistered now, not when the socket's memory goes.
    drop(session);
}

/// One socket's login.
struct Session {
    sessid: Option<String>,
    registered: Option<Registered>,
    next_id: u64,
    /// Where other sockets' calls queue frames for this one, given to the switchboard
    /// at login.
    outbox: mpsc::Sender<Outgoing>,
    /// Calls this socket put on hold (`telnyx_rtc.modify`), by callID.
    held: HashMap<String, bool>,
}

impl Session {
    /// The frames to send back for one text frame, in order.
    fn handle(&mut self, app: &Shared, text: &str) -> Vec<Value> {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            return vec![error(Value::Null, -32700, "Parse error")];
        };
        let Some(request) = frame.as_object() else {
            return vec![error(Value::Null, -32600, "Invalid Request")];
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        if request.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return vec![error(id, -32600, "Invalid Request")];
        }
        let Some(method) = request.get("method").and_then(Value::as_str) else {
            // The client's answer to a request of ours: nothing to say.
            if request.contains_key("result") || request.contains_key("error") {
                return Vec::new();
            }
            return vec![error(id, -32600, "Invalid Request")];
        };
        match method {
            METHOD_LOGIN => self.login(app, id, request.get("params").and_then(Value::as_object)),
            _ if self.sessid.is_none() => {
                vec![error(id, ERROR_AUTHENTICATION_REQUIRED, "Authentication Required")]
            }
            METHOD_PING => vec![json!({ "jsonrpc": "2.0", "id": id, "result": { "sessid": self.sessid } })],
            METHOD_GATEWAY_STATE => vec![json!({
                "jsonrpc": "2.0",
                "id": id,
                "result": { "params": { "state": STATE_REGISTERED }, "sessid": self.sessid },
            })],
            calls::METHOD_INVITE
            | calls::METHOD_ANSWER
            | calls::METHOD_BYE
            | calls::METHOD_INFO
            | calls::METHOD_MODIFY
            | calls::METHOD_CANDIDATE
            | calls::METHOD_END_OF_CANDIDATES => {
                let params = request.get("params").cloned().unwrap_or(Value::Null);
                self.call(app, id, method, &params)
            }
            _ => vec![error(id, -32601, "Method not found")],
        }
    }

    /// A server request to this socket, with the next of its ids.
    fn request(&mut self, outgoing: Outgoing) -> Value {
        let frame = json!({ "jsonrpc": "2.0", "id": self.next_id, "method": outgoing.method, "params": outgoing.params });
        self.next_id += 1;
        frame
    }

    /// A call request from this (logged-in) socket: the reply, then its own requests.
    fn call(&mut self, app: &Shared, id: Value, method: &str, params: &Value) -> Vec<Value> {
        let (Some(sessid), Some(registered)) = (self.sessid.clone(), self.registered.as_ref()) else {
            return vec![error(id, ERROR_AUTHENTICATION_REQUIRED, "Authentication Required")];
        };
        let handled = match method {
            calls::METHOD_INVITE => {
                let store = app.store();
                let mut board = app.calls();
                let route = calls::route(&store, &board, &sessid, registered.connection, params);
                drop(store);
                let unanswered = route == calls::Route::Unanswered;
                let handled = board.invite(&sessid, params, route);
                if unanswered && handled.reply.is_ok() {
                    ring_out_later(
                        app,
                        params["dialogParams"]["callID"].as_str().unwrap_or_default().to_owned(),
                    );
                }
                handled
            }
            calls::METHOD_ANSWER => app.calls().answer(&sessid, params),
            calls::METHOD_BYE => app.calls().bye(&sessid, params),
            calls::METHOD_INFO => app.calls().info(&sessid, params),
            calls::METHOD_MODIFY => app.calls().modify(&sessid, params, &mut self.held),
            calls::METHOD_CANDIDATE => app.calls().candidate(&sessid, calls::METHOD_CANDIDATE, params),
            _ => app.calls().candidate(&sessid, calls::METHOD_END_OF_CANDIDATES, params),
        };
        let mut frames = vec![match handled.reply {
            Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            Err((code, message)) => error(id, code, message),
        }];
        frames.extend(handled.then.into_iter().map(|outgoing| self.request(outgoing)));
        frames
    }

    fn login(&mut self, app: &Shared, id: Value, params: Option<&Map<String, Value>>) -> Vec<Value> {
        // A second login replaces the first; its registration ends before the store is
        // locked (dropping it locks the store).
        self.registered = None;
        self.sessid = None;
        let Some((connection, sip_username)) = params.and_then(|params| who(app, params)) else {
            return vec![error(id, ERROR_LOGIN_INCORRECT, "Login Incorrect")];
        };
        let user_agent = params
            .and_then(|params| params.get("User-Agent"))
            .and_then(|agent| agent["data"].as_str())
            .map(|agent| crate::sanitize::escape_controls(agent).chars().take(200).collect());
        let sessid = {
            let mut store = app.store();
            let sessid = store.uuid();
            let registration = store.registrations.entry(connection).or_insert_with(|| Registration {
                sockets: 0,
                sip_username: String::new(),
                last_registration: String::new(),
                user_agent: None,
            });
            registration.sockets += 1;
            registration.sip_username = sip_username.clone();
            registration.last_registration = super::store::now();
            registration.user_agent = user_agent;
            sessid
        };
        app.calls().join(&sessid, connection, &sip_username, self.outbox.clone());
        self.registered = Some(Registered { app: app.clone(), connection, sessid: sessid.clone() });
        self.sessid = Some(sessid.clone());
        let ready = json!({
            "jsonrpc": "2.0",
            "id": self.next_id,
            "method": METHOD_CLIENT_READY,
            "params": { "reattached_sessions": [] },
        });
        self.next_id += 1;
        vec![
            json!({ "jsonrpc": "2.0", "id": id, "result": { "message": "logged in", "sessid": sessid } }),
            ready,
        ]
    }
}

/// The connection a login's parameters log in to, and the SIP user name it registers
/// as; `None` when they log in to nothing.
fn who(app: &Shared, params: &Map<String, Value>) -> Option<(u64, String)> {
    let store = app.store();
    let now = OffsetDateTime::now_utc();
    let credential = if let Some(token) = params.get("login_token") {
        verify_token(&store, token.as_str()?, now)?
    } else {
        let user = params.get("login")?.as_str()?;
        let password = params.get("passwd")?.as_str()?;
        match by_sip_login(&store, user, password, now) {
            Some(credential) => credential,
            None => {
                // A credential connection's own user name and password.
                let (id, _) = store.connections.iter().find(|(_, c)| {
                    c["user_name"].as_str() == Some(user) && c["password"].as_str() == Some(password)
                })?;
                return Some((*id, user.to_owned()));
            }
        }
    };
    let connection = credential["resource_id"].as_str()?.strip_prefix("connection:").and_then(numeric_id)?;
    store
        .connections
        .contains_key(&connection)
        .then(|| (connection, credential["sip_username"].as_str().unwrap_or_default().to_owned()))
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// Ends a call to a number nobody answers once [`calls::RING_TIMEOUT`] is up, unless
/// the sandbox stops first.
fn ring_out_later(app: &Shared, call_id: String) {
    let app = app.clone();
    let mut closing = app.0.closing.subscribe();
    tokio::spawn(async move {
        tokio::select! {
            () = tokio::time::sleep(calls::RING_TIMEOUT) => app.calls().ring_out(&call_id),
            _ = closing.wait_for(|closing| *closing) => {}
        }
    });
}

/// A socket logged in for `connection`; dropping it counts the socket gone and ends
/// its calls.
struct Registered {
    app: Shared,
    connection: u64,
    sessid: String,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.app.calls().leave(&self.sessid);
        if let Some(registration) = self.app.store().registrations.get_mut(&self.connection) {
            registration.sockets = registration.sockets.saturating_sub(1);
        }
    }
}
