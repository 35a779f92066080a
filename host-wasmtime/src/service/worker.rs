//! The background worker: processes stored inbound events (from the stored copy, never the
//! request), runs due partner calls from the outbox, and purges raw bodies past retention.
//!
//! Every job runs through claims (`Storage::claim_*`): a row this instance claimed is invisible
//! to the other instances until its lease runs out or the commit of the change it causes
//! finishes it, so several instances on one database never do the same job twice
//! (docs/host.md, "Claims").
//!
//! Retries: a call is retried with exponential backoff and jitter only when the guest's
//! `parse_response` classifies the outcome `retry_later`; every other failure class parks it
//! for staff. The jitter's randomness lives here, never in the core.

use super::AppState;
use crate::clients::{self, Auth};
use crate::store::{
    CallDisposition, Change, Claim, EventFinish, EventOutcome, EventRecord, NewActivity, NewCall,
    OutboxItem, RecordTable,
};
use rxgate_core::api::EventAnswer;
use rxgate_core::events::apply::Effects;
use rxgate_core::order::calls::outcome::{
    CallAnswer, CallOutcome, CallRef, Disposition, HttpReply, RecordCallOutcomeRequest, Unsendable,
    UnsendableReason,
};
use rxgate_core::order::calls::CallKind;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::sync::{Notify, Semaphore};

/// Runs until `stop` turns true, in two lanes (docs/host.md, "Worker lanes"): this task
/// applies stored events (and follows the rules, purges raw bodies), and a second task sends
/// partner calls, each partner bounded to `outbox.partner_concurrency` calls in flight with
/// `outbox.request_timeout_ms` each. Applying a webhook never waits on a partner call. Every
/// item runs supervised ([`supervised`]): an error or a panic marks that item failed and the
/// loop goes on.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = std::time::Duration::from_millis(state.config.outbox.poll_ms.max(10));
    let calls_wake = Arc::new(Notify::new());
    // Aborted with this task (a drain past its bound aborts the worker): the call lane and
    // every call it runs stop with it.
    let mut calls = AbortOnDrop(tokio::spawn(calls_lane(
        state.clone(),
        stop.clone(),
        Arc::clone(&calls_wake),
    )));
    let mut last_purge = 0i64;
    let mut last_sweep = 0i64;
    let (mut last_fetch, mut fetch_budget) = (0i64, super::visits::Budget::default());
    let mut rules_digest = state.rules.current().digest().to_owned();
    let mut refused_rules: Option<String> = None;
    loop {
        if let Err(e) = super::follow_rules(&state, &mut refused_rules).await {
            tracing::error!(cause = %e, "following the published rules failed");
        }
        let digest = state.rules.current().digest().to_owned();
        if digest != rules_digest {
            rules_digest = digest;
            if let Err(e) = retry_deferred(&state).await {
                tracing::error!(cause = %e, "retrying deferred events failed");
            }
        }
        if let Err(e) = events_pass(&state).await {
            tracing::error!(cause = %e, "worker pass failed");
        }
        if let Err(e) = super::visits::maybe(&state, &mut last_fetch, &mut fetch_budget).await {
            tracing::error!(cause = %e, "visit fetch scheduling failed");
        }
        // Events (and the visit fetch schedule) may have queued calls: the call lane looks now.
        calls_wake.notify_one();
        if let Err(e) = purge(&state, &mut last_purge).await {
            tracing::error!(cause = %e, "raw-body purge failed");
        }
        if let Err(e) = super::sweep::maybe(&state, &mut last_sweep).await {
            tracing::error!(cause = %e, "stuck-order sweep failed");
        }
        if *stop.borrow() || state.is_draining() {
            break;
        }
        tokio::select! {
            _ = state.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() || state.is_draining() {
            break;
        }
    }
    calls_wake.notify_one();
    if (&mut calls.0).await.is_err() {
        tracing::error!("the call lane stopped abnormally");
    }
}

