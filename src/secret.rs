//! A string that must never be shown by accident: API keys, SIP passwords, login tokens.
//!
//! `Debug` is redacted and there is no `Display`, so a secret cannot reach a log line,
//! a panic message or a snapshot through formatting. Reading it takes an explicit
//! [`Secret::expose`]. It serialises as the plain string because request bodies
//! (a new connection's password) must carry it; the wire is the only place it goes.
//! A hand-written type rather than `secrecy::SecretString`: commands compare secrets
//! in tests (`Cmd: PartialEq`), which `secrecy` deliberately does not offer.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("KEY0123456789");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("KEY0123456789"), "{shown}");
        assert_eq!(secret.expose(), "KEY0123456789");
        assert_eq!(secret.masked().chars().count(), 13);
    }
}
