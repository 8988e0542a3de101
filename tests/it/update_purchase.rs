//! update() tests for steps 6-8: numbers (search, cart, confirmation, ordering,
//! assignment), the on-demand credential and the login token.

use crate::support::state::*;
use crossterm::event::KeyCode;
use std::time::{Duration, SystemTime};
use telnyx_setup::api::Balance;
use telnyx_setup::api::{ApiError, NewTelephonyCredential};
use telnyx_setup::clipboard::{CopyError, CopyMethod};
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::state::{NumbersScreen, Problem, SearchField, Step};

fn numbers(state: &telnyx_setup::state::State) -> &telnyx_setup::state::NumbersStep {
    match &state.step {
        Step::Numbers(step) => step,
        other => panic!("not on the numbers step: {other:?}"),
    }
}

/// The highlighted number in the cart and the question asked, with the look for an
/// earlier order of the cart sent as it showed (returned), not answered yet.
fn confirming() -> (telnyx_setup::state::State, telnyx_setup::msg::OpId) {
    let mut state = at_results();
    press(&mut state, KeyCode::Enter); // puts the highlighted number in the cart
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(numbers(&state).screen, NumbersScreen::Confirm);
    let [Cmd::Call { op, request: Request::FindOrder { reference } }] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!(*reference, numbers(&state).order_reference());
    assert!(!state.busy(), "the question does not wait for the look");
    (state, *op)
}

/// The highlighted number ordered: cart, review, `y`, no earlier order found; the
/// order's answer is awaited.
fn ordering() -> telnyx_setup::state::State {
    let (mut state, _) = confirming();
    assert!(press(&mut state, KeyCode::Char('y')).is_empty(), "y waits for the look on its way");
    let cmds = reply(&mut state, Reply::OrderFound(None));
    assert!(matches!(only_call(&cmds), Request::PlaceOrder { first_try: true, .. }), "{cmds:?}");
    state
}

fn place_order_calls(cmds: &[Cmd]) -> usize {
    cmds.iter().filter(|c| matches!(c, Cmd::Call { request: Request::PlaceOrder { .. }, .. })).count()
}

#[test]
fn s_skips_the_numbers_step_and_loads_credentials() {
    let mut state = at_numbers();
    let cmds = press(&mut state, KeyCode::Char('s'));
    assert_eq!(only_call(&cmds), &Request::ListCredentials { connection_id: "1293384261075731402".into() });
    assert!(matches!(state.step, Step::Credential(_)));
    assert!(state.ctx.setup.numbers_skipped);
    assert!(state.ctx.done()[5] && state.ctx.numbers_skipped(), "marked skipped");
    assert_eq!(state.ctx.desired.wanted.as_ref().and_then(|w| w.numbers.as_ref()), None, "none wanted");
}

#[test]
fn the_search_defaults_to_a_whitelisted_country_voice_and_ten_numbers() {
    let mut state = at_countries();
    // Sent ahead as the step's introduction shows: the form's first search.
    let cmds = to_numbers_from(&mut state);
    let Request::SearchNumbers(search) = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(search.country_code, "US");
    assert_eq!(search.phone_number_type, "local");
    assert_eq!(search.features, ["voice"]);
    assert_eq!(search.limit, 10);
    // The form's Enter, unchanged, takes it: nothing else is sent, and its answer shows.
    press(&mut state, KeyCode::Enter);
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(state.busy(), "the search on its way is the form's");
    reply(&mut state, Reply::NumbersFound(vec![available("+13125550100", "1.00", "1.00")]));
    assert_eq!(numbers(&state).screen, NumbersScreen::Results);
}

#[test]
fn a_changed_search_is_sent_and_the_one_ahead_left() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "Chicago");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::SearchNumbers(search) = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(search.locality, "Chicago");
}

