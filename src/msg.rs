//! What happened ([`Msg`]) and what update() wants done ([`Cmd`]).
//!
//! update() turns one Msg into Cmds; the loop runs UI Cmds itself and hands API Cmds to
//! the worker, whose answers come back as [`Msg::Done`] tagged with the request's
//! [`OpId`], so a screen can ignore answers it no longer waits for.

use crate::api::{
    ApiError, Balance, CredentialConnection, CredentialConnectionUpdate, NewCredentialConnection,
    NewOutboundVoiceProfile, OutboundVoiceProfile, OutboundVoiceProfileUpdate, Page,
};
use crate::secret::Secret;
use crossterm::event::KeyEvent;

/// Identifies one request from the moment update() asks for it until its answer.
pub type OpId = u64;

#[derive(Debug)]
pub enum Msg {
    /// A key press (releases and repeats are dropped by the loop).
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The spinner's timer fired; it only runs while a request is in flight.
    Tick,
    /// The terminal changed size; nothing to update, but the screen is redrawn.
    Resized,
    /// The worker finished request `op`.
    Done {
        op: OpId,
        outcome: Result<Reply, ApiError>,
    },
}

/// A successful answer, named by what it means.
#[derive(Debug)]
pub enum Reply {
    KeyAccepted(Balance),
    ConnectionsListed(Page<CredentialConnection>),
    ConnectionCreated(CredentialConnection),
    ConnectionUpdated(CredentialConnection),
    ProfilesListed(Page<OutboundVoiceProfile>),
    ProfileCreated(OutboundVoiceProfile),
    ProfileUpdated(OutboundVoiceProfile),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Send `request` to the API; the answer comes back as `Msg::Done { op, .. }`.
    Call { op: OpId, request: Request },
    /// Stop request `op`; its answer, if any, will not arrive.
    Cancel(OpId),
    /// Leave the program, restoring the terminal.
    Quit,
}

/// One API operation, in the wizard's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Use `key` from now on and check it with `GET /balance`.
    SignIn {
        key: Secret,
    },
    ListConnections,
    CreateConnection(NewCredentialConnection),
    UpdateConnection {
        id: String,
        update: CredentialConnectionUpdate,
    },
    ListProfiles,
    CreateProfile(NewOutboundVoiceProfile),
    UpdateProfile {
        id: String,
        update: OutboundVoiceProfileUpdate,
    },
}
