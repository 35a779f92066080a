//! One conformance suite for every storage backend (issue 14): each check below runs against
//! SQLite and against PostgreSQL. The PostgreSQL half needs `RXGATE_TEST_PG_URL` (a database
//! the suite may create schemas in; `scripts/stages/05-postgres.sh` starts the server and
//! exports it): without it the half is skipped with a printed notice, except in CI
//! (`CI=true`), where it fails. Each PostgreSQL check runs in a fresh schema.

use rxgate_host::store::postgres::{self as pg, PgStore};
use rxgate_host::store::sqlite::SqliteStore;
use rxgate_host::store::{
    AuditEntry, AuditFilter, CallDisposition, Change, Claim, Committed, ContentPurge, Erase,
    Erased, EventFinish, EventOutcome, IdempotentAnswer, Inserted, KindCutoffs, NewActivity,
    NewCall, NewEvent, OrderWrite, PartnerBacklog, PurgedContent, PutOutcome, RecordTable, Redrive,
    Storage, ERASED, LEASE_LAPSED,
};
use serde_json::json;
use std::sync::Arc;

/// A store under test.
type Store = Arc<dyn Storage>;

fn sqlite() -> Store {
    Arc::new(SqliteStore::in_memory().unwrap())
}

/// The PostgreSQL URL of the run, or None (skipped locally, a failure in CI).
fn pg_url() -> Option<String> {
    match std::env::var("RXGATE_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must run the PostgreSQL half: RXGATE_TEST_PG_URL is not set"
            );
            eprintln!("notice: RXGATE_TEST_PG_URL is not set: PostgreSQL checks skipped");
            None
        }
    }
}

/// A fresh schema of the run's database, and the URL whose connections use it.
fn pg_schema() -> Option<String> {
    let url = pg_url()?;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{schema}"))
}

fn postgres() -> Option<Store> {
    let url = pg_schema()?;
    Some(Arc::new(PgStore::connect(&url, 4).unwrap()))
}

/// Declares each check once per backend.
macro_rules! on_both {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $check() { super::$check(super::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $check() { if let Some(store) = super::postgres() { super::$check(store); } } )*
        }
    };
}

on_both!(
    api_keys_expire_revoke_and_record_last_use,
    events_and_calls_are_stored_once_per_key,
    claimed_work_is_invisible_to_other_workers_until_its_lease_ends,
    finished_work_is_not_claimed_again,
    a_lifefile_order_whose_lease_lapsed_in_flight_is_parked_not_resent,
    a_call_is_sent_only_under_a_lease_that_covers_the_request,
    work_finished_by_another_worker_is_not_written_twice,
    a_change_from_a_stale_version_writes_nothing,
    raw_bodies_are_purged_and_keys_stay,
    the_audit_log_filters_newest_first,
    notifications_settle_once,
    published_rules_are_read_back,
    concurrent_claims_never_share_a_row,
    a_restarted_instance_takes_back_its_claims,
    the_backlog_counts_work_by_partner,
    an_idempotency_key_is_stored_once_with_its_change,
    an_unmatched_event_is_reopened_by_the_order_it_names,
    a_redrive_reopens_a_finished_event_once,
    orders_are_listed_in_pages_with_their_bookkeeping,
    call_payloads_and_documents_are_purged_past_their_retention,
    a_patients_orders_are_found_exported_and_erased,
    visit_fetches_due_are_read_from_the_index,
    a_parked_call_is_re_armed_once_with_its_audit_entry,
);

fn event(key: &str, at: i64) -> NewEvent {
    NewEvent {
        source: "beluga".into(),
        partner: String::new(),
        event: "DOCTOR_CHAT".into(),
        dedupe_key: key.into(),
        raw: br#"{"masterId":"m1"}"#.to_vec(),
        unsigned: false,
        received_at: at,
    }
}

fn claim(owner: &str, now: i64) -> Claim {
    Claim {
        owner: owner.into(),
        now,
        lease_ms: 1_000,
    }
}

fn new_id(inserted: Inserted) -> i64 {
    match inserted {
        Inserted::New(id) => id,
        Inserted::Duplicate => panic!("expected a new row"),
    }
}

fn seed(store: &Store, id: &str) {
    let audit = AuditEntry {
        at: 1,
        source: "api".into(),
        event: "order_put".into(),
        order_id: Some(id.into()),
        outcome: "created".into(),
        ..AuditEntry::default()
    };
    let created = store
        .put_clinic_input(id, &json!({"order": {}}), &json!({}), None, &audit, &[])
        .unwrap();
    assert_eq!(created, PutOutcome::Created(1));
}

/// The stuck-order sweep's pages: id order, after a cursor, at most `limit`, with the
/// service bookkeeping a change wrote (the sweep's `state.stuck`).
fn orders_are_listed_in_pages_with_their_bookkeeping(store: Store) {
    for id in ["o-b", "o-a", "o-c"] {
        seed(&store, id);
    }
    let ids = |after: &str, limit: u32| -> Vec<String> {
        store
            .list_orders(after, limit)
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect()
    };
    assert_eq!(ids("", 2), ["o-a", "o-b"]);
    assert_eq!(ids("o-b", 2), ["o-c"]);
    assert!(ids("o-c", 2).is_empty());
    let change = Change {
        order_id: Some("o-b".into()),
        order: Some(OrderWrite {
            id: "o-b".into(),
            expected_version: 1,
            rxgate: None,
            state: Some(json!({"stuck": {"stage": "shipped"}})),
        }),
        now: 5,
        ..Change::default()
    };
    assert_eq!(store.commit(&change).unwrap(), Committed::Done(2));
    let listed = store.list_orders("o-a", 1).unwrap();
    assert_eq!(listed[0].state["stuck"]["stage"], "shipped");
    assert_eq!(listed[0].version, 2);
    // The same change again (another instance's sweep from the same read) writes nothing.
    assert_eq!(store.commit(&change).unwrap(), Committed::Conflict);
    // The stuck orders are read from their own index; a cleared finding leaves it.
    let stuck = |store: &Store| -> Vec<String> {
        store
            .stuck_orders()
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect()
    };
    assert_eq!(stuck(&store), ["o-b"]);
    write_state(&store, "o-c", 1, json!({"stuck": {"stage": "at_doctor"}}));
    assert_eq!(stuck(&store), ["o-b", "o-c"]);
    write_state(&store, "o-b", 2, json!({"stuck": null}));
    assert_eq!(stuck(&store), ["o-c"]);
}

fn enqueue(store: &Store, kind: &str, key: &str) -> i64 {
    new_id(
        store
            .enqueue(kind, Some("o1"), key, &json!({"path": "x"}), 10)
            .unwrap(),
    )
}

