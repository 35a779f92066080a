//! The OpenAPI document, generated from the router (aide over schemars 1).
//!
//! Every route is declared with `aide`'s `api_route` and an operation transform
//! ([`op`]: `operationId`, summary, tag, security); request bodies, path and query parameters
//! come from the extractors' types (the core's `OrderSnapshot` and enums are reused as they
//! are), answers from the types below. A route added with plain `route` is missing from the
//! document, and `tests/it/openapi.rs` fails: it compares the router's routes with the
//! document's paths.
//!
//! Problems are `application/problem+json` ([`ProblemDoc`]) on every `4XX`/`5XX`.

use super::problem::{JsonBody, Problem, RawBody};
use aide::generate::GenContext;
use aide::openapi::{
    ApiKeyLocation, MediaType, OpenApi, Operation, RequestBody, Response, SchemaObject,
    SecurityScheme, StatusCode, Tag,
};
use aide::transform::{TransformOpenApi, TransformOperation};
use aide::{OperationInput, OperationOutput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The security schemes of the document.
pub const STAFF_SECURITY: [&str; 2] = ["apiKey", "bearer"];

/// Names an operation: its `operationId`, summary and tag; `security` lists the schemes
/// (alternatives) that authorize it (none: an operations route).
pub fn op<'a>(
    t: TransformOperation<'a>,
    id: &str,
    tag: &str,
    summary: &str,
    security: &[&str],
) -> TransformOperation<'a> {
    let mut t = t.id(id).tag(tag).summary(summary);
    for scheme in security {
        t = t.security_requirement(scheme);
    }
    t
}

/// Documents an answer where the handler's return type cannot say it (handlers that build
/// their answer as a JSON value).
pub trait Answer {
    /// The answer for status `N` is `R`: replaces the one inferred from the handler (and, for
    /// a 2xx, the inferred untyped 200).
    fn answer<const N: u16, R: OperationOutput>(self) -> Self;
}

impl Answer for TransformOperation<'_> {
    fn answer<const N: u16, R: OperationOutput>(mut self) -> Self {
        if let Some(responses) = self.inner_mut().responses.as_mut() {
            responses.responses.shift_remove(&StatusCode::Code(N));
            if (200..300).contains(&N) {
                responses.responses.shift_remove(&StatusCode::Code(200));
            }
        }
        self.response::<N, R>()
    }
}

/// Adds the optional `Idempotency-Key` header (see [`super::idempotency`]).
pub fn idempotent(t: TransformOperation<'_>) -> TransformOperation<'_> {
    header(
        t,
        "Idempotency-Key",
        "Repeating a key (per API key, route and order) replays the first answer \
         (`idempotent-replayed: true`) and does nothing again",
        false,
        schemars::json_schema!({"type": "string", "minLength": 1, "maxLength": 255}),
    )
}

/// A portal route: the `X-Patient-Token` header is required beside the portal key.
pub fn patient_token(t: TransformOperation<'_>) -> TransformOperation<'_> {
    header(
        t,
        "X-Patient-Token",
        "The patient token from `POST /api/emr/patients/{patient_id}/portal-token`: the \
         route answers only for that patient's orders (404 otherwise)",
        true,
        schemars::json_schema!({"type": "string", "minLength": 1}),
    )
}

/// Documents a request header.
fn header<'a>(
    mut t: TransformOperation<'a>,
    name: &str,
    description: &str,
    required: bool,
    schema: schemars::Schema,
) -> TransformOperation<'a> {
    use aide::openapi::{Parameter, ParameterData, ParameterSchemaOrContent, ReferenceOr};
    t.inner_mut()
        .parameters
        .push(ReferenceOr::Item(Parameter::Header {
            parameter_data: ParameterData {
                name: name.into(),
                description: Some(description.into()),
                required,
                deprecated: None,
                format: ParameterSchemaOrContent::Schema(SchemaObject {
                    json_schema: schema,
                    example: None,
                    external_docs: None,
                }),
                example: None,
                examples: Default::default(),
                explode: None,
                extensions: Default::default(),
            },
            style: Default::default(),
        }));
    t
}

/// `{id}`: the clinic's order id.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct OrderPath {
    /// The clinic's order id.
    pub id: String,
}

/// `{patient_id}`: the clinic's patient id (the snapshot's `patient.id`).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PatientPath {
    /// The clinic's patient id.
    pub patient_id: String,
}

/// A patient token for the portal routes.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortalToken {
    /// The token, for the `X-Patient-Token` header.
    pub token: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
}

