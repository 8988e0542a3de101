//! What happened ([`Msg`]) and what update() wants done ([`Cmd`]).
//!
//! update() turns one Msg into Cmds; the loop runs UI Cmds itself and hands API Cmds to
//! the worker, whose answers come back as [`Msg::Done`] tagged with the request's
//! [`OpId`], so a screen can ignore answers it no longer waits for.

use crate::api::{
    ApiError, AvailableNumber, Balance, CredentialConnection, CredentialConnectionUpdate,
    NewCredentialConnection, NewNumberOrder, NewOutboundVoiceProfile, NewTelephonyCredential, NumberOrder,
    NumberSearch, OutboundVoiceProfile, OutboundVoiceProfileUpdate, Page, PhoneNumber, RetryNotice,
    TelephonyCredential,
};
use crate::clipboard::{CopyError, CopyMethod};
use crate::secret::Secret;
use crossterm::event::KeyEvent;
use std::time::{Duration, SystemTime};

/// Identifies one request from the moment update() asks for it until its answer.
pub type OpId = u64;

#[derive(Debug)]
pub enum Msg {
    /// The loop began, before the first key: a key given on the command line is
    /// checked now where the screen should not wait for Enter (the inspector).
    Started,
    /// A key press (releases and repeats are dropped by the loop).
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The animation timer fired, at this wall-clock time. It only runs while
    /// something moves: a spinner, or the token's countdown.
    Tick(SystemTime),
    /// The wall clock, given by the loop before each key and answer: the age of an
    /// answer read ahead ([`crate::state::PREFETCH_FRESH`]) is measured against it,
    /// also while nothing animates.
    Now(SystemTime),
    /// The terminal changed size; nothing to update, but the screen is redrawn.
    Resized,
    /// The worker finished request `op`.
    Done { op: OpId, outcome: Result<Reply, ApiError> },
    /// The worker sent a request and it ended (answered or not): for the requests pane.
    Requested(crate::api::RequestRecord),
    /// Request `op` failed transiently and is about to be tried again.
    Retrying { op: OpId, notice: RetryNotice },
    /// A [`Cmd::Copy`] finished.
    Copied(Result<CopyMethod, CopyError>),
    /// A [`Cmd::SaveKey`] finished: where the key went (the OS keyring, or the file
    /// where no keyring answered), or why it went nowhere.
    KeySaved(Result<crate::accounts::Saved, String>),
}

/// A successful answer, named by what it means.
#[derive(Debug)]
pub enum Reply {
    KeyAccepted(Balance),
    ConnectionsListed(Page<CredentialConnection>),
    ConnectionCreated(CredentialConnection),
    ConnectionUpdated(CredentialConnection),
    ProfilesListed(Page<OutboundVoiceProfile>),
    ProfileCreated(OutboundVoiceProfile),
    ProfileUpdated(OutboundVoiceProfile),
    NumbersFound(Vec<AvailableNumber>),
    /// The order for the cart: placed now, or found by its reference from an earlier
    /// attempt (`existing`), so nothing is bought twice.
    OrderPlaced {
        order: NumberOrder,
        existing: bool,
    },
    OrderChecked(NumberOrder),
    /// The ordered numbers as `/phone_numbers` shows them, assigned to the connection.
    NumbersAssigned(Vec<PhoneNumber>),
    CredentialsListed(Page<TelephonyCredential>),
    /// The order an earlier run placed with this reference, if Telnyx has one.
    OrderFound(Option<NumberOrder>),
    /// The numbers already on a connection.
    ConnectionNumbers(Vec<PhoneNumber>),
    CredentialCreated(TelephonyCredential),
    TokenCreated(Secret),
    /// A page of the inspector's current collection, as raw JSON.
    Browsed(Page<serde_json::Value>),
    /// The pages of a [`Request::BrowseMany`], in order.
    BrowsedMany(Vec<Page<serde_json::Value>>),
    /// The records a [`Request::FindTarget`] may mean: none, one, or several to ask about.
    TargetFound(Vec<crate::target::Found>),
    /// One record the inspector looked up (a relation followed).
    Fetched(serde_json::Value),
    BalanceRead(Balance),
    Diagnosed(crate::doctor::Report),
    /// How a [`Request::TestLogin`] went (a refusal is an answer too, not an error).
    LoginTested(crate::signaling::LoginTest),
    /// How a [`Request::TestCall`] went (a refused call is an answer too, not an error).
    CallTested(crate::calltest::CallOutcome),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Send `request` to the API; the answer comes back as `Msg::Done { op, .. }`.
    Call { op: OpId, request: Request },
    /// Stop request `op`; its answer, if any, will not arrive.
    Cancel(OpId),
    /// Put the text on the clipboard; the outcome comes back as `Msg::Copied`.
    Copy(Secret),
    /// The same for a secret (the login token), which the clipboard clears after a
    /// time if it is still there ([`crate::clipboard::Clipboard::copy_secret`]).
    CopySecret(Secret),
    /// Save the accepted API key as `accounts add` does (the user ticked "Remember this
    /// key"): the OS keyring, else a file only the user can read
    /// ([`crate::accounts::remember`]); the outcome comes back as `Msg::KeySaved`.
    SaveKey(Secret),
    /// Save this account's setup journal record; run before the commands after it, so
    /// an intent is on disk before its write is sent.
    Journal { account: String, record: crate::journal::Record },
    /// Leave the program, restoring the terminal.
    Quit,
}

