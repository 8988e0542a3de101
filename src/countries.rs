//! Every ISO 3166-1 country with its alpha-2 code, short name and region, from the
//! keshvar crate's data, sorted by name (accents aside: Åland Islands comes after
//! Afghanistan, not after Zimbabwe). Built once and shared.
//!
//! [`search`] ranks countries for what was typed, through [`crate::matcher`]: the code
//! or a whole name first, then names that start with it, names whose words start with
//! its words, names that contain it, a name mistyped by a letter or two, countries
//! whose region's words do, and fuzzy matches last, only when nothing better matched
//! (`england` lists the United Kingdom alone). The names searched are the ISO short
//! name and the names people use ([`aliases`], kept in `assets/`: UK, USA, England,
//! South Korea, Vietnam, ...); a name people give two countries is an alias of both
//! (`Congo`, `Korea`), so it is ambiguous. [`find`] picks the one country a form's field or a flag names, for the
//! wizard and `setup --countries` alike.

use crate::matcher::{self, Query, Rank};
use std::cmp::Reverse;
use std::sync::OnceLock;

/// Names people use for a country that its ISO short name is not, or does not start
/// with (`Korea (Republic of)`, `Viet Nam`, `United Kingdom of Great Britain and
/// Northern Ireland`): `assets/country-aliases.txt`, one `CODE: alias, alias` per line.
const ALIASES: &str = include_str!("../assets/country-aliases.txt");

/// The aliases of [`ALIASES`] as (alpha-2 code, names), comments and blank lines left out.
pub fn aliases() -> impl Iterator<Item = (&'static str, impl Iterator<Item = &'static str>)> {
    ALIASES.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).filter_map(
        |line| {
            let (code, names) = line.split_once(':')?;
            Some((code.trim(), names.split(',').map(str::trim).filter(|name| !name.is_empty())))
        },
    )
}

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

/// All countries, sorted by name, accents aside.
pub fn all() -> &'static [Country] {
    &entries().countries
}

/// A country as it is searched: its names and region [`matcher::fold`]ed.
struct Entry {
    /// The alpha-2 code, lower case.
    code: String,
    /// The short name, then the aliases.
    names: Vec<String>,
    region: String,
}

struct Entries {
    countries: Vec<Country>,
    /// The same order as `countries`.
    search: Vec<Entry>,
}

fn entries() -> &'static Entries {
    static ENTRIES: OnceLock<Entries> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let countries = load();
        let search = countries
            .iter()
            .map(|country| {
                let aliases =
                    aliases().filter(|(code, _)| *code == country.code).flat_map(|(_, names)| names);
                Entry {
                    code: country.code.to_lowercase(),
                    names: std::iter::once(country.name).chain(aliases).map(matcher::fold).collect(),
                    region: matcher::fold(&country.region),
                }
            })
            .collect();
        Entries { countries, search }
    })
}

/// How well a country matched, best least: the tier (0 the code or a whole name, 1 a
/// name's prefix, 2 a name's word starts, 3 in a name as typed, 4 a whole name but for
/// a letter or two ([`TYPO`]), 5 the region's word starts, 6 fuzzy), the fuzzy score
/// (higher first), and the length of the name that matched (the closer to what was
/// typed, the better: `united` puts United States before United States Minor Outlying
/// Islands). A region's countries tie, so they stay in name order.
type Standing = (u8, Reverse<u16>, usize);

/// [`Standing`]'s tiers from a mistyped name, from the region, and from fuzzy matches.
const TYPO: u8 = 4;
const REGION: u8 = 5;
const FUZZY: u8 = 6;

/// Letters a name may be mistyped by and still rank as that name (`irland`,
/// `swizerland`): none below 4 letters, one up to 7, two from 8.
fn typos_allowed(letters: usize) -> usize {
    match letters {
        0..4 => 0,
        4..8 => 1,
        _ => 2,
    }
}

/// The optimal-string-alignment distance between `a` and `b` (insertions, deletions,
/// substitutions, and two neighbours swapped, each 1), or `None` when it is over
/// `limit`.
fn typo_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // d[i][j]: the distance between a's first i letters and b's first j (names are short).
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    let distance = d[a.len()][b.len()];
    (distance <= limit).then_some(distance)
}

