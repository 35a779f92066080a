//! Durable state behind the [`Storage`] trait, with SQLite ([`sqlite::SqliteStore`]) as the
//! default backend: one file, WAL, `synchronous=FULL`, versioned migrations. The trait is
//! synchronous (rusqlite is); async code goes through [`Db`], which runs each call on tokio's
//! blocking pool, so a PostgreSQL backend can follow behind the same trait.
//!
//! What is kept: order snapshots and their integration state, the event inbox (unique
//! dedupe key, raw body, processing outcome), the outbox of partner calls (attempts, next
//! try, last error), activities/messages, prescriptions, shipments, appointments, documents,
//! the audit log and hashed API keys. Raw bodies hold PHI: only the admin scope reads them and
//! [`Storage::purge_raw`] drops them after the retention period.

pub mod postgres;
pub mod sqlite;

use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// A storage failure (the caller answers "internal error").
#[derive(Debug, thiserror::Error)]
#[error("storage error: {0}")]
pub struct StoreError(pub String);

/// Result of storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// One order, as stored: the clinic's input and rxgate's own state, kept apart so each has
/// one writer (docs/host.md, "Order state"). The rules read the two assembled with the
/// service's configuration (`assemble_order`).
#[derive(Debug, Clone, Serialize)]
pub struct OrderRecord {
    /// The app's order id.
    pub id: String,
    /// The clinic's input: the snapshot the EMR last PUT, without the members rxgate owns.
    pub clinic: Value,
    /// rxgate's own state of the order, as snapshot members (submissions, masterId,
    /// prescriptions, statuses, flags, events, activities): written only by applying facts
    /// and events through the rules.
    pub rxgate: Value,
    /// Service bookkeeping beside the snapshot (the lab milestone, the order state summary).
    pub state: Value,
    /// The Beluga master id, fixed per visit once generated.
    pub master_id: Option<String>,
    /// Incremented by every committed change; `ETag` / `If-Match` and the worker's check.
    pub version: i64,
    /// Unix milliseconds of the last change.
    pub updated_at: i64,
}

/// A write of an order inside a [`Change`].
#[derive(Debug, Clone, Default)]
pub struct OrderWrite {
    /// The order.
    pub id: String,
    /// The version the change was computed from: the commit fails with
    /// [`Committed::Conflict`] when another change landed in between.
    pub expected_version: i64,
    /// rxgate's new state, when it changed.
    pub rxgate: Option<Value>,
    /// The service bookkeeping, when it changed.
    pub state: Option<Value>,
}

/// A new activity inside a [`Change`].
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// `BELUGA_DOCTOR_CHAT`, `PATIENT_CHAT_SENT`, …
    pub kind: String,
    /// Whether the patient sees it.
    pub patient_visible: bool,
    /// Content.
    pub body: Value,
}

/// A new partner call inside a [`Change`] (queued once per dedupe key).
#[derive(Debug, Clone)]
pub struct NewCall {
    /// `beluga_submit`, `dispensepro_order`, …
    pub kind: String,
    /// The unique key.
    pub dedupe_key: String,
    /// What to send (never a secret: credentials are added at send time).
    pub payload: Value,
}

/// What became of a partner call.
#[derive(Debug, Clone)]
pub enum CallDisposition {
    /// Finished.
    Done,
    /// Try again at this instant.
    Retry {
        /// Unix milliseconds.
        next_try_at: i64,
        /// The classified outcome.
        error: String,
    },
    /// Parked for staff.
    Failed {
        /// The classified outcome and reason.
        error: String,
    },
}

