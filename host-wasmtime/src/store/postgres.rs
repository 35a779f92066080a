//! The PostgreSQL backend, for several instances on one database: the `postgres` crate (the
//! synchronous face of tokio-postgres: the [`Storage`] trait is synchronous and every call
//! already runs on tokio's blocking pool, as rusqlite's do) behind an `r2d2` pool of
//! `database_pool_size` connections; claims are `FOR UPDATE SKIP LOCKED`; migrations are
//! numbered in `rxgate_schema`, applied under an advisory lock so instances starting together
//! migrate once, and a database newer than this binary is refused (docs/host.md, "Store").

use super::{
    Activity, ApiKeyRow, AuditEntry, AuditFilter, Backlog, CallDisposition, Change, Claim,
    Committed, EventFinish, EventOutcome, EventRecord, IdempotentAnswer, Inserted, NewCall,
    NewEvent, NotificationRow, OrderRecord, OutboxItem, PartnerBacklog, PutOutcome, RecordTable,
    Redrive, Storage, StoreError, StoreResult,
};
use super::{ContentPurge, Erase, Erased, KindCutoffs, PurgedContent, ERASED, PURGED_PREFIX};
use crate::keys::Scope;
use postgres::types::{FromSql, ToSql};
use postgres::{GenericClient, NoTls, Row};
use r2d2_postgres::PostgresConnectionManager;
use serde_json::Value;

