//! The orders the harness drives: copies of the `tests/fixtures/` orders, each a different
//! patient, spread over six flows that between them send every kind of partner webhook the
//! service applies (Beluga `RX_WRITTEN`, `CONSULT_CONCLUDED`, `DOCTOR_CHAT`, lab and pharmacy
//! / package events; DispensePro, OWN and LifeFile status pushes) and queue every kind of
//! partner call (Beluga visit, DispensePro order, one LifeFile order per pharmacy).

use rxgate_sandbox::{SandboxConfig, Scenario};
use serde_json::{json, Value};
use std::path::Path;

/// One way an order goes, from checkout to delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Flow {
    /// Prescribed, sent to DispensePro, shipped and delivered by DispensePro's webhooks.
    DispensePro,
    /// Two items for two Belmar pharmacies: one LifeFile order each, LifeFile line pushes.
    LifeFileSplit,
    /// Filled by Beluga's own pharmacy: seven pharmacy and package events.
    BelugaPharmacy,
    /// An OWN partner pharmacy: no call; it ships when its staff do (signed webhooks).
    Own,
    /// A doctor's chat first (patient-visible activity, notification), then DispensePro.
    ChatThenDispensePro,
    /// Labs first (a requisition PDF stored as a document, booking), then DispensePro.
    LabsThenDispensePro,
}

/// Every flow, with its share of the orders (in tenths).
pub(crate) const FLOWS: &[(Flow, u32)] = &[
    (Flow::DispensePro, 3),
    (Flow::LifeFileSplit, 2),
    (Flow::BelugaPharmacy, 2),
    (Flow::Own, 1),
    (Flow::ChatThenDispensePro, 1),
    (Flow::LabsThenDispensePro, 1),
];

/// The OWN flow's pharmacy id.
pub(crate) const OWN_PHARMACY: &str = "ph_own_crash";
const BELUGA_PHARMACY: &str = "ph_beluga_crash";
/// A Beluga pharmacy id no other pharmacy of the fixtures uses.
const BELUGA_PHARMACY_BELUGA_ID: &str = "207711";

/// One order of the run.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// The order id.
    pub(crate) id: String,
    /// Its flow.
    pub(crate) flow: Flow,
    /// The snapshot the clinic app sends.
    pub(crate) snapshot: Value,
}

fn load(name: &str) -> anyhow::Result<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// The flow's base snapshot.
fn template(flow: Flow) -> anyhow::Result<Value> {
    if flow == Flow::LifeFileSplit {
        let mut belmar = load("order-belmar-split.json")?;
        // The fixture is captured after prescription; the run starts it from the checkout.
        belmar["order"]["beluga"] = json!({});
        belmar["order"]["prescriptions"] = json!([]);
        belmar["order"]["life_file"] = json!([]);
        if let Some(order) = belmar["order"].as_object_mut() {
            order.remove("photo_id_status");
        }
        return Ok(belmar);
    }
    let mut ready = load("order-dispensepro-ready.json")?;
    let pharmacy = match flow {
        Flow::Own => Some((OWN_PHARMACY, "OWN", "100482")),
        Flow::BelugaPharmacy => Some((BELUGA_PHARMACY, "BELUGA", BELUGA_PHARMACY_BELUGA_ID)),
        _ => None,
    };
    if let Some((id, kind, beluga_id)) = pharmacy {
        ready["pharmacies"][0]["id"] = json!(id);
        ready["pharmacies"][0]["type"] = json!(kind);
        ready["pharmacies"][0]["beluga_id"] = json!(beluga_id);
        if let Some(items) = ready["items"].as_array_mut() {
            for item in items {
                item["product"]["default_pharmacy_id"] = json!(id);
            }
        }
    }
    Ok(ready)
}

/// The doctor's scenario of a flow.
fn scenario(flow: Flow) -> Scenario {
    match flow {
        Flow::ChatThenDispensePro => Scenario::ChatThenPrescribe,
        Flow::LabsThenDispensePro => Scenario::LabsThenPrescribe,
        _ => Scenario::Prescribe,
    }
}

/// A valid mobile number of the North American plan, different for each `n` < 900 000.
fn phone(n: usize) -> String {
    format!("512{:03}{:04}", 300 + n / 10_000 % 600, n % 10_000)
}

/// One template per flow: what the sandbox and the service are configured for.
pub(crate) fn templates() -> anyhow::Result<Vec<Value>> {
    FLOWS.iter().map(|(flow, _)| template(*flow)).collect()
}

/// `count` orders named `{prefix}{n}`, flows drawn by `rng` per [`FLOWS`] (or each flow in
/// turn when `round_robin`), phones numbered from `first_phone`.
pub(crate) fn orders(
    prefix: &str,
    count: usize,
    first_phone: usize,
    rng: &mut fastrand::Rng,
    round_robin: bool,
) -> anyhow::Result<Vec<Planned>> {
    let total: u32 = FLOWS.iter().map(|(_, w)| w).sum();
    let bases: Vec<(Flow, Value)> = FLOWS
        .iter()
        .map(|(flow, _)| template(*flow).map(|t| (*flow, t)))
        .collect::<anyhow::Result<_>>()?;
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let index = if round_robin {
            n % FLOWS.len()
        } else {
            let mut draw = rng.u32(0..total);
            FLOWS
                .iter()
                .position(|(_, w)| {
                    let hit = draw < *w;
                    draw = draw.saturating_sub(*w);
                    hit
                })
                .unwrap_or(0)
        };
        let (flow, base) = &bases[index];
        let id = format!("{prefix}{n}");
        let mut snapshot = base.clone();
        snapshot["order"]["id"] = json!(id);
        snapshot["order"]["number"] = json!(format!("HLC-{}", 500_000 + first_phone + n));
        snapshot["patient"]["id"] = json!(format!("pat_{id}"));
        snapshot["patient"]["phone"] = json!(phone(first_phone + n));
        snapshot["patient"]["email"] = json!(format!("patient.{id}@example.com"));
        out.push(Planned {
            id,
            flow: *flow,
            snapshot,
        });
    }
    Ok(out)
}

/// The sandbox settings for `orders`: their doctors' scenarios, partners that outlast a
/// restart (a webhook is retried for `retry_for_ms`), short delays.
pub(crate) fn tune(config: &mut SandboxConfig, orders: &[&Planned], retry_for_ms: u64) {
    for order in orders {
        let s = scenario(order.flow);
        if s != Scenario::Prescribe {
            let phone = order.snapshot["patient"]["phone"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            config.scenarios.insert(phone, s);
        }
    }
    config.doctor_delay_ms = 200;
    config.pharmacy_delay_ms = 200;
    config.webhook_retry_ms = 100;
    config.webhook_attempts = u32::try_from(retry_for_ms / 100).unwrap_or(u32::MAX).max(5);
}
