//! Calls on the sandbox's signaling (`/rtc`): who is logged in, which calls are up, and
//! the checks Telnyx's outbound path makes before a call to a phone number goes out.
//!
//! [`super::rtc`] speaks the frames; this module decides where a `telnyx_rtc.invite`
//! goes and what the other side is told. A call to another client logged in here (its
//! SIP user name, or `user@sip.telnyx.com`) is forwarded to it, and its answer, bye and
//! DTMF are relayed back: the two clients' SDPs pass through verbatim, so media flows
//! between them directly. A call to a phone number is checked as Telnyx checks it (the
//! [`Rejection`] table); one that passes rings the client a number the account owns is
//! assigned to (its connection's logged-in client), as Telnyx routes inbound calls, and
//! otherwise is answered by an echo ([`crate::media::Echo`]), a WebRTC endpoint on
//! loopback that sends back what it hears: the sandbox has no phone network behind it.
//!
//! The frames and their texts come from three places, cited where they are used:
//! the official SDK's source (`team-telnyx/webrtc` 2.27.10, `packages/js/src/Modules/
//! Verto/webrtc/BaseCall.ts` and `VertoHandler.ts`), FreeSWITCH's `mod_verto`, whose
//! JSON-RPC dialect Telnyx's server speaks (its result messages "CALL CREATED", "CALL
//! ANSWERED", "CALL ENDED" and error -32002 "CALL DOES NOT EXIST"), and Telnyx's support
//! articles for the D-codes.

use crate::phone::is_e164;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use tokio::sync::{mpsc, oneshot};

/// Frames one socket may have queued for it by others; a client that does not read is
/// not allowed to make the sandbox hold more (the rest are dropped).
pub const OUTBOX: usize = 256;
/// How many ended calls [`Switchboard::history`] keeps.
const HISTORY: usize = 1000;
/// Who [`CallRecord::answered_by`] names for calls the echo answered.
pub const ECHO: &str = "echo";

/// A request the server sends to one socket: its method and params (the socket gives
/// it the next of its own ids).
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub method: &'static str,
    pub params: Value,
}

/// A socket logged in.
struct Leg {
    connection: u64,
    sip_username: String,
    outbox: mpsc::Sender<Outgoing>,
}

/// Where a call goes.
#[derive(Debug, Clone, PartialEq)]
enum Callee {
    /// Another logged-in socket, by its `sessid`.
    Client(String),
    /// A phone number with nobody on the sandbox to take it: the echo answers.
    Echo,
}

struct Call {
    caller: String,
    callee: Callee,
    answered: bool,
    /// The echo's call ends when this is dropped (with the call).
    _stop_echo: Option<oneshot::Sender<()>>,
}

/// How a call ended, as the SDK puts it on the call object (`cause`, `causeCode`,
/// `sipCode`, `sipReason`; BaseCall.ts `hangup()` copies them from the bye).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub cause: String,
    pub cause_code: u64,
    pub sip_code: Option<u16>,
    pub sip_reason: Option<String>,
}

impl Ending {
    fn params(&self, call_id: &str) -> Value {
        let mut params = json!({ "callID": call_id, "cause": self.cause, "causeCode": self.cause_code });
        if let Some(code) = self.sip_code {
            params["sipCode"] = json!(code);
        }
        if let Some(reason) = &self.sip_reason {
            params["sipReason"] = json!(reason);
        }
        params
    }

    fn normal() -> Self {
        Self { cause: "NORMAL_CLEARING".into(), cause_code: 16, sip_code: None, sip_reason: None }
    }
}

/// Where a call stands, as the sandbox's call history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    Ringing,
    Active,
    Ended(Ending),
}

/// One call as the sandbox saw it, for tests and `sandbox --verbose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub call_id: String,
    /// The caller's SIP user name.
    pub from: String,
    /// The destination as dialled.
    pub to: String,
    /// The caller's connection.
    pub connection: u64,
    /// The callee's SIP user name, when a client on the sandbox took the call.
    pub answered_by: Option<String>,
    pub state: CallState,
}

