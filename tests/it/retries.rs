//! Retries and safe creates, against the sandbox with injected faults.
//!
//! Reads are retried on 429 (after `Retry-After`), 502/503/504, dropped connections and
//! timeouts, and the screen is told of each retry. Creates are never retried blindly:
//! the worker looks the resource up before each try, sends a create again only after a
//! failure that proves nothing was done (429, 503, no connection), and looks for the
//! result of one whose outcome is unknown instead of sending it again. Each test counts
//! the requests the sandbox saw and what it holds afterwards.
//!
//! The clients here wait 20-40 ms between tries instead of the product's 250 ms and
//! more, so the suite stays fast; the waits themselves are tested in `api::retry`.

use crate::support::{api_base, client, client_with};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use telnyx_setup::api::{
    self, ApiError, Client, NewCredentialConnection, NewNumberOrder, NewOutboundVoiceProfile,
    NewTelephonyCredential, NumberSearch, OrderedNumberRequest, PageRequest, RetryNotice, RetryPolicy,
    TelephonyCredentialFilter,
};
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::worker::{self, execute};

const KEY: &str = "KEYretries";

/// Quick waits, the product's number of tries.
fn fast() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(40),
        max_delay: Duration::from_millis(40),
        ..RetryPolicy::default()
    }
}

async fn sandbox(rules: &[&str]) -> Sandbox {
    let faults = FaultPlan::parse(rules.iter().copied()).expect("valid fault rules");
    Sandbox::start_local(&Seed { faults, ..Seed::empty() }).await.expect("start the sandbox")
}

/// A client with quick retries, recording the retry notices. Its timeout is long
/// enough that only a `timeout` fault makes a request time out, even on a loaded
/// machine; see [`impatient_client`].
fn retrying_client(sandbox: &Sandbox) -> (Client, Arc<Mutex<Vec<RetryNotice>>>) {
    client_with_timeout(sandbox, Duration::from_secs(10))
}

/// [`retrying_client`] for the tests of the `timeout` fault, which holds the answer
/// until the client gives up.
fn impatient_client(sandbox: &Sandbox) -> (Client, Arc<Mutex<Vec<RetryNotice>>>) {
    client_with_timeout(sandbox, Duration::from_millis(500))
}

fn client_with_timeout(sandbox: &Sandbox, timeout: Duration) -> (Client, Arc<Mutex<Vec<RetryNotice>>>) {
    let notices = Arc::new(Mutex::new(Vec::new()));
    let seen = notices.clone();
    let client = client_with(api::http_client_with_timeout(timeout), &sandbox.base_url(), KEY)
        .with_retry(fast())
        .on_retry(Arc::new(move |notice| seen.lock().unwrap().push(notice)));
    (client, notices)
}

/// The tries made, as (attempt, of, reason).
fn tries(notices: &Mutex<Vec<RetryNotice>>) -> Vec<(u32, u32, String)> {
    notices.lock().unwrap().iter().map(|n| (n.attempt, n.of, n.reason.clone())).collect()
}

/// How many requests reached `method path`, faulted or not.
fn hits(sandbox: &Sandbox, method: &str, path: &str) -> usize {
    sandbox.journal().iter().filter(|e| e.method == method && e.path == path).count()
}

// ----- reads -----

#[tokio::test]
async fn a_read_is_retried_on_503_and_each_retry_is_reported() {
    let sandbox = sandbox(&["GET /balance=503:2"]).await;
    let (client, notices) = retrying_client(&sandbox);
    client.balance().await.expect("the third try succeeds");
    assert_eq!(hits(&sandbox, "GET", "/balance"), 3);
    assert_eq!(tries(&notices), [(2, 4, "HTTP 503".into()), (3, 4, "HTTP 503".into())]);
}

