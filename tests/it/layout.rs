//! The layout at the sizes a newcomer's terminal has (120x40, 80x24, 60x20): what is cut
//! says so with "…", what matters (a price, a row's mark, the whole token) is never cut.

use crate::support::state::*;
use crossterm::event::KeyCode;
use telnyx_setup::api::Feature;
use telnyx_setup::msg::Reply;
use telnyx_setup::state::State;

/// The screen's rows, as text.
fn rows(state: &State, width: u16, height: u16) -> Vec<String> {
    screen_text(state, width, height).lines().map(str::to_owned).collect()
}

/// A number with every feature the sandbox gives, in San Francisco.
fn featured(number: &str) -> telnyx_setup::api::AvailableNumber {
    let mut found = available(number, "1.00", "1.00");
    found.features = ["voice", "sms", "mms", "fax", "emergency", "hd_voice"]
        .map(|name| Feature { name: name.into() })
        .to_vec();
    found.region_information[1].region_name = "San Francisco".into();
    found.region_information[2].region_name = "CA".into();
    found
}

#[test]
fn the_numbers_features_column_ends_in_an_ellipsis_between_features() {
    let state = at_results_with(vec![featured("+14155528493"), featured("+14155528494")]);
    let screen = rows(&state, 80, 24);
    let row = screen.iter().find(|row| row.contains("+14155528493")).unwrap();
    assert!(row.contains("San Francisco, CA"), "the place is whole: {row}");
    assert!(row.contains("voice SMS MMS fax …"), "the features are cut between features, with …: {row}");
    assert!(row.contains("1.00 USD 1.00 USD"), "both prices show: {row}");
    // At 60 columns the features give way entirely, and the place stays whole.
    let narrow = rows(&state, 60, 20);
    let row = narrow.iter().find(|row| row.contains("+14155528493")).unwrap();
    assert!(row.contains("San Francisco, CA") && row.contains("1.00 USD 1.00 USD"), "{row}");
    assert!(!row.contains("voice"), "no stub of the features column: {row}");
}

#[test]
fn the_cart_shows_the_monthly_price_at_60x20() {
    let state = at_cart_of_both();
    for (width, height) in [(80, 24), (60, 20)] {
        let screen = rows(&state, width, height);
        for number in ["+13125550100", "+13125550199"] {
            let row = screen.iter().find(|row| row.contains(number)).unwrap();
            assert!(row.contains("USD now,") && row.contains("USD a month"), "{width}x{height}: {row}");
        }
    }
}

#[test]
fn the_inspectors_rows_fit_at_120x40() {
    let mut state = inspector_signed_out(telnyx_setup::state::KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    let mut made = connection_json("1293384261075731402", "WebRTC (telnyx-setup)", Some("77"));
    made["user_name"] = "webrtc1vkxuail".into();
    made["tags"] = serde_json::json!(["telnyx-setup"]);
    reply(&mut state, Reply::Browsed(raw_page(vec![made], 1, 1)));
    let screen = rows(&state, 120, 40).join("\n");
    assert!(
        screen.contains("active   WebRTC (telnyx-setup)    user webrtc1vkxuail  · by telnyx-setup"),
        "{screen}"
    );
    press(&mut state, KeyCode::Char('2'));
    let profile = serde_json::json!({
        "id": "77", "record_type": "outbound_voice_profile", "name": "WebRTC outbound", "enabled": true,
        "whitelisted_destinations": ["US", "CA"], "connections_count": 1, "tags": ["telnyx-setup"],
    });
    reply(&mut state, Reply::Browsed(raw_page(vec![profile], 1, 1)));
    let screen = rows(&state, 120, 40).join("\n");
    assert!(
        screen.contains("WebRTC outbound          2 countries, 1 connection  · by telnyx-setup"),
        "{screen}"
    );
    // Narrower, a row is cut with "…" and still says who made it.
    let screen = rows(&state, 80, 24).join("\n");
    assert!(screen.contains("…  · by telnyx-setup"), "{screen}");
}

#[test]
fn a_revealed_token_is_drawn_from_the_left_edge_so_it_copies_whole() {
    let mut state = at_token();
    press(&mut state, KeyCode::Char('r'));
    let jwt = jwt().expose().to_owned();
    for (width, height) in [(120, 40), (80, 24), (60, 20)] {
        let screen = rows(&state, width, height);
        let first = screen.iter().position(|row| row.starts_with(&jwt[..20])).unwrap_or_else(|| {
            panic!("{width}x{height}: the token starts at column 0:\n{}", screen.join("\n"))
        });
        // Row after row, the terminal's whole width, as a mouse selection copies it.
        let mut copied = String::new();
        for row in &screen[first..] {
            copied.push_str(row.trim_end());
            if copied.len() >= jwt.len() {
                break;
            }
        }
        assert_eq!(copied, jwt, "{width}x{height}");
    }
}

#[test]
fn intros_that_wrap_at_60_columns_are_not_cut() {
    let screen = rows(&at_codecs(), 60, 20).join("\n");
    assert!(screen.contains("(browser video) included."), "{screen}");
    let screen = rows(&at_countries(), 60, 20).join("\n");
    assert!(screen.contains("Calls elsewhere are refused."), "{screen}");
}

#[test]
fn a_list_row_too_wide_for_60_columns_ends_in_an_ellipsis() {
    let mut state = state_with(Some("KEYx"), telnyx_setup::state::KeySource::Flag);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    let office = connection("1293384261075731402", "Office softphones", &["G722"], Some("77"));
    reply(&mut state, Reply::ConnectionsListed(page(vec![office])));
    let screen = rows(&state, 60, 20);
    let row = screen.iter().find(|row| row.contains("Office softphones")).unwrap();
    assert!(row.contains("…"), "{row}");
}

#[test]
fn the_number_types_scroll_to_the_one_highlighted_at_60_columns() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter);
    for _ in 0..4 {
        press(&mut state, KeyCode::Tab);
    }
    for _ in 0..3 {
        press(&mut state, KeyCode::Right);
    }
    let screen = rows(&state, 60, 20);
    let row = screen.iter().find(|row| row.contains("Type")).unwrap();
    assert!(row.contains("[x] national"), "the chosen type shows: {row}");
    assert!(row.contains("… "), "the options before it are marked as out of view: {row}");
}
