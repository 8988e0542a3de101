//! The call test's server-reflexive candidate: a STUN Binding (RFC 8489) against a tiny
//! STUN server on loopback, written here from the RFC's byte layout (not with the
//! STUN code under test), which plays a NAT by reporting another address. Against
//! Telnyx the server is stun.telnyx.com:3478 (`calltest::choose_gathering`, unit-tested
//! there); nothing here leaves the machine.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use telnyx_setup::media::{Gathering, STUN_LIMIT, ToneCaller, stun_binding};
use tokio::net::UdpSocket;

const MAGIC_COOKIE: u32 = 0x2112_A442;
/// What the "NAT" maps every client to.
const MAPPED: &str = "198.51.100.7:40000";

/// A STUN server on loopback: answers Binding requests with `MAPPED` as their
/// XOR-MAPPED-ADDRESS, after dropping the first `drop_first` requests (a lost datagram)
/// and sending a stray answer with another transaction id first. Counts the requests.
async fn stun_server(drop_first: usize) -> (SocketAddr, Arc<AtomicUsize>) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((size, from)) = socket.recv_from(&mut buf).await else { return };
            let request = &buf[..size];
            // A Binding request: type 0x0001, the magic cookie, a 96-bit transaction id.
            if size < 20 || request[..2] != [0x00, 0x01] || request[4..8] != MAGIC_COOKIE.to_be_bytes() {
                continue;
            }
            if counted.fetch_add(1, Ordering::SeqCst) < drop_first {
                continue;
            }
            let mut stray: [u8; 12] = request[8..20].try_into().unwrap();
            stray[0] ^= 0xFF;
            let _ = socket.send_to(&binding_success(&stray), from).await;
            let _ = socket.send_to(&binding_success(request[8..20].try_into().unwrap()), from).await;
        }
    });
    (address, requests)
}

/// A Binding success response (type 0x0101) with one XOR-MAPPED-ADDRESS (0x0020) of
/// `MAPPED`: port and address XORed with the magic cookie (RFC 8489 section 14.2).
fn binding_success(transaction: &[u8; 12]) -> Vec<u8> {
    let mapped: SocketAddr = MAPPED.parse().unwrap();
    let IpAddr::V4(ip) = mapped.ip() else { unreachable!() };
    let mut message = vec![0x01, 0x01, 0x00, 12];
    message.extend(MAGIC_COOKIE.to_be_bytes());
    message.extend(transaction);
    message.extend([0x00, 0x20, 0x00, 8, 0x00, 0x01]);
    message.extend((mapped.port() ^ (MAGIC_COOKIE >> 16) as u16).to_be_bytes());
    message.extend((u32::from(ip) ^ MAGIC_COOKIE).to_be_bytes());
    message
}

#[tokio::test]
async fn the_binding_reads_the_mapped_address_after_a_lost_request_and_a_stray_answer() {
    let (server, requests) = stun_server(1).await;
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mapped = stun_binding(&socket, server, Duration::from_secs(5)).await.expect("a mapped address");
    assert_eq!(mapped, MAPPED.parse().unwrap());
    assert_eq!(requests.load(Ordering::SeqCst), 2, "the lost request was sent again");
}

#[tokio::test]
async fn a_stun_server_that_never_answers_is_an_error_in_the_limit() {
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let started = Instant::now();
    let error =
        stun_binding(&socket, silent.local_addr().unwrap(), Duration::from_millis(600)).await.unwrap_err();
    assert!(error.to_string().contains("did not answer in 600 ms"), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(600));
    // Sent at once and again at 250 ms; the next would be at 750 ms, past the limit.
    let mut buf = [0u8; 100];
    let mut received = 0;
    while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(50), silent.recv_from(&mut buf)).await {
        received += 1;
    }
    assert_eq!(received, 2);
}

#[tokio::test]
async fn with_a_stun_server_the_offer_has_a_server_reflexive_candidate_beside_the_host_one() {
    let (server, _) = stun_server(0).await;
    let loopback = IpAddr::from([127, 0, 0, 1]);
    let gathering = Gathering::Stun { ip: loopback, server: server.to_string() };
    let (_caller, offer) = ToneCaller::offer(&gathering).await.expect("an offer");
    let candidates: Vec<&str> = offer.lines().filter(|line| line.starts_with("a=candidate:")).collect();
    assert!(candidates.iter().any(|c| c.contains(" 127.0.0.1 ") && c.contains("typ host")), "{offer}");
    assert!(candidates.iter().any(|c| c.contains(" 198.51.100.7 40000 typ srflx ")), "{offer}");
}

#[tokio::test]
async fn against_the_sandbox_the_offer_has_loopback_host_candidates_only() {
    let (_caller, offer) =
        ToneCaller::offer(&Gathering::Host(IpAddr::from([127, 0, 0, 1]))).await.expect("an offer");
    let candidates: Vec<&str> = offer.lines().filter(|line| line.starts_with("a=candidate:")).collect();
    assert!(!candidates.is_empty(), "{offer}");
    assert!(candidates.iter().all(|c| c.contains(" 127.0.0.1 ") && c.contains("typ host")), "{offer}");
}

#[tokio::test]
async fn a_silent_stun_server_leaves_the_host_candidate_alone_after_the_limit() {
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let gathering = Gathering::Stun {
        ip: IpAddr::from([127, 0, 0, 1]),
        server: silent.local_addr().unwrap().to_string(),
    };
    let started = Instant::now();
    let (_caller, offer) = ToneCaller::offer(&gathering).await.expect("an offer all the same");
    assert!(started.elapsed() >= STUN_LIMIT);
    assert!(offer.contains("typ host") && !offer.contains("typ srflx"), "{offer}");
}