/// The partner-call lane: claims due calls and runs each in its partner's lane; calls in
/// flight finish before it returns (a stop starts no new one).
async fn calls_lane(state: AppState, mut stop: watch::Receiver<bool>, wake: Arc<Notify>) {
    let poll = std::time::Duration::from_millis(state.config.outbox.poll_ms.max(10));
    let lanes = Lanes::new(state.config.outbox.partner_concurrency);
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        if *stop.borrow() || state.is_draining() {
            break;
        }
        match calls_pass(&state, &lanes).await {
            Ok(started) => {
                for task in started {
                    in_flight.spawn(task);
                }
            }
            Err(e) => tracing::error!(cause = %e, "call pass failed"),
        }
        // Finished tasks are collected; the others keep running.
        while in_flight.try_join_next().is_some() {}
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
    }
    while in_flight.join_next().await.is_some() {}
}

/// How many rows one claim takes.
const EVENT_BATCH: u32 = 100;
/// How many calls one claim takes.
const CALL_BATCH: u32 = 20;

/// A claim by this instance, now, for the configured lease.
fn claim(state: &AppState) -> Claim {
    Claim {
        owner: state.instance.clone(),
        now: state.now_ms(),
        lease_ms: i64::try_from(state.config.outbox.lease_ms()).unwrap_or(i64::MAX),
    }
}

/// Re-applies events the previous rules could not apply (`deferred`): run after a reload.
pub async fn retry_deferred(state: &AppState) -> anyhow::Result<()> {
    let deferred = state
        .db
        .run(|s| s.events_with_outcome(EventOutcome::Deferred))
        .await?;
    for event in deferred {
        let (id, claimed) = (event.id, claim(state));
        if let Some(event) = state.db.run(move |s| s.claim_event(id, &claimed)).await? {
            supervise_event(state, event).await;
        }
    }
    Ok(())
}

/// One pass, as the two lanes run it, in turn, awaited: events, then calls, then (hourly)
/// retention. Tests drive the worker with it.
pub async fn tick(state: &AppState, last_purge: &mut i64) -> anyhow::Result<()> {
    events_pass(state).await?;
    let lanes = Lanes::new(state.config.outbox.partner_concurrency);
    for task in calls_pass(state, &lanes).await? {
        task.await;
    }
    purge(state, last_purge).await
}

/// Claims the events waiting (stored, re-opened by a matching order or a re-drive) and applies
/// each, supervised. Unmatched events are never scanned: an order that matches one re-opens it
/// through the match-key index (`Storage::finish_event_with`).
pub async fn events_pass(state: &AppState) -> anyhow::Result<()> {
    let claimed = claim(state);
    let events = state
        .db
        .run(move |s| s.claim_pending_events(&claimed, EVENT_BATCH))
        .await?;
    for event in events {
        // A stop starts no new work (the rest stays stored for the next start).
        if state.is_draining() {
            return Ok(());
        }
        supervise_event(state, event).await;
    }
    Ok(())
}

/// Drops raw bodies, then call payloads and document contents, past their retention, at
/// most hourly (docs/security.md, "Retention").
async fn purge(state: &AppState, last_purge: &mut i64) -> anyhow::Result<()> {
    let now = state.now_ms();
    if now - *last_purge > 3_600_000 {
        *last_purge = now;
        let before = now - i64::from(state.config.raw_retention_days) * 86_400_000;
        state.db.run(move |s| s.purge_raw(before)).await?;
        let expired = now.saturating_sub(
            i64::from(state.config.idempotency_ttl_hours) * super::idempotency::HOUR_MS,
        );
        state.db.run(move |s| s.purge_idempotency(expired)).await?;
        let stale = now.saturating_sub(
            i64::from(state.config.notification_ttl_hours) * super::idempotency::HOUR_MS,
        );
        state.db.run(move |s| s.expire_notifications(stale)).await?;
        let cutoffs = state.config.retention.cutoffs(now);
        let purged = state.db.run(move |s| s.purge_content(&cutoffs)).await?;
        if purged.calls + purged.documents > 0 {
            tracing::info!(
                calls = purged.calls,
                documents = purged.documents,
                "content past retention purged"
            );
        }
    }
    Ok(())
}