/// Why Telnyx refuses a call to a phone number: the D-code, and the bye it sends.
/// `sipReason` texts are Telnyx's own where they were found verbatim, cited per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The connection has no outbound voice profile, or its profile is disabled.
    /// "Connection has no Outbound Profile assigned D38": the bye Telnyx sent an SDK
    /// user (team-telnyx/telnyx-webrtc-ios#79) and `POST /calls`'s error detail
    /// (dograh-hq/dograh#778).
    D38,
    /// The destination's country is not in the profile's `whitelisted_destinations`.
    /// "403 Dialed Number is not included in whitelisted countries D13": Telnyx's
    /// support article "Troubleshooting Call Completion" (support.telnyx.com 5025298).
    D13,
    /// The caller ID is not E.164. "403 Caller Origination Number is Invalid D35":
    /// the same article, and developers.telnyx.com's "Caller ID policy".
    D35,
    /// The caller ID is E.164 but no number of this account. Telnyx's table of SIP
    /// response codes (developers.telnyx.com, "SIP Response Codes") gives only the
    /// meaning ("Using another account's DID as caller ID", 403): the text here is
    /// that meaning, not a captured one.
    D36,
    /// The destination is not a valid number. "403 Destination Number is invalid
    /// D11": Telnyx's "SIP Response Codes" support article (4409457), the number left out.
    D11,
    /// No balance left. The "SIP Response Codes" table: D19, 404, "Account blocked
    /// (billing)"; the text is that meaning, not a captured one.
    D19,
}

impl Rejection {
    pub fn code(self) -> &'static str {
        match self {
            Self::D38 => "D38",
            Self::D13 => "D13",
            Self::D35 => "D35",
            Self::D36 => "D36",
            Self::D11 => "D11",
            Self::D19 => "D19",
        }
    }

    /// The SIP reason phrase Telnyx puts in the bye, D-code last as Telnyx writes it.
    pub fn sip_reason(self) -> &'static str {
        match self {
            Self::D38 => "Connection has no Outbound Profile assigned D38",
            Self::D13 => "Dialed Number is not included in whitelisted countries D13",
            Self::D35 => "Caller Origination Number is Invalid D35",
            Self::D36 => "Caller Origination Number belongs to another account D36",
            Self::D11 => "Destination Number is invalid D11",
            Self::D19 => "Account blocked (billing) D19",
        }
    }

    pub fn sip_code(self) -> u16 {
        match self {
            Self::D19 => 404,
            _ => 403,
        }
    }

    /// The bye: a SIP 403 is Q.850 cause 21 `CALL_REJECTED` and a 404 cause 1
    /// `UNALLOCATED_NUMBER` (RFC 3398 section 8.2.6.1, FreeSWITCH's names, which the
    /// SDK's docs/error-handling.md lists).
    pub fn ending(self) -> Ending {
        let (cause, cause_code) =
            if self.sip_code() == 404 { ("UNALLOCATED_NUMBER", 1) } else { ("CALL_REJECTED", 21) };
        Ending {
            cause: cause.into(),
            cause_code,
            sip_code: Some(self.sip_code()),
            sip_reason: Some(self.sip_reason().into()),
        }
    }
}

/// A SIP user nobody is logged in as: FreeSWITCH's `USER_NOT_REGISTERED` (606), SIP 404.
fn not_registered() -> Ending {
    Ending {
        cause: "USER_NOT_REGISTERED".into(),
        cause_code: 606,
        sip_code: Some(404),
        sip_reason: Some("Not Found".into()),
    }
}

/// An offer the echo cannot answer (no audio it knows, or not an SDP): Q.850 88
/// `INCOMPATIBLE_DESTINATION`, SIP 488 (RFC 3398 section 8.2.6.1).
pub fn incompatible() -> Ending {
    Ending {
        cause: "INCOMPATIBLE_DESTINATION".into(),
        cause_code: 88,
        sip_code: Some(488),
        sip_reason: Some("Not Acceptable Here".into()),
    }
}

