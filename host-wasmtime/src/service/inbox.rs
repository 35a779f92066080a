//! Admin routes over stored events that need staff (issue 16, "no event is lost quietly"):
//! the attention list (unmatched, rejected and failed events, prescription-related ones
//! marked as escalations) and the re-drive of one event after a fix.

use super::openapi::{EventPath, FlaggedEvent, Redriven};
use super::problem::Problem;
use super::AppState;
use crate::keys::Scope;
use crate::store::{AuditEntry, EventOutcome, EventRecord, Redrive};
use aide::axum::routing::{get_with, post_with};
use aide::axum::ApiRouter;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::json;

/// The routes.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{op, Answer, STAFF_SECURITY as STAFF_DOC};
    ApiRouter::new()
        .api_route(
            "/admin/events/attention",
            get_with(attention, |t| {
                op(t, "listEventsNeedingStaff", "admin",
                    "Stored events that need staff, newest first: unmatched, rejected (the rule's codes) or failed (the worker's reason); prescription-related ones are escalations (metadata only)",
                    &STAFF_DOC)
                .answer::<200, Json<Vec<FlaggedEvent>>>()
            }),
        )
        .api_route(
            "/admin/events/{event_id}/redrive",
            post_with(redrive, |t| {
                op(t, "redriveEvent", "admin",
                    "Run a finished event through the rules again after a fix (unmatched, rejected, deferred or failed); idempotent: an event already waiting or applied is left as it is",
                    &STAFF_DOC)
                .answer::<202, Json<Redriven>>()
                .answer::<200, Json<Redriven>>()
            }),
        )
}

/// Whether an event is about a prescription: Beluga's `RX_WRITTEN` and `NEW_RX_SENT`, and
/// every pharmacy event (LifeFile, DispensePro, OWN: fills of a prescription). One that needs
/// staff is an escalation (docs/host.md, "Event outcomes").
pub fn prescription_related(source: &str, event: &str) -> bool {
    match source {
        "beluga" => matches!(event, "RX_WRITTEN" | "NEW_RX_SENT"),
        _ => true,
    }
}

fn flagged(e: &EventRecord) -> FlaggedEvent {
    FlaggedEvent {
        id: e.id,
        source: e.source.clone(),
        partner: e.partner.clone(),
        event: e.event.clone(),
        received_at: e.received_at,
        outcome: e.outcome.unwrap_or(EventOutcome::Failed),
        reason: e.reason.clone(),
        order_id: e.order_id.clone(),
        escalation: prescription_related(&e.source, &e.event),
    }
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct AttentionQuery {
    /// At most this many (default 100, at most 1000).
    limit: Option<u32>,
}

/// `GET /admin/events/attention`.
async fn attention(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::problem::QueryOf(q): super::problem::QueryOf<AttentionQuery>,
) -> Result<Json<Vec<FlaggedEvent>>, Problem> {
    state.authorize(&headers, &[Scope::Admin]).await?;
    let limit = q.limit.unwrap_or(100).min(1000);
    let events = state.db.run(move |s| s.events_needing_staff(limit)).await?;
    Ok(Json(events.iter().map(flagged).collect()))
}

/// `POST /admin/events/{event_id}/redrive`: 202 when the event was re-opened (the worker
/// applies it at its next pass), 200 when nothing changed (already waiting, or finished for
/// good: applied or duplicate), 404 for an unknown id.
async fn redrive(
    State(state): State<AppState>,
    Path(EventPath { event_id }): Path<EventPath>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Redriven>), Problem> {
    let caller = state.authorize(&headers, &[Scope::Admin]).await?;
    let Ok(id) = event_id.parse::<i64>() else {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "the event id is an integer",
        ));
    };
    let audit = AuditEntry {
        at: state.now_ms(),
        source: "admin".into(),
        actor: Some(caller.key_id.clone()),
        request_id: Some(caller.request_id.clone()),
        event: "event_redrive".into(),
        outcome: "queued".into(),
        detail: Some(json!({ "event_id": id })),
        ..Default::default()
    };
    let answer = state.db.run(move |s| s.redrive_event(id, &audit)).await?;
    let (status, word) = match answer {
        Redrive::NotFound => return Err(Problem::not_found("event")),
        Redrive::Queued => {
            state.wake.notify_one();
            (StatusCode::ACCEPTED, "queued")
        }
        Redrive::Pending => (StatusCode::OK, "pending"),
        Redrive::Final(outcome) => (StatusCode::OK, outcome.as_str()),
    };
    Ok((
        status,
        Json(Redriven {
            id,
            status: word.to_owned(),
        }),
    ))
}