/// One semaphore per partner (Beluga; each DispensePro, LifeFile or OWN pharmacy).
struct Lanes {
    limit: usize,
    partners: std::sync::Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Lanes {
    fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            partners: std::sync::Mutex::default(),
        }
    }

    /// The semaphore of a call's partner.
    fn of(&self, call: &OutboxItem) -> Arc<Semaphore> {
        let partner = partner_of(call);
        let mut partners = match self.partners.lock() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(
            partners
                .entry(partner)
                .or_insert_with(|| Arc::new(Semaphore::new(self.limit))),
        )
    }
}

/// The partner a call goes to: `beluga`, or `<kind prefix>:<pharmacy id>`.
fn partner_of(call: &OutboxItem) -> String {
    let prefix = call.kind.split('_').next().unwrap_or_default();
    match call.payload.get("pharmacy_id").and_then(Value::as_str) {
        Some(pharmacy) if prefix != "beluga" => format!("{prefix}:{pharmacy}"),
        _ => prefix.to_owned(),
    }
}

/// Claims the due calls and answers one task per call, each waiting for its partner's lane.
async fn calls_pass(
    state: &AppState,
    lanes: &Lanes,
) -> anyhow::Result<Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>> {
    if state.is_draining() {
        return Ok(Vec::new());
    }
    let claimed = claim(state);
    let due = state
        .db
        .run(move |s| s.claim_due_calls(&claimed, CALL_BATCH))
        .await?;
    let mut tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>> =
        Vec::new();
    for call in due {
        let (lane, state) = (lanes.of(&call), state.clone());
        tasks.push(Box::pin(async move {
            let Ok(_permit) = lane.acquire_owned().await else {
                return;
            };
            if state.is_draining() {
                return;
            }
            supervise_call(&state, call).await;
        }));
    }
    Ok(tasks)
}

/// Runs one item's future in its own task: answers why it broke, if it did — its error or its
/// panic (caught as the task's `JoinError`). Never PHI: the reason is a class, and the error
/// itself is logged only as its class.
pub async fn supervised<F>(work: F) -> Option<&'static str>
where
    F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let mut task = AbortOnDrop(tokio::spawn(work));
    match (&mut task.0).await {
        Ok(Ok(())) => None,
        Ok(Err(_)) => Some("worker_error"),
        Err(e) if e.is_panic() => Some("worker_panic"),
        Err(_) => Some("worker_cancelled"),
    }
}

/// A task aborted when its handle is dropped (a cancelled lane cancels its items).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Applies one event, supervised: an event that breaks the worker ends `failed` with the
/// reason (flagged for staff), and the worker goes on with the next.
async fn supervise_event(state: &AppState, event: EventRecord) {
    let (id, source) = (event.id, event.source.clone());
    let work = {
        let state = state.clone();
        async move { process_event(&state, event).await }
    };
    let Some(reason) = supervised(work).await else {
        return;
    };
    tracing::error!(event_id = id, source = %source, reason, "event failed: flagged for staff");
    let finish = EventFinish {
        outcome: EventOutcome::Failed,
        order_id: None,
        reason: Some(reason.to_owned()),
        match_keys: Vec::new(),
    };
    let now = state.now_ms();
    match state
        .db
        .run(move |s| s.finish_event_with(id, &finish, now))
        .await
    {
        Ok(()) => count_outcome(state, &source, EventOutcome::Failed),
        Err(e) => tracing::error!(cause = %e, "recording a failed event failed"),
    }
}

/// Sends one call, supervised: a call whose sending or outcome breaks the worker is parked
/// (`failed`, the reason) for staff, and the lane goes on.
async fn supervise_call(state: &AppState, call: OutboxItem) {
    let (id, kind, order_id) = (call.id, call.kind.clone(), call.order_id.clone());
    let work = {
        let state = state.clone();
        async move { run_call(&state, call).await }
    };
    let Some(reason) = supervised(work).await else {
        return;
    };
    tracing::error!(call_id = id, kind = %kind, reason, "call failed: parked for staff");
    let now = state.now_ms();
    let change = Change {
        call_outcome: Some((
            id,
            CallDisposition::Failed {
                error: reason.to_owned(),
            },
        )),
        audit: vec![crate::store::AuditEntry {
            at: now,
            source: "outbox".into(),
            actor: Some("rxgate".to_owned()),
            event: kind,
            order_id,
            outcome: reason.to_owned(),
            ..Default::default()
        }],
        now,
        ..Change::default()
    };
    if let Err(e) = state.db.run(move |s| s.commit(&change)).await {
        tracing::error!(cause = %e, "parking a failed call failed");
    }
}

