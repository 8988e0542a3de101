//! Phone numbers: `GET /available_phone_numbers` (a deterministic inventory per query),
//! `/number_orders` (an order starts `pending` and settles to `success` a moment later)
//! and `/phone_numbers` (what the account owns, with the order's connection).
//!
//! A number can be ordered only after a search offered it, and only once: like Telnyx,
//! a second order for it, or an order for a number never offered, is refused.

use super::Shared;
use super::contract::{Write, check};
use super::respond::{Failure, Handled, Kind, Params, Problems, data, object_body, page, paging};
use super::store::{Store, now, numeric_id};
use crate::countries::{self, Country};
use crate::money::{format_cents, parse_cents};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

/// How long a new order stays `pending` before it settles.
pub const DEFAULT_SETTLE_AFTER: Duration = Duration::from_millis(1500);
/// Offered numbers remembered so they can be ordered; the oldest are forgotten past this.
const OFFER_MEMORY: usize = 50_000;
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

/// North American cities the inventory knows: country, city, state or province, rate
/// center, and area codes.
const NANP_CITIES: [(&str, &str, &str, &str, [&str; 2]); 9] = [
    ("US", "Chicago", "IL", "CHICAGO", ["312", "773"]),
    ("US", "New York", "NY", "NWYRCYZN01", ["212", "646"]),
    ("US", "San Francisco", "CA", "SNFC CNTRL", ["415", "628"]),
    ("US", "Austin", "TX", "AUSTIN", ["512", "737"]),
    ("US", "Seattle", "WA", "SEATTLE", ["206", "564"]),
    ("US", "Miami", "FL", "MIAMI", ["305", "786"]),
    ("CA", "Toronto", "ON", "TORONTO", ["416", "647"]),
    ("CA", "Vancouver", "BC", "VANCOUVER", ["604", "778"]),
    ("CA", "Montreal", "QC", "MONTREAL", ["514", "438"]),
];
const TOLL_FREE_PREFIXES: [&str; 7] = ["800", "833", "844", "855", "866", "877", "888"];

/// The account's numbers and orders, and what searches have offered.
pub struct Inventory {
    /// Offered numbers (E.164) with the search record they were offered as.
    offered: HashMap<String, Value>,
    offered_order: Vec<String>,
    orders: Vec<Order>,
    /// Owned numbers by numeric id, oldest first.
    owned: BTreeMap<u64, Value>,
    settle_after: Duration,
}

struct Order {
    record: Value,
    /// Ids of the owned numbers this order created.
    numbers: Vec<u64>,
    settles_at: Instant,
}

impl Inventory {
    pub fn new(settle_after: Duration) -> Self {
        Self {
            offered: HashMap::new(),
            offered_order: Vec::new(),
            orders: Vec::new(),
            owned: BTreeMap::new(),
            settle_after,
        }
    }

    /// The account's numbers (owned or on order), as `GET /phone_numbers` shows them:
    /// the sandbox's signaling routes calls to them and checks caller IDs against them.
    pub fn owned(&self) -> impl Iterator<Item = &Value> {
        self.owned.values()
    }

    /// Numbers owned or on order: never offered again.
    fn taken(&self) -> HashSet<&str> {
        self.owned.values().filter_map(|n| n["phone_number"].as_str()).collect()
    }

    fn remember_offer(&mut self, number: &Value) {
        let Some(e164) = number["phone_number"].as_str() else {
            return;
        };
        if self.offered.insert(e164.to_owned(), number.clone()).is_none() {
            self.offered_order.push(e164.to_owned());
        }
        if self.offered_order.len() > OFFER_MEMORY {
            let forget: Vec<String> = self.offered_order.drain(..OFFER_MEMORY / 2).collect();
            for e164 in forget {
                self.offered.remove(&e164);
            }
        }
    }

    /// Moves due orders to `success` and their numbers to `active`.
    fn settle(&mut self, at: Instant) {
        for order in self.orders.iter_mut().filter(|o| o.record["status"] == "pending" && o.settles_at <= at)
        {
            let stamp = now();
            order.record["status"] = json!("success");
            order.record["updated_at"] = json!(stamp);
            if let Some(numbers) = order.record["phone_numbers"].as_array_mut() {
                for number in numbers {
                    number["status"] = json!("success");
                }
            }
            for id in &order.numbers {
                if let Some(owned) = self.owned.get_mut(id) {
                    owned["status"] = json!("active");
                    owned["activated_at"] = json!(stamp);
                    owned["updated_at"] = json!(stamp);
                }
            }
        }
    }
}

