//! Step 8: the JWT login token for the credential. Enter generates it (valid 24 hours),
//! `g` generates a fresh one, `y` copies it, `r` reveals it; the expiry comes from the
//! token's own `exp` claim.

use super::{Activity, Ctx, Step, Transition};
use crate::api::TelephonyCredential;
use crate::clipboard::{CopyError, CopyMethod};
use crate::msg::{Cmd, Reply, Request};
use crate::secret::Secret;
use crate::state::finish::FinishStep;
use crossterm::event::{KeyCode, KeyEvent};

/// A login token and when it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginToken {
    pub jwt: Secret,
    /// Unix time of the `exp` claim; `None` when the token does not say.
    pub expires_at: Option<i64>,
}

#[derive(serde::Deserialize)]
struct Claims {
    exp: Option<i64>,
}

impl LoginToken {
    /// Reads `exp` without verifying the signature: the token is Telnyx's to check,
    /// this program only shows when it lapses.
    pub fn new(jwt: Secret) -> Self {
        let expires_at = jsonwebtoken::dangerous::insecure_decode::<Claims>(jwt.expose())
            .ok()
            .and_then(|data| data.claims.exp);
        Self { jwt, expires_at }
    }
}

#[derive(Debug)]
pub struct TokenStep {
    pub credential: TelephonyCredential,
    pub token: Option<LoginToken>,
    /// The token is shown in clear (`r`).
    pub reveal: bool,
    /// The outcome of the last copy, until the token changes.
    pub copied: Option<Result<CopyMethod, CopyError>>,
    pub activity: Activity,
}

impl TokenStep {
    pub fn new(credential: TelephonyCredential) -> Self {
        Self { credential, token: None, reveal: false, copied: None, activity: Activity::default() }
    }

    pub(super) fn generate(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let request = Request::CreateToken { credential_id: self.credential.id.clone() };
        vec![ctx.call(&mut self.activity, "Generating a login token", request)]
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        match (key.code, &self.token) {
            (KeyCode::Enter, None) | (KeyCode::Char('g'), _) => Transition::Stay(self.generate(ctx)),
            (KeyCode::Enter, Some(_)) => Transition::next(Step::Finish(FinishStep::default()), Vec::new()),
            (KeyCode::Char('y'), Some(token)) => Transition::run(Cmd::Copy(token.jwt.clone())),
            (KeyCode::Char('r'), Some(_)) => {
                self.reveal = !self.reveal;
                Transition::none()
            }
            (KeyCode::Esc, _) => Transition::Back,
            _ => Transition::none(),
        }
    }

    pub(super) fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        if let Reply::TokenCreated(jwt) = reply {
            let token = LoginToken::new(jwt);
            ctx.setup.token = Some(token.clone());
            self.token = Some(token);
            self.copied = None;
        }
        Transition::none()
    }

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        match self.token {
            None => vec![("Enter", "generate")],
            Some(_) => vec![
                ("y", "copy"),
                ("r", if self.reveal { "hide" } else { "reveal" }),
                ("g", "new token"),
                ("Enter", "summary"),
            ],
        }
    }
}