/// Every effect of one change — an event applied, a call's outcome, a staff action — written in
/// one transaction by [`Storage::commit`], or not at all.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The order the change belongs to (records, activities and calls are filed under it).
    pub order_id: Option<String>,
    /// The order's new state, checked against its version.
    pub order: Option<OrderWrite>,
    /// Activities to add.
    pub activities: Vec<NewActivity>,
    /// Records to add; one whose body's `dedupe_key` is already stored for the order is
    /// skipped.
    pub records: Vec<(RecordTable, Value)>,
    /// Partner calls to queue.
    pub calls: Vec<NewCall>,
    /// The inbox event this change processes: `(id, outcome)`.
    pub event_outcome: Option<(i64, EventOutcome)>,
    /// Why the event ended as it did (a rule's codes for `rejected`; no PHI).
    pub event_reason: Option<String>,
    /// The outbox call this change settles: `(id, disposition)`.
    pub call_outcome: Option<(i64, CallDisposition)>,
    /// A parked (`failed`) call of the change's order staff re-armed: `pending` again, due at
    /// `now`, its attempts reset (its body, dedupe key and last error kept). When the call is
    /// no longer parked (a concurrent re-arm, or another order's), nothing is written and the
    /// commit answers [`Committed::Conflict`].
    pub rearm_call: Option<i64>,
    /// Audit entries.
    pub audit: Vec<AuditEntry>,
    /// The answer of the staff request this change carries out, under its `Idempotency-Key`.
    /// Written first: when the key is already stored, nothing is written and the commit
    /// answers [`Committed::Conflict`] (the caller reads the stored answer and replays it).
    pub idempotency: Option<IdempotentAnswer>,
    /// When.
    pub now: i64,
}

/// The stored answer of a request sent with an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotentAnswer {
    /// The key, scoped: `<api key id> <method> <route template> <order id> <header value>`.
    pub key: String,
    /// The answer's HTTP status.
    pub status: u16,
    /// The answer's JSON body (no PHI: the answers of staff POSTs are statuses and decisions).
    pub body: Value,
}

/// The result of [`Storage::commit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Written; the order's new version (0 when the change wrote no order).
    Done(i64),
    /// The order's version moved since it was read: nothing was written; read and retry.
    Conflict,
    /// The event or call the change finishes was finished by another worker (its lease ran
    /// out and the work was claimed again): nothing was written; drop the change.
    Settled,
}

/// The result of [`Storage::put_clinic_input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new order, at version 1.
    Created(i64),
    /// The clinic's input replaced; the new version.
    Updated(i64),
    /// `If-Match` named another version than the stored one (412).
    Stale(i64),
}

/// One API key's stored facts (never the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKeyRow {
    /// Stable, non-secret id (`key_` + 12 hex of the hash), named as the actor in the audit.
    pub id: String,
    /// Its scope.
    pub scope: crate::keys::Scope,
    /// Label.
    pub label: String,
    /// When it was stored (Unix ms).
    pub created_at: i64,
    /// When it stops authenticating (Unix ms), if ever.
    pub expires_at: Option<i64>,
    /// When it was revoked (Unix ms); a revoked key never authenticates again.
    pub revoked_at: Option<i64>,
    /// When it last authenticated a request (Unix ms; updated at most once a minute).
    pub last_used_at: Option<i64>,
}

impl ApiKeyRow {
    /// Whether the key authenticates at `now` (neither revoked nor expired).
    pub fn valid_at(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

/// A new inbound event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// `beluga`, `lifefile`, `dispensepro`, `pharmacy`.
    pub source: String,
    /// The route's partner id (pharmacy id) or empty.
    pub partner: String,
    /// The event name, when known before parsing.
    pub event: String,
    /// The dedupe key.
    pub dedupe_key: String,
    /// The raw body bytes.
    pub raw: Vec<u8>,
    /// Accepted without a signature (allowed outside production only).
    pub unsigned: bool,
    /// Unix milliseconds.
    pub received_at: i64,
}

/// A stored inbound event.
#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    /// Row id.
    pub id: i64,
    /// Source.
    pub source: String,
    /// Partner id of the route.
    pub partner: String,
    /// Event name.
    pub event: String,
    /// Dedupe key.
    pub dedupe_key: String,
    /// Raw body (None once purged).
    #[serde(skip)]
    pub raw: Option<Vec<u8>>,
    /// When received.
    pub received_at: i64,
    /// Processing outcome (None while pending).
    pub outcome: Option<EventOutcome>,
    /// The matched order.
    pub order_id: Option<String>,
    /// Why it ended as it did: the rule's codes (`rejected`), the failure (`failed`), the
    /// rules' problem (`deferred`). Codes and classes only, never PHI.
    pub reason: Option<String>,
}

/// What became of a stored inbound event: one list, used by the store, the worker, the admin
/// routes, the metrics and docs/host.md ("Event outcomes").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    /// The rules applied it (a state change, or an informational event recorded).
    Applied,
    /// Every key was already applied: nothing changed.
    Duplicate,
    /// No order matches it yet: kept, indexed by its match keys, applied when the order
    /// appears; flagged for staff meanwhile.
    Unmatched,
    /// The rules refused its body (the reason names the rule's codes); flagged for staff.
    Rejected,
    /// The rules could not run (a guest failure, an order they cannot read): retried after a
    /// rules reload or a re-drive.
    Deferred,
    /// Processing it broke the worker (an error or a panic, caught); flagged for staff.
    Failed,
}

