//! Calls on the sandbox's signaling (`/rtc`), spoken frame by frame as the official SDK
//! speaks them (the shared WEBRTC-CALLS.md): one client calling another, both ways of
//! hanging up, DTMF and hold, a callee that goes away, and calls to phone numbers
//! checked as Telnyx's outbound path checks them (D38, D13, D35, D36, D19), each
//! ending with the bye and cause Telnyx sends. Every wait has a deadline.

use crate::support::{client, new_connection};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use telnyx_setup::api::{Client, NewTelephonyCredential, TelephonyCredential};
use telnyx_setup::media::ToneCaller;
use telnyx_setup::sandbox::{CallState, Sandbox, Seed};
use tokio_tungstenite::tungstenite::Message;

const KEY: &str = "KEYcalls";
const DEADLINE: Duration = Duration::from_secs(10);
/// The sample connection's SIP login and its two numbers (`Seed::phone_numbers`).
const OFFICE_USER: &str = "officephones01";
const OFFICE_PASSWORD: &str = "office-phones-password";
const OWNED: &str = "+15550000000";
const OWNED_TOO: &str = "+15550000001";

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An offer as a browser makes it (the relay passes it on verbatim, whatever it says).
const OFFER: &str =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=sendrecv\r\n";
const ANSWER: &str =
    "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=sendrecv\r\n";

/// One logged-in signaling socket.
struct Phone {
    socket: Socket,
    sessid: String,
    next: u64,
}

async fn start(seed: Seed) -> (Sandbox, Client) {
    let sandbox = Sandbox::start_local(&seed).await.expect("the sandbox binds a loopback port");
    let api = client(&sandbox.base_url(), KEY);
    (sandbox, api)
}

/// The sample account with its two numbers on the sample connection (profile: US, CA, MX).
async fn office() -> (Sandbox, Client) {
    start(Seed { phone_numbers: 2, ..Seed::default() }).await
}

async fn credential_on(api: &Client, connection_id: &str) -> TelephonyCredential {
    let body = NewTelephonyCredential {
        connection_id: connection_id.to_owned(),
        ..NewTelephonyCredential::default()
    };
    api.create_telephony_credential(&body).await.unwrap()
}

async fn office_connection(api: &Client) -> String {
    let page =
        api.list_credential_connections(telnyx_setup::api::PageRequest::first(10), None).await.unwrap();
    page.data.into_iter().find(|c| c.user_name == OFFICE_USER).expect("the sample connection").id
}

impl Phone {
    /// Logs in with a SIP user name and password, up to the gateway's REGED.
    async fn login(sandbox: &Sandbox, user: &str, password: &str) -> Self {
        let socket =
            tokio_tungstenite::connect_async(sandbox.signaling_url()).await.expect("/rtc upgrades").0;
        let mut phone = Self { socket, sessid: String::new(), next: 0 };
        let login = json!({ "jsonrpc": "2.0", "id": phone.id(), "method": "login", "params": {
            "login": user, "passwd": password, "userVariables": {}, "reconnection": false,
            "loginParams": {}, "User-Agent": { "sdkVersion": "2.27.10", "data": "calls test" } } });
        let answer = phone.request(&login).await;
        assert_eq!(answer["result"]["message"], "logged in", "{answer}");
        phone.sessid = answer["result"]["sessid"].as_str().unwrap().to_owned();
        assert_eq!(phone.next_frame().await["method"], "telnyx_rtc.clientReady");
        phone
    }

    async fn credential(sandbox: &Sandbox, credential: &TelephonyCredential) -> Self {
        Self::login(sandbox, &credential.sip_username, credential.sip_password.expose()).await
    }

    fn id(&mut self) -> String {
        self.next += 1;
        format!("00000000-0000-4000-8000-{:012}", self.next)
    }

    async fn send(&mut self, frame: &Value) {
        self.socket.send(Message::text(frame.to_string())).await.expect("the frame is sent");
    }

