//! Phone numbers: searching the inventory, ordering, and assigning owned numbers to a
//! connection (`/available_phone_numbers`, `/number_orders`, `/phone_numbers`).

use super::{ApiError, Call, Client, Page, PageRequest, Query};
use serde::{Deserialize, Serialize};

/// The number types a search can ask for, with their labels on screen.
pub const NUMBER_TYPES: [(&str, &str); 4] =
    [("local", "local"), ("toll_free", "toll-free"), ("mobile", "mobile"), ("national", "national")];

/// The features a search can require.
pub const NUMBER_FEATURES: [&str; 5] = ["voice", "sms", "mms", "fax", "emergency"];

/// `GET /available_phone_numbers` filters. Empty strings are not sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberSearch {
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub locality: String,
    pub administrative_area: String,
    /// Area code.
    pub national_destination_code: String,
    /// Digits the number must contain.
    pub contains: String,
    /// `local`, `toll_free`, `mobile` or `national`.
    pub phone_number_type: String,
    pub features: Vec<String>,
    pub limit: u32,
}

impl NumberSearch {
    pub(super) fn query(&self) -> Query<'static> {
        let mut query = Query::new();
        let mut add = |key: &'static str, value: &str| {
            if !value.trim().is_empty() {
                query.push((key, value.trim().to_owned()));
            }
        };
        add("filter[country_code]", &self.country_code);
        add("filter[locality]", &self.locality);
        add("filter[administrative_area]", &self.administrative_area);
        add("filter[national_destination_code]", &self.national_destination_code);
        add("filter[phone_number][contains]", &self.contains);
        add("filter[phone_number_type]", &self.phone_number_type);
        // Telnyx's SDKs send array filters comma-separated.
        add("filter[features]", &self.features.join(","));
        if self.limit > 0 {
            add("filter[limit]", &self.limit.to_string());
        }
        query
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct CostInformation {
    #[serde(default)]
    pub upfront_cost: String,
    #[serde(default)]
    pub monthly_cost: String,
    #[serde(default)]
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Feature {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct RegionInformation {
    #[serde(default)]
    pub region_type: String,
    #[serde(default)]
    pub region_name: String,
}

/// A number the account could buy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct AvailableNumber {
    pub phone_number: String,
    #[serde(default)]
    pub cost_information: CostInformation,
    #[serde(default)]
    pub features: Vec<Feature>,
    #[serde(default)]
    pub region_information: Vec<RegionInformation>,
}

impl AvailableNumber {
    /// The region of the given type (`location`, `state`, `rate_center`, `country_code`).
    pub fn region(&self, region_type: &str) -> Option<&str> {
        self.region_information.iter().find(|r| r.region_type == region_type).map(|r| r.region_name.as_str())
    }

    pub fn feature_names(&self) -> Vec<&str> {
        self.features.iter().map(|f| f.name.as_str()).collect()
    }
}

#[derive(Debug, Deserialize)]
struct SearchResults {
    data: Vec<AvailableNumber>,
}

/// `POST /number_orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewNumberOrder {
    pub phone_numbers: Vec<OrderedNumberRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Identifies the order so a retry can find it instead of buying again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderedNumberRequest {
    pub phone_number: String,
}

/// A number order; `status` is `pending` until Telnyx settles it to `success` or
/// `failure`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct NumberOrder {
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub phone_numbers: Vec<OrderedNumber>,
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub customer_reference: Option<String>,
    #[serde(default)]
    pub requirements_met: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct OrderedNumber {
    #[serde(default)]
    pub id: String,
    pub phone_number: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub requirements_met: Option<bool>,
    #[serde(default)]
    pub requirements_status: Option<String>,
}

/// A number the account owns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct PhoneNumber {
    pub id: String,
    pub phone_number: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub connection_name: Option<String>,
    #[serde(default)]
    pub phone_number_type: Option<String>,
}

/// Filters of `GET /phone_numbers`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneNumberFilter {
    pub connection_id: Option<String>,
    /// Digits the number contains (at least 3).
    pub phone_number: Option<String>,
}

/// `PATCH /phone_numbers/{id}`: the wizard only assigns the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneNumberUpdate {
    pub connection_id: String,
}

impl Client {
    /// `GET /available_phone_numbers`: not paged; `limit` caps the answer.
    pub async fn search_available_numbers(
        &self,
        search: &NumberSearch,
    ) -> Result<Vec<AvailableNumber>, ApiError> {
        let (_, _, body) = self.send(&Call::search_available_numbers(search)).await?;
        super::decode::<SearchResults>(&body).map(|results| results.data)
    }

    pub async fn create_number_order(&self, body: &NewNumberOrder) -> Result<NumberOrder, ApiError> {
        self.data(Call::create_number_order(body)).await
    }

    pub async fn number_order(&self, id: &str) -> Result<NumberOrder, ApiError> {
        self.data(Call::number_order(id)).await
    }

    /// Orders carrying `customer_reference`, newest first.
    pub async fn list_number_orders(
        &self,
        page: PageRequest,
        customer_reference: Option<&str>,
    ) -> Result<Page<NumberOrder>, ApiError> {
        self.page(Call::list_number_orders(page, customer_reference)).await
    }

    pub async fn list_phone_numbers(
        &self,
        page: PageRequest,
        filter: &PhoneNumberFilter,
    ) -> Result<Page<PhoneNumber>, ApiError> {
        self.page(Call::list_phone_numbers(page, filter)).await
    }

    pub async fn update_phone_number(
        &self,
        id: &str,
        body: &PhoneNumberUpdate,
    ) -> Result<PhoneNumber, ApiError> {
        self.data(Call::update_phone_number(id, body)).await
    }
}
