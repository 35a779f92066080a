//! API operations of the `order` domain: readiness, submission, visit building, pharmacy
//! selection and routing, the prescription boundary, the state machine, the cancel guard,
//! message rules, the patient view and diagnosis.
//!
//! Every operation reads the order snapshot from `input`; a snapshot that does not match the
//! schema is an `ApiError` `schema_error` whose `path` points into the request
//! (`/input/patient/ssn`) and whose message says what was expected, never the value.

use super::params::{evaluation_date, now, opt_bool, opt_str, req_str};
use super::{to_value, ApiError, ApiErrorCode, OpInfo};
use crate::boundary::check_boundary;
use crate::diagnosis::diagnose;
use crate::diagnosis::patient_view;
use crate::order::cancel::check_cancel;
use crate::order::messages::message_visibility;
use crate::order::readiness::check_readiness;
use crate::order::snapshot::{parse_snapshot, OrderSnapshot};
use crate::order::state::{apply_facts, Fact, OrderState};
use crate::order::submit::{decide_retry, decide_submit, Trigger};
use crate::order::visit::build_visit;
use crate::routing::{route_fulfillment, select_pharmacy};
use chrono::NaiveDate;
use serde_json::Value;

/// Operations of this domain.
pub(super) const OPS: &[OpInfo] = &[
    OpInfo { name: "check_readiness", summary: "may the order go to Beluga now: ready, not_ready with reasons, or not_required ({input, today|now})" },
    OpInfo { name: "decide_submit", summary: "auto-submit for a trigger: submit, wait(reasons) or skip ({input, trigger, today|now})" },
    OpInfo { name: "decide_retry", summary: "may staff retry the Beluga submission, and would it still fail ({input, today|now})" },
    OpInfo { name: "build_visit", summary: "the createNoPayPhotos (or lab) body, validated; violations instead when invalid ({input, master_id, today|now})" },
    OpInfo { name: "select_pharmacy", summary: "the Beluga pharmacy by the priority rule ({input})" },
    OpInfo { name: "route_fulfillment", summary: "the per-item fulfillment routing plan with each route's requirements ({input})" },
    OpInfo { name: "check_boundary", summary: "the prescription boundary per item, and violations ({input, now})" },
    OpInfo { name: "order_state", summary: "the order's status fields ({input})" },
    OpInfo { name: "apply_order_facts", summary: "applies facts forward-only; answers the snapshot and its state ({input, facts})" },
    OpInfo { name: "check_cancel", summary: "may the Beluga visit be cancelled: allowed, needs_confirmation or refused, with consequences ({input, reason?, confirmed?})" },
    OpInfo { name: "message_visibility", summary: "message channels and visibility, checked against the snapshot's activities ({input})" },
    OpInfo { name: "patient_view", summary: "the order as its patient may see it ({input, now})" },
    OpInfo { name: "diagnose", summary: "stage, blockers, next action and actor, escalations and bundle ({input, now})" },
];

/// The snapshot under `input`, strictly parsed.
pub(super) fn snapshot(request: &Value) -> Result<OrderSnapshot, ApiError> {
    let input = super::params::input(request)?;
    parse_snapshot(input).map_err(|e| {
        ApiError::new(
            ApiErrorCode::SchemaError,
            format!("`input` is not a valid order snapshot: {}", e.expected),
        )
        .at(format!("/input{}", e.pointer))
    })
}

/// `today`, else `now` at UTC−10; one of them is required.
fn today(request: &Value) -> Result<NaiveDate, ApiError> {
    evaluation_date(request)?
        .ok_or_else(|| ApiError::invalid_request("today", "an ISO date YYYY-MM-DD (or give `now`)"))
}

fn trigger(request: &Value) -> Result<Trigger, ApiError> {
    let name = req_str(request, "trigger")
        .map_err(|_| ApiError::invalid_request("trigger", TRIGGER_LIST))?;
    Trigger::from_name(name).ok_or_else(|| ApiError::invalid_request("trigger", TRIGGER_LIST))
}

const TRIGGER_LIST: &str = "one of checkout_paid, intake_completed, intake_resubmitted, intake_approved, invoice_paid, subscription_payment_succeeded, refill_payment_succeeded, manual_order_created";

fn facts(request: &Value) -> Result<Vec<Fact>, ApiError> {
    let list = request
        .get("facts")
        .ok_or_else(|| ApiError::invalid_request("facts", "an array of facts"))?;
    serde_path_to_error::deserialize::<_, Vec<Fact>>(list).map_err(|e| {
        let pointer = crate::issue::JsonPath::from_serde(e.path()).to_pointer();
        ApiError::new(
            ApiErrorCode::SchemaError,
            format!(
                "`facts` do not match their schema: {}",
                super::params::redact_serde(&e.inner().to_string())
            ),
        )
        .at(format!("/facts{pointer}"))
    })
}

/// Answers `op` when it belongs to this domain, else `None`.
pub(super) fn dispatch(op: &str, request: &Value) -> Option<Result<Value, ApiError>> {
    let run = || -> Result<Value, ApiError> {
        match op {
            "check_readiness" => {
                let today = today(request)?;
                to_value(&check_readiness(&snapshot(request)?, today))
            }
            "decide_submit" => {
                let trigger = trigger(request)?;
                let today = today(request)?;
                to_value(&decide_submit(&snapshot(request)?, trigger, today))
            }
            "decide_retry" => {
                let today = today(request)?;
                to_value(&decide_retry(&snapshot(request)?, today))
            }
            "build_visit" => {
                let master_id = req_str(request, "master_id")?;
                if master_id.trim().is_empty() {
                    return Err(ApiError::invalid_request("master_id", "a non-empty string"));
                }
                let today = today(request)?;
                to_value(&build_visit(&snapshot(request)?, master_id, today))
            }
            "select_pharmacy" => to_value(&select_pharmacy(&snapshot(request)?)),
            "route_fulfillment" => to_value(&route_fulfillment(&snapshot(request)?)),
            "check_boundary" => {
                let now = now(request)?;
                to_value(&check_boundary(&snapshot(request)?, now))
            }
            "order_state" => to_value(&OrderState::of(&snapshot(request)?)),
            "apply_order_facts" => {
                let facts = facts(request)?;
                let mut snap = snapshot(request)?;
                apply_facts(&mut snap, &facts);
                Ok(serde_json::json!({
                    "state": to_value(&OrderState::of(&snap))?,
                    "snapshot": to_value(&snap)?,
                }))
            }
            "check_cancel" => {
                let reason = opt_str(request, "reason")?;
                let confirmed = opt_bool(request, "confirmed")?.unwrap_or(false);
                to_value(&check_cancel(&snapshot(request)?, reason, confirmed))
            }
            "message_visibility" => to_value(&message_visibility(&snapshot(request)?)),
            "patient_view" => {
                let now = now(request)?;
                to_value(&patient_view(&snapshot(request)?, now))
            }
            "diagnose" => {
                let now = now(request)?;
                to_value(&diagnose(&snapshot(request)?, now))
            }
            _ => Err(ApiError::new(ApiErrorCode::UnknownOp, String::new())),
        }
    };
    if OPS.iter().any(|o| o.name == op) {
        Some(run())
    } else {
        None
    }
}
