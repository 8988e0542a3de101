//! When a failed request is tried again, and how long to wait first.
//!
//! Requests that cannot change anything twice (GET, and PATCHes, whose bodies here set
//! fields to absolute values) are retried by the client on 429 (after its
//! `Retry-After`), 502, 503, 504, a failed or dropped connection and a timeout.
//! Creating requests are never retried here: the worker sends a create again only when
//! the failure proves nothing was done ([`ApiError::nothing_done`]), and only after
//! looking the resource up (see `worker::create_once`).
//!
//! Waits grow exponentially from [`RetryPolicy::base_delay`] up to
//! [`RetryPolicy::max_delay`], with "equal jitter" (half the wait fixed, half random),
//! so clients that failed together do not come back together.

use super::ApiError;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

/// How many times, and how patiently, a request is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included ("retrying (2/4)" is the second of four).
    pub attempts: u32,
    /// The wait before the first retry, before jitter.
    pub base_delay: Duration,
    /// No wait (before jitter) exceeds this, except one a `Retry-After` asks for.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the error is shown instead,
    /// with the wait it asked for, rather than a spinner that seems stuck.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before try number `next` (2 for the first retry) after `error`,
    /// or `None` when the error is not worth retrying or the tries are used up.
    pub fn wait_before(&self, next: u32, error: &ApiError, rng: &mut impl Rng) -> Option<Duration> {
        if next > self.attempts || !error.is_transient() {
            return None;
        }
        if let ApiError::RateLimited { retry_after: Some(asked) } = error {
            return (*asked <= self.max_retry_after).then_some(*asked);
        }
        Some(self.backoff(next, rng))
    }

    /// The jittered exponential wait before try `next` (2 or more), whatever the error.
    pub fn backoff(&self, next: u32, rng: &mut impl Rng) -> Duration {
        let exponent = next.saturating_sub(2).min(16);
        let full = self.base_delay.saturating_mul(1 << exponent).min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(rng.random::<f64>())
    }
}

/// One retry about to happen, as the screen reports it: "retrying (2/4): HTTP 503".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// The try about to be made, 2 or more.
    pub attempt: u32,
    /// Tries in all.
    pub of: u32,
    /// Why the last try failed, short.
    pub reason: String,
    pub wait: Duration,
}

/// Told of every retry before its wait starts, so the screen can say what is going on.
pub type RetryObserver = Arc<dyn Fn(RetryNotice) + Send + Sync>;

impl ApiError {
    /// The request may work if sent again later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. }
                | Self::Server { status: 502..=504, .. }
                | Self::Timeout
                | Self::Unreachable(_)
                | Self::Transport(_)
        )
    }

    /// The failure proves the request was not carried out: it was refused for its
    /// rate (429), turned away as unavailable (503), or never sent (no connection).
    /// Only then may a create be sent again without the user.
    pub fn nothing_done(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Server { status: 503, .. } | Self::Unreachable(_))
    }

    /// The server may have carried the request out although no success could be read:
    /// the answer was lost or unreadable, or a server error came, perhaps after the
    /// work. A create that failed this way is looked for before anything else happens.
    pub fn outcome_unknown(&self) -> bool {
        !self.nothing_done()
            && matches!(self, Self::Timeout | Self::Transport(_) | Self::Server { .. } | Self::Decode(_))
    }

    /// A few words for "retrying (2/4): …".
    pub fn short_reason(&self) -> String {
        match self {
            Self::RateLimited { .. } => "rate limited (HTTP 429)".into(),
            Self::Server { status, .. } | Self::Unexpected { status, .. } | Self::Invalid { status, .. } => {
                format!("HTTP {status}")
            }
            Self::Timeout => "no answer in time".into(),
            Self::Unreachable(_) => "could not connect".into(),
            Self::Transport(_) => "connection dropped".into(),
            Self::Unauthorized(_) => "HTTP 401".into(),
            Self::Forbidden(_) => "HTTP 403".into(),
            Self::NotFound(_) => "HTTP 404".into(),
            Self::Decode(_) => "unreadable answer".into(),
            Self::Redirected { status, .. } => format!("redirected (HTTP {status})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn unavailable() -> ApiError {
        ApiError::Server { status: 503, errors: vec![].into() }
    }

    #[test]
    fn waits_grow_exponentially_with_jitter_up_to_the_cap() {
        let policy = RetryPolicy { attempts: 8, ..RetryPolicy::default() };
        let mut rng = StdRng::seed_from_u64(7);
        for (next, full_ms) in [(2, 250), (3, 500), (4, 1000), (5, 2000), (6, 4000), (7, 4000), (8, 4000)] {
            for _ in 0..50 {
                let wait = policy.wait_before(next, &unavailable(), &mut rng).unwrap();
                let full = Duration::from_millis(full_ms);
                assert!(
                    wait >= full / 2 && wait <= full,
                    "try {next}: {wait:?} outside {full:?}/2..{full:?}"
                );
            }
        }
        assert_eq!(policy.wait_before(9, &unavailable(), &mut rng), None, "tries used up");
    }

    #[test]
    fn the_jitter_spreads_the_waits() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(1);
        let waits: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.wait_before(3, &unavailable(), &mut rng).unwrap()).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }

    #[test]
    fn retry_after_is_honoured_unless_it_is_too_long() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(1);
        let limited = |secs| ApiError::RateLimited { retry_after: Some(Duration::from_secs(secs)) };
        assert_eq!(policy.wait_before(2, &limited(3), &mut rng), Some(Duration::from_secs(3)));
        assert_eq!(policy.wait_before(2, &limited(120), &mut rng), None);
        let unspecified = ApiError::RateLimited { retry_after: None };
        assert!(policy.wait_before(2, &unspecified, &mut rng).unwrap() <= policy.base_delay);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(1);
        for error in [
            ApiError::Unauthorized(vec![].into()),
            ApiError::Forbidden(vec![].into()),
            ApiError::NotFound(vec![].into()),
            ApiError::Invalid { status: 422, errors: vec![].into() },
            ApiError::Server { status: 500, errors: vec![].into() },
            ApiError::Decode("x".into()),
        ] {
            assert_eq!(policy.wait_before(2, &error, &mut rng), None, "{error:?}");
        }
        for error in [
            ApiError::Server { status: 502, errors: vec![].into() },
            ApiError::Server { status: 504, errors: vec![].into() },
            ApiError::Timeout,
            ApiError::Transport("reset".into()),
        ] {
            assert!(policy.wait_before(2, &error, &mut rng).is_some(), "{error:?}");
        }
        let once = RetryPolicy { attempts: 1, ..RetryPolicy::default() };
        assert_eq!(once.wait_before(2, &unavailable(), &mut rng), None);
    }
}
