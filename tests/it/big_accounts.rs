//! Big accounts, fast: the client reads the pages after the first several at a time
//! ([`Client::list_raw_pages`]), fewer when Telnyx's `x-ratelimit-remaining` says few
//! requests are left, and waits out a 429's `Retry-After`; and the sandbox answers a
//! page of a big account with that page alone.
//!
//! The server here is a small axum app of the test's own: it counts the requests in
//! flight at once, which the sandbox does not tell.

use crate::support::{client, client_with};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;
use telnyx_setup::api::{PARALLEL_PAGES, PageRequest, RetryPolicy};
use telnyx_setup::sandbox::{Sandbox, Seed};
use tokio::sync::Notify;

const KEY: &str = "KEYbig";
/// Records a page of the fake holds, and pages in all: the first, then two full waves.
const SIZE: u32 = 3;
const PAGES: u32 = 17;

#[derive(Default)]
struct Fake {
    in_flight: AtomicU32,
    most_at_once: AtomicU32,
    /// `x-ratelimit-remaining` to answer with, if any.
    remaining: Option<u32>,
    /// Requests the fake must see at once before it answers any (up to a deadline).
    wait_for: u32,
    arrived: Notify,
    /// Whether page 3 was refused once with 429 and `Retry-After: 1`.
    refused: AtomicBool,
    /// Page 3 answers 429 the first time.
    refuse_once: bool,
}

async fn page(State(fake): State<Arc<Fake>>, Query(params): Query<HashMap<String, String>>) -> Response {
    let number: u32 = params.get("page[number]").and_then(|n| n.parse().ok()).unwrap_or(1);
    if fake.refuse_once && number == 3 && !fake.refused.swap(true, Ordering::SeqCst) {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "1".parse().unwrap());
        return (StatusCode::TOO_MANY_REQUESTS, headers, "{\"errors\":[]}").into_response();
    }
    let now = fake.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    fake.most_at_once.fetch_max(now, Ordering::SeqCst);
    fake.arrived.notify_waiters();
    // Hold the answer until as many requests as the test expects are in flight (or a
    // while has passed), so "at once" does not depend on the machine's speed.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        // Registered before the check, so an arrival in between is not missed.
        let arrival = fake.arrived.notified();
        tokio::pin!(arrival);
        arrival.as_mut().enable();
        if fake.in_flight.load(Ordering::SeqCst) >= fake.wait_for || tokio::time::Instant::now() >= deadline {
            break;
        }
        let _ = tokio::time::timeout_at(deadline, arrival).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    fake.in_flight.fetch_sub(1, Ordering::SeqCst);
    let first = (number - 1) * SIZE;
    let data: Vec<_> = (first..first + SIZE).map(|i| json!({ "id": i.to_string() })).collect();
    let body = json!({
        "data": data,
        "meta": { "page_number": number, "page_size": SIZE, "total_pages": PAGES, "total_results": PAGES * SIZE },
    });
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", format!("req-{number}").parse().unwrap());
    if let Some(left) = fake.remaining {
        headers.insert("x-ratelimit-remaining", left.to_string().parse().unwrap());
    }
    (StatusCode::OK, headers, axum::Json(body)).into_response()
}

async fn serve(fake: Fake) -> (String, Arc<Fake>) {
    let fake = Arc::new(fake);
    let app = axum::Router::new().route("/v2/phone_numbers", get(page)).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let url = format!("http://{}/v2", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, fake)
}

fn ids(pages: &[telnyx_setup::api::Page<serde_json::Value>]) -> Vec<u32> {
    pages.iter().flat_map(|p| &p.data).map(|r| r["id"].as_str().unwrap().parse().unwrap()).collect()
}

#[tokio::test]
async fn the_pages_after_the_first_go_several_at_a_time_in_order() {
    let (url, fake) = serve(Fake { wait_for: PARALLEL_PAGES, ..Fake::default() }).await;
    let client = client(&url, KEY);
    let pages = client.list_raw_pages("phone_numbers", 2..=PAGES, SIZE, &[]).await.expect("the pages");
    assert_eq!(pages.len() as u32, PAGES - 1);
    assert_eq!(ids(&pages), (SIZE..PAGES * SIZE).collect::<Vec<_>>(), "every record, in order");
    assert_eq!(fake.most_at_once.load(Ordering::SeqCst), PARALLEL_PAGES, "{PARALLEL_PAGES} at once, no more");
}

