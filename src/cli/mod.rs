//! The commands that need no terminal besides the doctor: `token` (a fresh login
//! token for a pipe) and, built on the worker's [`Request`](crate::msg::Request)s,
//! `setup` (the wizard's steps from flags). The binary parses the arguments and finds
//! the key; these modules do the work against a [`Client`](crate::api::Client).

pub mod docs;
pub mod setup;
pub mod token;
