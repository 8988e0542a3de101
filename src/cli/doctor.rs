//! `telnyx-setup doctor`: its arguments, and the report printed from
//! [`crate::doctor`]'s checks.

use super::problem::Problem;
use super::{Cli, USAGE_ERROR, connect, signaling_target};
use crate::api::{ApiError, Client, PageRequest, RequestRecord};
use crate::doctor::{Facts, Report, Verdict};
use crate::output;
use crate::sanitize::Escaped;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// The credential connection: its id, or its exact name
    #[arg(long, value_name = "ID|NAME", required_unless_present = "all")]
    connection: Option<String>,
    /// Check every credential connection of the account, several at once: one line each
    /// with its first failing check (exit 1 if any fails)
    #[arg(long, conflicts_with_all = ["connection", "login_test"])]
    all: bool,
    /// Also write FILE, to attach to a support ticket: the checks, the records they read
    /// (secret fields removed), the requests of this run with Telnyx's x-request-id, and
    /// the program's and the OS's versions (with --all, every connection's). Never a
    /// key, password or token
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// A number the client should be able to call, in E.164 (+14155550123)
    #[arg(long, value_name = "+E164")]
    destination: Option<String>,
    /// Print one JSON report instead of text; errors too, as {"error": {"code", "title", "detail", "request_id"}}
    #[arg(long)]
    json: bool,
    /// Write each API request to stderr: method, path, status, time taken (never the
    /// key or a body)
    #[arg(long, short)]
    verbose: bool,
    /// Also log in as the WebRTC SDK does, with a fresh token of the connection's newest
    /// valid credential (a device registers for a moment): the `login` check
    #[arg(long)]
    login_test: bool,
    /// Also place a test call between two temporary logins of the connection (the second
    /// answers with an echo; both are deleted after): the `call` check reports the time
    /// to answer, the tone coming back, the round trip, the ICE pair and the codec, or
    /// why the call failed. Asks first unless --yes (not against the sandbox)
    #[arg(long)]
    call_test: bool,
    /// Also place a real call to this number from the connection, with a temporary
    /// login, and report how it ended (D38, D13...): the `call_number` check. It may
    /// cost money: asks first unless --yes (not against the sandbox)
    #[arg(long, value_name = "+E164")]
    call: Option<String>,
    /// Answer yes to --call-test's and --call's question (for scripts)
    #[arg(long)]
    yes: bool,
}

impl DoctorArgs {
    /// `doctor`: prints the report; exit 0 if nothing failed, 1 if a check failed, 2 when
    /// the checks could not run ([`Problem`]). The command line is checked before anything
    /// is sent.
    pub async fn run(&self, cli: &Cli) -> ExitCode {
        let args = self;
        if args.all {
            return all(cli, args).await;
        }
        match doctor_report(cli, args).await {
            Ok((report, attach)) => {
                let text = if args.json {
                    match serde_json::to_string_pretty(&report) {
                        Ok(text) => text + "\n",
                        Err(error) => {
                            let message = format!("cannot write the report as JSON: {error}");
                            return Problem::new("doctor", "internal", message).report(true);
                        }
                    }
                } else {
                    report.to_string()
                };
                // A closed pipe (`| head`) ends the output, not the verdict: the exit status
                // still says whether a check failed.
                if let Err(error) = output::print(&text) {
                    eprintln!("telnyx-setup doctor: cannot print the report: {error}");
                    return ExitCode::from(USAGE_ERROR);
                }
                if let (Some(path), Some(attach)) = (&args.report, attach) {
                    let written = serde_json::to_value(&report).unwrap_or(Value::Null);
                    if let Some(problem) = attach.write_said(path, written, args.json).await {
                        return problem;
                    }
                }
                if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
            }
            Err(problem) => problem.report(args.json),
        }
    }
}

