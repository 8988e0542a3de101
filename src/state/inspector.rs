//! The read-only account inspector (`telnyx-setup inspect`), for support engineers:
//! tabs over the account's collections, loaded page by page as the cursor nears the
//! end, a filter (on the server where the API has one), a detail pane with the raw JSON,
//! relations to follow (Esc walks back), and the doctor for a connection.
//!
//! It only ever asks for reads ([`Request::Browse`], [`Request::Fetch`],
//! [`Request::ReadBalance`]) and the doctor without its trial token.

use super::form::cycle;
use super::keys::{Action, Binding, MOVE};
use super::screen::{Input, Screen, activity_field};
use super::{Activity, Ctx, Problem, TextField, Transition, move_cursor};
use crate::api::{PARALLEL_PAGES, Page};
use crate::doctor::Report;
use crate::msg::{Cmd, Reply, Request};
use crate::secret::Secret;
use serde_json::Value;

/// Records asked for per page: Telnyx's largest page, so a big account is read in as few
/// requests as it allows.
pub const PAGE_SIZE: u32 = 250;
/// How close to the end of what is loaded the cursor gets before the next page is asked for.
const PREFETCH_MARGIN: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Connections,
    Profiles,
    Numbers,
    Orders,
    Credentials,
    Balance,
}

impl Tab {
    pub const ALL: [Tab; 6] =
        [Tab::Connections, Tab::Profiles, Tab::Numbers, Tab::Orders, Tab::Credentials, Tab::Balance];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Connections => "Connections",
            Tab::Profiles => "Profiles",
            Tab::Numbers => "Numbers",
            Tab::Orders => "Orders",
            Tab::Credentials => "Credentials",
            Tab::Balance => "Balance",
        }
    }

    /// The API collection behind the tab.
    pub fn collection(self) -> &'static str {
        match self {
            Tab::Connections => "credential_connections",
            Tab::Profiles => "outbound_voice_profiles",
            Tab::Numbers => "phone_numbers",
            Tab::Orders => "number_orders",
            Tab::Credentials => "telephony_credentials",
            Tab::Balance => "balance",
        }
    }

    /// The API's own filter for the `/` text, where it has one; others filter locally.
    fn server_filter(self) -> Option<&'static str> {
        match self {
            Tab::Connections => Some("filter[connection_name][contains]"),
            Tab::Profiles => Some("filter[name][contains]"),
            Tab::Numbers => Some("filter[phone_number]"),
            Tab::Orders => Some("filter[status]"),
            Tab::Credentials | Tab::Balance => None,
        }
    }

    /// What the `/` prompt asks for on this tab.
    pub fn filter_hint(self) -> &'static str {
        match self {
            Tab::Connections | Tab::Profiles => "name contains",
            Tab::Numbers => "phone number digits (3 or more)",
            Tab::Orders => "status (pending, success, failure)",
            Tab::Credentials => "any text (filtered here)",
            Tab::Balance => "",
        }
    }

    /// A one-line summary of a record of this tab: its state first (so a narrow
    /// list never hides an inactive or expired record), then what names it, then the
    /// rest, which a narrow list cuts.
    pub fn row(self, item: &Value) -> String {
        let row = self.fields(item);
        if made_by_setup(item) { format!("{row}{MADE_MARK}") } else { row }
    }

    fn fields(self, item: &Value) -> String {
        let text = |key: &str| item[key].as_str().unwrap_or("").to_owned();
        let flag = |off: bool, no: &str, yes: &str| if off { no.to_owned() } else { yes.to_owned() };
        match self {
            Tab::Connections => format!(
                "{:<8} {:<24} user {}",
                flag(item["active"] == Value::Bool(false), "inactive", "active"),
                text("connection_name"),
                text("user_name"),
            ),
            Tab::Profiles => format!(
                "{:<8} {:<24} {} {}",
                flag(item["enabled"] == Value::Bool(false), "disabled", "enabled"),
                text("name"),
                match item["whitelisted_destinations"].as_array().map_or(0, Vec::len) {
                    1 => "1 country,".to_owned(),
                    count => format!("{count} countries,"),
                },
                super::plural(item["connections_count"].as_u64().unwrap_or(0) as usize, "connection"),
            ),
            Tab::Numbers => format!(
                "{:<16} {:<10} {}",
                text("phone_number"),
                text("status"),
                item["connection_name"]
                    .as_str()
                    .or(item["connection_id"].as_str())
                    .unwrap_or("no connection")
            ),
            Tab::Orders => format!(
                "{:<8} {:>3} numbers  {}",
                text("status"),
                item["phone_numbers_count"].as_u64().unwrap_or(0),
                text("id"),
            ),
            Tab::Credentials => format!(
                "{:<8} {:<30} {}",
                flag(item["expired"] == Value::Bool(true), "expired", "active"),
                text("name"),
                text("sip_username"),
            ),
            Tab::Balance => String::new(),
        }
    }
}