    async fn next_frame(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(DEADLINE, self.socket.next())
                .await
                .expect("a frame in time")
                .expect("the socket is open")
                .expect("the frame is readable");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).expect("JSON");
            }
        }
    }

    /// Sends a request and returns the answer to it (other frames before it are kept
    /// out of the way: none are expected).
    async fn request(&mut self, frame: &Value) -> Value {
        self.send(frame).await;
        let answer = self.next_frame().await;
        assert_eq!(answer["id"], frame["id"], "the answer is to {frame}: {answer}");
        answer
    }

    /// The next server request, which must be `method`; the SDK's ack is sent for it.
    async fn expect(&mut self, method: &str) -> Value {
        let frame = self.next_frame().await;
        assert_eq!(frame["method"], method, "{frame}");
        assert!(frame["id"].is_u64(), "server requests carry numeric ids: {frame}");
        // VertoHandler.ts `_ack`: `{"id": N, "result": {"method": ...}}`.
        let ack = json!({ "jsonrpc": "2.0", "id": frame["id"], "result": { "method": method } });
        self.send(&ack).await;
        frame["params"].clone()
    }

    /// A call method's frame as BaseCall.ts builds it: sessid, dialogParams with the callID.
    fn call_frame(&mut self, method: &str, call_id: &str, extra: Value) -> Value {
        let mut params = json!({ "sessid": self.sessid, "dialogParams": { "callID": call_id } });
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                params.insert(key.clone(), value.clone());
            }
        }
        json!({ "jsonrpc": "2.0", "id": self.id(), "method": method, "params": params })
    }

    /// Places a call as the SDK's `newCall` does; returns its callID and the result.
    async fn invite(&mut self, destination: &str, caller_id: &str) -> (String, Value) {
        self.invite_with(destination, caller_id, OFFER).await
    }

    async fn invite_with(&mut self, destination: &str, caller_id: &str, offer: &str) -> (String, Value) {
        let call_id = format!("c0ffee00-0000-4000-8000-{:012}", self.next + 1000);
        let frame = json!({ "jsonrpc": "2.0", "id": self.id(), "method": "telnyx_rtc.invite", "params": {
            "sessid": self.sessid, "sdp": offer,
            "dialogParams": { "callID": call_id, "destination_number": destination,
                "caller_id_number": caller_id, "caller_id_name": "Test", "remote_caller_id_name": "Outbound Call",
                "audio": true, "video": false, "attach": false, "screenShare": false, "userVariables": {} },
            "User-Agent": "Web-2.27.10" } });
        let answer = self.request(&frame).await;
        (call_id, answer)
    }
}

fn created(answer: &Value, call_id: &str) {
    assert_eq!(answer["result"]["message"], "CALL CREATED", "{answer}");
    assert_eq!(answer["result"]["callID"], call_id);
}

/// Calls `destination` from `phone` and returns the bye that refuses it.
async fn refused(phone: &mut Phone, destination: &str, caller_id: &str) -> Value {
    let (call_id, answer) = phone.invite(destination, caller_id).await;
    created(&answer, &call_id);
    let bye = phone.expect("telnyx_rtc.bye").await;
    assert_eq!(bye["callID"], call_id.as_str());
    bye
}

fn assert_rejected(bye: &Value, code: &str) {
    assert_eq!(bye["cause"], "CALL_REJECTED", "{bye}");
    assert_eq!(bye["causeCode"], 21, "{bye}");
    assert_eq!(bye["sipCode"], 403, "{bye}");
    let reason = bye["sipReason"].as_str().unwrap_or_default();
    assert!(reason.ends_with(code), "{code} ends the reason, as Telnyx writes it: {bye}");
}

