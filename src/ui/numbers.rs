//! Step 6's screens: the intro, the search form, results, the cart with its totals,
//! the purchase confirmation, the order's progress and the assigned numbers.

use super::form::{FormView, Layout, draw_with_cursor};
use super::theme::{CHECKED, DONE, FAILED, Theme, UNCHECKED};
use super::widgets::{ellipsize, fact, inline_choice, paragraph, rows, select_list};
use crate::api::{AvailableNumber, NUMBER_FEATURES, NUMBER_TYPES};
use crate::state::form::Fields;
use crate::state::{NumbersScreen, NumbersStep, SearchField, plural};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Row, Table, TableState};

/// Why a number, and the catch with token logins, said plainly.
const TOKEN_NOTE: &str = "A client that logs in with a token (step 8) cannot be called on a number: \
     calls to the number ring clients that log in with the connection's SIP user name and password.";

/// `account`: the account the purchase question names (production, not the default).
pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &NumbersStep, account: Option<String>) {
    match step.screen {
        NumbersScreen::Intro => draw_intro(frame, area, theme, step),
        NumbersScreen::Search => draw_search(frame, area, theme, step),
        NumbersScreen::Results => draw_results(frame, area, theme, step),
        NumbersScreen::Cart | NumbersScreen::Confirm => draw_cart(frame, area, theme, step, account),
        NumbersScreen::Ordering | NumbersScreen::Done => draw_order(frame, area, theme, step),
    }
}

fn draw_intro(frame: &mut Frame, area: Rect, theme: &Theme, step: &NumbersStep) {
    let mut lines = vec![
        Line::raw("Optional: a phone number lets people call this connection from ordinary phones."),
        Line::raw(""),
    ];
    let owned = step.existing.as_deref().unwrap_or_default();
    if !owned.is_empty() {
        let numbers: Vec<&str> = owned.iter().take(3).map(|n| n.phone_number.as_str()).collect();
        let more = if owned.len() > 3 { ", …" } else { "" };
        lines.push(Line::styled(
            format!(
                "{DONE} {} already ordered for this connection ({}{more}).",
                plural(owned.len(), "number"),
                numbers.join(", ")
            ),
            theme.done(),
        ));
        lines.push(Line::raw(""));
        lines.push(Line::raw("Press Enter to go on with them (nothing is bought), or n to buy more."));
        frame.render_widget(paragraph(lines), area);
        return;
    }
    lines.extend([
        Line::raw(
            "You search, choose numbers, and see the price; nothing is bought until you confirm with y.",
        ),
        Line::raw("The numbers are assigned to the connection."),
        Line::raw(""),
        Line::styled(TOKEN_NOTE, theme.warning()),
        Line::raw(""),
    ]);
    lines.push(Line::raw(if step.skipped_before {
        "The setup you continue skipped this step: press Enter to skip it again, or n to search for numbers."
    } else {
        "Press Enter to search for numbers, or s to skip this step."
    }));
    frame.render_widget(paragraph(lines), area);
}

fn draw_search(frame: &mut Frame, area: Rect, theme: &Theme, step: &NumbersStep) {
    let form = &step.form;
    let [intro, fields] = rows(area, [2, 0]);
    frame
        .render_widget(paragraph(Line::raw("Search available numbers. Empty fields match anything.")), intro);
    let choice = |field: SearchField, focused: bool| match field {
        SearchField::Type => {
            let options = NUMBER_TYPES.iter().enumerate().map(|(i, (_, label))| {
                let chosen = i == form.number_type;
                (*label, chosen, chosen)
            });
            inline_choice(theme, field.label(), focused, options, fields.width)
        }
        _ => {
            let options = NUMBER_FEATURES
                .iter()
                .enumerate()
                .map(|(i, name)| (*name, form.features[i], i == form.feature_cursor));
            inline_choice(theme, field.label(), focused, options, fields.width)
        }
    };
    let view = FormView {
        active: !step.activity.busy(),
        choice: &choice,
        ..FormView::new(&form.fields, theme, Layout::Inline)
    };
    draw_with_cursor(frame, fields, &view);
}

/// "Chicago, IL" from a number's region information.
fn place(number: &AvailableNumber) -> String {
    let parts: Vec<&str> = ["location", "state"].iter().filter_map(|kind| number.region(kind)).collect();
    if parts.is_empty() { number.region("country_code").unwrap_or("").to_owned() } else { parts.join(", ") }
}

/// A number's features, short enough for a table cell: "voice SMS MMS E911 HD".
fn features(number: &AvailableNumber) -> String {
    let short: Vec<&str> = number
        .feature_names()
        .into_iter()
        .map(|name| match name {
            "sms" => "SMS",
            "mms" => "MMS",
            "emergency" => "E911",
            "hd_voice" => "HD",
            "international_sms" => "intl\u{a0}SMS",
            other => other,
        })
        .collect();
    short.join(" ")
}

