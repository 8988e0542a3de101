//! What a setup is, apart from how it is asked for: the pieces the wizard (`state/`)
//! and the commands without a terminal (`cli/`) share, so both decide alike. This
//! module imports neither the TUI's state nor its views nor the command line.

mod codecs;
mod credential;
mod names;
mod order;
mod recognise;

pub use codecs::{CodecChoice, codec_choices, new_connection_codecs};
pub use credential::{DEFAULT_TAG, LoginToken, generate_sip_login, is_expired};
pub use names::{free_name, name_taken};
pub use order::{POLL_LIMIT, order_reference, poll_wait};
pub use recognise::{
    Recognisable, Recognised, find_connection, newest, prefer, profile_candidates, recognise,
};
