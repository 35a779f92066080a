//! Rules for single values: names, dates of birth, phones, emails, free text, state, zip,
//! sex. Each is a pure function answering the broken rule as a code and the facts its
//! message needs — never the value.

use super::codes;
use crate::issue::Code;
use chrono::{Datelike, NaiveDate};

/// A broken rule: its code and message facts.
pub type Broken = (Code, Vec<(&'static str, String)>);

fn broken(code: Code) -> Broken {
    (code, Vec::new())
}

fn broken_with(code: Code, key: &'static str, value: impl Into<String>) -> Broken {
    (code, vec![(key, value.into())])
}

/// The 50 states and DC: the default allowable list.
pub const DEFAULT_STATES: [&str; 51] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY",
];

/// Whether `value` has more than `max` characters: counted only when its length in bytes
/// says it could (a character is one to four bytes).
fn longer_than(value: &str, max: usize) -> bool {
    value.len() > max && value.chars().count() > max
}

/// `value.chars().any(char::is_control)` read byte by byte: the control characters
/// (U+0000–U+001F, U+007F–U+009F) are the UTF-8 bytes below 0x20, 0x7F, and the two-byte
/// forms 0xC2 0x80–0xC2 0x9F (in UTF-8 a 0xC2 is always a first byte).
fn has_control(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(at, &b)| {
        b < 0x20 || b == 0x7f || (b == 0xc2 && bytes.get(at + 1).is_some_and(|&next| next <= 0x9f))
    })
}

/// Characters after trimming, at most `max`, and no control characters.
pub(crate) fn text(value: &str, max: usize) -> Result<(), Broken> {
    if has_control(value) {
        return Err(broken(codes::TEXT_CONTROL_CHARACTERS));
    }
    if longer_than(value.trim(), max) {
        return Err(broken_with(codes::TEXT_TOO_LONG, "max", max.to_string()));
    }
    Ok(())
}

/// Free text (medications, allergies, conditions): at most `max` characters; line breaks
/// are allowed.
pub(crate) fn text_length(value: &str, max: usize) -> Result<(), Broken> {
    if longer_than(value.trim(), max) {
        return Err(broken_with(codes::TEXT_TOO_LONG, "max", max.to_string()));
    }
    Ok(())
}

/// An address line or city: 200 characters at most, no control characters.
pub(crate) fn address(value: &str) -> Result<(), Broken> {
    text(value, 200)
}

/// True for combining marks (accents written as separate code points).
fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A person's name: 1–100 characters after trimming; letters of any script, spaces and
/// `'`, `-`, `.`, `,`.
pub fn name(value: &str) -> Result<(), Broken> {
    text(value, 100)?;
    let allowed = |c: char| {
        c.is_alphabetic() || is_combining(c) || matches!(c, ' ' | '\'' | '-' | '.' | ',' | '’')
    };
    if value.trim().chars().all(allowed) {
        Ok(())
    } else {
        Err(broken(codes::NAME_INVALID_CHARACTERS))
    }
}

/// Parses `MM/DD/YYYY` strictly: the shape, then a real calendar date.
pub(crate) fn us_date(value: &str) -> Result<NaiveDate, DateProblem> {
    let bytes = value.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            2 | 5 => *b == b'/',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(DateProblem::Format);
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> { value.get(range)?.parse().ok() };
    let (Some(month), Some(day), Some(year)) = (number(0..2), number(3..5), number(6..10)) else {
        return Err(DateProblem::Format);
    };
    let year = i32::try_from(year).map_err(|_| DateProblem::Format)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateProblem::NotADate)
}

/// Why a `MM/DD/YYYY` string is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateProblem {
    /// Not the `MM/DD/YYYY` shape.
    Format,
    /// The shape, but no such day.
    NotADate,
}