fn events_and_calls_are_stored_once_per_key(store: Store) {
    let template = AuditEntry {
        source: "beluga".into(),
        ..AuditEntry::default()
    };
    let first = store
        .accept_events(&[event("k1", 5), event("k2", 5)], &template)
        .unwrap();
    assert!(matches!(first[..], [Inserted::New(_), Inserted::New(_)]));
    let again = store.accept_events(&[event("k1", 6)], &template).unwrap();
    assert_eq!(again, vec![Inserted::Duplicate]);
    let outcomes: Vec<String> = store
        .audit_log(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(outcomes, ["duplicate", "accepted", "accepted"]);
    seed(&store, "o1");
    enqueue(&store, "beluga_submit", "c1");
    let dup = store
        .enqueue("beluga_submit", Some("o1"), "c1", &json!({}), 11)
        .unwrap();
    assert_eq!(dup, Inserted::Duplicate);
    let record = |n: i64| Change {
        order_id: Some("o1".into()),
        records: vec![(
            RecordTable::Prescriptions,
            json!({"dedupe_key": "rx:1", "n": n}),
        )],
        calls: vec![NewCall {
            kind: "dispensepro_order".into(),
            dedupe_key: "dp:o1".into(),
            payload: json!({}),
        }],
        now: 20 + n,
        ..Change::default()
    };
    assert_eq!(store.commit(&record(1)).unwrap(), Committed::Done(0));
    assert_eq!(store.commit(&record(2)).unwrap(), Committed::Done(0));
    let rx = store.records(RecordTable::Prescriptions, "o1").unwrap();
    assert_eq!(rx, vec![json!({"dedupe_key": "rx:1", "n": 1})]);
    assert_eq!(store.calls_of("o1").unwrap().len(), 2);
}

fn claimed_work_is_invisible_to_other_workers_until_its_lease_ends(store: Store) {
    seed(&store, "o1");
    for key in ["c1", "c2", "c3"] {
        enqueue(&store, "beluga_submit", key);
    }
    let a = store.claim_due_calls(&claim("a", 100), 2).unwrap();
    assert_eq!(a.len(), 2);
    assert!(a.iter().all(|c| c.lease_until == Some(1_100)));
    let b = store.claim_due_calls(&claim("b", 200), 10).unwrap();
    assert_eq!(b.len(), 1, "only the row a did not claim");
    assert!(a.iter().all(|c| c.id != b[0].id));
    assert!(store
        .claim_due_calls(&claim("b", 1_099), 10)
        .unwrap()
        .is_empty());
    // a's lease ran out: b takes its rows.
    let taken = store.claim_due_calls(&claim("b", 1_100), 10).unwrap();
    let mut ids: Vec<i64> = taken.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    let mut expected: Vec<i64> = a.iter().map(|c| c.id).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // Events.
    let template = AuditEntry::default();
    store
        .accept_events(&[event("e1", 1), event("e2", 1)], &template)
        .unwrap();
    let first = store.claim_pending_events(&claim("a", 100), 1).unwrap();
    assert_eq!(first.len(), 1);
    let second = store.claim_pending_events(&claim("b", 100), 10).unwrap();
    assert_eq!(second.len(), 1);
    assert_ne!(first[0].id, second[0].id);
    assert!(store
        .claim_pending_events(&claim("c", 100), 10)
        .unwrap()
        .is_empty());
    assert!(store
        .claim_event(first[0].id, &claim("c", 500))
        .unwrap()
        .is_none());
    let again = store.claim_event(first[0].id, &claim("c", 1_100)).unwrap();
    assert_eq!(again.map(|e| e.id), Some(first[0].id));
}

fn finished_work_is_not_claimed_again(store: Store) {
    seed(&store, "o1");
    let call = enqueue(&store, "beluga_submit", "c1");
    store
        .accept_events(&[event("e1", 1), event("e2", 1)], &AuditEntry::default())
        .unwrap();
    let events = store.claim_pending_events(&claim("a", 100), 10).unwrap();
    assert_eq!(events.len(), 2);
    let calls = store.claim_due_calls(&claim("a", 100), 10).unwrap();
    assert_eq!(calls.len(), 1);
    let change = Change {
        order_id: Some("o1".into()),
        event_outcome: Some((events[0].id, rxgate_host::store::EventOutcome::Applied)),
        call_outcome: Some((
            call,
            CallDisposition::Retry {
                next_try_at: 5_000,
                error: "retry_later".into(),
            },
        )),
        now: 150,
        ..Change::default()
    };
    assert_eq!(store.commit(&change).unwrap(), Committed::Done(0));
    store
        .finish_event(
            events[1].id,
            rxgate_host::store::EventOutcome::Unmatched,
            None,
            150,
        )
        .unwrap();
    // Long after the lease: the applied event stays applied, the unmatched one can be claimed
    // by id (its order may exist now), the call waits for its retry time.
    let later = claim("b", 3_000);
    assert!(store.claim_pending_events(&later, 10).unwrap().is_empty());
    assert!(store.claim_event(events[0].id, &later).unwrap().is_none());
    assert!(store.claim_event(events[1].id, &later).unwrap().is_some());
    assert!(store.claim_due_calls(&later, 10).unwrap().is_empty());
    let retried = store.claim_due_calls(&claim("b", 5_000), 10).unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].last_error.as_deref(), Some("retry_later"));
    let done = Change {
        call_outcome: Some((call, CallDisposition::Done)),
        now: 5_100,
        ..Change::default()
    };
    assert_eq!(store.commit(&done).unwrap(), Committed::Done(0));
    assert!(store
        .claim_due_calls(&claim("c", 99_000), 10)
        .unwrap()
        .is_empty());
    assert_eq!(store.calls_of("o1").unwrap()[0].status, "done");
}

fn a_lifefile_order_whose_lease_lapsed_in_flight_is_parked_not_resent(store: Store) {
    seed(&store, "o1");
    let lifefile = enqueue(&store, "lifefile_order", "lf:o1");
    let beluga = enqueue(&store, "beluga_submit", "b:o1");
    let idle = enqueue(&store, "lifefile_order", "lf:o1:2");
    let claimed = store.claim_due_calls(&claim("a", 100), 10).unwrap();
    assert_eq!(claimed.len(), 3);
    // a starts sending two of them, then dies; the third was claimed but never started.
    assert!(store.begin_send(lifefile, "a", 110, 500).unwrap());
    assert!(store.begin_send(beluga, "a", 110, 500).unwrap());
    let retaken = store.claim_due_calls(&claim("b", 1_200), 10).unwrap();
    let mut ids: Vec<i64> = retaken.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        vec![beluga, idle],
        "Beluga absorbs a repeat; LifeFile is not re-sent"
    );
    let parked = store
        .calls_of("o1")
        .unwrap()
        .into_iter()
        .find(|c| c.id == lifefile)
        .unwrap();
    assert_eq!(parked.status, "failed");
    assert_eq!(parked.last_error.as_deref(), Some(LEASE_LAPSED));
    let audit = store
        .audit_log(&AuditFilter {
            event: Some("lifefile_order".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].outcome, "parked_lease_lapsed");
    // a's late answer is the truth: it settles the parked call.
    let late = Change {
        call_outcome: Some((lifefile, CallDisposition::Done)),
        now: 1_300,
        ..Change::default()
    };
    assert_eq!(store.commit(&late).unwrap(), Committed::Done(0));
    assert!(store
        .claim_due_calls(&claim("c", 99_000), 10)
        .unwrap()
        .iter()
        .all(|c| c.id != lifefile));
}

fn a_call_is_sent_only_under_a_lease_that_covers_the_request(store: Store) {
    seed(&store, "o1");
    let id = enqueue(&store, "lifefile_order", "lf:o1");
    store.claim_due_calls(&claim("a", 100), 10).unwrap();
    assert!(
        !store.begin_send(id, "b", 110, 500).unwrap(),
        "not b's lease"
    );
    assert!(
        !store.begin_send(id, "a", 110, 1_101).unwrap(),
        "the lease ends before the request's timeout"
    );
    // Not started: once the lease lapses it is claimed again, not parked.
    let again = store.claim_due_calls(&claim("b", 1_100), 10).unwrap();
    assert_eq!(again.len(), 1);
    assert!(store.begin_send(id, "b", 1_110, 2_000).unwrap());
}

fn work_finished_by_another_worker_is_not_written_twice(store: Store) {
    seed(&store, "o1");
    store
        .accept_events(&[event("e1", 1)], &AuditEntry::default())
        .unwrap();
    let a = store.claim_pending_events(&claim("a", 100), 10).unwrap();
    let b = store.claim_pending_events(&claim("b", 1_200), 10).unwrap();
    assert_eq!(a[0].id, b[0].id, "a's lease lapsed: b took the event");
    let apply = |now: i64| Change {
        order_id: Some("o1".into()),
        activities: vec![NewActivity {
            kind: "BELUGA_DOCTOR_CHAT".into(),
            patient_visible: true,
            body: json!({"n": now}),
        }],
        event_outcome: Some((a[0].id, rxgate_host::store::EventOutcome::Applied)),
        now,
        ..Change::default()
    };
    assert_eq!(store.commit(&apply(1_300)).unwrap(), Committed::Done(0));
    assert_eq!(store.commit(&apply(1_400)).unwrap(), Committed::Settled);
    assert_eq!(store.activities("o1", false).unwrap().len(), 1);
    // A late "deferred" cannot overwrite the applied outcome either.
    store
        .finish_event(
            a[0].id,
            rxgate_host::store::EventOutcome::Deferred,
            None,
            1_500,
        )
        .unwrap();
    let stored = store.get_event(a[0].id).unwrap().unwrap();
    assert_eq!(
        stored.outcome,
        Some(rxgate_host::store::EventOutcome::Applied)
    );
    // Calls: the second settlement of the same call is dropped whole.
    let call = enqueue(&store, "beluga_submit", "c1");
    let settle = |now: i64| Change {
        order_id: Some("o1".into()),
        calls: vec![NewCall {
            kind: "beluga_fetch".into(),
            dedupe_key: format!("fetch:{now}"),
            payload: json!({}),
        }],
        call_outcome: Some((call, CallDisposition::Done)),
        now,
        ..Change::default()
    };
    assert_eq!(store.commit(&settle(1)).unwrap(), Committed::Done(0));
    assert_eq!(store.commit(&settle(2)).unwrap(), Committed::Settled);
    assert_eq!(store.calls_of("o1").unwrap().len(), 2);
}

