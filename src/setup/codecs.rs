//! The codecs a connection may take: which are offered, what a new connection gets,
//! and the rows the codecs step (and `setup`) start from.

/// The codecs offered, in the order they are listed and sent, with what each is for.
const OFFERED: [(&str, &str); 7] = [
    ("OPUS", "wideband audio, what browsers prefer"),
    ("G722", "wideband audio"),
    ("G711U", "narrowband audio (PCMU), North America"),
    ("G711A", "narrowband audio (PCMA), rest of the world"),
    ("G729", "low-bandwidth audio"),
    ("H.264", "video"),
    ("VP8", "video, required for video calls from browsers"),
];

/// The codecs a connection is created with: every offered one, in the offered order,
/// which is Telnyx's defaults (G722, G711U, G711A, G729, OPUS, H.264) and VP8. The codecs
/// screen then shows them all checked, and Enter on it sends nothing.
pub fn new_connection_codecs() -> Vec<String> {
    OFFERED.iter().map(|(name, _)| (*name).to_owned()).collect()
}

/// What a connection's codecs become when the choice is left open (`setup` without
/// `--codecs`, the wizard's Enter on the codecs screen as it opens): its own, in its
/// order, plus VP8, which browsers need for video and Telnyx leaves off.
pub fn left_open(current: &[String]) -> Vec<String> {
    let mut codecs = current.to_vec();
    if !codecs.iter().any(|c| c == "VP8") {
        codecs.push("VP8".into());
    }
    codecs
}

/// One row of the codec list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecChoice {
    pub name: String,
    pub about: &'static str,
    pub enabled: bool,
}

/// The rows for a connection. One created in this run gets every offered codec in
/// the offered order, VP8 checked (Telnyx leaves it off on new connections). One that
/// existed opens on what the plan keeps for a choice left open ([`left_open`]): its
/// own codecs in its order and VP8, checked, then the offered ones it lacks,
/// unchecked; so Enter means what `setup` without `--codecs` does.
pub fn codec_choices(current: &[String], created: bool) -> Vec<CodecChoice> {
    let about =
        |name: &str| OFFERED.iter().find(|(n, _)| *n == name).map_or("set on this connection", |(_, a)| a);
    let kept = left_open(current);
    if created {
        let mut choices: Vec<CodecChoice> = OFFERED
            .iter()
            .map(|(name, about)| CodecChoice {
                name: (*name).to_owned(),
                about,
                enabled: kept.iter().any(|c| c == name),
            })
            .collect();
        for codec in current.iter().filter(|codec| !OFFERED.iter().any(|(name, _)| name == codec)) {
            choices.push(CodecChoice { name: codec.clone(), about: about(codec), enabled: true });
        }
        return choices;
    }
    let mut choices: Vec<CodecChoice> = kept
        .iter()
        .map(|codec| CodecChoice { name: codec.clone(), about: about(codec), enabled: true })
        .collect();
    for (name, about) in OFFERED.iter().filter(|(name, _)| !kept.iter().any(|c| c == name)) {
        choices.push(CodecChoice { name: (*name).to_owned(), about, enabled: false });
    }
    choices
}
