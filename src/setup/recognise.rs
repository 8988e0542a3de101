//! Which existing record an id or a name means: one rule for `setup`, `token`,
//! `doctor` and the wizard's preselection.
//!
//! The record with that id; else those with that exact name (case and spaces as
//! written); of several, those telnyx-setup made (its [`MARK`]), when any is; of several
//! of those, the newest (by `created_at`). Several left is [`Recognised::Ambiguous`]:
//! an error listing their ids in a script, a choice left to the user in the wizard. Two
//! records of one name that the user made are never told apart by a guess; two that
//! telnyx-setup made are earlier and later runs, and the later one is meant.

use crate::api::{
    ApiError, Client, CredentialConnection, MARK, OutboundVoiceProfile, Page, PageRequest,
    TelephonyCredential,
};
use std::future::Future;

/// What the recogniser reads of a record.
pub trait Recognisable {
    fn id(&self) -> &str;
    /// Its name ("" for a credential without one).
    fn name(&self) -> &str;
    /// Made by telnyx-setup: it carries [`MARK`].
    fn marked(&self) -> bool;
    /// When it was made, as Telnyx writes it (RFC 3339).
    fn created_at(&self) -> Option<&str>;
}

impl<T: Recognisable> Recognisable for &T {
    fn id(&self) -> &str {
        (*self).id()
    }
    fn name(&self) -> &str {
        (*self).name()
    }
    fn marked(&self) -> bool {
        (*self).marked()
    }
    fn created_at(&self) -> Option<&str> {
        (*self).created_at()
    }
}

impl Recognisable for CredentialConnection {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.connection_name
    }
    fn marked(&self) -> bool {
        self.is_marked()
    }
    fn created_at(&self) -> Option<&str> {
        self.created_at.as_deref()
    }
}

impl Recognisable for OutboundVoiceProfile {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn marked(&self) -> bool {
        self.is_marked()
    }
    fn created_at(&self) -> Option<&str> {
        self.created_at.as_deref()
    }
}

impl Recognisable for TelephonyCredential {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
    fn marked(&self) -> bool {
        self.tag.as_deref() == Some(MARK)
    }
    fn created_at(&self) -> Option<&str> {
        self.created_at.as_deref()
    }
}

/// What a given id or name means among the candidates.
#[derive(Debug, Clone, PartialEq)]
pub enum Recognised<T> {
    /// The record with that id, or the one meant by that name.
    Found(T),
    /// No record has that id or that exact name.
    Missing,
    /// Several records are meant equally (in the order they were given): the caller
    /// asks, or names their ids.
    Ambiguous(Vec<T>),
}

impl<T: Recognisable> Recognised<T> {
    /// The record found, `None` when missing, or the ids of those that tie.
    pub fn found(self) -> Result<Option<T>, Vec<String>> {
        match self {
            Self::Found(record) => Ok(Some(record)),
            Self::Missing => Ok(None),
            Self::Ambiguous(tied) => Err(tied.iter().map(|r| r.id().to_owned()).collect()),
        }
    }
}

/// The record `given` means among `candidates`: by id, else by exact name ([`prefer`]).
pub fn recognise<T: Recognisable>(given: &str, candidates: Vec<T>) -> Recognised<T> {
    let (by_id, others): (Vec<T>, Vec<T>) = candidates.into_iter().partition(|c| c.id() == given);
    if let Some(found) = by_id.into_iter().next() {
        return Recognised::Found(found);
    }
    prefer(others.into_iter().filter(|c| c.name() == given).collect())
}

/// How many of `candidates` have exactly `name`, and which of them it means
/// ([`prefer`]): what a form says of a name typed for a new record.
pub fn named<T: Recognisable>(candidates: impl IntoIterator<Item = T>, name: &str) -> (usize, Recognised<T>) {
    let named: Vec<T> = candidates.into_iter().filter(|c| c.name() == name).collect();
    (named.len(), prefer(named))
}

/// Of records that may all be meant: the one; of several, telnyx-setup's when any is;
/// of several of those, the newest. The order of `candidates` decides nothing.
pub fn prefer<T: Recognisable>(mut candidates: Vec<T>) -> Recognised<T> {
    if candidates.len() > 1 && candidates.iter().any(Recognisable::marked) {
        candidates.retain(Recognisable::marked);
        if candidates.len() > 1 {
            let made = |r: &T| {
                r.created_at().and_then(|at| {
                    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
                })
            };
            let newest = candidates.iter().filter_map(made).max();
            if newest.is_some() && candidates.iter().filter(|r| made(r) == newest).count() == 1 {
                candidates.retain(|r| made(r) == newest);
            }
        }
    }
    match candidates.len() {
        0 => Recognised::Missing,
        1 => Recognised::Found(candidates.remove(0)),
        _ => Recognised::Ambiguous(candidates),
    }
}

/// The newest of `records` by `created_at` (parsed: RFC 3339 texts with and without
/// fractions of a second do not sort as text); of two made at once, or without a time,
/// the later listed. What a left-out credential keeps: the connection's newest.
pub fn newest<T: Recognisable>(records: Vec<T>) -> Option<T> {
    let made = |r: &T| {
        let at = r.created_at()?;
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
    };
    records
        .into_iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| made(a).cmp(&made(b)).then(i.cmp(j)))
        .map(|(_, r)| r)
}

