//! Request and response bodies of the Telnyx endpoints the product uses.
//!
//! Responses are read leniently: unknown fields are ignored, most fields default when
//! absent, and enums are kept as strings, because Telnyx's responses can be wider than
//! its contract (see tests/fixtures/openapi-subset.json). Request bodies send only the
//! fields the product sets, so Telnyx's defaults apply to everything else.

use crate::secret::Secret;
use serde::{Deserialize, Serialize};

/// The codecs Telnyx enables on a new credential connection (the contract's default).
pub const DEFAULT_CODECS: [&str; 6] = ["G722", "G711U", "G711A", "G729", "OPUS", "H.264"];

/// Telnyx's rule for SIP user names: 4-32 ASCII letters or digits, a letter among the
/// first 5.
pub fn check_user_name(user_name: &str) -> Result<(), String> {
    if !(4..=32).contains(&user_name.len()) || !user_name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("user_name must be 4 to 32 ASCII letters or digits (a-z, A-Z, 0-9)".to_owned());
    }
    if !user_name.chars().take(5).any(|c| c.is_ascii_alphabetic()) {
        return Err("user_name must have a letter among its first 5 characters".to_owned());
    }
    Ok(())
}

/// `GET /balance`. Money is a decimal string, as Telnyx sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Balance {
    #[serde(default)]
    pub balance: String,
    #[serde(default)]
    pub available_credit: String,
    #[serde(default)]
    pub credit_limit: String,
    #[serde(default)]
    pub pending: String,
    #[serde(default)]
    pub currency: String,
}

/// `meta` of every paged list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct PageMeta {
    #[serde(default)]
    pub page_number: u32,
    #[serde(default)]
    pub page_size: u32,
    #[serde(default)]
    pub total_pages: u32,
    #[serde(default)]
    pub total_results: u64,
}

/// One page of a list endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub meta: PageMeta,
}

/// Which page to ask for; `None` leaves Telnyx's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageRequest {
    pub number: Option<u32>,
    pub size: Option<u32>,
}

impl PageRequest {
    pub fn first(size: u32) -> Self {
        Self { number: Some(1), size: Some(size) }
    }
}

/// A credential connection: the SIP endpoint a WebRTC client logs into.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CredentialConnection {
    pub id: String,
    #[serde(default)]
    pub connection_name: String,
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub password: Secret,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub inbound: ConnectionInbound,
    #[serde(default)]
    pub outbound: ConnectionOutbound,
    /// Who may call the connection's logins at their SIP URI: `disabled` (Telnyx's
    /// default), `internal` or `unrestricted`. Token logins are reachable only there.
    #[serde(default)]
    pub sip_uri_calling_preference: Option<String>,
    /// The mobile push credentials that wake a closed app for a call (none by default).
    #[serde(default)]
    pub android_push_credential_id: Option<String>,
    #[serde(default)]
    pub ios_push_credential_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// Labels; what the wizard creates carries [`MARK`], so a later run recognises it.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl CredentialConnection {
    /// Made by telnyx-setup (by any run, on any machine).
    pub fn is_marked(&self) -> bool {
        self.tags.iter().any(|tag| tag == MARK)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ConnectionInbound {
    #[serde(default)]
    pub codecs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ConnectionOutbound {
    #[serde(default)]
    pub outbound_voice_profile_id: Option<String>,
    /// The caller ID every outbound call presents, whatever the client sets (`""`: none).
    #[serde(default)]
    pub ani_override: Option<String>,
}

/// The tag on everything the wizard creates (connection and profile `tags`, the
/// credential's `tag`), and the prefix of its orders' `customer_reference`: how a
/// second run, or one on another machine, finds what an earlier one made.
pub const MARK: &str = "telnyx-setup";

/// `POST /credential_connections`: the three required fields, the [`MARK`], and the
/// codecs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCredentialConnection {
    pub connection_name: String,
    pub user_name: String,
    pub password: Secret,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The inbound codecs from the start, so a new connection needs no PATCH for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound: Option<InboundUpdate>,
    /// The outbound voice profile from the start (`setup`, which makes the profile
    /// first), so it needs no PATCH to attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound: Option<OutboundUpdate>,
    /// Who may call the connection's SIP URIs (`disabled`, `internal`, `unrestricted`;
    /// Telnyx's default `disabled`): a token login is reachable only at its
    /// `gencred…@sip.telnyx.com`, so a WebRTC connection that takes calls needs one open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sip_uri_calling_preference: Option<String>,
}

/// `PATCH /credential_connections/{id}`: only the parts the wizard changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CredentialConnectionUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbound: Option<InboundUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound: Option<OutboundUpdate>,
}

