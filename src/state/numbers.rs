//! Step 6 (optional): search available numbers, put some in a cart, see the price,
//! confirm with `y`, order, follow the order until Telnyx settles it, and assign the
//! numbers to the connection.
//!
//! Never a double purchase: only `y` on the confirmation places an order; the order
//! carries a `customer_reference` derived from the cart, and the worker looks for an
//! order with that reference before creating one, so a retry after a timeout or a
//! return to this step finds the first order instead of buying again.

use super::pick::cycle;
use super::{Activity, Ctx, Problem, Step, TextField, Transition, move_cursor};
use crate::api::{
    AvailableNumber, CredentialConnection, NUMBER_FEATURES, NUMBER_TYPES, NewNumberOrder, NumberOrder,
    NumberSearch, OrderedNumberRequest, PhoneNumber,
};
use crate::countries;
use crate::money::{format_cents, parse_cents};
use crate::msg::{Reply, Request};
use crate::state::credential::CredentialStep;
use crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeMap;
use std::time::Duration;

/// Polling an order waits this long first, doubling up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(500);
const POLL_MAX: Duration = Duration::from_secs(8);
/// After this many checks the screen stops polling and offers Enter to check again.
const POLL_LIMIT: u32 = 12;
const DEFAULT_LIMIT: &str = "10";

/// Where in the step the user is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumbersScreen {
    /// What numbers are for, with the choice to search or skip.
    Intro,
    Search,
    Results,
    Cart,
    /// "Buy N numbers for <total>? [y/N]".
    Confirm,
    /// The order is placed; waiting for Telnyx to settle it.
    Ordering,
    /// The numbers are bought and assigned (or the order failed).
    Done,
}

/// The search form's rows, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    Country,
    City,
    AreaCode,
    Contains,
    Type,
    Features,
    Limit,
}

impl SearchField {
    pub const ALL: [SearchField; 7] = [
        SearchField::Country,
        SearchField::City,
        SearchField::AreaCode,
        SearchField::Contains,
        SearchField::Type,
        SearchField::Features,
        SearchField::Limit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SearchField::Country => "Country (ISO code)",
            SearchField::City => "City",
            SearchField::AreaCode => "Area code",
            SearchField::Contains => "Contains digits",
            SearchField::Type => "Type",
            SearchField::Features => "Features",
            SearchField::Limit => "How many",
        }
    }

    fn is_text(self) -> bool {
        !matches!(self, SearchField::Type | SearchField::Features)
    }
}

#[derive(Debug)]
pub struct SearchForm {
    pub country: TextField,
    pub city: TextField,
    pub area_code: TextField,
    pub contains: TextField,
    /// Index into [`NUMBER_TYPES`].
    pub number_type: usize,
    /// Which of [`NUMBER_FEATURES`] are required.
    pub features: [bool; NUMBER_FEATURES.len()],
    /// The highlighted feature while the features row has focus.
    pub feature_cursor: usize,
    pub limit: TextField,
    pub focus: SearchField,
}

impl SearchForm {
    fn new(country: &str) -> Self {
        let mut features = [false; NUMBER_FEATURES.len()];
        features[0] = true; // voice
        Self {
            country: TextField::new(country, 2),
            city: TextField::new("", 64),
            area_code: TextField::new("", 6),
            contains: TextField::new("", 15),
            number_type: 0,
            features,
            feature_cursor: 0,
            limit: TextField::new(DEFAULT_LIMIT, 3),
            focus: SearchField::Country,
        }
    }

    pub fn text(&self, field: SearchField) -> Option<&TextField> {
        match field {
            SearchField::Country => Some(&self.country),
            SearchField::City => Some(&self.city),
            SearchField::AreaCode => Some(&self.area_code),
            SearchField::Contains => Some(&self.contains),
            SearchField::Limit => Some(&self.limit),
            SearchField::Type | SearchField::Features => None,
        }
    }