/// `{pharmacy_id}`: the pharmacy's id in the configuration.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PharmacyPath {
    /// The pharmacy's id in the service's configuration.
    pub pharmacy_id: String,
}

/// `{notification_id}`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NotificationPath {
    /// The notification's id (an integer).
    pub notification_id: String,
}

/// `{event_id}`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EventPath {
    /// The stored event's id (an integer).
    pub event_id: String,
}

/// One rule violation: names the field and the rule, never the value.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ViolationDoc {
    /// The stable code (`rxgate codes`).
    pub code: String,
    /// JSON Pointer of the field.
    #[serde(default)]
    pub path: Option<String>,
    /// The code's template filled with facts from the rules.
    pub message: String,
    /// Beluga's own error text when the rule mirrors one.
    #[serde(default)]
    pub beluga_error: Option<String>,
    /// Other members some rules add (`actor`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An RFC 9457 problem.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ProblemDoc {
    /// Always `about:blank`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong (names fields and rules, never values; 5xx: "internal error").
    pub detail: String,
    /// A stable snake-case code (the status's, or a specific one).
    pub code: String,
    /// The rules' violations (4xx only).
    #[serde(default)]
    pub violations: Option<Vec<ViolationDoc>>,
    /// Other non-PHI context of a 4xx (codes, classes, versions).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"status": "ok"}`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Live {
    /// `ok`.
    pub status: String,
}

/// The active rules.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RulesInfo {
    /// SHA-256 of the component.
    pub digest: String,
    /// The guest's version document (`{guest, wit}`).
    pub version: Map<String, Value>,
}

/// Readiness.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Ready {
    /// `ready` or `not_ready`. The other members only with ops access (an admin key, or
    /// `RXGATE_OPS_ACCESS=open`).
    pub status: String,
    /// Whether the store answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<bool>,
    /// The active rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<RulesInfo>,
    /// This instance's id, the owner of the work it claims (docs/operations.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Configuration gaps (routes that refuse work until configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_warnings: Option<Vec<String>>,
    /// Secret variables set but empty or too short (names only): not ready until fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_errors: Option<Vec<String>>,
    /// The worker's health (absent when the store does not answer, or without ops access).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker: Option<WorkerHealth>,
}

/// Whether the worker keeps up: the age of the oldest item waiting for it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct WorkerHealth {
    /// Seconds since the oldest event not processed was received or the oldest due call
    /// became due (0: nothing waits).
    pub oldest_pending_s: i64,
    /// The threshold (`outbox.stuck_after_s`).
    pub stuck_after_s: u64,
    /// `oldest_pending_s` is above the threshold: the service answers 503.
    pub stuck: bool,
}

/// A stored order.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Stored {
    /// The order id.
    pub id: String,
    /// `stored`.
    pub status: String,
    /// The order's version (its ETag is `"v<version>"`).
    pub version: i64,
}

/// A call queued for a partner.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Queued {
    /// `queued`.
    pub status: String,
}

/// An order as stored: the clinic's input merged with rxgate's state.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct OrderView {
    /// The order id.
    pub id: String,
    /// The order's version.
    pub version: i64,
    /// The order snapshot.
    pub snapshot: rxgate_core::order::snapshot::OrderSnapshot,
    /// rxgate's own state of the order.
    pub state: Map<String, Value>,
    /// The Beluga masterId, once generated.
    pub master_id: Option<String>,
    /// Unix milliseconds of the last change.
    pub updated_at: i64,
}

/// A staff retry or force of a fulfillment route, queued.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct RouteActionAnswer {
    /// `queued`.
    pub status: String,
    /// The rules' decision (`decide_route_action`).
    pub decision: Map<String, Value>,
}

/// A DispensePro manual action done (get status, refill, void).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DispenseProActionAnswer {
    /// `status`, `refill` or `void`.
    pub action: String,
    /// The rules' decision (`decide_dispensepro_action`).
    pub decision: Map<String, Value>,
    /// What DispensePro answered: `classification`, `partner_status`, `refill_id`.
    pub outcome: Map<String, Value>,
}

/// The submission decision.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct SubmitAnswer {
    /// `submit`, `wait`, `block`, …
    pub decision: String,
    /// Whether a Beluga submission was queued.
    pub queued: bool,
    /// The masterId of the queued submission.
    #[serde(rename = "masterId", default)]
    pub master_id: Option<String>,
    /// Why the order is not submitted.
    #[serde(default)]
    pub violations: Option<Vec<ViolationDoc>>,
}