/// The end of a row of a record telnyx-setup made; the list keeps it in view when it
/// cuts a row to the pane's width.
pub const MADE_MARK: &str = "  · by telnyx-setup";

/// Whether telnyx-setup made `record`: its mark in `tags` (connections, profiles),
/// `tag` (credentials) or the `customer_reference` of an order.
fn made_by_setup(record: &Value) -> bool {
    let mark = crate::api::MARK;
    record["tags"].as_array().is_some_and(|tags| tags.iter().any(|tag| tag == mark))
        || record["tag"] == mark
        || record["customer_reference"].as_str().is_some_and(|r| r.starts_with(&format!("{mark}-")))
}

/// Narrows a listing to one relation: a query filter (`filter[connection_id]`) or one
/// record fetched by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Filter { key: &'static str, value: String, label: String },
    Record { id: String, label: String },
}

impl Scope {
    pub fn label(&self) -> &str {
        match self {
            Scope::Filter { label, .. } | Scope::Record { label, .. } => label,
        }
    }
}

/// One record of a listing, kept compact: what the list shows of it, worked out once
/// when its page arrives, and where its JSON text is in the listing's compressed
/// blocks. As a `Value` tree (a map node, a key string and a value per field) a phone
/// number costs about 4.5 KB, as JSON text about 1 KB (10,000 numbers: 44 MiB the one
/// way, 10 MiB the other); in an LZ4 block of [`BLOCK_RECORDS`] records, whose field
/// names repeat, about a tenth of that. Only the highlighted record is needed as a
/// `Value` (details, raw JSON, relations), one a frame: [`Listing::value`] decompresses
/// its block and parses it back.
#[derive(Clone)]
pub struct Record {
    /// Its line in the list ([`Tab::row`]).
    row: Box<str>,
    /// Its `id`, when that is a string (the one [`Action::Copy`] copies).
    id: Option<Box<str>>,
    /// Its block in [`Listing::blocks`], and where its text starts and ends in that
    /// block once decompressed.
    block: u32,
    start: u32,
    end: u32,
}

/// Records compressed together: enough for LZ4 to find their field names again and
/// again, few enough that the highlighted record's block decompresses in microseconds.
const BLOCK_RECORDS: usize = 32;

/// Only the row and id: the record's JSON may hold a secret (a connection's SIP
/// password).
impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("row", &self.row).field("id", &self.id).finish_non_exhaustive()
    }
}

impl Record {
    /// Its line in the list.
    pub fn row(&self) -> &str {
        &self.row
    }

    /// Its `id`, if it has one as a string.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// What one tab shows: the records loaded so far and how to get more.
#[derive(Debug, Clone)]
pub struct Listing {
    pub tab: Tab,
    /// The records loaded, in the API's order; private, so [`Listing::visible`] always
    /// indexes them.
    records: Vec<Record>,
    /// The records' JSON text, every field of it (secrets too: the views hide them when
    /// they draw a record), [`BLOCK_RECORDS`] records to an LZ4 block.
    blocks: Vec<Box<[u8]>>,
    pub total: u64,
    /// How many pages the API said there are (0 until the first page came).
    pub pages: u32,
    /// The next page to ask for; `None` once everything is loaded.
    pub next_page: Option<u32>,
    /// Index into [`Listing::visible`].
    pub cursor: usize,
    /// The filter text applied (empty: none).
    pub filter: String,
    pub scope: Option<Scope>,
    /// Indexes of the records that pass the filter, kept up to date as pages arrive:
    /// working them out on every key and frame cost 24 ms with 10,000 records.
    visible: Vec<usize>,
}

impl Listing {
    fn new(tab: Tab, scope: Option<Scope>, filter: String) -> Self {
        Self {
            tab,
            records: Vec::new(),
            blocks: Vec::new(),
            total: 0,
            pages: 0,
            next_page: Some(1),
            cursor: 0,
            filter,
            scope,
            visible: Vec::new(),
        }
    }