impl EventOutcome {
    /// Every outcome, in order (the metrics' label values).
    pub const ALL: [Self; 6] = [
        Self::Applied,
        Self::Duplicate,
        Self::Unmatched,
        Self::Rejected,
        Self::Deferred,
        Self::Failed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Unmatched => "unmatched",
            Self::Rejected => "rejected",
            Self::Deferred => "deferred",
            Self::Failed => "failed",
        }
    }

    /// The outcome of a stored name (`recorded`, written before schema v6, is `applied`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "recorded" => Some(Self::Applied),
            _ => Self::ALL.into_iter().find(|o| o.as_str() == name),
        }
    }

    /// Whether staff must look at an event that ended so (the attention list).
    pub fn needs_staff(self) -> bool {
        matches!(self, Self::Unmatched | Self::Rejected | Self::Failed)
    }

    /// Whether an admin may re-drive it (run it again through the rules).
    pub fn redrivable(self) -> bool {
        matches!(
            self,
            Self::Unmatched | Self::Rejected | Self::Deferred | Self::Failed
        )
    }
}

/// How an event that changed no order ends (see [`Storage::finish_event_with`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFinish {
    /// The outcome.
    pub outcome: EventOutcome,
    /// The matched order, if any.
    pub order_id: Option<String>,
    /// Why (codes and classes, no PHI).
    pub reason: Option<String>,
    /// For `unmatched`: the keys an order would match it by (`o:<order id>`, `m:<master id>`),
    /// indexed so the event is re-opened when such an order appears.
    pub match_keys: Vec<String>,
}

/// The `orders` column a match key (`o:<order id>`, `m:<master id>`: the core's
/// `events::matching`) names, and the value to look up.
pub fn match_key_column(key: &str) -> Option<(&'static str, &str)> {
    use rxgate_core::events::matching::{MASTER_ID, ORDER_ID};
    if let Some(id) = key.strip_prefix(ORDER_ID) {
        Some(("id", id))
    } else {
        key.strip_prefix(MASTER_ID).map(|m| ("master_id", m))
    }
}

/// What a re-drive did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redrive {
    /// No event with this id.
    NotFound,
    /// Re-opened: the worker applies it again.
    Queued,
    /// Already waiting for the worker (a re-drive repeated): nothing changed.
    Pending,
    /// Finished with an outcome that is not re-driven (applied, duplicate): nothing changed.
    Final(EventOutcome),
}
/// A partner call waiting in the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxItem {
    /// Row id.
    pub id: i64,
    /// `beluga_submit`, `beluga_photos`, `dispensepro_order`, `lifefile_order`, …
    pub kind: String,
    /// The order it belongs to.
    pub order_id: Option<String>,
    /// Unique key: the same call is never enqueued twice.
    pub dedupe_key: String,
    /// What to send.
    pub payload: Value,
    /// `pending`, `done`, `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// Unix milliseconds of the next try.
    pub next_try_at: i64,
    /// Last error message (never PHI: the classified outcome).
    pub last_error: Option<String>,
    /// Until when the worker that claimed it holds it (Unix milliseconds; None: unclaimed).
    pub lease_until: Option<i64>,
}

/// A worker's claim on work rows: who claims, when, and for how long. A claimed row is
/// invisible to other claims until the lease runs out or the commit of the change it causes
/// finishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The claiming instance (a fresh id per process).
    pub owner: String,
    /// Unix milliseconds.
    pub now: i64,
    /// Lease length, in milliseconds.
    pub lease_ms: i64,
}

impl Claim {
    /// When the lease runs out.
    pub fn until(&self) -> i64 {
        self.now.saturating_add(self.lease_ms)
    }
}

/// The outcome text of a call whose lease ran out while it was being sent and that is never
/// sent again (see [`resend_safe`]): parked for staff.
pub const LEASE_LAPSED: &str = "lease_lapsed_in_flight";

/// The audit entry of a call parked because its lease ran out while it was being sent.
pub fn lapsed_audit(kind: &str, order_id: Option<String>, now: i64) -> AuditEntry {
    AuditEntry {
        at: now,
        source: "outbox".to_owned(),
        actor: Some("rxgate".to_owned()),
        event: kind.to_owned(),
        order_id,
        outcome: "parked_lease_lapsed".to_owned(),
        ..AuditEntry::default()
    }
}

