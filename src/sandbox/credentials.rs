//! `/telephony_credentials`: on-demand SIP credentials of a connection, and
//! `POST /{id}/token`, which answers 201 `text/plain` with a JWT signed as Telnyx's are
//! (HS512, Telnyx's claims), valid for 24h or until the credential expires.

use super::Shared;
use super::contract::{Write, check};
use super::respond::{Failure, Handled, Kind, Params, Problems, data, merge, object_body, page, paging};
use super::store::{Store, now, numeric_id};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How long a login token is valid, as on Telnyx.
pub const TOKEN_LIFETIME: time::Duration = time::Duration::hours(24);

pub async fn list(State(app): State<Shared>, Query(params): Query<Params>) -> Handled {
    let store = app.store();
    let paging = paging(&params, 50, StatusCode::BAD_REQUEST)?;
    let items = store
        .credentials
        .iter()
        .map(with_expiry)
        .filter(|c| {
            ["tag", "name", "resource_id", "sip_username"].iter().all(|key| {
                params.get(&format!("filter[{key}]")).is_none_or(|want| c[*key].as_str() == Some(want))
            })
        })
        .filter(|c| match params.get("filter[status]").map(String::as_str) {
            Some("expired") => c["expired"] == json!(true),
            Some("active") => c["expired"] == json!(false),
            _ => true,
        })
        .collect();
    page(items, paging)
}

pub async fn create(State(app): State<Shared>, body: Bytes) -> Handled {
    let body = object_body(&body)?;
    let mut store = app.store();
    app.room_for(store.credentials.len(), "telephony credentials")?;
    validate(&store, &body, true)?;
    let body = check(Write::CreateCredential, body)?;
    let connection_id = body["connection_id"].as_str().unwrap_or_default().to_owned();
    let mut fields = body;
    fields.remove("connection_id");
    let record = insert(&mut store, &connection_id, fields);
    data(StatusCode::CREATED, with_expiry(&record))
}

/// Stores a new credential of connection `connection_id` with Telnyx's generated SIP
/// user name and password, overlaid with `fields`; returns it as stored.
pub fn insert(store: &mut Store, connection_id: &str, fields: Map<String, Value>) -> Value {
    let id = store.uuid();
    let now = now();
    let mut record = json!({
        "id": id,
        "record_type": "credential",
        "name": now,
        "resource_id": format!("connection:{connection_id}"),
        "sip_username": format!("gencred{}", store.random_alphanumeric(22)),
        "sip_password": store.random_hex(32),
        "user_id": "sandbox-user",
        // No `expires_at` unless one was given: the contract types it as a string.
        "created_at": now,
        "updated_at": now,
    });
    merge(&mut record, &Value::Object(fields));
    store.credentials.push(record.clone());
    record
}

pub async fn get(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let store = app.store();
    let credential =
        store.credentials.iter().find(|c| c["id"] == json!(id)).ok_or_else(Failure::not_found)?;
    data(StatusCode::OK, with_expiry(credential))
}

pub async fn update(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Handled {
    let mut store = app.store();
    let index = position(&store, &id)?;
    let body = object_body(&body)?;
    validate(&store, &body, false)?;
    let mut fields = check(Write::UpdateCredential, body)?;
    if let Some(connection_id) = fields.remove("connection_id") {
        fields.insert(
            "resource_id".into(),
            json!(format!("connection:{}", connection_id.as_str().unwrap_or_default())),
        );
    }
    let credential = &mut store.credentials[index];
    merge(credential, &Value::Object(fields));
    credential["updated_at"] = json!(now());
    data(StatusCode::OK, with_expiry(credential))
}

pub async fn delete(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let mut store = app.store();
    let index = position(&store, &id)?;
    let credential = store.credentials.remove(index);
    data(StatusCode::OK, with_expiry(&credential))
}

/// Signs a JWT for the credential as Telnyx does: HS512 with the sandbox's key, valid
/// for 24 hours or until the credential expires, whichever is sooner.
pub async fn token(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let store = app.store();
    let index = position(&store, &id)?;
    let jwt = sign_token(&store, &store.credentials[index], OffsetDateTime::now_utc());
    Ok((StatusCode::CREATED, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], jwt).into_response())
}

