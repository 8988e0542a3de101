//! The wizard as a pure state machine: [`State::update`] takes a [`Msg`] and returns
//! the [`Cmd`]s to run. No I/O, no clock, no channels, so every screen's behaviour is
//! tested by feeding messages and comparing commands.
//!
//! Each screen is a [`Step`] variant that owns its data; the screens behind the current
//! one wait on a history stack, so Esc returns to them as they were.

mod change;
mod codecs;
mod connection;
mod countries;
mod credential;
mod curl;
mod field;
mod finish;
mod flow;
pub mod form;
mod inspector;
pub mod keys;
mod numbers;
mod pick;
mod profile;
mod resume;
pub mod screen;
mod sign_in;
mod token;
mod wanted;

pub use change::Change;
pub use codecs::CodecsStep;
pub use connection::{ConnectionStep, FormField};
pub use countries::CountriesStep;
pub use credential::{CredentialField, CredentialStep, SIP_DOMAIN, SipDetail};
pub use field::TextField;
pub use finish::FinishStep;
pub use inspector::{Choices, InspectorStep, Listing, MADE_MARK, PAGE_SIZE, Relation, Scope, Tab};
pub use numbers::{NumbersScreen, NumbersStep, SearchField, SearchForm, plural};
pub use pick::{Pick, PickList, Preselected, Tie};
pub use profile::{ProfileField, ProfileStep};
pub use resume::ResumeStep;
pub use screen::Screen;
pub use sign_in::{KeySource, SignInFocus, SignInStep};

pub use curl::CurlPanel;
pub use token::TokenStep;
pub use wanted::{Desired, SetUp, enter_line};

use crate::api::{
    ApiError, Balance, CredentialConnection, OutboundVoiceProfile, RetryNotice, TelephonyCredential,
};
use crate::clipboard::{CopyError, CopyMethod};
use crate::msg::{Cmd, Msg, OpId, Reply, Request};
use crate::setup::LoginToken;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use keys::{Action, Binding};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::{Duration, SystemTime};

/// The wizard's steps in order, as the header names them.
pub const STEP_TITLES: [&str; 8] =
    ["Sign in", "Connection", "Codecs", "Voice profile", "Countries", "Numbers", "Credential", "Token"];

/// Declares [`Step`] and the one match that reaches the [`Screen`] inside a variant,
/// so adding a screen is one line here (and its state and view files).
macro_rules! steps {
    ($($(#[$doc:meta])* $variant:ident($screen:ty) = $number:expr,)*) => {
        /// The screen on display; each variant owns that screen's data.
        // The variants differ in size, but only the current step and a short history
        // exist at once, so boxing them would add indirection for nothing.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug)]
        pub enum Step {
            $($(#[$doc])* $variant($screen),)*
        }

        impl Step {
            /// The step's place among [`STEP_TITLES`], 1-based.
            pub fn number(&self) -> usize {
                match self {
                    $(Step::$variant(_) => $number,)*
                }
            }

            /// The screen inside.
            pub fn screen(&self) -> &dyn Screen {
                match self {
                    $(Step::$variant(screen) => screen,)*
                }
            }

            pub fn screen_mut(&mut self) -> &mut dyn Screen {
                match self {
                    $(Step::$variant(screen) => screen,)*
                }
            }
        }
    };
}

steps! {
    SignIn(SignInStep) = 1,
    Connection(ConnectionStep) = 2,
    Codecs(CodecsStep) = 3,
    Profile(ProfileStep) = 4,
    Countries(CountriesStep) = 5,
    Numbers(NumbersStep) = 6,
    /// "Continue the setup started at …?", after sign-in when the journal has one.
    Resume(ResumeStep) = 1,
    Credential(CredentialStep) = 7,
    Token(TokenStep) = 8,
    /// The summary after the last step.
    Finish(FinishStep) = 8,
    /// The read-only inspector (`telnyx-setup inspect`), after sign-in; not a wizard
    /// step, so the header names it instead of a number.
    Inspect(InspectorStep) = 1,
}

/// A request in flight, and what the screen says while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub op: OpId,
    pub what: String,
    /// The retry under way after a transient failure, if any.
    pub retry: Option<RetryNotice>,
}

/// Why the last action did not go through, shown in place until the next attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The API refused or failed.
    Api(ApiError),
    /// The input was rejected before anything was sent.
    Input(String),
    /// The user cancelled the request (it names what was cancelled).
    Cancelled(String),
}

/// The request state every screen shares: at most one request in flight, and the
/// problem left by the last one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub pending: Option<Pending>,
    pub problem: Option<Problem>,
    /// A neutral note on what the last action did ("Added … to the cart"), shown
    /// where a problem would be; cleared like one.
    pub notice: Option<String>,
    /// What the copy in progress is of ("the SIP user name"), for saying where it went.
    pub copying: Option<String>,
}

impl Activity {
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    fn fail(&mut self, problem: Problem) {
        self.problem = Some(problem);
        self.notice = None;
    }

    /// Asks the loop to copy `text`, remembering what it is for the note on the outcome.
    fn copy(&mut self, what: impl Into<String>, text: crate::secret::Secret) -> Cmd {
        self.copying = Some(what.into());
        Cmd::Copy(text)
    }

    /// [`Self::copy`] for a secret, which the clipboard clears after a time if it
    /// still holds it ([`Cmd::CopySecret`]).
    fn copy_secret(&mut self, what: impl Into<String>, text: crate::secret::Secret) -> Cmd {
        self.copying = Some(what.into());
        Cmd::CopySecret(text)
    }

    /// Says where the copy went, or why it failed.
    fn copied(&mut self, outcome: Result<CopyMethod, CopyError>) {
        let what = self.copying.take().unwrap_or_else(|| "the text".to_owned());
        match outcome {
            Ok(CopyMethod::System { kept_after_exit: true }) => {
                self.note(format!("Copied {what} to the system clipboard."));
            }
            Ok(CopyMethod::SystemUntil { cleared_after }) => self.note(format!(
                "Copied {what} to the system clipboard; {}.",
                crate::clipboard::cleared_text(cleared_after)
            )),
            Ok(CopyMethod::System { kept_after_exit: false }) => self.note(format!(
                "Copied {what} to the system clipboard; paste it before quitting (install xclip to keep it)."
            )),
            Ok(CopyMethod::Osc52) => self.note(format!(
                "Sent {what} to your terminal's clipboard (OSC 52: no system clipboard here); {}",
                crate::clipboard::OSC52_CHECK
            )),
            Err(error) => self.fail(Problem::Input(format!("Could not copy {what}: {error}."))),
        }
    }

    fn note(&mut self, notice: impl Into<String>) {
        self.problem = None;
        self.notice = Some(notice.into());
    }
}

/// What the user has set up so far: the facts later screens build on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Setup {
    pub balance: Option<Balance>,
    pub connection: Option<CredentialConnection>,
    pub codecs_saved: bool,
    /// The profile attached to the connection.
    pub profile: Option<OutboundVoiceProfile>,
    pub countries_saved: bool,
    /// The numbers step was skipped (`s`): numbers are not part of this setup (the
    /// numbers wanted, [`crate::setup::Wanted::numbers`], are left open then, as
    /// before the step is reached).
    pub numbers_skipped: bool,
    pub credential: Option<TelephonyCredential>,
    pub token: Option<LoginToken>,
    /// The connection was made by telnyx-setup (in this run, or by the setup it
    /// continues): its settings are the user's to change without being asked.
    pub connection_created: bool,
    /// The connection was created by this very run, so it has no numbers yet.
    pub connection_new: bool,
    /// The order placed (or being placed) for the cart, as the journal keeps it.
    pub order: Option<crate::journal::OrderNote>,
    /// The same for the profile.
    pub profile_created: bool,
    /// Where "Remember this key" saved the key, or why it could not; `None` when the
    /// user did not ask.
    pub key_saved: Option<Result<crate::accounts::Saved, String>>,
    /// The last login test (`t` on the token screen) of the token generated; `None`
    /// until one ran. The summary claims a working login only after one passed.
    pub login_test: Option<crate::signaling::LoginTest>,
    /// The last call test (offered on the token screen after a login test passed);
    /// the summary claims a client that can call only after one passed.
    pub call_test: Option<crate::calltest::CallOutcome>,
}

