//! The patient's photo ID (decisions.md §1, "After creation"): the EMR stores it once, and
//! as soon as the order's visit exists it goes to Beluga's `/external/receivePhotos` with the
//! visit's `visitId` (or the `masterId`, which Beluga also accepts). Its status (`SENT` /
//! `FAILED`) is kept on the order through the rules' `photo_id` fact; a failure is retried by
//! the outbox and never touches the visit.
//!
//! The images are validated by the rules (the `photos` body: JPEG, plain base64, 3 MiB each)
//! when they are stored, and again when the call is queued, and kept in the `documents`
//! table (content never logged). A new upload replaces the previous one for the next send.

use super::app::{entry, load, refuse_invalid, validate_body};
use super::problem::Problem;
use super::{now_ms, AppState};
use crate::store::{Change, RecordTable};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rxgate_core::host::codes::IMAGES_MISSING;
use serde_json::{json, Value};

/// The document kind of a stored photo ID.
const KIND: &str = "photo_id";

/// `PUT /api/emr/orders/{id}/photo-id` with `{"images": [{"mime": "image/jpeg", "data": …}]}`:
/// validated, stored, and queued for Beluga when the visit exists (else once it does).
pub(super) async fn upload(
    State(state): State<AppState>,
    Path(super::openapi::OrderPath { id }): Path<super::openapi::OrderPath>,
    headers: HeaderMap,
    super::openapi::JsonAs(body, _): super::openapi::JsonAs<super::openapi::PhotoIdBody>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let caller = state.authorize(&headers, super::app::STAFF).await?;
    let order = load(&state, &id).await?.record;
    let Some(images) = body.get("images").filter(|v| v.is_array()).cloned() else {
        return Err(Problem::violations(
            "the photo ID needs `images`",
            vec![json!({"code": IMAGES_MISSING, "path": "/images",
                "message": IMAGES_MISSING.info().template})],
        ));
    };
    // Validated as the body Beluga will get; the visit id is filled in when it is sent.
    let visit = order
        .master_id
        .clone()
        .unwrap_or_else(|| "pending".to_owned());
    let body = json!({"visitId": visit, "images": images});
    let report = validate_body(&state, "photos", &body, Some(now_ms())).await?;
    refuse_invalid(&report, "the photo ID breaks the rules")?;
    let now = now_ms();
    let key = id.clone();
    let index = state
        .db
        .run(move |s| s.records(RecordTable::Documents, &key))
        .await?
        .iter()
        .filter(|d| d.get("kind").and_then(Value::as_str) == Some(KIND))
        .count();
    let record = json!({"kind": KIND, "mime": "image/jpeg",
        "dedupe_key": format!("{KIND}:{index}"), "images": images});
    let change = Change {
        order_id: Some(id.clone()),
        records: vec![(RecordTable::Documents, record)],
        audit: vec![entry(&caller, &id, "photo_id", "stored", None)],
        now,
        ..Change::default()
    };
    state.db.run(move |s| s.commit(&change)).await?;
    let queued = queue(&state, &id).await.map_err(Problem::internal)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"status": if queued { "queued" } else { "stored" }})),
    ))
}

/// Queues the latest photo ID for Beluga when the order's visit exists and the photo ID was
/// not sent yet; answers whether a call is (now or already) queued. Called after an upload
/// and after every successful visit creation.
pub async fn queue(state: &AppState, order_id: &str) -> anyhow::Result<bool> {
    let Some(order) = super::orders::find(state, order_id)
        .await
        .map_err(|p| anyhow::anyhow!("loading the order failed ({})", p.status()))?
    else {
        return Ok(false);
    };
    let Some(master) = order.record.master_id.clone() else {
        return Ok(false);
    };
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let submitted =
        text(&order.snapshot, "/order/beluga/submit_status").as_deref() == Some("SUBMITTED");
    let sent = text(&order.snapshot, "/order/photo_id_status").as_deref() == Some("SENT");
    if !submitted || sent {
        return Ok(false);
    }
    let key = order_id.to_owned();
    let documents = state
        .db
        .run(move |s| s.records(RecordTable::Documents, &key))
        .await?;
    let Some(photo) = documents
        .iter()
        .rev()
        .find(|d| d.get("kind").and_then(Value::as_str) == Some(KIND))
    else {
        return Ok(false);
    };
    let visit = text(&order.snapshot, "/order/beluga/visit_id").unwrap_or_else(|| master.clone());
    let body = json!({"visitId": visit, "images": photo.get("images")});
    let report = state
        .decide_document("validate", json!({"kind": "photos"}), body.to_string())
        .await;
    if !matches!(&report, Ok(Ok(r)) if r.get("valid") == Some(&Value::Bool(true))) {
        tracing::warn!(order = %order_id, "the stored photo ID no longer passes the rules");
        return Ok(false);
    }
    let dedupe = format!(
        "beluga_photo_id:{master}:{}",
        photo
            .get("dedupe_key")
            .and_then(Value::as_str)
            .unwrap_or(KIND)
    );
    let call = json!({"path": "external/receivePhotos", "endpoint": "photos", "body": body});
    let oid = order_id.to_owned();
    let now = now_ms();
    state
        .db
        .run(move |s| s.enqueue("beluga_photo_id", Some(&oid), &dedupe, &call, now))
        .await?;
    state.wake.notify_one();
    Ok(true)
}