/// Whether a call whose worker died while sending it may be sent again by another worker.
/// LifeFile documents no idempotency: a LifeFile order whose lease ran out after it started to
/// be sent is parked for staff ([`LEASE_LAPSED`]), never sent twice. Every other kind is
/// re-sent; docs/host.md ("Claims") says what absorbs each repeat.
pub fn resend_safe(kind: &str) -> bool {
    !kind.starts_with("lifefile")
}

/// An audit entry (also the documented answer of the audit routes).
#[derive(Debug, Clone, Serialize, serde::Deserialize, Default, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Unix milliseconds.
    pub at: i64,
    /// `beluga`, `api`, `outbox`, …
    pub source: String,
    /// Who: an API key id (`key_…`), `partner:<source>` for webhooks, `rxgate` for the worker.
    pub actor: Option<String>,
    /// Event or action name.
    pub event: String,
    /// Order id.
    pub order_id: Option<String>,
    /// Outcome word.
    pub outcome: String,
    /// Request id.
    pub request_id: Option<String>,
    /// Remote address.
    pub remote: Option<String>,
    /// Non-PHI detail (codes, classes).
    pub detail: Option<Value>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct AuditFilter {
    /// Only this order.
    pub order_id: Option<String>,
    /// Only this source.
    pub source: Option<String>,
    /// Only this event.
    pub event: Option<String>,
    /// Only entries at or after this instant (Unix milliseconds).
    pub from: Option<i64>,
    /// Only entries before this instant (Unix milliseconds).
    pub to: Option<i64>,
    /// At most this many (default 100, at most 1 000).
    pub limit: Option<u32>,
    /// Skip this many of the newest matching entries (the next page: `offset + limit`).
    pub offset: Option<u32>,
}

/// An activity (message or timeline entry).
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    /// Row id.
    pub id: i64,
    /// Order id.
    pub order_id: String,
    /// `BELUGA_DOCTOR_CHAT`, `PATIENT_CHAT_SENT`, `BELUGA_CS_SENT`, `BELUGA_CS_MESSAGE`, …
    pub kind: String,
    /// Whether the patient sees it.
    pub patient_visible: bool,
    /// Content.
    pub body: Value,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// Whether an insert was new or a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new row with this id.
    New(i64),
    /// The unique key already existed; nothing changed.
    Duplicate,
}

