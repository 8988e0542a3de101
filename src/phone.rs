//! Phone-number forms that both the product (the doctor) and the sandbox read the same
//! way, kept apart from either: the sandbox imports small shared modules like this one,
//! never the product's, and the product never imports the sandbox for a rule of its own.

/// Whether `number` is E.164 as Telnyx reads it (its D35 check, its `+E.164` fields):
/// `+`, a country code that does not start with 0, 8 to 15 digits in all.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

#[cfg(test)]
mod tests {
    use super::is_e164;

    #[test]
    fn e164_is_a_plus_and_8_to_15_digits_not_starting_with_0() {
        assert!(is_e164("+13129457420"));
        assert!(is_e164("+49301234"), "8 digits");
        assert!(!is_e164("+4930123"), "7 digits");
        assert!(is_e164(&format!("+1{}", "2".repeat(14))), "15 digits");
        assert!(!is_e164(&format!("+1{}", "2".repeat(15))), "16 digits");
        assert!(!is_e164("3129457420"), "no +");
        assert!(!is_e164("+0123456789"), "no country code starts with 0");
        assert!(!is_e164("+1312"), "too short");
        assert!(!is_e164("+1 312 945 7420"), "spaces");
        assert!(!is_e164("5550100"));
    }
}