/// The day a person born on `dob` turns 18: a 29 February birthday turns 18 on 1 March in
/// common years.
pub fn eighteenth_birthday(dob: NaiveDate) -> Option<NaiveDate> {
    let year = dob.year().checked_add(18)?;
    NaiveDate::from_ymd_opt(year, dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// Date of birth: shape, calendar, not in the future, 18 or older on `today` (when known).
pub(crate) fn dob(value: &str, today: Option<NaiveDate>) -> Result<(), Broken> {
    let date = us_date(value).map_err(|p| match p {
        DateProblem::Format => broken(codes::DOB_FORMAT),
        DateProblem::NotADate => broken(codes::DOB_NOT_A_DATE),
    })?;
    let Some(today) = today else {
        return Ok(());
    };
    let day = || today.format("%Y-%m-%d").to_string();
    if date > today {
        return Err(broken_with(codes::DOB_IN_FUTURE, "today", day()));
    }
    match eighteenth_birthday(date) {
        Some(adult) if adult <= today => Ok(()),
        _ => Err(broken_with(codes::DOB_UNDER_18, "today", day())),
    }
}

const TOLL_FREE: [&str; 7] = ["800", "833", "844", "855", "866", "877", "888"];

/// A US mobile number: ten ASCII digits, NANP area code and exchange, not toll-free,
/// premium-rate or fictional.
pub fn phone(value: &str) -> Result<(), Broken> {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(broken(codes::PHONE_FORMAT));
    }
    let (area, rest) = value.split_at(3);
    let (exchange, line) = rest.split_at(3);
    let n11 = |part: &str| part.get(1..) == Some("11");
    let starts_2_to_9 = |part: &str| part.bytes().next().is_some_and(|b| b >= b'2');
    if !starts_2_to_9(area) {
        return Err(broken_with(
            codes::PHONE_NOT_NANP,
            "rule",
            "the area code must start with 2-9",
        ));
    }
    if !starts_2_to_9(exchange) {
        return Err(broken_with(
            codes::PHONE_NOT_NANP,
            "rule",
            "the exchange must start with 2-9",
        ));
    }
    if n11(area) || n11(exchange) {
        return Err(broken_with(
            codes::PHONE_NOT_NANP,
            "rule",
            "an N11 service code is not a number",
        ));
    }
    if TOLL_FREE.contains(&area) {
        return Err(broken_with(
            codes::PHONE_NOT_MOBILE,
            "rule",
            "toll-free area code",
        ));
    }
    if area == "900" {
        return Err(broken_with(
            codes::PHONE_NOT_MOBILE,
            "rule",
            "premium-rate area code",
        ));
    }
    if exchange == "555" && line.starts_with("01") {
        return Err(broken_with(
            codes::PHONE_NOT_MOBILE,
            "rule",
            "555-01XX numbers are fictional",
        ));
    }
    Ok(())
}

/// An email address: one `@`, a local part, a dotted domain with a 2+ letter TLD, no
/// spaces, 254 characters at most.
pub fn email(value: &str) -> Result<(), Broken> {
    let rule = |r: &str| broken_with(codes::EMAIL_INVALID, "rule", r);
    if longer_than(value, 254) {
        return Err(rule("longer than 254 characters"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(rule("contains spaces or control characters"));
    }
    let mut parts = value.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(rule("needs exactly one @"));
    };
    if local.is_empty() {
        return Err(rule("nothing before the @"));
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err(rule("the domain needs a dot and no empty labels"));
    }
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
        return Err(rule("the top-level domain needs 2 or more letters"));
    }
    Ok(())
}

/// Exactly two capital ASCII letters.
pub(crate) fn state_format(value: &str) -> Result<(), Broken> {
    let bytes = value.as_bytes();
    if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_uppercase) {
        Ok(())
    } else {
        Err(broken(codes::STATE_FORMAT))
    }
}

/// In the allowable list (`None`: the 50 states and DC).
pub(crate) fn state_allowed(value: &str, allowed: Option<&[String]>) -> Result<(), Broken> {
    let (ok, count) = match allowed {
        Some(list) => (list.iter().any(|s| s == value), list.len()),
        None => (DEFAULT_STATES.contains(&value), DEFAULT_STATES.len()),
    };
    if ok {
        Ok(())
    } else {
        Err(broken_with(
            codes::STATE_NOT_ALLOWED,
            "count",
            count.to_string(),
        ))
    }
}

/// Exactly five ASCII digits.
pub fn zip(value: &str) -> Result<(), Broken> {
    let bytes = value.as_bytes();
    if bytes.len() == 5 && bytes.iter().all(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err(broken(codes::ZIP_FORMAT))
    }
}

