//! Accounts (`accounts`, `--profile`, `TELNYX_PROFILE`), end to end with the binary:
//!
//! - without a keyring (no D-Bus session answers), `accounts add` checks the key with the
//!   API, saves it in a file only the user can read, and says so and why; a key the API
//!   refuses is never saved; `accounts remove` and `accounts default` do what they say;
//! - `--profile` picks the account's key (proved with a key the sandbox refuses), wins
//!   over `TELNYX_API_KEY`, loses to it as `TELNYX_PROFILE`, and is refused beside a key
//!   flag;
//! - Telnyx's own CLI's profiles (`~/.config/telnyx/config.json`) are accounts,
//!   read-only, and refused when others could read the file;
//! - with a real Secret Service (gnome-keyring on a D-Bus session of its own, started by
//!   the test under `dbus-run-session`), the key goes to the keyring and never to a file;
//! - typed on a terminal, the key shows as bullets only.
//!
//! Each run gets its own config directory, home and (missing) session bus, so nothing
//! reaches the developer's own keyring or files; the only server is the sandbox on
//! loopback.
#![cfg(target_os = "linux")]

use crate::support::pty::{CTRL_C, ENTER, Pty, start_sandbox};
use crate::support::{BIN, TempDir, log_path, run_bin};
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use telnyx_setup::sandbox::Seed;

/// A home of its own: config directory, `HOME`, and a session bus address where none is.
struct Home(TempDir);

impl Home {
    fn new(name: &str) -> Self {
        let temp = TempDir::new(&format!("accounts-{name}"));
        fs::create_dir_all(temp.path().join("home")).unwrap();
        fs::create_dir_all(temp.path().join("run")).unwrap();
        Self(temp)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn config_dir(&self) -> PathBuf {
        self.path().join("config").join("telnyx-setup")
    }

    /// Where Telnyx's CLI keeps its profiles under this home.
    fn telnyx_cli_config(&self) -> PathBuf {
        self.path().join("home").join(".config").join("telnyx").join("config.json")
    }

    /// The environment of a run: this home, no keyring reachable, no key or profile
    /// inherited from the caller.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("XDG_CONFIG_HOME", self.path().join("config").display().to_string()),
            ("HOME", self.path().join("home").display().to_string()),
            ("XDG_RUNTIME_DIR", self.path().join("run").display().to_string()),
            ("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", self.path().join("no-bus").display())),
        ]
    }

    /// Runs the binary with `args` and `stdin` as its input (else none), `env` on top.
    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let own = self.env().into_iter().map(|(name, value)| (name.to_owned(), value));
        let given = env.iter().map(|(name, value)| (name.to_string(), value.to_string()));
        run_bin(args, own.chain(given), stdin)
    }

    /// Plants account `name` with `key` in a file, as `accounts add` does without a keyring.
    fn plant_file_account(&self, name: &str, key: &str, default: bool) {
        let dir = self.config_dir();
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        write_private(&dir.join(format!("api-key.{name}")), &format!("{key}\n"), 0o600);
        let index_path = dir.join("accounts.json");
        let mut index: Value = fs::read_to_string(&index_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_else(|| serde_json::json!({"accounts": {}}));
        index["accounts"][name] = serde_json::json!({"key": "file"});
        if default {
            index["default"] = serde_json::json!(name);
        }
        write_private(&index_path, &index.to_string(), 0o600);
    }
}

fn write_private(path: &Path, text: &str, mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("JSON on stdout ({e}): {}\n{}", text(&output.stdout), text(&output.stderr))
    })
}

