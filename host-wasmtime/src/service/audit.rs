//! The audit export (issue 16, staff tools): every audit entry of a time range as JSON Lines,
//! for compliance reviews and for loading into a log store.
//!
//! `GET /admin/audit/export?from=…&to=…` (admin key). `from` is inclusive, `to` exclusive; each
//! is a UTC date (`2026-12-05`, its midnight) or an RFC 3339 instant. The answer streams in
//! pages of [`PAGE`] rows read in row order (keyset, never an offset), so a range of any size
//! is sent with bounded memory, and an entry written during the export is either in it or
//! after its last row — never twice. Each line is one entry as `GET …/beluga/logs` shows it,
//! plus its row id. The export is itself audited (`audit_export`, the caller's key id and the
//! range), before its first line.

use super::openapi::AuditLine;
use super::problem::{Problem, QueryOf};
use super::AppState;
use crate::keys::Scope;
use crate::store::AuditEntry;
use aide::axum::routing::get_with;
use aide::axum::ApiRouter;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Rows read per store call.
pub const PAGE: u32 = 500;

/// The media type of the answer (JSON Lines).
pub const JSONL: &str = "application/jsonl";

/// The routes.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{op, Answer, AuditLine, JsonLines, Media, STAFF_SECURITY};
    ApiRouter::new().api_route(
        "/admin/audit/export",
        get_with(export, |t| {
            op(t, "exportAudit", "admin",
                "Every audit entry with from <= at < to, oldest first, as JSON Lines (application/jsonl): one entry per line with its row id; the export is itself audited",
                &STAFF_SECURITY)
            .answer::<200, Media<JsonLines, AuditLine>>()
        }),
    )
}

/// The range of an export.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Start, inclusive: a UTC date (`2026-12-05`) or an RFC 3339 instant.
    pub from: String,
    /// End, exclusive: a UTC date (its midnight) or an RFC 3339 instant.
    pub to: String,
}

/// An instant of the query in Unix milliseconds: a UTC date's midnight or an RFC 3339 instant.
pub fn query_instant(name: &str, text: &str) -> Result<i64, Problem> {
    let parsed = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.timestamp_millis())
        });
    parsed.ok_or_else(|| {
        Problem::client(
            StatusCode::BAD_REQUEST,
            format!("`{name}` must be a date (YYYY-MM-DD) or an RFC 3339 instant"),
        )
        .code("invalid_range")
    })
}

/// One line of the export.
fn line(id: i64, entry: AuditEntry) -> String {
    let mut text = json!(AuditLine { id, entry }).to_string();
    text.push('\n');
    text
}

/// `GET /admin/audit/export`.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<ExportQuery>,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, &[Scope::Admin]).await?;
    let (from, to) = (query_instant("from", &q.from)?, query_instant("to", &q.to)?);
    if to <= from {
        return Err(
            Problem::client(StatusCode::BAD_REQUEST, "`to` must be after `from`")
                .code("invalid_range"),
        );
    }
    let audit = AuditEntry {
        at: state.now_ms(),
        source: "api".into(),
        actor: Some(caller.key_id.clone()),
        request_id: Some(caller.request_id.clone()),
        event: "audit_export".into(),
        outcome: "exported".into(),
        detail: Some(json!({ "from": from, "to": to })),
        ..Default::default()
    };
    state.db.run(move |s| s.audit(&audit)).await?;
    let pages = futures_util::stream::unfold(Some(0i64), move |after| {
        let state = state.clone();
        async move {
            let after = after?;
            let page = state
                .db
                .run(move |s| s.audit_page(from, to, after, PAGE))
                .await;
            match page {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = rows.last().map(|(id, _)| *id);
                    let more = rows.len() == PAGE as usize;
                    let text: String = rows.into_iter().map(|(id, e)| line(id, e)).collect();
                    Some((Ok(text), more.then_some(next).flatten()))
                }
                Err(e) => {
                    // The status line is sent: the client sees a cut-off body, never a
                    // silently short export that looks complete.
                    tracing::error!(cause = %e, "audit export page failed");
                    Some((Err(std::io::Error::other("audit export failed")), None))
                }
            }
        }
    });
    let mut response = Body::from_stream(pages).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSONL));
    Ok(response)
}
