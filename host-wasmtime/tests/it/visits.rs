//! Issue 16 item 1, the visit status schedule in one process with an injected clock: the first
//! plan of a submitted visit queues nothing and sets when to fetch; a due visit gets one fetch
//! (keyed per fetch) and a later next fetch; a visit not yet due costs no rules call and is
//! left alone; the per-minute bound leaves the rest due for the next minute; a visit that was
//! never submitted is not fetched. (Status application and the stop at a terminal status:
//! `e2e.rs`, from fetches against the sandbox.)

use crate::common::{ready_order, seed_snapshot};
use crate::service::{shared_rules, state_with, test_config};
use rxgate_host::service::visits::{self, Budget};
use rxgate_host::service::{self, AppState, Clock};
use rxgate_host::store::Storage;
use serde_json::{json, Value};

const T0: i64 = 1_795_000_000_000;

fn submitted(store: &dyn Storage, id: &str, master: &str) {
    let mut order = ready_order();
    order["order"]["id"] = json!(id);
    order["order"]["beluga"] = json!({"master_id": master, "submit_status": "SUBMITTED",
        "visit_id": format!("v-{master}"), "submitted_at": service::rfc3339(T0)});
    seed_snapshot(store, id, &order);
}

fn at(state: &mut AppState, ms: i64) {
    state.clock = Clock::from_fn(move || ms);
}

fn book(store: &dyn Storage, id: &str) -> Value {
    store.get_order(id).unwrap().unwrap().state["visitFetch"].clone()
}

fn fetch_keys(store: &dyn Storage, id: &str) -> Vec<String> {
    store
        .calls_of(id)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "beluga_fetch")
        .map(|c| c.dedupe_key)
        .collect()
}

#[tokio::test]
async fn a_due_visit_gets_one_fetch_then_a_later_one() {
    let (mut state, store) = state_with(test_config(), shared_rules());
    submitted(&*store, "o-poll", "m-poll");
    let mut budget = Budget::default();

    at(&mut state, T0);
    let first = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!((first.planned, first.queued), (1, 0), "{first:?}");
    let b = book(&*store, "o-poll");
    assert_eq!(b["state"], "open", "{b}");
    let next = b["nextAt"].as_i64().unwrap();
    // base 60 s, spread 0.8–1.2 by the jitter.
    assert!((T0 + 48_000..=T0 + 72_000).contains(&next), "{b}");
    assert!(fetch_keys(&*store, "o-poll").is_empty());

    // Not due yet: nothing written, nothing queued.
    let version = store.get_order("o-poll").unwrap().unwrap().version;
    let idle = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!(idle, visits::Scheduled::default());
    assert_eq!(store.get_order("o-poll").unwrap().unwrap().version, version);

    // Due: one fetch, keyed per fetch, and the next one later.
    at(&mut state, next);
    let due = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!(due.queued, 1, "{due:?}");
    assert_eq!(fetch_keys(&*store, "o-poll"), ["beluga_poll:m-poll:1"]);
    let b = book(&*store, "o-poll");
    assert_eq!(b["fetches"], 1, "{b}");
    assert_eq!(b["attempt"], 1, "{b}");
    assert!(b["nextAt"].as_i64().unwrap() > next, "{b}");
    let call = &store.calls_of("o-poll").unwrap()[0];
    assert_eq!(call.payload["path"], "visit/externalFetch/m-poll");
    assert_eq!(call.payload["method"], "GET");

    // The same instant again: the fetch is not queued twice.
    let again = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!(again.queued, 0, "{again:?}");
    assert_eq!(fetch_keys(&*store, "o-poll").len(), 1);
}

#[tokio::test]
async fn the_per_minute_bound_leaves_the_rest_for_the_next_minute() {
    let mut config = test_config();
    config.visit_fetch.max_per_minute = 1;
    let (mut state, store) = state_with(config, shared_rules());
    submitted(&*store, "o-a", "m-a");
    submitted(&*store, "o-b", "m-b");
    let mut never = ready_order();
    never["order"]["id"] = json!("o-never");
    seed_snapshot(&*store, "o-never", &never);
    let mut budget = Budget::default();

    at(&mut state, T0);
    let planned = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!(planned.planned, 2, "only submitted visits: {planned:?}");
    assert!(book(&*store, "o-never").is_null());

    let later = T0 + 10 * 60_000;
    at(&mut state, later);
    let bounded = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!((bounded.queued, bounded.deferred), (1, 1), "{bounded:?}");
    let queued = fetch_keys(&*store, "o-a").len() + fetch_keys(&*store, "o-b").len();
    assert_eq!(queued, 1);

    at(&mut state, later + 60_000);
    let next_minute = visits::once(&state, &mut budget).await.unwrap();
    assert_eq!(next_minute.queued, 1, "{next_minute:?}");
    assert_eq!(fetch_keys(&*store, "o-a").len(), 1);
    assert_eq!(fetch_keys(&*store, "o-b").len(), 1);
}
