//! Issue 20, parity: the wizard and `setup --dry-run` plan alike. For a table of
//! choices on an account with existing records (a connection on a profile, another
//! profile, a credential, and in some cases a number on the connection), the wizard is
//! driven through `State::update` with the real worker, and each screen's step of the
//! plan (part, kind, what else it affects, and its requests rendered as curl commands)
//! is taken just before its Enter; `setup --dry-run --json` on the same account, with
//! flags for the same choices, must plan the same steps with the same requests. A new
//! connection (named on step 2's form) is planned as `setup` plans it: the profile
//! first (reused or made with its countries), then the connection made on it with its
//! codecs, in one request.

use crate::support::state::state_with;
use crate::support::{BIN, api_base, buy_us_number, client};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;
use telnyx_setup::api::PageRequest;
use telnyx_setup::api::{
    self, Client, CredentialConnection, InboundUpdate, NewCredentialConnection, NewOutboundVoiceProfile,
    NewTelephonyCredential, OutboundUpdate,
};
use telnyx_setup::app::{Effects, dispatch};
use telnyx_setup::clipboard::{CopyMethod, Recording};
use telnyx_setup::msg::{Msg, Request};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{KeySource, NumbersScreen, State, Step};
use telnyx_setup::worker;

const KEY: &str = "KEYparity";
const CONNECTION: &str = "Lobby tablets";
const CODECS: [&str; 2] = ["OPUS", "G722"];
const PROFILE: &str = "Lobby outbound";
const OTHER_PROFILE: &str = "Other outbound";
const CREDENTIAL: &str = "Lobby tablet";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Profile {
    /// The one the connection has.
    Same,
    /// Another existing one (a move).
    Other,
    /// A new one, named as the form suggests.
    New,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Credential {
    /// Enter on the row the wizard highlights; no `--credential`.
    LeftOpen,
    /// The existing one, by name.
    Existing,
    /// A new one, named as the form suggests.
    New,
}

#[derive(Debug, Clone, Copy)]
struct Case {
    /// A new connection, named as step 2's form suggests, instead of "Lobby tablets".
    new_connection: bool,
    codecs_changed: bool,
    profile: Profile,
    countries_changed: bool,
    credential: Credential,
    /// The connection has a number: the codecs and a move affect it.
    numbers: bool,
}

const CASES: [Case; 10] = [
    Case {
        new_connection: false,
        codecs_changed: false,
        profile: Profile::Same,
        countries_changed: false,
        credential: Credential::LeftOpen,
        numbers: false,
    },
    Case {
        new_connection: false,
        codecs_changed: true,
        profile: Profile::Same,
        countries_changed: true,
        credential: Credential::New,
        numbers: false,
    },
    Case {
        new_connection: false,
        codecs_changed: false,
        profile: Profile::Other,
        countries_changed: false,
        credential: Credential::Existing,
        numbers: false,
    },
    Case {
        new_connection: false,
        codecs_changed: true,
        profile: Profile::Other,
        countries_changed: true,
        credential: Credential::LeftOpen,
        numbers: false,
    },
    Case {
        new_connection: false,
        codecs_changed: false,
        profile: Profile::New,
        countries_changed: false,
        credential: Credential::New,
        numbers: false,
    },
    Case {
        new_connection: false,
        codecs_changed: true,
        profile: Profile::New,
        countries_changed: true,
        credential: Credential::Existing,
        numbers: false,
    },
    Case {
        new_connection: false,
        codecs_changed: true,
        profile: Profile::Other,
        countries_changed: true,
        credential: Credential::LeftOpen,
        numbers: true,
    },
    Case {
        new_connection: false,
        codecs_changed: false,
        profile: Profile::New,
        countries_changed: false,
        credential: Credential::New,
        numbers: true,
    },
    // A new connection on an existing profile: made on it on step 4.
    Case {
        new_connection: true,
        codecs_changed: true,
        profile: Profile::Other,
        countries_changed: false,
        credential: Credential::New,
        numbers: false,
    },
    // A new connection on a new profile with its countries: both made on step 5.
    Case {
        new_connection: true,
        codecs_changed: false,
        profile: Profile::New,
        countries_changed: true,
        credential: Credential::New,
        numbers: false,
    },
];

/// The name step 2's form suggests for a new connection on this account.
const NEW_CONNECTION: &str = "WebRTC (telnyx-setup)";

/// A step as both sides show it: its kind ("change", "nothing to change"), what else
/// it affects, and its requests as curl commands.
type Planned = BTreeMap<String, (String, Vec<String>, Vec<String>)>;

/// The account: the connection "Lobby tablets" (OPUS, G722) on "Lobby outbound" (US,
/// CA), made by someone else (no mark), the profile "Other outbound" (US), and the
/// credential "Lobby tablet" telnyx-setup made on the connection; with `numbers`, a
/// number bought for the connection. Returns the connection.
async fn seed(api: &Client, numbers: bool) -> CredentialConnection {
    let unmarked = |name: &str, countries: &[&str]| NewOutboundVoiceProfile {
        tags: Vec::new(),
        ..NewOutboundVoiceProfile::with_countries(name, countries.iter().map(|c| c.to_string()).collect())
    };
    let profile = api.create_outbound_voice_profile(&unmarked(PROFILE, &["US", "CA"])).await.unwrap();
    api.create_outbound_voice_profile(&unmarked(OTHER_PROFILE, &["US"])).await.unwrap();
    let connection = api
        .create_credential_connection(&NewCredentialConnection {
            connection_name: CONNECTION.to_owned(),
            user_name: "lobbytablets7".to_owned(),
            password: Secret::new("a-long-password-1"),
            tags: Vec::new(),
            inbound: Some(InboundUpdate { codecs: CODECS.map(String::from).to_vec() }),
            outbound: Some(OutboundUpdate { outbound_voice_profile_id: profile.id.clone() }),
            sip_uri_calling_preference: None,
        })
        .await
        .unwrap();
    api.create_telephony_credential(&NewTelephonyCredential {
        connection_id: connection.id.clone(),
        name: Some(CREDENTIAL.to_owned()),
        tag: Some(api::MARK.to_owned()),
        expires_at: None,
    })
    .await
    .unwrap();
    if numbers {
        buy_us_number(api, &connection.id).await;
    }
    connection
}

/// The wizard in process: the state machine and the real worker, no journal.
struct Wizard {
    state: State,
    effects: Effects,
    base: String,
    /// Each part's step as first planned on the screen that sends it.
    planned: Planned,
    /// The requests the sandbox had seen when the wizard started (the seed's).
    seeded: usize,
}

impl Wizard {
    fn start(sandbox: &Sandbox) -> Self {
        let base = api_base(&sandbox.base_url());
        let worker = worker::spawn(base.clone(), api::http_client());
        let clipboard = Box::new(Recording::answering(Ok(CopyMethod::Osc52)));
        Self {
            state: state_with(Some(KEY), KeySource::Flag),
            effects: Effects { worker, clipboard },
            base: base.as_str().to_owned(),
            planned: Planned::new(),
            seeded: sandbox.journal().len(),
        }
    }

    async fn settle(&mut self) {
        while self.state.busy() {
            let msg = tokio::time::timeout(Duration::from_secs(30), self.effects.worker.replies.recv())
                .await
                .expect("the worker answers within 30s")
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, msg);
        }
        assert!(self.state.step.activity().problem.is_none(), "{:?}", self.state.step.activity().problem);
    }

    /// Takes the worker's answers until `done` holds (a read sent ahead has come).
    async fn settle_until(&mut self, done: impl Fn(&State) -> bool) {
        while !done(&self.state) {
            let msg = tokio::time::timeout(Duration::from_secs(30), self.effects.worker.replies.recv())
                .await
                .expect("the worker answers within 30s")
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, msg);
        }
        self.settle().await;
    }

    async fn press(&mut self, code: KeyCode) {
        dispatch(&mut self.state, &mut self.effects, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.settle().await;
    }

    /// Takes the screen's step of the plan (what its Enter sends now), then presses
    /// Enter, and `y` to the question a change of an existing record asks.
    async fn enter_taking_the_plan(&mut self) {
        if let Some(steps) = self.state.planned() {
            for step in steps {
                let curl = telnyx_setup::curl::render_all(&self.base, &step.requests, false);
                self.planned.entry(step.part.as_str().to_owned()).or_insert((
                    step.kind.as_str().to_owned(),
                    step.affects.clone(),
                    curl,
                ));
            }
        }
        self.press(KeyCode::Enter).await;
        if self.state.step.screen().change().is_some() {
            self.press(KeyCode::Char('y')).await;
        }
    }

    /// The writes the wizard sent, method and path (ids cut off).
    fn sent_writes(&self, sandbox: &Sandbox) -> Vec<String> {
        let path = |p: &str| format!("/{}", p.split('/').nth(1).unwrap_or_default());
        let journal = sandbox.journal();
        let ours = journal.iter().skip(self.seeded).filter(|e| e.method != "GET");
        ours.map(|e| format!("{} {}", e.method, path(&e.path))).collect()
    }

    /// Moves the highlight of the list on screen to the row `row` (0 is "Create new").
    async fn highlight(&mut self, row: usize) {
        for _ in 0..40 {
            self.press(KeyCode::Up).await;
        }
        for _ in 0..row {
            self.press(KeyCode::Down).await;
        }
    }
}