#[tokio::test]
async fn few_requests_left_means_fewer_at_once() {
    let (url, fake) = serve(Fake { remaining: Some(2), ..Fake::default() }).await;
    let client = client(&url, KEY);
    // The first page tells the client how many requests are left.
    client.list_raw("phone_numbers", PageRequest::first(SIZE), &[]).await.expect("the first page");
    let pages = client.list_raw_pages("phone_numbers", 2..=PAGES, SIZE, &[]).await.expect("the pages");
    assert_eq!(ids(&pages).len() as u32, (PAGES - 1) * SIZE);
    assert!(fake.most_at_once.load(Ordering::SeqCst) <= 2, "x-ratelimit-remaining: 2 allows two at once");

    let (url, fake) = serve(Fake { remaining: Some(0), ..Fake::default() }).await;
    let fresh = crate::support::client(&url, KEY);
    fresh.list_raw("phone_numbers", PageRequest::first(SIZE), &[]).await.expect("the first page");
    fresh.list_raw_pages("phone_numbers", 2..=6, SIZE, &[]).await.expect("the pages");
    assert_eq!(fake.most_at_once.load(Ordering::SeqCst), 1, "none left: one at a time, never none");
}

#[tokio::test]
async fn a_refused_page_is_asked_again_after_its_retry_after() {
    let (url, fake) = serve(Fake { refuse_once: true, ..Fake::default() }).await;
    let http = telnyx_setup::api::http_client();
    let client = client_with(http, &url, KEY).with_retry(RetryPolicy::default());
    let started = std::time::Instant::now();
    let pages = client.list_raw_pages("phone_numbers", 2..=5, SIZE, &[]).await.expect("the pages");
    assert!(fake.refused.load(Ordering::SeqCst), "page 3 was refused once");
    assert!(started.elapsed() >= Duration::from_secs(1), "the Retry-After of 1 s was waited for");
    assert_eq!(ids(&pages), (SIZE..5 * SIZE).collect::<Vec<_>>());
}

/// The sandbox pages a big account without walking it: every page, the last and one
/// past it included, holds what it should, with the account's count.
#[tokio::test]
async fn the_sandbox_pages_a_big_account() {
    let sandbox =
        Sandbox::start_local(&Seed { phone_numbers: 2_600, ..Seed::default() }).await.expect("sandbox");
    let client = client(&sandbox.base_url(), KEY);
    let owned = |page: u32| {
        let client = client.clone();
        async move {
            client
                .list_raw("phone_numbers", PageRequest { number: Some(page), size: Some(250) }, &[])
                .await
                .expect("a page")
        }
    };
    let first = owned(1).await;
    assert_eq!((first.meta.total_results, first.meta.total_pages), (2_600, 11));
    assert_eq!(first.data[0]["phone_number"], "+15550000000");
    let last = owned(11).await;
    assert_eq!(last.data.len(), 100);
    assert_eq!(last.data[99]["phone_number"], "+15550002599");
    assert!(owned(12).await.data.is_empty());
    let filtered = client
        .list_raw("phone_numbers", PageRequest::first(250), &[("filter[phone_number]", "0002599".into())])
        .await
        .expect("a filtered page");
    assert_eq!(filtered.meta.total_results, 1);
}

/// Every request's record carries Telnyx's `x-request-id`, for `doctor --report`.
#[tokio::test]
async fn each_request_record_has_its_x_request_id() {
    let (url, _fake) = serve(Fake::default()).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    let client =
        client(&url, KEY).on_request(Arc::new(move |record| kept.lock().unwrap().push(record.clone())));
    client.list_raw("phone_numbers", PageRequest { number: Some(4), size: Some(SIZE) }, &[]).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].request_id.as_deref(), Some("req-4"));
    assert_eq!(seen[0].outcome, Ok(200));
}
