//! The long-lived task that talks to Telnyx: [`Cmd`]s in, [`Msg::Done`] out.
//!
//! Each request runs as its own child task keyed by its operation id, so the UI never
//! waits and Esc can abort a request mid-flight. It owns the API client; the key is set
//! by the sign-in request and used for every request after it.

use crate::api::{
    self, ApiBase, ApiError, Client, NewNumberOrder, PageRequest, PhoneNumber, PhoneNumberFilter,
    PhoneNumberUpdate, TelephonyCredentialFilter,
};
use crate::msg::{Cmd, Msg, OpId, Reply, Request};
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// How many connections and profiles the wizard lists: Telnyx's largest page.
const LIST_SIZE: u32 = 250;

/// The UI's side of the worker. Dropping it stops the worker and aborts its requests.
pub struct WorkerHandle {
    // Unbounded: commands come at the pace of key presses, and a bounded send could
    // block the UI loop, which must never wait.
    orders: mpsc::UnboundedSender<Cmd>,
    pub replies: mpsc::UnboundedReceiver<Msg>,
}

impl WorkerHandle {
    /// Hands an API command to the worker. UI commands (quit) are not its business.
    pub fn send(&self, cmd: Cmd) {
        if matches!(cmd, Cmd::Call { .. } | Cmd::Cancel(_)) {
            // A closed channel means the worker is gone; the loop notices on `replies`.
            let _ = self.orders.send(cmd);
        }
    }
}

/// Starts the worker on the current tokio runtime.
pub fn spawn(base: ApiBase) -> WorkerHandle {
    let (orders, orders_rx) = mpsc::unbounded_channel();
    let (replies_tx, replies) = mpsc::unbounded_channel();
    tokio::spawn(run(base, orders_rx, replies_tx));
    WorkerHandle { orders, replies }
}

async fn run(base: ApiBase, mut orders: mpsc::UnboundedReceiver<Cmd>, replies: mpsc::UnboundedSender<Msg>) {
    let http = api::http_client();
    let mut client: Option<Client> = None;
    let mut in_flight: HashMap<OpId, AbortHandle> = HashMap::new();
    while let Some(order) = orders.recv().await {
        in_flight.retain(|_, task| !task.is_finished());
        match order {
            Cmd::Call { op, request } => {
                if let Request::SignIn { key } = &request {
                    client = Some(Client::new(http.clone(), base.clone(), key.clone()));
                }
                let replies = replies.clone();
                let Some(client) = client.clone() else {
                    // update() only asks for API work after a sign-in; answer anyway.
                    let _ = replies.send(Msg::Done { op, outcome: Err(ApiError::Unauthorized(Vec::new())) });
                    continue;
                };
                let task = tokio::spawn(async move {
                    let outcome = execute(&client, request).await;
                    let _ = replies.send(Msg::Done { op, outcome });
                });
                in_flight.insert(op, task.abort_handle());
            }
            Cmd::Cancel(op) => {
                if let Some(task) = in_flight.remove(&op) {
                    task.abort();
                }
            }
            Cmd::Copy(_) | Cmd::Quit => {}
        }
    }
    for task in in_flight.values() {
        task.abort();
    }
}

/// Runs one request against the API.
pub async fn execute(client: &Client, request: Request) -> Result<Reply, ApiError> {
    match request {
        Request::SignIn { .. } => client.balance().await.map(Reply::KeyAccepted),
        Request::ListConnections => client
            .list_credential_connections(PageRequest::first(LIST_SIZE), None)
            .await
            .map(Reply::ConnectionsListed),
        Request::CreateConnection(body) => {
            client.create_credential_connection(&body).await.map(Reply::ConnectionCreated)
        }
        Request::UpdateConnection { id, update } => {
            client.update_credential_connection(&id, &update).await.map(Reply::ConnectionUpdated)
        }
        Request::ListProfiles => client
            .list_outbound_voice_profiles(PageRequest::first(LIST_SIZE), None)
            .await
            .map(Reply::ProfilesListed),
        Request::CreateProfile(body) => {
            client.create_outbound_voice_profile(&body).await.map(Reply::ProfileCreated)
        }
        Request::UpdateProfile { id, update } => {
            client.update_outbound_voice_profile(&id, &update).await.map(Reply::ProfileUpdated)
        }
        Request::SearchNumbers(search) => {
            client.search_available_numbers(&search).await.map(Reply::NumbersFound)
        }
        Request::PlaceOrder(body) => place_order(client, &body).await,
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
            client
                .list_telephony_credentials(PageRequest::first(LIST_SIZE), &filter)
                .await
                .map(Reply::CredentialsListed)
        }
        Request::CreateCredential(body) => {
            client.create_telephony_credential(&body).await.map(Reply::CredentialCreated)
        }
        Request::CreateToken { credential_id } => {
            client.create_token(&credential_id).await.map(Reply::TokenCreated)
        }
        Request::Browse { collection, page, size, filters } => client
            .list_raw(collection, PageRequest { number: Some(page), size: Some(size) }, &filters)
            .await
            .map(Reply::Browsed),
        Request::Fetch { collection, id } => client.get_raw(collection, &id).await.map(Reply::Fetched),
        Request::ReadBalance => client.balance().await.map(Reply::BalanceRead),
        Request::Diagnose { connection_id, trial_token } => {
            let facts = crate::doctor::gather(client, &connection_id, None, trial_token).await?;
            Ok(Reply::Diagnosed(crate::doctor::diagnose(&facts)))
        }
    }
}

/// Orders the cart, but first looks for an order with the same `customer_reference`:
/// a repeated Enter, a retry after a timeout, or a return to the step then finds the
/// order already placed instead of buying the numbers a second time.
async fn place_order(client: &Client, body: &NewNumberOrder) -> Result<Reply, ApiError> {
    if let Some(reference) = &body.customer_reference {
        let earlier = client.list_number_orders(PageRequest::first(1), Some(reference)).await?;
        if let Some(order) = earlier.data.first() {
            let order = client.number_order(&order.id).await?;
            return Ok(Reply::OrderPlaced { order, existing: true });
        }
    }
    let order = client.create_number_order(body).await?;
    Ok(Reply::OrderPlaced { order, existing: false })
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
            return Err(ApiError::NotFound(vec![crate::api::TelnyxError {
                detail: Some(format!("{e164} is not among the account's numbers yet")),
                ..Default::default()
            }]));
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
