//! `plan_submission`: may the order go to Beluga now, and if so the exact call to queue.
//!
//! A trigger goes through [`decide_submit`], a staff retry (`manual`) through
//! [`decide_retry`]; both answer with `decide_submit`'s words: `submit`, `wait` (not ready:
//! the reasons say why) or `skip` (already submitted, closed, or not a Beluga order). Then
//! the visit is built and validated once ([`build_visit`] runs the contract validator); a body
//! that fails is a `wait` with its reasons and violations.
//!
//! ## Choices where the spec is silent
//! - The `masterId` is the order's own when it has one (every retry reuses it, whatever
//!   candidate the host passed); otherwise the host's candidate, and the plan's `facts` carry
//!   a `master_id` fact the host applies and stores before it sends the call.
//! - The dedupe key keeps the service's format `beluga_submit:{masterId}:{attempt}`, where
//!   `attempt` is the number of submit calls already queued for the order (0 for the first),
//!   so a service upgraded in the middle of a retry never sends a call twice.
//! - A staff retry carries no trigger; a request with both is misuse.

use super::{instant, CallKind, Finding, HttpMethod, InvalidRequest, PlannedCall};
use crate::calendar::today_at_utc_minus_10;
use crate::order::reason::Reason;
use crate::order::snapshot::{non_blank, OrderSnapshot};
use crate::order::state::Fact;
use crate::order::submit::{decide_retry, decide_submit, SubmitVerdict, Trigger};
use crate::order::visit::build_visit;
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The request of `plan_submission`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSubmissionRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The auto-submit trigger; absent for a staff retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    /// A staff retry (`POST …/submit-to-beluga`) rather than a trigger.
    pub manual: bool,
    /// A fresh random `masterId` candidate; used only when the order has none yet.
    pub master_id: String,
    /// Submit calls already queued for this order (0 for the first): the dedupe key's suffix.
    pub attempt: u32,
    /// The current instant; the rules' date is its date at UTC−10.
    #[serde(deserialize_with = "instant")]
    #[schemars(with = "crate::api::wire::Instant")]
    pub now: DateTime<Utc>,
}

/// The answer of `plan_submission`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubmissionPlan {
    /// `submit`, `wait` or `skip` (the words of `decide_submit`).
    pub decision: SubmitVerdict,
    /// Why not `submit`: readiness reasons and the built body's contract violations.
    pub violations: Vec<Finding>,
    /// The `masterId` of the visit, when submitting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_id: Option<String>,
    /// Facts to apply and store before sending (the new `masterId`); empty otherwise.
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// The call to queue, when submitting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<PlannedCall>,
}

impl SubmissionPlan {
    fn refused(decision: SubmitVerdict, violations: Vec<Finding>) -> Self {
        Self {
            decision,
            violations,
            master_id: None,
            facts: Vec::new(),
            call: None,
        }
    }
}

/// The verdict of the trigger (`decide_submit`) or the staff retry (`decide_retry`), in
/// `decide_submit`'s words, with its reasons.
fn verdict(
    request: &PlanSubmissionRequest,
    today: NaiveDate,
) -> Result<(SubmitVerdict, Vec<Reason>), InvalidRequest> {
    let snapshot = &request.input;
    match (request.manual, request.trigger) {
        (true, Some(_)) => Err(InvalidRequest::at(
            "/trigger",
            "absent for a staff retry (`manual: true`)",
        )),
        (false, None) => Err(InvalidRequest::at(
            "/trigger",
            "an auto-submit trigger when `manual` is false",
        )),
        (true, None) => {
            let retry = decide_retry(snapshot, today);
            let verdict = if !retry.allowed {
                SubmitVerdict::Skip
            } else if !retry.would_succeed {
                SubmitVerdict::Wait
            } else {
                SubmitVerdict::Submit
            };
            Ok((verdict, retry.reasons))
        }
        (false, Some(trigger)) => {
            let decision = decide_submit(snapshot, trigger, today);
            Ok((decision.decision, decision.reasons))
        }
    }
}

/// Plans the submission (see the module docs).
pub fn plan_submission(request: &PlanSubmissionRequest) -> Result<SubmissionPlan, InvalidRequest> {
    let candidate = request.master_id.trim();
    if candidate.is_empty() {
        return Err(InvalidRequest::at("/master_id", "a non-empty string"));
    }
    let snapshot = &request.input;
    let today = today_at_utc_minus_10(request.now);
    let (verdict, reasons) = verdict(request, today)?;
    if verdict != SubmitVerdict::Submit {
        return Ok(SubmissionPlan::refused(
            verdict,
            reasons.iter().map(Finding::from).collect(),
        ));
    }
    let stored = non_blank(snapshot.order.beluga.master_id.as_ref()).map(str::trim);
    let master_id = stored.unwrap_or(candidate).to_owned();
    let built = build_visit(snapshot, &master_id, today);
    let body = match built.body {
        Some(body) if built.valid => body,
        _ => {
            let violations = built
                .reasons
                .iter()
                .map(Finding::from)
                .chain(built.violations.iter().map(Finding::from))
                .collect();
            return Ok(SubmissionPlan::refused(SubmitVerdict::Wait, violations));
        }
    };
    let facts = match stored {
        Some(_) => Vec::new(),
        None => vec![Fact::MasterId {
            master_id: master_id.clone(),
        }],
    };
    let call = PlannedCall {
        kind: CallKind::BelugaSubmit,
        method: HttpMethod::Post,
        path: built.endpoint.trim_start_matches('/').to_owned(),
        endpoint: built.kind.contract_kind().name().to_owned(),
        body: Some(body),
        dedupe_key: Some(format!("beluga_submit:{master_id}:{}", request.attempt)),
    };
    Ok(SubmissionPlan {
        decision: SubmitVerdict::Submit,
        violations: Vec::new(),
        master_id: Some(master_id),
        facts,
        call: Some(call),
    })
}