/// An [`Inventory`] as `sandbox --state` keeps it: offers in the order made, orders
/// with the ids of the numbers they created, and owned numbers. A pending order's
/// moment to settle is not kept: it settles the usual while after the sandbox restarts.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedInventory {
    offered: Vec<Value>,
    orders: Vec<SavedOrder>,
    owned: Vec<Value>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedOrder {
    record: Value,
    numbers: Vec<u64>,
}

impl Inventory {
    pub fn save(&self) -> SavedInventory {
        SavedInventory {
            offered: self.offered_order.iter().filter_map(|e164| self.offered.get(e164).cloned()).collect(),
            orders: self
                .orders
                .iter()
                .map(|order| SavedOrder { record: order.record.clone(), numbers: order.numbers.clone() })
                .collect(),
            owned: self.owned.values().cloned().collect(),
        }
    }

    /// The inventory `saved` describes; `Err` names the first record that is not one.
    pub fn restore(saved: SavedInventory, settle_after: Duration) -> Result<Self, String> {
        let mut inventory = Self::new(settle_after);
        for offer in saved.offered {
            let e164 = offer["phone_number"].as_str().ok_or("an offered number has no phone_number")?;
            inventory.offered_order.push(e164.to_owned());
            inventory.offered.insert(e164.to_owned(), offer);
        }
        let settles_at = Instant::now() + settle_after;
        for order in saved.orders {
            if !order.record.is_object() || !order.record["id"].is_string() {
                return Err("a number order has no id".into());
            }
            inventory.orders.push(Order { record: order.record, numbers: order.numbers, settles_at });
        }
        for number in saved.owned {
            let id = number["id"].as_str().and_then(numeric_id).ok_or("a phone number has no numeric id")?;
            inventory.owned.insert(id, number);
        }
        Ok(inventory)
    }

    /// The largest numeric id the inventory uses, so new ones start above it.
    pub fn largest_id(&self) -> u64 {
        self.owned.keys().next_back().copied().unwrap_or(0)
    }
}

/// Adds `count` active numbers to the account, on `connection` when given, numbered
/// from +1 555 000 0000 (a fictional range, so they never clash with offers).
pub fn seed_owned(store: &mut Store, count: usize, connection: Option<u64>) {
    let connection_id = connection.map(|id| id.to_string());
    let name = connection_name(store, connection_id.as_deref());
    for index in 0..count {
        let id = store.next_numeric_id();
        let e164 = format!("+1555{index:07}");
        let record = owned_record(id, &e164, "local", "US", connection_id.as_deref(), name.clone(), "active");
        store.numbers.owned.insert(id, record);
    }
}

fn connection_name(store: &Store, connection_id: Option<&str>) -> Value {
    connection_id
        .and_then(numeric_id)
        .and_then(|id| store.connections.get(&id))
        .map_or(Value::Null, |c| c["connection_name"].clone())
}

fn owned_record(
    id: u64,
    e164: &str,
    number_type: &str,
    country: &str,
    connection_id: Option<&str>,
    connection_name: Value,
    status: &str,
) -> Value {
    let stamp = now();
    json!({
        "id": id.to_string(),
        "record_type": "phone_number",
        "phone_number": e164,
        "status": status,
        "phone_number_type": number_type,
        "country_iso_alpha2": country,
        "connection_id": connection_id,
        "connection_name": connection_name,
        "messaging_profile_id": null,
        "messaging_profile_name": null,
        "billing_group_id": null,
        "customer_reference": null,
        "tags": [],
        "external_pin": null,
        "emergency_enabled": false,
        "emergency_address_id": null,
        // The contract's default for a number without emergency service.
        "emergency_status": "disabled",
        "call_forwarding_enabled": true,
        "cnam_listing_enabled": false,
        "caller_id_name_enabled": false,
        "call_recording_enabled": false,
        "hd_voice_enabled": false,
        "inbound_call_screening": "disabled",
        "deletion_lock_enabled": false,
        "source_type": "number_order",
        "purchased_at": stamp,
        // When the number became usable: null while its order is pending.
        "activated_at": if status == "active" { json!(stamp) } else { Value::Null },
        "created_at": stamp,
        "updated_at": stamp,
    })
}

// ----- GET /available_phone_numbers -----

/// What a search asks for, read from `filter[...]` parameters.
#[derive(Hash)]
struct Search {
    country: String,
    locality: Option<String>,
    administrative_area: Option<String>,
    area_code: Option<String>,
    starts_with: Option<String>,
    contains: Option<String>,
    ends_with: Option<String>,
    number_type: String,
    features: Vec<String>,
    limit: usize,
}