#[test]
fn the_search_form_edits_every_filter() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter);
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "ca");
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "Toronto");
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "416");
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "55");
    press(&mut state, KeyCode::Tab);
    assert_eq!(numbers(&state).form.focus(), SearchField::Type);
    press(&mut state, KeyCode::Right); // toll-free
    press(&mut state, KeyCode::Left); // back to local
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Char(' ')); // sms on
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::SearchNumbers(search) = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(
        (search.country_code.as_str(), search.locality.as_str(), search.national_destination_code.as_str()),
        ("CA", "Toronto", "416")
    );
    assert_eq!(search.contains, "55");
    assert_eq!(search.phone_number_type, "local");
    assert_eq!(search.features, ["voice", "sms"]);
}

#[test]
fn bad_search_input_is_refused_before_sending() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter);
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "XX");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(numbers(&state).activity.problem, Some(Problem::Input(_))));
    assert_eq!(numbers(&state).form.focus(), SearchField::Country);
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "US");
    press(&mut state, KeyCode::BackTab); // around to "How many"
    assert_eq!(numbers(&state).form.focus(), SearchField::Limit);
    type_text(&mut state, "1");
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "100 is the most one search asks for");
    assert_eq!(numbers(&state).form.focus(), SearchField::Limit);
}

#[test]
fn no_results_says_so_and_stays_on_the_form() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::NumbersFound(vec![]));
    assert_eq!(numbers(&state).screen, NumbersScreen::Search);
    assert!(matches!(numbers(&state).activity.problem, Some(Problem::Input(_))));
}

#[test]
fn space_fills_the_cart_and_the_total_is_the_sum_of_its_items() {
    let mut state = at_results();
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Char(' '));
    let step = numbers(&state);
    assert_eq!(step.cart.len(), 2);
    assert_eq!(step.totals()["USD"], (350, 425));
    assert_eq!(step.total_text(), "3.50 USD now, 4.25 USD a month");
    press(&mut state, KeyCode::Char(' ')); // takes the second out again
    assert_eq!(numbers(&state).cart.len(), 1);
    assert_eq!(numbers(&state).totals()["USD"], (100, 100));
}

#[test]
fn enter_with_an_empty_cart_takes_the_highlighted_number_and_says_so() {
    let mut state = at_results();
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    let step = numbers(&state);
    assert_eq!(step.screen, NumbersScreen::Results, "the first Enter stays on the results");
    assert_eq!(step.cart.iter().map(|n| n.phone_number.as_str()).collect::<Vec<_>>(), ["+13125550199"]);
    assert_eq!(
        step.activity.notice.as_deref(),
        Some("Added +13125550199 to the cart; Enter again to review it.")
    );
    press(&mut state, KeyCode::Enter);
    assert_eq!(numbers(&state).screen, NumbersScreen::Cart);
    assert_eq!(numbers(&state).activity.notice, None);
}

#[test]
fn only_y_buys_and_every_other_answer_buys_nothing() {
    for declined in [KeyCode::Char('n'), KeyCode::Enter, KeyCode::Esc, KeyCode::Char(' ')] {
        let mut state = at_results();
        press(&mut state, KeyCode::Enter); // puts the highlighted number in the cart
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Enter);
        assert_eq!(numbers(&state).screen, NumbersScreen::Confirm);
        let cmds = press(&mut state, declined);
        assert!(cmds.is_empty(), "{declined:?} must not order: {cmds:?}");
        assert_eq!(numbers(&state).screen, NumbersScreen::Cart);
        assert_eq!(numbers(&state).activity.notice.as_deref(), Some("Nothing was bought."));
        assert_eq!(numbers(&state).activity.problem, None, "declining is no error");
    }
}

#[test]
fn y_places_exactly_one_order_with_a_reference_and_the_connection() {
    let (mut state, look) = confirming();
    // The look answered while the question was read: y orders at once, and the worker
    // does not look again.
    let cmds = state.update(Msg::Done { op: look, outcome: Ok(Reply::OrderFound(None)) });
    assert!(cmds.is_empty() && !state.busy(), "the answer ahead changes nothing on screen: {cmds:?}");
    let cmds = press(&mut state, KeyCode::Char('y'));
    let Request::PlaceOrder { body, first_try: true } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.phone_numbers.len(), 1);
    assert_eq!(body.phone_numbers[0].phone_number, "+13125550100");
    assert_eq!(body.connection_id.as_deref(), Some("1293384261075731402"));
    assert!(body.customer_reference.as_deref().is_some_and(|r| r.starts_with("telnyx-setup-")));
    // A second y, or Enter, while the order is being placed does nothing.
    assert_eq!(place_order_calls(&press(&mut state, KeyCode::Char('y'))), 0);
    assert_eq!(place_order_calls(&press(&mut state, KeyCode::Enter)), 0);
}

