//! EVERY invariant of the crash harness, and ALL it knows of the service's routes, answer
//! fields, tables and columns. When the store's schema or the routes change, this module is
//! the one place to adapt; the rest of the harness (processes, partners, load, kills, figures)
//! knows nothing of them.
//!
//! What is checked, once the service has drained and been stopped:
//! - every webhook a partner had acknowledged (HTTP 2xx) is in the inbox exactly once (each
//!   LifeFile line once), and its inbox row has the final outcome `applied`;
//! - every order's effects (activities by kind, prescription / shipment / appointment records,
//!   documents and notifications by kind, partner calls by kind and done, applied inbox rows
//!   by event) are exactly those of a reference order of the same flow run without kills:
//!   fewer is a lost effect, more is a duplicate;
//! - no status observed through the panel ever moved backwards, and every order ends in its
//!   reference's final state.
//!
//! Outcomes are read through the HTTP API where a route exists (the panel); counts from the
//! store, read-only, after the service is stopped (or killed): the SQLite file, or the run's
//! PostgreSQL schema ([`Database`]).

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Where a service's store is.
#[derive(Debug, Clone)]
pub(crate) enum Database {
    /// The SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (the run's schema in its `search_path`).
    Postgres(String),
}

/// A cell the checks read: text, an integer or bytes.
#[derive(Debug, Clone)]
enum Cell {
    Text(Option<String>),
    Int(i64),
    Bytes(Option<Vec<u8>>),
}

/// The kind of each column a query answers.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Int,
    Bytes,
}

impl Cell {
    fn text(&self) -> Option<String> {
        match self {
            Cell::Text(t) => t.clone(),
            _ => None,
        }
    }
    fn int(&self) -> i64 {
        match self {
            Cell::Int(n) => *n,
            _ => 0,
        }
    }
}

/// Runs `sql` (SQLite's dialect; `?1` is `arg`) and answers its rows as `kinds` say.
fn query(
    db: &Database,
    sql: &str,
    arg: Option<i64>,
    kinds: &[Kind],
) -> anyhow::Result<Vec<Vec<Cell>>> {
    match db {
        Database::Sqlite(path) => {
            if !path.exists() {
                return Ok(Vec::new());
            }
            let c = open(path)?;
            let mut stmt = c.prepare(sql)?;
            let params: Vec<i64> = arg.into_iter().collect();
            let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
                kinds
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        Ok(match k {
                            Kind::Text => Cell::Text(r.get(i)?),
                            Kind::Int => Cell::Int(r.get(i)?),
                            Kind::Bytes => Cell::Bytes(r.get(i)?),
                        })
                    })
                    .collect::<rusqlite::Result<Vec<Cell>>>()
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        }
        Database::Postgres(url) => {
            // The synchronous driver runs its own runtime: on a thread of its own.
            let sql = sql
                .replace("json_extract(body, '$.kind')", "(body::jsonb ->> 'kind')")
                .replace("?1", "$1");
            std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        let mut c = ::postgres::Client::connect(url, ::postgres::NoTls)?;
                        let rows = match arg {
                            Some(a) => c.query(&sql, &[&a])?,
                            None => c.query(&sql, &[])?,
                        };
                        rows.iter()
                            .map(|r| {
                                kinds
                                    .iter()
                                    .enumerate()
                                    .map(|(i, k)| {
                                        Ok(match k {
                                            Kind::Text => Cell::Text(r.try_get(i)?),
                                            Kind::Int => Cell::Int(r.try_get(i)?),
                                            Kind::Bytes => Cell::Bytes(r.try_get(i)?),
                                        })
                                    })
                                    .collect::<anyhow::Result<Vec<Cell>>>()
                            })
                            .collect()
                    })
                    .join()
                    .map_err(|_| anyhow::anyhow!("the PostgreSQL reader panicked"))?
            })
        }
    }
}