/// Runs the wizard through `case` to the token screen; returns what each screen
/// planned and the flags that ask `setup` for the same choices.
async fn wizard(sandbox: &Sandbox, connection: &CredentialConnection, case: Case) -> (Planned, Vec<String>) {
    let mut wizard = Wizard::start(sandbox);
    wizard.press(KeyCode::Enter).await; // the key
    wizard.settle().await;
    let mut flags = if case.new_connection {
        wizard.highlight(0).await;
        wizard.press(KeyCode::Enter).await; // the form, with the name suggested
        let Step::Connection(step) = &wizard.state.step else { unreachable!() };
        let name = step.form.as_ref().expect("the form").value(telnyx_setup::state::FormField::Name);
        let flags = vec!["--connection".to_owned(), name.to_owned()];
        wizard.press(KeyCode::Enter).await; // named: nothing is sent
        assert!(wizard.sent_writes(sandbox).is_empty(), "step 2's form sends nothing");
        flags
    } else {
        let Step::Connection(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
        let row = step.list.items.iter().flatten().position(|c| c.id == connection.id).expect("listed") + 1;
        wizard.highlight(row).await;
        wizard.press(KeyCode::Enter).await;
        // The numbers on the connection, read ahead when it is chosen, before the
        // codecs' plan names them.
        let numbers = usize::from(case.numbers);
        wizard.settle_until(|state| state.ctx.desired.account.numbers.len() == numbers).await;
        vec!["--connection".to_owned(), connection.id.clone()]
    };

    // Codecs: as they are, or the first one off.
    assert!(matches!(wizard.state.step, Step::Codecs(_)));
    if case.codecs_changed {
        wizard.highlight(0).await;
        wizard.press(KeyCode::Char(' ')).await;
    }
    let Step::Codecs(step) = &wizard.state.step else { unreachable!() };
    flags.extend(["--codecs".to_owned(), step.enabled().join(",")]);
    wizard.enter_taking_the_plan().await;
    if case.new_connection {
        assert!(wizard.sent_writes(sandbox).is_empty(), "the codecs come with the create");
    }

    // The profile.
    let Step::Profile(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    let named =
        |name: &str| step.list.items.iter().flatten().position(|p| p.name == name).expect("listed") + 1;
    match case.profile {
        Profile::Same => wizard.highlight(named(PROFILE)).await,
        Profile::Other => {
            wizard.highlight(named(OTHER_PROFILE)).await;
            flags.extend(["--voice-profile".to_owned(), OTHER_PROFILE.to_owned()]);
        }
        Profile::New => {
            wizard.highlight(0).await;
            wizard.press(KeyCode::Enter).await; // the form, with the name suggested
            let Step::Profile(step) = &wizard.state.step else { unreachable!() };
            let name = step.form.as_ref().expect("the form").value(telnyx_setup::state::ProfileField::Name);
            flags.extend(["--voice-profile".to_owned(), name.to_owned()]);
        }
    }
    wizard.enter_taking_the_plan().await;

    // Countries: as they are, or France too.
    let Step::Countries(_) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    if case.countries_changed {
        wizard.press(KeyCode::Char('/')).await;
        for letter in "France".chars() {
            wizard.press(KeyCode::Char(letter)).await;
        }
        wizard.press(KeyCode::Enter).await; // ticks it
    }
    let Step::Countries(step) = &wizard.state.step else { unreachable!() };
    flags.extend(["--countries".to_owned(), step.whitelist().join(",")]);
    wizard.enter_taking_the_plan().await;

    if case.new_connection {
        // Made once, after its profile, with its codecs: no attach, no codecs PATCH.
        let profile =
            if case.profile == Profile::New { vec!["POST /outbound_voice_profiles"] } else { vec![] };
        let expected: Vec<&str> = profile.into_iter().chain(["POST /credential_connections"]).collect();
        assert_eq!(wizard.sent_writes(sandbox), expected, "{case:?}");
    }

    // Numbers: not part of this table.
    let Step::Numbers(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    assert_eq!(step.screen, NumbersScreen::Intro);
    wizard.press(KeyCode::Char('s')).await;

    // The credential.
    let Step::Credential(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    let existing = step.list.items.iter().flatten().position(|c| c.name.as_deref() == Some(CREDENTIAL));
    match case.credential {
        Credential::LeftOpen => assert!(step.list.cursor > 0, "the wizard highlights one"),
        Credential::Existing => {
            wizard.highlight(existing.expect("listed") + 1).await;
            flags.extend(["--credential".to_owned(), CREDENTIAL.to_owned()]);
        }
        Credential::New => {
            wizard.highlight(0).await;
            wizard.press(KeyCode::Enter).await; // the form, with the name suggested
            let Step::Credential(step) = &wizard.state.step else { unreachable!() };
            let name =
                step.form.as_ref().expect("the form").value(telnyx_setup::state::CredentialField::Name);
            flags.extend(["--credential".to_owned(), name.to_owned()]);
        }
    }
    if case.credential != Credential::New {
        wizard.press(KeyCode::Enter).await; // its SIP details
    }
    wizard.enter_taking_the_plan().await;
    if case.credential == Credential::New {
        wizard.press(KeyCode::Enter).await; // on from the details of the one made
    }
    assert!(matches!(wizard.state.step, Step::Token(_)), "{:?}", wizard.state.step);
    (wizard.planned, flags)
}

/// `setup --dry-run --json` with `flags`: each step's action and curl commands.
async fn dry_run(sandbox: &Sandbox, flags: &[String]) -> Planned {
    let mut command = Command::new(BIN);
    command
        .args(["setup", "--dry-run", "--json", "--api-base", &sandbox.base_url(), "--api-key", KEY])
        .args(flags)
        .stdin(Stdio::null())
        .env_remove("TELNYX_API_KEY")
        .env("TELNYX_SETUP_STATE_DIR", crate::support::TempDir::new("parity-state").path())
        .env("TELNYX_SETUP_LOG", crate::support::log_path("parity"));
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let strings = |value: &Value| -> Vec<String> {
        value.as_array().into_iter().flatten().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
    };
    report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| {
            let part = step["step"].as_str().unwrap_or_default().to_owned();
            let action = step["action"].as_str().unwrap_or_default().to_owned();
            (part, (action, strings(&step["affects"]), strings(&step["curl"])))
        })
        .collect()
}

/// The parts the wizard's screens (codecs, profile, countries, credential) plan; the
/// connection's too, for a new one (made on the profile screen or the countries one).
const PARTS: [&str; 6] = ["codecs", "profile", "connection", "attach", "countries", "credential"];

/// `curl` with the SIP user name of a connection's create put as `<generated>`. Only
/// this differs between the two plans of a new connection, by design: the wizard's
/// comes from step 2's form (the user may edit or regenerate it), and `setup` makes
/// one when it plans, so two runs never share one. (Its password is `${SIP_PASSWORD}`
/// on both sides: not revealed.)
fn without_login(curl: &[String]) -> Vec<String> {
    const FIELD: &str = "\"user_name\":";
    curl.iter()
        .map(|command| {
            let Some(at) = command.find(FIELD) else { return command.clone() };
            let value = &command[at + FIELD.len()..];
            let start = value.find('"').map(|i| i + 1).unwrap_or_default();
            let end = value[start..].find('"').map_or(value.len(), |i| start + i);
            format!("{}{FIELD}{}<generated>{}", &command[..at], &value[..start], &value[end..])
        })
        .collect()
}

/// The flags that ask `setup` for what `case` chooses in the wizard.
fn flags_of(case: Case, connection: &str) -> Vec<String> {
    let (connection, codecs) = match case.new_connection {
        // Every codec offered that a new connection starts with, the first one off.
        true => {
            let start = telnyx_setup::setup::new_connection_codecs();
            let on = telnyx_setup::setup::codec_choices(&start, true).into_iter().filter(|c| c.enabled);
            let on: Vec<String> = on.map(|c| c.name).skip(usize::from(case.codecs_changed)).collect();
            (NEW_CONNECTION, on.join(","))
        }
        // The screen opens on the connection's codecs plus VP8 (as `setup` keeps them).
        false => (connection, (if case.codecs_changed { "G722,VP8" } else { "OPUS,G722,VP8" }).to_owned()),
    };
    let codecs = codecs.as_str();
    let (profile, countries) = match case.profile {
        Profile::Same => (None, "US,CA"),
        Profile::Other => (Some(OTHER_PROFILE), "US"),
        Profile::New => (Some("WebRTC outbound"), "US,CA"),
    };
    let countries = if case.countries_changed { format!("{countries},FR") } else { countries.to_owned() };
    let mut flags = vec!["--connection", connection, "--codecs", codecs];
    flags.extend(profile.map(|p| ["--voice-profile", p]).into_iter().flatten());
    flags.extend(["--countries", &countries]);
    match case.credential {
        Credential::LeftOpen => {}
        Credential::Existing => flags.extend(["--credential", CREDENTIAL]),
        Credential::New if case.new_connection => {
            flags.extend(["--credential", "WebRTC login for WebRTC (telnyx-setup)"])
        }
        Credential::New => flags.extend(["--credential", "WebRTC login for Lobby tablets"]),
    }
    flags.into_iter().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_and_the_dry_run_plan_the_same_steps() {
    for case in CASES {
        let seed_with = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
        let sandbox = Sandbox::start_local(&seed_with).await.unwrap();
        let connection = seed(&client(&sandbox.base_url(), KEY), case.numbers).await;
        let flags = flags_of(case, &connection.id);
        // The dry run first: it changes nothing, and the wizard then changes the account.
        let theirs = dry_run(&sandbox, &flags).await;
        let (ours, chosen) = wizard(&sandbox, &connection, case).await;
        assert_eq!(chosen, flags, "{case:?}: the wizard chose what the flags say");
        // A new connection's id is known to the wizard by the credential step (it was
        // made on step 4 or 5); the dry run names it `${CONNECTION_ID}`, which applying
        // its plan fills in with the create's answer (`plan::fill`): the same here.
        let made = client(&sandbox.base_url(), KEY)
            .list_credential_connections(api::PageRequest::default(), Some(NEW_CONNECTION))
            .await
            .unwrap()
            .data;
        assert_eq!(made.len(), usize::from(case.new_connection), "{case:?}: made once");
        for part in PARTS {
            let (kind, affects, curl) =
                ours.get(part).unwrap_or_else(|| panic!("{case:?}: the wizard planned no {part}"));
            let (their_kind, their_affects, their_curl) =
                theirs.get(part).unwrap_or_else(|| panic!("{case:?}: the dry run planned no {part}"));
            let mut their_curl = without_login(their_curl);
            if let Some(made) = made.first() {
                // The variable as the curl command writes it (shell-quoted, to expand
                // inside the single-quoted body), and the id as it would be filled in.
                let filled = |c: &String| c.replace("'\"${CONNECTION_ID}\"'", &made.id);
                their_curl = their_curl.iter().map(filled).collect();
            }
            assert_eq!(
                (kind, affects, without_login(curl)),
                (their_kind, their_affects, their_curl),
                "{case:?}, {part}, with {flags:?}"
            );
        }
        if case.numbers {
            let affected = |part: &str| &ours[part].1;
            assert!(
                affected("codecs").iter().any(|a| a.contains("on the connection")) || !case.codecs_changed,
                "{case:?}: the codecs change names the number: {ours:?}"
            );
            if case.profile != Profile::Same {
                assert!(
                    affected("attach").iter().any(|a| a.contains("on the connection")),
                    "{case:?}: the move names the number: {ours:?}"
                );
            }
        }
    }
}

/// With a cart: on a connection that has a number, the wizard buys one more (`n`, a
/// search for one number, the first found) and `setup --dry-run --buy-numbers 2` plans
/// the same: the numbers step, what it affects and its requests (the order, with the
/// reference made from the connection and the numbers, then the assignment) are the
/// same, and `y` places exactly the order the plan shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_and_the_dry_run_buy_the_same_numbers() {
    let seed_with = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed_with).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let connection = seed(&api, true).await;
    let flags: Vec<String> = ["--connection", &connection.id, "--buy-numbers", "2", "--number-country", "US"]
        .map(str::to_owned)
        .to_vec();
    let theirs = dry_run(&sandbox, &flags).await;

    let mut wizard = Wizard::start(&sandbox);
    wizard.press(KeyCode::Enter).await; // the key
    let Step::Connection(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    let row = step.list.items.iter().flatten().position(|c| c.id == connection.id).expect("listed") + 1;
    wizard.highlight(row).await;
    wizard.press(KeyCode::Enter).await;
    wizard.settle_until(|state| state.ctx.desired.account.numbers.len() == 1).await;
    // The codecs left open: its own plus VP8, as the dry run plans them (asked, `y`).
    wizard.enter_taking_the_plan().await;
    let Step::Profile(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    let own = step.list.items.iter().flatten().position(|p| p.name == PROFILE).expect("listed") + 1;
    wizard.highlight(own).await;
    wizard.press(KeyCode::Enter).await; // the profile it has
    wizard.press(KeyCode::Enter).await; // its countries (US first: the search's country)
    let Step::Numbers(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    assert_eq!(step.existing.as_ref().map(Vec::len), Some(1), "the number it has");
    wizard.press(KeyCode::Char('n')).await; // buy more
    // One number, as `--buy-numbers 2` searches for the one missing.
    for _ in 0..6 {
        wizard.press(KeyCode::Tab).await;
    }
    wizard.press(KeyCode::Backspace).await;
    wizard.press(KeyCode::Backspace).await;
    wizard.press(KeyCode::Char('1')).await;
    wizard.press(KeyCode::Enter).await; // search
    wizard.press(KeyCode::Enter).await; // the first found, into the cart
    wizard.press(KeyCode::Enter).await; // the cart
    wizard.press(KeyCode::Enter).await; // its review: the question
    let Step::Numbers(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    assert_eq!((step.screen, step.cart.len()), (NumbersScreen::Confirm, 1));
    let cart = step.cart.clone();
    let plan = wizard.state.ctx.plan_with(|wanted| wanted.numbers = Some(cart)).expect("a plan");
    let planned = plan.step(telnyx_setup::setup::Part::Numbers).expect("a numbers step").clone();
    let curl = telnyx_setup::curl::render_all(&wizard.base, &planned.requests, false);
    let ours = (planned.kind.as_str().to_owned(), planned.affects.clone(), curl);
    assert_eq!(Some(&ours), theirs.get("numbers"), "with {flags:?}");
    // `y` places the plan's order: the request shown for it is the plan's first.
    let shown = wizard.state.step.screen().enter_requests();
    assert_eq!(shown.len(), 1);
    let (Request::PlaceOrder { body: shown, .. }, Some(Request::PlaceOrder { body: planned, .. })) =
        (&shown[0], planned.requests.first())
    else {
        panic!("{shown:?} {planned:?}")
    };
    assert_eq!(shown, planned);
    wizard.press(KeyCode::Char('y')).await;
    let orders = api.list_number_orders(PageRequest::first(250), None).await.unwrap().data;
    let placed: Vec<_> =
        orders.iter().filter(|o| o.customer_reference == planned.customer_reference).collect();
    assert_eq!(placed.len(), 1, "the plan's order, once: {orders:#?}");
}

/// Codecs left open mean the same on both sides: the codecs screen of an existing
/// connection without VP8 opens on its codecs plus VP8, so Enter on it plans the change
/// `setup --dry-run` without `--codecs` plans (and asks first: telnyx-setup did not make
/// the connection).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codecs_left_open_are_the_connections_plus_vp8_on_both_sides() {
    let seed_with = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed_with).await.unwrap();
    let connection = seed(&client(&sandbox.base_url(), KEY), false).await;
    let theirs = dry_run(&sandbox, &["--connection".to_owned(), connection.id.clone()]).await;

    let mut wizard = Wizard::start(&sandbox);
    wizard.press(KeyCode::Enter).await; // the key
    let Step::Connection(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    let row = step.list.items.iter().flatten().position(|c| c.id == connection.id).expect("listed") + 1;
    wizard.highlight(row).await;
    wizard.press(KeyCode::Enter).await;
    wizard.settle_until(|state| matches!(state.step, Step::Codecs(_))).await;
    let Step::Codecs(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
    assert_eq!(step.enabled(), ["OPUS", "G722", "VP8"], "the connection's codecs plus VP8");
    let planned = wizard.state.planned().expect("the codecs screen plans");
    let [step] = &planned[..] else { panic!("{planned:?}") };
    let curl = telnyx_setup::curl::render_all(&wizard.base, &step.requests, false);
    let ours = (step.kind.as_str().to_owned(), step.affects.clone(), curl);
    assert_eq!(Some(&ours), theirs.get("codecs"));
    assert_eq!(ours.0, "change");
    // A connection telnyx-setup did not make: Enter asks before the PATCH.
    wizard.press(KeyCode::Enter).await;
    assert!(wizard.state.step.screen().change().is_some(), "a question first");
    assert!(wizard.sent_writes(&sandbox).is_empty(), "nothing sent before y");
    wizard.press(KeyCode::Char('y')).await;
    assert_eq!(wizard.sent_writes(&sandbox), ["PATCH /credential_connections"]);
}

/// Step 4 for a new connection with the profile left open: the wizard highlights what
/// `setup` without `--voice-profile` uses, the profile named "WebRTC outbound" (found
/// by the one recogniser), else "Create new" with that name; never another setup's
/// newer profile ("Kiosk outbound", which telnyx-setup made). Enter on it plans what
/// the dry run plans.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_left_open_is_the_one_setup_uses() {
    const DEFAULT: &str = "WebRTC outbound";
    for default_exists in [false, true] {
        let seed_with = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
        let sandbox = Sandbox::start_local(&seed_with).await.unwrap();
        let api = client(&sandbox.base_url(), KEY);
        seed(&api, false).await;
        if default_exists {
            let unmarked = NewOutboundVoiceProfile {
                tags: Vec::new(),
                ..NewOutboundVoiceProfile::with_countries(DEFAULT, vec!["US".into()])
            };
            api.create_outbound_voice_profile(&unmarked).await.unwrap();
        }
        let kiosk = NewOutboundVoiceProfile::with_countries("Kiosk outbound", vec!["US".into()]);
        api.create_outbound_voice_profile(&kiosk).await.unwrap();

        // The dry run first: it changes nothing, and the wizard then changes the account.
        // Every choice but the connection left open: the countries too, which step 5
        // keeps as they are (the profile's, or US, CA for a new one), as `setup` does.
        let flags = ["--connection", NEW_CONNECTION].map(str::to_owned);
        let theirs = dry_run(&sandbox, &flags).await;

        let mut wizard = Wizard::start(&sandbox);
        wizard.press(KeyCode::Enter).await; // the key
        wizard.highlight(0).await;
        wizard.press(KeyCode::Enter).await; // the form, with the name suggested
        let Step::Connection(step) = &wizard.state.step else { unreachable!() };
        let name = step.form.as_ref().expect("the form").value(telnyx_setup::state::FormField::Name);
        assert_eq!(name, NEW_CONNECTION);
        wizard.press(KeyCode::Enter).await; // named: nothing is sent
        wizard.enter_taking_the_plan().await; // the codecs of a new connection
        let Step::Profile(step) = &wizard.state.step else { panic!("{:?}", wizard.state.step) };
        let row = step.list.cursor.checked_sub(1);
        let highlighted = row.and_then(|row| step.list.items.iter().flatten().nth(row));
        assert_eq!(
            highlighted.map(|p| p.name.as_str()),
            default_exists.then_some(DEFAULT),
            "the profile setup uses, or Create new"
        );
        if !default_exists {
            wizard.press(KeyCode::Enter).await; // the form
            let Step::Profile(step) = &wizard.state.step else { unreachable!() };
            let suggested =
                step.form.as_ref().expect("the form").value(telnyx_setup::state::ProfileField::Name);
            assert_eq!(suggested, DEFAULT, "named as setup names it");
        }
        wizard.enter_taking_the_plan().await;
        assert!(matches!(wizard.state.step, Step::Countries(_)), "{:?}", wizard.state.step);
        wizard.enter_taking_the_plan().await; // its countries as they are
        for part in ["codecs", "profile", "connection", "attach", "countries"] {
            let (kind, affects, curl) = wizard.planned.get(part).unwrap_or_else(|| panic!("no {part}"));
            let (their_kind, their_affects, their_curl) =
                theirs.get(part).unwrap_or_else(|| panic!("the dry run planned no {part}"));
            assert_eq!(
                (kind, affects, without_login(curl)),
                (their_kind, their_affects, without_login(their_curl)),
                "{part}, default profile exists: {default_exists}"
            );
        }
    }
}
