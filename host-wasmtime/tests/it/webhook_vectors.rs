//! The shared event vectors of `verify_webhook` and `event_key` (tests/vectors/events/) run
//! against the service's webhook routes: each case's configuration becomes the service's, its
//! `now` the service's clock, its headers and body a real request. Authenticated cases are
//! stored (2xx); refused ones answer the vector's HTTP status; stored events carry the
//! vector's keys. The service authenticates and keys with the core itself, so these cases
//! check the wiring (configuration, header handling, the route's pharmacy id) end to end.

use crate::service::{send, shared_rules};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::config::{
    Config, DispenseProConfig, Environment, HmacEncoding, LifeFileConfig, OwnPharmacyConfig,
};
use rxgate_host::service::{AppState, Clock};
use rxgate_host::store::{sqlite::SqliteStore, Db, Storage};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The route's pharmacy id in every case.
const PHARMACY: &str = "ph1";

fn vectors(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/events")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or(Value::Null)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The service configuration a vector's `config` describes (`source` decides the route).
fn config_of(source: &str, auth: &Value) -> Config {
    let production = auth
        .get("production")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut config = Config {
        environment: if production {
            Environment::Production
        } else {
            Environment::Development
        },
        ..Config::default()
    };
    let secrets = strings(&auth["secrets"]);
    let secret = |i: usize| secrets.get(i).map(|s| s.as_str().into());
    match source {
        "beluga" => {
            config.beluga.webhook_secrets = secrets.iter().map(|s| s.as_str().into()).collect();
            if let Some(hmac) = auth.get("hmac").filter(|h| h.is_object()) {
                config.beluga.hmac_header = hmac["header"].as_str().map(str::to_owned);
                config.beluga.hmac_encoding = match hmac["encoding"].as_str() {
                    Some("base64") => HmacEncoding::Base64,
                    _ => HmacEncoding::Hex,
                };
            }
        }
        "lifefile" => {
            let creds = auth["credentials"].as_array().cloned().unwrap_or_default();
            let password = |i: usize| {
                creds
                    .get(i)
                    .and_then(|c| c["password"].as_str())
                    .map(Into::into)
            };
            config.lifefile.insert(
                PHARMACY.into(),
                LifeFileConfig {
                    webhook_username: creds
                        .first()
                        .and_then(|c| c["username"].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    webhook_password: password(0),
                    webhook_password_previous: password(1),
                    ..Default::default()
                },
            );
        }
        "dispensepro" => {
            config.dispensepro.insert(
                PHARMACY.into(),
                DispenseProConfig {
                    webhook_secret: secret(0),
                    webhook_secret_previous: secret(1),
                    ..Default::default()
                },
            );
        }
        _ => {
            config.pharmacies.insert(
                PHARMACY.into(),
                OwnPharmacyConfig {
                    allow_unsigned: auth
                        .get("allow_unsigned")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    webhook_secret: secret(0),
                    webhook_secret_previous: secret(1),
                },
            );
        }
    }
    config
}

fn route(source: &str) -> String {
    match source {
        "beluga" => "/api/webhooks/beluga".to_owned(),
        other => format!("/api/webhooks/{other}/{PHARMACY}"),
    }
}

/// Whether a body has the JSON shape the route stores (else an authenticated request is a
/// 400 before anything is stored).
fn storable(source: &str, body: &str) -> bool {
    match (source, serde_json::from_str::<Value>(body)) {
        ("lifefile", Ok(Value::Array(lines))) => !lines.is_empty(),
        (_, Ok(Value::Object(_))) => true,
        _ => false,
    }
}

/// A vector's `now`: RFC 3339, or an integer of Unix milliseconds.
fn millis(now: &Value) -> i64 {
    match now {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        other => chrono::DateTime::parse_from_rfc3339(other.as_str().unwrap_or(""))
            .map(|t| t.timestamp_millis())
            .unwrap_or(0),
    }
}

fn state_for(config: Config, now: &Value) -> (AppState, Arc<SqliteStore>) {
    let store = Arc::new(SqliteStore::in_memory().expect("store"));
    let db = Db::new(store.clone() as Arc<dyn Storage>);
    let mut state = AppState::with_parts(config, db, shared_rules()).expect("state");
    let at = millis(now);
    state.clock = Clock::from_fn(move || at);
    (state, store)
}

fn request(source: &str, headers: &Value, body: &str) -> Request<Body> {
    let mut builder = Request::post(route(source));
    for (name, value) in headers.as_object().into_iter().flatten() {
        if let Some(value) = value.as_str() {
            builder = builder.header(name.as_str(), value);
        }
    }
    builder.body(Body::from(body.to_owned())).expect("request")
}

#[tokio::test]
async fn verify_webhook_vectors_pass_through_the_routes() {
    let mut checked = 0;
    for file in [
        "verify_beluga.json",
        "verify_dispensepro.json",
        "verify_lifefile.json",
        "verify_standard_webhooks.json",
    ] {
        let doc = vectors(file);
        let source = doc["params"]["source"]
            .as_str()
            .unwrap_or("beluga")
            .to_owned();
        for case in doc["cases"].as_array().into_iter().flatten() {
            let name = case["name"].as_str().unwrap_or("?");
            let Some(body) = case["body"].as_str() else {
                continue; // a `body_base64` case: bytes that are not text, not a JSON body
            };
            let source = case["source"].as_str().unwrap_or(&source);
            let config = config_of(source, &case["config"]);
            let (state, store) = state_for(config, &case["now"]);
            let (status, answer, _) = send(&state, request(source, &case["headers"], body)).await;
            let expect = &case["expect"];
            if expect["authenticated"] == Value::Bool(true) {
                let wanted = if storable(source, body) {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                };
                assert_eq!(status, wanted, "{file} / {name}: {answer}");
                let stored = store.list_events(10).expect("events").len();
                assert_eq!(stored > 0, wanted == StatusCode::OK, "{file} / {name}");
            } else {
                let wanted = expect["http_status"].as_u64().unwrap_or(401);
                assert_eq!(
                    u64::from(status.as_u16()),
                    wanted,
                    "{file} / {name}: {answer}"
                );
                assert!(
                    store.list_events(10).expect("events").is_empty(),
                    "{file} / {name}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} cases ran");
}

#[tokio::test]
async fn event_key_vectors_are_the_keys_the_routes_store() {
    let doc = vectors("event_key.json");
    let mut checked = 0;
    for case in doc["cases"].as_array().into_iter().flatten() {
        let name = case["name"].as_str().unwrap_or("?");
        let source = case["source"].as_str().unwrap_or("beluga");
        // Misuse cases (a missing pharmacy id or webhook-id) cannot be sent to a route, which
        // always has its pharmacy id; the routes refuse a signed request without webhook-id.
        if case.get("expect_error").is_some() {
            continue;
        }
        let pharmacy = case["pharmacy_id"].as_str().unwrap_or(PHARMACY);
        let body = case["input"].to_string();
        let secret = "whsec_ZGlzcGVuc2Vwcm8tdGVzdC1zZWNyZXQtMzItYnl0ZXMh";
        let mut config = config_of(
            source,
            &serde_json::json!({
                "secrets": [if source == "beluga" { "s-beluga" } else { secret }],
                "credentials": [{"username": "u", "password": "p"}],
            }),
        );
        // The case's own pharmacy id is the route's.
        if let Some(p) = config.dispensepro.remove(PHARMACY) {
            config.dispensepro.insert(pharmacy.to_owned(), p);
        }
        if let Some(p) = config.pharmacies.remove(PHARMACY) {
            config.pharmacies.insert(pharmacy.to_owned(), p);
        }
        let now = serde_json::json!("2026-11-24T10:15:00Z");
        let (state, store) = state_for(config, &now);
        let ts = millis(&now) / 1000;
        let webhook_id = case["webhook_id"].as_str().unwrap_or("msg_vector");
        let headers = match source {
            "beluga" => serde_json::json!({"authorization": "Bearer s-beluga"}),
            "lifefile" => serde_json::json!({"authorization": "Basic dTpw"}),
            _ => serde_json::json!({
                "webhook-id": webhook_id,
                "webhook-timestamp": ts.to_string(),
                "webhook-signature": rxgate_sandbox::sign_standard(webhook_id, ts, &body, secret),
            }),
        };
        let uri = match source {
            "beluga" => route(source),
            other => format!("/api/webhooks/{other}/{pharmacy}"),
        };
        let mut builder = Request::post(uri);
        for (k, v) in headers.as_object().into_iter().flatten() {
            builder = builder.header(k.as_str(), v.as_str().unwrap_or_default());
        }
        let (status, answer, _) =
            send(&state, builder.body(Body::from(body)).expect("request")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {answer}");
        let mut stored: Vec<String> = store
            .list_events(100)
            .expect("events")
            .into_iter()
            .map(|e| e.dedupe_key)
            .collect();
        stored.reverse();
        let expected = match case["expect"].get("keys") {
            Some(keys) => strings(keys),
            None => strings(&serde_json::json!([case["expect"]["key"]])),
        };
        assert_eq!(stored, expected, "{name}");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} cases ran");
}

#[tokio::test]
async fn a_beluga_redelivery_with_reordered_members_is_stored_once() {
    let config = config_of("beluga", &serde_json::json!({"secrets": ["s-beluga"]}));
    let (state, store) = state_for(config, &serde_json::json!("2026-11-24T10:15:00Z"));
    let headers = serde_json::json!({"authorization": "Bearer s-beluga"});
    let first =
        r#"{"event":"RX_WRITTEN","masterId":"m-1","medsPrescribed":[{"medId":"a","rxId":"r"}]}"#;
    let again = "{ \"medsPrescribed\": [ {\"rxId\":\"r\", \"medId\":\"a\"} ],\n \"masterId\": \"m-1\", \"event\": \"RX_WRITTEN\" }";
    let (status, _, _) = send(&state, request("beluga", &headers, first)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer, _) = send(&state, request("beluga", &headers, again)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer.contains("duplicate"), "{answer}");
    assert_eq!(store.list_events(10).expect("events").len(), 1);
}