#[tokio::test]
async fn one_client_calls_another_and_the_sandbox_relays_every_step() {
    let (sandbox, api) = office().await;
    let connection = office_connection(&api).await;
    let (alice, bob) = (credential_on(&api, &connection).await, credential_on(&api, &connection).await);
    let mut caller = Phone::credential(&sandbox, &alice).await;
    let mut callee = Phone::credential(&sandbox, &bob).await;

    let (call_id, answer) = caller.invite(&format!("{}@sip.telnyx.com", bob.sip_username), OWNED).await;
    created(&answer, &call_id);
    assert_eq!(caller.expect("telnyx_rtc.ringing").await, json!({ "callID": call_id }));
    let invite = callee.expect("telnyx_rtc.invite").await;
    assert_eq!(invite["callID"], call_id.as_str());
    assert_eq!(invite["sdp"], OFFER, "the offer is passed on verbatim");
    assert_eq!(invite["caller_id_number"], OWNED);
    assert_eq!(invite["caller_id_name"], "Test");
    assert_eq!(sandbox.calls()[0].state, CallState::Ringing);

    let answering = callee.call_frame("telnyx_rtc.answer", &call_id, json!({ "sdp": ANSWER }));
    let answered = callee.request(&answering).await;
    assert_eq!(answered["result"]["message"], "CALL ANSWERED", "{answered}");
    assert_eq!(caller.expect("telnyx_rtc.answer").await, json!({ "callID": call_id, "sdp": ANSWER }));
    assert_eq!(sandbox.calls()[0].state, CallState::Active);
    assert_eq!(sandbox.calls()[0].answered_by.as_deref(), Some(bob.sip_username.as_str()));

    // DTMF, as BaseCall.ts `dtmf()` sends it, reaches the other side.
    let dtmf = caller.call_frame("telnyx_rtc.info", &call_id, json!({ "dtmf": "5" }));
    assert!(caller.request(&dtmf).await["result"].is_object());
    assert_eq!(callee.expect("telnyx_rtc.info").await, json!({ "callID": call_id, "dtmf": "5" }));

    // Hold and toggle, answered with the holdState BaseCall.ts reads.
    for (action, state) in
        [("hold", "held"), ("toggleHold", "active"), ("toggleHold", "held"), ("unhold", "active")]
    {
        let modify = caller.call_frame("telnyx_rtc.modify", &call_id, json!({ "action": action }));
        let result = caller.request(&modify).await;
        assert_eq!(result["result"]["holdState"], state, "{action}: {result}");
    }

    let bye =
        caller.call_frame("telnyx_rtc.bye", &call_id, json!({ "cause": "NORMAL_CLEARING", "causeCode": 16 }));
    assert_eq!(caller.request(&bye).await["result"]["message"], "CALL ENDED");
    let told = callee.expect("telnyx_rtc.bye").await;
    assert_eq!(told, json!({ "callID": call_id, "cause": "NORMAL_CLEARING", "causeCode": 16 }));
    assert!(matches!(sandbox.calls()[0].state, CallState::Ended(ref ending) if ending.cause_code == 16));

    // The call is gone: a second bye is mod_verto's -32002.
    let again = caller.call_frame("telnyx_rtc.bye", &call_id, json!({}));
    assert_eq!(
        caller.request(&again).await["error"],
        json!({ "code": -32002, "message": "CALL DOES NOT EXIST" })
    );
}

#[tokio::test]
async fn a_callee_that_declines_or_goes_away_ends_the_call_for_the_caller() {
    let (sandbox, api) = office().await;
    let connection = office_connection(&api).await;
    let (alice, bob) = (credential_on(&api, &connection).await, credential_on(&api, &connection).await);
    let mut caller = Phone::credential(&sandbox, &alice).await;
    let mut callee = Phone::credential(&sandbox, &bob).await;

    // Declined while ringing: the SDK's bye says USER_BUSY/17, and the caller hears it.
    let (call_id, _) = caller.invite(&bob.sip_username, OWNED).await;
    caller.expect("telnyx_rtc.ringing").await;
    callee.expect("telnyx_rtc.invite").await;
    let decline =
        callee.call_frame("telnyx_rtc.bye", &call_id, json!({ "cause": "USER_BUSY", "causeCode": 17 }));
    assert_eq!(callee.request(&decline).await["result"]["message"], "CALL ENDED");
    let bye = caller.expect("telnyx_rtc.bye").await;
    assert_eq!((bye["cause"].as_str(), bye["causeCode"].as_u64()), (Some("USER_BUSY"), Some(17)));

    // Cancelled by the caller before an answer: the callee is told ORIGINATOR_CANCEL.
    let (call_id, _) = caller.invite(&bob.sip_username, OWNED).await;
    caller.expect("telnyx_rtc.ringing").await;
    callee.expect("telnyx_rtc.invite").await;
    let cancel =
        caller.call_frame("telnyx_rtc.bye", &call_id, json!({ "cause": "USER_BUSY", "causeCode": 17 }));
    caller.request(&cancel).await;
    let bye = callee.expect("telnyx_rtc.bye").await;
    assert_eq!((bye["cause"].as_str(), bye["causeCode"].as_u64()), (Some("ORIGINATOR_CANCEL"), Some(487)));

    // Answered, then the callee's socket closes: the caller gets a bye.
    let (call_id, _) = caller.invite(&bob.sip_username, OWNED).await;
    caller.expect("telnyx_rtc.ringing").await;
    callee.expect("telnyx_rtc.invite").await;
    let answering = callee.call_frame("telnyx_rtc.answer", &call_id, json!({ "sdp": ANSWER }));
    callee.request(&answering).await;
    caller.expect("telnyx_rtc.answer").await;
    drop(callee);
    let bye = caller.expect("telnyx_rtc.bye").await;
    assert_eq!(bye["callID"], call_id.as_str());
    assert!(sandbox.calls().iter().all(|call| matches!(call.state, CallState::Ended(_))));
}