/// The question shows its step of the plan as the other screens show theirs for
/// Enter: the plan's Buy step, in the words `setup --dry-run` prints on its numbers
/// line, and only while the question is asked.
#[test]
fn the_question_shows_the_plans_buy_step_for_y() {
    let mut state = at_cart_of_both();
    assert_eq!(numbers(&state).screen, NumbersScreen::Cart);
    assert_eq!(numbers(&state).buy_line(), None, "the cart asks nothing yet");
    press(&mut state, KeyCode::Enter);
    let cart = numbers(&state).cart.clone();
    let plan = state.ctx.plan_with(|wanted| wanted.numbers = Some(cart)).expect("a plan");
    let step = plan.step(telnyx_setup::setup::Part::Numbers).expect("the numbers step");
    assert_eq!(step.kind.as_str(), "buy");
    let line = numbers(&state).buy_line().expect("the question's line");
    assert_eq!(line, format!("y: {}", step.detail));
    assert_eq!(line, "y: buy +13125550100, +13125550199 for 3.50 USD now and 4.25 USD a month");
    // Declined: the cart again, and no line.
    press(&mut state, KeyCode::Char('n'));
    assert_eq!(numbers(&state).buy_line(), None);
}

#[test]
fn the_order_reference_depends_on_the_cart_not_its_order() {
    let mut first = at_results();
    press(&mut first, KeyCode::Char(' '));
    press(&mut first, KeyCode::Down);
    press(&mut first, KeyCode::Char(' '));
    let mut second = at_results();
    press(&mut second, KeyCode::Down);
    press(&mut second, KeyCode::Char(' '));
    press(&mut second, KeyCode::Up);
    press(&mut second, KeyCode::Char(' '));
    assert_eq!(numbers(&first).order_reference(), numbers(&second).order_reference());
    let mut other = at_results();
    press(&mut other, KeyCode::Char(' '));
    assert_ne!(numbers(&first).order_reference(), numbers(&other).order_reference());
}

#[test]
fn a_timed_out_order_is_retried_with_the_same_reference() {
    let mut state = ordering();
    let first = numbers(&state).order_reference();
    fail(&mut state, ApiError::Timeout);
    assert_eq!(numbers(&state).screen, NumbersScreen::Confirm, "the question stays for a retry");
    // The retry looks the first order up by its reference, now, before anything else.
    let again = press(&mut state, KeyCode::Char('y'));
    assert_eq!(only_call(&again), &Request::FindOrder { reference: first });
    let found = order("pending", &["+13125550100"]);
    let cmds = reply(&mut state, Reply::OrderFound(Some(found.clone())));
    assert_eq!(place_order_calls(&cmds), 0, "the order the timeout hid is followed, not placed again");
    assert_eq!(only_call(&cmds), &Request::CheckOrder { id: found.id, after: Duration::from_millis(500) });
    assert!(numbers(&state).order_found);
}

#[test]
fn an_earlier_order_found_as_the_question_showed_is_followed_on_y() {
    let (mut state, look) = confirming();
    let found = order("success", &["+13125550100"]);
    state.update(Msg::Done { op: look, outcome: Ok(Reply::OrderFound(Some(found))) });
    let cmds = press(&mut state, KeyCode::Char('y'));
    assert_eq!(place_order_calls(&cmds), 0, "{cmds:?}");
    assert_eq!(numbers(&state).screen, NumbersScreen::Done);
    assert!(numbers(&state).order_found);
}