/// `inspect TARGET --json` for a target no account has: with an accepted key the API
/// answers "not found"; with a refused one, the error is the API's 401.
fn which_key(home: &Home, base: &str, args: &[&str], env: &[(&str, &str)]) -> &'static str {
    let mut all = vec!["--api-base", base];
    all.extend_from_slice(args);
    all.extend_from_slice(&["inspect", "+15550000000", "--json"]);
    let output = home.run(&all, env, None);
    let body = text(&output.stdout);
    if body.contains("\"not_found\"") {
        "accepted"
    } else if body.contains("\"api\"") && body.to_lowercase().contains("key") {
        "refused"
    } else {
        panic!("neither accepted nor refused: {body}\n{}", text(&output.stderr))
    }
}

#[test]
fn without_a_keyring_an_account_goes_to_a_private_file_and_the_command_says_why() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("file");

    let empty = home.run(&["accounts"], &[], None);
    assert!(empty.status.success(), "{empty:?}");
    assert!(text(&empty.stderr).contains("No accounts yet"), "{}", text(&empty.stderr));

    let added = home.run(&["--api-base", &base, "accounts", "add", "acme"], &[], Some("  KEY_ACME_1 \n"));
    assert!(added.status.success(), "{added:?}");
    let said = text(&added.stdout);
    let path = home.config_dir().join("api-key.acme");
    assert!(said.contains("Saved account acme (the default account)"), "{said}");
    assert!(said.contains(&path.display().to_string()), "{said}");
    assert!(said.contains("did not answer"), "the reason the keyring was not used: {said}");
    assert!(text(&added.stderr).contains("Telnyx accepted the key"), "{}", text(&added.stderr));
    assert_eq!(fs::read_to_string(&path).unwrap(), "KEY_ACME_1\n");
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

    let second = home.run(&["--api-base", &base, "accounts", "add", "beta"], &[], Some("KEY_BETA\n"));
    assert!(second.status.success(), "{second:?}");
    let listed = json(&home.run(&["accounts", "--json"], &[], None));
    assert_eq!(listed["default"], "acme", "the first account added is the default: {listed}");
    let names: Vec<&str> =
        listed["accounts"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["acme", "beta"]);
    assert_eq!(listed["accounts"][0]["store"], "file");
    assert_eq!(listed["accounts"][0]["path"], path.display().to_string());
    let table = text(&home.run(&["accounts"], &[], None).stdout);
    assert!(table.contains("* acme"), "{table}");
    assert!(table.contains("  beta"), "{table}");

    let chosen = home.run(&["accounts", "default", "beta"], &[], None);
    assert!(chosen.status.success(), "{chosen:?}");
    assert_eq!(json(&home.run(&["accounts", "list", "--json"], &[], None))["default"], "beta");

    let removed = home.run(&["accounts", "remove", "beta"], &[], None);
    assert!(removed.status.success(), "{removed:?}");
    assert!(!home.config_dir().join("api-key.beta").exists());
    let listed = json(&home.run(&["accounts", "--json"], &[], None));
    assert_eq!(listed["accounts"].as_array().unwrap().len(), 1, "{listed}");
    let again = home.run(&["accounts", "remove", "beta"], &[], None);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(text(&again.stderr).contains("no account is named \"beta\""), "{}", text(&again.stderr));
}

#[test]
fn a_key_the_api_refuses_is_never_saved_and_a_bad_name_is_refused_first() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("refused");
    let refused = home.run(&["--api-base", &base, "accounts", "add", "acme"], &[], Some("NOT_A_KEY\n"));
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(text(&refused.stderr).contains("the key was not saved"), "{}", text(&refused.stderr));
    assert!(!home.config_dir().exists() || fs::read_dir(home.config_dir()).unwrap().next().is_none());

    let bad_name = home.run(&["--api-base", &base, "accounts", "add", "../api-key"], &[], Some("KEY_X\n"));
    assert_eq!(bad_name.status.code(), Some(2), "{bad_name:?}");
    assert!(text(&bad_name.stderr).contains("is not an account name"), "{}", text(&bad_name.stderr));
}

