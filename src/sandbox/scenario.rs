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

/// Under `restricted-key`, keys starting with this have every permission, as an
/// account's unrestricted key does; any other key starting with `KEY` is refused
/// telephony credentials.
pub const FULL_ACCESS_KEY: &str = "KEYfull";
/// Under `expiring-credential`, how long the seeded credential has left.
pub const EXPIRING_IN: time::Duration = time::Duration::hours(2);
/// The caller ID `bad-caller-id` sets: a number, but not in E.164.
pub const BAD_CALLER_ID: &str = "5550100";

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
    RestrictedKey,
    InactiveConnection,
    SipUriDisabled,
    BadCallerId,
    ExpiringCredential,
    OutsideCallingWindow,
    RestrictedProfiles,
    RestrictedNumbers,
    RestrictedRegistration,
}

impl Scenario {
    pub const ALL: [Scenario; 17] = [
        Self::NoProfile,
        Self::CountryBlocked,
        Self::ExpiredCredential,
        Self::RevokedKey,
        Self::RateLimited,
        Self::ZeroBalance,
        Self::CredentialPropagation,
        Self::NoPushCredential,
        Self::RestrictedKey,
        Self::InactiveConnection,
        Self::SipUriDisabled,
        Self::BadCallerId,
        Self::ExpiringCredential,
        Self::OutsideCallingWindow,
        Self::RestrictedProfiles,
        Self::RestrictedNumbers,
        Self::RestrictedRegistration,
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
            Self::RestrictedKey => "restricted-key",
            Self::InactiveConnection => "inactive-connection",
            Self::SipUriDisabled => "sip-uri-disabled",
            Self::BadCallerId => "bad-caller-id",
            Self::ExpiringCredential => "expiring-credential",
            Self::OutsideCallingWindow => "outside-calling-window",
            Self::RestrictedProfiles => "restricted-profiles",
            Self::RestrictedNumbers => "restricted-numbers",
            Self::RestrictedRegistration => "restricted-registration",
        }
    }

    /// What the account looks like, and what fails, in a sentence, with the figures of
    /// `seed` (a sandbox's own propagation time, say), not the defaults.
    pub fn describe(self, seed: &super::Seed) -> String {
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
                "a credential's login tokens are refused by /rtc for its first {} (the seeded one's too)",
                seconds(seed.propagation)
            ),
            Self::NoPushCredential => "the connection has no iOS or Android push credential: a mobile app \
                                       gets no calls while in the background"
                .into(),
            Self::RestrictedKey => format!(
                "API keys lack permission for telephony credentials: 403 with code 10010 there (a key \
                 starting {FULL_ACCESS_KEY} has every permission)"
            ),
            Self::InactiveConnection => {
                "the connection is inactive (active: false): it takes no calls".into()
            }
            Self::SipUriDisabled => {
                "the connection's SIP URI calling is disabled: token logins, reachable only \
                                     at their SIP URI, get no incoming calls"
                    .into()
            }
            Self::BadCallerId => "the connection presents +1 555 0100 written as 5550100 (ani_override), \
                                  not E.164: outbound calls are refused (D35)"
                .into(),
            Self::ExpiringCredential => format!(
                "the connection's telephony credential expires in {} hours: its login tokens live only \
                 until then, not 24 hours",
                EXPIRING_IN.whole_hours()
            ),
            Self::OutsideCallingWindow => "the profile's calling window is the hour starting two hours from \
                                           now (UTC): every call is refused until then"
                .into(),
            Self::RestrictedProfiles => format!(
                "API keys lack permission for outbound voice profiles: 403 with code 10010 there (a key \
                 starting {FULL_ACCESS_KEY} has every permission)"
            ),
            Self::RestrictedNumbers => format!(
                "API keys lack permission for phone numbers: 403 with code 10010 there (a key starting \
                 {FULL_ACCESS_KEY} has every permission)"
            ),
            Self::RestrictedRegistration => format!(
                "API keys lack permission for a connection's registration status: 403 with code 10010 \
                 there (a key starting {FULL_ACCESS_KEY} has every permission)"
            ),
        }
    }

    /// Whether a key without every permission is refused `path` (relative to the API
    /// base, `/phone_numbers/…`) under this scenario: the `restricted-*` ones.
    pub fn refuses(self, path: &str) -> bool {
        let under = |collection: &str| {
            path.strip_prefix(collection).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        match self {
            Self::RestrictedKey => under("/telephony_credentials"),
            Self::RestrictedProfiles => under("/outbound_voice_profiles"),
            Self::RestrictedNumbers => under("/phone_numbers"),
            Self::RestrictedRegistration => {
                under("/credential_connections") && path.ends_with("/actions/check_registration_status")
            }
            _ => false,
        }
    }

    /// The scenario named `name`.
    pub fn parse(name: &str) -> Result<Self, UnknownScenario> {
        Self::ALL.into_iter().find(|s| s.name() == name).ok_or_else(|| UnknownScenario(name.to_owned()))
    }

    /// `sandbox --list-scenarios`: one line per scenario, name then what it does under
    /// `seed`.
    pub fn list(seed: &super::Seed) -> String {
        let width = Self::ALL.iter().map(|s| s.name().len()).max().unwrap_or(0);
        Self::ALL.iter().map(|s| format!("{:width$}  {}\n", s.name(), s.describe(seed))).collect()
    }
}

/// A duration as a person reads it: `20 s`, or `1.5 s` when it is not whole seconds.
fn seconds(duration: Duration) -> String {
    match duration.subsec_millis() {
        0 => format!("{} s", duration.as_secs()),
        _ => format!("{} s", duration.as_secs_f64()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restricted_scenarios_refuse_their_area_alone() {
        let refused = |scenario: Scenario, path: &str| scenario.refuses(path);
        assert!(refused(Scenario::RestrictedKey, "/telephony_credentials"));
        assert!(refused(Scenario::RestrictedKey, "/telephony_credentials/abc/token"));
        assert!(!refused(Scenario::RestrictedKey, "/telephony_credentialsX"));
        assert!(refused(Scenario::RestrictedProfiles, "/outbound_voice_profiles/7"));
        assert!(refused(Scenario::RestrictedNumbers, "/phone_numbers"));
        assert!(!refused(Scenario::RestrictedNumbers, "/available_phone_numbers"));
        assert!(refused(
            Scenario::RestrictedRegistration,
            "/credential_connections/7/actions/check_registration_status"
        ));
        assert!(!refused(Scenario::RestrictedRegistration, "/credential_connections/7"));
        assert!(!refused(Scenario::ZeroBalance, "/phone_numbers"));
    }

    #[test]
    fn the_propagation_said_is_the_seeds() {
        let said = |propagation: Duration| {
            let seed = crate::sandbox::Seed { propagation, ..crate::sandbox::Seed::default() };
            let list = Scenario::list(&seed);
            let line =
                list.lines().find(|line| line.starts_with("credential-propagation")).unwrap().to_owned();
            assert_eq!(
                Scenario::CredentialPropagation.describe(&seed),
                line["credential-propagation".len()..].trim()
            );
            line
        };
        assert!(said(PROPAGATION).contains("for its first 20 s "), "the default");
        let short = said(Duration::from_secs(3));
        assert!(short.contains("for its first 3 s ") && !short.contains("20 s"), "{short}");
        assert!(said(Duration::from_millis(1500)).contains("for its first 1.5 s "));
    }
}
