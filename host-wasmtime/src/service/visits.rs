//! Live visit status (issue 16 item 1; docs/host.md, "Visit status").
//!
//! Beluga sends no webhook for the non-terminal visit statuses (`active`, `pending`, `admin`,
//! `holding`) nor for `rxHistory`, so every `visit_fetch.tick_ms` the worker looks for
//! submitted visits whose fetch is due and queues `GET visit/externalFetch/{masterId}` in the
//! outbox. The schedule is the rules' (`plan_visit_fetch`: only open visits, faster while new,
//! slower with age and with fetches that found nothing new, capped); the jitter is drawn here
//! and handed to the rules. The fetch's answer is applied by the outbox like any Beluga call
//! (`record_call_outcome`: the newest `updateTimestamp` wins by the state's merge rule).
//!
//! What the scheduler keeps lives in the order's service bookkeeping (`state.visitFetch`),
//! written with the queued call in one commit checked against the order's version: when
//! several instances look at once, the version is the claim — one commit lands (one fetch
//! queued), the others conflict and skip the order. Each instance queues at most
//! `visit_fetch.max_per_minute` scheduled fetches per minute; the rest wait for the next.
//! A terminal visit is marked once and never looked at again. The store derives each order's
//! due time from that book into an indexed column (`Storage::visit_fetches_due`), so a pass
//! reads the due orders alone (at most 500, the longest-waiting first), never every order.
//!
//! Staff "refresh from Beluga" (`POST /api/emr/orders/{id}/beluga/refresh`) queues a visit
//! fetch now and fetches the patient (`GET patient/externalFetch/{phone}`) while staff wait;
//! the answer says whether Beluga knows the patient and this visit, never the patient's data.

use super::app::{decide_ok, entry, STAFF};
use super::idempotency;
use super::openapi::OrderPath;
use super::orders::{self, Loaded};
use super::problem::Problem;
use super::AppState;
use crate::clients::{self, Auth};
use crate::store::{Change, Committed, NewCall, OrderRecord};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rxgate_core::order::calls::poll::{FetchState, VisitFetchPlan};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The staff refresh route.
pub fn routes() -> aide::axum::ApiRouter<AppState> {
    use super::openapi::{op, Answer, STAFF_SECURITY as STAFF_DOC};
    aide::axum::ApiRouter::new().api_route(
        "/api/emr/orders/{id}/beluga/refresh",
        aide::axum::routing::post_with(refresh, |t| {
            super::openapi::idempotent(op(t, "refreshFromBeluga", "orders",
                "Refresh from Beluga: queue a visit fetch now (its status reaches the panel) and fetch the patient by the order's phone (counts only, never the patient's data); 409 without a visit",
                &STAFF_DOC))
            .answer::<202, Json<Refreshed>>()
        }),
    )
}

/// At most this many due orders are planned per pass (the rest wait for the next tick, the
/// longest-waiting first).
const PASS_LIMIT: u32 = 500;

/// What the scheduler keeps for one order (`state.visitFetch`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FetchBook {
    /// `open`, `not_submitted` or `terminal` (the rules' `state`).
    pub state: String,
    /// When the next scheduled fetch is due (Unix ms); absent: never (terminal).
    pub next_at: Option<i64>,
    /// Fetches since the status last changed (the rules' `attempt`).
    pub attempt: u32,
    /// The visit status the last plan saw (`{status, updated_at}`).
    pub seen: Option<Value>,
    /// Scheduled fetches queued so far.
    pub fetches: u64,
    /// When the last scheduled fetch was queued (Unix ms).
    pub last_queued_at: Option<i64>,
}

/// The per-minute bound of one instance's scheduled fetches.
#[derive(Debug, Default, Clone, Copy)]
pub struct Budget {
    minute: i64,
    used: u32,
}