/// A partner call as the panel lists it (never its payload).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallSummary {
    /// The outbox call's id (`POST …/beluga/calls/{call_id}/retry` re-arms a parked one).
    pub id: i64,
    /// The call kind (`beluga_submit`, …).
    pub kind: String,
    /// `pending`, `done` or `failed`.
    pub status: String,
    /// The classified outcome of the last attempt.
    pub class: Option<String>,
    /// The last error (class and reason).
    pub last_error: Option<String>,
    /// What customer support does about the last error: the rules' guidance for a documented
    /// Beluga error (absent for rxgate's own codes, whose text says it).
    pub guidance: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due (pending calls).
    pub next_attempt_at: Option<String>,
    /// The pharmacy a pharmacy call goes to.
    pub pharmacy_id: Option<Value>,
}

/// A parked call as the panel's failure list shows it (never its payload).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailureDoc {
    /// The outbox call's id.
    pub call_id: i64,
    /// The call kind.
    pub kind: String,
    /// The failure class (`fix_patient_data`, `fix_configuration`, `permanent`,
    /// `retry_later` when its attempts ran out, …).
    pub class: String,
    /// Beluga's documented error string, or rxgate's code.
    pub message: Option<String>,
    /// What customer support does about it (the rules' guidance; decisions.md §2).
    pub guidance: Option<String>,
    /// The rules' `retry_beluga_call` verdict (Beluga calls only).
    pub retry: Option<Value>,
}

/// The Beluga Telehealth panel.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    /// The order id.
    pub order_id: String,
    /// The order's version.
    pub version: i64,
    /// The Beluga masterId.
    pub master_id: Option<String>,
    /// The clinic's order status.
    pub order_status: Option<Value>,
    /// Beluga submission status.
    pub beluga_submit_status: Option<Value>,
    /// Beluga visit status.
    pub beluga_visit_status: Option<Value>,
    /// Beluga's `updateTimestamp` of the fetched status (absent for a terminal status or
    /// one a webhook set).
    pub beluga_visit_updated_at: Option<Value>,
    /// The visit fetch schedule (absent before the first plan).
    pub visit_fetch: Option<super::visits::FetchBook>,
    /// The last visit fetch's `rxHistory` (what Beluga lists as written; not a prescription
    /// record).
    pub rx_history: Option<Vec<rxgate_core::contract::response::RxHistoryEntry>>,
    /// Names Beluga proposed (`NAME_UPDATE`) for staff to accept or dismiss.
    pub name_updates: Option<Vec<super::names::ProposedName>>,
    /// Beluga resolved status.
    pub beluga_resolved_status: Option<Value>,
    /// Beluga visit id.
    pub beluga_visit_id: Option<Value>,
    /// The last submission's failure: `{class, message}`.
    pub submit_error: Option<Value>,
    /// DispensePro state (each submission with its partner status and `partner_status_at`).
    pub dispense_pro: Option<Value>,
    /// LifeFile state (a refused order keeps LifeFile's `partner_messages`, for staff).
    pub life_file: Option<Value>,
    /// Each route's fulfillment status (one per pharmacy), from its pharmacy's events; the
    /// order's status is a function of them.
    pub route_statuses: Option<Value>,
    /// Shipping.
    pub shipping: Option<Value>,
    /// Prescriptions received.
    pub prescriptions: Vec<Value>,
    /// The lab milestone.
    pub lab_milestone: Option<Value>,
    /// The lab kit's and sample's trips: `{milestone, carrier, tracking, tracking_url, at}`.
    pub lab_shipments: Vec<Value>,
    /// `LAB_ORDER_RESULTS`' booking link, as the patient got it.
    pub lab_booking_link: Option<String>,
    /// Documents (metadata only).
    pub documents: Vec<Value>,
    /// Patient notifications.
    pub notifications: Vec<Value>,
    /// Partner calls.
    pub calls: Vec<CallSummary>,
    /// The parked calls, each with its class, message, CS guidance and re-arm verdict.
    pub failures: Vec<FailureDoc>,
    /// What staff may do now: the diagnosis's actions, then `retry_beluga_call` for each
    /// parked Beluga call (with its `call_id`).
    pub allowed_actions: Option<Value>,
    /// The rules' diagnosis.
    pub diagnosis: Option<Value>,
}

