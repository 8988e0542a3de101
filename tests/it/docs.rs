//! The command line's own documentation: shell completions and man pages generated
//! from the parser, an example in every subcommand's `--help`, and flag errors that
//! say what was expected.

use crate::support::{BIN, TempPath, log_path};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("TELNYX_SETUP_LOG", log_path("docs"))
        .env_remove("TELNYX_API_KEY")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

/// The subcommands `--help` lists (but `help`).
fn subcommands() -> Vec<String> {
    let help = stdout(&run(&["--help"]));
    let listed = help.split("Commands:\n").nth(1).and_then(|rest| rest.split("\n\n").next()).expect(&help);
    let names: Vec<String> = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(names.len() >= 6, "{help}");
    names
}

#[test]
fn every_subcommand_has_an_example_in_its_help() {
    for name in subcommands() {
        let output = run(&[&name, "--help"]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let help = stdout(&output);
        let examples = help.split("Examples:\n").nth(1).unwrap_or_else(|| panic!("{name} --help:\n{help}"));
        let first = examples.lines().next().unwrap_or_default().trim();
        assert!(first.starts_with(&format!("telnyx-setup {name}")), "{name}'s example runs it: {first}");
    }
    assert!(stdout(&run(&["--help"])).contains("Examples:\n  telnyx-setup --demo"));
}

#[test]
fn completions_cover_every_subcommand_and_flag_in_each_shell() {
    for (shell, marker) in [
        ("bash", "-o default telnyx-setup"),
        ("zsh", "#compdef telnyx-setup"),
        ("fish", "complete -c telnyx-setup"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = run(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: {marker} missing");
        for word in subcommands().iter().map(String::as_str).chain(["--credential", "--print-secrets"]) {
            assert!(script.contains(word.trim_start_matches('-')), "{shell} does not complete {word}");
        }
    }
    // The bash script is one bash accepts.
    let script = TempPath::new("completion.bash");
    std::fs::write(&script.0, run(&["completions", "bash"]).stdout).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&script.0).output().expect("bash is installed");
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));

    let output = run(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("[possible values: bash, zsh, fish, powershell]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_man_pages_are_roff_of_the_same_flags() {
    let page = stdout(&run(&["man"]));
    assert!(page.contains(".TH telnyx-setup 1"), "{page}");
    for name in subcommands() {
        assert!(page.contains(&format!("telnyx\\-setup\\-{name}(1)")), "the page lists {name}");
        let output = run(&["man", &name]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let sub = stdout(&output);
        assert!(sub.contains(&format!(".TH telnyx-setup-{name} 1")), "{sub}");
        assert!(sub.contains("Examples:"), "{name}'s page has its examples");
    }
    assert!(stdout(&run(&["man", "token"])).contains("\\-\\-credential"));
    let output = run(&["man", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("expected one of: "), "{}", stderr(&output));
}

#[test]
fn flag_errors_say_what_was_expected() {
    for (args, expected) in [
        (&["--seed-numbers", "many"][..], "expected a whole number such as 0 or 10"),
        (&["sandbox", "--port", "http"], "expected a port number from 0 to 65535"),
        (&["sandbox", "--host", "localhost"], "expected an IP address such as 127.0.0.1"),
        (&["--timeout", "5"], "write e.g. 10s or 500ms"),
        (&["--fault", "boom"], "expected METHOD PATH=FAULT"),
        (&["token", "--create"], "--connection"),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// The files of `src/<dir>` (this crate's own sources, read at test time).
fn sources(dir: &str) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            files.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    assert!(!files.is_empty(), "no sources in {}", dir.display());
    files
}

#[test]
fn the_command_line_and_the_setup_stay_out_of_the_tui() {
    // ARCHITECTURE.md: `cli` never imports the TUI's state machine; `setup` imports
    // neither it, its views, nor the command line.
    for (path, text) in sources("cli") {
        assert!(!text.contains("crate::state"), "{path} imports crate::state");
    }
    for (path, text) in sources("setup") {
        for layer in ["crate::state", "crate::ui", "crate::cli", "crate::app"] {
            assert!(!text.contains(layer), "{path} imports {layer}");
        }
    }
}