fn standing(entry: &Entry, query: &Query, min_fuzzy: usize) -> Option<Standing> {
    if query.text() == entry.code {
        return Some((0, Reverse(0), 2));
    }
    let best = entry
        .names
        .iter()
        .filter_map(|name| query.rank(name).map(|rank| (rank, name.chars().count())))
        .filter(|(rank, _)| !matches!(rank, Rank::Fuzzy(score) if usize::from(*score) < min_fuzzy))
        .min()
        .map(|(rank, len)| match rank {
            Rank::Exact => (0, Reverse(0), len),
            Rank::Prefix => (1, Reverse(0), len),
            Rank::WordStart => (2, Reverse(0), len),
            Rank::Substring => (3, Reverse(0), len),
            Rank::Fuzzy(score) => (FUZZY, Reverse(score), len),
        });
    if let Some(found) = best.filter(|found| found.0 < TYPO) {
        return Some(found);
    }
    let limit = typos_allowed(query.text().chars().filter(|c| c.is_alphanumeric()).count());
    let typo = entry
        .names
        .iter()
        .filter_map(|name| typo_distance(query.text(), name, limit).map(|d| (d, name.chars().count())))
        .min();
    if let Some((distance, len)) = typo {
        return Some((TYPO, Reverse(u16::MAX - distance as u16), len));
    }
    if query.starts_words_of(&entry.region) {
        return Some((REGION, Reverse(0), 0));
    }
    best
}

/// The countries matching `typed`, best first (see [`Standing`]); ties keep the name
/// order. Everything, in name order, for an empty search.
pub fn search(typed: &str) -> Vec<&'static Country> {
    ranked(&Query::new(typed)).into_iter().map(|(country, _)| country).collect()
}

fn ranked(query: &Query) -> Vec<(&'static Country, Standing)> {
    let entries = entries();
    if query.is_empty() {
        return entries.countries.iter().map(|country| (country, (0, Reverse(0), 0))).collect();
    }
    let letters = query.text().chars().filter(|c| c.is_alphanumeric()).count();
    let min_fuzzy = LISTED_SCORE_PER_LETTER * letters;
    let mut found: Vec<(&'static Country, Standing)> = entries
        .countries
        .iter()
        .zip(&entries.search)
        .filter_map(|(country, entry)| standing(entry, query, min_fuzzy).map(|standing| (country, standing)))
        .collect();
    // Stable: equal standings stay in name order, but for a name two countries share
    // (`congo`, `korea`), where the one whose own name is shortest, the one usually
    // meant, comes first. A region's countries stay in name order.
    found.sort_by_key(|(country, standing)| {
        let own = if standing.0 == REGION { 0 } else { country.name.chars().count() };
        (*standing, own)
    });
    // Letters scattered over a name are a last resort: once a name (or a region)
    // matched better, they only push what was meant down the list (`england` found
    // the Cocos (Keeling) Islands, `holland` Heard Island and McDonald Islands).
    if found.first().is_some_and(|(_, (tier, ..))| *tier < FUZZY) {
        found.retain(|(_, (tier, ..))| *tier < FUZZY);
    }
    found
}

/// The fuzzy score per letter typed that a match needs to be listed at all, and to be
/// suggested by [`find`]. nucleo gives 16 a letter, more for letters in a row or at
/// word starts, less for gaps: a typo such as `germny` scores about 24 a letter,
/// `ger` in "Georgia" 25, letters scattered over a long name 14 (`ger` in "Congo
/// (Democratic Republic of the)") to 16 (`atlantis` in "Saint Helena, Ascension and
/// Tristan da Cunha").
const LISTED_SCORE_PER_LETTER: usize = 16;
const SUGGESTED_SCORE_PER_LETTER: usize = 20;

/// The one country `typed` names, for a form's field: its code, a whole name or alias
/// (case and accents aside), or the start of exactly one country's name. Otherwise
/// the message says what was typed and suggests what it may have meant.
pub fn find(typed: &str) -> Result<&'static Country, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Type a country's name or its two-letter code, e.g. Germany or DE.".to_owned());
    }
    let found = ranked(&Query::new(typed));
    let best_tier = found.first().map(|(_, (tier, ..))| *tier);
    if let Some(tier @ 0..=2) = best_tier {
        let at_best: Vec<_> = found.iter().filter(|(_, standing)| standing.0 == tier).collect();
        if let [(country, _)] = at_best.as_slice() {
            return Ok(country);
        }
    }
    // A weak fuzzy match is no suggestion: `Atlantis` has its letters, in order, in
    // "Saint Helena, Ascension and Tristan da Cunha".
    let letters = typed.chars().filter(|c| c.is_alphanumeric()).count();
    let suggestions: Vec<String> = found
        .iter()
        .filter(|(_, (tier, Reverse(score), _))| {
            *tier < FUZZY || usize::from(*score) >= SUGGESTED_SCORE_PER_LETTER * letters
        })
        .take(3)
        .map(|(country, _)| format!("{} ({})", country.name, country.code))
        .collect();
    Err(if suggestions.is_empty() {
        format!("“{typed}” is not a country; type a name or a two-letter code, e.g. Germany or DE.")
    } else {
        format!("“{typed}” could be {}; type more of the name, or the code.", suggestions.join(", "))
    })
}

