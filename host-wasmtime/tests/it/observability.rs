//! Metrics, backlog gauges and request ids: `# HELP` on every family, duration histograms,
//! the store's backlog read at scrape time, `rxgate_build_info`, and one `x-request-id` per
//! request answered, logged and audited.

use super::service::{send, state, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::router;
use rxgate_host::store::{
    AuditFilter, CallDisposition, Change, Claim, NewEvent, PartnerBacklog, Storage,
};
use serde_json::json;
use tower::ServiceExt;

async fn scrape(state: &rxgate_host::service::AppState) -> String {
    let (status, text, ctype) =
        send(state, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ctype
        .unwrap_or_default()
        .starts_with("text/plain; version=0.0.4"));
    text
}

/// The value of the sample `series` (name and rendered labels), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn every_metric_family_has_help_and_histograms_fill() {
    let (state, _) = state();
    send(&state, Request::get("/livez").body(Body::empty()).unwrap()).await;
    let body = crate::common::ready_order();
    let req = Request::put("/api/emr/orders/o1")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(&state, req).await;
    let text = scrape(&state).await;
    let mut families = 0;
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = line.split(' ').nth(2).unwrap();
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "{name} has no HELP line"
        );
        families += 1;
    }
    // The 2 counters and 2 histograms with samples, build info, store up, 3 outbox gauges
    // (every partner at 0) and 3 inbox gauges.
    assert!(families >= 12, "{families} families:\n{text}");
    let count = sample(
        &text,
        r#"rxgate_http_request_duration_seconds_count{method="GET",route="/livez"}"#,
    );
    assert_eq!(count, Some(1.0), "{text}");
    assert!(
        text.contains(
            r#"rxgate_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/livez"}"#
        ) || text.contains(
            r#"rxgate_http_request_duration_seconds_bucket{method="GET",route="/livez",le="0.001"}"#
        ),
        "{text}"
    );
    // The PUT asked the rules to split the snapshot: the rules-call histogram counts it.
    let split = text
        .lines()
        .find(|l| l.starts_with("rxgate_rules_call_duration_seconds_count{"))
        .unwrap_or_else(|| panic!("no rules-call histogram:\n{text}"));
    assert!(!split.ends_with(" 0"), "{split}");
    let digest = state.rules.current().digest().to_owned();
    let info = format!(
        "rxgate_build_info{{version=\"{}\",rules_digest=\"{digest}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(sample(&text, &info), Some(1.0), "{text}");
}

