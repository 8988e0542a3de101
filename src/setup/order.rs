//! A number order's identity and pace: the `customer_reference` that finds an order
//! again after a lost answer, and how often a pending one is checked.

use std::time::Duration;

/// Polling an order waits this long first, doubling up to [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(500);
const POLL_MAX: Duration = Duration::from_secs(8);

/// The wait before check `polls + 1` of a pending order (the wizard's and `setup`'s).
pub fn poll_wait(polls: u32) -> Duration {
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

/// Follows a placed order until it is no longer `pending`, checking with the pace of
/// [`poll_wait`] up to [`POLL_LIMIT`] times: `setup`'s order follower (the wizard's
/// screen polls with the same pace, a check per `Request::CheckOrder`).
pub async fn follow_order(
    client: &crate::api::Client,
    mut order: crate::api::NumberOrder,
) -> Result<crate::api::NumberOrder, crate::api::ApiError> {
    for polls in 0..POLL_LIMIT {
        if order.status != "pending" {
            break;
        }
        let check = crate::msg::Request::CheckOrder { id: order.id.clone(), after: poll_wait(polls) };
        match crate::worker::execute(client, check).await? {
            crate::msg::Reply::OrderChecked(checked) => order = checked,
            other => return Err(crate::api::ApiError::Decode(format!("CheckOrder answered {other:?}"))),
        }
    }
    Ok(order)
}
