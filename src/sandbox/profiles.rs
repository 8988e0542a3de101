//! `/outbound_voice_profiles`: list, create (200, not 201), get, PATCH (which requires
//! `name`), delete (refused while connections use the profile).

use super::Shared;
use super::contract::{Write, check};
use super::respond::{Failure, Handled, Kind, Params, Problems, data, merge, object_body, page, paging};
use super::store::{now, numeric_id};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

pub async fn list(State(app): State<Shared>, Query(params): Query<Params>) -> Handled {
    let store = app.store();
    let paging = paging(&params, 20, StatusCode::UNPROCESSABLE_ENTITY)?;
    let name = params.get("filter[name][contains]").map(|n| n.to_lowercase());
    let mut items: Vec<Value> = store
        .profiles
        .values()
        .rev() // the default sort is -created_at
        .filter(|p| {
            name.as_ref().is_none_or(|n| p["name"].as_str().unwrap_or_default().to_lowercase().contains(n))
        })
        .map(|p| store.profile_view(p))
        .collect();
    if let Some(sort) = params.get("sort") {
        let (descending, key) = match sort.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, sort.as_str()),
        };
        let sortable =
            ["enabled", "created_at", "name", "service_plan", "traffic_type", "usage_payment_method"];
        if !sortable.contains(&key) {
            return Err(Failure::invalid_parameter(
                "sort",
                &format!("sort must be one of {}", sortable.join(", ")),
            ));
        }
        items.sort_by_key(|p| p[key].to_string());
        if descending {
            items.reverse();
        }
    }
    page(items, paging)
}

pub async fn create(State(app): State<Shared>, body: Bytes) -> Handled {
    let body = object_body(&body)?;
    validate(&body)?;
    let body = check(Write::CreateProfile, body)?;
    let mut store = app.store();
    app.room_for(store.profiles.len(), "outbound voice profiles")?;
    let id = store.insert_profile(Value::Object(body));
    data(StatusCode::OK, store.profile_view(&store.profiles[&id]))
}

pub async fn get(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let store = app.store();
    let profile = numeric_id(&id).and_then(|id| store.profiles.get(&id)).ok_or_else(Failure::not_found)?;
    data(StatusCode::OK, store.profile_view(profile))
}

pub async fn update(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Handled {
    let mut store = app.store();
    let id = numeric_id(&id).filter(|id| store.profiles.contains_key(id)).ok_or_else(Failure::not_found)?;
    let body = object_body(&body)?;
    validate(&body)?;
    let body = check(Write::UpdateProfile, body)?;
    let profile = store.profiles.get_mut(&id).ok_or_else(Failure::not_found)?;
    merge(profile, &Value::Object(body));
    profile["updated_at"] = json!(now());
    let profile = profile.clone();
    data(StatusCode::OK, store.profile_view(&profile))
}

pub async fn delete(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let mut store = app.store();
    let id = numeric_id(&id).filter(|id| store.profiles.contains_key(id)).ok_or_else(Failure::not_found)?;
    let view = store.profile_view(&store.profiles[&id]);
    if view["connections_count"].as_u64().unwrap_or(0) > 0 {
        return Err(Failure::invalid(vec![(
            "/id".into(),
            "the profile is used by connections; detach them first".into(),
        )]));
    }
    store.profiles.remove(&id);
    data(StatusCode::OK, view)
}

/// Create and PATCH share the rules: `name` (at least 3 characters) is required on both.
fn validate(body: &Map<String, Value>) -> Result<(), Failure> {
    let mut problems = Problems::default();
    problems.expect_type(body, "", "name", Kind::String);
    problems.expect_type(body, "", "enabled", Kind::Bool);
    problems.expect_type(body, "", "whitelisted_destinations", Kind::StringArray);
    match body.get("name").and_then(Value::as_str) {
        None if !body.contains_key("name") => problems.add("/name", "name is required"),
        Some(name) if name.trim().chars().count() < 3 => {
            problems.add("/name", "name must be at least 3 characters")
        }
        Some(name) if name.chars().any(char::is_control) => {
            problems.add("/name", "name must not contain control characters")
        }
        _ => {}
    }
    for (key, allowed) in [
        ("traffic_type", "conversational"),
        ("service_plan", "global"),
        ("usage_payment_method", "rate-deck"),
    ] {
        if let Some(value) = body.get(key).filter(|v| v.as_str() != Some(allowed)) {
            problems.add(&format!("/{key}"), format!("{key} must be \"{allowed}\", not {value}"));
        }
    }
    if let Some(countries) = body.get("whitelisted_destinations").and_then(Value::as_array) {
        for (index, code) in countries.iter().enumerate() {
            if let Some(code) = code.as_str().filter(|c| crate::countries::by_code(c).is_none()) {
                problems.add(
                    &format!("/whitelisted_destinations/{index}"),
                    format!("{code} is not an ISO 3166-1 alpha-2 country code"),
                );
            }
        }
    }
    problems.into_result()
}
