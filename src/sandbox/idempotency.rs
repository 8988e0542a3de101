//! Telnyx's `Idempotency-Key` header on writes: 1-255 characters of `[A-Za-z0-9_:-]`;
//! a success is replayed, unchanged and without running again, for 24 hours to the same
//! key (per API key), and the same key with another method, path or body is a 422.
//! Failures are not kept, so a retry after one runs again.
//!
//! What is kept is bounded: [`MAX_KEPT`] answers, the oldest dropped first, and only
//! hashes of the API key and of the request.

use axum::body::Bytes;
use axum::http::StatusCode;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

/// The header's name, as Telnyx (and Stripe) spell it.
pub const HEADER: &str = "idempotency-key";
/// How long a success is replayed.
pub const REPLAY_FOR: Duration = Duration::from_secs(24 * 3600);
/// The most answers kept at once.
pub const MAX_KEPT: usize = 10_000;

/// A kept success: what it answered, and a hash of what was asked.
#[derive(Clone)]
pub struct Kept {
    request: u64,
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Bytes,
    at: Instant,
}

pub struct Store {
    kept: HashMap<u64, Kept>,
    order: VecDeque<u64>,
    hasher: RandomState,
}

/// What to do with a write that carries a key.
pub enum Seen {
    /// Run it, then [`Store::keep`] its answer under this slot if it succeeds.
    New { slot: u64, request: u64 },
    /// Answer this instead.
    Replay(Kept),
    /// The key was used for another request.
    Conflict,
}

/// Whether `key` is a key Telnyx takes.
pub fn valid(key: &str) -> bool {
    (1..=255).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':' || b == b'-')
}

impl Default for Store {
    fn default() -> Self {
        Self { kept: HashMap::new(), order: VecDeque::new(), hasher: RandomState::new() }
    }
}

impl Store {
    fn hash(&self, parts: &[&[u8]]) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        for part in parts {
            hasher.write_usize(part.len());
            hasher.write(part);
        }
        hasher.finish()
    }

    /// Looks up `key` (of the API key `authorization`) for this request.
    pub fn see(&mut self, authorization: &[u8], key: &str, method: &str, path: &str, body: &[u8]) -> Seen {
        let slot = self.hash(&[authorization, key.as_bytes()]);
        let request = self.hash(&[method.as_bytes(), path.as_bytes(), body]);
        match self.kept.get(&slot) {
            Some(kept) if kept.at.elapsed() < REPLAY_FOR => {
                if kept.request == request {
                    Seen::Replay(kept.clone())
                } else {
                    Seen::Conflict
                }
            }
            _ => Seen::New { slot, request },
        }
    }

    /// Keeps a success for replay.
    pub fn keep(
        &mut self,
        slot: u64,
        request: u64,
        status: StatusCode,
        content_type: Option<String>,
        body: Bytes,
    ) {
        let kept = Kept { request, status, content_type, body, at: Instant::now() };
        if self.kept.insert(slot, kept).is_none() {
            self.order.push_back(slot);
        }
        while self.order.len() > MAX_KEPT {
            if let Some(old) = self.order.pop_front() {
                self.kept.remove(&old);
            }
        }
    }
}