fn a_change_from_a_stale_version_writes_nothing(store: Store) {
    seed(&store, "o1");
    let write = |expected: i64, n: i64| Change {
        order_id: Some("o1".into()),
        order: Some(OrderWrite {
            id: "o1".into(),
            expected_version: expected,
            rxgate: Some(json!({"order": {"beluga": {"master_id": "m-1"}}, "n": n})),
            state: Some(json!({"n": n})),
        }),
        activities: vec![NewActivity {
            kind: "K".into(),
            patient_visible: false,
            body: json!({}),
        }],
        now: 50 + n,
        ..Change::default()
    };
    assert_eq!(store.commit(&write(1, 1)).unwrap(), Committed::Done(2));
    assert_eq!(store.commit(&write(1, 2)).unwrap(), Committed::Conflict);
    let order = store.get_order("o1").unwrap().unwrap();
    assert_eq!(order.version, 2);
    assert_eq!(order.state, json!({"n": 1}));
    assert_eq!(order.master_id.as_deref(), Some("m-1"));
    assert_eq!(
        store.order_by_master_id("m-1").unwrap().map(|o| o.id),
        Some("o1".to_owned())
    );
    assert_eq!(store.ensure_master_id("o1", "other").unwrap(), "m-1");
    assert_eq!(store.activities("o1", false).unwrap().len(), 1);
    let audit = AuditEntry::default();
    let put = |v: Option<i64>| {
        store
            .put_clinic_input(
                "o1",
                &json!({"order": {"x": 1}}),
                &json!({}),
                v,
                &audit,
                &[],
            )
            .unwrap()
    };
    assert_eq!(put(Some(1)), PutOutcome::Stale(2));
    assert_eq!(put(Some(2)), PutOutcome::Updated(3));
    assert_eq!(put(None), PutOutcome::Updated(4));
    let kept = store.get_order("o1").unwrap().unwrap();
    assert_eq!(kept.rxgate["n"], json!(1), "a PUT keeps rxgate's state");
    assert_eq!(kept.clinic, json!({"order": {"x": 1}}));
}

fn raw_bodies_are_purged_and_keys_stay(store: Store) {
    let audit = AuditEntry::default();
    let old = new_id(
        store
            .accept_events(&[event("k-old", 1_000)], &audit)
            .unwrap()[0],
    );
    let new = new_id(
        store
            .accept_events(&[event("k-new", 9_000)], &audit)
            .unwrap()[0],
    );
    let pending = new_id(
        store
            .accept_events(&[event("k-pending", 1_000)], &audit)
            .unwrap()[0],
    );
    store
        .finish_event(old, rxgate_host::store::EventOutcome::Applied, None, 1_500)
        .unwrap();
    store
        .finish_event(new, rxgate_host::store::EventOutcome::Applied, None, 9_500)
        .unwrap();
    assert_eq!(store.purge_raw(5_000).unwrap(), 1);
    assert!(store.get_event(old).unwrap().unwrap().raw.is_none());
    assert!(store.get_event(new).unwrap().unwrap().raw.is_some());
    assert!(
        store.get_event(pending).unwrap().unwrap().raw.is_some(),
        "an unprocessed body is kept"
    );
    assert_eq!(
        store
            .accept_events(&[event("k-old", 10_000)], &audit)
            .unwrap(),
        vec![Inserted::Duplicate]
    );
    assert_eq!(store.list_events(2).unwrap().len(), 2);
}

fn the_audit_log_filters_newest_first(store: Store) {
    for (at, order, source) in [(1, "o1", "api"), (2, "o2", "beluga"), (3, "o1", "beluga")] {
        store
            .audit(&AuditEntry {
                at,
                source: source.into(),
                event: format!("e{at}"),
                order_id: Some(order.into()),
                outcome: "ok".into(),
                actor: Some("key_x".into()),
                detail: Some(json!({"codes": ["C"]})),
                ..AuditEntry::default()
            })
            .unwrap();
    }
    let ats = |f: AuditFilter| -> Vec<i64> {
        store.audit_log(&f).unwrap().iter().map(|e| e.at).collect()
    };
    assert_eq!(ats(AuditFilter::default()), vec![3, 2, 1]);
    let by_order = AuditFilter {
        order_id: Some("o1".into()),
        ..AuditFilter::default()
    };
    assert_eq!(ats(by_order), vec![3, 1]);
    let by_source = AuditFilter {
        source: Some("beluga".into()),
        limit: Some(1),
        ..AuditFilter::default()
    };
    assert_eq!(ats(by_source), vec![3]);
    let entry = &store.audit_log(&AuditFilter::default()).unwrap()[0];
    assert_eq!(entry.actor.as_deref(), Some("key_x"));
    assert_eq!(entry.detail, Some(json!({"codes": ["C"]})));
    // A time range (from inclusive, to exclusive) and pages by offset.
    let ranged = AuditFilter {
        from: Some(2),
        to: Some(3),
        ..AuditFilter::default()
    };
    assert_eq!(ats(ranged), vec![2]);
    let second_page = AuditFilter {
        limit: Some(2),
        offset: Some(2),
        ..AuditFilter::default()
    };
    assert_eq!(ats(second_page), vec![1]);
    // Export pages: oldest first by row id, resumed after the last row id.
    let first = store.audit_page(1, 4, 0, 2).unwrap();
    assert_eq!(
        first.iter().map(|(_, e)| e.at).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let after = first.last().map(|(id, _)| *id).unwrap();
    let rest = store.audit_page(1, 4, after, 2).unwrap();
    assert_eq!(rest.iter().map(|(_, e)| e.at).collect::<Vec<_>>(), vec![3]);
    assert!(rest[0].0 > after);
    assert!(store.audit_page(4, 9, 0, 2).unwrap().is_empty());
}

fn notifications_settle_once(store: Store) {
    seed(&store, "o1");
    let change = Change {
        order_id: Some("o1".into()),
        records: vec![(
            RecordTable::Notifications,
            json!({"kind": "shipped", "dedupe_key": "n1", "status": "pending"}),
        )],
        now: 5,
        ..Change::default()
    };
    store.commit(&change).unwrap();
    let pending = store.notifications("pending", 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, "shipped");
    assert!(store.settle_notification(pending[0].id, "sent").unwrap());
    assert!(!store.settle_notification(pending[0].id, "failed").unwrap());
    assert_eq!(store.notifications("sent", 10).unwrap().len(), 1);
    assert!(store.notifications("pending", 10).unwrap().is_empty());
    // Pending past its time: expired, listed as such, never settled; a newer one and a
    // settled one are left alone.
    for (at, key) in [(7, "n2"), (20, "n3")] {
        let change = Change {
            order_id: Some("o1".into()),
            records: vec![(
                RecordTable::Notifications,
                json!({"kind": "shipped", "dedupe_key": key, "status": "pending"}),
            )],
            now: at,
            ..Change::default()
        };
        store.commit(&change).unwrap();
    }
    assert_eq!(store.expire_notifications(10).unwrap(), 1);
    let expired = store.notifications("expired", 10).unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].created_at, 7);
    assert!(!store.settle_notification(expired[0].id, "sent").unwrap());
    assert_eq!(store.notifications("pending", 10).unwrap().len(), 1);
    assert_eq!(store.notifications("sent", 10).unwrap().len(), 1);
    assert_eq!(store.expire_notifications(10).unwrap(), 0);
}