impl Setup {
    /// A connection was chosen or created: what later steps set up was for the one
    /// before, so they are to do again (the key and balance stay).
    fn connection_chosen(&mut self, connection: CredentialConnection, created: bool, new: bool) {
        *self = Setup {
            balance: self.balance.take(),
            key_saved: self.key_saved.take(),
            connection: Some(connection),
            connection_created: created,
            connection_new: new,
            ..Setup::default()
        };
    }

    /// A new connection was named (made later, on step 4 or 5): what later steps set
    /// up was for the connection before. It is telnyx-setup's, and new.
    fn connection_drafted(&mut self) {
        *self = Setup {
            balance: self.balance.take(),
            key_saved: self.key_saved.take(),
            connection_created: true,
            connection_new: true,
            ..Setup::default()
        };
    }

    /// A profile was attached: its countries are yet to be saved.
    fn profile_chosen(&mut self, profile: OutboundVoiceProfile, created: bool) {
        self.profile = Some(profile);
        self.profile_created = created;
        self.countries_saved = false;
    }

    /// Which of the eight steps are done, in [`STEP_TITLES`] order, as far as this
    /// record says ([`Ctx::done`] says for the numbers, from what is wanted).
    pub fn done(&self) -> [bool; 8] {
        [
            self.balance.is_some(),
            self.connection.is_some(),
            self.codecs_saved,
            self.profile.is_some(),
            self.countries_saved,
            false,
            self.credential.is_some(),
            self.token.is_some(),
        ]
    }
}

/// What the program was started to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The setup wizard.
    #[default]
    Wizard,
    /// The read-only inspector: sign-in leads to it, and it never changes the account.
    Inspector,
}

/// Everything a step may use besides its own data.
#[derive(Debug)]
pub struct Ctx {
    pub mode: Mode,
    /// The API talked to, as the screens name it.
    pub api: ApiTarget,
    next_op: OpId,
    /// Generates suggested user names (public); seeded from the OS in the app and from a
    /// constant in tests, so update() stays deterministic.
    pub rng: StdRng,
    /// Generates secrets (SIP passwords): the OS's generator, unless a test that
    /// compares screens seeds it. Never the stream the user names come from.
    pub secret_rng: crate::secret::SecretRng,
    pub setup: Setup,
    /// The wall clock as of the last tick, for the token's countdown and expiry
    /// checks. Time reaches the state only through messages, so update() and view()
    /// never read the clock.
    pub now: SystemTime,
    /// Where the login test (`t`) logs in: Telnyx's signaling server unless
    /// `--signaling-url` or `--demo` say otherwise (set after [`State::new`]).
    pub signaling: crate::signaling::SignalingUrl,
    pub journal: JournalCtx,
    /// The record `inspect TARGET` was given (an id, a number, a SIP user name): the
    /// inspector opens on it (set after [`State::new`]; taken when it opens).
    pub inspect_target: Option<String>,
    /// The account whose key is in use, for the header and for the questions before a
    /// write (set after [`State::new`]; cleared when a key is typed instead).
    pub account: Option<crate::accounts::InUse>,
    /// Reads sent ahead for the screen the user is about to see ([`Ctx::prefetch`]).
    prefetched: Vec<Prefetched>,
    /// Reads sent ahead that a screen took since the last update, as its own.
    taken: Vec<Request>,
    /// The balance read in the background ([`Ctx::refresh_balance`]), while on its way.
    balance_read: Option<OpId>,
    /// An order left to complete while the user goes on ([`Ctx::complete_order`]).
    completing: Option<Completing>,
    /// What the user wants and what the account has: the plan the screens from the
    /// codecs to the credential send (`state/wanted.rs`).
    pub desired: Desired,
    /// The requests sent and not answered yet, by op, so an answer can be read for
    /// what it says about the account ([`Desired::observe`]).
    asked: std::collections::HashMap<OpId, Request>,
}

/// A pending order checked in the background: the check on its way, and what follows
/// the order (the checks so far, the connection it was placed for).
#[derive(Debug)]
struct Completing {
    op: OpId,
    follower: crate::setup::OrderFollower,
}

/// How long a read sent ahead stands for the screen that needs it, from its answer:
/// long enough to cover the screens read before that one, short enough that the
/// account has rarely changed meanwhile. An older answer is read again.
pub const PREFETCH_FRESH: Duration = Duration::from_secs(60);

/// A read sent before its screen asked for it, and its answer once it came.
#[derive(Debug)]
struct Prefetched {
    op: OpId,
    request: Request,
    outcome: Option<Result<Reply, ApiError>>,
    /// When the answer came (the state's clock then).
    answered_at: SystemTime,
}

impl Prefetched {
    /// Answered, successfully, too long ago to stand for the present.
    fn stale(&self, now: SystemTime) -> bool {
        matches!(self.outcome, Some(Ok(_)))
            && now.duration_since(self.answered_at).unwrap_or_default() > PREFETCH_FRESH
    }