/// The caller hung up before an answer: what the callee is told (Q.850 487
/// `ORIGINATOR_CANCEL` in FreeSWITCH's list), whatever the caller's SDK put in its bye
/// (BaseCall.ts sends `USER_BUSY`/17 for any call hung up before it was answered).
fn cancelled() -> Ending {
    Ending { cause: "ORIGINATOR_CANCEL".into(), cause_code: 487, sip_code: None, sip_reason: None }
}

/// What an invite does, decided from the account (see [`route`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// To a logged-in client (by `sessid`), with the number or name it is called as.
    Client {
        sessid: String,
        callee_number: String,
    },
    /// A number that passed the checks and that nobody here takes: the echo answers.
    Echo,
    Rejected(Ending),
}

/// The sockets logged in and the calls up, shared by every socket of one sandbox.
#[derive(Default)]
pub struct Switchboard {
    legs: HashMap<String, Leg>,
    calls: HashMap<String, Call>,
    /// Every call, oldest first; ended calls beyond [`HISTORY`] are dropped.
    history: VecDeque<CallRecord>,
}

/// What a socket must send after a call request: the reply to the request itself
/// (`Ok` a result, `Err` a JSON-RPC error code and message), then any requests of its own.
pub struct Handled {
    pub reply: Result<Value, (i64, &'static str)>,
    pub then: Vec<Outgoing>,
}

impl Handled {
    fn error(code: i64, message: &'static str) -> Self {
        Self { reply: Err((code, message)), then: Vec::new() }
    }
}

/// `-32002 CALL DOES NOT EXIST`: mod_verto's answer to a call request for a callID it
/// does not know (its CODE_SESSION_ERROR).
pub const ERROR_NO_CALL: (i64, &str) = (-32002, "CALL DOES NOT EXIST");
/// `-32602 Invalid params`: JSON-RPC 2.0's, for a call request without its callID.
pub const ERROR_INVALID_PARAMS: (i64, &str) = (-32602, "Invalid params");

impl Switchboard {
    pub fn join(
        &mut self,
        sessid: &str,
        connection: u64,
        sip_username: &str,
        outbox: mpsc::Sender<Outgoing>,
    ) {
        self.legs
            .insert(sessid.to_owned(), Leg { connection, sip_username: sip_username.to_owned(), outbox });
    }

    /// A socket gone (closed, or logged in again): its calls end, the other side told.
    pub fn leave(&mut self, sessid: &str) {
        if self.legs.remove(sessid).is_none() {
            return;
        }
        let mine: Vec<String> = self
            .calls
            .iter()
            .filter(|(_, call)| call.caller == sessid || call.callee == Callee::Client(sessid.to_owned()))
            .map(|(id, _)| id.clone())
            .collect();
        for call_id in mine {
            self.hang_up(&call_id, sessid, Ending::normal());
        }
    }

    /// Every call so far, oldest first.
    pub fn history(&self) -> Vec<CallRecord> {
        self.history.iter().cloned().collect()
    }

    fn record(&mut self, call_id: &str) -> Option<&mut CallRecord> {
        self.history.iter_mut().rev().find(|record| record.call_id == call_id)
    }

    fn push_record(&mut self, record: CallRecord) {
        self.history.push_back(record);
        while self.history.len() > HISTORY {
            let Some(index) = self.history.iter().position(|r| matches!(r.state, CallState::Ended(_))) else {
                break;
            };
            self.history.remove(index);
        }
    }

    fn send(&self, sessid: &str, method: &'static str, params: Value) {
        if let Some(leg) = self.legs.get(sessid) {
            // A full outbox means the client stopped reading: its frames are dropped.
            let _ = leg.outbox.try_send(Outgoing { method, params });
        }
    }

    /// A logged-in SIP user's socket, for a destination that names one: `user`,
    /// `user@sip.telnyx.com`, with or without `sip:`. The newest login wins.
    pub fn client_named(&self, destination: &str, except: &str) -> Option<String> {
        let user = destination.trim().trim_start_matches("sip:");
        let user = user.strip_suffix("@sip.telnyx.com").unwrap_or(user);
        if user.is_empty() {
            return None;
        }
        self.legs
            .iter()
            .filter(|(sessid, leg)| *sessid != except && leg.sip_username.eq_ignore_ascii_case(user))
            .map(|(sessid, _)| sessid.clone())
            .next()
    }