#[test]
fn a_failed_or_old_look_is_made_again_on_y() {
    for failed in [true, false] {
        let (mut state, look) = confirming();
        let outcome = if failed { Err(ApiError::Timeout) } else { Ok(Reply::OrderFound(None)) };
        state.update(Msg::Done { op: look, outcome });
        if !failed {
            let later = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS + 61);
            state.update(Msg::Now(later));
        }
        let cmds = press(&mut state, KeyCode::Char('y'));
        assert!(matches!(only_call(&cmds), Request::FindOrder { .. }), "failed {failed}: {cmds:?}");
        let cmds = reply(&mut state, Reply::OrderFound(None));
        assert!(matches!(only_call(&cmds), Request::PlaceOrder { first_try: true, .. }), "{cmds:?}");
    }
}

#[test]
fn a_pending_order_is_polled_with_backoff_then_its_numbers_are_assigned() {
    let mut state = ordering();
    let cmds =
        reply(&mut state, Reply::OrderPlaced { order: order("pending", &["+13125550100"]), existing: false });
    let Request::CheckOrder { after: first, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    let cmds = reply(&mut state, Reply::OrderChecked(order("pending", &["+13125550100"])));
    let Request::CheckOrder { after: second, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert!(second > first, "{second:?} after {first:?}");
    assert_eq!(*first, Duration::from_millis(500));
    assert!(state.purchase_in_flight());
    // Ordered with the connection's id, the numbers are on it: the order says which,
    // and nothing is read or changed to assign them.
    let cmds = reply(&mut state, Reply::OrderChecked(order("success", &["+13125550100"])));
    assert_eq!(numbers(&state).screen, NumbersScreen::Done);
    let bought: Vec<(&str, Option<&str>)> = numbers(&state)
        .assigned
        .iter()
        .map(|n| (n.phone_number.as_str(), n.connection_id.as_deref()))
        .collect();
    assert_eq!(bought, [("+13125550100", Some("1293384261075731402"))]);
    assert_eq!(
        state.ctx.desired.account.numbers,
        ["+13125550100"],
        "on the connection, as the account has it"
    );
    assert!(!state.purchase_in_flight());
    // The header's balance is read again after the purchase, without holding the screen.
    let [Cmd::Call { op, request: Request::ReadBalance }] = cmds[..] else { panic!("{cmds:?}") };
    assert!(!state.busy(), "the summary of the purchase does not wait for the balance");
    let after = Balance { balance: "249.00".into(), ..balance() };
    state.update(Msg::Done { op, outcome: Ok(Reply::BalanceRead(after.clone())) });
    assert_eq!(state.ctx.setup.balance, Some(after));
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(only_call(&cmds), Request::ListCredentials { .. }));
}

/// On the order's first check after it was placed pending: the check's op.
fn checking_a_pending_order() -> (telnyx_setup::state::State, telnyx_setup::msg::OpId) {
    let mut state = ordering();
    let cmds =
        reply(&mut state, Reply::OrderPlaced { order: order("pending", &["+13125550100"]), existing: false });
    let [Cmd::Call { op, request: Request::CheckOrder { .. } }] = cmds[..] else { panic!("{cmds:?}") };
    assert!(numbers(&state).may_go_on(), "placed with the connection's id, the order may complete alone");
    (state, op)
}

#[test]
fn enter_goes_on_while_the_order_completes_in_the_background() {
    let (mut state, first_check) = checking_a_pending_order();
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("Enter continue") && screen.contains("Press Enter to go on"), "{screen}");
    // Step 7's list is read; the check on its way is the background's now.
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(matches!(state.step, Step::Credential(_)), "{cmds:?}");
    assert!(matches!(only_call(&cmds), Request::ListCredentials { .. }));
    assert!(state.ctx.order_completing());
    assert_eq!(state.ctx.numbers_text(), "+13125550100: Telnyx is completing the order (a re-run finds it)");
    // Still pending: checked again, later, without touching the screen.
    let pending = Reply::OrderChecked(order("pending", &["+13125550100"]));
    let cmds = state.update(Msg::Done { op: first_check, outcome: Ok(pending) });
    let [Cmd::Call { op: second_check, request: Request::CheckOrder { after, .. } }] = cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(after, Duration::from_secs(1), "the backoff goes on from the checks made on screen");
    assert!(state.busy(), "the credentials list is still the screen's own wait");
    // Completed: its numbers are the setup's, and the balance is read again.
    let done = Reply::OrderChecked(order("success", &["+13125550100"]));
    let cmds = state.update(Msg::Done { op: second_check, outcome: Ok(done) });
    assert_eq!(sent(&cmds), [&Request::ReadBalance]);
    assert!(!state.ctx.order_completing());
    assert_eq!(state.ctx.numbers_text(), "+13125550100");
    assert_eq!(state.ctx.setup.order.as_ref().and_then(|o| o.status.as_deref()), Some("success"));
}

