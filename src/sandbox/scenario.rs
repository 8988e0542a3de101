//! Scenarios: an account that starts in a known broken state (`sandbox --scenario NAME`),
//! the causes support sees most, so other programs' tests (and the doctor's) can show
//! how they fail. `sandbox --list-scenarios` prints [`Scenario::ALL`] with what each does.
//!
//! Every scenario starts from the same working account ([`Store::seed_scenario`]): an
//! outbound voice profile allowing US, CA and MX, a credential connection using it, a
//! telephony credential of the connection and one active number on it. Each then breaks
//! one thing.

use std::fmt;
use std::time::Duration;

/// How long a new credential's tokens are refused under `credential-propagation`.
pub const PROPAGATION: Duration = Duration::from_secs(20);
/// The `Retry-After` of the `rate-limited` scenario's 429s: longer than a client should
/// wait for, as after a burst on Telnyx.
pub const RATE_LIMITED_RETRY_AFTER: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    NoProfile,
    CountryBlocked,
    ExpiredCredential,
    RevokedKey,
    RateLimited,
    ZeroBalance,
    CredentialPropagation,
    NoPushCredential,
}

impl Scenario {
    pub const ALL: [Scenario; 8] = [
        Self::NoProfile,
        Self::CountryBlocked,
        Self::ExpiredCredential,
        Self::RevokedKey,
        Self::RateLimited,
        Self::ZeroBalance,
        Self::CredentialPropagation,
        Self::NoPushCredential,
    ];

    /// The name `--scenario` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::NoProfile => "no-profile",
            Self::CountryBlocked => "country-blocked",
            Self::ExpiredCredential => "expired-credential",
            Self::RevokedKey => "revoked-key",
            Self::RateLimited => "rate-limited",
            Self::ZeroBalance => "zero-balance",
            Self::CredentialPropagation => "credential-propagation",
            Self::NoPushCredential => "no-push-credential",
        }
    }

    /// What the account looks like, and what fails, in a sentence.
    pub fn describe(self) -> String {
        match self {
            Self::NoProfile => {
                "the connection has no outbound voice profile: outbound calls fail (D38)".into()
            }
            Self::CountryBlocked => {
                "the profile allows only US: calls elsewhere (e.g. +44 20 7946 0000) are \
                                     refused (D13)"
                    .into()
            }
            Self::ExpiredCredential => "the connection's only telephony credential has expired: tokens and \
                                        token logins fail"
                .into(),
            Self::RevokedKey => "every API key is refused: 401 with code 10009 on every request".into(),
            Self::RateLimited => format!(
                "every request is over the rate limit: 429 with code 10011 and Retry-After: \
                 {RATE_LIMITED_RETRY_AFTER}"
            ),
            Self::ZeroBalance => "the balance is 0.00 USD: calls and number orders cannot be paid for".into(),
            Self::CredentialPropagation => format!(
                "a credential's login tokens are refused by /rtc for its first {} s (the seeded one's too)",
                PROPAGATION.as_secs()
            ),
            Self::NoPushCredential => "the connection has no iOS or Android push credential: a mobile app \
                                       gets no calls while in the background"
                .into(),
        }
    }

    /// The scenario named `name`.
    pub fn parse(name: &str) -> Result<Self, UnknownScenario> {
        Self::ALL.into_iter().find(|s| s.name() == name).ok_or_else(|| UnknownScenario(name.to_owned()))
    }

    /// `sandbox --list-scenarios`: one line per scenario, name then what it does.
    pub fn list() -> String {
        let width = Self::ALL.iter().map(|s| s.name().len()).max().unwrap_or(0);
        Self::ALL.iter().map(|s| format!("{:width$}  {}\n", s.name(), s.describe())).collect()
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--scenario` that names none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScenario(pub String);

impl fmt::Display for UnknownScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        write!(
            f,
            "no scenario is called {}; the scenarios are {} (sandbox --list-scenarios says what each does)",
            crate::sanitize::Escaped(&self.0),
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownScenario {}
