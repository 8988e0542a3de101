//! The sandbox's account: every resource as the JSON Telnyx would return, kept in
//! creation order, plus the seed that `--demo`, `sandbox` and the tests start from.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Ids of connections and profiles are numeric strings on Telnyx; these start where
/// Telnyx's own examples do, so they look real on screen.
const FIRST_NUMERIC_ID: u64 = 1_293_384_261_075_731_400;

/// The sample account a sandbox starts with and each scenario breaks one thing of: a
/// profile, a connection on it and (in scenarios) a credential. Data, not code:
/// `assets/sandbox-seed.json`, each record the body its create request would send.
const SAMPLE_ACCOUNT: &str = include_str!("../../assets/sandbox-seed.json");

/// [`SAMPLE_ACCOUNT`]'s record of one kind (`profile`, `connection`, `credential`).
fn sample(kind: &str) -> Value {
    static SAMPLE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    // A unit test parses the file, so the fallback (an empty record) is never used.
    SAMPLE.get_or_init(|| serde_json::from_str(SAMPLE_ACCOUNT).unwrap_or_default())[kind].clone()
}

/// What the account holds when the sandbox starts.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Add an existing connection and outbound voice profile, so "pick existing"
    /// screens have something to show.
    pub sample_resources: bool,
    pub balance: String,
    /// How long a number order stays `pending` before it settles.
    pub order_settles_after: std::time::Duration,
    /// Active phone numbers the account owns from the start (on the sample connection
    /// when there is one), for large-account tests and demos; at most
    /// [`super::MAX_SEED_NUMBERS`] are made.
    pub phone_numbers: usize,
    /// Faults to inject (error statuses, timeouts, spoiled bodies, latency); none by
    /// default. See [`super::faults`].
    pub faults: super::faults::FaultPlan,
    /// How much one client may make the sandbox hold: body sizes, the journal, slow
    /// requests, connections. See [`super::Limits`].
    pub limits: super::Limits,
    /// Requests each key may make per second (`--rate-limit N/s`); none when `None`,
    /// as by default. See [`super::RateLimiter`].
    pub rate_limit: Option<u32>,
    /// Start the account in a known broken state (`--scenario`): see [`super::scenario`].
    pub scenario: Option<super::scenario::Scenario>,
    /// Under `credential-propagation`, how long a new credential's tokens are refused
    /// ([`super::scenario::PROPAGATION`] by default; tests shorten it).
    pub propagation: std::time::Duration,
    /// Write each exchange to stderr as it ends: method, path, status, time taken and
    /// the fault that fired, never a header or a body (`sandbox --verbose`).
    pub log_requests: bool,
    /// Keep the account in this file across restarts (`sandbox --state FILE`): see
    /// [`super::persist`].
    pub state_file: Option<std::path::PathBuf>,
}

impl Default for Seed {
    fn default() -> Self {
        Self {
            sample_resources: true,
            balance: "250.00".to_owned(),
            order_settles_after: super::numbers::DEFAULT_SETTLE_AFTER,
            phone_numbers: 0,
            faults: super::faults::FaultPlan::default(),
            limits: super::Limits::default(),
            scenario: None,
            propagation: super::scenario::PROPAGATION,
            rate_limit: None,
            log_requests: false,
            state_file: None,
        }
    }
}

impl Seed {
    /// An empty account, for tests that count what the product creates.
    pub fn empty() -> Self {
        Self { sample_resources: false, ..Self::default() }
    }
}

/// A connection's WebRTC registrations: sockets logged in for it now, and the last one.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Sockets logged in now: `Registered` while any is, `Unregistered` after.
    pub sockets: usize,
    /// The SIP user name of the last login (the credential's, or the connection's).
    pub sip_username: String,
    /// When the last login registered, as Telnyx writes it.
    pub last_registration: String,
    /// The client's `User-Agent.data` at the last login, shortened.
    pub user_agent: Option<String>,
}

pub struct Store {
    pub balance: String,
    /// Keyed by id; ids increase, so iteration is creation order.
    pub connections: BTreeMap<u64, Value>,
    pub profiles: BTreeMap<u64, Value>,
    /// Telephony credentials in creation order (UUID ids do not sort by age).
    pub credentials: Vec<Value>,
    /// Phone numbers: offered, ordered and owned.
    pub numbers: super::numbers::Inventory,
    /// Signs login tokens; random per sandbox, like a real signing key.
    pub token_key: [u8; 32],
    /// WebRTC logins on the signaling socket (`/rtc`), by connection id: what
    /// `check_registration_status` reports.
    pub registrations: BTreeMap<u64, Registration>,
    /// The broken state the account started in, which also changes how some requests
    /// are answered (a refused key, a rate limit, a slow credential).
    pub scenario: Option<super::scenario::Scenario>,
    /// How long a new credential's tokens are refused under `credential-propagation`.
    pub propagation: std::time::Duration,
    pub(super) next_id: u64,
    rng: StdRng,
}

