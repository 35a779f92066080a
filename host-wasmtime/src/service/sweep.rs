//! The stuck-order sweep (issue #15, "nothing waits unseen"; docs/host.md, "Stuck orders").
//!
//! Every `escalations.sweep_ms` the worker re-runs the rules' `diagnose` on each open order
//! (not delivered, not cancelled) with the configured thresholds as the rules' escalation
//! windows, and records what it found in the order's service bookkeeping (`state.stuck`:
//! stage, next actor and action, the escalations' codes and staff texts, since when). A change
//! of what is stuck is written with an audit entry per code raised or cleared (actor
//! `rxgate`), in one commit checked against the order's version: when several instances sweep
//! at once, the version is the claim — one commit lands, the others conflict and leave the
//! order to the next sweep. Nothing is written while the finding stays the same.
//!
//! `GET /api/emr/worklist` and the `rxgate_stuck_orders` gauge read what the sweep recorded.
//! The escalation texts are the rules' templates filled with facts (hours, days, codes),
//! never patient data.

use super::orders::{self, OrderPages};
use super::problem::Problem;
use super::AppState;
use crate::store::{AuditEntry, Change, Committed, OrderRecord};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct DiagnoseRequest<'a> {
    input: &'a Value,
    now: String,
}

/// The members of the rules' diagnosis the sweep keeps.
#[derive(Deserialize)]
struct Diagnosis {
    stage: String,
    state: String,
    next_action: NextAction,
    escalations: Vec<Escalation>,
}

#[derive(Deserialize)]
struct NextAction {
    actor: String,
    action: String,
}

/// One escalation as the worklist shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Escalation {
    /// The rules' code.
    pub code: String,
    /// Who acts on it.
    pub actor: String,
    /// Staff text (a template filled with facts, never patient data).
    pub message: String,
}

/// What the sweep recorded for a stuck order (`state.stuck`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stuck {
    /// The stage the order waits in.
    pub stage: String,
    /// How the stage stands (`blocked`, `waiting`, …).
    pub state: String,
    /// Who acts next.
    pub next_actor: String,
    /// What they do.
    pub next_action: String,
    /// Why the order is stuck.
    pub reasons: Vec<Escalation>,
    /// Since when (Unix ms): the first sweep that found it stuck.
    pub since: i64,
}

/// One line of the worklist.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorklistEntry {
    /// The app's order id.
    pub order_id: String,
    /// What the sweep found.
    #[serde(flatten)]
    pub stuck: Stuck,
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Open orders diagnosed.
    pub diagnosed: usize,
    /// Orders whose finding changed and was written.
    pub written: usize,
    /// Orders another writer changed meanwhile (left to the next sweep).
    pub conflicts: usize,
}

/// Runs the sweep when `escalations.sweep_ms` has passed since the last one.
pub async fn maybe(state: &AppState, last: &mut i64) -> anyhow::Result<()> {
    let every = i64::try_from(state.config.escalations.sweep_ms).unwrap_or(i64::MAX);
    let now = state.now_ms();
    if every > 0 && now - *last >= every {
        *last = now;
        once(state).await?;
    }
    Ok(())
}

/// One sweep over every order.
pub async fn once(state: &AppState) -> anyhow::Result<Swept> {
    let mut swept = Swept::default();
    let mut pages = OrderPages::default();
    while let Some(page) = pages.next(state).await? {
        for record in page {
            match sweep_order(state, record).await {
                Ok(Some(committed)) => {
                    swept.diagnosed += 1;
                    match committed {
                        Committed::Done(_) => swept.written += 1,
                        Committed::Conflict | Committed::Settled => swept.conflicts += 1,
                    }
                }
                Ok(None) => swept.diagnosed += 1,
                Err(e) => tracing::error!(code = e.code_name(), "sweeping an order failed"),
            }
        }
    }
    Ok(swept)
}