/// The portal's view of an order: the rules' `patient_view`, and the lab's part.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PortalOrder {
    /// The rules' patient view.
    #[serde(flatten)]
    pub view: rxgate_core::diagnosis::PatientView,
    /// The lab's booking link and requisitions (absent for an order without labs).
    pub lab: Option<PortalLab>,
}

/// The lab part of the portal's view.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortalLab {
    /// `LAB_ORDER_RESULTS`' link to book the follow-up (`https` only).
    pub booking_link: Option<String>,
    /// Requisitions to download (`GET /api/portal/orders/{id}/documents/{index}`).
    pub documents: Vec<PortalDocument>,
}

/// A document the patient may download.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PortalDocument {
    /// Its place (the download route's `index`).
    pub index: usize,
    /// `lab_requisition`.
    pub kind: String,
    /// `application/pdf`.
    pub mime: String,
}

/// A cancelled visit.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Cancelled {
    /// `canceled`.
    pub status: String,
    /// The rules' cancel guard.
    pub guard: Map<String, Value>,
}

/// A staff action on a flag, as the rules decided it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FlagSettled {
    /// `acknowledged` or `resolved`.
    pub status: String,
    /// The rules' decision (`decide_flag_action`).
    pub decision: Map<String, Value>,
}

/// A settled notification.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Settled {
    /// The notification id.
    pub id: i64,
    /// `sent`, `failed` or `skipped`.
    pub status: String,
}

/// One event's outcome, or one per line (LifeFile).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AckStatus {
    /// `accepted` or `duplicate`.
    One(String),
    /// One per event of the request.
    Many(Vec<String>),
}

/// A webhook's acknowledgement.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct WebhookAck {
    /// `accepted` or `duplicate`, or one per event.
    pub status: AckStatus,
}

/// A vector run.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct VectorRun {
    /// Cases run.
    pub total: u64,
    /// Cases failed.
    pub failed: u64,
    /// The first failures.
    pub failures: Vec<String>,
}

/// A rules reload.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Reloaded {
    /// Whether the candidate is now active.
    pub swapped: bool,
    /// The active digest after the attempt.
    pub active_digest: String,
    /// The candidate's digest.
    pub candidate_digest: String,
    /// The candidate's vector run.
    pub vectors: VectorRun,
}

/// A stored event's raw body as the partner sent it (an object, or LifeFile's array of lines).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawEvent {
    /// One event.
    Object(Map<String, Value>),
    /// LifeFile's lines.
    Array(Vec<Value>),
}

/// A stored inbound event (metadata).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct EventMeta {
    /// Row id.
    pub id: i64,
    /// `beluga`, `lifefile`, `dispensepro`, `pharmacy`.
    pub source: String,
    /// The route's pharmacy id, or empty.
    pub partner: String,
    /// The event name.
    pub event: String,
    /// The dedupe key.
    pub dedupe_key: String,
    /// Unix milliseconds.
    pub received_at: i64,
    /// The processing outcome (none while pending).
    pub outcome: Option<crate::store::EventOutcome>,
    /// The matched order.
    pub order_id: Option<String>,
    /// Why it ended so: the rule's codes (`rejected`), the worker's reason (`failed`,
    /// `deferred`), `no_order` / `no_match_key` (`unmatched`). Codes only, never PHI.
    pub reason: Option<String>,
}

/// A stored event that needs staff (`GET /admin/events/attention`).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct FlaggedEvent {
    /// Row id (what `POST /admin/events/{event_id}/redrive` takes).
    pub id: i64,
    /// `beluga`, `lifefile`, `dispensepro`, `pharmacy`.
    pub source: String,
    /// The route's pharmacy id, or empty.
    pub partner: String,
    /// The event name.
    pub event: String,
    /// Unix milliseconds.
    pub received_at: i64,
    /// `unmatched`, `rejected` or `failed`.
    pub outcome: crate::store::EventOutcome,
    /// Why (codes only, never PHI).
    pub reason: Option<String>,
    /// The matched order, if any.
    pub order_id: Option<String>,
    /// Prescription-related (`RX_WRITTEN`, `NEW_RX_SENT`, pharmacy events): an escalation.
    pub escalation: bool,
}

/// What a re-drive did.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Redriven {
    /// The event.
    pub id: i64,
    /// `queued` (re-opened), `pending` (already waiting), or the final outcome it keeps
    /// (`applied`, `duplicate`).
    pub status: String,
}

