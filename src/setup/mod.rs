//! What a setup is, apart from how it is asked for: the pieces the wizard (`state/`)
//! and the commands without a terminal (`cli/`) share, so both decide alike. This
//! module imports neither the TUI's state nor its views nor the command line.
//!
//! A setup is what the user wants ([`Wanted`]) against what the account has
//! ([`Account`]); the difference is a [`Plan`] ([`plan()`]), which [`apply()`] carries
//! out step by step.

mod apply;
mod codecs;
mod credential;
mod names;
mod order;
pub mod plan;
mod recognise;

pub use apply::{Applied, ApplyError, Journal, apply, intent};
pub use codecs::{CodecChoice, codec_choices, left_open, new_connection_codecs};
pub use credential::{DEFAULT_TAG, LoginToken, generate_sip_login, is_expired};
pub use names::{free_name, name_expired, name_in_use, name_taken, truncate};
pub use order::{Ended, Next, OrderFollower, follow_order, order_reference};
pub use plan::{
    Account, DEFAULT_CONNECTION, DEFAULT_PROFILE, Ends, Kind, Part, Pick, Plan, Refusal, SipLogin, Wanted,
    new_profile_countries, plan,
};
pub use recognise::{
    Recognisable, Recognised, connections_on_profile, find_connection, named, newest, prefer,
    profile_candidates, recognise,
};
