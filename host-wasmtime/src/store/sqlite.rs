//! The SQLite backend: one connection behind a mutex (SQLite serialises writers anyway),
//! WAL journal, `synchronous=FULL` (a commit survives power loss before the 2xx is sent),
//! foreign-key checks on, migrations numbered by `PRAGMA user_version`.

use super::{
    Activity, ApiKeyRow, AuditEntry, AuditFilter, Backlog, CallDisposition, Change, Claim,
    Committed, EventFinish, EventOutcome, EventRecord, IdempotentAnswer, Inserted, NewCall,
    NewEvent, NotificationRow, OrderRecord, OutboxItem, PartnerBacklog, PutOutcome, RecordTable,
    Redrive, Storage, StoreError, StoreResult,
};
use super::{ContentPurge, Erase, Erased, KindCutoffs, PurgedContent, ERASED, PURGED_PREFIX};
use crate::keys::Scope;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;
use std::path::Path;
use std::sync::Mutex;

/// Schema migrations, applied in order; the index + 1 is the schema version. Public so the
/// upgrade tests can build a database of any earlier version.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    snapshot TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '{}',
    master_id TEXT UNIQUE,
    updated_at INTEGER NOT NULL
);
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    partner TEXT NOT NULL DEFAULT '',
    event TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT NOT NULL UNIQUE,
    raw BLOB,
    unsigned INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    outcome TEXT,
    order_id TEXT
);
CREATE INDEX inbox_pending ON inbox (processed_at, id);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    order_id TEXT,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_try_at);
CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    patient_visible INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX activities_order ON activities (order_id, id);
CREATE TABLE prescriptions (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE shipments (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE appointments (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE documents (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    event TEXT NOT NULL,
    order_id TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT,
    remote TEXT,
    detail TEXT
);
CREATE INDEX audit_order ON audit (order_id, id);
CREATE TABLE api_keys (hash TEXT PRIMARY KEY, scope TEXT NOT NULL, label TEXT NOT NULL, created_at INTEGER NOT NULL);
"#,
    r#"
CREATE TABLE notifications (id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX notifications_order ON notifications (order_id, id);
CREATE INDEX documents_order ON documents (order_id, id);
"#,
    // v3: one writer per fact. `snapshot` keeps only the clinic's input and `rxgate` holds
    // rxgate's own state (split from the old snapshots by `split_v2_orders` right after this
    // migration); `version` counts committed changes; audit entries name their actor; API keys
    // get stable ids.
    r#"
ALTER TABLE orders ADD COLUMN rxgate TEXT;
ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN actor TEXT;
ALTER TABLE api_keys ADD COLUMN id TEXT;
UPDATE api_keys SET id = 'key_' || substr(hash, 1, 12);
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);
CREATE INDEX inbox_outcome ON inbox (outcome, id);
"#,
    // v4: claimed work for several workers (issue 14): a lease per inbox and outbox row, the
    // instant a call started to be sent, and the rules every instance runs.
    r#"
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
ALTER TABLE outbox ADD COLUMN sending_at INTEGER;
ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
ALTER TABLE inbox ADD COLUMN lease_until INTEGER;
CREATE TABLE rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    digest TEXT NOT NULL,
    component BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);
"#,
    // v5: the answers of staff POSTs sent with an `Idempotency-Key`, written with the change.
    r#"
CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, status INTEGER NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
"#,
    // v6: API keys expire, are revoked and record their last use (issue 18).
    r#"
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
"#,
    // v7: one explicit outcome per event (issue 16): its reason, `recorded` folded into
    // `applied`, and unmatched events indexed by their match keys. Events stored unmatched
    // before are re-opened once so the worker indexes them.
    r#"
ALTER TABLE inbox ADD COLUMN reason TEXT;
CREATE TABLE inbox_match (match_key TEXT NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (match_key, event_id));
CREATE INDEX inbox_match_event ON inbox_match (event_id);
UPDATE inbox SET outcome = 'applied' WHERE outcome = 'recorded';
UPDATE inbox SET outcome = NULL, processed_at = NULL WHERE outcome = 'unmatched';
"#,
    // v8: when each order's visit fetch is due, derived from the scheduler's book in `state`
    // (`visitFetch`: never planned is due at once, `terminal` or no `nextAt` never), indexed
    // so the scheduler reads the due orders alone instead of every order on every tick; and
    // the stage the sweep found an order stuck at (`stuck.stage`), indexed so the worklist and
    // the stuck gauge read the stuck orders alone.
    r#"
ALTER TABLE orders ADD COLUMN fetch_due_at INTEGER GENERATED ALWAYS AS (
    CASE
        WHEN master_id IS NULL THEN NULL
        WHEN json_type(state, '$.visitFetch') IS NULL THEN 0
        WHEN json_extract(state, '$.visitFetch.state') = 'terminal' THEN NULL
        WHEN json_type(state, '$.visitFetch.nextAt') = 'integer' THEN json_extract(state, '$.visitFetch.nextAt')
    END
) VIRTUAL;
CREATE INDEX orders_fetch_due ON orders (fetch_due_at, id) WHERE fetch_due_at IS NOT NULL;
ALTER TABLE orders ADD COLUMN stuck_stage TEXT GENERATED ALWAYS AS (
    CASE WHEN json_type(state, '$.stuck.stage') = 'text' THEN json_extract(state, '$.stuck.stage') END
) VIRTUAL;
CREATE INDEX orders_stuck ON orders (id) WHERE stuck_stage IS NOT NULL;
"#,
];

/// Splits every order stored before v3 into the clinic's input and rxgate's state with the
/// core's ownership table (the same rule the service applies to every PUT).
fn split_v2_orders(tx: &rusqlite::Transaction<'_>) -> StoreResult<()> {
    let rows: Vec<(String, String)> = {
        let mut stmt = tx
            .prepare("SELECT id, snapshot FROM orders WHERE rxgate IS NULL")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)?
    };
    for (id, text) in rows {
        let snapshot = json(text);
        let (clinic, rxgate) = rxgate_core::order::ownership::split(&snapshot);
        tx.execute(
            "UPDATE orders SET snapshot = ?2, rxgate = ?3 WHERE id = ?1",
            params![id, clinic.to_string(), rxgate.to_string()],
        )
        .map_err(err)?;
    }
    Ok(())
}

