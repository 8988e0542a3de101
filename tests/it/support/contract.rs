//! Checks HTTP exchanges recorded by the sandbox against the OpenAPI 3.1 contract in
//! `tests/fixtures/openapi-subset.json`.
//!
//! For each [`Exchange`] the [`Contract`] finds the operation whose path template
//! (`/credential_connections/{id}`) and method match, then checks:
//!
//! - the request body against the operation's `requestBody` `application/json` schema;
//! - every query key against the operation's parameters, `deepObject` style included
//!   (`page[size]` is property `size` of parameter `page`, `filter[a][b]` nests one
//!   level deeper), and its value against that property's type, bounds and enum;
//! - that the status is declared (exactly, as `4XX`, or through `default`);
//! - that the content type is one the response declares, and that the body validates
//!   against that media type's schema (a `text/*` body is validated as a JSON string).
//!
//! Schemas are validated with the `jsonschema` crate (draft 2020-12, the dialect of
//! OpenAPI 3.1): the whole document is registered as one resource, so every
//! `$ref: "#/components/schemas/..."` resolves in place, and each schema is compiled
//! from a `$ref` to its JSON pointer. `format` stays an annotation, as 2020-12 says (the
//! contract's own default `""` for a `format: uri` field would not pass it), and
//! OpenAPI's `example`/`examples` are plain annotations to JSON Schema.
//!
//! One reading of the contract is deliberate: a response declared without `content`
//! (the outbound voice profile and telephony credential errors) describes no body, so
//! any body is accepted there; Telnyx sends its `errors[]` in them anyway.

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use telnyx_setup::sandbox::Exchange;

/// The URI the spec is registered under; it never leaves the process.
const SPEC_URI: &str = "https://contract.invalid/openapi-subset.json";
/// Path of the contract, relative to the crate root.
const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openapi-subset.json");

/// The OpenAPI document and the schema validators compiled from it so far.
pub struct Contract {
    spec: Value,
    registry: Registry<'static>,
    /// Compiled validators keyed by the JSON pointer of their schema.
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// A node of the spec together with its JSON pointer, so schemas found by walking the
/// document can be compiled by reference.
struct Node<'a> {
    pointer: String,
    value: &'a Value,
}

/// An operation matched to an exchange.
struct Operation<'a> {
    id: &'a str,
    pointer: String,
    value: &'a Value,
    /// The path item, for parameters declared on the path rather than the operation.
    item: &'a Value,
    item_pointer: String,
}

/// One rule an exchange breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `PATCH /credential_connections/12 -> 422`, as the exchange was seen.
    pub exchange: String,
    /// Which operation the exchange was matched to, if any.
    pub operation: Option<String>,
    pub problem: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation {
            Some(operation) => write!(f, "{} ({operation}): {}", self.exchange, self.problem),
            None => write!(f, "{}: {}", self.exchange, self.problem),
        }
    }
}

/// What checking a whole journal found.
#[derive(Debug, Default)]
pub struct Report {
    pub exchanges: usize,
    /// operationIds of the exchanges that matched an operation.
    pub operations: BTreeSet<String>,
    /// Status codes seen.
    pub statuses: BTreeSet<u16>,
    pub violations: Vec<Violation>,
}

impl Report {
    /// Every violation, one per line, under a count; `None` when there are none.
    pub fn failure(&self) -> Option<String> {
        if self.violations.is_empty() {
            return None;
        }
        let list: Vec<String> = self.violations.iter().map(|violation| format!("  - {violation}")).collect();
        Some(format!(
            "{} contract violation(s) in {} exchanges:\n{}",
            self.violations.len(),
            self.exchanges,
            list.join("\n")
        ))
    }

    /// Panics with [`Report::failure`] unless the exchanges kept the contract.
    #[track_caller]
    pub fn assert_clean(&self) {
        if let Some(message) = self.failure() {
            panic!("{message}");
        }
    }
}

