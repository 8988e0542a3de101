//! WebRTC audio endpoints in Rust: the sandbox's echo, which answers calls to numbers
//! and sends back what it hears, and the call test's own client, which sends a tone
//! and listens for it to come back.
//!
//! Both are one `str0m` [`Rtc`] (ICE, DTLS-SRTP, RTP; sans-IO, so this module owns the
//! UDP socket and the clock) on one UDP socket. Their candidates are chosen by
//! [`Gathering`]: a host candidate on loopback only, for the sandbox and tests (a
//! browser in a loopback-only network namespace pairs with it, WEBRTC-CALLS.md); or,
//! against Telnyx, a host candidate on the interface that reaches it plus the
//! server-reflexive one a STUN binding to Telnyx's STUN server reveals, as the SDK
//! gathers with its default ICE servers ([`stun_binding`]). The audio is
//! PCMU (G.711 µ-law: a table, no codec library) for the tone; the echo takes any
//! audio codec the caller offers and sends its frames back unchanged.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;

/// How long an echo may run at most, whatever happens to its call.
pub const ECHO_LIMIT: Duration = Duration::from_secs(600);
/// Samples per second of PCMU.
pub const PCMU_RATE: u32 = 8000;
/// Samples in one 20 ms PCMU frame, the packetization browsers use.
pub const FRAME_SAMPLES: usize = 160;

/// Why an endpoint could not start or went on.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("could not open a UDP socket for media: {0}")]
    Socket(#[from] std::io::Error),
    #[error("the SDP could not be read: {0}")]
    Sdp(String),
    #[error("WebRTC failed: {0}")]
    Rtc(String),
    #[error("no server-reflexive address from STUN: {0}")]
    Stun(String),
}

fn rtc_error(error: impl std::fmt::Display) -> MediaError {
    MediaError::Rtc(error.to_string())
}

/// How an endpoint gathers its ICE candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gathering {
    /// A host candidate on this address only: loopback, against the sandbox and in
    /// tests, where nothing may leave the machine.
    Host(IpAddr),
    /// A host candidate on `ip`, and the server-reflexive candidate the STUN server
    /// `server` (`host:port`) sees this socket as, when it answers in time.
    Stun { ip: IpAddr, server: String },
}

impl Gathering {
    fn ip(&self) -> IpAddr {
        match self {
            Self::Host(ip) | Self::Stun { ip, .. } => *ip,
        }
    }
}

/// How long the STUN binding may take before the endpoint goes on with its host
/// candidate alone (the SDK, too, calls without a server-reflexive candidate then).
pub const STUN_LIMIT: Duration = Duration::from_secs(2);

/// One `Rtc` on its UDP socket.
pub struct Endpoint {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
}

