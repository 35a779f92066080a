//! The background worker: processes stored inbound events (from the stored copy, never the
//! request), runs due partner calls from the outbox, and purges raw bodies past retention.
//!
//! Retries: a call is retried with exponential backoff and jitter only when the guest's
//! `parse_response` classifies the outcome `retry_later`; every other failure class parks it
//! for staff. The jitter's randomness lives here, never in the core.

use super::{now_ms, AppState};
use crate::clients::{self, Auth, RawAnswer};
use crate::store::{EventRecord, OutboxItem, RecordTable};
use serde_json::{json, Value};
use tokio::sync::watch;

/// Runs until `stop` turns true.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = std::time::Duration::from_millis(state.config.outbox.poll_ms.max(10));
    let mut last_purge = 0i64;
    let mut rules_digest = state.rules.current().digest().to_owned();
    loop {
        let digest = state.rules.current().digest().to_owned();
        if digest != rules_digest {
            rules_digest = digest;
            if let Err(e) = retry_deferred(&state).await {
                tracing::error!(cause = %e, "retrying deferred events failed");
            }
        }
        if let Err(e) = tick(&state, &mut last_purge).await {
            tracing::error!(cause = %e, "worker pass failed");
        }
        tokio::select! {
            _ = state.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}

/// Re-applies events the previous rules could not apply (`deferred`): run after a reload.
pub async fn retry_deferred(state: &AppState) -> anyhow::Result<()> {
    let deferred = state.db.run(|s| s.events_with_outcome("deferred")).await?;
    for event in deferred {
        process_event(state, event).await?;
    }
    Ok(())
}

/// One pass: events, then calls, then (hourly) retention.
pub async fn tick(state: &AppState, last_purge: &mut i64) -> anyhow::Result<()> {
    let events = state.db.run(|s| s.pending_events(100)).await?;
    for event in events {
        process_event(state, event).await?;
    }
    let unmatched = state.db.run(|s| s.unmatched_events()).await?;
    for event in unmatched {
        if find_order(state, &event).await?.is_some() {
            process_event(state, event).await?;
        }
    }
    let now = now_ms();
    let due = state.db.run(move |s| s.due_calls(now, 20)).await?;
    for call in due {
        run_call(state, call).await?;
    }
    if now - *last_purge > 3_600_000 {
        *last_purge = now;
        let before = now - i64::from(state.config.raw_retention_days) * 86_400_000;
        state.db.run(move |s| s.purge_raw(before)).await?;
    }
    Ok(())
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The order an event belongs to, by the source's matching rule (webhooks.md).
/// The prescription lines of a stored LifeFile event: one line, or an array of them.
fn lifefile_lines(body: &Value) -> Vec<Value> {
    match body {
        Value::Array(lines) => lines.clone(),
        Value::Object(_) => vec![body.clone()],
        _ => Vec::new(),
    }
}

async fn find_order(state: &AppState, event: &EventRecord) -> anyhow::Result<Option<String>> {
    let Some(raw) = &event.raw else {
        return Ok(None);
    };
    let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
    let candidates: Vec<String> = match event.source.as_str() {
        "beluga" => {
            let master = str_at(&body, "/masterId").map(str::to_owned);
            if let Some(master) = master {
                let found = state.db.run(move |s| s.order_by_master_id(&master)).await?;
                return Ok(found.map(|o| o.id));
            }
            vec![]
        }
        // Prescription lines (webhooks.md §2): our id is a line's `referenceId`.
        "lifefile" => lifefile_lines(&body)
            .iter()
            .flat_map(|line| {
                ["/referenceId", "/foreignOrderId", "/orderId"]
                    .iter()
                    .filter_map(|p| str_at(line, p).map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .collect(),
        "dispensepro" => str_at(&body, "/order/externalId")
            .map(str::to_owned)
            .into_iter()
            .collect(),
        _ => str_at(&body, "/order/externalOrderId")
            .map(str::to_owned)
            .into_iter()
            .collect(),
    };
    for id in candidates {
        let key = id.clone();
        if state.db.run(move |s| s.get_order(&key)).await?.is_some() {
            return Ok(Some(id));
        }
        let key = id.clone();
        if let Some(order) = state.db.run(move |s| s.order_by_master_id(&key)).await? {
            return Ok(Some(order.id));
        }
    }
    Ok(None)
}

/// Applies one stored event through the guest's `apply_event`.
async fn process_event(state: &AppState, event: EventRecord) -> anyhow::Result<()> {
    let now = now_ms();
    let order_id = find_order(state, &event).await?;
    let Some(order_id) = order_id else {
        let id = event.id;
        state
            .db
            .run(move |s| s.finish_event(id, "unmatched", None, now))
            .await?;
        return Ok(());
    };
    let key = order_id.clone();
    let Some(order) = state.db.run(move |s| s.get_order(&key)).await? else {
        return Ok(());
    };
    let body: Value = event
        .raw
        .as_deref()
        .and_then(|r| serde_json::from_slice(r).ok())
        .unwrap_or(Value::Null);
    // The webhook route stores each LifeFile line as its own event; the rules read the
    // source's array form.
    let body = if event.source == "lifefile" && body.is_object() {
        Value::Array(vec![body])
    } else {
        body
    };
    let mut request = json!({
        "source": event.source,
        "input": body,
        "order": order.snapshot,
        "state": order.state,
        "now": super::rfc3339(now),
    });
    if matches!(event.source.as_str(), "dispensepro" | "pharmacy") {
        // Keys: `{source}:{pharmacyId}:{webhook-id}` (webhooks.md).
        let webhook_id = event.dedupe_key.splitn(3, ':').nth(2).unwrap_or_default();
        request["pharmacy_id"] = json!(event.partner);
        request["webhook_id"] = json!(webhook_id);
    }
    let outcome = match state.decide("apply_event", request).await {
        Ok(Ok(answer)) => {
            apply_answer(state, &order_id, &answer, &body, now).await?;
            "applied".to_owned()
        }
        // Rules without `apply_event`, or a guest failure: kept for the next rules.
        Ok(Err(misuse)) if misuse.get("code").and_then(Value::as_str) == Some("unknown_op") => {
            "deferred".to_owned()
        }
        Ok(Err(misuse)) => format!(
            "refused:{}",
            misuse
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
        ),
        Err(_) => "deferred".to_owned(),
    };
    let id = event.id;
    let oid = order_id.clone();
    let out = outcome.clone();
    state
        .db
        .run(move |s| s.finish_event(id, &out, Some(&oid), now))
        .await?;
    let entry = crate::store::AuditEntry {
        at: now,
        source: event.source.clone(),
        event: event.event.clone(),
        order_id: Some(order_id),
        outcome,
        ..Default::default()
    };
    state.db.run(move |s| s.audit(&entry)).await?;
    Ok(())
}

/// Stores what an `apply_event` answer asks for: `state` (the order's new integration
/// state), `activities` (`{kind, patient_visible, …}`), `prescriptions` / `shipments` /
/// `appointments` records, `outbox` partner calls (`{kind, dedupe_key, pharmacy_id, path,
/// body}`, each enqueued once per dedupe key), patient `notifications` (stored once per dedupe
/// key, `pending` for the clinic app's messaging) and `documents`, whose content is copied out
/// of `event_body` at the pointer the rules name (the raw body itself is purged later).
pub async fn apply_answer(
    state: &AppState,
    order_id: &str,
    answer: &Value,
    event_body: &Value,
    now: i64,
) -> anyhow::Result<()> {
    let answer = answer.clone();
    let documents = documents_of(&answer, event_body);
    let order_id = order_id.to_owned();
    state
        .db
        .run(move |s| {
            if let Some(snapshot) = answer.get("snapshot").filter(|v| v.is_object()) {
                s.upsert_order(&order_id, snapshot, now)?;
            }
            if let Some(new_state) = answer.get("state").filter(|v| v.is_object()) {
                s.set_order_state(&order_id, new_state, now)?;
            }
            for activity in answer
                .get("activities")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = activity
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("EVENT");
                let visible = activity
                    .get("patient_visible")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                s.add_activity(&order_id, kind, visible, activity, now)?;
            }
            // Partner calls the rules ask for (e.g. a pharmacy order after `RX_WRITTEN`),
            // each under its own dedupe key: an accepted order is never queued twice.
            for call in answer
                .get("outbox")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(kind), Some(key)) = (
                    call.get("kind").and_then(Value::as_str),
                    call.get("dedupe_key").and_then(Value::as_str),
                ) else {
                    continue;
                };
                s.enqueue(kind, Some(&order_id), key, call, now)?;
            }
            for (field, table) in [
                ("prescriptions", RecordTable::Prescriptions),
                ("shipments", RecordTable::Shipments),
                ("appointments", RecordTable::Appointments),
            ] {
                for record in answer
                    .get(field)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    s.add_record(table, &order_id, record, now)?;
                }
            }
            for (table, records) in [
                (RecordTable::Documents, documents),
                (RecordTable::Notifications, notifications_of(&answer)),
            ] {
                let stored = s.records(table, &order_id)?;
                for record in records {
                    let key = record.get("dedupe_key");
                    if key.is_some() && stored.iter().any(|r| r.get("dedupe_key") == key) {
                        continue;
                    }
                    s.add_record(table, &order_id, &record, now)?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// The documents an answer names, with their base64 content taken from the event body.
fn documents_of(answer: &Value, event_body: &Value) -> Vec<Value> {
    answer
        .get("documents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|doc| {
            let pointer = doc.get("pointer").and_then(Value::as_str)?;
            let content = event_body.pointer(pointer).and_then(Value::as_str)?;
            Some(json!({
                "kind": doc.get("kind"),
                "mime": doc.get("mime"),
                "dedupe_key": doc.get("dedupe_key"),
                "base64_length": content.len(),
                "content_base64": content,
            }))
        })
        .collect()
}

/// The patient notifications an answer asks for, as `pending` records.
fn notifications_of(answer: &Value) -> Vec<Value> {
    answer
        .get("notifications")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|n| {
            json!({
                "kind": n.get("kind"),
                "dedupe_key": n.get("dedupe_key"),
                "status": "pending",
            })
        })
        .collect()
}

/// Exponential backoff with full jitter: a random delay in [base·2^n / 2, base·2^n], capped.
pub fn backoff_ms(attempt: u32, base: u64, max: u64) -> u64 {
    let ceiling = base.saturating_mul(1u64 << attempt.min(30)).min(max).max(1);
    let floor = ceiling / 2;
    floor + fastrand::u64(0..=ceiling - floor)
}

/// Parks a call that cannot be sent, with why.
async fn park(state: &AppState, id: i64, why: &'static str) -> anyhow::Result<()> {
    state.db.run(move |s| s.call_failed(id, why)).await?;
    Ok(())
}

/// Sends one due call and records its classified outcome.
async fn run_call(state: &AppState, call: OutboxItem) -> anyhow::Result<()> {
    let now = now_ms();
    let Some((url, auth)) = target(state, &call) else {
        return park(state, call.id, "fix_configuration: partner not configured").await;
    };
    let method = match call.payload.get("method").and_then(Value::as_str) {
        Some("GET") => reqwest::Method::GET,
        _ => reqwest::Method::POST,
    };
    // Partner bodies come from the rules (a pharmacy order is built by the core's
    // `routing::partner_orders` when `RX_WRITTEN` makes its route ready).
    let built = call.payload.get("body").filter(|b| !b.is_null()).cloned();
    if built.is_none() && matches!(call.kind.as_str(), "dispensepro_order" | "lifefile_order") {
        return park(
            state,
            call.id,
            "fix_configuration: the rules gave no order body",
        )
        .await;
    }
    let answer = clients::send(&state.http, method, url, &auth, built.as_ref()).await;
    let class = classify(state, &call, &answer).await;
    state.metrics.inc(
        "rxgate_outbox_calls_total",
        &[("kind", &call.kind), ("class", &class)],
    );
    let id = call.id;
    match class.as_str() {
        "success" => {
            state.db.run(move |s| s.call_done(id, now)).await?;
        }
        "retry_later" if call.attempts + 1 < state.config.outbox.max_attempts => {
            let cfg = &state.config.outbox;
            let next =
                now + backoff_ms(call.attempts, cfg.base_backoff_ms, cfg.max_backoff_ms) as i64;
            state
                .db
                .run(move |s| s.call_retry(id, next, "retry_later"))
                .await?;
        }
        other => {
            let why = other.to_owned();
            state.db.run(move |s| s.call_failed(id, &why)).await?;
        }
    }
    record_call_outcome(state, &call, &class, &answer, now).await
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
            (state.config.beluga.base_url.clone(), Auth::Bearer(key))
        }
        "dispensepro" => {
            let cfg = state.config.dispensepro.get(pharmacy)?;
            (cfg.base_url.clone(), Auth::Bearer(cfg.api_key.clone()?))
        }
        "lifefile" => {
            let cfg = state.config.lifefile.get(pharmacy)?;
            let headers = vec![
                ("X-Vendor-ID".to_owned(), cfg.vendor_id.clone()),
                ("X-Location-ID".to_owned(), cfg.location_id.clone()),
                ("X-API-Network-ID".to_owned(), cfg.network_id.clone()),
            ];
            let auth = Auth::Basic {
                user: cfg.username.clone(),
                password: cfg.password.clone()?,
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

/// The class of an answer: Beluga's through the guest's `parse_response` (it classifies on
/// the body); a pharmacy's by HTTP status (2xx success, 5xx or no answer retry later, other
/// 4xx a configuration problem).
async fn classify(state: &AppState, call: &OutboxItem, answer: &RawAnswer) -> String {
    if !call.kind.starts_with("beluga") {
        return match answer.status {
            200..=299 => "success",
            0 | 500..=599 => "retry_later",
            _ => "fix_configuration",
        }
        .to_owned();
    }
    let body: Value =
        serde_json::from_str(&answer.body).unwrap_or(Value::String(answer.body.clone()));
    let kind = match call.payload.get("endpoint").and_then(Value::as_str) {
        Some("visit_fetch") => "fetch-visit",
        Some(kind) => kind,
        None => "visit",
    };
    let mut input = json!({ "status": answer.status, "body": body });
    if let Some(error) = answer.network_error {
        input = json!({ "network_error": error });
    }
    let request = json!({ "kind": kind, "input": input });
    match state.decide("parse_response", request).await {
        Ok(Ok(outcome)) => outcome
            .get("classification")
            .and_then(Value::as_str)
            .unwrap_or("unclassified")
            .to_owned(),
        _ => "unclassified".to_owned(),
    }
}

/// Updates the order's integration state after a call (submit status, ids, error class).
async fn record_call_outcome(
    state: &AppState,
    call: &OutboxItem,
    class: &str,
    answer: &RawAnswer,
    now: i64,
) -> anyhow::Result<()> {
    let Some(order_id) = call.order_id.clone() else {
        return Ok(());
    };
    let key = order_id.clone();
    let Some(order) = state.db.run(move |s| s.get_order(&key)).await? else {
        return Ok(());
    };
    let mut st = order.state.clone();
    if !st.is_object() {
        st = json!({});
    }
    let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    if call.kind == "beluga_submit" {
        match class {
            "success" => {
                st["belugaSubmitStatus"] = json!("SUBMITTED");
                if let Some(visit) = body
                    .get("visitId")
                    .or_else(|| body.pointer("/data/visitId"))
                {
                    st["belugaVisitId"] = visit.clone();
                }
                st["submitError"] = Value::Null;
            }
            "duplicate" => {
                // Reconcile: fetch the visit by its master id instead of creating another.
                if let Some(master) = order.master_id.clone() {
                    let payload = json!({ "method": "GET", "path": format!("visit/externalFetch/{master}"), "endpoint": "visit_fetch" });
                    let key = format!("beluga_fetch:{master}");
                    let oid = order_id.clone();
                    state
                        .db
                        .run(move |s| s.enqueue("beluga_fetch", Some(&oid), &key, &payload, now))
                        .await?;
                    state.wake.notify_one();
                }
            }
            other => {
                st["belugaSubmitStatus"] = json!("FAILED");
                st["submitError"] = json!({ "class": other, "message": body.get("error").cloned().unwrap_or(Value::Null) });
            }
        }
    } else if call.kind == "beluga_fetch" && class == "success" {
        st["belugaSubmitStatus"] = json!("SUBMITTED");
        st["submitError"] = Value::Null;
    } else if class != "success" {
        st[format!("{}Error", call.kind)] = json!({ "class": class });
    }
    let oid = order_id.clone();
    state
        .db
        .run(move |s| s.set_order_state(&oid, &st, now))
        .await?;
    record_facts(state, &order, call, class, &body, now).await?;
    // The visit exists now: the photo ID follows (decisions.md §1, "After creation").
    if class == "success" && matches!(call.kind.as_str(), "beluga_submit" | "beluga_fetch") {
        super::photo_id::queue(state, &order_id).await?;
    }
    let entry = crate::store::AuditEntry {
        at: now,
        source: "outbox".into(),
        event: call.kind.clone(),
        order_id: Some(order_id),
        outcome: class.to_owned(),
        detail: Some(json!({ "status": answer.status, "attempt": call.attempts + 1 })),
        ..Default::default()
    };
    state.db.run(move |s| s.audit(&entry)).await?;
    Ok(())
}

/// Records a call's outcome on the order snapshot: the forward-only facts go through the
/// guest's `apply_order_facts`; the ids and the error text are plain record keeping.
async fn record_facts(
    state: &AppState,
    order: &crate::store::OrderRecord,
    call: &OutboxItem,
    class: &str,
    body: &Value,
    now: i64,
) -> anyhow::Result<()> {
    let mut snapshot = order.snapshot.clone();
    let at = super::rfc3339(now);
    let facts = match (call.kind.as_str(), class) {
        ("beluga_submit", "success") | ("beluga_fetch", "success") => {
            if let Some(visit) = body.pointer("/data/visitId").cloned() {
                snapshot["order"]["beluga"]["visit_id"] = visit;
            }
            snapshot["order"]["beluga"]["submit_error"] = Value::Null;
            snapshot["order"]["beluga"]["submitted_at"] = json!(at);
            vec![json!({"fact": "submit", "status": "SUBMITTED"})]
        }
        ("beluga_submit", "duplicate") => vec![],
        // Ranked FAILED < SENT: a later success wins, a late failure never undoes it.
        ("beluga_photo_id", "success") => vec![json!({"fact": "photo_id", "status": "SENT"})],
        ("beluga_photo_id", _) => vec![json!({"fact": "photo_id", "status": "FAILED"})],
        ("beluga_submit", other) => {
            let message = body.get("error").and_then(Value::as_str).unwrap_or(other);
            snapshot["order"]["beluga"]["submit_error"] = json!(message);
            snapshot["order"]["beluga"]["last_attempt_at"] = json!(at);
            vec![json!({"fact": "submit", "status": "FAILED"})]
        }
        (kind @ ("dispensepro_order" | "lifefile_order"), outcome)
            if outcome == "success"
                || call.attempts + 1 >= state.config.outbox.max_attempts
                || outcome != "retry_later" =>
        {
            let submitted = outcome == "success";
            let fact = if kind == "lifefile_order" {
                "life_file"
            } else {
                "dispense_pro"
            };
            let partner_order = body.get("id").or_else(|| body.pointer("/data/orderId"));
            vec![
                json!({"fact": fact, "state": if submitted { "SUBMITTED" } else { "FAILED" },
                "pharmacy_id": call.payload.get("pharmacy_id"), "item_ids": call.payload.get("item_ids").cloned().unwrap_or(json!([])),
                "submitted_by": "rxgate", "submitted_at": at,
                "partner_order_id": partner_order, "partner_status": body.get("status"),
                "submit_error": if submitted { Value::Null } else { json!(outcome) }}),
            ]
        }
        _ => return Ok(()),
    };
    let answer = state
        .decide(
            "apply_order_facts",
            json!({"input": snapshot, "facts": facts}),
        )
        .await;
    let Ok(Ok(answer)) = answer else {
        tracing::error!(kind = %call.kind, "the rules refused the facts of a partner answer");
        return Ok(());
    };
    if let Some(snapshot) = answer.get("snapshot").cloned() {
        let id = order.id.clone();
        state
            .db
            .run(move |s| s.upsert_order(&id, &snapshot, now))
            .await?;
    }
    Ok(())
}