/// Counts a finished event (`rxgate_events_processed_total`).
fn count_outcome(state: &AppState, source: &str, outcome: EventOutcome) {
    state.metrics.inc(
        super::metrics::Count::EventsProcessed,
        &[("source", source), ("outcome", outcome.as_str())],
    );
}

/// The keys an order would match a stored event by, in the order they are tried: the core's
/// rule (`events::matching`, op `event_match_keys`), linked natively like ingest, so the keys
/// an unmatched event is indexed under never change across a rules reload.
fn match_keys(source: &str, body: &Value) -> Vec<String> {
    rxgate_core::events::Source::from_name(source)
        .map(|source| rxgate_core::events::matching::match_keys(source, body))
        .unwrap_or_default()
}

/// The order an event belongs to: the first of its match keys that names a stored order.
async fn find_order(state: &AppState, keys: &[String]) -> anyhow::Result<Option<String>> {
    for key in keys {
        let Some((column, value)) = crate::store::match_key_column(key) else {
            continue;
        };
        let value = value.to_owned();
        let found = state
            .db
            .run(move |s| match column {
                "id" => s.get_order(&value),
                _ => s.order_by_master_id(&value),
            })
            .await?;
        if let Some(order) = found {
            return Ok(Some(order.id));
        }
    }
    Ok(None)
}

