//! A string that must never be shown by accident: API keys, SIP passwords, login tokens.
//!
//! `Debug` is redacted and there is no `Display`, so a secret cannot reach a log line,
//! a panic message or a snapshot through formatting. Reading it takes an explicit
//! [`Secret::expose`]. It serialises as the plain string because request bodies
//! (a new connection's password) must carry it; the wire is the only place it goes.
//! A hand-written type rather than `secrecy::SecretString`: commands compare secrets
//! in tests (`Cmd: PartialEq`), which `secrecy` deliberately does not offer. Its memory
//! is wiped when it is dropped (zeroize).
//!
//! Also here: the names of the fields that hold secrets in the API's records, hidden by
//! every view of raw records ([`redact_json`]), and [`protect_process`].

use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng, TryRngCore};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl zeroize::ZeroizeOnDrop for Secret {}

/// The names of API records' fields whose values are secrets (SIP passwords, login
/// tokens, a port-out PIN, keys), as patterns matched without regard to case: `*` is
/// any text. Every view of raw records (the inspector's details and its raw JSON)
/// hides them, at any depth. Patterns rather than names, because a record can name
/// one any way (`Password`, `passwd`, `auth_token`, `webhook_api_key`): hiding a field
/// that was not secret costs a press of `r`, showing one that was costs the secret.
pub const SECRET_PATTERNS: &[&str] =
    &["*password*", "*passwd*", "*token*", "*secret*", "*api_key*", "*apikey*", "pin", "*_pin"];

/// Whether a record's field called `name` holds a secret: it matches one of
/// [`SECRET_PATTERNS`], whatever its case.
pub fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PATTERNS.iter().any(|pattern| match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), _) if rest.ends_with('*') => name.contains(&rest[..rest.len() - 1]),
        (Some(suffix), _) => name.ends_with(suffix),
        (None, Some(prefix)) => name.starts_with(prefix),
        (None, None) => name == *pattern,
    })
}

/// Replaces the value of every secret field ([`SECRET_PATTERNS`]) in `value`, at any depth
/// and inside arrays, by `marker`; a null stays null (it shows that none is set).
pub fn redact_json(value: &mut serde_json::Value, marker: &str) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_secret_field(key) && !value.is_null() {
                    *value = serde_json::Value::String(marker.to_owned());
                } else {
                    redact_json(value, marker);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|item| redact_json(item, marker)),
        _ => {}
    }
}

/// Marks the process as one that holds secrets, for as long as it runs: on Linux it
/// is made non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`), so it leaves no core dump, and
/// other processes of the same user can neither ptrace it nor read its memory or
/// environment in /proc. Returns whether that was done (elsewhere: nothing is).
pub fn protect_process() -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    false
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it (a header, a request body,
    /// a revealed field on screen).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bullets as wide as the secret, so the user sees that a paste landed without
    /// seeing what it was.
    pub fn masked(&self) -> String {
        "•".repeat(self.0.chars().count())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

/// Where the secrets this program makes (generated SIP passwords) come from: the
/// operating system's generator, or a seeded one in tests that compare screens. Kept
/// apart from the seeded generator of public values (SIP user names), so a password is
/// never drawn from a stream whose seed or neighbours can be known.
pub enum SecretRng {
    /// The OS's secure generator (getrandom), read on every draw: the default.
    Os,
    /// Deterministic, for snapshot tests only.
    Seeded(Box<StdRng>),
}

impl SecretRng {
    pub fn os() -> Self {
        Self::Os
    }

    /// A deterministic generator, for tests that compare generated secrets on screen.
    pub fn seeded(seed: u64) -> Self {
        Self::Seeded(Box::new(StdRng::seed_from_u64(seed)))
    }
}

impl fmt::Debug for SecretRng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Os => "SecretRng::Os",
            Self::Seeded(_) => "SecretRng::Seeded(<redacted>)",
        })
    }
}

impl RngCore for SecretRng {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    /// Panics if the OS generator fails, which getrandom does not do once the system
    /// has booted: a password from anything weaker would be worse than no password.
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        match self {
            Self::Os => OsRng.try_fill_bytes(dest).expect("the operating system's random generator failed"),
            Self::Seeded(rng) => rng.fill_bytes(dest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_matched_by_pattern_whatever_their_case() {
        for name in [
            "password",
            "Password",
            "SIP_PASSWORD",
            "passwd",
            "auth_token",
            "login_token",
            "Token",
            "client_secret",
            "webhook_api_key",
            "apikey",
            "pin",
            "PIN",
            "external_pin",
        ] {
            assert!(is_secret_field(name), "{name} is a secret");
        }
        for name in ["id", "connection_name", "user_name", "pinned", "spinner", "tags", "api_version"] {
            assert!(!is_secret_field(name), "{name} is not a secret");
        }
    }

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("KEY0123456789");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("KEY0123456789"), "{shown}");
        assert_eq!(secret.expose(), "KEY0123456789");
        assert_eq!(secret.masked().chars().count(), 13);
    }

    #[test]
    fn secrets_are_wiped_when_dropped() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<Secret>();
        let mut secret = Secret::new("KEY0123456789");
        zeroize::Zeroize::zeroize(&mut secret.0);
        assert!(secret.is_empty());
    }

    #[test]
    fn secret_fields_are_hidden_at_any_depth() {
        let mut record = serde_json::json!({
            "name": "visible",
            "password": "p1",
            "a": {"b": {"c": {"sip_password": "p2", "list": [{"token": "p3"}, {"external_pin": "1234"}]}}},
            "pin": null,
        });
        redact_json(&mut record, "(hidden)");
        let text = record.to_string();
        for secret in ["p1", "p2", "p3", "1234"] {
            assert!(!text.contains(&format!("\"{secret}\"")), "{secret} shown: {text}");
        }
        assert_eq!(record["name"], "visible");
        assert_eq!(record["pin"], serde_json::Value::Null, "an unset secret shows as unset");
        assert_eq!(record["a"]["b"]["c"]["list"][1]["external_pin"], "(hidden)");
    }
}