const FEATURES: [&str; 8] =
    ["sms", "mms", "voice", "fax", "emergency", "hd_voice", "international_sms", "local_calling"];
const NUMBER_TYPES: [&str; 5] = ["local", "toll_free", "mobile", "national", "shared_cost"];

impl Search {
    fn parse(params: &Params) -> Result<Self, Failure> {
        let get = |key: &str| {
            params.get(&format!("filter[{key}]")).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
        };
        let bad = |parameter: &str, detail: String| Failure::bad_parameter(parameter, &detail);
        let country = get("country_code").unwrap_or_else(|| "US".to_owned()).to_uppercase();
        if countries::by_code(&country).is_none() {
            return Err(bad(
                "filter[country_code]",
                format!("{country} is not an ISO 3166-1 alpha-2 country code"),
            ));
        }
        let digits = |key: &str| -> Result<Option<String>, Failure> {
            match get(key) {
                Some(value) if !value.chars().all(|c| c.is_ascii_digit()) => {
                    Err(bad(&format!("filter[{key}]"), format!("filter[{key}] must contain only digits")))
                }
                other => Ok(other),
            }
        };
        let number_type = get("phone_number_type").unwrap_or_else(|| "local".to_owned());
        if !NUMBER_TYPES.contains(&number_type.as_str()) {
            return Err(bad(
                "filter[phone_number_type]",
                format!("phone_number_type must be one of {}", NUMBER_TYPES.join(", ")),
            ));
        }
        // Arrays arrive comma-separated (filter[features]=sms,voice) or repeated with [].
        let mut features: Vec<String> = get("features")
            .or_else(|| get("features][")) // tolerate filter[features][]=
            .map(|list| list.split(',').map(|f| f.trim().to_lowercase()).filter(|f| !f.is_empty()).collect())
            .unwrap_or_default();
        if let Some(unknown) = features.iter().find(|f| !FEATURES.contains(&f.as_str())) {
            return Err(bad(
                "filter[features]",
                format!("{unknown} is not a feature; use {}", FEATURES.join(", ")),
            ));
        }
        features.sort();
        features.dedup();
        let limit = match get("limit") {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(bad(
                        "filter[limit]",
                        format!("filter[limit] must be an integer from 1 to {MAX_LIMIT}"),
                    ));
                }
            },
        };
        Ok(Self {
            country,
            locality: get("locality").map(|l| l.to_lowercase()),
            administrative_area: get("administrative_area").map(|a| a.to_uppercase()),
            area_code: digits("national_destination_code")?,
            // `get` wraps the key in filter[...], so these read filter[phone_number][...].
            starts_with: digits("phone_number][starts_with")?,
            contains: digits("phone_number][contains")?,
            ends_with: digits("phone_number][ends_with")?,
            number_type,
            features,
            limit,
        })
    }

    fn seed(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }
}

/// One place numbers can come from: an area code and, for known cities, where it is.
struct Area {
    code: String,
    city: Option<(&'static str, &'static str, &'static str)>,
}

fn areas(search: &Search, country: &Country) -> Vec<Area> {
    let nanp = country.calling_code == 1;
    match search.number_type.as_str() {
        "toll_free" => {
            if search.locality.is_some() || search.administrative_area.is_some() {
                return Vec::new();
            }
            let prefixes: &[&str] = if nanp { &TOLL_FREE_PREFIXES } else { &["800"] };
            prefixes.iter().map(|p| Area { code: (*p).to_owned(), city: None }).collect()
        }
        "shared_cost" => Vec::new(),
        "local" if nanp => {
            let cities: Vec<Area> = NANP_CITIES
                .iter()
                .filter(|(c, ..)| *c == search.country)
                .filter(|(_, city, ..)| search.locality.as_ref().is_none_or(|l| city.to_lowercase() == *l))
                .filter(|(_, _, state, ..)| search.administrative_area.as_ref().is_none_or(|a| state == a))
                .flat_map(|(_, city, state, rate_center, codes)| {
                    codes.iter().map(move |code| Area {
                        code: (*code).to_owned(),
                        city: Some((*city, *state, *rate_center)),
                    })
                })
                .collect();
            match &search.area_code {
                Some(wanted) if search.locality.is_none() && search.administrative_area.is_none() => {
                    let known: Vec<Area> = cities.into_iter().filter(|a| a.code == *wanted).collect();
                    if known.is_empty() && valid_nanp_area(wanted) {
                        vec![Area { code: wanted.clone(), city: None }]
                    } else {
                        known
                    }
                }
                Some(wanted) => cities.into_iter().filter(|a| a.code == *wanted).collect(),
                None => cities,
            }
        }
        _ if nanp => Vec::new(), // no mobile or national ranges in North America
        _ => {
            if search.administrative_area.is_some() {
                return Vec::new();
            }
            let first = match search.number_type.as_str() {
                "mobile" => '7',
                "national" => '3',
                _ => '2',
            };
            let code = match &search.area_code {
                Some(wanted) => wanted.clone(),
                None => format!("{first}{}", "0".repeat(country.area_code_digits.saturating_sub(1))),
            };
            vec![Area { code, city: None }]
        }
    }
}

fn valid_nanp_area(code: &str) -> bool {
    code.len() == 3 && code.as_bytes()[0] >= b'2'
}

/// What each number type can do, and what it costs (upfront, monthly, in USD).
fn offer_terms(number_type: &str, nanp: bool) -> (&'static [&'static str], &'static str, &'static str) {
    match (number_type, nanp) {
        ("local", true) => (&["voice", "sms", "mms", "fax", "emergency", "hd_voice"], "1.00", "1.00"),
        ("toll_free", true) => (&["voice", "sms", "hd_voice"], "1.00", "2.00"),
        ("toll_free", false) => (&["voice"], "5.00", "10.00"),
        ("mobile", _) => (&["voice", "sms", "mms"], "3.00", "6.00"),
        (_, _) => (&["voice", "fax", "emergency"], "2.00", "4.00"),
    }
}