/// A closed name of the core (an enum serialized as a string), as the store keeps it.
fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// A record of the core's answer as the store keeps it (the JSON the rules wrote).
fn record<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The stored body of an event as the rules read it (LifeFile lines as the source's array).
fn event_body(event: &EventRecord) -> Value {
    let body: Value = event
        .raw
        .as_deref()
        .and_then(|r| serde_json::from_slice(r).ok())
        .unwrap_or(Value::Null);
    if event.source == "lifefile" && body.is_object() {
        Value::Array(vec![body])
    } else {
        body
    }
}

/// Applies one stored event through the guest's `apply_event`: every effect, the inbox
/// outcome and the audit entry in one commit, rerun on a fresh read after a version conflict.
/// An event no order matches is kept `unmatched` under its match keys; one the rules cannot
/// run on is `deferred` (rules unavailable: retried after a reload) or `failed` (the rules
/// refused the request, e.g. an order snapshot they cannot read: flagged, re-driven by staff).
async fn process_event(state: &AppState, event: EventRecord) -> anyhow::Result<()> {
    let now = state.now_ms();
    let body = event_body(&event);
    let keys = match_keys(&event.source, &body);
    let Some(order_id) = find_order(state, &keys).await? else {
        let id = event.id;
        let finish = EventFinish {
            outcome: EventOutcome::Unmatched,
            order_id: None,
            reason: Some(
                if keys.is_empty() {
                    "no_match_key"
                } else {
                    "no_order"
                }
                .to_owned(),
            ),
            match_keys: keys,
        };
        state
            .db
            .run(move |s| s.finish_event_with(id, &finish, now))
            .await?;
        count_outcome(state, &event.source, EventOutcome::Unmatched);
        return Ok(());
    };
    let result = super::orders::commit(state, &order_id, |loaded| {
        let (event, body) = (&event, &body);
        async move { event_change(state, loaded, event, body, now).await }
    })
    .await;
    match result {
        Ok(outcome) => count_outcome(state, &event.source, outcome),
        Err(problem) => {
            let (outcome, reason) = if problem.status().is_server_error() {
                (EventOutcome::Deferred, "rules_unavailable")
            } else {
                (EventOutcome::Failed, "rules_refused_request")
            };
            tracing::warn!(status = %problem.status(), source = %event.source, outcome = outcome.as_str(), "event not applied");
            let (id, finish) = (
                event.id,
                EventFinish {
                    outcome,
                    order_id: Some(order_id.clone()),
                    reason: Some(reason.to_owned()),
                    match_keys: Vec::new(),
                },
            );
            state
                .db
                .run(move |s| s.finish_event_with(id, &finish, now))
                .await?;
            count_outcome(state, &event.source, outcome);
        }
    }
    Ok(())
}

/// The change one event makes to a loaded order.
async fn event_change(
    state: &AppState,
    loaded: super::orders::Loaded,
    event: &EventRecord,
    body: &Value,
    now: i64,
) -> Result<(Option<Change>, EventOutcome), super::problem::Problem> {
    let mut request = json!({
        "source": event.source,
        "input": body,
        "order": loaded.snapshot,
        "state": loaded.record.state,
        "now": super::rfc3339(now),
    });
    if matches!(event.source.as_str(), "dispensepro" | "pharmacy") {
        // Keys: `{source}:{pharmacyId}:{webhook-id}` (webhooks.md).
        let webhook_id = event.dedupe_key.splitn(3, ':').nth(2).unwrap_or_default();
        request["pharmacy_id"] = json!(event.partner);
        request["webhook_id"] = json!(webhook_id);
    } else if event.source == "lifefile" && !event.partner.is_empty() {
        // The pharmacy of the webhook URL names the route a line moves (a split order).
        request["pharmacy_id"] = json!(event.partner);
    }
    let answer: EventAnswer = super::orders::call(state, "apply_event", &request).await?;
    let (outcome, reason) = outcome_of(&answer);
    let detail = reason
        .as_ref()
        .map(|r| json!({ "violations": r.split(',').collect::<Vec<_>>() }));
    let audit = crate::store::AuditEntry {
        at: now,
        source: event.source.clone(),
        actor: Some("rxgate".to_owned()),
        event: event.event.clone(),
        order_id: Some(loaded.record.id.clone()),
        outcome: outcome.as_str().to_owned(),
        detail,
        ..Default::default()
    };
    let mut change = Change {
        order_id: Some(loaded.record.id.clone()),
        event_outcome: Some((event.id, outcome)),
        event_reason: reason,
        audit: vec![audit],
        now,
        ..Change::default()
    };
    let EventAnswer::Applied(applied) = answer else {
        return Ok((Some(change), outcome));
    };
    let snapshot = record(&applied.effects.snapshot);
    let mut bookkeeping = Value::Object(applied.state.clone());
    if let Some(update) = applied.effects.name_update.clone() {
        // NAME_UPDATE: the proposed names, checked by the name rule, kept for staff.
        let master = loaded.record.master_id.as_deref();
        super::names::keep(state, &mut bookkeeping, event.id, master, update, now).await?;
    }
    super::labs::keep_booking_link(&mut bookkeeping, applied.effects.booking_link.clone());
    change.order =
        Some(super::orders::write(state, &loaded, Some(&snapshot), Some(bookkeeping)).await?);
    effects(&mut change, applied.effects, body);
    Ok((Some(change), outcome))
}

/// The stored outcome of the rules' answer, and its reason: a body the rules reject
/// (`valid: false`) is `rejected` with the rule's codes, never `applied`; an event the rules
/// recorded without a state change is `applied`.
fn outcome_of(answer: &EventAnswer) -> (EventOutcome, Option<String>) {
    match answer {
        EventAnswer::Applied(applied) if applied.valid => {
            let outcome = EventOutcome::parse(&name_of(&applied.outcome));
            (outcome.unwrap_or(EventOutcome::Applied), None)
        }
        EventAnswer::Applied(_) => (EventOutcome::Rejected, Some("invalid".to_owned())),
        EventAnswer::Rejected(rejected) => {
            let codes: Vec<&str> = rejected
                .violations
                .iter()
                .map(|v| v.code.as_str())
                .collect();
            (EventOutcome::Rejected, Some(codes.join(",")))
        }
    }
}

/// Files an answer's activities, records, documents, notifications and partner calls in the
/// change. Documents' content is copied out of the stored body at the pointer the rules name
/// (the raw body itself is purged later).
fn effects(change: &mut Change, answer: Effects, body: &Value) {
    for activity in &answer.activities {
        change.activities.push(NewActivity {
            kind: name_of(&activity.kind),
            patient_visible: activity.patient_visible,
            body: record(activity),
        });
    }
    let records = answer
        .prescriptions
        .iter()
        .map(|r| (RecordTable::Prescriptions, record(r)))
        .chain(
            answer
                .shipments
                .iter()
                .map(|r| (RecordTable::Shipments, record(r))),
        )
        .chain(
            answer
                .appointments
                .iter()
                .map(|r| (RecordTable::Appointments, record(r))),
        );
    change.records.extend(records);
    for doc in answer.documents {
        let Some(content) = body.pointer(&doc.pointer).and_then(Value::as_str) else {
            continue;
        };
        change.records.push((
            RecordTable::Documents,
            json!({
                "kind": doc.kind, "mime": doc.mime, "dedupe_key": doc.dedupe_key,
                "base64_length": content.len(), "content_base64": content,
            }),
        ));
    }
    for n in answer.notifications {
        change.records.push((
            RecordTable::Notifications,
            json!({ "kind": name_of(&n.kind), "dedupe_key": n.dedupe_key, "status": "pending" }),
        ));
    }
    // Partner calls the rules ask for (e.g. a pharmacy order after `RX_WRITTEN`), each under
    // its own dedupe key: an accepted order is never queued twice.
    change
        .calls
        .extend(answer.outbox.into_iter().map(super::orders::outbox_call));
}

/// Exponential backoff with full jitter: a random delay in [base·2^n / 2, base·2^n], capped.
pub fn backoff_ms(attempt: u32, base: u64, max: u64) -> u64 {
    let ceiling = base.saturating_mul(1u64 << attempt.min(30)).min(max).max(1);
    let floor = ceiling / 2;
    floor + fastrand::u64(0..=ceiling - floor)
}

/// The lease a call must still have left beyond its request timeout to be sent.
pub const LEASE_MARGIN_MS: u64 = 5_000;

/// Sends one due call and commits its outcome: the rules classify the answer and derive the
/// order's facts (`record_call_outcome`); the call's new status, the order's state, the
/// follow-up calls and the audit entry are one change.
async fn run_call(state: &AppState, call: OutboxItem) -> anyhow::Result<()> {
    let Some(order_id) = call.order_id.clone() else {
        return Ok(());
    };
    // Sent only while this instance holds the lease for the whole request (timeout included):
    // a call whose lease is too short is left for its lease to run out, unsent.
    let (id, owner, now) = (call.id, state.instance.clone(), state.now_ms());
    let hold_until = now.saturating_add(
        i64::try_from(
            state
                .config
                .outbox
                .request_timeout_ms
                .saturating_add(LEASE_MARGIN_MS),
        )
        .unwrap_or(i64::MAX),
    );
    if !state
        .db
        .run(move |s| s.begin_send(id, &owner, now, hold_until))
        .await?
    {
        return Ok(());
    }
    let answer = match target(state, &call) {
        None => CallAnswer::Unsendable(Unsendable {
            unsendable: UnsendableReason::PartnerNotConfigured,
        }),
        Some((url, auth)) => {
            let method = match call.payload.get("method").and_then(Value::as_str) {
                Some("GET") => reqwest::Method::GET,
                _ => reqwest::Method::POST,
            };
            let body = outgoing_body(state, &call);
            let raw = clients::send(&state.http, method, url, &auth, body.as_ref()).await;
            CallAnswer::Http(HttpReply {
                status: (raw.status != 0).then_some(raw.status),
                body: (!raw.body.is_empty()).then(|| {
                    serde_json::from_str(&raw.body).unwrap_or(Value::String(raw.body.clone()))
                }),
                network_error: raw.network_error.map(str::to_owned),
            })
        }
    };
    let now = state.now_ms();
    let result = super::orders::commit(state, &order_id, |loaded| {
        let (call, answer) = (&call, &answer);
        async move { Ok((call_change(state, loaded, call, answer, now).await?, ())) }
    })
    .await;
    match result {
        Ok(_) => {
            if matches!(call.kind.as_str(), "beluga_submit" | "beluga_fetch") {
                // The visit may exist now: the photo ID follows (decisions.md §1).
                super::photo_id::queue(state, &order_id).await?;
            }
        }
        Err(problem) => {
            // The rules could not classify the answer: retry the call later rather than lose
            // what the partner said.
            tracing::warn!(status = %problem.status(), kind = %call.kind, "call outcome deferred");
            let cfg = &state.config.outbox;
            let next =
                now + backoff_ms(call.attempts, cfg.base_backoff_ms, cfg.max_backoff_ms) as i64;
            let change = Change {
                call_outcome: Some((
                    call.id,
                    CallDisposition::Retry {
                        next_try_at: next,
                        error: "rules_unavailable".to_owned(),
                    },
                )),
                now,
                ..Change::default()
            };
            state.db.run(move |s| s.commit(&change)).await?;
        }
    }
    Ok(())
}

/// The body as sent: the stored payload's body, with the Beluga API key added at send time
/// where Beluga wants it in the body (`updateVisit`). The key is never stored.
fn outgoing_body(state: &AppState, call: &OutboxItem) -> Option<Value> {
    let mut body = call.payload.get("body").filter(|b| !b.is_null()).cloned()?;
    if call.kind == "beluga_update_visit" {
        if let (Some(map), Some(key)) = (body.as_object_mut(), &state.config.beluga.api_key) {
            map.insert("apiKey".to_owned(), json!(key.expose()));
        }
    }
    Some(body)
}

/// The change a call's answer makes to a loaded order.
async fn call_change(
    state: &AppState,
    loaded: super::orders::Loaded,
    call: &OutboxItem,
    answer: &CallAnswer,
    now: i64,
) -> Result<Option<Change>, super::problem::Problem> {
    let kind: CallKind = serde_json::from_value(json!(call.kind)).map_err(|_| {
        super::problem::Problem::internal(format!("unknown outbox kind {}", call.kind))
    })?;
    let input = serde_json::from_value(loaded.snapshot.clone())
        .map_err(super::problem::Problem::internal)?;
    let text = |k: &str| {
        call.payload
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let request = RecordCallOutcomeRequest {
        input,
        call: CallRef {
            kind,
            // Calls queued by versions before 0.2 name the visit fetch `visit_fetch`.
            endpoint: text("endpoint").map(|e| match e.as_str() {
                "visit_fetch" => "fetch-visit".to_owned(),
                _ => e,
            }),
            pharmacy_id: text("pharmacy_id"),
            item_ids: call
                .payload
                .get("item_ids")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default(),
            attempt: call.attempts + 1,
            max_attempts: state.config.outbox.max_attempts,
        },
        answer: answer.clone(),
        now: super::instant(now),
    };
    let outcome: CallOutcome = super::orders::call(state, "record_call_outcome", &request).await?;
    let class = serde_json::to_value(outcome.classification)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unclassified".to_owned());
    state.metrics.inc(
        super::metrics::Count::OutboxCalls,
        &[("kind", &call.kind), ("class", &class)],
    );
    let cfg = &state.config.outbox;
    let disposition = match outcome.disposition {
        Disposition::Done => CallDisposition::Done,
        Disposition::Retry => CallDisposition::Retry {
            next_try_at: now
                + backoff_ms(call.attempts, cfg.base_backoff_ms, cfg.max_backoff_ms) as i64,
            error: class.clone(),
        },
        Disposition::Failed => CallDisposition::Failed {
            error: failure_text(&class, outcome.error.as_ref()),
        },
    };
    let snapshot =
        serde_json::to_value(&outcome.snapshot).map_err(super::problem::Problem::internal)?;
    // A visit fetch's rxHistory, kept for staff (the latest fetch's list; never a prescription).
    let bookkeeping = (!outcome.rx_history.is_empty())
        .then(|| {
            let mut kept = loaded.record.state.clone();
            let history = serde_json::to_value(&outcome.rx_history).ok()?;
            kept.as_object_mut()?.insert("rxHistory".into(), history);
            Some(kept)
        })
        .flatten();
    let mut calls: Vec<NewCall> = outcome
        .follow_up
        .iter()
        .filter_map(|planned| {
            let kind = serde_json::to_value(planned.kind)
                .ok()?
                .as_str()?
                .to_owned();
            Some(NewCall {
                dedupe_key: planned.dedupe_key.clone()?,
                payload: json!({
                    "method": planned.method, "path": planned.path,
                    "endpoint": planned.endpoint, "body": planned.body,
                }),
                kind,
            })
        })
        .collect();
    // A recorded fact is an order change: every route ready after it is queued with it.
    calls.extend(super::orders::route_calls(state, &snapshot, now).await?);
    let audit = crate::store::AuditEntry {
        at: now,
        source: "outbox".into(),
        actor: Some("rxgate".to_owned()),
        event: call.kind.clone(),
        order_id: Some(loaded.record.id.clone()),
        outcome: class,
        detail: Some(json!({ "attempt": call.attempts + 1,
            "status": match answer { CallAnswer::Http(h) => json!(h.status), CallAnswer::Unsendable(_) => Value::Null } })),
        ..Default::default()
    };
    Ok(Some(Change {
        order_id: Some(loaded.record.id.clone()),
        order: Some(super::orders::write(state, &loaded, Some(&snapshot), bookkeeping).await?),
        calls,
        call_outcome: Some((call.id, disposition)),
        audit: vec![audit],
        now,
        ..Change::default()
    }))
}

/// The error a parked call keeps, which the panel shows: `{class}: {code}` for rxgate's own
/// messages; `{class}: {Beluga's documented string} — {guidance}` for a documented Beluga
/// error (an updateVisit resend's `VISIT_WAS_REFERRED`, `TOO_MANY_RETRIES`, …), the guidance
/// the core's response classifier gives; the class alone otherwise. Never partner text
/// rxgate does not recognise.
fn failure_text(class: &str, error: Option<&rxgate_core::order::calls::CallError>) -> String {
    let Some(error) = error else {
        return class.to_owned();
    };
    match (&error.code, &error.message, &error.guidance) {
        (Some(code), _, _) => format!("{class}: {code}"),
        (None, Some(message), Some(guidance)) => format!("{class}: {message} — {guidance}"),
        (None, Some(message), None) => format!("{class}: {message}"),
        (None, None, _) => class.to_owned(),
    }
}

/// The URL and credentials of a call's partner.
fn target(state: &AppState, call: &OutboxItem) -> Option<(reqwest::Url, Auth)> {
    let env = state.config.environment;
    let path = call
        .payload
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or("");
    let pharmacy = call
        .payload
        .get("pharmacy_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (base, auth) = match call.kind.split('_').next().unwrap_or("") {
        "beluga" => {
            let key = state.config.beluga.api_key.clone()?;
            (
                state.config.beluga.base_url.clone(),
                Auth::Bearer(key.expose().to_owned()),
            )
        }
        "dispensepro" => return dispensepro_target(state, pharmacy, path),
        "lifefile" => {
            let cfg = state.config.lifefile.get(pharmacy)?;
            let headers = vec![
                ("X-Vendor-ID".to_owned(), cfg.vendor_id.clone()),
                ("X-Location-ID".to_owned(), cfg.location_id.clone()),
                ("X-API-Network-ID".to_owned(), cfg.network_id.clone()),
            ];
            let auth = Auth::Basic {
                user: cfg.username.clone(),
                password: cfg.password.as_ref()?.expose().to_owned(),
                headers,
            };
            (cfg.base_url.clone(), auth)
        }
        _ => return None,
    };
    let base = clients::check_base_url(&base, env).ok()?;
    let url = base.join(path.trim_start_matches('/')).ok()?;
    Some((url, auth))
}

/// The URL of `path` at the DispensePro pharmacy `pharmacy` and its credentials (`None`: not
/// configured, or a base URL the environment refuses).
pub(super) fn dispensepro_target(
    state: &AppState,
    pharmacy: &str,
    path: &str,
) -> Option<(reqwest::Url, Auth)> {
    let cfg = state.config.dispensepro.get(pharmacy)?;
    let key = cfg.api_key.as_ref()?.expose().to_owned();
    let base = clients::check_base_url(&cfg.base_url, state.config.environment).ok()?;
    let url = base.join(path.trim_start_matches('/')).ok()?;
    Some((url, Auth::Bearer(key)))
}