impl CredentialConnectionUpdate {
    /// The update attaching a connection to the outbound voice profile `profile_id`.
    pub fn attach_to(profile_id: impl Into<String>) -> Self {
        Self {
            inbound: None,
            outbound: Some(OutboundUpdate { outbound_voice_profile_id: profile_id.into() }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundUpdate {
    /// Replaces the whole list on Telnyx's side.
    pub codecs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundUpdate {
    pub outbound_voice_profile_id: String,
}

/// An outbound voice profile: what a connection may dial, and how it is billed.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct OutboundVoiceProfile {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub traffic_type: Option<String>,
    #[serde(default)]
    pub service_plan: Option<String>,
    #[serde(default)]
    pub whitelisted_destinations: Vec<String>,
    #[serde(default)]
    pub connections_count: Option<u64>,
    /// The hours (UTC) its calls may be placed in, when it limits them.
    #[serde(default)]
    pub calling_window: Option<CallingWindow>,
    /// A spending cap per day (USD, as text), applied while `daily_spend_limit_enabled`.
    #[serde(default)]
    pub daily_spend_limit: Option<String>,
    #[serde(default)]
    pub daily_spend_limit_enabled: Option<bool>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// Labels; see [`CredentialConnection::tags`].
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A profile's `calling_window`: calls only from `start_time` to `end_time`, as Telnyx
/// writes times (`08:00:00.00Z`, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct CallingWindow {
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
}

impl OutboundVoiceProfile {
    /// Made by telnyx-setup.
    pub fn is_marked(&self) -> bool {
        self.tags.iter().any(|tag| tag == MARK)
    }
}

/// `POST /outbound_voice_profiles`. Traffic type and service plan are sent explicitly
/// so the screen shows exactly what is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOutboundVoiceProfile {
    pub name: String,
    pub traffic_type: String,
    pub service_plan: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The countries it may call; left out when empty (Telnyx then gives US and CA).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub whitelisted_destinations: Vec<String>,
}

impl NewOutboundVoiceProfile {
    pub const TRAFFIC_TYPE: &'static str = "conversational";
    pub const SERVICE_PLAN: &'static str = "global";

    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            traffic_type: Self::TRAFFIC_TYPE.to_owned(),
            service_plan: Self::SERVICE_PLAN.to_owned(),
            tags: vec![MARK.to_owned()],
            whitelisted_destinations: Vec::new(),
        }
    }

    /// [`NewOutboundVoiceProfile::named`], allowed to call `countries`.
    pub fn with_countries(name: impl Into<String>, countries: Vec<String>) -> Self {
        Self { whitelisted_destinations: countries, ..Self::named(name) }
    }
}

/// `PATCH /outbound_voice_profiles/{id}`; Telnyx requires `name` on every update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundVoiceProfileUpdate {
    pub name: String,
    pub whitelisted_destinations: Vec<String>,
}

/// An on-demand telephony credential; its token is what the WebRTC SDK logs in with.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct TelephonyCredential {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
    /// telnyx-setup tags what it creates with [`MARK`].
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub sip_username: String,
    #[serde(default)]
    pub sip_password: Secret,
    #[serde(default)]
    pub expired: bool,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// When it was made (RFC 3339): `token --connection` and the doctor's login test
    /// pick the newest.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `POST /telephony_credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NewTelephonyCredential {
    pub connection_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// Filters of `GET /telephony_credentials`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TelephonyCredentialFilter {
    /// `connection:<id>` for the credentials of one connection.
    pub resource_id: Option<String>,
    pub tag: Option<String>,
}

/// `POST /credential_connections/{id}/actions/check_registration_status`: whether a SIP
/// device is registered with the connection now.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct RegistrationStatus {
    /// `Not Applicable`, `Not Registered`, `Failed`, `Expired`, `Registered` or `Unregistered`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub sip_username: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub transport: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub last_registration: Option<String>,
}