    /// On its way, or answered recently: sending it again would only repeat it.
    fn standing(&self, now: SystemTime) -> bool {
        !matches!(self.outcome, Some(Err(_))) && !self.stale(now)
    }
}

/// What [`Ctx::fetch`] did for a screen.
// One lives for a moment per screen fetch, so a large `Ready` costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum Fetched {
    /// The prefetched answer, for the screen to take as if it had just arrived.
    Ready(Reply),
    /// A request is on its way (just sent, or prefetched and still in flight): its
    /// answer arrives as the screen's own.
    Waiting(Vec<Cmd>),
}

/// The setup journal as the state machine sees it: the loop reads the file at start
/// and writes what [`State::update`] asks for ([`Cmd::Journal`]).
#[derive(Debug, Default)]
pub struct JournalCtx {
    /// Every account's record, as read at start, and why the file was ignored if it was.
    pub loaded: crate::journal::Loaded,
    /// A journal is kept ([`State::use_journal`]); without one, nothing is saved.
    pub kept: bool,
    /// `--fresh`: start a new setup whatever the journal and the account hold.
    pub fresh: bool,
    /// This account's id ([`crate::journal::account_id`]), once its key is accepted.
    pub account: Option<String>,
    /// The earlier setup being continued; `None` for a new one.
    pub resume: Option<crate::journal::Record>,
    /// Whether the lists preselect what telnyx-setup made ([`crate::api::MARK`]): on
    /// unless the user asked for a new setup (`n` at the prompt, `--fresh`).
    pub recognise: bool,
    /// The order an earlier run sent, as Telnyx has it now (found by its reference).
    pub found_order: Option<crate::api::NumberOrder>,
    /// This run's record as it will be saved.
    record: crate::journal::Record,
    /// The write in flight, as the record names it, and its request's op.
    pending: Option<(OpId, crate::journal::Intent)>,
    /// What was saved last, so only changes are written.
    saved: Option<crate::journal::Record>,
}

impl JournalCtx {
    /// The record the journal has for `account`, unless `--fresh`.
    pub fn earlier(&self, account: &str) -> Option<&crate::journal::Record> {
        if self.fresh {
            return None;
        }
        self.loaded.accounts.get(account).filter(|record| !record.is_empty())
    }

    /// Continue `record`: its facts stand until this run chooses again.
    fn continue_with(&mut self, record: crate::journal::Record) {
        self.record = record.clone();
        self.saved = Some(record.clone());
        self.resume = Some(record);
        self.recognise = true;
    }

    /// Start a new setup on this account: the earlier one is forgotten.
    fn start_new(&mut self) {
        self.record = crate::journal::Record::default();
        self.resume = None;
        self.found_order = None;
        self.recognise = false;
    }
}

impl Ctx {
    /// The id of the last request asked for (0 before the first).
    pub fn last_op(&self) -> OpId {
        self.next_op
    }

    /// Sends the read `request` now, for a screen the user is about to see; that
    /// screen takes its answer through [`Ctx::fetch`] instead of waiting a round trip.
    /// An answer that fails is dropped: the screen then asks again, and only its own
    /// failure is shown, if the user gets there.
    ///
    /// Nothing is sent if the same read is already on its way or freshly answered.
    fn prefetch(&mut self, request: Request) -> Option<Cmd> {
        let now = self.now;
        if self.prefetched.iter().any(|p| p.request == request && p.standing(now)) {
            return None;
        }
        self.prefetched.retain(|p| p.request != request);
        self.next_op += 1;
        let op = self.next_op;
        self.prefetched.push(Prefetched { op, request: request.clone(), outcome: None, answered_at: now });
        Some(Cmd::Call { op, request })
    }

    /// [`Ctx::prefetch`] of a read whose answer the account takes ([`Desired::observe`]):
    /// when its answer is already here and fresh (the same connection chosen again,
    /// after choosing made the wizard forget what it had read), the account takes it
    /// again instead of reading it twice.
    fn prefetch_observed(&mut self, request: Request) -> Option<Cmd> {
        let now = self.now;
        let answered = self.prefetched.iter().find(|p| p.request == request && p.standing(now));
        if let Some(Some(Ok(reply))) = answered.map(|p| &p.outcome) {
            self.desired.observe(Some(&request), reply);
        }
        self.prefetch(request)
    }

    /// Makes `activity` wait for the read of the numbers on the chosen connection, sent
    /// ahead when it was chosen, if it is still on its way: a question about a change
    /// of the connection names them, so it waits for them rather than leave them out.
    /// Whether it waits; its answer then comes to [`Screen::on_read_ahead`], and stays
    /// step 6's to take.
    fn wait_for_numbers(&mut self, activity: &mut Activity) -> bool {
        let Some(connection) = &self.desired.account.connection else { return false };
        let request = Request::ListConnectionNumbers { connection_id: connection.id.clone() };
        let Some(read) = self.prefetched.iter().find(|p| p.request == request && p.outcome.is_none()) else {
            return false;
        };
        let what = "Reading the numbers on the connection".to_owned();
        activity.pending = Some(Pending { op: read.op, what, retry: None });
        activity.problem = None;
        activity.notice = None;
        true
    }

    /// A request was cancelled (the screen waiting for it, Esc): it will not answer, so
    /// nothing waits for its answer, and the screen that needs a read sent ahead reads again.
    fn forget_read(&mut self, op: OpId) {
        self.asked.remove(&op);
        self.prefetched.retain(|p| p.op != op);
    }

    /// Reads what an answer says about the account into [`Ctx::desired`] (the wizard
    /// only: the inspector wants nothing).
    fn observe(&mut self, op: OpId, outcome: &Result<Reply, ApiError>) {
        let asked = self.asked.remove(&op);
        if self.mode != Mode::Wizard {
            return;
        }
        let request =
            asked.or_else(|| self.prefetched.iter().find(|p| p.op == op).map(|p| p.request.clone()));
        match outcome {
            Ok(reply) => self.desired.observe(request.as_ref(), reply),
            Err(error) => {
                if let Some(request) = &request {
                    self.desired.write_failed(request, error);
                }
            }
        }
    }

    /// A connection was chosen (`created`: telnyx-setup made it, so its settings are
    /// the setup's own) or made by this run (`new`): what later steps set up and chose
    /// was for the one before.
    fn choose_connection(&mut self, connection: CredentialConnection, created: bool, new: bool) {
        self.desired.connection_chosen(&connection, new);
        self.setup.connection_chosen(connection, created, new);
    }

