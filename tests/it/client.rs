//! The typed API client (`telnyx_setup::api::Client`) against the embedded sandbox, one
//! test per endpoint family (balance, credential connections, outbound voice profiles,
//! telephony credentials and their token, numbers): what each method sends on the wire,
//! what it reads back, and how Telnyx's refusals (401, 404, 422 with `errors[]`) surface
//! as [`ApiError`].
//!
//! Every test starts its own sandbox on a loopback port; nothing leaves the machine.

use crate::support::{client, new_connection};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use telnyx_setup::api::{
    self, ApiError, Client, CredentialConnection, CredentialConnectionUpdate, DEFAULT_CODECS, InboundUpdate,
    NewNumberOrder, NewOutboundVoiceProfile, NewTelephonyCredential, NumberSearch, OrderedNumberRequest,
    OutboundUpdate, OutboundVoiceProfileUpdate, PageRequest, PhoneNumberFilter, PhoneNumberUpdate,
    TelephonyCredentialFilter,
};
use telnyx_setup::sandbox::{Exchange, Sandbox, Seed, TOKEN_LIFETIME};
use telnyx_setup::secret::Secret;

const KEY: &str = "KEYtest";

async fn start(seed: &Seed) -> (Sandbox, Client) {
    let sandbox = Sandbox::start_local(seed).await.expect("the sandbox binds a loopback port");
    let client = client(&sandbox.base_url(), KEY);
    (sandbox, client)
}

/// The last exchange the sandbox recorded.
fn last(sandbox: &Sandbox) -> Exchange {
    sandbox.journal().pop().expect("the sandbox recorded a request")
}

/// The query string of an exchange, decoded into (key, value) pairs in order.
fn query_pairs(exchange: &Exchange) -> Vec<(String, String)> {
    url::form_urlencoded::parse(exchange.query.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn request_json(exchange: &Exchange) -> Value {
    serde_json::from_slice(&exchange.request_body).expect("the request body is JSON")
}

/// The fields Telnyx's `errors[]` named, via `TelnyxError::field()`.
fn fields(error: &ApiError) -> Vec<String> {
    error.errors().iter().filter_map(|e| e.field()).collect()
}

#[tokio::test]
async fn balance_reads_the_account_and_proves_the_key() {
    let (sandbox, client) = start(&Seed::default()).await;
    let balance = client.balance().await.unwrap();
    assert_eq!(balance.balance, "250.00");
    assert_eq!(balance.available_credit, "250.00");
    assert_eq!(balance.credit_limit, "0.00");
    assert_eq!(balance.pending, "0.00");
    assert_eq!(balance.currency, "USD");
    let exchange = last(&sandbox);
    assert_eq!((exchange.method.as_str(), exchange.path.as_str(), exchange.status), ("GET", "/balance", 200));
    assert!(exchange.query.is_none(), "GET /balance takes no parameters");
}

#[tokio::test]
async fn a_key_not_starting_with_key_is_unauthorized_with_code_10009() {
    let (sandbox, _) = start(&Seed::default()).await;
    let client = client(&sandbox.base_url(), "not-a-key");
    for outcome in [
        client.balance().await.map(|_| ()),
        client.list_credential_connections(PageRequest::default(), None).await.map(|_| ()),
    ] {
        let error = outcome.expect_err("a bad key is refused");
        let ApiError::Unauthorized(errors) = &error else {
            panic!("expected Unauthorized, got {error:?}");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code.as_deref(), Some("10009"));
        assert_eq!(errors[0].title.as_deref(), Some("Authentication failed"));
        assert!(error.to_string().contains("10009"), "{error}");
    }
    assert!(sandbox.journal().iter().all(|e| e.status == 401));
}

#[tokio::test]
async fn credential_connections_list_pages_and_filters_by_name() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let names = ["Alpha desk", "Beta lab", "Alpha phones", "Gamma", "Beta booth"];
    let mut ids = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let created = client
            .create_credential_connection(&new_connection(name, &format!("pager{index}user")))
            .await
            .unwrap();
        ids.push(created.id);
    }

    let mut seen = Vec::new();
    for (number, expected_len) in [(1, 2), (2, 2), (3, 1)] {
        let page = client
            .list_credential_connections(PageRequest { number: Some(number), size: Some(2) }, None)
            .await
            .unwrap();
        assert_eq!(page.data.len(), expected_len, "page {number}");
        assert_eq!(
            (page.meta.page_number, page.meta.page_size, page.meta.total_pages, page.meta.total_results),
            (number, 2, 3, 5),
            "page {number}"
        );
        assert_eq!(
            query_pairs(&last(&sandbox)),
            pairs(&[("page[number]", &number.to_string()), ("page[size]", "2")]),
            "paging travels as deepObject keys"
        );
        seen.extend(page.data.into_iter().map(|c| c.id));
    }
    assert_eq!(seen, ids, "the pages hold every connection once, in creation order");

    // No page given: no query at all, Telnyx's default page (250) applies.
    let all = client.list_credential_connections(PageRequest::default(), None).await.unwrap();
    assert_eq!(all.data.len(), 5);
    assert_eq!(all.meta.page_size, 250);
    assert!(last(&sandbox).query.is_none());

    let alphas = client.list_credential_connections(PageRequest::first(250), Some("Alpha")).await.unwrap();
    let mut found: Vec<_> = alphas.data.iter().map(|c| c.connection_name.as_str()).collect();
    found.sort_unstable();
    assert_eq!(found, ["Alpha desk", "Alpha phones"]);
    assert_eq!(alphas.meta.total_results, 2);
    assert_eq!(
        query_pairs(&last(&sandbox)),
        pairs(&[
            ("page[number]", "1"),
            ("page[size]", "250"),
            ("filter[connection_name][contains]", "Alpha"),
        ])
    );

    let none = client.list_credential_connections(PageRequest::first(250), Some("Delta")).await.unwrap();
    assert!(none.data.is_empty());
    assert_eq!(none.meta.total_results, 0);
}

