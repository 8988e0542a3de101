//! A change to a record that existed before this run, shown before it is sent: what
//! changes (before → after), who else it affects, and `y` to go ahead. Records this
//! run created are the user's own and change without asking; a change that changes
//! nothing is never sent.

use super::keys::{Action, Binding};
use super::{Activity, Ctx, Transition};
use crate::msg::Request;

/// A write waiting for the user's `y`.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The popup's title ("Change the codecs?").
    pub title: String,
    /// What changes and who else it affects, a line each.
    pub lines: Vec<String>,
    /// Sent on `y`, with `what` on the status line while it runs.
    pub request: Request,
    pub what: String,
}

const APPLY: &[Action] = &[Action::Yes];
const KEEP: &[Action] = &[Action::No, Action::Back, Action::AnyOther];

impl Change {
    /// The user's answer: `y` sends the change, anything else drops it and says so.
    pub(super) fn answer(self, action: Action, activity: &mut Activity, ctx: &mut Ctx) -> Transition {
        if action == Action::Yes {
            return Transition::run(ctx.call(activity, self.what, self.request));
        }
        activity.note("Nothing was changed.");
        Transition::none()
    }

    /// The keys while the question is open.
    pub fn bindings() -> Vec<Binding> {
        vec![
            Binding::new(APPLY, "change it", "Send the change shown."),
            Binding::new(KEEP, "don't", "Change nothing and go back (Esc or any other key too)."),
        ]
    }
}

/// "A, B, C", or "none".
pub fn list(items: &[String]) -> String {
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}

/// A step's before or after as the question shows it: "none" when empty.
pub fn or_none(text: Option<&str>) -> &str {
    match text {
        Some(text) if !text.is_empty() => text,
        _ => "none",
    }
}