/// A login token for `credential`, issued at `issued`, with the claims of Telnyx's own
/// (shared/telnyx-api/WEBRTC-LOGIN.md, "Real tokens"): `aud` and `iss`
/// `telnyx_telephony`, `typ` `access`, `sub` the credential's id, an opaque
/// `tel_token`, a fresh `jti`, `iat`, `nbf` a second before (as Telnyx's), and `exp`
/// [`TOKEN_LIFETIME`] later or when the credential expires, whichever is sooner.
pub fn sign_token(store: &Store, credential: &Value, issued: OffsetDateTime) -> String {
    let header = json!({ "alg": "HS512", "typ": "JWT" });
    let mut expires = issued + TOKEN_LIFETIME;
    if let Some(at) = expires_at(credential) {
        expires = expires.min(at);
    }
    let claims = json!({
        "aud": "telnyx_telephony",
        "iss": "telnyx_telephony",
        "typ": "access",
        "sub": credential["id"],
        "tel_token": URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>()),
        "jti": uuid::Uuid::new_v4().to_string(),
        "iat": issued.unix_timestamp(),
        "nbf": issued.unix_timestamp() - 1,
        "exp": expires.unix_timestamp(),
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(mac(store, &signing_input).finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

fn mac(store: &Store, signing_input: &str) -> Hmac<sha2::Sha512> {
    let mut mac =
        Hmac::<sha2::Sha512>::new_from_slice(&store.token_key).expect("HMAC accepts any key length");
    mac.update(signing_input.as_bytes());
    mac
}

/// The credential a login token was issued for, when the token is one this sandbox
/// signed (the signature checked in constant time), it is valid at `now` (`nbf`,
/// `exp`), and its credential still exists and has not expired. `None` for anything
/// else, whatever the text: the signaling login refuses it.
pub fn verify_token<'a>(store: &'a Store, jwt: &str, now: OffsetDateTime) -> Option<&'a Value> {
    let (signing_input, signature) = jwt.rsplit_once('.')?;
    let (_header, payload) = signing_input.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    mac(store, signing_input).verify_slice(&signature).ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let at = now;
    let now = now.unix_timestamp();
    let exp = claims["exp"].as_i64()?;
    if exp <= now || claims["nbf"].as_i64().is_some_and(|nbf| nbf > now) {
        return None;
    }
    if claims["aud"] != "telnyx_telephony" || claims["typ"] != "access" {
        return None;
    }
    let id = claims["sub"].as_str()?;
    store
        .credentials
        .iter()
        .find(|c| c["id"] == json!(id))
        .filter(|c| !is_expired(c, now) && !propagating(store, c, at))
}

/// Under the `credential-propagation` scenario, whether `credential` is too new for
/// its tokens to be honoured yet (as right after a create on Telnyx): younger than
/// the store's `propagation`.
fn propagating(store: &Store, credential: &Value, now: OffsetDateTime) -> bool {
    store.scenario == Some(super::Scenario::CredentialPropagation)
        && credential["created_at"]
            .as_str()
            .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
            .is_some_and(|at| now < at + store.propagation)
}

/// A telephony credential whose SIP user name and password these are, if it has not
/// expired.
pub fn by_sip_login<'a>(
    store: &'a Store,
    user: &str,
    password: &str,
    now: OffsetDateTime,
) -> Option<&'a Value> {
    store
        .credentials
        .iter()
        .find(|c| c["sip_username"].as_str() == Some(user) && c["sip_password"].as_str() == Some(password))
        .filter(|c| !is_expired(c, now.unix_timestamp()))
}

fn is_expired(credential: &Value, now: i64) -> bool {
    expires_at(credential).is_some_and(|at| at.unix_timestamp() <= now)
}

/// When the credential expires, if it does.
fn expires_at(credential: &Value) -> Option<OffsetDateTime> {
    credential["expires_at"].as_str().and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
}

fn position(store: &Store, id: &str) -> Result<usize, Failure> {
    store.credentials.iter().position(|c| c["id"] == json!(id)).ok_or_else(Failure::not_found)
}

/// Adds `expired`, which follows from `expires_at` and the clock.
fn with_expiry(credential: &Value) -> Value {
    let expired = credential["expires_at"]
        .as_str()
        .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
        .is_some_and(|at| at <= OffsetDateTime::now_utc());
    let mut view = credential.clone();
    view["expired"] = json!(expired);
    view
}

fn validate(store: &Store, body: &Map<String, Value>, creating: bool) -> Result<(), Failure> {
    let mut problems = Problems::default();
    for key in ["connection_id", "name", "tag", "expires_at"] {
        problems.expect_type(body, "", key, Kind::String);
    }
    match body.get("connection_id").and_then(Value::as_str) {
        None if creating => problems.add("/connection_id", "connection_id is required"),
        Some(id) if numeric_id(id).is_none_or(|id| !store.connections.contains_key(&id)) => problems
            .missing_association("/connection_id", format!("credential connection {id} does not exist")),
        _ => {}
    }
    if let Some(at) = body.get("expires_at").and_then(Value::as_str)
        && OffsetDateTime::parse(at, &Rfc3339).is_err()
    {
        problems
            .add("/expires_at", "expires_at must be an ISO 8601 date and time, e.g. 2030-01-01T00:00:00Z");
    }
    problems.into_result()
}