    /// A new connection was named on step 2's form, with the SIP login it holds: the
    /// plan makes it on the profile chosen, with the codecs chosen.
    fn draft_connection(&mut self, name: String, login: crate::setup::SipLogin) {
        self.desired.connection_drafted(name, login);
        self.setup.connection_drafted();
    }

    /// The drafted connection was made (by the plan's create, on step 4 or 5): the
    /// choices made on the way stand.
    fn connection_made(&mut self, connection: CredentialConnection) {
        self.desired.connection_made(&connection);
        self.setup.connection = Some(connection);
        self.setup.connection_created = true;
        self.setup.connection_new = true;
    }

    /// The connection the screens show: the one chosen or made, else the one drafted
    /// (no id yet: its name, SIP user name and the codecs it is to be made with).
    fn connection_shown(&self) -> CredentialConnection {
        if let Some(connection) = &self.setup.connection {
            return connection.clone();
        }
        let Some(wanted) = &self.desired.wanted else { return CredentialConnection::default() };
        let mut draft = CredentialConnection::default();
        if let crate::setup::Pick::New(name) = &wanted.connection {
            draft.connection_name = name.clone();
        }
        draft.user_name = wanted.login.as_ref().map(|l| l.user_name.clone()).unwrap_or_default();
        draft.inbound.codecs = wanted.codecs.clone().unwrap_or_else(crate::setup::new_connection_codecs);
        draft
    }

    /// Drops every read sent ahead (their answers, when they come, are ignored).
    fn forget_reads_ahead(&mut self) {
        self.prefetched.clear();
    }

    /// What a screen opening needs `request` for: the prefetched answer if it came,
    /// the prefetched request if it is still in flight (the screen then waits for it
    /// as for its own), or a request sent now. A prefetch is taken once: a screen
    /// shown again lists afresh.
    fn fetch(&mut self, activity: &mut Activity, what: impl Into<String>, request: Request) -> Fetched {
        let now = self.now;
        let Some(index) = self.prefetched.iter().position(|p| p.request == request && !p.stale(now)) else {
            self.prefetched.retain(|p| p.request != request);
            return Fetched::Waiting(vec![self.call(activity, what, request)]);
        };
        let prefetched = self.prefetched.remove(index);
        if !matches!(prefetched.outcome, Some(Err(_))) {
            self.taken.push(prefetched.request.clone());
        }
        match prefetched.outcome {
            Some(Ok(reply)) => Fetched::Ready(reply),
            Some(Err(_)) => Fetched::Waiting(vec![self.call(activity, what, request)]),
            None => {
                self.asked.insert(prefetched.op, prefetched.request.clone());
                activity.pending = Some(Pending { op: prefetched.op, what: what.into(), retry: None });
                activity.problem = None;
                activity.notice = None;
                Fetched::Waiting(Vec::new())
            }
        }
    }

    /// [`Ctx::fetch`] for `screen`: a ready answer is taken as the screen takes its
    /// own (list answers keep the screen where it is).
    fn fetch_for(&mut self, screen: &mut dyn Screen, what: &str, request: Request) -> Vec<Cmd> {
        match self.fetch(screen.activity_mut(), what, request) {
            Fetched::Ready(reply) => match screen.on_reply(reply, self) {
                Transition::Stay(cmds) => cmds,
                Transition::Next(..) | Transition::Back => Vec::new(),
            },
            Fetched::Waiting(cmds) => cmds,
        }
    }

    /// Reads the balance again for the header (after a purchase), without holding up
    /// the screen: a failure leaves the header as it was.
    fn refresh_balance(&mut self) -> Cmd {
        self.next_op += 1;
        self.balance_read = Some(self.next_op);
        Cmd::Call { op: self.next_op, request: Request::ReadBalance }
    }

    /// Goes on following the pending order in the background, from its check `op` on
    /// its way, with the screen's `follower`. Only reads are left: the order was placed
    /// with the connection's id, so Telnyx assigns its numbers as it completes.
    fn complete_order(&mut self, op: OpId, follower: crate::setup::OrderFollower) {
        self.completing = Some(Completing { op, follower });
    }

    /// An order is completing in the background (the summary says so).
    pub fn order_completing(&self) -> bool {
        self.completing.is_some()
    }

    /// Takes the answer to a background check of the order ([`Ctx::complete_order`]):
    /// the next check while it is pending, its numbers once it succeeded. `None` if
    /// `op` was not that check.
    fn order_checked(&mut self, op: OpId, outcome: &Result<Reply, ApiError>) -> Option<Vec<Cmd>> {
        let mut completing = self.completing.take_if(|c| c.op == op)?;
        let order = match outcome {
            Ok(Reply::OrderChecked(order)) => order,
            Ok(_) => return Some(Vec::new()),
            Err(error) => {
                // The order stands at Telnyx; the journal keeps it, so a re-run finds it.
                tracing::info!("the number order could not be checked: {error}");
                return Some(Vec::new());
            }
        };
        if let Some(note) = &mut self.setup.order {
            note.id = Some(order.id.clone());
            note.status = Some(order.status.clone());
        }
        Some(match completing.follower.next(order) {
            crate::setup::Next::Check(request) => {
                self.next_op += 1;
                self.completing = Some(Completing { op: self.next_op, ..completing });
                vec![Cmd::Call { op: self.next_op, request }]
            }
            crate::setup::Next::End(crate::setup::Ended::Done(numbers)) => {
                self.desired.numbers_on_connection(&numbers);
                vec![self.refresh_balance()]
            }
            // Assigning is a write, which no screen shows: a re-run finds the order.
            crate::setup::Next::Assign(_) => {
                tracing::info!("the completed number order does not name the connection");
                Vec::new()
            }
            // Failed, or still pending after every check: the summary says which.
            crate::setup::Next::End(crate::setup::Ended::Failed | crate::setup::Ended::StillPending) => {
                Vec::new()
            }
        })
    }

    /// Takes the answer to [`Ctx::refresh_balance`]; whether `op` was it.
    fn balance_answered(&mut self, op: OpId, outcome: &Result<Reply, ApiError>) -> bool {
        if self.balance_read != Some(op) {
            return false;
        }
        self.balance_read = None;
        match outcome {
            Ok(Reply::BalanceRead(balance)) => self.setup.balance = Some(balance.clone()),
            Ok(_) => {}
            Err(error) => tracing::info!("the balance could not be read again: {error}"),
        }
        true
    }

    /// Keeps the answer to a prefetch; whether `op` was one.
    fn prefetch_answered(&mut self, op: OpId, outcome: &mut Option<Result<Reply, ApiError>>) -> bool {
        let Some(prefetched) = self.prefetched.iter_mut().find(|p| p.op == op && p.outcome.is_none()) else {
            return false;
        };
        prefetched.outcome = outcome.take();
        prefetched.answered_at = self.now;
        true
    }

