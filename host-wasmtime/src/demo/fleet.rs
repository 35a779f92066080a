//! `rxgate demo --database postgres://… --instances N`: several `rxgate serve` processes on one
//! database behind a round-robin load balancer, the partner sandbox injecting errors, lost
//! answers, duplicated and shuffled webhooks; one instance is SIGKILLed while it holds claimed
//! leases (checked in the database at the kill). It passes (exit 0) only when every order
//! ends with exactly one Beluga visit, its prescription records once each, one pharmacy order
//! per route, every stored webhook processed once, and no LifeFile re-send.

use super::process::{free_port, Launcher, Running};
use super::{text, variant, Demo, Harness};
use crate::store::{RecordTable, Storage};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rxgate_sandbox::Faults;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Options of a several-instance run.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// The shared database (`postgres://…`; `sqlite://…` works for one instance only).
    pub database: String,
    /// How many instances.
    pub instances: usize,
    /// How long to wait for the orders, in seconds.
    pub timeout_secs: u64,
}

/// The load balancer's view of the instances: their URLs, `None` once killed.
#[derive(Clone)]
struct Balancer {
    targets: Arc<Mutex<Vec<Option<String>>>>,
    next: Arc<AtomicUsize>,
    http: reqwest::Client,
}

impl Balancer {
    fn live(&self) -> Vec<String> {
        self.targets
            .lock()
            .map(|t| t.iter().flatten().cloned().collect())
            .unwrap_or_default()
    }
}

/// Forwards a request to the next live instance (round robin), trying the others when one
/// does not answer: what a load balancer with health checks does.
async fn forward(
    State(lb): State<Balancer>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let live = lb.live();
    let start = lb.next.fetch_add(1, Ordering::Relaxed);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    for n in 0..live.len() {
        let Some(base) = live.get((start + n) % live.len()) else {
            continue;
        };
        let mut request = lb.http.request(method.clone(), format!("{base}{path}"));
        for (name, value) in &headers {
            if name != axum::http::header::HOST {
                request = request.header(name, value);
            }
        }
        let Ok(answer) = request.body(body.clone()).send().await else {
            continue;
        };
        let status = StatusCode::from_u16(answer.status().as_u16())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = answer.headers().get("content-type").cloned();
        let bytes = answer.bytes().await.unwrap_or_default();
        let mut response = (status, bytes).into_response();
        if let Some(ct) = content_type {
            response.headers_mut().insert("content-type", ct);
        }
        return response;
    }
    StatusCode::BAD_GATEWAY.into_response()
}

/// The sandbox's faults for the run: errors, lost answers, latency (so calls are in flight
/// when the kill comes), duplicated and shuffled webhooks. LifeFile's order endpoint gets no
/// lost answers: a lost LifeFile answer is parked for staff by design (never re-sent), which
/// a demo that must complete cannot show.
fn tune(config: &mut rxgate_sandbox::SandboxConfig) {
    let faults = Faults {
        error_rate: 0.15,
        drop_after_commit_rate: 0.15,
        latency_ms: 120,
        duplicate_webhooks: true,
        shuffle_webhooks: true,
        ..Faults::default()
    };
    config.beluga_faults = faults.clone();
    config.pharmacy_faults = faults;
    config.endpoint_faults.insert(
        "/lifefile/order".into(),
        Faults {
            latency_ms: 120,
            duplicate_webhooks: true,
            shuffle_webhooks: true,
            ..Faults::default()
        },
    );
}

/// The run's orders: DispensePro orders and Belmar orders split over two LifeFile pharmacies.
fn orders(fixtures: &std::path::Path) -> anyhow::Result<Vec<(Value, usize)>> {
    let ready = super::load(fixtures, "order-dispensepro-ready.json")?;
    let mut belmar = super::load(fixtures, "order-belmar-split.json")?;
    belmar["order"]["beluga"] = serde_json::json!({});
    belmar["order"]["prescriptions"] = serde_json::json!([]);
    belmar["order"]["life_file"] = serde_json::json!([]);
    if let Some(order) = belmar["order"].as_object_mut() {
        order.remove("photo_id_status");
    }
    let mut out = Vec::new();
    for n in 0..4 {
        let phone = text(&ready, "/patient/phone").to_owned();
        let email = text(&ready, "/patient/email").to_owned();
        let id = format!("ord_fleet_dp_{n}");
        out.push((
            variant(&ready, &id, &format!("HLC-3000{n}"), &phone, &email),
            1,
        ));
    }
    for n in 0..2 {
        let phone = text(&belmar, "/patient/phone").to_owned();
        let email = text(&belmar, "/patient/email").to_owned();
        let id = format!("ord_fleet_lf_{n}");
        out.push((
            variant(&belmar, &id, &format!("HLC-3100{n}"), &phone, &email),
            2,
        ));
    }
    Ok(out)
}