/// `Male` or `Female` exactly.
pub(crate) fn sex(value: &str) -> Result<(), Broken> {
    if matches!(value, "Male" | "Female") {
        Ok(())
    } else {
        Err(broken(codes::SEX_INVALID))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn code(r: Result<(), Broken>) -> Option<&'static str> {
        r.err().map(|(c, _)| c.as_str())
    }

    /// The byte forms answer what the `chars` forms they replace answer: every control
    /// character and its neighbours, alone and inside text of one- to four-byte characters.
    #[test]
    fn control_and_length_by_bytes_match_chars() {
        let mut samples: Vec<String> =
            ["", "Ana", "María", "李娜", "👩‍⚕️", "a\u{a0}b", "\u{c2}\u{a9}"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
        for code in (0u32..=0xa0).chain([0x2028, 0x200b, 0xfeff]) {
            if let Some(c) = char::from_u32(code) {
                samples.push(c.to_string());
                samples.push(format!("é{c}x"));
                samples.push(format!("ab{c}"));
            }
        }
        for s in &samples {
            assert_eq!(
                super::has_control(s),
                s.chars().any(char::is_control),
                "{s:?}"
            );
            for max in 0..=s.len() + 1 {
                assert_eq!(
                    super::longer_than(s, max),
                    s.chars().count() > max,
                    "{s:?} {max}"
                );
            }
        }
    }

    #[test]
    fn leap_day_birthdays_turn_18_on_march_first() {
        assert_eq!(
            eighteenth_birthday(NaiveDate::from_ymd_opt(2008, 2, 29).unwrap_or_default()),
            day(2026, 3, 1)
        );
        assert_eq!(
            code(dob("02/29/2008", day(2026, 2, 28))),
            Some("dob_under_18")
        );
        assert_eq!(code(dob("02/29/2008", day(2026, 3, 1))), None);
        assert_eq!(code(dob("11/23/2008", day(2026, 11, 23))), None);
        assert_eq!(
            code(dob("11/24/2008", day(2026, 11, 23))),
            Some("dob_under_18")
        );
    }

    #[test]
    fn dob_shapes_and_calendar() {
        assert_eq!(code(dob("1990-04-02", None)), Some("dob_format"));
        assert_eq!(code(dob("4/2/1990", None)), Some("dob_format"));
        assert_eq!(code(dob("02/30/1990", None)), Some("dob_not_a_date"));
        assert_eq!(
            code(dob("01/01/2030", day(2026, 11, 23))),
            Some("dob_in_future")
        );
        assert_eq!(code(dob("01/01/2030", None)), None);
    }

    #[test]
    fn phones() {
        assert_eq!(code(phone("5124567890")), None);
        assert_eq!(code(phone("512456789")), Some("phone_format"));
        assert_eq!(code(phone("51245678９0")), Some("phone_format"));
        assert_eq!(code(phone("1124567890")), Some("phone_not_nanp"));
        assert_eq!(code(phone("5121567890")), Some("phone_not_nanp"));
        assert_eq!(code(phone("4114567890")), Some("phone_not_nanp"));
        assert_eq!(code(phone("8004567890")), Some("phone_not_mobile"));
        assert_eq!(code(phone("9004567890")), Some("phone_not_mobile"));
        assert_eq!(code(phone("5125550142")), Some("phone_not_mobile"));
        assert_eq!(code(phone("5125550242")), None);
    }

    #[test]
    fn emails_names_and_codes() {
        assert_eq!(code(email("a.b@example.com")), None);
        for bad in [
            "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@b.c", "a@b..co", "a@b.c0",
        ] {
            assert_eq!(code(email(bad)), Some("email_invalid"), "{bad}");
        }
        assert_eq!(code(name("José-María O'Neil Jr.")), None);
        assert_eq!(code(name("Jose\u{0301}")), None);
        assert_eq!(code(name("R2D2")), Some("name_invalid_characters"));
        assert_eq!(code(name(&"a".repeat(101))), Some("text_too_long"));
        assert_eq!(code(state_format("ca")), Some("state_format"));
        assert_eq!(code(state_allowed("PR", None)), Some("state_not_allowed"));
        assert_eq!(code(zip("1234")), Some("zip_format"));
        assert_eq!(code(sex("male")), Some("sex_invalid"));
    }
}