/// The words of `text` that fit in `width` columns, then "…" for the rest: a feature
/// list cut between features ("voice SMS MMS …"), never inside one ("E9…").
fn fit_words(text: &str, width: u16) -> String {
    let width = usize::from(width);
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut fitted = String::new();
    for word in text.split(' ') {
        if fitted.chars().count() + word.chars().count() + 1 > width.saturating_sub(1) {
            break;
        }
        fitted.push_str(word);
        fitted.push(' ');
    }
    fitted.push('…');
    fitted
}

/// Narrower than this, the features column is left out rather than cut to a stub.
const MIN_FEATURES_WIDTH: u16 = 9;

/// Column widths for `width` cells: the number always whole, then the prices, and
/// what is left shared by place and features, which give way first.
fn result_widths(step: &NumbersStep, width: u16) -> [u16; 6] {
    let longest = |cells: &mut dyn Iterator<Item = usize>, header: &str| {
        cells.max().unwrap_or(0).max(header.chars().count()) as u16
    };
    let price = |cost: &str, currency: &str| format!("{cost} {currency}").chars().count();
    let results = &step.results;
    let number = longest(&mut results.iter().map(|n| n.phone_number.chars().count()), "Number");
    let upfront = longest(
        &mut results.iter().map(|n| price(&n.cost_information.upfront_cost, &n.cost_information.currency)),
        "Upfront",
    );
    let monthly = longest(
        &mut results.iter().map(|n| price(&n.cost_information.monthly_cost, &n.cost_information.currency)),
        "Monthly",
    );
    let place_need = longest(&mut results.iter().map(|n| place(n).chars().count()), "Where");
    let features_need = longest(&mut results.iter().map(|n| features(n).chars().count()), "Features");
    // Borders, the highlight symbol and one space between each of the six columns.
    let room = width.saturating_sub(2 + 2 + 5);
    let mark = 3;
    let mut rest = room.saturating_sub(mark + number);
    let mut take = |want: u16| {
        let got = want.min(rest);
        rest -= got;
        got
    };
    let (upfront, monthly) = (take(upfront), take(monthly));
    // The place keeps its width where it can (a city is how people tell numbers apart);
    // the features take what is left, and where that is too narrow to say anything
    // ("voice S…"), their column goes and the place has it all.
    let features = if rest >= place_need + features_need {
        features_need
    } else {
        features_need.min(rest * 2 / 5).max(rest.saturating_sub(place_need))
    };
    let features = if features < MIN_FEATURES_WIDTH { 0 } else { features };
    let place = rest.saturating_sub(features);
    [mark, number, place, features, upfront, monthly]
}

fn draw_results(frame: &mut Frame, area: Rect, theme: &Theme, step: &NumbersStep) {
    let header = Row::new(["", "Number", "Where", "Features", "Upfront", "Monthly"]).style(theme.dim());
    let widths = result_widths(step, area.width);
    // Cut cells end in "…", so a cut place or feature list reads as cut.
    let cell = |text: String, width: u16| ellipsize(Line::raw(text), usize::from(width));
    let rows: Vec<Row> = step
        .results
        .iter()
        .map(|number| {
            let mark = if step.in_cart(&number.phone_number) { CHECKED } else { UNCHECKED };
            let cost = &number.cost_information;
            Row::new([
                Line::raw(mark),
                Line::raw(number.phone_number.clone()),
                cell(place(number), widths[2]),
                Line::raw(fit_words(&features(number), widths[3])),
                Line::raw(format!("{} {}", cost.upfront_cost, cost.currency)),
                Line::raw(format!("{} {}", cost.monthly_cost, cost.currency)),
            ])
        })
        .collect();
    let widths = widths.map(Constraint::Length);
    let kind = NUMBER_TYPES[step.form.number_type].1;
    let title = format!(" {} ({kind}) · cart: {} ", plural(step.results.len(), "number"), step.cart.len());
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title))
        .row_highlight_style(theme.selected())
        .highlight_symbol(super::theme::POINTER);
    let mut state = TableState::default().with_selected(Some(step.cursor));
    frame.render_stateful_widget(table, area, &mut state);
}

