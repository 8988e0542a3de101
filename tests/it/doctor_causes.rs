//! The doctor's checks of every cause the API can show (issue 23), each against the
//! sandbox scenario that breaks it: FAIL or WARN there, with its reason and fix, and
//! PASS once the fix it names is made (through the API, or the sandbox's own top-up
//! for the balance); and the sandbox's errors against Telnyx's codes (issue 24): 10009,
//! 10010, 10005, 10015, 10016 and 10013, each where Telnyx gives it.

use crate::sandbox_telnyx::Api;
use reqwest::Method;
use serde_json::{Value, json};
use telnyx_setup::sandbox::scenario::FULL_ACCESS_KEY;
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Scenario, Seed};

const KEY: &str = "KEYtelnyx";

/// Runs `telnyx-setup doctor --json` for the scenarios' connection with `key`: the
/// exit code and the JSON report (`Null` when there is none, with stderr in `Err`).
async fn doctor_as(sandbox: &Sandbox, key: &str) -> (i32, Value) {
    doctor_with(sandbox, key, &["--connection", "Office softphones"]).await
}

/// [`doctor_as`] with `args` for the connection (or `--all`) and the rest.
async fn doctor_with(sandbox: &Sandbox, key: &str, args: &[&str]) -> (i32, Value) {
    let mut command = std::process::Command::new(crate::support::BIN);
    command
        .args(["doctor", "--api-base", &sandbox.base_url(), "--api-key", key, "--json"])
        .args(args)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    let log = crate::support::log_path("doctor-causes");
    command.env("TELNYX_SETUP_LOG", &log);
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        json!({ "stdout": String::from_utf8_lossy(&output.stdout), "stderr": String::from_utf8_lossy(&output.stderr) })
    });
    (output.status.code().expect("exited"), report)
}

/// Check `id` of a report, whole.
fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

fn scenario(scenario: Scenario) -> Seed {
    Seed { scenario: Some(scenario), ..Seed::default() }
}

