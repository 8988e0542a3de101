//! Every HTTP request the client sends, as data: a [`Call`] (method, path below the
//! API base, query, JSON body), built by one function per endpoint. The [`Client`]
//! methods send exactly these, and the curl panel and `setup --dry-run`
//! ([`crate::curl`]) print them, so what is shown cannot drift from what is sent.
//!
//! [`Client`]: super::Client

use super::{
    CredentialConnectionUpdate, NewCredentialConnection, NewNumberOrder, NewOutboundVoiceProfile,
    NewTelephonyCredential, NumberSearch, OutboundVoiceProfileUpdate, PageRequest, PhoneNumberFilter,
    PhoneNumberUpdate, TelephonyCredentialFilter,
};
use serde::Serialize;

/// An HTTP method the API is called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Patch,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }
}

/// One request, before the key and the headers are added.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: Verb,
    /// Segments below the API base: `["credential_connections", "12"]`.
    pub path: Vec<String>,
    /// Query pairs in the order sent (`page[number]`, `filter[...]`).
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, secrets included: whoever shows it redacts them.
    pub body: Option<serde_json::Value>,
}

impl Call {
    fn new(method: Verb, path: &[&str]) -> Self {
        Self { method, path: path.iter().map(|s| (*s).to_owned()).collect(), query: Vec::new(), body: None }
    }

    fn with_query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    fn with_body(mut self, body: &impl Serialize) -> Self {
        // The request types are plain structs of strings, numbers and lists: they
        // always serialize.
        self.body = Some(serde_json::to_value(body).expect("request bodies serialize to JSON"));
        self
    }

    /// The path as the API documents it, from the base: `/credential_connections/12`.
    pub fn path_text(&self) -> String {
        self.path.iter().map(|segment| format!("/{segment}")).collect()
    }

    /// Whether the request only reads (a GET): the dry run sends only these.
    pub fn is_read(&self) -> bool {
        self.method == Verb::Get
    }

    pub fn balance() -> Self {
        Self::new(Verb::Get, &["balance"])
    }

    pub fn list_credential_connections(page: PageRequest, name_contains: Option<&str>) -> Self {
        let mut query = page_query(page);
        if let Some(name) = name_contains {
            query.push(("filter[connection_name][contains]", name.to_owned()));
        }
        Self::new(Verb::Get, &["credential_connections"]).with_query(query)
    }

    /// The connections on an outbound voice profile (its other users, for a plan).
    pub fn list_connections_on_profile(page: PageRequest, profile_id: &str) -> Self {
        let mut query = page_query(page);
        query.push(("filter[outbound_voice_profile_id]", profile_id.to_owned()));
        Self::new(Verb::Get, &["credential_connections"]).with_query(query)
    }

    pub fn create_credential_connection(body: &NewCredentialConnection) -> Self {
        Self::new(Verb::Post, &["credential_connections"]).with_body(body)
    }

    pub fn credential_connection(id: &str) -> Self {
        Self::new(Verb::Get, &["credential_connections", id])
    }

    pub fn update_credential_connection(id: &str, body: &CredentialConnectionUpdate) -> Self {
        Self::new(Verb::Patch, &["credential_connections", id]).with_body(body)
    }

    pub fn check_registration_status(connection_id: &str) -> Self {
        Self::new(
            Verb::Post,
            &["credential_connections", connection_id, "actions", "check_registration_status"],
        )
    }

    pub fn delete_credential_connection(id: &str) -> Self {
        Self::new(Verb::Delete, &["credential_connections", id])
    }

    pub fn list_outbound_voice_profiles(page: PageRequest, name_contains: Option<&str>) -> Self {
        let mut query = page_query(page);
        if let Some(name) = name_contains {
            query.push(("filter[name][contains]", name.to_owned()));
        }
        Self::new(Verb::Get, &["outbound_voice_profiles"]).with_query(query)
    }

    pub fn create_outbound_voice_profile(body: &NewOutboundVoiceProfile) -> Self {
        Self::new(Verb::Post, &["outbound_voice_profiles"]).with_body(body)
    }

    pub fn outbound_voice_profile(id: &str) -> Self {
        Self::new(Verb::Get, &["outbound_voice_profiles", id])
    }

    pub fn update_outbound_voice_profile(id: &str, body: &OutboundVoiceProfileUpdate) -> Self {
        Self::new(Verb::Patch, &["outbound_voice_profiles", id]).with_body(body)
    }

    pub fn delete_outbound_voice_profile(id: &str) -> Self {
        Self::new(Verb::Delete, &["outbound_voice_profiles", id])
    }

    pub fn list_telephony_credentials(page: PageRequest, filter: &TelephonyCredentialFilter) -> Self {
        let mut query = page_query(page);
        if let Some(resource_id) = &filter.resource_id {
            query.push(("filter[resource_id]", resource_id.clone()));
        }
        if let Some(tag) = &filter.tag {
            query.push(("filter[tag]", tag.clone()));
        }
        Self::new(Verb::Get, &["telephony_credentials"]).with_query(query)
    }

    pub fn create_telephony_credential(body: &NewTelephonyCredential) -> Self {
        Self::new(Verb::Post, &["telephony_credentials"]).with_body(body)
    }

    pub fn telephony_credential(id: &str) -> Self {
        Self::new(Verb::Get, &["telephony_credentials", id])
    }

    pub fn delete_telephony_credential(id: &str) -> Self {
        Self::new(Verb::Delete, &["telephony_credentials", id])
    }

    pub fn create_token(credential_id: &str) -> Self {
        Self::new(Verb::Post, &["telephony_credentials", credential_id, "token"])
    }

    pub fn list_raw(collection: &str, page: PageRequest, filters: &[(&'static str, String)]) -> Self {
        let mut query = page_query(page);
        query.extend(filters.iter().cloned());
        Self::new(Verb::Get, &[collection]).with_query(query)
    }

    pub fn get_raw(collection: &str, id: &str) -> Self {
        Self::new(Verb::Get, &[collection, id])
    }

    pub fn search_available_numbers(search: &NumberSearch) -> Self {
        Self::new(Verb::Get, &["available_phone_numbers"]).with_query(search.query())
    }

    pub fn create_number_order(body: &NewNumberOrder) -> Self {
        Self::new(Verb::Post, &["number_orders"]).with_body(body)
    }

    pub fn number_order(id: &str) -> Self {
        Self::new(Verb::Get, &["number_orders", id])
    }

    pub fn list_number_orders(page: PageRequest, customer_reference: Option<&str>) -> Self {
        let mut query = page_query(page);
        if let Some(reference) = customer_reference {
            query.push(("filter[customer_reference]", reference.to_owned()));
        }
        Self::new(Verb::Get, &["number_orders"]).with_query(query)
    }

    pub fn list_phone_numbers(page: PageRequest, filter: &PhoneNumberFilter) -> Self {
        let mut query = page_query(page);
        if let Some(connection_id) = &filter.connection_id {
            query.push(("filter[connection_id]", connection_id.clone()));
        }
        if let Some(digits) = &filter.phone_number {
            query.push(("filter[phone_number]", digits.clone()));
        }
        Self::new(Verb::Get, &["phone_numbers"]).with_query(query)
    }

    pub fn update_phone_number(id: &str, body: &PhoneNumberUpdate) -> Self {
        Self::new(Verb::Patch, &["phone_numbers", id]).with_body(body)
    }
}

pub(super) fn page_query(page: PageRequest) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(number) = page.number {
        query.push(("page[number]", number.to_string()));
    }
    if let Some(size) = page.size {
        query.push(("page[size]", size.to_string()));
    }
    query
}
