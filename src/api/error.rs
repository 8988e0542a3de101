//! Every way an API call can fail, as data the screens can show.
//!
//! Display is written for the person at the keyboard: what failed and why, with
//! Telnyx's own error code and detail. [`ApiError::advice`] says what to do about it.

use crate::sanitize::Escaped;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// One entry of Telnyx's `errors[]` array. Every field is optional on the wire: some
/// endpoints (outbound voice profiles, telephony credentials) document no error body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelnyxError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub source: Option<ErrorSource>,
    #[serde(default)]
    pub meta: Option<ErrorMeta>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSource {
    /// JSON pointer to the offending body field, e.g. `/user_name`.
    #[serde(default)]
    pub pointer: Option<String>,
    #[serde(default)]
    pub parameter: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMeta {
    /// Link to the error's documentation page.
    #[serde(default)]
    pub url: Option<String>,
}

/// Telnyx's `errors[]` of one answer, and the answer's `x-request-id`: what Telnyx's
/// support asks for, so every message of a failed answer shows it. Reads as the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors {
    list: Vec<TelnyxError>,
    /// The answer's `x-request-id` header, when it had one (escaped, at most
    /// [`MAX_REQUEST_ID`] characters).
    pub request_id: Option<String>,
}

/// A request id longer than this is cut: Telnyx's are UUIDs, and a server's header
/// must not flood a message.
pub const MAX_REQUEST_ID: usize = 100;

impl std::ops::Deref for Errors {
    type Target = Vec<TelnyxError>;
    fn deref(&self) -> &Vec<TelnyxError> {
        &self.list
    }
}

impl From<Vec<TelnyxError>> for Errors {
    fn from(list: Vec<TelnyxError>) -> Self {
        Self { list, request_id: None }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<TelnyxError>,
}

impl TelnyxError {
    /// The field this error is about, from `source.pointer` (`/inbound/codecs` becomes
    /// `inbound.codecs`) or `source.parameter`; `None` for whole-request errors.
    pub fn field(&self) -> Option<String> {
        let source = self.source.as_ref()?;
        if let Some(pointer) = source.pointer.as_deref() {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            if !field.is_empty() {
                return Some(field);
            }
        }
        source.parameter.clone().filter(|p| !p.is_empty())
    }
}

impl fmt::Display for TelnyxError {
    /// `user_name: must be 4-32 letters or digits (10015 Invalid value)`. Every part is
    /// the server's text, so control characters in it are escaped: this message is
    /// printed on stderr and logged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.detail.as_deref().or(self.title.as_deref()).unwrap_or("no detail given");
        // Name the field unless the detail already starts with it.
        if let Some(field) = self.field().filter(|field| !text.starts_with(field.as_str())) {
            write!(f, "{}: ", Escaped(&field))?;
        }
        write!(f, "{}", Escaped(text))?;
        match (self.code.as_deref().map(Escaped), self.title.as_deref().map(Escaped)) {
            (Some(code), Some(title)) if self.detail.is_some() => write!(f, " ({code} {title})"),
            (Some(code), _) => write!(f, " ({code})"),
            (None, Some(title)) if self.detail.is_some() => write!(f, " ({title})"),
            _ => Ok(()),
        }
    }
}

/// A failed API call. Variants follow what the user must do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401: the key is wrong, revoked or missing.
    #[error("Telnyx rejected the API key{}", first(.0))]
    Unauthorized(Errors),
    /// 403: the key is valid but may not do this.
    #[error("This API key is not allowed to do that{}", first(.0))]
    Forbidden(Errors),
    /// 404: the resource is gone (deleted elsewhere, or a wrong id).
    #[error("Not found{}", first(.0))]
    NotFound(Errors),
    /// 400 or 422: Telnyx refused the request's content.
    #[error("Telnyx refused the request{}", first(.errors))]
    Invalid { status: u16, errors: Errors },
    /// 429: too many requests.
    #[error("Telnyx is rate limiting this key{}", retry_after_text(*.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx: a fault on Telnyx's side.
    #[error("Telnyx had an internal problem (HTTP {status}){}", first(.errors))]
    Server { status: u16, errors: Errors },
    /// Any other status code.
    #[error("Unexpected answer from Telnyx (HTTP {status}){}", first(.errors))]
    Unexpected { status: u16, errors: Errors },
    /// No answer in time.
    #[error("Telnyx did not answer in time")]
    Timeout,
    /// No connection could be made: the request was never sent.
    #[error("Could not connect to the API: {}", Escaped(.0))]
    Unreachable(String),
    /// The connection dropped after the request may have been sent.
    #[error("The connection to the API broke: {}", Escaped(.0))]
    Transport(String),
    /// A 3xx. Telnyx's API does not redirect, and following one could take the key or a
    /// create's body (a SIP password) to another host, or from HTTPS to plain HTTP; so
    /// none is followed. `location` is where it pointed, as the server wrote it.
    #[error("The API answered with a redirect (HTTP {status}) to {}, which is not followed", where_to(.location.as_deref()))]
    Redirected { status: u16, location: Option<String> },
    /// A 2xx whose body was not what the contract promises.
    #[error("Telnyx sent an answer this program cannot read: {}", Escaped(.0))]
    Decode(String),
}

