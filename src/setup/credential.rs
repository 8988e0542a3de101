//! What a connection's login is made of: the SIP user name and password a new
//! connection gets, the tag telnyx-setup's credentials carry, when a credential can no
//! longer log in, and the login token made from one.

use crate::api::TelephonyCredential;
use crate::secret::Secret;
use rand::distr::{Alphanumeric, SampleString};
use std::time::SystemTime;

/// The tag new credentials get, so they can be found (and cleaned up) together.
pub const DEFAULT_TAG: &str = "telnyx-setup";

/// A new connection's SIP user name (from `public`) and password (from `secret`), from the
/// seeded generator (it is public) and the secret one, the OS's: 24 draws of 62 symbols,
/// about 142 bits. The wizard's form and `setup` make their connections with it.
pub fn generate_sip_login<P: rand::Rng + ?Sized, S: rand::Rng + ?Sized>(
    public: &mut P,
    secret: &mut S,
) -> (String, Secret) {
    let suffix = Alphanumeric.sample_string(public, 8).to_lowercase();
    (format!("webrtc{suffix}"), Secret::new(Alphanumeric.sample_string(secret, 24)))
}

/// Whether `credential` can no longer log in at `now`: Telnyx says so, or its expiry
/// has passed since the list was read.
pub fn is_expired(credential: &TelephonyCredential, now: SystemTime) -> bool {
    let lapsed = credential.expires_at.as_deref().and_then(|at| {
        let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
        Some(SystemTime::from(at) <= now)
    });
    credential.expired || lapsed == Some(true)
}

/// A login token and when it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginToken {
    pub jwt: Secret,
    /// Unix time of the `exp` claim; `None` when the token does not say.
    pub expires_at: Option<i64>,
}

#[derive(serde::Deserialize)]
struct Claims {
    exp: Option<i64>,
}

impl LoginToken {
    /// Reads `exp` without verifying the signature: the token is Telnyx's to check,
    /// this program only shows when it lapses.
    pub fn new(jwt: Secret) -> Self {
        let expires_at = jsonwebtoken::dangerous::insecure_decode::<Claims>(jwt.expose())
            .ok()
            .and_then(|data| data.claims.exp);
        Self { jwt, expires_at }
    }
}