#[test]
fn an_order_that_fails_in_the_background_says_so_in_the_summary() {
    for outcome in [Ok(Reply::OrderChecked(order("failure", &["+13125550100"]))), Err(ApiError::Timeout)] {
        let failed = outcome.is_ok();
        let (mut state, check) = checking_a_pending_order();
        press(&mut state, KeyCode::Enter);
        assert!(state.update(Msg::Done { op: check, outcome }).is_empty());
        assert!(!state.ctx.order_completing());
        let expected = if failed {
            "none: the order failed, nothing was bought"
        } else {
            // Unchecked, it stands at Telnyx as last seen; a re-run looks it up.
            "+13125550100: Telnyx is completing the order (a re-run finds it)"
        };
        assert_eq!(state.ctx.numbers_text(), expected);
    }
}

#[test]
fn an_order_without_the_connection_is_not_left_to_complete_alone() {
    let mut state = ordering();
    let foreign =
        telnyx_setup::api::NumberOrder { connection_id: None, ..order("pending", &["+13125550100"]) };
    reply(&mut state, Reply::OrderPlaced { order: foreign, existing: true });
    assert!(!numbers(&state).may_go_on(), "its numbers would need assigning, a write");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(state.step, Step::Numbers(_)) && state.busy());
}

#[test]
fn an_order_telnyx_settled_without_the_connection_has_its_numbers_assigned() {
    let mut state = ordering();
    let unassigned =
        telnyx_setup::api::NumberOrder { connection_id: None, ..order("success", &["+13125550100"]) };
    let cmds = reply(&mut state, Reply::OrderPlaced { order: unassigned, existing: true });
    assert_eq!(
        only_call(&cmds),
        &Request::AssignNumbers {
            connection_id: "1293384261075731402".into(),
            phone_numbers: vec!["+13125550100".into()]
        }
    );
    let cmds = reply(&mut state, Reply::NumbersAssigned(vec![owned("+13125550100")]));
    assert_eq!(numbers(&state).screen, NumbersScreen::Done);
    assert_eq!(state.ctx.desired.account.numbers, ["+13125550100"]);
    assert_eq!(only_call(&cmds), &Request::ReadBalance);
}

