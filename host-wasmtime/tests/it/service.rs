//! Handler tests with `tower::ServiceExt::oneshot` (no sockets) and integration tests against
//! a loopback stub partner on an ephemeral port.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use rxgate_host::config::{
    Config, DispenseProConfig, Environment, LifeFileConfig, OwnPharmacyConfig,
};
use rxgate_host::keys::Scope;
use rxgate_host::rules::{RulesConfig, RulesHandle};
use rxgate_host::service::{self, router, AppState};
use rxgate_host::store::{sqlite::SqliteStore, Db, Storage};
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub(crate) const EMR: &str = "emr-test-key";
pub(crate) const PORTAL: &str = "portal-test-key";
pub(crate) const ADMIN: &str = "admin-test-key";
pub(crate) const BELUGA_SECRET: &str = "beluga-webhook-secret";
const DP_SECRET: &str = "whsec_c2VjcmV0LWZvci1kaXNwZW5zZXBybw==";

pub(crate) fn rules_config() -> RulesConfig {
    RulesConfig {
        cache_dir: Some(std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rules-cache")),
        ..RulesConfig::default()
    }
}

pub(crate) fn shared_rules() -> RulesHandle {
    static RULES: OnceLock<RulesHandle> = OnceLock::new();
    RULES
        .get_or_init(|| RulesHandle::builtin(rules_config()).expect("built-in rules"))
        .clone()
}

pub(crate) fn test_config() -> Config {
    let mut config = Config {
        environment: Environment::Development,
        ..Config::default()
    };
    config.beluga.webhook_secrets = vec![BELUGA_SECRET.into(), "previous-secret".into()];
    config.bootstrap_keys = vec![
        (Scope::Emr, EMR.into()),
        (Scope::Portal, PORTAL.into()),
        (Scope::Admin, ADMIN.into()),
    ];
    config.dispensepro.insert(
        "dp1".into(),
        DispenseProConfig {
            webhook_secret: Some(DP_SECRET.into()),
            ..Default::default()
        },
    );
    config.pharmacies.insert(
        "own-open".into(),
        OwnPharmacyConfig {
            allow_unsigned: true,
            webhook_secret: None,
            webhook_secret_previous: None,
        },
    );
    config.lifefile.insert(
        "belmar".into(),
        LifeFileConfig {
            webhook_username: "lf".into(),
            webhook_password: Some("lf-pass".into()),
            ..Default::default()
        },
    );
    config
}

pub(crate) fn state_with(config: Config, rules: RulesHandle) -> (AppState, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let db = Db::new(store.clone() as Arc<dyn Storage>);
    (AppState::with_parts(config, db, rules).unwrap(), store)
}

pub(crate) fn state() -> (AppState, Arc<SqliteStore>) {
    state_with(test_config(), shared_rules())
}

pub(crate) async fn send(
    state: &AppState,
    request: Request<Body>,
) -> (StatusCode, String, Option<String>) {
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let ctype = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), ctype)
}

