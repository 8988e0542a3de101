//! Request bodies checked against the contract, as stripe-mock checks Stripe's: every
//! write's body is validated with the `jsonschema` crate against its operation's request
//! schema in the OpenAPI subset (types, enums, lengths, bounds), the fields a record has
//! but a request may not set (`id`, `record_type`, `created_at`, …) are refused as
//! read-only, and what is stored is bounded: strings and lists have a length limit
//! where the contract gives none. Each problem is a 422 with Telnyx's code 10015 and
//! its `source.pointer`.
//!
//! Fields the contract does not know at all are not stored (they could only make the
//! record larger), except the few newer than the contract copy ([`NEWER_FIELDS`]).

use super::respond::Failure;
use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// The contract, compiled into the binary (the tests check the sandbox's answers
/// against the same file).
const SPEC: &str = include_str!("../../tests/fixtures/openapi-subset.json");
/// The URI the spec is registered under; it never leaves the process.
const SPEC_URI: &str = "https://contract.invalid/openapi-subset.json";
/// The longest string stored, in characters, where the contract sets no `maxLength`.
pub const MAX_STRING: usize = 1024;
/// The most items a stored list holds, where the contract sets no `maxItems`.
pub const MAX_ITEMS: usize = 1000;
/// Top-level fields Telnyx takes that the contract copy predates, with their type.
const NEWER_FIELDS: [(&str, &str, &str); 1] =
    [("UpdateCredentialConnectionRequest", "conversation_persistence", "boolean")];

/// A write the sandbox serves: the schema its body must keep, and the record's schema
/// (whose other fields are read-only).
#[derive(Debug, Clone, Copy)]
pub enum Write {
    CreateConnection,
    UpdateConnection,
    CreateProfile,
    UpdateProfile,
    CreateCredential,
    UpdateCredential,
    CreateOrder,
    UpdateOrder,
    UpdateNumber,
}

impl Write {
    fn schemas(self) -> (&'static str, &'static str) {
        match self {
            Self::CreateConnection => ("CreateCredentialConnectionRequest", "CredentialConnection"),
            Self::UpdateConnection => ("UpdateCredentialConnectionRequest", "CredentialConnection"),
            Self::CreateProfile => ("CreateOutboundVoiceProfileRequest", "OutboundVoiceProfile"),
            Self::UpdateProfile => ("UpdateOutboundVoiceProfileRequest", "OutboundVoiceProfile"),
            Self::CreateCredential => ("TelephonyCredentialCreateRequest", "TelephonyCredential"),
            Self::UpdateCredential => ("TelephonyCredentialUpdateRequest", "TelephonyCredential"),
            Self::CreateOrder => ("CreateNumberOrderRequest", "NumberOrderWithPhoneNumbers"),
            Self::UpdateOrder => ("UpdateNumberOrderRequest", "NumberOrderWithPhoneNumbers"),
            Self::UpdateNumber => ("UpdatePhoneNumberRequest", "PhoneNumberDetailed"),
        }
    }
}

struct Contract {
    spec: Value,
    registry: Registry<'static>,
    validators: Mutex<HashMap<&'static str, Arc<Validator>>>,
}

static CONTRACT: LazyLock<Option<Contract>> = LazyLock::new(|| {
    let spec: Value = serde_json::from_str(SPEC).ok()?;
    let registry = Registry::new()
        .draft(Draft::Draft202012)
        .add(SPEC_URI, Draft::Draft202012.create_resource(spec.clone()))
        .and_then(|builder| builder.prepare())
        .ok()?;
    Some(Contract { spec, registry, validators: Mutex::default() })
});

impl Contract {
    fn validator(&self, schema: &'static str) -> Option<Arc<Validator>> {
        let mut cache = self.validators.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(validator) = cache.get(schema) {
            return Some(validator.clone());
        }
        let reference = json!({ "$ref": format!("{SPEC_URI}#/components/schemas/{schema}") });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            // As the tests' contract check: `format` is an annotation in 2020-12.
            .should_validate_formats(false)
            .build(&reference)
            .ok()?;
        let validator = Arc::new(validator);
        cache.insert(schema, validator.clone());
        Some(validator)
    }

    fn properties(&self, schema: &str) -> Option<&Map<String, Value>> {
        self.spec["components"]["schemas"][schema]["properties"].as_object()
    }
}

/// Checks a write's body; `Ok` is the body to store (fields the contract does not know
/// left out), `Err` Telnyx's 422 naming every problem.
pub fn check(write: Write, body: Map<String, Value>) -> Result<Map<String, Value>, Failure> {
    let Some(contract) = CONTRACT.as_ref() else {
        // The spec is compiled in and parsed by the tests: this cannot happen. If it
        // did, serving unchecked is better than refusing everything.
        return Ok(body);
    };
    let (request, record) = write.schemas();
    let mut problems = Vec::new();
    bounded(&Value::Object(body.clone()), "", &mut problems);
    let declared = contract.properties(request);
    let on_record = contract.properties(record);
    let mut kept = Map::new();
    for (key, value) in body {
        let newer = NEWER_FIELDS.iter().find(|(schema, name, _)| *schema == request && name == &key);
        if declared.is_some_and(|d| d.contains_key(&key)) {
            kept.insert(key, value);
        } else if let Some((_, _, kind)) = newer {
            if json_type(&value) != *kind {
                problems.push((format!("/{key}"), format!("{key} must be a {kind}")));
            }
            kept.insert(key, value);
        } else if on_record.is_some_and(|r| r.contains_key(&key)) {
            problems.push((format!("/{key}"), format!("{key} is read-only: Telnyx sets it")));
        }
    }
    if let Some(validator) = contract.validator(request) {
        let mut instance = Value::Object(kept.clone());
        // A connection's profile is detached with null, which Telnyx takes though the
        // contract types the id as a string.
        if let Some(outbound) = instance.get_mut("outbound").and_then(Value::as_object_mut)
            && outbound.get("outbound_voice_profile_id").is_some_and(Value::is_null)
        {
            outbound.remove("outbound_voice_profile_id");
        }
        for error in validator.iter_errors(&instance) {
            let at = error.instance_path().as_str();
            let at = if at.is_empty() { "/".to_owned() } else { at.to_owned() };
            let detail = crate::sanitize::escape_controls(&shorten(&error.to_string())).into_owned();
            problems.push((at, detail));
        }
    }
    if problems.is_empty() { Ok(kept) } else { Err(Failure::invalid(problems)) }
}

/// Strings and lists longer than the sandbox keeps, anywhere in `value`.
fn bounded(value: &Value, pointer: &str, problems: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) if text.chars().count() > MAX_STRING => {
            problems.push((pointer.to_owned(), format!("must be at most {MAX_STRING} characters")));
        }
        Value::Array(items) if items.len() > MAX_ITEMS => {
            problems.push((pointer.to_owned(), format!("must have at most {MAX_ITEMS} items")));
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                bounded(item, &format!("{pointer}/{index}"), problems);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                bounded(item, &format!("{pointer}/{escaped}"), problems);
            }
        }
        _ => {}
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A validation message with long instances cut short: it echoes the value.
fn shorten(message: &str) -> String {
    if message.chars().count() <= 200 {
        message.to_owned()
    } else {
        format!("{}…", message.chars().take(200).collect::<String>())
    }
}
