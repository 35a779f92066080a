//! Order state as the rules see it, and the one way it changes.
//!
//! The store keeps each order as two documents with one writer each (docs/host.md, "Order
//! state"): the clinic's input (what the EMR PUTs) and rxgate's own state (what applying facts
//! and events produced). [`load`] asks the rules to assemble the snapshot they read from the
//! two and the service's configuration ([`integration`]: whether each partner is configured
//! comes from here, never from the EMR) and the activities the service recorded for the order
//! (its `activities` table, [`recorded_activities`]: the rules judge message visibility on what
//! was really stored). After an operation answers a new snapshot, [`owned`]
//! asks the rules which part of it is rxgate's, and [`commit`] writes that part with every
//! other effect of the change in one transaction, checked against the version the change was
//! computed from; a conflict reruns the change on a fresh read.

use super::problem::Problem;
use super::AppState;
use crate::config::{Config, Environment};
use crate::store::{AuditEntry, Change, Committed, NewCall, OrderRecord, OrderWrite, PutOutcome};
use rxgate_core::order::ownership::{IntegrationFacts, PharmacyFacts};
use rxgate_core::order::snapshot::{Activity, ActivityKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// How often a change is recomputed after a version conflict before it gives up.
const CONFLICT_RETRIES: usize = 8;

/// How many orders one page of [`OrderPages`] reads.
const ORDER_PAGE: u32 = 200;

/// Every stored order, a page at a time in id order (keyset paging: an order added or removed
/// while the walk runs is seen at most once). The periodic jobs (sweep, visit fetch, worklist)
/// walk the orders through this one pager.
#[derive(Debug, Default)]
pub struct OrderPages {
    after: String,
    done: bool,
}

impl OrderPages {
    /// The next page, or `None` after the last order.
    pub async fn next(&mut self, state: &AppState) -> anyhow::Result<Option<Vec<OrderRecord>>> {
        if self.done {
            return Ok(None);
        }
        let from = self.after.clone();
        let page = state
            .db
            .run(move |s| s.list_orders(&from, ORDER_PAGE))
            .await?;
        match page.last() {
            Some(last) => self.after.clone_from(&last.id),
            None => self.done = true,
        }
        Ok((!self.done).then_some(page))
    }
}

/// A stored order and the snapshot the rules read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The stored record.
    pub record: OrderRecord,
    /// The assembled snapshot (clinic input + rxgate state + configuration facts).
    pub snapshot: Value,
}

/// The integration facts of the service's configuration, for the rules.
pub fn integration(config: &Config) -> IntegrationFacts {
    let mut pharmacies = BTreeMap::new();
    for (id, p) in &config.dispensepro {
        pharmacies.insert(
            id.clone(),
            PharmacyFacts {
                credentials_configured: p.api_key.is_some() && !p.base_url.is_empty(),
                webhook_secret_configured: p.webhook_secret.is_some(),
            },
        );
    }
    for (id, p) in &config.lifefile {
        pharmacies.insert(
            id.clone(),
            PharmacyFacts {
                credentials_configured: p.password.is_some() && !p.base_url.is_empty(),
                webhook_secret_configured: p.webhook_password.is_some(),
            },
        );
    }
    let production = config.environment == Environment::Production;
    for (id, p) in &config.pharmacies {
        pharmacies.insert(
            id.clone(),
            PharmacyFacts::own(p.webhook_secret.is_some(), p.allow_unsigned, production),
        );
    }
    IntegrationFacts {
        beluga_api_key_configured: config
            .beluga
            .api_key
            .as_ref()
            .is_some_and(|k| !k.expose().trim().is_empty()),
        beluga_company: config.beluga.company.clone(),
        // The sandbox stands in for the production partners (the example orders are production
        // records), so it routes as production; a development service is LifeFile's TEST.
        environment: Some(match config.environment {
            Environment::Production | Environment::Sandbox => {
                rxgate_core::order::snapshot::Environment::Production
            }
            Environment::Development => rxgate_core::order::snapshot::Environment::Test,
        }),
        dispense_pro_configured: config
            .dispensepro
            .values()
            .any(|p| p.api_key.is_some() && !p.base_url.is_empty()),
        pharmacies,
    }
}

/// Calls a rules operation with a typed request and reads its typed answer; misuse is a 400
/// naming the rules' code, a guest failure a 500.
pub async fn call<Req: Serialize, Ans: DeserializeOwned>(
    state: &AppState,
    op: &str,
    request: &Req,
) -> Result<Ans, Problem> {
    let request = serde_json::to_value(request).map_err(Problem::internal)?;
    let answer = super::app::decide_ok(state, op, request).await?;
    serde_json::from_value(answer).map_err(|e| {
        Problem::internal(format!(
            "the rules answered `{op}` in an unexpected shape: {e}"
        ))
    })
}

#[derive(Serialize)]
struct AssembleRequest<'a> {
    clinic: &'a Value,
    rxgate: &'a Value,
    integration: IntegrationFacts,
    #[serde(skip_serializing_if = "Option::is_none")]
    activities: Option<Vec<Activity>>,
}