    /// Adds records that arrived, noting which pass a local filter (on tabs the API
    /// cannot filter; elsewhere the server already did), and keeps each as a compact
    /// [`Record`]: the `Value`s are dropped with their page.
    fn add(&mut self, records: Vec<Value>) {
        let local = !self.filter.is_empty() && self.tab.server_filter().is_none();
        let query = crate::matcher::Query::new(&self.filter);
        self.records.reserve(records.len());
        for chunk in records.chunks(BLOCK_RECORDS) {
            let block = self.blocks.len() as u32;
            let mut text = String::new();
            for record in chunk {
                if !local || query.found_in(crate::matcher::record_fields(record).iter().map(String::as_str))
                {
                    self.visible.push(self.records.len());
                }
                let start = text.len() as u32;
                // Serializing a `Value` cannot fail: its keys are strings and its
                // numbers finite.
                text.push_str(&serde_json::to_string(record).unwrap_or_default());
                self.records.push(Record {
                    row: self.tab.row(record).into(),
                    id: record["id"].as_str().map(Box::from),
                    block,
                    start,
                    end: text.len() as u32,
                });
            }
            self.blocks.push(lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice());
        }
    }

    /// `record` (one of [`Listing::records`]) as a `Value` again, for the one record a
    /// frame shows in detail. The text was written by serde_json from a `Value` and
    /// compressed here, so it comes back and parses to the same one, and the `Null`
    /// fallback is never reached (a float aside: without serde_json's `float_roundtrip`
    /// one may come back a unit off in its last place).
    pub fn value(&self, record: &Record) -> Value {
        let Some(block) = self.blocks.get(record.block as usize) else { return Value::Null };
        let Ok(text) = lz4_flex::decompress_size_prepended(block) else { return Value::Null };
        text.get(record.start as usize..record.end as usize)
            .and_then(|json| serde_json::from_slice(json).ok())
            .unwrap_or(Value::Null)
    }

    /// Every record loaded, shown or not.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Indexes into [`Listing::records`] of the records shown.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    pub fn highlighted(&self) -> Option<&Record> {
        self.visible.get(self.cursor).map(|&i| &self.records[i])
    }

    /// A page that arrived: its records, and what it says of the pages left.
    fn arrived(&mut self, page: Page<Value>) {
        self.total = page.meta.total_results.max(self.records.len() as u64 + page.data.len() as u64);
        self.pages = self.pages.max(page.meta.total_pages);
        let number = self.next_page.unwrap_or(1);
        let more = page.meta.total_pages > number && !page.data.is_empty();
        self.add(page.data);
        self.next_page = more.then_some(number + 1);
    }

    /// The request for what comes next: on the way to the end (`to_end`), once the
    /// first page said how many there are, the next [`PARALLEL_PAGES`] pages at once;
    /// otherwise the next page, if there is one.
    fn next_request(&self, to_end: bool) -> Option<Request> {
        if self.tab == Tab::Balance {
            return (self.next_page == Some(1)).then_some(Request::ReadBalance);
        }
        if let Some(Scope::Record { id, .. }) = &self.scope {
            return (self.next_page == Some(1))
                .then(|| Request::Fetch { collection: self.tab.collection(), id: id.clone() });
        }
        let page = self.next_page?;
        let mut filters = Vec::new();
        if let Some(Scope::Filter { key, value, .. }) = &self.scope {
            filters.push((*key, value.clone()));
        }
        if let Some(key) = self.tab.server_filter().filter(|_| !self.filter.is_empty()) {
            filters.push((key, self.filter.clone()));
        }
        let collection = self.tab.collection();
        if to_end && page > 1 && self.pages > page {
            let last = self.pages.min(page + PARALLEL_PAGES - 1);
            return Some(Request::BrowseMany { collection, first: page, last, size: PAGE_SIZE, filters });
        }
        Some(Request::Browse { collection, page, size: PAGE_SIZE, filters })
    }
}

/// A relation of the highlighted record, to follow with Enter in the detail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub label: String,
    target: Target,
}

