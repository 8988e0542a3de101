//! The long-lived task that talks to Telnyx: [`Cmd`]s in, [`Msg::Done`] out.
//!
//! Each request runs as its own child task keyed by its operation id, so the UI never
//! waits and Esc can abort a request mid-flight. It owns the API client; the key is set
//! by the sign-in request and used for every request after it. Retries are reported
//! as [`Msg::Retrying`] so the screen can say "retrying (2/4)".
//!
//! Creating something (a connection, a profile, a credential, a number order) is made
//! safe to repeat: before each try the worker looks for the resource an earlier try
//! may have created (by name and generated user name, by name among records the user
//! had not seen, by the order's `customer_reference`). A create is sent again without
//! the user only when the failure proves nothing was done (429, 503, no connection);
//! one whose outcome is unknown (timeout, dropped connection, other server errors, an
//! unreadable answer) is looked for, and if it does not show up the error is shown,
//! and the user's next try looks again first. See [`create_once`].

use crate::api::{
    ApiBase, ApiError, Client, CredentialConnection, NewCredentialConnection, NewNumberOrder,
    NewOutboundVoiceProfile, NewTelephonyCredential, NumberOrder, OutboundVoiceProfile, PageRequest,
    PhoneNumber, PhoneNumberFilter, PhoneNumberUpdate, TelephonyCredential, TelephonyCredentialFilter,
};
use crate::msg::{Cmd, Msg, OpId, Reply, Request};
use futures::FutureExt;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// How many connections and profiles the wizard lists: Telnyx's largest page.
pub const LIST_SIZE: u32 = 250;

/// The UI's side of the worker. Dropping it stops the worker and aborts its requests.
pub struct WorkerHandle {
    // Unbounded: commands come at the pace of key presses, and a bounded send could
    // block the UI loop, which must never wait.
    orders: mpsc::UnboundedSender<Cmd>,
    pub replies: mpsc::UnboundedReceiver<Msg>,
    /// The worker's task, for [`WorkerHandle::finish`].
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Takes no more commands and waits, up to `limit`, for the worker to carry out the
    /// ones it has, so a journal record sent just before a quit (the token's, which
    /// marks the setup finished) is on disk when the program ends. Requests still in
    /// flight are aborted.
    pub async fn finish(self, limit: std::time::Duration) {
        let Self { orders, task, .. } = self;
        drop(orders);
        let _ = tokio::time::timeout(limit, task).await;
    }

    /// Hands an API command, a journal record or a key to save to the worker. UI
    /// commands (quit) are not its business.
    pub fn send(&self, cmd: Cmd) {
        if matches!(cmd, Cmd::Call { .. } | Cmd::Cancel(_) | Cmd::Journal { .. } | Cmd::SaveKey(_)) {
            // A closed channel means the worker is gone; the loop notices on `replies`.
            let _ = self.orders.send(cmd);
        }
    }
}

/// Starts the worker on the current tokio runtime, sending requests to `base` through
/// `http` (which carries the request timeout), keeping no setup journal.
pub fn spawn(base: ApiBase, http: reqwest::Client) -> WorkerHandle {
    spawn_with_journal(base, http, None)
}

/// [`spawn`], saving the setup journal's records ([`Cmd::Journal`]) in `journal`.
pub fn spawn_with_journal(base: ApiBase, http: reqwest::Client, journal: Option<PathBuf>) -> WorkerHandle {
    let (orders, orders_rx) = mpsc::unbounded_channel();
    let (replies_tx, replies) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(base, http, journal, orders_rx, replies_tx));
    WorkerHandle { orders, replies, task }
}