/// The id of the scenarios' connection, and of its one telephony credential.
async fn ids(api: &Api) -> (String, String) {
    let connections = api.ok(Method::GET, "/credential_connections", None).await;
    let connection = connections[0]["id"].as_str().unwrap().to_owned();
    let (_, credentials) = api.send_as(FULL_ACCESS_KEY, Method::GET, "/telephony_credentials", None).await;
    let credential = credentials["data"][0]["id"].as_str().unwrap_or_default().to_owned();
    (connection, credential)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_new_check_fails_on_its_scenario_and_passes_after_its_fix() {
    // (scenario, the check, its verdict there, words its reason has)
    let cases: [(Scenario, &str, &str, &str); 8] = [
        (Scenario::ZeroBalance, "balance", "fail", "D19"),
        (Scenario::RestrictedKey, "permissions", "fail", "10010"),
        (Scenario::InactiveConnection, "connection", "fail", "inactive"),
        (Scenario::SipUriDisabled, "sip_uri", "warn", "SIP URI calling is disabled"),
        (Scenario::BadCallerId, "caller_id", "fail", "D35"),
        (Scenario::NoPushCredential, "push", "warn", "no incoming calls"),
        (Scenario::ExpiringCredential, "token_life", "warn", "expires in 1 h"),
        (Scenario::OutsideCallingWindow, "calling_window", "fail", "every call is refused"),
    ];
    for (each, id, verdict, words) in cases {
        let api = Api::start(scenario(each)).await;
        let (code, report) = doctor_as(&api.sandbox, KEY).await;
        let found = check(&report, id);
        assert_eq!(found["verdict"], verdict, "{each}: {report:#}");
        assert!(found["reason"].as_str().unwrap().contains(words), "{each}: {found:#}");
        assert!(found["fix"].as_str().is_some_and(|fix| fix.len() > 20), "{each} names a fix: {found:#}");
        assert_eq!(code, if verdict == "fail" { 1 } else { 0 }, "{each}: {report:#}");

        // The fix the check names, made as a user would make it.
        let (connection, credential) = ids(&api).await;
        let mut key = KEY;
        match each {
            Scenario::ZeroBalance => {
                let topped = api
                    .http()
                    .post(format!("{}/_sandbox/balance", api.sandbox.base_url().trim_end_matches("/v2")))
                    .json(&json!({ "balance": "10.00" }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(topped.status().as_u16(), 200);
            }
            Scenario::RestrictedKey => key = "KEYfull-access",
            Scenario::InactiveConnection => {
                api.ok(
                    Method::PATCH,
                    &format!("/credential_connections/{connection}"),
                    Some(json!({ "active": true })),
                )
                .await;
            }
            Scenario::SipUriDisabled => {
                let body = json!({ "sip_uri_calling_preference": "internal" });
                api.ok(Method::PATCH, &format!("/credential_connections/{connection}"), Some(body)).await;
            }
            Scenario::BadCallerId => {
                let numbers = api.ok(Method::GET, "/phone_numbers", None).await;
                let owned = numbers[0]["phone_number"].as_str().unwrap().to_owned();
                // A number in E.164 that the account does not own is D36.
                let body = json!({ "outbound": { "ani_override": "+14155550199" } });
                api.ok(Method::PATCH, &format!("/credential_connections/{connection}"), Some(body)).await;
                let (_, report) = doctor_as(&api.sandbox, KEY).await;
                assert_eq!(check(&report, "caller_id")["verdict"], "fail", "{report:#}");
                assert!(
                    check(&report, "caller_id")["reason"].as_str().unwrap().contains("D36"),
                    "{report:#}"
                );
                let body = json!({ "outbound": { "ani_override": owned } });
                api.ok(Method::PATCH, &format!("/credential_connections/{connection}"), Some(body)).await;
            }
            Scenario::NoPushCredential => {
                let body = json!({ "ios_push_credential_id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0" });
                api.ok(Method::PATCH, &format!("/credential_connections/{connection}"), Some(body)).await;
            }
            Scenario::ExpiringCredential => {
                let body = json!({ "expires_at": "2099-01-01T00:00:00Z" });
                api.ok(Method::PATCH, &format!("/telephony_credentials/{credential}"), Some(body)).await;
            }
            Scenario::OutsideCallingWindow => {
                let profiles = api.ok(Method::GET, "/outbound_voice_profiles", None).await;
                let profile = profiles[0]["id"].as_str().unwrap().to_owned();
                // From this hour for two: open now, and still when the doctor looks.
                let hour = time::OffsetDateTime::now_utc().hour();
                // The contract has an update name the profile again.
                let window = json!({ "name": profiles[0]["name"], "calling_window": {
                    "start_time": format!("{hour:02}:00:00.00Z"),
                    "end_time": format!("{:02}:00:00.00Z", (hour + 2) % 24),
                } });
                api.ok(Method::PATCH, &format!("/outbound_voice_profiles/{profile}"), Some(window)).await;
            }
            _ => unreachable!(),
        }
        let (code, report) = doctor_as(&api.sandbox, key).await;
        if each == Scenario::RestrictedKey {
            assert!(
                report["checks"].as_array().unwrap().iter().all(|c| c["id"] != "permissions"),
                "{report:#}"
            );
            assert_eq!(check(&report, "credentials")["verdict"], "pass", "{report:#}");
        } else {
            assert_eq!(check(&report, id)["verdict"], "pass", "{each} after its fix: {report:#}");
        }
        assert_eq!(code, 0, "{each} after its fix: {report:#}");
    }
}

/// The errors of a refused request, each checked for Telnyx's shape: `code`, its
/// documented `title`, a `detail`, and `meta.url` naming the code's page.
fn errors(status: u16, answer: &Value, expected: u16, code: &str, title: &str) -> Vec<Value> {
    assert_eq!(status, expected, "{answer}");
    let errors = answer["errors"].as_array().unwrap_or_else(|| panic!("errors[] in {answer}")).clone();
    assert!(!errors.is_empty(), "{answer}");
    for error in &errors {
        assert_eq!(error["code"], code, "{answer}");
        assert_eq!(error["title"], title, "{answer}");
        assert!(error["detail"].as_str().is_some_and(|d| !d.is_empty()), "{answer}");
        assert_eq!(
            error["meta"]["url"],
            format!("https://developers.telnyx.com/docs/overview/errors/{code}")
        );
    }
    errors
}

#[tokio::test]
async fn errors_carry_telnyx_s_codes_where_telnyx_gives_them() {
    let api = Api::start(Seed { order_settles_after: std::time::Duration::ZERO, ..Seed::default() }).await;
    let (connection, _) = ids(&api).await;

    // 10009: a key Telnyx does not know.
    let (status, answer) = api.send_as("nope", Method::GET, "/balance", None).await;
    errors(status.as_u16(), &answer, 401, "10009", "Authentication failed");

    // 10005: a record that does not exist, or a path the API does not have.
    let (status, answer) = api.send(Method::GET, "/credential_connections/999", None).await;
    errors(status.as_u16(), &answer, 404, "10005", "Resource not found");
    let (status, answer) = api.send(Method::GET, "/no_such_thing", None).await;
    errors(status.as_u16(), &answer, 404, "10005", "Resource not found");

    // 10015: a field of the wrong kind, at its pointer.
    let body = json!({ "connection_name": "Desk", "user_name": 12, "password": "desk-password" });
    let (status, answer) = api.send(Method::POST, "/credential_connections", Some(body)).await;
    let found = errors(status.as_u16(), &answer, 422, "10015", "Invalid value");
    assert_eq!(found[0]["source"]["pointer"], "/user_name", "{answer}");

    // 10013: an id that names no record of its kind.
    let body = json!({ "connection_id": "999" });
    let (status, answer) = api.send(Method::POST, "/telephony_credentials", Some(body)).await;
    let found = errors(status.as_u16(), &answer, 422, "10013", "Missing association");
    assert_eq!(found[0]["source"]["pointer"], "/connection_id", "{answer}");
    let body = json!({ "outbound": { "outbound_voice_profile_id": "999" } });
    let (status, answer) =
        api.send(Method::PATCH, &format!("/credential_connections/{connection}"), Some(body)).await;
    let found = errors(status.as_u16(), &answer, 422, "10013", "Missing association");
    assert_eq!(found[0]["source"]["pointer"], "/outbound/outbound_voice_profile_id", "{answer}");

    // 10016: a phone number not in +E.164, in an order.
    let body = json!({ "phone_numbers": [{ "phone_number": "4155550100" }] });
    let (status, answer) = api.send(Method::POST, "/number_orders", Some(body)).await;
    let found = errors(status.as_u16(), &answer, 422, "10016", "Phone number must be in +E.164 format");
    assert_eq!(found[0]["source"]["pointer"], "/phone_numbers/0/phone_number", "{answer}");

    // 10010: a key without the permission (the restricted-key scenario); the account's
    // full key may.
    let api = Api::start(scenario(Scenario::RestrictedKey)).await;
    let (status, answer) = api.send(Method::GET, "/telephony_credentials", None).await;
    errors(status.as_u16(), &answer, 403, "10010", "Authorization failed");
    let (status, _) = api.send_as(FULL_ACCESS_KEY, Method::GET, "/telephony_credentials", None).await;
    assert_eq!(status.as_u16(), 200);
    let (status, _) = api.send(Method::GET, "/credential_connections", None).await;
    assert_eq!(status.as_u16(), 200, "the restriction is telephony credentials' alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_to_attach_holds_the_new_checks() {
    let api = Api::start(scenario(Scenario::ZeroBalance)).await;
    let file = crate::support::TempPath::new("doctor-causes-report");
    let path = file.0.to_string_lossy().into_owned();
    let mut command = std::process::Command::new(crate::support::BIN);
    command
        .args(["doctor", "--api-base", &api.sandbox.base_url(), "--api-key", KEY])
        .args(["--connection", "Office softphones", "--report", &path])
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    let log = crate::support::log_path("doctor-causes-report");
    command.env("TELNYX_SETUP_LOG", &log);
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let written: Value = serde_json::from_slice(&std::fs::read(&file.0).expect("the report")).unwrap();
    let report = &written["report"];
    assert_eq!(check(report, "balance")["verdict"], "fail", "{written:#}");
    for id in ["caller_id", "push", "sip_uri", "token_life"] {
        check(report, id);
    }
}

/// A read of the doctor's that the key is refused (403, code 10010: the profile, the
/// numbers, the registration status) stops nothing: it is a WARN naming the endpoint,
/// what it left out and the fix, every other check still runs (in `--all` and in the
/// report to attach too), and with an account key the finding is gone and the checks
/// it left out are back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_the_key_is_refused_is_a_finding_and_the_other_checks_still_run() {
    // (scenario, the endpoint named, the checks left out, the area the fix names)
    let cases: [(Scenario, &str, &[&str], &str); 3] = [
        (
            Scenario::RestrictedProfiles,
            "GET /outbound_voice_profiles (403, code 10010)",
            &["outbound_profile", "destinations"],
            "outbound voice profiles",
        ),
        (
            Scenario::RestrictedNumbers,
            "GET /phone_numbers (403, code 10010)",
            &["numbers", "caller_id"],
            "phone numbers",
        ),
        (
            Scenario::RestrictedRegistration,
            "POST /credential_connections/{id}/actions/check_registration_status (403, code 10010)",
            &["registration"],
            "registration status",
        ),
    ];
    for (each, endpoint, left_out, area) in cases {
        let api = Api::start(scenario(each)).await;
        let (code, report) = doctor_as(&api.sandbox, KEY).await;
        let found = check(&report, "permissions");
        assert_eq!(found["verdict"], "warn", "{each}: {report:#}");
        assert!(found["reason"].as_str().unwrap().contains(endpoint), "{each}: {found:#}");
        let fix = found["fix"].as_str().unwrap();
        assert!(fix.contains("Give the key access to ") && fix.contains(area), "{each}: {fix}");
        assert!(fix.contains("or use an account key"), "{each}: {fix}");
        let ran: Vec<&str> =
            report["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        for id in left_out {
            assert!(!ran.contains(id), "{each} leaves {id} out: {report:#}");
        }
        for id in ["connection", "balance", "codecs", "push", "credentials", "sip_uri", "token_life", "token"]
        {
            assert_ne!(check(&report, id)["verdict"], "fail", "{each}: {id} still runs: {report:#}");
        }
        assert_eq!(code, 0, "a WARN is not a failure: {report:#}");

        // `--all` reads the lists once for every connection: the same finding.
        let (code, all) = doctor_with(&api.sandbox, KEY, &["--all"]).await;
        let first = &all["connections"][0];
        assert_eq!(check(first, "permissions")["verdict"], "warn", "{each}: {all:#}");
        assert_eq!(code, 0, "{each}: {all:#}");

        // The fix: an account key, with every permission.
        let (code, report) = doctor_as(&api.sandbox, "KEYfull-access").await;
        let ran: Vec<&str> =
            report["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(!ran.contains(&"permissions"), "{each}: {report:#}");
        for id in left_out {
            assert!(ran.contains(id), "{each}: {id} is back: {report:#}");
        }
        assert_eq!(code, 0, "{each} after its fix: {report:#}");
    }

    // The report to attach says what it could not read instead of failing.
    let api = Api::start(scenario(Scenario::RestrictedProfiles)).await;
    let file = crate::support::TempPath::new("doctor-refused-report");
    let path = file.0.to_string_lossy().into_owned();
    let (code, report) =
        doctor_with(&api.sandbox, KEY, &["--connection", "Office softphones", "--report", &path]).await;
    assert_eq!(code, 0, "{report:#}");
    let written: Value = serde_json::from_slice(&std::fs::read(&file.0).expect("the report")).unwrap();
    assert!(
        written["records"]["outbound_voice_profile"]["not_read"]
            .as_str()
            .is_some_and(|why| why.contains("permission")),
        "{written:#}"
    );
    assert_eq!(check(&written["report"], "permissions")["verdict"], "warn", "{written:#}");
}

/// A key refused the connection's own read (403: it may not read credential
/// connections, by id or by name) is a finding as the other refused reads are, not a
/// misuse of the command: the `permissions` FAIL names the endpoint and the fix, the
/// doctor exits 1, and `--report` still writes the report, saying what it could not read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_read_is_a_finding_and_the_report_is_still_written() {
    let faults =
        FaultPlan::parse(["GET /credential_connections=403", "GET /credential_connections/*=403"]).unwrap();
    let api = Api::start(Seed { faults, ..Seed::default() }).await;
    for given in ["Office softphones", "1293384261075731402"] {
        let (code, report) = doctor_with(&api.sandbox, KEY, &["--connection", given]).await;
        let checks = report["checks"].as_array().unwrap_or_else(|| panic!("{given}: a report: {report:#}"));
        assert_eq!(checks.len(), 1, "nothing else can be checked: {report:#}");
        let found = check(&report, "permissions");
        assert_eq!(found["verdict"], "fail", "{given}: {report:#}");
        let reason = found["reason"].as_str().unwrap();
        assert!(reason.contains("GET /credential_connections (403, code 10010)"), "{given}: {reason}");
        let fix = found["fix"].as_str().unwrap();
        assert!(fix.contains("Give the key access to credential connections"), "{given}: {fix}");
        assert!(fix.contains("or use an account key"), "{given}: {fix}");
        assert_eq!(report["ok"], false);
        assert_eq!(code, 1, "the doctor's failure, not a usage error (2): {report:#}");
    }

    let file = crate::support::TempPath::new("doctor-refused-connection");
    let path = file.0.to_string_lossy().into_owned();
    let (code, report) =
        doctor_with(&api.sandbox, KEY, &["--connection", "Office softphones", "--report", &path]).await;
    assert_eq!(code, 1, "{report:#}");
    let written: Value = serde_json::from_slice(&std::fs::read(&file.0).expect("the report")).unwrap();
    assert_eq!(check(&written["report"], "permissions")["verdict"], "fail", "{written:#}");
    assert!(
        written["records"]["connection"]["not_read"].as_str().is_some_and(|why| why.contains("permission")),
        "{written:#}"
    );
    assert!(
        written["requests"].as_array().is_some_and(|sent| sent.iter().any(|r| r["status"] == 403)),
        "{written:#}"
    );
}

/// `doctor --all` when the key is refused the list of connections (403) says what
/// `doctor --connection` says of its refused read: a `permissions` FAIL naming
/// GET /credential_connections and the fix, exit 1 (a finding, not a misuse: 2). Its
/// JSON is `--all`'s shape, with no connection listed (`ok` false tells it from an
/// account that has none) and the account's finding in `checks`, as a report holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_list_is_a_finding_for_all() {
    let faults = FaultPlan::parse(["GET /credential_connections=403"]).unwrap();
    let api = Api::start(Seed { faults, ..Seed::default() }).await;
    let (code, report) = doctor_with(&api.sandbox, KEY, &["--all"]).await;
    assert_eq!(code, 1, "the doctor's failure, not a usage error (2): {report:#}");
    assert_eq!(report["ok"], false, "{report:#}");
    assert_eq!(report["connections"], json!([]), "{report:#}");
    assert_eq!(report["checks"].as_array().map(Vec::len), Some(1), "{report:#}");
    let found = check(&report, "permissions");
    assert_eq!(found["verdict"], "fail", "{report:#}");
    let reason = found["reason"].as_str().unwrap();
    assert!(reason.contains("GET /credential_connections (403, code 10010)"), "{reason}");
    let fix = found["fix"].as_str().unwrap();
    assert!(fix.contains("Give the key access to credential connections"), "{fix}");

    let mut command = std::process::Command::new(crate::support::BIN);
    command
        .args(["doctor", "--all", "--api-base", &api.sandbox.base_url(), "--api-key", KEY])
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .env("TELNYX_SETUP_LOG", crate::support::log_path("doctor-causes-all"));
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout.contains("FAIL permissions: The API key lacks permission for GET /credential_connections"),
        "{stdout}"
    );
    assert!(stdout.contains("fix: Give the key access to credential connections"), "{stdout}");
    assert!(stdout.contains("No credential connection could be listed"), "{stdout}");

    // With --report, the file to attach holds the finding, what could not be read, and the 403.
    let file = crate::support::TempPath::new("doctor-all-refused");
    let path = file.0.to_string_lossy().into_owned();
    let (code, report) = doctor_with(&api.sandbox, KEY, &["--all", "--report", &path]).await;
    assert_eq!(code, 1, "{report:#}");
    let written: Value = serde_json::from_slice(&std::fs::read(&file.0).expect("the report")).unwrap();
    assert_eq!(written["report"], report, "the file's report is the one printed");
    assert!(
        written["records"][0]["connection"]["not_read"]
            .as_str()
            .is_some_and(|why| why.contains("permission")),
        "{written:#}"
    );
    assert!(
        written["requests"].as_array().is_some_and(|sent| sent.iter().any(|r| r["status"] == 403)),
        "{written:#}"
    );
}
