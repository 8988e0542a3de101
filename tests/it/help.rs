//! `--help` as gh lays it out: a command's own options first, then the global ones every
//! command takes, and the sandbox's apart under their own heading.

use telnyx_setup::cli::{GLOBAL_OPTIONS, SANDBOX_OPTIONS};

/// The help of `path` (a subcommand, or the top level), as `--help` prints it.
fn help(path: &[&str]) -> String {
    let mut command = telnyx_setup::cli::command();
    command.build();
    let mut found = &mut command;
    for name in path {
        found = found.find_subcommand_mut(name).unwrap_or_else(|| panic!("no subcommand {name}"));
    }
    found.render_long_help().to_string()
}

/// Where `text` first says `what`, or a panic saying what is missing.
fn at(text: &str, what: &str) -> usize {
    text.find(what).unwrap_or_else(|| panic!("the help should say {what:?}:\n{text}"))
}

#[test]
fn each_commands_own_options_come_before_the_global_and_the_sandboxs() {
    for (path, own) in [
        (&["setup"][..], "--connection <NAME|ID>"),
        (&["token"], "--credential"),
        (&["doctor"], "--destination"),
        (&["inspect"], "--json"),
        (&[], "--fresh"),
    ] {
        // From the option lists on: the usage line names some options too.
        let full = help(path);
        let text = &full[at(&full, "Options:")..];
        let options = 0;
        let global = at(text, &format!("{GLOBAL_OPTIONS}:"));
        let sandbox = at(text, &format!("{SANDBOX_OPTIONS}:"));
        assert!(options < at(text, own) && at(text, own) < global, "{path:?}: {own} is its own:\n{text}");
        for inherited in ["--api-key <KEY>", "--api-base <URL>", "--timeout", "--demo", "--insecure-http"] {
            let position = at(text, inherited);
            assert!(global < position && position < sandbox, "{path:?}: {inherited} is global:\n{text}");
        }
        for sandbox_only in ["--fault <RULE>", "--latency", "--seed-numbers"] {
            assert!(sandbox < at(text, sandbox_only), "{path:?}: {sandbox_only} is the sandbox's:\n{text}");
        }
    }
}

#[test]
fn setup_says_what_countries_and_the_key_take() {
    let full = help(&["setup"]);
    let text = &full[at(&full, "Options:")..];
    let countries = &text[at(text, "--countries <LIST>")..];
    let countries = &countries[..countries.find("\n      --").unwrap_or(countries.len())];
    assert!(!countries.contains("ISO"), "--countries takes names too:\n{countries}");
    assert!(countries.contains("names"), "{countries}");
    // Not every command has a first screen to ask for the key on.
    assert!(!text.contains("the first screen asks"), "{text}");
}