    /// A socket logged in on `connection`, other than `except`.
    pub fn client_on(&self, connection: u64, except: &str) -> Option<String> {
        self.legs
            .iter()
            .find(|(sessid, leg)| *sessid != except && leg.connection == connection)
            .map(|(sessid, _)| sessid.clone())
    }

    /// `telnyx_rtc.invite` from `sessid`, routed as [`route`] decided.
    pub fn invite(&mut self, sessid: &str, params: &Value, route: Route) -> Handled {
        let Some(leg) = self.legs.get(sessid) else {
            return Handled::error(-32000, "Authentication Required");
        };
        let dialog = &params["dialogParams"];
        let Some(call_id) = dialog["callID"].as_str().filter(|id| !id.is_empty() && id.len() <= 128) else {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        };
        if self.calls.contains_key(call_id) {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        }
        let call_id = call_id.to_owned();
        let destination = dialog["destination_number"].as_str().unwrap_or_default();
        let mut record = CallRecord {
            call_id: call_id.clone(),
            from: leg.sip_username.clone(),
            to: crate::sanitize::escape_controls(destination).chars().take(100).collect(),
            connection: leg.connection,
            answered_by: None,
            state: CallState::Ringing,
        };
        // mod_verto's invite result; the SDK moves the call to "trying" on it.
        let reply = Ok(json!({ "message": "CALL CREATED", "callID": call_id, "sessid": sessid }));
        let then = match route {
            Route::Rejected(ending) => {
                // Refused after a result, so the SDK shows why (WEBRTC-CALLS.md: an
                // error reply would make it hang up with its own USER_BUSY/17).
                let params = ending.params(&call_id);
                record.state = CallState::Ended(ending);
                vec![Outgoing { method: METHOD_BYE, params }]
            }
            Route::Echo => {
                let call = Call {
                    caller: sessid.to_owned(),
                    callee: Callee::Echo,
                    answered: false,
                    _stop_echo: None,
                };
                self.calls.insert(call_id.clone(), call);
                vec![Outgoing { method: METHOD_RINGING, params: json!({ "callID": call_id }) }]
            }
            Route::Client { sessid: callee, callee_number } => {
                let callee_leg = &self.legs[&callee];
                record.answered_by = Some(callee_leg.sip_username.clone());
                // The invite Telnyx sends a callee (WEBRTC-CALLS.md; VertoHandler.ts
                // builds the inbound call from these params).
                let forwarded = json!({
                    "callID": call_id,
                    "sdp": params["sdp"],
                    "caller_id_name": dialog["caller_id_name"].as_str().unwrap_or_default(),
                    "caller_id_number": dialog["caller_id_number"].as_str().unwrap_or_default(),
                    "callee_id_name": "",
                    "callee_id_number": callee_number,
                });
                self.send(&callee, METHOD_INVITE, forwarded);
                self.calls.insert(
                    call_id.clone(),
                    Call {
                        caller: sessid.to_owned(),
                        callee: Callee::Client(callee),
                        answered: false,
                        _stop_echo: None,
                    },
                );
                vec![Outgoing { method: METHOD_RINGING, params: json!({ "callID": call_id }) }]
            }
        };
        self.push_record(record);
        Handled { reply, then }
    }

    /// `telnyx_rtc.answer` from the callee: the caller gets the answer's SDP verbatim.
    pub fn answer(&mut self, sessid: &str, params: &Value) -> Handled {
        let Some(call_id) = call_id(params) else {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        };
        let Some(call) = self.calls.get_mut(&call_id) else {
            return Handled::error(ERROR_NO_CALL.0, ERROR_NO_CALL.1);
        };
        if call.callee != Callee::Client(sessid.to_owned()) || call.answered {
            return Handled::error(ERROR_NO_CALL.0, ERROR_NO_CALL.1);
        }
        call.answered = true;
        let caller = call.caller.clone();
        self.send(&caller, METHOD_ANSWER, json!({ "callID": call_id, "sdp": params["sdp"] }));
        if let Some(record) = self.record(&call_id) {
            record.state = CallState::Active;
        }
        Handled {
            reply: Ok(json!({ "message": "CALL ANSWERED", "callID": call_id, "sessid": sessid })),
            then: Vec::new(),
        }
    }