    /// Starts `request`, marking `activity` as waiting for it. A write is noted as the
    /// journal's intent, saved before the request leaves.
    fn call(&mut self, activity: &mut Activity, what: impl Into<String>, request: Request) -> Cmd {
        self.next_op += 1;
        let op = self.next_op;
        if let Some(intent) = intent(&request) {
            self.journal.pending = Some((op, intent));
        }
        self.desired.sending(&request);
        self.asked.insert(op, request.clone());
        activity.pending = Some(Pending { op, what: what.into(), retry: None });
        activity.problem = None;
        activity.notice = None;
        Cmd::Call { op, request }
    }
}

/// How the journal names `request` if it is a write (as `setup` does).
fn intent(request: &Request) -> Option<crate::journal::Intent> {
    crate::setup::intent(request)
}

/// What a step's handler decided.
#[derive(Debug)]
pub enum Transition {
    /// Stay on this screen and run these commands.
    Stay(Vec<Cmd>),
    /// Move on to `Step`, keeping this one in the history, and run these commands.
    Next(Box<Step>, Vec<Cmd>),
    /// Return to the previous screen.
    Back,
}

impl Transition {
    fn none() -> Self {
        Self::Stay(Vec::new())
    }

    fn next(step: Step, cmds: Vec<Cmd>) -> Self {
        Self::Next(Box::new(step), cmds)
    }

    fn run(cmd: Cmd) -> Self {
        Self::Stay(vec![cmd])
    }
}

#[derive(Debug)]
pub struct State {
    pub step: Step,
    /// Screens to return to with Esc, most recent last.
    history: Vec<Step>,
    pub ctx: Ctx,
    /// Advances while a request is in flight, to animate the spinner.
    pub spinner: usize,
    /// The help overlay for the current screen is open.
    pub help: bool,
    /// Whether the theme may use colour (false under `NO_COLOR`).
    pub color: bool,
    /// The local time zone's offset, read once at start-up, for showing times.
    pub utc_offset: time::UtcOffset,
    /// Quit was asked for while a purchase is in flight; waiting for `y`.
    pub confirm_quit: bool,
    /// The user quit with Ctrl-C: the program exits 130, as an interrupted command does.
    pub interrupted: bool,
    /// This session's requests, newest last, for the requests pane (the last
    /// [`REQUESTS_KEPT`]).
    pub requests: std::collections::VecDeque<crate::api::RequestRecord>,
    /// The requests pane is open.
    pub show_requests: bool,
    /// Where the log file is, for the requests pane to point to.
    pub log_file: Option<std::path::PathBuf>,
    /// The curl panel (`c`), while it is open.
    pub curl: Option<CurlPanel>,
    /// What each screen sent last, for the curl panel.
    last_sent: std::collections::HashMap<std::mem::Discriminant<Step>, Vec<Request>>,
}

/// How many requests the pane keeps: a screenful and then some.
pub const REQUESTS_KEPT: usize = 200;

/// Which API the app talks to, so the screens can say so: a support engineer must
/// never mistake a customer's production account for a sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ApiTarget {
    /// Telnyx itself: a real account, real charges.
    #[default]
    Production,
    /// The embedded sandbox (`--demo`), at this base URL.
    Sandbox(String),
    /// Another base URL, such as a mock or a standalone sandbox, and where it was
    /// given (`--api-base` or `TELNYX_API_BASE`), so the screen names the right one.
    Custom { url: String, from: &'static str },
}

impl ApiTarget {
    /// The word the header shows.
    pub fn tag(&self) -> &'static str {
        match self {
            ApiTarget::Production => "production",
            ApiTarget::Sandbox(_) => "sandbox",
            ApiTarget::Custom { .. } => "custom API",
        }
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        match self {
            ApiTarget::Production => crate::api::DEFAULT_API_BASE,
            ApiTarget::Sandbox(url) | ApiTarget::Custom { url, .. } => url,
        }
    }

    /// The sentence the sign-in screen shows.
    pub fn describe(&self) -> String {
        match self {
            ApiTarget::Production => {
                "API: https://api.telnyx.com/v2, Telnyx production (a real account; purchases are charged)."
                    .to_owned()
            }
            ApiTarget::Sandbox(url) => format!("API: {url}, the embedded sandbox (nothing reaches Telnyx)."),
            ApiTarget::Custom { url, from } => format!("API: {url}, a custom base URL ({from})."),
        }
    }
}

/// How the wizard starts: the key (from where), and the seed of its generator.
#[derive(Debug, Clone)]
pub struct Start {
    pub key: Option<crate::secret::Secret>,
    pub key_source: KeySource,
    pub seed: u64,
    pub color: bool,
    pub now: SystemTime,
    pub utc_offset: time::UtcOffset,
    pub mode: Mode,
    pub api: ApiTarget,
}

impl State {
    pub fn new(start: Start) -> Self {
        Self {
            step: Step::SignIn(SignInStep::new(start.key, start.key_source)),
            history: Vec::new(),
            ctx: Ctx {
                mode: start.mode,
                api: start.api,
                next_op: 0,
                rng: StdRng::seed_from_u64(start.seed),
                secret_rng: crate::secret::SecretRng::os(),
                setup: Setup::default(),
                now: start.now,
                signaling: crate::signaling::SignalingUrl::default(),
                journal: JournalCtx { recognise: true, ..JournalCtx::default() },
                inspect_target: None,
                account: None,
                prefetched: Vec::new(),
                taken: Vec::new(),
                balance_read: None,
                completing: None,
                desired: Desired::default(),
                asked: std::collections::HashMap::new(),
            },
            spinner: 0,
            help: false,
            color: start.color,
            utc_offset: start.utc_offset,
            confirm_quit: false,
            interrupted: false,
            requests: std::collections::VecDeque::new(),
            show_requests: false,
            log_file: None,
            curl: None,
            last_sent: std::collections::HashMap::new(),
        }
    }

    /// Keeps the setup journal, continuing from it as read at start (`loaded`), unless
    /// `fresh` (`--fresh`): then a new setup starts, and nothing earlier runs made is
    /// offered.
    pub fn use_journal(&mut self, loaded: crate::journal::Loaded, fresh: bool) {
        self.ctx.journal.loaded = loaded;
        self.ctx.journal.kept = true;
        self.ctx.journal.fresh = fresh;
        self.ctx.journal.recognise = !fresh;
    }

    /// Something on screen moves with time (the token's countdown), so the loop should
    /// tick even when no request is in flight.
    pub fn shows_clock(&self) -> bool {
        matches!(&self.step, Step::Token(step) if step.token.is_some())
    }