/// Staff re-arm of a parked call (`Change::rearm_call`): pending again, due now, a fresh
/// attempt budget, body and key kept, in one transaction with the audit entry; a call no
/// longer parked (or another order's) is a conflict and nothing is written.
fn a_parked_call_is_re_armed_once_with_its_audit_entry(store: Store) {
    seed(&store, "o1");
    seed(&store, "o2");
    let id = enqueue(&store, "beluga_photos", "p1");
    for _ in 0..2 {
        let failed = Change {
            call_outcome: Some((
                id,
                CallDisposition::Failed {
                    error: "retry_later: partner_server_error".into(),
                },
            )),
            now: 20,
            ..Change::default()
        };
        // The second settle of an already parked call is refused (settled), as before.
        let _ = store.commit(&failed).unwrap();
    }
    let rearm = |order: &str, now: i64| Change {
        order_id: Some(order.into()),
        rearm_call: Some(id),
        audit: vec![AuditEntry {
            at: now,
            source: "api".into(),
            actor: Some("key_staff".into()),
            event: "beluga_photos".into(),
            order_id: Some(order.into()),
            outcome: "rearmed".into(),
            ..AuditEntry::default()
        }],
        now,
        ..Change::default()
    };
    assert_eq!(store.commit(&rearm("o2", 30)).unwrap(), Committed::Conflict);
    assert_eq!(store.commit(&rearm("o1", 40)).unwrap(), Committed::Done(0));
    let call = store
        .calls_of("o1")
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert_eq!(
        (
            call.status.as_str(),
            call.attempts,
            call.next_try_at,
            call.dedupe_key.as_str()
        ),
        ("pending", 0, 40, "p1")
    );
    assert_eq!(call.payload, json!({"path": "x"}));
    // Pending now: a second re-arm writes nothing, not even its audit entry.
    assert_eq!(store.commit(&rearm("o1", 50)).unwrap(), Committed::Conflict);
    let audit = store
        .audit_log(&AuditFilter {
            order_id: Some("o1".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    let rearmed: Vec<i64> = audit
        .iter()
        .filter(|e| e.outcome == "rearmed")
        .map(|e| e.at)
        .collect();
    assert_eq!(rearmed, vec![40]);
    assert!(store
        .audit_log(&AuditFilter {
            order_id: Some("o2".into()),
            ..AuditFilter::default()
        })
        .unwrap()
        .iter()
        .all(|e| e.outcome != "rearmed"));
    // The worker claims it again.
    assert_eq!(store.claim_due_calls(&claim("w", 41), 10).unwrap().len(), 1);
}

fn published_rules_are_read_back(store: Store) {
    assert_eq!(store.active_rules().unwrap(), None);
    store.set_active_rules("d1", b"component-1", 1).unwrap();
    store.set_active_rules("d2", b"component-2", 2).unwrap();
    assert_eq!(store.active_rules().unwrap().as_deref(), Some("d2"));
    assert_eq!(
        store.active_rules_component().unwrap().as_deref(),
        Some(&b"component-2"[..])
    );
    let hash = "ab".repeat(32);
    let id = store
        .add_api_key(&hash, rxgate_host::keys::Scope::Admin, "l", 1)
        .unwrap();
    let row = store.api_key(&hash).unwrap().unwrap();
    assert_eq!(row.id, id);
    assert_eq!(row.scope, rxgate_host::keys::Scope::Admin);
    store.ping().unwrap();
}

fn a_restarted_instance_takes_back_its_claims(store: Store) {
    seed(&store, "o1");
    let lifefile = enqueue(&store, "lifefile_order", "lf:o1");
    let beluga = enqueue(&store, "beluga_submit", "b:o1");
    store
        .accept_events(&[event("e1", 1)], &AuditEntry::default())
        .unwrap();
    store.claim_pending_events(&claim("a", 100), 10).unwrap();
    store.claim_due_calls(&claim("a", 100), 10).unwrap();
    assert!(store.begin_send(lifefile, "a", 110, 500).unwrap());
    assert_eq!(store.lease_holders(200).unwrap(), vec![("a".to_owned(), 3)]);
    // "a" starts again (its process died): its claims end now, not at 1 100.
    store.lapse_leases_of("a").unwrap();
    assert!(store.lease_holders(200).unwrap().is_empty());
    assert_eq!(
        store
            .claim_pending_events(&claim("a", 200), 10)
            .unwrap()
            .len(),
        1
    );
    let calls = store.claim_due_calls(&claim("a", 200), 10).unwrap();
    assert_eq!(
        calls.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![beluga],
        "the LifeFile order it was sending is parked, not sent again"
    );
}

fn concurrent_claims_never_share_a_row(store: Store) {
    seed(&store, "o1");
    for n in 0..60 {
        enqueue(&store, "beluga_submit", &format!("c{n}"));
    }
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let got = store
                        .claim_due_calls(&claim(&format!("w{w}"), 100), 3)
                        .unwrap();
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|c| c.id));
                }
            })
        })
        .collect();
    let mut all: Vec<i64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let claimed = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(claimed, 60, "every row claimed once");
    assert_eq!(all.len(), 60);
}

/// A fresh SQLite file at schema `version` (its first migrations applied by hand, as an
/// older rxgate left it): its directory and path.
fn sqlite_file_at(version: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("rxgate-mig-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rxgate.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for (i, m) in rxgate_host::store::sqlite::MIGRATIONS[..version]
        .iter()
        .enumerate()
    {
        conn.execute_batch(m).unwrap();
        conn.pragma_update(None, "user_version", i + 1).unwrap();
    }
    (dir, path)
}

/// SQLite: a v3 database (before claims) opens at v4 with its work claimable.
#[test]
fn sqlite_migrates_from_the_previous_version() {
    let (dir, path) = sqlite_file_at(3);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO outbox (kind, order_id, dedupe_key, payload, next_try_at, created_at)
             VALUES ('beluga_submit', 'o1', 'k', '{}', 1, 1)",
            [],
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let current = rxgate_host::store::sqlite::MIGRATIONS.len() as i64;
    assert_eq!(store.schema_version().unwrap(), current);
    assert_eq!(store.claim_due_calls(&claim("a", 10), 5).unwrap().len(), 1);
    drop(store);
    // A database newer than this binary is refused.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    assert!(SqliteStore::open(&path).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

/// PostgreSQL: a v1 database (before claims) is migrated to v2 at connect, once even when
/// several instances start together; a newer one is refused.
#[test]
fn postgres_migrates_from_the_previous_version() {
    let Some(url) = pg_schema() else {
        return;
    };
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    assert_eq!(pg::migrate(&mut client, 1).unwrap(), 1);
    client
        .execute(
            "INSERT INTO outbox (kind, order_id, dedupe_key, payload, next_try_at, created_at)
             VALUES ('beluga_submit', 'o1', 'k', '{}', 1, 1)",
            &[],
        )
        .unwrap();
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PgStore::connect(&url, 2).map(|s| s.schema_version()))
        })
        .collect();
    let current = pg::MIGRATIONS.len() as i64;
    for start in starts {
        assert_eq!(start.join().unwrap().unwrap().unwrap(), current);
    }
    let store = PgStore::connect(&url, 2).unwrap();
    assert_eq!(store.claim_due_calls(&claim("a", 10), 5).unwrap().len(), 1);
    let applied: i64 = client
        .query_one("SELECT COUNT(*) FROM rxgate_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(applied, current, "each migration applied once");
    client
        .execute("INSERT INTO rxgate_schema VALUES (99, 0)", &[])
        .unwrap();
    assert!(PgStore::connect(&url, 1).is_err());
}

/// SQLite: a v4 database (before idempotency keys) opens at v5 and stores a key with its
/// change.
#[test]
fn sqlite_migrates_to_idempotency_keys() {
    let (dir, path) = sqlite_file_at(4);
    let store: Store = Arc::new(SqliteStore::open(&path).unwrap());
    let current = rxgate_host::store::sqlite::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("sqlite", current));
    seed(&store, "o1");
    an_idempotency_key_is_stored_once_with_its_change(store);
    std::fs::remove_dir_all(&dir).ok();
}

