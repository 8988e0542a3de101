//! After sign-in, when the journal holds an earlier setup on this account: "Continue
//! the setup started at 14:02?" Enter continues it (each step then offers what that
//! setup made, and Enter keeps it); `n` starts a new one.
//!
//! An order the earlier run sent without hearing back is looked up by its
//! `customer_reference` first, and its fate shown, before anything else is offered.
//!
//! The preselection rules the lists share live here too: what the continued setup
//! made, else what its unanswered create would have made, else the record that
//! carries telnyx-setup's [`MARK`](crate::api::MARK), the newest of several: the rule of
//! [`crate::setup::prefer`], which `setup`, `token` and `doctor` use too. Where that
//! rule leaves several (a script's exit 2), the list highlights none of them and asks.

use super::keys::{Action, Binding};
use super::pick::{Preselected, Tie};
use super::screen::{Screen, activity_field};
use super::{Activity, Ctx, JournalCtx, Transition};
use crate::api::{CredentialConnection, NumberOrder, OutboundVoiceProfile, TelephonyCredential};
use crate::journal::{Intent, Record};
use crate::msg::{Cmd, Reply, Request};
use crate::setup::{DEFAULT_PROFILE, Recognisable, Recognised, prefer, recognise};

#[derive(Debug)]
pub struct ResumeStep {
    /// The earlier setup, as the journal has it.
    pub record: Record,
    /// What Telnyx says of the order sent without an answer: `None` until asked (or
    /// when there was no such order), `Some(None)` when it has none.
    pub order: Option<Option<NumberOrder>>,
    pub activity: Activity,
}

impl ResumeStep {
    /// The prompt for `record`, and the order lookup it needs first, if any.
    pub(super) fn open(record: Record, ctx: &mut Ctx) -> (Self, Vec<Cmd>) {
        let mut step = Self { record, order: None, activity: Activity::default() };
        let cmds = step.find_order(ctx);
        (step, cmds)
    }

    /// The order whose outcome the earlier run did not learn (sent, not settled).
    pub fn unsettled_order(&self) -> Option<&crate::journal::OrderNote> {
        self.record.order.as_ref().filter(|order| order.status.as_deref().is_none_or(|s| s == "pending"))
    }

    fn find_order(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let Some(order) = self.unsettled_order() else { return Vec::new() };
        let request = Request::FindOrder { reference: order.reference.clone() };
        vec![ctx.call(&mut self.activity, "Looking for the order the earlier run placed", request)]
    }

    /// The lookup is still owed: nothing else is offered until it is done.
    fn lookup_owed(&self) -> bool {
        self.unsettled_order().is_some() && self.order.is_none()
    }

    fn go_on(&mut self, ctx: &mut Ctx, continuing: bool) -> Transition {
        if continuing {
            ctx.journal.found_order = self.order.clone().flatten();
            ctx.journal.continue_with(self.record.clone());
        } else {
            ctx.journal.start_new();
        }
        super::flow::next(super::flow::Decided::SignedIn { notice: None }, ctx)
    }
}

impl Screen for ResumeStep {
    activity_field!();

    fn title(&self) -> &'static str {
        if self.record.finished { "Sign in: the setup you made" } else { "Sign in: an unfinished setup" }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.lookup_owed() {
            return vec![
                Binding::new(&[Action::Submit], "look again", "Look for the earlier run's order again."),
                Binding::new(
                    &[Action::New],
                    "new setup",
                    "Start a new setup; the earlier one stays as it is.",
                ),
            ];
        }
        let what = if self.record.finished {
            "Continue the setup: each step offers what it made (Enter keeps it), and step 8 makes a fresh token."
        } else {
            "Continue the setup: each step offers what it made or chose, and Enter keeps it."
        };
        vec![
            Binding::new(&[Action::Submit], "continue", what),
            Binding::new(&[Action::New], "new setup", "Start a new setup; the earlier one stays as it is."),
        ]
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        match action {
            Action::Submit if self.lookup_owed() => Transition::Stay(self.find_order(ctx)),
            Action::Submit => self.go_on(ctx, true),
            Action::New => self.go_on(ctx, false),
            _ => Transition::none(),
        }
    }

    fn on_reply(&mut self, reply: Reply, _ctx: &mut Ctx) -> Transition {
        if let Reply::OrderFound(found) = reply {
            if let Some(note) = &mut self.record.order {
                match &found {
                    Some(order) => {
                        note.id = Some(order.id.clone());
                        note.status = Some(order.status.clone());
                    }
                    // Telnyx has no order with the reference: nothing was bought.
                    None => self.record.order = None,
                }
            }
            self.order = Some(found);
        }
        Transition::none()
    }
}

/// The row to highlight among `items` (indices into `items`): the continued setup's
/// record (`id`), else the one its unanswered create made (`made`), else the newest
/// marked one ([`prefer`]); of several it cannot tell apart, none: they are a
/// [`Tie`], a question to the user, who knows them as `plural` ("connections").
/// Nothing unless the user continues or recognition is on.
fn preselect<T: Recognisable>(
    items: &[T],
    journal: &JournalCtx,
    id: Option<&str>,
    made: impl Fn(&T) -> bool,
    marked: impl Fn(&T) -> bool,
    plural: &str,
) -> Preselected {
    if !journal.recognise {
        return Preselected::Nothing;
    }
    let at = |id: &str| items.iter().position(|item| item.id() == id);
    if let Some(row) = id.and_then(at).or_else(|| items.iter().rposition(&made)) {
        return Preselected::Row(row);
    }
    match prefer(items.iter().filter(|item| marked(item)).collect()) {
        Recognised::Found(ours) => at(ours.id()).map_or(Preselected::Nothing, Preselected::Row),
        Recognised::Ambiguous(tied) => Preselected::Tied(Tie {
            rows: tied.iter().filter_map(|record| at(record.id())).collect(),
            question: look_alike(plural, &tied),
        }),
        Recognised::Missing => Preselected::Nothing,
    }
}

