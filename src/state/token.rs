//! Step 8: the JWT login token for the credential. Enter generates it (valid 24 hours),
//! `g` generates a fresh one, `y` copies it, `r` reveals it, `t` logs in with it as the
//! WebRTC SDK would (the login test, see `crate::signaling`) and, once it passes, offers
//! the call test (`crate::calltest`: a call between two temporary logins of the
//! connection, answered by an echo); the expiry comes from the token's own `exp` claim.

use super::keys::{Action, Binding};
use super::screen::{Screen, activity_field};
use super::{Activity, Ctx, Transition};
use crate::api::TelephonyCredential;
use crate::calltest::CallOutcome;
use crate::clipboard::{CopyError, CopyMethod};
use crate::msg::{Cmd, Reply, Request};
use crate::setup::{LoginToken, Part};
use crate::signaling::{Login, LoginTest};

#[derive(Debug)]
pub struct TokenStep {
    pub credential: TelephonyCredential,
    pub token: Option<LoginToken>,
    /// The token is shown in clear (`r`).
    pub reveal: bool,
    /// The outcome of the last copy, until the token changes.
    pub copied: Option<Result<CopyMethod, CopyError>>,
    /// The outcome of the last login test (`t`) of this token, until the token changes.
    pub login_test: Option<LoginTest>,
    /// While the call test is offered (after a login test passed), what it will create
    /// and do: `y` places it.
    pub call_offer: Option<String>,
    /// How the last call test went; a new token leaves it standing, since the call is
    /// made with temporary credentials of the connection, not with this token.
    pub call_test: Option<CallOutcome>,
    pub activity: Activity,
}

impl TokenStep {
    pub fn new(credential: TelephonyCredential) -> Self {
        Self {
            credential,
            token: None,
            reveal: false,
            copied: None,
            login_test: None,
            call_offer: None,
            call_test: None,
            activity: Activity::default(),
        }
    }

    /// The call test's request: on the credential's connection, with one of its
    /// numbers as the caller ID when it has one.
    fn call_request(&self, ctx: &Ctx) -> Request {
        let connection_id = ctx.setup.connection.as_ref().map(|c| c.id.clone()).unwrap_or_else(|| {
            let resource = self.credential.resource_id.as_deref().unwrap_or_default();
            resource.strip_prefix("connection:").unwrap_or(resource).to_owned()
        });
        let caller_id = ctx.desired.account.numbers.first().cloned().unwrap_or_default();
        Request::TestCall { url: ctx.signaling.clone(), connection_id, caller_id }
    }

    /// Sends the plan's token step: a login token of the credential the setup ends
    /// with (the one step 7 chose or made).
    pub(super) fn generate(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let planned = ctx.plan().and_then(|plan| {
            let step = plan.step(Part::Token).ok_or_else(|| "The plan has no token step.".to_owned())?;
            step.requests.first().cloned().ok_or_else(|| "The plan's token step sends nothing.".to_owned())
        });
        match planned {
            Ok(request) => vec![ctx.call(&mut self.activity, "Generating a login token", request)],
            Err(reason) => {
                self.activity.problem = Some(super::Problem::Input(reason));
                self.activity.notice = None;
                Vec::new()
            }
        }
    }
}

const GENERATE: &[Action] = &[Action::Submit, Action::Generate];
const PLACE_CALL: &[Action] = &[Action::Yes];
const NO_CALL: &[Action] = &[Action::No, Action::Back, Action::AnyOther];

impl Screen for TokenStep {
    activity_field!();

    fn enter_requests(&self) -> Vec<Request> {
        match self.token {
            None => vec![Request::CreateToken { credential_id: self.credential.id.clone() }],
            Some(_) => Vec::new(),
        }
    }