#[tokio::test]
async fn a_rate_limited_read_waits_as_long_as_retry_after_asks() {
    let sandbox = sandbox(&["GET /balance=429:1"]).await;
    let (client, notices) = retrying_client(&sandbox);
    let started = Instant::now();
    client.balance().await.expect("the second try succeeds");
    // The sandbox answers 429 with `Retry-After: 1`; the policy's own waits are 40 ms.
    assert!(started.elapsed() >= Duration::from_secs(1), "waited only {:?}", started.elapsed());
    let notices = notices.lock().unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].wait, Duration::from_secs(1));
    assert_eq!(notices[0].reason, "rate limited (HTTP 429)");
}

#[tokio::test]
async fn dropped_connections_timeouts_and_gateway_errors_are_retried() {
    let sandbox = sandbox(&[
        "GET /balance=reset:1",
        "GET /balance=timeout:1",
        "GET /balance=502:1",
        "GET /credential_connections=504:1",
    ])
    .await;
    let (client, notices) = impatient_client(&sandbox);
    client.balance().await.expect("the fourth try succeeds");
    client.list_credential_connections(PageRequest::first(10), None).await.expect("the second try succeeds");
    let reasons: Vec<String> = tries(&notices).into_iter().map(|(_, _, reason)| reason).collect();
    assert_eq!(reasons, ["connection dropped", "no answer in time", "HTTP 502", "HTTP 504"]);
}

#[tokio::test]
async fn a_read_that_keeps_failing_gives_up_after_the_last_try() {
    let sandbox = sandbox(&["GET /balance=503"]).await;
    let (client, notices) = retrying_client(&sandbox);
    let error = client.balance().await.unwrap_err();
    assert!(matches!(error, ApiError::Server { status: 503, .. }), "{error:?}");
    assert_eq!(hits(&sandbox, "GET", "/balance"), 4);
    assert_eq!(tries(&notices).iter().map(|t| t.0).collect::<Vec<_>>(), [2, 3, 4]);
}

#[tokio::test]
async fn answers_that_will_not_change_are_not_retried() {
    let sandbox = sandbox(&[
        "GET /balance=500:1",
        "GET /credential_connections=403:1",
        "GET /outbound_voice_profiles=malformed:1",
    ])
    .await;
    let (client, notices) = retrying_client(&sandbox);
    assert!(matches!(client.balance().await, Err(ApiError::Server { status: 500, .. })));
    assert!(matches!(
        client.list_credential_connections(PageRequest::first(10), None).await,
        Err(ApiError::Forbidden(_))
    ));
    assert!(matches!(
        client.list_outbound_voice_profiles(PageRequest::first(10), None).await,
        Err(ApiError::Decode(_))
    ));
    assert!(tries(&notices).is_empty());
    assert_eq!(sandbox.journal().len(), 3, "one request each");
}

#[tokio::test]
async fn a_rejected_key_is_not_retried() {
    let sandbox = sandbox(&[]).await;
    let client = client(&sandbox.base_url(), "bad").with_retry(fast());
    assert!(matches!(client.balance().await, Err(ApiError::Unauthorized(_))));
    assert_eq!(sandbox.journal().len(), 1);
}

// ----- creates -----

fn new_connection() -> NewCredentialConnection {
    NewCredentialConnection {
        connection_name: "Retry test".into(),
        user_name: "retrytest1234".into(),
        password: Secret::from("Sup3rSecret-pass"),
        tags: vec![telnyx_setup::api::MARK.to_owned()],
        inbound: None,
        outbound: None,
        sip_uri_calling_preference: None,
    }
}

async fn connections_named(client: &Client, name: &str) -> usize {
    let page = client.list_credential_connections(PageRequest::first(250), Some(name)).await.unwrap();
    page.data.iter().filter(|c| c.connection_name == name).count()
}

