//! The call test (`doctor --call-test`, `doctor --call +E164`): logs in as the SDK
//! does, places a call, sends a tone and listens for it to come back, and says how the
//! call went: answered in how long, whether and when the tone came back, the ICE pair
//! and the codec; or why it failed (refused with a D-code, no answer, ICE failed, no
//! audio back) and what to do.
//!
//! The signaling is `crate::signaling`'s (JSON-RPC over one WebSocket, the frames of
//! WEBRTC-CALLS.md); the media is [`crate::media`]'s `str0m` endpoints. `--call-test`
//! calls between two logins of the connection, the second answering with an echo, on
//! Telnyx's network and not the phone network; `--call` calls a number.

use crate::doctor::{Check, Verdict};
use crate::media::{Echo, Gathering, Heard, ToneCaller};
use crate::signaling::{self, Login, METHOD_GATEWAY_STATE, METHOD_PING, STATE_REGISTERED, SignalingUrl};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// The tone sent, in Hz: well inside the narrowband voice band, and a whole number of
/// cycles in a 20 ms frame at 8 kHz.
pub const TONE_HZ: f64 = 1000.0;
/// How long the tone is sent once the call is up.
pub const TONE_LENGTH: Duration = Duration::from_secs(2);
/// How long a call may ring before the test gives up on an answer.
pub const RING_LIMIT: Duration = Duration::from_secs(30);
/// How long a login may take.
const LOGIN_LIMIT: Duration = Duration::from_secs(10);
/// The tag on the temporary credentials `--call-test` makes on a real account.
pub const TEMPORARY_TAG: &str = "telnyx-setup-call-test";
const CALLER_NAME: &str = "telnyx-setup call test";

/// How a call ended before it was answered, as the bye said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hangup {
    pub cause: String,
    pub cause_code: Option<u64>,
    pub sip_code: Option<u64>,
    pub sip_reason: Option<String>,
}

impl Hangup {
    fn from_bye(params: &Value) -> Self {
        Self {
            cause: signaling::quote(params["cause"].as_str().unwrap_or("no cause given")),
            cause_code: params["causeCode"].as_u64(),
            sip_code: params["sipCode"].as_u64(),
            sip_reason: params["sipReason"].as_str().map(signaling::quote),
        }
    }

    /// Telnyx's D-code at the end of the SIP reason ("... D13"), if any.
    pub fn d_code(&self) -> Option<&str> {
        let last = self.sip_reason.as_deref()?.split_whitespace().last()?;
        (last.len() >= 2 && last.starts_with('D') && last[1..].chars().all(|c| c.is_ascii_digit()))
            .then_some(last)
    }
}

/// What the call test found.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    /// Answered, and the tone came back.
    Passed { answered: Duration, heard: Heard },
    /// Answered, ICE never connected: no media path.
    IceFailed { answered: Duration },
    /// Answered and connected, the tone went out, and nothing (or no tone) came back.
    NoAudioBack { answered: Duration, heard: Heard },
    /// Ended before an answer, with the bye's cause.
    Refused(Hangup),
    /// Ended by the far end while the tone was being sent.
    EndedEarly(Hangup),
    /// No answer within the ring limit.
    NoAnswer(Duration),
    /// The login failed, so no call was placed.
    Login(String),
    /// The signaling went wrong (a closed socket, an error reply).
    Signaling(String),
}

impl CallOutcome {
    pub fn passed(&self) -> bool {
        matches!(self, Self::Passed { .. })
    }