/// Writes `pattern` into `digits` at `at`, if it fits.
fn overlay(digits: &mut [u8], at: usize, pattern: &str) -> bool {
    if at + pattern.len() > digits.len() {
        return false;
    }
    digits[at..at + pattern.len()].copy_from_slice(pattern.as_bytes());
    true
}

fn generate(search: &Search, taken: &HashSet<&str>) -> Vec<Value> {
    let Some(country) = countries::by_code(&search.country) else {
        return Vec::new();
    };
    let nanp = country.calling_code == 1;
    let (features, upfront, monthly) = offer_terms(&search.number_type, nanp);
    if !search.features.iter().all(|f| features.contains(&f.as_str())) {
        return Vec::new();
    }
    let areas = areas(search, country);
    if areas.is_empty() {
        return Vec::new();
    }
    let national_len = if nanp { 10 } else { country.national_digits.max(6) };
    let mut rng = StdRng::seed_from_u64(search.seed());
    let mut found: Vec<Value> = Vec::new();
    let mut seen = HashSet::new();
    for _ in 0..search.limit * 20 {
        if found.len() == search.limit {
            break;
        }
        let area = &areas[rng.random_range(0..areas.len())];
        let mut digits: Vec<u8> = area.code.bytes().collect();
        while digits.len() < national_len {
            digits.push(b'0' + rng.random_range(0..10u8));
        }
        digits.truncate(national_len);
        if nanp {
            digits[3] = b'2' + rng.random_range(0..8u8); // exchange codes start 2-9
        }
        let subscriber_start = area.code.len().min(national_len);
        if let Some(pattern) = &search.contains {
            let room = national_len.saturating_sub(subscriber_start);
            let at = if pattern.len() <= room {
                subscriber_start + rng.random_range(0..=room - pattern.len())
            } else {
                0
            };
            if !overlay(&mut digits, at, pattern) {
                continue;
            }
        }
        if let Some(pattern) = &search.ends_with
            && !overlay(&mut digits, national_len.saturating_sub(pattern.len()), pattern)
        {
            continue;
        }
        if let Some(pattern) = &search.starts_with
            && !overlay(&mut digits, 0, pattern)
        {
            continue;
        }
        let national = String::from_utf8(digits).unwrap_or_default();
        // The overlays must not have broken the area code or numbering rules.
        if !national.starts_with(&area.code)
            || (nanp && (!valid_nanp_area(&national[..3]) || national.as_bytes()[3] < b'2'))
            || search.contains.as_ref().is_some_and(|p| !national.contains(p.as_str()))
            || search.ends_with.as_ref().is_some_and(|p| !national.ends_with(p.as_str()))
        {
            continue;
        }
        let e164 = format!("+{}{national}", country.calling_code);
        if taken.contains(e164.as_str()) || !seen.insert(e164.clone()) {
            continue;
        }
        let mut regions = vec![json!({ "region_type": "country_code", "region_name": search.country })];
        if let Some((city, state, rate_center)) = area.city {
            regions.push(json!({ "region_type": "rate_center", "region_name": rate_center }));
            regions.push(json!({ "region_type": "state", "region_name": state }));
            regions.push(json!({ "region_type": "location", "region_name": city }));
        }
        found.push(json!({
            "record_type": "available_phone_number",
            "phone_number": e164,
            "vanity_format": "",
            "best_effort": false,
            "quickship": true,
            "reservable": true,
            "region_information": regions,
            "cost_information": { "upfront_cost": upfront, "monthly_cost": monthly, "currency": "USD" },
            "features": features.iter().map(|name| json!({ "name": name })).collect::<Vec<_>>(),
            // Bookkeeping for orders; removed from the answer below.
            "phone_number_type": search.number_type,
        }));
    }
    found
}