    fn title(&self) -> &'static str {
        if self.call_offer.is_some() { "Token: place a test call?" } else { "Token" }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.call_offer.is_some() {
            return vec![
                Binding::new(
                    PLACE_CALL,
                    "place test call",
                    "Place the test call shown: a tone sent between two temporary logins must come back.",
                ),
                Binding::new(NO_CALL, "no call", "Place no call (Esc or any other key too)."),
            ];
        }
        match self.token {
            None => vec![
                Binding::new(GENERATE, "generate", "Generate a login token (a JWT valid for 24 hours)."),
                Binding::new(
                    &[Action::TestLogin],
                    "test login",
                    "Test the login: there is no token to test until Enter generates one.",
                )
                .quiet(),
            ],
            Some(_) => vec![
                Binding::new(
                    &[Action::Copy],
                    "copy",
                    "Copy the token to the clipboard (no need to reveal it).",
                ),
                Binding::new(
                    &[Action::Reveal],
                    if self.reveal { "hide" } else { "reveal" },
                    "Show or hide the token.",
                ),
                Binding::new(
                    &[Action::TestLogin],
                    "test login",
                    "Log in with this token as the WebRTC SDK does, then offer a test call; Esc cancels.",
                ),
                Binding::new(
                    &[Action::Generate],
                    "new token",
                    "Generate a fresh token; the old one stays valid until it expires.",
                ),
                Binding::new(&[Action::Submit], "summary", "Go on to the summary of the setup."),
            ],
        }
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if self.call_offer.take().is_some() {
            if action == Action::Yes {
                let request = self.call_request(ctx);
                return Transition::run(ctx.call(&mut self.activity, "Placing a test call", request));
            }
            self.activity.note("No call was placed: t tests the login again and offers the call test.");
            return Transition::none();
        }
        match (action, &self.token) {
            (Action::Submit, None) | (Action::Generate, _) => Transition::Stay(self.generate(ctx)),
            (Action::Submit, Some(_)) => super::flow::next(super::flow::Decided::Token, ctx),
            (Action::Copy, Some(token)) => Transition::run(Cmd::CopySecret(token.jwt.clone())),
            (Action::Reveal, Some(_)) => {
                self.reveal = !self.reveal;
                Transition::none()
            }
            (Action::TestLogin, None) => {
                self.activity.notice = Some(
                    "There is no token to test yet: Enter generates one, then t tests the login.".into(),
                );
                Transition::none()
            }
            (Action::TestLogin, Some(token)) => {
                // A credential made moments ago may be refused at first: the worker
                // tries again then, and the status line says so.
                let request = Request::TestLogin {
                    url: ctx.signaling.clone(),
                    login: Login::Token(token.jwt.clone()),
                    credential_created_at: self.credential.created_at.clone(),
                };
                Transition::run(ctx.call(&mut self.activity, "Testing the login", request))
            }
            _ => Transition::none(),
        }
    }

    /// With a token on screen Enter goes on to the summary, so it retries nothing.
    fn retry_hint(&self) -> Option<&'static str> {
        self.token.as_ref().map(|_| "Press t to test the login again, or g for a new token.")
    }

    /// The token screen says where the copy went in its body, beside the token.
    fn on_copied(&mut self, outcome: Result<CopyMethod, CopyError>) {
        self.copied = Some(outcome);
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::TokenCreated(jwt) => {
                let token = LoginToken::new(jwt);
                ctx.setup.token = Some(token.clone());
                self.token = Some(token);
                self.copied = None;
                // A test of the old token says nothing of the new one.
                self.login_test = None;
                ctx.setup.login_test = None;
            }
            Reply::LoginTested(test) => {
                // A login that works is worth a call: offered, never placed unasked.
                self.call_offer = match self.call_request(ctx) {
                    Request::TestCall { connection_id, .. } if test.passed() => {
                        Some(crate::calltest::plan_between(&connection_id))
                    }
                    _ => None,
                };
                ctx.setup.login_test = Some(test.clone());
                self.login_test = Some(test);
            }
            Reply::CallTested(outcome) => {
                ctx.setup.call_test = Some(outcome.clone());
                self.call_test = Some(outcome);
            }
            _ => {}
        }
        Transition::none()
    }
}
