//! Searching by name, through update() as a user types: the countries list of step 5
//! ranks what was meant first, the numbers search of step 6 takes a country's name or
//! common alias as well as its code, and the inspector's local filter matches field
//! values with the same matcher (case and accents aside, keys and secrets not).

use crate::support::state::{at_countries, at_numbers, inspector, press, raw_page, reply, type_text};
use crossterm::event::KeyCode;
use telnyx_setup::msg::{Cmd, Reply, Request};
use telnyx_setup::state::{State, Step};

/// The codes step 5 lists after `/` and `typed`, in order.
fn listed(typed: &str) -> Vec<String> {
    let mut state = at_countries();
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, typed);
    let Step::Countries(step) = &state.step else { panic!("on step 5") };
    step.visible().iter().map(|country| country.code.clone()).collect()
}

fn position(list: &[String], code: &str) -> usize {
    list.iter().position(|c| c == code).unwrap_or(usize::MAX)
}

#[test]
fn the_country_meant_is_listed_first() {
    for (typed, first) in [
        ("ire", "IE"),
        ("united", "US"),
        ("us", "US"),
        ("uk", "GB"),
        ("usa", "US"),
        ("england", "GB"),
        ("south korea", "KR"),
        ("vietnam", "VN"),
        ("germ", "DE"),
        ("cote", "CI"),
    ] {
        let list = listed(typed);
        assert_eq!(list.first().map(String::as_str), Some(first), "{typed:?} lists {list:?}");
    }
    let ire = listed("ire");
    assert!(
        position(&ire, "BQ") > position(&ire, "IE") && position(&ire, "CI") > position(&ire, "IE"),
        "{ire:?}"
    );
    let united = listed("united");
    assert!(position(&united, "US") < position(&united, "UM"), "{united:?}");
    assert!(!listed("us").contains(&"AU".to_owned()), "Australia is not a match for us: {:?}", listed("us"));
}

#[test]
fn the_list_is_in_name_order_accents_aside() {
    let all = listed("");
    assert!(
        position(&all, "AF") < position(&all, "AX") && position(&all, "AX") < position(&all, "AL"),
        "{all:?}"
    );
    assert_eq!(all.last().map(String::as_str), Some("ZW"));
}

/// The numbers search sent after the country field is set to `typed`, or the
/// problem shown.
fn search_country(typed: &str) -> Result<String, String> {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter); // the form, focus on the country ("US")
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, typed);
    let cmds = press(&mut state, KeyCode::Enter);
    match cmds.as_slice() {
        [Cmd::Call { request: Request::SearchNumbers(search), .. }] => Ok(search.country_code.clone()),
        [] => Err(format!("{:?}", state.step.activity().problem)),
        other => panic!("{typed:?}: {other:?}"),
    }
}

#[test]
fn the_numbers_search_takes_a_name_or_an_alias() {
    for (typed, code) in [
        ("UK", "GB"),
        ("uk", "GB"),
        ("Germany", "DE"),
        ("south korea", "KR"),
        ("de", "DE"),
        ("Åland Islands", "AX"),
    ] {
        assert_eq!(search_country(typed).as_deref(), Ok(code), "{typed:?}");
    }
    let ambiguous = search_country("united").unwrap_err();
    assert!(ambiguous.contains("could be") && ambiguous.contains("(US)"), "{ambiguous}");
    let unknown = search_country("zz").unwrap_err();
    assert!(unknown.contains("not a country"), "{unknown}");
}

/// The inspector's credentials tab (filtered here, not by the API) with two records,
/// filtered by `typed`: the ids shown.
fn credentials_shown(typed: &str) -> Vec<String> {
    let mut state: State = inspector();
    press(&mut state, KeyCode::Char('5'));
    let records = vec![
        serde_json::json!({"id": "a", "name": "Björn's login", "sip_username": "gencredA", "expired": false,
                           "sip_password": "hunter2hunter2"}),
        serde_json::json!({"id": "b", "name": "Front desk", "sip_username": "gencredB", "expired": true,
                           "sip_password": "correcthorse"}),
    ];
    reply(&mut state, Reply::Browsed(raw_page(records.clone(), 1, 2)));
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, typed);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::Browsed(raw_page(records, 1, 2)));
    let Step::Inspect(step) = &state.step else { panic!("in the inspector") };
    step.listing.visible().iter().map(|&i| step.listing.records()[i].id().unwrap().to_owned()).collect()
}

#[test]
fn the_inspector_filter_matches_values_with_the_same_matcher() {
    assert_eq!(credentials_shown("bjorn"), ["a"], "accents aside");
    assert_eq!(credentials_shown("FRONT desk"), ["b"], "case aside, every word");
    assert_eq!(credentials_shown("gencred"), ["a", "b"]);
    assert!(credentials_shown("expired").is_empty(), "a key is not a value");
    assert!(credentials_shown("hunter2").is_empty(), "a password is not searched");
}