pub async fn search(State(app): State<Shared>, Query(params): Query<Params>) -> Handled {
    let search = Search::parse(&params)?;
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let found = generate(&search, &store.numbers.taken());
    let mut data = Vec::with_capacity(found.len());
    for number in found {
        store.numbers.remember_offer(&number);
        let mut shown = number;
        if let Some(fields) = shown.as_object_mut() {
            fields.remove("phone_number_type");
        }
        data.push(shown);
    }
    let meta = json!({ "total_results": data.len(), "best_effort_results": 0 });
    Ok(Json(json!({ "data": data, "meta": meta, "metadata": meta })).into_response())
}

// ----- /number_orders -----

pub async fn create_order(State(app): State<Shared>, body: Bytes) -> Handled {
    let body = object_body(&body)?;
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    app.room_for(store.numbers.orders.len(), "number orders")?;
    let wanted = validate_order(&store, &body)?;
    let body = check(Write::CreateOrder, body)?;
    let upfront: i64 =
        wanted.iter().filter_map(|n| parse_cents(n["cost_information"]["upfront_cost"].as_str()?)).sum();
    let balance = parse_cents(&store.balance).unwrap_or(0);
    if upfront > balance {
        return Err(Failure::invalid(vec![(
            "/phone_numbers".into(),
            format!(
                "the balance ({} USD) does not cover the upfront cost ({} USD)",
                store.balance,
                format_cents(upfront)
            ),
        )]));
    }
    store.balance = format_cents(balance - upfront);
    let order_id = json!(store.uuid());
    let connection_id = body.get("connection_id").and_then(Value::as_str).map(str::to_owned);
    let connection_name = connection_name(&store, connection_id.as_deref());
    let mut numbers = Vec::new();
    let mut created = Vec::new();
    for offer in &wanted {
        let e164 = offer["phone_number"].as_str().unwrap_or_default().to_owned();
        let country = offer["region_information"][0]["region_name"].as_str().unwrap_or("US").to_owned();
        let number_type = offer["phone_number_type"].as_str().unwrap_or("local").to_owned();
        let calling_code = countries::by_code(&country).map_or(1, |c| c.calling_code);
        numbers.push(json!({
            "id": store.uuid(),
            "record_type": "number_order_phone_number",
            "phone_number": e164,
            "status": "pending",
            "requirements_met": true,
            "requirements_status": "approved",
            "regulatory_requirements": [],
            "phone_number_type": number_type,
            "country_code": calling_code.to_string(),
            "country_iso_alpha2": country,
        }));
        let id = store.next_numeric_id();
        let record = owned_record(
            id,
            &e164,
            &number_type,
            &country,
            connection_id.as_deref(),
            connection_name.clone(),
            "purchase-pending",
        );
        store.numbers.owned.insert(id, record);
        created.push(id);
        store.numbers.offered.remove(&e164);
    }
    let stamp = now();
    let record = json!({
        "id": order_id,
        "record_type": "number_order",
        "status": "pending",
        "requirements_met": true,
        "phone_numbers_count": numbers.len(),
        "phone_numbers": numbers,
        "sub_number_orders_ids": [store.uuid()],
        "connection_id": connection_id,
        "messaging_profile_id": body.get("messaging_profile_id").cloned().unwrap_or(Value::Null),
        "billing_group_id": body.get("billing_group_id").cloned().unwrap_or(Value::Null),
        "customer_reference": body.get("customer_reference").cloned().unwrap_or(Value::Null),
        "created_at": stamp,
        "updated_at": stamp,
    });
    let settles_at = Instant::now() + store.numbers.settle_after;
    store.numbers.orders.push(Order { record: record.clone(), settles_at, numbers: created });
    data(StatusCode::OK, without_nulls(record))
}

/// The spec's order fields are plain strings, not nullable: absent ones are left out.
fn without_nulls(mut record: Value) -> Value {
    if let Some(fields) = record.as_object_mut() {
        fields.retain(|_, value| !value.is_null());
    }
    record
}

