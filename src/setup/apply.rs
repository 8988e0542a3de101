//! Applying a [`Plan`]: each write through the worker's own [`execute`] (so a create
//! keeps its look-before-create on every retry, and an order its
//! `customer_reference`), the setup journal's intent saved before each write and its
//! result after, and a placed order followed until it completes
//! ([`super::follow_order`]: the assignment the plan lists is sent only if the
//! completed order does not carry the connection, as in the wizard).
//!
//! The steps up to the numbers run in order, each needing the one before: the
//! profile, the connection made on it, the connection's codecs and profile, the
//! profile's countries. Then two branches run at once (`tokio::join!` in one task):
//! the numbers (place the order, follow it, maybe assign its numbers) and the
//! credential followed by its token. They may, because each needs only the
//! connection: the order and the assignment name the connection, the credential is
//! made on it, and neither branch writes a record the other reads or sends (an order
//! changes phone numbers, a credential nothing the order touches; a login token
//! needs no number). The order's polling takes seconds; the credential and token no
//! longer wait for it.
//!
//! The journal stays true with both in flight: it is one record, changed and saved
//! only between awaits (never by the two branches at once), each branch's result
//! saved as it comes. Its one `pending` holds the credential branch's write when
//! there is one, else the numbers' (see [`Journal`]'s `in_flight`: the order is found
//! again by the reference journaled before it is placed, not by `pending`). The setup
//! is marked finished only when both branches are. If one fails, the other goes on to
//! its end (an order already placed is still followed and its numbers assigned, and
//! the journal says so), and the first error in the plan's order is returned.

use super::plan::{Ends, Kind, Part, Plan, Step, fill};
use super::{Ended, LoginToken, OrderFollower, follow_order};
use crate::api::{ApiError, Client, NumberOrder};
use crate::journal::{Intent, Named, OrderNote, Record};
use crate::msg::{Reply, Request};
use crate::worker::execute;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

/// What applying a plan made: what the setup ends with, the plan's [`Ends`] with the
/// ids and the SIP login its writes gave, and the login token.
#[derive(Debug, Default)]
pub struct Applied {
    pub ends: Ends,
    pub token: Option<LoginToken>,
}

/// Why applying stopped.
#[derive(Debug)]
pub enum ApplyError {
    Api(ApiError),
    /// The order did not complete in time, or failed: the message says how to go on.
    Order(String),
}

impl From<ApiError> for ApplyError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// How [`Intent`] names `request`, if it is a write: the journal's line for the write
/// in flight (the wizard's and `setup`'s).
pub fn intent(request: &Request) -> Option<Intent> {
    let update = |what: &str| Some(Intent::Update { what: what.to_owned() });
    match request {
        Request::CreateConnection { body, .. } => Some(Intent::CreateConnection {
            name: body.connection_name.clone(),
            user_name: body.user_name.clone(),
        }),
        Request::CreateProfile { body, .. } => Some(Intent::CreateProfile { name: body.name.clone() }),
        Request::CreateCredential { body, .. } => Some(Intent::CreateCredential { name: body.name.clone() }),
        Request::UpdateConnection { .. } => update("change the connection"),
        Request::UpdateProfile { .. } => update("change the profile's countries"),
        // The order is journaled whole, as the record's `order`.
        Request::PlaceOrder { .. } => update("order numbers"),
        Request::AssignNumbers { .. } => update("assign the numbers"),
        Request::CreateToken { .. } => update("make a login token"),
        _ => None,
    }
}

/// The setup journal as a plan is applied: where it is kept (none under `--demo`,
/// or without a home), and the record being written.
pub struct Journal {
    at: Option<(PathBuf, String)>,
    record: Record,
    /// What was saved last: a save that would change nothing is skipped.
    saved: Option<Record>,
    /// Why a save failed (the first time), for a warning: the setup goes on.
    pub failed: Option<String>,
    /// The write each [`Lane`] has in flight. The record holds one `pending`: the main
    /// lane's (the credential, the token) when it has one, else the numbers'. The
    /// order needs no `pending` to be found again (it is journaled whole, as the
    /// record's `order`, before it is placed; a re-run finds it by its reference), and
    /// the numbers' intents are `Update`s that no resume reads, while a
    /// `CreateCredential` is what the wizard's resume recognises a made credential by.
    in_flight: [Option<Intent>; 2],
}