    /// `telnyx_rtc.bye` from either side: the other side gets a bye with the cause
    /// (`ORIGINATOR_CANCEL` for the callee of a call never answered).
    pub fn bye(&mut self, sessid: &str, params: &Value) -> Handled {
        let Some(call_id) = call_id(params) else {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        };
        if !self.in_call(&call_id, sessid) {
            return Handled::error(ERROR_NO_CALL.0, ERROR_NO_CALL.1);
        }
        let ending = Ending {
            cause: params["cause"].as_str().filter(|c| c.len() <= 64).unwrap_or("NORMAL_CLEARING").to_owned(),
            cause_code: params["causeCode"].as_u64().unwrap_or(16),
            sip_code: None,
            sip_reason: None,
        };
        self.hang_up(&call_id, sessid, ending);
        Handled {
            reply: Ok(json!({ "message": "CALL ENDED", "callID": call_id, "sessid": sessid })),
            then: Vec::new(),
        }
    }

    /// `telnyx_rtc.info` (DTMF, BaseCall.ts `dtmf()`): relayed to the other client,
    /// where the SDK raises it as a notification (VertoHandler.ts, `Info`).
    pub fn info(&mut self, sessid: &str, params: &Value) -> Handled {
        let Some(call_id) = call_id(params) else {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        };
        let Some(other) = self.other_side(&call_id, sessid) else {
            return Handled::error(ERROR_NO_CALL.0, ERROR_NO_CALL.1);
        };
        if let Some(other) = other {
            let mut relayed = json!({ "callID": call_id });
            for key in ["dtmf", "msg"] {
                if let Some(value) = params.get(key) {
                    relayed[key] = value.clone();
                }
            }
            self.send(&other, METHOD_INFO, relayed);
        }
        Handled {
            reply: Ok(json!({ "message": "SENT", "callID": call_id, "sessid": sessid })),
            then: Vec::new(),
        }
    }

    /// `telnyx_rtc.candidate` / `endOfCandidates` (trickle ICE): relayed to the other
    /// client as they came, with the callID.
    pub fn candidate(&mut self, sessid: &str, method: &'static str, params: &Value) -> Handled {
        let Some(call_id) = call_id(params) else {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        };
        let Some(other) = self.other_side(&call_id, sessid) else {
            return Handled::error(ERROR_NO_CALL.0, ERROR_NO_CALL.1);
        };
        if let Some(other) = other {
            let mut relayed = params.clone();
            if let Some(object) = relayed.as_object_mut() {
                object.remove("sessid");
                object.remove("dialogParams");
                object.insert("callID".into(), json!(call_id));
            }
            self.send(&other, method, relayed);
        }
        Handled { reply: Ok(json!({ "callID": call_id, "sessid": sessid })), then: Vec::new() }
    }

    /// `telnyx_rtc.modify`: hold, unhold and toggleHold are answered with the
    /// `holdState` BaseCall.ts `_handleChangeHoldStateSuccess` reads ("held" or
    /// "active"). `updateMedia` (an ICE restart's new offer) needs a new answer from
    /// the far end, which the sandbox, relaying and not terminating media, cannot make:
    /// it is refused, and the SDK logs "ICE restart Modify failed" and keeps the call.
    pub fn modify(&mut self, sessid: &str, params: &Value, held: &mut HashMap<String, bool>) -> Handled {
        let Some(call_id) = call_id(params) else {
            return Handled::error(ERROR_INVALID_PARAMS.0, ERROR_INVALID_PARAMS.1);
        };
        if !self.in_call(&call_id, sessid) {
            return Handled::error(ERROR_NO_CALL.0, ERROR_NO_CALL.1);
        }
        let action = params["action"].as_str().unwrap_or_default();
        let now_held = match action {
            "hold" => true,
            "unhold" => false,
            "toggleHold" => !held.get(&call_id).copied().unwrap_or(false),
            _ => return Handled::error(-32601, "Method not found"),
        };
        held.insert(call_id.clone(), now_held);
        Handled {
            reply: Ok(json!({
                "callID": call_id,
                "action": action,
                "holdState": if now_held { "held" } else { "active" },
                "sessid": sessid,
            })),
            then: Vec::new(),
        }
    }

