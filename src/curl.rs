//! The equivalent curl of what the program sends: [`calls_of`] turns a worker
//! [`Request`] into the HTTP requests the worker sends for it, built by the API
//! client's own [`Call`] builders, and [`render`] writes one as a curl command with
//! the key as `$TELNYX_API_KEY` and the JSON body pretty-printed. The wizard's curl
//! panel (`c`) and `setup --dry-run` print these.
//!
//! An id that is not known yet (the connection a dry run would create) is a shell
//! variable: [`var`] marks it inside a path or a body, and [`render`] writes it as
//! `"${NAME}"` outside the single quotes, so the command runs once it is set. Secret
//! fields of a body ([`SECRET_PATTERNS`](crate::secret::SECRET_PATTERNS)) become
//! `${SIP_PASSWORD}` unless revealed.

use crate::api::{Call, PageRequest, PhoneNumberFilter, PhoneNumberUpdate, TelephonyCredentialFilter};
use crate::msg::Request;
use crate::worker::LIST_SIZE;

/// Starts the mark of a shell variable in a path segment or body string: a
/// private-use character, which JSON leaves as it is, then [`key`].
const VAR: char = '\u{E000}';

/// The variable a secret field of a body is shown as, unless revealed.
pub const SECRET_VAR: &str = "SIP_PASSWORD";

/// The program's own shell variables: no other name is ever written as one.
pub const VARIABLES: &[&str] =
    &["CONNECTION_ID", "PROFILE_ID", "CREDENTIAL_ID", "PHONE_NUMBER_ID", "ORDER_ID", SECRET_VAR];

/// What follows [`VAR`] in a mark: random, drawn once per process, and never shown
/// (a variable is rendered as `"${NAME}"`). Server text can hold the private-use
/// character (a profile named `Prof\u{E000}TELNYX_API_KEY\u{E000}` once made a plan
/// send the key in a body), but it cannot hold this, so only [`var`] makes a mark.
fn key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..24).map(|_| char::from(b'a' + rng.random_range(0..26u8))).collect()
    })
}

/// `name`, one of the program's own [`VARIABLES`], as a shell variable inside a
/// [`Call`]'s path or body: rendered `"${name}"`.
pub fn var(name: &str) -> String {
    debug_assert!(VARIABLES.contains(&name), "{name} is not one of the program's variables");
    format!("{VAR}{}{name}{VAR}", key())
}

/// `text` for a person: each variable as `${NAME}`, everything else as it is (the
/// id a dry run's step will have, in `--json`).
pub fn shown(text: &str) -> String {
    split_vars(text)
        .into_iter()
        .map(|(part, is_var)| if is_var { format!("${{{part}}}") } else { part.to_owned() })
        .collect()
}

