//! The audit export: `GET /admin/audit/export` answers every entry of a range as JSON Lines,
//! in pages, admin only, and audits itself.

use super::service::{state, ADMIN, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use rxgate_host::service::router;
use rxgate_host::store::{AuditEntry, AuditFilter, Storage};
use tower::ServiceExt;

async fn export(
    state: &rxgate_host::service::AppState,
    key: &str,
    query: &str,
) -> (StatusCode, Option<String>, String) {
    let response = router(state.clone())
        .oneshot(
            Request::get(format!("/admin/audit/export?{query}"))
                .header("x-api-key", key)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_export_answers_one_days_entries_as_json_lines() {
    let (state, store) = state();
    // 2026-12-04T23:59:59.999Z, then 1 203 entries on 2026-12-05 (more than two pages), then
    // 2026-12-06T00:00:00Z: only the day's are exported.
    let day = 1_796_428_800_000_i64;
    let mut ats = vec![day - 1, day + 86_400_000];
    ats.extend((0..1_203).map(|i| day + i * 1_000));
    for at in ats {
        store
            .audit(&AuditEntry {
                at,
                source: "api".into(),
                event: "probe".into(),
                outcome: "ok".into(),
                ..AuditEntry::default()
            })
            .unwrap();
    }
    let (status, kind, body) = export(&state, ADMIN, "from=2026-12-05&to=2026-12-06").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(kind.as_deref(), Some("application/jsonl"));
    let lines: Vec<serde_json::Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let probes: Vec<i64> = lines
        .iter()
        .filter(|l| l["event"] == "probe")
        .map(|l| l["at"].as_i64().unwrap())
        .collect();
    assert_eq!(probes.len(), 1_203);
    assert!(probes.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert!(probes.iter().all(|at| (day..day + 86_400_000).contains(at)));
    let ids: Vec<i64> = lines.iter().map(|l| l["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "each row once");
    // The same range as instants; the export itself is audited with its caller.
    let (status, _, again) = export(
        &state,
        ADMIN,
        "from=2026-12-05T00:00:00Z&to=2026-12-05T00:00:10%2B00:00",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again.lines().count(), 10);
    let exports = store
        .audit_log(&AuditFilter {
            event: Some("audit_export".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(exports.len(), 2);
    assert!(exports[0]
        .actor
        .as_deref()
        .is_some_and(|a| a.starts_with("key_")));
}

#[tokio::test]
async fn the_export_is_admin_only_and_refuses_a_bad_range() {
    let (state, _store) = state();
    let (status, _, _) = export(&state, EMR, "from=2026-12-05&to=2026-12-06").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for query in [
        "from=2026-12-06&to=2026-12-05",
        "from=yesterday&to=2026-12-06",
        "from=2026-12-05",
    ] {
        let (status, kind, body) = export(&state, ADMIN, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(kind.as_deref(), Some("application/problem+json"), "{query}");
    }
}
