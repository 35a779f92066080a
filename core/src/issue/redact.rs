//! Keeping input values out of messages: partner names fit for logs and serde errors without
//! the value they quote.

/// A partner-supplied name (event, status) fit for logs: kept when it looks like an
/// identifier or status word — ASCII letters first, then letters, digits, `_`, `.` or spaces,
/// at most 64 characters — else `unknown`. Event names are partner identifiers, but an
/// unknown one is still partner data, so anything else never reaches an audit entry.
pub fn safe_name(name: &str) -> String {
    let name = name.trim();
    let ok = name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ' '));
    if ok {
        name.to_owned()
    } else {
        "unknown".to_owned()
    }
}

/// serde messages quote input values: strings in `"…"`, other scalars and unknown enum
/// variants in backticks (``invalid type: integer `5` ``, ``unknown variant `x` ``). Keeps
/// the kind of mismatch and what was expected, never the value; the names of missing,
/// unknown or duplicate members (keys, not values) are kept.
pub fn redact_serde(message: &str) -> String {
    // serde writes the expectation after the value: the last `, expected ` is its own
    // (an input value may hold the same words).
    let (head, expected) = match message.rfind(", expected ") {
        Some(pos) => message.split_at(pos),
        None => (message, ""),
    };
    let names_a_member = ["missing field `", "unknown field `", "duplicate field `"]
        .iter()
        .any(|prefix| head.starts_with(prefix));
    let kept = match head.find(['`', '"']) {
        Some(pos) if !names_a_member => format!("{} …", head.split_at(pos).0.trim_end()),
        _ => head.to_owned(),
    };
    format!("{kept}{expected}")
}
