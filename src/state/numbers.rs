//! Step 6 (optional): search available numbers, put some in a cart, see the price,
//! confirm with `y`, order, follow the order until Telnyx settles it, and assign the
//! numbers to the connection.
//!
//! Never a double purchase: only `y` on the confirmation places an order; the order
//! carries a `customer_reference` derived from the cart, and the worker looks for an
//! order with that reference before creating one, so a retry after a timeout or a
//! return to this step finds the first order instead of buying again.

use super::form::{Fields, Form, FormEvent, fields};
use super::keys::{Action, Binding, MOVE, MOVE_HELP};
use super::screen::{Input, Screen, activity_field};
use super::{Activity, Ctx, Problem, Step, TextField, Transition, move_cursor};
use crate::api::{
    ApiError, AvailableNumber, CredentialConnection, NUMBER_FEATURES, NUMBER_TYPES, NewNumberOrder,
    NumberOrder, NumberSearch, PhoneNumber,
};
use crate::countries;
use crate::money::{format_cents, parse_price};
use crate::msg::{Reply, Request};
use crate::setup::plan::Step as PlanStep;
use crate::setup::{Ended, Next, OrderFollower, Part, order_reference};
use std::collections::BTreeMap;

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

fields! {
    /// The search form's rows, in focus order.
    pub enum SearchField {
        Country = "Country or code" from "country_code";
        City = "City" from "locality";
        AreaCode = "Area code" from "national_destination_code";
        Contains = "Contains digits" from "contains" | "phone_number";
        Type = "Type" as choice;
        Features = "Features" as choice;
        Limit = "How many" from "limit";
    }
}

#[derive(Debug)]
pub struct SearchForm {
    /// The text rows (and where the focus is, the choice rows included).
    pub fields: Form<SearchField>,
    /// Index into [`NUMBER_TYPES`].
    pub number_type: usize,
    /// Which of [`NUMBER_FEATURES`] are required.
    pub features: [bool; NUMBER_FEATURES.len()],
    /// The highlighted feature while the features row has focus.
    pub feature_cursor: usize,
}

impl SearchForm {
    fn new(country: &str) -> Self {
        let mut features = [false; NUMBER_FEATURES.len()];
        features[0] = true; // voice
        let fields = Form::new(|field| match field {
            SearchField::Country => TextField::new(country, 60),
            SearchField::City => TextField::new("", 64),
            SearchField::AreaCode => TextField::new("", 6),
            SearchField::Contains => TextField::new("", 15),
            SearchField::Limit => TextField::new(DEFAULT_LIMIT, 3),
            SearchField::Type | SearchField::Features => TextField::new("", 0),
        });
        Self { fields, number_type: 0, features, feature_cursor: 0 }
    }

    /// The focused row.
    pub fn focus(&self) -> SearchField {
        self.fields.focus
    }

    /// Left, Right and Space on the choice rows.
    fn on_choice(&mut self, action: Action) {
        let types = NUMBER_TYPES.len();
        match (self.focus(), action) {
            (SearchField::Type, Action::Right | Action::Toggle) => {
                self.number_type = (self.number_type + 1) % types;
            }
            (SearchField::Type, Action::Left) => self.number_type = (self.number_type + types - 1) % types,
            (SearchField::Features, Action::Left) => {
                self.feature_cursor = self.feature_cursor.saturating_sub(1)
            }
            (SearchField::Features, Action::Right) => {
                self.feature_cursor = (self.feature_cursor + 1).min(NUMBER_FEATURES.len() - 1);
            }
            (SearchField::Features, Action::Toggle) => {
                let on = &mut self.features[self.feature_cursor];
                *on = !*on;
            }
            _ => {}
        }
    }