    /// The echo answered `call_id` with `sdp`: the caller gets the answer, and the echo
    /// runs until `stop`'s receiver sees the call end. `false`: the call ended first.
    pub fn echo_answered(&mut self, call_id: &str, sdp: &str, stop: oneshot::Sender<()>) -> bool {
        let Some(call) =
            self.calls.get_mut(call_id).filter(|call| call.callee == Callee::Echo && !call.answered)
        else {
            return false;
        };
        call.answered = true;
        call._stop_echo = Some(stop);
        let caller = call.caller.clone();
        self.send(&caller, METHOD_ANSWER, json!({ "callID": call_id, "sdp": sdp }));
        if let Some(record) = self.record(call_id) {
            record.state = CallState::Active;
            record.answered_by = Some(ECHO.to_owned());
        }
        true
    }

    /// The echo could not answer `call_id`: the caller gets a bye saying why.
    pub fn echo_failed(&mut self, call_id: &str, ending: Ending) {
        if self.calls.get(call_id).is_some_and(|call| call.callee == Callee::Echo) {
            self.hang_up(call_id, "", ending);
        }
    }

    fn in_call(&self, call_id: &str, sessid: &str) -> bool {
        self.calls
            .get(call_id)
            .is_some_and(|call| call.caller == sessid || call.callee == Callee::Client(sessid.to_owned()))
    }

    /// The other client of `sessid`'s call: `None` not its call, `Some(None)` nobody.
    fn other_side(&self, call_id: &str, sessid: &str) -> Option<Option<String>> {
        let call = self.calls.get(call_id)?;
        if call.caller == sessid {
            Some(match &call.callee {
                Callee::Client(callee) => Some(callee.clone()),
                Callee::Echo => None,
            })
        } else if call.callee == Callee::Client(sessid.to_owned()) {
            Some(Some(call.caller.clone()))
        } else {
            None
        }
    }

