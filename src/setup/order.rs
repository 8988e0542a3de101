//! A number order's identity, pace and follower: the `customer_reference` that finds
//! an order again after a lost answer, how often a pending one is checked, and the one
//! [`OrderFollower`] that says what follows a placed or checked order (for the wizard's
//! screen, its background completion, and `setup`).

use crate::api::{ApiError, Client, NumberOrder, PhoneNumber};
use crate::msg::{Reply, Request};
use crate::worker::execute;
use std::time::Duration;

/// Polling an order waits this long first, doubling up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(500);
const POLL_MAX: Duration = Duration::from_secs(8);

/// The wait before check `polls + 1` of a pending order.
fn poll_wait(polls: u32) -> Duration {
    POLL_FIRST.saturating_mul(1 << polls.min(5)).min(POLL_MAX)
}

/// After this many checks (about 70 s) the screen stops polling and offers Enter to
/// check again; `setup` gives up and says how to go on.
pub const POLL_LIMIT: u32 = 12;

/// The `customer_reference` of an order of `numbers` for the connection: telnyx-setup's
/// mark and a hash of the connection and the sorted numbers, so the same cart always
/// has the same reference (the wizard's and `setup`'s orders are found by it).
pub fn order_reference(connection_id: &str, numbers: &[String]) -> String {
    let mut numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    numbers.sort_unstable();
    // FNV-1a: stable across runs and Rust versions, unlike the std hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in connection_id.bytes().chain(numbers.join(",").bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("telnyx-setup-{hash:016x}")
}

/// What follows a placed or checked number order, as [`OrderFollower::next`] says.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Still pending: send this `Request::CheckOrder` (its wait is [`poll_wait`]'s).
    Check(Request),
    /// Completed, but the order does not carry the connection: this
    /// `Request::AssignNumbers` puts its numbers there (a write).
    Assign(Request),
    /// Nothing more to send.
    End(Ended),
}

/// How following an order ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ended {
    /// Completed: these numbers are on the connection.
    Done(Vec<PhoneNumber>),
    /// Failed: nothing was bought.
    Failed,
    /// Still pending after [`POLL_LIMIT`] checks: it stands at Telnyx, and a re-run
    /// (or the wizard's Enter) checks again.
    StillPending,
}

/// The one order follower: given a placed or checked order, what happens next. Pure
/// (no I/O, no clock), so the wizard's numbers screen, its background completion
/// after the user goes on, and `setup`'s [`follow_order`] all drive this one, each
/// executing what it says in its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFollower {
    /// The connection the order was placed for: its numbers end there.
    connection_id: String,
    connection_name: String,
    /// Checks asked for so far: the pace of the next, and the limit.
    polls: u32,
}

impl OrderFollower {
    /// Following an order placed (or found) for the connection `id` named `name`.
    pub fn new(id: &str, name: &str) -> Self {
        Self { connection_id: id.to_owned(), connection_name: name.to_owned(), polls: 0 }
    }

    /// Checks asked for so far.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Counts a check as made whose answer did not come (a failed check): Enter's
    /// check after it waits as a second one does.
    pub fn check_failed(&mut self) {
        self.polls = self.polls.max(1);
    }

    /// What follows `order`, as placed or last checked. A check it asks for is
    /// counted.
    pub fn next(&mut self, order: &NumberOrder) -> Next {
        match order.status.as_str() {
            "success" => match self.on_connection(order) {
                Some(numbers) => Next::End(Ended::Done(numbers)),
                None => Next::Assign(Request::AssignNumbers {
                    connection_id: self.connection_id.clone(),
                    phone_numbers: order.phone_numbers.iter().map(|n| n.phone_number.clone()).collect(),
                }),
            },
            "failure" => Next::End(Ended::Failed),
            _ if self.polls >= POLL_LIMIT => Next::End(Ended::StillPending),
            _ => {
                let check = self.check(order);
                self.polls += 1;
                Next::Check(check)
            }
        }
    }

    /// A check of `order` asked for by hand, after the follower stopped (the limit, or
    /// a failed check): at the pace reached, and not counted.
    pub fn check(&self, order: &NumberOrder) -> Request {
        Request::CheckOrder { id: order.id.clone(), after: poll_wait(self.polls) }
    }

    /// Whether `order` may complete with nobody waiting on it: pending, and placed with
    /// the connection's id, so Telnyx puts its numbers there and only checks are left.
    pub fn completes_alone(&self, order: &NumberOrder) -> bool {
        order.status == "pending" && self.carries_connection(order)
    }

    fn carries_connection(&self, order: &NumberOrder) -> bool {
        order.connection_id.as_deref() == Some(&self.connection_id)
    }

