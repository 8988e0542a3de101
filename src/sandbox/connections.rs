//! `/credential_connections`: list (filters, paging), create (201), get, PATCH, delete,
//! with Telnyx's validation of user names, passwords, codecs and profile links.

use super::Shared;
use super::contract::{Write, check};
use super::respond::{Failure, Handled, Kind, Params, Problems, data, merge, object_body, page, paging};
use super::store::{Store, now, numeric_id};
use crate::api::check_user_name;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

/// Codec names Telnyx accepts on a credential connection.
pub const KNOWN_CODECS: [&str; 7] = ["G722", "G711U", "G711A", "G729", "OPUS", "H.264", "VP8"];

pub async fn list(State(app): State<Shared>, Query(params): Query<Params>) -> Handled {
    let store = app.store();
    let paging = paging(&params, 250, StatusCode::BAD_REQUEST)?;
    let name = params.get("filter[connection_name][contains]").map(|n| n.to_lowercase());
    let profile = params.get("filter[outbound_voice_profile_id]");
    let mut items: Vec<Value> = store
        .connections
        .values()
        .filter(|c| name.as_ref().is_none_or(|n| text(c, "connection_name").to_lowercase().contains(n)))
        .filter(|c| profile.is_none_or(|p| c["outbound"]["outbound_voice_profile_id"].as_str() == Some(p)))
        .filter(|_| !params.contains_key("filter[fqdn]"))
        .cloned()
        .collect();
    match params.get("sort").map(String::as_str) {
        None | Some("created_at") => {}
        Some("connection_name") => items.sort_by_key(|c| text(c, "connection_name").to_lowercase()),
        Some("active") => items.sort_by_key(|c| c["active"].as_bool()),
        Some(_) => {
            return Err(Failure::bad_parameter("sort", "sort must be created_at, connection_name or active"));
        }
    }
    page(items, paging)
}

pub async fn create(State(app): State<Shared>, body: Bytes) -> Handled {
    let body = object_body(&body)?;
    let mut store = app.store();
    app.room_for(store.connections.len(), "credential connections")?;
    validate(&store, &body, None)?;
    let body = check(Write::CreateConnection, body)?;
    let id = store.insert_connection(Value::Object(body));
    data(StatusCode::CREATED, store.connections[&id].clone())
}

pub async fn get(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let store = app.store();
    let connection =
        numeric_id(&id).and_then(|id| store.connections.get(&id)).ok_or_else(Failure::not_found)?;
    data(StatusCode::OK, connection.clone())
}

pub async fn update(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Handled {
    let mut store = app.store();
    let id =
        numeric_id(&id).filter(|id| store.connections.contains_key(id)).ok_or_else(Failure::not_found)?;
    let body = object_body(&body)?;
    validate(&store, &body, Some(id))?;
    let body = check(Write::UpdateConnection, body)?;
    let connection = store.connections.get_mut(&id).ok_or_else(Failure::not_found)?;
    merge(connection, &Value::Object(body));
    // Detaching the profile (null) leaves the key out: the contract types it as a string.
    if let Some(outbound) = connection["outbound"].as_object_mut()
        && outbound.get("outbound_voice_profile_id").is_some_and(Value::is_null)
    {
        outbound.remove("outbound_voice_profile_id");
    }
    connection["updated_at"] = json!(now());
    data(StatusCode::OK, connection.clone())
}

/// `POST /{id}/actions/check_registration_status`: `Registered` while a WebRTC client
/// is logged in on the signaling socket for the connection (`/rtc`), `Unregistered`
/// once the last one has gone, and `Not Registered` before any.
pub async fn registration_status(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let store = app.store();
    let id =
        numeric_id(&id).filter(|id| store.connections.contains_key(id)).ok_or_else(Failure::not_found)?;
    let Some(registration) = store.registrations.get(&id) else {
        return data(
            StatusCode::OK,
            json!({
                "record_type": "registration_status",
                "sip_username": store.connections[&id]["user_name"],
                "status": "Not Registered",
            }),
        );
    };
    let mut status = json!({
        "record_type": "registration_status",
        "sip_username": registration.sip_username,
        "status": if registration.sockets > 0 { "Registered" } else { "Unregistered" },
        "last_registration": registration.last_registration,
        // WebRTC clients register over a secure WebSocket.
        "transport": "WSS",
    });
    if let Some(agent) = &registration.user_agent {
        status["user_agent"] = json!(agent);
    }
    data(StatusCode::OK, status)
}

pub async fn delete(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let mut store = app.store();
    let connection =
        numeric_id(&id).and_then(|id| store.connections.remove(&id)).ok_or_else(Failure::not_found)?;
    data(StatusCode::OK, connection)
}

fn text<'a>(record: &'a Value, key: &str) -> &'a str {
    record[key].as_str().unwrap_or_default()
}

/// Validates a create (`existing` is `None`: required fields must be there) or a PATCH
/// of connection `existing`.
fn validate(store: &Store, body: &Map<String, Value>, existing: Option<u64>) -> Result<(), Failure> {
    let mut problems = Problems::default();
    for key in ["connection_name", "user_name", "password"] {
        problems.expect_type(body, "", key, Kind::String);
        if existing.is_none() && !body.contains_key(key) {
            problems.add(&format!("/{key}"), format!("{key} is required"));
        }
    }
    problems.expect_type(body, "", "active", Kind::Bool);
    problems.expect_type(body, "", "inbound", Kind::Object);
    problems.expect_type(body, "", "outbound", Kind::Object);

    if let Some(name) = body.get("connection_name").and_then(Value::as_str) {
        if name.trim().is_empty() {
            problems.add("/connection_name", "connection_name can't be blank");
        } else if name.chars().any(char::is_control) {
            problems.add("/connection_name", "connection_name must not contain control characters");
        }
    }
    if let Some(user_name) = body.get("user_name").and_then(Value::as_str) {
        if let Err(reason) = check_user_name(user_name) {
            problems.add("/user_name", reason);
        } else if store
            .connections
            .iter()
            .any(|(id, c)| Some(*id) != existing && text(c, "user_name").eq_ignore_ascii_case(user_name))
        {
            problems.add("/user_name", "user_name has already been taken");
        }
    }
    if let Some(password) = body.get("password").and_then(Value::as_str)
        && !(8..=128).contains(&password.chars().count())
    {
        problems.add("/password", "password must be between 8 and 128 characters");
    }
    if let Some(inbound) = body.get("inbound").and_then(Value::as_object) {
        problems.expect_type(inbound, "/inbound", "codecs", Kind::StringArray);
        if let Some(codecs) = inbound.get("codecs").and_then(Value::as_array) {
            for (index, codec) in codecs.iter().enumerate() {
                if let Some(codec) = codec.as_str().filter(|c| !KNOWN_CODECS.contains(c)) {
                    problems.add(
                        &format!("/inbound/codecs/{index}"),
                        format!("{codec} is not a supported codec; use {}", KNOWN_CODECS.join(", ")),
                    );
                }
            }
        }
    }
    if let Some(outbound) = body.get("outbound").and_then(Value::as_object) {
        match outbound.get("outbound_voice_profile_id") {
            None | Some(Value::Null) => {}
            Some(Value::String(id)) => {
                if numeric_id(id).is_none_or(|id| !store.profiles.contains_key(&id)) {
                    problems.missing_association(
                        "/outbound/outbound_voice_profile_id",
                        format!("outbound voice profile {id} does not exist"),
                    );
                }
            }
            Some(_) => problems
                .add("/outbound/outbound_voice_profile_id", "outbound_voice_profile_id must be a string"),
        }
    }
    problems.into_result()
}