impl Store {
    pub fn new(seed: &Seed) -> Self {
        let mut rng = StdRng::from_os_rng();
        let token_key = rng.random();
        let mut store = Self {
            balance: seed.balance.clone(),
            connections: BTreeMap::new(),
            profiles: BTreeMap::new(),
            credentials: Vec::new(),
            numbers: super::numbers::Inventory::new(seed.order_settles_after),
            token_key,
            registrations: BTreeMap::new(),
            scenario: seed.scenario,
            propagation: seed.propagation,
            next_id: FIRST_NUMERIC_ID,
            rng,
        };
        if let Some(scenario) = seed.scenario {
            store.seed_scenario(scenario, seed.phone_numbers.clamp(1, super::MAX_SEED_NUMBERS));
            return store;
        }
        let mut sample_connection = None;
        if seed.sample_resources {
            let profile = store.insert_profile(sample("profile"));
            let mut connection = sample("connection");
            connection["outbound"] = json!({ "outbound_voice_profile_id": profile.to_string() });
            sample_connection = Some(store.insert_connection(connection));
        }
        super::numbers::seed_owned(
            &mut store,
            seed.phone_numbers.min(super::MAX_SEED_NUMBERS),
            sample_connection,
        );
        store
    }

    /// The scenarios' working account, with `scenario`'s one thing broken: see
    /// [`super::scenario`].
    fn seed_scenario(&mut self, scenario: super::scenario::Scenario, numbers: usize) {
        use super::scenario::Scenario;
        if scenario == Scenario::ZeroBalance {
            self.balance = "0.00".to_owned();
        }
        let mut profile = sample("profile");
        if scenario == Scenario::CountryBlocked {
            profile["whitelisted_destinations"] = json!(["US"]);
        }
        if scenario == Scenario::OutsideCallingWindow {
            // An hour that starts two hours from now: closed now, whatever the time.
            let start = (time::OffsetDateTime::now_utc().hour() + 2) % 24;
            profile["calling_window"] = json!({
                "start_time": format!("{start:02}:00:00.00Z"),
                "end_time": format!("{:02}:00:00.00Z", (start + 1) % 24),
                "calls_per_cld": 5,
            });
        }
        let profile = self.insert_profile(profile);
        let mut connection = sample("connection");
        if scenario != Scenario::NoProfile {
            connection["outbound"] = json!({ "outbound_voice_profile_id": profile.to_string() });
        }
        if scenario == Scenario::BadCallerId {
            connection["outbound"]["ani_override"] = json!(super::scenario::BAD_CALLER_ID);
        }
        // Token logins are reachable at their SIP URI only when it is enabled: the
        // working account allows calls from its own connections; Telnyx's default
        // (`disabled`) is the scenario's break.
        if scenario != Scenario::SipUriDisabled {
            connection["sip_uri_calling_preference"] = json!("internal");
        }
        if scenario == Scenario::InactiveConnection {
            connection["active"] = json!(false);
        }
        let connection = self.insert_connection(connection);
        let mut credential = match sample("credential") {
            Value::Object(fields) => fields,
            _ => serde_json::Map::new(),
        };
        let expires = match scenario {
            Scenario::ExpiredCredential => Some(-time::Duration::days(1)),
            Scenario::ExpiringCredential => Some(super::scenario::EXPIRING_IN),
            _ => None,
        };
        if let Some(from_now) = expires {
            let at = time::OffsetDateTime::now_utc() + from_now;
            credential.insert(
                "expires_at".into(),
                json!(at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()),
            );
        }
        super::credentials::insert(self, &connection.to_string(), credential);
        super::numbers::seed_owned(self, numbers, Some(connection));
    }

    pub fn next_numeric_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn random_alphanumeric(&mut self, len: usize) -> String {
        (&mut self.rng).sample_iter(rand::distr::Alphanumeric).take(len).map(char::from).collect()
    }

