//! `record_call_outcome`: what a partner's answer to one outbox call means for the order.
//!
//! The answer is classified (Beluga's by [`parse_response`], on the body; a pharmacy's by
//! HTTP status and LifeFile's `type`), given a disposition for the outbox (`done`, `retry`,
//! `failed`), and turned into [`Fact`]s that are applied forward-only to the snapshot through
//! [`apply_facts`]; calls that must follow (the visit fetch after `Duplicate masterId`) are
//! listed for the host to queue.
//!
//! | call | answer | facts |
//! | --- | --- | --- |
//! | `beluga_submit` | success | submit `SUBMITTED` with `visitId` and `submitted_at` |
//! | `beluga_submit` | `duplicate` | none; follow-up `beluga_fetch` of `visit/externalFetch/{masterId}` (key `beluga_fetch:{masterId}`) |
//! | `beluga_submit` | any other class | submit `FAILED` with the error and `last_attempt_at` |
//! | `beluga_fetch` | success | submit `SUBMITTED`, the fetched visit (status by its `updateTimestamp`) and resolved status; its `rxHistory` is answered for staff, never a prescription record |
//! | `beluga_fetch` | failure, disposition `failed` | submit `FAILED` with the error |
//! | `beluga_photo_id` | success / failure | photo ID `SENT` / `FAILED` |
//! | `beluga_update_visit` | `NEW_RX_SENT` with `medsPrescribed` | a `NEW_RX_SENT` prescription record per med (linked by `medId`), outcome `prescribed`; the host then queues every ready route (`queue_routes`) |
//! | `dispensepro_order`, `lifefile_order` | success, or failure when `failed` | the submission record, `submitted_by: RXGATE` |
//!
//! ## Choices where the spec is silent
//! - `disposition`: `done` for success and for `duplicate` (the follow-up fetch carries the
//!   order on), `retry` only for `retry_later` while `attempt < max_attempts` (`attempt` is
//!   this send's number, 1 for the first), `failed` otherwise.
//! - The error shown on the order is Beluga's documented error string when it sent one;
//!   otherwise rxgate's own message ([`super::codes`]), never other partner text.
//! - Pharmacy answers: 2xx success (but LifeFile `{type: "error"}` is a failure,
//!   `fix_configuration`, whatever its HTTP status short of a retry: its `messages` are kept
//!   on the submission, `partner_messages`, for CS — staff only, never logged or audited); 5xx, 408, 429 and no answer `retry_later`; every other status
//!   `fix_configuration`. The partner order id (DispensePro `id`, LifeFile `data.orderId`) is
//!   kept when it looks like an identifier, the DispensePro status through `safe_name`.
//! - `{unsendable: "partner_not_configured"}`: `fix_configuration`, `failed`, and the order
//!   shows it (submit or photo ID `FAILED`, or the pharmacy submission `FAILED` with
//!   `submit_error`). Chat, CS, PDF and name calls change no order field; an update-visit call
//!   only when it answers `NEW_RX_SENT`.

use super::{codes, instant, CallKind, HttpMethod, InvalidRequest, Partner, PlannedCall};
use crate::contract::response::{
    parse_response, Class, Endpoint, HttpAnswer, Outcome, ParsedResponse, ResponseData,
    RxHistoryEntry,
};
use crate::issue::safe_name;
use crate::issue::{render, Code};
use crate::order::snapshot::Submission;
use crate::order::snapshot::{
    non_blank, OrderSnapshot, PhotoIdStatus, Prescription, PrescriptionSource, SubmissionState,
    SubmitStatus, Submitter,
};
use crate::order::state::{apply_facts, Fact, VisitOutcome};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request of `record_call_outcome`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordCallOutcomeRequest {
    /// The order snapshot as it is now.
    pub input: OrderSnapshot,
    /// The call that was (or could not be) sent.
    pub call: CallRef,
    /// What came back.
    pub answer: CallAnswer,
    /// When the answer arrived.
    #[serde(deserialize_with = "instant")]
    #[schemars(with = "crate::api::wire::Instant")]
    pub now: DateTime<Utc>,
}

/// The call an answer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRef {
    /// The outbox kind.
    pub kind: CallKind,
    /// The response endpoint of a Beluga call (`visit`, `lab`, `fetch-visit`, `photos`, …);
    /// absent: the kind's usual one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The app's pharmacy id (pharmacy calls: required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pharmacy_id: Option<String>,
    /// The order items the call carries (pharmacy calls).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_ids: Vec<String>,
    /// This send's number, 1 for the first.
    pub attempt: u32,
    /// The outbox's limit of sends.
    pub max_attempts: u32,
}