#[test]
fn the_profile_picks_the_accounts_key_flags_win_over_variables_and_a_key_flag_conflicts() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("profile");
    // The sandbox accepts keys starting with KEY: `revoked`'s is refused.
    home.plant_file_account("good", "KEY_GOOD", true);
    home.plant_file_account("revoked", "REVOKED_KEY", false);

    assert_eq!(which_key(&home, &base, &[], &[]), "accepted", "the default account's key");
    assert_eq!(which_key(&home, &base, &["--profile", "revoked"], &[]), "refused");
    assert_eq!(which_key(&home, &base, &[], &[("TELNYX_PROFILE", "revoked")]), "refused");
    assert_eq!(which_key(&home, &base, &["--profile", "good"], &[("TELNYX_PROFILE", "revoked")]), "accepted");
    // The flag wins over TELNYX_API_KEY; TELNYX_API_KEY over TELNYX_PROFILE.
    assert_eq!(
        which_key(&home, &base, &["--profile", "revoked"], &[("TELNYX_API_KEY", "KEY_ENV")]),
        "refused"
    );
    assert_eq!(
        which_key(&home, &base, &[], &[("TELNYX_PROFILE", "revoked"), ("TELNYX_API_KEY", "KEY_ENV")]),
        "accepted"
    );

    let twice =
        home.run(&["--api-base", &base, "--profile", "good", "--api-key", "KEY_FLAG", "token"], &[], None);
    assert_eq!(twice.status.code(), Some(2), "{twice:?}");
    assert!(text(&twice.stderr).contains("give the key one way"), "{}", text(&twice.stderr));

    let unknown = home.run(&["--api-base", &base, "--profile", "nope", "token"], &[], None);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    let said = text(&unknown.stderr);
    assert!(said.contains("no account is named \"nope\"") && said.contains("good, revoked"), "{said}");

    // A key file others can read is refused, with the fix.
    fs::set_permissions(home.config_dir().join("api-key.good"), fs::Permissions::from_mode(0o644)).unwrap();
    let open = home.run(&["--api-base", &base, "--profile", "good", "token"], &[], None);
    assert_eq!(open.status.code(), Some(2), "{open:?}");
    assert!(text(&open.stderr).contains("chmod 600"), "{}", text(&open.stderr));
}

#[test]
fn telnyx_clis_profiles_are_read_only_accounts_trusted_as_the_saved_key_is() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("telnyx-cli");
    let config = home.telnyx_cli_config();
    let profiles = serde_json::json!({
        "profiles": {"work": {"apiKey": "KEY_WORK"}, "old": {"apiKey": "OLD_REVOKED"}},
        "defaultProfile": "work",
    });
    write_private(&config, &profiles.to_string(), 0o600);
    fs::set_permissions(config.parent().unwrap(), fs::Permissions::from_mode(0o700)).unwrap();

    let listed = json(&home.run(&["accounts", "--json"], &[], None));
    assert_eq!(listed["default"], "work", "{listed}");
    let work = listed["accounts"].as_array().unwrap().iter().find(|a| a["name"] == "work").unwrap().clone();
    assert_eq!(work["store"], "telnyx-cli");
    assert_eq!(work["path"], config.display().to_string());
    let table = text(&home.run(&["accounts"], &[], None).stdout);
    assert!(table.contains("(Telnyx CLI, read-only)"), "{table}");
    assert!(!table.contains("KEY_WORK"), "no key is ever listed: {table}");

    assert_eq!(which_key(&home, &base, &[], &[]), "accepted", "Telnyx CLI's default profile");
    assert_eq!(which_key(&home, &base, &["--profile", "old"], &[]), "refused");
    assert_eq!(which_key(&home, &base, &["--profile", "work"], &[]), "accepted");

    let remove = home.run(&["accounts", "remove", "work"], &[], None);
    assert_eq!(remove.status.code(), Some(2), "{remove:?}");
    assert!(text(&remove.stderr).contains("only reads"), "{}", text(&remove.stderr));
    assert!(fs::read_to_string(&config).unwrap().contains("KEY_WORK"), "the file is left as it was");

    // A name of ours hides Telnyx CLI's, and can be the default instead.
    home.plant_file_account("work", "REVOKED_OURS", false);
    assert_eq!(which_key(&home, &base, &["--profile", "work"], &[]), "refused");

    // Readable by others: refused, said, and the fix named.
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).unwrap();
    let refused = home.run(&["--api-base", &base, "--profile", "old", "token"], &[], None);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = text(&refused.stderr);
    assert!(said.contains("too open") && said.contains(&format!("chmod 600 {}", config.display())), "{said}");
    let listing = home.run(&["accounts"], &[], None);
    assert!(text(&listing.stderr).contains("too open"), "{}", text(&listing.stderr));
    assert!(!text(&listing.stdout).contains("old"), "{}", text(&listing.stdout));
}