async fn run(
    base: ApiBase,
    http: reqwest::Client,
    journal: Option<PathBuf>,
    mut orders: mpsc::UnboundedReceiver<Cmd>,
    replies: mpsc::UnboundedSender<Msg>,
) {
    let mut client: Option<Client> = None;
    let mut in_flight = InFlight::default();
    let (failed_tx, mut failed) = mpsc::unbounded_channel::<()>();
    loop {
        let order = tokio::select! {
            order = orders.recv() => match order {
                Some(order) => order,
                None => break,
            },
            _ = failed.recv() => break,
        };
        in_flight.0.retain(|_, task| !task.is_finished());
        match order {
            Cmd::Call { op, request } => {
                if let Request::SignIn { key } = &request {
                    client = Some(Client::new(http.clone(), base.clone(), key.clone()));
                }
                let replies = replies.clone();
                let Some(client) = client.clone() else {
                    // update() only asks for API work after a sign-in; answer anyway.
                    let _ = replies
                        .send(Msg::Done { op, outcome: Err(ApiError::Unauthorized(Vec::new().into())) });
                    continue;
                };
                let progress = replies.clone();
                let traffic = replies.clone();
                let client = client
                    .on_retry(Arc::new(move |notice| {
                        let _ = progress.send(Msg::Retrying { op, notice });
                    }))
                    .on_request(Arc::new(move |record| {
                        let _ = traffic.send(Msg::Requested(record.clone()));
                    }));
                let failed = failed_tx.clone();
                let task = tokio::spawn(async move {
                    let work = async {
                        crate::crash::here(crate::crash::Crash::Worker);
                        execute(&client, request).await
                    };
                    match AssertUnwindSafe(work).catch_unwind().await {
                        Ok(outcome) => {
                            let _ = replies.send(Msg::Done { op, outcome });
                        }
                        // A bug: rather than carry on in an unknown state, the worker
                        // stops; the loop then restores the terminal and says so.
                        Err(_) => {
                            tracing::error!(op, "a request panicked; stopping the worker");
                            let _ = failed.send(());
                        }
                    }
                });
                in_flight.0.insert(op, task.abort_handle());
            }
            Cmd::Cancel(op) => {
                if let Some(task) = in_flight.0.remove(&op) {
                    task.abort();
                }
            }
            // Saved here, in order, before the next order is read: the write a record
            // announces comes after it, so its intent is on disk (synced) before the
            // request leaves, and the UI loop never waits for the disk.
            Cmd::Journal { account, record } => {
                if let Some(path) = journal.clone() {
                    let saved =
                        tokio::task::spawn_blocking(move || crate::journal::save(&path, &account, &record));
                    match saved.await {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => tracing::warn!("the setup journal was not saved: {error}"),
                        Err(error) => tracing::warn!("the setup journal was not saved: {error}"),
                    }
                }
            }
            // The keyring may take a while to answer (up to its own timeout): on a
            // blocking thread, so neither the UI nor the requests wait for it.
            Cmd::SaveKey(key) => {
                let replies = replies.clone();
                tokio::spawn(async move {
                    let saved = tokio::task::spawn_blocking(move || crate::accounts::remember(&key))
                        .await
                        .unwrap_or_else(|error| Err(format!("the save stopped: {error}")));
                    let _ = replies.send(Msg::KeySaved(saved));
                });
            }
            Cmd::Copy(_) | Cmd::CopySecret(_) | Cmd::Quit => {}
        }
    }
}

/// The requests under way. Dropping it, however the worker ends (its channel closed,
/// a request's panic, or a panic of its own), aborts them: an abandoned request must
/// not go on changing the account, nor keep the reply channel open.
#[derive(Default)]
struct InFlight(HashMap<OpId, AbortHandle>);

impl Drop for InFlight {
    fn drop(&mut self) {
        for task in self.0.values() {
            task.abort();
        }
    }
}