    /// The numbers of a successful order placed with the connection's id: Telnyx put
    /// them on it, so the order says which they are and nothing is left to read or
    /// change. `None` if the order does not carry the connection.
    fn on_connection(&self, order: &NumberOrder) -> Option<Vec<PhoneNumber>> {
        if !self.carries_connection(order) {
            return None;
        }
        let numbers = order
            .phone_numbers
            .iter()
            .map(|number| PhoneNumber {
                id: String::new(),
                phone_number: number.phone_number.clone(),
                status: number.status.clone().unwrap_or_else(|| "success".to_owned()),
                connection_id: Some(self.connection_id.clone()),
                connection_name: Some(self.connection_name.clone()),
                phone_number_type: None,
            })
            .collect();
        Some(numbers)
    }
}

/// Follows a placed `order` to its end, executing what `follower` says with the
/// worker's [`execute`]: `setup`'s order follower. `before_write` hears a write (the
/// assignment) before it is sent, for the journal. Returns the order as last seen and
/// how it ended.
pub async fn follow_order(
    client: &Client,
    mut order: NumberOrder,
    follower: &mut OrderFollower,
    before_write: &mut dyn FnMut(&Request),
) -> Result<(NumberOrder, Ended), ApiError> {
    loop {
        match follower.next(&order) {
            Next::Check(check) => match execute(client, check).await? {
                Reply::OrderChecked(checked) => order = checked,
                other => return Err(ApiError::Decode(format!("CheckOrder answered {other:?}"))),
            },
            Next::Assign(assign) => {
                before_write(&assign);
                return match execute(client, assign).await? {
                    Reply::NumbersAssigned(numbers) => Ok((order, Ended::Done(numbers))),
                    other => Err(ApiError::Decode(format!("AssignNumbers answered {other:?}"))),
                };
            }
            Next::End(ended) => return Ok((order, ended)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::OrderedNumber;

    fn order(status: &str, connection: Option<&str>) -> NumberOrder {
        NumberOrder {
            id: "order-1".into(),
            status: status.into(),
            phone_numbers: vec![OrderedNumber { phone_number: "+13125550100".into(), ..Default::default() }],
            connection_id: connection.map(str::to_owned),
            ..Default::default()
        }
    }

    fn follower() -> OrderFollower {
        OrderFollower::new("conn-1", "Lobby")
    }

    #[test]
    fn a_pending_order_is_checked_with_backoff_up_to_the_limit() {
        let mut follower = follower();
        let pending = order("pending", Some("conn-1"));
        let mut waits = Vec::new();
        while let Next::Check(check) = follower.next(&pending) {
            let Request::CheckOrder { id, after } = check else { panic!("{check:?}") };
            assert_eq!(id, "order-1");
            waits.push(after);
        }
        assert_eq!(waits.len(), POLL_LIMIT as usize);
        assert_eq!(waits[0], Duration::from_millis(500));
        assert_eq!(waits[1], Duration::from_secs(1));
        assert!(waits.windows(2).all(|w| w[0] <= w[1]) && waits.iter().all(|w| *w <= POLL_MAX), "{waits:?}");
        assert_eq!(follower.next(&pending), Next::End(Ended::StillPending));
        assert_eq!(follower.polls(), POLL_LIMIT);
        // A check by hand is at the pace reached, and not counted.
        assert_eq!(follower.check(&pending), Request::CheckOrder { id: "order-1".into(), after: POLL_MAX });
        assert_eq!(follower.polls(), POLL_LIMIT);
    }

    #[test]
    fn a_completed_order_with_the_connection_is_done_with_its_numbers() {
        let Next::End(Ended::Done(numbers)) = follower().next(&order("success", Some("conn-1"))) else {
            panic!()
        };
        assert_eq!(numbers.len(), 1, "{numbers:?}");
        assert_eq!(numbers[0].phone_number, "+13125550100");
        assert_eq!(numbers[0].status, "success");
        assert_eq!(numbers[0].connection_id.as_deref(), Some("conn-1"));
        assert_eq!(numbers[0].connection_name.as_deref(), Some("Lobby"));
    }

    #[test]
    fn a_completed_order_without_the_connection_has_its_numbers_assigned() {
        for connection in [None, Some("conn-2")] {
            assert_eq!(
                follower().next(&order("success", connection)),
                Next::Assign(Request::AssignNumbers {
                    connection_id: "conn-1".into(),
                    phone_numbers: vec!["+13125550100".into()]
                })
            );
        }
    }

    #[test]
    fn a_failed_order_bought_nothing() {
        assert_eq!(follower().next(&order("failure", Some("conn-1"))), Next::End(Ended::Failed));
    }

    #[test]
    fn only_a_pending_order_with_the_connection_completes_alone() {
        let follower = follower();
        assert!(follower.completes_alone(&order("pending", Some("conn-1"))));
        assert!(!follower.completes_alone(&order("pending", None)));
        assert!(!follower.completes_alone(&order("success", Some("conn-1"))));
    }

    #[test]
    fn a_failed_check_counts_as_one() {
        let mut follower = follower();
        follower.check_failed();
        assert_eq!(follower.polls(), 1);
        let Next::Check(Request::CheckOrder { after, .. }) = follower.next(&order("pending", None)) else {
            panic!()
        };
        assert_eq!(after, Duration::from_secs(1));
    }
}
