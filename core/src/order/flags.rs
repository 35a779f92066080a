//! Flags have a life (issue 15 item 5): staff acknowledge or resolve a flag event processing
//! raised, with a reason. [`decide_flag_action`] says whether the action is allowed and
//! answers the fact that records it ([`Fact::FlagSettled`]); the diagnosis escalates only
//! flags still open. A later event of the same kind raises a new flag (its own instant), open.
//!
//! Choices where the spec is silent: a reason is required for both actions; an acknowledged
//! flag may still be resolved, a resolved one is final; a flag is named by its code and the
//! instant it was raised (every flag of that code and instant is settled together).

use super::codes;
use super::reason::{Actor, Reason};
use super::snapshot::{FlagOutcome, FlagSettlement, OrderSnapshot};
use super::state::Fact;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The verdict on a staff action on a flag.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FlagActionDecision {
    /// The action.
    pub action: FlagOutcome,
    /// The flag's code.
    pub code: String,
    /// The action may be taken now.
    pub allowed: bool,
    /// Why it is refused.
    pub reasons: Vec<Reason>,
    /// The fact to apply when allowed (`apply_order_facts`).
    pub fact: Option<Fact>,
}

/// What staff ask: settle the flag of `code` raised at `raised_at` as `action`.
#[derive(Debug, Clone, Copy)]
pub struct FlagAction<'a> {
    /// Acknowledge or resolve.
    pub action: FlagOutcome,
    /// The flag's code.
    pub code: &'a str,
    /// When it was raised.
    pub raised_at: Option<DateTime<Utc>>,
    /// Why (required, non-blank).
    pub reason: Option<&'a str>,
    /// Who (the API key id).
    pub by: &'a str,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Decides a staff acknowledge or resolve of one flag.
pub fn decide_flag_action(snapshot: &OrderSnapshot, a: FlagAction<'_>) -> FlagActionDecision {
    let mut reasons = Vec::new();
    let flags: Vec<_> = snapshot
        .order
        .flags
        .iter()
        .filter(|f| f.code == a.code && f.raised_at == a.raised_at)
        .collect();
    if flags.is_empty() {
        reasons.push(Reason::new(codes::FLAG_NOT_FOUND, Actor::Cs, &[]));
    }
    let reason = a.reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_none() {
        reasons.push(Reason::new(codes::FLAG_REASON_MISSING, Actor::Cs, &[]));
    }
    let settled = flags.iter().filter_map(|f| f.settled.as_ref()).max();
    if let Some(s) = settled.filter(|s| s.outcome >= a.action) {
        let was = match s.outcome {
            FlagOutcome::Acknowledged => "acknowledged",
            FlagOutcome::Resolved => "resolved",
        };
        reasons.push(Reason::new(
            codes::FLAG_ALREADY_SETTLED,
            Actor::Cs,
            &[("outcome", was)],
        ));
    }
    let allowed = reasons.is_empty();
    let fact = reason.filter(|_| allowed).map(|reason| Fact::FlagSettled {
        code: a.code.to_owned(),
        raised_at: a.raised_at,
        settlement: FlagSettlement {
            outcome: a.action,
            at: a.now,
            by: a.by.to_owned(),
            reason: reason.to_owned(),
        },
    });
    FlagActionDecision {
        action: a.action,
        code: a.code.to_owned(),
        allowed,
        reasons,
        fact,
    }
}