/// Starts `n` instances on the shared database.
async fn start_instances(
    config: &crate::config::Config,
    run_dir: &std::path::Path,
    n: usize,
    http: &reqwest::Client,
) -> anyhow::Result<Vec<(Launcher, Running, String)>> {
    let bin = std::env::current_exe()?;
    let mut out = Vec::new();
    for i in 0..n {
        let launcher = Launcher::new(
            &bin,
            config.clone(),
            run_dir,
            &format!("i{i}"),
            free_port()?,
        )?;
        let running = launcher.start(http, Duration::from_secs(60)).await?;
        let ready: Value = http
            .get(format!("{}/readyz", launcher.url))
            .send()
            .await?
            .json()
            .await?;
        let instance = text(&ready, "/instance").to_owned();
        out.push((launcher, running, instance));
    }
    Ok(out)
}

/// Waits until an instance holds a lease, kills it (SIGKILL) and answers its index and how
/// many leases the database still shows under its name after its death.
async fn kill_a_lease_holder(
    store: &Arc<dyn Storage>,
    fleet: &mut [(Launcher, Running, String)],
    deadline: Instant,
) -> anyhow::Result<Option<(usize, i64)>> {
    while Instant::now() < deadline {
        let s = Arc::clone(store);
        let now = crate::service::now_ms();
        let holders = tokio::task::spawn_blocking(move || s.lease_holders(now)).await??;
        let found = holders
            .iter()
            .find_map(|(owner, _)| fleet.iter().position(|(_, _, id)| id == owner));
        if let Some(index) = found {
            if let Some((_, running, owner)) = fleet.get_mut(index) {
                running.kill();
                let s = Arc::clone(store);
                let now = crate::service::now_ms();
                let after = tokio::task::spawn_blocking(move || s.lease_holders(now)).await??;
                let held = after
                    .iter()
                    .find(|(o, _)| o == owner)
                    .map_or(0, |(_, n)| *n);
                if held > 0 {
                    return Ok(Some((index, held)));
                }
                // Its leases ended just before the kill: the demo needs another try.
                return Ok(Some((index, 0)));
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(None)
}

/// What the checks found, one line per finding.
struct Checks {
    lines: Vec<String>,
    ok: bool,
}

impl Checks {
    fn check(&mut self, ok: bool, line: String) {
        self.ok &= ok;
        self.lines
            .push(format!("{} {line}", if ok { "ok  " } else { "FAIL" }));
    }
}

/// The end-state checks over the database and the sandbox.
async fn check(
    store: &Arc<dyn Storage>,
    sandbox: &rxgate_sandbox::Sandbox,
    orders: &[(Value, usize)],
) -> anyhow::Result<Checks> {
    let mut checks = Checks {
        lines: Vec::new(),
        ok: true,
    };
    let log = sandbox.log();
    let posts = sandbox.posts();
    for (order, routes) in orders {
        let id = text(order, "/order/id").to_owned();
        let s = Arc::clone(store);
        let key = id.clone();
        let (record, rx) = tokio::task::spawn_blocking(move || {
            Ok::<_, crate::store::StoreError>((
                s.get_order(&key)?,
                s.records(RecordTable::Prescriptions, &key)?,
            ))
        })
        .await??;
        let master = record.and_then(|r| r.master_id).unwrap_or_default();
        let visits = log
            .iter()
            .filter(|r| r.what == "visit_created" && r.subject == master)
            .count();
        checks.check(visits == 1, format!("{id}: {visits} Beluga visit(s)"));
        let items = order
            .get("items")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let mut bodies: Vec<String> = rx.iter().map(Value::to_string).collect();
        let total = bodies.len();
        bodies.sort();
        bodies.dedup();
        checks.check(
            total == items && bodies.len() == total,
            format!("{id}: {total} prescription record(s) for {items} prescribed item(s)"),
        );
        let pharmacy_orders = log
            .iter()
            .filter(|r| r.what == "order_created" && r.subject == id)
            .count();
        checks.check(
            pharmacy_orders == *routes,
            format!("{id}: {pharmacy_orders} pharmacy order(s) for {routes} route(s)"),
        );
    }
    let s = Arc::clone(store);
    let events = tokio::task::spawn_blocking(move || s.list_events(100_000)).await??;
    let open = events
        .iter()
        .filter(|e| e.outcome.is_none() || e.outcome == Some(crate::store::EventOutcome::Deferred))
        .count();
    let acknowledged = sandbox
        .deliveries()
        .iter()
        .filter(|d| d.acknowledged)
        .count();
    checks.check(
        open == 0,
        format!(
            "{acknowledged} acknowledged webhook deliveries, {} stored once each, {open} not processed",
            events.len()
        ),
    );
    let mut resends: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for (key, count) in &posts {
        let partner = key.split(':').next().unwrap_or("");
        let entry = resends.entry(partner).or_default();
        entry.0 += 1;
        entry.1 += count.resends;
    }
    for (partner, (accepted, again)) in &resends {
        let line = format!("{partner}: {accepted} accepted, {again} re-send(s) absorbed");
        checks.check(*partner != "lifefile" || *again == 0, line);
    }
    Ok(checks)
}

/// A fresh schema in the database at `url` for this run (so runs never see each other's
/// orders), and the URL whose connections use it. Blocking: call it off the async threads.
pub fn fresh_schema(url: &str) -> anyhow::Result<(String, String)> {
    let schema = format!("rxgate_demo_{}", uuid::Uuid::new_v4().simple());
    let mut client = postgres::Client::connect(url, postgres::NoTls)
        .map_err(|_| anyhow::anyhow!("cannot reach the PostgreSQL database of --database"))?;
    client.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok((
        format!("{url}{sep}options=-csearch_path%3D{schema}"),
        schema,
    ))
}

/// Drops a passing run's schema.
fn drop_schema(url: &str, schema: &str) -> anyhow::Result<()> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
    Ok(())
}

/// Runs the several-instance demo; answers whether every check passed.
pub async fn run(options: FleetOptions) -> anyhow::Result<bool> {
    let started = Instant::now();
    anyhow::ensure!(options.instances >= 2, "--instances needs at least 2");
    anyhow::ensure!(
        options.database.starts_with("postgres://")
            || options.database.starts_with("postgresql://"),
        "several instances share a PostgreSQL database: --database postgres://…"
    );
    let fixtures = super::default_fixtures();
    let orders = orders(&fixtures)?;
    let snapshots: Vec<&Value> = orders.iter().map(|(o, _)| o).collect();
    let (sandbox, mut config) = Harness::partners(&snapshots, tune).await?;
    let (database, schema) = {
        let url = options.database.clone();
        tokio::task::spawn_blocking(move || fresh_schema(&url)).await??
    };
    config.database = Some(database.into());
    config.database_pool_size = 4;
    // The shortest lease the request timeout allows: the killed instance's work moves on soon.
    config.outbox.lease_ms = 0;
    let run_dir = config.data_dir.clone();
    std::fs::create_dir_all(&run_dir)?;
    let http = reqwest::Client::new();
    let store = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || crate::store::open(&config)).await??
    };
    let mut fleet = start_instances(&config, &run_dir, options.instances, &http).await?;
    let balancer = Balancer {
        targets: Arc::new(Mutex::new(
            fleet.iter().map(|(l, _, _)| Some(l.url.clone())).collect(),
        )),
        next: Arc::new(AtomicUsize::new(0)),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let lb_url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(balancer.clone());
    let lb = tokio::spawn(async move { axum::serve(listener, app).await });
    sandbox.set_service_url(&lb_url);
    let demo = Demo::new(&lb_url, started);
    demo.say(&format!(
        "{} instances on one database behind a load balancer on {lb_url}; run folder {}",
        fleet.len(),
        run_dir.display()
    ));
    let outcome = drive(
        &demo, &store, &sandbox, &orders, &mut fleet, &balancer, &options,
    )
    .await;
    for (_, running, _) in fleet {
        running.terminate(Duration::from_secs(10)).await;
    }
    lb.abort();
    sandbox.shutdown();
    let ok = outcome?;
    if ok {
        let url = options.database.clone();
        let _ = tokio::task::spawn_blocking(move || drop_schema(&url, &schema)).await;
    }
    // The driver's connections must be closed off the async threads.
    let _ = tokio::task::spawn_blocking(move || drop(store)).await;
    if ok {
        let _ = std::fs::remove_dir_all(&run_dir);
    }
    println!(
        "fleet demo finished in {:.1}s: {}",
        started.elapsed().as_secs_f64(),
        if ok {
            "every check passed"
        } else {
            "SOME CHECKS FAILED"
        }
    );
    Ok(ok)
}

/// Places the orders, kills a lease holder, waits for the orders and checks the end state.
async fn drive(
    demo: &Demo,
    store: &Arc<dyn Storage>,
    sandbox: &rxgate_sandbox::Sandbox,
    orders: &[(Value, usize)],
    fleet: &mut [(Launcher, Running, String)],
    balancer: &Balancer,
    options: &FleetOptions,
) -> anyhow::Result<bool> {
    for (order, _) in orders {
        let id = text(order, "/order/id");
        demo.put_order(id, order).await?;
        demo.trigger(id, "checkout_paid").await?;
    }
    demo.say(&format!("{} orders stored and paid", orders.len()));
    let deadline = Instant::now() + Duration::from_secs(20);
    let killed = kill_a_lease_holder(store, fleet, deadline).await?;
    let kill_ok = match killed {
        Some((index, held)) => {
            if let Ok(mut targets) = balancer.targets.lock() {
                if let Some(slot) = targets.get_mut(index) {
                    *slot = None;
                }
            }
            demo.say(&format!(
                "SIGKILLed instance i{index} while it held {held} claimed lease(s)"
            ));
            held > 0
        }
        None => {
            demo.say("no instance was seen holding a lease: nothing killed");
            false
        }
    };
    let timeout = Duration::from_secs(options.timeout_secs.max(30));
    let mut all_done = true;
    for (order, _) in orders {
        let id = text(order, "/order/id");
        let (done, panel) = demo
            .wait_for(id, timeout, |p| text(p, "/orderStatus") == "COMPLETED")
            .await?;
        demo.say(&format!(
            "{id}: {}",
            if done {
                "COMPLETED".to_owned()
            } else {
                format!("NOT completed ({})", text(&panel, "/orderStatus"))
            }
        ));
        all_done &= done;
    }
    // Every partner call settles, the dead instance's claims included (after their lease).
    let ids: Vec<String> = orders
        .iter()
        .map(|(o, _)| text(o, "/order/id").to_owned())
        .collect();
    let settle_by = Instant::now() + Duration::from_secs(40);
    let mut open_calls = usize::MAX;
    while Instant::now() < settle_by {
        let (s, ids) = (Arc::clone(store), ids.clone());
        open_calls = tokio::task::spawn_blocking(move || {
            let mut open = 0;
            for id in &ids {
                open += s
                    .calls_of(id)?
                    .iter()
                    .filter(|c| c.status == "pending")
                    .count();
            }
            Ok::<_, crate::store::StoreError>(open)
        })
        .await??;
        if open_calls == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    demo.say(&format!("partner calls still pending: {open_calls}"));
    // Late duplicates still in flight settle before the count.
    let settle = Instant::now() + Duration::from_secs(10);
    while sandbox.deliveries_in_flight() > 0 && Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut checks = check(store, sandbox, orders).await?;
    checks.check(
        kill_ok,
        "an instance was killed while holding leases".into(),
    );
    checks.check(all_done, "every order COMPLETED".into());
    checks.check(
        open_calls == 0,
        format!("every partner call settled ({open_calls} pending)"),
    );
    println!("\n=== Several instances: checks ===");
    for line in &checks.lines {
        println!("  {line}");
    }
    Ok(checks.ok)
}