impl Relation {
    /// The connection a number, order or credential belongs to.
    fn to_connection(id: &str) -> Self {
        Self {
            label: format!("Its connection {id}"),
            target: Target::Listing(
                Tab::Connections,
                Scope::Record { id: id.to_owned(), label: format!("connection {id}") },
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Listing(Tab, Scope),
    Doctor(String),
}

/// The records a target could name, asked about: one is picked with Enter.
#[derive(Debug)]
pub struct Choices {
    pub found: Vec<crate::target::Found>,
    /// The highlighted one.
    pub cursor: usize,
}

#[derive(Debug)]
pub struct InspectorStep {
    pub listing: Listing,
    /// The listings left by following relations; Esc returns to them.
    pub trail: Vec<Listing>,
    /// The `/` prompt while it is open.
    pub filter_input: Option<TextField>,
    /// The `g` prompt (a record to go to) while it is open.
    pub goto_input: Option<TextField>,
    /// The records a target could name, when it could name several: the question of
    /// which one was meant, answered with Enter on one (Esc cancels).
    pub choices: Option<Choices>,
    /// The question a record was picked from, and the depth of the trail when it was:
    /// Esc on that record asks again.
    picked_from: Option<(usize, Choices)>,
    /// The detail pane has the keyboard (its relations are selectable).
    pub in_detail: bool,
    pub relation_cursor: usize,
    /// Lines the detail pane is scrolled by (PgUp/PgDn while it has the keyboard).
    pub detail_scroll: u16,
    /// The detail pane shows the raw JSON (`J`).
    pub raw: bool,
    /// The doctor's report on a connection, shown over the listing.
    pub doctor: Option<Report>,
    pub balance: Option<crate::api::Balance>,
    /// End was pressed: pages load one after another until the last, the cursor on
    /// the last record each time.
    pub to_end: bool,
    pub activity: Activity,
}

impl InspectorStep {
    /// The inspector on its first tab, with that tab's first page asked for.
    pub fn open(ctx: &mut Ctx) -> (Self, Vec<Cmd>) {
        let mut step = Self {
            listing: Listing::new(Tab::Connections, None, String::new()),
            trail: Vec::new(),
            filter_input: None,
            goto_input: None,
            choices: None,
            picked_from: None,
            in_detail: false,
            relation_cursor: 0,
            detail_scroll: 0,
            raw: false,
            doctor: None,
            balance: ctx.setup.balance.clone(),
            to_end: false,
            activity: Activity::default(),
        };
        let cmds = match ctx.inspect_target.take() {
            Some(given) => step.go_to(given, ctx),
            None => step.load_more(ctx),
        };
        (step, cmds)
    }

    /// Looks for the record `given` names (every kind its form allows, at once); the
    /// answer opens it ([`InspectorStep::found`]).
    fn go_to(&mut self, given: String, ctx: &mut Ctx) -> Vec<Cmd> {
        let what = format!("Looking for {given}");
        vec![ctx.call(&mut self.activity, what, Request::FindTarget { given })]
    }

    /// What a target named: one record opens on its tab, as a relation does (Esc comes
    /// back); several are asked about, as a list to pick one from; none is said in place.
    fn found(&mut self, mut found: Vec<crate::target::Found>) -> Transition {
        self.picked_from = None;
        match found.len() {
            0 => self.activity.fail(Problem::Input(
                "No record of this account is that: give a connection or profile id, a credential or \
                 order UUID, a phone number or a SIP user name (g)."
                    .into(),
            )),
            1 => self.open_found(found.remove(0)),
            _ => {
                self.activity.problem = None;
                self.choices = Some(Choices { found, cursor: 0 });
            }
        }
        Transition::none()
    }

    /// Opens one record a target named on its tab, the listing left behind kept on the
    /// trail (Esc comes back to it).
    fn open_found(&mut self, one: crate::target::Found) {
        let tab = match one.kind {
            crate::target::Kind::Connection => Tab::Connections,
            crate::target::Kind::Profile => Tab::Profiles,
            crate::target::Kind::Number => Tab::Numbers,
            crate::target::Kind::Order => Tab::Orders,
            crate::target::Kind::Credential => Tab::Credentials,
        };
        let scope = Scope::Record { id: one.id.clone(), label: one.describe() };
        let mut listing = Listing::new(tab, Some(scope), String::new());
        listing.add(vec![one.record]);
        listing.total = 1;
        listing.next_page = None;
        let previous = std::mem::replace(&mut self.listing, listing);
        if previous.next_page != Some(1) || !previous.records.is_empty() {
            self.trail.push(previous);
        }
        self.in_detail = false;
        self.relation_cursor = 0;
        self.activity.problem = None;
    }

    /// Keys while the question of which record was meant is open: move, Enter opens
    /// the highlighted one, Esc cancels.
    fn on_choice_action(&mut self, action: Action) -> Transition {
        let Some(choices) = &mut self.choices else { return Transition::none() };
        if move_cursor(&mut choices.cursor, choices.found.len(), action) {
            return Transition::none();
        }
        match action {
            Action::Submit => {
                let choices = self.choices.take().expect("checked above");
                let Some(one) = choices.found.get(choices.cursor).cloned() else { return Transition::none() };
                self.open_found(one);
                self.picked_from = Some((self.trail.len(), choices));
            }
            Action::Back => self.choices = None,
            _ => {}
        }
        Transition::none()
    }

    fn on_goto_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let Some(input) = &self.goto_input else { return Transition::none() };
        match action {
            Action::Back => self.goto_input = None,
            Action::Submit => {
                let given = input.value().trim().to_owned();
                self.goto_input = None;
                if !given.is_empty() {
                    return Transition::Stay(self.go_to(given, ctx));
                }
            }
            _ => {}
        }
        Transition::none()
    }

    /// The relations of the highlighted record.
    pub fn relations(&self) -> Vec<Relation> {
        match self.listing.highlighted() {
            Some(record) => self.relations_of(&self.listing.value(record)),
            None => Vec::new(),
        }
    }

    /// The relations of `item`, a record of this tab; the view, which has parsed the
    /// highlighted record already, asks with it.
    pub fn relations_of(&self, item: &Value) -> Vec<Relation> {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        let mut relations = Vec::new();
        match self.listing.tab {
            Tab::Connections => {
                if let Some(profile) = item["outbound"]["outbound_voice_profile_id"].as_str() {
                    relations.push(Relation {
                        label: format!("Outbound voice profile {profile}"),
                        target: Target::Listing(
                            Tab::Profiles,
                            Scope::Record { id: profile.to_owned(), label: format!("profile {profile}") },
                        ),
                    });
                }
                let name = item["connection_name"].as_str().unwrap_or(&id).to_owned();
                relations.push(Relation {
                    label: "Its phone numbers".into(),
                    target: Target::Listing(
                        Tab::Numbers,
                        Scope::Filter {
                            key: "filter[connection_id]",
                            value: id.clone(),
                            label: format!("numbers of {name}"),
                        },
                    ),
                });
                relations.push(Relation {
                    label: "Its telephony credentials".into(),
                    target: Target::Listing(
                        Tab::Credentials,
                        Scope::Filter {
                            key: "filter[resource_id]",
                            value: format!("connection:{id}"),
                            label: format!("credentials of {name}"),
                        },
                    ),
                });
                relations.push(Relation { label: "Run the doctor".into(), target: Target::Doctor(id) });
            }
            Tab::Numbers | Tab::Orders => {
                if let Some(connection) = item["connection_id"].as_str() {
                    relations.push(Relation::to_connection(connection));
                }
            }
            Tab::Credentials => {
                if let Some(connection) =
                    item["resource_id"].as_str().and_then(|r| r.strip_prefix("connection:"))
                {
                    relations.push(Relation::to_connection(connection));
                }
            }
            Tab::Profiles => relations.push(Relation {
                label: "Its connections".into(),
                target: Target::Listing(
                    Tab::Connections,
                    Scope::Filter {
                        key: "filter[outbound_voice_profile_id]",
                        value: id.clone(),
                        label: format!("connections of profile {id}"),
                    },
                ),
            }),
            Tab::Balance => {}
        }
        relations
    }

    /// Asks for the next page when the cursor nears the end of what is loaded.
    fn load_more(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        if self.activity.busy() {
            return Vec::new();
        }
        let near_end = self.listing.cursor + PREFETCH_MARGIN >= self.listing.visible().len();
        match self.listing.next_request(self.to_end).filter(|_| near_end) {
            Some(request) => {
                let name = self.listing.tab.title().to_lowercase();
                let what = if self.to_end {
                    format!(
                        "Loading {name} to the end ({} of {})",
                        self.listing.records.len(),
                        self.listing.total
                    )
                } else {
                    format!("Loading {name}")
                };
                vec![ctx.call(&mut self.activity, what, request)]
            }
            None => {
                self.to_end = false;
                Vec::new()
            }
        }
    }

    fn show(&mut self, listing: Listing, ctx: &mut Ctx) -> Vec<Cmd> {
        self.listing = listing;
        self.to_end = false;
        self.in_detail = false;
        self.relation_cursor = 0;
        self.activity.problem = None;
        self.load_more(ctx)
    }

    fn on_filter_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let Some(input) = &self.filter_input else { return Transition::none() };
        match action {
            Action::Back => self.filter_input = None,
            Action::Submit => {
                let filter = input.value().trim().to_owned();
                self.filter_input = None;
                if self.listing.tab == Tab::Numbers
                    && !filter.is_empty()
                    && filter.chars().filter(char::is_ascii_digit).count() < 3
                {
                    self.activity.fail(Problem::Input("Give at least 3 digits to filter numbers.".into()));
                    return Transition::none();
                }
                let listing = Listing::new(self.listing.tab, self.listing.scope.clone(), filter);
                return Transition::Stay(self.show(listing, ctx));
            }
            _ => {}
        }
        Transition::none()
    }

    fn on_detail_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        match action {
            Action::PageDown => self.detail_scroll = self.detail_scroll.saturating_add(10),
            Action::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(10),
            Action::Back | Action::Left => self.in_detail = false,
            Action::Raw => self.raw = !self.raw,
            Action::Submit => {
                return match self.relations().into_iter().nth(self.relation_cursor).map(|r| r.target) {
                    Some(Target::Listing(tab, scope)) => {
                        let next = Listing::new(tab, Some(scope), String::new());
                        let previous = std::mem::replace(&mut self.listing, next.clone());
                        self.trail.push(previous);
                        Transition::Stay(self.show(next, ctx))
                    }
                    Some(Target::Doctor(connection_id)) => {
                        let request = Request::Diagnose { connection_id, trial_token: false };
                        Transition::run(ctx.call(&mut self.activity, "Running the doctor", request))
                    }
                    None => Transition::none(),
                };
            }
            _ => {
                let relations = self.relations().len();
                move_cursor(&mut self.relation_cursor, relations, action);
            }
        }
        Transition::none()
    }