    /// Ends a call `by` one side: the other side (a client) gets a bye.
    fn hang_up(&mut self, call_id: &str, by: &str, ending: Ending) {
        let Some(call) = self.calls.remove(call_id) else { return };
        let told = if call.caller == by {
            match &call.callee {
                Callee::Client(callee) => {
                    Some((callee.clone(), if call.answered { ending.clone() } else { cancelled() }))
                }
                Callee::Echo => None,
            }
        } else {
            Some((call.caller.clone(), ending.clone()))
        };
        if let Some((other, told)) = told {
            self.send(&other, METHOD_BYE, told.params(call_id));
        }
        if let Some(record) = self.record(call_id) {
            record.state = CallState::Ended(ending);
        }
    }
}

fn call_id(params: &Value) -> Option<String> {
    params["dialogParams"]["callID"].as_str().or_else(|| params["callID"].as_str()).map(str::to_owned)
}

/// Where `sessid`'s invite goes, on `connection`'s account: a logged-in client it
/// names; else, for a phone number, Telnyx's outbound checks in order (D38 the
/// profile, D35/D36 the caller ID, D13 the country, D19 the balance), then the client
/// logged in on the connection the number is assigned to, if the account owns it and
/// one is; else the echo. Anything else is a SIP user nobody is logged in as.
pub fn route(
    store: &super::store::Store,
    board: &Switchboard,
    sessid: &str,
    connection: u64,
    params: &Value,
) -> Route {
    let dialog = &params["dialogParams"];
    let destination = dialog["destination_number"].as_str().unwrap_or_default();
    if let Some(callee) = board.client_named(destination, sessid) {
        return Route::Client { sessid: callee, callee_number: destination.trim().to_owned() };
    }
    let Some(number) = e164(destination) else {
        return Route::Rejected(not_registered());
    };
    match outbound_check(store, connection, dialog, &number) {
        Err(rejection) => Route::Rejected(rejection.ending()),
        Ok(()) => {
            let assigned = store
                .numbers
                .owned()
                .find(|owned| owned["phone_number"].as_str() == Some(number.as_str()))
                .and_then(|owned| owned["connection_id"].as_str()?.parse::<u64>().ok());
            match assigned.and_then(|connection| board.client_on(connection, sessid)) {
                Some(callee) => Route::Client { sessid: callee, callee_number: number },
                None => Route::Echo,
            }
        }
    }
}

/// Telnyx's outbound path for a call from `connection` to `number` (E.164).
fn outbound_check(
    store: &super::store::Store,
    connection: u64,
    dialog: &Value,
    number: &str,
) -> Result<(), Rejection> {
    let record = store.connections.get(&connection).ok_or(Rejection::D38)?;
    let profile = record["outbound"]["outbound_voice_profile_id"]
        .as_str()
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(|id| store.profiles.get(&id))
        .filter(|profile| profile["enabled"].as_bool() != Some(false))
        .ok_or(Rejection::D38)?;
    // The connection's caller ID override, when set, replaces what the client sent.
    let outbound = &record["outbound"];
    let caller_id = outbound["ani_override"]
        .as_str()
        .filter(|ani| !ani.is_empty())
        .or_else(|| dialog["caller_id_number"].as_str())
        .unwrap_or_default()
        .trim();
    if !is_e164(caller_id) {
        return Err(Rejection::D35);
    }
    let owns =
        |owned: &&Value| owned["phone_number"].as_str() == Some(caller_id) && owned["status"] == "active";
    if !store.numbers.owned().any(|owned| owns(&owned)) {
        return Err(Rejection::D36);
    }
    if !is_e164(number) {
        return Err(Rejection::D11);
    }
    let country = country_of(number).ok_or(Rejection::D11)?;
    let allowed = profile["whitelisted_destinations"].as_array().is_some_and(|list| {
        list.iter().any(|code| code.as_str().is_some_and(|code| code.eq_ignore_ascii_case(country)))
    });
    if !allowed {
        return Err(Rejection::D13);
    }
    let balance: f64 = store.balance.parse().unwrap_or(0.0);
    if balance <= 0.0 {
        return Err(Rejection::D19);
    }
    Ok(())
}

/// The call methods (VertoHandler.ts's `VertoMethod`).
pub const METHOD_INVITE: &str = "telnyx_rtc.invite";
pub const METHOD_ANSWER: &str = "telnyx_rtc.answer";
pub const METHOD_BYE: &str = "telnyx_rtc.bye";
pub const METHOD_RINGING: &str = "telnyx_rtc.ringing";
pub const METHOD_INFO: &str = "telnyx_rtc.info";
pub const METHOD_MODIFY: &str = "telnyx_rtc.modify";
pub const METHOD_CANDIDATE: &str = "telnyx_rtc.candidate";
pub const METHOD_END_OF_CANDIDATES: &str = "telnyx_rtc.endOfCandidates";

/// A dialled number in E.164, as Telnyx reads it from a US-localized connection: `+`
/// and digits, or 10 digits (a NANP number without its 1), or 11 starting with 1.
/// `None`: not a phone number at all (a SIP user name, say).
pub fn e164(dialled: &str) -> Option<String> {
    let dialled = dialled.trim();
    let (plus, digits) = match dialled.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, dialled),
    };
    let digits: String = digits.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(match (plus, digits.len()) {
        (true, _) => format!("+{digits}"),
        (false, 10) => format!("+1{digits}"),
        (false, 11) if digits.starts_with('1') => format!("+{digits}"),
        (false, _) => format!("+{digits}"),
    })
}