#[derive(Deserialize)]
struct Assembled {
    snapshot: Value,
}

#[derive(Serialize)]
struct SplitRequest<'a> {
    input: &'a Value,
    /// Always: the service keeps activities in its own table, never in rxgate's document.
    activities_recorded: bool,
}

/// The two parts of a snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct Split {
    /// The clinic's input.
    pub clinic: Value,
    /// rxgate's own members.
    pub rxgate: Value,
}

/// The snapshot the rules read for a stored order: its two documents, the service's
/// configuration and the activities stored for it. Every read of an order for the rules
/// (diagnosis, escalations, the panel, message visibility, the patient view, every change)
/// comes through here.
pub async fn assemble(state: &AppState, record: &OrderRecord) -> Result<Value, Problem> {
    let key = record.id.clone();
    let rows = state.db.run(move |s| s.activities(&key, false)).await?;
    let activities = recorded_activities(rows);
    assemble_with(state, &record.clinic, &record.rxgate, Some(activities)).await
}

/// The stored activities as the snapshot's: their kind, instant, content and whether the
/// service shows them to the patient (`shown_to_patient`: the stored `patient_visible`, which
/// decides what the portal lists). `notified` is false: notifications are their own records.
/// A row of a kind the rules do not know (none is written today) is left out.
pub fn recorded_activities(rows: Vec<crate::store::Activity>) -> Vec<Activity> {
    rows.into_iter()
        .filter_map(|row| {
            let kind: ActivityKind = serde_json::from_value(Value::String(row.kind)).ok()?;
            Some(Activity {
                kind,
                at: chrono::DateTime::from_timestamp_millis(row.created_at)?,
                shown_to_patient: Some(row.patient_visible),
                notified: false,
                content: row
                    .body
                    .get("content")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// The snapshot the rules read for a clinic input and rxgate's state (no stored activities:
/// the route evaluation of a clinic `PUT` reads none).
pub async fn assemble_parts(
    state: &AppState,
    clinic: &Value,
    rxgate: &Value,
) -> Result<Value, Problem> {
    assemble_with(state, clinic, rxgate, None).await
}

async fn assemble_with(
    state: &AppState,
    clinic: &Value,
    rxgate: &Value,
    activities: Option<Vec<Activity>>,
) -> Result<Value, Problem> {
    let request = AssembleRequest {
        clinic,
        rxgate,
        integration: integration(&state.config),
        activities,
    };
    let assembled: Assembled = call(state, "assemble_order", &request).await?;
    Ok(assembled.snapshot)
}

/// Splits a snapshot into the clinic's input and rxgate's members (the rules' ownership
/// table); a snapshot that breaks the schema is a 422 naming where. Its `activities` go to
/// neither part: the service's activity table is their record (a clinic `PUT` cannot write
/// rxgate's timeline, and a change never copies the table into rxgate's document).
pub async fn split(state: &AppState, snapshot: &Value) -> Result<Split, Problem> {
    let request = SplitRequest {
        input: snapshot,
        activities_recorded: true,
    };
    call(state, "split_order", &request).await
}

/// rxgate's members of a snapshot an operation answered.
pub async fn owned(state: &AppState, snapshot: &Value) -> Result<Value, Problem> {
    Ok(split(state, snapshot).await?.rxgate)
}

/// The stored order and its assembled snapshot, if the order exists.
pub async fn find(state: &AppState, id: &str) -> Result<Option<Loaded>, Problem> {
    let key = id.to_owned();
    let Some(record) = state.db.run(move |s| s.get_order(&key)).await? else {
        return Ok(None);
    };
    let snapshot = assemble(state, &record).await?;
    Ok(Some(Loaded { record, snapshot }))
}

/// As [`find`], 404 when absent.
pub async fn load(state: &AppState, id: &str) -> Result<Loaded, Problem> {
    find(state, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))
}

/// The order write of a change computed from `loaded` that ends with `snapshot`.
pub async fn write(
    state: &AppState,
    loaded: &Loaded,
    snapshot: Option<&Value>,
    bookkeeping: Option<Value>,
) -> Result<OrderWrite, Problem> {
    let rxgate = match snapshot {
        Some(snapshot) => Some(owned(state, snapshot).await?),
        None => None,
    };
    Ok(OrderWrite {
        id: loaded.record.id.clone(),
        expected_version: loaded.record.version,
        rxgate,
        state: bookkeeping,
    })
}

/// Runs `compute` on a fresh read of the order and commits the change it answers; reruns it
/// when another change landed in between. `compute` answers the change to write (`None`: write
/// nothing) and a value for the caller, which `commit` hands back from the run that counted.
pub async fn commit<T, F, Fut>(state: &AppState, id: &str, mut compute: F) -> Result<T, Problem>
where
    F: FnMut(Loaded) -> Fut,
    Fut: std::future::Future<Output = Result<(Option<Change>, T), Problem>>,
{
    for _ in 0..CONFLICT_RETRIES {
        let loaded = load(state, id).await?;
        let (change, value) = compute(loaded).await?;
        let Some(change) = change else {
            return Ok(value);
        };
        match state.db.run(move |s| s.commit(&change)).await? {
            Committed::Done(_) => {
                state.wake.notify_one();
                return Ok(value);
            }
            Committed::Conflict => continue,
            // Another worker finished the same work (this one's lease ran out): its change
            // stands, this one is dropped.
            Committed::Settled => return Ok(value),
        }
    }
    Err(Problem::internal(format!(
        "the order kept changing during {CONFLICT_RETRIES} attempts to write a change"
    )))
}

/// The public form of an order: the assembled snapshot, its version and rxgate's bookkeeping.
pub fn public(loaded: &Loaded) -> Value {
    json!({
        "id": loaded.record.id,
        "version": loaded.record.version,
        "snapshot": loaded.snapshot,
        "state": loaded.record.state,
        "master_id": loaded.record.master_id,
        "updated_at": loaded.record.updated_at,
    })
}

/// The outbox entry of a partner submission the rules ask for, under its own key (the outbox
/// keeps one per key: an accepted order is never queued twice).
pub fn outbox_call(item: rxgate_core::events::apply::OutboxItem) -> NewCall {
    NewCall {
        payload: json!({
            "pharmacy_id": item.pharmacy_id, "item_ids": item.item_ids,
            "path": item.path, "body": item.body,
        }),
        kind: item.kind,
        dedupe_key: item.dedupe_key,
    }
}

#[derive(Serialize)]
struct QueueRoutesRequest<'a> {
    input: &'a Value,
    now: String,
}

/// The submissions of every route that is ready in `snapshot` (the rules' `queue_routes`),
/// to file with the change that produced it: routes are re-evaluated on every order change.
pub async fn route_calls(
    state: &AppState,
    snapshot: &Value,
    now: i64,
) -> Result<Vec<NewCall>, Problem> {
    let request = QueueRoutesRequest {
        input: snapshot,
        now: super::rfc3339(now),
    };
    let queued: rxgate_core::events::outbox::QueuedRoutes =
        call(state, "queue_routes", &request).await?;
    Ok(queued.outbox.into_iter().map(outbox_call).collect())
}

/// Stores the clinic's input of an order (`expected`: the `If-Match` version) with the
/// submissions of every route the new input makes ready, in one transaction: the routes are
/// evaluated on the new input and rxgate's state as read, and the write is checked against the
/// version read, so a change landing in between reruns it (a stale `If-Match` stays stale).
pub async fn put_clinic(
    state: &AppState,
    id: &str,
    parts: &Split,
    expected: Option<i64>,
    audit: &AuditEntry,
) -> Result<PutOutcome, Problem> {
    for _ in 0..CONFLICT_RETRIES {
        let key = id.to_owned();
        let current = state.db.run(move |s| s.get_order(&key)).await?;
        if let (Some(expected), Some(record)) = (expected, &current) {
            if expected != record.version {
                return Ok(PutOutcome::Stale(record.version));
            }
        }
        let rxgate = current.as_ref().map_or(&parts.rxgate, |r| &r.rxgate);
        let snapshot = assemble_parts(state, &parts.clinic, rxgate).await?;
        let calls = route_calls(state, &snapshot, audit.at).await?;
        let check = current.as_ref().map(|r| r.version).or(expected);
        let (key, parts, audit) = (id.to_owned(), parts.clone(), audit.clone());
        let outcome = state
            .db
            .run(move |s| {
                s.put_clinic_input(&key, &parts.clinic, &parts.rxgate, check, &audit, &calls)
            })
            .await?;
        match outcome {
            PutOutcome::Stale(_) if expected.is_none() => continue,
            outcome => return Ok(outcome),
        }
    }
    Err(Problem::internal(format!(
        "the order kept changing during {CONFLICT_RETRIES} attempts to store the clinic's input"
    )))
}

/// A change that writes only the order's bookkeeping (its `state` document) with the member
/// `key` set to `value`, or removed when `None`, checked against the version `record` was read
/// at: the claim of the periodic jobs (the stuck sweep, the visit-status scheduler), where a
/// conflict means another instance got there first.
pub fn bookkeeping_change(
    record: &OrderRecord,
    key: &str,
    value: Option<Value>,
    now: i64,
) -> Change {
    let mut bookkeeping = record.state.clone();
    if let Some(map) = bookkeeping.as_object_mut() {
        match value {
            Some(value) => map.insert(key.to_owned(), value),
            None => map.remove(key),
        };
    }
    Change {
        order_id: Some(record.id.clone()),
        order: Some(OrderWrite {
            id: record.id.clone(),
            expected_version: record.version,
            rxgate: None,
            state: Some(bookkeeping),
        }),
        now,
        ..Change::default()
    }
}
