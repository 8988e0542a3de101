//! Colours and symbols, in one place. Without colour (`NO_COLOR`) every style keeps
//! its modifiers (bold, reversed), and meaning is always carried by a symbol or word
//! too, never by colour alone.

use ratatui::style::{Color, Modifier, Style};

pub struct Theme {
    color: bool,
}

pub const DONE: &str = "✓";
pub const CURRENT: &str = "●";
pub const TODO: &str = "○";
pub const SKIPPED: &str = "–";
pub const FAILED: &str = "✗";
pub const CHECKED: &str = "[x]";
pub const UNCHECKED: &str = "[ ]";
pub const POINTER: &str = "▶ ";
/// A row among several that look alike, one of which the user picks.
pub const TIED: &str = "≈";
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color { Style::new().fg(color) } else { Style::new() }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn done(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn current(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn focused(&self) -> Style {
        self.fg(Color::Cyan)
    }
    pub fn invalid(&self) -> Style {
        self.fg(Color::Red)
    }
}