/// PostgreSQL: a v2 database (before idempotency keys) is migrated to v3 and stores a key.
#[test]
fn postgres_migrates_to_idempotency_keys() {
    let Some(url) = pg_schema() else {
        return;
    };
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    assert_eq!(pg::migrate(&mut client, 2).unwrap(), 2);
    let store: Store = Arc::new(PgStore::connect(&url, 2).unwrap());
    let current = pg::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("postgres", current));
    seed(&store, "o1");
    an_idempotency_key_is_stored_once_with_its_change(store);
}

/// `store::open` picks the backend from the URL and never repeats it in an error.
#[test]
fn the_database_url_picks_the_backend() {
    let mut config = rxgate_host::config::Config::default();
    let dir = std::env::temp_dir().join(format!("rxgate-url-{}", uuid::Uuid::new_v4().simple()));
    config.database = Some(format!("sqlite://{}/x/db.sqlite3", dir.display()).into());
    let store = rxgate_host::store::open(&config).unwrap();
    let current = rxgate_host::store::sqlite::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("sqlite", current));
    assert!(dir.join("x/db.sqlite3").exists());
    config.database = Some("mysql://user:hunter2@h/db".into());
    let e = rxgate_host::store::open(&config).err().unwrap();
    assert!(!e.to_string().contains("hunter2"));
    config.database = Some("postgres://user:hunter2@127.0.0.1:1/db".into());
    let e = rxgate_host::store::open(&config).err().unwrap();
    assert!(!e.to_string().contains("hunter2"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
    if let Some(url) = pg_schema() {
        config.database = Some(url.into());
        let store = rxgate_host::store::open(&config).unwrap();
        assert_eq!(
            store.schema().unwrap(),
            ("postgres", pg::MIGRATIONS.len() as i64)
        );
    }
}

/// The `/metrics` backlog: pending and parked calls by partner with the oldest due instant,
/// inbox events waiting, unmatched and deferred.
fn the_backlog_counts_work_by_partner(store: Store) {
    seed(&store, "o1");
    let first = enqueue(&store, "beluga_submit", "b1");
    enqueue(&store, "beluga_message", "b2");
    enqueue(&store, "lifefile_order", "l1");
    let parked = CallDisposition::Failed {
        error: "refused".into(),
    };
    assert!(matches!(
        store.commit(&Change {
            order_id: Some("o1".into()),
            call_outcome: Some((first, parked)),
            now: 20,
            ..Change::default()
        }),
        Ok(Committed::Done(_))
    ));
    for (i, key) in ["e1", "e2", "e3"].iter().enumerate() {
        store
            .accept_events(&[event(key, 30 + i as i64)], &AuditEntry::default())
            .unwrap();
    }
    let events = store.claim_pending_events(&claim("w", 40), 2).unwrap();
    assert_eq!(events.len(), 2);
    store
        .finish_event(
            events[0].id,
            rxgate_host::store::EventOutcome::Unmatched,
            None,
            41,
        )
        .unwrap();
    store
        .finish_event(
            events[1].id,
            rxgate_host::store::EventOutcome::Deferred,
            None,
            41,
        )
        .unwrap();

    let backlog = store.backlog(50).unwrap();
    assert_eq!(
        backlog.outbox,
        vec![
            PartnerBacklog {
                partner: "beluga".into(),
                pending: 1,
                parked: 1,
                oldest_due_at: Some(10),
            },
            PartnerBacklog {
                partner: "lifefile".into(),
                pending: 1,
                parked: 0,
                oldest_due_at: Some(10),
            },
        ]
    );
    assert_eq!(
        (backlog.inbox_pending, backlog.unmatched, backlog.deferred),
        (1, 1, 1)
    );
    // Not yet due: counted as pending, with no oldest due instant.
    let early = store.backlog(5).unwrap();
    assert_eq!(early.outbox[0].pending, 1);
    assert_eq!(early.outbox[0].oldest_due_at, None);
}

/// An `Idempotency-Key` is written first in its change: a second change with the same key
/// writes nothing (its call is not queued) and the first answer is read back.
fn an_idempotency_key_is_stored_once_with_its_change(store: Store) {
    let change = |dedupe: &str, status: u16| Change {
        order_id: Some("o1".into()),
        calls: vec![NewCall {
            kind: "beluga_message".into(),
            dedupe_key: dedupe.into(),
            payload: json!({"path": "x"}),
        }],
        idempotency: Some(IdempotentAnswer {
            key: "key-1 POST /messages o1 abc".into(),
            status,
            body: json!({"queued": true}),
        }),
        now: 60,
        ..Change::default()
    };
    if store.get_order("o1").unwrap().is_none() {
        seed(&store, "o1");
    }
    assert!(matches!(
        store.commit(&change("m1", 202)),
        Ok(Committed::Done(_))
    ));
    assert!(matches!(
        store.commit(&change("m2", 200)),
        Ok(Committed::Conflict)
    ));
    let stored = store
        .idempotent_answer("key-1 POST /messages o1 abc", 60)
        .unwrap()
        .unwrap();
    assert_eq!((stored.status, stored.body), (202, json!({"queued": true})));
    assert_eq!(store.idempotent_answer("other", 0).unwrap(), None);
    let calls = store.claim_due_calls(&claim("w", 100), 10).unwrap();
    assert_eq!(calls.len(), 1, "the repeated change queued nothing");
    assert_eq!(calls[0].dedupe_key, "m1");
    // Expired (stored at 60, valid since 61): deleted on reading, so the key is free again
    // and a change carrying it commits.
    assert_eq!(
        store
            .idempotent_answer("key-1 POST /messages o1 abc", 61)
            .unwrap(),
        None
    );
    assert!(matches!(
        store.commit(&change("m3", 201)),
        Ok(Committed::Done(_))
    ));
    assert_eq!(
        store.purge_idempotency(60).unwrap(),
        0,
        "stored at 60 is kept"
    );
    assert_eq!(store.purge_idempotency(61).unwrap(), 1);
    assert_eq!(
        store
            .idempotent_answer("key-1 POST /messages o1 abc", 0)
            .unwrap(),
        None
    );
}

/// API keys: stored once per hash, listed without hashes, revoked once, given an expiry, and
/// their last use recorded.
fn api_keys_expire_revoke_and_record_last_use(store: Store) {
    use rxgate_host::keys::Scope;
    let a = store
        .add_api_key("hash-a", Scope::Emr, "clinic", 10)
        .unwrap();
    let b = store
        .add_api_key("hash-b", Scope::Admin, "ops", 20)
        .unwrap();
    assert_eq!(
        store
            .add_api_key("hash-a", Scope::Emr, "clinic", 30)
            .unwrap(),
        a
    );
    let listed = store.list_api_keys().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0].id.as_str(), listed[0].created_at),
        (a.as_str(), 10)
    );
    assert!(listed
        .iter()
        .all(|k| k.valid_at(40) && k.last_used_at.is_none()));
    store.touch_api_key(&a, 50).unwrap();
    assert_eq!(
        store.api_key("hash-a").unwrap().unwrap().last_used_at,
        Some(50)
    );
    assert!(store.set_api_key_expiry(&b, Some(100)).unwrap());
    let row = store.api_key("hash-b").unwrap().unwrap();
    assert!(row.valid_at(99) && !row.valid_at(100));
    assert!(store.revoke_api_key(&a, 60).unwrap());
    assert!(!store.revoke_api_key(&a, 70).unwrap(), "revoked once");
    assert!(!store.revoke_api_key("key_none", 70).unwrap());
    let row = store.api_key("hash-a").unwrap().unwrap();
    assert_eq!(row.revoked_at, Some(60));
    assert!(!row.valid_at(61));
    // Provisioning the same hash again does not bring a revoked key back.
    store
        .add_api_key("hash-a", Scope::Emr, "clinic", 80)
        .unwrap();
    assert!(!store.api_key("hash-a").unwrap().unwrap().valid_at(81));
}

