//! A string that must never be shown by accident: API keys, SIP passwords, login tokens.
//!
//! `Debug` is redacted and there is no `Display`, so a secret cannot reach a log line,
//! a panic message or a snapshot through formatting. Reading it takes an explicit
//! [`Secret::expose`]. It serialises as the plain string because request bodies
//! (a new connection's password) must carry it; the wire is the only place it goes.
//! A hand-written type rather than `secrecy::SecretString`: commands compare secrets
//! in tests (`Cmd: PartialEq`), which `secrecy` deliberately does not offer.

use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng, TryRngCore};
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
    fn debug_never_shows_the_value() {
        let secret = Secret::new("KEY0123456789");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("KEY0123456789"), "{shown}");
        assert_eq!(secret.expose(), "KEY0123456789");
        assert_eq!(secret.masked().chars().count(), 13);
    }
}