#[tokio::test]
async fn creating_a_connection_applies_telnyx_defaults() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let body = new_connection("Browser softphones", "webrtc1234");
    let created = client.create_credential_connection(&body).await.unwrap();

    let exchange = last(&sandbox);
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str(), exchange.status),
        ("POST", "/credential_connections", 201)
    );
    assert_eq!(
        request_json(&exchange),
        json!({
            "connection_name": "Browser softphones",
            "user_name": "webrtc1234",
            "password": "correct-horse-battery",
        }),
        "only the three required fields are sent, so Telnyx's defaults apply"
    );

    assert!(
        !created.id.is_empty() && created.id.chars().all(|c| c.is_ascii_digit()),
        "connection ids are numeric strings: {}",
        created.id
    );
    assert_eq!(created.connection_name, "Browser softphones");
    assert_eq!(created.user_name, "webrtc1234");
    assert_eq!(created.password.expose(), "correct-horse-battery");
    assert!(created.active, "new connections are active");
    assert!(created.created_at.is_some());
    assert_eq!(created.inbound.codecs, DEFAULT_CODECS, "the contract's default codecs");
    assert!(!created.inbound.codecs.iter().any(|c| c == "VP8"), "VP8 is not among Telnyx's defaults");
    assert_eq!(created.outbound.outbound_voice_profile_id, None);

    // The raw record carries the rest of the contract's defaults.
    let record: Value = serde_json::from_slice(&exchange.response_body).unwrap();
    let data = &record["data"];
    assert_eq!(data["record_type"], "credential_connection");
    assert_eq!(data["anchorsite_override"], "Latency");
    assert_eq!(data["dtmf_type"], "RFC 2833");
    assert_eq!(data["inbound"]["dnis_number_format"], "e164");
    assert_eq!(data["outbound"]["localization"], "US");
}

#[tokio::test]
async fn a_connection_is_read_by_id_and_unknown_ids_are_404() {
    let (_sandbox, client) = start(&Seed::empty()).await;
    let created = client.create_credential_connection(&new_connection("Desk", "deskuser1")).await.unwrap();
    let fetched = client.credential_connection(&created.id).await.unwrap();
    assert_eq!(fetched, created);

    for id in ["1", "not-a-number"] {
        let error = client.credential_connection(id).await.unwrap_err();
        let ApiError::NotFound(errors) = &error else {
            panic!("expected NotFound for {id}, got {error:?}");
        };
        assert_eq!(errors[0].code.as_deref(), Some("10005"));
    }
}

