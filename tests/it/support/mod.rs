//! What the test modules share, used as `crate::support::...`:
//!
//! - [`state`]: a fresh `State`, key presses, replies to the request in flight, sample
//!   API records, and the wizard and inspector walked to each screen;
//! - [`pty`]: the real binary in a pseudo-terminal, its screen parsed by vt100 (Unix);
//! - [`contract`]: the checker of HTTP exchanges against the OpenAPI contract in
//!   `tests/fixtures/openapi-subset.json`.

pub mod contract;
#[cfg(unix)]
pub mod pty;
pub mod state;