    /// On the record picked from a question (nothing followed from it since): Esc asks
    /// the question again, over the list the record was opened from.
    fn on_picked(&self) -> bool {
        self.picked_from.as_ref().is_some_and(|(depth, _)| *depth == self.trail.len())
    }

    fn switch_tab(&mut self, tab: Tab, ctx: &mut Ctx) -> Transition {
        self.trail.clear();
        self.picked_from = None;
        Transition::Stay(self.show(Listing::new(tab, None, String::new()), ctx))
    }

    fn on_list_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let visible = self.listing.visible().len();
        if move_cursor(&mut self.listing.cursor, visible, action) {
            // End means the true end: the pages not loaded yet follow.
            self.to_end = action == Action::End;
            return Transition::Stay(self.load_more(ctx));
        }
        match action {
            Action::NextField | Action::PrevField => {
                let next = cycle(&Tab::ALL, self.listing.tab, action == Action::NextField);
                self.switch_tab(next, ctx)
            }
            Action::Tab(number) => match Tab::ALL.get(usize::from(number).wrapping_sub(1)) {
                Some(tab) => self.switch_tab(*tab, ctx),
                None => Transition::none(),
            },
            Action::Submit | Action::Right if self.listing.highlighted().is_some() => {
                self.in_detail = true;
                self.relation_cursor = 0;
                self.detail_scroll = 0;
                Transition::none()
            }
            Action::Filter => {
                self.filter_input = Some(TextField::new(&self.listing.filter, 64));
                Transition::none()
            }
            Action::GoTo => {
                self.goto_input = Some(TextField::new("", 128));
                Transition::none()
            }
            Action::Raw => {
                self.raw = !self.raw;
                Transition::none()
            }
            Action::Copy => match self.listing.highlighted().and_then(Record::id) {
                Some(id) => Transition::run(self.activity.copy(format!("the id {id}"), Secret::new(id))),
                None => Transition::none(),
            },
            // Reload; on an empty list (a load failed or was cancelled) Enter does too.
            Action::Reload | Action::Submit => {
                let (tab, scope, filter) =
                    (self.listing.tab, self.listing.scope.clone(), self.listing.filter.clone());
                Transition::Stay(self.show(Listing::new(tab, scope, filter), ctx))
            }
            // Esc clears a filter first, then walks back along the relations followed.
            Action::Back if !self.listing.filter.is_empty() => {
                let listing = Listing::new(self.listing.tab, self.listing.scope.clone(), String::new());
                Transition::Stay(self.show(listing, ctx))
            }
            Action::Back if self.on_picked() => {
                let (_, choices) = self.picked_from.take().expect("on_picked");
                if let Some(previous) = self.trail.pop() {
                    self.listing = previous;
                }
                self.in_detail = false;
                self.choices = Some(choices);
                Transition::none()
            }
            Action::Back => {
                if let Some(previous) = self.trail.pop() {
                    self.listing = previous;
                    self.in_detail = false;
                }
                Transition::none()
            }
            _ => Transition::none(),
        }
    }
}