/// The report, and with `--report` what its file is written from.
async fn doctor_report(cli: &Cli, args: &DoctorArgs) -> Result<(Report, Option<Attachment>), Problem> {
    use crate::doctor::{self, DESTINATION_EXAMPLE};
    use crate::setup::Recognised;
    let given = args.connection.as_deref().unwrap_or_default().trim();
    if given.is_empty() {
        return Err(Problem::usage(
            "--connection needs a connection's id or exact name, e.g. --connection 1293384261075731402 \
             or --connection \"Office softphones\"",
        ));
    }
    let destination = match args.destination.as_deref().map(doctor::parse_destination).transpose() {
        Ok(destination) => destination,
        Err(bad) => return Err(Problem::usage(format!("--destination: {bad}. {DESTINATION_EXAMPLE}."))),
    };
    let call = match args.call.as_deref().map(doctor::parse_destination).transpose() {
        Ok(call) => call,
        Err(bad) => return Err(Problem::usage(format!("--call: {bad}. {DESTINATION_EXAMPLE}."))),
    };
    let (client, _sandbox) = connect(cli, "doctor", args.verbose).await?;
    let (client, requests) = logged(client, args);
    let signaling = signaling_target(cli, client.base()).map_err(Problem::usage)?;
    // Which connection the name means is `setup`'s and `token`'s rule too.
    // A key refused the connection's read (403) is a finding, as its other refused reads are.
    let connection = match crate::setup::find_connection(&client, given).await {
        Ok(Recognised::Found(connection)) => Ok(Some(connection)),
        Ok(Recognised::Missing) => Ok(None),
        Ok(Recognised::Ambiguous(named)) => {
            let ids: Vec<String> = named.iter().map(|c| c.id.clone()).collect();
            let message = format!(
                "--connection {given:?}: {} credential connections have this name ({}); give one of their \
                 ids, e.g. --connection {}",
                ids.len(),
                ids.join(", "),
                ids[0]
            );
            return Err(Problem::new("doctor", "ambiguous_connection", message).with_ids(ids));
        }
        Err(refused @ ApiError::Forbidden(_)) => Err(refused),
        Err(error) => return Err(Problem::api(&error)),
    };
    let mut facts = match connection {
        Ok(connection) => doctor::gather_for(&client, given, connection, destination.as_deref(), true)
            .await
            .map_err(|error| Problem::api(&error))?,
        Err(refused) => doctor::connection_refused(given, &refused, destination.as_deref()),
    };
    if args.login_test {
        let told = |notice| eprintln!("telnyx-setup doctor: {}", crate::signaling::retry_line(&notice));
        doctor::test_login(&client, &mut facts, &signaling, crate::signaling::LOGIN_TIMEOUT, &told).await;
    }
    let mut report = doctor::diagnose(&facts);
    if let Some(connection) = facts.connection.as_ref().filter(|_| args.call_test || call.is_some()) {
        let checks = call_checks(&client, &connection.id, &facts, &signaling, args, call.as_deref()).await?;
        report.ok &= checks.iter().all(|check| check.verdict != doctor::Verdict::Fail);
        report.checks.extend(checks);
    }
    let attach = requests.map(|requests| Attachment { client, facts: vec![facts], requests, all: false });
    Ok((report, attach))
}

/// With `--report`, the client that also keeps each request for the file, and its log.
fn logged(client: Client, args: &DoctorArgs) -> (Client, Option<RequestLog>) {
    if args.report.is_none() {
        return (client, None);
    }
    let (log, verbose) = (RequestLog::default(), args.verbose);
    let kept = log.clone();
    let client = client.on_request(Arc::new(move |request| {
        if verbose {
            eprintln!("{request}");
        }
        kept.push(request);
    }));
    (client, Some(log))
}