    /// What happened, in a sentence.
    pub fn reason(&self) -> String {
        let ms = |d: &Duration| d.as_millis();
        match self {
            Self::Passed { answered, heard } => format!(
                "Answered in {} ms; audio back {} ms after the answer; the {TONE_HZ} Hz tone came back{} ({} of {} \
                 frames); codec {}; ICE pair {}.",
                ms(answered),
                heard.first_audio_after.map_or_else(|| "?".to_owned(), |after| ms(&after).to_string()),
                heard
                    .round_trip
                    .map(|rt| format!(" after a round trip of {} ms", ms(&rt)))
                    .unwrap_or_default(),
                heard.tone_frames,
                heard.frames,
                heard.codec.as_deref().unwrap_or("unknown"),
                pair(heard),
            ),
            Self::IceFailed { answered } => format!(
                "Answered in {} ms, but ICE never connected: no media path between this machine and the far end.",
                ms(answered)
            ),
            Self::NoAudioBack { answered, heard } if heard.frames == 0 => format!(
                "Answered in {} ms and connected (ICE pair {}), but no audio came back: one-way audio.",
                ms(answered),
                pair(heard)
            ),
            Self::NoAudioBack { answered, heard } => format!(
                "Answered in {} ms; {} audio frames came back but none held the tone that was sent.",
                ms(answered),
                heard.frames
            ),
            Self::Refused(hangup) => format!("The call was refused: {}.", describe(hangup)),
            Self::EndedEarly(hangup) => {
                format!("The call was answered, then ended by the far end: {}.", describe(hangup))
            }
            Self::NoAnswer(limit) => format!("Nobody answered within {} s.", limit.as_secs()),
            Self::Login(why) => format!("No call was placed: the login failed ({why})."),
            Self::Signaling(why) => format!("The call's signaling failed: {why}."),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> Option<String> {
        let fix = match self {
            Self::Passed { .. } => return None,
            Self::IceFailed { .. } => {
                "A firewall is blocking UDP media: allow outbound UDP (Telnyx's media ranges are listed at \
                 sip.telnyx.com), or use a TURN server (the SDK's iceServers)."
            }
            Self::NoAudioBack { .. } => {
                "One-way audio: check that UDP replies can come back in (NAT or firewall), and that the \
                 codecs on the connection include PCMU."
            }
            Self::Refused(hangup) | Self::EndedEarly(hangup) => match hangup.d_code() {
                Some("D38") => "Assign an outbound voice profile to the connection (wizard step 4).",
                Some("D13") => {
                    "Add the destination's country to the outbound voice profile's allowed destinations \
                     (wizard step 5)."
                }
                Some("D35") => {
                    "Send a caller ID in E.164 (the SDK's callerNumber in newCall()), or set a caller ID \
                     override on the connection."
                }
                Some("D36") => "Use one of this account's numbers as the caller ID.",
                Some("D19") => "Top up the account balance.",
                _ if hangup.cause == "USER_NOT_REGISTERED" => {
                    "The called login is not online: log it in first."
                }
                _ => "See Telnyx's SIP response codes (support.telnyx.com, article 4409457).",
            },
            Self::NoAnswer(_) => "Check that the called login or number is reachable and answers.",
            Self::Login(_) => "Run `doctor --login-test` for the login alone, and follow its advice.",
            Self::Signaling(_) => "Run it again with --verbose; if it persists, check the signaling URL.",
        };
        Some(fix.to_owned())
    }

    /// The doctor's check for this outcome: `call` for `--call-test`, `call_number`
    /// for `--call`.
    pub fn check(&self, id: &'static str) -> Check {
        Check {
            id,
            verdict: if self.passed() { Verdict::Pass } else { Verdict::Fail },
            reason: self.reason(),
            fix: self.fix(),
        }
    }
}

fn describe(hangup: &Hangup) -> String {
    let mut text = hangup.cause.clone();
    if let Some(code) = hangup.cause_code {
        text.push_str(&format!(" ({code})"));
    }
    if let Some(sip) = hangup.sip_code {
        text.push_str(&format!(", SIP {sip}"));
    }
    if let Some(reason) = &hangup.sip_reason {
        text.push_str(&format!(" \"{reason}\""));
    }
    text
}

fn pair(heard: &Heard) -> String {
    heard.pair.as_ref().map_or_else(|| "unknown".to_owned(), |(local, remote)| format!("{local} to {remote}"))
}

/// Why one try of a login of the call test did not open a session.
enum Opening {
    /// `-32001 Login Incorrect`: for a credential made moments ago, maybe only not yet
    /// propagated.
    Refused(String),
    /// Anything else: tried no more.
    Failed(String),
}

impl From<String> for Opening {
    fn from(why: String) -> Self {
        Self::Failed(why)
    }
}

impl From<&str> for Opening {
    fn from(why: &str) -> Self {
        Self::Failed(why.to_owned())
    }
}

/// A signaling socket logged in and registered.
struct Session {
    socket: signaling::Socket,
    sessid: String,
}

impl Session {
    /// Logs in with `login` and waits for `REGED`, answering pings. Its credential was
    /// made moments ago, so a refusal is tried again after each of
    /// [`signaling::PROPAGATION_WAITS`], as the login test does: a new credential may
    /// be refused for a few seconds while it propagates.
    async fn open(url: &SignalingUrl, login: &Login) -> Result<Self, String> {
        let mut waits = signaling::PROPAGATION_WAITS.iter();
        loop {
            match Self::open_once(url, login).await {
                Err(Opening::Refused(why)) => match waits.next() {
                    Some(wait) => {
                        tracing::info!(
                            wait_ms = wait.as_millis() as u64,
                            "call test: {}",
                            signaling::PROPAGATION_NOTE
                        );
                        tokio::time::sleep(*wait).await;
                    }
                    None => return Err(why),
                },
                Err(Opening::Failed(why)) => return Err(why),
                Ok(session) => return Ok(session),
            }
        }
    }

    /// One try of [`Session::open`].
    async fn open_once(url: &SignalingUrl, login: &Login) -> Result<Self, Opening> {
        let work = async {
            let mut socket = signaling::connect(url).await.map_err(|outcome| outcome.reason(url))?;
            let login_id = uuid::Uuid::new_v4().to_string();
            send(&mut socket, &login.request(&login_id)).await?;
            let mut sessid = None;
            let state_id = uuid::Uuid::new_v4().to_string();
            loop {
                let frame = receive(&mut socket).await?;
                if frame["method"] == METHOD_PING {
                    send(&mut socket, &json!({ "jsonrpc": "2.0", "id": frame["id"], "result": {} })).await?;
                } else if frame["id"] == login_id.as_str() {
                    if let Some(error) = frame.get("error") {
                        let why = format!("refused: {}", signaling::quote(&error.to_string()));
                        return Err(if error["code"] == signaling::ERROR_LOGIN_INCORRECT {
                            Opening::Refused(why)
                        } else {
                            Opening::Failed(why)
                        });
                    }
                    sessid = frame["result"]["sessid"].as_str().map(str::to_owned);
                    send(&mut socket, &signaling::gateway_state_request(&state_id)).await?;
                } else if frame["id"] == state_id.as_str() || frame["method"] == METHOD_GATEWAY_STATE {
                    let state =
                        frame["result"]["params"]["state"].as_str().or(frame["params"]["state"].as_str());
                    if state == Some(STATE_REGISTERED) {
                        let sessid = sessid.ok_or("the login result had no sessid")?;
                        return Ok(Self { socket, sessid });
                    }
                }
            }
        };
        tokio::time::timeout(LOGIN_LIMIT, work).await.unwrap_or_else(|_| Err("no answer in time".into()))
    }

    /// The next server request (acked as the SDK acks it) or the answer to `id`.
    async fn next(&mut self) -> Result<Value, String> {
        loop {
            let frame = receive(&mut self.socket).await?;
            if frame["method"] == METHOD_PING {
                send(&mut self.socket, &json!({ "jsonrpc": "2.0", "id": frame["id"], "result": {} })).await?;
                continue;
            }
            if let Some(method) = frame["method"].as_str() {
                let ack = json!({ "jsonrpc": "2.0", "id": frame["id"], "result": { "method": method } });
                send(&mut self.socket, &ack).await?;
            }
            return Ok(frame);
        }
    }

    fn request(&self, method: &str, params: Value) -> (String, Value) {
        let id = uuid::Uuid::new_v4().to_string();
        let mut params = params;
        params["sessid"] = json!(self.sessid);
        (id.clone(), json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
    }

    async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            if self.socket.close(None).await.is_ok() {
                while let Some(Ok(_)) = self.socket.next().await {}
            }
        })
        .await;
    }
}