#[tokio::test]
async fn a_create_whose_answer_timed_out_is_found_not_made_twice() {
    let sandbox = sandbox(&["POST /credential_connections=timeout:1"]).await;
    let (client, notices) = impatient_client(&sandbox);
    let reply = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .expect("found by lookup");
    let Reply::ConnectionCreated(connection) = reply else { panic!("{reply:?}") };
    assert_eq!(connection.user_name, "retrytest1234");
    assert_eq!(hits(&sandbox, "POST", "/credential_connections"), 1, "the create was not sent again");
    assert_eq!(connections_named(&client, "Retry test").await, 1);
    assert!(tries(&notices).is_empty(), "found at the first look: {:?}", tries(&notices));
}

#[tokio::test]
async fn a_create_refused_with_503_is_looked_up_then_tried_again() {
    let sandbox = sandbox(&["POST /credential_connections=503:2"]).await;
    let (client, notices) = retrying_client(&sandbox);
    execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .expect("the third try creates it");
    assert_eq!(hits(&sandbox, "POST", "/credential_connections"), 3);
    assert_eq!(hits(&sandbox, "GET", "/credential_connections"), 3, "a lookup before each try");
    assert_eq!(connections_named(&client, "Retry test").await, 1);
    assert_eq!(tries(&notices).len(), 2);
}

#[tokio::test]
async fn a_create_whose_outcome_is_unknown_is_looked_for_never_sent_again() {
    // A 502 or 504 may come from a gateway while the server is still at work: the
    // create is looked for, and if it does not show up the error is the answer.
    let sandbox = sandbox(&["POST /credential_connections=504:1"]).await;
    let (client, notices) = retrying_client(&sandbox);
    let error = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Server { status: 504, .. }), "{error:?}");
    assert_eq!(hits(&sandbox, "POST", "/credential_connections"), 1, "never sent again");
    assert_eq!(hits(&sandbox, "GET", "/credential_connections"), 1 + 4, "one look first, four after");
    let looks: Vec<_> = tries(&notices).into_iter().map(|(attempt, _, reason)| (attempt, reason)).collect();
    let reason = "HTTP 504; looking for the result".to_owned();
    assert_eq!(looks, [(2, reason.clone()), (3, reason.clone()), (4, reason)]);
    // The user's retry looks again, then creates it: one connection in the end.
    execute(&client, Request::CreateConnection { body: new_connection(), first_try: false }).await.unwrap();
    assert_eq!(connections_named(&client, "Retry test").await, 1);
}

#[tokio::test]
async fn a_create_whose_answer_is_unreadable_is_found() {
    let sandbox = sandbox(&["POST /credential_connections=malformed:1"]).await;
    let (client, _) = retrying_client(&sandbox);
    let reply = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .unwrap();
    assert!(matches!(reply, Reply::ConnectionCreated(_)), "{reply:?}");
    assert_eq!(hits(&sandbox, "POST", "/credential_connections"), 1);
    assert_eq!(connections_named(&client, "Retry test").await, 1);
}

#[tokio::test]
async fn a_create_that_could_not_connect_sent_nothing_and_says_so() {
    // A port nothing listens on: the connection is refused before any request leaves.
    // The port stays bound (but not listening) to the end of the test, so no server
    // another test starts meanwhile in this process can be given it.
    let unused = tokio::net::TcpSocket::new_v4().unwrap();
    unused.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = unused.local_addr().unwrap().port();
    let client = client(&format!("http://127.0.0.1:{port}/v2"), KEY).with_retry(fast());
    let error = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Unreachable(_)), "{error:?}");
    assert!(error.to_string().starts_with("Could not connect to the API"), "{error}");
}

#[tokio::test]
async fn a_create_refused_for_good_is_sent_once() {
    let sandbox = sandbox(&["POST /credential_connections=422"]).await;
    let (client, notices) = retrying_client(&sandbox);
    let error = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Invalid { status: 422, .. }), "{error:?}");
    assert_eq!(hits(&sandbox, "POST", "/credential_connections"), 1);
    assert!(tries(&notices).is_empty());
}