/// The storage operations the service needs.
pub trait Storage: Send + Sync + 'static {
    /// Stores the clinic's input of an order: creates it (with `initial_rxgate` as rxgate's
    /// state: the history a pre-existing order brings) or replaces the clinic's input only,
    /// keeping rxgate's state. `if_version`: the `If-Match` version, checked. The audit entry
    /// and `calls` (the partner submissions the new input makes due, each kept once per key)
    /// are written in the same transaction.
    fn put_clinic_input(
        &self,
        id: &str,
        clinic: &Value,
        initial_rxgate: &Value,
        if_version: Option<i64>,
        audit: &AuditEntry,
        calls: &[NewCall],
    ) -> StoreResult<PutOutcome>;
    /// Writes every effect of one change in one transaction (see [`Change`]).
    fn commit(&self, change: &Change) -> StoreResult<Committed>;
    /// One order.
    fn get_order(&self, id: &str) -> StoreResult<Option<OrderRecord>>;
    /// The order of a Beluga master id.
    fn order_by_master_id(&self, master_id: &str) -> StoreResult<Option<OrderRecord>>;
    /// Orders in id order, the first `limit` whose id is after `after` (a page of the stuck-order
    /// sweep; `""` starts at the beginning).
    fn list_orders(&self, after: &str, limit: u32) -> StoreResult<Vec<OrderRecord>>;
    /// The ids of the orders whose visit fetch is due at `now`, the longest-waiting first, at
    /// most `limit`. Due comes from an indexed column the store derives from the scheduler's
    /// book in `state` (`visitFetch`, docs/host.md "Visit status"): an order with a master id
    /// and no book is due at once; a `terminal` book or one without `nextAt` is never due.
    fn visit_fetches_due(&self, now: i64, limit: u32) -> StoreResult<Vec<String>>;
    /// The orders the sweep last found stuck (`state.stuck` with a `stage`), in id order, read
    /// from an index the store derives from the bookkeeping (the worklist and the stuck gauge).
    fn stuck_orders(&self) -> StoreResult<Vec<OrderRecord>>;
    /// Sets the master id once; answers the master id in force (the existing one if set).
    fn ensure_master_id(&self, id: &str, candidate: &str) -> StoreResult<String>;
    /// Stores the events of one webhook request, each unless its dedupe key is known, and one
    /// audit entry per event (`template` with the event's name and outcome), in one
    /// transaction.
    fn accept_events(
        &self,
        events: &[NewEvent],
        template: &AuditEntry,
    ) -> StoreResult<Vec<Inserted>>;
    /// Claims up to `limit` events not processed yet, oldest first, that no live lease holds.
    fn claim_pending_events(&self, claim: &Claim, limit: u32) -> StoreResult<Vec<EventRecord>>;
    /// Claims one event by id when it is still to be applied (not processed, `unmatched` or
    /// `deferred`) and no live lease holds it.
    fn claim_event(&self, id: i64, claim: &Claim) -> StoreResult<Option<EventRecord>>;
    /// Events stored unmatched (for a later order).
    fn unmatched_events(&self) -> StoreResult<Vec<EventRecord>> {
        self.events_with_outcome(EventOutcome::Unmatched)
    }
    /// Processed events whose outcome is `outcome` (e.g. `unmatched`, `deferred`), oldest first.
    fn events_with_outcome(&self, outcome: EventOutcome) -> StoreResult<Vec<EventRecord>>;
    /// Records the processing outcome of an event that changed no order (unmatched, deferred,
    /// failed) and ends its lease; an event another worker applied meanwhile is left as it is.
    fn finish_event(
        &self,
        id: i64,
        outcome: EventOutcome,
        order_id: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        let finish = EventFinish {
            outcome,
            order_id: order_id.map(str::to_owned),
            reason: None,
            match_keys: Vec::new(),
        };
        self.finish_event_with(id, &finish, now)
    }
    /// As [`Storage::finish_event`], with a reason and, for `unmatched`, the match keys it is
    /// indexed by (in the same transaction). An order whose id or master id is one of those
    /// keys re-opens the event when it is stored or gets its master id (every backend does
    /// this inside the order's own write), so unmatched events are never scanned.
    fn finish_event_with(&self, id: i64, finish: &EventFinish, now: i64) -> StoreResult<()>;
    /// Re-opens a finished event for the worker (admin re-drive), with its audit entry, in
    /// one transaction. Idempotent: an event already waiting or finished for good is left.
    fn redrive_event(&self, id: i64, audit: &AuditEntry) -> StoreResult<Redrive>;
    /// Events whose outcome needs staff ([`EventOutcome::needs_staff`]), newest first.
    fn events_needing_staff(&self, limit: u32) -> StoreResult<Vec<EventRecord>>;
    /// One event with its raw body (admin).
    fn get_event(&self, id: i64) -> StoreResult<Option<EventRecord>>;
    /// Events, newest first (admin).
    fn list_events(&self, limit: u32) -> StoreResult<Vec<EventRecord>>;
    /// Drops raw bodies received before `before`; answers how many.
    fn purge_raw(&self, before: i64) -> StoreResult<usize>;
    /// Enqueues a partner call unless its dedupe key is known.
    fn enqueue(
        &self,
        kind: &str,
        order_id: Option<&str>,
        dedupe_key: &str,
        payload: &Value,
        now: i64,
    ) -> StoreResult<Inserted>;
    /// Claims up to `limit` pending calls due at `claim.now` that no live lease holds. In the
    /// same transaction, a call that may not be re-sent ([`resend_safe`]) whose lease ran out
    /// after it started to be sent is parked (`failed`, [`LEASE_LAPSED`]) with an audit entry.
    fn claim_due_calls(&self, claim: &Claim, limit: u32) -> StoreResult<Vec<OutboxItem>>;
    /// Marks a claimed call as being sent, if `owner` still holds its lease until at least
    /// `hold_until`; answers whether it does (false: do not send it).
    fn begin_send(&self, id: i64, owner: &str, now: i64, hold_until: i64) -> StoreResult<bool>;
    /// Calls of an order.
    fn calls_of(&self, order_id: &str) -> StoreResult<Vec<OutboxItem>>;
    /// Activities of an order (patient-visible ones only when asked).
    fn activities(&self, order_id: &str, patient_visible_only: bool) -> StoreResult<Vec<Activity>>;
    /// Records of an order.
    fn records(&self, table: RecordTable, order_id: &str) -> StoreResult<Vec<Value>>;
    /// Patient notifications whose status is `status`, oldest first, at most `limit`.
    fn notifications(&self, status: &str, limit: u32) -> StoreResult<Vec<NotificationRow>>;
    /// Moves a `pending` notification to `status` (`sent`, `failed`, `skipped`); answers
    /// whether one moved.
    fn settle_notification(&self, id: i64, status: &str) -> StoreResult<bool>;
    /// Marks `expired` every notification still `pending` that was stored before `before` (the
    /// clinic app never reported it; telling the patient now would be stale); answers how
    /// many. An expired notification cannot be settled any more.
    fn expire_notifications(&self, before: i64) -> StoreResult<usize>;
    /// Appends to the audit log.
    fn audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Reads the audit log, newest first.
    fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
    /// One page of an audit export: entries with `from <= at < to` and a row id above
    /// `after`, oldest row first, at most `limit`, each with its row id (the last one is the
    /// next page's `after`).
    fn audit_page(
        &self,
        from: i64,
        to: i64,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, AuditEntry)>>;
    /// Stores an API key hash; answers the key's id.
    fn add_api_key(
        &self,
        hash: &str,
        scope: crate::keys::Scope,
        label: &str,
        now: i64,
    ) -> StoreResult<String>;
    /// The stored facts of a key hash (revoked and expired keys included).
    fn api_key(&self, hash: &str) -> StoreResult<Option<ApiKeyRow>>;
    /// Every key's stored facts, oldest first.
    fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRow>>;
    /// Revokes the key `id` at `now`; false when no such key was still unrevoked.
    fn revoke_api_key(&self, id: &str, now: i64) -> StoreResult<bool>;
    /// Sets (or clears) when the key `id` expires; false when no such key.
    fn set_api_key_expiry(&self, id: &str, expires_at: Option<i64>) -> StoreResult<bool>;
    /// Records that the key `id` authenticated a request at `now`.
    fn touch_api_key(&self, id: &str, now: i64) -> StoreResult<()>;
    /// Whether the store answers (readiness).
    fn ping(&self) -> StoreResult<()>;
    /// The digest of the rules every instance should run (None: none published yet).
    fn active_rules(&self) -> StoreResult<Option<String>>;
    /// The component of the published rules.
    fn active_rules_component(&self) -> StoreResult<Option<Vec<u8>>>;
    /// Publishes the rules an instance swapped in (its digest and component), for the other
    /// instances to follow.
    fn set_active_rules(&self, digest: &str, component: &[u8], now: i64) -> StoreResult<()>;
    /// Ends every lease `owner` holds (an instance restarting under the same id: its previous
    /// process died). Its calls that had started to be sent keep their mark, so a LifeFile
    /// order among them is parked at the next claim, never sent again.
    fn lapse_leases_of(&self, owner: &str) -> StoreResult<()>;
    /// The instances holding live leases at `now` (inbox and outbox rows), with how many rows
    /// each holds.
    fn lease_holders(&self, now: i64) -> StoreResult<Vec<(String, i64)>>;
    /// The backend's name (`sqlite`, `postgres`) and schema version.
    fn schema(&self) -> StoreResult<(&'static str, i64)>;
    /// What is waiting, read at `/metrics` scrape time: outbox calls by partner (the kind's
    /// prefix before its first `_`), inbox events not yet processed, unmatched and deferred.
    /// Counts and instants only; `now` decides which pending calls are due.
    fn backlog(&self, now: i64) -> StoreResult<Backlog>;
    /// The stored answer of a request sent with this (scoped) `Idempotency-Key`. An answer
    /// stored before `since` has expired: it is deleted and `None` answered, so the key may
    /// be used again (a change carrying a key that is still stored is a conflict).
    fn idempotent_answer(&self, key: &str, since: i64) -> StoreResult<Option<IdempotentAnswer>>;
    /// Deletes the stored answers of `Idempotency-Key`s stored before `before`; answers how
    /// many.
    fn purge_idempotency(&self, before: i64) -> StoreResult<usize>;
    /// Replaces the content of partner calls and documents past their retention
    /// ([`ContentPurge`]): a call's payload once it ended (`done`, or parked `failed`; never
    /// a `pending` call, which may still be claimed and sent), a document's images or base64
    /// content; metadata, keys and statuses stay. SQLite then gives the freed pages back
    /// (`secure_delete` has zeroed them) and empties its write-ahead log.
    fn purge_content(&self, purge: &ContentPurge) -> StoreResult<PurgedContent>;
    /// The orders whose clinic input names `patient_id` as its `patient.id`, in id order.
    fn patient_orders(&self, patient_id: &str) -> StoreResult<Vec<OrderRecord>>;
    /// The events filed under an order, with their raw bodies, oldest first.
    fn events_of(&self, order_id: &str) -> StoreResult<Vec<EventRecord>>;
    /// Erases the orders `order_ids` (one patient's) in one transaction (docs/security.md,
    /// "Per-patient export and erase"): the orders, their activities and records are
    /// deleted; their calls keep their metadata, the payload replaced ([`ERASED`]), a
    /// `pending` one parked (`failed`, [`ERASED`]) so it is never sent; their events (and the
    /// unmatched events indexed under their ids or master ids) keep their dedupe keys, their
    /// raw bodies dropped, one still waiting finished as `failed` ([`ERASED`]). The audit log
    /// stays and `audit` is appended. Unless `allow_in_flight`, nothing is written when a
    /// call of these orders is `pending` ([`Erase::InFlight`]): the check and the erase are
    /// one transaction.
    fn erase_orders(
        &self,
        order_ids: &[String],
        allow_in_flight: bool,
        audit: &[AuditEntry],
        now: i64,
    ) -> StoreResult<Erase>;
}