impl Endpoint {
    /// An endpoint with a host candidate on the gathering's address (port chosen by
    /// the OS) and, with [`Gathering::Stun`], a server-reflexive one if the STUN server
    /// answers. `pcmu_only` offers or accepts PCMU alone; otherwise Opus, PCMU and PCMA.
    async fn bind(gathering: &Gathering, pcmu_only: bool) -> Result<Self, MediaError> {
        let socket = UdpSocket::bind(SocketAddr::new(gathering.ip(), 0)).await?;
        let local = socket.local_addr()?;
        let mut config = Rtc::builder().clear_codecs().enable_pcmu(true, false);
        if !pcmu_only {
            config = config.enable_opus(true, false).enable_pcma(true, false);
        }
        let mut rtc = config.set_stats_interval(Some(Duration::from_millis(200))).build(Instant::now());
        let candidate = Candidate::host(local, "udp").map_err(rtc_error)?;
        rtc.add_local_candidate(candidate);
        if let Gathering::Stun { server, .. } = gathering {
            match reflexive_address(&socket, server).await {
                Ok(mapped) if mapped != local => {
                    let candidate = Candidate::server_reflexive(mapped, local, "udp").map_err(rtc_error)?;
                    rtc.add_local_candidate(candidate);
                }
                // No NAT between here and the server: the host candidate is the same.
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, %server, "no server-reflexive candidate"),
            }
        }
        Ok(Self { rtc, socket, local })
    }

    /// Drains the Rtc's output (sending what it transmits, handing events to
    /// `on_event`), then waits for one packet, its timeout, or `wake`, and feeds it in.
    /// `Ok(false)`: the connection is over.
    async fn step(
        &mut self,
        buf: &mut Vec<u8>,
        wake: Option<Instant>,
        on_event: &mut impl FnMut(&mut Rtc, Event),
    ) -> Result<bool, MediaError> {
        let timeout = loop {
            if !self.rtc.is_alive() {
                return Ok(false);
            }
            match self.rtc.poll_output().map_err(rtc_error)? {
                Output::Timeout(at) => break at,
                Output::Transmit(transmit) => {
                    // A lost datagram is what UDP does; ICE and RTP carry on.
                    let _ = self.socket.send_to(&transmit.contents, transmit.destination).await;
                }
                Output::Event(event) => on_event(&mut self.rtc, event),
            }
        };
        let until = wake.map_or(timeout, |wake| wake.min(timeout));
        let wait = until.saturating_duration_since(Instant::now());
        buf.resize(2000, 0);
        let input = tokio::select! {
            received = self.socket.recv_from(buf) => {
                let (length, source) = received?;
                let contents = buf[..length].try_into().map_err(rtc_error)?;
                Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination: self.local, contents })
            }
            () = tokio::time::sleep(wait) => Input::Timeout(Instant::now()),
        };
        // Packets from elsewhere than the ICE pair are refused by str0m: skip them.
        if self.rtc.accepts(&input) || matches!(input, Input::Timeout(_)) {
            self.rtc.handle_input(input).map_err(rtc_error)?;
        }
        Ok(true)
    }
}

/// The address `server` (`host:port`, resolved here) sees `socket` as, within
/// [`STUN_LIMIT`].
async fn reflexive_address(socket: &UdpSocket, server: &str) -> Result<SocketAddr, MediaError> {
    let resolve = tokio::time::timeout(STUN_LIMIT, tokio::net::lookup_host(server));
    let resolved =
        resolve.await.map_err(|_| MediaError::Stun(format!("{server} did not resolve in time")))??;
    let local_v4 = socket.local_addr()?.is_ipv4();
    let address = resolved
        .into_iter()
        .find(|address| address.is_ipv4() == local_v4)
        .ok_or_else(|| MediaError::Stun(format!("{server} has no address of this socket's IP version")))?;
    stun_binding(socket, address, STUN_LIMIT).await
}

/// A STUN Binding request (RFC 8489) from `socket` to `server`, sent again after 250,
/// 500 and 1000 ms (RFC 8489's doubling from a short first wait), and the
/// XOR-MAPPED-ADDRESS (or, from an RFC 3489 server, MAPPED-ADDRESS) of the success
/// response with the same transaction id: the address `server` sees this socket as.
/// Other datagrams are skipped.
pub async fn stun_binding(
    socket: &UdpSocket,
    server: SocketAddr,
    limit: Duration,
) -> Result<SocketAddr, MediaError> {
    use bytecodec::{DecodeExt, EncodeExt};
    use stun_codec::rfc5389::attributes::{ErrorCode, MappedAddress, XorMappedAddress};
    use stun_codec::rfc5389::{Attribute, methods::BINDING};
    use stun_codec::{Message, MessageClass, MessageDecoder, MessageEncoder, TransactionId};
    let stun_error = |error: bytecodec::Error| MediaError::Stun(error.to_string());
    let transaction = TransactionId::new(rand::random());
    let request = Message::<Attribute>::new(MessageClass::Request, BINDING, transaction);
    let datagram = MessageEncoder::new().encode_into_bytes(request).map_err(stun_error)?;
    let end = Instant::now() + limit;
    let mut wait = Duration::from_millis(250);
    let mut buf = [0u8; 1500];
    while Instant::now() < end {
        socket.send_to(&datagram, server).await?;
        let resend = (Instant::now() + wait).min(end);
        wait *= 2;
        loop {
            let received = tokio::time::timeout_at(resend.into(), socket.recv_from(&mut buf)).await;
            let Ok(received) = received else { break };
            let (size, source) = received?;
            if source != server {
                continue;
            }
            let decoded = MessageDecoder::<Attribute>::new().decode_from_bytes(&buf[..size]);
            let Ok(Ok(message)) = decoded else { continue };
            if message.transaction_id() != transaction || message.method() != BINDING {
                continue;
            }
            match message.class() {
                MessageClass::SuccessResponse => {
                    let mapped = message
                        .get_attribute::<XorMappedAddress>()
                        .map(XorMappedAddress::address)
                        .or_else(|| message.get_attribute::<MappedAddress>().map(MappedAddress::address));
                    return mapped
                        .ok_or_else(|| MediaError::Stun(format!("{server}'s answer had no mapped address")));
                }
                MessageClass::ErrorResponse => {
                    let reason = message.get_attribute::<ErrorCode>().map_or_else(
                        || "no reason given".to_owned(),
                        |error| format!("{} {}", error.code(), error.reason_phrase()),
                    );
                    return Err(MediaError::Stun(format!("{server} refused the binding: {reason}")));
                }
                _ => {}
            }
        }
    }
    Err(MediaError::Stun(format!("{server} did not answer in {} ms", limit.as_millis())))
}

