//! Beluga's `NAME_UPDATE` reaches staff (issue 16 item 3; docs/host.md, "Name updates").
//!
//! The rules apply the event (a `name_update_review` flag, a staff note) and hand back the
//! proposed names; the worker checks them with the rules' name rule (`validate`, kind
//! `patient-name`, as Beluga's `patientName` would) and keeps them in the order's bookkeeping
//! (`state.nameUpdates`, one entry per event: `pending`, or `invalid` with the rule's codes).
//! Staff accept or dismiss one (`POST /api/emr/orders/{id}/name-updates/{update_id}`): an
//! accept queues a `patient_name_update` notification for the clinic app, which updates its
//! own record (it reads the accepted names from the order's state) — rxgate never calls
//! Beluga's `patientName` for it (webhooks.md §1: the name change came from Beluga).

use super::app::{entry, STAFF};
use super::orders;
use super::problem::{JsonBody, Problem};
use super::AppState;
use crate::store::{Change, RecordTable};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rxgate_core::events::apply::NameUpdate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The staff routes.
pub fn routes() -> aide::axum::ApiRouter<AppState> {
    use super::openapi::{op, Answer, STAFF_SECURITY as STAFF_DOC};
    aide::axum::ApiRouter::new().api_route(
        "/api/emr/orders/{id}/name-updates/{update_id}",
        aide::axum::routing::post_with(settle, |t| {
            op(t, "settleNameUpdate", "orders",
                "Accept or dismiss a name Beluga proposed (NAME_UPDATE): an accept notifies the clinic app (a patient_name_update notification), never Beluga; 422 for a name the rules refuse, 409 when already settled",
                &STAFF_DOC)
            .answer::<200, Json<NameSettled>>()
        }),
    )
}

/// One proposed name as kept for staff (`state.nameUpdates[]`; patient data: never logged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProposedName {
    /// The inbox event's id (what staff settle).
    pub id: String,
    /// Proposed first name.
    pub first_name: String,
    /// Proposed last name.
    pub last_name: String,
    /// `pending`, `invalid` (the name rule refused it), `accepted` or `dismissed`.
    pub status: String,
    /// The name rule's codes when `invalid`.
    #[serde(default)]
    pub codes: Vec<String>,
    /// When it arrived (Unix ms).
    pub received_at: i64,
    /// Who settled it (API key id).
    #[serde(default)]
    pub by: Option<String>,
    /// When it was settled (Unix ms).
    #[serde(default)]
    pub settled_at: Option<i64>,
}

/// Checks `update` with the rules' name rule and adds it to `bookkeeping` (once per event).
pub async fn keep(
    state: &AppState,
    bookkeeping: &mut Value,
    event_id: i64,
    master_id: Option<&str>,
    update: NameUpdate,
    now: i64,
) -> Result<(), Problem> {
    let id = event_id.to_string();
    let body = json!({
        "masterId": master_id.unwrap_or("unknown"),
        "firstName": update.first_name, "lastName": update.last_name,
    });
    let report = super::app::validate_body(state, "patient-name", &body, Some(now)).await?;
    let codes: Vec<String> = report.violations.into_iter().map(|v| v.code).collect();
    let valid = report.valid;
    let proposed = ProposedName {
        id,
        first_name: update.first_name,
        last_name: update.last_name,
        status: if valid { "pending" } else { "invalid" }.into(),
        codes,
        received_at: now,
        by: None,
        settled_at: None,
    };
    let Some(map) = bookkeeping.as_object_mut() else {
        return Ok(());
    };
    let list = map.entry("nameUpdates").or_insert_with(|| json!([]));
    if let Some(items) = list.as_array_mut() {
        if !items.iter().any(|i| i["id"] == proposed.id) {
            items.push(serde_json::to_value(&proposed).map_err(Problem::internal)?);
        }
    }
    Ok(())
}

#[derive(Deserialize, schemars::JsonSchema)]
struct UpdatePath {
    id: String,
    update_id: String,
}

/// What staff do with a proposed name.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct SettleBody {
    /// `accept` or `dismiss`.
    action: String,
}

/// A settled name update.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NameSettled {
    /// `accepted` or `dismissed`.
    pub status: String,
    /// Whether the clinic app was notified (accepts only).
    pub clinic_notified: bool,
}

async fn settle(
    State(state): State<AppState>,
    Path(UpdatePath { id, update_id }): Path<UpdatePath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SettleBody>,
) -> Result<Json<NameSettled>, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let status = match body.action.as_str() {
        "accept" => "accepted",
        "dismiss" => "dismissed",
        _ => {
            return Err(Problem::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "`action` is accept or dismiss",
            ))
        }
    };
    let answer = orders::commit(&state, &id, |loaded| {
        let (state, caller, update_id) = (&state, &caller, &update_id);
        async move {
            let mut bookkeeping = loaded.record.state.clone();
            let item = bookkeeping
                .get_mut("nameUpdates")
                .and_then(Value::as_array_mut)
                .and_then(|items| items.iter_mut().find(|i| i["id"] == update_id.as_str()))
                .ok_or_else(|| Problem::not_found("name update"))?;
            match item["status"].as_str() {
                Some("pending") => {}
                Some("invalid") if status == "dismissed" => {}
                Some("invalid") => {
                    return Err(Problem::client(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "the rules refuse this name",
                    )
                    .code("name_update_invalid")
                    .with(json!({"codes": item["codes"]})))
                }
                _ => {
                    return Err(Problem::client(
                        StatusCode::CONFLICT,
                        "this name update is already settled",
                    )
                    .code("name_update_settled"))
                }
            }
            let now = state.now_ms();
            item["status"] = json!(status);
            item["by"] = json!(caller.key_id);
            item["settledAt"] = json!(now);
            let notify = status == "accepted";
            let mut change = Change {
                order_id: Some(loaded.record.id.clone()),
                order: Some(orders::write(state, &loaded, None, Some(bookkeeping)).await?),
                audit: vec![entry(
                    caller,
                    &loaded.record.id,
                    "name_update",
                    status,
                    Some(json!({"update": update_id})),
                )],
                now,
                ..Change::default()
            };
            if notify {
                change.records.push((
                    RecordTable::Notifications,
                    json!({"kind": "patient_name_update", "status": "pending",
                           "dedupe_key": format!("name_update:{update_id}")}),
                ));
            }
            Ok((
                Some(change),
                NameSettled {
                    status: status.into(),
                    clinic_notified: notify,
                },
            ))
        }
    })
    .await?;
    Ok(Json(answer))
}