/// The tie's line: "2 connections telnyx-setup made look alike: “WebRTC
/// (telnyx-setup)” (id 1…) and “WebRTC (telnyx-setup)” (id 2…) — pick one". Names are
/// cut at 40 characters and the first three named, so the line stays a line.
fn look_alike<T: Recognisable>(plural: &str, tied: &[&T]) -> String {
    const NAMED: usize = 3;
    let mut named: Vec<String> = tied
        .iter()
        .take(NAMED)
        .map(|record| match record.name() {
            "" => format!("one without a name (id {})", record.id()),
            name => format!("“{}” (id {})", crate::setup::truncate(name, 40), record.id()),
        })
        .collect();
    if tied.len() > NAMED {
        named.push(format!("{} more", tied.len() - NAMED));
    }
    let last = named.pop().unwrap_or_default();
    let all = if named.is_empty() { last } else { format!("{} and {last}", named.join(", ")) };
    format!("{} {plural} telnyx-setup made look alike: {all} — pick one", tied.len())
}

/// The connection to highlight on step 2.
pub(super) fn preselect_connection(items: &[CredentialConnection], journal: &JournalCtx) -> Preselected {
    let resume = journal.resume.as_ref();
    let made = |c: &CredentialConnection| {
        matches!(resume.and_then(|r| r.pending.as_ref()),
            Some(Intent::CreateConnection { name, user_name })
                if *name == c.connection_name && *user_name == c.user_name)
    };
    let id = resume.and_then(|r| r.connection.as_ref()).map(|c| c.id.as_str());
    preselect(items, journal, id, made, CredentialConnection::is_marked, "connections")
}

/// The profile to highlight on step 4: the one the connection is attached to (Enter
/// then keeps it), else the continued setup's (as [`preselect`] says), else what
/// `setup` uses for a connection without a profile: the one named
/// [`DEFAULT_PROFILE`] as [`recognise`] means it, or none ("Create new", whose form
/// suggests that name), so Enter there plans what `setup` without `--voice-profile`
/// plans.
pub(super) fn preselect_profile(
    items: &[OutboundVoiceProfile],
    journal: &JournalCtx,
    attached: Option<&str>,
) -> Preselected {
    if let Some(index) = attached.and_then(|id| items.iter().position(|p| p.id == id)) {
        return Preselected::Row(index);
    }
    let resume = journal.resume.as_ref();
    let made = |p: &OutboundVoiceProfile| {
        p.is_marked()
            && matches!(resume.and_then(|r| r.pending.as_ref()),
                Some(Intent::CreateProfile { name }) if *name == p.name)
    };
    let id = resume.and_then(|r| r.profile.as_ref()).map(|p| p.id.as_str());
    let continued = id.is_some_and(|id| items.iter().any(|p| p.id == id)) || items.iter().any(made);
    if journal.recognise && continued {
        return preselect(items, journal, id, made, OutboundVoiceProfile::is_marked, "profiles");
    }
    let at = |id: &str| items.iter().position(|p| p.id == id);
    match recognise(DEFAULT_PROFILE, items.iter().collect()) {
        Recognised::Found(found) => at(&found.id).map_or(Preselected::Nothing, Preselected::Row),
        Recognised::Ambiguous(tied) => {
            let question = if tied.iter().all(|p| p.is_marked()) {
                look_alike("profiles", &tied)
            } else {
                let ids: Vec<&str> = tied.iter().map(|p| p.id.as_str()).collect();
                format!(
                    "{} profiles are named “{DEFAULT_PROFILE}” (ids {}) — pick one",
                    tied.len(),
                    ids.join(", ")
                )
            };
            Preselected::Tied(Tie { rows: tied.iter().filter_map(|p| at(&p.id)).collect(), question })
        }
        Recognised::Missing => Preselected::Nothing,
    }
}

/// The credential to highlight on step 7, among those that can still log in: as
/// [`preselect`] says, else the connection's newest ([`crate::setup::newest`]), which a
/// credential left out keeps in `setup` and in the plan, so Enter on it keeps what the
/// connection has instead of making another.
pub(super) fn preselect_credential(
    items: &[TelephonyCredential],
    journal: &JournalCtx,
    usable: impl Fn(&TelephonyCredential) -> bool,
) -> Preselected {
    let resume = journal.resume.as_ref();
    let marked = |c: &TelephonyCredential| usable(c) && c.tag.as_deref() == Some(crate::api::MARK);
    let made = |c: &TelephonyCredential| {
        marked(c)
            && matches!(resume.and_then(|r| r.pending.as_ref()),
                Some(Intent::CreateCredential { name }) if *name == c.name)
    };
    let id = resume
        .and_then(|r| r.credential.as_ref())
        .map(|c| c.id.as_str())
        .filter(|id| items.iter().any(|c| c.id == *id && usable(c)));
    match preselect(items, journal, id, made, marked, "credentials") {
        Preselected::Nothing => {
            let newest = crate::setup::newest(items.iter().filter(|c| usable(c)).collect());
            let row = newest.and_then(|newest| items.iter().position(|c| std::ptr::eq(c, newest)));
            row.map_or(Preselected::Nothing, Preselected::Row)
        }
        preselected => preselected,
    }
}