/// One API operation, in the wizard's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Use `key` from now on and check it with `GET /balance`.
    SignIn {
        key: Secret,
    },
    ListConnections,
    /// Create a connection, unless an earlier try made it (looked for first, unless
    /// `first_try`: the form was never sent before, so no try can have made it).
    CreateConnection {
        body: NewCredentialConnection,
        first_try: bool,
    },
    UpdateConnection {
        id: String,
        update: CredentialConnectionUpdate,
    },
    ListProfiles,
    /// Create a profile, unless one with its name that is not among `known` (the ids
    /// the user was shown; `None` when their list was cut short) exists: then an
    /// earlier try created it.
    /// `first_try`: the form was never sent since `known` was listed, so the list
    /// stands for the look before the first try.
    CreateProfile {
        body: NewOutboundVoiceProfile,
        known: Option<Vec<String>>,
        first_try: bool,
    },
    UpdateProfile {
        id: String,
        update: OutboundVoiceProfileUpdate,
    },
    SearchNumbers(NumberSearch),
    /// Order the cart, unless an order with the body's `customer_reference` exists
    /// already: then that order is the answer. A purchase is never blindly repeated.
    /// `first_try`: that order was looked for on the question's screen, just before
    /// `y`, and not found, so the look before the first try is skipped; every retry
    /// looks again.
    PlaceOrder {
        body: NewNumberOrder,
        first_try: bool,
    },
    /// Wait `after`, then read the order (polling with backoff).
    CheckOrder {
        id: String,
        after: Duration,
    },
    /// Read the ordered numbers back and assign any not yet on the connection.
    AssignNumbers {
        connection_id: String,
        phone_numbers: Vec<String>,
    },
    ListCredentials {
        connection_id: String,
    },
    /// Look for the order an earlier run sent with this `customer_reference`.
    FindOrder {
        reference: String,
    },
    /// The numbers assigned to a connection (the first page).
    ListConnectionNumbers {
        connection_id: String,
    },
    /// Create a credential, unless a matching one that is not among `known` exists.
    CreateCredential {
        body: NewTelephonyCredential,
        known: Option<Vec<String>>,
        /// As for [`Request::CreateProfile`].
        first_try: bool,
    },
    CreateToken {
        credential_id: String,
    },
    /// Read one page of a collection (inspector).
    Browse {
        collection: &'static str,
        page: u32,
        size: u32,
        filters: Vec<(&'static str, String)>,
    },
    /// Read pages `first..=last` of a collection, several at a time (the inspector's
    /// End, once the first page said how many there are).
    BrowseMany {
        collection: &'static str,
        first: u32,
        last: u32,
        size: u32,
        filters: Vec<(&'static str, String)>,
    },
    /// Find what a pasted target names: an id, a UUID, a phone number or a SIP user
    /// name (`inspect TARGET`, the inspector's `g`).
    FindTarget {
        given: String,
    },
    /// Read one record of a collection (inspector).
    Fetch {
        collection: &'static str,
        id: String,
    },
    ReadBalance,
    /// Run the doctor's checks on a connection; `trial_token` also generates a token
    /// (never from the read-only inspector).
    Diagnose {
        connection_id: String,
        trial_token: bool,
    },
    /// Log in at `url` as the WebRTC SDK does, within the login test's timeout. A
    /// refusal is tried again for a few seconds when the credential is new: created
    /// at `credential_created_at` (RFC 3339), moments before the test.
    TestLogin {
        url: crate::signaling::SignalingUrl,
        login: crate::signaling::Login,
        credential_created_at: Option<String>,
    },
    /// The call test ([`crate::calltest::between_logins`]): two temporary credentials on
    /// `connection_id`, logged in at `url`, one calling the other, which echoes; both
    /// are deleted after. `caller_id` is one of the connection's numbers, or empty.
    TestCall {
        url: crate::signaling::SignalingUrl,
        connection_id: String,
        caller_id: String,
    },
}
