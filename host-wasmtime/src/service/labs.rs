//! Lab orders reach their readers (issue 16 item 3; docs/host.md, "Labs").
//!
//! The requisition PDF (`LAB_ORDER_REQUISITION_CREATED`'s `labReqPdf`, copied into the
//! order's documents by the worker) is downloadable by staff and by the order's patient as
//! `application/pdf`; the kit's and the sample's trips are shipment records with their carrier
//! and tracking (the rules'); `LAB_ORDER_RESULTS`' booking link is kept on the order
//! (`state.labBookingLink`), sent to the patient as a `lab_results` notification and shown in
//! the portal's view of the order.

use super::app::STAFF;
use super::problem::Problem;
use super::AppState;
use crate::store::RecordTable;
use aide::axum::routing::get_with;
use aide::axum::ApiRouter;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

/// The routes.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{self as doc, op, STAFF_SECURITY as KEY};
    ApiRouter::new()
        .api_route(
            "/api/emr/orders/{id}/documents/{index}",
            get_with(staff_document, |t| {
                doc::binary_answer(op(t, "getOrderDocument", "orders",
                    "One document a partner sent for the order (the lab requisition), by its place in the panel's `documents` (0 first), as its MIME type (application/pdf)",
                    &KEY), "application/pdf")
            }),
        )
        .api_route(
            "/api/portal/orders/{id}/documents/{index}",
            get_with(patient_document, |t| {
                doc::patient_token(doc::binary_answer(op(t, "getPortalDocument", "portal",
                    "The order's lab requisition for its patient (application/pdf), by its place in the portal view's `documents`; 404 for another patient's order",
                    &KEY), "application/pdf"))
            }),
        )
}

#[derive(Deserialize, schemars::JsonSchema)]
struct DocumentPath {
    /// The order id.
    id: String,
    /// The document's place in the list (0 first).
    index: usize,
}

/// The documents of an order a patient may download (lab requisitions), in stored order.
pub async fn patient_documents(state: &AppState, order_id: &str) -> Result<Vec<Value>, Problem> {
    let id = order_id.to_owned();
    let docs = state
        .db
        .run(move |s| s.records(RecordTable::Documents, &id))
        .await?;
    Ok(docs
        .into_iter()
        .filter(|d| d.get("kind").and_then(Value::as_str) == Some("lab_requisition"))
        .collect())
}

/// The decoded document, served as its MIME type (PDF only).
fn served(document: Option<&Value>) -> Result<Response, Problem> {
    let missing = || Problem::not_found("document");
    let document = document.ok_or_else(missing)?;
    if document.get("mime").and_then(Value::as_str) != Some("application/pdf") {
        return Err(missing());
    }
    let content = document
        .get("content_base64")
        .and_then(Value::as_str)
        .ok_or_else(missing)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|_| Problem::internal("a stored document is not base64"))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"lab-requisition.pdf\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn staff_document(
    State(state): State<AppState>,
    Path(DocumentPath { id, index }): Path<DocumentPath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    state.authorize(&headers, STAFF).await?;
    let loaded = super::orders::load(&state, &id).await?;
    let key = loaded.record.id.clone();
    let docs = state
        .db
        .run(move |s| s.records(RecordTable::Documents, &key))
        .await?;
    served(docs.get(index))
}

async fn patient_document(
    State(state): State<AppState>,
    Path(DocumentPath { id, index }): Path<DocumentPath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let (_, patient) = super::portal::patient(&state, &headers).await?;
    let loaded = super::portal::load_own(&state, &id, &patient).await?;
    let docs = patient_documents(&state, &loaded.record.id).await?;
    served(docs.get(index))
}

/// Keeps `LAB_ORDER_RESULTS`' booking link (already checked `https` by the rules).
pub fn keep_booking_link(bookkeeping: &mut Value, link: Option<String>) {
    if let (Some(map), Some(link)) = (bookkeeping.as_object_mut(), link) {
        map.insert("labBookingLink".into(), Value::String(link));
    }
}
