//! `telnyx-setup completions SHELL` and `telnyx-setup man`: the shell completion script
//! and the roff man page, generated from the very `clap::Command` the binary parses its
//! arguments with, so neither can list a flag that does not exist or miss one.

use clap::ValueEnum;

/// The shells a completion script is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    fn generator(self) -> clap_complete::Shell {
        match self {
            Self::Bash => clap_complete::Shell::Bash,
            Self::Zsh => clap_complete::Shell::Zsh,
            Self::Fish => clap_complete::Shell::Fish,
            Self::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

/// The completion script of `command` for `shell`, completing `bin_name`.
pub fn completions(mut command: clap::Command, shell: Shell, bin_name: &str) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell.generator(), &mut command, bin_name, &mut script);
    String::from_utf8_lossy(&script).into_owned()
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