#[tokio::test]
async fn when_no_lookup_can_run_nothing_is_created_and_the_failure_is_shown() {
    let sandbox = sandbox(&["GET /credential_connections=503"]).await;
    let (client, _) = retrying_client(&sandbox);
    let error = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Server { status: 503, .. }), "{error:?}");
    assert_eq!(hits(&sandbox, "POST", "/credential_connections"), 0, "never created without a lookup");
}

#[tokio::test]
async fn a_connection_with_the_name_but_another_user_name_is_not_taken_for_ours() {
    let sandbox = sandbox(&[]).await;
    let (client, _) = retrying_client(&sandbox);
    let other = NewCredentialConnection { user_name: "someoneelse99".into(), ..new_connection() };
    client.create_credential_connection(&other).await.unwrap();
    let reply = execute(&client, Request::CreateConnection { body: new_connection(), first_try: false })
        .await
        .unwrap();
    let Reply::ConnectionCreated(connection) = reply else { panic!("{reply:?}") };
    assert_eq!(connection.user_name, "retrytest1234");
    assert_eq!(connections_named(&client, "Retry test").await, 2);
}

#[tokio::test]
async fn a_profile_whose_answer_was_lost_is_found_but_one_the_user_saw_is_not() {
    let sandbox = sandbox(&["POST /outbound_voice_profiles=reset:1"]).await;
    let (client, _) = retrying_client(&sandbox);
    let body = NewOutboundVoiceProfile::named("Retry outbound");
    let created = |reply| match reply {
        Ok(Reply::ProfileCreated(profile)) => profile,
        other => panic!("{other:?}"),
    };
    let first = created(
        execute(
            &client,
            Request::CreateProfile { body: body.clone(), known: Some(vec![]), first_try: false },
        )
        .await,
    );
    assert_eq!(hits(&sandbox, "POST", "/outbound_voice_profiles"), 1, "found after the reset");
    // The user now sees that profile and asks for another one of the same name.
    let second = created(
        execute(
            &client,
            Request::CreateProfile {
                body: body.clone(),
                known: Some(vec![first.id.clone()]),
                first_try: false,
            },
        )
        .await,
    );
    assert_ne!(first.id, second.id);
    // Asked again with only the first known, the second one is taken as this try's.
    let again = created(
        execute(
            &client,
            Request::CreateProfile { body, known: Some(vec![first.id.clone()]), first_try: false },
        )
        .await,
    );
    assert_eq!(again.id, second.id);
    assert_eq!(hits(&sandbox, "POST", "/outbound_voice_profiles"), 2);
}

#[tokio::test]
async fn with_a_list_cut_short_what_exists_before_the_first_try_is_not_taken_for_ours() {
    // The second create, the worker's, loses its answer.
    let sandbox = sandbox(&["POST /outbound_voice_profiles=timeout%2"]).await;
    let (client, _) = impatient_client(&sandbox);
    let body = NewOutboundVoiceProfile::named("Busy outbound");
    let existing = client.create_outbound_voice_profile(&body).await.unwrap();
    // The user saw only a first page, so the worker cannot know every profile they saw.
    let reply =
        execute(&client, Request::CreateProfile { body, known: None, first_try: false }).await.unwrap();
    let Reply::ProfileCreated(profile) = reply else { panic!("{reply:?}") };
    assert_ne!(profile.id, existing.id, "the profile that existed before is not adopted");
    assert_eq!(hits(&sandbox, "POST", "/outbound_voice_profiles"), 2, "one by the test, one by the worker");
}