    pub(super) fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self.focus {
            SearchField::Country => Some(&mut self.country),
            SearchField::City => Some(&mut self.city),
            SearchField::AreaCode => Some(&mut self.area_code),
            SearchField::Contains => Some(&mut self.contains),
            SearchField::Limit => Some(&mut self.limit),
            SearchField::Type | SearchField::Features => None,
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        self.focus = cycle(&SearchField::ALL, self.focus, forward);
    }

    /// Checks the form and builds the search, or says what to fix.
    fn search(&self) -> Result<NumberSearch, (SearchField, String)> {
        let country = self.country.value().trim().to_uppercase();
        if countries::by_code(&country).is_none() {
            return Err((
                SearchField::Country,
                format!("“{country}” is not a country code; use two letters, e.g. US."),
            ));
        }
        for (field, value) in
            [(SearchField::AreaCode, &self.area_code), (SearchField::Contains, &self.contains)]
        {
            if !value.value().trim().chars().all(|c| c.is_ascii_digit()) {
                return Err((field, format!("{} takes digits only.", field.label())));
            }
        }
        let limit = match self.limit.value().trim().parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err((SearchField::Limit, "Ask for 1 to 100 numbers.".into())),
        };
        Ok(NumberSearch {
            country_code: country,
            locality: self.city.value().trim().to_owned(),
            administrative_area: String::new(),
            national_destination_code: self.area_code.value().trim().to_owned(),
            contains: self.contains.value().trim().to_owned(),
            phone_number_type: NUMBER_TYPES[self.number_type].0.to_owned(),
            features: NUMBER_FEATURES
                .iter()
                .zip(self.features)
                .filter(|(_, on)| *on)
                .map(|(name, _)| (*name).to_owned())
                .collect(),
            limit,
        })
    }
}

/// Totals of a cart, per currency: (upfront, monthly) in cents.
pub type Totals = BTreeMap<String, (i64, i64)>;

#[derive(Debug)]
pub struct NumbersStep {
    /// The numbers are assigned to this connection.
    pub connection: CredentialConnection,
    pub screen: NumbersScreen,
    pub form: SearchForm,
    pub results: Vec<AvailableNumber>,
    pub cursor: usize,
    pub cart: Vec<AvailableNumber>,
    pub cart_cursor: usize,
    pub order: Option<NumberOrder>,
    /// The order was found by its reference, placed by an earlier try whose answer was
    /// lost, rather than placed now.
    pub order_found: bool,
    /// Checks of the order so far, for the backoff and the screen.
    pub polls: u32,
    pub assigned: Vec<PhoneNumber>,
    pub activity: Activity,
}

impl NumbersStep {
    /// The search country starts as the first whitelisted destination.
    pub fn new(connection: CredentialConnection, whitelist: &[String]) -> Self {
        let country = whitelist.first().map_or("US", String::as_str);
        Self {
            connection,
            screen: NumbersScreen::Intro,
            form: SearchForm::new(country),
            results: Vec::new(),
            cursor: 0,
            cart: Vec::new(),
            cart_cursor: 0,
            order: None,
            order_found: false,
            polls: 0,
            assigned: Vec::new(),
            activity: Activity::default(),
        }
    }

    pub fn text_focused(&self) -> bool {
        self.screen == NumbersScreen::Search && self.form.focus.is_text()
    }

    pub fn in_cart(&self, number: &str) -> bool {
        self.cart.iter().any(|n| n.phone_number == number)
    }