#[tokio::test]
async fn only_the_callee_answers_and_only_the_calls_own_sides_act_on_it() {
    let (sandbox, api) = office().await;
    let connection = office_connection(&api).await;
    let (alice, bob, eve) = (
        credential_on(&api, &connection).await,
        credential_on(&api, &connection).await,
        credential_on(&api, &connection).await,
    );
    let mut caller = Phone::credential(&sandbox, &alice).await;
    let mut callee = Phone::credential(&sandbox, &bob).await;
    let mut stranger = Phone::credential(&sandbox, &eve).await;
    let (call_id, _) = caller.invite(&bob.sip_username, OWNED).await;
    caller.expect("telnyx_rtc.ringing").await;
    callee.expect("telnyx_rtc.invite").await;

    let no_call = json!({ "code": -32002, "message": "CALL DOES NOT EXIST" });
    for method in ["telnyx_rtc.answer", "telnyx_rtc.bye", "telnyx_rtc.info", "telnyx_rtc.modify"] {
        let frame =
            stranger.call_frame(method, &call_id, json!({ "sdp": ANSWER, "dtmf": "1", "action": "hold" }));
        assert_eq!(stranger.request(&frame).await["error"], no_call, "{method} from a stranger");
    }
    let own_answer = caller.call_frame("telnyx_rtc.answer", &call_id, json!({ "sdp": ANSWER }));
    assert_eq!(caller.request(&own_answer).await["error"], no_call, "the caller cannot answer its own call");
    let no_id = json!({ "jsonrpc": "2.0", "id": "x", "method": "telnyx_rtc.invite", "params": { "sessid": caller.sessid, "dialogParams": {} } });
    assert_eq!(caller.request(&no_id).await["error"]["code"], -32602);
}

#[tokio::test]
async fn calls_before_a_login_need_one() {
    let (sandbox, _api) = office().await;
    let mut socket = tokio_tungstenite::connect_async(sandbox.signaling_url()).await.unwrap().0;
    let invite = json!({ "jsonrpc": "2.0", "id": "1", "method": "telnyx_rtc.invite", "params": { "dialogParams": { "callID": "x", "destination_number": OWNED } } });
    socket.send(Message::text(invite.to_string())).await.unwrap();
    let Some(Ok(Message::Text(text))) = tokio::time::timeout(DEADLINE, socket.next()).await.unwrap() else {
        panic!("a text answer")
    };
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["error"], json!({ "code": -32000, "message": "Authentication Required" }));
    assert!(sandbox.calls().is_empty());
}

#[tokio::test]
async fn calls_to_numbers_are_refused_as_telnyxs_outbound_path_refuses_them() {
    let (sandbox, api) = office().await;
    let mut office = Phone::login(&sandbox, OFFICE_USER, OFFICE_PASSWORD).await;
    // The profile allows US, CA and MX only.
    assert_rejected(&refused(&mut office, "+442079460000", OWNED).await, "D13");
    assert_rejected(&refused(&mut office, "+18765550100", OWNED).await, "D13");
    // The caller ID: not E.164 (a SIP user name, as softphones send), then not the account's.
    assert_rejected(&refused(&mut office, "+13129457420", "officephones01").await, "D35");
    assert_rejected(&refused(&mut office, "+13129457420", "+13125550123").await, "D36");

    // A connection without an outbound voice profile: D38, whatever else is right.
    api.create_credential_connection(&new_connection("No profile", "noprofile01")).await.unwrap();
    let mut bare = Phone::login(&sandbox, "noprofile01", "correct-horse-battery").await;
    assert_rejected(&refused(&mut bare, "+13129457420", OWNED).await, "D38");
    let calls = sandbox.calls();
    assert_eq!(calls.len(), 5);
    assert!(calls.iter().all(|call| matches!(&call.state, CallState::Ended(e) if e.sip_code == Some(403))));

    // No balance left.
    let (sandbox, _api) = start(Seed { phone_numbers: 1, balance: "0.00".into(), ..Seed::default() }).await;
    let mut broke = Phone::login(&sandbox, OFFICE_USER, OFFICE_PASSWORD).await;
    let bye = refused(&mut broke, "+13129457420", OWNED).await;
    assert_eq!(
        (bye["cause"].as_str(), bye["sipCode"].as_u64()),
        (Some("UNALLOCATED_NUMBER"), Some(404)),
        "{bye}"
    );
    assert!(bye["sipReason"].as_str().unwrap().ends_with("D19"));

    // A SIP user nobody is logged in as.
    let bye = refused(&mut office, "nobodyhere", OWNED).await;
    assert_eq!((bye["cause"].as_str(), bye["causeCode"].as_u64()), (Some("USER_NOT_REGISTERED"), Some(606)));
}