/// The sandbox's echo for one call: answers `offer` and, once run, sends back every
/// audio frame it receives, on the same stream, until `stop` or [`ECHO_LIMIT`].
pub struct Echo {
    endpoint: Endpoint,
}

impl Echo {
    /// The answer to `offer`, with a host candidate on `ip` alone (the sandbox's echo).
    pub async fn answer(offer: &str, ip: IpAddr) -> Result<(Self, String), MediaError> {
        Self::answer_gathering(offer, &Gathering::Host(ip)).await
    }

    /// The answer to `offer`, with the candidates `gathering` finds.
    pub async fn answer_gathering(offer: &str, gathering: &Gathering) -> Result<(Self, String), MediaError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| MediaError::Sdp(e.to_string()))?;
        let mut endpoint = Endpoint::bind(gathering, false).await?;
        let answer = endpoint.rtc.sdp_api().accept_offer(offer).map_err(rtc_error)?;
        Ok((Self { endpoint }, answer.to_sdp_string()))
    }

    /// Echoes until `stop` resolves, the peer goes away, or [`ECHO_LIMIT`] is up.
    pub async fn run(mut self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let limit = Instant::now() + ECHO_LIMIT;
        let mut buf = Vec::with_capacity(2000);
        let mut on_event = |rtc: &mut Rtc, event: Event| match event {
            Event::MediaData(data) => {
                if let Some(writer) = rtc.writer(data.mid) {
                    // A frame the writer refuses (before ICE connects) is lost, as on a line.
                    let _ = writer.write(data.pt, data.network_time, data.time, data.data.clone());
                }
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => rtc.disconnect(),
            _ => {}
        };
        loop {
            tokio::select! {
                () = &mut stop => break,
                step = self.endpoint.step(&mut buf, Some(limit), &mut on_event) => {
                    if !matches!(step, Ok(true)) || Instant::now() >= limit {
                        break;
                    }
                }
            }
        }
        self.endpoint.rtc.disconnect();
    }
}

/// What the call test's client heard back.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// ICE connected, this long after the answer was applied.
    pub connected_after: Option<Duration>,
    /// The first audio frame came back, this long after the answer was applied.
    pub first_audio_after: Option<Duration>,
    /// From the first tone frame sent to the first frame back in which the tone is found.
    pub round_trip: Option<Duration>,
    /// Audio frames received.
    pub frames: usize,
    /// Frames received in which the tone was found.
    pub tone_frames: usize,
    /// The negotiated codec, e.g. `PCMU/8000`.
    pub codec: Option<String>,
    /// The kinds of the ICE pair in use (local, remote), e.g. ("host", "host").
    pub pair: Option<(String, String)>,
}

/// The call test's client: offers PCMU audio, then sends a tone and listens.
pub struct ToneCaller {
    endpoint: Endpoint,
    pending: Option<str0m::change::SdpPendingOffer>,
    mid: Mid,
}

impl ToneCaller {
    /// The offer to send in the invite, with the candidates `gathering` finds.
    pub async fn offer(gathering: &Gathering) -> Result<(Self, String), MediaError> {
        let mut endpoint = Endpoint::bind(gathering, true).await?;
        let mut change = endpoint.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().ok_or_else(|| MediaError::Rtc("no offer was made".into()))?;
        Ok((Self { endpoint, pending: Some(pending), mid }, offer.to_sdp_string()))
    }