#[test]
fn a_connection_made_in_this_run_has_no_credentials_to_list() {
    let mut state = at_numbers();
    state.ctx.setup.connection_new = true;
    let cmds = press(&mut state, KeyCode::Char('s'));
    assert!(cmds.is_empty(), "nothing to list: {cmds:?}");
    let Step::Credential(step) = &state.step else { panic!() };
    assert_eq!(step.list.items.as_deref().map(<[_]>::len), Some(0));
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateCredential { known, first_try, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!((known.as_deref(), *first_try), (Some(&[][..]), true), "the empty list stands for the look");
}

#[test]
fn a_failed_order_is_reported_and_the_wizard_goes_on() {
    let mut state = ordering();
    reply(&mut state, Reply::OrderPlaced { order: order("failure", &["+13125550100"]), existing: false });
    assert_eq!(numbers(&state).screen, NumbersScreen::Done);
    assert!(state.ctx.desired.account.numbers.is_empty());
    assert!(matches!(only_call(&press(&mut state, KeyCode::Enter)), Request::ListCredentials { .. }));
}

#[test]
fn a_refused_order_shows_telnyx_detail_on_the_question() {
    let mut state = ordering();
    let error = ApiError::Invalid {
        status: 422,
        errors: vec![telnyx_error(
            "10015",
            "Invalid value",
            "+13125550100 is no longer available",
            Some("/phone_numbers/0/phone_number"),
        )]
        .into(),
    };
    fail(&mut state, error.clone());
    assert_eq!(numbers(&state).activity.problem, Some(Problem::Api(error)));
    assert!(state.ctx.desired.account.numbers.is_empty());
}

#[test]
fn quitting_during_an_order_asks_first() {
    let mut state = ordering();
    assert!(press(&mut state, KeyCode::Char('q')).is_empty(), "q asks first");
    assert!(state.confirm_quit);
    assert!(press(&mut state, KeyCode::Char('n')).is_empty());
    assert!(!state.confirm_quit);
    assert!(ctrl(&mut state, 'c').is_empty(), "Ctrl-C asks too");
    assert_eq!(ctrl(&mut state, 'c'), vec![Cmd::Quit], "a second Ctrl-C quits");
}

#[test]
fn esc_cannot_cancel_an_order_once_sent() {
    let mut state = ordering();
    let hints = state.hints();
    assert!(!hints.iter().any(|(key, _)| key == "Esc"), "{hints:?}");
    assert!(press(&mut state, KeyCode::Esc).is_empty(), "no Cmd::Cancel for the order");
    assert!(state.busy(), "still waiting for the order's answer");
    assert!(state.purchase_in_flight());
    assert!(press(&mut state, KeyCode::Char('q')).is_empty(), "so quitting still asks");
    assert!(state.confirm_quit);
}

#[test]
fn an_order_found_from_an_earlier_try_is_said_to_be_so() {
    let mut state = ordering();
    reply(&mut state, Reply::OrderPlaced { order: order("pending", &["+13125550100"]), existing: true });
    assert!(numbers(&state).order_found);
}

// ----- step 7: credential -----

#[test]
fn enter_creates_a_credential_with_the_defaults() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![credential()])));
    // The connection's credential is highlighted (Enter would keep it): up to "+ Create".
    press(&mut state, KeyCode::Up);
    press(&mut state, KeyCode::Enter);
    let cmds = press(&mut state, KeyCode::Enter);
    // The connection has a credential of the suggested name: the next is free.
    let expected = NewTelephonyCredential {
        connection_id: "1293384261075731402".into(),
        name: Some("WebRTC login for WebRTC (telnyx-setup) 2".into()),
        tag: Some("telnyx-setup".into()),
        expires_at: None,
    };
    // The credential the user was shown is named, so the worker never mistakes it
    // for one an earlier try created.
    let known = Some(vec![credential().id]);
    let request = Request::CreateCredential { body: expected.clone(), known: known.clone(), first_try: true };
    assert_eq!(only_call(&cmds), &request, "the list just shown stands for the look before the try");
    // A second send (the first timed out) is not a first try: the worker looks first.
    fail(&mut state, telnyx_setup::api::ApiError::Timeout);
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(only_call(&cmds), &Request::CreateCredential { body: expected, known, first_try: false });
}

#[test]
fn an_expiry_date_is_checked_and_sent_as_a_timestamp() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![])));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "2030-02-30");
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "February has no 30th");
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "28");
    let cmds = press(&mut state, KeyCode::Enter);
    let Request::CreateCredential { body, .. } = only_call(&cmds) else { panic!("{cmds:?}") };
    assert_eq!(body.expires_at.as_deref(), Some("2030-02-28T00:00:00Z"));
}

#[test]
fn a_created_credential_shows_its_sip_details_and_enter_goes_to_the_token() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![])));
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::CredentialCreated(credential()));
    let Step::Credential(step) = &state.step else { panic!() };
    assert_eq!(step.chosen, Some(credential()));
    assert!(!step.reveal);
    press(&mut state, KeyCode::Char('r'));
    let Step::Credential(step) = &state.step else { panic!() };
    assert!(step.reveal);
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "the token waits for Enter");
    assert!(matches!(state.step, Step::Token(_)));
    assert_eq!(state.ctx.setup.credential, Some(credential()));
}

