//! Telnyx-shaped answers: `{"data": ...}` successes, `{"errors": [...]}` failures,
//! and the paging and body parsing every handler shares.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// A failed request, rendered as Telnyx renders it.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub errors: Vec<Value>,
}

pub type Handled = Result<Response, Failure>;

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "errors": self.errors }))).into_response()
    }
}

fn error(code: &str, title: &str, detail: &str, pointer: Option<&str>) -> Value {
    let mut error = json!({
        "code": code,
        "title": title,
        "detail": detail,
        "meta": { "url": format!("https://developers.telnyx.com/docs/overview/errors/{code}") },
    });
    if let Some(pointer) = pointer {
        error["source"] = json!({ "pointer": pointer });
    }
    error
}

impl Failure {
    pub fn unauthenticated() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            errors: vec![error(
                "10009",
                "Authentication failed",
                "Could not understand the provided credentials.",
                None,
            )],
        }
    }

    /// 403: the key is valid but may not do this (Telnyx's `10010`).
    pub fn forbidden(detail: &str) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            errors: vec![error("10010", "Authorization failed", detail, None)],
        }
    }

    pub fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            errors: vec![error(
                "10005",
                "Resource not found",
                "The requested resource or URL could not be found.",
                Some("/"),
            )],
        }
    }

    /// 400: the body could not be read at all (malformed JSON): `pointer` `/` is the
    /// whole body, as in Telnyx's own example of this answer.
    pub fn bad_request(detail: &str, pointer: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            errors: vec![error("10015", "Bad Request", detail, Some(pointer))],
        }
    }

    /// 400 for a query parameter Telnyx cannot use (`sort`, `filter[phone_number]`):
    /// named in `source.parameter`, as Telnyx names parameters, not a body `pointer`.
    pub fn bad_parameter(parameter: &str, detail: &str) -> Self {
        let mut problem = error("10015", "Bad Request", detail, None);
        problem["source"] = json!({ "parameter": parameter });
        Self { status: StatusCode::BAD_REQUEST, errors: vec![problem] }
    }

    /// 413: the body is over the sandbox's limit; it is not read.
    pub fn too_large(limit: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            errors: vec![error(
                "10015",
                "Request Entity Too Large",
                &format!("The request body is larger than the limit of {} KiB.", limit / 1024),
                None,
            )],
        }
    }

    /// 429: over the rate limit, as Telnyx says it (code 10011). The caller adds
    /// `Retry-After`.
    pub fn rate_limited() -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            errors: vec![error(
                "10011",
                "Too many requests",
                "You have exceeded the rate limit for this API key. Wait before sending more requests.",
                None,
            )],
        }
    }

    /// 408: the body did not arrive in time.
    pub fn request_timeout() -> Self {
        Self {
            status: StatusCode::REQUEST_TIMEOUT,
            errors: vec![error("10008", "Request timeout", "The request body did not arrive in time.", None)],
        }
    }

    /// 422 for a request parameter or header (`source.parameter`), not a body field.
    pub fn invalid_parameter(parameter: &str, detail: &str) -> Self {
        let mut problem = error("10015", "Invalid value", detail, None);
        problem["source"] = json!({ "parameter": parameter });
        Self { status: StatusCode::UNPROCESSABLE_ENTITY, errors: vec![problem] }
    }

    /// 422 with one error per invalid field.
    pub fn invalid(problems: Vec<(String, String)>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: problems
                .iter()
                .map(|(pointer, detail)| error("10015", "Invalid value", detail, Some(pointer)))
                .collect(),
        }
    }
}

/// `{"data": value}` with the given status.
pub fn data(status: StatusCode, value: Value) -> Handled {
    Ok((status, Json(json!({ "data": value }))).into_response())
}

/// Reads a JSON object body; anything else is Telnyx's 400 "not well-formed".
pub fn object_body(body: &[u8]) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Failure::bad_request("The request failed because it was not well-formed.", "/")),
    }
}

/// Query parameters keyed by their literal names (`page[number]`, `filter[tag]`).
pub type Params = HashMap<String, String>;

/// Reads `page[number]` and `page[size]` (1..=250), answering `invalid_status` (the
/// endpoint's documented code for bad parameters) when they are out of range.
pub fn paging(
    params: &Params,
    default_size: usize,
    invalid_status: StatusCode,
) -> Result<(usize, usize), Failure> {
    let read = |key: &str, default: usize, max: usize| -> Result<usize, Failure> {
        match params.get(key) {
            None => Ok(default),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => {
                    let mut problem = error(
                        "10015",
                        "Bad Request",
                        &format!("{key} must be an integer between 1 and {max}"),
                        None,
                    );
                    problem["source"] = json!({ "parameter": key });
                    Err(Failure { status: invalid_status, errors: vec![problem] })
                }
            },
        }
    };
    Ok((read("page[number]", 1, usize::MAX)?, read("page[size]", default_size, 250)?))
}

/// One page of `items` with Telnyx's `meta`.
pub fn page<T: serde::Serialize>(items: Vec<T>, (number, size): (usize, usize)) -> Handled {
    let total = items.len();
    let data: Vec<T> = items.into_iter().skip((number - 1).saturating_mul(size)).take(size).collect();
    let body = json!({
        "data": data,
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_pages": total.div_ceil(size),
            "total_results": total,
        },
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// Collects field problems so one 422 names all of them, as Telnyx does: each an
/// error of its own, with Telnyx's code for its kind.
#[derive(Default)]
pub struct Problems(Vec<Value>);

impl Problems {
    /// A value that is not what the field takes: `10015`.
    pub fn add(&mut self, pointer: &str, detail: impl Into<String>) {
        self.0.push(error("10015", "Invalid value", &detail.into(), Some(pointer)));
    }

    /// An id that names no record of the kind the field refers to: Telnyx's `10013`
    /// "Missing association".
    pub fn missing_association(&mut self, pointer: &str, detail: impl Into<String>) {
        self.0.push(error("10013", "Missing association", &detail.into(), Some(pointer)));
    }

    /// A phone number that is not `+` and digits: Telnyx's `10016`.
    pub fn not_e164(&mut self, pointer: &str, detail: impl Into<String>) {
        self.0.push(error("10016", "Phone number must be in +E.164 format", &detail.into(), Some(pointer)));
    }

    /// Checks that `key`, when present, holds a value of the expected JSON type.
    pub fn expect_type(&mut self, body: &Map<String, Value>, pointer: &str, key: &str, kind: Kind) {
        if let Some(value) = body.get(key) {
            let ok = match kind {
                Kind::String => value.is_string(),
                Kind::Bool => value.is_boolean(),
                Kind::Object => value.is_object(),
                Kind::StringArray => value.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            };
            if !ok {
                self.add(&format!("{pointer}/{key}"), format!("{key} must be {}", kind.describe()));
            }
        }
    }

    pub fn into_result(self) -> Result<(), Failure> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Failure { status: StatusCode::UNPROCESSABLE_ENTITY, errors: self.0 })
        }
    }
}

#[derive(Clone, Copy)]
pub enum Kind {
    String,
    Bool,
    Object,
    StringArray,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Bool => "true or false",
            Kind::Object => "an object",
            Kind::StringArray => "an array of strings",
        }
    }
}

/// Overlays `patch` onto `target`: objects merge key by key, everything else (arrays
/// included, so PATCHed codecs replace the list) is replaced.
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}