/// The credential connection `given` means ([`recognise`]): read by id when it looks
/// like one (Telnyx's connection ids are digits; an id found is meant, whatever the
/// names), else or then listed by name on every page (Telnyx filters on "contains";
/// the exact name is picked here). One round trip for a name, one for an id that exists.
pub async fn find_connection(
    client: &Client,
    given: &str,
) -> Result<Recognised<CredentialConnection>, ApiError> {
    if !given.is_empty() && given.chars().all(|c| c.is_ascii_digit()) {
        match client.credential_connection(given).await {
            Ok(connection) => return Ok(Recognised::Found(connection)),
            Err(ApiError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    let named = every_page(|page| client.list_credential_connections(page, Some(given))).await?;
    Ok(recognise(given, named))
}

/// The outbound voice profiles `given` may mean: the one with that id, and every one
/// whose name contains it (every page), for [`recognise`].
pub async fn profile_candidates(client: &Client, given: &str) -> Result<Vec<OutboundVoiceProfile>, ApiError> {
    let (by_id, named) = tokio::join!(
        client.outbound_voice_profile(given),
        every_page(|page| client.list_outbound_voice_profiles(page, Some(given)))
    );
    by_id_then_listed(by_id, named?)
}

/// The connections on the profile `profile_id`, every page: who else a change of
/// the profile affects.
pub async fn connections_on_profile(
    client: &Client,
    profile_id: &str,
) -> Result<Vec<CredentialConnection>, ApiError> {
    every_page(|page| client.list_connections_on_profile(page, profile_id)).await
}

/// The record read by id (a 404 is none), then those listed, each once.
fn by_id_then_listed<T: Recognisable>(
    by_id: Result<T, ApiError>,
    listed: Vec<T>,
) -> Result<Vec<T>, ApiError> {
    let mut candidates = match by_id {
        Ok(record) => vec![record],
        Err(ApiError::NotFound(_)) => Vec::new(),
        Err(error) => return Err(error),
    };
    for record in listed {
        if !candidates.iter().any(|c| c.id() == record.id()) {
            candidates.push(record);
        }
    }
    Ok(candidates)
}

/// Every page of a list, 250 records at a time, until the last.
async fn every_page<T, F, Fut>(fetch: F) -> Result<Vec<T>, ApiError>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut all = Vec::new();
    let mut number = 1;
    loop {
        let page = fetch(PageRequest { number: Some(number), size: Some(250) }).await?;
        let last = page.data.is_empty() || number >= page.meta.total_pages;
        all.extend(page.data);
        if last {
            return Ok(all);
        }
        number += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct R(&'static str, &'static str, bool, Option<&'static str>);

    impl Recognisable for R {
        fn id(&self) -> &str {
            self.0
        }
        fn name(&self) -> &str {
            self.1
        }
        fn marked(&self) -> bool {
            self.2
        }
        fn created_at(&self) -> Option<&str> {
            self.3
        }
    }

    const EARLY: Option<&str> = Some("2026-01-01T10:00:00Z");
    const LATE: Option<&str> = Some("2026-01-01T10:00:00.5Z");

    fn records() -> Vec<R> {
        vec![
            R("1", "A", false, LATE),
            R("2", "A", true, EARLY),
            R("3", "B", false, EARLY),
            R("4", "B", false, LATE),
            R("5", "C", true, LATE),
            R("6", "C", true, EARLY),
            R("7", "C", false, LATE),
            R("8", "D", true, None),
            R("9", "D", true, None),
            R("10", "7", false, None),
        ]
    }

    fn id_of(given: &str) -> Result<Option<&'static str>, Vec<String>> {
        recognise(given, records()).found().map(|r| r.map(|r| r.0))
    }

    #[test]
    fn the_id_then_the_exact_name_then_the_mark_then_the_newest() {
        assert_eq!(id_of("3"), Ok(Some("3")), "by id");
        assert_eq!(id_of("7"), Ok(Some("7")), "an id wins over a name that looks like it");
        assert_eq!(id_of("A"), Ok(Some("2")), "the marked one of two, though older");
        assert_eq!(id_of("C"), Ok(Some("5")), "the newest of two marked");
        assert_eq!(id_of("B"), Err(vec!["3".to_owned(), "4".to_owned()]), "two the user made: no guess");
        assert_eq!(id_of("D"), Err(vec!["8".to_owned(), "9".to_owned()]), "no time to tell them apart");
        assert_eq!(id_of("E"), Ok(None));
        assert_eq!(id_of("a"), Ok(None), "the name is exact");
    }

    #[test]
    fn the_order_of_the_list_decides_nothing() {
        for given in ["A", "C", "3"] {
            let mut reversed = records();
            reversed.reverse();
            assert_eq!(recognise(given, reversed).found(), recognise(given, records()).found(), "{given}");
        }
    }

    #[test]
    fn the_newest_is_by_time_then_the_later_listed() {
        let newest = |records: Vec<R>| newest(records).map(|r| r.0);
        assert_eq!(newest(vec![R("1", "", false, LATE), R("2", "", false, EARLY)]), Some("1"));
        assert_eq!(newest(vec![R("1", "", false, None), R("2", "", false, None)]), Some("2"));
        assert_eq!(newest(vec![R("1", "", false, EARLY), R("2", "", false, None)]), Some("1"));
        assert_eq!(newest(Vec::new()), None);
    }

    #[test]
    fn prefer_works_on_borrowed_records() {
        let all = records();
        let marked: Vec<&R> = all.iter().filter(|r| r.marked() && r.1 == "C").collect();
        assert_eq!(prefer(marked), Recognised::Found(&all[4]));
        assert_eq!(prefer(Vec::<&R>::new()), Recognised::Missing);
    }
}
