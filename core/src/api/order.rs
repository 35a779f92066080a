//! API operations of the `order` domain: readiness, submission, visit building, pharmacy
//! selection and routing, the prescription boundary, the state machine, the cancel guard,
//! message rules, the patient view and diagnosis.
//!
//! Every operation reads the order snapshot from `input`; a snapshot that does not match the
//! schema is an `ApiError` `schema_error` whose `path` points into the request
//! (`/input/patient/ssn`) and whose message says what was expected, never the value.

use super::params::{evaluation_date, now, opt_bool, opt_now, opt_str, req_str};
use super::wire::{one_of, Instant};
use super::{ApiError, ApiErrorCode, Request};
use crate::boundary::{check_boundary, BoundaryReport};
use crate::diagnosis::{diagnose, patient_view, Diagnosis, PatientView};
use crate::order::cancel::{check_cancel, CancelDecision};
use crate::order::messages::{message_visibility, MessageVisibility};
use crate::order::readiness::{check_readiness, Readiness};
use crate::order::snapshot::{parse_snapshot, OrderSnapshot};
use crate::order::state::{apply_facts, Fact, OrderState};
use crate::order::submit::{decide_retry, decide_submit, RetryDecision, SubmitDecision, Trigger};
use crate::order::visit::{build_visit, BuiltVisit};
use crate::routing::{route_fulfillment, select_pharmacy, PharmacySelection, RoutePlan};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

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

/// The request of the operations that read only the snapshot.
#[derive(JsonSchema)]
pub struct OrderRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
}

impl Request<'_> for OrderRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        Ok(Self {
            input: snapshot(request)?,
        })
    }
}

/// The request of the operations that evaluate the snapshot on a date.
#[derive(JsonSchema)]
pub struct DatedOrderRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The date rules are evaluated on; else the date of `now` at UTC−10 (one is required).
    pub today: Option<NaiveDate>,
    /// The current instant (gives `today` when `today` is absent).
    pub now: Option<Instant>,
    #[schemars(skip)]
    date: NaiveDate,
}

impl Request<'_> for DatedOrderRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let date = today(request)?;
        Ok(Self {
            now: opt_now(request)?,
            today: Some(date),
            date,
            input: snapshot(request)?,
        })
    }
}

/// The request of the operations that evaluate the snapshot at an instant.
#[derive(JsonSchema)]
pub struct TimedOrderRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The current instant.
    pub now: Instant,
}

impl Request<'_> for TimedOrderRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let at = now(request)?;
        Ok(Self {
            now: Instant(at),
            input: snapshot(request)?,
        })
    }
}

impl TimedOrderRequest {
    fn at(&self) -> DateTime<Utc> {
        self.now.0
    }
}

/// The request of `decide_submit`.
#[derive(JsonSchema)]
pub struct DecideSubmitRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The event that may auto-submit the order.
    pub trigger: Trigger,
    /// The date rules are evaluated on; else the date of `now` at UTC−10 (one is required).
    pub today: Option<NaiveDate>,
    /// The current instant (gives `today` when `today` is absent).
    pub now: Option<Instant>,
    #[schemars(skip)]
    date: NaiveDate,
}

impl Request<'_> for DecideSubmitRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let triggers = || one_of(Trigger::ALL.iter().map(|t| t.name()));
        let name = req_str(request, "trigger")
            .map_err(|_| ApiError::invalid_request("trigger", &triggers()))?;
        let trigger = Trigger::from_name(name)
            .ok_or_else(|| ApiError::invalid_request("trigger", &triggers()))?;
        let date = today(request)?;
        Ok(Self {
            trigger,
            now: opt_now(request)?,
            today: Some(date),
            date,
            input: snapshot(request)?,
        })
    }
}

/// The request of `build_visit`.
#[derive(JsonSchema)]
pub struct BuildVisitRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The `masterId` of the visit (non-empty).
    pub master_id: String,
    /// The date rules are evaluated on; else the date of `now` at UTC−10 (one is required).
    pub today: Option<NaiveDate>,
    /// The current instant (gives `today` when `today` is absent).
    pub now: Option<Instant>,
    #[schemars(skip)]
    date: NaiveDate,
}

