//! Parse + authenticate + apply, the path every inbound webhook takes: a Beluga `RX_WRITTEN`
//! (shared secret) and a LifeFile push of 10 lines (HTTP Basic), from raw body bytes.
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion};
use rxgate_core::events::apply::apply;
use rxgate_core::events::auth::{verify, AuthConfig, BasicCredential, Headers};
use rxgate_core::events::dedupe::{event_keys, KeyContext};
use rxgate_core::events::{parse_event, Source};
use rxgate_core::order::snapshot::{parse_snapshot, OrderSnapshot};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::Path;

fn snapshot() -> Option<OrderSnapshot> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/events/apply.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    parse_snapshot(doc.pointer("/params/order")?).ok()
}

/// Authenticate, parse from bytes, key, apply: answers whether it applied.
fn pipeline(
    source: Source,
    headers: &[(String, String)],
    body: &[u8],
    config: &AuthConfig,
    snapshot: &OrderSnapshot,
) -> bool {
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp(1_795_900_000, 0).unwrap_or_default();
    if !verify(source, Headers(headers), body, config, now).authenticated {
        return false;
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let Ok(event) = parse_event(source, &value) else {
        return false;
    };
    let keys = event_keys(source, &value, KeyContext::default()).unwrap_or_default();
    apply(snapshot, &event, &keys, Some("ph_1"), now).matched
}

fn bench(c: &mut Criterion) {
    let Some(snapshot) = snapshot() else {
        return;
    };
    let rx = json!({"event": "RX_WRITTEN", "masterId": "m-5521", "docName": "Dr. Alan Whitaker",
        "medsPrescribed": [{"name": "Semaglutide", "strength": "0.25 mg/0.5 mL", "refills": "0",
                            "quantity": "1", "medId": "SEMA-025", "rxId": "RX-55001"}]})
    .to_string();
    let secret = "bel-secret-2026-current-7f3a".to_owned();
    let beluga_config = AuthConfig {
        secrets: vec![secret.clone(), "bel-secret-2025-previous".to_owned()],
        ..AuthConfig::default()
    };
    let beluga_headers = vec![("Authorization".to_owned(), format!("Bearer {secret}"))];
    assert!(pipeline(
        Source::Beluga,
        &beluga_headers,
        rx.as_bytes(),
        &beluga_config,
        &snapshot
    ));
    c.bench_function("events/beluga_rx_written", |b| {
        b.iter(|| {
            pipeline(
                Source::Beluga,
                black_box(&beluga_headers),
                black_box(rx.as_bytes()),
                &beluga_config,
                &snapshot,
            )
        })
    });

    let lines: Vec<Value> = (0..10)
        .map(|i| {
            json!({"pharmacyLocation": "Belmar CO", "fillId": format!("F-{i}"), "rxNumber": format!("RX-{i}"),
                   "orderId": "LF-5001", "referenceId": "ord_5521", "practiceId": "P-22", "lfdrugId": "LF-88213",
                   "rxStatus": if i % 2 == 0 { "Shipping" } else { "Delivered" },
                   "rxStatusDateTime": "2026-11-24 10:15:00", "deliveryService": "UPS Ground",
                   "trackingNumber": "1Z999AA10123456784", "shipAddressLine1": "2200 Market St",
                   "shipCity": "Denver", "shipState": "CO", "shipZip": "80205", "shipCountry": "US",
                   "shipCarrier": "UPS", "foreignOrderId": null})
        })
        .collect();
    let push = Value::Array(lines).to_string();
    let lifefile_config = AuthConfig {
        credentials: vec![BasicCredential {
            username: "belmar-co".to_owned(),
            password: "pass-1".to_owned(),
        }],
        ..AuthConfig::default()
    };
    let basic = base64::engine::general_purpose::STANDARD.encode("belmar-co:pass-1");
    let lifefile_headers = vec![("Authorization".to_owned(), format!("Basic {basic}"))];
    assert!(pipeline(
        Source::Lifefile,
        &lifefile_headers,
        push.as_bytes(),
        &lifefile_config,
        &snapshot
    ));
    c.bench_function("events/lifefile_push_10_lines", |b| {
        b.iter(|| {
            pipeline(
                Source::Lifefile,
                black_box(&lifefile_headers),
                black_box(push.as_bytes()),
                &lifefile_config,
                &snapshot,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