fn count(db: &Database, sql: &str, arg: Option<i64>) -> anyhow::Result<u64> {
    let rows = query(db, sql, arg, &[Kind::Int])?;
    let n = rows.first().and_then(|r| r.first()).map_or(0, Cell::int);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The route whose answer [`observe`] reads.
pub(crate) fn panel_path(order_id: &str) -> String {
    format!("/api/emr/orders/{order_id}/beluga")
}

/// Statuses that only move forward, in order; a value not listed is not ranked.
const RANKS: &[(&str, &[&str])] = &[
    ("orderStatus", &["PROCESSING", "SHIPPED", "COMPLETED"]),
    ("belugaSubmitStatus", &["PENDING", "FAILED", "SUBMITTED"]),
    ("belugaVisitStatus", &["pending", "resolved"]),
    ("belugaResolvedStatus", &["open", "closed"]),
    (
        "labMilestone",
        &[
            "requisition",
            "kit_shipped",
            "kit_delivered",
            "sample_shipped",
            "sample_received",
            "results",
        ],
    ),
];

/// Lists of the panel that only grow.
const GROWING: &[&str] = &["prescriptions", "documents", "notifications"];

/// Partner calls that reconcile an earlier call rather than make a new effect (a visit fetch
/// after `Duplicate masterId`): their number depends on when a kill hit, so they are not
/// compared with the reference.
const RECONCILIATION_CALLS: &[&str] = &["beluga_fetch"];

/// The inbox outcome of an event applied to its order.
/// The inbox outcomes of an event the rules applied: `applied` (state changed), `recorded`
/// (informational: no state change) and `duplicate` (the rules had applied its keys already).
const APPLIED: &[&str] = &["applied", "recorded", "duplicate"];

/// What the panel says of an order at one moment: its statuses and the length of its lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Observation {
    /// Status fields (absent or null: not listed).
    pub(crate) fields: BTreeMap<&'static str, String>,
    /// Lengths of the growing lists.
    pub(crate) counts: BTreeMap<&'static str, usize>,
}

/// Reads an order's panel answer.
pub(crate) fn observe(panel: &Value) -> Observation {
    let mut observation = Observation::default();
    for (field, _) in RANKS {
        if let Some(value) = panel.get(*field).and_then(Value::as_str) {
            observation.fields.insert(field, value.to_owned());
        }
    }
    for list in GROWING {
        let n = panel
            .get(*list)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        observation.counts.insert(list, n);
    }
    observation
}

fn rank(field: &str, value: Option<&String>) -> Option<usize> {
    let Some(value) = value else {
        return Some(0);
    };
    let order = RANKS.iter().find(|(f, _)| *f == field)?.1;
    order.iter().position(|v| v == value).map(|i| i + 1)
}

/// What moved backwards between two observations of one order (`field: from → to`).
pub(crate) fn rewinds(before: &Observation, after: &Observation) -> Vec<String> {
    let mut out = Vec::new();
    for (field, _) in RANKS {
        let (old, new) = (before.fields.get(field), after.fields.get(field));
        if let (Some(a), Some(b)) = (rank(field, old), rank(field, new)) {
            if b < a {
                out.push(format!("{field}: {old:?} → {new:?}"));
            }
        }
    }
    for list in GROWING {
        let (a, b) = (before.counts.get(list), after.counts.get(list));
        if b < a {
            out.push(format!("{list}: {a:?} → {b:?} entries"));
        }
    }
    out
}

/// Whether a reference order reached the end of its flow (delivered).
pub(crate) fn reference_complete(observation: &Observation) -> bool {
    observation.fields.get("orderStatus").map(String::as_str) == Some("COMPLETED")
}

/// Work the service had not finished when it was killed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PendingWork {
    /// Inbox rows stored but not processed.
    pub(crate) inbox: u64,
    /// Partner calls pending and due at the kill.
    pub(crate) outbox_due: u64,
}

impl PendingWork {
    /// Whether anything was pending.
    pub(crate) fn any(&self) -> bool {
        self.inbox + self.outbox_due > 0
    }
}