#[test]
fn an_existing_credential_can_be_picked() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![credential()])));
    press(&mut state, KeyCode::Down);
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let Step::Credential(step) = &state.step else { panic!() };
    assert_eq!(step.chosen, Some(credential()));
}

// ----- step 8: token -----

#[test]
fn the_token_expiry_comes_from_the_jwt() {
    let state = at_token();
    let Step::Token(step) = &state.step else { panic!() };
    let token = step.token.as_ref().unwrap();
    assert_eq!(token.expires_at, Some(NOW_SECS as i64 + 24 * 3600));
    assert!(state.shows_clock());
    assert!(state.ctx.done().iter().all(|done| *done), "{:?}", state.ctx.done());
}

#[test]
fn y_copies_the_token_and_the_outcome_is_shown() {
    let mut state = at_token();
    let cmds = press(&mut state, KeyCode::Char('y'));
    assert_eq!(cmds, vec![Cmd::CopySecret(jwt())]);
    state.update(Msg::Copied(Ok(CopyMethod::Osc52)));
    let Step::Token(step) = &state.step else { panic!() };
    assert_eq!(step.copied, Some(Ok(CopyMethod::Osc52)));
    state.update(Msg::Copied(Err(CopyError("no terminal".into()))));
    let Step::Token(step) = &state.step else { panic!() };
    assert!(matches!(step.copied, Some(Err(_))));
}

#[test]
fn g_generates_a_fresh_token_and_enter_shows_the_summary() {
    let mut state = at_token();
    let cmds = press(&mut state, KeyCode::Char('g'));
    assert!(matches!(only_call(&cmds), Request::CreateToken { .. }));
    reply(&mut state, Reply::TokenCreated(jwt()));
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(state.step, Step::Finish(_)));
    assert_eq!(press(&mut state, KeyCode::Enter), vec![Cmd::Quit]);
}

#[test]
fn an_unreadable_token_still_works_without_an_expiry() {
    let token = telnyx_setup::setup::LoginToken::new(telnyx_setup::secret::Secret::from("not-a-jwt"));
    assert_eq!(token.expires_at, None);
}

#[test]
fn the_summary_offers_the_doctor_as_a_last_check() {
    let mut state = at_token();
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.step, Step::Finish(_)));
    let cmds = press(&mut state, KeyCode::Char('d'));
    assert_eq!(
        only_call(&cmds),
        &Request::Diagnose { connection_id: "1293384261075731402".into(), trial_token: true },
        "the wizard may generate a trial token; the inspector never does"
    );
    let facts = telnyx_setup::doctor::Facts {
        connection_id: "1293384261075731402".into(),
        connection: Some(connection("1293384261075731402", "WebRTC (telnyx-setup)", &["OPUS", "VP8"], None)),
        ..Default::default()
    };
    reply(&mut state, Reply::Diagnosed(telnyx_setup::doctor::diagnose(&facts)));
    let Step::Finish(step) = &state.step else { panic!() };
    assert!(step.report.as_ref().is_some_and(|r| !r.ok));
    press(&mut state, KeyCode::Esc);
    let Step::Finish(step) = &state.step else { panic!("Esc closes the report first") };
    assert!(step.report.is_none());
}

/// Found by tests/it/properties.rs: a price at the edge of i64 overflowed the cart's sum
/// (a panic in debug builds, a wrong total in release ones).
#[test]
fn an_absurd_price_is_flagged_instead_of_overflowing_the_total() {
    let mut state = at_results_with(vec![
        available("+13125550100", "1.00", "92233720368547758.07"),
        available("+13125550101", "1.00", "1.00"),
    ]);
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Char(' '));
    let step = numbers(&state);
    assert_eq!(step.cart.len(), 2);
    assert_eq!(step.unpriced(), 1, "the unreadable price is flagged");
    assert_eq!(step.total_text(), "2.00 USD now, 1.00 USD a month");
}