/// `first`, a list's first page, with the records of its other pages (read several at
/// a time): the lists the wizard shows are where a new record's name is checked and a
/// free one suggested, so a name on page 2 is a name the account has. One request for
/// an account with fewer records than a page.
async fn the_rest<T: serde::de::DeserializeOwned>(
    client: &Client,
    mut first: crate::api::Page<T>,
    collection: &str,
    filters: &[(&'static str, String)],
) -> Result<crate::api::Page<T>, ApiError> {
    let pages = first.meta.total_pages;
    if pages <= 1 || first.data.is_empty() {
        return Ok(first);
    }
    for page in client.list_raw_pages(collection, 2..=pages, LIST_SIZE, filters).await? {
        for record in page.data {
            let record =
                serde_json::from_value(record).map_err(|error| ApiError::Decode(error.to_string()))?;
            first.data.push(record);
        }
    }
    Ok(first)
}

/// Runs one request against the API.
pub async fn execute(client: &Client, request: Request) -> Result<Reply, ApiError> {
    match request {
        Request::SignIn { .. } => client.balance().await.map(Reply::KeyAccepted),
        Request::ListConnections => {
            let first = client.list_credential_connections(PageRequest::first(LIST_SIZE), None).await?;
            the_rest(client, first, "credential_connections", &[]).await.map(Reply::ConnectionsListed)
        }
        Request::CreateConnection { body, first_try } => {
            create_connection(client, &body, first_try).await.map(Reply::ConnectionCreated)
        }
        Request::UpdateConnection { id, update } => {
            client.update_credential_connection(&id, &update).await.map(Reply::ConnectionUpdated)
        }
        Request::ListProfiles => {
            let first = client.list_outbound_voice_profiles(PageRequest::first(LIST_SIZE), None).await?;
            the_rest(client, first, "outbound_voice_profiles", &[]).await.map(Reply::ProfilesListed)
        }
        Request::CreateProfile { body, known, first_try } => {
            create_profile(client, &body, known.as_deref(), first_try).await.map(Reply::ProfileCreated)
        }
        Request::UpdateProfile { id, update } => {
            client.update_outbound_voice_profile(&id, &update).await.map(Reply::ProfileUpdated)
        }
        Request::SearchNumbers(search) => {
            client.search_available_numbers(&search).await.map(Reply::NumbersFound)
        }
        Request::PlaceOrder { body, first_try } => place_order(client, &body, first_try).await,
        Request::CheckOrder { id, after } => {
            tokio::time::sleep(after).await;
            client.number_order(&id).await.map(Reply::OrderChecked)
        }
        Request::AssignNumbers { connection_id, phone_numbers } => {
            assign_numbers(client, &connection_id, &phone_numbers).await.map(Reply::NumbersAssigned)
        }
        Request::ListCredentials { connection_id } => {
            let filter = TelephonyCredentialFilter {
                resource_id: Some(format!("connection:{connection_id}")),
                tag: None,
            };
            let resource = [("filter[resource_id]", format!("connection:{connection_id}"))];
            let first = client.list_telephony_credentials(PageRequest::first(LIST_SIZE), &filter).await?;
            the_rest(client, first, "telephony_credentials", &resource).await.map(Reply::CredentialsListed)
        }
        Request::FindOrder { reference } => find_order(client, &reference).await.map(Reply::OrderFound),
        Request::ListConnectionNumbers { connection_id } => {
            let filter = PhoneNumberFilter { connection_id: Some(connection_id), phone_number: None };
            client
                .list_phone_numbers(PageRequest::first(LIST_SIZE), &filter)
                .await
                .map(|page| Reply::ConnectionNumbers(page.data))
        }
        Request::CreateCredential { body, known, first_try } => {
            create_credential(client, &body, known.as_deref(), first_try).await.map(Reply::CredentialCreated)
        }
        Request::CreateToken { credential_id } => {
            client.create_token(&credential_id).await.map(Reply::TokenCreated)
        }
        Request::Browse { collection, page, size, filters } => client
            .list_raw(collection, PageRequest { number: Some(page), size: Some(size) }, &filters)
            .await
            .map(Reply::Browsed),
        Request::BrowseMany { collection, first, last, size, filters } => {
            client.list_raw_pages(collection, first..=last, size, &filters).await.map(Reply::BrowsedMany)
        }
        Request::FindTarget { given } => crate::target::find(client, &given).await.map(Reply::TargetFound),
        Request::Fetch { collection, id } => client.get_raw(collection, &id).await.map(Reply::Fetched),
        Request::ReadBalance => client.balance().await.map(Reply::BalanceRead),
        Request::Diagnose { connection_id, trial_token } => {
            let facts = crate::doctor::gather(client, &connection_id, None, trial_token).await?;
            Ok(Reply::Diagnosed(crate::doctor::diagnose(&facts)))
        }
        // Not the API: the signaling server. Cancelling the task drops the socket.
        // A new credential's refusals are tried again, each retry told as a request's is.
        Request::TestLogin { url, login, credential_created_at } => {
            use crate::signaling::{self, PROPAGATION_WAITS};
            let new =
                signaling::is_new_credential(credential_created_at.as_deref(), std::time::SystemTime::now());
            let waits = if new { PROPAGATION_WAITS } else { &[] };
            let told = |notice| client.report_retry(notice);
            let test =
                signaling::test_login_patiently(&url, &login, signaling::LOGIN_TIMEOUT, waits, &told).await;
            Ok(Reply::LoginTested(test))
        }
        // A task of its own, which Esc (aborting this one) does not stop: it runs to its
        // end, within its ring and tone limits, so its temporary credentials are deleted.
        Request::TestCall { url, connection_id, caller_id } => {
            let client = client.clone();
            let call = tokio::spawn(async move {
                crate::calltest::between_logins(&client, &connection_id, &url, &caller_id).await
            });
            let outcome = call.await.unwrap_or_else(|error| {
                crate::calltest::CallOutcome::Signaling(format!("the call test stopped: {error}"))
            });
            Ok(Reply::CallTested(outcome))
        }
    }
}

/// Creates something at most once. Before each try, `find` looks for what an earlier
/// try may have created (an answer lost to a timeout, or an earlier Enter). A try
/// refused in a way that proves nothing was done is made again after the policy's
/// wait. A try whose outcome is unknown is never repeated here: the server may still
/// be at work, so `find` looks for the result a few times, with the policy's waits,
/// and the error is returned if it does not show up; the user's retry then starts with
/// `find` again. Returns the resource and whether it was found rather than created now.
///
/// `first_try`: no earlier try can have made it (the form was never sent, and what it
/// could be confused with was just listed, completely), so the first look is skipped:
/// the list the user chose from stands for it. Every later look is made.
async fn create_once<T, Found, Created>(
    client: &Client,
    first_try: bool,
    find: impl Fn() -> Found,
    create: impl Fn() -> Created,
) -> Result<(T, bool), ApiError>
where
    Found: Future<Output = Result<Option<T>, ApiError>>,
    Created: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 1;
    loop {
        if (attempt > 1 || !first_try)
            && let Some(found) = find().await?
        {
            return Ok((found, true));
        }
        let error = match create().await {
            Ok(created) => return Ok((created, false)),
            Err(error) => error,
        };
        if error.outcome_unknown() {
            return look_for_result(client, find, error).await;
        }
        attempt += 1;
        match error.nothing_done().then(|| client.plan_retry(attempt, &error)).flatten() {
            // The next turn of the loop looks it up before trying again.
            Some(wait) => tokio::time::sleep(wait).await,
            None => return Err(error),
        }
    }
}

/// After a create whose outcome is unknown: looks for its result up to the policy's
/// number of tries, waiting between looks, and gives back `error` if it never shows.
async fn look_for_result<T, Found>(
    client: &Client,
    find: impl Fn() -> Found,
    error: ApiError,
) -> Result<(T, bool), ApiError>
where
    Found: Future<Output = Result<Option<T>, ApiError>>,
{
    let reason = format!("{}; looking for the result", error.short_reason());
    for look in 1..=client.retry_policy().attempts {
        if look > 1 {
            tokio::time::sleep(client.report_wait(look, &reason)).await;
        }
        // A failed look is no answer either: the next one may work.
        if let Ok(Some(found)) = find().await {
            return Ok((found, true));
        }
    }
    Err(error)
}

/// A connection is ours when it has the name and the generated SIP user name, which
/// Telnyx keeps unique across accounts.
async fn create_connection(
    client: &Client,
    body: &NewCredentialConnection,
    first_try: bool,
) -> Result<CredentialConnection, ApiError> {
    let find = || async {
        let page = client
            .list_credential_connections(PageRequest::first(LIST_SIZE), Some(&body.connection_name))
            .await?;
        Ok(page
            .data
            .into_iter()
            .find(|c| c.connection_name == body.connection_name && c.user_name == body.user_name))
    };
    let (connection, found) =
        create_once(client, first_try, find, || client.create_credential_connection(body)).await?;
    log_found("connection", found);
    Ok(connection)
}

/// Profile names need not be unique, so a profile with the name counts as ours only if
/// it is not among `known` (see [`known_ids`]).
async fn create_profile(
    client: &Client,
    body: &NewOutboundVoiceProfile,
    known: Option<&[String]>,
    first_try: bool,
) -> Result<OutboundVoiceProfile, ApiError> {
    let matching = || async {
        let page =
            client.list_outbound_voice_profiles(PageRequest::first(LIST_SIZE), Some(&body.name)).await?;
        Ok(page.data.into_iter().filter(|p| p.name == body.name).collect::<Vec<_>>())
    };
    let first_try = first_try && known.is_some();
    let known = known_ids(known, matching(), |p| &p.id).await?;
    let find = || async { Ok(matching().await?.into_iter().find(|p| !known.contains(&p.id))) };
    let (profile, found) =
        create_once(client, first_try, find, || client.create_outbound_voice_profile(body)).await?;
    log_found("profile", found);
    Ok(profile)
}

/// A credential counts as ours when it is on the connection, with the name, tag and
/// expiry date asked for, and not among `known` (see [`known_ids`]).
async fn create_credential(
    client: &Client,
    body: &NewTelephonyCredential,
    known: Option<&[String]>,
    first_try: bool,
) -> Result<TelephonyCredential, ApiError> {
    let day = |date: Option<&str>| date.map(|d| d.chars().take(10).collect::<String>());
    let matching = || async {
        let filter = TelephonyCredentialFilter {
            resource_id: Some(format!("connection:{}", body.connection_id)),
            tag: body.tag.clone(),
        };
        let page = client.list_telephony_credentials(PageRequest::first(LIST_SIZE), &filter).await?;
        Ok(page
            .data
            .into_iter()
            .filter(|c| {
                c.name == body.name && day(c.expires_at.as_deref()) == day(body.expires_at.as_deref())
            })
            .collect::<Vec<_>>())
    };
    let first_try = first_try && known.is_some();
    let known = known_ids(known, matching(), |c| &c.id).await?;
    let find = || async { Ok(matching().await?.into_iter().find(|c| !known.contains(&c.id))) };
    let (credential, found) =
        create_once(client, first_try, find, || client.create_telephony_credential(body)).await?;
    log_found("credential", found);
    Ok(credential)
}

/// The records a new one must not be mistaken for: those the user was shown, or, when
/// their list was cut short (`None`: more than a page), every match that exists before
/// the first try. The second is weaker: a retry by the user after a lost answer then
/// takes the first try's record as known, and makes another (never an order, whose
/// reference is exact).
async fn known_ids<T>(
    shown: Option<&[String]>,
    matching: impl Future<Output = Result<Vec<T>, ApiError>>,
    id: impl Fn(&T) -> &String,
) -> Result<Vec<String>, ApiError> {
    match shown {
        Some(shown) => Ok(shown.to_vec()),
        None => Ok(matching.await?.iter().map(|record| id(record).clone()).collect()),
    }
}

/// Orders the cart, unless an order with the same `customer_reference` exists: a
/// repeated Enter, a retry after a timeout, or a return to the step then finds the
/// order already placed instead of buying the numbers a second time.
async fn place_order(client: &Client, body: &NewNumberOrder, first_try: bool) -> Result<Reply, ApiError> {
    let find = || async {
        match &body.customer_reference {
            Some(reference) => find_order(client, reference).await,
            None => Ok(None),
        }
    };
    // Looked for first (unless the wizard just did): an order is found by its cart's
    // reference, which an earlier run (or another machine) may have used already.
    let (order, existing) = create_once(client, first_try, find, || client.create_number_order(body)).await?;
    log_found("number order", existing);
    Ok(Reply::OrderPlaced { order, existing })
}

/// The order carrying `reference`, read whole (the list gives each number's id and
/// E.164 only), or `None` when Telnyx has none.
async fn find_order(client: &Client, reference: &str) -> Result<Option<NumberOrder>, ApiError> {
    let earlier = client.list_number_orders(PageRequest::first(1), Some(reference)).await?;
    match earlier.data.first() {
        Some(order) => client.number_order(&order.id).await.map(Some),
        None => Ok(None),
    }
}

fn log_found(what: &str, found: bool) {
    if found {
        tracing::info!("the {what} from an earlier try was found; nothing new was created");
    }
}

/// Reads each ordered number from `/phone_numbers` and assigns it to the connection if
/// the order did not already.
async fn assign_numbers(
    client: &Client,
    connection_id: &str,
    phone_numbers: &[String],
) -> Result<Vec<PhoneNumber>, ApiError> {
    let mut assigned = Vec::with_capacity(phone_numbers.len());
    for e164 in phone_numbers {
        let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
        let filter = PhoneNumberFilter { connection_id: None, phone_number: Some(digits) };
        let found = client.list_phone_numbers(PageRequest::first(LIST_SIZE), &filter).await?;
        let Some(number) = found.data.into_iter().find(|n| n.phone_number == *e164) else {
            return Err(ApiError::NotFound(
                vec![crate::api::TelnyxError {
                    detail: Some(format!("{e164} is not among the account's numbers yet")),
                    ..Default::default()
                }]
                .into(),
            ));
        };
        let number = if number.connection_id.as_deref() == Some(connection_id) {
            number
        } else {
            let update = PhoneNumberUpdate { connection_id: connection_id.to_owned() };
            client.update_phone_number(&number.id, &update).await?
        };
        assigned.push(number);
    }
    Ok(assigned)
}