    /// An order is placed or being placed and has not settled: quitting asks first.
    pub fn purchase_in_flight(&self) -> bool {
        matches!(&self.step, Step::Numbers(step) if step.purchase_in_flight())
    }

    /// Quit now, or ask first while a purchase is in flight.
    fn quit(&mut self) -> Vec<Cmd> {
        if self.purchase_in_flight() && !self.confirm_quit {
            self.confirm_quit = true;
            return Vec::new();
        }
        vec![Cmd::Quit]
    }

    /// A request is in flight on the current screen (the spinner runs).
    pub fn busy(&self) -> bool {
        self.step.screen().activity().busy()
    }

    /// The step's number, 1-based, as the header shows it.
    pub fn step_number(&self) -> usize {
        self.step.number()
    }

    /// The steps of the plan the current screen's Enter carries out now, if it is one
    /// that edits what is wanted ([`Screen::planned`]).
    pub fn planned(&self) -> Option<Vec<crate::setup::plan::Step>> {
        self.step.screen().planned(&self.ctx)
    }

    /// Whether Esc has a screen to return to.
    pub fn can_go_back(&self) -> bool {
        !self.history.is_empty()
    }

    /// Esc at the inspector's top level (no filter, no relation followed) quits, as in
    /// k9s and lazygit: the sign-in behind it has nothing left to do.
    fn esc_quits(&self) -> bool {
        matches!(self.step, Step::Inspect(_))
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        let mut cmds = self.handle(msg);
        if let Some(save) = self.journal_save() {
            // First: an intent must be on disk before its write is sent.
            cmds.insert(0, save);
        }
        // Remembered for the screen that waits for them (a list loaded on arrival is
        // the new screen's; one read ahead for it, when it takes it), so its curl
        // panel can show them. Reads sent ahead belong to the screens they are for.
        let own = self.step.activity().pending.as_ref().map(|p| p.op);
        let mut sent: Vec<Request> = cmds
            .iter()
            .filter_map(|cmd| match cmd {
                Cmd::Call { op, request } if Some(*op) == own => Some(request.clone()),
                _ => None,
            })
            .collect();
        sent.append(&mut self.ctx.taken);
        if !sent.is_empty() {
            self.last_sent.insert(std::mem::discriminant(&self.step), sent);
        }
        cmds
    }

    /// The journal record this run has reached, if it differs from what was saved.
    /// Nothing is journaled before the key is accepted, nor by the inspector.
    fn journal_save(&mut self) -> Option<Cmd> {
        let numbers_done = self.ctx.numbers_decided();
        let journal = &mut self.ctx.journal;
        let account = journal.account.clone().filter(|_| journal.kept)?;
        let setup = &self.ctx.setup;
        let record = &mut journal.record;
        let named = crate::journal::Named::new;
        // A connection still to be made, once something is sent or made for it (its
        // profile): the setup is a new one, whose profile and create in flight a
        // resumed run must find (not the continued setup's connection).
        let drafting = self.ctx.desired.drafted()
            && setup.connection.is_none()
            && (journal.pending.is_some() || setup.profile.is_some());
        if drafting {
            *record = crate::journal::Record {
                started_at: record.started_at,
                updated_at: record.updated_at,
                order: record.order.take(),
                profile: setup.profile.as_ref().map(|p| named(&p.id, &p.name)),
                ..crate::journal::Record::default()
            };
        }
        // What the continued setup made stands until this run picks a connection.
        if let Some(connection) = &setup.connection {
            // Continuing on the same connection, what this run has not reached or
            // replaced yet is still the continued setup's: a run that stops early
            // must not forget its profile, credential or that it was finished (the
            // last of which `token` alone reads).
            let kept = journal
                .resume
                .as_ref()
                .filter(|earlier| earlier.connection.as_ref().is_some_and(|c| c.id == connection.id));
            record.connection = Some(named(&connection.id, &connection.connection_name));
            record.codecs_saved = setup.codecs_saved || kept.is_some_and(|k| k.codecs_saved);
            record.profile = match &setup.profile {
                Some(profile) => Some(named(&profile.id, &profile.name)),
                None => kept.and_then(|k| k.profile.clone()),
            };
            record.countries_saved = setup.countries_saved
                || kept.is_some_and(|k| k.countries_saved && k.profile == record.profile);
            record.numbers_done = numbers_done || kept.is_some_and(|k| k.numbers_done);
            record.numbers_skipped = match kept {
                Some(k) if !numbers_done => k.numbers_skipped,
                _ => setup.numbers_skipped,
            };
            if setup.order.is_some() {
                record.order = setup.order.clone();
            }
            record.credential = match &setup.credential {
                Some(c) => Some(named(&c.id, c.name.as_deref().unwrap_or_default())),
                None => kept.and_then(|k| k.credential.clone()),
            };
            record.finished = setup.token.is_some()
                || kept.is_some_and(|k| k.finished && k.credential == record.credential);
        }
        record.pending = journal.pending.as_ref().map(|(_, intent)| intent.clone());
        let unchanged = journal.saved.as_ref().is_some_and(|saved| {
            *saved == crate::journal::Record { updated_at: saved.updated_at, ..record.clone() }
        });
        if record.is_empty() || unchanged {
            return None;
        }
        let now = unix_secs(self.ctx.now);
        if record.started_at == 0 {
            record.started_at = now;
        }
        record.updated_at = now;
        journal.saved = Some(record.clone());
        Some(Cmd::Journal { account, record: record.clone() })
    }