/// Schema migrations, applied in order; the index + 1 is the schema version. v1 is the schema
/// of SQLite's v3 (one writer per fact, versions, actors, key ids); v2 adds claims and the
/// published rules (SQLite's v4). Public so the upgrade tests can build a v1 database.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    snapshot TEXT NOT NULL,
    rxgate TEXT,
    state TEXT NOT NULL DEFAULT '{}',
    master_id TEXT UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE TABLE inbox (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    partner TEXT NOT NULL DEFAULT '',
    event TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT NOT NULL UNIQUE,
    raw BYTEA,
    unsigned BOOLEAN NOT NULL DEFAULT FALSE,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    outcome TEXT,
    order_id TEXT
);
CREATE INDEX inbox_pending ON inbox (processed_at, id);
CREATE INDEX inbox_outcome ON inbox (outcome, id);
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    order_id TEXT,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_try_at);
CREATE INDEX outbox_order ON outbox (order_id, id);
CREATE TABLE activities (
    id BIGSERIAL PRIMARY KEY,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    patient_visible BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX activities_order ON activities (order_id, id);
CREATE TABLE prescriptions (id BIGSERIAL PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE shipments (id BIGSERIAL PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE appointments (id BIGSERIAL PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE documents (id BIGSERIAL PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE notifications (id BIGSERIAL PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX prescriptions_order ON prescriptions (order_id, id);
CREATE INDEX shipments_order ON shipments (order_id, id);
CREATE INDEX appointments_order ON appointments (order_id, id);
CREATE INDEX documents_order ON documents (order_id, id);
CREATE INDEX notifications_order ON notifications (order_id, id);
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    source TEXT NOT NULL,
    event TEXT NOT NULL,
    order_id TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT,
    remote TEXT,
    detail TEXT,
    actor TEXT
);
CREATE INDEX audit_order ON audit (order_id, id);
CREATE TABLE api_keys (
    hash TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    id TEXT UNIQUE
);
"#,
    r#"
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
ALTER TABLE outbox ADD COLUMN sending_at BIGINT;
ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
ALTER TABLE inbox ADD COLUMN lease_until BIGINT;
CREATE TABLE rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    digest TEXT NOT NULL,
    component BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
"#,
    // v3 (SQLite's v5): the answers of staff POSTs sent with an `Idempotency-Key`.
    r#"
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
"#,
    // v4 (SQLite's v6): API keys expire, are revoked and record their last use (issue 18).
    r#"
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
"#,
    // v5 (SQLite's v7): one explicit outcome per event, its reason, and unmatched events
    // indexed by their match keys; events stored unmatched before are re-opened once.
    r#"
ALTER TABLE inbox ADD COLUMN reason TEXT;
CREATE TABLE inbox_match (match_key TEXT NOT NULL, event_id BIGINT NOT NULL, PRIMARY KEY (match_key, event_id));
CREATE INDEX inbox_match_event ON inbox_match (event_id);
UPDATE inbox SET outcome = 'applied' WHERE outcome = 'recorded';
UPDATE inbox SET outcome = NULL, processed_at = NULL WHERE outcome = 'unmatched';
"#,
    // v6 (SQLite's v8): when each order's visit fetch is due, derived from the scheduler's
    // book in `state` and indexed, so the scheduler reads the due orders alone; and the stage
    // the sweep found an order stuck at, so the worklist reads the stuck orders alone.
    r#"
ALTER TABLE orders ADD COLUMN fetch_due_at BIGINT GENERATED ALWAYS AS (
    CASE
        WHEN master_id IS NULL THEN NULL
        WHEN (state::jsonb) -> 'visitFetch' IS NULL THEN 0
        WHEN (state::jsonb) -> 'visitFetch' ->> 'state' = 'terminal' THEN NULL
        WHEN jsonb_typeof((state::jsonb) -> 'visitFetch' -> 'nextAt') = 'number'
            THEN ((state::jsonb) -> 'visitFetch' ->> 'nextAt')::numeric::bigint
    END
) STORED;
CREATE INDEX orders_fetch_due ON orders (fetch_due_at, id) WHERE fetch_due_at IS NOT NULL;
ALTER TABLE orders ADD COLUMN stuck_stage TEXT GENERATED ALWAYS AS (
    CASE WHEN jsonb_typeof((state::jsonb) -> 'stuck' -> 'stage') = 'string'
        THEN (state::jsonb) -> 'stuck' ->> 'stage'
    END
) STORED;
CREATE INDEX orders_stuck ON orders (id) WHERE stuck_stage IS NOT NULL;
"#,
];

/// The advisory lock key migrations run under ("rxgate" in ASCII).
const MIGRATION_LOCK: i64 = 0x7278_6761_7465;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// The PostgreSQL store.
pub struct PgStore {
    /// Always `Some` until the store is dropped (see the `Drop` impl).
    pool: Option<Pool>,
}

impl Drop for PgStore {
    /// Each connection of the synchronous driver owns a small tokio runtime, which must not be
    /// dropped on an async worker thread: the pool is dropped on a thread of its own.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::Builder::new()
                .name("rxgate-pg-close".into())
                .spawn(move || drop(pool));
        }
    }
}

fn err(e: postgres::Error) -> StoreError {
    // The server's code and message, never its detail (which can quote values).
    match e.as_db_error() {
        Some(db) => StoreError(format!("{}: {}", db.code().code(), db.message())),
        None => StoreError(e.to_string()),
    }
}

/// A connection failure, without the URL (it may hold a password).
fn connect_err(e: &postgres::Error) -> StoreError {
    let reason = e
        .as_db_error()
        .map(|d| d.code().code().to_owned())
        .unwrap_or_else(|| "connection refused or closed".to_owned());
    StoreError(format!("cannot reach the PostgreSQL database: {reason}"))
}

/// The columns [`api_key_row`] reads.
const API_KEY_COLUMNS: &str = "id, scope, label, created_at, expires_at, revoked_at, last_used_at";

/// An `api_keys` row (None when its scope is unknown to this rxgate).
fn api_key_row(row: &Row) -> StoreResult<Option<ApiKeyRow>> {
    let scope: String = col(row, 1)?;
    let Some(scope) = Scope::parse(&scope) else {
        return Ok(None);
    };
    Ok(Some(ApiKeyRow {
        id: col(row, 0)?,
        scope,
        label: col(row, 2)?,
        created_at: col(row, 3)?,
        expires_at: col(row, 4)?,
        revoked_at: col(row, 5)?,
        last_used_at: col(row, 6)?,
    }))
}

fn json(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The audit columns [`audit_row`] reads, in its order.
const AUDIT_COLUMNS: &str =
    "id, at, source, event, order_id, outcome, request_id, remote, detail, actor";

/// An audit row ([`AUDIT_COLUMNS`]) with its row id.
fn audit_row(r: &Row) -> StoreResult<(i64, AuditEntry)> {
    Ok((
        col(r, 0)?,
        AuditEntry {
            at: col(r, 1)?,
            source: col(r, 2)?,
            event: col(r, 3)?,
            order_id: col(r, 4)?,
            outcome: col(r, 5)?,
            request_id: col(r, 6)?,
            remote: col(r, 7)?,
            detail: col::<Option<String>>(r, 8)?.map(json),
            actor: col(r, 9)?,
        },
    ))
}

fn col<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> StoreResult<T> {
    row.try_get(index).map_err(err)
}

/// Migrates `client` to `target` (at most [`MIGRATIONS`]`.len()`), under the advisory lock;
/// answers the version in force. A database newer than this binary is refused.
pub fn migrate(client: &mut postgres::Client, target: usize) -> StoreResult<i64> {
    let mut tx = client.transaction().map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS rxgate_schema (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .map_err(err)?;
    let row = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM rxgate_schema", &[])
        .map_err(err)?;
    let mut version: i64 = col(&row, 0)?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(StoreError(format!(
            "the database's schema is version {version}, newer than this rxgate knows ({known}): run the newer rxgate"
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().take(target) {
        let step = i64::try_from(index).unwrap_or(i64::MAX) + 1;
        if step <= version {
            continue;
        }
        tx.batch_execute(migration).map_err(err)?;
        tx.execute(
            "INSERT INTO rxgate_schema (version, applied_at) VALUES ($1, $2)",
            &[&step, &crate::service::now_ms()],
        )
        .map_err(err)?;
        version = step;
    }
    tx.commit().map_err(err)?;
    Ok(version)
}

impl PgStore {
    /// Connects a pool of `pool_size` connections to `url` and migrates the database.
    pub fn connect(url: &str, pool_size: u32) -> StoreResult<Self> {
        let config: postgres::Config = url
            .parse()
            .map_err(|_| StoreError("the PostgreSQL URL cannot be read".to_owned()))?;
        let mut first = config.connect(NoTls).map_err(|e| connect_err(&e))?;
        migrate(&mut first, MIGRATIONS.len())?;
        drop(first);
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(pool_size.max(1))
            // One connection at start (each costs an authentication round): a restart is
            // ready in milliseconds, the pool grows with the load.
            .min_idle(Some(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)
            .map_err(|_| StoreError("cannot open the PostgreSQL pool".to_owned()))?;
        Ok(Self { pool: Some(pool) })
    }

    fn client(&self) -> StoreResult<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>> {
        self.pool
            .as_ref()
            .ok_or_else(|| StoreError("the store is closed".to_owned()))?
            .get()
            .map_err(|_| StoreError("no PostgreSQL connection available".to_owned()))
    }

    /// Runs `f` in one transaction: committed when `f` answers `Ok`, rolled back otherwise.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(err)?;
        let out = f(&mut tx)?;
        tx.commit().map_err(err)?;
        Ok(out)
    }

    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<Row>> {
        self.client()?.query(sql, params).map_err(err)
    }

    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<u64> {
        self.client()?.execute(sql, params).map_err(err)
    }

    /// The schema version in force.
    pub fn schema_version(&self) -> StoreResult<i64> {
        let rows = self.query("SELECT COALESCE(MAX(version), 0) FROM rxgate_schema", &[])?;
        rows.first().map_or(Ok(0), |r| col(r, 0))
    }

    /// Claims the events `filter` selects (`$4` is `arg`) among those no live lease holds.
    fn claim_events(&self, filter: &str, arg: i64, claim: &Claim) -> StoreResult<Vec<EventRecord>> {
        let sql = format!(
            "UPDATE inbox SET lease_owner = $1, lease_until = $2
             WHERE id IN (SELECT id FROM inbox
                WHERE (lease_until IS NULL OR lease_until <= $3) AND {filter}
                FOR UPDATE SKIP LOCKED)
             RETURNING {EVENT_COLS}"
        );
        let rows = self.write(|tx| {
            tx.query(&sql, &[&claim.owner, &claim.until(), &claim.now, &arg])
                .map_err(err)
        })?;
        let mut out = rows
            .iter()
            .map(event_row)
            .collect::<StoreResult<Vec<_>>>()?;
        out.sort_by_key(|e| e.id);
        Ok(out)
    }
}

const ORDER_COLS: &str = "id, snapshot, rxgate, state, master_id, version, updated_at";
const EVENT_COLS: &str =
    "id, source, partner, event, dedupe_key, raw, received_at, outcome, order_id, reason";
const OUTBOX_COLS: &str = "id, kind, order_id, dedupe_key, payload, status, attempts, next_try_at, last_error, lease_until";
const SETTLEABLE: &str = "(status = 'pending' OR last_error = 'lease_lapsed_in_flight')";
const UNLEASE: &str = "lease_owner = NULL, lease_until = NULL, sending_at = NULL";
const REOPENABLE: &str = "(outcome IS NULL OR outcome IN ('unmatched', 'deferred'))";
const SETTLED: &str = "settled by another worker";
/// A re-arm of a call that is no longer parked (answered as a conflict).
const NOT_PARKED: &str = "the call is no longer parked";

fn order_row(r: &Row) -> StoreResult<OrderRecord> {
    Ok(OrderRecord {
        id: col(r, 0)?,
        clinic: json(col(r, 1)?),
        rxgate: col::<Option<String>>(r, 2)?
            .map_or_else(|| Value::Object(Default::default()), json),
        state: json(col(r, 3)?),
        master_id: col(r, 4)?,
        version: col(r, 5)?,
        updated_at: col(r, 6)?,
    })
}

fn event_row(r: &Row) -> StoreResult<EventRecord> {
    Ok(EventRecord {
        id: col(r, 0)?,
        source: col(r, 1)?,
        partner: col(r, 2)?,
        event: col(r, 3)?,
        dedupe_key: col(r, 4)?,
        raw: col(r, 5)?,
        received_at: col(r, 6)?,
        outcome: col::<Option<String>>(r, 7)?.and_then(|o| EventOutcome::parse(&o)),
        order_id: col(r, 8)?,
        reason: col(r, 9)?,
    })
}

fn outbox_row(r: &Row) -> StoreResult<OutboxItem> {
    Ok(OutboxItem {
        id: col(r, 0)?,
        kind: col(r, 1)?,
        order_id: col(r, 2)?,
        dedupe_key: col(r, 3)?,
        payload: json(col(r, 4)?),
        status: col(r, 5)?,
        attempts: u32::try_from(col::<i32>(r, 6)?).unwrap_or(0),
        next_try_at: col(r, 7)?,
        last_error: col(r, 8)?,
        lease_until: col(r, 9)?,
    })
}

fn insert_audit(c: &mut impl GenericClient, e: &AuditEntry) -> StoreResult<()> {
    c.execute(
        "INSERT INTO audit (at, source, event, order_id, outcome, request_id, remote, detail, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &e.at,
            &e.source,
            &e.event,
            &e.order_id,
            &e.outcome,
            &e.request_id,
            &e.remote,
            &e.detail.as_ref().map(Value::to_string),
            &e.actor,
        ],
    )
    .map(|_| ())
    .map_err(err)
}

fn insert_call(
    c: &mut impl GenericClient,
    kind: &str,
    order_id: Option<&str>,
    dedupe_key: &str,
    payload: &Value,
    now: i64,
) -> StoreResult<Inserted> {
    let rows = c
        .query(
            "INSERT INTO outbox (kind, order_id, dedupe_key, payload, next_try_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            &[&kind, &order_id, &dedupe_key, &payload.to_string(), &now],
        )
        .map_err(err)?;
    match rows.first() {
        Some(row) => Ok(Inserted::New(col(row, 0)?)),
        None => Ok(Inserted::Duplicate),
    }
}

/// Adds a record unless one with the same `dedupe_key` is stored for the order.
fn insert_record(
    c: &mut impl GenericClient,
    table: RecordTable,
    order_id: &str,
    body: &Value,
    now: i64,
) -> StoreResult<()> {
    if let Some(key) = body.get("dedupe_key").filter(|k| !k.is_null()) {
        let key = key.as_str().map_or_else(|| key.to_string(), str::to_owned);
        let row = c
            .query_one(
                &format!(
                    "SELECT EXISTS(SELECT 1 FROM {} WHERE order_id = $1 AND (body::jsonb ->> 'dedupe_key') = $2)",
                    table.name()
                ),
                &[&order_id, &key],
            )
            .map_err(err)?;
        if col::<bool>(&row, 0)? {
            return Ok(());
        }
    }
    c.execute(
        &format!(
            "INSERT INTO {} (order_id, body, created_at) VALUES ($1, $2, $3)",
            table.name()
        ),
        &[&order_id, &body.to_string(), &now],
    )
    .map(|_| ())
    .map_err(err)
}

/// Settles a call; `false` when another worker settled it first.
fn settle_call(
    c: &mut impl GenericClient,
    id: i64,
    disposition: &CallDisposition,
    now: i64,
) -> StoreResult<bool> {
    let result = match disposition {
        CallDisposition::Done => c.execute(
            &format!("UPDATE outbox SET status = 'done', attempts = attempts + 1, done_at = $2, last_error = NULL, {UNLEASE} WHERE id = $1 AND {SETTLEABLE}"),
            &[&id, &now],
        ),
        CallDisposition::Retry { next_try_at, error } => c.execute(
            &format!("UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_try_at = $2, last_error = $3, {UNLEASE} WHERE id = $1 AND {SETTLEABLE}"),
            &[&id, next_try_at, error],
        ),
        CallDisposition::Failed { error } => c.execute(
            &format!("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $2, {UNLEASE} WHERE id = $1 AND {SETTLEABLE}"),
            &[&id, error],
        ),
    };
    result.map(|n| n == 1).map_err(err)
}

/// Writes the order part of a change; None when its version moved.
fn write_order(c: &mut impl GenericClient, change: &Change) -> StoreResult<Option<i64>> {
    let Some(order) = &change.order else {
        return Ok(Some(0));
    };
    let updated = c
        .execute(
            "UPDATE orders SET
                rxgate = COALESCE($3, rxgate),
                state = COALESCE($4, state),
                master_id = COALESCE(master_id, COALESCE($3, rxgate)::jsonb #>> '{order,beluga,master_id}'),
                version = version + 1,
                updated_at = $5
             WHERE id = $1 AND version = $2",
            &[
                &order.id,
                &order.expected_version,
                &order.rxgate.as_ref().map(Value::to_string),
                &order.state.as_ref().map(Value::to_string),
                &change.now,
            ],
        )
        .map_err(err)?;
    Ok((updated == 1).then_some(order.expected_version + 1))
}

fn commit_in(c: &mut impl GenericClient, change: &Change) -> StoreResult<Committed> {
    if let Some(idem) = &change.idempotency {
        // First, so a key already stored leaves nothing written (a concurrent insert of the
        // same key waits for the other transaction, then finds it): the caller reads it again.
        let inserted = c
            .execute(
                "INSERT INTO idempotency_keys (key, status, body, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO NOTHING",
                &[&idem.key, &i32::from(idem.status), &idem.body.to_string(), &change.now],
            )
            .map_err(err)?;
        if inserted == 0 {
            return Ok(Committed::Conflict);
        }
    }
    let Some(version) = write_order(c, change)? else {
        return Ok(Committed::Conflict);
    };
    let order_id = change.order_id.as_deref();
    if let Some(order_id) = order_id {
        for a in &change.activities {
            c.execute(
                "INSERT INTO activities (order_id, kind, patient_visible, body, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[&order_id, &a.kind, &a.patient_visible, &a.body.to_string(), &change.now],
            )
            .map_err(err)?;
        }
        for (table, body) in &change.records {
            insert_record(c, *table, order_id, body, change.now)?;
        }
    }
    for call in &change.calls {
        insert_call(
            c,
            &call.kind,
            order_id,
            &call.dedupe_key,
            &call.payload,
            change.now,
        )?;
    }
    if let Some((id, outcome)) = &change.event_outcome {
        let updated = c
            .execute(
                &format!("UPDATE inbox SET processed_at = $2, outcome = $3, order_id = COALESCE($4, order_id), reason = $5, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND {REOPENABLE}"),
                &[id, &change.now, &outcome.as_str(), &order_id, &change.event_reason],
            )
            .map_err(err)?;
        if updated == 0 {
            return Err(StoreError(SETTLED.to_owned()));
        }
        c.execute("DELETE FROM inbox_match WHERE event_id = $1", &[id])
            .map_err(err)?;
    }
    if let Some(order) = &change.order {
        reopen_matching(c, &order.id)?;
    }
    if let Some((id, disposition)) = &change.call_outcome {
        if !settle_call(c, *id, disposition, change.now)? {
            return Err(StoreError(SETTLED.to_owned()));
        }
    }
    if let Some(id) = change.rearm_call {
        let rearmed = c
            .execute(
                &format!("UPDATE outbox SET status = 'pending', attempts = 0, next_try_at = $2, {UNLEASE} WHERE id = $1 AND order_id = $3 AND status = 'failed'"),
                &[&id, &change.now, &change.order_id],
            )
            .map_err(err)?;
        if rearmed != 1 {
            return Err(StoreError(NOT_PARKED.to_owned()));
        }
    }
    for entry in &change.audit {
        insert_audit(c, entry)?;
    }
    Ok(Committed::Done(version))
}

/// Re-opens the unmatched events an order matches (by its id and master id, through the
/// match-key index): the worker applies them at its next pass. Run inside every write that
/// may create an order or give it a master id.
fn reopen_matching(c: &mut impl GenericClient, order_id: &str) -> StoreResult<()> {
    c.execute(
        "UPDATE inbox SET outcome = NULL, processed_at = NULL, reason = NULL
         WHERE outcome = 'unmatched' AND id IN (
            SELECT event_id FROM inbox_match WHERE match_key = 'o:' || $1
               OR match_key = (SELECT 'm:' || master_id FROM orders WHERE id = $1))",
        &[&order_id],
    )
    .map(|_| ())
    .map_err(err)
}

/// Parks the calls that may not be re-sent whose lease ran out after they started to be sent,
/// each with an audit entry.
fn park_lapsed(c: &mut impl GenericClient, now: i64) -> StoreResult<()> {
    let rows = c
        .query(
            "SELECT id, kind, order_id FROM outbox WHERE status = 'pending'
             AND sending_at IS NOT NULL AND lease_until <= $1 FOR UPDATE SKIP LOCKED",
            &[&now],
        )
        .map_err(err)?;
    for row in rows {
        let (id, kind, order_id): (i64, String, Option<String>) =
            (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?);
        if super::resend_safe(&kind) {
            continue;
        }
        c.execute(
            &format!(
                "UPDATE outbox SET status = 'failed', last_error = $2, {UNLEASE} WHERE id = $1"
            ),
            &[&id, &super::LEASE_LAPSED],
        )
        .map_err(err)?;
        insert_audit(c, &super::lapsed_audit(&kind, order_id, now))?;
    }
    Ok(())
}

impl PgStore {
    fn put_once(
        &self,
        id: &str,
        clinic: &Value,
        initial_rxgate: &Value,
        if_version: Option<i64>,
        audit: &AuditEntry,
        calls: &[NewCall],
    ) -> StoreResult<Option<PutOutcome>> {
        self.write(|c| {
            let current: Option<i64> = c
                .query_opt("SELECT version FROM orders WHERE id = $1 FOR UPDATE", &[&id])
                .map_err(err)?
                .map(|r| col(&r, 0))
                .transpose()?;
            let outcome = match (current, if_version) {
                (Some(v), Some(expected)) if v != expected => return Ok(Some(PutOutcome::Stale(v))),
                (None, Some(_)) => return Ok(Some(PutOutcome::Stale(0))),
                (Some(v), _) => {
                    c.execute(
                        "UPDATE orders SET snapshot = $2, version = $3, updated_at = $4 WHERE id = $1",
                        &[&id, &clinic.to_string(), &(v + 1), &audit.at],
                    )
                    .map_err(err)?;
                    PutOutcome::Updated(v + 1)
                }
                (None, None) => {
                    let inserted = c
                        .execute(
                            "INSERT INTO orders (id, snapshot, rxgate, state, master_id, version, updated_at)
                             VALUES ($1, $2, $3, '{}', ($3::text)::jsonb #>> '{order,beluga,master_id}', 1, $4)
                             ON CONFLICT (id) DO NOTHING",
                            &[&id, &clinic.to_string(), &initial_rxgate.to_string(), &audit.at],
                        )
                        .map_err(err)?;
                    if inserted == 0 {
                        // Created by another instance meanwhile: read again.
                        return Ok(None);
                    }
                    reopen_matching(c, id)?;
                    PutOutcome::Created(1)
                }
            };
            for call in calls {
                insert_call(c, &call.kind, Some(id), &call.dedupe_key, &call.payload, audit.at)?;
            }
            insert_audit(c, audit)?;
            Ok(Some(outcome))
        })
    }
}

/// Outbox calls by partner (the kind's prefix before its first `_`): pending, parked, and
/// the oldest due instant (the same answer as SQLite's query).
const BACKLOG_OUTBOX: &str = "
SELECT split_part(kind, '_', 1) AS partner,
       SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END)::BIGINT,
       SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END)::BIGINT,
       MIN(CASE WHEN status = 'pending' AND next_try_at <= $1 THEN next_try_at END)
FROM outbox WHERE status IN ('pending', 'failed')
GROUP BY partner ORDER BY partner";

/// Inbox events waiting, unmatched, deferred, rejected and failed, and the oldest waiting.
const BACKLOG_INBOX: &str = "
SELECT COALESCE(SUM(CASE WHEN processed_at IS NULL THEN 1 ELSE 0 END), 0)::BIGINT,
       COALESCE(SUM(CASE WHEN outcome = 'unmatched' THEN 1 ELSE 0 END), 0)::BIGINT,
       COALESCE(SUM(CASE WHEN outcome = 'deferred' THEN 1 ELSE 0 END), 0)::BIGINT,
       COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0)::BIGINT,
       COALESCE(SUM(CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END), 0)::BIGINT,
       MIN(CASE WHEN processed_at IS NULL THEN received_at END)
FROM inbox WHERE processed_at IS NULL OR outcome IN ('unmatched', 'deferred', 'rejected', 'failed')";

/// A count column as the gauges take it.
fn count(row: &Row, index: usize) -> StoreResult<u64> {
    Ok(u64::try_from(col::<i64>(row, index)?).unwrap_or(0))
}

impl Storage for PgStore {
    fn backlog(&self, now: i64) -> StoreResult<Backlog> {
        let outbox = self
            .query(BACKLOG_OUTBOX, &[&now])?
            .iter()
            .map(|r| {
                Ok(PartnerBacklog {
                    partner: col(r, 0)?,
                    pending: count(r, 1)?,
                    parked: count(r, 2)?,
                    oldest_due_at: col(r, 3)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let rows = self.query(BACKLOG_INBOX, &[])?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError("the inbox backlog query answered no row".to_owned()))?;
        Ok(Backlog {
            outbox,
            inbox_pending: count(row, 0)?,
            unmatched: count(row, 1)?,
            deferred: count(row, 2)?,
            rejected: count(row, 3)?,
            failed: count(row, 4)?,
            oldest_pending_event_at: col(row, 5)?,
        })
    }

    fn idempotent_answer(&self, key: &str, since: i64) -> StoreResult<Option<IdempotentAnswer>> {
        self.execute(
            "DELETE FROM idempotency_keys WHERE key = $1 AND created_at < $2",
            &[&key, &since],
        )?;
        let rows = self.query(
            "SELECT key, status, body FROM idempotency_keys WHERE key = $1",
            &[&key],
        )?;
        rows.first()
            .map(|r| {
                let status = col::<i32>(r, 1)?;
                Ok(IdempotentAnswer {
                    key: col(r, 0)?,
                    status: u16::try_from(status).map_err(|_| {
                        StoreError("a stored answer's status is out of range".into())
                    })?,
                    body: json(col(r, 2)?),
                })
            })
            .transpose()
    }

    fn put_clinic_input(
        &self,
        id: &str,
        clinic: &Value,
        initial_rxgate: &Value,
        if_version: Option<i64>,
        audit: &AuditEntry,
        calls: &[NewCall],
    ) -> StoreResult<PutOutcome> {
        for _ in 0..3 {
            if let Some(outcome) =
                self.put_once(id, clinic, initial_rxgate, if_version, audit, calls)?
            {
                return Ok(outcome);
            }
        }
        Err(StoreError(
            "the order kept being created concurrently".to_owned(),
        ))
    }

    fn commit(&self, change: &Change) -> StoreResult<Committed> {
        match self.write(|c| commit_in(c, change)) {
            Err(StoreError(e)) if e == SETTLED => Ok(Committed::Settled),
            Err(StoreError(e)) if e == NOT_PARKED => Ok(Committed::Conflict),
            other => other,
        }
    }

    fn get_order(&self, id: &str) -> StoreResult<Option<OrderRecord>> {
        let rows = self.query(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE id = $1"),
            &[&id],
        )?;
        rows.first().map(order_row).transpose()
    }

    fn list_orders(&self, after: &str, limit: u32) -> StoreResult<Vec<OrderRecord>> {
        let rows = self.query(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE id > $1 ORDER BY id LIMIT $2"),
            &[&after, &i64::from(limit)],
        )?;
        rows.iter().map(order_row).collect()
    }

    fn visit_fetches_due(&self, now: i64, limit: u32) -> StoreResult<Vec<String>> {
        let rows = self.query(
            "SELECT id FROM orders WHERE fetch_due_at IS NOT NULL AND fetch_due_at <= $1
             ORDER BY fetch_due_at, id LIMIT $2",
            &[&now, &i64::from(limit)],
        )?;
        rows.iter().map(|r| r.try_get(0).map_err(err)).collect()
    }

    fn stuck_orders(&self) -> StoreResult<Vec<OrderRecord>> {
        let rows = self.query(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE stuck_stage IS NOT NULL ORDER BY id"),
            &[],
        )?;
        rows.iter().map(order_row).collect()
    }

    fn order_by_master_id(&self, master_id: &str) -> StoreResult<Option<OrderRecord>> {
        let rows = self.query(
            &format!("SELECT {ORDER_COLS} FROM orders WHERE master_id = $1"),
            &[&master_id],
        )?;
        rows.first().map(order_row).transpose()
    }

    fn ensure_master_id(&self, id: &str, candidate: &str) -> StoreResult<String> {
        self.write(|c| {
            c.execute(
                "UPDATE orders SET master_id = $2 WHERE id = $1 AND master_id IS NULL",
                &[&id, &candidate],
            )
            .map_err(err)?;
            reopen_matching(c, id)
        })?;
        let rows = self.query("SELECT master_id FROM orders WHERE id = $1", &[&id])?;
        rows.first()
            .map(|r| col::<Option<String>>(r, 0))
            .transpose()?
            .flatten()
            .ok_or_else(|| StoreError("order not found".into()))
    }

    fn accept_events(
        &self,
        events: &[NewEvent],
        template: &AuditEntry,
    ) -> StoreResult<Vec<Inserted>> {
        self.write(|c| {
            let mut out = Vec::with_capacity(events.len());
            for e in events {
                let rows = c
                    .query(
                        "INSERT INTO inbox (source, partner, event, dedupe_key, raw, unsigned, received_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                        &[&e.source, &e.partner, &e.event, &e.dedupe_key, &e.raw, &e.unsigned, &e.received_at],
                    )
                    .map_err(err)?;
                let inserted = match rows.first() {
                    Some(row) => Inserted::New(col(row, 0)?),
                    None => Inserted::Duplicate,
                };
                let entry = AuditEntry {
                    event: e.event.clone(),
                    outcome: match inserted {
                        Inserted::New(_) => "accepted",
                        Inserted::Duplicate => "duplicate",
                    }
                    .to_owned(),
                    ..template.clone()
                };
                insert_audit(c, &entry)?;
                out.push(inserted);
            }
            Ok(out)
        })
    }

    fn claim_pending_events(&self, claim: &Claim, limit: u32) -> StoreResult<Vec<EventRecord>> {
        self.claim_events(
            "processed_at IS NULL ORDER BY id LIMIT $4",
            i64::from(limit),
            claim,
        )
    }

    fn claim_event(&self, id: i64, claim: &Claim) -> StoreResult<Option<EventRecord>> {
        let filter = format!("id = $4 AND {REOPENABLE}");
        Ok(self.claim_events(&filter, id, claim)?.into_iter().next())
    }

    fn events_with_outcome(&self, outcome: EventOutcome) -> StoreResult<Vec<EventRecord>> {
        let rows = self.query(
            &format!("SELECT {EVENT_COLS} FROM inbox WHERE outcome = $1 ORDER BY id"),
            &[&outcome.as_str()],
        )?;
        rows.iter().map(event_row).collect()
    }

    fn finish_event_with(&self, id: i64, finish: &EventFinish, now: i64) -> StoreResult<()> {
        self.write(|c| {
            let updated = c
                .execute(
                    &format!("UPDATE inbox SET processed_at = $2, outcome = $3, order_id = $4, reason = $5, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND {REOPENABLE}"),
                    &[&id, &now, &finish.outcome.as_str(), &finish.order_id, &finish.reason],
                )
                .map_err(err)?;
            if updated == 0 {
                return Ok(());
            }
            c.execute("DELETE FROM inbox_match WHERE event_id = $1", &[&id])
                .map_err(err)?;
            for key in &finish.match_keys {
                c.execute(
                    "INSERT INTO inbox_match (match_key, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[key, &id],
                )
                .map_err(err)?;
            }
            // The order may have appeared while the event was being matched.
            for key in &finish.match_keys {
                let Some((column, value)) = super::match_key_column(key) else {
                    continue;
                };
                let rows = c
                    .query(
                        &format!("SELECT id FROM orders WHERE {column} = $1"),
                        &[&value],
                    )
                    .map_err(err)?;
                if let Some(row) = rows.first() {
                    let order: String = col(row, 0)?;
                    reopen_matching(c, &order)?;
                }
            }
            Ok(())
        })
    }

    fn redrive_event(&self, id: i64, audit: &AuditEntry) -> StoreResult<Redrive> {
        self.write(|c| {
            let rows = c
                .query(
                    "SELECT outcome, processed_at FROM inbox WHERE id = $1 FOR UPDATE",
                    &[&id],
                )
                .map_err(err)?;
            let Some(row) = rows.first() else {
                return Ok(Redrive::NotFound);
            };
            let outcome = col::<Option<String>>(row, 0)?
                .as_deref()
                .and_then(EventOutcome::parse);
            let processed_at: Option<i64> = col(row, 1)?;
            let answer = match (processed_at, outcome) {
                (None, _) | (_, None) => Redrive::Pending,
                (Some(_), Some(o)) if !o.redrivable() => Redrive::Final(o),
                (Some(_), Some(_)) => {
                    c.execute(
                        "UPDATE inbox SET outcome = NULL, processed_at = NULL, reason = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $1",
                        &[&id],
                    )
                    .map_err(err)?;
                    insert_audit(c, audit)?;
                    Redrive::Queued
                }
            };
            Ok(answer)
        })
    }

    fn events_needing_staff(&self, limit: u32) -> StoreResult<Vec<EventRecord>> {
        let rows = self.query(
            &format!("SELECT {EVENT_COLS} FROM inbox WHERE outcome IN ('unmatched', 'rejected', 'failed') ORDER BY id DESC LIMIT $1"),
            &[&i64::from(limit)],
        )?;
        rows.iter().map(event_row).collect()
    }

    fn get_event(&self, id: i64) -> StoreResult<Option<EventRecord>> {
        let rows = self.query(
            &format!("SELECT {EVENT_COLS} FROM inbox WHERE id = $1"),
            &[&id],
        )?;
        rows.first().map(event_row).transpose()
    }

    fn list_events(&self, limit: u32) -> StoreResult<Vec<EventRecord>> {
        let rows = self.query(
            &format!("SELECT {EVENT_COLS} FROM inbox ORDER BY id DESC LIMIT $1"),
            &[&i64::from(limit)],
        )?;
        rows.iter().map(event_row).collect()
    }

    fn purge_raw(&self, before: i64) -> StoreResult<usize> {
        self.execute(
            "UPDATE inbox SET raw = NULL WHERE raw IS NOT NULL AND received_at < $1 AND processed_at IS NOT NULL",
            &[&before],
        )
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn purge_idempotency(&self, before: i64) -> StoreResult<usize> {
        self.execute(
            "DELETE FROM idempotency_keys WHERE created_at < $1",
            &[&before],
        )
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn enqueue(
        &self,
        kind: &str,
        order_id: Option<&str>,
        dedupe_key: &str,
        payload: &Value,
        now: i64,
    ) -> StoreResult<Inserted> {
        insert_call(
            &mut *self.client()?,
            kind,
            order_id,
            dedupe_key,
            payload,
            now,
        )
    }

    fn claim_due_calls(&self, claim: &Claim, limit: u32) -> StoreResult<Vec<OutboxItem>> {
        let rows = self.write(|c| {
            park_lapsed(c, claim.now)?;
            c.query(
                &format!(
                    "UPDATE outbox SET lease_owner = $1, lease_until = $2, sending_at = NULL
                     WHERE id IN (SELECT id FROM outbox
                        WHERE status = 'pending' AND next_try_at <= $3
                          AND (lease_until IS NULL OR lease_until <= $3)
                        ORDER BY next_try_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
                     RETURNING {OUTBOX_COLS}"
                ),
                &[&claim.owner, &claim.until(), &claim.now, &i64::from(limit)],
            )
            .map_err(err)
        })?;
        let mut out = rows
            .iter()
            .map(outbox_row)
            .collect::<StoreResult<Vec<_>>>()?;
        out.sort_by_key(|o| (o.next_try_at, o.id));
        Ok(out)
    }

    fn begin_send(&self, id: i64, owner: &str, now: i64, hold_until: i64) -> StoreResult<bool> {
        self.execute(
            "UPDATE outbox SET sending_at = $3
             WHERE id = $1 AND status = 'pending' AND lease_owner = $2 AND lease_until >= $4",
            &[&id, &owner, &now, &hold_until],
        )
        .map(|n| n == 1)
    }

    fn calls_of(&self, order_id: &str) -> StoreResult<Vec<OutboxItem>> {
        let rows = self.query(
            &format!("SELECT {OUTBOX_COLS} FROM outbox WHERE order_id = $1 ORDER BY id"),
            &[&order_id],
        )?;
        rows.iter().map(outbox_row).collect()
    }

    fn activities(&self, order_id: &str, patient_visible_only: bool) -> StoreResult<Vec<Activity>> {
        let rows = self.query(
            "SELECT id, order_id, kind, patient_visible, body, created_at FROM activities
             WHERE order_id = $1 AND (NOT $2 OR patient_visible) ORDER BY id",
            &[&order_id, &patient_visible_only],
        )?;
        rows.iter()
            .map(|r| {
                Ok(Activity {
                    id: col(r, 0)?,
                    order_id: col(r, 1)?,
                    kind: col(r, 2)?,
                    patient_visible: col(r, 3)?,
                    body: json(col(r, 4)?),
                    created_at: col(r, 5)?,
                })
            })
            .collect()
    }

    fn records(&self, table: RecordTable, order_id: &str) -> StoreResult<Vec<Value>> {
        let rows = self.query(
            &format!(
                "SELECT body FROM {} WHERE order_id = $1 ORDER BY id",
                table.name()
            ),
            &[&order_id],
        )?;
        rows.iter().map(|r| col(r, 0).map(json)).collect()
    }

    fn notifications(&self, status: &str, limit: u32) -> StoreResult<Vec<NotificationRow>> {
        let rows = self.query(
            "SELECT id, order_id, body::jsonb ->> 'kind', body::jsonb ->> 'status', created_at
             FROM notifications WHERE (body::jsonb ->> 'status') = $1 ORDER BY id LIMIT $2",
            &[&status, &i64::from(limit)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(NotificationRow {
                    id: col(r, 0)?,
                    order_id: col(r, 1)?,
                    kind: col::<Option<String>>(r, 2)?.unwrap_or_default(),
                    status: col::<Option<String>>(r, 3)?.unwrap_or_default(),
                    created_at: col(r, 4)?,
                })
            })
            .collect()
    }

    fn settle_notification(&self, id: i64, status: &str) -> StoreResult<bool> {
        self.execute(
            "UPDATE notifications SET body = jsonb_set(body::jsonb, '{status}', to_jsonb($2::text))::text
             WHERE id = $1 AND (body::jsonb ->> 'status') = 'pending'",
            &[&id, &status],
        )
        .map(|n| n > 0)
    }

    fn expire_notifications(&self, before: i64) -> StoreResult<usize> {
        self.execute(
            "UPDATE notifications SET body = jsonb_set(body::jsonb, '{status}', '\"expired\"')::text
             WHERE (body::jsonb ->> 'status') = 'pending' AND created_at < $1",
            &[&before],
        )
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        insert_audit(&mut *self.client()?, entry)
    }

    fn audit_log(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let limit = i64::from(f.limit.unwrap_or(100).min(1000));
        let offset = i64::from(f.offset.unwrap_or(0));
        let rows = self.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit
                 WHERE ($1::text IS NULL OR order_id = $1) AND ($2::text IS NULL OR source = $2)
                   AND ($3::text IS NULL OR event = $3)
                   AND ($4::bigint IS NULL OR at >= $4) AND ($5::bigint IS NULL OR at < $5)
                 ORDER BY id DESC LIMIT $6 OFFSET $7"
            ),
            &[
                &f.order_id,
                &f.source,
                &f.event,
                &f.from,
                &f.to,
                &limit,
                &offset,
            ],
        )?;
        rows.iter()
            .map(|r| audit_row(r).map(|(_, entry)| entry))
            .collect()
    }

    fn audit_page(
        &self,
        from: i64,
        to: i64,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, AuditEntry)>> {
        let rows = self.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit WHERE id > $1 AND at >= $2 AND at < $3
                 ORDER BY id LIMIT $4"
            ),
            &[&after, &from, &to, &i64::from(limit)],
        )?;
        rows.iter().map(audit_row).collect()
    }

    fn add_api_key(&self, hash: &str, scope: Scope, label: &str, now: i64) -> StoreResult<String> {
        let id = crate::keys::key_id(hash);
        self.execute(
            "INSERT INTO api_keys (hash, scope, label, created_at, id) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hash) DO UPDATE SET scope = excluded.scope",
            &[&hash, &scope.as_str(), &label, &now, &id],
        )?;
        Ok(id)
    }

    fn api_key(&self, hash: &str) -> StoreResult<Option<ApiKeyRow>> {
        let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE hash = $1");
        let rows = self.query(&sql, &[&hash])?;
        match rows.first() {
            Some(row) => api_key_row(row),
            None => Ok(None),
        }
    }

    fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRow>> {
        let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id");
        let rows = self.query(&sql, &[])?;
        let mut out = Vec::new();
        for row in &rows {
            out.extend(api_key_row(row)?);
        }
        Ok(out)
    }

    fn revoke_api_key(&self, id: &str, now: i64) -> StoreResult<bool> {
        self.execute(
            "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &now],
        )
        .map(|n| n > 0)
    }

    fn set_api_key_expiry(&self, id: &str, expires_at: Option<i64>) -> StoreResult<bool> {
        self.execute(
            "UPDATE api_keys SET expires_at = $2 WHERE id = $1",
            &[&id, &expires_at],
        )
        .map(|n| n > 0)
    }

    fn touch_api_key(&self, id: &str, now: i64) -> StoreResult<()> {
        self.execute(
            "UPDATE api_keys SET last_used_at = $2 WHERE id = $1",
            &[&id, &now],
        )
        .map(|_| ())
    }

    fn ping(&self) -> StoreResult<()> {
        self.query("SELECT 1", &[]).map(|_| ())
    }

    fn active_rules(&self) -> StoreResult<Option<String>> {
        let rows = self.query("SELECT digest FROM rules WHERE id = 1", &[])?;
        rows.first().map(|r| col(r, 0)).transpose()
    }

    fn active_rules_component(&self) -> StoreResult<Option<Vec<u8>>> {
        let rows = self.query("SELECT component FROM rules WHERE id = 1", &[])?;
        rows.first().map(|r| col(r, 0)).transpose()
    }

    fn set_active_rules(&self, digest: &str, component: &[u8], now: i64) -> StoreResult<()> {
        self.execute(
            "INSERT INTO rules (id, digest, component, updated_at) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET digest = excluded.digest,
                component = excluded.component, updated_at = excluded.updated_at
             WHERE rules.digest <> excluded.digest",
            &[&digest, &component, &now],
        )
        .map(|_| ())
    }

    fn purge_content(&self, purge: &ContentPurge) -> StoreResult<PurgedContent> {
        self.write(|tx| purge_content_in(tx, purge))
    }

    fn patient_orders(&self, patient_id: &str) -> StoreResult<Vec<OrderRecord>> {
        let rows = self.query(
            &format!(
                "SELECT {ORDER_COLS} FROM orders WHERE (snapshot::jsonb #>> '{{patient,id}}') = $1 ORDER BY id"
            ),
            &[&patient_id],
        )?;
        rows.iter().map(order_row).collect()
    }

    fn events_of(&self, order_id: &str) -> StoreResult<Vec<EventRecord>> {
        let rows = self.query(
            &format!("SELECT {EVENT_COLS} FROM inbox WHERE order_id = $1 ORDER BY id"),
            &[&order_id],
        )?;
        rows.iter().map(event_row).collect()
    }

    fn erase_orders(
        &self,
        order_ids: &[String],
        allow_in_flight: bool,
        audit: &[AuditEntry],
        now: i64,
    ) -> StoreResult<Erase> {
        let ids = order_ids.to_vec();
        self.write(|tx| erase_in(tx, &ids, allow_in_flight, audit, now))
    }

    fn lapse_leases_of(&self, owner: &str) -> StoreResult<()> {
        self.write(|c| {
            c.execute(
                "UPDATE outbox SET lease_until = 0 WHERE lease_owner = $1 AND lease_until IS NOT NULL",
                &[&owner],
            )
            .map_err(err)?;
            c.execute(
                "UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
                &[&owner],
            )
            .map(|_| ())
            .map_err(err)
        })
    }

    fn lease_holders(&self, now: i64) -> StoreResult<Vec<(String, i64)>> {
        let rows = self.query(
            "SELECT owner, COUNT(*) FROM (
                SELECT lease_owner AS owner FROM outbox WHERE lease_until > $1 AND lease_owner IS NOT NULL
                UNION ALL
                SELECT lease_owner AS owner FROM inbox WHERE lease_until > $1 AND lease_owner IS NOT NULL
             ) AS held GROUP BY owner ORDER BY owner",
            &[&now],
        )?;
        rows.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
    }

    fn schema(&self) -> StoreResult<(&'static str, i64)> {
        Ok(("postgres", self.schema_version()?))
    }
}

/// Replaces the payloads and document contents past their retention (one statement per
/// named kind and one for every other kind). The rows' old versions stay as dead tuples
/// until autovacuum reclaims them (docs/security.md, "Retention").
fn purge_content_in(
    c: &mut postgres::Transaction<'_>,
    purge: &ContentPurge,
) -> StoreResult<PurgedContent> {
    let payload = super::purged_payload("retention", purge.now).to_string();
    let mut out = PurgedContent::default();
    let calls = |kinds: &str| {
        format!(
            "UPDATE outbox SET payload = $1 WHERE status IN ('done', 'failed')
             AND COALESCE(done_at, created_at) < $2 AND {kinds}
             AND left(payload, length($4)) <> $4"
        )
    };
    for (kind, before) in &purge.calls.by_kind {
        out.calls += c
            .execute(
                &calls("kind = $3"),
                &[&payload, before, kind, &PURGED_PREFIX],
            )
            .map_err(err)?;
    }
    out.calls += c
        .execute(
            &calls("kind <> ALL($3)"),
            &[
                &payload,
                &purge.calls.other,
                &purge.calls.named(),
                &PURGED_PREFIX,
            ],
        )
        .map_err(err)?;
    out.documents = purge_documents(c, &purge.documents, purge.now)?;
    Ok(out)
}

/// The documents part of a retention pass.
fn purge_documents(
    c: &mut postgres::Transaction<'_>,
    cutoffs: &KindCutoffs,
    now: i64,
) -> StoreResult<u64> {
    let sql = |kinds: &str| {
        format!(
            "UPDATE documents SET body = ((body::jsonb - 'images' - 'content_base64')
                || jsonb_build_object('purged', 'retention', 'purged_at', $1::bigint))::text
             WHERE created_at < $2 AND {kinds} AND (body::jsonb -> 'purged') IS NULL"
        )
    };
    let mut n = 0;
    for (kind, before) in &cutoffs.by_kind {
        n += c
            .execute(&sql("(body::jsonb ->> 'kind') = $3"), &[&now, before, kind])
            .map_err(err)?;
    }
    n += c
        .execute(
            &sql("COALESCE(body::jsonb ->> 'kind', '') <> ALL($3)"),
            &[&now, &cutoffs.other, &cutoffs.named()],
        )
        .map_err(err)?;
    Ok(n)
}

/// Drops the raw bodies of the events of the orders `$1` (and of the unmatched events
/// indexed under their ids or master ids); one still waiting is finished as `failed`.
const ERASE_EVENTS: &str = "
UPDATE inbox SET raw = NULL,
    processed_at = CASE WHEN outcome IS NULL OR outcome IN ('unmatched', 'deferred') THEN $2 ELSE processed_at END,
    reason = CASE WHEN outcome IS NULL OR outcome IN ('unmatched', 'deferred') THEN $3 ELSE reason END,
    outcome = CASE WHEN outcome IS NULL OR outcome IN ('unmatched', 'deferred') THEN 'failed' ELSE outcome END,
    lease_owner = NULL, lease_until = NULL
WHERE order_id = ANY($1)
   OR id IN (SELECT event_id FROM inbox_match WHERE match_key IN (
        SELECT 'o:' || i FROM unnest($1::text[]) AS i
        UNION SELECT 'm:' || master_id FROM orders WHERE master_id IS NOT NULL AND id = ANY($1)))";

/// Erases the orders `ids` inside the caller's transaction.
fn erase_in(
    c: &mut postgres::Transaction<'_>,
    ids: &Vec<String>,
    allow_in_flight: bool,
    audit: &[AuditEntry],
    now: i64,
) -> StoreResult<Erase> {
    let pending = c
        .query_one(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND order_id = ANY($1)",
            &[ids],
        )
        .map_err(err)?;
    let pending: i64 = col(&pending, 0)?;
    if pending > 0 && !allow_in_flight {
        return Ok(Erase::InFlight(u64::try_from(pending).unwrap_or(0)));
    }
    let mut erased = Erased {
        events: c
            .execute(ERASE_EVENTS, &[ids, &now, &ERASED])
            .map_err(err)?,
        ..Erased::default()
    };
    c.execute(
        "DELETE FROM inbox_match WHERE event_id IN (SELECT id FROM inbox WHERE reason = $1)",
        &[&ERASED],
    )
    .map_err(err)?;
    erased.calls_parked = c
        .execute(
            &format!("UPDATE outbox SET status = 'failed', last_error = $2, {UNLEASE} WHERE status = 'pending' AND order_id = ANY($1)"),
            &[ids, &ERASED],
        )
        .map_err(err)?;
    let payload = super::purged_payload(ERASED, now).to_string();
    erased.calls = c
        .execute(
            "UPDATE outbox SET payload = $2 WHERE order_id = ANY($1)",
            &[ids, &payload],
        )
        .map_err(err)?;
    erased.activities = c
        .execute("DELETE FROM activities WHERE order_id = ANY($1)", &[ids])
        .map_err(err)?;
    for table in RecordTable::ALL {
        erased.records += c
            .execute(
                &format!("DELETE FROM {} WHERE order_id = ANY($1)", table.name()),
                &[ids],
            )
            .map_err(err)?;
    }
    erased.orders = c
        .execute("DELETE FROM orders WHERE id = ANY($1)", &[ids])
        .map_err(err)?;
    for entry in audit {
        insert_audit(c, entry)?;
    }
    Ok(Erase::Done(erased))
}
