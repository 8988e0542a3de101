//! Matching what the user types against names: the countries list (step 5), the
//! numbers search's country field (step 6) and the inspector's local filter. One
//! matcher for all of them, nucleo's (the one helix and television use), and one
//! notion of "the same letters": case and accents do not count, so `aland` finds
//! Åland Islands and `cote` finds Côte d'Ivoire.
//!
//! A [`Query`] is parsed once per key press; [`Query::rank`] says how well a name
//! matches, best first: the whole name, a prefix of it, the starts of its words, and
//! last a fuzzy match (the query's letters in order, scored by nucleo), where the
//! query found as written (`ger` in Algeria) comes before letters scattered over a
//! name (`ger` in Georgia). Those two wait for [`FUZZY_FROM`] letters: one or two
//! letters are found in most names (`us` in Australia, Belarus, Cyprus), which buries
//! what was meant.
//! [`Query::found_in`] is the inspector's test: each word of the query is found, as
//! written, in some field of a record.

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::cell::RefCell;
use std::cmp::Ordering;

/// Queries shorter than this (in letters and digits) match names by prefix and word
/// starts only, never fuzzily.
pub const FUZZY_FROM: usize = 3;

thread_local! {
    /// nucleo's matcher holds scratch memory worth reusing: one per thread, as the UI
    /// loop runs on one.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// `text` as it is compared: lower case, accents folded (`Å` is `a`, `ç` is `c`),
/// runs of whitespace made one space, trimmed.
pub fn fold(text: &str) -> String {
    let folded: String =
        text.chars().map(nucleo_matcher::chars::normalize).flat_map(char::to_lowercase).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of folded text: runs of letters and digits (`d'ivoire` gives `d` and
/// `ivoire`).
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty())
}

/// How a name matched a query, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    /// The whole name.
    Exact,
    /// The name starts with the query.
    Prefix,
    /// Every word of the query starts a word of the name, in any order.
    WordStart,
    /// The query is in the name as typed, not at its start.
    Substring,
    /// The query's letters appear in the name in order; nucleo's score, higher is better.
    Fuzzy(u16),
}

impl Rank {
    fn tier(self) -> u8 {
        match self {
            Rank::Exact => 0,
            Rank::Prefix => 1,
            Rank::WordStart => 2,
            Rank::Substring => 3,
            Rank::Fuzzy(_) => 4,
        }
    }
}

impl Ord for Rank {
    /// Better ranks are less, so a sort puts them first.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Rank::Fuzzy(a), Rank::Fuzzy(b)) => b.cmp(a),
            _ => self.tier().cmp(&other.tier()),
        }
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What the user typed, ready to match many names.
pub struct Query {
    /// [`fold`]ed.
    text: String,
    words: Vec<String>,
    /// `None` below [`FUZZY_FROM`] letters.
    fuzzy: Option<Atom>,
    /// One substring atom per word, for [`Query::found_in`].
    substrings: Vec<Atom>,
}

impl Query {
    pub fn new(typed: &str) -> Self {
        let text = fold(typed);
        let words: Vec<String> = words(&text).map(str::to_owned).collect();
        let letters: usize = words.iter().map(|w| w.chars().count()).sum();
        let atom =
            |needle: &str, kind| Atom::new(needle, CaseMatching::Ignore, Normalization::Smart, kind, false);
        let fuzzy = (letters >= FUZZY_FROM).then(|| atom(&text, AtomKind::Fuzzy));
        let substrings = text.split(' ').map(|word| atom(word, AtomKind::Substring)).collect();
        Self { text, words, fuzzy, substrings }
    }

    /// Nothing but whitespace was typed: everything matches.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The query, folded.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How `folded` (a name passed through [`fold`]) matches, or `None`.
    pub fn rank(&self, folded: &str) -> Option<Rank> {
        if folded == self.text {
            return Some(Rank::Exact);
        }
        if folded.starts_with(&self.text) {
            return Some(Rank::Prefix);
        }
        if self.starts_words_of(folded) {
            return Some(Rank::WordStart);
        }
        let atom = self.fuzzy.as_ref()?;
        if folded.contains(&self.text) {
            return Some(Rank::Substring);
        }
        MATCHER.with(|matcher| {
            let mut buf = Vec::new();
            atom.score(Utf32Str::new(folded, &mut buf), &mut matcher.borrow_mut()).map(Rank::Fuzzy)
        })
    }

    /// Every word of the query starts some word of `folded`.
    pub fn starts_words_of(&self, folded: &str) -> bool {
        !self.words.is_empty()
            && self.words.iter().all(|word| words(folded).any(|w| w.starts_with(word.as_str())))
    }