/// Checks an order's body; returns the offers for its numbers.
fn validate_order(store: &Store, body: &Map<String, Value>) -> Result<Vec<Value>, Failure> {
    let mut problems = Problems::default();
    for key in ["connection_id", "messaging_profile_id", "billing_group_id", "customer_reference"] {
        problems.expect_type(body, "", key, Kind::String);
    }
    if let Some(id) = body.get("connection_id").and_then(Value::as_str)
        && numeric_id(id).is_none_or(|id| !store.connections.contains_key(&id))
    {
        problems.missing_association("/connection_id", format!("connection {id} does not exist"));
    }
    let mut offers = Vec::new();
    match body.get("phone_numbers") {
        Some(Value::Array(numbers)) if !numbers.is_empty() => {
            let taken = store.numbers.taken();
            let mut in_order = HashSet::new();
            for (index, entry) in numbers.iter().enumerate() {
                let pointer = format!("/phone_numbers/{index}/phone_number");
                let Some(e164) = entry.get("phone_number").and_then(Value::as_str) else {
                    problems.add(&pointer, "phone_number is required");
                    continue;
                };
                if !crate::phone::is_e164(e164) {
                    problems.not_e164(
                        &pointer,
                        format!("{e164} is not in +E.164 format: + then the country code and number"),
                    );
                } else if !in_order.insert(e164) {
                    problems.add(&pointer, format!("{e164} appears twice in this order"));
                } else if taken.contains(e164) {
                    problems
                        .add(&pointer, format!("{e164} is no longer available: it has already been ordered"));
                } else if let Some(offer) = store.numbers.offered.get(e164) {
                    offers.push(offer.clone());
                } else {
                    problems.add(
                        &pointer,
                        format!("{e164} is not available; search for available numbers first"),
                    );
                }
            }
        }
        Some(Value::Array(_)) | None => {
            problems.add("/phone_numbers", "phone_numbers must list at least one number")
        }
        Some(_) => problems.add("/phone_numbers", "phone_numbers must be an array"),
    }
    problems.into_result().map(|()| offers)
}

fn find_order<'a>(store: &'a Store, id: &str) -> Result<&'a Order, Failure> {
    store.numbers.orders.iter().find(|o| o.record["id"] == json!(id)).ok_or_else(Failure::not_found)
}

pub async fn get_order(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let order = find_order(&store, &id)?;
    data(StatusCode::OK, without_nulls(order.record.clone()))
}

pub async fn update_order(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    find_order(&store, &id)?;
    let body = object_body(&body)?;
    let mut problems = Problems::default();
    problems.expect_type(&body, "", "customer_reference", Kind::String);
    problems.into_result()?;
    let body = check(Write::UpdateOrder, body)?;
    let order = store
        .numbers
        .orders
        .iter_mut()
        .find(|o| o.record["id"] == json!(id))
        .ok_or_else(Failure::not_found)?;
    if let Some(reference) = body.get("customer_reference") {
        order.record["customer_reference"] = reference.clone();
        order.record["updated_at"] = json!(now());
    }
    data(StatusCode::OK, without_nulls(order.record.clone()))
}

pub async fn list_orders(State(app): State<Shared>, Query(params): Query<Params>) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let paging = paging(&params, 20, StatusCode::BAD_REQUEST)?;
    let filter = |key: &str| params.get(&format!("filter[{key}]"));
    let items = store
        .numbers
        .orders
        .iter()
        .rev() // newest first
        .map(|o| &o.record)
        .filter(|o| filter("status").is_none_or(|s| o["status"].as_str() == Some(s)))
        .filter(|o| filter("customer_reference").is_none_or(|r| o["customer_reference"].as_str() == Some(r)))
        .filter(|o| {
            filter("phone_numbers_count")
                .is_none_or(|n| o["phone_numbers_count"].as_u64().is_some_and(|count| n.parse() == Ok(count)))
        })
        .filter(|o| {
            filter("requirements_met")
                .is_none_or(|m| o["requirements_met"].as_bool().is_some_and(|met| m.parse() == Ok(met)))
        })
        .filter(|o| {
            filter("created_at][gt").is_none_or(|t| o["created_at"].as_str().is_some_and(|c| c > t.as_str()))
        })
        .filter(|o| {
            filter("created_at][lt").is_none_or(|t| o["created_at"].as_str().is_some_and(|c| c < t.as_str()))
        })
        .map(|o| {
            // The list shows only each number's id and phone number.
            let mut summary = without_nulls(o.clone());
            let numbers: Vec<Value> = o["phone_numbers"]
                .as_array()
                .map(|list| {
                    list.iter().map(|n| json!({ "id": n["id"], "phone_number": n["phone_number"] })).collect()
                })
                .unwrap_or_default();
            summary["phone_numbers"] = json!(numbers);
            summary
        })
        .collect();
    page(items, paging)
}