    /// Checks the form and builds the search, or says what to fix.
    fn search(&self) -> Result<NumberSearch, (SearchField, String)> {
        let fields = &self.fields;
        let country = countries::find(fields.value(SearchField::Country))
            .map_err(|message| (SearchField::Country, message))?
            .code
            .clone();
        for field in [SearchField::AreaCode, SearchField::Contains] {
            if !fields.value(field).chars().all(|c| c.is_ascii_digit()) {
                return Err((field, format!("{} takes digits only.", field.label())));
            }
        }
        let limit = match fields.value(SearchField::Limit).parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err((SearchField::Limit, "Ask for 1 to 100 numbers.".into())),
        };
        Ok(NumberSearch {
            country_code: country,
            locality: fields.value(SearchField::City).to_owned(),
            administrative_area: String::new(),
            national_destination_code: fields.value(SearchField::AreaCode).to_owned(),
            contains: fields.value(SearchField::Contains).to_owned(),
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

/// What Enter does on the introduction: go on with the numbers the connection has,
/// skip as the continued setup did, or search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntroDefault {
    KeepNumbers,
    Skip,
    Search,
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
    /// The order the plan places for the cart ([`crate::setup::plan`]'s numbers step),
    /// from the cart's review until `y` or a decline.
    pub planned: Option<NewNumberOrder>,
    /// The plan's numbers step (its Buy) for the cart under review, which the
    /// question shows as its `y` line ([`NumbersStep::buy_line`]); `None` off the question.
    pub planned_step: Option<PlanStep>,
    pub order: Option<NumberOrder>,
    /// The order was found by its reference, placed by an earlier try whose answer was
    /// lost, rather than placed now.
    pub order_found: bool,
    /// What follows the order (checks so far, for the backoff and the screen).
    pub follower: OrderFollower,
    pub assigned: Vec<PhoneNumber>,
    /// The numbers the connection already has, for a connection this run did not
    /// create: `None` until read.
    pub existing: Option<Vec<PhoneNumber>>,
    /// The setup being continued skipped this step: Enter skips it again.
    pub skipped_before: bool,
    pub activity: Activity,
}

impl NumbersStep {
    /// The search country starts as the first whitelisted destination.
    pub fn new(connection: CredentialConnection, whitelist: &[String]) -> Self {
        let country = whitelist.first().map_or("US", String::as_str);
        Self {
            follower: OrderFollower::new(&connection.id, &connection.connection_name),
            connection,
            screen: NumbersScreen::Intro,
            form: SearchForm::new(country),
            results: Vec::new(),
            cursor: 0,
            cart: Vec::new(),
            cart_cursor: 0,
            planned: None,
            planned_step: None,
            order: None,
            order_found: false,
            assigned: Vec::new(),
            existing: None,
            skipped_before: false,
            activity: Activity::default(),
        }
    }

    /// The step as the setup reaches it: following the order an earlier run placed
    /// (found by its reference at sign-in), or reading the numbers an existing
    /// connection has, so that Enter goes on without buying again.
    pub(super) fn enter(connection: CredentialConnection, whitelist: &[String], ctx: &mut Ctx) -> Transition {
        let mut step = Self::new(connection, whitelist);
        let earlier = ctx.journal.found_order.take().filter(|order| {
            order.status != "failure"
                && order.connection_id.as_deref().is_none_or(|id| id == step.connection.id)
        });
        let cmds = if let Some(order) = earlier {
            ctx.setup.order = ctx.journal.resume.as_ref().and_then(|r| r.order.clone());
            step.order_found = true;
            match step.follow(order, ctx) {
                Transition::Stay(cmds) => cmds,
                _ => Vec::new(),
            }
        } else if ctx.setup.connection_new && !ctx.desired.account.numbers.is_empty() {
            // Back here after this setup bought numbers for the connection it made:
            // they are what it has, and Enter goes on with them.
            let on = ctx.desired.account.numbers.iter().map(|number| PhoneNumber {
                phone_number: number.clone(),
                connection_id: Some(step.connection.id.clone()),
                ..PhoneNumber::default()
            });
            step.existing = Some(on.collect());
            Vec::new()
        } else if ctx.setup.connection_new {
            // A new connection has no numbers: the search the form starts with goes out
            // while the introduction is read.
            step.form
                .search()
                .ok()
                .and_then(|search| ctx.prefetch(Request::SearchNumbers(search)))
                .into_iter()
                .collect()
        } else {
            step.skipped_before = ctx.journal.resume.as_ref().is_some_and(|r| r.numbers_skipped);
            let request = Request::ListConnectionNumbers { connection_id: step.connection.id.clone() };
            // Step 7's list loads while this step is on screen.
            let credentials = Request::ListCredentials { connection_id: step.connection.id.clone() };
            // Read ahead when the connection was chosen (taken here while fresh).
            let mut cmds = ctx.fetch_for(&mut step, "Reading the connection's numbers", request);
            cmds.extend(ctx.prefetch(credentials));
            cmds
        };
        Transition::next(Step::Numbers(step), cmds)
    }

    /// What Enter does on the introduction.
    fn intro_default(&self) -> IntroDefault {
        match &self.existing {
            Some(numbers) if !numbers.is_empty() => IntroDefault::KeepNumbers,
            _ if self.skipped_before => IntroDefault::Skip,
            _ => IntroDefault::Search,
        }
    }

    pub fn in_cart(&self, number: &str) -> bool {
        self.cart.iter().any(|n| n.phone_number == number)
    }

    /// The cart's totals per currency; amounts Telnyx sent unreadable (or negative,
    /// which no price can be) count as zero
    /// and are flagged by [`NumbersStep::unpriced`].
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::new();
        for number in &self.cart {
            let cost = &number.cost_information;
            let entry = totals.entry(cost.currency.clone()).or_default();
            // Saturating: each amount is at most MAX_CENTS, so only an absurdly large
            // cart could reach the limit, and then the total shows it rather than wraps.
            entry.0 = entry.0.saturating_add(parse_price(&cost.upfront_cost).unwrap_or(0));
            entry.1 = entry.1.saturating_add(parse_price(&cost.monthly_cost).unwrap_or(0));
        }
        totals
    }

    /// Numbers in the cart whose price could not be read, or was negative.
    pub fn unpriced(&self) -> usize {
        self.cart
            .iter()
            .filter(|n| {
                parse_price(&n.cost_information.upfront_cost).is_none()
                    || parse_price(&n.cost_information.monthly_cost).is_none()
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
    /// same reference, so an order placed before is found rather than repeated (the
    /// planned order's, once the cart is reviewed).
    pub fn order_reference(&self) -> String {
        if let Some(reference) = self.planned.as_ref().and_then(|order| order.customer_reference.clone()) {
            return reference;
        }
        let numbers: Vec<String> = self.cart.iter().map(|n| n.phone_number.clone()).collect();
        order_reference(&self.connection.id, &numbers)
    }

    /// Whether an order is placed and not settled: quitting then asks first.
    pub fn purchase_in_flight(&self) -> bool {
        matches!(self.screen, NumbersScreen::Confirm | NumbersScreen::Ordering) && self.activity.busy()
            || self.order.as_ref().is_some_and(|o| o.status == "pending")
    }

    fn on_search_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        match action {
            Action::Left | Action::Right | Action::Toggle => self.form.on_choice(action),
            Action::Skip => return skip(self, ctx),
            _ => match self.form.fields.on_action(action) {
                FormEvent::Cancel => {
                    self.screen = NumbersScreen::Intro;
                    self.activity.problem = None;
                }
                FormEvent::Submit => match self.form.search() {
                    Ok(search) => {
                        self.form.fields.invalid = None;
                        let request = Request::SearchNumbers(search);
                        return Transition::Stay(ctx.fetch_for(
                            self,
                            "Searching for available numbers",
                            request,
                        ));
                    }
                    Err((field, message)) => {
                        self.form.fields.reject(field);
                        self.activity.fail(Problem::Input(message));
                    }
                },
                FormEvent::Changed(_) | FormEvent::Nothing => {}
            },
        }
        Transition::none()
    }

    fn on_results_action(&mut self, action: Action) -> Transition {
        if move_cursor(&mut self.cursor, self.results.len(), action) {
            return Transition::none();
        }
        match action {
            Action::Back => self.screen = NumbersScreen::Search,
            Action::Toggle => self.toggle_highlighted(),
            // With an empty cart, Enter puts the highlighted number in and says so; the
            // next Enter reviews the cart.
            Action::Submit if self.cart.is_empty() => {
                self.toggle_highlighted();
                if let Some(number) = self.cart.first() {
                    let added =
                        format!("Added {} to the cart; Enter again to review it.", number.phone_number);
                    self.activity.note(added);
                }
            }
            Action::Submit => {
                self.activity.notice = None;
                self.cart_cursor = 0;
                self.screen = NumbersScreen::Cart;
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

    fn on_cart_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if move_cursor(&mut self.cart_cursor, self.cart.len(), action) {
            return Transition::none();
        }
        match action {
            Action::Back => self.screen = NumbersScreen::Results,
            Action::Toggle | Action::Remove => {
                if self.cart_cursor < self.cart.len() {
                    self.cart.remove(self.cart_cursor);
                    self.cart_cursor = self.cart_cursor.min(self.cart.len().saturating_sub(1));
                }
                if self.cart.is_empty() {
                    self.screen = NumbersScreen::Results;
                }
            }
            Action::Submit if !self.cart.is_empty() => {
                let (order, step) = match self.planned_order(ctx) {
                    Ok(planned) => planned,
                    Err(reason) => {
                        self.activity.fail(Problem::Input(reason));
                        return Transition::none();
                    }
                };
                self.activity.problem = None;
                self.planned = Some(order);
                self.planned_step = Some(step);
                self.screen = NumbersScreen::Confirm;
                // The look for an earlier order of this cart goes out while the question
                // is read, so that `y` costs one round trip.
                let look = Request::FindOrder { reference: self.order_reference() };
                return Transition::Stay(ctx.prefetch(look).into_iter().collect());
            }
            _ => {}
        }
        Transition::none()
    }

    /// The order the plan places for the cart (its numbers step's request, the same
    /// body as `setup --buy-numbers` sends, with the reference that keeps it from being
    /// placed twice) and that step, or why nothing is bought: a price that cannot be
    /// read, or a plan that cannot be made.
    fn planned_order(&self, ctx: &Ctx) -> Result<(NewNumberOrder, PlanStep), String> {
        let currency = ctx.desired.account.currency.as_deref();
        if let Some(why) = crate::setup::plan::unknown_price(&self.cart, currency) {
            return Err(format!("{why}: take it out of the cart (Space) to buy the others."));
        }
        let cart = self.cart.clone();
        let plan = ctx.plan_with(|wanted| wanted.numbers = Some(cart))?;
        let step = plan.step(Part::Numbers);
        let order = step.and_then(|step| {
            step.requests.iter().find_map(|request| match request {
                Request::PlaceOrder { body, .. } => Some((body.clone(), step.clone())),
                _ => None,
            })
        });
        order.ok_or_else(|| "The connection has every number of the cart already: nothing to buy.".to_owned())
    }

    /// The question's step of the plan in one line, as the other screens show theirs
    /// for Enter: what `y` does, in the words of the plan's Buy step, which
    /// `setup --dry-run` prints on its numbers line ("y: buy +13125550100 for 1.00 USD
    /// now and 1.00 USD a month"). `None` off the question, and while its `y` is on its
    /// way (a second `y` then does nothing).
    pub fn buy_line(&self) -> Option<String> {
        let asking = self.screen == NumbersScreen::Confirm && !self.activity.busy();
        let step = self.planned_step.as_ref().filter(|_| asking)?;
        let mut line = format!("y: {}", step.detail);
        if !step.affects.is_empty() {
            line.push_str(&format!("; also affects {}", step.affects.join(", ")));
        }
        // The numbers are the server's text.
        Some(crate::sanitize::escape_controls(&line).into_owned())
    }

    /// Only `y` buys; any other key declines and goes back to the cart.
    fn on_confirm_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if action == Action::Yes {
            // What is wanted now: this cart (no longer a skipped step).
            let cart = self.cart.clone();
            ctx.want(|wanted| wanted.numbers = Some(cart));
            ctx.setup.numbers_skipped = false;
            ctx.setup.order = Some(crate::journal::OrderNote {
                reference: self.order_reference(),
                placed_at: super::unix_secs(ctx.now),
                id: None,
                status: None,
                numbers: self.cart.iter().map(|n| n.phone_number.clone()).collect(),
            });
            // The look for an earlier order of this cart went out as the question
            // was shown: its answer decides (an order found is followed, none found
            // places one); still on its way, it is waited for; failed or old, it is
            // made again now.
            let look = Request::FindOrder { reference: self.order_reference() };
            return Transition::Stay(ctx.fetch_for(self, "Looking for an earlier order of this cart", look));
        }
        self.screen = NumbersScreen::Cart;
        self.planned = None;
        self.planned_step = None;
        self.activity.note("Nothing was bought.");
        Transition::none()
    }

    /// Orders the cart, its earlier order just looked for and not found (so the worker
    /// does not look again before the first try).
    fn place_order(&mut self, ctx: &mut Ctx) -> Transition {
        let Some(body) = self.planned.clone() else { return Transition::none() };
        let what = format!("Ordering {}", plural(body.phone_numbers.len(), "number"));
        let request = Request::PlaceOrder { body, first_try: true };
        Transition::run(ctx.call(&mut self.activity, what, request))
    }

    /// The order is pending and was placed with this connection's id, its check on
    /// its way: the user may go on while it completes, since only checks are left
    /// (Telnyx puts the numbers on the connection; see `Ctx::complete_order`).
    pub fn may_go_on(&self) -> bool {
        self.screen == NumbersScreen::Ordering
            && self.activity.busy()
            && self.order.as_ref().is_some_and(|order| self.follower.completes_alone(order))
    }

    /// Enter's check of the order, after following it stopped (the limit, or a failed
    /// check).
    fn check_order(&mut self, ctx: &mut Ctx) -> Transition {
        let Some(order) = &self.order else { return Transition::none() };
        let request = self.follower.check(order);
        Transition::run(ctx.call(&mut self.activity, checking(self.follower.polls() + 1), request))
    }

    /// Follows `order`, as placed or last checked, where the setup's order follower
    /// says.
    fn follow(&mut self, order: NumberOrder, ctx: &mut Ctx) -> Transition {
        if let Some(note) = &mut ctx.setup.order {
            note.id = Some(order.id.clone());
            note.status = Some(order.status.clone());
        }
        let next = self.follower.next(&order);
        self.order = Some(order);
        self.screen = NumbersScreen::Ordering;
        match next {
            Next::Check(request) => {
                Transition::run(ctx.call(&mut self.activity, checking(self.follower.polls()), request))
            }
            Next::Assign(request) => Transition::run(ctx.call(
                &mut self.activity,
                "Assigning the numbers to the connection",
                request,
            )),
            Next::End(Ended::Done(numbers)) => self.assigned(numbers, ctx),
            Next::End(Ended::Failed) => {
                self.screen = NumbersScreen::Done;
                Transition::none()
            }
            Next::End(Ended::StillPending) => {
                self.activity.fail(Problem::Input(
                    "Telnyx is still processing the order. Press Enter to check again.".into(),
                ));
                Transition::none()
            }
        }
    }

    /// Starts following a new order (placed now, or found from an earlier try).
    fn restart_following(&mut self) {
        self.follower = OrderFollower::new(&self.connection.id, &self.connection.connection_name);
    }

    /// On to the credential. Gone on from without a choice of its own (following an
    /// order an earlier run placed), the step keeps what the connection has, with
    /// what that order brings.
    fn advance(&mut self, ctx: &mut Ctx) -> Transition {
        if !ctx.numbers_decided() {
            ctx.want(|wanted| wanted.numbers = Some(Vec::new()));
        }
        super::flow::next(super::flow::Decided::Numbers, ctx)
    }

    /// The ordered numbers are on the connection: on to the summary of the purchase,
    /// while the balance it came off is read again for the header.
    fn assigned(&mut self, numbers: Vec<PhoneNumber>, ctx: &mut Ctx) -> Transition {
        ctx.desired.numbers_on_connection(&numbers);
        self.assigned = numbers;
        self.screen = NumbersScreen::Done;
        Transition::run(ctx.refresh_balance())
    }
}

const CART_REMOVE: &[Action] = &[Action::Toggle, Action::Remove];
const DECLINE: &[Action] = &[Action::No, Action::Back, Action::AnyOther];
const ARROWS: &[Action] = &[Action::Left, Action::Right];
const TYPE_CHOICE: &[Action] = &[Action::Left, Action::Right, Action::Toggle];

impl Screen for NumbersStep {
    activity_field!();

    /// The purchase `y` places, on its question.
    fn enter_requests(&self) -> Vec<Request> {
        match self.screen {
            NumbersScreen::Confirm => self
                .planned
                .iter()
                .map(|body| Request::PlaceOrder { body: body.clone(), first_try: false })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn bindings_while_busy(&self) -> Vec<Binding> {
        if !self.may_go_on() {
            return Vec::new();
        }
        vec![Binding::new(
            &[Action::Submit],
            "continue",
            "Go on to the credential while Telnyx completes the order; the summary shows its numbers.",
        )]
    }

    fn title(&self) -> &'static str {
        match self.screen {
            NumbersScreen::Intro => "Numbers",
            NumbersScreen::Search => "Numbers: search",
            NumbersScreen::Results => "Numbers: results",
            NumbersScreen::Cart => "Numbers: cart",
            NumbersScreen::Confirm => "Numbers: confirm the purchase",
            NumbersScreen::Ordering => "Numbers: the order",
            NumbersScreen::Done => "Numbers: bought",
        }
    }

    fn bindings(&self) -> Vec<Binding> {
        let skip = Binding::new(&[Action::Skip], "skip", "Skip this step: no number is bought.");
        match self.screen {
            NumbersScreen::Intro if self.activity.busy() => Vec::new(),
            NumbersScreen::Intro => match self.intro_default() {
                IntroDefault::KeepNumbers => vec![
                    Binding::new(
                        &[Action::Submit],
                        "continue",
                        "Go on with the numbers the connection has; nothing is bought.",
                    ),
                    Binding::new(&[Action::New], "buy more", "Search for more numbers to buy."),
                    Binding::new(
                        &[Action::Skip],
                        "skip",
                        "Skip this step: nothing more is bought; the connection keeps its numbers.",
                    ),
                ],
                IntroDefault::Skip => vec![
                    Binding::new(&[Action::Submit], "skip", "Skip this step again: no number is bought."),
                    Binding::new(&[Action::New], "search numbers", "Search for numbers to buy."),
                ],
                IntroDefault::Search => {
                    vec![
                        Binding::new(&[Action::Submit], "search numbers", "Search for numbers to buy."),
                        skip,
                    ]
                }
            },
            NumbersScreen::Search => {
                let mut bindings = Form::<SearchField>::bindings(
                    ("search", "Search for available numbers matching the form."),
                    ("back", "Back to the introduction of this step."),
                );
                match self.form.focus() {
                    SearchField::Type => {
                        bindings.push(Binding::new(
                            TYPE_CHOICE,
                            "type",
                            "Choose the kind of number (also Space).",
                        ));
                        bindings.push(skip);
                    }
                    SearchField::Features => {
                        bindings.push(Binding::new(ARROWS, "move", "Move among the features."));
                        bindings.push(Binding::new(
                            &[Action::Toggle],
                            "toggle",
                            "Require the highlighted feature, or not.",
                        ));
                        bindings.push(skip);
                    }
                    _ => {}
                }
                bindings
            }
            NumbersScreen::Results => Binding::movement(self.results.len(), MOVE, MOVE_HELP)
                .into_iter()
                .chain([
                    Binding::new(
                        &[Action::Toggle],
                        "add/remove",
                        "Put the highlighted number in the cart, or take it out.",
                    ),
                    Binding::new(
                        &[Action::Submit],
                        "cart",
                        "Review the cart (into an empty cart, add the highlighted number first).",
                    ),
                    Binding::new(&[Action::Back], "search", "Back to the search form."),
                ])
                .collect(),
            NumbersScreen::Cart => Binding::movement(self.cart.len(), MOVE, MOVE_HELP)
                .into_iter()
                .chain([
                    Binding::new(
                        &[Action::Submit],
                        "buy…",
                        "See the total and confirm; nothing is bought before y.",
                    ),
                    Binding::new(
                        CART_REMOVE,
                        "remove",
                        "Take the highlighted number out of the cart (also Delete).",
                    ),
                    Binding::new(&[Action::Back], "results", "Back to the search results."),
                ])
                .collect(),
            NumbersScreen::Confirm => vec![
                Binding::new(&[Action::Yes], "buy", "Buy the numbers in the cart for the total shown."),
                Binding::new(
                    DECLINE,
                    "don't buy",
                    "Buy nothing and go back to the cart (Esc or any other key too).",
                ),
            ],
            NumbersScreen::Ordering => {
                vec![Binding::new(&[Action::Submit], "check again", "Ask Telnyx again how the order stands.")]
            }
            NumbersScreen::Done => {
                vec![Binding::new(&[Action::Submit], "continue", "Go on to the telephony credential.")]
            }
        }
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        match self.screen {
            NumbersScreen::Intro => match (action, self.intro_default()) {
                (Action::Submit, IntroDefault::KeepNumbers) => {
                    // The numbers the connection has are the ones wanted: nothing to buy.
                    ctx.want(|wanted| wanted.numbers = Some(Vec::new()));
                    ctx.setup.numbers_skipped = false;
                    self.advance(ctx)
                }
                (Action::Submit, IntroDefault::Skip)
                | (Action::Skip, IntroDefault::Search | IntroDefault::KeepNumbers) => skip(self, ctx),
                (Action::Submit, IntroDefault::Search) | (Action::New, _) => {
                    self.screen = NumbersScreen::Search;
                    Transition::none()
                }
                _ => Transition::none(),
            },
            NumbersScreen::Search => self.on_search_action(action, ctx),
            NumbersScreen::Results => self.on_results_action(action),
            NumbersScreen::Cart => self.on_cart_action(action, ctx),
            NumbersScreen::Confirm => self.on_confirm_action(action, ctx),
            NumbersScreen::Ordering if action == Action::Submit && self.may_go_on() => {
                let check = self.activity.pending.take().expect("a check is on its way");
                ctx.complete_order(check.op, self.follower.clone());
                self.advance(ctx)
            }
            // Polling stopped (limit reached or a failed check): check again.
            NumbersScreen::Ordering if action == Action::Submit => self.check_order(ctx),
            NumbersScreen::Done if action == Action::Submit => self.advance(ctx),
            NumbersScreen::Ordering | NumbersScreen::Done => Transition::none(),
        }
    }

    fn input(&self) -> Option<&dyn Input> {
        (self.screen == NumbersScreen::Search).then_some(&self.form.fields as &dyn Input)
    }

    fn input_mut(&mut self) -> Option<&mut dyn Input> {
        (self.screen == NumbersScreen::Search).then_some(&mut self.form.fields as &mut dyn Input)
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
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
                self.restart_following();
                self.follow(order, ctx)
            }
            Reply::OrderChecked(order) => self.follow(order, ctx),
            // The look `y` waits for (see `on_confirm_action`).
            Reply::OrderFound(Some(order)) if self.screen == NumbersScreen::Confirm => {
                self.order_found = true;
                self.restart_following();
                self.follow(order, ctx)
            }
            Reply::OrderFound(None) if self.screen == NumbersScreen::Confirm => self.place_order(ctx),
            Reply::ConnectionNumbers(numbers) => {
                self.existing = Some(numbers);
                Transition::none()
            }
            Reply::NumbersAssigned(numbers) => self.assigned(numbers, ctx),
            _ => Transition::none(),
        }
    }

    /// A failed check while ordering leaves the screen on the order, where Enter checks
    /// again.
    fn on_error(&mut self, error: ApiError) {
        if self.order.is_some() && self.screen == NumbersScreen::Ordering && self.assigned.is_empty() {
            self.follower.check_failed();
        }
        if self.screen == NumbersScreen::Search {
            self.form.fields.blame(&error);
        }
        self.activity.fail(Problem::Api(error));
    }

    fn retry_hint(&self) -> Option<&'static str> {
        match self.screen {
            NumbersScreen::Confirm => {
                Some("Press y to try again: the order is looked up first, so nothing is bought twice.")
            }
            _ => None,
        }
    }
}

/// Numbers are not part of this setup: nothing (more) is bought, and what the
/// connection has stays its numbers.
fn skip(step: &mut NumbersStep, ctx: &mut Ctx) -> Transition {
    ctx.setup.numbers_skipped = true;
    ctx.want(|wanted| wanted.numbers = None);
    step.advance(ctx)
}

/// What the screen says while check number `check` of the order is on its way.
fn checking(check: u32) -> String {
    format!("Waiting for Telnyx to complete the order (check {check})")
}

/// "1 number", "3 numbers".
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