/// SQLite: a v5 database (before key lifecycles) opens at v6 with its keys valid.
#[test]
fn sqlite_migrates_to_key_lifecycles() {
    let (dir, path) = sqlite_file_at(5);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO api_keys (hash, scope, label, created_at, id) VALUES ('h', 'emr', 'old', 5, 'key_h')",
            [],
        )
        .unwrap();
    }
    let store: Store = Arc::new(SqliteStore::open(&path).unwrap());
    let current = rxgate_host::store::sqlite::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("sqlite", current));
    assert!(store.api_key("h").unwrap().unwrap().valid_at(6));
    store
        .add_api_key("x", rxgate_host::keys::Scope::Admin, "new", 7)
        .unwrap();
    api_keys_listed_after_migration(&store);
    std::fs::remove_dir_all(&dir).ok();
}

/// PostgreSQL: a v3 database (before key lifecycles) is migrated to v4 with its keys valid.
#[test]
fn postgres_migrates_to_key_lifecycles() {
    let Some(url) = pg_schema() else {
        return;
    };
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    assert_eq!(pg::migrate(&mut client, 3).unwrap(), 3);
    client
        .execute(
            "INSERT INTO api_keys (hash, scope, label, created_at, id) VALUES ('h', 'emr', 'old', 5, 'key_h')",
            &[],
        )
        .unwrap();
    let store: Store = Arc::new(PgStore::connect(&url, 2).unwrap());
    let current = pg::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("postgres", current));
    assert!(store.api_key("h").unwrap().unwrap().valid_at(6));
    store
        .add_api_key("x", rxgate_host::keys::Scope::Admin, "new", 7)
        .unwrap();
    api_keys_listed_after_migration(&store);
}

fn api_keys_listed_after_migration(store: &Store) {
    let listed = store.list_api_keys().unwrap();
    let ids: Vec<&str> = listed.iter().map(|k| k.label.as_str()).collect();
    assert_eq!(ids, ["old", "new"]);
    assert!(store.revoke_api_key("key_h", 9).unwrap());
}

/// An unmatched event waits under its match keys, out of every claim, until an order with
/// that id (or that master id) is stored: then it is claimable again, once.
fn an_unmatched_event_is_reopened_by_the_order_it_names(store: Store) {
    store
        .accept_events(&[event("u1", 10), event("u2", 11)], &AuditEntry::default())
        .unwrap();
    let events = store.claim_pending_events(&claim("w", 20), 10).unwrap();
    let keyed = |outcome, keys: &[&str]| EventFinish {
        outcome,
        order_id: None,
        reason: Some("no_order".into()),
        match_keys: keys.iter().map(|k| (*k).to_owned()).collect(),
    };
    let by_id = keyed(EventOutcome::Unmatched, &["o:o7", "m:o7"]);
    let by_master = keyed(EventOutcome::Unmatched, &["m:master-8"]);
    store.finish_event_with(events[0].id, &by_id, 21).unwrap();
    store
        .finish_event_with(events[1].id, &by_master, 21)
        .unwrap();
    // Idle: nothing to claim, and the unmatched rows keep their outcome and reason.
    assert!(store
        .claim_pending_events(&claim("w", 30), 10)
        .unwrap()
        .is_empty());
    let stored = store.get_event(events[0].id).unwrap().unwrap();
    assert_eq!(stored.outcome, Some(EventOutcome::Unmatched));
    assert_eq!(stored.reason.as_deref(), Some("no_order"));
    // Another order changes nothing.
    seed(&store, "o1");
    assert!(store
        .claim_pending_events(&claim("w", 31), 10)
        .unwrap()
        .is_empty());
    // The order the first event names appears: it alone is claimable again.
    seed(&store, "o7");
    let reopened = store.claim_pending_events(&claim("w", 40), 10).unwrap();
    assert_eq!(
        reopened.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![events[0].id]
    );
    // An order gets the master id the second one names.
    assert_eq!(
        store.ensure_master_id("o1", "master-8").unwrap(),
        "master-8"
    );
    let reopened = store.claim_pending_events(&claim("w", 50), 10).unwrap();
    assert_eq!(
        reopened.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![events[1].id]
    );
    // An event finished unmatched after its order appeared is re-opened at once.
    store
        .accept_events(&[event("u3", 60)], &AuditEntry::default())
        .unwrap();
    let late = store.claim_pending_events(&claim("x", 61), 10).unwrap();
    let late_id = late.iter().find(|e| e.dedupe_key == "u3").unwrap().id;
    store
        .finish_event_with(late_id, &keyed(EventOutcome::Unmatched, &["o:o7"]), 62)
        .unwrap();
    let again = store.claim_pending_events(&claim("y", 2_000), 10).unwrap();
    assert!(again.iter().any(|e| e.id == late_id));
}

/// A re-drive re-opens a rejected, failed, deferred or unmatched event once (with its audit
/// entry); a repeat while it waits, or on an applied event, changes nothing.
fn a_redrive_reopens_a_finished_event_once(store: Store) {
    seed(&store, "o1");
    store
        .accept_events(&[event("r1", 10), event("r2", 11)], &AuditEntry::default())
        .unwrap();
    let events = store.claim_pending_events(&claim("w", 20), 10).unwrap();
    let failed = EventFinish {
        outcome: EventOutcome::Failed,
        order_id: Some("o1".into()),
        reason: Some("worker_panic".into()),
        match_keys: Vec::new(),
    };
    store.finish_event_with(events[0].id, &failed, 21).unwrap();
    store
        .finish_event(events[1].id, EventOutcome::Applied, Some("o1"), 21)
        .unwrap();
    let needing = store.events_needing_staff(10).unwrap();
    assert_eq!(needing.len(), 1);
    assert_eq!(needing[0].reason.as_deref(), Some("worker_panic"));
    let audit = AuditEntry {
        at: 30,
        source: "admin".into(),
        event: "event_redrive".into(),
        outcome: "queued".into(),
        ..AuditEntry::default()
    };
    assert_eq!(
        store.redrive_event(events[0].id, &audit).unwrap(),
        Redrive::Queued
    );
    assert_eq!(
        store.redrive_event(events[0].id, &audit).unwrap(),
        Redrive::Pending
    );
    assert_eq!(
        store.redrive_event(events[1].id, &audit).unwrap(),
        Redrive::Final(EventOutcome::Applied)
    );
    assert_eq!(
        store.redrive_event(999_999, &audit).unwrap(),
        Redrive::NotFound
    );
    assert!(store.events_needing_staff(10).unwrap().is_empty());
    let claimed = store.claim_pending_events(&claim("w", 40), 10).unwrap();
    assert_eq!(
        claimed.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![events[0].id]
    );
    let redrives = store
        .audit_log(&AuditFilter {
            event: Some("event_redrive".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        redrives.len(),
        1,
        "one audit entry per re-drive that changed something"
    );
}

/// After the upgrade: `recorded` reads `applied`, and the unmatched event is re-opened once so
/// the worker indexes it by its match keys.
fn upgraded_events_have_one_outcome(store: &Store, recorded: i64, unmatched: i64) {
    let r = store.get_event(recorded).unwrap().unwrap();
    assert_eq!(r.outcome, Some(EventOutcome::Applied));
    let u = store.get_event(unmatched).unwrap().unwrap();
    assert_eq!(u.outcome, None);
    let claimed = store.claim_pending_events(&claim("w", 5_000), 10).unwrap();
    assert_eq!(
        claimed.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![unmatched]
    );
}

/// SQLite: a v6 database opens at v7 with one outcome per event.
#[test]
fn sqlite_migrates_to_event_outcomes() {
    let (dir, path) = sqlite_file_at(6);
    let ids = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (key, outcome) in [("old1", "recorded"), ("old2", "unmatched")] {
            conn.execute(
                "INSERT INTO inbox (source, dedupe_key, raw, received_at, processed_at, outcome)
                 VALUES ('beluga', ?1, X'7B7D', 10, 20, ?2)",
                [key, outcome],
            )
            .unwrap();
        }
        (1, 2)
    };
    let store: Store = Arc::new(SqliteStore::open(&path).unwrap());
    let current = rxgate_host::store::sqlite::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("sqlite", current));
    upgraded_events_have_one_outcome(&store, ids.0, ids.1);
    std::fs::remove_dir_all(&dir).ok();
}