impl Request<'_> for BuildVisitRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let master_id = req_str(request, "master_id")?;
        if master_id.trim().is_empty() {
            return Err(ApiError::invalid_request("master_id", "a non-empty string"));
        }
        let date = today(request)?;
        Ok(Self {
            master_id: master_id.to_owned(),
            now: opt_now(request)?,
            today: Some(date),
            date,
            input: snapshot(request)?,
        })
    }
}

/// The request of `apply_order_facts`.
#[derive(JsonSchema)]
pub struct ApplyOrderFactsRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The facts to apply, in order.
    pub facts: Vec<Fact>,
}

impl Request<'_> for ApplyOrderFactsRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        Ok(Self {
            facts: facts(request)?,
            input: snapshot(request)?,
        })
    }
}

/// The answer of `apply_order_facts`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AppliedFacts {
    /// The order's status fields after the facts.
    pub state: OrderState,
    /// The snapshot after the facts.
    pub snapshot: OrderSnapshot,
}

/// The request of `check_cancel`.
#[derive(JsonSchema)]
pub struct CheckCancelRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// Why staff cancel (required by some states).
    pub reason: Option<String>,
    /// Staff confirmed the consequences.
    pub confirmed: Option<bool>,
}

impl Request<'_> for CheckCancelRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        Ok(Self {
            reason: opt_str(request, "reason")?.map(str::to_owned),
            confirmed: opt_bool(request, "confirmed")?,
            input: snapshot(request)?,
        })
    }
}

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

/// `check_readiness`.
pub(super) fn readiness(r: DatedOrderRequest) -> Result<Readiness, ApiError> {
    Ok(check_readiness(&r.input, r.date))
}

/// `decide_submit`.
pub(super) fn submit(r: DecideSubmitRequest) -> Result<SubmitDecision, ApiError> {
    Ok(decide_submit(&r.input, r.trigger, r.date))
}

/// `decide_retry`.
pub(super) fn retry(r: DatedOrderRequest) -> Result<RetryDecision, ApiError> {
    Ok(decide_retry(&r.input, r.date))
}

/// `build_visit`.
pub(super) fn visit(r: BuildVisitRequest) -> Result<BuiltVisit, ApiError> {
    Ok(build_visit(&r.input, &r.master_id, r.date))
}

/// `select_pharmacy`.
pub(super) fn pharmacy(r: OrderRequest) -> Result<PharmacySelection, ApiError> {
    Ok(select_pharmacy(&r.input))
}

/// `route_fulfillment`.
pub(super) fn routes(r: OrderRequest) -> Result<RoutePlan, ApiError> {
    Ok(route_fulfillment(&r.input))
}

/// `queue_routes`.
pub(super) fn queue_routes(
    r: TimedOrderRequest,
) -> Result<crate::events::outbox::QueuedRoutes, ApiError> {
    Ok(crate::events::outbox::queue_routes(&r.input, r.at()))
}

/// The request of `decide_route_action`.
#[derive(JsonSchema)]
pub struct RouteActionRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// `retry` or `force`.
    pub action: crate::events::outbox::RouteStaffAction,
    /// The app's id of the route's pharmacy.
    pub pharmacy_id: String,
    /// Why staff force it (required for `force`; never echoed).
    pub reason: Option<String>,
    /// The current instant.
    pub now: Instant,
}

impl Request<'_> for RouteActionRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        use crate::events::outbox::RouteStaffAction;
        let action = match req_str(request, "action")? {
            "retry" => RouteStaffAction::Retry,
            "force" => RouteStaffAction::Force,
            _ => return Err(ApiError::invalid_request("action", "one of retry, force")),
        };
        Ok(Self {
            action,
            pharmacy_id: req_str(request, "pharmacy_id")?.to_owned(),
            reason: opt_str(request, "reason")?.map(str::to_owned),
            now: Instant(now(request)?),
            input: snapshot(request)?,
        })
    }
}