/// `: the first error` and ` (x-request-id: ID)`, each when there is one.
fn first(errors: &Errors) -> String {
    let mut text = match errors.first() {
        Some(error) => format!(": {error}"),
        None => String::new(),
    };
    if let Some(id) = &errors.request_id {
        text.push_str(&format!(" (x-request-id: {})", Escaped(id)));
    }
    text
}

fn where_to(location: Option<&str>) -> String {
    match location {
        Some(location) => format!("'{}'", Escaped(location)),
        None => "nowhere (no Location header)".to_owned(),
    }
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; try again in {}s", wait.as_secs().max(1)),
        None => "; try again in a moment".to_owned(),
    }
}

impl ApiError {
    /// Telnyx's `errors[]`, for screens that list every one of them.
    pub fn errors(&self) -> &[TelnyxError] {
        match self {
            Self::Unauthorized(errors) | Self::Forbidden(errors) | Self::NotFound(errors) => &errors[..],
            Self::Invalid { errors, .. } | Self::Server { errors, .. } | Self::Unexpected { errors, .. } => {
                &errors[..]
            }
            Self::RateLimited { .. }
            | Self::Timeout
            | Self::Unreachable(_)
            | Self::Transport(_)
            | Self::Redirected { .. }
            | Self::Decode(_) => &[],
        }
    }

    /// Telnyx's `x-request-id` of the answer that failed, when it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.answer_errors().and_then(|errors| errors.request_id.as_deref())
    }

    /// The same error, carrying the answer's `x-request-id` (cut to [`MAX_REQUEST_ID`]).
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if let Some(errors) = self.answer_errors_mut() {
            errors.request_id = request_id.map(|id| id.chars().take(MAX_REQUEST_ID).collect());
        }
        self
    }

    fn answer_errors(&self) -> Option<&Errors> {
        match self {
            Self::Unauthorized(errors) | Self::Forbidden(errors) | Self::NotFound(errors) => Some(errors),
            Self::Invalid { errors, .. } | Self::Server { errors, .. } | Self::Unexpected { errors, .. } => {
                Some(errors)
            }
            _ => None,
        }
    }

    fn answer_errors_mut(&mut self) -> Option<&mut Errors> {
        match self {
            Self::Unauthorized(errors) | Self::Forbidden(errors) | Self::NotFound(errors) => Some(errors),
            Self::Invalid { errors, .. } | Self::Server { errors, .. } | Self::Unexpected { errors, .. } => {
                Some(errors)
            }
            _ => None,
        }
    }

    /// What the user can do about it, in words that name no key: the caller adds how
    /// to try again (a key on a screen, a command line in a CLI). `None` where trying
    /// again as it is may work.
    pub fn advice(&self) -> Option<&'static str> {
        match self {
            Self::Unauthorized(_) => {
                Some("Check the key in the Telnyx portal (Account settings > Keys & Credentials)")
            }
            Self::Forbidden(_) => Some("Use a key of an account with access to this resource"),
            Self::NotFound(_) => Some("It may have been deleted elsewhere"),
            Self::Invalid { .. } => Some("Correct the input Telnyx named"),
            Self::Unreachable(_) | Self::Transport(_) => Some("Check the network connection or --api-base"),
            Self::Redirected { .. } => {
                Some("Check --api-base: it must be the API's own address, such as https://api.telnyx.com/v2")
            }
            Self::RateLimited { .. }
            | Self::Server { .. }
            | Self::Timeout
            | Self::Unexpected { .. }
            | Self::Decode(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_field_code_and_detail() {
        let error = TelnyxError {
            code: Some("10015".into()),
            title: Some("Bad Request".into()),
            detail: Some("must be at least 3 characters".into()),
            source: Some(ErrorSource { pointer: Some("/name".into()), parameter: None }),
            meta: None,
        };
        let api = ApiError::Invalid { status: 422, errors: vec![error].into() };
        assert_eq!(
            api.to_string(),
            "Telnyx refused the request: name: must be at least 3 characters (10015 Bad Request)"
        );
    }

    #[test]
    fn a_title_without_a_code_is_kept() {
        let error = TelnyxError {
            title: Some("Forbidden".into()),
            detail: Some("The key's account cannot buy numbers".into()),
            ..TelnyxError::default()
        };
        assert_eq!(
            ApiError::Forbidden(vec![error].into()).to_string(),
            "This API key is not allowed to do that: The key's account cannot buy numbers (Forbidden)"
        );
    }

    #[test]
    fn the_request_id_is_said_escaped_and_cut() {
        let error = ApiError::Unauthorized(Vec::new().into()).with_request_id(Some("abc-123".into()));
        assert_eq!(error.request_id(), Some("abc-123"));
        assert_eq!(error.to_string(), "Telnyx rejected the API key (x-request-id: abc-123)");
        let hostile = ApiError::Server { status: 500, errors: Vec::new().into() }
            .with_request_id(Some(format!("\u{1b}]0;x\u{7}{}", "9".repeat(500))));
        let text = hostile.to_string();
        assert!(!text.contains('\u{1b}') && text.len() < 200, "{text}");
        assert_eq!(ApiError::Timeout.with_request_id(Some("x".into())).request_id(), None);
    }

    #[test]
    fn empty_errors_still_read_well() {
        assert_eq!(ApiError::Unauthorized(Vec::new().into()).to_string(), "Telnyx rejected the API key");
        assert_eq!(
            ApiError::RateLimited { retry_after: Some(Duration::from_secs(3)) }.to_string(),
            "Telnyx is rate limiting this key; try again in 3s"
        );
    }
}