/// What came back from a call: an HTTP answer (or none), or the reason it was not sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CallAnswer {
    /// The host could not send the call.
    Unsendable(Unsendable),
    /// The partner's HTTP answer, or a network error.
    Http(HttpReply),
}

/// `{unsendable: reason}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unsendable {
    /// Why the call was not sent.
    pub unsendable: UnsendableReason,
}

/// Why a call could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnsendableReason {
    /// The service has no configuration (URL, credentials) for the call's partner.
    PartnerNotConfigured,
}

/// `{status, body, network_error?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpReply {
    /// The HTTP status (absent with a network error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The body: parsed JSON, or the text when it is not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Set when there was no answer (`timeout`, `connect`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_error: Option<String>,
}

/// What the outbox does with the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Finished.
    Done,
    /// Send again later (backoff is the host's).
    Retry,
    /// Parked for staff.
    Failed,
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CallError {
    /// The class of the failure.
    pub class: Class,
    /// rxgate's code, when the message is rxgate's own (not a Beluga string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The text shown to staff and stored on the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What customer support does about it: the response classifier's guidance for a
    /// documented Beluga error (decisions.md §2); absent for rxgate's own messages, whose
    /// text already says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
}

/// The answer of `record_call_outcome`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallOutcome {
    /// The class of the answer (`success`, `retry_later`, `fix_configuration`, …).
    pub classification: Class,
    /// What the outbox does with the call.
    pub disposition: Disposition,
    /// The snapshot with `facts` applied.
    pub snapshot: OrderSnapshot,
    /// The facts the answer established, in application order.
    pub facts: Vec<Fact>,
    /// Calls to queue now (each under its dedupe key).
    pub follow_up: Vec<PlannedCall>,
    /// Why it did not succeed; absent on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CallError>,
    /// A visit fetch's `rxHistory`: what Beluga lists as written for the visit, for staff to
    /// see. Never a prescription record: the boundary opens only on `RX_WRITTEN` or
    /// `NEW_RX_SENT` (decisions.md §3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rx_history: Vec<RxHistoryEntry>,
}

/// A classified answer, before facts.
struct Verdict {
    class: Class,
    error: Option<CallError>,
    data: Option<ResponseData>,
    partner_ids: (Option<String>, Option<String>),
    /// What the partner said when it refused (LifeFile `messages`), kept for CS.
    partner_messages: Vec<String>,
}

impl Verdict {
    fn success() -> Self {
        Self {
            class: Class::Success,
            error: None,
            data: None,
            partner_ids: (None, None),
            partner_messages: Vec::new(),
        }
    }

    fn own(class: Class, code: Code, params: &[(&str, &str)]) -> Self {
        Self {
            class,
            error: Some(CallError {
                class,
                code: Some(code.as_str().to_owned()),
                message: Some(render(code.info().template, params)),
                guidance: None,
            }),
            data: None,
            partner_ids: (None, None),
            partner_messages: Vec::new(),
        }
    }

    fn message(&self) -> Option<String> {
        self.error.as_ref().and_then(|e| e.message.clone())
    }
}

/// Classifies the answer of one call and derives its facts (see the module docs).
pub fn record_call_outcome(
    request: &RecordCallOutcomeRequest,
) -> Result<CallOutcome, InvalidRequest> {
    let call = &request.call;
    if call.attempt == 0 {
        return Err(InvalidRequest::at(
            "/call/attempt",
            "1 or more (1 is the first send)",
        ));
    }
    if call.max_attempts == 0 {
        return Err(InvalidRequest::at("/call/max_attempts", "1 or more"));
    }
    let partner = call.kind.partner();
    let verdict = match (&request.answer, partner) {
        (CallAnswer::Unsendable(_), _) => Verdict::own(
            Class::FixConfiguration,
            codes::PARTNER_NOT_CONFIGURED,
            &[("partner", partner.label())],
        ),
        (CallAnswer::Http(reply), Partner::Beluga) => beluga_verdict(call, reply)?,
        (CallAnswer::Http(reply), _) => pharmacy_verdict(partner, reply),
    };
    let disposition = match verdict.class {
        Class::Success | Class::Duplicate => Disposition::Done,
        Class::RetryLater if call.attempt < call.max_attempts => Disposition::Retry,
        _ => Disposition::Failed,
    };
    let (facts, follow_up) = match partner {
        Partner::Beluga => beluga_facts(request, &verdict, disposition)?,
        _ => (pharmacy_facts(request, &verdict, disposition)?, Vec::new()),
    };
    let mut snapshot = request.input.clone();
    apply_facts(&mut snapshot, &facts);
    let rx_history = match &verdict.data {
        Some(ResponseData::Visit(v)) if call.kind == CallKind::BelugaFetch => v.rx_history.clone(),
        _ => Vec::new(),
    };
    Ok(CallOutcome {
        classification: verdict.class,
        disposition,
        snapshot,
        facts,
        follow_up,
        error: verdict.error,
        rx_history,
    })
}