pub(crate) fn json_body(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[tokio::test]
async fn livez_and_readyz_report_the_rules_digest() {
    let (state, _) = state();
    let (status, _, _) = send(&state, Request::get("/livez").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body, _) =
        send(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let body = json_body(&body);
    assert_eq!(body["rules"]["digest"], state.rules.current().digest());
    assert_eq!(body["rules"]["version"]["wit"], "0.1.0");
    // The test config has webhook secrets but no Beluga API key.
    let warnings = body["config_warnings"].as_array().unwrap();
    assert!(warnings.contains(&json!("beluga_api_key_missing")));
    assert!(!warnings.contains(&json!("beluga_webhook_secret_missing")));
    assert!(warnings.contains(&json!("dispensepro_base_url_refused:dp1")));
}

#[tokio::test]
async fn missing_key_is_a_problem_json_401() {
    let (state, _) = state();
    let (status, body, ctype) = send(
        &state,
        Request::get("/api/emr/orders/o1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    let body = json_body(&body);
    assert_eq!(body["status"], 401);
    assert!(body["violations"].is_array());
}

#[tokio::test]
async fn scopes_are_enforced() {
    let (state, _) = state();
    let put = |key: &str| {
        Request::put("/api/emr/orders/o1")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from(crate::common::ready_order().to_string()))
            .unwrap()
    };
    assert_eq!(send(&state, put(PORTAL)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&state, put("not-a-key")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(&state, put(EMR)).await.0, StatusCode::CREATED);
    assert_eq!(send(&state, put(ADMIN)).await.0, StatusCode::OK);
    let reload = Request::post("/admin/rules/reload")
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&state, reload).await.0, StatusCode::FORBIDDEN);
}

pub(crate) fn beluga_event(secret: Option<&str>, body: &str) -> Request<Body> {
    let mut builder =
        Request::post("/api/webhooks/beluga").header("content-type", "application/json");
    if let Some(secret) = secret {
        builder = builder.header("authorization", format!("Bearer {secret}"));
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn beluga_webhook_fails_closed_without_a_secret() {
    let mut config = test_config();
    config.beluga.webhook_secrets.clear();
    let (state, store) = state_with(config, shared_rules());
    let (status, body, ctype) = send(
        &state,
        beluga_event(Some("anything"), r#"{"event":"CS_MESSAGE","masterId":"m"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    let body = json_body(&body);
    assert_eq!(body["detail"], "internal error");
    assert_eq!(body["code"], "internal");
    assert!(body.get("violations").is_none());
    assert!(store.list_events(10).unwrap().is_empty());
}

#[tokio::test]
async fn beluga_webhook_authenticates_stores_and_dedupes() {
    let (state, store) = state();
    let event = r#"{"event":"DOCTOR_CHAT","masterId":"m-1","content":"PHI-SENTINEL hello"}"#;
    assert_eq!(
        send(&state, beluga_event(Some("wrong"), event)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&state, beluga_event(None, event)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body, _) = send(&state, beluga_event(Some(BELUGA_SECRET), event)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["status"], "accepted");
    // The rotated-out secret still works, and a redelivery is a duplicate.
    let (status, body, _) = send(&state, beluga_event(Some("previous-secret"), event)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["status"], "duplicate");
    let events = store.list_events(10).unwrap();
    assert_eq!(events.len(), 1);
    assert!(events[0]
        .dedupe_key
        .starts_with("beluga:DOCTOR_CHAT:m-1:-:"));
    assert_eq!(events[0].raw.as_deref(), Some(event.as_bytes()));
    // Same event, different content: a new event.
    let second = r#"{"event":"DOCTOR_CHAT","masterId":"m-1","content":"another"}"#;
    let (_, body, _) = send(&state, beluga_event(Some(BELUGA_SECRET), second)).await;
    assert_eq!(json_body(&body)["status"], "accepted");
    // X-Webhook-Secret is accepted too.
    let req = Request::post("/api/webhooks/beluga")
        .header("x-webhook-secret", BELUGA_SECRET)
        .body(Body::from(r#"{"event":"NO_SHOW","masterId":"m-2"}"#))
        .unwrap();
    assert_eq!(send(&state, req).await.0, StatusCode::OK);
    // Audit entries exist for each request, and no audit entry carries the body.
    let audit = store.audit_log(&Default::default()).unwrap();
    assert_eq!(audit.len(), 4);
    assert!(!serde_json::to_string(&audit)
        .unwrap()
        .contains("PHI-SENTINEL"));
}

#[tokio::test]
async fn beluga_body_over_1_mib_is_refused_unless_a_lab_requisition() {
    let (state, _) = state();
    let big = "A".repeat(1_100_000);
    let chat = format!(r#"{{"event":"DOCTOR_CHAT","masterId":"m","content":"{big}"}}"#);
    assert_eq!(
        send(&state, beluga_event(Some(BELUGA_SECRET), &chat))
            .await
            .0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let lab = format!(
        r#"{{"event":"LAB_ORDER_REQUISITION_CREATED","masterId":"m","orderId":"l1","labReqPdf":"{big}"}}"#
    );
    assert_eq!(
        send(&state, beluga_event(Some(BELUGA_SECRET), &lab))
            .await
            .0,
        StatusCode::OK
    );
    let huge = format!(
        r#"{{"event":"LAB_ORDER_REQUISITION_CREATED","masterId":"m","labReqPdf":"{}"}}"#,
        "A".repeat(11 << 20)
    );
    assert_eq!(
        send(&state, beluga_event(Some(BELUGA_SECRET), &huge))
            .await
            .0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

fn standard(uri: &str, id: &str, ts: i64, body: &str, secret: &str) -> Request<Body> {
    let sig = rxgate_sandbox::sign_standard(id, ts, body, secret);
    Request::post(uri)
        .header("webhook-id", id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", format!("v1,bogus {sig}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn dispensepro_webhook_verifies_standard_signatures() {
    let (mut state, store) = state();
    // A fixed clock: the ±300 s window is checked at its edge, however slow the machine.
    let fixed = service::now_ms();
    state.clock = service::Clock::from_fn(move || fixed);
    let now = fixed / 1000;
    let body = r#"{"event":"dispensepro.status","order":{"id":"d1","externalId":"o1","status":"shipped"},"occurredAt":"2026-11-23T00:00:00Z"}"#;
    let uri = "/api/webhooks/dispensepro/dp1";
    assert_eq!(
        send(&state, standard(uri, "msg-1", now, body, DP_SECRET))
            .await
            .0,
        StatusCode::OK
    );
    let (_, answer, _) = send(&state, standard(uri, "msg-1", now, body, DP_SECRET)).await;
    assert_eq!(json_body(&answer)["status"], "duplicate");
    let wrong = "whsec_d3Jvbmc=";
    assert_eq!(
        send(&state, standard(uri, "msg-2", now, body, wrong))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&state, standard(uri, "msg-3", now - 301, body, DP_SECRET))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&state, standard(uri, "msg-4", now + 301, body, DP_SECRET))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A body changed after signing fails.
    let mut tampered = standard(uri, "msg-5", now, body, DP_SECRET);
    *tampered.body_mut() = Body::from(body.replace("shipped", "delivered"));
    assert_eq!(send(&state, tampered).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(
            &state,
            standard("/api/webhooks/dispensepro/nope", "m", now, body, DP_SECRET)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(store.list_events(10).unwrap().len(), 1);
}

#[tokio::test]
async fn own_pharmacy_unsigned_only_outside_production() {
    let body =
        r#"{"event":"order.shipped","order":{"id":"p1","externalOrderId":"o1"},"occurredAt":"x"}"#;
    let req = || {
        Request::post("/api/webhooks/pharmacy/own-open")
            .body(Body::from(body))
            .unwrap()
    };
    let (state, store) = state();
    assert_eq!(send(&state, req()).await.0, StatusCode::OK);
    let audit = store.audit_log(&Default::default()).unwrap();
    assert_eq!(audit[0].detail, Some(json!({"unsigned": true})));
    let mut config = test_config();
    config.environment = Environment::Production;
    let (state, store) = state_with(config, shared_rules());
    assert_eq!(
        send(&state, req()).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert!(store.list_events(10).unwrap().is_empty());
}

#[tokio::test]
async fn lifefile_webhook_uses_basic_auth_and_keys_each_line() {
    use base64::Engine as _;
    let (state, store) = state();
    let body = r#"[{"orderId":"L1","fillId":"F1","rxStatus":"Shipping","rxStatusDateTime":"2026-11-23 10:00:00","trackingNumber":"T"},
                   {"orderId":"L1","fillId":"F2","rxStatus":"Shipping","rxStatusDateTime":"2026-11-23 10:00:00","trackingNumber":"T"}]"#;
    let req = |user: &str, pass: &str| {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        Request::post("/api/webhooks/lifefile/belmar")
            .header("authorization", format!("Basic {token}"))
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        send(&state, req("lf", "bad")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, answer, _) = send(&state, req("lf", "lf-pass")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json_body(&answer)["status"],
        json!(["accepted", "accepted"])
    );
    let (_, answer, _) = send(&state, req("lf", "lf-pass")).await;
    assert_eq!(
        json_body(&answer)["status"],
        json!(["duplicate", "duplicate"])
    );
    let keys: Vec<String> = store
        .list_events(10)
        .unwrap()
        .into_iter()
        .map(|e| e.dedupe_key)
        .collect();
    assert!(
        keys.contains(&"lifefile:L1:F1:Shipping:2026-11-23 10:00:00".to_owned()),
        "{keys:?}"
    );
}

#[tokio::test]
async fn unknown_master_id_is_stored_unmatched() {
    let (state, store) = state();
    let event = r#"{"event":"CONSULT_CANCELED","masterId":"unknown-master"}"#;
    assert_eq!(
        send(&state, beluga_event(Some(BELUGA_SECRET), event))
            .await
            .0,
        StatusCode::OK
    );
    let mut last = 0;
    service::worker::tick(&state, &mut last).await.unwrap();
    let events = store.list_events(10).unwrap();
    assert_eq!(
        events[0].outcome,
        Some(rxgate_host::store::EventOutcome::Unmatched)
    );
    assert_eq!(store.unmatched_events().unwrap().len(), 1);
}

#[tokio::test]
async fn reload_over_http_is_refused_for_a_guest_failing_the_vectors() {
    let rules = RulesHandle::builtin(rules_config()).unwrap();
    let (state, _) = state_with(test_config(), rules);
    let before = state.rules.current().digest().to_owned();
    let bad = wat::parse_str(include_str!("../fixtures/misbehaving.wat")).unwrap();
    let req = Request::post("/admin/rules/reload")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(bad))
        .unwrap();
    let (status, body, _) = send(&state, req).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let body = json_body(&body);
    assert_eq!(body["swapped"], false);
    assert!(body["vectors"]["failed"].as_u64().unwrap() > 0);
    let (_, ready, _) = send(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(json_body(&ready)["rules"]["digest"], before);
    let garbage = Request::post("/admin/rules/reload")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from("not wasm"))
        .unwrap();
    assert_eq!(
        send(&state, garbage).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let (state, _) = state();
    send(
        &state,
        Request::get("/api/emr/orders/PATIENT-ORDER-42")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let (_, text, _) = send(
        &state,
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(text.contains(r#"route="/api/emr/orders/{id}""#), "{text}");
    assert!(!text.contains("PATIENT-ORDER-42"));
}

#[test]
fn base_urls_must_be_https_except_loopback_sandbox() {
    use rxgate_host::clients::check_base_url;
    assert!(check_base_url("https://api.belugahealth.com", Environment::Production).is_ok());
    assert!(check_base_url("http://api.belugahealth.com", Environment::Sandbox).is_err());
    assert!(check_base_url("http://127.0.0.1:9000/", Environment::Sandbox).is_ok());
    assert!(check_base_url("http://[::1]:9000/", Environment::Development).is_ok());
    assert!(check_base_url("http://localhost:9000/", Environment::Production).is_err());
}

#[test]
fn backoff_grows_exponentially_with_bounded_jitter() {
    use rxgate_host::service::worker::backoff_ms;
    for attempt in 0..12 {
        let ceiling = (1_000u64 << attempt).min(60_000);
        let value = backoff_ms(attempt, 1_000, 60_000);
        assert!(
            value >= ceiling / 2 && value <= ceiling,
            "{attempt}: {value}"
        );
    }
    let samples: std::collections::BTreeSet<u64> =
        (0..50).map(|_| backoff_ms(5, 1_000, 60_000)).collect();
    assert!(samples.len() > 1, "jitter varies");
}

#[test]
fn config_reads_env_secrets_and_rejects_secrets_in_the_file() {
    let dir = std::env::temp_dir().join(format!("rxgate-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rxgate.toml");
    std::fs::write(&file, "[beluga]\napi_key = \"in-file\"\n").unwrap();
    assert!(Config::load(Some(&file)).is_err());
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9999\"\n[pharmacies.own-1]\nallow_unsigned = true\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let mut config: Config = toml::from_str(&text).unwrap();
    let env = std::collections::HashMap::from([
        ("RXGATE_BELUGA_WEBHOOK_SECRET", "s1"),
        ("RXGATE_PHARMACY_OWN_1_WEBHOOK_SECRET", "whsec_x"),
        ("RXGATE_API_KEY_EMR", "k"),
    ]);
    config
        .apply_env(|k| env.get(k).map(|v| v.to_string()))
        .unwrap();
    assert_eq!(config.listen.port(), 9999);
    assert_eq!(config.beluga.webhook_secrets, vec!["s1".into()]);
    assert_eq!(
        config.pharmacies["own-1"]
            .webhook_secret
            .as_ref()
            .map(|s| s.expose()),
        Some("whsec_x")
    );
    assert_eq!(config.bootstrap_keys, vec![(Scope::Emr, "k".into())]);
    // Short secrets are used outside production, and named (never shown) as weak.
    assert_eq!(
        config.weak_secrets,
        vec![
            "RXGATE_BELUGA_WEBHOOK_SECRET",
            "RXGATE_PHARMACY_OWN_1_WEBHOOK_SECRET",
            "RXGATE_API_KEY_EMR"
        ]
    );
    assert!(
        !format!("{config:?}").contains("whsec_x"),
        "Debug never prints a secret"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn store_migrates_once_and_keeps_master_ids_and_dedupe_keys() {
    let dir = std::env::temp_dir().join(format!("rxgate-store-{}", std::process::id()));
    {
        let store = SqliteStore::open_dir(&dir).unwrap();
        crate::common::seed_order(&store, "o1", &json!({"a": 1}));
        assert_eq!(store.ensure_master_id("o1", "m-first").unwrap(), "m-first");
        assert_eq!(store.ensure_master_id("o1", "m-second").unwrap(), "m-first");
        let call = json!({"path": "order"});
        use rxgate_host::store::Inserted;
        assert!(matches!(
            store
                .enqueue("lifefile_order", Some("o1"), "lf:o1", &call, 1)
                .unwrap(),
            Inserted::New(_)
        ));
        assert_eq!(
            store
                .enqueue("lifefile_order", Some("o1"), "lf:o1", &call, 2)
                .unwrap(),
            Inserted::Duplicate
        );
    }
    let store = SqliteStore::open_dir(&dir).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        rxgate_host::store::sqlite::MIGRATIONS.len() as i64
    );
    assert_eq!(
        store.order_by_master_id("m-first").unwrap().unwrap().id,
        "o1"
    );
    assert_eq!(store.calls_of("o1").unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

/// A minimal loopback stub partner: records requests, answers a fixed body.
async fn stub_partner(
    answer: &'static str,
) -> (String, Arc<std::sync::Mutex<Vec<(String, String, String)>>>) {
    use axum::routing::any;
    let seen: Arc<std::sync::Mutex<Vec<(String, String, String)>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(any(move |req: axum::extract::Request| {
        let log = log.clone();
        async move {
            let auth = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let path = req.uri().path().to_owned();
            let body = req.into_body().collect().await.unwrap().to_bytes();
            log.lock()
                .unwrap()
                .push((path, auth, String::from_utf8_lossy(&body).into_owned()));
            ([("content-type", "application/json")], answer)
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), seen)
}

#[tokio::test]
async fn outbox_calls_reach_the_partner_once_with_bearer_auth() {
    let (base, seen) = stub_partner(r#"{"masterId":"m-1","visitId":"v-1"}"#).await;
    let mut config = test_config();
    config.environment = Environment::Sandbox;
    config.beluga.base_url = base;
    config.beluga.api_key = Some("beluga-key".into());
    let (state, store) = state_with(config, shared_rules());
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-1");
    crate::common::seed_snapshot(&*store, "o1", &order);
    let call = json!({"path": "visit/createNoPayPhotos", "endpoint": "visit", "body": {"masterId": "m-1"}});
    store
        .enqueue("beluga_submit", Some("o1"), "beluga_submit:m-1:0", &call, 0)
        .unwrap();
    let mut last = 0;
    service::worker::tick(&state, &mut last).await.unwrap();
    service::worker::tick(&state, &mut last).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "/visit/createNoPayPhotos");
    assert_eq!(seen[0].1, "Bearer beluga-key");
    assert_eq!(json_body(&seen[0].2), json!({"masterId": "m-1"}));
    // The call's outcome is recorded in the audit trail with its class.
    let audit = store.audit_log(&Default::default()).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.source == "outbox" && e.event == "beluga_submit"));
}

#[tokio::test]
async fn service_starts_on_an_ephemeral_port_and_shuts_down() {
    let dir = std::env::temp_dir().join(format!("rxgate-svc-{}", std::process::id()));
    let mut config = test_config();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.data_dir = dir.clone();
    config.rules = rules_config();
    let running = service::start(config).await.unwrap();
    assert_ne!(running.addr.port(), 0);
    let body = reqwest::get(format!("{}/readyz", running.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(json_body(&body)["status"], "ready");
    let event = reqwest::Client::new()
        .post(format!("{}/api/webhooks/beluga", running.url()))
        .bearer_auth(BELUGA_SECRET)
        .body(r#"{"event":"CS_MESSAGE","masterId":"m-x","content":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(event.status(), 200);
    running.shutdown().await;
    // The event was committed to the file before the 2xx.
    let store = SqliteStore::open_dir(&dir).unwrap();
    assert_eq!(store.list_events(10).unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn raw_bodies_are_purged_after_retention_but_keys_stay() {
    use rxgate_host::store::{Inserted, NewEvent};
    let store = SqliteStore::in_memory().unwrap();
    let event = |key: &str, at: i64| NewEvent {
        source: "beluga".into(),
        partner: String::new(),
        event: "DOCTOR_CHAT".into(),
        dedupe_key: key.into(),
        raw: b"{}".to_vec(),
        unsigned: false,
        received_at: at,
    };
    let audit = rxgate_host::store::AuditEntry::default();
    let Inserted::New(old) = store
        .accept_events(&[event("k-old", 1_000)], &audit)
        .unwrap()[0]
    else {
        panic!("new")
    };
    let Inserted::New(new) = store
        .accept_events(&[event("k-new", 9_000)], &audit)
        .unwrap()[0]
    else {
        panic!("new")
    };
    store
        .finish_event(old, rxgate_host::store::EventOutcome::Applied, None, 1_500)
        .unwrap();
    store
        .finish_event(new, rxgate_host::store::EventOutcome::Applied, None, 9_500)
        .unwrap();
    assert_eq!(store.purge_raw(5_000).unwrap(), 1);
    let events = store.list_events(10).unwrap();
    let by_key = |k: &str| events.iter().find(|e| e.dedupe_key == k).unwrap();
    assert!(by_key("k-old").raw.is_none());
    assert!(by_key("k-new").raw.is_some());
    // The dedupe key outlives the raw body: a redelivery is still a duplicate.
    assert_eq!(
        store
            .accept_events(&[event("k-old", 10_000)], &audit)
            .unwrap(),
        vec![Inserted::Duplicate]
    );
}

#[tokio::test]
async fn a_matched_event_goes_through_the_guest_and_waits_for_rules_that_can_apply_it() {
    let (state, store) = state();
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-known");
    crate::common::seed_snapshot(&*store, "o1", &order);
    let event = r#"{"event":"CONSULT_CANCELED","masterId":"m-known"}"#;
    assert_eq!(
        send(&state, beluga_event(Some(BELUGA_SECRET), event))
            .await
            .0,
        StatusCode::OK
    );
    let mut last = 0;
    service::worker::tick(&state, &mut last).await.unwrap();
    let events = store.list_events(10).unwrap();
    assert_eq!(events[0].order_id.as_deref(), Some("o1"));
    let ops = state.rules.current().ops_json().unwrap();
    if ops.contains("\"apply_event\"") {
        assert_ne!(
            events[0].outcome,
            Some(rxgate_host::store::EventOutcome::Deferred)
        );
    } else {
        // Rules without `apply_event` keep the event for the next rules (retried on reload).
        assert_eq!(
            events[0].outcome,
            Some(rxgate_host::store::EventOutcome::Deferred)
        );
        assert_eq!(
            store
                .events_with_outcome(rxgate_host::store::EventOutcome::Deferred)
                .unwrap()
                .len(),
            1
        );
    }
    let audit = store.audit_log(&Default::default()).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.order_id.as_deref() == Some("o1") && e.event == "CONSULT_CANCELED"));
}

#[test]
fn one_change_is_one_commit_and_its_records_are_stored_once_per_key() {
    use rxgate_host::store::{Change, NewActivity, NewCall, RecordTable};
    let store = SqliteStore::in_memory().unwrap();
    crate::common::seed_order(&store, "o1", &json!({}));
    let change = |at: i64| Change {
        order_id: Some("o1".into()),
        activities: vec![NewActivity {
            kind: "BELUGA_DOCTOR_CHAT".into(),
            patient_visible: true,
            body: json!({"content": "c"}),
        }],
        records: vec![
            (
                RecordTable::Documents,
                json!({"kind": "lab_requisition", "dedupe_key": "document:k1", "content_base64": "JVBERi0xLjQK"}),
            ),
            (
                RecordTable::Notifications,
                json!({"kind": "shipped", "dedupe_key": "notify:o1:shipped", "status": "pending"}),
            ),
        ],
        calls: vec![NewCall {
            kind: "dispensepro_order".into(),
            dedupe_key: "dp:o1:r1".into(),
            payload: json!({"path": "orders"}),
        }],
        now: at,
        ..Change::default()
    };
    store.commit(&change(5)).unwrap();
    store.commit(&change(6)).unwrap();
    assert_eq!(
        store.records(RecordTable::Documents, "o1").unwrap().len(),
        1
    );
    assert_eq!(
        store.records(RecordTable::Notifications, "o1").unwrap(),
        vec![json!({"kind": "shipped", "dedupe_key": "notify:o1:shipped", "status": "pending"})]
    );
    assert_eq!(
        store.calls_of("o1").unwrap().len(),
        1,
        "a call is queued once per key"
    );
    assert_eq!(store.activities("o1", true).unwrap().len(), 2);
    // A change computed from a version that moved writes nothing.
    let stale = Change {
        order: Some(rxgate_host::store::OrderWrite {
            id: "o1".into(),
            expected_version: 99,
            rxgate: Some(json!({"order": {"flags": []}})),
            state: None,
        }),
        ..change(7)
    };
    assert_eq!(
        store.commit(&stale).unwrap(),
        rxgate_host::store::Committed::Conflict
    );
    assert_eq!(
        store.activities("o1", true).unwrap().len(),
        2,
        "nothing of a conflicting change is written"
    );
}

#[tokio::test]
async fn bad_bodies_and_unknown_routes_are_problem_json_without_values() {
    let (state, _) = state();
    let req = Request::post("/api/emr/orders/o1/triggers")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"trigger": 987654, "patientName": "PHI-SENTINEL"}"#,
        ))
        .unwrap();
    let (status, body, ctype) = send(&state, req).await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    assert!(
        !body.contains("PHI-SENTINEL") && !body.contains("987654"),
        "{body}"
    );
    let (status, _, ctype) = send(
        &state,
        Request::get("/no/such/route").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    let huge = "A".repeat(11 << 20);
    let (status, _, ctype) = send(&state, beluga_event(Some(BELUGA_SECRET), &huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
}

#[tokio::test]
async fn beluga_hmac_header_is_verified_over_the_raw_body_when_configured() {
    let mut config = test_config();
    config.beluga.hmac_header = Some("x-beluga-signature".into());
    let (state, store) = state_with(config, shared_rules());
    let body = r#"{"event":"NO_SHOW","masterId":"m-h"}"#;
    // HMAC-SHA256 of `body` under BELUGA_SECRET (a known answer, computed once outside rxgate).
    let sig = "dc1d403d7dfaa6e80df5b545bfe67d9ac9ab5eb52c414a8baa8fdda782f2cf5b";
    let req = |sig: &str| {
        Request::post("/api/webhooks/beluga")
            .header("authorization", format!("Bearer {BELUGA_SECRET}"))
            .header("x-beluga-signature", sig)
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        send(&state, req(&"0".repeat(64))).await.0,
        StatusCode::UNAUTHORIZED
    );
    let no_header = beluga_event(Some(BELUGA_SECRET), body);
    assert_eq!(send(&state, no_header).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&state, req(sig)).await.0, StatusCode::OK);
    // The `sha256=` prefix some senders use is accepted (the core's rule); a redelivery is a
    // duplicate.
    assert_eq!(
        send(&state, req(&format!("sha256={sig}"))).await.0,
        StatusCode::OK
    );
    assert_eq!(store.list_events(10).unwrap().len(), 1);
}

#[tokio::test]
async fn submit_goes_through_the_guest_and_says_so_when_the_rules_lack_the_op() {
    let (state, store) = state();
    crate::common::seed_order(&*store, "o1", &json!({}));
    let req = |uri: &str| {
        Request::post(uri)
            .header("x-api-key", EMR)
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, ctype) = send(&state, req("/api/emr/orders/missing/submit-to-beluga")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    let (status, body, _) = send(&state, req("/api/emr/orders/o1/submit-to-beluga")).await;
    let ops = state.rules.current().ops_json().unwrap();
    if ops.contains("\"decide_submit\"") {
        assert_ne!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
    } else {
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{body}");
        assert!(body.contains("decide_submit"));
    }
    // Nothing is queued without the rules' decision.
    assert!(store.calls_of("o1").unwrap().is_empty() || ops.contains("\"decide_submit\""));
}

#[tokio::test]
async fn raw_event_bodies_are_admin_only_and_audited() {
    let (state, store) = state();
    let event = r#"{"event":"DOCTOR_CHAT","masterId":"m-r","content":"PHI-SENTINEL"}"#;
    assert_eq!(
        send(&state, beluga_event(Some(BELUGA_SECRET), event))
            .await
            .0,
        StatusCode::OK
    );
    let id = store.list_events(1).unwrap()[0].id;
    let get = |key: &str| {
        Request::get(format!("/admin/events/{id}/raw"))
            .header("x-api-key", key)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&state, get(EMR)).await.0, StatusCode::FORBIDDEN);
    let (status, body, _) = send(&state, get(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, event);
    // The listing never carries bodies.
    let list = Request::get("/admin/events")
        .header("x-api-key", ADMIN)
        .body(Body::empty())
        .unwrap();
    let (_, listing, _) = send(&state, list).await;
    assert!(!listing.contains("PHI-SENTINEL"));
    let audit = store.audit_log(&Default::default()).unwrap();
    assert!(audit.iter().any(|e| e.event == "raw_event_read"));
}

/// The canary secret and patient data of [`secrets_and_payloads_never_leave`].
const CANARY_KEY: &str = "CANARY-beluga-api-key-7c1e";

#[tokio::test]
async fn secrets_and_payloads_never_leave() {
    let mut config = test_config();
    config.beluga.api_key = Some(CANARY_KEY.into());
    let (state, store) = state_with(config, shared_rules());
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-canary");
    order["patient"]["first_name"] = json!("Canaryfirst");
    crate::common::seed_snapshot(&*store, "o1", &order);
    let update = json!({
        "patientPreference": [{"name": "Semaglutide", "strength": "0.25 mg/0.5 mL", "quantity": "2",
            "refills": "0", "daysSupply": "28", "medId": "SEMA-025"}],
        "pharmacyId": "13012",
    });
    let req = Request::post("/api/emr/orders/o1/update-visit")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(update.to_string()))
        .unwrap();
    let (status, body, _) = send(&state, req).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // The outbox keeps no key: it is added when the call is sent.
    let calls = store.calls_of("o1").unwrap();
    assert_eq!(calls.len(), 1);
    assert!(!calls[0].payload.to_string().contains(CANARY_KEY));
    for (uri, key) in [
        ("/api/emr/orders/o1/beluga", EMR),
        ("/api/emr/orders/o1", EMR),
        ("/api/emr/orders/o1/beluga/logs", EMR),
        ("/admin/events", ADMIN),
        ("/metrics", ADMIN),
        ("/readyz", ADMIN),
    ] {
        let req = Request::get(uri)
            .header("x-api-key", key)
            .body(Body::empty())
            .unwrap();
        let (status, body, _) = send(&state, req).await;
        assert!(status.is_success(), "{uri}: {status}");
        assert!(!body.contains(CANARY_KEY), "{uri} leaks the API key");
        if uri.ends_with("/beluga") {
            // The panel lists calls as summaries: no payload, no patient data.
            assert!(
                !body.contains("Canaryfirst"),
                "the panel leaks patient data"
            );
            assert!(
                !body.contains("patientPreference"),
                "the panel lists a payload"
            );
            let panel = json_body(&body);
            assert_eq!(panel["calls"][0]["kind"], "beluga_update_visit");
            assert!(panel["allowedActions"].is_array(), "{panel}");
        }
        if uri == "/api/emr/orders/o1" {
            // The order itself is the one place its patient data is returned.
            assert!(body.contains("Canaryfirst"));
        }
    }
    // A refused request's problem body echoes nothing either.
    let req = Request::post("/api/emr/orders/o1/update-visit")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"apiKey": "CANARY-beluga-api-key-7c1e", "pharmacyId": 7}"#,
        ))
        .unwrap();
    let (status, body, _) = send(&state, req).await;
    assert!(status.is_client_error(), "{status}");
    assert!(!body.contains(CANARY_KEY), "{body}");
    // Config's Debug redacts every secret.
    assert!(!format!("{:?}", state.config).contains(CANARY_KEY));
}

#[tokio::test]
async fn an_unconfigured_partner_fails_the_call_with_fix_configuration_on_the_order() {
    // No Beluga API key: the queued visit creation cannot be sent.
    let (state, store) = state();
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-unconf");
    crate::common::seed_snapshot(&*store, "o1", &order);
    let call = json!({"path": "visit/createNoPayPhotos", "endpoint": "visit", "body": {}});
    store
        .enqueue(
            "beluga_submit",
            Some("o1"),
            "beluga_submit:m-unconf:0",
            &call,
            0,
        )
        .unwrap();
    let mut last = i64::MAX;
    service::worker::tick(&state, &mut last).await.unwrap();
    let calls = store.calls_of("o1").unwrap();
    assert_eq!(calls[0].status, "failed");
    assert!(calls[0]
        .last_error
        .as_deref()
        .unwrap_or("")
        .starts_with("fix_configuration"));
    let req = Request::get("/api/emr/orders/o1/beluga")
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap();
    let (status, body, _) = send(&state, req).await;
    assert_eq!(status, StatusCode::OK);
    let panel = json_body(&body);
    assert_eq!(panel["belugaSubmitStatus"], "FAILED", "{panel}");
    assert_eq!(
        panel["submitError"]["class"], "fix_configuration",
        "{panel}"
    );
    assert_eq!(panel["calls"][0]["class"], "fix_configuration", "{panel}");
}

#[tokio::test]
async fn a_put_keeps_rxgates_state_and_a_stale_if_match_is_412() {
    let (state, store) = state();
    let order = crate::common::ready_order();
    let put = |body: &Value, if_match: Option<&str>| {
        let mut req = Request::put("/api/emr/orders/o1")
            .header("x-api-key", EMR)
            .header("content-type", "application/json");
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        req.body(Body::from(body.to_string())).unwrap()
    };
    let (status, body, _) = send(&state, put(&order, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // rxgate learns a prescription and a status through the rules (an RX_WRITTEN applied).
    let record = store.get_order("o1").unwrap().unwrap();
    let mut learned = record.rxgate.clone();
    learned["order"]["status"] = json!("COMPLETED");
    learned["order"]["prescriptions"] =
        json!([{"source": "RX_WRITTEN", "med_id": "SEMA-025", "rx_id": "rx-1"}]);
    let change = rxgate_host::store::Change {
        order: Some(rxgate_host::store::OrderWrite {
            id: "o1".into(),
            expected_version: record.version,
            rxgate: Some(learned),
            state: None,
        }),
        ..Default::default()
    };
    store.commit(&change).unwrap();
    // The clinic re-sends its original snapshot: its input is replaced, rxgate's state kept.
    let (status, body, _) = send(&state, put(&order, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let get = Request::get("/api/emr/orders/o1")
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap();
    let response = router(state.clone()).oneshot(get).await.unwrap();
    let etag = response.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(etag, "\"v3\"");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let fetched = json_body(&String::from_utf8_lossy(&body));
    assert_eq!(fetched["snapshot"]["order"]["status"], "COMPLETED");
    assert_eq!(
        fetched["snapshot"]["order"]["prescriptions"][0]["rx_id"],
        "rx-1"
    );
    // A write from an older version is refused; from the current one it lands.
    let (status, body, ctype) = send(&state, put(&order, Some("\"v2\""))).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    let (status, _, _) = send(&state, put(&order, Some(&etag))).await;
    assert_eq!(status, StatusCode::OK);
    // Every API write names its actor (the key's id), never the key.
    let audit = store.audit_log(&Default::default()).unwrap();
    let puts: Vec<_> = audit
        .iter()
        .filter(|e| e.event == "order_upserted")
        .collect();
    assert_eq!(puts.len(), 3);
    assert!(puts.iter().all(|e| e
        .actor
        .as_deref()
        .is_some_and(|a| a.starts_with("key_") && !a.contains(EMR))));
}

#[test]
fn a_v2_database_is_split_into_the_clinics_input_and_rxgates_state() {
    use rxgate_host::store::sqlite::MIGRATIONS;
    let dir = std::env::temp_dir().join(format!("rxgate-v2-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rxgate.sqlite3");
    // A database as version 2 left it: one snapshot column holding everything.
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-v2");
    order["order"]["beluga"]["submit_status"] = json!("SUBMITTED");
    order["order"]["status"] = json!("SHIPPED");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for migration in &MIGRATIONS[..2] {
            conn.execute_batch(migration).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO orders (id, snapshot, state, master_id, updated_at) VALUES ('o1', ?1, '{}', 'm-v2', 1)",
            [order.to_string()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO api_keys (hash, scope, label, created_at) VALUES ('abcdef0123456789', 'emr', 'old', 1)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO audit (at, source, event, outcome) VALUES (1, 'api', 'order_upserted', 'stored')",
            [],
        )
        .unwrap();
    }
    let store = SqliteStore::open_dir(&dir).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let record = store.get_order("o1").unwrap().unwrap();
    assert_eq!(record.version, 1);
    assert_eq!(record.rxgate["order"]["beluga"]["master_id"], "m-v2");
    assert_eq!(
        record.rxgate["order"]["beluga"]["submit_status"],
        "SUBMITTED"
    );
    assert!(
        record.clinic["order"].get("beluga").is_none(),
        "{}",
        record.clinic
    );
    assert_eq!(
        record.clinic["patient"], order["patient"],
        "the clinic's input is kept"
    );
    // The split is lossless: the rules assemble the same snapshot from the two parts.
    let (clinic, rxgate) = rxgate_core::order::ownership::split(&order);
    assert_eq!(
        (record.clinic.clone(), record.rxgate.clone()),
        (clinic, rxgate)
    );
    assert_eq!(
        store.api_key("abcdef0123456789").unwrap().map(|k| k.id),
        Some("key_abcdef012345".to_owned())
    );
    assert_eq!(store.audit_log(&Default::default()).unwrap().len(), 1);
    // Opening again migrates nothing twice.
    drop(store);
    let store = SqliteStore::open_dir(&dir).unwrap();
    assert_eq!(
        store.get_order("o1").unwrap().unwrap().rxgate,
        record.rxgate
    );
    let _ = std::fs::remove_dir_all(dir);
}