#[tokio::test]
async fn patching_a_connection_replaces_codecs_and_attaches_a_profile() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let connection =
        client.create_credential_connection(&new_connection("Browser", "browser01")).await.unwrap();

    // inbound.codecs: the list sent replaces the whole list.
    let codecs = vec!["OPUS".to_owned(), "VP8".to_owned(), "G711U".to_owned()];
    let update = CredentialConnectionUpdate {
        inbound: Some(InboundUpdate { codecs: codecs.clone() }),
        outbound: None,
    };
    let updated = client.update_credential_connection(&connection.id, &update).await.unwrap();
    assert_eq!(
        request_json(&last(&sandbox)),
        json!({ "inbound": { "codecs": ["OPUS", "VP8", "G711U"] } }),
        "absent parts are not sent"
    );
    assert_eq!(updated.inbound.codecs, codecs);
    assert_eq!(updated.outbound.outbound_voice_profile_id, None);
    let reread = client.credential_connection(&connection.id).await.unwrap();
    assert_eq!(reread.inbound.codecs, codecs, "the change is stored");

    // outbound.outbound_voice_profile_id: attaches the profile, codecs untouched.
    let profile =
        client.create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Browser calls")).await.unwrap();
    let attach = CredentialConnectionUpdate {
        inbound: None,
        outbound: Some(OutboundUpdate { outbound_voice_profile_id: profile.id.clone() }),
    };
    let attached = client.update_credential_connection(&connection.id, &attach).await.unwrap();
    assert_eq!(attached.outbound.outbound_voice_profile_id.as_deref(), Some(profile.id.as_str()));
    assert_eq!(attached.inbound.codecs, codecs);
    let profile = client.outbound_voice_profile(&profile.id).await.unwrap();
    assert_eq!(profile.connections_count, Some(1));

    // A profile that does not exist: 422 with Telnyx's 10013 (missing association)
    // pointing at the field, and nothing changes.
    let missing = CredentialConnectionUpdate {
        inbound: None,
        outbound: Some(OutboundUpdate { outbound_voice_profile_id: "1".to_owned() }),
    };
    let error = client.update_credential_connection(&connection.id, &missing).await.unwrap_err();
    let ApiError::Invalid { status, errors } = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    assert_eq!(*status, 422);
    assert_eq!(errors[0].code.as_deref(), Some("10013"));
    assert_eq!(
        errors[0].source.as_ref().and_then(|s| s.pointer.as_deref()),
        Some("/outbound/outbound_voice_profile_id")
    );
    assert_eq!(errors[0].field().as_deref(), Some("outbound.outbound_voice_profile_id"));
    let unchanged = client.credential_connection(&connection.id).await.unwrap();
    assert_eq!(unchanged.outbound.outbound_voice_profile_id.as_deref(), Some(profile.id.as_str()));

    let error = client.update_credential_connection("1", &update).await.unwrap_err();
    assert!(matches!(error, ApiError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn deleting_a_connection_returns_it_and_then_it_is_gone() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let created =
        client.create_credential_connection(&new_connection("Temporary", "tempuser1")).await.unwrap();
    let deleted = client.delete_credential_connection(&created.id).await.unwrap();
    assert_eq!(deleted, created);
    let exchange = last(&sandbox);
    assert_eq!((exchange.method.as_str(), exchange.status), ("DELETE", 200));
    assert!(exchange.request_body.is_empty(), "DELETE sends no body");

    assert!(matches!(client.credential_connection(&created.id).await, Err(ApiError::NotFound(_))));
    assert!(matches!(client.delete_credential_connection(&created.id).await, Err(ApiError::NotFound(_))));
    let list = client.list_credential_connections(PageRequest::default(), None).await.unwrap();
    assert!(list.data.is_empty());
}

#[tokio::test]
async fn outbound_voice_profiles_list_create_get_patch_delete() {
    let (sandbox, client) = start(&Seed::default()).await;

    // Create: 200 (not 201), the conversational/global plan, Telnyx's default countries.
    let created = client
        .create_outbound_voice_profile(&NewOutboundVoiceProfile::named("WebRTC outbound"))
        .await
        .unwrap();
    let exchange = last(&sandbox);
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str(), exchange.status),
        ("POST", "/outbound_voice_profiles", 200)
    );
    assert_eq!(
        request_json(&exchange),
        json!({
            "name": "WebRTC outbound",
            "traffic_type": "conversational",
            "service_plan": "global",
            "tags": ["telnyx-setup"],
        })
    );
    assert_eq!(created.name, "WebRTC outbound");
    assert_eq!(created.tags, ["telnyx-setup"], "the mark a later run finds it by");
    assert_eq!(created.whitelisted_destinations, ["US", "CA"]);
    assert_eq!(created.traffic_type.as_deref(), Some("conversational"));
    assert_eq!(created.service_plan.as_deref(), Some("global"));
    assert_eq!(created.enabled, Some(true));
    assert_eq!(created.connections_count, Some(0));

    // List: the seeded profile and the new one; the name filter narrows it.
    let all = client.list_outbound_voice_profiles(PageRequest::first(250), None).await.unwrap();
    let mut names: Vec<_> = all.data.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Office outbound", "WebRTC outbound"]);
    assert_eq!(all.meta.total_results, 2);
    let office = client.list_outbound_voice_profiles(PageRequest::first(250), Some("Office")).await.unwrap();
    assert_eq!(office.data.len(), 1);
    assert_eq!(office.data[0].name, "Office outbound");
    assert_eq!(office.data[0].connections_count, Some(1), "the seeded connection uses it");
    assert_eq!(
        query_pairs(&last(&sandbox)),
        pairs(&[("page[number]", "1"), ("page[size]", "250"), ("filter[name][contains]", "Office"),])
    );

    // Get.
    let fetched = client.outbound_voice_profile(&created.id).await.unwrap();
    assert_eq!(fetched, created);

    // PATCH: the whitelist is replaced; `name` travels with every update.
    let update = OutboundVoiceProfileUpdate {
        name: "WebRTC outbound".to_owned(),
        whitelisted_destinations: vec!["US".to_owned(), "MX".to_owned()],
    };
    let updated = client.update_outbound_voice_profile(&created.id, &update).await.unwrap();
    assert_eq!(updated.whitelisted_destinations, ["US", "MX"]);
    assert_eq!(
        request_json(&last(&sandbox)),
        json!({ "name": "WebRTC outbound", "whitelisted_destinations": ["US", "MX"] })
    );

    // PATCH without `name` (the client never sends one; send it raw) is a 422 on
    // `name`, which the client's error mapping reads.
    let response = api::http_client()
        .patch(format!("{}/outbound_voice_profiles/{}", sandbox.base_url(), created.id))
        .bearer_auth(KEY)
        .json(&json!({ "whitelisted_destinations": ["US"] }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    assert_eq!(status, 422);
    let error = api::error_from_response(status, None, &body);
    assert!(matches!(error, ApiError::Invalid { status: 422, .. }), "{error:?}");
    assert_eq!(fields(&error), ["name"]);
    let unchanged = client.outbound_voice_profile(&created.id).await.unwrap();
    assert_eq!(unchanged.whitelisted_destinations, ["US", "MX"]);

    // Delete, then it is gone.
    let deleted = client.delete_outbound_voice_profile(&created.id).await.unwrap();
    assert_eq!(deleted.id, created.id);
    assert!(matches!(client.outbound_voice_profile(&created.id).await, Err(ApiError::NotFound(_))));
    assert!(matches!(
        client.update_outbound_voice_profile(&created.id, &update).await,
        Err(ApiError::NotFound(_))
    ));
}

async fn two_connections(client: &Client) -> (CredentialConnection, CredentialConnection) {
    let first = client.create_credential_connection(&new_connection("First", "firstuser1")).await.unwrap();
    let second = client.create_credential_connection(&new_connection("Second", "seconduser1")).await.unwrap();
    (first, second)
}

#[tokio::test]
async fn telephony_credentials_create_list_get_delete() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let (first, second) = two_connections(&client).await;

    let credential = client
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: first.id.clone(),
            name: Some("browser login".to_owned()),
            ..NewTelephonyCredential::default()
        })
        .await
        .unwrap();
    let exchange = last(&sandbox);
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str(), exchange.status),
        ("POST", "/telephony_credentials", 201)
    );
    assert_eq!(
        request_json(&exchange),
        json!({ "connection_id": first.id, "name": "browser login" }),
        "unset optional fields are not sent"
    );
    assert_eq!(credential.resource_id.as_deref(), Some(format!("connection:{}", first.id).as_str()));
    assert_eq!(credential.name.as_deref(), Some("browser login"));
    assert!(!credential.sip_username.is_empty());
    assert!(!credential.sip_password.expose().is_empty());
    assert!(!credential.expired);
    assert!(uuid_like(&credential.id), "credential ids are UUIDs: {}", credential.id);

    let other = client
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: second.id.clone(),
            ..NewTelephonyCredential::default()
        })
        .await
        .unwrap();

    // List filtered by resource_id: only the first connection's credential.
    let filter =
        TelephonyCredentialFilter { resource_id: Some(format!("connection:{}", first.id)), tag: None };
    let listed = client.list_telephony_credentials(PageRequest::first(50), &filter).await.unwrap();
    assert_eq!(listed.data, std::slice::from_ref(&credential));
    assert_eq!(listed.meta.total_results, 1);
    assert_eq!(
        query_pairs(&last(&sandbox)),
        pairs(&[
            ("page[number]", "1"),
            ("page[size]", "50"),
            ("filter[resource_id]", &format!("connection:{}", first.id)),
        ])
    );
    let everything = client
        .list_telephony_credentials(PageRequest::default(), &TelephonyCredentialFilter::default())
        .await
        .unwrap();
    assert_eq!(everything.data.len(), 2);
    assert_eq!(everything.meta.page_size, 50, "Telnyx's default page here is 50");

    // Get, delete, then 404.
    let fetched = client.telephony_credential(&credential.id).await.unwrap();
    assert_eq!(fetched, credential);
    let deleted = client.delete_telephony_credential(&credential.id).await.unwrap();
    assert_eq!(deleted.id, credential.id);
    assert!(matches!(client.telephony_credential(&credential.id).await, Err(ApiError::NotFound(_))));
    assert!(matches!(client.delete_telephony_credential(&credential.id).await, Err(ApiError::NotFound(_))));
    assert!(client.telephony_credential(&other.id).await.is_ok());

    // A connection that does not exist: 422 on connection_id.
    let error = client
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: "1".to_owned(),
            ..NewTelephonyCredential::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Invalid { status: 422, .. }), "{error:?}");
    assert_eq!(fields(&error), ["connection_id"]);
}