async fn send(socket: &mut signaling::Socket, frame: &Value) -> Result<(), String> {
    socket.send(Message::text(frame.to_string())).await.map_err(|e| format!("the socket failed: {e}"))
}

async fn receive(socket: &mut signaling::Socket) -> Result<Value, String> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text)
                    .map_err(|_| format!("a frame that is not JSON: {}", signaling::quote(&text)));
            }
            Some(Ok(Message::Close(_))) | None => return Err("the server closed the socket".into()),
            Some(Err(error)) => return Err(format!("the socket failed: {error}")),
            Some(Ok(_)) => {}
        }
    }
}

/// Logs in as `login` and calls `destination` with caller ID `caller_id`, with the
/// media candidates `gathering` finds; sends the tone once answered and reports.
pub async fn place_call(
    url: &SignalingUrl,
    login: &Login,
    destination: &str,
    caller_id: &str,
    gathering: &Gathering,
) -> CallOutcome {
    let mut session = match Session::open(url, login).await {
        Ok(session) => session,
        Err(why) => return CallOutcome::Login(why),
    };
    let outcome = call_on(&mut session, destination, caller_id, gathering).await;
    session.close().await;
    tracing::info!(passed = outcome.passed(), "call test");
    outcome
}

async fn call_on(
    session: &mut Session,
    destination: &str,
    caller_id: &str,
    gathering: &Gathering,
) -> CallOutcome {
    let (caller, offer) = match ToneCaller::offer(gathering).await {
        Ok(made) => made,
        Err(error) => return CallOutcome::Signaling(format!("no offer could be made: {error}")),
    };
    let call_id = uuid::Uuid::new_v4().to_string();
    let (invite_id, invite) = session.request(
        "telnyx_rtc.invite",
        json!({
            "sdp": offer,
            "dialogParams": {
                "callID": call_id, "destination_number": destination, "caller_id_number": caller_id,
                "caller_id_name": CALLER_NAME, "remote_caller_id_name": "Outbound Call",
                "remote_caller_id_number": destination,
                "audio": true, "video": false, "attach": false, "screenShare": false, "userVariables": {},
            },
            "User-Agent": concat!("telnyx-setup/", env!("CARGO_PKG_VERSION"), " (call test)"),
        }),
    );
    let invited = Instant::now();
    if let Err(why) = send(&mut session.socket, &invite).await {
        return CallOutcome::Signaling(why);
    }
    // Up to the answer: the invite's result, ringing, then an answer or a bye.
    let answer = loop {
        let frame = match tokio::time::timeout_at((invited + RING_LIMIT).into(), session.next()).await {
            Err(_) => {
                hang_up(session, &call_id).await;
                return CallOutcome::NoAnswer(RING_LIMIT);
            }
            Ok(Err(why)) => return CallOutcome::Signaling(why),
            Ok(Ok(frame)) => frame,
        };
        if frame["id"] == invite_id.as_str() {
            if let Some(error) = frame.get("error") {
                return CallOutcome::Signaling(format!(
                    "the invite was answered with an error: {}",
                    signaling::quote(&error.to_string())
                ));
            }
            continue;
        }
        if frame["params"]["callID"] != call_id.as_str() {
            continue;
        }
        match frame["method"].as_str() {
            Some("telnyx_rtc.answer" | "telnyx_rtc.media") if frame["params"]["sdp"].is_string() => {
                break frame["params"]["sdp"].as_str().unwrap_or_default().to_owned();
            }
            Some("telnyx_rtc.bye") => return CallOutcome::Refused(Hangup::from_bye(&frame["params"])),
            _ => {}
        }
    };
    let answered = invited.elapsed();
    // The tone, while the socket is watched for a bye.
    let talk = caller.talk(&answer, TONE_HZ, TONE_LENGTH);
    tokio::pin!(talk);
    let heard = loop {
        tokio::select! {
            heard = &mut talk => break heard,
            frame = session.next() => match frame {
                Ok(frame) if frame["method"] == "telnyx_rtc.bye" && frame["params"]["callID"] == call_id.as_str() => {
                    return CallOutcome::EndedEarly(Hangup::from_bye(&frame["params"]));
                }
                Ok(_) => {}
                Err(why) => return CallOutcome::Signaling(why),
            },
        }
    };
    hang_up(session, &call_id).await;
    match heard {
        Err(error) => CallOutcome::Signaling(format!("the media failed: {error}")),
        Ok(heard) if heard.connected_after.is_none() => CallOutcome::IceFailed { answered },
        Ok(heard) if heard.tone_frames == 0 => CallOutcome::NoAudioBack { answered, heard },
        Ok(heard) => CallOutcome::Passed { answered, heard },
    }
}