    /// The cart's totals per currency; amounts Telnyx sent unreadable count as zero
    /// and are flagged by [`NumbersStep::unpriced`].
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::new();
        for number in &self.cart {
            let cost = &number.cost_information;
            let entry = totals.entry(cost.currency.clone()).or_default();
            // Saturating: each amount is at most MAX_CENTS, so only an absurdly large
            // cart could reach the limit, and then the total shows it rather than wraps.
            entry.0 = entry.0.saturating_add(parse_cents(&cost.upfront_cost).unwrap_or(0));
            entry.1 = entry.1.saturating_add(parse_cents(&cost.monthly_cost).unwrap_or(0));
        }
        totals
    }

    /// Numbers in the cart whose price could not be read.
    pub fn unpriced(&self) -> usize {
        self.cart
            .iter()
            .filter(|n| {
                parse_cents(&n.cost_information.upfront_cost).is_none()
                    || parse_cents(&n.cost_information.monthly_cost).is_none()
            })
            .count()
    }

    /// "12.00 USD now, 12.00 USD a month".
    pub fn total_text(&self) -> String {
        let parts: Vec<String> = self
            .totals()
            .iter()
            .map(|(currency, (upfront, monthly))| {
                format!(
                    "{} {currency} now, {} {currency} a month",
                    format_cents(*upfront),
                    format_cents(*monthly)
                )
            })
            .collect();
        if parts.is_empty() { "nothing".to_owned() } else { parts.join(" + ") }
    }

    /// Identifies this cart's order: the same numbers for the same connection give the
    /// same reference, so an order placed before is found rather than repeated.
    pub fn order_reference(&self) -> String {
        let mut numbers: Vec<&str> = self.cart.iter().map(|n| n.phone_number.as_str()).collect();
        numbers.sort_unstable();
        // FNV-1a: stable across runs and Rust versions, unlike the std hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.connection.id.bytes().chain(numbers.join(",").bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("telnyx-setup-{hash:016x}")
    }

    /// Whether an order is placed and not settled: quitting then asks first.
    pub fn purchase_in_flight(&self) -> bool {
        matches!(self.screen, NumbersScreen::Confirm | NumbersScreen::Ordering) && self.activity.busy()
            || self.order.as_ref().is_some_and(|o| o.status == "pending")
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        match self.screen {
            NumbersScreen::Intro => match key.code {
                KeyCode::Enter => {
                    self.screen = NumbersScreen::Search;
                    Transition::none()
                }
                KeyCode::Char('s') => skip(self, ctx),
                KeyCode::Esc => Transition::Back,
                _ => Transition::none(),
            },
            NumbersScreen::Search => self.on_search_key(key, ctx),
            NumbersScreen::Results => self.on_results_key(key),
            NumbersScreen::Cart => self.on_cart_key(key),
            NumbersScreen::Confirm => self.on_confirm_key(key, ctx),
            NumbersScreen::Ordering => match key.code {
                // Polling stopped (limit reached or a failed check): check again.
                KeyCode::Enter => self.check_order(ctx),
                _ => Transition::none(),
            },
            NumbersScreen::Done => match key.code {
                KeyCode::Enter => self.advance(ctx),
                KeyCode::Esc => Transition::Back,
                _ => Transition::none(),
            },
        }
    }

    fn on_search_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        let form = &mut self.form;
        match key.code {
            KeyCode::Esc => {
                self.screen = NumbersScreen::Intro;
                self.activity.problem = None;
            }
            KeyCode::Tab | KeyCode::Down => form.cycle_focus(true),
            KeyCode::BackTab | KeyCode::Up => form.cycle_focus(false),
            KeyCode::Enter => match form.search() {
                Ok(search) => {
                    return Transition::run(ctx.call(
                        &mut self.activity,
                        "Searching for available numbers",
                        Request::SearchNumbers(search),
                    ));
                }
                Err((field, message)) => {
                    form.focus = field;
                    self.activity.fail(Problem::Input(message));
                }
            },
            KeyCode::Left | KeyCode::Right if form.focus == SearchField::Type => {
                let len = NUMBER_TYPES.len();
                form.number_type = if key.code == KeyCode::Right {
                    (form.number_type + 1) % len
                } else {
                    (form.number_type + len - 1) % len
                };
            }
            KeyCode::Char(' ') if form.focus == SearchField::Type => {
                form.number_type = (form.number_type + 1) % NUMBER_TYPES.len();
            }
            KeyCode::Left if form.focus == SearchField::Features => {
                form.feature_cursor = form.feature_cursor.saturating_sub(1);
            }
            KeyCode::Right if form.focus == SearchField::Features => {
                form.feature_cursor = (form.feature_cursor + 1).min(NUMBER_FEATURES.len() - 1);
            }
            KeyCode::Char(' ') if form.focus == SearchField::Features => {
                let on = &mut form.features[form.feature_cursor];
                *on = !*on;
            }
            KeyCode::Char('s') if !form.focus.is_text() => return skip(self, ctx),
            _ => {
                if let Some(field) = form.focused_text_mut()
                    && field.on_key(key)
                {
                    self.activity.problem = None;
                }
            }
        }
        Transition::none()
    }

    fn on_results_key(&mut self, key: KeyEvent) -> Transition {
        if move_cursor(&mut self.cursor, self.results.len(), &key, true) {
            return Transition::none();
        }
        match key.code {
            KeyCode::Esc => self.screen = NumbersScreen::Search,
            KeyCode::Char(' ') => self.toggle_highlighted(),
            KeyCode::Enter | KeyCode::Char('c') => {
                if self.cart.is_empty() {
                    self.toggle_highlighted();
                }
                if !self.cart.is_empty() {
                    self.cart_cursor = 0;
                    self.screen = NumbersScreen::Cart;
                }
            }
            _ => {}
        }
        Transition::none()
    }

    fn toggle_highlighted(&mut self) {
        let Some(number) = self.results.get(self.cursor) else { return };
        if let Some(index) = self.cart.iter().position(|n| n.phone_number == number.phone_number) {
            self.cart.remove(index);
        } else {
            self.cart.push(number.clone());
        }
    }

    fn on_cart_key(&mut self, key: KeyEvent) -> Transition {
        if move_cursor(&mut self.cart_cursor, self.cart.len(), &key, true) {
            return Transition::none();
        }
        match key.code {
            KeyCode::Esc => self.screen = NumbersScreen::Results,
            KeyCode::Char(' ') | KeyCode::Delete | KeyCode::Backspace => {
                if self.cart_cursor < self.cart.len() {
                    self.cart.remove(self.cart_cursor);
                    self.cart_cursor = self.cart_cursor.min(self.cart.len().saturating_sub(1));
                }
                if self.cart.is_empty() {
                    self.screen = NumbersScreen::Results;
                }
            }
            KeyCode::Enter if !self.cart.is_empty() => {
                self.activity.problem = None;
                self.screen = NumbersScreen::Confirm;
            }
            _ => {}
        }
        Transition::none()
    }

    /// Only `y` buys; any other key declines and goes back to the cart.
    fn on_confirm_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        if matches!(key.code, KeyCode::Char('y' | 'Y')) {
            let body = NewNumberOrder {
                phone_numbers: self
                    .cart
                    .iter()
                    .map(|n| OrderedNumberRequest { phone_number: n.phone_number.clone() })
                    .collect(),
                connection_id: Some(self.connection.id.clone()),
                customer_reference: Some(self.order_reference()),
            };
            let what = format!("Ordering {}", plural(self.cart.len(), "number"));
            return Transition::run(ctx.call(&mut self.activity, what, Request::PlaceOrder(body)));
        }
        self.screen = NumbersScreen::Cart;
        self.activity.fail(Problem::Input("Nothing was bought.".into()));
        Transition::none()
    }

    fn check_order(&mut self, ctx: &mut Ctx) -> Transition {
        let Some(order) = &self.order else { return Transition::none() };
        let after = POLL_FIRST.saturating_mul(1 << self.polls.min(5)).min(POLL_MAX);
        let request = Request::CheckOrder { id: order.id.clone(), after };
        let what = format!("Waiting for Telnyx to complete the order (check {})", self.polls + 1);
        Transition::run(ctx.call(&mut self.activity, what, request))
    }

    fn follow(&mut self, order: NumberOrder, ctx: &mut Ctx) -> Transition {
        let status = order.status.clone();
        self.order = Some(order);
        self.screen = NumbersScreen::Ordering;
        match status.as_str() {
            "success" => {
                let order = self.order.as_ref().expect("just set");
                let request = Request::AssignNumbers {
                    connection_id: self.connection.id.clone(),
                    phone_numbers: order.phone_numbers.iter().map(|n| n.phone_number.clone()).collect(),
                };
                Transition::run(ctx.call(
                    &mut self.activity,
                    "Assigning the numbers to the connection",
                    request,
                ))
            }
            "failure" => {
                self.screen = NumbersScreen::Done;
                Transition::none()
            }
            _ if self.polls >= POLL_LIMIT => {
                self.activity.fail(Problem::Input(
                    "Telnyx is still processing the order. Press Enter to check again.".into(),
                ));
                Transition::none()
            }
            _ => {
                let transition = self.check_order(ctx);
                self.polls += 1;
                transition
            }
        }
    }

    pub(super) fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::NumbersFound(numbers) => {
                self.results = numbers;
                self.cursor = 0;
                if self.results.is_empty() {
                    self.activity.fail(Problem::Input(
                        "No numbers match. Try another city or area code, fewer digits, or another type."
                            .into(),
                    ));
                } else {
                    self.screen = NumbersScreen::Results;
                }
                Transition::none()
            }
            Reply::OrderPlaced { order, existing } => {
                self.order_found = existing;
                self.polls = 0;
                self.follow(order, ctx)
            }
            Reply::OrderChecked(order) => self.follow(order, ctx),
            Reply::NumbersAssigned(numbers) => {
                self.assigned = numbers;
                self.screen = NumbersScreen::Done;
                ctx.setup.numbers = self.assigned.clone();
                Transition::none()
            }
            _ => Transition::none(),
        }
    }

    /// A failed check while ordering leaves the screen on the order, where Enter checks
    /// again; the generic handling shows the error.
    pub(super) fn on_error(&mut self) {
        if self.order.is_some() && self.screen == NumbersScreen::Ordering && self.assigned.is_empty() {
            self.polls = self.polls.max(1);
        }
    }

    fn advance(&mut self, ctx: &mut Ctx) -> Transition {
        ctx.setup.numbers_step_done = true;
        let mut next = CredentialStep::new(self.connection.clone());
        let cmds = next.reload(ctx);
        Transition::next(Step::Credential(next), cmds)
    }

    /// What retries a failed request here, where it is not Enter.
    pub fn retry_hint(&self) -> Option<&'static str> {
        (self.screen == NumbersScreen::Confirm)
            .then_some("Press y to try again: the order is looked up first, so nothing is bought twice.")
    }

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        match self.screen {
            NumbersScreen::Intro => vec![("Enter", "search numbers"), ("s", "skip")],
            NumbersScreen::Search => match self.form.focus {
                SearchField::Type => {
                    vec![("Enter", "search"), ("←→", "type"), ("Tab", "next"), ("s", "skip")]
                }
                SearchField::Features => {
                    vec![
                        ("Enter", "search"),
                        ("←→", "move"),
                        ("Space", "toggle"),
                        ("Tab", "next"),
                        ("s", "skip"),
                    ]
                }
                _ => vec![("Enter", "search"), ("Tab", "next field"), ("Esc", "back")],
            },
            NumbersScreen::Results => {
                vec![("↑↓", "move"), ("Space", "add/remove"), ("Enter", "cart"), ("Esc", "search")]
            }
            NumbersScreen::Cart => vec![("Enter", "buy…"), ("Space", "remove"), ("Esc", "results")],
            NumbersScreen::Confirm => vec![("y", "buy"), ("n", "don't buy"), ("Esc", "cart")],
            NumbersScreen::Ordering => vec![("Enter", "check again")],
            NumbersScreen::Done => vec![("Enter", "continue")],
        }
    }
}

fn skip(step: &mut NumbersStep, ctx: &mut Ctx) -> Transition {
    ctx.setup.numbers_skipped = true;
    step.advance(ctx)
}

/// "1 number", "3 numbers".
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
