//! `telnyx-setup man`: the roff man page, or a subcommand's, generated from the very
//! `clap::Command` the binary parses its arguments with.

use super::{USAGE_ERROR, command, print_or_fail};
use std::process::ExitCode;

/// `man`'s argument.
#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// A subcommand, for its own page (telnyx-setup-token(1))
    #[arg(value_name = "SUBCOMMAND")]
    subcommand: Option<String>,
}

impl ManArgs {
    /// Prints the page: exit 0, 1 when it cannot be written, 2 for an unknown subcommand.
    pub fn run(&self) -> ExitCode {
        match man_page(command(), self.subcommand.as_deref()) {
            Some(Ok(page)) => print_or_fail(&page, "the man page"),
            Some(Err(error)) => {
                eprintln!("telnyx-setup man: cannot write the man page: {error}");
                ExitCode::FAILURE
            }
            None => {
                let names: Vec<String> = command()
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                    .map(|s| s.get_name().to_owned())
                    .collect();
                eprintln!(
                    "telnyx-setup man: no subcommand {:?}; expected one of: {}",
                    self.subcommand.as_deref().unwrap_or_default(),
                    names.join(", ")
                );
                ExitCode::from(USAGE_ERROR)
            }
        }
    }
}

/// The man page of `command` (section 1), or with `subcommand` the page of that
/// subcommand, `telnyx-setup-SUBCOMMAND(1)`, as git has them; `None` when there is no
/// such subcommand.
pub fn man_page(command: clap::Command, subcommand: Option<&str>) -> Option<std::io::Result<String>> {
    let mut command = command.name("telnyx-setup");
    command.build();
    let page_of = match subcommand {
        None => command,
        Some(name) => {
            let sub = command.find_subcommand(name).filter(|s| !s.is_hide_set())?.clone();
            // Its usage line names the program as the shell runs it.
            sub.name(format!("telnyx-setup-{name}")).bin_name(format!("telnyx-setup {name}"))
        }
    };
    let mut page = Vec::new();
    Some(
        clap_mangen::Man::new(page_of)
            .render(&mut page)
            .map(|()| String::from_utf8_lossy(&page).into_owned()),
    )
}
