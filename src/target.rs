//! What a pasted target names (`telnyx-setup inspect TARGET`): a connection or profile
//! id, a credential or order UUID, a phone number (E.164 or digits), or a SIP user name
//! (`gencred…`, with or without `@sip.telnyx.com`). Each form the API gives a kind is
//! looked up as that kind, every candidate at once; what is found is returned, so the
//! caller can say nothing matched, open the one record, or ask which was meant.

use crate::api::{ApiError, Call, Client, PageRequest};
use serde_json::Value;

/// A kind of record a target can name, with the inspector's collection for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Connection,
    Profile,
    Number,
    Order,
    Credential,
}

impl Kind {
    /// The API collection the record lives in.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Connection => "credential_connections",
            Kind::Profile => "outbound_voice_profiles",
            Kind::Number => "phone_numbers",
            Kind::Order => "number_orders",
            Kind::Credential => "telephony_credentials",
        }
    }

    /// What a person calls it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Connection => "credential connection",
            Kind::Profile => "outbound voice profile",
            Kind::Number => "phone number",
            Kind::Order => "number order",
            Kind::Credential => "telephony credential",
        }
    }
}

/// One record a target may mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub kind: Kind,
    pub id: String,
    /// The record as Telnyx gives it (secrets too: whoever shows it hides them).
    pub record: Value,
}

impl Found {
    /// `credential connection 1293… (Office softphones)`, for a question or an error.
    pub fn describe(&self) -> String {
        let keys: &[&str] = match self.kind {
            Kind::Connection => &["connection_name", "user_name"],
            Kind::Profile => &["name"],
            Kind::Number => &["phone_number"],
            Kind::Order => &["status"],
            Kind::Credential => &["sip_username", "name"],
        };
        let name = keys.iter().find_map(|key| self.record[*key].as_str().filter(|s| !s.is_empty()));
        match name {
            Some(name) => format!("{} {} ({name})", self.kind.noun(), self.id),
            None => format!("{} {}", self.kind.noun(), self.id),
        }
    }
}

/// The records `found` could be, for a question or an error: the first few described,
/// then how many more (a few digits may match a page of numbers).
pub fn could_be(found: &[Found]) -> String {
    const NAMED: usize = 5;
    let named: Vec<String> = found.iter().take(NAMED).map(Found::describe).collect();
    match found.len().saturating_sub(NAMED) {
        0 => named.join(", or "),
        more => format!("{}, and {more} more", named.join(", ")),
    }
}

/// The domain of Telnyx's SIP URIs, which a pasted user name may carry.
const SIP_DOMAIN: &str = "@sip.telnyx.com";

/// The form of a target, before any lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// A numeric id (16 digits or more: Telnyx's are 19): a connection, a profile or a
    /// phone number's id.
    NumericId(String),
    /// A UUID: a telephony credential or a number order.
    Uuid(String),
    /// A phone number, as its digits: `+` and up to 15 digits, or 3 to 15 digits.
    Phone(String),
    /// Anything else: a SIP user name (of a credential or a connection).
    UserName(String),
}

/// Reads the form of `given`; `None` when it is empty.
pub fn form_of(given: &str) -> Option<Form> {
    let given = given.trim();
    if given.is_empty() {
        return None;
    }
    if let Ok(uuid) = uuid::Uuid::parse_str(given) {
        return Some(Form::Uuid(uuid.hyphenated().to_string()));
    }
    let compact: String = given.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let (plus, digits) = match compact.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, compact.as_str()),
    };
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        if !plus && digits.len() >= 16 {
            return Some(Form::NumericId(digits.to_owned()));
        }
        if (3..=15).contains(&digits.len()) {
            return Some(Form::Phone(digits.to_owned()));
        }
    }
    let user = given.strip_suffix(SIP_DOMAIN).unwrap_or(given).trim_start_matches("sip:");
    Some(Form::UserName(user.to_owned()))
}