impl Contract {
    /// Loads the contract from the test fixtures.
    pub fn load() -> Self {
        let text =
            std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| panic!("cannot read {SPEC_PATH}: {e}"));
        let spec: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SPEC_PATH} is not JSON: {e}"));
        Self::new(spec)
    }

    pub fn new(spec: Value) -> Self {
        assert!(
            spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")),
            "the contract must be OpenAPI 3.1 (JSON Schema 2020-12 schemas)"
        );
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(SPEC_URI, Draft::Draft202012.create_resource(spec.clone()))
            .and_then(|builder| builder.prepare())
            .unwrap_or_else(|e| panic!("the contract cannot be registered as a schema: {e}"));
        Self { spec, registry, validators: Mutex::default() }
    }

    /// The operationId serving `method path`, if the contract has one.
    pub fn operation_id(&self, method: &str, path: &str) -> Option<&str> {
        self.operation(method, path).map(|op| op.id)
    }

    /// Checks every exchange of a journal.
    pub fn check_all(&self, journal: &[Exchange]) -> Report {
        let mut report = Report { exchanges: journal.len(), ..Report::default() };
        for exchange in journal {
            if let Some(id) = self.operation_id(&exchange.method, &exchange.path) {
                report.operations.insert(id.to_owned());
            }
            report.statuses.insert(exchange.status);
            report.violations.extend(self.check(exchange));
        }
        report
    }

    /// Checks one exchange; an empty list means it keeps the contract.
    pub fn check(&self, exchange: &Exchange) -> Vec<Violation> {
        let seen = describe(exchange);
        let Some(op) = self.operation(&exchange.method, &exchange.path) else {
            return vec![Violation {
                exchange: seen,
                operation: None,
                problem: "the contract has no operation for this method and path".to_owned(),
            }];
        };
        let mut problems = Vec::new();
        self.check_request_body(&op, exchange, &mut problems);
        self.check_query(&op, exchange, &mut problems);
        self.check_response(&op, exchange, &mut problems);
        problems
            .into_iter()
            .map(|problem| Violation { exchange: seen.clone(), operation: Some(op.id.to_owned()), problem })
            .collect()
    }

    /// Finds the operation for a concrete path: templates match segment by segment, a
    /// `{name}` segment matching any one segment; literal segments win over templated
    /// ones when several templates match.
    fn operation(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let method = method.to_ascii_lowercase();
        let concrete: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let paths = self.spec["paths"].as_object()?;
        let (template, item) = paths
            .iter()
            .filter_map(|(template, item)| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != concrete.len() {
                    return None;
                }
                let mut literal = 0;
                for (want, got) in parts.iter().zip(&concrete) {
                    if want.starts_with('{') && want.ends_with('}') {
                        if got.is_empty() {
                            return None;
                        }
                    } else if want == got {
                        literal += 1;
                    } else {
                        return None;
                    }
                }
                item.get(&method)?;
                Some((literal, template, item))
            })
            .max_by_key(|(literal, ..)| *literal)
            .map(|(_, template, item)| (template, item))?;
        let item_pointer = format!("/paths/{}", escape(template));
        let value = &item[&method];
        Some(Operation {
            id: value["operationId"].as_str().unwrap_or("(no operationId)"),
            pointer: format!("{item_pointer}/{method}"),
            value,
            item,
            item_pointer,
        })
    }

    /// (a) A body is validated against `requestBody.content["application/json"].schema`.
    /// The sandbox does not read the body of a request whose key it refuses (so that
    /// such requests cost it nothing): a 401's journal entry has none to check.
    fn check_request_body(&self, op: &Operation<'_>, exchange: &Exchange, problems: &mut Vec<String>) {
        if exchange.status == 401 && exchange.request_body.is_empty() {
            return;
        }
        let declared =
            op.value.get("requestBody").map(|_| self.resolve(&format!("{}/requestBody", op.pointer)));
        let body = &exchange.request_body;
        let Some(declared) = declared else {
            if !body.is_empty() {
                problems
                    .push(format!("sent a {}-byte request body, but the operation takes none", body.len()));
            }
            return;
        };
        if body.is_empty() {
            if declared.value["required"] == json!(true) {
                problems.push("the request body is required, but none was sent".to_owned());
            }
            return;
        }
        let Some(media) = declared.value["content"].get("application/json") else {
            problems.push("sent a JSON body, but the operation declares no application/json body".to_owned());
            return;
        };
        let instance: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("the request body is not JSON: {e}"));
                return;
            }
        };
        if media.get("schema").is_some() {
            let pointer = format!("{}/content/{}/schema", declared.pointer, escape("application/json"));
            for error in self.validate(&pointer, &instance) {
                problems.push(format!("request body {error}"));
            }
        }
    }

    /// (b) Every query key must be a declared parameter (or a property path of a
    /// `deepObject` one), and its value must fit the schema it lands on.
    fn check_query(&self, op: &Operation<'_>, exchange: &Exchange, problems: &mut Vec<String>) {
        let Some(query) = exchange.query.as_deref().filter(|q| !q.is_empty()) else {
            return;
        };
        let parameters = self.query_parameters(op);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let Some((name, path)) = split_key(&key) else {
                problems.push(format!("query key `{key}` is malformed"));
                continue;
            };
            let Some(parameter) = parameters.get(name) else {
                let declared: Vec<&str> = parameters.keys().copied().collect();
                problems.push(format!(
                    "query key `{key}`: parameter `{name}` is not declared (declared: {})",
                    list_or_none(&declared)
                ));
                continue;
            };
            let mut schema = self.resolve(&format!("{}/schema", parameter.pointer));
            if !path.is_empty() && parameter.value["style"].as_str() != Some("deepObject") {
                problems.push(format!(
                    "query key `{key}`: parameter `{name}` is not deepObject, so it takes no [..] keys"
                ));
                continue;
            }
            let mut walked = true;
            for segment in &path {
                if schema.value["properties"].get(*segment).is_none() {
                    let known: Vec<&str> = schema.value["properties"]
                        .as_object()
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    problems.push(format!(
                        "query key `{key}`: `{segment}` is not a property here (declared: {})",
                        list_or_none(&known)
                    ));
                    walked = false;
                    break;
                }
                schema = self.resolve(&format!("{}/properties/{}", schema.pointer, escape(segment)));
            }
            if !walked {
                continue;
            }
            if types(schema.value).contains(&"object") {
                problems.push(format!(
                    "query key `{key}` names an object; a deepObject value needs a property, e.g. `{key}[...]`"
                ));
                continue;
            }
            let instance = coerce(&value, schema.value);
            for error in self.validate(&schema.pointer, &instance) {
                problems.push(format!("query `{key}={value}`: {error}"));
            }
        }
    }

    /// The operation's query parameters by name; operation-level ones override the path
    /// item's, as OpenAPI says.
    fn query_parameters(&self, op: &Operation<'_>) -> HashMap<&str, Node<'_>> {
        let mut found = HashMap::new();
        for (owner, owner_pointer) in [(op.item, &op.item_pointer), (op.value, &op.pointer)] {
            let Some(list) = owner["parameters"].as_array() else {
                continue;
            };
            for index in 0..list.len() {
                let parameter = self.resolve(&format!("{owner_pointer}/parameters/{index}"));
                if parameter.value["in"] == json!("query")
                    && let Some(name) = parameter.value["name"].as_str()
                {
                    found.insert(name, parameter);
                }
            }
        }
        found
    }

    /// (c) the status is declared; (d) the content type is declared for it; (e) the body
    /// validates against that media type's schema.
    fn check_response(&self, op: &Operation<'_>, exchange: &Exchange, problems: &mut Vec<String>) {
        let responses = &op.value["responses"];
        let status = exchange.status.to_string();
        let range = format!("{}XX", exchange.status / 100);
        let Some(key) = [status.as_str(), range.as_str(), "default"]
            .into_iter()
            .find(|key| responses.get(*key).is_some())
        else {
            let declared: Vec<&str> =
                responses.as_object().map(|r| r.keys().map(String::as_str).collect()).unwrap_or_default();
            problems.push(format!("status {status} is not declared (declared: {})", list_or_none(&declared)));
            return;
        };
        let response = self.resolve(&format!("{}/responses/{}", op.pointer, escape(key)));
        let Some(content) = response.value.get("content").and_then(Value::as_object) else {
            // No content: the contract describes no body for this response.
            return;
        };
        let declared: Vec<&str> = content.keys().map(String::as_str).collect();
        let Some(content_type) = exchange.content_type.as_deref() else {
            problems.push(format!(
                "status {status} declares {} content, but the response has no Content-Type",
                declared.join(" or ")
            ));
            return;
        };
        let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let Some(matched) = declared.iter().copied().find(|declared| media_matches(declared, &media)) else {
            problems.push(format!(
                "content type `{content_type}` is not declared for status {status} (declared: {})",
                declared.join(", ")
            ));
            return;
        };
        if content[matched].get("schema").is_none() {
            return;
        }
        let body = &exchange.response_body;
        let instance = if media == "application/json" || media.ends_with("+json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(value) => value,
                Err(e) => {
                    problems.push(format!("the {media} response body is not JSON: {e}"));
                    return;
                }
            }
        } else if media.starts_with("text/") {
            match std::str::from_utf8(body) {
                Ok(text) => Value::String(text.to_owned()),
                Err(_) => {
                    problems.push(format!("the {media} response body is not UTF-8"));
                    return;
                }
            }
        } else {
            return;
        };
        let pointer = format!("{}/content/{}/schema", response.pointer, escape(matched));
        for error in self.validate(&pointer, &instance) {
            problems.push(format!("response body {error}"));
        }
    }

    /// Follows `$ref`s (local ones, as in this self-contained document) from `pointer`
    /// to the node they end at.
    fn resolve(&self, pointer: &str) -> Node<'_> {
        let mut pointer = pointer.to_owned();
        for _ in 0..32 {
            let value = self
                .spec
                .pointer(&pointer)
                .unwrap_or_else(|| panic!("the contract has nothing at #{pointer}"));
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) => {
                    pointer = target
                        .strip_prefix('#')
                        .unwrap_or_else(|| panic!("only local $refs are supported: {target}"))
                        .to_owned();
                }
                None => return Node { pointer, value },
            }
        }
        panic!("$ref chain too long at #{pointer}");
    }

    /// Validates `instance` against the schema at `pointer`; each error reads
    /// `at /data/outbound/x: null is not of type "string"`.
    fn validate(&self, pointer: &str, instance: &Value) -> Vec<String> {
        let validator = self.validator(pointer);
        validator
            .iter_errors(instance)
            .map(|error| {
                let at = error.instance_path().as_str();
                let at = if at.is_empty() { "/" } else { at };
                format!("at {at}: {}", shorten(&error.to_string()))
            })
            .collect()
    }

    fn validator(&self, pointer: &str) -> Arc<Validator> {
        let mut cache = self.validators.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(validator) = cache.get(pointer) {
            return validator.clone();
        }
        let schema = json!({ "$ref": format!("{SPEC_URI}#{}", fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(false)
            .build(&schema)
            .unwrap_or_else(|e| panic!("the schema at #{pointer} does not compile: {e}"));
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), validator.clone());
        validator
    }
}

