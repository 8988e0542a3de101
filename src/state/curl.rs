//! The curl panel (`c`): the requests the screen last sent and the ones Enter would
//! send, as curl commands ([`crate::curl`]), over the screen. `y` copies them, `r`
//! shows the SIP passwords in them, ↑↓ scroll, Esc closes.

use crate::clipboard::{CopyError, CopyMethod};
use crate::msg::Request;

#[derive(Debug)]
pub struct CurlPanel {
    /// The API base the commands call (`https://api.telnyx.com/v2`).
    pub base: String,
    /// What the screen sent last (one key's worth of requests).
    pub sent: Vec<Request>,
    /// What Enter would send now (`y`, where a question waits for it).
    pub next: Vec<Request>,
    /// The key that sends `next`: "Enter", or "y" for a question.
    pub next_key: &'static str,
    /// Secret fields are shown in clear (`r`).
    pub reveal: bool,
    /// Lines scrolled off the top.
    pub scroll: u16,
    /// The outcome of the last copy.
    pub copied: Option<Result<CopyMethod, CopyError>>,
}

impl CurlPanel {
    /// Some command has a secret field (a SIP password) that `r` would show.
    pub fn has_secrets(&self) -> bool {
        let requests: Vec<Request> = self.sent.iter().chain(&self.next).cloned().collect();
        crate::curl::render_all(&self.base, &requests, true)
            != crate::curl::render_all(&self.base, &requests, false)
    }

    /// The panel's text: each group under a `#` comment, commands apart by a blank line.
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        let group = |out: &mut Vec<String>, title: String, empty: &str, requests: &[Request]| {
            let commands = crate::curl::render_all(&self.base, requests, self.reveal);
            out.push(title);
            if commands.is_empty() {
                out.push(format!("#   {empty}"));
            }
            out.extend(commands);
        };
        group(&mut out, "# Last sent by this screen:".to_owned(), "nothing yet", &self.sent);
        group(
            &mut out,
            format!("# {} sends:", self.next_key),
            "nothing from here (it moves on or opens a form)",
            &self.next,
        );
        out.join("\n\n") + "\n"
    }
}
