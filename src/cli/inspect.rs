//! `telnyx-setup inspect [TARGET] [--json]`: the read-only inspector, opened on the
//! record TARGET names when one is given; with `--json`, that record and its relations
//! printed for scripts, with no terminal needed.

use super::problem::Problem;
use super::{Cli, USAGE_ERROR, connect};
use crate::api::{ApiError, Client, PageRequest};
use crate::output;
use crate::target::{Found, Kind};
use serde_json::{Value, json};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// Open on this record: a connection or profile id, a credential or order UUID, a
    /// phone number (E.164 or digits; spaces need no quotes: +1 312 555 0199), or a SIP
    /// user name (gencred…@sip.telnyx.com)
    #[arg(value_name = "TARGET", num_args = 1..)]
    pub target: Vec<String>,
    /// Print the record TARGET names and its relations as JSON (secret fields hidden),
    /// instead of opening the inspector; exit 2 when nothing or several records match
    #[arg(long, requires = "target")]
    pub json: bool,
}

impl InspectArgs {
    /// The target as given: its words joined by spaces (a number pasted from a ticket
    /// as `+1 312 555 0199`, unquoted, is one target); `None` without one.
    pub fn target(&self) -> Option<String> {
        (!self.target.is_empty()).then(|| self.target.join(" "))
    }

    /// `inspect TARGET --json`: one JSON object on stdout, `{"kind", "id", "record",
    /// "relations"}`; exit 2 when the target names nothing, or several records (their
    /// descriptions and ids in the error, to pick one).
    pub async fn run_json(&self, cli: &Cli) -> ExitCode {
        let given = self.target().unwrap_or_default();
        let given = given.trim();
        // The sandbox (under --demo) lives as long as this binding: dropped inside a
        // match arm, it stopped before the first request, and `--demo` never answered.
        let (client, _sandbox) = match connect(cli, "inspect", false).await {
            Ok(connected) => connected,
            Err(problem) => return problem.of("inspect").report(true),
        };
        let found = match crate::target::find(&client, given).await {
            Ok(found) => found,
            Err(error) => return Problem::api(&error).of("inspect").report(true),
        };
        let one = match <[Found; 1]>::try_from(found) {
            Ok([one]) => one,
            Err(found) if found.is_empty() => {
                let message = format!(
                    "no record of this account is {given:?}: give a connection or profile id, a credential \
                     or order UUID, a phone number or a SIP user name"
                );
                return Problem::new("inspect", "not_found", message).report(true);
            }
            Err(found) => {
                let message = format!(
                    "{given:?} could be {} records: {}; give the id of the one you mean (all of them are in `ids`)",
                    found.len(),
                    crate::target::could_be(&found)
                );
                let ids = found.into_iter().map(|f| f.id).collect();
                return Problem::new("inspect", "ambiguous_target", message).with_ids(ids).report(true);
            }
        };
        let relations = match relations(&client, &one).await {
            Ok(relations) => relations,
            Err(error) => return Problem::api(&error).of("inspect").report(true),
        };
        let mut printed = json!({
            "kind": one.kind.collection(),
            "id": one.id,
            "record": one.record,
            "relations": relations,
        });
        crate::secret::redact_json(&mut printed, "(hidden)");
        let text = serde_json::to_string_pretty(&printed).unwrap_or_default() + "\n";
        match output::print(&text) {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("telnyx-setup inspect: cannot print the record: {error}");
                ExitCode::from(USAGE_ERROR)
            }
        }
    }
}

/// The records `found` relates to, as the inspector's relations follow them, read at
/// once: a connection's profile, numbers and credentials; a profile's connections; a
/// number's, an order's or a credential's connection.
async fn relations(client: &Client, found: &Found) -> Result<Value, ApiError> {
    let page = PageRequest::first(250);
    let record = &found.record;
    let one = |collection: &'static str, id: Option<String>| async move {
        match id {
            Some(id) => match client.get_raw(collection, &id).await {
                Err(ApiError::NotFound(_)) => Ok(Value::Null),
                read => read,
            },
            None => Ok(Value::Null),
        }
    };
    let text = |value: &Value| value.as_str().map(str::to_owned);
    Ok(match found.kind {
        Kind::Connection => {
            let numbers = [("filter[connection_id]", found.id.clone())];
            let credentials = [("filter[resource_id]", format!("connection:{}", found.id))];
            let (profile, numbers, credentials) = futures::try_join!(
                one("outbound_voice_profiles", text(&record["outbound"]["outbound_voice_profile_id"])),
                client.list_raw("phone_numbers", page, &numbers),
                client.list_raw("telephony_credentials", page, &credentials),
            )?;
            json!({
                "outbound_voice_profile": profile,
                "phone_numbers": numbers.data,
                "telephony_credentials": credentials.data,
            })
        }
        Kind::Profile => {
            let filter = [("filter[outbound_voice_profile_id]", found.id.clone())];
            json!({ "credential_connections": client.list_raw("credential_connections", page, &filter).await?.data })
        }
        Kind::Number | Kind::Order => {
            json!({ "credential_connection": one("credential_connections", text(&record["connection_id"])).await? })
        }
        Kind::Credential => {
            let connection = record["resource_id"].as_str().and_then(|r| r.strip_prefix("connection:"));
            json!({ "credential_connection": one("credential_connections", connection.map(str::to_owned)).await? })
        }
    })
}