/// Creates `dir` (and its missing parents) owner-only (0700). An existing directory is left
/// as it is (it may be shared, e.g. a home directory), with a warning when others may read
/// it.
pub fn private_dir(dir: &Path) -> StoreResult<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Ok(meta) = std::fs::metadata(dir) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                "the database directory is open to other users: make it 0700 (docs/security.md)"
            );
        }
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)
}

/// Creates `path` empty and owner-only (0600) when absent; narrows it (and its `-wal` and
/// `-shm`) when present.
fn private_file(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(err)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        if file.exists() {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
        }
    }
    Ok(())
}

/// After a purge: the freed pages leave the file (`incremental_vacuum`; `secure_delete` has
/// zeroed what stays) and the write-ahead log, which still holds the old pages, is emptied.
fn scrub(c: &Connection) -> StoreResult<()> {
    c.execute_batch("PRAGMA incremental_vacuum").map_err(err)?;
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(err)
}

/// The columns [`api_key_row`] reads.
const API_KEY_COLUMNS: &str = "id, scope, label, created_at, expires_at, revoked_at, last_used_at";

/// An `api_keys` row (None when its scope is unknown to this rxgate).
fn api_key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<ApiKeyRow>> {
    let scope: String = r.get(1)?;
    let Some(scope) = Scope::parse(&scope) else {
        return Ok(None);
    };
    Ok(Some(ApiKeyRow {
        id: r.get(0)?,
        scope,
        label: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        revoked_at: r.get(5)?,
        last_used_at: r.get(6)?,
    }))
}

/// The SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn json(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

impl SqliteStore {
    /// Opens (creating) `<dir>/rxgate.sqlite3` and migrates it.
    pub fn open_dir(dir: &Path) -> StoreResult<Self> {
        private_dir(dir)?;
        Self::open(&dir.join("rxgate.sqlite3"))
    }

    /// Opens a database file and migrates it. The file (and its `-wal` and `-shm` beside it,
    /// which SQLite creates with the file's mode) is owner-only: 0600.
    pub fn open(path: &Path) -> StoreResult<Self> {
        private_file(path)?;
        let conn = Connection::open(path).map_err(err)?;
        Self::init(conn)
    }

    /// Writes a consistent copy of the database to `dest` (`VACUUM INTO`: online, while the
    /// service runs; `dest` must not exist). Restoring is copying it back as
    /// `<data dir>/rxgate.sqlite3` while the service is stopped.
    pub fn backup_to(&self, dest: &Path) -> StoreResult<()> {
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError("the backup path is not UTF-8".into()))?
            .to_owned();
        // Created empty and owner-only first: `VACUUM INTO` fills an empty file as it is.
        private_file(Path::new(&dest))?;
        self.with(|c| c.execute("VACUUM INTO ?1", [dest]).map(|_| ()).map_err(err))
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> StoreResult<Self> {
        Self::init(Connection::open_in_memory().map_err(err)?)
    }

    fn init(mut conn: Connection) -> StoreResult<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        // Deleted content is overwritten with zeros, and freed pages are given back to the
        // file system by `purge_raw` (docs/security.md, "PHI at rest").
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(err)?;
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(err)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError(format!(
                "the database's schema is version {version}, newer than this rxgate knows ({known}): run the newer rxgate"
            )));
        }
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            let target = index as i64 + 1;
            if target <= version {
                continue;
            }
            let tx = conn.transaction().map_err(err)?;
            tx.execute_batch(migration).map_err(err)?;
            if target == 3 {
                split_v2_orders(&tx)?;
            }
            tx.pragma_update(None, "user_version", target)
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        // A database created before incremental vacuum was on takes it with one full VACUUM.
        let auto_vacuum: i64 = conn
            .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
            .map_err(err)?;
        if auto_vacuum != 2 {
            conn.execute_batch("VACUUM").map_err(err)?;
        }
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version in force.
    pub fn schema_version(&self) -> StoreResult<i64> {
        self.with(|c| {
            c.query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(err)
        })
    }

    /// Ends every lease at once: one `rxgate serve` runs per SQLite file, so at its start the
    /// leases of the previous process (killed) are void. Its calls that had started to be
    /// sent keep their mark, so a LifeFile order among them is parked, never sent again.
    pub fn lapse_leases(&self) -> StoreResult<()> {
        self.with(|c| {
            c.execute_batch(
                "UPDATE outbox SET lease_until = 0 WHERE lease_until IS NOT NULL;
                 UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE lease_until IS NOT NULL;",
            )
            .map_err(err)
        })
    }

    /// Claims the events `filter` selects among those no live lease holds (`?4` is `arg` or
    /// `limit`).
    fn claim_events(
        &self,
        filter: &str,
        arg: Option<i64>,
        claim: &Claim,
        limit: u32,
    ) -> StoreResult<Vec<EventRecord>> {
        self.write(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "UPDATE inbox SET lease_owner = ?1, lease_until = ?2
                     WHERE id IN (SELECT id FROM inbox
                        WHERE (lease_until IS NULL OR lease_until <= ?3) AND {filter})
                     RETURNING {EVENT_COLS}"
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map(
                    params![
                        claim.owner,
                        claim.until(),
                        claim.now,
                        arg.unwrap_or(i64::from(limit))
                    ],
                    event_row,
                )
                .map_err(err)?;
            let mut out: Vec<EventRecord> = rows.collect::<Result<_, _>>().map_err(err)?;
            out.sort_by_key(|e| e.id);
            Ok(out)
        })
    }

    /// Events `filter` (a `WHERE` clause, or empty) selects, newest first, at most `limit`.
    fn newest_events(&self, filter: &str, limit: u32) -> StoreResult<Vec<EventRecord>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {EVENT_COLS} FROM inbox {filter} ORDER BY id DESC LIMIT ?1"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([limit], event_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let guard = match self.conn.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&guard)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed when `f` answers `Ok`, rolled
    /// back otherwise (and on a panic, when the transaction is dropped).
    fn write<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        self.with(|c| {
            let tx =
                rusqlite::Transaction::new_unchecked(c, rusqlite::TransactionBehavior::Immediate)
                    .map_err(err)?;
            let out = f(&tx)?;
            tx.commit().map_err(err)?;
            Ok(out)
        })
    }
}