/// The reason (`last_error`, an event's `reason`) and the payload marker of what an erase
/// removed.
pub const ERASED: &str = "patient_erased";

/// The payload left in place of a purged call's content: `{"purged": why, "at": now}`.
pub fn purged_payload(why: &str, now: i64) -> Value {
    serde_json::json!({ "purged": why, "at": now })
}

/// The text every purged payload starts with (how a purge skips what it already replaced
/// without parsing every payload).
pub const PURGED_PREFIX: &str = "{\"purged\":";

/// Retention instants by kind: content stored (a document) or ended (a call) before the
/// instant of its kind goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindCutoffs {
    /// Per named kind (an outbox call kind, a document's `kind`).
    pub by_kind: Vec<(String, i64)>,
    /// Every kind not named.
    pub other: i64,
}

impl KindCutoffs {
    /// The kinds named, as a JSON array (what the backends' `NOT IN` reads).
    pub fn named(&self) -> Vec<String> {
        self.by_kind.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// One retention pass (`RetentionConfig::cutoffs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentPurge {
    /// Outbox payloads, by call kind.
    pub calls: KindCutoffs,
    /// Documents, by document kind.
    pub documents: KindCutoffs,
    /// When (written into the marker).
    pub now: i64,
}

/// What one retention pass replaced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgedContent {
    /// Call payloads.
    pub calls: u64,
    /// Documents.
    pub documents: u64,
}