    /// Every word of the query (as typed, punctuation kept) appears somewhere in one of
    /// `fields`, case and accents aside.
    pub fn found_in<'a>(&self, fields: impl IntoIterator<Item = &'a str> + Clone) -> bool {
        MATCHER.with(|matcher| {
            let matcher = &mut matcher.borrow_mut();
            let mut buf = Vec::new();
            self.substrings.iter().all(|atom| {
                fields
                    .clone()
                    .into_iter()
                    .any(|field| atom.score(Utf32Str::new(field, &mut buf), matcher).is_some())
            })
        })
    }
}

/// What the inspector's local filter searches in a record: its text and number values,
/// nested ones included, but not its keys (`expired` is in every credential), and
/// nothing under a secret field ([`crate::secret::SECRET_PATTERNS`], or a key naming a
/// password, a secret or a token), which a filter would
/// otherwise let one guess letter by letter.
pub fn record_fields(record: &serde_json::Value) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) => out.push(text.clone()),
            serde_json::Value::Number(number) => out.push(number.to_string()),
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
            serde_json::Value::Object(fields) => {
                for (key, value) in fields {
                    // The inspector's own list of secret fields, and anything named like one.
                    let lower = key.to_ascii_lowercase();
                    let named_secret =
                        ["password", "secret", "token"].iter().any(|word| lower.contains(word));
                    if !crate::secret::is_secret_field(key) && !named_secret {
                        walk(value, out);
                    }
                }
            }
            serde_json::Value::Bool(_) | serde_json::Value::Null => {}
        }
    }
    let mut out = Vec::new();
    walk(record, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_extra_spaces() {
        assert_eq!(fold("  Åland   Islands "), "aland islands");
        assert_eq!(fold("Côte d'Ivoire"), "cote d'ivoire");
        assert_eq!(fold("Türkiye"), "turkiye");
        assert_eq!(fold("CURAÇAO"), "curacao");
        assert_eq!(words("cote d'ivoire").collect::<Vec<_>>(), ["cote", "d", "ivoire"]);
    }

    #[test]
    fn ranks_go_exact_prefix_word_start_fuzzy() {
        let query = Query::new("Ire");
        assert_eq!(query.rank("ire"), Some(Rank::Exact));
        assert_eq!(query.rank("ireland"), Some(Rank::Prefix));
        assert_eq!(query.rank("northern ireland"), Some(Rank::WordStart));
        assert_eq!(query.rank("bonaire, sint eustatius and saba"), Some(Rank::Substring));
        assert!(matches!(query.rank("lao people's democratic republic"), Some(Rank::Fuzzy(_))));
        assert_eq!(query.rank("germany"), None);
        assert!(
            Rank::Exact < Rank::Prefix && Rank::Prefix < Rank::WordStart && Rank::WordStart < Rank::Substring
        );
        assert!(Rank::Substring < Rank::Fuzzy(u16::MAX) && Rank::Fuzzy(90) < Rank::Fuzzy(10));
    }

    #[test]
    fn short_queries_are_never_fuzzy() {
        let query = Query::new("us");
        assert_eq!(query.rank("australia"), None, "u and s in a row are no reason to list Australia");
        assert!(Query::new("aus").rank("austria").is_some());
        assert_eq!(Query::new("korea south").rank("south korea"), Some(Rank::WordStart));
    }

    #[test]
    fn a_record_matches_when_every_word_is_in_some_field() {
        let fields = ["Login 12", "gencred0000012", "connection:77"];
        assert!(Query::new("login").found_in(fields));
        assert!(Query::new("LOGIN 12").found_in(fields), "case aside, both words");
        assert!(Query::new("cred 77").found_in(fields), "words from two fields");
        assert!(!Query::new("login 99").found_in(fields));
        assert!(!Query::new("lgn").found_in(fields), "records are not matched fuzzily");
        assert!(Query::new("zoë").found_in(["Zoe's phone"]), "accents aside");
    }

    #[test]
    fn a_record_is_searched_by_its_values_but_not_its_keys_or_secrets() {
        let record = serde_json::json!({
            "name": "Björn's login",
            "expired": true,
            "sip_password": "hunter2hunter2",
            "tags": ["support", 42],
            "meta": {"connection_id": "1293"},
        });
        let fields = record_fields(&record);
        let found = |typed: &str| Query::new(typed).found_in(fields.iter().map(String::as_str));
        assert!(found("bjorn") && found("support") && found("42") && found("1293"), "{fields:?}");
        assert!(!found("expired"), "keys are not searched: {fields:?}");
        assert!(!found("hunter2"), "secrets are not searched: {fields:?}");
    }
}