const TABS: &[Action] = &[Action::NextField, Action::PrevField];
const TAB_NUMBERS: &[Action] =
    &[Action::Tab(1), Action::Tab(2), Action::Tab(3), Action::Tab(4), Action::Tab(5), Action::Tab(6)];
const CLOSE_REPORT: &[Action] = &[Action::Back, Action::AnyOther];
const RELATIONS: &[Action] = &[Action::Up, Action::Down, Action::Home, Action::End];
const SCROLL: &[Action] = &[Action::PageUp, Action::PageDown];
const TO_LIST: &[Action] = &[Action::Back, Action::Left];
const DETAILS: &[Action] = &[Action::Submit, Action::Right];

impl Screen for InspectorStep {
    activity_field!();

    fn title(&self) -> &'static str {
        if self.doctor.is_some() {
            return "Inspector: the doctor's report";
        }
        if self.filter_input.is_some() {
            return "Inspector: filter";
        }
        if self.goto_input.is_some() {
            return "Inspector: go to a record";
        }
        if self.choices.is_some() {
            return "Inspector: which record?";
        }
        if self.in_detail {
            return "Inspector: record details";
        }
        match self.listing.tab {
            Tab::Connections => "Inspector: connections",
            Tab::Profiles => "Inspector: outbound voice profiles",
            Tab::Numbers => "Inspector: phone numbers",
            Tab::Orders => "Inspector: number orders",
            Tab::Credentials => "Inspector: telephony credentials",
            Tab::Balance => "Inspector: balance",
        }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.doctor.is_some() {
            return vec![Binding::new(CLOSE_REPORT, "close the report", "Close the report (any key does).")];
        }
        if self.filter_input.is_some() {
            return vec![
                Binding::new(&[Action::Submit], "apply filter", "Show only the records that match."),
                Binding::new(&[Action::Back], "cancel", "Close the filter, keeping the list as it was."),
            ];
        }
        if self.goto_input.is_some() {
            return vec![
                Binding::new(&[Action::Submit], "go", "Find the record and open it (Esc comes back)."),
                Binding::new(&[Action::Back], "cancel", "Close the prompt."),
            ];
        }
        if let Some(choices) = &self.choices {
            let mut bindings: Vec<Binding> = Binding::movement(
                choices.found.len(),
                MOVE,
                "Move among the records the target could be (also j/k, Home, End).",
            )
            .into_iter()
            .collect();
            bindings.extend([
                Binding::new(&[Action::Submit], "open", "Open the highlighted record (Esc comes back)."),
                Binding::new(&[Action::Back], "cancel", "Close the question, keeping the list as it was."),
            ]);
            return bindings;
        }
        if self.in_detail {
            let relations = self.relations().len();
            let mut bindings: Vec<Binding> = Binding::movement(
                relations,
                RELATIONS,
                "Move among the record's relations (also j/k, Home, End).",
            )
            .map(|binding| Binding { hint: "relation", ..binding })
            .into_iter()
            .collect();
            if relations > 0 {
                bindings.push(Binding::new(
                    &[Action::Submit],
                    "follow",
                    "Open the highlighted relation (Esc comes back).",
                ));
            }
            bindings.extend([
                Binding::new(SCROLL, "scroll", "Scroll the details."),
                Binding::new(&[Action::Raw], "raw JSON", "Show the record as raw JSON, or as fields."),
                Binding::new(TO_LIST, "list", "Back to the list."),
            ]);
            return bindings;
        }
        let mut bindings = vec![
            Binding::new(TABS, "next tab", "Go to the next tab (Shift-Tab: the previous one)."),
            Binding::new(TAB_NUMBERS, "tab", "Go to the tab of that number.").quiet(),
        ];
        if self.listing.tab != Tab::Balance {
            if self.listing.highlighted().is_some() {
                bindings.extend(Binding::movement(
                    self.listing.visible().len(),
                    MOVE,
                    "Move (also j/k, Home, End); more load as you near the end.",
                ));
                bindings.push(Binding::new(DETAILS, "details", "Open the record's details and relations."));
            } else {
                bindings.push(Binding::new(&[Action::Submit], "reload", "Load the list again."));
            }
            bindings.push(Binding::new(
                &[Action::Filter],
                "filter",
                "Filter the list (on Telnyx's side where it can).",
            ));
            if self.listing.highlighted().is_some() {
                bindings.extend([
                    Binding::new(&[Action::Raw], "raw JSON", "Show the record as raw JSON, or as fields."),
                    Binding::new(&[Action::Copy], "copy id", "Copy the record's id to the clipboard."),
                ]);
            }
        }
        bindings.push(Binding::new(
            &[Action::GoTo],
            "go to",
            "Go to a record by its id, UUID, phone number or SIP user name.",
        ));
        bindings.push(Binding::new(&[Action::Reload], "reload", "Load this tab again from Telnyx."));
        if !self.listing.filter.is_empty() {
            bindings.push(Binding::new(&[Action::Back], "clear filter", "Show the whole list again."));
        } else if self.on_picked() {
            bindings.push(Binding::new(&[Action::Back], "back", "Back to the records the target could be."));
        } else if !self.trail.is_empty() {
            bindings.push(Binding::new(&[Action::Back], "back", "Back to the list you came from."));
        }
        bindings
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if self.doctor.is_some() {
            self.doctor = None;
            return Transition::none();
        }
        if self.filter_input.is_some() {
            return self.on_filter_action(action, ctx);
        }
        if self.goto_input.is_some() {
            return self.on_goto_action(action, ctx);
        }
        if self.choices.is_some() {
            return self.on_choice_action(action);
        }
        if self.in_detail {
            return self.on_detail_action(action, ctx);
        }
        self.on_list_action(action, ctx)
    }

    fn input(&self) -> Option<&dyn Input> {
        self.filter_input.as_ref().or(self.goto_input.as_ref()).map(|input| input as &dyn Input)
    }

    fn input_mut(&mut self) -> Option<&mut dyn Input> {
        self.filter_input.as_mut().or(self.goto_input.as_mut()).map(|input| input as &mut dyn Input)
    }

    /// Typing in the filter leaves the problem shown until the filter is applied.
    fn edited(&mut self) {}

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::Browsed(_) | Reply::BrowsedMany(_) => {
                let pages = match reply {
                    Reply::Browsed(page) => vec![page],
                    Reply::BrowsedMany(pages) => pages,
                    _ => Vec::new(),
                };
                let listing = &mut self.listing;
                for page in pages {
                    listing.arrived(page);
                    if listing.next_page.is_none() {
                        break;
                    }
                }
                if self.to_end {
                    listing.cursor = listing.visible().len().saturating_sub(1);
                }
                // The cursor may already be near the end of a short first page.
                return Transition::Stay(self.load_more(ctx));
            }
            Reply::Fetched(record) => {
                self.listing.add(vec![record]);
                self.listing.total = 1;
                self.listing.next_page = None;
            }
            Reply::BalanceRead(balance) => {
                self.balance = Some(balance);
                self.listing.next_page = None;
            }
            Reply::Diagnosed(report) => self.doctor = Some(report),
            Reply::TargetFound(found) => return self.found(found),
            _ => {}
        }
        Transition::none()
    }
}