#[tokio::test]
async fn a_number_that_passes_is_answered_by_the_echo_which_sends_back_what_it_hears() {
    let (sandbox, _api) = office().await;
    let mut office = Phone::login(&sandbox, OFFICE_USER, OFFICE_PASSWORD).await;
    let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
    let (caller, offer) =
        ToneCaller::offer(&telnyx_setup::media::Gathering::Host(loopback)).await.expect("an offer");
    let (call_id, answer) = office.invite_with("(312) 945-7420", OWNED, &offer).await;
    created(&answer, &call_id);
    assert_eq!(office.expect("telnyx_rtc.ringing").await, json!({ "callID": call_id }));
    let answered = office.expect("telnyx_rtc.answer").await;
    assert_eq!(answered["callID"], call_id.as_str());
    let sdp = answered["sdp"].as_str().expect("the echo's answer");
    assert!(sdp.contains("typ host") && sdp.contains("127.0.0.1"), "a loopback host candidate: {sdp}");
    let call = &sandbox.calls()[0];
    assert_eq!((call.to.as_str(), call.answered_by.as_deref()), ("(312) 945-7420", Some("echo")));
    assert_eq!(call.state, CallState::Active);

    let heard = caller.talk(sdp, 1000.0, Duration::from_millis(1500)).await.expect("the call runs");
    assert!(heard.tone_frames >= 10, "the tone came back: {heard:?}");
    assert!(heard.round_trip.is_some(), "{heard:?}");
    assert_eq!(heard.codec.as_deref(), Some("PCMU/8000"), "{heard:?}");
    assert_eq!(heard.pair, Some(("host".to_owned(), "host".to_owned())), "{heard:?}");

    let bye =
        office.call_frame("telnyx_rtc.bye", &call_id, json!({ "cause": "NORMAL_CLEARING", "causeCode": 16 }));
    assert_eq!(office.request(&bye).await["result"]["message"], "CALL ENDED");
    assert!(matches!(sandbox.calls()[0].state, CallState::Ended(_)));
}

#[tokio::test]
async fn an_offer_the_echo_cannot_answer_ends_incompatible() {
    let (sandbox, _api) = office().await;
    let mut office = Phone::login(&sandbox, OFFICE_USER, OFFICE_PASSWORD).await;
    let (call_id, _) = office.invite_with("+13129457420", OWNED, "not an SDP").await;
    office.expect("telnyx_rtc.ringing").await;
    let bye = office.expect("telnyx_rtc.bye").await;
    assert_eq!(bye["callID"], call_id.as_str());
    assert_eq!(
        (bye["cause"].as_str(), bye["sipCode"].as_u64()),
        (Some("INCOMPATIBLE_DESTINATION"), Some(488))
    );
}

#[tokio::test]
async fn a_number_of_the_account_rings_the_client_on_its_connection() {
    let (sandbox, api) = office().await;
    let mut office = Phone::login(&sandbox, OFFICE_USER, OFFICE_PASSWORD).await;
    // One of the account's numbers, on a connection a client is logged in on: that
    // client rings, with the number it was called on.
    let connection = office_connection(&api).await;
    let desk = credential_on(&api, &connection).await;
    let mut desk = Phone::credential(&sandbox, &desk).await;
    let (call_id, _) = office.invite(OWNED_TOO, OWNED).await;
    office.expect("telnyx_rtc.ringing").await;
    let invite = desk.expect("telnyx_rtc.invite").await;
    assert_eq!(invite["callID"], call_id.as_str());
    assert_eq!(invite["callee_id_number"], OWNED_TOO);
}

#[tokio::test]
async fn the_sdks_debug_reports_are_answered_so_its_calls_go_on() {
    // With `debug: true` the SDK sends these before its invite and aborts the call if
    // they are refused (seen with the official SDK in Chromium against this sandbox).
    let (sandbox, _api) = office().await;
    let mut office = Phone::login(&sandbox, OFFICE_USER, OFFICE_PASSWORD).await;
    for kind in ["debug_report_start", "debug_report_data", "debug_report_stop"] {
        let frame = json!({ "jsonrpc": "2.0", "id": office.id(), "type": kind,
            "debug_report_id": "428158a2-1f70-465a-838c-b0f533e03e8d", "debug_report_version": 1,
            "call_id": "aeb38083-21b9-498a-b498-46922a568c64" });
        let answer = office.request(&frame).await;
        assert_eq!(answer["result"], json!({}), "{kind}: {answer}");
    }
    // Other frames without a method are still refused.
    let frame = json!({ "jsonrpc": "2.0", "id": office.id(), "type": "something_else" });
    assert_eq!(office.request(&frame).await["error"]["code"], -32600);
}
