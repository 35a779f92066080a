//! The patient portal (`/api/portal/...`), bound to one patient.
//!
//! The clinic's backend holds a portal-scope API key and, per signed-in patient, a short-lived
//! patient token it obtains with its EMR key (`POST /api/emr/patients/{patient_id}/portal-token`;
//! signed by `RXGATE_PORTAL_TOKEN_SECRET`, life `RXGATE_PORTAL_TOKEN_TTL_SECS`, at most an
//! hour; the signing is the core's `events::auth::sign_portal_token`, the check the rules' op
//! `check_portal_token`, with vectors). Every portal request carries both: the key (`X-Api-Key` or
//! `Authorization: Bearer`) and the token (`X-Patient-Token`). Browsers never call rxgate
//! directly (no CORS): the clinic's backend relays its own signed-in patient's requests.
//!
//! Every route loads the order and answers 404 unless the order's `patient.id` is the token's
//! patient — other patients' orders and orders without a patient id are not reachable.
//! What the patient sees is the rules': the view is `patient_view`, the thread lists only
//! the activities the message rules made patient-visible, and a chat message (with optional
//! images) is built and checked by `build_message` and queued in the outbox, one
//! `receiveChat` call per body (`isMedia: true` for each image), recorded as
//! `PATIENT_CHAT_SENT`.

use super::app::{message_change, MessageOutcome};
use super::idempotency;
use super::openapi::{OrderPath, PatientPath};
use super::orders::{self, Loaded};
use super::problem::{JsonBody, Problem};
use super::{AppState, Caller};
use crate::keys::Scope;
use crate::store::IdempotentAnswer;
use aide::axum::routing::{get_with, post_with};
use aide::axum::ApiRouter;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rxgate_core::events::auth::{sign_portal_token, PORTAL_TOKEN_MAX_TTL_SECS};
use rxgate_core::order::calls::message::{BuildMessageRequest, Recipient};
use serde_json::{json, Value};

const PORTAL: &[Scope] = &[Scope::Portal];
const EMR: &[Scope] = &[Scope::Emr, Scope::Admin];

/// The header carrying the patient token.
pub const PATIENT_TOKEN_HEADER: &str = "x-patient-token";

/// The portal routes and the EMR route that issues patient tokens.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{self as doc, op, Answer, STAFF_SECURITY as KEY};
    ApiRouter::new()
        .api_route(
            "/api/emr/patients/{patient_id}/portal-token",
            post_with(issue_token, |t| {
                op(t, "issuePortalToken", "portal",
                    "A short-lived patient token (at most an hour) for the clinic's backend to relay one patient's portal requests",
                    &KEY)
                .answer::<200, Json<doc::PortalToken>>()
            }),
        )
        .api_route(
            "/api/portal/orders/{id}",
            get_with(view, |t| {
                doc::patient_token(op(t, "getPortalOrder", "portal",
                    "The order as its patient may see it (the rules' patient_view); 404 for another patient's order",
                    &KEY))
                .answer::<200, Json<doc::PortalOrder>>()
            }),
        )
        .api_route(
            "/api/portal/orders/{id}/messages",
            get_with(thread, |t| {
                doc::patient_token(op(t, "listPortalMessages", "portal",
                    "The doctor-chat thread: patient-visible messages only; 404 for another patient's order",
                    &KEY))
                .answer::<200, Json<Vec<doc::ActivityDoc>>>()
            })
            .post_with(send_chat, |t| {
                doc::patient_token(doc::idempotent(op(t, "sendPortalChat", "portal",
                    "The patient's chat message to the doctor, with optional JPEG images (validated, queued: one receiveChat call per image)",
                    &KEY)))
                .answer::<202, Json<doc::Queued>>()
            })
            .layer(DefaultBodyLimit::max(16 << 20)),
        )
}

/// `POST /api/emr/patients/{patient_id}/portal-token`.
async fn issue_token(
    State(state): State<AppState>,
    Path(PatientPath { patient_id }): Path<PatientPath>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, EMR).await?;
    let secret = state.config.portal.token_secret.as_ref().ok_or_else(|| {
        Problem::client(
            StatusCode::SERVICE_UNAVAILABLE,
            "patient tokens are not configured (RXGATE_PORTAL_TOKEN_SECRET)",
        )
        .code("portal_tokens_unconfigured")
    })?;
    let ttl = i64::from(state.config.portal.token_ttl_secs).clamp(1, PORTAL_TOKEN_MAX_TTL_SECS);
    let expires_at = state.now_ms().div_euclid(1000) + ttl;
    let token = sign_portal_token(secret.expose().as_bytes(), &patient_id, expires_at).ok_or_else(
        || {
            Problem::client(StatusCode::BAD_REQUEST, "the patient id is blank")
                .code("patient_id_blank")
        },
    )?;
    Ok(Json(json!({
        "token": token,
        "expiresAt": super::rfc3339(expires_at.saturating_mul(1000)),
    })))
}