fn uuid_like(id: &str) -> bool {
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12] && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[tokio::test]
async fn the_token_endpoint_returns_a_jwt_valid_for_24_hours_as_plain_text() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let (connection, _) = two_connections(&client).await;
    let credential = client
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: connection.id.clone(),
            ..NewTelephonyCredential::default()
        })
        .await
        .unwrap();

    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let token = client.create_token(&credential.id).await.unwrap();
    let after = time::OffsetDateTime::now_utc().unix_timestamp();

    let exchange = last(&sandbox);
    assert_eq!(exchange.method, "POST");
    assert_eq!(exchange.path, format!("/telephony_credentials/{}/token", credential.id));
    assert_eq!(exchange.status, 201);
    assert!(exchange.request_body.is_empty(), "the token request has no body");
    let content_type = exchange.content_type.as_deref().unwrap_or_default();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(
        std::str::from_utf8(&exchange.response_body).unwrap(),
        token.expose(),
        "the body is the bare token, not JSON"
    );

    let parts: Vec<&str> = token.expose().split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT is header.payload.signature");
    let decode = |part: &str| {
        URL_SAFE_NO_PAD.decode(part).unwrap_or_else(|e| panic!("{part:?} is not base64url: {e}"))
    };
    let header: Value = serde_json::from_slice(&decode(parts[0])).unwrap();
    let payload: Value = serde_json::from_slice(&decode(parts[1])).unwrap();
    assert!(!decode(parts[2]).is_empty(), "the token is signed");
    assert_eq!(header["typ"], "JWT");
    assert!(header["alg"].is_string());

    let iat = payload["iat"].as_i64().expect("iat is a number");
    let exp = payload["exp"].as_i64().expect("exp is a number");
    assert!((before..=after).contains(&iat), "issued now: {iat}");
    let lifetime = exp - iat;
    let day = TOKEN_LIFETIME.whole_seconds();
    assert_eq!(day, 24 * 3600);
    assert!((day - 60..=day + 60).contains(&lifetime), "valid for about 24h, not {lifetime}s");

    let error = client.create_token("00000000-0000-4000-8000-000000000000").await.unwrap_err();
    assert!(matches!(error, ApiError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn a_422_surfaces_telnyx_errors_with_their_fields() {
    let (_sandbox, client) = start(&Seed::empty()).await;
    let mut body = new_connection("Bad input", "ab");
    body.password = Secret::new("short");
    let error = client.create_credential_connection(&body).await.unwrap_err();
    let ApiError::Invalid { status, errors } = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    assert_eq!(*status, 422);
    assert!(errors.iter().all(|e| e.code.as_deref() == Some("10015")));
    let mut named = fields(&error);
    named.sort_unstable();
    assert_eq!(named, ["password", "user_name"], "one error per field: {errors:?}");
    // The message names the first field and Telnyx's code.
    let text = error.to_string();
    assert!(text.contains("user_name") && text.contains("10015"), "{text}");
    assert!(!text.contains("short"), "the password is never quoted: {text}");

    // A taken user name is refused on the field too, and nothing is created twice.
    let good = new_connection("First", "takenuser1");
    client.create_credential_connection(&good).await.unwrap();
    let error = client.create_credential_connection(&good).await.unwrap_err();
    assert_eq!(fields(&error), ["user_name"]);
    let list = client.list_credential_connections(PageRequest::default(), None).await.unwrap();
    assert_eq!(list.data.len(), 1);
}

#[tokio::test]
async fn numbers_are_searched_ordered_and_assigned() {
    let (sandbox, client) = start(&Seed::empty()).await;
    let (connection, other) = two_connections(&client).await;

    // Search: every filter travels as a deepObject key, features comma-separated.
    let search = NumberSearch {
        country_code: "US".into(),
        locality: "Chicago".into(),
        phone_number_type: "local".into(),
        features: vec!["voice".into(), "sms".into()],
        limit: 3,
        ..NumberSearch::default()
    };
    let found = client.search_available_numbers(&search).await.unwrap();
    assert_eq!(
        query_pairs(&last(&sandbox)),
        pairs(&[
            ("filter[country_code]", "US"),
            ("filter[locality]", "Chicago"),
            ("filter[phone_number_type]", "local"),
            ("filter[features]", "voice,sms"),
            ("filter[limit]", "3"),
        ])
    );
    assert!((1..=3).contains(&found.len()), "{found:?}");
    for number in &found {
        assert!(number.phone_number.starts_with("+1"), "{}", number.phone_number);
        let features = number.feature_names();
        assert!(features.contains(&"voice") && features.contains(&"sms"), "{features:?}");
        assert_eq!(number.region("country_code"), Some("US"));
        assert_eq!(number.region("location"), Some("Chicago"));
        assert!(!number.cost_information.currency.is_empty());
    }

    // Order: 200 (not 201), pending at first, tied to the connection and reference.
    let chosen = found[0].phone_number.clone();
    let body = NewNumberOrder {
        phone_numbers: vec![OrderedNumberRequest { phone_number: chosen.clone() }],
        connection_id: Some(connection.id.clone()),
        customer_reference: Some("client-test-order".into()),
    };
    let order = client.create_number_order(&body).await.unwrap();
    let exchange = last(&sandbox);
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str(), exchange.status),
        ("POST", "/number_orders", 200)
    );
    assert_eq!(
        request_json(&exchange),
        json!({
            "phone_numbers": [{ "phone_number": chosen }],
            "connection_id": connection.id,
            "customer_reference": "client-test-order",
        })
    );
    assert_eq!(order.status, "pending");
    assert_eq!(order.connection_id.as_deref(), Some(connection.id.as_str()));
    assert_eq!(order.customer_reference.as_deref(), Some("client-test-order"));
    assert_eq!(order.phone_numbers.len(), 1);
    assert_eq!(order.phone_numbers[0].phone_number, chosen);

    let reread = client.number_order(&order.id).await.unwrap();
    assert_eq!((reread.id.as_str(), reread.phone_numbers.len()), (order.id.as_str(), 1));
    let by_reference =
        client.list_number_orders(PageRequest::first(1), Some("client-test-order")).await.unwrap();
    assert_eq!(by_reference.data.len(), 1);
    assert_eq!(by_reference.data[0].id, order.id);
    assert_eq!(
        query_pairs(&last(&sandbox)),
        pairs(&[
            ("page[number]", "1"),
            ("page[size]", "1"),
            ("filter[customer_reference]", "client-test-order"),
        ])
    );
    let unknown_reference =
        client.list_number_orders(PageRequest::first(1), Some("no-such-order")).await.unwrap();
    assert!(unknown_reference.data.is_empty());

    // The same number twice, or a number never offered: 422 on that entry.
    for phone_number in [chosen.as_str(), "+13125550100"] {
        let again = NewNumberOrder {
            phone_numbers: vec![OrderedNumberRequest { phone_number: phone_number.to_owned() }],
            ..body.clone()
        };
        let error = client.create_number_order(&again).await.unwrap_err();
        assert!(matches!(error, ApiError::Invalid { status: 422, .. }), "{error:?}");
        assert_eq!(fields(&error), ["phone_numbers.0.phone_number"], "{error}");
    }

    // The bought number is the account's, on the ordering connection.
    let by_connection = PhoneNumberFilter { connection_id: Some(connection.id.clone()), phone_number: None };
    let owned = client.list_phone_numbers(PageRequest::first(20), &by_connection).await.unwrap();
    assert_eq!(owned.data.len(), 1);
    let owned = &owned.data[0];
    assert_eq!(owned.phone_number, chosen);
    assert_eq!(owned.connection_id.as_deref(), Some(connection.id.as_str()));
    assert_eq!(
        query_pairs(&last(&sandbox)),
        pairs(&[("page[number]", "1"), ("page[size]", "20"), ("filter[connection_id]", &connection.id)])
    );
    let by_digits = PhoneNumberFilter { connection_id: None, phone_number: Some(chosen[2..8].to_owned()) };
    let matched = client.list_phone_numbers(PageRequest::default(), &by_digits).await.unwrap();
    assert!(matched.data.iter().any(|n| n.id == owned.id), "{matched:?}");

    // PATCH assigns it to another connection.
    let assign = PhoneNumberUpdate { connection_id: other.id.clone() };
    let moved = client.update_phone_number(&owned.id, &assign).await.unwrap();
    assert_eq!(request_json(&last(&sandbox)), json!({ "connection_id": other.id }));
    assert_eq!(moved.connection_id.as_deref(), Some(other.id.as_str()));
    let on_other = client
        .list_phone_numbers(
            PageRequest::default(),
            &PhoneNumberFilter { connection_id: Some(other.id.clone()), phone_number: None },
        )
        .await
        .unwrap();
    assert_eq!(on_other.data.len(), 1);

    // Unknown ids are 404.
    let error = client.number_order("00000000-0000-4000-8000-000000000000").await.unwrap_err();
    assert!(matches!(error, ApiError::NotFound(_)), "{error:?}");
    let error = client.update_phone_number("1", &assign).await.unwrap_err();
    assert!(matches!(error, ApiError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn registration_status_reports_that_no_device_is_registered() {
    let (sandbox, api) = start(&Seed::default()).await;
    let connection =
        api.list_credential_connections(PageRequest::default(), None).await.unwrap().data.remove(0);
    let status = api.check_registration_status(&connection.id).await.unwrap();
    assert_eq!(status.status, "Not Registered");
    assert_eq!(status.sip_username.as_deref(), Some(connection.user_name.as_str()));
    let exchange = last(&sandbox);
    assert_eq!(
        (exchange.method.as_str(), exchange.path.as_str()),
        (
            "POST",
            format!("/credential_connections/{}/actions/check_registration_status", connection.id).as_str()
        )
    );
    assert!(matches!(api.check_registration_status("1").await, Err(ApiError::NotFound(_))));
}

#[tokio::test]
async fn a_large_seeded_account_pages_its_numbers() {
    let (_sandbox, api) = start(&Seed { phone_numbers: 10_000, ..Seed::default() }).await;
    let connection =
        api.list_credential_connections(PageRequest::default(), None).await.unwrap().data.remove(0);
    let first = api.list_phone_numbers(PageRequest::first(250), &PhoneNumberFilter::default()).await.unwrap();
    assert_eq!(first.meta.total_results, 10_000);
    assert_eq!(first.meta.total_pages, 40);
    assert_eq!(first.data.len(), 250);
    assert!(first.data.iter().all(|n| n.connection_id.as_deref() == Some(connection.id.as_str())));
    let last_page = api
        .list_phone_numbers(PageRequest { number: Some(40), size: Some(250) }, &PhoneNumberFilter::default())
        .await
        .unwrap();
    assert_eq!(last_page.data.last().unwrap().phone_number, "+15550009999");
    let filter = PhoneNumberFilter { connection_id: None, phone_number: Some("5550001234".into()) };
    let found = api.list_phone_numbers(PageRequest::default(), &filter).await.unwrap();
    assert_eq!(found.data.len(), 1);
}