const ORDER_COLS: &str = "id, snapshot, rxgate, state, master_id, version, updated_at";

fn order_row(r: &Row<'_>) -> rusqlite::Result<OrderRecord> {
    Ok(OrderRecord {
        id: r.get(0)?,
        clinic: json(r.get(1)?),
        rxgate: r
            .get::<_, Option<String>>(2)?
            .map_or_else(|| Value::Object(Default::default()), json),
        state: json(r.get(3)?),
        master_id: r.get(4)?,
        version: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn insert_audit(c: &Connection, e: &AuditEntry) -> StoreResult<()> {
    c.execute(
        "INSERT INTO audit (at, source, event, order_id, outcome, request_id, remote, detail, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            e.at,
            e.source,
            e.event,
            e.order_id,
            e.outcome,
            e.request_id,
            e.remote,
            e.detail.as_ref().map(Value::to_string),
            e.actor
        ],
    )
    .map(|_| ())
    .map_err(err)
}

fn insert_call(
    c: &Connection,
    kind: &str,
    order_id: Option<&str>,
    dedupe_key: &str,
    payload: &Value,
    now: i64,
) -> StoreResult<Inserted> {
    let result = c.execute(
        "INSERT INTO outbox (kind, order_id, dedupe_key, payload, next_try_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![kind, order_id, dedupe_key, payload.to_string(), now],
    );
    match result {
        Ok(_) => Ok(Inserted::New(c.last_insert_rowid())),
        Err(e) if is_unique_violation(&e) => Ok(Inserted::Duplicate),
        Err(e) => Err(err(e)),
    }
}

/// Adds a record unless one with the same `dedupe_key` is stored for the order.
fn insert_record(
    c: &Connection,
    table: RecordTable,
    order_id: &str,
    body: &Value,
    now: i64,
) -> StoreResult<()> {
    if let Some(key) = body.get("dedupe_key").filter(|k| !k.is_null()) {
        let exists: bool = c
            .query_row(
                &format!(
                    "SELECT EXISTS(SELECT 1 FROM {} WHERE order_id = ?1 AND json_extract(body, '$.dedupe_key') = ?2)",
                    table.name()
                ),
                params![order_id, key.as_str().map_or_else(|| key.to_string(), str::to_owned)],
                |r| r.get(0),
            )
            .map_err(err)?;
        if exists {
            return Ok(());
        }
    }
    c.execute(
        &format!(
            "INSERT INTO {} (order_id, body, created_at) VALUES (?1, ?2, ?3)",
            table.name()
        ),
        params![order_id, body.to_string(), now],
    )
    .map(|_| ())
    .map_err(err)
}

/// The rows a call's outcome may settle: pending, or parked because its lease ran out while it
/// was being sent (the late outcome is the truth).
const SETTLEABLE: &str = "(status = 'pending' OR last_error = 'lease_lapsed_in_flight')";
/// What settling clears: the lease and the sending mark.
const UNLEASE: &str = "lease_owner = NULL, lease_until = NULL, sending_at = NULL";

/// Settles a call; `false` when another worker settled it first.
fn settle_call(
    c: &Connection,
    id: i64,
    disposition: &CallDisposition,
    now: i64,
) -> StoreResult<bool> {
    let result = match disposition {
        CallDisposition::Done => c.execute(
            &format!("UPDATE outbox SET status = 'done', attempts = attempts + 1, done_at = ?2, last_error = NULL, {UNLEASE} WHERE id = ?1 AND {SETTLEABLE}"),
            params![id, now],
        ),
        CallDisposition::Retry { next_try_at, error } => c.execute(
            &format!("UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_try_at = ?2, last_error = ?3, {UNLEASE} WHERE id = ?1 AND {SETTLEABLE}"),
            params![id, next_try_at, error],
        ),
        CallDisposition::Failed { error } => c.execute(
            &format!("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2, {UNLEASE} WHERE id = ?1 AND {SETTLEABLE}"),
            params![id, error],
        ),
    };
    result.map(|n| n == 1).map_err(err)
}

/// The events a processing outcome may be written on: not processed, or kept to be applied
/// again.
const REOPENABLE: &str = "(outcome IS NULL OR outcome IN ('unmatched', 'deferred'))";

/// Writes the order part of a change; `false` when its version moved.
fn write_order(c: &Connection, change: &Change) -> StoreResult<Option<i64>> {
    let Some(order) = &change.order else {
        return Ok(Some(0));
    };
    let updated = c
        .execute(
            "UPDATE orders SET
                rxgate = COALESCE(?3, rxgate),
                state = COALESCE(?4, state),
                master_id = COALESCE(master_id, json_extract(COALESCE(?3, rxgate), '$.order.beluga.master_id')),
                version = version + 1,
                updated_at = ?5
             WHERE id = ?1 AND version = ?2",
            params![
                order.id,
                order.expected_version,
                order.rxgate.as_ref().map(Value::to_string),
                order.state.as_ref().map(Value::to_string),
                change.now
            ],
        )
        .map_err(err)?;
    Ok((updated == 1).then_some(order.expected_version + 1))
}

/// The audit columns [`audit_row`] reads, in its order.
const AUDIT_COLUMNS: &str =
    "id, at, source, event, order_id, outcome, request_id, remote, detail, actor";

/// An audit row ([`AUDIT_COLUMNS`]) with its row id.
fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, AuditEntry)> {
    Ok((
        r.get(0)?,
        AuditEntry {
            at: r.get(1)?,
            source: r.get(2)?,
            event: r.get(3)?,
            order_id: r.get(4)?,
            outcome: r.get(5)?,
            request_id: r.get(6)?,
            remote: r.get(7)?,
            detail: r.get::<_, Option<String>>(8)?.map(json),
            actor: r.get(9)?,
        },
    ))
}

/// The error that rolls a change back whose work another worker finished.
const SETTLED: &str = "settled by another worker";
/// A re-arm of a call that is no longer parked (answered as a conflict).
const NOT_PARKED: &str = "the call is no longer parked";

fn commit_in(c: &Connection, change: &Change) -> StoreResult<Committed> {
    if let Some(idem) = &change.idempotency {
        // First, so a key already stored leaves nothing written: the caller reads it again.
        let inserted = c
            .execute(
                "INSERT OR IGNORE INTO idempotency_keys (key, status, body, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![idem.key, idem.status, idem.body.to_string(), change.now],
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
                "INSERT INTO activities (order_id, kind, patient_visible, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![order_id, a.kind, a.patient_visible, a.body.to_string(), change.now],
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
                &format!("UPDATE inbox SET processed_at = ?2, outcome = ?3, order_id = COALESCE(?4, order_id), reason = ?5, lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND {REOPENABLE}"),
                params![id, change.now, outcome.as_str(), order_id, change.event_reason],
            )
            .map_err(err)?;
        if updated == 0 {
            return Err(StoreError(SETTLED.to_owned()));
        }
        c.execute("DELETE FROM inbox_match WHERE event_id = ?1", [id])
            .map_err(err)?;
    }
    if let Some(order_id) = change.order.as_ref().map(|o| o.id.as_str()) {
        reopen_matching(c, order_id)?;
    }
    if let Some((id, disposition)) = &change.call_outcome {
        if !settle_call(c, *id, disposition, change.now)? {
            return Err(StoreError(SETTLED.to_owned()));
        }
    }
    if let Some(id) = change.rearm_call {
        let rearmed = c
            .execute(
                &format!("UPDATE outbox SET status = 'pending', attempts = 0, next_try_at = ?2, {UNLEASE} WHERE id = ?1 AND order_id = ?3 AND status = 'failed'"),
                params![id, change.now, change.order_id],
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
fn reopen_matching(c: &Connection, order_id: &str) -> StoreResult<()> {
    c.execute(
        "UPDATE inbox SET outcome = NULL, processed_at = NULL, reason = NULL
         WHERE outcome = 'unmatched' AND id IN (
            SELECT event_id FROM inbox_match WHERE match_key = 'o:' || ?1
               OR match_key = (SELECT 'm:' || master_id FROM orders WHERE id = ?1))",
        [order_id],
    )
    .map(|_| ())
    .map_err(err)
}

/// Parks the calls that may not be re-sent whose lease ran out after they started to be sent,
/// each with an audit entry (`outbox`, the kind, `parked_lease_lapsed`).
fn park_lapsed(c: &Connection, now: i64) -> StoreResult<()> {
    let lapsed: Vec<(i64, String, Option<String>)> = {
        let mut stmt = c
            .prepare(
                "SELECT id, kind, order_id FROM outbox WHERE status = 'pending'
                 AND sending_at IS NOT NULL AND lease_until <= ?1",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)?
    };
    for (id, kind, order_id) in lapsed {
        if super::resend_safe(&kind) {
            continue;
        }
        c.execute(
            &format!(
                "UPDATE outbox SET status = 'failed', last_error = ?2, {UNLEASE} WHERE id = ?1"
            ),
            params![id, super::LEASE_LAPSED],
        )
        .map_err(err)?;
        insert_audit(c, &super::lapsed_audit(&kind, order_id, now))?;
    }
    Ok(())
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: r.get(0)?,
        source: r.get(1)?,
        partner: r.get(2)?,
        event: r.get(3)?,
        dedupe_key: r.get(4)?,
        raw: r.get(5)?,
        received_at: r.get(6)?,
        outcome: r
            .get::<_, Option<String>>(7)?
            .and_then(|o| EventOutcome::parse(&o)),
        order_id: r.get(8)?,
        reason: r.get(9)?,
    })
}

const EVENT_COLS: &str =
    "id, source, partner, event, dedupe_key, raw, received_at, outcome, order_id, reason";
const OUTBOX_COLS: &str =
    "id, kind, order_id, dedupe_key, payload, status, attempts, next_try_at, last_error, lease_until";

fn outbox_row(r: &Row<'_>) -> rusqlite::Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get(0)?,
        kind: r.get(1)?,
        order_id: r.get(2)?,
        dedupe_key: r.get(3)?,
        payload: json(r.get(4)?),
        status: r.get(5)?,
        attempts: r.get(6)?,
        next_try_at: r.get(7)?,
        last_error: r.get(8)?,
        lease_until: r.get(9)?,
    })
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

impl Storage for SqliteStore {
    fn put_clinic_input(
        &self,
        id: &str,
        clinic: &Value,
        initial_rxgate: &Value,
        if_version: Option<i64>,
        audit: &AuditEntry,
        calls: &[NewCall],
    ) -> StoreResult<PutOutcome> {
        self.write(|c| {
            let current: Option<i64> = c
                .query_row("SELECT version FROM orders WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(err)?;
            let outcome = match (current, if_version) {
                (Some(v), Some(expected)) if v != expected => return Ok(PutOutcome::Stale(v)),
                (None, Some(_)) => return Ok(PutOutcome::Stale(0)),
                (Some(v), _) => {
                    c.execute(
                        "UPDATE orders SET snapshot = ?2, version = ?3, updated_at = ?4 WHERE id = ?1",
                        params![id, clinic.to_string(), v + 1, audit.at],
                    )
                    .map_err(err)?;
                    PutOutcome::Updated(v + 1)
                }
                (None, None) => {
                    c.execute(
                        "INSERT INTO orders (id, snapshot, rxgate, state, master_id, version, updated_at)
                         VALUES (?1, ?2, ?3, '{}', json_extract(?3, '$.order.beluga.master_id'), 1, ?4)",
                        params![id, clinic.to_string(), initial_rxgate.to_string(), audit.at],
                    )
                    .map_err(err)?;
                    reopen_matching(c, id)?;
                    PutOutcome::Created(1)
                }
            };
            for call in calls {
                insert_call(c, &call.kind, Some(id), &call.dedupe_key, &call.payload, audit.at)?;
            }
            insert_audit(c, audit)?;
            Ok(outcome)
        })
    }

    fn commit(&self, change: &Change) -> StoreResult<Committed> {
        match self.write(|c| commit_in(c, change)) {
            Err(StoreError(e)) if e == SETTLED => Ok(Committed::Settled),
            Err(StoreError(e)) if e == NOT_PARKED => Ok(Committed::Conflict),
            other => other,
        }
    }

    fn get_order(&self, id: &str) -> StoreResult<Option<OrderRecord>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {ORDER_COLS} FROM orders WHERE id = ?1"),
                [id],
                order_row,
            )
            .optional()
            .map_err(err)
        })
    }

    fn list_orders(&self, after: &str, limit: u32) -> StoreResult<Vec<OrderRecord>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {ORDER_COLS} FROM orders WHERE id > ?1 ORDER BY id LIMIT ?2"
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map(rusqlite::params![after, limit], order_row)
                .map_err(err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(err)
        })
    }

    fn visit_fetches_due(&self, now: i64, limit: u32) -> StoreResult<Vec<String>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT id FROM orders WHERE fetch_due_at IS NOT NULL AND fetch_due_at <= ?1
                     ORDER BY fetch_due_at, id LIMIT ?2",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(rusqlite::params![now, limit], |r| r.get(0))
                .map_err(err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(err)
        })
    }

    fn stuck_orders(&self) -> StoreResult<Vec<OrderRecord>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {ORDER_COLS} FROM orders WHERE stuck_stage IS NOT NULL ORDER BY id"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([], order_row).map_err(err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(err)
        })
    }

    fn order_by_master_id(&self, master_id: &str) -> StoreResult<Option<OrderRecord>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {ORDER_COLS} FROM orders WHERE master_id = ?1"),
                [master_id],
                order_row,
            )
            .optional()
            .map_err(err)
        })
    }

    fn ensure_master_id(&self, id: &str, candidate: &str) -> StoreResult<String> {
        self.write(|c| {
            c.execute(
                "UPDATE orders SET master_id = ?2 WHERE id = ?1 AND master_id IS NULL",
                params![id, candidate],
            )
            .map_err(err)?;
            reopen_matching(c, id)?;
            c.query_row("SELECT master_id FROM orders WHERE id = ?1", [id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .map_err(err)?
            .ok_or_else(|| StoreError("order not found".into()))
        })
    }

    fn accept_events(
        &self,
        events: &[NewEvent],
        template: &AuditEntry,
    ) -> StoreResult<Vec<Inserted>> {
        self.write(|c| {
            let mut out = Vec::with_capacity(events.len());
            for e in events {
                let result = c.execute(
                    "INSERT INTO inbox (source, partner, event, dedupe_key, raw, unsigned, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        e.source,
                        e.partner,
                        e.event,
                        e.dedupe_key,
                        e.raw,
                        e.unsigned,
                        e.received_at
                    ],
                );
                let inserted = match result {
                    Ok(_) => Inserted::New(c.last_insert_rowid()),
                    Err(e) if is_unique_violation(&e) => Inserted::Duplicate,
                    Err(e) => return Err(err(e)),
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
            "processed_at IS NULL ORDER BY id LIMIT ?4",
            None,
            claim,
            limit,
        )
    }

    fn claim_event(&self, id: i64, claim: &Claim) -> StoreResult<Option<EventRecord>> {
        let filter = format!("id = ?4 AND {REOPENABLE}");
        let claimed = self.claim_events(&filter, Some(id), claim, 1)?;
        Ok(claimed.into_iter().next())
    }

    fn events_with_outcome(&self, outcome: EventOutcome) -> StoreResult<Vec<EventRecord>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {EVENT_COLS} FROM inbox WHERE outcome = ?1 ORDER BY id"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([outcome.as_str()], event_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn finish_event_with(&self, id: i64, finish: &EventFinish, now: i64) -> StoreResult<()> {
        self.write(|c| {
            let updated = c
                .execute(
                    &format!("UPDATE inbox SET processed_at = ?2, outcome = ?3, order_id = ?4, reason = ?5, lease_owner = NULL, lease_until = NULL WHERE id = ?1 AND {REOPENABLE}"),
                    params![id, now, finish.outcome.as_str(), finish.order_id, finish.reason],
                )
                .map_err(err)?;
            if updated == 0 {
                return Ok(());
            }
            c.execute("DELETE FROM inbox_match WHERE event_id = ?1", [id])
                .map_err(err)?;
            for key in &finish.match_keys {
                c.execute(
                    "INSERT OR IGNORE INTO inbox_match (match_key, event_id) VALUES (?1, ?2)",
                    params![key, id],
                )
                .map_err(err)?;
            }
            // The order may have appeared while the event was being matched.
            for key in &finish.match_keys {
                let Some((column, value)) = super::match_key_column(key) else {
                    continue;
                };
                let order: Option<String> = c
                    .query_row(
                        &format!("SELECT id FROM orders WHERE {column} = ?1"),
                        [value],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(err)?;
                if let Some(order) = order {
                    reopen_matching(c, &order)?;
                }
            }
            Ok(())
        })
    }

    fn redrive_event(&self, id: i64, audit: &AuditEntry) -> StoreResult<Redrive> {
        self.write(|c| {
            let row: Option<(Option<String>, Option<i64>)> = c
                .query_row(
                    "SELECT outcome, processed_at FROM inbox WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(err)?;
            let Some((outcome, processed_at)) = row else {
                return Ok(Redrive::NotFound);
            };
            let outcome = outcome.as_deref().and_then(EventOutcome::parse);
            let answer = match (processed_at, outcome) {
                (None, _) | (_, None) => Redrive::Pending,
                (Some(_), Some(o)) if !o.redrivable() => Redrive::Final(o),
                (Some(_), Some(_)) => {
                    c.execute(
                        "UPDATE inbox SET outcome = NULL, processed_at = NULL, reason = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?1",
                        [id],
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
        self.newest_events(
            "WHERE outcome IN ('unmatched', 'rejected', 'failed')",
            limit,
        )
    }

    fn get_event(&self, id: i64) -> StoreResult<Option<EventRecord>> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {EVENT_COLS} FROM inbox WHERE id = ?1"),
                [id],
                event_row,
            )
            .optional()
            .map_err(err)
        })
    }

    fn list_events(&self, limit: u32) -> StoreResult<Vec<EventRecord>> {
        self.newest_events("", limit)
    }

    fn purge_raw(&self, before: i64) -> StoreResult<usize> {
        self.with(|c| {
            let purged = c
                .execute(
                    "UPDATE inbox SET raw = NULL WHERE raw IS NOT NULL AND received_at < ?1 AND processed_at IS NOT NULL",
                    [before],
                )
                .map_err(err)?;
            if purged > 0 {
                scrub(c)?;
            }
            Ok(purged)
        })
    }

    fn purge_idempotency(&self, before: i64) -> StoreResult<usize> {
        self.with(|c| {
            c.execute(
                "DELETE FROM idempotency_keys WHERE created_at < ?1",
                [before],
            )
            .map_err(err)
        })
    }

    fn enqueue(
        &self,
        kind: &str,
        order_id: Option<&str>,
        dedupe_key: &str,
        payload: &Value,
        now: i64,
    ) -> StoreResult<Inserted> {
        self.with(|c| insert_call(c, kind, order_id, dedupe_key, payload, now))
    }

    fn claim_due_calls(&self, claim: &Claim, limit: u32) -> StoreResult<Vec<OutboxItem>> {
        self.write(|c| {
            park_lapsed(c, claim.now)?;
            let mut stmt = c
                .prepare(&format!(
                    "UPDATE outbox SET lease_owner = ?1, lease_until = ?2, sending_at = NULL
                     WHERE id IN (SELECT id FROM outbox
                        WHERE status = 'pending' AND next_try_at <= ?3
                          AND (lease_until IS NULL OR lease_until <= ?3)
                        ORDER BY next_try_at, id LIMIT ?4)
                     RETURNING {OUTBOX_COLS}"
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map(
                    params![claim.owner, claim.until(), claim.now, limit],
                    outbox_row,
                )
                .map_err(err)?;
            let mut out: Vec<OutboxItem> = rows.collect::<Result<_, _>>().map_err(err)?;
            out.sort_by_key(|o| (o.next_try_at, o.id));
            Ok(out)
        })
    }

    fn begin_send(&self, id: i64, owner: &str, now: i64, hold_until: i64) -> StoreResult<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE outbox SET sending_at = ?3
                 WHERE id = ?1 AND status = 'pending' AND lease_owner = ?2 AND lease_until >= ?4",
                params![id, owner, now, hold_until],
            )
            .map(|n| n == 1)
            .map_err(err)
        })
    }

    fn calls_of(&self, order_id: &str) -> StoreResult<Vec<OutboxItem>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {OUTBOX_COLS} FROM outbox WHERE order_id = ?1 ORDER BY id"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([order_id], outbox_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn activities(&self, order_id: &str, patient_visible_only: bool) -> StoreResult<Vec<Activity>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT id, order_id, kind, patient_visible, body, created_at FROM activities
                     WHERE order_id = ?1 AND (?2 = 0 OR patient_visible = 1) ORDER BY id",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![order_id, patient_visible_only], |r| {
                    Ok(Activity {
                        id: r.get(0)?,
                        order_id: r.get(1)?,
                        kind: r.get(2)?,
                        patient_visible: r.get(3)?,
                        body: json(r.get(4)?),
                        created_at: r.get(5)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn notifications(&self, status: &str, limit: u32) -> StoreResult<Vec<NotificationRow>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT id, order_id, json_extract(body, '$.kind'), json_extract(body, '$.status'), created_at \
                     FROM notifications WHERE json_extract(body, '$.status') = ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![status, limit], |r| {
                    Ok(NotificationRow {
                        id: r.get(0)?,
                        order_id: r.get(1)?,
                        kind: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        status: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        created_at: r.get(4)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn settle_notification(&self, id: i64, status: &str) -> StoreResult<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE notifications SET body = json_set(body, '$.status', ?2) \
                 WHERE id = ?1 AND json_extract(body, '$.status') = 'pending'",
                params![id, status],
            )
            .map(|n| n > 0)
            .map_err(err)
        })
    }

    fn expire_notifications(&self, before: i64) -> StoreResult<usize> {
        self.with(|c| {
            c.execute(
                "UPDATE notifications SET body = json_set(body, '$.status', 'expired') \
                 WHERE json_extract(body, '$.status') = 'pending' AND created_at < ?1",
                [before],
            )
            .map_err(err)
        })
    }

    fn records(&self, table: RecordTable, order_id: &str) -> StoreResult<Vec<Value>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT body FROM {} WHERE order_id = ?1 ORDER BY id",
                    table.name()
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map([order_id], |r| r.get::<_, String>(0))
                .map_err(err)?;
            rows.map(|r| r.map(json))
                .collect::<Result<_, _>>()
                .map_err(err)
        })
    }

    fn audit(&self, e: &AuditEntry) -> StoreResult<()> {
        self.with(|c| insert_audit(c, e))
    }

    fn audit_log(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit
                     WHERE (?1 IS NULL OR order_id = ?1) AND (?2 IS NULL OR source = ?2) AND (?3 IS NULL OR event = ?3)
                       AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)
                     ORDER BY id DESC LIMIT ?6 OFFSET ?7"
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map(
                    params![
                        f.order_id,
                        f.source,
                        f.event,
                        f.from,
                        f.to,
                        f.limit.unwrap_or(100).min(1000),
                        f.offset.unwrap_or(0)
                    ],
                    |r| audit_row(r).map(|(_, entry)| entry),
                )
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn audit_page(
        &self,
        from: i64,
        to: i64,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, AuditEntry)>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit WHERE id > ?1 AND at >= ?2 AND at < ?3
                     ORDER BY id LIMIT ?4"
                ))
                .map_err(err)?;
            let rows = stmt
                .query_map(params![after, from, to, limit], audit_row)
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn add_api_key(&self, hash: &str, scope: Scope, label: &str, now: i64) -> StoreResult<String> {
        let id = crate::keys::key_id(hash);
        self.with(|c| {
            c.execute(
                "INSERT INTO api_keys (hash, scope, label, created_at, id) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(hash) DO UPDATE SET scope = excluded.scope",
                params![hash, scope.as_str(), label, now, id],
            )
            .map(|_| ())
            .map_err(err)
        })?;
        Ok(id)
    }

    fn api_key(&self, hash: &str) -> StoreResult<Option<ApiKeyRow>> {
        self.with(|c| {
            let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE hash = ?1");
            let mut stmt = c.prepare(&sql).map_err(err)?;
            let mut rows = stmt.query_map([hash], api_key_row).map_err(err)?;
            Ok(rows.next().transpose().map_err(err)?.flatten())
        })
    }

    fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRow>> {
        self.with(|c| {
            let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id");
            let mut stmt = c.prepare(&sql).map_err(err)?;
            let rows = stmt.query_map([], api_key_row).map_err(err)?;
            let rows: Vec<Option<ApiKeyRow>> = rows.collect::<Result<_, _>>().map_err(err)?;
            Ok(rows.into_iter().flatten().collect())
        })
    }

    fn revoke_api_key(&self, id: &str, now: i64) -> StoreResult<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now],
            )
            .map(|n| n > 0)
            .map_err(err)
        })
    }

    fn set_api_key_expiry(&self, id: &str, expires_at: Option<i64>) -> StoreResult<bool> {
        self.with(|c| {
            c.execute(
                "UPDATE api_keys SET expires_at = ?2 WHERE id = ?1",
                params![id, expires_at],
            )
            .map(|n| n > 0)
            .map_err(err)
        })
    }

    fn touch_api_key(&self, id: &str, now: i64) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
                params![id, now],
            )
            .map(|_| ())
            .map_err(err)
        })
    }

    fn ping(&self) -> StoreResult<()> {
        self.with(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(err))
    }

    fn active_rules(&self) -> StoreResult<Option<String>> {
        self.with(|c| {
            c.query_row("SELECT digest FROM rules WHERE id = 1", [], |r| r.get(0))
                .optional()
                .map_err(err)
        })
    }

    fn active_rules_component(&self) -> StoreResult<Option<Vec<u8>>> {
        self.with(|c| {
            c.query_row("SELECT component FROM rules WHERE id = 1", [], |r| r.get(0))
                .optional()
                .map_err(err)
        })
    }

    fn set_active_rules(&self, digest: &str, component: &[u8], now: i64) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO rules (id, digest, component, updated_at) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET digest = excluded.digest,
                    component = excluded.component, updated_at = excluded.updated_at
                 WHERE rules.digest <> excluded.digest",
                params![digest, component, now],
            )
            .map(|_| ())
            .map_err(err)
        })
    }

    fn idempotent_answer(&self, key: &str, since: i64) -> StoreResult<Option<IdempotentAnswer>> {
        self.with(|c| {
            c.execute(
                "DELETE FROM idempotency_keys WHERE key = ?1 AND created_at < ?2",
                params![key, since],
            )
            .map_err(err)?;
            c.query_row(
                "SELECT key, status, body FROM idempotency_keys WHERE key = ?1",
                [key],
                |r| {
                    Ok(IdempotentAnswer {
                        key: r.get(0)?,
                        status: r.get(1)?,
                        body: json(r.get(2)?),
                    })
                },
            )
            .optional()
            .map_err(err)
        })
    }

    fn purge_content(&self, purge: &ContentPurge) -> StoreResult<PurgedContent> {
        self.with(|c| {
            let purged = purge_content_in(c, purge)?;
            if purged.calls + purged.documents > 0 {
                scrub(c)?;
            }
            Ok(purged)
        })
    }

    fn patient_orders(&self, patient_id: &str) -> StoreResult<Vec<OrderRecord>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {ORDER_COLS} FROM orders WHERE json_extract(snapshot, '$.patient.id') = ?1 ORDER BY id"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([patient_id], order_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn events_of(&self, order_id: &str) -> StoreResult<Vec<EventRecord>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {EVENT_COLS} FROM inbox WHERE order_id = ?1 ORDER BY id"
                ))
                .map_err(err)?;
            let rows = stmt.query_map([order_id], event_row).map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn erase_orders(
        &self,
        order_ids: &[String],
        allow_in_flight: bool,
        audit: &[AuditEntry],
        now: i64,
    ) -> StoreResult<Erase> {
        let ids = serde_json::to_string(order_ids).map_err(err)?;
        let outcome = self.write(|c| erase_in(c, &ids, allow_in_flight, audit, now))?;
        if matches!(outcome, Erase::Done(_)) {
            self.with(scrub)?;
        }
        Ok(outcome)
    }

    fn lapse_leases_of(&self, owner: &str) -> StoreResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE outbox SET lease_until = 0 WHERE lease_owner = ?1 AND lease_until IS NOT NULL",
                [owner],
            )
            .map_err(err)?;
            c.execute(
                "UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?1",
                [owner],
            )
            .map(|_| ())
            .map_err(err)
        })
    }

    fn lease_holders(&self, now: i64) -> StoreResult<Vec<(String, i64)>> {
        self.with(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT owner, COUNT(*) FROM (
                SELECT lease_owner AS owner FROM outbox WHERE lease_until > ?1 AND lease_owner IS NOT NULL
                UNION ALL
                SELECT lease_owner AS owner FROM inbox WHERE lease_until > ?1 AND lease_owner IS NOT NULL
             ) AS held GROUP BY owner ORDER BY owner",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?;
            rows.collect::<Result<_, _>>().map_err(err)
        })
    }

    fn schema(&self) -> StoreResult<(&'static str, i64)> {
        Ok(("sqlite", self.schema_version()?))
    }

    fn backlog(&self, now: i64) -> StoreResult<Backlog> {
        self.with(|c| {
            let mut stmt = c.prepare(BACKLOG_OUTBOX).map_err(err)?;
            let rows = stmt
                .query_map([now], |r| {
                    Ok(PartnerBacklog {
                        partner: r.get(0)?,
                        pending: r.get(1)?,
                        parked: r.get(2)?,
                        oldest_due_at: r.get(3)?,
                    })
                })
                .map_err(err)?;
            let outbox = rows.collect::<Result<_, _>>().map_err(err)?;
            let backlog = c
                .query_row(BACKLOG_INBOX, [], |r| {
                    Ok(Backlog {
                        outbox,
                        inbox_pending: r.get(0)?,
                        unmatched: r.get(1)?,
                        deferred: r.get(2)?,
                        rejected: r.get(3)?,
                        failed: r.get(4)?,
                        oldest_pending_event_at: r.get(5)?,
                    })
                })
                .map_err(err)?;
            Ok(backlog)
        })
    }
}