#[tokio::test]
async fn backlog_gauges_read_the_store_at_scrape_time() {
    let (state, store) = state();
    let now = state.now_ms();
    // Two Beluga calls: one due a minute ago, one parked; one LifeFile call not due yet.
    for (kind, key, at) in [
        ("beluga_submit", "b1", now - 60_000),
        ("beluga_chat", "b2", now - 5_000),
        ("lifefile_order", "l1", now + 600_000),
    ] {
        store
            .enqueue(kind, Some("o1"), key, &json!({}), at)
            .unwrap();
    }
    let parked = store.calls_of("o1").unwrap();
    let chat = parked.iter().find(|c| c.kind == "beluga_chat").unwrap();
    let change = Change {
        call_outcome: Some((
            chat.id,
            CallDisposition::Failed {
                error: "rejected".into(),
            },
        )),
        now,
        ..Change::default()
    };
    store.commit(&change).unwrap();
    let events: Vec<NewEvent> = (0..3)
        .map(|i| NewEvent {
            source: "beluga".into(),
            partner: String::new(),
            event: "X".into(),
            dedupe_key: format!("e{i}"),
            raw: b"{}".to_vec(),
            unsigned: true,
            received_at: now,
        })
        .collect();
    store.accept_events(&events, &Default::default()).unwrap();
    let claim = Claim {
        owner: "test".into(),
        now,
        lease_ms: 60_000,
    };
    let pending = store.claim_pending_events(&claim, 10).unwrap();
    store
        .finish_event(
            pending[0].id,
            rxgate_host::store::EventOutcome::Unmatched,
            None,
            now,
        )
        .unwrap();
    store
        .finish_event(
            pending[1].id,
            rxgate_host::store::EventOutcome::Deferred,
            None,
            now,
        )
        .unwrap();

    let backlog = store.backlog(now).unwrap();
    assert_eq!(
        backlog.outbox,
        vec![
            PartnerBacklog {
                partner: "beluga".into(),
                pending: 1,
                parked: 1,
                oldest_due_at: Some(now - 60_000),
            },
            PartnerBacklog {
                partner: "lifefile".into(),
                pending: 1,
                parked: 0,
                oldest_due_at: None,
            },
        ]
    );
    assert_eq!(
        (backlog.inbox_pending, backlog.unmatched, backlog.deferred),
        (1, 1, 1)
    );

    let text = scrape(&state).await;
    let age = sample(
        &text,
        r#"rxgate_outbox_oldest_due_age_seconds{partner="beluga"}"#,
    )
    .unwrap_or_else(|| panic!("{text}"));
    assert!((60.0..120.0).contains(&age), "{age}");
    for (series, value) in [
        (r#"rxgate_outbox_pending{partner="beluga"}"#, 1.0),
        (r#"rxgate_outbox_parked{partner="beluga"}"#, 1.0),
        (r#"rxgate_outbox_pending{partner="lifefile"}"#, 1.0),
        (
            r#"rxgate_outbox_oldest_due_age_seconds{partner="lifefile"}"#,
            0.0,
        ),
        ("rxgate_inbox_pending", 1.0),
        ("rxgate_inbox_unmatched", 1.0),
        ("rxgate_inbox_deferred", 1.0),
        ("rxgate_store_up", 1.0),
        (r#"rxgate_outbox_pending{partner="dispensepro"}"#, 0.0),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series}\n{text}");
    }
}

async fn request_id_of(state: &rxgate_host::service::AppState, id: Option<&str>) -> String {
    let mut req = Request::get("/livez");
    if let Some(id) = id {
        req = req.header("x-request-id", id);
    }
    let response = router(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn request_ids_are_kept_when_plain_and_made_otherwise() {
    let (state, _) = state();
    assert_eq!(
        request_id_of(&state, Some("abc-123.x_y")).await,
        "abc-123.x_y"
    );
    for given in [None, Some("has space"), Some(&*"x".repeat(129))] {
        let made = request_id_of(&state, given).await;
        assert!(uuid::Uuid::parse_str(&made).is_ok(), "{given:?} -> {made}");
    }
    assert_ne!(
        request_id_of(&state, None).await,
        request_id_of(&state, None).await
    );
}

#[tokio::test]
async fn the_audit_and_the_response_carry_the_same_fresh_request_id() {
    let (state, store) = state();
    let req = Request::put("/api/emr/orders/o9")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(crate::common::ready_order().to_string()))
        .unwrap();
    let response = router(state.clone()).oneshot(req).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let answered = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let log = store
        .audit_log(&AuditFilter {
            order_id: Some("o9".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(log[0].request_id.as_deref(), Some(answered.as_str()));
}

/// `rxgate serve` on an ephemeral port with an EMR key, its log (stdout and stderr) in a file.
pub(crate) struct Served {
    pub child: std::process::Child,
    pub url: String,
    pub log: std::path::PathBuf,
    pub dir: std::path::PathBuf,
}

// The child is handed to the caller, which kills and waits for it.
#[allow(clippy::zombie_processes)]
pub(crate) fn serve(tag: &str, env: &[(&str, &str)]) -> Served {
    let dir = std::env::temp_dir().join(format!("rxgate-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    // The compiled rules are shared with the other tests (a fresh cache costs a compile).
    let config = dir.join("rxgate.toml");
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rules-cache");
    std::fs::write(
        &config,
        format!("[rules]\ncache_dir = {:?}\n", cache.display().to_string()),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("RXGATE_API_KEY_EMR", EMR)
        .env("RXGATE_ENVIRONMENT", "development")
        .envs(env.iter().copied())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(url) = text
            .lines()
            .find_map(|l| l.strip_prefix("rxgate listening on "))
        {
            return Served {
                child,
                url: url.trim().to_owned(),
                log,
                dir,
            };
        }
        let exited = matches!(child.try_wait(), Ok(Some(_)));
        if exited || std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no start:\n{text}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[tokio::test]
async fn every_log_line_of_a_request_names_its_id() {
    let mut served = serve("reqid", &[]);
    let before = std::fs::read_to_string(&served.log).unwrap().len();
    // With no Beluga key configured, a valid pharmacy search logs an internal error inside the
    // handler, then the request line.
    let response = reqwest::Client::new()
        .post(format!("{}/api/emr/pharmacies/search", served.url))
        .header("x-api-key", EMR)
        .header("x-request-id", "req-log-7")
        .json(&json!({"zip": "78701"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-request-id"], "req-log-7");
    let _ = served.child.kill();
    let _ = served.child.wait();
    let text = std::fs::read_to_string(&served.log).unwrap();
    let lines: Vec<serde_json::Value> = text[before..]
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .collect();
    assert!(lines.len() >= 2, "{text}");
    for line in &lines {
        assert_eq!(line["span"]["request_id"], "req-log-7", "{line}");
    }
    for message in ["request", "internal error"] {
        assert!(
            lines.iter().any(|l| l["fields"]["message"] == message),
            "{message}: {text}"
        );
    }
    let _ = std::fs::remove_dir_all(&served.dir);
}

#[test]
fn forwarded_for_is_believed_only_from_trusted_proxies() {
    use axum::http::HeaderMap;
    use rxgate_host::service::webhooks::client_ip;
    use std::net::IpAddr;
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        "203.0.113.9, 198.51.100.7, 10.0.0.2".parse().unwrap(),
    );
    let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
    // Off by default: the peer is the client.
    assert_eq!(client_ip(ip("10.0.0.1"), &headers, &[]), ip("10.0.0.1"));
    // From an untrusted peer the header is ignored.
    assert_eq!(
        client_ip(ip("192.0.2.1"), &headers, &proxies),
        ip("192.0.2.1")
    );
    // From a trusted proxy: the nearest entry that is not a trusted proxy (not the leftmost,
    // which the client may have forged).
    assert_eq!(
        client_ip(ip("10.0.0.1"), &headers, &proxies),
        ip("198.51.100.7")
    );
    // A garbled entry stops the walk at the last believed address.
    headers.insert(
        "x-forwarded-for",
        "203.0.113.9, not-an-ip, 10.0.0.2".parse().unwrap(),
    );
    assert_eq!(
        client_ip(ip("10.0.0.1"), &headers, &proxies),
        ip("10.0.0.2")
    );
}
