//! `plan_visit_fetch`: when the service fetches a submitted visit's status from Beluga next
//! (issue 16 item 1, "live visit status").
//!
//! Beluga sends no webhook for the non-terminal statuses (`active`, `pending`, `admin`,
//! `holding`) nor for `rxHistory`; the service reads them with `GET
//! visit/externalFetch/{masterId}`, on a schedule this rule sets:
//!
//! - only a submitted visit (`SUBMITTED` with a `masterId`) without a terminal status
//!   (`resolved`, `canceled`) is fetched;
//! - the interval grows with the visit's age (since `submitted_at`): `base_ms` × 1 in the first
//!   hour, × 5 in the first day, × 30 in the first week, × 120 after;
//! - and with the fetches that found nothing new (`attempt`): × 2^attempt, at most × 16; a
//!   fetch that found a newer status (by the state's own merge rule: terminal first, then the
//!   newest `updateTimestamp`) starts again at attempt 0;
//! - it is capped at `max_ms`, then spread by the host's `jitter` (a number in [0, 1] the host
//!   draws; the core takes no randomness) to 0.8–1.2 × the interval, capped again.
//!
//! The per-minute bound over all visits is the host's (a budget of fetches per minute).

use super::{instant, InvalidRequest};
use crate::order::snapshot::OrderSnapshot;
use crate::order::state::{merge_visit, SubmitStatus, VisitFact, VisitStatus};
use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The request of `plan_visit_fetch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanVisitFetchRequest {
    /// The order snapshot as it is now (after the last fetch's facts were applied).
    pub input: OrderSnapshot,
    /// The visit status the previous plan saw (its answer's `seen`); absent the first time.
    #[serde(default)]
    pub seen: Option<SeenVisit>,
    /// Fetches since the status last changed (the previous answer's `attempt`; 0 at first).
    #[serde(default)]
    pub attempt: u32,
    /// A number in [0, 1] the host draws for the jitter.
    pub jitter: f64,
    /// The schedule's base interval and cap.
    #[serde(default)]
    pub schedule: FetchSchedule,
    /// Now.
    #[serde(deserialize_with = "instant")]
    #[schemars(with = "crate::api::wire::Instant")]
    pub now: DateTime<Utc>,
}

/// A visit status as a plan saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeenVisit {
    /// The status.
    pub status: VisitStatus,
    /// Its `updateTimestamp` (non-terminal statuses from a fetch).
    #[serde(default, deserialize_with = "optional_instant")]
    #[schemars(with = "Option<crate::api::wire::Instant>")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The schedule's parameters (the service's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchSchedule {
    /// The interval of a new visit with no fruitless fetch, in milliseconds (default 60 000).
    #[serde(default = "default_base")]
    pub base_ms: u64,
    /// The longest interval, in milliseconds (default 6 h).
    #[serde(default = "default_max")]
    pub max_ms: u64,
}

fn default_base() -> u64 {
    60_000
}

fn default_max() -> u64 {
    6 * 3_600_000
}

impl Default for FetchSchedule {
    fn default() -> Self {
        Self {
            base_ms: default_base(),
            max_ms: default_max(),
        }
    }
}

/// Why a visit is (not) fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FetchState {
    /// Submitted, no terminal status: fetched on schedule.
    Open,
    /// Not (yet) accepted by Beluga: nothing to fetch.
    NotSubmitted,
    /// `resolved` or `canceled`: nothing changes any more.
    Terminal,
}

/// The answer of `plan_visit_fetch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VisitFetchPlan {
    /// Whether the visit is fetched on schedule.
    pub poll: bool,
    /// Why.
    pub state: FetchState,
    /// The order's visit status is newer than `seen` (the last fetch found a change).
    pub changed: bool,
    /// The status to hand back as `seen` next time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<SeenVisit>,
    /// The `attempt` to hand back next time (the fetch at `next_at` counted).
    pub attempt: u32,
    /// The interval to the next fetch, in milliseconds (0 when not polled).
    pub interval_ms: u64,
    /// When to fetch next (absent when not polled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::api::wire::Instant>")]
    pub next_at: Option<DateTime<Utc>>,
}

fn optional_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "instant")] DateTime<Utc>);
    Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
}