/// The key typed on a terminal shows as bullets, never as itself, and is saved.
#[test]
fn a_key_typed_on_a_terminal_shows_as_bullets_only() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("typed");
    let env: Vec<(&str, String)> = home.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut app = Pty::spawn_with_env(
        "accounts-typed",
        &["--api-base", &base, "accounts", "add", "typed"],
        100,
        10,
        &env,
    );
    app.wait_for_text(&["API key for account typed (masked"]);
    app.send("KEY_TYPED_SECRET");
    app.wait_for_text(&["••••••••••••••••"]);
    app.send(ENTER);
    let screen = app.wait_for_text(&["Saved account typed"]);
    assert!(!screen.contains("KEY_TYPED"), "the key was echoed:\n{screen}");
    app.expect_exit_cooked(0);
    assert_eq!(fs::read_to_string(home.config_dir().join("api-key.typed")).unwrap(), "KEY_TYPED_SECRET\n");

    let mut cancelled = Pty::spawn_with_env(
        "accounts-cancel",
        &["--api-base", &base, "accounts", "add", "other"],
        100,
        10,
        &env,
    );
    cancelled.wait_for_text(&["API key for account other (masked"]);
    cancelled.send("KEY_PART");
    cancelled.send(CTRL_C);
    cancelled.expect_exit_cooked(130);
    assert!(!home.config_dir().join("api-key.other").exists());
}