    /// Applies the answer, sends a `frequency` Hz tone for `length`, and reports what
    /// came back.
    pub async fn talk(mut self, answer: &str, frequency: f64, length: Duration) -> Result<Heard, MediaError> {
        let answer = SdpAnswer::from_sdp_string(answer).map_err(|e| MediaError::Sdp(e.to_string()))?;
        let remote_kinds = candidate_kinds(&answer.to_sdp_string());
        let pending =
            self.pending.take().ok_or_else(|| MediaError::Rtc("the offer was already answered".into()))?;
        self.endpoint.rtc.sdp_api().accept_answer(pending, answer).map_err(rtc_error)?;
        let started = Instant::now();
        let end = started + length;
        let mut heard = Heard {
            connected_after: None,
            first_audio_after: None,
            round_trip: None,
            frames: 0,
            tone_frames: 0,
            codec: None,
            pair: None,
        };
        let mut first_tone_sent: Option<Instant> = None;
        let mut next_frame = started;
        let mut sent_samples: u64 = 0;
        let mut buf = Vec::with_capacity(2000);
        let local = self.endpoint.local;
        while Instant::now() < end {
            let mut connected = heard.connected_after.is_some();
            let mut on_event = |_: &mut Rtc, event: Event| match event {
                Event::IceConnectionStateChange(
                    IceConnectionState::Connected | IceConnectionState::Completed,
                ) => {
                    connected = true;
                }
                Event::MediaData(data) => {
                    heard.frames += 1;
                    heard.first_audio_after.get_or_insert_with(|| started.elapsed());
                    heard.codec.get_or_insert_with(|| {
                        let spec = data.params.spec();
                        format!("{}/{}", spec.codec, spec.clock_rate.get())
                    });
                    let samples: Vec<f64> =
                        data.data.iter().map(|&byte| f64::from(ulaw_decode(byte))).collect();
                    if tone_found(&samples, frequency, f64::from(PCMU_RATE)) {
                        heard.tone_frames += 1;
                        if heard.round_trip.is_none() {
                            heard.round_trip = first_tone_sent.map(|sent| sent.elapsed());
                        }
                    }
                }
                Event::PeerStats(stats) => {
                    if let Some(pair) = stats.selected_candidate_pair {
                        let local_kind = if pair.local.addr == local { "host" } else { "srflx" };
                        let remote_kind = remote_kinds
                            .iter()
                            .find(|(addr, _)| *addr == pair.remote.addr)
                            .map_or("prflx", |(_, kind)| kind.as_str());
                        heard.pair = Some((local_kind.to_owned(), remote_kind.to_owned()));
                    }
                }
                _ => {}
            };
            if !self.endpoint.step(&mut buf, Some(next_frame.min(end)), &mut on_event).await? {
                break;
            }
            if connected && heard.connected_after.is_none() {
                heard.connected_after = Some(started.elapsed());
            }
            // Every 20 ms once connected, the next frame of the tone.
            if heard.connected_after.is_some() && Instant::now() >= next_frame {
                let Some(writer) = self.endpoint.rtc.writer(self.mid) else { break };
                let Some(pt) =
                    writer.payload_params().find(|p| p.spec().codec == Codec::PCMU).map(|p| p.pt())
                else {
                    return Err(MediaError::Rtc("the answer did not accept PCMU".into()));
                };
                let frame = tone_frame(frequency, sent_samples);
                let time = MediaTime::new(sent_samples, Frequency::EIGHT_KHZ);
                if writer.write(pt, Instant::now(), time, frame).is_ok() {
                    first_tone_sent.get_or_insert_with(Instant::now);
                    sent_samples += FRAME_SAMPLES as u64;
                }
                next_frame += Duration::from_millis(20);
                if next_frame < Instant::now() {
                    next_frame = Instant::now() + Duration::from_millis(20);
                }
            }
        }
        self.endpoint.rtc.disconnect();
        Ok(heard)
    }
}