/// PostgreSQL: a v4 database is migrated to v5 with one outcome per event.
#[test]
fn postgres_migrates_to_event_outcomes() {
    let Some(url) = pg_schema() else {
        return;
    };
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    assert_eq!(pg::migrate(&mut client, 4).unwrap(), 4);
    let mut ids = Vec::new();
    for (key, outcome) in [("old1", "recorded"), ("old2", "unmatched")] {
        let row = client
            .query_one(
                "INSERT INTO inbox (source, dedupe_key, raw, received_at, processed_at, outcome)
                 VALUES ('beluga', $1, '\\x7b7d', 10, 20, $2) RETURNING id",
                &[&key, &outcome],
            )
            .unwrap();
        ids.push(row.get::<_, i64>(0));
    }
    let store: Store = Arc::new(PgStore::connect(&url, 2).unwrap());
    let current = pg::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("postgres", current));
    upgraded_events_have_one_outcome(&store, ids[0], ids[1]);
}

/// The PHI text the retention and erase checks store, then look for.
const CANARY: &str = "PHI-CANARY-Ada-Lovelace-1815-12-10";

/// A call of `order` whose payload carries the canary, settled `done` at `at` unless
/// `pending`.
fn canary_call(store: &Store, order: &str, kind: &str, key: &str, at: i64, pending: bool) -> i64 {
    // Larger than a page, so overflow pages hold it too.
    let payload = json!({"path": "x", "body": {"name": CANARY.repeat(200)}});
    let id = new_id(store.enqueue(kind, Some(order), key, &payload, at).unwrap());
    if !pending {
        let change = Change {
            call_outcome: Some((id, CallDisposition::Done)),
            now: at,
            ..Change::default()
        };
        assert_eq!(store.commit(&change).unwrap(), Committed::Done(0));
    }
    id
}

/// Documents of `order` carrying the canary: a photo ID and a partner's PDF, stored at `at`.
fn canary_documents(store: &Store, order: &str, at: i64) {
    let change = Change {
        order_id: Some(order.into()),
        records: vec![
            (
                RecordTable::Documents,
                json!({"kind": "photo_id", "mime": "image/jpeg", "dedupe_key": "photo_id:0",
                    "images": [{"mime": "image/jpeg", "data": CANARY.repeat(200)}]}),
            ),
            (
                RecordTable::Documents,
                json!({"kind": "lab_requisition", "mime": "application/pdf", "dedupe_key": "d1",
                    "base64_length": 7000, "content_base64": CANARY.repeat(200)}),
            ),
        ],
        now: at,
        ..Change::default()
    };
    assert_eq!(store.commit(&change).unwrap(), Committed::Done(0));
}

fn cutoffs(photo_before: i64, other_before: i64, now: i64) -> ContentPurge {
    let cut = |kind: &str| KindCutoffs {
        by_kind: vec![(kind.to_owned(), photo_before)],
        other: other_before,
    };
    ContentPurge {
        calls: cut("beluga_photo_id"),
        documents: cut("photo_id"),
        now,
    }
}

/// Retention per kind (issue 18 item 5): an ended call's payload and a document's content go
/// once older than their kind's cutoff, metadata stays; a pending call is never purged.
fn call_payloads_and_documents_are_purged_past_their_retention(store: Store) {
    seed(&store, "o1");
    let photo = canary_call(&store, "o1", "beluga_photo_id", "k-photo", 100, false);
    let visit = canary_call(&store, "o1", "beluga_submit", "k-visit", 100, false);
    let chat = canary_call(&store, "o1", "beluga_chat", "k-chat", 100, true);
    canary_documents(&store, "o1", 100);
    let payload = |id: i64| {
        let calls = store.calls_of("o1").unwrap();
        calls.into_iter().find(|c| c.id == id).unwrap()
    };
    // Photo IDs are past their (shorter) retention; visits and PDFs are not yet.
    let purged = store.purge_content(&cutoffs(200, 50, 300)).unwrap();
    assert_eq!(
        purged,
        PurgedContent {
            calls: 1,
            documents: 1
        }
    );
    assert_eq!(
        payload(photo).payload,
        json!({"purged": "retention", "at": 300})
    );
    assert_eq!(payload(photo).status, "done");
    assert!(payload(visit).payload.to_string().contains(CANARY));
    let docs = store.records(RecordTable::Documents, "o1").unwrap();
    assert!(docs[0].get("images").is_none());
    assert_eq!(docs[0]["purged"], "retention");
    assert_eq!(docs[0]["dedupe_key"], "photo_id:0", "the metadata stays");
    assert!(docs[1].to_string().contains(CANARY));
    // Later everything ended is past retention; the pending chat still is not purged.
    let purged = store
        .purge_content(&cutoffs(i64::MAX, i64::MAX, 400))
        .unwrap();
    assert_eq!(
        purged,
        PurgedContent {
            calls: 1,
            documents: 1
        }
    );
    assert_eq!(payload(visit).payload["purged"], "retention");
    assert!(
        payload(chat).payload.to_string().contains(CANARY),
        "a pending call is kept"
    );
    let docs = store.records(RecordTable::Documents, "o1").unwrap();
    assert!(docs[1].get("content_base64").is_none());
    assert_eq!(docs[1]["base64_length"], 7000);
    // What was purged is not purged again.
    let again = store
        .purge_content(&cutoffs(i64::MAX, i64::MAX, 500))
        .unwrap();
    assert_eq!(again, PurgedContent::default());
}

/// Stores one patient's order with events, an activity, documents and a pending call, and
/// another patient's order.
fn seed_patient(store: &Store) -> (i64, i64) {
    let audit = AuditEntry::default();
    for (order, patient) in [("o-p", "pat-1"), ("o-q", "pat-2")] {
        let clinic = json!({"patient": {"id": patient, "first_name": CANARY}, "order": {}});
        store
            .put_clinic_input(order, &clinic, &json!({}), None, &audit, &[])
            .unwrap();
    }
    assert_eq!(store.ensure_master_id("o-p", "m-p").unwrap(), "m-p");
    let mut raw = event("k-applied", 10);
    raw.raw = format!("{{\"masterId\":\"m-p\",\"n\":\"{CANARY}\"}}").into_bytes();
    let applied = new_id(store.accept_events(&[raw.clone()], &audit).unwrap()[0]);
    store
        .finish_event(applied, EventOutcome::Applied, Some("o-p"), 20)
        .unwrap();
    raw.dedupe_key = "k-unmatched".into();
    let unmatched = new_id(store.accept_events(&[raw], &audit).unwrap()[0]);
    let finish = EventFinish {
        outcome: EventOutcome::Unmatched,
        order_id: None,
        reason: None,
        match_keys: vec!["m:m-p".into()],
    };
    store.finish_event_with(unmatched, &finish, 20).unwrap();
    let change = Change {
        order_id: Some("o-p".into()),
        activities: vec![NewActivity {
            kind: "PATIENT_CHAT_SENT".into(),
            patient_visible: true,
            body: json!({"content": CANARY}),
        }],
        now: 30,
        ..Change::default()
    };
    store.commit(&change).unwrap();
    canary_documents(store, "o-p", 30);
    canary_call(store, "o-p", "beluga_chat", "k-chat-p", 30, true);
    canary_call(store, "o-p", "beluga_submit", "k-visit-p", 30, false);
    (applied, unmatched)
}