/// Classifies a Beluga answer with [`parse_response`] and names the error.
fn beluga_verdict(call: &CallRef, reply: &HttpReply) -> Result<Verdict, InvalidRequest> {
    let name = call
        .endpoint
        .as_deref()
        .or(call.kind.default_endpoint())
        .unwrap_or("visit");
    let endpoint = Endpoint::from_name(name).ok_or_else(|| {
        InvalidRequest::at(
            "/call/endpoint",
            "a Beluga response endpoint (visit, lab, photos, pdf, chat, cs-message, patient-name, update-visit, fetch-visit, …)",
        )
    })?;
    let parsed = parse_response(
        endpoint,
        &HttpAnswer {
            status: reply.status,
            body: reply.body.clone(),
            network_error: reply.network_error.clone(),
        },
    );
    Ok(beluga_error(parsed, reply.status))
}

fn beluga_error(parsed: ParsedResponse, status: Option<u16>) -> Verdict {
    let class = parsed.classification;
    if class == Class::Success {
        let mut verdict = Verdict::success();
        verdict.data = parsed.data;
        return verdict;
    }
    let status = status.map(|s| s.to_string()).unwrap_or_default();
    let beluga = [("partner", "Beluga"), ("status", status.as_str())];
    let own = |code| Verdict::own(class, code, &beluga);
    match parsed.outcome {
        Outcome::NetworkError => own(codes::PARTNER_UNREACHABLE),
        Outcome::ServerError => own(codes::PARTNER_SERVER_ERROR),
        Outcome::Unauthorized => own(codes::BELUGA_API_KEY_REFUSED),
        Outcome::Error if parsed.recognized && parsed.beluga_error.is_some() => Verdict {
            class,
            error: Some(CallError {
                class,
                code: None,
                message: parsed.beluga_error,
                guidance: Some(parsed.guidance).filter(|g| !g.is_empty()),
            }),
            data: None,
            partner_ids: (None, None),
            partner_messages: Vec::new(),
        },
        Outcome::Error => own(codes::BELUGA_ERROR_UNRECOGNIZED),
        _ => own(codes::BELUGA_ANSWER_UNEXPECTED),
    }
}

/// The order's `masterId`, which every submit and fetch outcome needs.
fn master_id(snapshot: &OrderSnapshot) -> Result<String, InvalidRequest> {
    non_blank(snapshot.order.beluga.master_id.as_ref())
        .map(|m| m.trim().to_owned())
        .ok_or_else(|| {
            InvalidRequest::at(
                "/input/order/beluga/master_id",
                "the masterId stored (plan_submission's facts) before the call was sent",
            )
        })
}

fn beluga_facts(
    request: &RecordCallOutcomeRequest,
    verdict: &Verdict,
    disposition: Disposition,
) -> Result<(Vec<Fact>, Vec<PlannedCall>), InvalidRequest> {
    let now = Some(request.now);
    let failed = Fact::Submit {
        status: SubmitStatus::Failed,
        visit_id: None,
        at: now,
        error: verdict.message(),
    };
    let success = verdict.class == Class::Success;
    Ok(match request.call.kind {
        CallKind::BelugaSubmit => {
            let master = master_id(&request.input)?;
            match verdict.class {
                Class::Success => (vec![submitted(verdict, now)], Vec::new()),
                Class::Duplicate => (Vec::new(), vec![visit_fetch(&master)]),
                _ => (vec![failed], Vec::new()),
            }
        }
        CallKind::BelugaFetch => {
            master_id(&request.input)?;
            if success {
                (fetched(verdict, now), Vec::new())
            } else if disposition == Disposition::Failed {
                (vec![failed], Vec::new())
            } else {
                (Vec::new(), Vec::new())
            }
        }
        CallKind::BelugaPhotoId => {
            let status = if success {
                PhotoIdStatus::Sent
            } else {
                PhotoIdStatus::Failed
            };
            (vec![Fact::PhotoId { status }], Vec::new())
        }
        CallKind::BelugaUpdateVisit => (new_rx_sent(&request.input, verdict, now), Vec::new()),
        _ => (Vec::new(), Vec::new()),
    })
}