impl Budget {
    /// Takes one fetch from the minute of `now`; false when the minute's `max` are used.
    fn take(&mut self, now: i64, max: u32) -> bool {
        let minute = now.div_euclid(60_000);
        if minute != self.minute {
            self.minute = minute;
            self.used = 0;
        }
        if self.used >= max {
            return false;
        }
        self.used += 1;
        true
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    /// Visit fetches queued.
    pub queued: usize,
    /// Orders whose schedule was written without a fetch (first plan, terminal, not submitted).
    pub planned: usize,
    /// Due fetches left for the next minute (the per-minute bound).
    pub deferred: usize,
    /// Orders another writer changed meanwhile (left to the next pass).
    pub conflicts: usize,
}

/// Runs a pass when `visit_fetch.tick_ms` has passed since the last one.
pub async fn maybe(state: &AppState, last: &mut i64, budget: &mut Budget) -> anyhow::Result<()> {
    let every = i64::try_from(state.config.visit_fetch.tick_ms).unwrap_or(i64::MAX);
    let now = state.now_ms();
    if every > 0 && now - *last >= every {
        *last = now;
        once(state, budget).await?;
    }
    Ok(())
}

/// One pass: the due visits, the longest-waiting first (so the per-minute bound defers the
/// most recently due ones), each planned and, when due, fetched.
pub async fn once(state: &AppState, budget: &mut Budget) -> anyhow::Result<Scheduled> {
    let mut done = Scheduled::default();
    for id in due_orders(state).await? {
        let key = id.clone();
        let Some(record) = state.db.run(move |s| s.get_order(&key)).await? else {
            continue;
        };
        match order_pass(state, record, budget).await {
            Ok(Step::Skipped) => {}
            Ok(Step::Deferred) => done.deferred += 1,
            Ok(Step::Written { queued, committed }) => match committed {
                Committed::Done(_) if queued => done.queued += 1,
                Committed::Done(_) => done.planned += 1,
                Committed::Conflict | Committed::Settled => done.conflicts += 1,
            },
            Err(e) => tracing::error!(code = e.code_name(), "planning a visit fetch failed"),
        }
    }
    if done.queued > 0 {
        state.wake.notify_one();
    }
    Ok(done)
}

/// The ids of the orders whose fetch is due now, by due time (never planned first): read
/// from the store's index of due fetches, never by walking every order.
async fn due_orders(state: &AppState) -> anyhow::Result<Vec<String>> {
    let now = state.now_ms();
    Ok(state
        .db
        .run(move |s| s.visit_fetches_due(now, PASS_LIMIT))
        .await?)
}

enum Step {
    Skipped,
    Deferred,
    Written { queued: bool, committed: Committed },
}

/// The book of `record`, when the scheduler has written one.
fn book_of(record: &OrderRecord) -> Option<FetchBook> {
    serde_json::from_value(record.state.get("visitFetch")?.clone()).ok()
}

/// Whether the order's fetch is due now (cheap: no rules call for the others).
fn due(record: &OrderRecord, book: Option<&FetchBook>, now: i64) -> bool {
    if record.master_id.is_none() {
        return false;
    }
    match book {
        None => true,
        Some(b) => b.state != "terminal" && b.next_at.is_some_and(|t| t <= now),
    }
}

/// The visit fetch the scheduler queues: `GET visit/externalFetch/{masterId}`, keyed per fetch.
pub fn fetch_call(master_id: &str, key: String) -> NewCall {
    NewCall {
        kind: "beluga_fetch".into(),
        dedupe_key: key,
        payload: json!({
            "method": "GET", "path": format!("visit/externalFetch/{master_id}"),
            "endpoint": "fetch-visit", "body": null,
        }),
    }
}

/// Asks the rules for the order's schedule.
async fn plan(
    state: &AppState,
    record: &OrderRecord,
    book: Option<&FetchBook>,
    now: i64,
) -> Result<VisitFetchPlan, Problem> {
    let cfg = &state.config.visit_fetch;
    let request = json!({
        "input": orders::assemble(state, record).await?,
        "seen": book.and_then(|b| b.seen.clone()),
        "attempt": book.map_or(0, |b| b.attempt),
        "jitter": fastrand::f64(),
        "schedule": {"base_ms": cfg.base_ms, "max_ms": cfg.max_ms},
        "now": super::rfc3339(now),
    });
    orders::call(state, "plan_visit_fetch", &request).await
}

/// Plans one order and, when its fetch is due, queues it with the new schedule.
async fn order_pass(
    state: &AppState,
    record: OrderRecord,
    budget: &mut Budget,
) -> Result<Step, Problem> {
    let now = state.now_ms();
    let book = book_of(&record);
    if !due(&record, book.as_ref(), now) {
        return Ok(Step::Skipped);
    }
    let Some(master_id) = record.master_id.clone() else {
        return Ok(Step::Skipped);
    };
    let plan = plan(state, &record, book.as_ref(), now).await?;
    let first = book.is_none();
    let mut next = book.unwrap_or_default();
    next.state = serde_json::to_value(plan.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    next.seen = plan.seen.and_then(|s| serde_json::to_value(s).ok());
    let mut calls = Vec::new();
    match plan.state {
        FetchState::Open if !first => {
            if !budget.take(now, state.config.visit_fetch.max_per_minute) {
                return Ok(Step::Deferred);
            }
            next.fetches += 1;
            next.attempt = plan.attempt;
            next.last_queued_at = Some(now);
            let key = format!("beluga_poll:{master_id}:{}", next.fetches);
            calls.push(fetch_call(&master_id, key));
        }
        FetchState::Open => next.attempt = 0,
        // The visit may be accepted later (a retry): looked at again after a base interval.
        FetchState::NotSubmitted => next.attempt = 0,
        FetchState::Terminal => next.attempt = 0,
    }
    next.next_at = match plan.state {
        FetchState::Open => plan.next_at.map(|t| t.timestamp_millis()),
        FetchState::NotSubmitted => {
            Some(now.saturating_add(i64::try_from(state.config.visit_fetch.base_ms).unwrap_or(0)))
        }
        FetchState::Terminal => None,
    };
    let queued = !calls.is_empty();
    let value = serde_json::to_value(&next).map_err(Problem::internal)?;
    let change = Change {
        calls,
        ..super::orders::bookkeeping_change(&record, "visitFetch", Some(value), now)
    };
    let committed = state.db.run(move |s| s.commit(&change)).await?;
    Ok(Step::Written { queued, committed })
}

/// The answer of a staff refresh.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    /// `queued`: the visit fetch is in the outbox; its answer updates the panel.
    pub visit: String,
    /// What Beluga said about the patient.
    pub patient: PatientFetch,
}

/// The patient fetch, without the patient's data.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientFetch {
    /// Beluga knows the patient by the order's phone.
    pub found: bool,
    /// How many visits Beluga holds for the patient.
    pub visits: usize,
    /// Whether this order's visit is one of them.
    pub includes_this_visit: bool,
    /// The rules' class of the answer (`success`, `retry_later`, …).
    pub class: Option<String>,
    /// What customer support does next (the rules' guidance), when it was not a success.
    pub guidance: Option<String>,
}