impl Journal {
    /// A new record for `account` in the journal at `path` (`None`: kept nowhere).
    pub fn new(path: Option<PathBuf>, account: String, now: SystemTime) -> Self {
        let at = unix(now);
        let record = Record { started_at: at, updated_at: at, ..Default::default() };
        Self {
            at: path.map(|path| (path, account)),
            record,
            saved: None,
            failed: None,
            in_flight: [None, None],
        }
    }

    /// The record as it stands.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Notes the write `lane` has in flight (`None`: its answer came).
    fn set_pending(&mut self, lane: Lane, intent: Option<Intent>) {
        self.in_flight[lane as usize] = intent;
        let [main, numbers] = &self.in_flight;
        self.record.pending = main.clone().or_else(|| numbers.clone());
    }

    fn save(&mut self) {
        let Some((path, account)) = &self.at else { return };
        if let Some(saved) = &self.saved
            && *saved == (Record { updated_at: saved.updated_at, ..self.record.clone() })
        {
            return;
        }
        self.record.updated_at = unix(SystemTime::now());
        self.saved = Some(self.record.clone());
        if let Err(error) = crate::journal::save(path, account, &self.record)
            && self.failed.is_none()
        {
            self.failed = Some(error);
        }
    }
}

fn unix(at: SystemTime) -> i64 {
    at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Applies `plan`: its steps in order up to the numbers, then the numbers step beside
/// the credential and the token (see the module's doc); `progress` hears one line per
/// step as it is done. When one branch fails the other still finishes what it sent,
/// and the first error in the plan's order is the one returned.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    journal: &mut Journal,
    progress: &dyn Fn(&str),
) -> Result<Applied, ApplyError> {
    let journal = RefCell::new(journal);
    let mut main = Branch { ids: HashMap::new(), ends: plan.ends.clone(), token: None, lane: Lane::Main };
    // Everything before the numbers is one chain: each write needs the one before it
    // (the profile, the connection on it, the connection's codecs and profile, the
    // profile's countries).
    let split =
        plan.steps.iter().position(|s| matches!(s.part, Part::Numbers | Part::Credential | Part::Token));
    let (chain, rest) = plan.steps.split_at(split.unwrap_or(plan.steps.len()));
    for step in chain {
        main.step(client, step, plan, &journal, progress).await?;
    }
    // Then two branches at once: the numbers (order, follow, maybe assign) and the
    // credential then its token. Each needs only the connection.
    let mut numbers = Branch { lane: Lane::Numbers, ..main.clone() };
    let numbers_steps: Vec<&Step> = rest.iter().filter(|s| s.part == Part::Numbers).collect();
    let main_steps: Vec<&Step> = rest.iter().filter(|s| s.part != Part::Numbers).collect();
    let numbers_run = async {
        for step in numbers_steps {
            numbers.step(client, step, plan, &journal, progress).await?;
        }
        Ok::<(), ApplyError>(())
    };
    let main_run = async {
        for step in main_steps {
            main.step(client, step, plan, &journal, progress).await?;
        }
        Ok::<(), ApplyError>(())
    };
    let (numbers_done, main_done) = tokio::join!(numbers_run, main_run);
    numbers_done?;
    main_done?;
    {
        let mut journal = journal.borrow_mut();
        let record = &mut journal.record;
        // Both branches are done: with no numbers step, the setup chose none.
        record.numbers_done = true;
        record.finished = true;
        journal.save();
    }
    main.ids.extend(numbers.ids);
    let mut done = Applied { ends: main.ends, token: main.token };
    done.ends.fill(&main.ids);
    Ok(done)
}

/// Which branch a write is in, for the journal's `pending` (see [`Journal::in_flight`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    /// The chain up to the numbers, then the credential and the token.
    Main = 0,
    /// The numbers step: the order, its follower, the assignment.
    Numbers = 1,
}

/// One branch's view of the setup being applied: the ids its writes gave (curl
/// variables), what the setup ends with, and the token.
#[derive(Clone)]
struct Branch {
    ids: HashMap<&'static str, String>,
    ends: Ends,
    token: Option<LoginToken>,
    lane: Lane,
}