/// `updateVisit` answered `NEW_RX_SENT`: a prescription confirmation (decisions.md §3). One
/// record per `medsPrescribed` entry, linked to the item ordering that `medId` (an unordered
/// one is kept unlinked, never routed), the doctor's name carried over from the visit's
/// earlier record (the answer names none); the visit outcome is `prescribed`. Items that
/// `RX_WRITTEN` already confirmed keep their route's key, so no second pharmacy order.
fn new_rx_sent(
    snapshot: &OrderSnapshot,
    verdict: &Verdict,
    at: Option<DateTime<Utc>>,
) -> Vec<Fact> {
    let Some(ResponseData::NewRx { meds_prescribed }) = &verdict.data else {
        return Vec::new();
    };
    let doctor = snapshot
        .order
        .prescriptions
        .iter()
        .find_map(|p| p.doctor_name.clone());
    let mut facts: Vec<Fact> = meds_prescribed
        .iter()
        .map(|med| {
            Fact::Prescription(Prescription {
                source: PrescriptionSource::NewRxSent,
                item_id: snapshot.item_by_med_id(&med.med_id).map(|i| i.id.clone()),
                med_id: Some(med.med_id.clone()),
                rx_id: med.rx_id.clone(),
                name: med.rx_name.clone(),
                strength: med.rx_strength.clone(),
                quantity: med.rx_quantity.clone(),
                refills: med.rx_refills.clone(),
                doctor_name: doctor.clone(),
                written_at: at,
                pharmacy_notes: None,
            })
        })
        .collect();
    if !facts.is_empty() {
        facts.push(Fact::Outcome {
            outcome: VisitOutcome::Prescribed,
        });
    }
    facts
}

fn submitted(verdict: &Verdict, at: Option<DateTime<Utc>>) -> Fact {
    let visit_id = match &verdict.data {
        Some(ResponseData::VisitCreated(created)) => Some(created.visit_id.clone()),
        _ => None,
    };
    Fact::Submit {
        status: SubmitStatus::Submitted,
        visit_id,
        at,
        error: None,
    }
}

/// The facts of a successful visit fetch: the visit exists, with its status.
fn fetched(verdict: &Verdict, at: Option<DateTime<Utc>>) -> Vec<Fact> {
    let mut facts = vec![submitted(verdict, at)];
    if let Some(ResponseData::Visit(record)) = &verdict.data {
        let status = record.visit_status;
        let updated_at = record
            .update_timestamp
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        facts.push(Fact::Visit { status, updated_at });
        if let Some(status) = record.resolved_status {
            facts.push(Fact::Resolved { status });
        }
    }
    facts
}

/// The visit fetch that reconciles a `Duplicate masterId`.
fn visit_fetch(master_id: &str) -> PlannedCall {
    PlannedCall {
        kind: CallKind::BelugaFetch,
        method: HttpMethod::Get,
        path: format!("visit/externalFetch/{master_id}"),
        endpoint: Endpoint::FetchVisit.name().to_owned(),
        body: None,
        dedupe_key: Some(format!("beluga_fetch:{master_id}")),
    }
}

/// Classifies a pharmacy answer by HTTP status (and LifeFile's `type`).
fn pharmacy_verdict(partner: Partner, reply: &HttpReply) -> Verdict {
    let label = [("partner", partner.label())];
    let status = match (reply.status, &reply.network_error) {
        (Some(status), None) => status,
        _ => return Verdict::own(Class::RetryLater, codes::PARTNER_UNREACHABLE, &label),
    };
    let text = status.to_string();
    let params = [("partner", partner.label()), ("status", text.as_str())];
    let body = parsed_body(reply.body.as_ref());
    let retry_later = matches!(status, 408 | 429 | 500..=599);
    let lifefile_error = partner == Partner::LifeFile
        && body
            .as_ref()
            .and_then(|b| b.get("type"))
            .and_then(Value::as_str)
            == Some("error");
    if lifefile_error && !retry_later {
        let messages = lifefile_messages(body.as_ref());
        let count = messages.len().to_string();
        let mut verdict = Verdict::own(
            Class::FixConfiguration,
            codes::LIFEFILE_ORDER_ERROR,
            &[("count", count.as_str())],
        );
        verdict.partner_messages = messages;
        return verdict;
    }
    match status {
        200..=299 => {
            let mut verdict = Verdict::success();
            verdict.partner_ids = partner_ids(partner, body.as_ref());
            verdict
        }
        _ if retry_later => Verdict::own(Class::RetryLater, codes::PARTNER_SERVER_ERROR, &params),
        _ => Verdict::own(
            Class::FixConfiguration,
            codes::PARTNER_CALL_REFUSED,
            &params,
        ),
    }
}