/// `(address, kind)` of each `a=candidate` line in an SDP (`host`, `srflx`, `relay`...).
fn candidate_kinds(sdp: &str) -> Vec<(SocketAddr, String)> {
    sdp.lines()
        .filter_map(|line| line.trim().strip_prefix("a=candidate:"))
        .filter_map(|candidate| {
            let fields: Vec<&str> = candidate.split_whitespace().collect();
            let ip: IpAddr = fields.get(4)?.parse().ok()?;
            let port: u16 = fields.get(5)?.parse().ok()?;
            let kind = fields.iter().position(|f| *f == "typ").and_then(|i| fields.get(i + 1))?;
            Some((SocketAddr::new(ip, port), (*kind).to_owned()))
        })
        .collect()
}

/// One 20 ms PCMU frame of a sine at `frequency`, starting `offset` samples in, at
/// about -10 dBFS.
pub fn tone_frame(frequency: f64, offset: u64) -> Vec<u8> {
    (0..FRAME_SAMPLES as u64)
        .map(|i| {
            let t = (offset + i) as f64 / f64::from(PCMU_RATE);
            let sample = (std::f64::consts::TAU * frequency * t).sin() * 10_000.0;
            ulaw_encode(sample as i16)
        })
        .collect()
}

/// G.711 µ-law encoding of one linear 16-bit sample (ITU-T G.711; the bias and clip
/// of its reference implementation).
pub fn ulaw_encode(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32_635;
    let mut value = i32::from(sample);
    let sign = if value < 0 {
        value = -value;
        0x80
    } else {
        0
    };
    let value = value.min(CLIP) + BIAS;
    let exponent = (7 - (value.leading_zeros() as i32 - 17)).clamp(0, 7);
    let mantissa = (value >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

/// G.711 µ-law decoding of one byte to a linear 16-bit sample.
pub fn ulaw_decode(byte: u8) -> i16 {
    let byte = !byte;
    let sign = byte & 0x80;
    let exponent = i32::from((byte >> 4) & 0x07);
    let mantissa = i32::from(byte & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

/// Whether `samples` hold a tone at `frequency`: the Goertzel filter's power at that
/// frequency is most of the frame's energy, and the frame is louder than line noise.
pub fn tone_found(samples: &[f64], frequency: f64, rate: f64) -> bool {
    if samples.is_empty() {
        return false;
    }
    let n = samples.len() as f64;
    let coefficient = 2.0 * (std::f64::consts::TAU * frequency / rate).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s0 = x + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    let energy: f64 = samples.iter().map(|x| x * x).sum();
    // A pure tone's Goertzel power is energy * n / 2.
    let rms = (energy / n).sqrt();
    rms > 300.0 && power / (energy * n / 2.0) > 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulaw_round_trips_within_its_step() {
        for sample in [-32_000i16, -1000, -1, 0, 1, 100, 1000, 8000, 32_000] {
            let back = ulaw_decode(ulaw_encode(sample));
            let step = (i32::from(sample).abs() / 16).max(8);
            assert!((i32::from(back) - i32::from(sample)).abs() <= step, "{sample} came back as {back}");
        }
        // G.711's table: 0 is 0xFF, the loudest positive 0x80, the loudest negative 0x00.
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN + 1), 0x00);
    }

    #[test]
    fn the_tone_is_found_and_other_sounds_are_not() {
        let decode =
            |frame: Vec<u8>| frame.into_iter().map(|b| f64::from(ulaw_decode(b))).collect::<Vec<_>>();
        assert!(tone_found(&decode(tone_frame(1000.0, 0)), 1000.0, 8000.0));
        assert!(tone_found(&decode(tone_frame(1000.0, 4321)), 1000.0, 8000.0));
        assert!(!tone_found(&decode(tone_frame(1700.0, 0)), 1000.0, 8000.0));
        assert!(!tone_found(&decode(vec![0xFF; FRAME_SAMPLES]), 1000.0, 8000.0), "silence");
    }

    #[test]
    fn candidates_are_read_from_an_sdp() {
        let sdp = "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\na=candidate:2 1 udp 1 203.0.113.9 6000 typ srflx raddr 0.0.0.0 rport 0\r\n";
        assert_eq!(
            candidate_kinds(sdp),
            vec![
                ("127.0.0.1:5000".parse().unwrap(), "host".into()),
                ("203.0.113.9:6000".parse().unwrap(), "srflx".into())
            ]
        );
    }
}