/// Every record `given` may name, looked up as each kind its form allows, all at once.
/// A kind that has no such record (404) is simply not among them; any other failure
/// is returned.
pub async fn find(client: &Client, given: &str) -> Result<Vec<Found>, ApiError> {
    let Some(form) = form_of(given) else { return Ok(Vec::new()) };
    let by_id = |kind: Kind, id: String| async move {
        match client.get_raw(kind.collection(), &id).await {
            Ok(record) => Ok(Some(Found { kind, id, record })),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    };
    let found: Vec<Option<Found>> = match form {
        Form::NumericId(id) => {
            let (a, b, c) = futures::try_join!(
                by_id(Kind::Connection, id.clone()),
                by_id(Kind::Profile, id.clone()),
                by_id(Kind::Number, id)
            )?;
            vec![a, b, c]
        }
        Form::Uuid(id) => {
            let (a, b) = futures::try_join!(by_id(Kind::Credential, id.clone()), by_id(Kind::Order, id))?;
            vec![a, b]
        }
        Form::Phone(digits) => {
            let filter = [("filter[phone_number]", digits.clone())];
            let page = client.list_raw("phone_numbers", PageRequest::first(250), &filter).await?;
            let only_digits = |text: &str| text.chars().filter(char::is_ascii_digit).collect::<String>();
            // A whole number is that number; a part of one, every number that has it.
            let exact: Vec<&Value> = page
                .data
                .iter()
                .filter(|n| only_digits(n["phone_number"].as_str().unwrap_or_default()) == digits)
                .collect();
            let matching = if exact.is_empty() { page.data.iter().collect() } else { exact };
            matching.into_iter().map(|record| Some(found(Kind::Number, record))).collect()
        }
        Form::UserName(user) => {
            let filter = [("filter[sip_username]", user.clone())];
            let credentials = client.list_raw("telephony_credentials", PageRequest::first(250), &filter);
            let connections = every_connection(client);
            let (credentials, connections) = futures::try_join!(credentials, connections)?;
            let credentials = credentials.data.iter().filter(|c| c["sip_username"] == user.as_str());
            let connections = connections.iter().filter(|c| c["user_name"] == user.as_str());
            credentials
                .map(|c| Some(found(Kind::Credential, c)))
                .chain(connections.map(|c| Some(found(Kind::Connection, c))))
                .collect()
        }
    };
    Ok(found.into_iter().flatten().collect())
}

/// The requests [`find`] sends for `given`, for the equivalent curl (a user name's
/// connections list names its first page; more follow only when there are more).
pub fn calls(given: &str) -> Vec<Call> {
    let page = PageRequest::first(250);
    match form_of(given) {
        None => Vec::new(),
        Some(Form::NumericId(id)) => [Kind::Connection, Kind::Profile, Kind::Number]
            .iter()
            .map(|kind| Call::get_raw(kind.collection(), &id))
            .collect(),
        Some(Form::Uuid(id)) => {
            [Kind::Credential, Kind::Order].iter().map(|kind| Call::get_raw(kind.collection(), &id)).collect()
        }
        Some(Form::Phone(digits)) => {
            vec![Call::list_raw("phone_numbers", page, &[("filter[phone_number]", digits)])]
        }
        Some(Form::UserName(user)) => vec![
            Call::list_raw("telephony_credentials", page, &[("filter[sip_username]", user)]),
            Call::list_raw("credential_connections", page, &[]),
        ],
    }
}

fn found(kind: Kind, record: &Value) -> Found {
    let id = match &record["id"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    };
    Found { kind, id, record: record.clone() }
}

/// Every credential connection: the API cannot filter them by user name.
async fn every_connection(client: &Client) -> Result<Vec<Value>, ApiError> {
    let first = client.list_raw("credential_connections", PageRequest::first(250), &[]).await?;
    let mut all = first.data;
    if first.meta.total_pages > 1 {
        let rest =
            client.list_raw_pages("credential_connections", 2..=first.meta.total_pages, 250, &[]).await?;
        all.extend(rest.into_iter().flat_map(|page| page.data));
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_read_as_the_api_gives_each_kind() {
        let form = |text: &str| form_of(text).unwrap();
        assert_eq!(form("1293384261075731402"), Form::NumericId("1293384261075731402".into()));
        assert_eq!(
            form("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            Form::Uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6".into())
        );
        assert_eq!(form("+1 (555) 000-1234"), Form::Phone("15550001234".into()));
        assert_eq!(form("5550001234"), Form::Phone("5550001234".into()));
        assert_eq!(form("gencredAbC123@sip.telnyx.com"), Form::UserName("gencredAbC123".into()));
        assert_eq!(form("sip:office01@sip.telnyx.com"), Form::UserName("office01".into()));
        assert_eq!(form("office01"), Form::UserName("office01".into()));
        assert_eq!(form_of("  "), None);
    }
}