/// An activity (message or timeline entry).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ActivityDoc {
    /// Row id.
    pub id: i64,
    /// The order.
    pub order_id: String,
    /// `PATIENT_CHAT_SENT`, `BELUGA_CS_SENT`, `BELUGA_DOCTOR_CHAT`, …
    pub kind: String,
    /// Whether the patient sees it.
    pub patient_visible: bool,
    /// Its content.
    pub body: Map<String, Value>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A patient notification (metadata).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NotificationDoc {
    /// Row id.
    pub id: i64,
    /// The order.
    pub order_id: String,
    /// `shipped`, `delivered`, `doctor_message`.
    pub kind: String,
    /// `pending`, `sent`, `failed`, `skipped`.
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// Beluga's pharmacy search answer as the rules parse it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ParsedAnswer {
    /// The classification (`success`, `retry_later`, …).
    pub classification: rxgate_core::contract::response::Class,
    /// The parsed data.
    #[serde(default)]
    pub data: Option<Value>,
    /// Other members of the parse.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A JSON body read as a value (the rules judge it) and documented as `D`.
#[derive(Debug)]
pub struct JsonAs<D>(pub Value, pub std::marker::PhantomData<fn() -> D>);

impl<S: Send + Sync, D> axum::extract::FromRequest<S> for JsonAs<D> {
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        let JsonBody(value) = JsonBody::<Value>::from_request(req, state).await?;
        Ok(Self(value, std::marker::PhantomData))
    }
}

impl<D: JsonSchema> OperationInput for JsonAs<D> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        axum::Json::<D>::operation_input(ctx, operation);
    }
}

/// One image of a photo ID.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct PhotoImage {
    /// `image/jpeg`, `image/png`, …
    pub mime: String,
    /// Base64 of the image.
    pub data: String,
}

/// The photo ID body.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct PhotoIdBody {
    /// The images.
    pub images: Vec<PhotoImage>,
}

impl<T: JsonSchema> OperationInput for JsonBody<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        axum::Json::<T>::operation_input(ctx, operation);
    }
}

impl<T: JsonSchema> OperationInput for super::problem::QueryOf<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        axum::extract::Query::<T>::operation_input(ctx, operation);
    }
}

impl OperationInput for RawBody {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        axum::body::Bytes::operation_input(ctx, operation);
    }
}

/// The problem response.
fn problem_response(ctx: &mut GenContext) -> Response {
    Response {
        description: "An RFC 9457 problem".into(),
        content: [(
            "application/problem+json".into(),
            MediaType {
                schema: Some(SchemaObject {
                    json_schema: ctx.schema.subschema_for::<ProblemDoc>(),
                    example: None,
                    external_docs: None,
                }),
                ..Default::default()
            },
        )]
        .into_iter()
        .collect(),
        ..Default::default()
    }
}

impl OperationOutput for Problem {
    type Inner = ProblemDoc;

    fn operation_response(ctx: &mut GenContext, _operation: &mut Operation) -> Option<Response> {
        Some(problem_response(ctx))
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        _operation: &mut Operation,
    ) -> Vec<(Option<StatusCode>, Response)> {
        let response = problem_response(ctx);
        vec![
            (Some(StatusCode::Range(4)), response.clone()),
            (Some(StatusCode::Range(5)), response),
        ]
    }
}

/// A documented answer of another media type than JSON: `M` names the type (its
/// [`MediaKind::MIME`]) and `T` is the schema of one item (one line of JSON Lines, or
/// nothing for a binary document).
pub struct Media<M, T>(std::marker::PhantomData<(M, T)>);

/// The media type of a [`Media`] answer.
pub trait MediaKind {
    /// The media type.
    const MIME: &'static str;
    /// What the answer is.
    const DESCRIPTION: &'static str;
}

/// JSON Lines: one JSON document per line.
pub struct JsonLines;

impl MediaKind for JsonLines {
    const MIME: &'static str = super::audit::JSONL;
    const DESCRIPTION: &'static str = "JSON Lines: one document of the schema per line";
}

impl<M: MediaKind, T: JsonSchema> OperationOutput for Media<M, T> {
    type Inner = T;

    fn operation_response(ctx: &mut GenContext, _operation: &mut Operation) -> Option<Response> {
        Some(media_response(
            M::DESCRIPTION,
            M::MIME,
            ctx.schema.subschema_for::<T>(),
        ))
    }
}

