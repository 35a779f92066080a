//! The one JSON API every binding re-exports (cedar's `ffi` module).
//!
//! `call(op, request)`: a JSON request in, a JSON answer out. [`call_json_str`] wraps it for
//! string ABIs (the wasmtime guest) in an envelope `{"ok": answer}` or
//! `{"err": {"code", "message", "path"?}}`, the answer serialized once straight into it;
//! [`call_document_json_str`] takes the request's `input` as its own JSON text beside the
//! other members (the guest's `call-document`: an outbound body is never escaped into a
//! request string). Verdicts are always `ok` data; `err` is only for misuse (unknown
//! operation, malformed request) and never echoes input values.
//!
//! Requests are objects; the main document of an operation is always under `input`
//! (the payload to validate, the order snapshot, the webhook body), with the operation's
//! parameters beside it (`kind`, `today`, `trigger`, …).
//!
//! # The op table
//! Every operation is declared once, in [`OPS`] (the `op_table!` invocation below): its
//! name, one line of summary, its request type and its answer type, and the typed function
//! `fn(Request) -> Result<Answer, ApiError>` that answers it. Everything else comes from that
//! entry:
//! - [`call`] dispatches through the table (there is no second list of names);
//! - [`schema`] gives every operation's request and answer JSON Schema (schemars), for
//!   `rxgate schema` and the binding generator (`cargo run -p rxgate-core --example
//!   gen_bindings`); the schemas are built natively and are not reachable from [`call`], so
//!   they stay out of the WebAssembly guest;
//! - the host's CLI has one kebab-case subcommand per entry, built from [`OPS`] at run time.
//!
//! A request type implements [`Request`]: it reads itself from the request object with
//! errors that name the parameter (and the JSON Pointer of the offending member), never the
//! value, and derives `JsonSchema` for the shape it reads. An answer type derives `Serialize`
//! and `JsonSchema`. **Adding an operation is one entry in the table plus its function**
//! (and its request/answer types when no existing one fits); then regenerate the bindings.

#[cfg(feature = "service")]
mod calls;
mod contract;
mod error;
#[cfg(feature = "service")]
mod events;
#[cfg(feature = "service")]
mod order;
#[cfg(feature = "service")]
mod ownership;
pub mod params;
mod schema;
pub mod vectors;
pub mod wire;

pub use contract::{
    validate_document_parts, validate_document_with, validate_text_parts, validate_text_with,
    NormalizeAnswer, NormalizeInput, NormalizeRequest, ParseResponseRequest, ValidateParams,
    ValidateRequest, ValidateTextRequest,
};
pub use error::{ApiError, ApiErrorCode};
#[cfg(feature = "service")]
pub use events::{
    AppliedEvent, ApplyEventRequest, CheckPortalTokenRequest, EventAnswer, EventKeyRequest,
    EventKeys, EventMatchKeys, EventMatchKeysRequest, ParseEventRequest, RedactEventRequest,
    RejectedEvent, VerifyWebhookRequest,
};
#[cfg(feature = "service")]
pub use order::{
    AppliedFacts, ApplyOrderFactsRequest, BuildVisitRequest, CheckCancelRequest, DatedOrderRequest,
    DecideSubmitRequest, FlagActionRequest, OrderRequest, RouteActionRequest, TimedOrderRequest,
};
#[cfg(feature = "service")]
pub use ownership::{AssembleOrderRequest, AssembledOrder, SplitOrder, SplitOrderRequest};
pub use schema::schema;

use crate::issue::CodeInfo;
use schemars::JsonSchema;
use serde_json::Value;

/// A request type of the table: read from the request object.
pub trait Request<'a>: Sized {
    /// Reads the request, with errors that name the parameter and never its value.
    fn read(request: &'a Value) -> Result<Self, ApiError>;
}

/// One operation of the API: its name, what it does, and how it runs.
#[derive(Debug, Clone, Copy)]
pub struct Op {
    /// Operation name, e.g. `validate`.
    pub name: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
    /// Reads the request, runs the typed function and serializes its answer.
    pub run: fn(&Value) -> Result<Value, ApiError>,
    /// As `run`, with the answer written straight into the envelope text `{"ok": answer}`
    /// (no intermediate `Value`): what [`call_json_str`] answers.
    pub text: fn(&Value) -> Result<String, ApiError>,
}