/// What an erase removed, by table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    /// Orders deleted.
    pub orders: u64,
    /// Events whose raw bodies were dropped.
    pub events: u64,
    /// Calls whose payloads were replaced.
    pub calls: u64,
    /// Calls that were still pending and were parked, never to be sent.
    pub calls_parked: u64,
    /// Activities (messages) deleted.
    pub activities: u64,
    /// Prescription, shipment, appointment, document and notification records deleted.
    pub records: u64,
}

/// The result of [`Storage::erase_orders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erase {
    /// Erased.
    Done(Erased),
    /// Refused: this many calls are still pending; nothing was written.
    InFlight(u64),
}

/// The store's backlog at one instant (the `/metrics` gauges).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    /// Outbox calls by partner (`beluga`, `dispensepro`, `lifefile`), sorted by partner.
    pub outbox: Vec<PartnerBacklog>,
    /// Inbox events stored and not yet processed.
    pub inbox_pending: u64,
    /// Inbox events that matched no order (yet).
    pub unmatched: u64,
    /// Inbox events the rules could not apply (retried after a rules reload).
    pub deferred: u64,
    /// Inbox events the rules rejected (flagged for staff).
    pub rejected: u64,
    /// Inbox events that broke the worker (caught; flagged for staff).
    pub failed: u64,
    /// When the oldest event still waiting for the worker was received (Unix ms): the
    /// worker's health (`/readyz`, `rxgate_worker_oldest_pending_seconds`).
    pub oldest_pending_event_at: Option<i64>,
}