/// Per-patient erase (issue 18 item 5): refused while a call is pending unless allowed;
/// then the orders, activities and records go, calls and events keep their keys without
/// content, the pending call is parked, the audit trail stays with the erase appended.
fn a_patients_orders_are_found_exported_and_erased(store: Store) {
    let (applied, unmatched) = seed_patient(&store);
    let ids = |orders: Vec<rxgate_host::store::OrderRecord>| -> Vec<String> {
        orders.into_iter().map(|o| o.id).collect()
    };
    assert_eq!(ids(store.patient_orders("pat-1").unwrap()), ["o-p"]);
    assert!(store.patient_orders("pat-3").unwrap().is_empty());
    let events = store.events_of("o-p").unwrap();
    assert_eq!(events.len(), 1);
    assert!(events[0].raw.is_some());
    let audit = vec![AuditEntry {
        at: 40,
        source: "admin".into(),
        event: "patient_erased".into(),
        order_id: Some("o-p".into()),
        outcome: "erased".into(),
        ..AuditEntry::default()
    }];
    let order_ids = vec!["o-p".to_owned()];
    assert_eq!(
        store.erase_orders(&order_ids, false, &audit, 40).unwrap(),
        Erase::InFlight(1)
    );
    assert!(
        store.get_order("o-p").unwrap().is_some(),
        "a refusal writes nothing"
    );
    let erased = store.erase_orders(&order_ids, true, &audit, 40).unwrap();
    let expected = Erased {
        orders: 1,
        events: 2,
        calls: 2,
        calls_parked: 1,
        activities: 1,
        records: 2,
    };
    assert_eq!(erased, Erase::Done(expected));
    assert!(store.get_order("o-p").unwrap().is_none());
    assert!(
        store.get_order("o-q").unwrap().is_some(),
        "another patient's order stays"
    );
    for id in [applied, unmatched] {
        let event = store.get_event(id).unwrap().unwrap();
        assert!(event.raw.is_none());
    }
    let unmatched = store.get_event(unmatched).unwrap().unwrap();
    assert_eq!(unmatched.outcome, Some(EventOutcome::Failed));
    assert_eq!(unmatched.reason.as_deref(), Some(ERASED));
    let calls = store.calls_of("o-p").unwrap();
    assert!(calls.iter().all(|c| c.payload["purged"] == ERASED));
    assert!(calls.iter().all(|c| c.status != "pending"));
    assert!(store.activities("o-p", false).unwrap().is_empty());
    assert!(store
        .records(RecordTable::Documents, "o-p")
        .unwrap()
        .is_empty());
    let trail = store
        .audit_log(&AuditFilter {
            order_id: Some("o-p".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(trail[0].event, "patient_erased");
    // A partner resending an erased event is still a duplicate: its PHI is not stored again.
    assert_eq!(
        store
            .accept_events(&[event("k-applied", 50)], &AuditEntry::default())
            .unwrap(),
        vec![Inserted::Duplicate]
    );
}

/// SQLite: what a retention pass and an erase replaced cannot be read back from the database
/// file or its write-ahead log.
#[test]
fn sqlite_purged_and_erased_content_leaves_the_file() {
    let dir = std::env::temp_dir().join(format!("rxgate-ret-{}", uuid::Uuid::new_v4().simple()));
    let store: Store = Arc::new(SqliteStore::open_dir(&dir).unwrap());
    let files = || -> Vec<Vec<u8>> {
        ["rxgate.sqlite3", "rxgate.sqlite3-wal"]
            .iter()
            .filter_map(|f| std::fs::read(dir.join(f)).ok())
            .collect()
    };
    let holds = |bytes: &Vec<u8>| bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes());
    seed(&store, "o1");
    canary_call(&store, "o1", "beluga_photo_id", "k-photo", 100, false);
    canary_documents(&store, "o1", 100);
    assert!(files().iter().any(holds), "the content was stored");
    store
        .purge_content(&cutoffs(i64::MAX, i64::MAX, 300))
        .unwrap();
    assert!(
        !files().iter().any(holds),
        "purged content can be read back from the file"
    );
    seed_patient(&store);
    assert!(files().iter().any(holds));
    let audit = [AuditEntry::default()];
    store
        .erase_orders(&["o-p".to_owned(), "o-q".to_owned()], true, &audit, 40)
        .unwrap();
    assert!(
        !files().iter().any(holds),
        "erased content can be read back from the file"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes `order`'s service bookkeeping (`state`) from `version`.
fn write_state(store: &Store, order: &str, version: i64, state: serde_json::Value) {
    let change = Change {
        order_id: Some(order.into()),
        order: Some(OrderWrite {
            id: order.into(),
            expected_version: version,
            rxgate: None,
            state: Some(state),
        }),
        now: 5,
        ..Change::default()
    };
    assert_eq!(store.commit(&change).unwrap(), Committed::Done(version + 1));
}

/// The visit scheduler's due orders come from the index the store derives from each order's
/// `state.visitFetch`: a visit never planned is due first, then by `nextAt`; no master id,
/// a terminal book or a book without `nextAt` is never due; a rewritten book moves the order.
fn visit_fetches_due_are_read_from_the_index(store: Store) {
    for (id, book) in [
        ("o-none", None),
        ("o-new", None),
        (
            "o-later",
            Some(json!({"state": "open", "nextAt": 100, "attempt": 1})),
        ),
        (
            "o-soon",
            Some(json!({"state": "open", "nextAt": 50, "attempt": 0})),
        ),
        ("o-done", Some(json!({"state": "terminal", "nextAt": null}))),
        ("o-idle", Some(json!({"state": "not_submitted"}))),
    ] {
        seed(&store, id);
        if id != "o-none" {
            store.ensure_master_id(id, &format!("m-{id}")).unwrap();
        }
        if let Some(book) = book {
            write_state(&store, id, 1, json!({"visitFetch": book, "stuck": null}));
        }
    }
    let due = |now: i64, limit: u32| store.visit_fetches_due(now, limit).unwrap();
    assert_eq!(due(49, 10), ["o-new"]);
    assert_eq!(due(99, 10), ["o-new", "o-soon"]);
    assert_eq!(due(100, 10), ["o-new", "o-soon", "o-later"]);
    assert_eq!(due(100, 2), ["o-new", "o-soon"]);
    // Planned: the new visit waits for its own `nextAt`.
    write_state(
        &store,
        "o-new",
        1,
        json!({"visitFetch": {"state": "open", "nextAt": 200}}),
    );
    assert_eq!(due(100, 10), ["o-soon", "o-later"]);
    assert_eq!(due(i64::MAX, 10), ["o-soon", "o-later", "o-new"]);
}

/// Orders stored before the due-fetch index, with and without a book, for the migration checks.
const PRE_INDEX_ORDERS: [(&str, Option<&str>, &str); 3] = [
    ("o-a", Some("m-a"), r#"{}"#),
    (
        "o-b",
        Some("m-b"),
        r#"{"visitFetch":{"state":"open","nextAt":70}}"#,
    ),
    ("o-c", None, r#"{"stuck":{"stage":"shipped","since":1}}"#),
];

/// After the migration the stored orders are indexed: `o-a` (never planned) and `o-b` (due
/// at 70) are due, `o-c` (no visit) is not, and is the one stuck order.
fn upgraded_orders_are_indexed(store: &Store) {
    let stuck = store.stuck_orders().unwrap();
    assert_eq!(
        stuck.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["o-c"]
    );
    assert_eq!(store.visit_fetches_due(69, 10).unwrap(), ["o-a"]);
    assert_eq!(store.visit_fetches_due(70, 10).unwrap(), ["o-a", "o-b"]);
}

/// SQLite: a v7 database opens at v8 with its orders' visit fetches indexed.
#[test]
fn sqlite_migrates_to_the_visit_fetch_index() {
    let (dir, path) = sqlite_file_at(7);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (id, master, state) in PRE_INDEX_ORDERS {
            conn.execute(
                "INSERT INTO orders (id, snapshot, rxgate, state, master_id, version, updated_at)
                 VALUES (?1, '{}', '{}', ?2, ?3, 1, 1)",
                rusqlite::params![id, state, master],
            )
            .unwrap();
        }
    }
    let store: Store = Arc::new(SqliteStore::open(&path).unwrap());
    let current = rxgate_host::store::sqlite::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("sqlite", current));
    upgraded_orders_are_indexed(&store);
    std::fs::remove_dir_all(&dir).ok();
}

/// PostgreSQL: a v5 database is migrated to v6 with its orders' visit fetches indexed.
#[test]
fn postgres_migrates_to_the_visit_fetch_index() {
    let Some(url) = pg_schema() else {
        return;
    };
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    assert_eq!(pg::migrate(&mut client, 5).unwrap(), 5);
    for (id, master, state) in PRE_INDEX_ORDERS {
        client
            .execute(
                "INSERT INTO orders (id, snapshot, rxgate, state, master_id, version, updated_at)
                 VALUES ($1, '{}', '{}', $2, $3, 1, 1)",
                &[&id, &state, &master],
            )
            .unwrap();
    }
    let store: Store = Arc::new(PgStore::connect(&url, 2).unwrap());
    let current = pg::MIGRATIONS.len() as i64;
    assert_eq!(store.schema().unwrap(), ("postgres", current));
    upgraded_orders_are_indexed(&store);
}