impl Branch {
    /// Sends `step`'s requests, the journal's intent saved before each write and its
    /// result after. The journal is borrowed only between awaits, so the other
    /// branch's saves never interleave with this one's.
    async fn step(
        &mut self,
        client: &Client,
        step: &Step,
        plan: &Plan,
        journal: &RefCell<&mut Journal>,
        progress: &dyn Fn(&str),
    ) -> Result<(), ApplyError> {
        note_reused(&mut journal.borrow_mut(), step, plan);
        // The order's numbers are on the connection: the plan's assignment is done.
        let mut numbers_on_connection = false;
        for request in &step.requests {
            let request = fill(request, &self.ids);
            if numbers_on_connection && matches!(request, Request::AssignNumbers { .. }) {
                continue;
            }
            if let Some(intent) = intent(&request) {
                let mut journal = journal.borrow_mut();
                if let Request::PlaceOrder { body, .. } = &request {
                    journal.record.order = Some(OrderNote {
                        reference: body.customer_reference.clone().unwrap_or_default(),
                        placed_at: unix(SystemTime::now()),
                        id: None,
                        status: None,
                        numbers: body.phone_numbers.iter().map(|n| n.phone_number.clone()).collect(),
                    });
                }
                journal.set_pending(self.lane, Some(intent));
                journal.save();
            }
            let placed_for = match &request {
                Request::PlaceOrder { body, .. } => body.connection_id.clone(),
                _ => None,
            };
            // A failed write stays pending in the journal: it may have been made.
            let reply = execute(client, request).await?;
            if let Reply::OrderPlaced { order, .. } = reply {
                journal.borrow_mut().set_pending(self.lane, None);
                self.follow(client, order, placed_for.unwrap_or_default(), journal).await?;
                numbers_on_connection = true;
                continue;
            }
            let mut held = journal.borrow_mut();
            held.set_pending(self.lane, None);
            let record = &mut held.record;
            match reply {
                Reply::ProfileCreated(profile) => {
                    record.profile = Some(Named { id: profile.id.clone(), name: profile.name });
                    self.ids.insert("PROFILE_ID", profile.id);
                }
                Reply::ConnectionCreated(connection) => {
                    record.connection =
                        Some(Named { id: connection.id.clone(), name: connection.connection_name.clone() });
                    self.ends.connection_name = connection.connection_name;
                    self.ids.insert("CONNECTION_ID", connection.id);
                }
                Reply::CredentialCreated(credential) => {
                    record.credential =
                        Some(Named { id: credential.id.clone(), name: credential.name.unwrap_or_default() });
                    self.ends.sip_username = Some(credential.sip_username);
                    self.ends.sip_password = Some(credential.sip_password).filter(|p| !p.is_empty());
                    self.ids.insert("CREDENTIAL_ID", credential.id);
                }
                Reply::TokenCreated(jwt) => self.token = Some(LoginToken::new(jwt)),
                _ => {}
            }
            held.save();
        }
        let mut journal = journal.borrow_mut();
        let record = &mut journal.record;
        match step.part {
            Part::Codecs => record.codecs_saved = true,
            Part::Countries => record.countries_saved = true,
            Part::Numbers => record.numbers_done = true,
            // The setup is finished when both branches are (see [`apply`]).
            _ => {}
        }
        journal.save();
        drop(journal);
        progress(&step.line());
        Ok(())
    }

    /// Follows a placed `order` for `connection_id` until it completes (the
    /// assignment's intent saved before it is sent), and notes how it ended.
    async fn follow(
        &self,
        client: &Client,
        order: NumberOrder,
        connection_id: String,
        journal: &RefCell<&mut Journal>,
    ) -> Result<(), ApplyError> {
        let mut follower = OrderFollower::new(&connection_id, &self.ends.connection_name);
        let mut before_write = |write: &Request| {
            let mut journal = journal.borrow_mut();
            journal.set_pending(self.lane, intent(write));
            journal.save();
        };
        let (settled, ended) = follow_order(client, order, &mut follower, &mut before_write).await?;
        let mut journal = journal.borrow_mut();
        journal.set_pending(self.lane, None);
        if let Some(note) = &mut journal.record.order {
            note.id = Some(settled.id.clone());
            note.status = Some(settled.status.clone());
        }
        journal.save();
        if !matches!(ended, Ended::Done(_)) {
            return Err(ApplyError::Order(format!(
                "the number order {} is {:?}, not complete; run the setup again later: it finds \
                 the order by its reference and assigns its numbers",
                settled.id, settled.status
            )));
        }
        Ok(())
    }
}

/// A record the plan reuses is the setup's from the start.
fn note_reused(journal: &mut Journal, step: &Step, plan: &Plan) {
    if step.kind != Kind::Reuse {
        return;
    }
    let Some(id) = step.id.clone() else { return };
    let record = &mut journal.record;
    match step.part {
        Part::Profile => record.profile = Some(Named { id, name: plan.ends.profile_name.clone() }),
        Part::Connection => record.connection = Some(Named { id, name: plan.ends.connection_name.clone() }),
        Part::Credential => record.credential = Some(Named { id, name: plan.ends.credential_name.clone() }),
        _ => {}
    }
}