    fn handle(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Paste(text) => {
                if !self.help && !self.busy() {
                    self.step.screen_mut().on_paste(&text);
                }
                Vec::new()
            }
            Msg::Tick(now) => {
                self.spinner = self.spinner.wrapping_add(1);
                self.ctx.now = now;
                Vec::new()
            }
            Msg::Now(now) => {
                self.ctx.now = now;
                Vec::new()
            }
            Msg::Resized => Vec::new(),
            Msg::Requested(record) => {
                if self.requests.len() == REQUESTS_KEPT {
                    self.requests.pop_front();
                }
                self.requests.push_back(record);
                Vec::new()
            }
            Msg::Started => self.on_start(),
            Msg::Done { op, outcome } => self.on_done(op, outcome),
            Msg::Retrying { op, notice } => {
                if let Some(pending) = &mut self.step.screen_mut().activity_mut().pending
                    && pending.op == op
                {
                    pending.retry = Some(notice);
                }
                Vec::new()
            }
            Msg::KeySaved(outcome) => {
                self.ctx.setup.key_saved = Some(outcome);
                Vec::new()
            }
            Msg::Copied(outcome) => {
                match &mut self.curl {
                    Some(panel) => panel.copied = Some(outcome),
                    None => self.step.screen_mut().on_copied(outcome),
                }
                Vec::new()
            }
        }
    }

    /// The keys the current screen answers to, in the order the footer and the help
    /// overlay list them: the screen's own, then Esc (back or cancel), help and quit.
    pub fn bindings(&self) -> Vec<Binding> {
        const BACK: &[Action] = &[Action::Back];
        const HELP: &[Action] = &[Action::Help];
        const QUIT: &[Action] = &[Action::Quit];
        const REQUESTS: &[Action] = &[Action::Requests];
        if let Some(panel) = &self.curl {
            return curl_bindings(panel);
        }
        let screen = self.step.screen();
        let mut bindings = if self.busy() {
            let mut bindings = screen.bindings_while_busy();
            // An order in flight cannot be called back: cancelling the wait would only
            // hide whether it went through (and let q quit without asking).
            if !self.purchase_in_flight() {
                bindings.push(Binding::new(BACK, "cancel", "Stop waiting for the request in flight."));
            }
            bindings
        } else {
            let mut bindings = screen.bindings();
            if self.esc_quits() && !binds(&bindings, Action::Back) {
                bindings.push(Binding::new(BACK, "quit", "Quit the inspector (it changed nothing)."));
            } else if self.can_go_back() && !binds(&bindings, Action::Back) {
                bindings.push(Binding::new(BACK, "back", "Back to the previous screen, as you left it."));
            }
            bindings
        };
        bindings.push(
            Binding::new(
                REQUESTS,
                if self.show_requests { "hide requests" } else { "requests" },
                "Show or hide this session's requests: method, path, status, time.",
            )
            .quiet(),
        );
        if !self.typing() {
            bindings.push(
                Binding::new(
                    CURL,
                    "curl",
                    "Show the requests this screen sent and the ones Enter sends, as curl commands.",
                )
                .quiet(),
            );
        }
        bindings.push(Binding::new(HELP, "help", "Show this help."));
        bindings.push(Binding::new(QUIT, "quit", "Quit; while an order is in flight, it asks first."));
        bindings
    }

    /// Opens the curl panel on what the screen last sent and what Enter (or `y`, for
    /// a question) would send now.
    fn open_curl(&mut self) {
        let screen = self.step.screen();
        let (next, next_key) = match screen.change() {
            Some(change) => (vec![change.request.clone()], "y"),
            None if binds(&screen.bindings(), Action::Yes) => (screen.enter_requests(), "y"),
            None => match screen.planned(&self.ctx) {
                Some(steps) => (steps.into_iter().flat_map(|s| s.requests).collect(), "Enter"),
                None => (screen.enter_requests(), "Enter"),
            },
        };
        let base = match &self.ctx.api {
            ApiTarget::Production => crate::api::DEFAULT_API_BASE.to_owned(),
            ApiTarget::Sandbox(url) | ApiTarget::Custom { url, .. } => url.clone(),
        };
        let sent = self.last_sent.get(&std::mem::discriminant(&self.step)).cloned().unwrap_or_default();
        self.curl = Some(CurlPanel { base, sent, next, next_key, reveal: false, scroll: 0, copied: None });
    }

    /// A key while the curl panel is open.
    fn on_curl_action(&mut self, action: Action) -> Vec<Cmd> {
        let Some(panel) = &mut self.curl else { return Vec::new() };
        match action {
            Action::Back | Action::Curl => self.curl = None,
            Action::Copy => return vec![Cmd::Copy(crate::secret::Secret::new(panel.text()))],
            Action::Reveal => panel.reveal = !panel.reveal,
            Action::Up => panel.scroll = panel.scroll.saturating_sub(1),
            Action::Down => panel.scroll = panel.scroll.saturating_add(1),
            Action::PageUp => panel.scroll = panel.scroll.saturating_sub(10),
            Action::PageDown => panel.scroll = panel.scroll.saturating_add(10),
            Action::Home => panel.scroll = 0,
            Action::End => panel.scroll = u16::MAX,
            _ => {}
        }
        Vec::new()
    }

    /// A text field has the keyboard: letters type rather than act.
    pub fn typing(&self) -> bool {
        self.step.screen().typing()
    }

    /// The footer's (keys, words) pairs.
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        let typing = self.typing();
        self.bindings()
            .iter()
            .filter(|binding| !binding.help_only)
            .map(|binding| (binding.label(typing), binding.hint))
            .collect()
    }

    /// The inspector, given a key (flag, variable, file), checks it at once: a support
    /// engineer who named the key has nothing to type. The wizard shows where its key
    /// came from first, and Enter goes on.
    fn on_start(&mut self) -> Vec<Cmd> {
        let ready = matches!(&self.step, Step::SignIn(step) if step.source != KeySource::Typed);
        if self.ctx.mode != Mode::Inspector || !ready {
            return Vec::new();
        }
        let transition = self.step.screen_mut().on_action(Action::Submit, &mut self.ctx);
        self.apply(transition)
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        let cmds = self.on_key_press(key, ctrl_c);
        if ctrl_c && cmds.contains(&Cmd::Quit) {
            self.interrupted = true;
        }
        cmds
    }

    fn on_key_press(&mut self, key: KeyEvent, ctrl_c: bool) -> Vec<Cmd> {
        if self.confirm_quit {
            // "Quit anyway? [y/N]": y or a second Ctrl-C quits, anything else stays.
            self.confirm_quit = false;
            return if ctrl_c || matches!(key.code, KeyCode::Char('y' | 'Y')) {
                vec![Cmd::Quit]
            } else {
                Vec::new()
            };
        }
        if self.help {
            // Any key closes the overlay and does nothing else, but Ctrl-C still quits.
            self.help = false;
            return if ctrl_c { self.quit() } else { Vec::new() };
        }
        let typing = self.typing();
        let bindings = self.bindings();
        let Some((action, _)) = keys::resolve(&bindings, &key, typing) else {
            if typing && !self.busy() {
                self.step.screen_mut().on_text_key(key);
            }
            return Vec::new();
        };
        match action {
            Action::Help => {
                self.help = true;
                Vec::new()
            }
            Action::Quit => self.quit(),
            Action::Requests => {
                self.show_requests = !self.show_requests;
                Vec::new()
            }
            _ if self.curl.is_some() => self.on_curl_action(action),
            Action::Curl => {
                self.open_curl();
                Vec::new()
            }
            Action::Back if self.busy() => {
                let activity = self.step.screen_mut().activity_mut();
                let Some(pending) = activity.pending.take() else { return Vec::new() };
                activity.problem = Some(Problem::Cancelled(pending.what));
                self.ctx.forget_read(pending.op);
                vec![Cmd::Cancel(pending.op)]
            }
            Action::Back if self.esc_quits() && !binds(&self.step.screen().bindings(), Action::Back) => {
                self.quit()
            }
            Action::Back if !binds(&self.step.screen().bindings(), Action::Back) => {
                self.apply(Transition::Back)
            }
            action => {
                let transition = self.step.screen_mut().on_action(action, &mut self.ctx);
                self.apply(transition)
            }
        }
    }

    fn on_done(&mut self, op: OpId, outcome: Result<Reply, ApiError>) -> Vec<Cmd> {
        // The write's outcome is known once it succeeded; after a failure it may still
        // have happened (a timeout), so the intent stays until the next write.
        if outcome.is_ok() && self.ctx.journal.pending.as_ref().is_some_and(|(pending, _)| *pending == op) {
            self.ctx.journal.pending = None;
        }
        self.ctx.observe(op, &outcome);
        if self.ctx.balance_answered(op, &outcome) {
            return Vec::new();
        }
        if let Some(cmds) = self.ctx.order_checked(op, &outcome) {
            return cmds;
        }
        let mut kept = Some(outcome);
        if self.ctx.prefetch_answered(op, &mut kept) {
            // A screen that waited for this read (its question names what it says)
            // goes on; the answer stays the read ahead of the screen it is for.
            let activity = self.step.screen_mut().activity_mut();
            if activity.pending.as_ref().is_some_and(|p| p.op == op) {
                activity.pending = None;
                let transition = self.step.screen_mut().on_read_ahead(&mut self.ctx);
                return self.apply(transition);
            }
            return Vec::new();
        }
        let Some(outcome) = kept else { return Vec::new() };
        let activity = self.step.screen_mut().activity_mut();
        if activity.pending.as_ref().map(|p| p.op) != Some(op) {
            // An answer for a screen the user left or a request they cancelled.
            return Vec::new();
        }
        activity.pending = None;
        let transition = match outcome {
            Ok(reply) => self.step.screen_mut().on_reply(reply, &mut self.ctx),
            Err(error @ ApiError::Unauthorized(_)) if !matches!(self.step, Step::SignIn(_)) => {
                return self.back_to_sign_in(error);
            }
            Err(error) => {
                self.step.screen_mut().on_error(error);
                Transition::none()
            }
        };
        self.apply(transition)
    }

    /// The key stopped working mid-way (revoked or deleted in the portal): every later
    /// request would fail the same way, so the user goes back to sign-in, which says
    /// why. What was set up so far stays set up.
    fn back_to_sign_in(&mut self, error: ApiError) -> Vec<Cmd> {
        self.confirm_quit = false;
        self.help = false;
        // The first screen is always sign-in.
        self.history.truncate(1);
        if let Some(sign_in) = self.history.pop() {
            self.step = sign_in;
        }
        self.step.screen_mut().activity_mut().fail(Problem::Api(error));
        Vec::new()
    }

    fn apply(&mut self, transition: Transition) -> Vec<Cmd> {
        match transition {
            Transition::Stay(cmds) => cmds,
            Transition::Next(step, cmds) => {
                let previous = std::mem::replace(&mut self.step, *step);
                self.history.push(previous);
                cmds
            }
            Transition::Back => match self.history.pop() {
                Some(previous) => {
                    self.step = previous;
                    self.step.screen_mut().on_return(&mut self.ctx)
                }
                None => Vec::new(),
            },
        }
    }
}

