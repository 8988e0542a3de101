//! Applying a [`Plan`]: its steps in order, each write through the worker's own
//! [`execute`] (so a create keeps its look-before-create on every retry, and an order
//! its `customer_reference`), the setup journal's intent saved before each write and
//! its result after, and a placed order followed until it completes
//! ([`super::follow_order`]: the assignment the plan lists is sent only if the
//! completed order does not carry the connection, as in the wizard).

use super::plan::{Ends, Kind, Part, Plan, Step, fill};
use super::{Ended, LoginToken, OrderFollower, follow_order};
use crate::api::{ApiError, Client};
use crate::journal::{Intent, Named, OrderNote, Record};
use crate::msg::{Reply, Request};
use crate::worker::execute;
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
}

impl Journal {
    /// A new record for `account` in the journal at `path` (`None`: kept nowhere).
    pub fn new(path: Option<PathBuf>, account: String, now: SystemTime) -> Self {
        let at = unix(now);
        let record = Record { started_at: at, updated_at: at, ..Default::default() };
        Self { at: path.map(|path| (path, account)), record, saved: None, failed: None }
    }

    /// The record as it stands.
    pub fn record(&self) -> &Record {
        &self.record
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

/// Applies `plan` step by step; `progress` hears one line per step as it is done.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    journal: &mut Journal,
    progress: &dyn Fn(&str),
) -> Result<Applied, ApplyError> {
    let mut ids: HashMap<&'static str, String> = HashMap::new();
    let mut done = Applied { ends: plan.ends.clone(), token: None };
    // The order's numbers are on the connection: the plan's assignment is done.
    let mut numbers_on_connection = false;
    for step in &plan.steps {
        note_reused(journal, step, plan);
        for request in &step.requests {
            let request = fill(request, &ids);
            if numbers_on_connection && matches!(request, Request::AssignNumbers { .. }) {
                continue;
            }
            if let Some(intent) = intent(&request) {
                journal.record.pending = Some(intent);
                if let Request::PlaceOrder { body, .. } = &request {
                    journal.record.order = Some(OrderNote {
                        reference: body.customer_reference.clone().unwrap_or_default(),
                        placed_at: unix(SystemTime::now()),
                        id: None,
                        status: None,
                        numbers: body.phone_numbers.iter().map(|n| n.phone_number.clone()).collect(),
                    });
                }
                journal.save();
            }
            let placed_for = match &request {
                Request::PlaceOrder { body, .. } => body.connection_id.clone(),
                _ => None,
            };
            let reply = execute(client, request).await?;
            journal.record.pending = None;
            match reply {
                Reply::ProfileCreated(profile) => {
                    journal.record.profile = Some(Named { id: profile.id.clone(), name: profile.name });
                    ids.insert("PROFILE_ID", profile.id);
                }
                Reply::ConnectionCreated(connection) => {
                    journal.record.connection =
                        Some(Named { id: connection.id.clone(), name: connection.connection_name.clone() });
                    done.ends.connection_name = connection.connection_name;
                    ids.insert("CONNECTION_ID", connection.id);
                }
                Reply::CredentialCreated(credential) => {
                    journal.record.credential =
                        Some(Named { id: credential.id.clone(), name: credential.name.unwrap_or_default() });
                    done.ends.sip_username = Some(credential.sip_username);
                    done.ends.sip_password = Some(credential.sip_password).filter(|p| !p.is_empty());
                    ids.insert("CREDENTIAL_ID", credential.id);
                }
                Reply::OrderPlaced { order, .. } => {
                    let connection_id = placed_for.unwrap_or_default();
                    let mut follower = OrderFollower::new(&connection_id, &done.ends.connection_name);
                    let mut before_write = |write: &Request| {
                        journal.record.pending = intent(write);
                        journal.save();
                    };
                    let (settled, ended) =
                        follow_order(client, order, &mut follower, &mut before_write).await?;
                    journal.record.pending = None;
                    if let Some(note) = &mut journal.record.order {
                        note.id = Some(settled.id.clone());
                        note.status = Some(settled.status.clone());
                    }
                    if !matches!(ended, Ended::Done(_)) {
                        journal.save();
                        return Err(ApplyError::Order(format!(
                            "the number order {} is {:?}, not complete; run the setup again later: it finds \
                             the order by its reference and assigns its numbers",
                            settled.id, settled.status
                        )));
                    }
                    numbers_on_connection = true;
                }
                Reply::TokenCreated(jwt) => done.token = Some(LoginToken::new(jwt)),
                _ => {}
            }
            journal.save();
        }
        let record = &mut journal.record;
        match step.part {
            Part::Codecs => record.codecs_saved = true,
            Part::Countries => record.countries_saved = true,
            Part::Numbers => record.numbers_done = true,
            Part::Token => {
                // No numbers step: the setup chose none.
                record.numbers_done = true;
                record.finished = true;
            }
            _ => {}
        }
        journal.save();
        progress(&step.line());
    }
    done.ends.fill(&ids);
    Ok(done)
}

/// A record the plan reuses is the setup's from the start.
fn note_reused(journal: &mut Journal, step: &Step, plan: &Plan) {
    if step.kind != Kind::Reuse {
        return;
    }
    let Some(id) = step.id.clone() else { return };
    let record = &mut journal.record;
    match step.part {
        Part::Profile => record.profile = Some(Named { id, name: String::new() }),
        Part::Connection => record.connection = Some(Named { id, name: plan.ends.connection_name.clone() }),
        Part::Credential => record.credential = Some(Named { id, name: String::new() }),
        _ => {}
    }
}