fn draw_cart(frame: &mut Frame, area: Rect, theme: &Theme, step: &NumbersStep, account: Option<String>) {
    let confirming = step.screen == NumbersScreen::Confirm;
    // The question's step of the plan on the body's last lines, wrapped as the other
    // screens' Enter lines are (`ui::view`): its numbers and prices are what `y` buys.
    let area = match step.buy_line() {
        Some(text) if area.height > 4 => {
            let line = paragraph(Line::styled(text, theme.current()));
            let height =
                (line.line_count(area.width) as u16).clamp(1, super::PLAN_LINES).min(area.height - 4);
            let [rest, bottom] =
                ratatui::layout::Layout::vertical([Constraint::Min(1), Constraint::Length(height)])
                    .areas(area);
            frame.render_widget(line, bottom);
            rest
        }
        _ => area,
    };
    let [list, totals] = rows(area, [step.cart.len() as u16 + 2, 0]);
    // Borders and the highlight symbol; the prices always show whole, and the place
    // takes the room left (none at 60 columns rather than a stub).
    let room = usize::from(list.width.saturating_sub(4));
    let prices: Vec<String> = step
        .cart
        .iter()
        .map(|number| {
            let cost = &number.cost_information;
            format!(
                "{} {} now, {} {} a month",
                cost.upfront_cost, cost.currency, cost.monthly_cost, cost.currency
            )
        })
        .collect();
    let price_width = prices.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    let place_width = room.saturating_sub(17 + price_width + 1).min(24);
    let items = step
        .cart
        .iter()
        .zip(prices)
        .map(|(number, price)| {
            let mut spans = vec![Span::raw(format!("{:<16} ", number.phone_number))];
            if place_width >= 8 {
                let place = ellipsize(Line::raw(place(number)), place_width).to_string();
                spans.push(Span::styled(format!("{place:<place_width$} "), theme.dim()));
            }
            spans.push(Span::raw(price));
            Line::from(spans)
        })
        .collect();
    let title = format!(" Cart: {} ", plural(step.cart.len(), "number"));
    select_list(frame, list, theme, items, step.cart_cursor, Block::bordered().title(title));
    let mut lines = vec![
        fact(theme, "Total", step.total_text()),
        fact(
            theme,
            "Assigned to",
            format!("{} (id {})", step.connection.connection_name, step.connection.id),
        ),
    ];
    if step.unpriced() > 0 {
        lines.push(Line::styled(
            format!(
                "{} could not be priced (0 in the total): nothing is bought at an unknown price.",
                plural(step.unpriced(), "number")
            ),
            theme.warning(),
        ));
    }
    lines.push(Line::raw(""));
    if confirming {
        lines.push(Line::styled(
            match account {
                Some(name) => format!(
                    "Buy {} for {} in account {name}? [y/N]",
                    plural(step.cart.len(), "number"),
                    step.total_text()
                ),
                None => format!("Buy {} for {}? [y/N]", plural(step.cart.len(), "number"), step.total_text()),
            },
            theme.current(),
        ));
    } else {
        lines.push(Line::raw("Press Enter to review the purchase; nothing is bought until you confirm."));
    }
    frame.render_widget(paragraph(lines), totals);
}

fn draw_order(frame: &mut Frame, area: Rect, theme: &Theme, step: &NumbersStep) {
    let Some(order) = &step.order else { return };
    let mut lines = vec![fact(theme, "Order", format!("{} ({})", order.id, order.status))];
    if step.order_found {
        lines.push(Line::styled(
            "This is the order an earlier try placed (its answer was lost): nothing was bought twice.",
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    if step.screen == NumbersScreen::Done && !step.assigned.is_empty() {
        lines.push(Line::styled(
            format!(
                "{DONE} {} bought and assigned to {}:",
                plural(step.assigned.len(), "number"),
                step.connection.connection_name
            ),
            theme.done(),
        ));
        for number in &step.assigned {
            let connection =
                number.connection_name.clone().or(number.connection_id.clone()).unwrap_or_default();
            lines.push(Line::raw(format!("  {}  {}  on {connection}", number.phone_number, number.status)));
        }
    } else {
        for number in &order.phone_numbers {
            let status = number.status.as_deref().unwrap_or("pending");
            let symbol = match status {
                "success" => DONE,
                "failure" => FAILED,
                _ => "…",
            };
            let mut line = format!("  {symbol} {}  {status}", number.phone_number);
            if number.requirements_met == Some(false) {
                let requirement = number.requirements_status.as_deref().unwrap_or("pending");
                line.push_str(&format!("  (documents required: {requirement})"));
            }
            lines.push(Line::raw(line));
        }
        if order.phone_numbers.iter().any(|n| n.requirements_met == Some(false))
            || order.requirements_met == Some(false)
        {
            lines.push(Line::styled(
                "Telnyx needs regulatory documents before these numbers work; add them in the portal under Numbers > My Number Orders.",
                theme.warning(),
            ));
        }
        if order.status == "failure" {
            lines.push(Line::styled(
                "The order failed: nothing was bought. Press Enter to continue without numbers.",
                theme.error(),
            ));
        }
        if step.may_go_on() {
            lines.push(Line::styled(
                "Press Enter to go on while Telnyx completes it: the numbers come onto the connection by themselves, and the summary shows them.",
                theme.dim(),
            ));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(TOKEN_NOTE, theme.dim()));
    frame.render_widget(paragraph(lines), area);
}