impl Step {
    pub fn activity(&self) -> &Activity {
        self.screen().activity()
    }
}

const CURL: &[Action] = &[Action::Curl];

/// The keys of the curl panel, instead of the screen's.
fn curl_bindings(panel: &CurlPanel) -> Vec<Binding> {
    const COPY: &[Action] = &[Action::Copy];
    const REVEAL: &[Action] = &[Action::Reveal];
    const CLOSE: &[Action] = &[Action::Back, Action::Curl];
    let mut bindings =
        vec![Binding::new(COPY, "copy", "Copy these curl commands, as shown, to the clipboard.")];
    // Only where a command has a password to show.
    if panel.has_secrets() {
        bindings.push(Binding::new(
            REVEAL,
            if panel.reveal { "hide passwords" } else { "show passwords" },
            "Show the SIP passwords in the bodies, or hide them as ${SIP_PASSWORD} again.",
        ));
    }
    bindings.extend([
        Binding::new(keys::MOVE, "scroll", "Scroll the commands (also j/k, Home, End)."),
        Binding::new(CLOSE, "close", "Close the curl panel (c too)."),
        Binding::new(&[Action::Requests], "requests", "Show or hide this session's requests.").quiet(),
        Binding::new(&[Action::Help], "help", "Show this help."),
        Binding::new(&[Action::Quit], "quit", "Quit; while an order is in flight, it asks first."),
    ]);
    bindings
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn unix_secs(at: SystemTime) -> i64 {
    at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn binds(bindings: &[Binding], action: Action) -> bool {
    bindings.iter().any(|binding| binding.actions.contains(&action))
}

/// Moves a list cursor for a movement action; returns whether it was one. `len`
/// counts every row; PageUp and PageDown jump ten.
pub(crate) fn move_cursor(cursor: &mut usize, len: usize, action: Action) -> bool {
    let last = len.saturating_sub(1);
    let page = 10;
    *cursor = match action {
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (*cursor + 1).min(last),
        Action::PageUp => cursor.saturating_sub(page),
        Action::PageDown => (*cursor + page).min(last),
        Action::Home => 0,
        Action::End => last,
        _ => return false,
    };
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_request_is_not_kept_waiting_for_an_answer() {
        let mut state = State::new(Start {
            key: Some("KEYgood".into()),
            key_source: KeySource::Flag,
            seed: 1,
            color: false,
            now: SystemTime::UNIX_EPOCH,
            utc_offset: time::UtcOffset::UTC,
            mode: Mode::Wizard,
            api: ApiTarget::Sandbox("http://127.0.0.1:4010/v2".into()),
        });
        let press = |state: &mut State, code| state.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        press(&mut state, KeyCode::Enter);
        let op = state.step.activity().pending.as_ref().expect("the key's check is on its way").op;
        assert!(state.ctx.asked.contains_key(&op));
        assert_eq!(press(&mut state, KeyCode::Esc), vec![Cmd::Cancel(op)]);
        assert!(!state.ctx.asked.contains_key(&op), "cancelled, it never answers");
    }
}