/// The HTTP requests the worker sends for `request`, in order. A create is preceded
/// by the look for an earlier try's result (the worker's look-before-create); an id
/// that only an answer gives (the phone number record to assign) is a [`var`].
pub fn calls_of(request: &Request) -> Vec<Call> {
    let first = PageRequest::first(LIST_SIZE);
    match request {
        Request::SignIn { .. } | Request::ReadBalance => vec![Call::balance()],
        Request::ListConnections => vec![Call::list_credential_connections(first, None)],
        Request::CreateConnection { body, first_try } => {
            let look = Call::list_credential_connections(first, Some(&body.connection_name));
            looked_for(*first_try, look, Call::create_credential_connection(body))
        }
        Request::UpdateConnection { id, update } => vec![Call::update_credential_connection(id, update)],
        Request::ListProfiles => vec![Call::list_outbound_voice_profiles(first, None)],
        Request::CreateProfile { body, first_try, .. } => {
            let look = Call::list_outbound_voice_profiles(first, Some(&body.name));
            looked_for(*first_try, look, Call::create_outbound_voice_profile(body))
        }
        Request::UpdateProfile { id, update } => vec![Call::update_outbound_voice_profile(id, update)],
        Request::SearchNumbers(search) => vec![Call::search_available_numbers(search)],
        Request::PlaceOrder { body, first_try } => match &body.customer_reference {
            Some(reference) => {
                let look = Call::list_number_orders(PageRequest::first(1), Some(reference));
                looked_for(*first_try, look, Call::create_number_order(body))
            }
            None => vec![Call::create_number_order(body)],
        },
        Request::CheckOrder { id, .. } => vec![Call::number_order(id)],
        Request::FindOrder { reference } => {
            vec![
                Call::list_number_orders(PageRequest::first(1), Some(reference)),
                Call::number_order(&var("ORDER_ID")),
            ]
        }
        Request::ListConnectionNumbers { connection_id } => {
            let filter = PhoneNumberFilter { connection_id: Some(connection_id.clone()), phone_number: None };
            vec![Call::list_phone_numbers(first, &filter)]
        }
        Request::AssignNumbers { connection_id, phone_numbers } => phone_numbers
            .iter()
            .flat_map(|e164| {
                let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
                let filter = PhoneNumberFilter { connection_id: None, phone_number: Some(digits) };
                let update = PhoneNumberUpdate { connection_id: connection_id.clone() };
                [
                    Call::list_phone_numbers(first, &filter),
                    Call::update_phone_number(&var("PHONE_NUMBER_ID"), &update),
                ]
            })
            .collect(),
        Request::ListCredentials { connection_id } => {
            let filter = TelephonyCredentialFilter {
                resource_id: Some(format!("connection:{connection_id}")),
                tag: None,
            };
            vec![Call::list_telephony_credentials(first, &filter)]
        }
        Request::CreateCredential { body, first_try, .. } => {
            let filter = TelephonyCredentialFilter {
                resource_id: Some(format!("connection:{}", body.connection_id)),
                tag: body.tag.clone(),
            };
            looked_for(
                *first_try,
                Call::list_telephony_credentials(first, &filter),
                Call::create_telephony_credential(body),
            )
        }
        Request::CreateToken { credential_id } => vec![Call::create_token(credential_id)],
        Request::Browse { collection, page, size, filters } => {
            vec![Call::list_raw(collection, PageRequest { number: Some(*page), size: Some(*size) }, filters)]
        }
        Request::BrowseMany { collection, first, last, size, filters } => (*first..=*last)
            .map(|page| {
                Call::list_raw(collection, PageRequest { number: Some(page), size: Some(*size) }, filters)
            })
            .collect(),
        Request::FindTarget { given } => crate::target::calls(given),
        Request::Fetch { collection, id } => vec![Call::get_raw(collection, id)],
        // A WebSocket login, not an HTTP request: curl has no equivalent.
        Request::TestLogin { .. } => Vec::new(),
        // WebSocket logins and a WebRTC call; its temporary credentials' creates and
        // deletes show in the requests pane as they are sent.
        Request::TestCall { .. } => Vec::new(),
        // The doctor reads much more; these are its first reads of the connection.
        Request::Diagnose { connection_id, .. } => {
            vec![Call::credential_connection(connection_id), Call::check_registration_status(connection_id)]
        }
    }
}

/// A create, after the look for an earlier try's result unless it is the first try
/// (then the list the user chose from stands for the look, and the worker skips it).
fn looked_for(first_try: bool, look: Call, create: Call) -> Vec<Call> {
    if first_try { vec![create] } else { vec![look, create] }
}