/// gnome-keyring's Secret Service on a D-Bus session of its own: `accounts add` keeps
/// the key there (and in no file), `--profile` reads it back, `accounts remove` deletes
/// it. Without `dbus-run-session` and `gnome-keyring-daemon` (Debian: dbus-daemon,
/// gnome-keyring) it says so, and fails under CI, whose `.ci/run` installs them.
#[test]
fn a_real_secret_service_keeps_the_key_and_no_file_does() {
    let missing: Vec<&str> =
        ["dbus-run-session", "gnome-keyring-daemon"].into_iter().filter(|tool| !on_path(tool)).collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "this test needs {} (apt-get install dbus-daemon gnome-keyring; .ci/run installs them)",
            missing.join(" and ")
        );
        let _ = writeln!(
            std::io::stderr(),
            "notice: not testing the keyring: {} missing (apt-get install dbus-daemon gnome-keyring)",
            missing.join(" and ")
        );
        return;
    }
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("keyring");
    let out = home.path().join("out");
    fs::create_dir_all(&out).unwrap();
    // One session bus for the whole scenario; the keyring daemon unlocked with a password
    // on stdin (an empty one makes no default collection), and gone with the bus.
    let script = r#"
        set -u
        printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90
        printf 'KEY_IN_THE_RING\n' | "$BIN" --api-base "$BASE" accounts add ring >"$OUT/add.out" 2>"$OUT/add.err"
        echo $? >"$OUT/add.code"
        "$BIN" accounts --json >"$OUT/list.json" 2>"$OUT/list.err"
        "$BIN" --api-base "$BASE" --profile ring inspect +15550000000 --json >"$OUT/use.json" 2>"$OUT/use.err"
        "$BIN" accounts remove ring >"$OUT/remove.out" 2>"$OUT/remove.err"
        echo $? >"$OUT/remove.code"
        "$BIN" --api-base "$BASE" --profile ring token >"$OUT/gone.out" 2>"$OUT/gone.err"
        echo $? >"$OUT/gone.code"
    "#;
    let log = log_path("accounts-keyring");
    let mut env = home.env();
    env.retain(|(name, _)| *name != "DBUS_SESSION_BUS_ADDRESS");
    let status = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .envs(env)
        .env("BIN", BIN)
        .env("BASE", &base)
        .env("OUT", &out)
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .env_remove("TELNYX_PROFILE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .status()
        .expect("dbus-run-session runs");
    let _ = fs::remove_file(&log);
    let read = |name: &str| fs::read_to_string(out.join(name)).unwrap_or_default();
    assert!(status.success(), "the scenario ran: {status:?}\n{}", read("add.err"));
    assert_eq!(read("add.code").trim(), "0", "{}{}", read("add.out"), read("add.err"));
    assert!(
        read("add.out").contains("Saved account ring (the default account) in the OS keyring"),
        "{}",
        read("add.out")
    );
    let listed: Value = serde_json::from_str(&read("list.json")).expect("the list");
    assert_eq!(listed["accounts"][0]["store"], "keyring", "{listed}");
    assert_eq!(listed["accounts"][0]["path"], Value::Null);
    assert!(
        read("use.json").contains("\"not_found\""),
        "the key came back: {}{}",
        read("use.json"),
        read("use.err")
    );
    assert_eq!(read("remove.code").trim(), "0", "{}", read("remove.err"));
    assert!(read("remove.out").contains("from the OS keyring"), "{}", read("remove.out"));
    assert_eq!(read("gone.code").trim(), "2", "{}", read("gone.err"));
    // The key was in the keyring only: no file of ours holds it.
    for entry in fs::read_dir(home.config_dir()).unwrap() {
        let path = entry.unwrap().path();
        let content = fs::read_to_string(&path).unwrap_or_default();
        assert!(!content.contains("KEY_IN_THE_RING"), "{} holds the key", path.display());
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// `status`: every account checked at once, one line each; one good and one revoked key
/// (a key the sandbox refuses) make exit 1, and `--json` says the same for scripts.
#[test]
fn status_checks_every_account_and_fails_when_one_key_is_refused() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("status");
    let none = home.run(&["--api-base", &base, "status"], &[], None);
    assert!(none.status.success(), "{none:?}");
    assert!(text(&none.stderr).contains("No accounts yet"), "{}", text(&none.stderr));

    home.plant_file_account("good", "KEY_GOOD", true);
    let fine = home.run(&["--api-base", &base, "status"], &[], None);
    assert_eq!(fine.status.code(), Some(0), "{fine:?}");
    let line = text(&fine.stdout);
    assert!(line.starts_with("✓ good*") && line.contains("balance 250.00 USD"), "{line}");

    home.plant_file_account("revoked", "REVOKED_KEY", false);
    let output = home.run(&["--api-base", &base, "status"], &[], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines: Vec<String> = text(&output.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("✓ good") && lines[0].contains("250.00 USD"), "{lines:?}");
    assert!(lines[1].starts_with("✗ revoked") && lines[1].contains("rejected the API key"), "{lines:?}");

    let output = home.run(&["--api-base", &base, "status", "--json"], &[], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    assert_eq!(report["ok"], false);
    assert_eq!(report["accounts"][0]["name"], "good");
    assert_eq!(report["accounts"][0]["ok"], true);
    assert_eq!(report["accounts"][0]["balance"], "250.00");
    assert_eq!(report["accounts"][1]["ok"], false);
    assert!(report["accounts"][1]["error"].as_str().unwrap().contains("rejected the API key"), "{report}");
    let request_id = report["accounts"][1]["x_request_id"].as_str().expect("the refusal's x-request-id");
    assert!(report["accounts"][1]["error"].as_str().unwrap().contains(request_id), "{report}");
    assert!(!text(&output.stdout).contains("REVOKED_KEY") && !text(&output.stdout).contains("KEY_GOOD"));

    // An account whose key cannot be read is broken too, with the reason.
    fs::remove_file(home.config_dir().join("api-key.good")).unwrap();
    let output = home.run(&["--api-base", &base, "status"], &[], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let said = text(&output.stdout);
    assert!(said.starts_with("✗ good*") && said.contains("account \"good\": its key file"), "{said}");
}

/// The inspector opened with `--profile` names the account in its header.
#[test]
fn the_header_names_the_account_the_key_came_from() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("header");
    home.plant_file_account("good", "KEY_GOOD", false);
    home.plant_file_account("other", "KEY_OTHER", true);
    let env: Vec<(&str, String)> = home.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut app = Pty::spawn_with_env(
        "accounts-header",
        &["--api-base", &base, "--profile", "good", "inspect"],
        100,
        30,
        &env,
    );
    app.wait_for_text(&["account good]", "READ-ONLY"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
}

/// `--profile NAME` and `TELNYX_PROFILE` choose the key of every command that uses one:
/// each is run with a refused account (`revoked`) and an accepted one (`good`, not the
/// default, so the default's key cannot be what worked); a refused key's fix names
/// the account and how to give it a new key. `status` checks that account only.
#[test]
fn the_profile_and_its_variable_choose_the_key_of_every_command() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("every-command");
    home.plant_file_account("other", "REVOKED_DEFAULT", true);
    home.plant_file_account("good", "KEY_GOOD", false);
    home.plant_file_account("revoked", "REVOKED_KEY", false);
    let commands: [&[&str]; 5] = [
        &["doctor", "--all"],
        &["setup", "--dry-run"],
        &["token", "--credential", "3fa85f64-5717-4562-b3fc-2c963f66afa6"],
        &["inspect", "+15550000000", "--json"],
        &["status"],
    ];
    for command in commands {
        for (name, by_flag) in [("good", true), ("good", false), ("revoked", true), ("revoked", false)] {
            let mut args = vec!["--api-base", base.as_str()];
            let mut env = Vec::new();
            if by_flag {
                args.extend(["--profile", name]);
            } else {
                env.push(("TELNYX_PROFILE", name));
            }
            args.extend_from_slice(command);
            let output = home.run(&args, &env, None);
            let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
            let refused = said.contains("rejected the API key");
            assert_eq!(refused, name == "revoked", "{args:?} {env:?}: {said}");
            if refused {
                assert!(
                    said.contains("telnyx-setup accounts add revoked"),
                    "{args:?} {env:?}: the fix names the account: {said}"
                );
                assert_ne!(output.status.code(), Some(0), "{args:?} {env:?}: {said}");
            }
        }
    }

    // `status --profile`: that account only; a name that is no account is a usage error.
    let one = home.run(&["--api-base", &base, "--profile", "good", "status"], &[], None);
    assert_eq!(one.status.code(), Some(0), "{one:?}");
    let lines: Vec<String> = text(&one.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("✓ good"), "{lines:?}");
    let unknown = home.run(&["--api-base", &base, "status"], &[("TELNYX_PROFILE", "nope")], None);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    assert!(text(&unknown.stderr).contains("no account is named \"nope\""), "{}", text(&unknown.stderr));

    // A name no account can have is the voice profile `setup` takes as --voice-profile:
    // it says so, rather than to add an account of that name (which would be refused).
    let profile =
        home.run(&["--api-base", &base, "--profile", "Lobby outbound", "setup", "--dry-run"], &[], None);
    assert_eq!(profile.status.code(), Some(2), "{profile:?}");
    let said = text(&profile.stderr);
    assert!(
        said.contains("no account is named \"Lobby outbound\"") && said.contains("--voice-profile"),
        "{said}"
    );
    assert!(!said.contains("accounts add Lobby outbound"), "{said}");
}

/// The wizard takes `--profile` and `TELNYX_PROFILE` too: its sign-in names the account
/// and its key, and the header names the account on the next screen.
#[test]
fn the_wizard_signs_in_with_the_profiles_key() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("wizard");
    home.plant_file_account("other", "REVOKED_DEFAULT", true);
    home.plant_file_account("good", "KEY_GOOD", false);
    let mut env: Vec<(&str, String)> = home.env();
    env.push(("TELNYX_PROFILE", "good".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut app = Pty::spawn_with_env("accounts-wizard", &["--api-base", &base], 110, 30, &env);
    app.wait_for_text(&["The key of account good", "account good]"]);
    app.send(ENTER);
    app.wait_for_text(&["Step 2 of 8", "account good]", "balance 250.00 USD"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
}

/// Removing the default account says what the default is now; `accounts add`'s refusal
/// says to run it again with the right key.
#[test]
fn removing_the_default_says_what_is_default_now_and_a_refusal_says_how_to_retry() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let base = sandbox.base_url();
    let home = Home::new("remove-default");
    home.plant_file_account("one", "KEY_ONE", true);
    home.plant_file_account("two", "KEY_TWO", false);
    let removed = home.run(&["accounts", "remove", "one"], &[], None);
    assert!(removed.status.success(), "{removed:?}");
    assert!(
        text(&removed.stdout)
            .contains("There is no default account now: `telnyx-setup accounts default NAME`"),
        "{}",
        text(&removed.stdout)
    );
    let not_default = home.run(&["accounts", "remove", "two"], &[], None);
    assert!(!text(&not_default.stdout).contains("default account"), "{}", text(&not_default.stdout));

    let refused = home.run(&["--api-base", &base, "accounts", "add", "acme"], &[], Some("NOT_A_KEY\n"));
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = text(&refused.stderr);
    assert!(
        said.contains("run `telnyx-setup accounts add acme` again") && !said.contains("TELNYX_API_KEY"),
        "{said}"
    );
}

/// A linked key file, ours or Telnyx CLI's, is refused with a fix for that file: not the
/// saved key's `--forget-key`, which would remove another file (the default account's).
#[test]
fn a_linked_key_file_is_refused_with_the_fix_for_that_file() {
    let home = Home::new("linked");
    let elsewhere = home.path().join("elsewhere.json");
    write_private(
        &elsewhere,
        &serde_json::json!({"profiles": {"work": {"apiKey": "KEY_WORK"}}}).to_string(),
        0o600,
    );
    let config = home.telnyx_cli_config();
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::set_permissions(config.parent().unwrap(), fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &config).unwrap();
    let listing = home.run(&["accounts"], &[], None);
    let said = text(&listing.stderr);
    assert!(said.contains("symbolic link") && said.contains("cp --remove-destination"), "{said}");
    assert!(!said.contains("--forget-key"), "{said}");
    assert!(!text(&listing.stdout).contains("work"), "{}", text(&listing.stdout));

    home.plant_file_account("acme", "KEY_ACME", true);
    let file = home.config_dir().join("api-key.acme");
    let target = home.path().join("acme-key");
    fs::rename(&file, &target).unwrap();
    std::os::unix::fs::symlink(&target, &file).unwrap();
    let used = home.run(&["--profile", "acme", "token"], &[], None);
    assert_eq!(used.status.code(), Some(2), "{used:?}");
    let said = text(&used.stderr);
    assert!(said.contains("symbolic link") && said.contains("telnyx-setup accounts remove acme"), "{said}");
    assert!(!said.contains("--forget-key"), "{said}");
}