impl Backlog {
    /// Seconds since the oldest item waiting for the worker was due: an event stored and not
    /// processed, or a partner call due (0: nothing waits).
    pub fn oldest_pending_age_s(&self, now_ms: i64) -> i64 {
        self.outbox
            .iter()
            .filter_map(|p| p.oldest_due_at)
            .chain(self.oldest_pending_event_at)
            .min()
            .map_or(0, |at| now_ms.saturating_sub(at).max(0) / 1000)
    }
}

/// One partner's outbox calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartnerBacklog {
    /// The partner: the call kind's prefix (`beluga_submit` → `beluga`).
    pub partner: String,
    /// Calls `pending` (due or waiting for their backoff).
    pub pending: u64,
    /// Calls parked for staff (`failed`: not retried without a staff action).
    pub parked: u64,
    /// The earliest `next_try_at` among pending calls already due at `now` (Unix ms).
    pub oldest_due_at: Option<i64>,
}

/// One stored patient notification.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotificationRow {
    /// Row id (what the clinic app acknowledges).
    pub id: i64,
    /// The order.
    pub order_id: String,
    /// `shipped`, `delivered`, `doctor_message`.
    pub kind: String,
    /// `pending`, `sent`, `failed` or `skipped`.
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The per-order record tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordTable {
    /// Local prescription records (from `RX_WRITTEN` / `NEW_RX_SENT`).
    Prescriptions,
    /// Shipping status and tracking.
    Shipments,
    /// Bookings.
    Appointments,
    /// Documents partners send (a lab requisition PDF): metadata and the base64 content, copied
    /// out of the event body so the inbox's raw-body retention cannot lose them.
    Documents,
    /// Patient notifications the rules asked for (shipped, delivered, doctor message), each
    /// once, `pending` until the clinic app's messaging sends them.
    Notifications,
}

impl RecordTable {
    /// Every per-order record table.
    pub const ALL: [Self; 5] = [
        Self::Prescriptions,
        Self::Shipments,
        Self::Appointments,
        Self::Documents,
        Self::Notifications,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Prescriptions => "prescriptions",
            Self::Shipments => "shipments",
            Self::Appointments => "appointments",
            Self::Documents => "documents",
            Self::Notifications => "notifications",
        }
    }
}

/// Opens the configured database: the SQLite file under the data directory (no database
/// named), `sqlite://<path>`, or `postgres://…` (`postgresql://…`) with a pool of
/// `database_pool_size` connections. Either is migrated to its latest schema first. At the
/// start of a SQLite store the previous process's leases end ([`sqlite::SqliteStore::lapse_leases`]:
/// one `rxgate serve` per SQLite file). Errors never repeat the URL (it may hold a password).
pub fn open(config: &crate::config::Config) -> StoreResult<Arc<dyn Storage>> {
    let url = config
        .database
        .as_ref()
        .map(|s| s.expose().trim().to_owned());
    let sqlite = match url.as_deref() {
        None | Some("") => sqlite::SqliteStore::open_dir(&config.data_dir)?,
        Some(url) => {
            if let Some(path) = url.strip_prefix("sqlite://") {
                let path = std::path::Path::new(path);
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    sqlite::private_dir(dir)?;
                }
                sqlite::SqliteStore::open(path)?
            } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let pool = config.database_pool_size.max(1);
                return Ok(Arc::new(postgres::PgStore::connect(url, pool)?));
            } else {
                return Err(StoreError(
                    "the database URL must start with sqlite:// or postgres://".to_owned(),
                ));
            }
        }
    };
    sqlite.lapse_leases()?;
    Ok(Arc::new(sqlite))
}

/// Async access to a [`Storage`]: every call runs on the blocking pool.
#[derive(Clone)]
pub struct Db(Arc<dyn Storage>);

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

impl Db {
    /// Wraps a backend.
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self(storage)
    }

    /// Runs `f` against the backend on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Storage) -> StoreResult<T> + Send + 'static,
    {
        let storage = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || f(storage.as_ref()))
            .await
            .map_err(|e| StoreError(e.to_string()))?
    }

    /// The backend, for synchronous callers.
    pub fn blocking(&self) -> &dyn Storage {
        self.0.as_ref()
    }
}
