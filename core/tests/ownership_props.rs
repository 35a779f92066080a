//! One writer of rxgate's state (issue 12, item 2): splitting a snapshot and assembling it
//! again gives it back when the configuration agrees with its flags, and a clinic `PUT` of an
//! older snapshot never rewinds a member rxgate owns nor the order status, whatever facts
//! were applied in between.

use proptest::prelude::*;
use rxgate_core::order::ownership::{
    assemble, split, IntegrationFacts, PharmacyFacts, Writer, OWNED_MEMBERS,
};
use rxgate_core::order::snapshot::{parse_snapshot, Environment, OrderSnapshot, OrderStatus};
use rxgate_core::order::state::{apply_facts, Fact};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The example snapshots of `tests/fixtures/`.
fn fixtures() -> Vec<Value> {
    let dir = repo().join("tests/fixtures");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("order-") && n.ends_with(".json"))
        })
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect()
}

/// Every valid snapshot given as `input` by the order vectors (each a fixture with changes).
fn vector_snapshots() -> Vec<Value> {
    let dir = repo().join("tests/vectors/order");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(doc) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        else {
            continue;
        };
        let cases = doc.get("cases").and_then(Value::as_array).cloned();
        for case in cases.unwrap_or_default() {
            if let Some(input) = case.get("input") {
                if parse_snapshot(input).is_ok() {
                    out.push(input.clone());
                }
            }
        }
    }
    out
}

fn round_trips(snapshot: &Value) -> Result<(), String> {
    let original = parse_snapshot(snapshot).map_err(|e| e.to_string())?;
    let (clinic, owned) = split(snapshot);
    let facts = IntegrationFacts::claimed_by(&original);
    let assembled = assemble(&clinic, &owned, &facts).map_err(|e| e.to_string())?;
    if assembled == original {
        Ok(())
    } else {
        Err("the assembled snapshot differs from the original".to_owned())
    }
}

#[test]
fn every_fixture_and_vector_snapshot_round_trips() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 3, "fixtures not found");
    let vectors = vector_snapshots();
    assert!(vectors.len() > 100, "vector snapshots not found");
    for (index, snapshot) in fixtures.iter().chain(&vectors).enumerate() {
        // Repeated pharmacy ids cannot agree with one configuration entry; none exist.
        assert_eq!(round_trips(snapshot), Ok(()), "snapshot {index}");
    }
}

fn at(hour: u32) -> String {
    format!("2026-11-2{}T{:02}:00:00Z", 3 + hour / 24, hour % 24)
}

/// A fact of every kind, as the `apply_order_facts` operation reads them.
fn fact() -> impl Strategy<Value = Value> {
    let hour = 0u32..48;
    let name = prop::sample::select(vec!["a", "b", "c"]);
    let status = prop::sample::select(vec![
        "PENDING",
        "PROCESSING",
        "SHIPPED",
        "CANCELLED",
        "COMPLETED",
    ]);
    prop_oneof![
        prop::sample::select(vec!["FAILED", "SUBMITTED"])
            .prop_map(|s| json!({"fact": "submit", "status": s})),
        (
            prop::sample::select(vec![
                "active", "pending", "admin", "holding", "resolved", "canceled"
            ]),
            hour.clone()
        )
            .prop_map(|(s, h)| json!({"fact": "visit", "status": s, "updated_at": at(h)})),
        prop::sample::select(vec!["open", "closed"])
            .prop_map(|s| json!({"fact": "resolved", "status": s})),
        prop::sample::select(vec!["referred", "prescribed"])
            .prop_map(|o| json!({"fact": "outcome", "outcome": o})),
        status.prop_map(|s| json!({"fact": "order_status", "status": s})),
        prop::sample::select(vec!["FAILED", "SENT"])
            .prop_map(|s| json!({"fact": "photo_id", "status": s})),
        (name.clone(), hour.clone()).prop_map(|(m, h)| json!({"fact": "prescription",
            "source": "RX_WRITTEN", "med_id": m, "rx_id": format!("RX-{m}"), "written_at": at(h)})),
        (prop::bool::ANY, name.clone(), prop::bool::ANY).prop_map(|(lf, p, ok)| json!({
            "fact": if lf { "life_file" } else { "dispense_pro" },
            "state": if ok { "SUBMITTED" } else { "FAILED" }, "pharmacy_id": p})),
        (name.clone(), hour.clone()).prop_map(|(t, h)| json!({"fact": "shipping",
            "carrier": "UPS", "tracking": t, "tracking_updated_at": at(h), "shipped_at": at(h)})),
        name.clone()
            .prop_map(|c| json!({"fact": "flag", "code": format!("flag_{c}")})),
        (
            prop::sample::select(vec!["BOOKED", "RESCHEDULED", "CANCELLED"]),
            hour
        )
            .prop_map(|(s, h)| json!({"fact": "booking", "status": s, "scheduled_date": at(h)})),
    ]
}

/// The snapshot after `facts`; a fact that does not parse fails the case (never skipped).
fn applied(snapshot: &OrderSnapshot, facts: &[Value]) -> Result<OrderSnapshot, TestCaseError> {
    let facts: Vec<Fact> = facts
        .iter()
        .map(|f| serde_json::from_value(f.clone()))
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(format!("a generated fact does not parse: {e}")))?;
    let mut out = snapshot.clone();
    apply_facts(&mut out, &facts);
    Ok(out)
}

