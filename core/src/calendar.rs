//! The business calendar: the one date rule of rxgate, at the bottom of the crate.
//!
//! Rules that depend on "today" (the 18+ age rule, readiness, submission planning) evaluate
//! on the **business date**: `today` when the caller gives one, else the date of `now` at
//! UTC−10 (Hawaii), which is never ahead of any US state's local date. The bindings read
//! their platform's clock and ask this module for the date, so every surface agrees.
//!
//! This module imports nothing of the crate: every layer may use it.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The business date of `now`: its date at UTC−10 (Hawaii), never ahead of any US state's
/// local date.
pub fn today_at_utc_minus_10(now: DateTime<Utc>) -> NaiveDate {
    (now - Duration::hours(10)).date_naive()
}

/// The date rules are evaluated on: `today` when given, else the business date of `now`,
/// else `None`.
pub fn evaluation_date(today: Option<NaiveDate>, now: Option<DateTime<Utc>>) -> Option<NaiveDate> {
    today.or_else(|| now.map(today_at_utc_minus_10))
}

/// [`today_at_utc_minus_10`] of a Unix-milliseconds clock reading, as `YYYY-MM-DD`, for the
/// bindings, which read their platform's clock (`None` outside chrono's range).
pub fn business_date_of_unix_ms(unix_ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(unix_ms).map(|now| today_at_utc_minus_10(now).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_business_date_is_the_date_at_utc_minus_10() {
        let day = |text: &str| at(text).map(|now| today_at_utc_minus_10(now).to_string());
        // 09:59 UTC on the 24th is still the 23rd in Hawaii; 10:00 UTC is the 24th.
        assert_eq!(day("2026-11-24T09:59:59Z").as_deref(), Some("2026-11-23"));
        assert_eq!(day("2026-11-24T10:00:00Z").as_deref(), Some("2026-11-24"));
    }

    #[test]
    fn today_wins_over_now_and_neither_gives_none() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 2);
        let now = at("2026-11-24T05:00:00Z");
        assert_eq!(evaluation_date(today, now), today);
        assert_eq!(
            evaluation_date(None, now),
            NaiveDate::from_ymd_opt(2026, 11, 23)
        );
        assert_eq!(evaluation_date(None, None), None);
    }

    #[test]
    fn unix_milliseconds_give_the_business_date() {
        // 2026-11-24T05:00:00Z
        assert_eq!(
            business_date_of_unix_ms(1_795_496_400_000).as_deref(),
            Some("2026-11-23")
        );
        assert_eq!(business_date_of_unix_ms(i64::MAX), None);
    }
}