// ----- /phone_numbers -----

pub async fn list_numbers(State(app): State<Shared>, Query(params): Query<Params>) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let paging = paging(&params, 20, StatusCode::BAD_REQUEST)?;
    let filter = |key: &str| params.get(&format!("filter[{key}]")).map(String::as_str);
    let digits_of = |text: &str| text.chars().filter(char::is_ascii_digit).collect::<String>();
    let digits = filter("phone_number").map(digits_of);
    if digits.as_ref().is_some_and(|d| d.len() < 3) {
        return Err(Failure::bad_parameter(
            "filter[phone_number]",
            "filter[phone_number] needs at least 3 digits",
        ));
    }
    let sort = match params.get("sort").map(String::as_str) {
        None | Some("purchased_at" | "usage_payment_method") => None,
        Some(key @ ("phone_number" | "connection_name")) => Some(key),
        Some(_) => {
            return Err(Failure::bad_parameter(
                "sort",
                "sort must be purchased_at, phone_number, connection_name or usage_payment_method",
            ));
        }
    };
    // Each filter's text is read once, not once per number: the account can own a
    // hundred thousand of them.
    let (status, connection, countries) =
        (filter("status"), filter("connection_id"), filter("country_iso_alpha2"));
    let (number_type, reference, tag) =
        (filter("number_type][eq"), filter("customer_reference"), filter("tag"));
    let name_contains = filter("voice.connection_name][contains").map(str::to_lowercase);
    let filtered = digits.is_some()
        || [status, connection, countries, number_type, reference, tag].iter().any(Option::is_some)
        || name_contains.is_some();
    let numbers = &store.numbers.owned;
    if !filtered && sort.is_none() {
        // The whole account in purchase order: one page costs its own size, not the
        // account's (a skip over the ordered map, then the page itself).
        let (number, size) = paging;
        let items = numbers.values().skip((number - 1).saturating_mul(size)).take(size).collect();
        return page_of(items, numbers.len(), paging);
    }
    // References, not copies: only one page of them is sent.
    let mut items: Vec<&Value> = numbers
        .values()
        .filter(|n| {
            digits
                .as_ref()
                .is_none_or(|d| digits_of(n["phone_number"].as_str().unwrap_or_default()).contains(d))
        })
        .filter(|n| status.is_none_or(|s| n["status"].as_str() == Some(s)))
        .filter(|n| connection.is_none_or(|c| n["connection_id"].as_str() == Some(c)))
        .filter(|n| {
            countries.is_none_or(|c| c.split(',').any(|c| n["country_iso_alpha2"].as_str() == Some(c)))
        })
        .filter(|n| number_type.is_none_or(|t| n["phone_number_type"].as_str() == Some(t)))
        .filter(|n| reference.is_none_or(|r| n["customer_reference"].as_str() == Some(r)))
        .filter(|n| tag.is_none_or(|t| n["tags"].as_array().is_some_and(|tags| tags.iter().any(|x| x == t))))
        .filter(|n| {
            name_contains.as_ref().is_none_or(|c| {
                n["connection_name"].as_str().is_some_and(|name| name.to_lowercase().contains(c))
            })
        })
        .collect();
    if let Some(key) = sort {
        items.sort_by(|a, b| a[key].as_str().cmp(&b[key].as_str()));
    }
    let total = items.len();
    let (number, size) = paging;
    let items = items.into_iter().skip((number - 1).saturating_mul(size)).take(size).collect();
    page_of(items, total, paging)
}

/// One page (`items`, already cut to the page) of `total` records, with Telnyx's `meta`,
/// written straight from the references: no copy of the records is made (a `json!`
/// body would clone each into a new tree, while the store is locked).
fn page_of(items: Vec<&Value>, total: usize, (number, size): (usize, usize)) -> Handled {
    #[derive(serde::Serialize)]
    struct Body<'a> {
        data: Vec<&'a Value>,
        meta: Value,
    }
    let meta = json!({
        "page_number": number,
        "page_size": size,
        "total_pages": total.div_ceil(size),
        "total_results": total,
    });
    Ok((StatusCode::OK, Json(Body { data: items, meta })).into_response())
}

fn owned_id(store: &Store, id: &str) -> Result<u64, Failure> {
    numeric_id(id).filter(|id| store.numbers.owned.contains_key(id)).ok_or_else(Failure::not_found)
}