/// `call` as a curl command against `base` (`https://api.telnyx.com/v2`), on several
/// lines joined by `\`. Secret fields of the body are `${SIP_PASSWORD}` unless `reveal`.
pub fn render(base: &str, call: &Call, reveal: bool) -> String {
    let mut url = base.trim_end_matches('/').to_owned();
    for segment in &call.path {
        url.push('/');
        // A variable stays whole; anything else is percent-encoded as a path segment.
        url.extend(split_vars(segment).into_iter().map(|(text, is_var)| {
            if is_var {
                var(text)
            } else {
                url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
            }
        }));
    }
    if !call.query.is_empty() {
        let pairs: Vec<String> = call
            .query
            .iter()
            .map(|(key, value)| {
                // As in the path, a variable stays whole and the rest is encoded.
                let value: String = split_vars(value)
                    .into_iter()
                    .map(|(text, is_var)| {
                        if is_var {
                            var(text)
                        } else {
                            url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
                        }
                    })
                    .collect();
                format!("{key}={value}")
            })
            .collect();
        url = format!("{url}?{}", pairs.join("&"));
    }
    // -g: the brackets of page[number] and filter[...] are not curl's URL globbing;
    // --fail-with-body: a refusal fails the command (a script with `set -e` stops),
    // and Telnyx's reason is still printed.
    let mut lines = vec![match call.method {
        crate::api::Verb::Get => format!("curl -sS -g --fail-with-body {}", quote(&url)),
        method => format!("curl -sS -g --fail-with-body -X {} {}", method.as_str(), quote(&url)),
    }];
    lines.push("  -H \"Authorization: Bearer $TELNYX_API_KEY\"".to_owned());
    if let Some(body) = &call.body {
        let mut body = body.clone();
        if !reveal {
            crate::secret::redact_json(&mut body, &var(SECRET_VAR));
        }
        let text = json_escaping_controls(&serde_json::to_string_pretty(&body).unwrap_or_default());
        lines.push("  -H 'Content-Type: application/json'".to_owned());
        lines.push(format!("  -d {}", quote(&text)));
    }
    lines.join(" \\\n")
}