/// `decide_route_action`.
pub(super) fn decide_route_action(
    r: RouteActionRequest,
) -> Result<crate::events::outbox::RouteActionDecision, ApiError> {
    Ok(crate::events::outbox::decide_route_action(
        &r.input,
        r.action,
        &r.pharmacy_id,
        r.reason.as_deref(),
        r.now.0,
    ))
}

/// The request of `decide_flag_action`.
#[derive(JsonSchema)]
pub struct FlagActionRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// `acknowledged` or `resolved`.
    pub action: crate::order::snapshot::FlagOutcome,
    /// The flag's code.
    pub code: String,
    /// When the flag was raised (RFC 3339; absent for a flag without an instant).
    pub raised_at: Option<String>,
    /// Why (required, non-blank).
    pub reason: Option<String>,
    /// Who (the API key id).
    pub by: String,
    /// The current instant.
    pub now: Instant,
}

impl Request<'_> for FlagActionRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        use crate::order::snapshot::FlagOutcome;
        let action = match req_str(request, "action")? {
            "acknowledged" => FlagOutcome::Acknowledged,
            "resolved" => FlagOutcome::Resolved,
            _ => {
                return Err(ApiError::invalid_request(
                    "action",
                    "one of acknowledged, resolved",
                ))
            }
        };
        let raised_at = opt_str(request, "raised_at")?;
        if let Some(text) = raised_at {
            if DateTime::parse_from_rfc3339(text).is_err() {
                return Err(ApiError::invalid_request(
                    "raised_at",
                    "an RFC 3339 instant",
                ));
            }
        }
        Ok(Self {
            action,
            code: req_str(request, "code")?.to_owned(),
            raised_at: raised_at.map(str::to_owned),
            reason: opt_str(request, "reason")?.map(str::to_owned),
            by: req_str(request, "by")?.to_owned(),
            now: Instant(now(request)?),
            input: snapshot(request)?,
        })
    }
}

/// `decide_flag_action`.
pub(super) fn decide_flag_action(
    r: FlagActionRequest,
) -> Result<crate::order::flags::FlagActionDecision, ApiError> {
    let raised_at = r
        .raised_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|d| d.with_timezone(&Utc));
    Ok(crate::order::flags::decide_flag_action(
        &r.input,
        crate::order::flags::FlagAction {
            action: r.action,
            code: &r.code,
            raised_at,
            reason: r.reason.as_deref(),
            by: &r.by,
            now: r.now.0,
        },
    ))
}

/// `check_boundary`.
pub(super) fn boundary(r: TimedOrderRequest) -> Result<BoundaryReport, ApiError> {
    Ok(check_boundary(&r.input, r.at()))
}

/// `order_state`.
pub(super) fn state(r: OrderRequest) -> Result<OrderState, ApiError> {
    Ok(OrderState::of(&r.input))
}

/// `apply_order_facts`.
pub(super) fn apply_order_facts(r: ApplyOrderFactsRequest) -> Result<AppliedFacts, ApiError> {
    let mut snapshot = r.input;
    apply_facts(&mut snapshot, &r.facts);
    Ok(AppliedFacts {
        state: OrderState::of(&snapshot),
        snapshot,
    })
}

/// `check_cancel`.
pub(super) fn cancel(r: CheckCancelRequest) -> Result<CancelDecision, ApiError> {
    Ok(check_cancel(
        &r.input,
        r.reason.as_deref(),
        r.confirmed.unwrap_or(false),
    ))
}

/// `message_visibility`.
pub(super) fn messages(r: OrderRequest) -> Result<MessageVisibility, ApiError> {
    Ok(message_visibility(&r.input))
}

/// `patient_view`.
pub(super) fn view(r: TimedOrderRequest) -> Result<PatientView, ApiError> {
    let at = r.at();
    Ok(patient_view(&r.input, at))
}

/// `diagnose`.
pub(super) fn diagnosis(r: TimedOrderRequest) -> Result<Diagnosis, ApiError> {
    let at = r.at();
    Ok(diagnose(&r.input, at))
}