pub async fn get_number(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let id = owned_id(&store, &id)?;
    data(StatusCode::OK, store.numbers.owned[&id].clone())
}

pub async fn update_number(State(app): State<Shared>, Path(id): Path<String>, body: Bytes) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let id = owned_id(&store, &id)?;
    let body = object_body(&body)?;
    let mut problems = Problems::default();
    for key in ["connection_id", "billing_group_id", "customer_reference", "external_pin", "address_id"] {
        problems.expect_type(&body, "", key, Kind::String);
    }
    problems.expect_type(&body, "", "hd_voice_enabled", Kind::Bool);
    problems.expect_type(&body, "", "tags", Kind::StringArray);
    if let Some(connection) = body.get("connection_id").and_then(Value::as_str)
        && !connection.is_empty()
        && numeric_id(connection).is_none_or(|c| !store.connections.contains_key(&c))
    {
        problems.missing_association("/connection_id", format!("connection {connection} does not exist"));
    }
    problems.into_result()?;
    let body = check(Write::UpdateNumber, body)?;
    let name =
        body.get("connection_id").map(|c| connection_name(&store, c.as_str().filter(|c| !c.is_empty())));
    let number = store.numbers.owned.get_mut(&id).ok_or_else(Failure::not_found)?;
    for (key, value) in &body {
        match key.as_str() {
            "connection_id" => {
                number[key] = value.as_str().filter(|c| !c.is_empty()).map_or(Value::Null, |c| json!(c))
            }
            "address_id" | "id" => {}
            _ => number[key] = value.clone(),
        }
    }
    if let Some(name) = name {
        number["connection_name"] = name;
    }
    number["updated_at"] = json!(now());
    data(StatusCode::OK, number.clone())
}

pub async fn delete_number(State(app): State<Shared>, Path(id): Path<String>) -> Handled {
    let mut store = app.store();
    store.numbers.settle(Instant::now());
    let id = owned_id(&store, &id)?;
    let mut number = store.numbers.owned.remove(&id).ok_or_else(Failure::not_found)?;
    number["status"] = json!("deleted");
    data(StatusCode::OK, number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn searches_are_deterministic_and_honour_the_filters() {
        let query = params(&[
            ("filter[country_code]", "US"),
            ("filter[locality]", "Chicago"),
            ("filter[phone_number][contains]", "42"),
            ("filter[limit]", "5"),
        ]);
        let search = Search::parse(&query).unwrap();
        let first = generate(&search, &HashSet::new());
        assert_eq!(first, generate(&search, &HashSet::new()));
        assert_eq!(first.len(), 5);
        for number in &first {
            let e164 = number["phone_number"].as_str().unwrap();
            assert!(e164.starts_with("+1312") || e164.starts_with("+1773"), "{e164}");
            assert!(e164[2..].contains("42"), "{e164}");
            assert_eq!(e164.len(), 12);
        }
        let taken: HashSet<&str> = first.iter().map(|n| n["phone_number"].as_str().unwrap()).collect();
        let again = generate(&search, &taken);
        assert!(again.iter().all(|n| !taken.contains(n["phone_number"].as_str().unwrap())));
    }

    #[test]
    fn impossible_searches_find_nothing_and_bad_filters_are_refused() {
        let toll_free_city =
            params(&[("filter[phone_number_type]", "toll_free"), ("filter[locality]", "Chicago")]);
        assert!(generate(&Search::parse(&toll_free_city).unwrap(), &HashSet::new()).is_empty());
        let fax_mobile = params(&[
            ("filter[country_code]", "DE"),
            ("filter[phone_number_type]", "mobile"),
            ("filter[features]", "fax"),
        ]);
        assert!(generate(&Search::parse(&fax_mobile).unwrap(), &HashSet::new()).is_empty());
        assert!(Search::parse(&params(&[("filter[country_code]", "XX")])).is_err());
        assert!(Search::parse(&params(&[("filter[limit]", "0")])).is_err());
        assert!(Search::parse(&params(&[("filter[features]", "teleport")])).is_err());
        assert!(Search::parse(&params(&[("filter[phone_number][ends_with]", "12a")])).is_err());
    }

    #[test]
    fn other_countries_get_numbers_of_their_own_format() {
        let search =
            Search::parse(&params(&[("filter[country_code]", "GB"), ("filter[limit]", "3")])).unwrap();
        let found = generate(&search, &HashSet::new());
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|n| n["phone_number"].as_str().unwrap().starts_with("+44")));
    }
}