/// `--call-test` and `--call`: asks first when the calls reach Telnyx (not the sandbox on
/// this machine) unless `--yes`, then runs them (`crate::calltest`).
async fn call_checks(
    client: &crate::api::Client,
    connection: &str,
    facts: &crate::doctor::Facts,
    signaling: &crate::signaling::SignalingUrl,
    args: &DoctorArgs,
    call: Option<&str>,
) -> Result<Vec<crate::doctor::Check>, Problem> {
    use crate::calltest;
    let mut plans = Vec::new();
    if args.call_test {
        plans.push(calltest::plan_between(connection));
    }
    if let Some(number) = call {
        plans.push(calltest::plan_to_number(connection, number));
    }
    if !signaling.is_loopback() && !args.yes {
        let question = format!("{} {}", plans.join(" "), super::prompt::go_ahead(client.base()));
        if !super::prompt::confirm(&question) {
            let message = "the call test was not confirmed, so nothing was created or called (--yes answers \
                           yes for scripts)"
                .to_owned();
            return Err(Problem::new("doctor", "declined", message));
        }
    }
    // The caller ID: one of the connection's numbers, as the SDK's callerNumber would be.
    let caller_id = facts.numbers.first().map(|number| number.phone_number.as_str()).unwrap_or_default();
    let mut checks = Vec::new();
    if args.call_test {
        checks.push(calltest::between_logins(client, connection, signaling, caller_id).await.check("call"));
    }
    if let Some(number) = call {
        checks.push(
            calltest::to_number(client, connection, signaling, number, caller_id).await.check("call_number"),
        );
    }
    Ok(checks)
}

/// `doctor --all`: every credential connection of the account, [`crate::doctor::ALL_AT_ONCE`]
/// at a time, one line each (its first failing check); exit 1 if any fails.
async fn all(cli: &Cli, args: &DoctorArgs) -> ExitCode {
    let destination = match args.destination.as_deref().map(crate::doctor::parse_destination).transpose() {
        Ok(destination) => destination,
        Err(bad) => {
            let message = format!("--destination: {bad}. {}.", crate::doctor::DESTINATION_EXAMPLE);
            return Problem::usage(message).report(args.json);
        }
    };
    // The sandbox of --demo lives as long as its handle: kept to the end, not dropped here.
    let (client, _sandbox) = match connect(cli, "doctor", args.verbose).await {
        Ok(connected) => connected,
        Err(problem) => return problem.report(args.json),
    };
    let (client, requests) = logged(client, args);
    let attach = |facts| {
        requests.clone().map(|requests| Attachment { client: client.clone(), facts, requests, all: true })
    };
    let every = match crate::doctor::gather_all(&client, destination.as_deref(), true).await {
        Ok(every) => every,
        // The list of connections refused: a finding, as for `--connection`, not a misuse.
        Err(refused @ ApiError::Forbidden(_)) => {
            let facts = crate::doctor::connection_refused("", &refused, destination.as_deref());
            return list_refused(args, facts, attach).await;
        }
        Err(error) => return Problem::api(&error).report(args.json),
    };
    let reports: Vec<(Report, String)> = every
        .iter()
        .map(|facts| {
            let name = facts.connection.as_ref().map(|c| c.connection_name.clone()).unwrap_or_default();
            (crate::doctor::diagnose(facts), name)
        })
        .collect();
    let ok = reports.iter().all(|(report, _)| report.ok);
    let json = {
        let reports: Vec<Value> = reports
            .iter()
            .map(|(report, name)| {
                let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
                value["connection_name"] = json!(name);
                value
            })
            .collect();
        json!({ "ok": ok, "connections": reports })
    };
    let text = if args.json {
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    } else {
        let mut text: String = reports.iter().map(|(report, name)| all_line(report, name) + "\n").collect();
        let failing = reports.iter().filter(|(report, _)| !report.ok).count();
        text.push_str(&match (reports.len(), failing) {
            (0, _) => {
                "No credential connection in this account: WebRTC needs one (run the wizard).\n".to_owned()
            }
            (all, 0) => format!("No check failed on the {all} credential connection(s).\n"),
            (all, failing) => format!("{failing} of {all} credential connection(s) have a failing check.\n"),
        });
        text
    };
    all_said(args, &text, json, attach(every)).await
}

/// `doctor --all` when the key was refused the list of connections (403): the
/// `permissions` FAIL `doctor --connection` gives for its refused read (`facts`), exit 1.
/// Its JSON is `--all`'s with no connection (`ok` false, unlike an account that has
/// none) and the finding in `checks`, shaped as a report's.
async fn list_refused(
    args: &DoctorArgs,
    facts: Facts,
    attach: impl FnOnce(Vec<Facts>) -> Option<Attachment>,
) -> ExitCode {
    let checks = crate::doctor::diagnose(&facts).checks;
    let json = json!({ "ok": false, "connections": [], "checks": checks });
    let text = if args.json {
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    } else {
        let mut text = String::new();
        for check in &checks {
            text.push_str(&format!("✗ FAIL {}: {}\n", check.id, Escaped(&check.reason)));
            if let Some(fix) = &check.fix {
                text.push_str(&format!("  fix: {}\n", Escaped(fix)));
            }
        }
        text + "No credential connection could be listed, so none was checked.\n"
    };
    all_said(args, &text, json, attach(vec![facts])).await
}