/// `POST /api/emr/orders/{id}/beluga/refresh` (`Idempotency-Key`: a repeat replays the first
/// answer and queues nothing).
pub async fn refresh(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    const ROUTE: &str = "/api/emr/orders/{id}/beluga/refresh";
    let caller = state.authorize(&headers, STAFF).await?;
    let key = idempotency::key(&headers, &caller, ROUTE, &id)?;
    if let Some(stored) = idempotency::stored(&state, key.as_deref()).await? {
        return Ok(idempotency::replay(stored));
    }
    let loaded = orders::load(&state, &id).await?;
    let Some(master_id) = loaded.record.master_id.clone() else {
        return Err(Problem::client(
            StatusCode::CONFLICT,
            "the order has no Beluga visit to refresh",
        )
        .code("no_visit"));
    };
    let patient = fetch_patient(&state, &loaded, &master_id).await?;
    let answer = serde_json::to_value(Refreshed {
        visit: "queued".into(),
        patient,
    })
    .map_err(Problem::internal)?;
    let now = state.now_ms();
    let change = Change {
        order_id: Some(id.clone()),
        calls: vec![fetch_call(
            &master_id,
            format!("beluga_refresh:{master_id}:{now}"),
        )],
        audit: vec![entry(&caller, &id, "beluga_refresh", "queued", None)],
        idempotency: idempotency::record(key.as_deref(), StatusCode::ACCEPTED, &answer),
        now,
        ..Change::default()
    };
    if let Committed::Conflict = state.db.run(move |s| s.commit(&change)).await? {
        // The same key landed meanwhile: its answer stands.
        if let Some(stored) = idempotency::stored(&state, key.as_deref()).await? {
            return Ok(idempotency::replay(stored));
        }
    }
    state.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// `GET patient/externalFetch/{phone}` now, classified by the rules; only counts come back.
async fn fetch_patient(
    state: &AppState,
    loaded: &Loaded,
    master_id: &str,
) -> Result<PatientFetch, Problem> {
    let phone = loaded
        .snapshot
        .pointer("/patient/phone")
        .cloned()
        .unwrap_or(Value::Null);
    let normalized = decide_ok(
        state,
        "normalize",
        json!({"field": "phone", "input": phone}),
    )
    .await?;
    let Some(phone) = normalized.get("value").and_then(Value::as_str) else {
        return Err(Problem::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the order's patient phone is not a US phone number",
        )
        .code("patient_phone_invalid"));
    };
    let answer = match patient_target(state, phone) {
        None => json!({"status": null, "network_error": "not_configured"}),
        Some((url, auth)) => {
            let raw = clients::send(&state.http, reqwest::Method::GET, url, &auth, None).await;
            json!({
                "status": (raw.status != 0).then_some(raw.status),
                "body": serde_json::from_str::<Value>(&raw.body).unwrap_or(Value::String(raw.body)),
                "network_error": raw.network_error,
            })
        }
    };
    let parsed = decide_ok(
        state,
        "parse_response",
        json!({"kind": "fetch-patient", "input": answer}),
    )
    .await?;
    let visits: Vec<&str> = parsed
        .pointer("/data/visits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let class = parsed
        .get("classification")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let success = class.as_deref() == Some("success");
    Ok(PatientFetch {
        found: success && parsed.get("data").is_some_and(|d| !d.is_null()),
        visits: visits.len(),
        includes_this_visit: visits.contains(&master_id),
        guidance: (!success)
            .then(|| {
                parsed
                    .get("guidance")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .flatten(),
        class,
    })
}

fn patient_target(state: &AppState, phone: &str) -> Option<(reqwest::Url, Auth)> {
    let key = state.config.beluga.api_key.as_ref()?;
    let base =
        clients::check_base_url(&state.config.beluga.base_url, state.config.environment).ok()?;
    let url = base.join(&format!("patient/externalFetch/{phone}")).ok()?;
    Some((url, Auth::Bearer(key.expose().to_owned())))
}