/// The snapshot with the configured thresholds as the rules' escalation windows.
fn with_windows(state: &AppState, mut snapshot: Value) -> Value {
    let cfg = &state.config.escalations;
    if let Some(settings) = snapshot.get_mut("settings").and_then(Value::as_object_mut) {
        let windows = settings.entry("windows").or_insert_with(|| json!({}));
        if let Some(w) = windows.as_object_mut() {
            w.insert(
                "rx_to_pharmacy_hours".into(),
                cfg.rx_to_pharmacy_hours.into(),
            );
            w.insert(
                "shipped_without_tracking_days".into(),
                cfg.shipped_without_tracking_days.into(),
            );
            w.insert(
                "shipped_without_delivery_days".into(),
                cfg.shipped_without_delivery_days.into(),
            );
        }
    }
    snapshot
}

/// Diagnoses one order; writes its finding when it changed (None: nothing to write).
async fn sweep_order(state: &AppState, record: OrderRecord) -> Result<Option<Committed>, Problem> {
    let now = state.now_ms();
    let snapshot = with_windows(state, orders::assemble(state, &record).await?);
    let request = DiagnoseRequest {
        input: &snapshot,
        now: super::rfc3339(now),
    };
    let d: Diagnosis = orders::call(state, "diagnose", &request).await?;
    let before: Option<Stuck> = record
        .state
        .get("stuck")
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    let open = !matches!(d.stage.as_str(), "delivered" | "cancelled");
    let after = (open && !d.escalations.is_empty()).then(|| Stuck {
        stage: d.stage,
        state: d.state,
        next_actor: d.next_action.actor,
        next_action: d.next_action.action,
        reasons: d.escalations,
        since: before.as_ref().map_or(now, |b| b.since),
    });
    if before == after {
        return Ok(None);
    }
    let audit = audit_of(&record.id, before.as_ref(), after.as_ref(), now);
    let value = after
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(Problem::internal)?;
    let change = Change {
        audit,
        ..super::orders::bookkeeping_change(&record, "stuck", value, now)
    };
    let committed = state.db.run(move |s| s.commit(&change)).await?;
    Ok(Some(committed))
}

fn codes_of(stuck: Option<&Stuck>) -> Vec<String> {
    let mut codes: Vec<String> = stuck
        .map(|s| s.reasons.iter().map(|r| r.code.clone()).collect())
        .unwrap_or_default();
    codes.dedup();
    codes
}

/// One audit entry for the codes raised and one for the codes cleared.
fn audit_of(id: &str, before: Option<&Stuck>, after: Option<&Stuck>, now: i64) -> Vec<AuditEntry> {
    let (old, new) = (codes_of(before), codes_of(after));
    let raised: Vec<&String> = new.iter().filter(|c| !old.contains(c)).collect();
    let cleared: Vec<&String> = old.iter().filter(|c| !new.contains(c)).collect();
    let stage = after.or(before).map(|s| s.stage.clone());
    let entry = |outcome: &str, codes: &[&String]| AuditEntry {
        at: now,
        source: "sweep".into(),
        actor: Some("rxgate".into()),
        event: "escalation".into(),
        order_id: Some(id.to_owned()),
        outcome: outcome.into(),
        detail: Some(json!({ "codes": codes, "stage": stage })),
        ..AuditEntry::default()
    };
    let mut out = Vec::new();
    if !raised.is_empty() {
        out.push(entry("raised", &raised));
    }
    if !cleared.is_empty() {
        out.push(entry("cleared", &cleared));
    }
    out
}

/// Every order the last sweeps found stuck, in id order (the store's index of stuck orders:
/// never a walk over every order, so a metrics scrape stays cheap).
pub async fn worklist(state: &AppState) -> anyhow::Result<Vec<WorklistEntry>> {
    let stuck = state.db.run(|s| s.stuck_orders()).await?;
    Ok(stuck
        .into_iter()
        .filter_map(|r| {
            let stuck = serde_json::from_value(r.state.get("stuck")?.clone()).ok()?;
            Some(WorklistEntry {
                order_id: r.id,
                stuck,
            })
        })
        .collect())
}

/// Stuck orders by stage (the `rxgate_stuck_orders` gauge).
pub fn by_stage(list: &[WorklistEntry]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for entry in list {
        *out.entry(entry.stuck.stage.clone()).or_insert(0) += 1;
    }
    out
}