/// Prints `doctor --all`'s `text`, writes `--report`'s file with `json` as its report,
/// and exits 1 if `json` is not ok.
async fn all_said(args: &DoctorArgs, text: &str, json: Value, attach: Option<Attachment>) -> ExitCode {
    if let Err(error) = output::print(text) {
        eprintln!("telnyx-setup doctor: cannot print the report: {error}");
        return ExitCode::from(USAGE_ERROR);
    }
    let ok = json["ok"] == true;
    if let (Some(path), Some(attach)) = (&args.report, attach)
        && let Some(problem) = attach.write_said(path, json, args.json).await
    {
        return problem;
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// One connection's line of `doctor --all`: `✗ Name (id)  FAIL check: reason`, or
/// `✓ Name (id)  no check failed`, with its warnings' names.
fn all_line(report: &Report, name: &str) -> String {
    let who = format!("{} ({})", Escaped(name), Escaped(&report.connection_id));
    let first = |verdict| report.checks.iter().find(|c| c.verdict == verdict);
    match first(Verdict::Fail) {
        Some(failed) => format!("✗ {who}  FAIL {}: {}", failed.id, Escaped(&failed.reason)),
        None => {
            let warned: Vec<&str> =
                report.checks.iter().filter(|c| c.verdict == Verdict::Warn).map(|c| c.id).collect();
            if warned.is_empty() {
                format!("✓ {who}  no check failed")
            } else {
                format!("✓ {who}  no check failed; WARN {}", warned.join(", "))
            }
        }
    }
}

/// The requests of this run, the last [`RequestLog::KEPT`], for `--report`.
#[derive(Clone, Default)]
struct RequestLog(Arc<Mutex<VecDeque<RequestRecord>>>);

impl RequestLog {
    const KEPT: usize = 100;

    fn push(&self, request: &RequestRecord) {
        let mut kept = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() == Self::KEPT {
            kept.pop_front();
        }
        kept.push_back(request.clone());
    }

    fn all(&self) -> Vec<RequestRecord> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }
}

/// What `--report FILE` is written from: the client (to read the records as Telnyx
/// gives them, every field), the facts the checks read, and the requests so far.
struct Attachment {
    client: Client,
    /// One connection's facts, or with `all` every connection's (`--all`).
    facts: Vec<Facts>,
    requests: RequestLog,
    all: bool,
}

impl Attachment {
    /// [`Attachment::write`], then says where on stderr; a failure is the problem to exit with.
    async fn write_said(self, path: &std::path::Path, report: Value, json: bool) -> Option<ExitCode> {
        if let Err(error) = self.write(path, &report).await {
            return Some(Problem::new("doctor", "report", error).report(json));
        }
        eprintln!(
            "telnyx-setup doctor: wrote the report to attach to {}",
            Escaped(&path.display().to_string())
        );
        None
    }

    /// Reads the records the checks were made from as raw JSON (all at once), removes
    /// their secret fields ([`crate::secret::SECRET_FIELDS`], the inspector's list), and
    /// writes the file. Its requests are the run's last ones, this read's included.
    async fn write(self, path: &std::path::Path, report: &Value) -> Result<(), String> {
        let records = self
            .records()
            .await
            .map_err(|error| format!("cannot read the records for the report: {error}"))?;
        let requests: Vec<Value> = self
            .requests
            .all()
            .iter()
            .map(|r| {
                let (status, error) = match &r.outcome {
                    Ok(status) => (json!(status), Value::Null),
                    Err(reason) => (Value::Null, json!(reason)),
                };
                json!({
                    "method": r.method,
                    "path": r.path,
                    "status": status,
                    "error": error,
                    "elapsed_ms": r.elapsed.as_millis() as u64,
                    "x_request_id": r.request_id,
                })
            })
            .collect();
        let file = json!({
            "what": "telnyx-setup doctor report, to attach to a support ticket",
            "created_at": humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            "program": { "name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION") },
            "os": os_versions(),
            "api_host": self.client.base().host(),
            "report": report,
            "records": records,
            "requests": requests,
        });
        let text =
            serde_json::to_string_pretty(&file).map_err(|e| format!("cannot write the report: {e}"))? + "\n";
        std::fs::write(path, text).map_err(|e| format!("cannot write the report to {}: {e}", path.display()))
    }

    /// [`Attachment::records_of`] the connection, or with `--all` a list of every
    /// connection's, [`crate::doctor::ALL_AT_ONCE`] at a time.
    async fn records(&self) -> Result<Value, ApiError> {
        use futures::{StreamExt, TryStreamExt};
        if !self.all {
            return match self.facts.first() {
                Some(facts) => self.records_of(facts).await,
                None => Ok(json!({})),
            };
        }
        let every: Vec<Value> = futures::stream::iter(&self.facts)
            .map(|facts| self.records_of(facts))
            .buffered(crate::doctor::ALL_AT_ONCE)
            .try_collect()
            .await?;
        Ok(Value::Array(every))
    }

    /// The connection, its profile, numbers and credentials as Telnyx returns them,
    /// secret fields replaced by `(removed)`.
    async fn records_of(&self, facts: &Facts) -> Result<Value, ApiError> {
        let client = &self.client;
        let Some(connection) = &facts.connection else {
            // Refused the connection's read: the report says so where the records would be.
            return Ok(match facts.denied.first() {
                Some(refused) => json!({ "connection": {
                    "not_read": format!("the API key lacks permission for it: {} answered 403", refused.read)
                } }),
                None => json!({}),
            });
        };
        let id = connection.id.as_str();
        let profile = async {
            match &connection.outbound.outbound_voice_profile_id {
                Some(profile) => match client.get_raw("outbound_voice_profiles", profile).await {
                    Err(ApiError::NotFound(_)) => Ok(Value::Null),
                    read => read,
                },
                None => Ok(Value::Null),
            }
        };
        let of_numbers = [("filter[connection_id]", id.to_owned())];
        let of_credentials = [("filter[resource_id]", format!("connection:{id}"))];
        let numbers = async {
            let page = client.list_raw("phone_numbers", PageRequest::first(250), &of_numbers).await?;
            Ok(Value::Array(page.data))
        };
        let credentials = async {
            let page =
                client.list_raw("telephony_credentials", PageRequest::first(250), &of_credentials).await?;
            Ok(Value::Array(page.data))
        };
        let (connection, profile, numbers, credentials) = futures::try_join!(
            unless_refused(client.get_raw("credential_connections", id)),
            unless_refused(profile),
            unless_refused(numbers),
            unless_refused(credentials),
        )?;
        let mut records = json!({
            "connection": connection,
            "outbound_voice_profile": profile,
            "phone_numbers": numbers,
            "telephony_credentials": credentials,
        });
        crate::secret::redact_json(&mut records, "(removed)");
        Ok(records)
    }
}

/// A record for the report, or, when the key was refused it (403), a note of that in
/// its place: the report says what the checks could not read rather than failing.
async fn unless_refused(read: impl Future<Output = Result<Value, ApiError>>) -> Result<Value, ApiError> {
    match read.await {
        Err(error @ ApiError::Forbidden(_)) => {
            Ok(json!({ "not_read": format!("the API key lacks permission for it: {error}") }))
        }
        read => read,
    }
}

/// The OS as far as it says: its family and architecture, and on Linux the
/// distribution (`/etc/os-release`) and the kernel release.
fn os_versions() -> Value {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let distribution = read("/etc/os-release").and_then(|text| {
        text.lines()
            .find_map(|line| line.strip_prefix("PRETTY_NAME="))
            .map(|name| name.trim_matches('"').to_owned())
    });
    let kernel = read("/proc/sys/kernel/osrelease").map(|text| text.trim().to_owned());
    json!({
        "family": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "distribution": distribution,
        "kernel": kernel,
    })
}