fn integration() -> impl Strategy<Value = IntegrationFacts> {
    (
        prop::bool::ANY,
        prop::option::of(prop::sample::select(vec!["acme", "fuseHealthTestCompany"])),
        prop::option::of(prop::sample::select(vec![
            Environment::Test,
            Environment::Production,
        ])),
        prop::bool::ANY,
        prop::collection::vec((prop::bool::ANY, prop::bool::ANY), 6),
    )
        .prop_map(|(key, company, environment, dispense_pro, flags)| {
            let ids = [
                "ph_dp_1",
                "ph_belmar_co",
                "ph_belmar_fl",
                "ph_own",
                "ph_own_1",
                "ph_x",
            ];
            IntegrationFacts {
                beluga_api_key_configured: key,
                beluga_company: company.map(str::to_owned),
                environment,
                dispense_pro_configured: dispense_pro,
                pharmacies: ids
                    .iter()
                    .zip(flags)
                    .filter(|(_, (c, w))| *c || *w)
                    .map(|(id, (c, w))| {
                        (
                            (*id).to_owned(),
                            PharmacyFacts {
                                credentials_configured: c,
                                webhook_secret_configured: w,
                            },
                        )
                    })
                    .collect::<BTreeMap<_, _>>(),
            }
        })
}

fn to_value(snapshot: &OrderSnapshot) -> Value {
    serde_json::to_value(snapshot).unwrap_or(Value::Null)
}

proptest! {
    /// For any snapshot reached from a fixture by facts, split then assemble gives it back
    /// when the integration facts agree with its flags.
    #[test]
    fn split_then_assemble_is_the_identity(
        which in 0usize..3,
        facts in prop::collection::vec(fact(), 0..12),
    ) {
        let fixtures = fixtures();
        let Some(start) = fixtures.get(which).and_then(|f| parse_snapshot(f).ok()) else {
            return Err(TestCaseError::fail("fixture"));
        };
        let snapshot = to_value(&applied(&start, &facts)?);
        prop_assert_eq!(round_trips(&snapshot), Ok(()));
    }

    /// The clinic PUTs an older snapshot (with any status of its own, and any configuration
    /// claims) after facts moved the order on: every owned member is rxgate's latest, the
    /// status never goes below what rxgate learned, the clinic's own members are the clinic's
    /// and every configuration fact is the service's.
    #[test]
    fn an_older_clinic_put_never_rewinds_owned_state(
        which in 0usize..3,
        before in prop::collection::vec(fact(), 0..6),
        after in prop::collection::vec(fact(), 0..10),
        clinic_status in prop::sample::select(vec!["PENDING", "PROCESSING", "SHIPPED", "CANCELLED", "COMPLETED"]),
        claims in prop::bool::ANY,
        facts in integration(),
    ) {
        let fixtures = fixtures();
        let Some(start) = fixtures.get(which).and_then(|f| parse_snapshot(f).ok()) else {
            return Err(TestCaseError::fail("fixture"));
        };
        let old = applied(&start, &before)?;
        let new = applied(&old, &after)?;
        let mut old_value = to_value(&old);
        if let Some(status) = old_value.pointer_mut("/order/status") {
            *status = json!(clinic_status);
        }
        if let Some(key) = old_value.pointer_mut("/settings/api_key_present") {
            *key = json!(claims);
        }
        let (clinic, _) = split(&old_value);
        let (_, owned) = split(&to_value(&new));
        let assembled = assemble(&clinic, &owned, &facts);
        prop_assert!(assembled.is_ok(), "{:?}", assembled);
        let Ok(assembled) = assembled else { return Ok(()) };

        let got = to_value(&assembled);
        let latest = to_value(&new);
        for member in OWNED_MEMBERS.iter().filter(|m| m.writer == Writer::Rxgate) {
            prop_assert_eq!(got.pointer(member.pointer), latest.pointer(member.pointer), "{}", member.pointer);
        }
        let clinic_status: OrderStatus = serde_json::from_value(json!(clinic_status))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(assembled.order.status >= new.order.status);
        prop_assert_eq!(assembled.order.status, new.order.status.max(clinic_status));
        prop_assert_eq!(&assembled.patient, &old.patient);
        prop_assert_eq!(&assembled.items, &old.items);
        prop_assert_eq!(&assembled.order.number, &old.order.number);

        let claimed = IntegrationFacts::claimed_by(&assembled);
        prop_assert_eq!(claimed.beluga_api_key_configured, facts.beluga_api_key_configured);
        prop_assert_eq!(&claimed.beluga_company, &facts.beluga_company);
        prop_assert_eq!(claimed.environment, facts.environment);
        if assembled.settings.dispense_pro.is_some() {
            prop_assert_eq!(claimed.dispense_pro_configured, facts.dispense_pro_configured);
        }
        for pharmacy in &assembled.pharmacies {
            let expected = facts.pharmacies.get(&pharmacy.id).copied().unwrap_or_default();
            prop_assert_eq!(pharmacy.credentials_configured, expected.credentials_configured);
            prop_assert_eq!(pharmacy.webhook_secret_configured, expected.webhook_secret_configured);
        }
    }
}