fn open(db: &Path) -> anyhow::Result<Connection> {
    Ok(Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// The store's file under a data directory.
pub(crate) fn database(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("rxgate.sqlite3")
}

/// The work pending in the store of a stopped service, `at_ms` being the kill's instant
/// (`i64::MAX`: every pending call, due or not).
pub(crate) fn pending_work(db: &Database, at_ms: i64) -> anyhow::Result<PendingWork> {
    Ok(PendingWork {
        inbox: count(
            db,
            "SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL",
            None,
        )?,
        outbox_due: count(
            db,
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_try_at <= ?1",
            Some(at_ms),
        )?,
    })
}

/// An order's effects: item → how many (`activity:KIND`, `prescription`, `call:KIND`, …).
pub(crate) type Profile = BTreeMap<String, usize>;

/// One inbox row.
#[derive(Debug, Clone)]
pub(crate) struct InboxRow {
    /// The order it was matched to (None until processed).
    pub(crate) order_id: Option<String>,
    /// Final outcome (None: not processed).
    pub(crate) outcome: Option<String>,
    /// The body as stored.
    pub(crate) body: Value,
}

/// What a stopped service's store holds, as the checks need it.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    /// Effects per order id.
    pub(crate) profiles: BTreeMap<String, Profile>,
    /// Every inbox row.
    pub(crate) inbox: Vec<InboxRow>,
}

fn add(profiles: &mut BTreeMap<String, Profile>, order: String, item: String, n: i64) {
    *profiles.entry(order).or_default().entry(item).or_default() += usize::try_from(n).unwrap_or(0);
}

/// Reads every order's effects and the inbox, read-only.
pub(crate) fn read_store(db: &Database) -> anyhow::Result<Stored> {
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    let grouped: &[(&str, &str)] = &[
        (
            "activity:",
            "SELECT order_id, kind, COUNT(*) FROM activities GROUP BY 1, 2",
        ),
        (
            "document:",
            "SELECT order_id, json_extract(body, '$.kind'), COUNT(*) FROM documents GROUP BY 1, 2",
        ),
        (
            "notification:",
            "SELECT order_id, json_extract(body, '$.kind'), COUNT(*) FROM notifications GROUP BY 1, 2",
        ),
        (
            "call:",
            "SELECT order_id, kind, COUNT(*) FROM outbox WHERE order_id IS NOT NULL GROUP BY 1, 2",
        ),
        // Settled: done, or parked as `duplicate` (the partner had it already: a visit
        // created before a kill, reconciled by a fetch).
        (
            "call_settled:",
            "SELECT order_id, kind, COUNT(*) FROM outbox WHERE order_id IS NOT NULL \
             AND (status = 'done' OR (status = 'failed' AND last_error = 'duplicate')) GROUP BY 1, 2",
        ),
        (
            "applied:",
            "SELECT order_id, source || ':' || event, COUNT(*) FROM inbox WHERE order_id IS NOT NULL AND outcome IN ('applied', 'recorded', 'duplicate') GROUP BY 1, 2",
        ),
        // Parked for staff because the service died while sending them (LifeFile, never
        // re-sent: docs/host.md "Claims").
        (
            "parked:",
            "SELECT order_id, kind, COUNT(*) FROM outbox WHERE order_id IS NOT NULL \
             AND status = 'failed' AND last_error = 'lease_lapsed_in_flight' GROUP BY 1, 2",
        ),
        ("", "SELECT order_id, 'prescription', COUNT(*) FROM prescriptions GROUP BY 1"),
        ("", "SELECT order_id, 'shipment', COUNT(*) FROM shipments GROUP BY 1"),
        ("", "SELECT order_id, 'appointment', COUNT(*) FROM appointments GROUP BY 1"),
    ];
    for (prefix, sql) in grouped {
        for row in query(db, sql, None, &[Kind::Text, Kind::Text, Kind::Int])? {
            let order = row.first().and_then(Cell::text).unwrap_or_default();
            let kind = row.get(1).and_then(Cell::text).unwrap_or_default();
            let n = row.get(2).map_or(0, Cell::int);
            let reconciles =
                prefix.starts_with("call") && RECONCILIATION_CALLS.contains(&kind.as_str());
            if !reconciles {
                add(&mut profiles, order, format!("{prefix}{kind}"), n);
            }
        }
    }
    let rows = query(
        db,
        "SELECT order_id, outcome, raw FROM inbox ORDER BY id",
        None,
        &[Kind::Text, Kind::Text, Kind::Bytes],
    )?;
    let mut inbox = Vec::new();
    for row in rows {
        let body = match row.get(2) {
            Some(Cell::Bytes(Some(raw))) => serde_json::from_slice(raw).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        inbox.push(InboxRow {
            order_id: row.first().and_then(Cell::text),
            outcome: row.get(1).and_then(Cell::text),
            body,
        });
    }
    Ok(Stored { profiles, inbox })
}

/// A JSON value with every object's members sorted: equal values, equal text.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sorted(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// The units a webhook body is stored as: each line of a LifeFile array, else the body.
fn units(body: &Value) -> Vec<&Value> {
    match body {
        Value::Array(lines) => lines.iter().collect(),
        other => vec![other],
    }
}

/// A webhook a partner had acknowledged: its route's source and its body.
#[derive(Debug, Clone)]
pub(crate) struct Acknowledged {
    /// `beluga`, `dispensepro`, `pharmacy`, `lifefile`.
    pub(crate) source: String,
    /// The body as sent.
    pub(crate) body: Value,
}

/// What the checks found; every count but `acknowledged` must be zero.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub(crate) struct Findings {
    /// Distinct webhooks the partners had acknowledged.
    pub(crate) acknowledged: usize,
    /// Acknowledged webhooks (or LifeFile lines) with no inbox row.
    pub(crate) acknowledged_then_lost: usize,
    /// Inbox rows without the final outcome `applied`, by outcome (`pending` when none).
    pub(crate) not_applied: BTreeMap<String, usize>,
    /// Inbox rows beyond the one an acknowledged webhook (line) should have.
    pub(crate) duplicate_inbox_rows: usize,
    /// Effects missing against the reference, by item.
    pub(crate) lost_effects: BTreeMap<String, usize>,
    /// Effects beyond the reference, by item.
    pub(crate) duplicated_effects: BTreeMap<String, usize>,
    /// Orders with an effect missing.
    pub(crate) orders_missing_effects: usize,
    /// Of those, orders whose every inbox row says `applied` (the silent kind).
    pub(crate) orders_applied_with_effects_missing: usize,
    /// Orders whose final panel differs from their reference's.
    pub(crate) final_state_differs: usize,
    /// Orders the store does not know at all.
    pub(crate) orders_unknown: usize,
    /// Calls parked for staff because the service died while sending them (by kind): a
    /// LifeFile order is never re-sent, so its settlement is not a lost effect but staff work.
    pub(crate) parked_in_flight: BTreeMap<String, usize>,
    /// Of those, LifeFile orders that never reached LifeFile (the process died after it began
    /// the send, before the request arrived): their pharmacy's pushes cannot come, so the
    /// effects they bring ([`LIFEFILE_BORNE`]) are not expected; staff re-send them.
    pub(crate) parked_never_arrived: usize,
    /// Orders with such a LifeFile order: their final panel is not compared (they wait for
    /// staff); every other effect of theirs is.
    pub(crate) orders_waiting_for_staff: usize,
    /// Each order with an effect lost or duplicated: its id, the items and counts (reference →
    /// store), and its LifeFile orders arrived and parked, for the reader of a failed run.
    pub(crate) differing_orders: Vec<String>,
}

impl Findings {
    /// Lost effects in all.
    pub(crate) fn lost(&self) -> usize {
        self.lost_effects.values().sum()
    }

    /// Duplicated effects in all.
    pub(crate) fn duplicated(&self) -> usize {
        self.duplicated_effects.values().sum()
    }

    /// Inbox rows not applied in all.
    pub(crate) fn not_applied_total(&self) -> usize {
        self.not_applied.values().sum()
    }
}

/// Checks the inbox against the acknowledged webhooks.
fn check_inbox(stored: &Stored, acknowledged: &[Acknowledged], findings: &mut Findings) {
    let mut by_body: HashMap<String, usize> = HashMap::new();
    for row in &stored.inbox {
        let outcome = row.outcome.clone().unwrap_or_else(|| "pending".to_owned());
        if !APPLIED.contains(&outcome.as_str()) {
            *findings.not_applied.entry(outcome).or_default() += 1;
        }
        // A row may hold one unit or (another storage form) a whole array of them.
        for unit in units(&row.body) {
            *by_body.entry(canonical(unit)).or_default() += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for webhook in acknowledged {
        if !seen.insert((webhook.source.clone(), canonical(&webhook.body))) {
            continue;
        }
        findings.acknowledged += 1;
        let mut lost = false;
        for unit in units(&webhook.body) {
            match by_body.get(&canonical(unit)).copied().unwrap_or(0) {
                0 => lost = true,
                n => findings.duplicate_inbox_rows += n - 1,
            }
        }
        findings.acknowledged_then_lost += usize::from(lost);
    }
}

/// Effects a LifeFile order brings through its pharmacy's pushes, the same share for each
/// LifeFile order of a flow (item prefixes).
const LIFEFILE_BORNE: &[&str] = &["applied:lifefile:", "shipment", "activity:SHIPPING_UPDATE"];

/// Effects the order's first shipping push brings, whichever LifeFile order it is of: absent
/// only when none of the order's LifeFile orders arrived.
const FIRST_LIFEFILE_BORNE: &[&str] = &["notification:shipped", "notification:delivered"];

/// The outbox kind of a LifeFile order.
const LIFEFILE_ORDER: &str = "lifefile_order";

/// How many of `item` a profile holds.
fn held(profile: &Profile, item: &str) -> usize {
    profile.get(item).copied().unwrap_or(0)
}

/// What one order must show: its flow's reference.
#[derive(Debug)]
pub(crate) struct Expected<'a> {
    /// The order.
    pub(crate) order_id: String,
    /// The reference's effects.
    pub(crate) profile: &'a Profile,
    /// The reference's final panel.
    pub(crate) final_panel: &'a Observation,
    /// The order's panel after the drain (None: never read).
    pub(crate) last_seen: Option<&'a Observation>,
    /// How many of the order's LifeFile orders reached LifeFile (the sandbox's POSTs).
    pub(crate) lifefile_arrived: usize,
}

impl Expected<'_> {
    /// LifeFile orders of this order parked in flight that never reached LifeFile: the
    /// reference's LifeFile orders not arrived, as far as parked calls account for them (one
    /// missing without a parked call is a lost effect).
    fn never_arrived(&self, profile: &Profile) -> usize {
        self.lifefile_sent()
            .saturating_sub(self.lifefile_arrived)
            .min(held(profile, &format!("parked:{LIFEFILE_ORDER}")))
    }

    /// The reference's LifeFile orders (settled calls).
    fn lifefile_sent(&self) -> usize {
        held(self.profile, &format!("call_settled:{LIFEFILE_ORDER}"))
    }

    /// The reference's count of `item` for this order: a LifeFile-borne effect scaled to the
    /// LifeFile orders that arrived (left whole when the share is not exact, so that the
    /// difference shows).
    fn want(&self, item: &str, never_arrived: usize) -> usize {
        let want = held(self.profile, item);
        let sent = self.lifefile_sent();
        if never_arrived == 0 || sent == 0 {
            return want;
        }
        if FIRST_LIFEFILE_BORNE.contains(&item) {
            return if never_arrived == sent { 0 } else { want };
        }
        if !LIFEFILE_BORNE.iter().any(|p| item.starts_with(p)) {
            return want;
        }
        let kept = want * (sent - never_arrived);
        if kept.is_multiple_of(sent) {
            kept / sent
        } else {
            want
        }
    }
}

/// Compares each order's effects and final panel with its flow's reference.
pub(crate) fn check(
    stored: &Stored,
    acknowledged: &[Acknowledged],
    orders: &[Expected<'_>],
) -> Findings {
    let mut findings = Findings::default();
    check_inbox(stored, acknowledged, &mut findings);
    let mut unfinished: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for row in &stored.inbox {
        if !row.outcome.as_deref().is_some_and(|o| APPLIED.contains(&o)) {
            unfinished.insert(row.order_id.as_deref().unwrap_or(""));
        }
    }
    let empty = Profile::new();
    for expected in orders {
        let (id, reference) = (&expected.order_id, expected.profile);
        let Some(profile) = stored.profiles.get(id) else {
            findings.orders_unknown += 1;
            continue;
        };
        let profile = if profile.is_empty() { &empty } else { profile };
        let never_arrived = expected.never_arrived(profile);
        if never_arrived > 0 {
            findings.parked_never_arrived += never_arrived;
            findings.orders_waiting_for_staff += 1;
        }
        let mut missing = false;
        let mut differs = Vec::new();
        let items: std::collections::BTreeSet<&String> =
            reference.keys().chain(profile.keys()).collect();
        for item in items {
            if item.starts_with("parked:") {
                continue;
            }
            let want = expected.want(item, never_arrived);
            let mut got = held(profile, item);
            if let Some(kind) = item.strip_prefix("call_settled:") {
                // A call parked in flight is accounted for apart (never re-sent).
                let parked = held(profile, &format!("parked:{kind}")).min(want.saturating_sub(got));
                if parked > 0 {
                    *findings
                        .parked_in_flight
                        .entry(kind.to_owned())
                        .or_default() += parked;
                    got += parked;
                }
            }
            if got != want {
                differs.push(format!("{item} {want}→{got}"));
            }
            if got < want {
                missing = true;
                *findings.lost_effects.entry(item.clone()).or_default() += want - got;
            } else if got > want {
                *findings.duplicated_effects.entry(item.clone()).or_default() += got - want;
            }
        }
        if !differs.is_empty() {
            findings.differing_orders.push(format!(
                "{id}: {} (LifeFile orders arrived {}, parked {})",
                differs.join(", "),
                expected.lifefile_arrived,
                held(profile, &format!("parked:{LIFEFILE_ORDER}"))
            ));
        }
        if missing {
            findings.orders_missing_effects += 1;
            // Every inbox row of the order says `applied`, yet an effect is missing.
            if !unfinished.contains(id.as_str()) {
                findings.orders_applied_with_effects_missing += 1;
            }
        }
        if never_arrived == 0 && expected.last_seen != Some(expected.final_panel) {
            findings.final_state_differs += 1;
        }
    }
    findings
}

/// Profiles of two reference orders of one flow must be equal, or the flow is not
/// deterministic enough to compare against: answers the items that differ.
pub(crate) fn profile_differences(a: &Profile, b: &Profile) -> Vec<String> {
    let items: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    items
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{k}: {:?} vs {:?}", a.get(k), b.get(k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(items: &[(&str, usize)]) -> Profile {
        items.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
    }

    /// A split flow's reference: two LifeFile orders, each shipped and delivered.
    fn reference() -> Profile {
        profile(&[
            ("call:lifefile_order", 2),
            ("call_settled:lifefile_order", 2),
            ("prescription", 2),
            ("applied:lifefile:Shipped", 2),
            ("applied:lifefile:Delivered", 2),
            ("shipment", 4),
            ("activity:SHIPPING_UPDATE", 4),
            ("notification:shipped", 1),
            ("notification:delivered", 1),
        ])
    }

    /// The store of one order: the reference's items before LifeFile, `done` LifeFile orders
    /// settled, `parked` parked in flight, the pushes of `pushed` LifeFile orders, then
    /// `overrides`; checked with `arrived` LifeFile orders at the sandbox.
    fn findings(
        done: usize,
        parked: usize,
        pushed: usize,
        arrived: usize,
        overrides: &[(&str, usize)],
    ) -> Findings {
        let mut stored = reference();
        stored.extend(profile(&[
            ("call_settled:lifefile_order", done),
            ("parked:lifefile_order", parked),
            ("applied:lifefile:Shipped", pushed),
            ("applied:lifefile:Delivered", pushed),
            ("shipment", 2 * pushed),
            ("activity:SHIPPING_UPDATE", 2 * pushed),
            ("notification:shipped", usize::from(pushed > 0)),
            ("notification:delivered", usize::from(pushed > 0)),
        ]));
        stored.retain(|_, n| *n > 0);
        stored.extend(profile(overrides));
        let stored = Stored {
            profiles: [("o1".to_owned(), stored)].into_iter().collect(),
            inbox: Vec::new(),
        };
        let reference = reference();
        let final_panel = Observation::default();
        let mut seen = Observation::default();
        seen.fields.insert("orderStatus", "PROCESSING".into());
        let expected = [Expected {
            order_id: "o1".into(),
            profile: &reference,
            final_panel: &final_panel,
            last_seen: Some(&seen),
            lifefile_arrived: arrived,
        }];
        check(&stored, &[], &expected)
    }

    #[test]
    fn one_of_two_lifefile_orders_parked_before_it_arrived_waits_for_staff() {
        let f = findings(1, 1, 1, 1, &[]);
        assert_eq!(f.lost(), 0, "{:?}", f.differing_orders);
        assert_eq!(f.duplicated(), 0, "{:?}", f.differing_orders);
        assert_eq!((f.parked_never_arrived, f.orders_waiting_for_staff), (1, 1));
        assert_eq!(f.final_state_differs, 0);
    }

    #[test]
    fn both_lifefile_orders_parked_before_they_arrived_leave_no_shipping_notification() {
        let f = findings(0, 2, 0, 0, &[]);
        assert_eq!(f.lost(), 0, "{:?}", f.differing_orders);
        assert_eq!(f.parked_never_arrived, 2);
        let f = findings(0, 2, 0, 0, &[("notification:shipped", 1)]);
        assert_eq!(f.duplicated_effects.get("notification:shipped"), Some(&1));
    }

    #[test]
    fn effects_before_lifefile_are_still_checked_for_an_order_waiting_for_staff() {
        let f = findings(1, 1, 1, 1, &[("prescription", 1)]);
        assert_eq!(f.orders_waiting_for_staff, 1);
        assert_eq!(f.lost_effects.get("prescription"), Some(&1));
        assert_eq!(f.differing_orders.len(), 1);
    }

    #[test]
    fn a_parked_lifefile_order_that_arrived_must_bring_its_pushes() {
        let f = findings(1, 1, 1, 2, &[]);
        assert_eq!(f.parked_never_arrived, 0);
        assert_eq!(f.lost_effects.get("shipment"), Some(&2));
        assert_eq!(f.lost_effects.get("applied:lifefile:Shipped"), Some(&1));
        assert_eq!(f.final_state_differs, 1);
    }

    #[test]
    fn a_lifefile_order_not_arrived_and_not_parked_is_lost() {
        let f = findings(1, 0, 1, 1, &[]);
        assert_eq!(f.parked_never_arrived, 0);
        assert_eq!(f.lost_effects.get("call_settled:lifefile_order"), Some(&1));
        assert_eq!(f.lost_effects.get("activity:SHIPPING_UPDATE"), Some(&2));
    }
}
