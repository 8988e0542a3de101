//! Telnyx sends money as decimal strings ("1.00"); sums are kept in cents so the cart
//! total is exact.

/// No price or balance comes near this (ten trillion units); bounding amounts here
/// keeps any sum of them far from overflowing an i64.
pub const MAX_CENTS: i64 = 1_000_000_000_000_000;

/// `"12.5"` is 1250 cents. `None` for text that is not a decimal amount, or one beyond
/// [`MAX_CENTS`] either way, which can only be a mistake.
pub fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
        || fraction.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = whole.checked_mul(100)?.checked_add(fraction)?;
    (cents <= MAX_CENTS).then_some(if negative { -cents } else { cents })
}

/// A price in cents: as [`parse_cents`], but `None` for a negative amount too. A
/// balance can be negative; a price cannot, and a negative one (a hostile or broken
/// answer) would make a cart look cheaper than it is, so it counts as unreadable.
pub fn parse_price(text: &str) -> Option<i64> {
    parse_cents(text).filter(|cents| *cents >= 0)
}

/// 1250 cents is `"12.50"`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_through_cents() {
        assert_eq!(parse_cents("250.00"), Some(25_000));
        assert_eq!(parse_cents("1.5"), Some(150));
        assert_eq!(parse_cents("7"), Some(700));
        assert_eq!(parse_cents("-0.05"), Some(-5));
        assert_eq!(parse_cents(".5"), Some(50));
        for bad in ["", ".", "1.234", "abc", "1,00", "--1", "92233720368547758.07", "10000000000000.01"] {
            assert_eq!(parse_cents(bad), None, "{bad:?}");
        }
        assert_eq!(parse_price("1.00"), Some(100));
        assert_eq!(parse_price("0"), Some(0));
        assert_eq!(parse_price("-0.05"), None, "no price is negative");
        assert_eq!(parse_price("-100.00"), None);
        assert_eq!(format_cents(24_899), "248.99");
        assert_eq!(format_cents(-5), "-0.05");
        assert_eq!(format_cents(0), "0.00");
    }
}