    pub fn random_hex(&mut self, len: usize) -> String {
        (0..len).map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap_or('0')).collect()
    }

    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid().to_string()
    }

    /// Stores a new connection built from Telnyx's defaults overlaid with `body`.
    pub fn insert_connection(&mut self, body: Value) -> u64 {
        let id = self.next_numeric_id();
        let now = now();
        let mut record = connection_defaults();
        super::respond::merge(&mut record, &body);
        record["id"] = json!(id.to_string());
        record["record_type"] = json!("credential_connection");
        record["created_at"] = json!(now);
        record["updated_at"] = json!(now);
        self.connections.insert(id, record);
        id
    }

    pub fn insert_profile(&mut self, body: Value) -> u64 {
        let id = self.next_numeric_id();
        let now = now();
        let mut record = profile_defaults();
        super::respond::merge(&mut record, &body);
        record["id"] = json!(id.to_string());
        record["record_type"] = json!("outbound_voice_profile");
        record["created_at"] = json!(now);
        record["updated_at"] = json!(now);
        self.profiles.insert(id, record);
        id
    }

    /// A profile as the API shows it, with its live `connections_count`.
    pub fn profile_view(&self, profile: &Value) -> Value {
        let id = profile["id"].as_str().unwrap_or_default();
        let count = self
            .connections
            .values()
            .filter(|c| c["outbound"]["outbound_voice_profile_id"].as_str() == Some(id))
            .count();
        let mut view = profile.clone();
        view["connections_count"] = json!(count);
        view
    }
}

/// Parses an id from a path: connection and profile ids are numbers.
pub fn numeric_id(text: &str) -> Option<u64> {
    text.parse().ok()
}

/// The current time as Telnyx writes it (RFC 3339, UTC).
pub fn now() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A new credential connection's fields, as the contract's defaults give them.
fn connection_defaults() -> Value {
    json!({
        "active": true,
        // Mobile push for the WebRTC SDKs: none until one is uploaded (contract default).
        "android_push_credential_id": null,
        "anchorsite_override": "Latency",
        "call_cost_in_webhooks": false,
        // Newer than the contract copy (telnyx-python declares it on the PATCH body);
        // off unless asked for.
        "conversation_persistence": false,
        "default_on_hold_comfort_noise_enabled": false,
        "dtmf_type": "RFC 2833",
        "encode_contact_header_enabled": false,
        "encrypted_media": null,
        "inbound": {
            "ani_number_format": "E.164-national",
            "channel_limit": null,
            "codecs": crate::api::DEFAULT_CODECS,
            "dnis_number_format": "e164",
            "generate_ringback_tone": false,
            "isup_headers_enabled": false,
            "prack_enabled": false,
            "shaken_stir_enabled": false,
            "simultaneous_ringing": "disabled",
            "sip_compact_headers_enabled": true,
            "timeout_1xx_secs": 3,
            "timeout_2xx_secs": 90,
        },
        "ios_push_credential_id": null,
        "jitter_buffer": { "enable_jitter_buffer": false, "jitterbuffer_msec_max": 200, "jitterbuffer_msec_min": 60 },
        // Off: the contract's enum has `disabled`, and a new connection filters nothing.
        "noise_suppression": "disabled",
        "onnet_t38_passthrough_enabled": false,
        "outbound": {
            "ani_override": "",
            "ani_override_type": "always",
            "call_parking_enabled": false,
            "channel_limit": null,
            "generate_ringback_tone": false,
            "instant_ringback_enabled": true,
            "localization": "US",
            // No `outbound_voice_profile_id` until one is attached: the contract types it
            // as a string, never null.
            "t38_reinvite_source": "telnyx",
        },
        "rtcp_settings": { "capture_enabled": false, "port": "rtp+1", "report_frequency_secs": 5 },
        "sip_uri_calling_preference": "disabled",
        "tags": [],
        "webhook_api_version": "1",
        "webhook_event_failover_url": "",
        "webhook_event_url": "",
        "webhook_timeout_secs": null,
    })
}

fn profile_defaults() -> Value {
    json!({
        "billing_group_id": null,
        "call_recording": {
            "call_recording_type": "none",
            "call_recording_caller_phone_numbers": [],
            "call_recording_channels": "single",
            "call_recording_format": "wav",
        },
        "concurrent_call_limit": null,
        "daily_spend_limit_enabled": false,
        "enabled": true,
        "service_plan": "global",
        "tags": [],
        "traffic_type": "conversational",
        "usage_payment_method": "rate-deck",
        "whitelisted_destinations": ["US", "CA"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_account_file_has_a_profile_a_connection_and_a_credential() {
        let sample: Value = serde_json::from_str(SAMPLE_ACCOUNT).expect("assets/sandbox-seed.json is JSON");
        assert!(sample["profile"]["name"].is_string());
        assert!(sample["connection"]["connection_name"].is_string());
        assert!(sample["connection"]["user_name"].is_string());
        assert!(sample["credential"]["name"].is_string());
    }
}
