//! The list the connection, profile and credential screens share: loaded from the API,
//! with "Create new" as its first row.

use super::keys::{Action, Binding, MOVE, MOVE_HELP};
use super::move_cursor;
use crate::api::Page;

#[derive(Debug)]
pub struct PickList<T> {
    /// `None` until the list has loaded (or while loading failed).
    pub items: Option<Vec<T>>,
    /// How many the account has in all; the list holds the first page.
    pub total: u64,
    /// 0 is "Create new"; `n` is `items[n - 1]`.
    pub cursor: usize,
    /// A create was sent since the list loaded: its result may exist though the list
    /// does not show it, so the next create looks first.
    create_sent: bool,
    /// Records the preselection could not tell apart: none is highlighted by guess,
    /// the screen asks the user to pick one of them.
    pub tie: Option<Tie>,
}

/// Several records the recogniser leaves equally meant ([`crate::setup::Recognised::Ambiguous`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    /// Their indices in `items`.
    pub rows: Vec<usize>,
    /// The line that says so and names them ("2 connections telnyx-setup made look
    /// alike: … — pick one").
    pub question: String,
}

/// What a list highlights as it loads ([`PickList::preselect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preselected {
    /// Nothing is meant: the list keeps its cursor.
    Nothing,
    /// The item at this index of `items`.
    Row(usize),
    /// Several are meant equally: the user picks.
    Tied(Tie),
}

/// What a key asked of the list.
#[derive(Debug, PartialEq, Eq)]
pub enum Pick {
    Create,
    /// The item at this index of `items`.
    Item(usize),
    /// Loading failed and Enter asks again.
    Reload,
    Nothing,
}

impl<T> Default for PickList<T> {
    fn default() -> Self {
        Self { items: None, total: 0, cursor: 0, create_sent: false, tie: None }
    }
}

impl<T> PickList<T> {
    /// The ids of every item, as `id` reads them; `None` when the list holds only the
    /// first page of a longer one (or has not loaded).
    pub fn all_ids(&self, id: impl Fn(&T) -> &String) -> Option<Vec<String>> {
        let items = self.items.as_ref()?;
        (items.len() as u64 >= self.total).then(|| items.iter().map(|item| id(item).clone()).collect())
    }

    pub fn on_action(&mut self, action: Action) -> Pick {
        let Some(items) = &self.items else {
            return match action {
                Action::Submit => Pick::Reload,
                _ => Pick::Nothing,
            };
        };
        if move_cursor(&mut self.cursor, items.len() + 1, action) {
            return Pick::Nothing;
        }
        match action {
            Action::New => Pick::Create,
            Action::Submit if self.cursor == 0 => Pick::Create,
            Action::Submit => Pick::Item(self.cursor - 1),
            _ => Pick::Nothing,
        }
    }

    /// Notes that a create is being sent, and says whether it is the first since the
    /// list loaded in full: then the list is what an earlier try could be confused
    /// with, and the worker need not list again before the try
    /// ([`Request::CreateProfile`](crate::msg::Request)'s `first_try`).
    pub fn create_try(&mut self) -> bool {
        let first =
            !self.create_sent && self.items.as_ref().is_some_and(|items| items.len() as u64 >= self.total);
        self.create_sent = true;
        first
    }

    pub fn loaded(&mut self, page: Page<T>) {
        self.create_sent = false;
        self.tie = None;
        self.total = page.meta.total_results.max(page.data.len() as u64);
        self.cursor = self.cursor.min(page.data.len());
        self.items = Some(page.data);
    }

    /// Puts a just-created item first and highlights it.
    pub fn insert_first(&mut self, item: T) {
        self.tie = None;
        self.items.get_or_insert_with(Vec::new).insert(0, item);
        self.total += 1;
        self.cursor = 1;
    }

    /// Highlights what the preselection found. Of a tie, none by guess: the cursor
    /// stays on a tied row the user had picked before the list reloaded (Esc back to
    /// it), else goes to "Create new", and the tie is kept for the screen to ask.
    pub fn preselect(&mut self, preselected: Preselected) {
        match preselected {
            Preselected::Nothing => {}
            Preselected::Row(index) => self.cursor = index + 1,
            Preselected::Tied(tie) => {
                if !tie.rows.iter().any(|row| row + 1 == self.cursor) {
                    self.cursor = 0;
                }
                self.tie = Some(tie);
            }
        }
    }

    /// Whether the item at this index of `items` is one of a [`Tie`].
    pub fn is_tied(&self, index: usize) -> bool {
        self.tie.as_ref().is_some_and(|tie| tie.rows.contains(&index))
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        self.items.as_ref()?.get(index)
    }

    pub fn is_loaded(&self) -> bool {
        self.items.is_some()
    }

    /// The list's keys: `choose` is what Enter does to an item ("use", "choose").
    pub fn bindings(&self, choose: &'static str, choose_help: &'static str) -> Vec<Binding> {
        if self.is_loaded() {
            let rows = self.items.as_ref().map_or(0, Vec::len) + 1;
            let mut bindings: Vec<Binding> = Binding::movement(rows, MOVE, MOVE_HELP).into_iter().collect();
            bindings.extend([
                Binding::new(&[Action::Submit], choose, choose_help),
                Binding::new(&[Action::New], "new", "Create a new one (also Enter on the first row)."),
            ]);
            bindings
        } else {
            vec![Binding::new(&[Action::Submit], "retry", "Load the list again.")]
        }
    }
}
