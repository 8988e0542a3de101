//! Names for new records: the one suggested is free on the account, so two setups that
//! keep the suggestion never make two records of one name, and a name the account
//! already has is said before it is sent (the user reuses that record, or picks
//! another name).

use super::{Recognisable, Recognised};

/// `suggested` if no record in `taken` has it, else the first free of `suggested 2`,
/// `suggested 3`, … (`WebRTC (telnyx-setup) 2`).
pub fn free_name<'a>(suggested: &str, taken: impl IntoIterator<Item = &'a str>) -> String {
    let taken: std::collections::HashSet<&str> = taken.into_iter().collect();
    if !taken.contains(suggested) {
        return suggested.to_owned();
    }
    (2..).map(|n| format!("{suggested} {n}")).find(|name| !taken.contains(name.as_str())).unwrap_or_default()
}

/// What to say when a new `what` (a connection, a profile) would take a name the
/// account has already: reuse that record, or give another name.
pub fn name_taken(what: &str, name: &str) -> String {
    format!(
        "A {what} named “{name}” exists already: press Esc and choose it in the list, or give another name."
    )
}

/// What a form says as soon as the name typed for a new `what` is one the account has,
/// `count` records of it, of which the one recogniser ([`super::prefer`]) `meant` one
/// or none: Enter uses it (`which` names it, of several: telnyx-setup's), or, where
/// the rule leaves several alike, the user picks one in the list (their ids named);
/// or gives another name. `None` when no record has the name.
pub fn name_in_use<T: Recognisable>(
    what: &str,
    name: &str,
    count: usize,
    meant: &Recognised<T>,
    which: impl Fn(&T) -> String,
) -> Option<String> {
    Some(match meant {
        Recognised::Missing => return None,
        Recognised::Found(_) if count <= 1 => {
            format!("A {what} named “{name}” exists already: Enter uses it, or give another name.")
        }
        Recognised::Found(record) => format!(
            "{count} {what}s are named “{name}”: Enter uses telnyx-setup's ({}), or give another name.",
            which(record)
        ),
        Recognised::Ambiguous(tied) => {
            let ids: Vec<&str> = tied.iter().map(Recognisable::id).collect();
            format!(
                "{count} {what}s are named “{name}” and look alike: press Esc and pick one in the list (ids {}), \
                 or give another name.",
                ids.join(", ")
            )
        }
    })
}

/// What the credential form says of a name only expired credentials of the connection
/// have: one cannot log in, so it is not reused; Enter makes a new one of the name, as
/// `setup --credential NAME` does (the recogniser counts only those that can log in, so
/// the name still means one credential).
pub fn name_expired(name: &str) -> String {
    format!(
        "A credential named “{name}” exists but has expired, so it cannot log in: Enter makes a new one of that \
         name, or give another name."
    )
}

/// `text` cut to `max` characters, the cut marked with "…": a name shown where room is
/// short (a list's column, the wizard's question about records that look alike).
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggestion_is_the_first_free_name() {
        let base = "WebRTC (telnyx-setup)";
        assert_eq!(free_name(base, []), base);
        assert_eq!(free_name(base, ["Other"]), base);
        assert_eq!(free_name(base, [base]), "WebRTC (telnyx-setup) 2");
        let taken = [base, "WebRTC (telnyx-setup) 2", "WebRTC (telnyx-setup) 4"];
        assert_eq!(free_name(base, taken), "WebRTC (telnyx-setup) 3");
    }
}