/// `json` with DEL and the C1 controls, which serde leaves raw inside strings, written
/// as JSON escapes (`\u009b`): the same string to the server, and no raw control on the
/// terminal, where [`crate::output`] would otherwise escape them Rust's way and make
/// the body invalid JSON. Outside strings JSON holds none of them.
fn json_escaping_controls(json: &str) -> String {
    json.chars()
        .map(|c| match c {
            '\u{7f}'..='\u{9f}' => format!("\\u{:04x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Every call of `requests`, rendered, one command after another.
pub fn render_all(base: &str, requests: &[Request], reveal: bool) -> Vec<String> {
    requests.iter().flat_map(calls_of).map(|call| render(base, &call, reveal)).collect()
}

/// Splits `text` into literal parts (`false`) and variable names (`true`). Only a
/// whole mark [`var`] made is a variable; a private-use character anywhere else (in
/// server text) stays in the literal text, as data.
fn split_vars(text: &str) -> Vec<(&str, bool)> {
    let mut parts = Vec::new();
    let mut literal = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find(VAR) {
        let start = at + found;
        let after = start + VAR.len_utf8();
        let named = text[after..].strip_prefix(key()).and_then(|rest| {
            VARIABLES.iter().find(|name| rest.strip_prefix(**name).is_some_and(|tail| tail.starts_with(VAR)))
        });
        match named {
            Some(name) => {
                if literal < start {
                    parts.push((&text[literal..start], false));
                }
                parts.push((*name, true));
                literal = after + key().len() + name.len() + VAR.len_utf8();
                at = literal;
            }
            None => at = after,
        }
    }
    if literal < text.len() {
        parts.push((&text[literal..], false));
    }
    parts
}

/// `text` for a POSIX shell: literal parts quoted by [`shlex`] (and always quoted, so
/// a URL reads as one word), variables as `"${NAME}"` between them, so only the
/// program's own variables expand and everything else is data.
pub fn quote(text: &str) -> String {
    let parts = split_vars(text);
    if parts.is_empty() {
        return "''".to_owned();
    }
    parts
        .into_iter()
        .map(|(part, is_var)| if is_var { format!("\"${{{part}}}\"") } else { quote_literal(part) })
        .collect()
}

/// `text` quoted for a POSIX shell as one word of data.
fn quote_literal(text: &str) -> String {
    // A NUL cannot be passed to a program at all; JSON and percent-encoding never
    // leave one raw, so this is a last resort that keeps the rest data.
    let text = text.replace('\0', "\u{fffd}");
    match shlex::try_quote(&text) {
        // Left bare: only letters, digits and `+-./:@]_`, so single quotes are safe.
        Ok(quoted) if quoted == text => format!("'{text}'"),
        Ok(quoted) => quoted.into_owned(),
        Err(_) => "''".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NewCredentialConnection;
    use crate::secret::Secret;

    #[test]
    fn a_create_renders_with_the_key_variable_and_a_hidden_password() {
        let body = NewCredentialConnection {
            connection_name: "Bob's phones".into(),
            user_name: "bob01".into(),
            password: Secret::from("hunter2-hunter2"),
            tags: Vec::new(),
            inbound: None,
            outbound: None,
            sip_uri_calling_preference: None,
        };
        let calls = calls_of(&Request::CreateConnection { body, first_try: false });
        assert_eq!(calls.len(), 2, "the look, then the create");
        let text = render("https://api.telnyx.com/v2", &calls[1], false);
        assert!(
            text.starts_with(
                "curl -sS -g --fail-with-body -X POST 'https://api.telnyx.com/v2/credential_connections'"
            ),
            "{text}"
        );
        assert!(text.contains("Bearer $TELNYX_API_KEY"));
        assert!(!text.contains("hunter2"), "{text}");
        // The shell's words, as shlex's own parser reads them (it expands nothing).
        let words = shlex::split(&text.replace(" \\\n", " ")).expect("the command parses");
        let body = words.iter().skip_while(|w| *w != "-d").nth(1).expect("a body");
        let body: serde_json::Value = serde_json::from_str(body).expect("the body is JSON");
        assert_eq!(body["connection_name"], "Bob's phones");
        assert_eq!(body["password"], "${SIP_PASSWORD}", "{text}");
        assert!(text.contains(r#""${SIP_PASSWORD}""#), "expanded by the shell: {text}");
        assert!(render("https://api.telnyx.com/v2", &calls[1], true).contains("hunter2-hunter2"));
        let look = render("http://127.0.0.1:1/v2", &calls[0], false);
        assert!(look.contains("credential_connections?page[number]=1&page[size]=250&filter[connection_name][contains]=Bob%27s+phones"), "{look}");
    }

    #[test]
    fn unknown_ids_are_shell_variables() {
        let call = Call::credential_connection(&var("CONNECTION_ID"));
        let text = render("https://api.telnyx.com/v2", &call, false);
        assert!(
            text.starts_with(
                r#"curl -sS -g --fail-with-body 'https://api.telnyx.com/v2/credential_connections/'"${CONNECTION_ID}""#
            ),
            "{text}"
        );
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), r#""it's""#);
        assert_eq!(shown(&format!("id {}", var("CONNECTION_ID"))), "id ${CONNECTION_ID}");
    }

    #[test]
    fn only_the_programs_own_variables_expand() {
        // Server text holding the marker around a name stays data, marker and all.
        let planted = "Prof\u{E000}TELNYX_API_KEY\u{E000}";
        assert_eq!(quote(planted), "'Prof\u{E000}TELNYX_API_KEY\u{E000}'");
        assert_eq!(quote("\u{E000}CONNECTION_ID\u{E000}"), "'\u{E000}CONNECTION_ID\u{E000}'");
        assert_eq!(
            quote(&format!("a{planted}{}b", var("PROFILE_ID"))),
            format!("'a{planted}'\"${{PROFILE_ID}}\"'b'")
        );
        let call = Call::update_outbound_voice_profile(
            &var("PROFILE_ID"),
            &crate::api::OutboundVoiceProfileUpdate {
                name: planted.into(),
                whitelisted_destinations: vec![],
            },
        );
        let text = render("https://api.telnyx.com/v2", &call, false);
        assert!(!text.contains("${TELNYX_API_KEY}") && text.contains("${PROFILE_ID}"), "{text}");
        assert!(text.contains("Bearer $TELNYX_API_KEY"), "{text}");
        // Shell metacharacters, quotes and newlines are data.
        assert_eq!(
            quote("$(touch x)`y`\n'\"\\"),
            r#"'$(touch x)`y`
'"'\"\\""#
        );
    }
}