/// A response of one media type with its schema.
fn media_response(description: &str, mime: &str, schema: schemars::Schema) -> Response {
    Response {
        description: description.into(),
        content: [(
            mime.into(),
            MediaType {
                schema: Some(SchemaObject {
                    json_schema: schema,
                    example: None,
                    external_docs: None,
                }),
                ..Default::default()
            },
        )]
        .into_iter()
        .collect(),
        ..Default::default()
    }
}

/// One line of the audit export: an entry and its row id.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AuditLine {
    /// The row id (increasing; an export lists each once).
    pub id: i64,
    /// The entry.
    #[serde(flatten)]
    pub entry: crate::store::AuditEntry,
}

/// A binary 200 answer of `mime` (a document), beside the problems.
pub fn binary_answer<'a>(t: TransformOperation<'a>, mime: &str) -> TransformOperation<'a> {
    let mut t = t;
    let binary = schemars::json_schema!({"type": "string", "format": "binary"});
    let responses = t.inner_mut().responses.get_or_insert_with(Default::default);
    responses.responses.insert(
        aide::openapi::StatusCode::Code(200),
        aide::openapi::ReferenceOr::Item(media_response("The document", mime, binary)),
    );
    t
}

/// A raw request body of `mime` (component bytes).
pub fn raw_body<'a>(t: TransformOperation<'a>, mime: &str) -> TransformOperation<'a> {
    let mut t = t;
    t.inner_mut().request_body = Some(aide::openapi::ReferenceOr::Item(RequestBody {
        description: None,
        content: [(mime.into(), MediaType::default())].into_iter().collect(),
        required: false,
        extensions: Default::default(),
    }));
    t
}

/// The document's info, tags and security schemes.
pub fn describe(api: TransformOpenApi<'_>) -> TransformOpenApi<'_> {
    let key = |name: &str, description: &str| SecurityScheme::ApiKey {
        location: ApiKeyLocation::Header,
        name: name.into(),
        description: Some(description.into()),
        extensions: Default::default(),
    };
    let http = |scheme: &str, description: &str| SecurityScheme::Http {
        scheme: scheme.into(),
        bearer_format: None,
        description: Some(description.into()),
        extensions: Default::default(),
    };
    let mut api = api
        .title("rxgate")
        .version(env!("CARGO_PKG_VERSION"))
        .license(aide::openapi::License {
            name: env!("CARGO_PKG_LICENSE").into(),
            identifier: Some(env!("CARGO_PKG_LICENSE").into()),
            ..Default::default()
        })
        .description(
            "The rxgate service: the clinic app's Beluga integration. Every decision is made by \
             the rules guest (rxgate:rules) running in wasmtime. Errors are RFC 9457 problems \
             with a stable `code`; every answer carries `x-request-id`.",
        )
        .security_scheme("apiKey", key("X-Api-Key", "rxgate API key (scopes emr, portal, admin)"))
        .security_scheme("bearer", http("bearer", "rxgate API key (scopes emr, portal, admin)"))
        .security_scheme(
            "webhookSecret",
            http("bearer", "Beluga shared secret (or the X-Webhook-Secret header)"),
        )
        .security_scheme("basic", http("basic", "LifeFile webhook user and password"))
        .security_scheme(
            "standardWebhooks",
            key(
                "webhook-signature",
                "Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature v1,<base64 HMAC-SHA256>",
            ),
        );
    for (name, description) in [
        ("operations", "Liveness, readiness, metrics, this document"),
        (
            "orders",
            "The clinic app's orders and their Beluga flow (scope emr)",
        ),
        ("messages", "Patient and CS messages"),
        (
            "notifications",
            "Patient notifications for the clinic app to send",
        ),
        ("portal", "The patient portal (scope portal)"),
        ("webhooks", "Partner events"),
        ("admin", "Administration (scope admin)"),
    ] {
        api = api.tag(Tag {
            name: name.into(),
            description: Some(description.into()),
            ..Default::default()
        });
    }
    api
}

/// The document as JSON text, without the component schemas nothing refers to (the path
/// and query structs, whose fields become parameters).
pub fn finish(api: &OpenApi) -> String {
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    loop {
        let mut refs = std::collections::BTreeSet::new();
        collect_refs(&doc, &mut refs);
        let Some(schemas) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            break;
        };
        let unused: Vec<String> = schemas
            .keys()
            .filter(|name| !refs.contains(&format!("#/components/schemas/{name}")))
            .cloned()
            .collect();
        if unused.is_empty() {
            break;
        }
        for name in unused {
            schemas.remove(&name);
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

fn collect_refs(value: &Value, refs: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                refs.insert(target.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}