/// Outbox calls not done, by partner (the kind's prefix before its first `_`).
const BACKLOG_OUTBOX: &str = "
SELECT CASE WHEN instr(kind, '_') > 0 THEN substr(kind, 1, instr(kind, '_') - 1) ELSE kind END AS partner,
       SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END),
       MIN(CASE WHEN status = 'pending' AND next_try_at <= ?1 THEN next_try_at END)
FROM outbox WHERE status IN ('pending', 'failed')
GROUP BY partner ORDER BY partner";

/// Inbox events waiting, unmatched, deferred, rejected and failed, and the oldest waiting.
const BACKLOG_INBOX: &str = "
SELECT COALESCE(SUM(CASE WHEN processed_at IS NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN outcome = 'unmatched' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN outcome = 'deferred' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN outcome = 'failed' THEN 1 ELSE 0 END), 0),
       MIN(CASE WHEN processed_at IS NULL THEN received_at END)
FROM inbox WHERE processed_at IS NULL OR outcome IN ('unmatched', 'deferred', 'rejected', 'failed')";

/// Replaces the payloads and document contents past their retention (one statement per
/// named kind and one for every other kind).
fn purge_content_in(c: &Connection, purge: &ContentPurge) -> StoreResult<PurgedContent> {
    let payload = super::purged_payload("retention", purge.now).to_string();
    let calls = |kinds: &str, kind_arg: &str, before: i64| -> StoreResult<u64> {
        c.execute(
            &format!(
                "UPDATE outbox SET payload = ?1 WHERE status IN ('done', 'failed')
                 AND COALESCE(done_at, created_at) < ?2 AND {kinds}
                 AND substr(payload, 1, length(?4)) <> ?4"
            ),
            params![payload, before, kind_arg, PURGED_PREFIX],
        )
        .map(|n| n as u64)
        .map_err(err)
    };
    let documents = |kinds: &str, kind_arg: &str, before: i64| -> StoreResult<u64> {
        c.execute(
            &format!(
                "UPDATE documents SET body = json_set(json_remove(body, '$.images', '$.content_base64'),
                    '$.purged', 'retention', '$.purged_at', ?1)
                 WHERE created_at < ?2 AND {kinds} AND json_extract(body, '$.purged') IS NULL"
            ),
            params![purge.now, before, kind_arg],
        )
        .map(|n| n as u64)
        .map_err(err)
    };
    let mut out = PurgedContent::default();
    let each = |cutoffs: &KindCutoffs,
                column: &str,
                run: &dyn Fn(&str, &str, i64) -> StoreResult<u64>|
     -> StoreResult<u64> {
        let mut n = 0;
        for (kind, before) in &cutoffs.by_kind {
            n += run(&format!("{column} = ?3"), kind, *before)?;
        }
        let named = serde_json::to_string(&cutoffs.named()).map_err(err)?;
        let others = format!("COALESCE({column}, '') NOT IN (SELECT value FROM json_each(?3))");
        Ok(n + run(&others, &named, cutoffs.other)?)
    };
    out.calls = each(&purge.calls, "kind", &calls)?;
    out.documents = each(&purge.documents, "json_extract(body, '$.kind')", &documents)?;
    Ok(out)
}