#[tokio::test]
async fn a_credential_whose_answer_timed_out_is_found() {
    let sandbox = sandbox(&["POST /telephony_credentials=timeout:1"]).await;
    let (client, _) = impatient_client(&sandbox);
    let connection = client.create_credential_connection(&new_connection()).await.unwrap();
    let body = NewTelephonyCredential {
        connection_id: connection.id.clone(),
        name: Some("Retry login".into()),
        tag: Some("retries".into()),
        expires_at: Some("2031-01-02T00:00:00Z".into()),
    };
    let reply = execute(&client, Request::CreateCredential { body, known: Some(vec![]), first_try: false })
        .await
        .unwrap();
    assert!(matches!(reply, Reply::CredentialCreated(_)), "{reply:?}");
    let filter =
        TelephonyCredentialFilter { resource_id: Some(format!("connection:{}", connection.id)), tag: None };
    let all = client.list_telephony_credentials(PageRequest::first(250), &filter).await.unwrap();
    assert_eq!(all.data.len(), 1);
    assert_eq!(hits(&sandbox, "POST", "/telephony_credentials"), 1);
}

#[tokio::test]
async fn an_order_whose_answer_timed_out_is_found_and_never_bought_twice() {
    let sandbox = sandbox(&["POST /number_orders=timeout:1"]).await;
    let (client, _) = impatient_client(&sandbox);
    let search = NumberSearch { country_code: "US".into(), limit: 1, ..NumberSearch::default() };
    let number = client.search_available_numbers(&search).await.unwrap().remove(0);
    let body = NewNumberOrder {
        phone_numbers: vec![OrderedNumberRequest { phone_number: number.phone_number.clone() }],
        connection_id: None,
        customer_reference: Some("telnyx-setup-retries".into()),
    };
    let reply = execute(&client, Request::PlaceOrder { body, first_try: false }).await.unwrap();
    let Reply::OrderPlaced { existing, .. } = reply else { panic!("{reply:?}") };
    assert!(existing, "the order the lost answer was for");
    let orders = client.list_number_orders(PageRequest::first(250), None).await.unwrap();
    assert_eq!(orders.data.len(), 1);
    assert_eq!(hits(&sandbox, "POST", "/number_orders"), 1);
}

// ----- through the worker -----

#[tokio::test]
async fn the_worker_reports_retries_before_the_answer() {
    let sandbox = sandbox(&["GET /balance=503:1"]).await;
    let mut worker = worker::spawn(api_base(&sandbox.base_url()), api::http_client());
    worker.send(Cmd::Call { op: 7, request: Request::SignIn { key: Secret::from(KEY) } });
    let first = crate::support::next_answer(&mut worker.replies).await;
    let Msg::Retrying { op: 7, notice } = first else { panic!("{first:?}") };
    assert_eq!((notice.attempt, notice.of, notice.reason.as_str()), (2, 4, "HTTP 503"));
    let second = crate::support::next_answer(&mut worker.replies).await;
    assert!(matches!(second, Msg::Done { op: 7, outcome: Ok(Reply::KeyAccepted(_)) }), "{second:?}");
}

/// A first try after a complete list sends the create alone; after a lost answer the
/// lookups come back, so the result is still found rather than made twice.
#[tokio::test]
async fn a_first_try_skips_the_look_a_list_already_made_but_a_lost_answer_still_looks() {
    let sandbox = sandbox(&["POST /outbound_voice_profiles=reset:1"]).await;
    let (client, _) = retrying_client(&sandbox);
    let body = NewOutboundVoiceProfile::named("First try");
    let request = Request::CreateProfile { body, known: Some(vec![]), first_try: true };
    let reply = execute(&client, request).await.unwrap();
    assert!(matches!(reply, Reply::ProfileCreated(_)), "{reply:?}");
    let sent: Vec<String> = sandbox.journal().iter().map(|e| format!("{} {}", e.method, e.path)).collect();
    assert_eq!(sent[0], "POST /outbound_voice_profiles", "no look before the first try: {sent:?}");
    assert_eq!(hits(&sandbox, "POST", "/outbound_voice_profiles"), 1, "the reset one was found: {sent:?}");
    assert!(sent[1..].iter().any(|s| s == "GET /outbound_voice_profiles"), "{sent:?}");
}
