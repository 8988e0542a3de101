//! `telnyx-setup completions SHELL`: the shell completion script, generated from the
//! very `clap::Command` the binary parses its arguments with, so it can neither list a
//! flag that does not exist nor miss one.

use super::{command, print_or_fail};
use clap::ValueEnum;
use std::process::ExitCode;

/// `completions`' argument.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: Shell,
}

impl CompletionsArgs {
    /// Prints the script: generated from the command line itself, with no key, no
    /// runtime and no log.
    pub fn run(&self) -> ExitCode {
        let script = completions(command(), self.shell, "telnyx-setup");
        print_or_fail(&script, "the completion script")
    }
}

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