/// Description of one operation: what the `ops` operation lists.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, JsonSchema)]
pub struct OpInfo {
    /// Operation name, e.g. `validate`.
    pub name: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
}

/// The request of operations that read nothing (`codes`, `ops`): any object.
#[derive(Debug, Clone, Copy, Default, JsonSchema)]
pub struct NoRequest {}

impl Request<'_> for NoRequest {
    fn read(_: &Value) -> Result<Self, ApiError> {
        Ok(NoRequest {})
    }
}

/// `codes`: the registry.
fn codes(_: NoRequest) -> Result<Vec<&'static CodeInfo>, ApiError> {
    Ok(crate::registry::all_codes().map(|c| c.info()).collect())
}

/// `ops`: the table's names and summaries.
fn ops_op(_: NoRequest) -> Result<Vec<OpInfo>, ApiError> {
    Ok(ops().collect())
}

/// The name of a gated entry (its feature only selects the repetition).
macro_rules! gated_name {
    ($feature:literal, $name:literal) => {
        $name
    };
}

/// Declares the table: `name => function: Request => Answer, "summary";`, an entry the
/// browser build leaves out prefixed with `#[cfg(feature = "service")]` (the core's default
/// feature; the npm package builds without it). Generates [`OPS`] (dispatch),
/// [`SERVICE_OPS`] (the names so gated) and `schema::OP_SCHEMAS` (the JSON Schemas,
/// reachable only from [`schema`]).
macro_rules! op_table {
    ($($(#[cfg(feature = $feature:literal)])? $name:literal => $func:path : $req:ty => $ans:ty, $summary:literal;)*) => {
        /// Every operation [`call`] understands, in the order `ops` lists them.
        pub const OPS: &[Op] = &[$($(#[cfg(feature = $feature)])? Op {
            name: $name,
            summary: $summary,
            run: |request| {
                let answer: $ans = $func(<$req as Request<'_>>::read(request)?)?;
                to_value(&answer)
            },
            text: |request| {
                let answer: $ans = $func(<$req as Request<'_>>::read(request)?)?;
                ok_text(&answer)
            },
        }),*];

        /// The operations only the service's build has (feature `service`, on by default):
        /// the npm package's WebAssembly build leaves them out. Listed whatever the features,
        /// so the bindings' tests can check what they skip.
        pub const SERVICE_OPS: &[&str] = &[$($(gated_name!($feature, $name),)?)*];

        /// The schemas of every operation, in the order of [`OPS`].
        const OP_SCHEMAS: &[schema::SchemaFns] = &[$($(#[cfg(feature = $feature)])? schema::SchemaFns {
            name: $name,
            request: |g| g.subschema_for::<$req>(),
            answer: |g| g.subschema_for::<$ans>(),
        }),*];
    };
}

op_table! {
    "codes" => codes: NoRequest => Vec<&'static CodeInfo>,
        "the registry of violation and decision codes";
    "ops" => ops_op: NoRequest => Vec<OpInfo>,
        "the list of operations of this API";
    "validate" => contract::validate: ValidateRequest<'_> => crate::issue::Report,
        "validates an outbound Beluga body: {valid, violations, warnings} ({kind, input, today? (else now? at UTC−10), allowed_states?, max_image_bytes?})";
    "validate_text" => contract::validate_text: ValidateTextRequest<'_> => crate::issue::Report,
        "as validate, the body given as JSON text parsed inside the core, the fast path ({kind, text, today? or now?, allowed_states?})";
    "normalize" => contract::normalize_op: NormalizeRequest => NormalizeAnswer,
        "a normaliser: phone, date, state, trim, multiple_choice_question, multiple_choice_answer ({field, input, choices?})";
    "parse_response" => contract::parse: ParseResponseRequest => crate::contract::response::ParsedResponse,
        "types and classifies a Beluga answer ({kind, input: {status, body, network_error?}})";
    #[cfg(feature = "service")]
    "check_readiness" => order::readiness: DatedOrderRequest => crate::order::readiness::Readiness,
        "may the order go to Beluga now: ready, not_ready with reasons, or not_required ({input, today|now})";
    #[cfg(feature = "service")]
    "decide_submit" => order::submit: DecideSubmitRequest => crate::order::submit::SubmitDecision,
        "auto-submit for a trigger: submit, wait(reasons) or skip ({input, trigger, today|now})";
    #[cfg(feature = "service")]
    "decide_retry" => order::retry: DatedOrderRequest => crate::order::submit::RetryDecision,
        "may staff retry the Beluga submission, and would it still fail ({input, today|now})";
    #[cfg(feature = "service")]
    "build_visit" => order::visit: BuildVisitRequest => crate::order::visit::BuiltVisit,
        "the createNoPayPhotos (or lab) body, validated; violations instead when invalid ({input, master_id, today|now})";
    #[cfg(feature = "service")]
    "select_pharmacy" => order::pharmacy: OrderRequest => crate::routing::PharmacySelection,
        "the Beluga pharmacy by the priority rule ({input})";
    #[cfg(feature = "service")]
    "route_fulfillment" => order::routes: OrderRequest => crate::routing::RoutePlan,
        "the per-item fulfillment routing plan with each route's requirements ({input})";
    #[cfg(feature = "service")]
    "queue_routes" => order::queue_routes: TimedOrderRequest => crate::events::outbox::QueuedRoutes,
        "the partner submission of every ready fulfillment route, each under its stable outbox key ({input, now})";
    #[cfg(feature = "service")]
    "decide_route_action" => order::decide_route_action: RouteActionRequest => crate::events::outbox::RouteActionDecision,
        "whether staff may retry (a FAILED route, its cause fixed) or force (with a reason; never past a block or the boundary) one fulfillment route, and the submission to queue ({input, action, pharmacy_id, reason?, now})";
    #[cfg(feature = "service")]
    "decide_dispensepro_action" => calls::dispensepro_action: crate::routing::dispensepro_actions::DispenseProActionRequest => crate::routing::dispensepro_actions::DispenseProActionDecision,
        "whether staff may get the status of, refill or void the order DispensePro accepted for one route (the prescription boundary, then the order's state), and the partner call to make ({input, action, pharmacy_id, reason?})";
    #[cfg(feature = "service")]
    "record_dispensepro_action" => calls::dispensepro_outcome: crate::routing::dispensepro_actions::RecordDispenseProActionRequest => crate::routing::dispensepro_actions::DispenseProActionOutcome,
        "what DispensePro's answer to a manual action means: class, its status of the order, the facts that update the route's submission, the snapshot after ({input, action, pharmacy_id, by?, answer, now})";
    #[cfg(feature = "service")]
    "decide_flag_action" => order::decide_flag_action: FlagActionRequest => crate::order::flags::FlagActionDecision,
        "whether staff may acknowledge or resolve one flag (with a reason; a resolved flag is final), and the fact that records it ({input, action, code, raised_at?, reason, by, now})";
    #[cfg(feature = "service")]
    "check_boundary" => order::boundary: TimedOrderRequest => crate::boundary::BoundaryReport,
        "the prescription boundary per item, and violations ({input, now})";
    #[cfg(feature = "service")]
    "order_state" => order::state: OrderRequest => crate::order::state::OrderState,
        "the order's status fields ({input})";
    #[cfg(feature = "service")]
    "apply_order_facts" => order::apply_order_facts: ApplyOrderFactsRequest => AppliedFacts,
        "applies facts forward-only; answers the snapshot and its state ({input, facts})";
    #[cfg(feature = "service")]
    "check_cancel" => order::cancel: CheckCancelRequest => crate::order::cancel::CancelDecision,
        "may the Beluga visit be cancelled: allowed, needs_confirmation or refused, with consequences ({input, reason?, confirmed?})";
    #[cfg(feature = "service")]
    "message_visibility" => order::messages: OrderRequest => crate::order::messages::MessageVisibility,
        "message channels and visibility, checked against the snapshot's activities ({input})";
    #[cfg(feature = "service")]
    "patient_view" => order::view: TimedOrderRequest => crate::diagnosis::PatientView,
        "the order as its patient may see it ({input, now})";
    #[cfg(feature = "service")]
    "diagnose" => order::diagnosis: TimedOrderRequest => crate::diagnosis::Diagnosis,
        "stage, blockers, next action and actor, escalations and bundle ({input, now})";
    #[cfg(feature = "service")]
    "split_order" => ownership::split_order: SplitOrderRequest<'_> => SplitOrder,
        "splits an order snapshot into the clinic's input and the members rxgate owns ({input} → {clinic, rxgate})";
    #[cfg(feature = "service")]
    "assemble_order" => ownership::assemble_order: AssembleOrderRequest<'_> => AssembledOrder,
        "the snapshot the rules read: the clinic's input, rxgate's owned members, the status join and the service's integration facts ({clinic, rxgate, integration} → {snapshot})";
    #[cfg(feature = "service")]
    "plan_submission" => calls::plan: crate::order::calls::PlanSubmissionRequest => crate::order::calls::SubmissionPlan,
        "plan a Beluga submission for a trigger or a staff retry: submit with the call to queue, or wait/skip with violations ({input, trigger?, manual, master_id, attempt, now})";
    #[cfg(feature = "service")]
    "record_call_outcome" => calls::outcome: crate::order::calls::RecordCallOutcomeRequest => crate::order::calls::CallOutcome,
        "what a partner call's answer means: classification, disposition, facts applied to the snapshot, follow-up calls, error ({input, call, answer, now})";
    #[cfg(feature = "service")]
    "plan_visit_fetch" => calls::visit_fetch: crate::order::calls::PlanVisitFetchRequest => crate::order::calls::VisitFetchPlan,
        "when to fetch a submitted visit's status next: only open visits, faster while new, slower with age and fruitless fetches, jittered by the host's draw, capped; and whether the status changed since the last plan ({input, seen?, attempt, jitter, schedule?, now})";
    #[cfg(feature = "service")]
    "build_message" => calls::message: crate::order::calls::BuildMessageRequest => crate::order::calls::MessagePlan,
        "a chat or CS message to Beluga: the calls to queue (one more per chat image) and the activity, or violations ({input, to, content, master_id, images?})";
    #[cfg(feature = "service")]
    "decide_beluga_call_retry" => calls::beluga_call_retry: crate::diagnosis::calls::BelugaCallRetryRequest => crate::diagnosis::calls::BelugaCallRetry,
        "may staff re-arm each parked Beluga call of the order after a fix: one retry_beluga_call verdict per Beluga call, with its call_id ({input, calls: [{id, kind, status, last_error?}]})";
    #[cfg(feature = "service")]
    "decide_erase" => calls::erase: crate::order::erase::DecideEraseRequest => crate::order::erase::EraseDecision,
        "may an admin erase one patient's data now: refused while partner calls of the patient's orders are in flight unless forced with a reason ({calls: [{order_id, kind, status}], force?, reason?})";
    #[cfg(feature = "service")]
    "parse_event" => events::parse_event: ParseEventRequest<'_> => crate::events::ParseOutcome,
        "a partner webhook body into a typed event, or every violation ({source, input, body_bytes?})";
    #[cfg(feature = "service")]
    "verify_webhook" => events::verify_webhook: VerifyWebhookRequest => crate::events::auth::AuthOutcome,
        "authenticate a webhook request: headers, raw body, configured secrets, now ({source, headers, body|body_base64, config, now})";
    #[cfg(feature = "service")]
    "check_portal_token" => events::check_portal_token: CheckPortalTokenRequest => crate::events::auth::PortalTokenCheck,
        "a patient portal token: the patient it binds when its HMAC is the secret's, unexpired and at most an hour ahead ({token, secret, now})";
    #[cfg(feature = "service")]
    "event_key" => events::event_key: EventKeyRequest<'_> => EventKeys,
        "the idempotency key(s) of a webhook body ({source, input, pharmacy_id?, webhook_id?})";
    #[cfg(feature = "service")]
    "event_match_keys" => events::event_match_keys: EventMatchKeysRequest<'_> => EventMatchKeys,
        "the keys an order matches a stored event by, tried in order and indexing an unmatched event: m:<masterId> (Beluga); o:<id> then m:<id> for LifeFile referenceId/foreignOrderId/orderId per line, DispensePro order.externalId, OWN order.externalOrderId ({source, input})";
    #[cfg(feature = "service")]
    "apply_event" => events::apply_event: ApplyEventRequest<'_> => EventAnswer,
        "what an event changes: new snapshot and state, records, activities, notifications, outbox, flags, audit ({source, input, order, state?, now, pharmacy_id?, webhook_id?})";
    #[cfg(feature = "service")]
    "redact_event" => events::redact_event: RedactEventRequest<'_> => wire::JsonDocument,
        "the audit/log form of a webhook body with PHI removed ({source, input})";
}

/// Every operation [`call`] understands, as name and summary.
pub fn ops() -> impl Iterator<Item = OpInfo> {
    OPS.iter().map(|op| OpInfo {
        name: op.name,
        summary: op.summary,
    })
}

/// The table entry of `op`.
pub fn op(name: &str) -> Option<&'static Op> {
    OPS.iter().find(|op| op.name == name)
}

/// Runs operation `op` on a JSON `request` (an object; see the module docs).
pub fn call(name: &str, request: &Value) -> Result<Value, ApiError> {
    let op = op(name).ok_or_else(|| unknown_op(name))?;
    (op.run)(request).map_err(|e| e.with_op(name))
}

fn unknown_op(name: &str) -> ApiError {
    ApiError::new(
        ApiErrorCode::UnknownOp,
        format!("unknown operation `{name}`"),
    )
}

/// Runs `op` on a request given as JSON text and answers with the JSON text of the envelope
/// `{"ok": response}` or `{"err": {"code", "message"}}`. Never panics on any input. The
/// answer is serialized once, straight into the envelope text.
pub fn call_json_str(op: &str, request: &str) -> String {
    parse_request(request)
        .and_then(|request| call_text(op, &request))
        .unwrap_or_else(|e| envelope(Err(e)))
}

/// As [`call`], answering the `{"ok"}` envelope text.
fn call_text(name: &str, request: &Value) -> Result<String, ApiError> {
    let op = op(name).ok_or_else(|| unknown_op(name))?;
    (op.text)(request).map_err(|e| e.with_op(name))
}

/// Runs `op` with `document` (JSON text) as the request's `input`, beside the members of
/// `params` (JSON text of an object: `kind`, `today`, …), and answers the envelope text as
/// [`call_json_str`] does. The document travels as it is, never escaped into a request
/// string and unescaped again (the wasmtime guest's `call-document`).
///
/// `validate` reads the document as `validate_text` reads its `text`: straight into the
/// typed model, never into a `Value` first; a member name repeated in the document is then
/// invalid JSON, as it is for `validate_text`. Every other op parses the document into
/// `input`, placed after the other members, and runs as [`call`] does (where a request
/// breaks several rules, member order decides which one is reported: this is the answer of
/// the request with `input` last).
pub fn call_document_json_str(op: &str, params: &str, document: &str) -> String {
    let answer = if op == "validate" {
        parse_params(params).and_then(|params| {
            validate_text_parts(&params, document)
                .and_then(|report| ok_text(&report))
                .map_err(|e| e.with_op(op))
        })
    } else {
        document_request(params, document).and_then(|request| call_text(op, &request))
    };
    answer.unwrap_or_else(|e| envelope(Err(e)))
}

/// The request [`call_document_json_str`] runs for every op but `validate`: `params` (JSON
/// text of an object) with `document` (JSON text) parsed into `input`, its last member. A
/// host whose guest lacks `call-document` sends this request through `call`.
pub fn document_request(params: &str, document: &str) -> Result<Value, ApiError> {
    let mut request = parse_params(params)?;
    if let Value::Object(members) = &mut request {
        members.insert("input".to_owned(), parse_request(document)?);
    }
    Ok(request)
}

/// The parameters beside a document: JSON text of an object.
fn parse_params(text: &str) -> Result<Value, ApiError> {
    let params = parse_request(text)?;
    if !params.is_object() {
        return Err(ApiError::new(
            ApiErrorCode::InvalidRequest,
            "the parameters beside the document must be a JSON object",
        ));
    }
    Ok(params)
}

/// Parses request text, reporting syntax errors with line, column and byte offset.
pub fn parse_request(text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::invalid_json(&e, text))
}

/// Wraps a result in the `{"ok"}` / `{"err"}` envelope as JSON text.
pub fn envelope(result: Result<Value, ApiError>) -> String {
    let value = match result {
        Ok(v) => serde_json::json!({ "ok": v }),
        Err(e) => serde_json::json!({ "err": e }),
    };
    value.to_string()
}

/// The envelope text `{"ok": answer}` of a typed answer, serialized once.
fn ok_text<T: serde::Serialize>(answer: &T) -> Result<String, ApiError> {
    #[derive(serde::Serialize)]
    struct Ok<'a, T> {
        ok: &'a T,
    }
    serde_json::to_string(&Ok { ok: answer }).map_err(unserializable)
}

/// The internal error of an answer serde could not serialize.
fn unserializable(e: serde_json::Error) -> ApiError {
    ApiError::new(
        ApiErrorCode::Internal,
        format!("could not serialize the response: {e}"),
    )
}

/// Serializes a typed response into a JSON value.
pub(crate) fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(unserializable)
}