/// Ends the call as the SDK does, and waits a moment for the result.
async fn hang_up(session: &mut Session, call_id: &str) {
    let (id, bye) = session.request(
        "telnyx_rtc.bye",
        json!({ "dialogParams": { "callID": call_id }, "cause": "NORMAL_CLEARING", "causeCode": 16 }),
    );
    if send(&mut session.socket, &bye).await.is_ok() {
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while let Ok(frame) = session.next().await {
                if frame["id"] == id.as_str() {
                    break;
                }
            }
        })
        .await;
    }
}

/// The answering side of `--call-test`: logged in as `login`, it answers the first
/// call with an echo and runs it until the call ends. `ready` is sent once it is
/// registered (or could not be, with why).
pub async fn answer_with_echo(
    url: SignalingUrl,
    login: Login,
    gathering: Gathering,
    ready: tokio::sync::oneshot::Sender<Result<(), String>>,
) {
    let mut session = match Session::open(&url, &login).await {
        Ok(session) => {
            let _ = ready.send(Ok(()));
            session
        }
        Err(why) => {
            let _ = ready.send(Err(why));
            return;
        }
    };
    let _ = tokio::time::timeout(RING_LIMIT + TONE_LENGTH * 2, async {
        let (call_id, offer) = loop {
            let Ok(frame) = session.next().await else { return };
            if frame["method"] == "telnyx_rtc.invite" {
                let params = &frame["params"];
                break (params["callID"].as_str().unwrap_or_default().to_owned(), params["sdp"].as_str().unwrap_or_default().to_owned());
            }
        };
        let Ok((echo, answer)) = Echo::answer_gathering(&offer, &gathering).await else {
            let (_, bye) = session.request(
                "telnyx_rtc.bye",
                json!({ "dialogParams": { "callID": call_id }, "cause": "INCOMPATIBLE_DESTINATION", "causeCode": 88 }),
            );
            let _ = send(&mut session.socket, &bye).await;
            return;
        };
        let (_, answering) =
            session.request("telnyx_rtc.answer", json!({ "sdp": answer, "dialogParams": { "callID": call_id } }));
        if send(&mut session.socket, &answering).await.is_err() {
            return;
        }
        // The echo runs until the caller's bye (or the socket's end).
        let ended = async {
            loop {
                match session.next().await {
                    Ok(frame) if frame["method"] == "telnyx_rtc.bye" => break,
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        };
        echo.run(ended).await;
    })
    .await;
    session.close().await;
}

/// How the call test's endpoints gather candidates for calls signalled at `url`
/// ([`choose_gathering`]), finding the interface that reaches Telnyx's STUN server by
/// the routing table (a UDP "connect" sends nothing).
pub async fn gathering(url: &SignalingUrl) -> Gathering {
    if url.is_loopback() {
        return choose_gathering(url, None);
    }
    let routed = async {
        let socket = tokio::net::UdpSocket::bind("0.0.0.0:0").await.ok()?;
        socket.connect(TELNYX_STUN).await.ok()?;
        socket.local_addr().ok().map(|addr| addr.ip())
    };
    choose_gathering(url, routed.await)
}

/// Against a signaling server on this machine (the sandbox): a loopback host candidate
/// only, so no media and no STUN request leaves the machine. Against Telnyx: a host
/// candidate on `routed` (the interface towards Telnyx; loopback if there is none,
/// where ICE then fails and says so) and a server-reflexive one from Telnyx's STUN
/// server, as the SDK gathers.
pub fn choose_gathering(url: &SignalingUrl, routed: Option<IpAddr>) -> Gathering {
    let loopback = IpAddr::from([127, 0, 0, 1]);
    if url.is_loopback() {
        return Gathering::Host(loopback);
    }
    Gathering::Stun { ip: routed.unwrap_or(loopback), server: TELNYX_STUN.to_owned() }
}

/// Telnyx's STUN server, as the SDK's default ICE servers name it: `STUN_SERVER =
/// { urls: 'stun:stun.telnyx.com:3478' }` in team-telnyx/webrtc 2.27.10,
/// packages/js/src/Modules/Verto/util/constants/index.ts.
pub const TELNYX_STUN: &str = "stun.telnyx.com:3478";

/// What `--call-test` creates and does, for the question asked first.
pub fn plan_between(connection: &str) -> String {
    format!(
        "The call test creates 2 telephony credentials on connection {connection} (tagged {TEMPORARY_TAG}), \
         logs both in, calls one from the other on Telnyx's network (no phone network), sends a tone for \
         {} s, and deletes both credentials.",
        TONE_LENGTH.as_secs()
    )
}

/// What `--call NUMBER` does, for the question asked first.
pub fn plan_to_number(connection: &str, number: &str) -> String {
    format!(
        "This places a real call from connection {connection} to {number} (it may cost money), with a \
         temporary credential tagged {TEMPORARY_TAG} that is deleted after."
    )
}

/// A temporary credential on `connection` and a fresh token of it.
async fn temporary_login(
    client: &crate::api::Client,
    connection: &str,
) -> Result<(crate::api::TelephonyCredential, Login), String> {
    let body = crate::api::NewTelephonyCredential {
        connection_id: connection.to_owned(),
        name: Some(CALLER_NAME.to_owned()),
        tag: Some(TEMPORARY_TAG.to_owned()),
        expires_at: None,
    };
    let credential = client
        .create_telephony_credential(&body)
        .await
        .map_err(|error| format!("a temporary credential could not be made: {error}"))?;
    match client.create_token(&credential.id).await {
        Ok(token) => Ok((credential, Login::Token(token))),
        Err(error) => {
            forget(client, &credential).await;
            Err(format!("a login token could not be made: {error}"))
        }
    }
}

async fn forget(client: &crate::api::Client, credential: &crate::api::TelephonyCredential) {
    if let Err(error) = client.delete_telephony_credential(&credential.id).await {
        tracing::warn!(%error, credential = %credential.id, "call test: a temporary credential was not deleted");
    }
}

/// `--call-test`: two temporary logins on `connection`; the second answers with an
/// echo, the first calls it at its SIP user name. Both credentials are deleted after.
pub async fn between_logins(
    client: &crate::api::Client,
    connection: &str,
    url: &SignalingUrl,
    caller_id: &str,
) -> CallOutcome {
    let gathering = gathering(url).await;
    let (callee, callee_login) = match temporary_login(client, connection).await {
        Ok(made) => made,
        Err(why) => return CallOutcome::Login(why),
    };
    let outcome = match temporary_login(client, connection).await {
        Err(why) => CallOutcome::Login(why),
        Ok((caller, caller_login)) => {
            let (ready, registered) = tokio::sync::oneshot::channel();
            let answering =
                tokio::spawn(answer_with_echo(url.clone(), callee_login, gathering.clone(), ready));
            let outcome = match registered.await {
                Ok(Ok(())) => {
                    place_call(url, &caller_login, &callee.sip_username, caller_id, &gathering).await
                }
                Ok(Err(why)) => CallOutcome::Login(format!("the answering login failed: {why}")),
                Err(_) => CallOutcome::Login("the answering login stopped".into()),
            };
            answering.abort();
            forget(client, &caller).await;
            outcome
        }
    };
    forget(client, &callee).await;
    outcome
}

/// `--call NUMBER`: a temporary login on `connection` calls `number`.
pub async fn to_number(
    client: &crate::api::Client,
    connection: &str,
    url: &SignalingUrl,
    number: &str,
    caller_id: &str,
) -> CallOutcome {
    let gathering = gathering(url).await;
    let (credential, login) = match temporary_login(client, connection).await {
        Ok(made) => made,
        Err(why) => return CallOutcome::Login(why),
    };
    let outcome = place_call(url, &login, number, caller_id, &gathering).await;
    forget(client, &credential).await;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_gets_loopback_host_candidates_and_telnyx_a_stun_binding_too() {
        let loopback = IpAddr::from([127, 0, 0, 1]);
        let interface = IpAddr::from([192, 168, 1, 20]);
        let routed = Some(interface);
        for sandbox in ["ws://127.0.0.1:4010/rtc", "ws://localhost:4010/rtc", "ws://[::1]:4010/rtc"] {
            let url = SignalingUrl::parse(sandbox).unwrap();
            // Whatever the routing table says, nothing leaves the machine.
            assert_eq!(choose_gathering(&url, routed), Gathering::Host(loopback), "{sandbox}");
        }
        let telnyx = SignalingUrl::parse("wss://rtc.telnyx.com").unwrap();
        assert_eq!(
            choose_gathering(&telnyx, routed),
            Gathering::Stun { ip: interface, server: "stun.telnyx.com:3478".into() }
        );
        // No route to Telnyx: loopback, where ICE fails and the test says so.
        assert_eq!(
            choose_gathering(&telnyx, None),
            Gathering::Stun { ip: loopback, server: TELNYX_STUN.into() }
        );
    }

    #[test]
    fn the_d_code_is_read_from_the_reason() {
        let bye = json!({ "cause": "CALL_REJECTED", "causeCode": 21, "sipCode": 403,
            "sipReason": "Dialed Number is not included in whitelisted countries D13" });
        let hangup = Hangup::from_bye(&bye);
        assert_eq!(hangup.d_code(), Some("D13"));
        let outcome = CallOutcome::Refused(hangup);
        assert!(outcome.reason().contains("CALL_REJECTED (21), SIP 403"), "{}", outcome.reason());
        assert!(outcome.fix().unwrap().contains("allowed destinations"));
        assert_eq!(Hangup::from_bye(&json!({ "cause": "NORMAL_CLEARING" })).d_code(), None);
        assert_eq!(Hangup::from_bye(&json!({ "sipReason": "Busy Here D" })).d_code(), None);
    }
}