/// The countries whose whole name, or a name people use, is `typed` (case and accents
/// aside): one for most names, two for `Congo` and `Korea`, none for a code or a part.
pub fn named(typed: &str) -> Vec<&'static Country> {
    let query = Query::new(typed);
    let entries = entries();
    entries
        .countries
        .iter()
        .zip(&entries.search)
        .filter(|(_, entry)| !query.is_empty() && entry.names.iter().any(|name| *name == query.text()))
        .map(|(country, _)| country)
        .collect()
}

/// The countries from keshvar's data, sorted by name, accents aside.
fn load() -> Vec<Country> {
    {
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
        countries.sort_by_cached_key(|country| matcher::fold(country.name));
        countries
    }
}

/// Country codes as every screen and summary lists them: in code order, as the
/// countries screen's "Allowed" line has them (`CA, MX, US`), whatever order the profile
/// keeps (its first is the numbers step's default, so the saved list keeps its order).
pub fn listed(codes: &[String]) -> String {
    let mut codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    codes.sort_unstable();
    codes.join(", ")
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
    fn the_list_is_complete_and_sorted_accents_aside() {
        let countries = all();
        assert!(countries.len() >= 249, "{}", countries.len());
        let us = by_code("US").expect("US is listed");
        assert_eq!(us.region, "Northern America");
        assert_eq!(title_case("australia-and-new-zealand"), "Australia and New Zealand");
        let names: Vec<&str> = countries.iter().map(|c| c.name).collect();
        let at =
            |name: &str| names.iter().position(|n| *n == name).unwrap_or_else(|| panic!("{name} listed"));
        assert!(at("Afghanistan") < at("Åland Islands") && at("Åland Islands") < at("Albania"), "{names:?}");
        assert_eq!(names.last(), Some(&"Zimbabwe"));
    }

    fn codes(typed: &str, n: usize) -> Vec<&'static str> {
        search(typed).iter().take(n).map(|c| c.code.as_str()).collect()
    }

    #[test]
    fn codes_and_names_come_before_fuzzy_matches() {
        assert_eq!(codes("ire", 1), ["IE"], "{:?}", codes("ire", 5));
        let ire = codes("ire", usize::MAX);
        let at = |code| ire.iter().position(|c| *c == code).unwrap_or(usize::MAX);
        assert!(
            at("BQ") > at("IE") && at("CI") > at("IE"),
            "Bonaire and Côte d'Ivoire after Ireland: {ire:?}"
        );
        assert_eq!(codes("united", 2), ["US", "GB"], "{:?}", codes("united", 5));
        assert_eq!(codes("us", 1), ["US"]);
        assert!(!search("us").iter().any(|c| c.code == "AU"), "us is not Australia: {:?}", codes("us", 10));
        assert_eq!(codes("de", 1), ["DE"]);
        assert_eq!(codes("germ", 1), ["DE"]);
    }

    #[test]
    fn common_names_find_their_country() {
        for (typed, code) in [
            ("uk", "GB"),
            ("UK", "GB"),
            ("usa", "US"),
            ("england", "GB"),
            ("great britain", "GB"),
            ("south korea", "KR"),
            ("korea", "KR"),
            ("north korea", "KP"),
            ("vietnam", "VN"),
            ("russia", "RU"),
            ("ivory coast", "CI"),
            ("cote d'ivoire", "CI"),
            ("aland", "AX"),
            ("turkey", "TR"),
            ("turkiye", "TR"),
            ("holland", "NL"),
        ] {
            assert_eq!(codes(typed, 1), [code], "{typed:?}: {:?}", codes(typed, 5));
        }
        assert_eq!(codes("korea", 2), ["KR", "KP"], "both Koreas, the south first");
        assert_eq!(codes("congo", 2), ["CG", "CD"], "both Congos");
    }

    #[test]
    fn every_line_of_the_alias_file_names_a_country_and_some_aliases() {
        let lines = ALIASES.lines().filter(|line| !line.trim().is_empty() && !line.starts_with('#'));
        assert_eq!(lines.count(), aliases().count(), "a line without `CODE:` would be dropped silently");
        for (code, names) in aliases() {
            assert!(all().iter().any(|country| country.code == code), "{code} is not an ISO 3166-1 code");
            assert!(names.count() > 0, "{code} has no aliases");
        }
    }

    #[test]
    fn names_and_aliases_rank_above_letters_scattered_over_a_name() {
        // A name mistyped by a letter is that name, before anything fuzzy.
        assert_eq!(codes("irland", usize::MAX), ["IE"], "not the United Kingdom too");
        assert_eq!(codes("swizerland", 1), ["CH"]);
        assert_eq!(codes("germny", 1), ["DE"]);
        // An alias matched whole: nothing fuzzy follows it.
        assert_eq!(codes("england", usize::MAX), ["GB"], "no Cocos (Keeling) Islands");
        assert_eq!(codes("holland", usize::MAX), ["NL"], "no Heard Island and McDonald Islands");
        // Fuzzy matches still find what nothing else does.
        assert!(!search("untd kngdm").is_empty());
        assert_eq!(typo_distance("irland", "ireland", 1), Some(1));
        assert_eq!(typo_distance("ierland", "ireland", 1), Some(1), "two letters swapped");
        assert_eq!(typo_distance("iran", "oman", 1), None);
    }

    #[test]
    fn a_regions_countries_are_in_name_order() {
        let europe: Vec<&str> = search("northern europe").iter().map(|c| c.name).collect();
        assert!(europe.len() > 5, "{europe:?}");
        let mut sorted = europe.clone();
        sorted.sort_by_cached_key(|name| matcher::fold(name));
        assert_eq!(europe, sorted);
    }

    #[test]
    fn regions_are_searched_after_names() {
        let europe = search("northern europe");
        assert!(europe.iter().any(|c| c.code == "IE") && europe.iter().any(|c| c.code == "SE"));
        assert_eq!(codes("america", 1), ["US"], "the alias first, then the Americas");
        assert!(search("america").iter().any(|c| c.code == "BR"), "South America by region");
    }

    #[test]
    fn find_takes_a_code_a_name_or_an_alias_and_refuses_what_is_ambiguous() {
        for (typed, code) in [
            ("US", "US"),
            ("de", "DE"),
            ("UK", "GB"),
            ("Germany", "DE"),
            ("ireland", "IE"),
            ("south korea", "KR"),
        ] {
            assert_eq!(find(typed).map(|c| c.code.as_str()), Ok(code), "{typed:?}");
        }
        assert_eq!(find("germ").map(|c| c.code.as_str()), Ok("DE"), "the start of one name only");
        let united = find("united").unwrap_err();
        assert!(
            united.contains("could be") && united.contains("(US)") && united.contains("(GB)"),
            "{united}"
        );
        let typo = find("germny").unwrap_err();
        assert!(typo.contains("could be Germany (DE)"), "a typo is suggested, not taken: {typo}");
        for (typed, both) in [("congo", ["(CG)", "(CD)"]), ("korea", ["(KR)", "(KP)"])] {
            let asked = find(typed).unwrap_err();
            assert!(asked.contains("could be") && both.iter().all(|c| asked.contains(c)), "{asked}");
        }
        let nothing = find("Atlantis").unwrap_err();
        assert!(nothing.contains("not a country") && nothing.contains("e.g."), "{nothing}");
        assert!(find(" ").is_err());
    }
}
