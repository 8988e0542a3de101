//! The sandbox as a local Telnyx (issue 24): the fields Telnyx's official libraries
//! declare, with Telnyx's defaults and PATCH setting the writable ones; every exchange
//! checked against the contract.
//!
//! Requests go through a plain reqwest client, as another program's tests would send
//! them. Everything stays on loopback.

use crate::support::contract::Contract;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use telnyx_setup::sandbox::{Sandbox, Seed};

const KEY: &str = "KEYtelnyx";

/// A sandbox on loopback and a plain client for it.
pub struct Api {
    pub sandbox: Sandbox,
    http: reqwest::Client,
}

impl Api {
    pub async fn start(seed: Seed) -> Self {
        // reqwest is built without a default TLS provider; plain HTTP still needs one set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start_local(&seed).await.expect("the sandbox binds a loopback port");
        let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
        Self { sandbox, http }
    }

    /// Sends `method path` with the test key (or `key`) and a JSON body; the status and
    /// the parsed answer (`Value::Null` when it is not JSON).
    pub async fn send_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.sandbox.base_url())).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.send_as(KEY, method, path, body).await
    }

    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.send(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer["data"].clone()
    }
}

#[tokio::test]
async fn records_carry_the_fields_the_official_libraries_declare() {
    let api = Api::start(Seed { order_settles_after: Duration::ZERO, ..Seed::empty() }).await;

    let profile = api.ok(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "Office" }))).await;
    let profile_id = profile["id"].as_str().unwrap().to_owned();
    let connection = api
        .ok(
            Method::POST,
            "/credential_connections",
            Some(json!({ "connection_name": "Desk", "user_name": "desk0001", "password": "desk-password" })),
        )
        .await;
    assert_eq!(connection["android_push_credential_id"], Value::Null);
    assert_eq!(connection["ios_push_credential_id"], Value::Null);
    assert_eq!(connection["noise_suppression"], "disabled");
    assert_eq!(connection["conversation_persistence"], false);
    let connection_id = connection["id"].as_str().unwrap().to_owned();

    // PATCH sets the writable ones.
    let patched = api
        .ok(
            Method::PATCH,
            &format!("/credential_connections/{connection_id}"),
            Some(json!({
                "android_push_credential_id": "06b09dfd-7154-4980-8b75-cebf7a9d4f8e",
                "noise_suppression": "both",
                "conversation_persistence": true,
            })),
        )
        .await;
    assert_eq!(patched["android_push_credential_id"], "06b09dfd-7154-4980-8b75-cebf7a9d4f8e");
    assert_eq!(patched["noise_suppression"], "both");
    assert_eq!(patched["conversation_persistence"], true);
    let patched = api
        .ok(
            Method::PATCH,
            &format!("/outbound_voice_profiles/{profile_id}"),
            Some(json!({
                "name": "Office",
                "daily_spend_limit": "25.00",
                "daily_spend_limit_enabled": true,
                "max_destination_rate": 0.5,
                "calling_window": { "start_time": "08:00:00.00Z", "end_time": "20:00:00.00Z", "calls_per_cld": 5 },
            })),
        )
        .await;
    assert_eq!(patched["daily_spend_limit"], "25.00");
    assert_eq!(patched["max_destination_rate"], 0.5);
    assert_eq!(patched["calling_window"]["calls_per_cld"], 5);

    let credential = api
        .ok(
            Method::POST,
            "/telephony_credentials",
            Some(json!({ "connection_id": connection_id, "expires_at": "2040-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!(credential["expires_at"], "2040-01-01T00:00:00Z");
    assert_eq!(credential["expired"], false);

    let found = api.send(Method::GET, "/available_phone_numbers?filter[limit]=1", None).await.1;
    let e164 = found["data"][0]["phone_number"].as_str().unwrap().to_owned();
    let order = api
        .ok(
            Method::POST,
            "/number_orders",
            Some(json!({
                "phone_numbers": [{ "phone_number": e164 }],
                "connection_id": connection_id,
                "billing_group_id": "abc85f64-5717-4562-b3fc-2c9600",
                "messaging_profile_id": "abc85f64-5717-4562-b3fc-2c9601",
                "customer_reference": "MY REF 001",
            })),
        )
        .await;
    assert_eq!(order["billing_group_id"], "abc85f64-5717-4562-b3fc-2c9600");
    assert_eq!(order["messaging_profile_id"], "abc85f64-5717-4562-b3fc-2c9601");
    assert_eq!(order["customer_reference"], "MY REF 001");

    let numbers = api.ok(Method::GET, "/phone_numbers", None).await;
    let number = &numbers[0];
    assert_eq!(number["emergency_status"], "disabled");
    assert!(number["activated_at"].is_string(), "an active number says when it became so: {number}");

    Contract::load().check_all(&api.sandbox.journal()).assert_clean();
}