/// Issue 20, names: a new credential's suggested name is free among the connection's
/// credentials, and a name one of them has is flagged on the form as it is typed; Enter
/// then uses that credential, with nothing sent, so `setup --credential NAME` always
/// knows which one a name means.
#[test]
fn a_credential_name_the_connection_has_is_reused_and_the_suggestion_is_free() {
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![credential()])));
    // Up to "+ Create a new", then the form.
    press(&mut state, KeyCode::Up);
    press(&mut state, KeyCode::Enter);
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("WebRTC login for WebRTC (telnyx-setup) 2"), "a free name:\n{screen}");
    // The taken name: flagged before Enter, and Enter uses that credential, sending nothing.
    for _ in 0..2 {
        press(&mut state, KeyCode::Backspace);
    }
    let screen = screen_text(&state, 100, 30);
    assert!(
        screen.contains("A credential named “WebRTC login for WebRTC (telnyx-setup)” exists already"),
        "{screen}"
    );
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(cmds.is_empty(), "{cmds:?}");
    let Step::Credential(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.chosen.as_ref().map(|c| c.id.as_str()), Some(credential().id.as_str()));
}

/// "Keep what it has" (issue 20): on a connection with credentials, step 7 highlights
/// its newest that has not expired, the one `setup` keeps when `--credential` is left
/// out, so Enter, Enter goes on with it and makes none (before, "+ Create a new" was
/// highlighted and Enter made another).
#[test]
fn step_7_highlights_the_connections_newest_credential_that_can_log_in() {
    let made = |id: &str, name: &str, at: &str| telnyx_setup::api::TelephonyCredential {
        id: id.into(),
        name: Some(name.into()),
        created_at: Some(at.into()),
        ..credential()
    };
    let older = made("11111111-1111-4111-8111-111111111111", "Desk A", "2026-11-01T10:00:00Z");
    let newer = made("22222222-2222-4222-8222-222222222222", "Desk B", "2026-11-02T10:00:00Z");
    let expired = telnyx_setup::api::TelephonyCredential {
        expires_at: Some("2026-11-20T00:00:00Z".into()),
        ..made("33333333-3333-4333-8333-333333333333", "Desk C", "2026-11-03T10:00:00Z")
    };
    let mut state = at_numbers();
    press(&mut state, KeyCode::Char('s'));
    reply(&mut state, Reply::CredentialsListed(page(vec![older, newer.clone(), expired])));
    let Step::Credential(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.list.cursor, 2, "Desk B: the newest that has not expired");
    assert!(sent(&press(&mut state, KeyCode::Enter)).is_empty());
    let cmds = press(&mut state, KeyCode::Enter);
    assert!(!sent(&cmds).iter().any(|r| matches!(r, Request::CreateCredential { .. })), "{cmds:?}");
    let Step::Token(step) = &state.step else { panic!("{:?}", state.step) };
    assert_eq!(step.credential.id, newer.id);
}

/// A cart with a price that cannot be read (or one in another currency than the
/// account's) is refused at its review, as `setup --buy-numbers` refuses its plan:
/// nothing is asked, nothing is sent, and the screen says which number and why.
#[test]
fn a_cart_with_an_unknown_price_is_refused_at_its_review() {
    let mut euros = available("+13125550101", "1.00", "1.00");
    euros.cost_information.currency = "EUR".into();
    for offered in [available("+13125550100", "n/a", "1.00"), euros] {
        let number = offered.phone_number.clone();
        let mut state = at_results_with(vec![offered]);
        press(&mut state, KeyCode::Enter); // into the cart
        press(&mut state, KeyCode::Enter); // the cart
        let cmds = press(&mut state, KeyCode::Enter); // its review
        assert!(cmds.is_empty(), "nothing looked up, nothing bought: {cmds:?}");
        assert_eq!(numbers(&state).screen, NumbersScreen::Cart, "no question");
        let problem = format!("{:?}", numbers(&state).activity.problem);
        assert!(problem.contains(&number) && problem.contains("unknown price"), "{problem}");
        assert!(state.ctx.desired.wanted.as_ref().is_some_and(|w| w.numbers.is_none()), "nothing wanted");
    }
}