/// The caller and the patient its token binds (401 without a valid, unexpired token).
pub(super) async fn patient(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Caller, String), Problem> {
    let caller = state.authorize(headers, PORTAL).await?;
    let invalid = || {
        Problem::client(
            StatusCode::UNAUTHORIZED,
            "a valid, unexpired patient token (X-Patient-Token) is required",
        )
        .code("patient_token_invalid")
    };
    let secret = state
        .config
        .portal
        .token_secret
        .as_ref()
        .ok_or_else(invalid)?;
    let token = headers
        .get(PATIENT_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(invalid)?;
    let request = json!({
        "token": token,
        "secret": secret.expose(),
        "now": super::rfc3339(state.now_ms()),
    });
    let check = super::app::decide_ok(state, "check_portal_token", request).await?;
    let patient = check
        .get("patient_id")
        .and_then(Value::as_str)
        .filter(|_| check.get("valid") == Some(&Value::Bool(true)))
        .ok_or_else(invalid)?;
    Ok((caller, patient.to_owned()))
}

/// Whether the order belongs to `patient` (an order without a patient id belongs to nobody).
fn owned_by(loaded: &Loaded, patient: &str) -> bool {
    loaded
        .snapshot
        .pointer("/patient/id")
        .and_then(Value::as_str)
        .is_some_and(|id| !id.trim().is_empty() && id == patient)
}

/// The order, when it is the token's patient's; 404 otherwise (the same answer as for an
/// order that does not exist, so a token learns nothing of other patients' orders).
pub(super) async fn load_own(state: &AppState, id: &str, patient: &str) -> Result<Loaded, Problem> {
    match orders::load(state, id).await {
        Ok(loaded) if owned_by(&loaded, patient) => Ok(loaded),
        Ok(_) => Err(Problem::not_found("order")),
        Err(e) => Err(e),
    }
}

/// `GET /api/portal/orders/{id}`: the rules' `patient_view` of the order, with the lab's
/// booking link and downloadable requisitions (`lab`).
async fn view(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    let (_, patient) = patient(&state, &headers).await?;
    let loaded = load_own(&state, &id, &patient).await?;
    let mut answer = super::app::decide_ok(
        &state,
        "patient_view",
        json!({ "input": loaded.snapshot, "now": super::rfc3339(state.now_ms()) }),
    )
    .await?;
    let documents = super::labs::patient_documents(&state, &loaded.record.id).await?;
    let booking_link = loaded.record.state.get("labBookingLink").cloned();
    if let Some(map) = answer.as_object_mut() {
        if booking_link.is_some() || !documents.is_empty() {
            let documents: Vec<Value> = documents
                .iter()
                .enumerate()
                .map(|(index, d)| json!({"index": index, "kind": d.get("kind"), "mime": d.get("mime")}))
                .collect();
            map.insert(
                "lab".into(),
                json!({"bookingLink": booking_link, "documents": documents}),
            );
        }
    }
    Ok(Json(answer))
}

/// `GET /api/portal/orders/{id}/messages`: patient-visible activities only.
async fn thread(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    let (_, patient) = patient(&state, &headers).await?;
    let loaded = load_own(&state, &id, &patient).await?;
    let id = loaded.record.id;
    Ok(Json(json!(
        state.db.run(move |s| s.activities(&id, true)).await?
    )))
}

/// The patient's chat message.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ChatBody {
    /// The text (may be empty when images are sent).
    #[serde(default)]
    content: String,
    /// Base64 JPEG images (no `data:` prefix), one `receiveChat` call each.
    #[serde(default)]
    images: Vec<String>,
}

/// `POST /api/portal/orders/{id}/messages`: built and checked by `build_message`; the calls,
/// the `PATIENT_CHAT_SENT` activity and the audit entry are one change.
async fn send_chat(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ChatBody>,
) -> Result<Response, Problem> {
    let (caller, patient) = patient(&state, &headers).await?;
    load_own(&state, &id, &patient).await?;
    let key = idempotency::key(&headers, &caller, "/api/portal/orders/{id}/messages", &id)?;
    let queued = json!({ "status": "queued" });
    let outcome: Result<Option<Vec<Value>>, IdempotentAnswer> =
        orders::commit(&state, &id, |loaded| {
            let (state, caller, body, key, queued, patient) =
                (&state, &caller, &body, key.as_deref(), &queued, &patient);
            async move {
                if !owned_by(&loaded, patient) {
                    return Err(Problem::not_found("order"));
                }
                if let Some(stored) = idempotency::stored(state, key).await? {
                    return Ok((None, Err(stored)));
                }
                chat_change(state, caller, &loaded, body, key, queued).await
            }
        })
        .await?;
    match outcome {
        Err(stored) => Ok(idempotency::replay(stored)),
        Ok(Some(violations)) => Err(Problem::violations(
            "the message breaks the rules",
            violations,
        )),
        Ok(None) => Ok((StatusCode::ACCEPTED, Json(queued)).into_response()),
    }
}

/// The change a valid chat message makes, or the rules' violations.
async fn chat_change(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    body: &ChatBody,
    key: Option<&str>,
    queued: &Value,
) -> Result<MessageOutcome, Problem> {
    let request = BuildMessageRequest {
        input: serde_json::from_value(loaded.snapshot.clone()).map_err(Problem::internal)?,
        to: Recipient::Patient,
        content: body.content.clone(),
        master_id: loaded.record.master_id.clone().unwrap_or_default(),
        images: body.images.clone(),
    };
    message_change(state, caller, loaded, &request, key, queued).await
}