/// NANP area codes that are not the United States': Canada's and the Caribbean's,
/// which share calling code 1 (the NANPA's assignments).
const NANP_AREAS: &[(&str, &[u16])] = &[
    (
        "CA",
        &[
            204, 226, 236, 249, 250, 257, 263, 289, 306, 343, 354, 365, 367, 368, 382, 387, 403, 416, 418,
            428, 431, 437, 438, 450, 460, 468, 474, 506, 514, 519, 537, 548, 579, 581, 584, 587, 604, 613,
            639, 647, 672, 683, 705, 709, 742, 753, 778, 780, 782, 807, 819, 825, 867, 873, 879, 902, 905,
            942,
        ],
    ),
    ("BS", &[242]),
    ("BB", &[246]),
    ("AI", &[264]),
    ("AG", &[268]),
    ("VG", &[284]),
    ("VI", &[340]),
    ("KY", &[345]),
    ("BM", &[441]),
    ("GD", &[473]),
    ("TC", &[649]),
    ("JM", &[658, 876]),
    ("MS", &[664]),
    ("MP", &[670]),
    ("GU", &[671]),
    ("AS", &[684]),
    ("SX", &[721]),
    ("LC", &[758]),
    ("DM", &[767]),
    ("VC", &[784]),
    ("PR", &[787, 939]),
    ("DO", &[809, 829, 849]),
    ("TT", &[868]),
    ("KN", &[869]),
];

/// The main country of a calling code several countries share (ITU's assignments).
const SHARED_CODES: &[(usize, &str)] = &[
    (7, "RU"),
    (39, "IT"),
    (44, "GB"),
    (47, "NO"),
    (61, "AU"),
    (212, "MA"),
    (262, "RE"),
    (290, "SH"),
    (358, "FI"),
    (590, "GP"),
    (599, "CW"),
    (672, "NF"),
];

/// The ISO alpha-2 country an E.164 number rings in: the NANP by area code, else the
/// longest calling code that matches.
pub fn country_of(e164: &str) -> Option<&'static str> {
    let digits = e164.strip_prefix('+')?;
    if let Some(national) = digits.strip_prefix('1') {
        let area: u16 = national.get(..3)?.parse().ok()?;
        return Some(
            NANP_AREAS
                .iter()
                .find(|(_, areas)| areas.contains(&area))
                .map(|(country, _)| *country)
                .unwrap_or("US"),
        );
    }
    for length in (1..=3).rev() {
        let Some(code) = digits.get(..length).and_then(|code| code.parse::<usize>().ok()) else { continue };
        if let Some((_, country)) = SHARED_CODES.iter().find(|(shared, _)| *shared == code) {
            // Kazakhstan's numbers are +7 6 and +7 7.
            if code == 7 && matches!(digits.as_bytes().get(1), Some(b'6' | b'7')) {
                return Some("KZ");
            }
            return Some(country);
        }
        if let Some(country) = crate::countries::all().iter().find(|country| country.calling_code == code) {
            return Some(country.code.as_str());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_a_us_connection_reads_them() {
        assert_eq!(e164("+44 20 7946 0000").as_deref(), Some("+442079460000"));
        assert_eq!(e164("(312) 945-7420").as_deref(), Some("+13129457420"));
        assert_eq!(e164("13129457420").as_deref(), Some("+13129457420"));
        assert_eq!(e164("gencredABC"), None);
        assert_eq!(e164("alice@sip.telnyx.com"), None);
    }

    #[test]
    fn destinations_land_in_their_country() {
        assert_eq!(country_of("+13129457420"), Some("US"));
        assert_eq!(country_of("+14165550000"), Some("CA"));
        assert_eq!(country_of("+18765550000"), Some("JM"));
        assert_eq!(country_of("+442079460000"), Some("GB"));
        assert_eq!(country_of("+33142685300"), Some("FR"));
        assert_eq!(country_of("+77012345678"), Some("KZ"));
        assert_eq!(country_of("+74951234567"), Some("RU"));
        assert_eq!(country_of("+353123456789"), Some("IE"));
        assert_eq!(country_of("+5215512345678"), Some("MX"));
    }

    #[test]
    fn rejections_carry_the_cause_the_sdk_shows() {
        let ending = Rejection::D13.ending();
        assert_eq!(
            (ending.cause.as_str(), ending.cause_code, ending.sip_code),
            ("CALL_REJECTED", 21, Some(403))
        );
        assert!(ending.sip_reason.unwrap().ends_with("D13"));
        assert_eq!(Rejection::D19.ending().cause, "UNALLOCATED_NUMBER");
    }
}