/// Most messages of one refusal kept, and most characters of each.
const MAX_PARTNER_MESSAGES: usize = 20;
const MAX_PARTNER_MESSAGE_CHARS: usize = 500;

/// LifeFile's `messages` as text for CS: a string as sent, an object's `message` / `text` /
/// `description` member (else its JSON), any other value's JSON; blank ones dropped, at most
/// [`MAX_PARTNER_MESSAGES`] of at most [`MAX_PARTNER_MESSAGE_CHARS`] characters. Patient data
/// may be echoed: the messages go to the order for staff, never to logs, metrics or audit.
fn lifefile_messages(body: Option<&Value>) -> Vec<String> {
    let text = |m: &Value| match m {
        Value::String(s) => s.trim().to_owned(),
        Value::Object(o) => ["message", "text", "description"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .map_or_else(|| m.to_string(), |s| s.trim().to_owned()),
        other => other.to_string(),
    };
    body.and_then(|b| b.get("messages"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(text)
        .filter(|m| !m.is_empty())
        .take(MAX_PARTNER_MESSAGES)
        .map(|m| m.chars().take(MAX_PARTNER_MESSAGE_CHARS).collect())
        .collect()
}

/// The body as JSON: parsed already, or text that holds JSON.
fn parsed_body(body: Option<&Value>) -> Option<Value> {
    match body {
        Some(Value::String(text)) => serde_json::from_str(text).ok(),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.clone()),
    }
}

/// (partner order id, partner status) of an accepted pharmacy order.
fn partner_ids(partner: Partner, body: Option<&Value>) -> (Option<String>, Option<String>) {
    let Some(body) = body else {
        return (None, None);
    };
    let id = [
        body.get("id"),
        body.pointer("/data/orderId"),
        body.get("orderId"),
    ]
    .into_iter()
    .flatten()
    .find_map(identifier);
    let status = match partner {
        Partner::DispensePro => body
            .get("status")
            .and_then(Value::as_str)
            .map(safe_name)
            .filter(|s| s != "unknown"),
        _ => None,
    };
    (id, status)
}

/// A partner id worth keeping: a number, or a short string of letters, digits, `-`, `_`, `.`.
fn identifier(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => {
            let s = s.trim();
            let ok = !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            ok.then(|| s.to_owned())
        }
        _ => None,
    }
}

fn pharmacy_facts(
    request: &RecordCallOutcomeRequest,
    verdict: &Verdict,
    disposition: Disposition,
) -> Result<Vec<Fact>, InvalidRequest> {
    let call = &request.call;
    let pharmacy_id = non_blank(call.pharmacy_id.as_ref())
        .map(str::to_owned)
        .ok_or_else(|| {
            InvalidRequest::at("/call/pharmacy_id", "the app's pharmacy id of the route")
        })?;
    let success = verdict.class == Class::Success;
    if !success && disposition != Disposition::Failed {
        return Ok(Vec::new());
    }
    let (partner_order_id, partner_status) = verdict.partner_ids.clone();
    let submission = Submission {
        state: if success {
            SubmissionState::Submitted
        } else {
            SubmissionState::Failed
        },
        pharmacy_id: Some(pharmacy_id),
        item_ids: call.item_ids.clone(),
        submitted_by: Some(Submitter::Rxgate),
        submitted_at: Some(request.now),
        partner_order_id,
        partner_status,
        partner_status_at: None,
        submit_error: verdict.message(),
        refills: Vec::new(),
        partner_messages: verdict.partner_messages.clone(),
    };
    Ok(vec![match call.kind {
        CallKind::LifefileOrder => Fact::LifeFile(submission),
        _ => Fact::DispensePro(submission),
    }])
}
