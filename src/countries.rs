//! Every ISO 3166-1 country with its alpha-2 code, short name and region, from the
//! keshvar crate's data, sorted by name. Built once and shared.

use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case, as Telnyx's `whitelisted_destinations` take it.
    pub code: String,
    pub name: &'static str,
    /// The UN sub-region ("Northern America", "Western Europe"), or the region where
    /// the data has no sub-region.
    pub region: String,
    /// The international calling code (1 for the NANP, 44 for the UK).
    pub calling_code: usize,
    /// Digits in a national number (without the calling code), the longest form.
    pub national_digits: usize,
    /// Digits in the national destination (area) code, the shortest form.
    pub area_code_digits: usize,
}

impl Country {
    /// Whether the country matches a search: by name, code or region, ignoring case.
    pub fn matches(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        query.is_empty()
            || self.name.to_lowercase().contains(&query)
            || self.code.to_lowercase() == query
            || self.region.to_lowercase().contains(&query)
    }
}

/// All countries, sorted by name.
pub fn all() -> &'static [Country] {
    static COUNTRIES: OnceLock<Vec<Country>> = OnceLock::new();
    COUNTRIES.get_or_init(|| {
        let mut countries: Vec<Country> = keshvar::CountryIterator::new()
            .map(|country| {
                let region = country
                    .maybe_subregion()
                    .map(|s| s.to_string())
                    .or_else(|| country.maybe_region().map(|r| r.to_string()))
                    .unwrap_or_else(|| "other".to_owned());
                Country {
                    code: country.alpha2().to_string(),
                    name: country.iso_short_name(),
                    region: title_case(&region),
                    calling_code: country.country_code(),
                    national_digits: country
                        .maybe_national_number_length_list()
                        .and_then(|lengths| lengths.iter().max())
                        .map_or(9, |&n| usize::from(n)),
                    area_code_digits: country
                        .maybe_national_destination_code_length_list()
                        .and_then(|lengths| lengths.iter().min().copied())
                        .unwrap_or(2),
                }
            })
            .collect();
        countries.sort_by(|a, b| a.name.cmp(b.name));
        countries
    })
}

/// Looks a country up by its alpha-2 code (upper case, as Telnyx writes it).
pub fn by_code(code: &str) -> Option<&'static Country> {
    all().iter().find(|c| c.code == code)
}

/// `northern-america` becomes `Northern America`.
fn title_case(slug: &str) -> String {
    slug.split('-')
        .map(|word| match word {
            "and" => "and".to_owned(),
            _ => {
                let mut chars = word.chars();
                chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_complete_and_searchable() {
        let countries = all();
        assert!(countries.len() >= 249, "{}", countries.len());
        let us = by_code("US").expect("US is listed");
        assert_eq!(us.region, "Northern America");
        assert!(us.matches("united") && us.matches("us") && us.matches("northern am"));
        assert!(!us.matches("germany"));
        assert_eq!(title_case("australia-and-new-zealand"), "Australia and New Zealand");
    }
}
