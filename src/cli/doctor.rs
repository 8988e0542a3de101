//! `telnyx-setup doctor`: its arguments, and the report printed from
//! [`crate::doctor`]'s checks.

use super::problem::Problem;
use super::{Cli, USAGE_ERROR, connect, signaling_target};
use crate::output;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// The credential connection: its id, or its exact name
    #[arg(long, value_name = "ID|NAME")]
    connection: String,
    /// A number the client should be able to call, in E.164 (+14155550123)
    #[arg(long, value_name = "+E164")]
    destination: Option<String>,
    /// Print one JSON report instead of text; errors too, as {"error": {"kind", "message"}}
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
}

impl DoctorArgs {
    /// `doctor`: prints the report; exit 0 if nothing failed, 1 if a check failed, 2 when
    /// the checks could not run ([`Problem`]). The command line is checked before anything
    /// is sent.
    pub async fn run(&self, cli: &Cli) -> ExitCode {
        let args = self;
        match doctor_report(cli, args).await {
            Ok(report) => {
                let text = if args.json {
                    match serde_json::to_string_pretty(&report) {
                        Ok(text) => text + "\n",
                        Err(error) => {
                            let message = format!("cannot write the report as JSON: {error}");
                            return Problem { who: "doctor", kind: "internal", message, ids: Vec::new() }
                                .report(true);
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
                if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
            }
            Err(problem) => problem.report(args.json),
        }
    }
}

async fn doctor_report(cli: &Cli, args: &DoctorArgs) -> Result<crate::doctor::Report, Problem> {
    use crate::doctor::{self, DESTINATION_EXAMPLE};
    use crate::setup::Recognised;
    let given = args.connection.trim();
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
    let (client, _sandbox) = connect(cli, "doctor", args.verbose).await?;
    let signaling = signaling_target(cli, client.base()).map_err(Problem::usage)?;
    // Which connection the name means is `setup`'s and `token`'s rule too.
    let connection = match crate::setup::find_connection(&client, given).await {
        Ok(Recognised::Found(connection)) => Some(connection),
        Ok(Recognised::Missing) => None,
        Ok(Recognised::Ambiguous(named)) => {
            let ids: Vec<String> = named.iter().map(|c| c.id.clone()).collect();
            let message = format!(
                "--connection {given:?}: {} credential connections have this name ({}); give one of their \
                 ids, e.g. --connection {}",
                ids.len(),
                ids.join(", "),
                ids[0]
            );
            return Err(Problem { who: "doctor", kind: "ambiguous_connection", message, ids });
        }
        Err(error) => return Err(Problem::api(&error)),
    };
    let mut facts = doctor::gather_for(&client, given, connection, destination.as_deref(), true)
        .await
        .map_err(|error| Problem::api(&error))?;
    if args.login_test {
        doctor::test_login(&client, &mut facts, &signaling, crate::signaling::LOGIN_TIMEOUT).await;
    }
    Ok(doctor::diagnose(&facts))
}
