//! The attack suite (issue #18): each finding of the outsider's and careless operator's attack,
//! replayed against the fixed service. Empty and short secrets, an overflowing timestamp,
//! slowloris, oversize unauthenticated bodies (peak RSS of the real process), made-up methods,
//! extractor errors before authentication, header caps, rate limits, the operations routes,
//! and a LifeFile `[]`.

use super::observability::{serve, Served};
use super::service::{json_body, send, shared_rules, state, state_with, test_config, ADMIN, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::config::{Config, DispenseProConfig, Environment, OpsAccess};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn stop(mut served: Served) -> String {
    let _ = served.child.kill();
    let _ = served.child.wait();
    let log = std::fs::read_to_string(&served.log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&served.dir);
    log
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

#[test]
fn empty_or_short_secrets_stop_a_production_start_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("rxgate-weak-{}", std::process::id()));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env("RXGATE_ENVIRONMENT", "production")
        .env("RXGATE_BELUGA_WEBHOOK_SECRET", "")
        .env("RXGATE_API_KEY_ADMIN", "k1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("RXGATE_BELUGA_WEBHOOK_SECRET"), "{stderr}");
    assert!(stderr.contains("RXGATE_API_KEY_ADMIN"), "{stderr}");
    assert!(
        !stderr.contains("k1"),
        "the value is never printed: {stderr}"
    );
}

fn weak_config() -> Config {
    let mut config = test_config();
    config
        .dispensepro
        .insert("dp-empty".into(), DispenseProConfig::default());
    let env = std::collections::HashMap::from([
        ("RXGATE_DISPENSEPRO_DP_EMPTY_WEBHOOK_SECRET", ""),
        ("RXGATE_LIFEFILE_BELMAR_WEBHOOK_PASSWORD", "short"),
    ]);
    config
        .apply_env(|k| env.get(k).map(|v| v.to_string()))
        .unwrap();
    config
}

#[tokio::test]
async fn an_empty_secret_authenticates_nothing_and_readyz_fails_outside_production() {
    let config = weak_config();
    assert_eq!(
        config.weak_secrets,
        vec![
            "RXGATE_DISPENSEPRO_DP_EMPTY_WEBHOOK_SECRET",
            "RXGATE_LIFEFILE_BELMAR_WEBHOOK_PASSWORD"
        ]
    );
    assert!(config.dispensepro["dp-empty"].webhook_secret.is_none());
    assert!(config.startup_error().is_none(), "development starts");
    let (state, store) = state_with(config, shared_rules());
    // A request "signed" with the empty secret (HMAC key of zero bytes) is refused.
    let now = rxgate_host::service::now_ms() / 1000;
    let body = r#"{"event":"dispensepro.status","order":{"id":"d1","externalId":"o1","status":"shipped"}}"#;
    let key: [u8; 0] = [];
    let sig = rxgate_core::events::auth::sign_standard(&key, "forged-1", now, body.as_bytes())
        .unwrap_or_default();
    let forged = Request::post("/api/webhooks/dispensepro/dp-empty")
        .header("webhook-id", "forged-1")
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", format!("v1,{sig}"))
        .body(Body::from(body))
        .unwrap();
    let (status, _, _) = send(&state, forged).await;
    assert_ne!(status, StatusCode::OK);
    assert!(status.is_client_error() || status.is_server_error());
    use rxgate_host::store::Storage;
    assert!(store.list_events(10).unwrap().is_empty(), "nothing stored");
    let (status, ready, _) =
        send(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let ready = json_body(&ready);
    assert_eq!(ready["status"], "not_ready");
    assert_eq!(
        ready["config_errors"][1],
        "RXGATE_LIFEFILE_BELMAR_WEBHOOK_PASSWORD"
    );
    assert!(!ready.to_string().contains("short"));
}

#[tokio::test]
async fn an_overflowing_timestamp_is_refused_without_a_panic() {
    let (state, _) = state();
    for ts in [
        "-9223372036854775808",
        "9223372036854775807",
        "99999999999999999999",
    ] {
        let req = Request::post("/api/webhooks/dispensepro/dp1")
            .header("webhook-id", "msg-overflow")
            .header("webhook-timestamp", ts)
            .header("webhook-signature", "v1,AAAA")
            .body(Body::from("{}"))
            .unwrap();
        let (status, body, ctype) = send(&state, req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{ts}: {body}");
        assert_eq!(ctype.as_deref(), Some("application/problem+json"));
        assert!(!body.contains(ts));
    }
}

#[tokio::test]
async fn unauthenticated_requests_get_401_before_any_body_or_path_error() {
    let (state, _) = state();
    // Not JSON, wrong type, a 20 MiB body over the route's cap: 401 first, as problem+json.
    for body in ["{not json".to_owned(), "x".repeat(20 << 20)] {
        let req = Request::put("/api/emr/orders/PATIENT%20Jane%20Doe")
            .header("content-type", "text/plain")
            .body(Body::from(body))
            .unwrap();
        let (status, answer, ctype) = send(&state, req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(ctype.as_deref(), Some("application/problem+json"));
        assert!(!answer.contains("Jane"));
    }
    // Authenticated, the same malformed body is a problem naming no input.
    let req = Request::put("/api/emr/orders/o1")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"patient": "Jane Doe" "#))
        .unwrap();
    let (status, answer, ctype) = send(&state, req).await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    assert!(!answer.contains("Jane"), "{answer}");
    // An unsupported method is still 405, as problem+json.
    let req = Request::delete("/api/emr/notifications")
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap();
    let (status, _, ctype) = send(&state, req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
}

#[tokio::test]
async fn every_header_read_has_a_length_cap() {
    let (state, _) = state();
    for (name, len) in [
        ("webhook-id", 257),
        ("webhook-timestamp", 33),
        ("x-api-key", 257),
        ("idempotency-key", 257),
        ("x-anything", 9000),
    ] {
        let req = Request::post("/api/webhooks/dispensepro/dp1")
            .header(name, "7".repeat(len))
            .body(Body::from("{}"))
            .unwrap();
        let (status, body, ctype) = send(&state, req).await;
        assert_eq!(
            status,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "{name}"
        );
        assert_eq!(ctype.as_deref(), Some("application/problem+json"));
        assert!(!body.contains("7777"), "{body}");
    }
}

#[tokio::test]
async fn rate_limits_hold_per_key_with_a_429_problem() {
    let mut config = test_config();
    config.limits.rate_per_key = 1;
    let (state, _) = state_with(config, shared_rules());
    let get = |key: &str| {
        Request::get("/api/emr/notifications")
            .header("x-api-key", key)
            .body(Body::empty())
            .unwrap()
    };
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(send(&state, get(EMR)).await.0);
    }
    assert!(statuses[..10]
        .iter()
        .all(|s| *s != StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
    let (status, body, ctype) = send(&state, get(EMR)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    assert_eq!(json_body(&body)["code"], "rate_limited");
    // Another key has its own bucket.
    assert_ne!(
        send(&state, get(ADMIN)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn metrics_and_detailed_readyz_need_an_admin_key_in_production() {
    let mut config = test_config();
    config.environment = Environment::Production;
    assert_eq!(config.ops_access(), OpsAccess::Key);
    let (state, _) = state_with(config, shared_rules());
    let get = |uri: &str, key: Option<&str>| {
        let mut req = Request::get(uri);
        if let Some(key) = key {
            req = req.header("x-api-key", key);
        }
        req.body(Body::empty()).unwrap()
    };
    assert_eq!(
        send(&state, get("/metrics", None)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&state, get("/metrics", Some(EMR))).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&state, get("/metrics", Some(ADMIN))).await.0,
        StatusCode::OK
    );
    let (_, open, _) = send(&state, get("/readyz", None)).await;
    let open = json_body(&open);
    assert!(open["status"].is_string());
    assert_eq!(open.as_object().map(|o| o.len()), Some(1), "{open}");
    let (_, detailed, _) = send(&state, get("/readyz", Some(ADMIN))).await;
    assert!(json_body(&detailed)["config_warnings"].is_array());
}

#[tokio::test]
async fn a_lifefile_empty_array_is_refused() {
    use base64::Engine as _;
    let (state, store) = state();
    let token = base64::engine::general_purpose::STANDARD.encode("lf:lf-pass");
    let req = Request::post("/api/webhooks/lifefile/belmar")
        .header("authorization", format!("Basic {token}"))
        .body(Body::from("[]"))
        .unwrap();
    let (status, body, ctype) = send(&state, req).await;
    assert!(status.is_client_error(), "{status}: {body}");
    assert_eq!(ctype.as_deref(), Some("application/problem+json"));
    use rxgate_host::store::Storage;
    assert!(store.list_events(10).unwrap().is_empty());
}

/// Reads until the peer closes (or `limit` passes); true when it closed.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn made_up_methods_are_labelled_other_and_slowloris_is_cut_at_the_header_timeout() {
    let served = serve(
        "attack-methods",
        &[
            ("RXGATE_OPS_ACCESS", "open"),
            ("RXGATE_HEADER_TIMEOUT_MS", "1000"),
        ],
    );
    let addr = host_port(&served.url);
    let client = reqwest::Client::new();
    for i in 0..50 {
        let method = reqwest::Method::from_bytes(format!("PATIENTJANEDOE{i}").as_bytes()).unwrap();
        let status = client
            .request(method, format!("{}/api/emr/orders/o1", served.url))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 405);
    }
    let metrics = client
        .get(format!("{}/metrics", served.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains(r#"method="other""#), "{metrics}");
    assert!(!metrics.contains("PATIENTJANEDOE"));
    // Slowloris: headers trickled one byte at a time never finish; the connection is closed
    // after the header timeout (1 s here; the bound below is generous for a loaded machine).
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let trickle = std::thread::spawn({
        let mut writer = slow.try_clone().unwrap();
        move || {
            for _ in 0..60 {
                if writer.write_all(b"a").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    });
    assert!(
        closed_within(&mut slow, Duration::from_secs(10)),
        "the half-sent request is still open"
    );
    let _ = trickle.join();
    let log = stop(served);
    assert!(!log.contains("PATIENTJANEDOE"), "a method reached the log");
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap()
}

/// Sends headers declaring a 60 MiB body and the first MiB of it, then reads the answer's
/// status line.
fn upload(addr: &str, method: &str, path: &str, extra: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n",
        60u64 << 20
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'7'; 1 << 20];
    let _ = stream.write_all(&chunk);
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn eight_unauthenticated_60_mib_uploads_get_401_unread_within_64_mb_of_idle() {
    let served = serve("attack-uploads", &[]);
    let addr = host_port(&served.url);
    let pid = served.child.id();
    // Peak RSS from here on: writing 5 to clear_refs resets VmHWM.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
    let idle = status_kb(pid, "VmRSS:");
    let paths = [
        ("PUT", "/api/emr/orders/o1", ""),
        ("POST", "/admin/rules/reload", "X-Api-Key: wrong-key\r\n"),
        (
            "POST",
            "/api/webhooks/beluga",
            "X-Webhook-Secret: wrong-secret\r\n",
        ),
        ("POST", "/api/emr/orders/o2/photos", ""),
    ];
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let (method, path, extra) = paths[i % paths.len()];
            let addr = addr.clone();
            std::thread::spawn(move || (path, upload(&addr, method, path, extra)))
        })
        .collect();
    for worker in workers {
        let (path, line) = worker.join().unwrap();
        assert!(line.contains(" 401 "), "{path}: {line}");
    }
    let peak = status_kb(pid, "VmHWM:");
    eprintln!("uploads: idle RSS {idle} kB, peak {peak} kB");
    let _ = stop(served);
    assert!(
        peak <= idle + 64 * 1024,
        "peak RSS {peak} kB over idle {idle} kB + 64 MB"
    );
}

#[tokio::test]
async fn keys_can_be_revoked_expired_and_a_removed_bootstrap_key_is_revoked() {
    use rxgate_host::keys::{self, Scope};
    use rxgate_host::service::AppState;
    use rxgate_host::store::{sqlite::SqliteStore, Db, Storage};
    let store = std::sync::Arc::new(SqliteStore::in_memory().unwrap());
    let db = Db::new(store.clone() as std::sync::Arc<dyn Storage>);
    let notifications = |key: &str| {
        Request::get("/api/emr/notifications")
            .header("x-api-key", key)
            .body(Body::empty())
            .unwrap()
    };
    let first = AppState::with_parts(test_config(), db.clone(), shared_rules()).unwrap();
    assert_eq!(send(&first, notifications(EMR)).await.0, StatusCode::OK);
    let emr_id = keys::key_id(&keys::hash_key(EMR));
    let used = store.api_key(&keys::hash_key(EMR)).unwrap().unwrap();
    assert!(used.last_used_at.is_some(), "last use recorded");
    // A restart without the EMR key in the environment revokes it.
    let mut config = test_config();
    config
        .bootstrap_keys
        .retain(|(scope, _)| *scope != Scope::Emr);
    let second = AppState::with_parts(config, db.clone(), shared_rules()).unwrap();
    assert_eq!(
        send(&second, notifications(EMR)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let listed = store.list_api_keys().unwrap();
    let emr = listed.iter().find(|k| k.id == emr_id).unwrap();
    assert!(emr.revoked_at.is_some());
    // Putting it back does not revive it.
    let third = AppState::with_parts(test_config(), db.clone(), shared_rules()).unwrap();
    assert_eq!(
        send(&third, notifications(EMR)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // An expired key is refused like an unknown one.
    let fresh = keys::generate(Scope::Emr);
    let id = store
        .add_api_key(&keys::hash_key(&fresh), Scope::Emr, "temp", 0)
        .unwrap();
    assert_eq!(send(&third, notifications(&fresh)).await.0, StatusCode::OK);
    store.set_api_key_expiry(&id, Some(1)).unwrap();
    assert_eq!(
        send(&third, notifications(&fresh)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_keys_cli_lists_revokes_and_rotates() {
    let dir = std::env::temp_dir().join(format!("rxgate-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rxgate = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_rxgate"))
            .args(args)
            .arg("--data-dir")
            .arg(&dir)
            .env_remove("RXGATE_DATABASE_URL")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        )
    };
    let (code, key) = rxgate(&[
        "keys",
        "create",
        "--scope",
        "emr",
        "--label",
        "crm",
        "--expires-in-days",
        "30",
    ]);
    assert_eq!(code, Some(0));
    assert!(key.starts_with("rxg_emr_"));
    let (_, listed) = rxgate(&["keys", "list"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert!(
        !listed.to_string().contains(&key),
        "a listing never shows a key"
    );
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert!(listed[0]["expires_at"].is_i64());
    let (code, rotated) = rxgate(&["keys", "rotate", &id, "--grace-minutes", "0"]);
    assert_eq!(code, Some(0));
    assert!(rotated.starts_with("rxg_emr_") && rotated != key);
    let (_, listed) = rxgate(&["keys", "list"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(listed[0]["revoked_at"].is_i64(), "{listed}");
    assert_eq!(listed[1]["label"], "crm");
    let new_id = listed[1]["id"].as_str().unwrap().to_owned();
    assert_eq!(rxgate(&["keys", "revoke", &new_id]).0, Some(0));
    assert_eq!(rxgate(&["keys", "revoke", &new_id]).0, Some(1), "once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_database_is_owner_only_and_a_purge_leaves_no_body_bytes_in_its_files() {
    use rxgate_host::store::{sqlite::SqliteStore, AuditEntry, NewEvent, Storage};
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("rxgate-phi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open_dir(&dir).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let db = dir.join("rxgate.sqlite3");
    assert_eq!(mode(&db), 0o600);
    // A body larger than a page (overflow pages) and a small one.
    let canary = "PHI-CANARY-Jane-Doe-1970-01-01";
    let bodies = [canary.repeat(400), format!("{{\"n\":\"{canary}\"}}")];
    for (i, body) in bodies.iter().enumerate() {
        let event = NewEvent {
            source: "beluga".into(),
            partner: String::new(),
            event: "X".into(),
            dedupe_key: format!("k{i}"),
            raw: body.clone().into_bytes(),
            unsigned: false,
            received_at: 1_000,
        };
        let inserted = store
            .accept_events(&[event], &AuditEntry::default())
            .unwrap();
        let id = match inserted[0] {
            rxgate_host::store::Inserted::New(id) => id,
            ref other => panic!("{other:?}"),
        };
        store
            .finish_event(id, rxgate_host::store::EventOutcome::Applied, None, 1_500)
            .unwrap();
    }
    let wal = dir.join("rxgate.sqlite3-wal");
    let files = || {
        [&db, &wal]
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .collect::<Vec<_>>()
    };
    let holds = |bytes: &Vec<u8>| bytes.windows(canary.len()).any(|w| w == canary.as_bytes());
    assert!(files().iter().any(holds), "the body was stored");
    for file in [&db, &wal] {
        if file.exists() {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
    }
    assert_eq!(store.purge_raw(5_000).unwrap(), 2);
    assert!(
        !files().iter().any(holds),
        "a purged body can be read back from the file"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends one keep-alive request on `stream` and reads its answer's status line.
fn livez_on(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn connections_past_the_limit_wait_until_one_closes() {
    let served = serve("attack-conns", &[("RXGATE_MAX_CONNECTIONS", "1")]);
    let addr = host_port(&served.url);
    let mut first = TcpStream::connect(&addr).unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    assert!(livez_on(&mut first).contains(" 200 "));
    // The first connection stays open (keep-alive): the second is accepted by the kernel but
    // not served.
    let mut second = TcpStream::connect(&addr).unwrap();
    second
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    assert_eq!(
        livez_on(&mut second),
        "",
        "served past the connection limit"
    );
    drop(first);
    second
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = second.read(&mut buf).unwrap_or(0);
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "served once the first connection closed"
    );
    let _ = stop(served);
}

#[tokio::test]
async fn a_separate_operations_address_serves_metrics_and_readiness_without_a_key() {
    let served = serve(
        "attack-ops",
        &[
            ("RXGATE_OPS_ACCESS", "key"),
            ("RXGATE_OPS_LISTEN", "127.0.0.1:0"),
        ],
    );
    // Printed right after the "listening" line `serve` waited for.
    let mut log = String::new();
    let mut ops = None;
    for _ in 0..200 {
        log = std::fs::read_to_string(&served.log).unwrap();
        ops = log
            .lines()
            .find_map(|l| l.strip_prefix("rxgate operations on "))
            .map(|u| u.trim().to_owned());
        if ops.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(get(format!("{}/metrics", served.url)).await.status(), 401);
    let ops = ops.unwrap_or_else(|| panic!("no operations address:\n{log}"));
    let metrics = get(format!("{ops}/metrics")).await;
    assert_eq!(metrics.status(), 200);
    assert!(metrics.text().await.unwrap().contains("rxgate_build_info"));
    let ready: serde_json::Value = get(format!("{ops}/readyz")).await.json().await.unwrap();
    assert!(ready["rules"]["digest"].is_string(), "{ready}");
    // The API is not served there.
    assert_eq!(
        get(format!("{ops}/api/emr/notifications")).await.status(),
        404
    );
    let _ = stop(served);
}