/// `GET /credential_connections?page%5Bsize%5D=2 -> 200`.
fn describe(exchange: &Exchange) -> String {
    let query = exchange.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{} {}{query} -> {}", exchange.method, exchange.path, exchange.status)
}

/// Splits `filter[connection_name][contains]` into `filter` and
/// `["connection_name", "contains"]`; `None` for unbalanced brackets.
fn split_key(key: &str) -> Option<(&str, Vec<&str>)> {
    let (name, mut rest) = match key.find('[') {
        Some(at) => (&key[..at], &key[at..]),
        None => (key, ""),
    };
    if name.is_empty() || name.contains(']') {
        return None;
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        let segment = &inner[..end];
        if segment.is_empty() || segment.contains('[') {
            return None;
        }
        path.push(segment);
        rest = &inner[end + 1..];
    }
    Some((name, path))
}

/// The schema's `type` as a list (`"string"` or `["integer", "null"]`).
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Reads a query string value as the JSON its schema's type expects. A value that
/// cannot be read as any of the types stays a string, so validation reports it.
fn coerce(text: &str, schema: &Value) -> Value {
    for kind in types(schema) {
        match kind {
            "integer" => {
                if let Ok(n) = text.parse::<i64>() {
                    return json!(n);
                }
            }
            "number" => {
                if let Ok(n) = text.parse::<f64>() {
                    return json!(n);
                }
            }
            "boolean" => {
                if let Ok(b) = text.parse::<bool>() {
                    return json!(b);
                }
            }
            // Arrays travel comma-separated (form style, explode false), as the
            // telnyx-python SDK sends them.
            "array" => return json!(text.split(',').collect::<Vec<_>>()),
            "null" if text.is_empty() => return Value::Null,
            _ => {}
        }
    }
    Value::String(text.to_owned())
}

/// `declared` is a media range such as `application/json`, `text/*` or `*/*`.
fn media_matches(declared: &str, media: &str) -> bool {
    let declared = declared.to_ascii_lowercase();
    declared == media
        || declared == "*/*"
        || declared.strip_suffix("/*").is_some_and(|kind| media.split('/').next() == Some(kind))
}

/// Escapes one JSON pointer segment (`/` becomes `~1`, `~` becomes `~0`).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Percent-encodes a JSON pointer for use as a URI fragment (`{id}` is not allowed
/// there as it is).
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        let mut items = items.to_vec();
        items.sort_unstable();
        items.join(", ")
    }
}

/// Keeps error messages readable: they quote the offending value, which can be a whole
/// record.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 300;
    if text.chars().count() <= LIMIT {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}