/// The age factor: × 1 in the first hour, × 5 the first day, × 30 the first week, × 120 after.
fn age_factor(age: Duration) -> u64 {
    if age < Duration::hours(1) {
        1
    } else if age < Duration::days(1) {
        5
    } else if age < Duration::days(7) {
        30
    } else {
        120
    }
}

/// The interval before jitter: base × age factor × 2^min(attempt, 4), capped at `max_ms`.
fn interval(schedule: FetchSchedule, age: Duration, attempt: u32) -> u64 {
    let backoff = 1u64 << attempt.min(4);
    schedule
        .base_ms
        .saturating_mul(age_factor(age))
        .saturating_mul(backoff)
        .min(schedule.max_ms)
}

/// The interval spread to 0.8–1.2 × by `jitter` ∈ [0, 1], capped at `max_ms`.
fn jittered(ms: u64, jitter: f64, max_ms: u64) -> u64 {
    let factor = 0.8 + 0.4 * jitter;
    // Intervals are far below 2^52 ms; the float round trip is exact enough.
    let spread = (ms as f64 * factor).round();
    if spread.is_finite() && spread >= 0.0 && spread < u64::MAX as f64 {
        (spread as u64).min(max_ms)
    } else {
        ms.min(max_ms)
    }
}

/// Whether the snapshot's visit status is newer than `seen` by the state's merge rule.
fn is_newer(current: Option<VisitFact>, seen: Option<SeenVisit>) -> bool {
    let Some(current) = current else {
        return false;
    };
    let seen = seen.map(|s| VisitFact {
        status: s.status,
        updated_at: s.updated_at,
    });
    match seen {
        None => true,
        Some(seen) => merge_visit(Some(seen), current) != Some(seen),
    }
}

/// The next fetch of the order's visit; misuse when `jitter` is not in [0, 1].
pub fn plan_visit_fetch(r: &PlanVisitFetchRequest) -> Result<VisitFetchPlan, InvalidRequest> {
    if !(r.jitter.is_finite() && (0.0..=1.0).contains(&r.jitter)) {
        return Err(InvalidRequest::at("/jitter", "a number from 0 to 1"));
    }
    let beluga = &r.input.order.beluga;
    let current = beluga.visit_status.map(|status| VisitFact {
        status,
        updated_at: beluga.visit_updated_at,
    });
    let seen = current.map(|c| SeenVisit {
        status: c.status,
        updated_at: c.updated_at,
    });
    let changed = is_newer(current, r.seen);
    let submitted =
        beluga.submit_status == Some(SubmitStatus::Submitted) && beluga.master_id.is_some();
    let state = match current {
        _ if !submitted => FetchState::NotSubmitted,
        Some(c) if c.status.is_terminal() => FetchState::Terminal,
        _ => FetchState::Open,
    };
    if state != FetchState::Open {
        return Ok(VisitFetchPlan {
            poll: false,
            state,
            changed,
            seen,
            attempt: 0,
            interval_ms: 0,
            next_at: None,
        });
    }
    let attempt = if changed { 0 } else { r.attempt };
    let age = beluga
        .submitted_at
        .map_or(Duration::zero(), |at| r.now - at)
        .max(Duration::zero());
    let ms = jittered(
        interval(r.schedule, age, attempt),
        r.jitter,
        r.schedule.max_ms,
    );
    let next_at = i64::try_from(ms)
        .ok()
        .and_then(|ms| r.now.checked_add_signed(Duration::milliseconds(ms)));
    Ok(VisitFetchPlan {
        poll: true,
        state,
        changed,
        seen,
        attempt: attempt.saturating_add(1),
        interval_ms: ms,
        next_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_with_age_and_attempts_and_stay_capped() {
        let s = FetchSchedule::default();
        assert_eq!(interval(s, Duration::minutes(5), 0), 60_000);
        assert_eq!(interval(s, Duration::hours(2), 0), 300_000);
        assert_eq!(interval(s, Duration::hours(2), 2), 1_200_000);
        assert_eq!(interval(s, Duration::days(30), 9), s.max_ms);
        assert_eq!(jittered(100_000, 0.0, u64::MAX), 80_000);
        assert_eq!(jittered(100_000, 1.0, u64::MAX), 120_000);
        assert_eq!(jittered(100_000, 1.0, 110_000), 110_000);
    }
}