/// The statements of an erase over the orders `?1` (a JSON array of ids): each answers how
/// many rows it changed, in the order of [`Erased`]'s members after `orders`.
const ERASE_EVENTS: &str = "
UPDATE inbox SET raw = NULL,
    processed_at = CASE WHEN outcome IS NULL OR outcome IN ('unmatched', 'deferred') THEN ?2 ELSE processed_at END,
    reason = CASE WHEN outcome IS NULL OR outcome IN ('unmatched', 'deferred') THEN ?3 ELSE reason END,
    outcome = CASE WHEN outcome IS NULL OR outcome IN ('unmatched', 'deferred') THEN 'failed' ELSE outcome END,
    lease_owner = NULL, lease_until = NULL
WHERE order_id IN (SELECT value FROM json_each(?1))
   OR id IN (SELECT event_id FROM inbox_match WHERE match_key IN (
        SELECT 'o:' || value FROM json_each(?1)
        UNION SELECT 'm:' || master_id FROM orders
              WHERE master_id IS NOT NULL AND id IN (SELECT value FROM json_each(?1))))";

/// Erases the orders `ids` (a JSON array) inside the caller's transaction.
fn erase_in(
    c: &Connection,
    ids: &str,
    allow_in_flight: bool,
    audit: &[AuditEntry],
    now: i64,
) -> StoreResult<Erase> {
    let in_set = "order_id IN (SELECT value FROM json_each(?1))";
    let pending: i64 = c
        .query_row(
            &format!("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND {in_set}"),
            [ids],
            |r| r.get(0),
        )
        .map_err(err)?;
    if pending > 0 && !allow_in_flight {
        return Ok(Erase::InFlight(pending as u64));
    }
    let count = |n: usize| n as u64;
    let mut erased = Erased {
        events: count(
            c.execute(ERASE_EVENTS, params![ids, now, ERASED])
                .map_err(err)?,
        ),
        ..Erased::default()
    };
    c.execute(
        "DELETE FROM inbox_match WHERE event_id IN (SELECT id FROM inbox WHERE reason = ?1)",
        [ERASED],
    )
    .map_err(err)?;
    erased.calls_parked = count(
        c.execute(
            &format!("UPDATE outbox SET status = 'failed', last_error = ?2, {UNLEASE} WHERE status = 'pending' AND {in_set}"),
            params![ids, ERASED],
        )
        .map_err(err)?,
    );
    let payload = super::purged_payload(ERASED, now).to_string();
    erased.calls = count(
        c.execute(
            &format!("UPDATE outbox SET payload = ?2 WHERE {in_set}"),
            params![ids, payload],
        )
        .map_err(err)?,
    );
    erased.activities = count(
        c.execute(&format!("DELETE FROM activities WHERE {in_set}"), [ids])
            .map_err(err)?,
    );
    for table in RecordTable::ALL {
        erased.records += count(
            c.execute(
                &format!("DELETE FROM {} WHERE {in_set}", table.name()),
                [ids],
            )
            .map_err(err)?,
        );
    }
    erased.orders = count(
        c.execute(
            "DELETE FROM orders WHERE id IN (SELECT value FROM json_each(?1))",
            [ids],
        )
        .map_err(err)?,
    );
    for entry in audit {
        insert_audit(c, entry)?;
    }
    Ok(Erase::Done(erased))
}
