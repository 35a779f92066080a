//! The SIGKILL crash harness (issue 12, item 3; extended by issue 14): the real `rxgate serve`
//! binary against the partner sandbox on loopback, killed with SIGKILL at random moments while
//! partner webhooks stream in and partner calls are due, restarted on the same data folder
//! each time, then drained, stopped and checked (see [`invariants`], the only module that knows
//! the service's routes and tables).
//!
//! The run: a reference service applies two orders of every [`plan::Flow`] without kills (the
//! effects each flow must leave); then a fresh service takes a steady stream of new orders
//! (stored, paid, auto-submitted through the EMR API) whose partners — the sandbox's Beluga
//! doctor and pharmacy, DispensePro, LifeFile and an OWN pharmacy — post their signed webhooks
//! and retry each one until the service acknowledges it, as real partners do. The harness kills
//! the service `RXGATE_CRASH_KILLS` times, each after a random up-time, and records whether
//! work was pending at the kill (inbox rows not processed, partner calls due: read from the
//! SQLite file, read-only, while the service is down). It samples order panels throughout for
//! rewound statuses.
//!
//! Parameters (environment): `RXGATE_CRASH_KILLS` (50), `RXGATE_CRASH_SEED` (1),
//! `RXGATE_CRASH_RATE` (orders admitted per second while the service is up, 8),
//! `RXGATE_CRASH_UP_MS` (`min-max` up-time before each kill, `200-1000`),
//! `RXGATE_CRASH_MAX_SECS` (budget of the kill phase, 240), `RXGATE_CRASH_DRAIN_SECS` (120),
//! `RXGATE_CRASH_BIN` (the `rxgate` binary; default the one this test build made),
//! `RXGATE_CRASH_DIR` (where the run's data, configs and service logs go; kept when set),
//! `RXGATE_CRASH_PG` (`1`: the services run on PostgreSQL, each in a fresh schema of the
//! database `RXGATE_TEST_PG_URL` names, with the shortest lease the request timeout allows).

mod invariants;
mod plan;

use invariants::{Acknowledged, Findings, Observation, PendingWork, Profile};
use plan::{Flow, Planned};
use rxgate_host::demo::process::{self, Launcher, Running};
use rxgate_host::demo::{Demo, Harness};
use rxgate_sandbox::Sandbox;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Share of kills that must hit while work was pending.
const MIN_PENDING_SHARE: f64 = 0.8;

/// The run's parameters.
#[derive(Debug, Clone)]
struct Params {
    kills: u32,
    seed: u64,
    rate: f64,
    up_ms: (u64, u64),
    max_secs: u64,
    drain_secs: u64,
    bin: PathBuf,
    dir: Option<PathBuf>,
    pg: Option<String>,
}

fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

impl Params {
    fn from_env() -> Self {
        let up = std::env::var("RXGATE_CRASH_UP_MS").unwrap_or_default();
        let up_ms = up
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .filter(|(a, b)| a <= b)
            .unwrap_or((200, 1000));
        Self {
            kills: var("RXGATE_CRASH_KILLS", 50),
            seed: var("RXGATE_CRASH_SEED", 1),
            rate: var("RXGATE_CRASH_RATE", 8.0f64).max(0.1),
            up_ms,
            max_secs: var("RXGATE_CRASH_MAX_SECS", 240),
            drain_secs: var("RXGATE_CRASH_DRAIN_SECS", 120),
            bin: std::env::var_os("RXGATE_CRASH_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_rxgate"))),
            dir: std::env::var_os("RXGATE_CRASH_DIR").map(PathBuf::from),
            pg: (std::env::var("RXGATE_CRASH_PG").as_deref() == Ok("1"))
                .then(|| std::env::var("RXGATE_TEST_PG_URL").unwrap_or_default()),
        }
    }
}

/// An order the clinic app has stored and paid.
#[derive(Debug, Clone)]
struct Admitted {
    id: String,
    flow: Flow,
    master_id: Option<String>,
}

/// What the driver tasks share.
struct Run {
    client: Demo,
    sandbox: Arc<Sandbox>,
    admitted: Mutex<Vec<Admitted>>,
    last_seen: Mutex<HashMap<String, Observation>>,
    rewinds: Mutex<Vec<String>>,
    own_shipped: Mutex<HashSet<String>>,
    stop_admitting: AtomicBool,
    stop: AtomicBool,
    panels_read: AtomicUsize,
    admissions_failed: AtomicUsize,
    /// One panel read at a time: two reads answering out of order would look like a rewind.
    reading: tokio::sync::Mutex<()>,
}

impl Run {
    fn new(url: &str, sandbox: Arc<Sandbox>) -> Arc<Self> {
        Arc::new(Self {
            client: Demo::new(url, Instant::now()),
            sandbox,
            admitted: Mutex::new(Vec::new()),
            last_seen: Mutex::new(HashMap::new()),
            rewinds: Mutex::new(Vec::new()),
            own_shipped: Mutex::new(HashSet::new()),
            stop_admitting: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            panels_read: AtomicUsize::new(0),
            admissions_failed: AtomicUsize::new(0),
            reading: tokio::sync::Mutex::new(()),
        })
    }

    fn admitted(&self) -> Vec<Admitted> {
        self.admitted.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// An order's panel, observed and checked against its last observation; None while the
    /// service does not answer.
    async fn look(&self, id: &str) -> Option<(Value, Observation)> {
        let _one_at_a_time = self.reading.lock().await;
        let (status, panel) = self
            .client
            .api(reqwest::Method::GET, &invariants::panel_path(id), None)
            .await
            .ok()?;
        if status != 200 {
            return None;
        }
        self.panels_read.fetch_add(1, Ordering::Relaxed);
        let seen = invariants::observe(&panel);
        if let Ok(mut last) = self.last_seen.lock() {
            if let Some(before) = last.get(id) {
                let back = invariants::rewinds(before, &seen);
                if let Ok(mut rewinds) = self.rewinds.lock() {
                    rewinds.extend(back.into_iter().map(|r| format!("{id}: {r}")));
                }
            }
            last.insert(id.to_owned(), seen.clone());
        }
        Some((panel, seen))
    }

    /// The clinic app stores the order and fires `checkout_paid`, retrying through restarts;
    /// a retry first reads the panel so that a submission already queued is not asked again.
    async fn admit(&self, order: &Planned) {
        let id = &order.id;
        // A clinic app gives up after a minute; so does the harness (and reports it).
        let deadline = Instant::now() + Duration::from_secs(60);
        let gave_up = || {
            let over = Instant::now() > deadline;
            if over {
                self.admissions_failed.fetch_add(1, Ordering::SeqCst);
            }
            over
        };
        while self.client.put_order(id, &order.snapshot).await.is_err() {
            if gave_up() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let path = format!("/api/emr/orders/{id}/triggers");
        let body = json!({ "trigger": "checkout_paid" });
        let master_id = loop {
            let answer = self
                .client
                .api(reqwest::Method::POST, &path, Some(&body))
                .await;
            if let Ok((200 | 409, answer)) = &answer {
                if let Some(m) = answer.get("masterId").and_then(Value::as_str) {
                    break Some(m.to_owned());
                }
            }
            if gave_up() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Some((panel, _)) = self.look(id).await {
                let queued = panel["calls"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["kind"] == "beluga_submit");
                if queued {
                    break panel["masterId"].as_str().map(str::to_owned);
                }
            }
        };
        if let Ok(mut admitted) = self.admitted.lock() {
            admitted.push(Admitted {
                id: id.clone(),
                flow: order.flow,
                master_id,
            });
        }
    }
}

/// Admits `orders` at `rate` per second of service up-time until told to stop.
async fn admit_all(run: Arc<Run>, orders: Vec<Planned>, rate: f64) {
    let mut tokens = 0.0f64;
    let mut last = Instant::now();
    for order in orders {
        loop {
            if run.stop_admitting.load(Ordering::SeqCst) {
                return;
            }
            tokens = (tokens + last.elapsed().as_secs_f64() * rate).min(rate.max(1.0));
            last = Instant::now();
            if tokens >= 1.0 {
                tokens -= 1.0;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        run.admit(&order).await;
    }
}

/// The OWN pharmacy's staff ship an order once its visit is concluded (its `RX_WRITTEN` came
/// first), as the sandbox's other pharmacies do after their order.
async fn ship_own_orders(run: Arc<Run>) {
    while !run.stop.load(Ordering::SeqCst) {
        let concluded: HashSet<String> = run
            .sandbox
            .deliveries()
            .into_iter()
            .filter(|d| d.acknowledged && d.event == "CONSULT_CONCLUDED")
            .map(|d| d.subject)
            .collect();
        for order in run.admitted() {
            let due = order.flow == Flow::Own
                && order
                    .master_id
                    .as_ref()
                    .is_some_and(|m| concluded.contains(m))
                && run
                    .own_shipped
                    .lock()
                    .map(|mut s| s.insert(order.id.clone()))
                    .unwrap_or(false);
            if due {
                let _ = run.sandbox.own_ship(plan::OWN_PHARMACY, &order.id);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Reads random orders' panels all along, looking for rewound statuses.
async fn sample_panels(run: Arc<Run>, seed: u64) {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5a5a);
    while !run.stop.load(Ordering::SeqCst) {
        let admitted = run.admitted();
        if !admitted.is_empty() {
            let pick = &admitted[rng.usize(..admitted.len())];
            let _ = run.look(&pick.id).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until every admitted order is final (`done`), or nothing changed for 15 s with no
/// webhook under way, or `limit` passed; answers each order's last observation.
async fn drain(
    run: &Run,
    limit: Duration,
    done: impl Fn(&Admitted, &Observation) -> bool,
) -> HashMap<String, Observation> {
    let deadline = Instant::now() + limit;
    let mut finals: HashMap<String, Observation> = HashMap::new();
    let mut last_change = Instant::now();
    let mut last_deliveries = 0;
    loop {
        let admitted = run.admitted();
        for order in &admitted {
            if finals.get(&order.id).is_some_and(|o| done(order, o)) {
                continue;
            }
            if let Some((_, seen)) = run.look(&order.id).await {
                if finals.get(&order.id) != Some(&seen) {
                    last_change = Instant::now();
                }
                finals.insert(order.id.clone(), seen);
            }
        }
        let deliveries = run.sandbox.deliveries().len();
        if deliveries != last_deliveries {
            last_deliveries = deliveries;
            last_change = Instant::now();
        }
        let idle = run.sandbox.deliveries_in_flight() == 0;
        let all_done = admitted
            .iter()
            .all(|o| finals.get(&o.id).is_some_and(|f| done(o, f)));
        if idle && (all_done || last_change.elapsed() > Duration::from_secs(15)) {
            return finals;
        }
        if Instant::now() > deadline {
            return finals;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every admitted order's panel once more, after a pause: what the drained service shows
/// (a status can be written a moment before the records of the same event).
async fn final_pass(run: &Run) -> HashMap<String, Observation> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut finals = HashMap::new();
    for order in run.admitted() {
        for _ in 0..20 {
            if let Some((_, seen)) = run.look(&order.id).await {
                finals.insert(order.id.clone(), seen);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    finals
}

/// The reference: two orders of every flow through a service that is never killed.
struct Reference {
    profiles: BTreeMap<Flow, Profile>,
    finals: BTreeMap<Flow, Observation>,
}

async fn reference(
    launcher: &Launcher,
    sandbox: &Arc<Sandbox>,
    orders: Vec<Planned>,
    http: &reqwest::Client,
) -> anyhow::Result<Reference> {
    let service = launcher.start(http, Duration::from_secs(300)).await?;
    let run = Run::new(&launcher.url, sandbox.clone());
    let shipper = tokio::spawn(ship_own_orders(run.clone()));
    for order in &orders {
        run.admit(order).await;
    }
    drain(&run, Duration::from_secs(120), |_, o| {
        invariants::reference_complete(o)
    })
    .await;
    let finals = final_pass(&run).await;
    run.stop.store(true, Ordering::SeqCst);
    let _ = shipper.await;
    service.terminate(Duration::from_secs(30)).await;
    let stored = invariants::read_store(&store_of(launcher))?;
    let mut reference = Reference {
        profiles: BTreeMap::new(),
        finals: BTreeMap::new(),
    };
    for order in &orders {
        let profile = stored.profiles.get(&order.id).cloned().unwrap_or_default();
        let last = finals.get(&order.id).cloned().unwrap_or_default();
        anyhow::ensure!(
            invariants::reference_complete(&last) && !profile.is_empty(),
            "reference order {} ({:?}) did not complete without kills: {last:?}",
            order.id,
            order.flow
        );
        if let Some(first) = reference.profiles.get(&order.flow) {
            let differs = invariants::profile_differences(first, &profile);
            anyhow::ensure!(
                differs.is_empty() && reference.finals.get(&order.flow) == Some(&last),
                "two reference orders of {:?} differ: the flow is not deterministic: {differs:?} {:?} vs {last:?}",
                order.flow,
                reference.finals.get(&order.flow)
            );
        }
        reference.profiles.insert(order.flow, profile);
        reference.finals.insert(order.flow, last);
    }
    Ok(reference)
}

/// Figures of the kill phase.
#[derive(Debug, Default, serde::Serialize)]
struct KillFigures {
    kills: u32,
    kills_with_pending_work: u32,
    pending_inbox_rows_at_kills: u64,
    pending_calls_at_kills: u64,
    restart_ms: Vec<u64>,
    kill_phase_secs: f64,
}

/// Kills and restarts the service until `params.kills` or the time budget; answers the
/// service left running for the drain.
async fn kill_loop(
    params: &Params,
    launcher: &Launcher,
    http: &reqwest::Client,
    figures: &mut KillFigures,
) -> anyhow::Result<Running> {
    let mut rng = fastrand::Rng::with_seed(params.seed);
    let started = Instant::now();
    let budget = Duration::from_secs(params.max_secs);
    let mut service = launcher.start(http, Duration::from_secs(300)).await?;
    // With no kills asked (a control run), the service runs calm for the whole budget.
    while started.elapsed() < budget && (params.kills == 0 || figures.kills < params.kills) {
        let up = rng.u64(params.up_ms.0..=params.up_ms.1);
        tokio::time::sleep(Duration::from_millis(up)).await;
        if params.kills == 0 {
            continue;
        }
        service.kill();
        let killed = Instant::now();
        figures.kills += 1;
        let at = rxgate_host::service::now_ms();
        let pending: PendingWork = invariants::pending_work(&store_of(launcher), at)?;
        figures.kills_with_pending_work += u32::from(pending.any());
        figures.pending_inbox_rows_at_kills += pending.inbox;
        figures.pending_calls_at_kills += pending.outbox_due;
        service = launcher.start(http, Duration::from_secs(120)).await?;
        figures
            .restart_ms
            .push(u64::try_from(killed.elapsed().as_millis()).unwrap_or(u64::MAX));
    }
    figures.kill_phase_secs = started.elapsed().as_secs_f64();
    Ok(service)
}

/// Everything the run measured.
#[derive(Debug, serde::Serialize)]
struct Outcome {
    seed: u64,
    orders_admitted: usize,
    orders_final: usize,
    kill: KillFigures,
    findings: Findings,
    rewinds: Vec<String>,
    deliveries_abandoned: usize,
    left_pending: u64,
    admissions_failed: usize,
    panels_read: usize,
    drain_secs: f64,
    /// Partner POSTs per partner: (keys accepted, re-sends that reached the partner after it
    /// had accepted the key).
    partner_posts: BTreeMap<String, (u32, u32)>,
}

async fn crash_run(params: &Params) -> anyhow::Result<Outcome> {
    let dir = params.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "rxgate-crash-{}-{}",
            std::process::id(),
            rxgate_host::service::now_ms()
        ))
    });
    std::fs::create_dir_all(&dir)?;
    let mut rng = fastrand::Rng::with_seed(params.seed);
    let references = plan::orders("crash_ref_", plan::FLOWS.len() * 2, 0, &mut rng, true)?;
    let pool = (params.rate * params.max_secs as f64 * 1.5) as usize + 50;
    let orders = plan::orders("crash_", pool, 1_000, &mut rng, false)?;
    let templates = plan::templates()?;
    let template_refs: Vec<&Value> = templates.iter().collect();
    let all: Vec<&Planned> = references.iter().chain(orders.iter()).collect();
    // Partners retry an unacknowledged webhook for 10 minutes: longer than any restart.
    let (sandbox, config) = Harness::partners(&template_refs, |c| {
        plan::tune(c, &all, 600_000);
        c.seed = params.seed;
    })
    .await?;
    let sandbox = Arc::new(sandbox);
    let port = process::free_port()?;
    let http = reqwest::Client::new();
    let reference_launcher = Launcher::new(
        &params.bin,
        on_database(params, config.clone()).await?,
        &dir,
        "reference",
        port,
    )?;
    sandbox.set_service_url(&reference_launcher.url);
    let reference = reference(&reference_launcher, &sandbox, references, &http).await?;
    let launcher = Launcher::new(
        &params.bin,
        on_database(params, config).await?,
        &dir,
        "crash",
        port,
    )?;
    let outcome = kill_and_check(params, &launcher, &sandbox, orders, &reference, &http).await;
    sandbox.shutdown();
    if params.dir.is_none() && outcome.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

/// The configuration on the run's database: unchanged for SQLite; for PostgreSQL a fresh
/// schema and the shortest lease (a killed process's claims end after the request timeout +
/// 10 s: nothing lapses them at a restart, as SQLite's single process does).
async fn on_database(
    params: &Params,
    mut config: rxgate_host::config::Config,
) -> anyhow::Result<rxgate_host::config::Config> {
    if let Some(url) = params.pg.clone() {
        anyhow::ensure!(
            !url.is_empty(),
            "RXGATE_CRASH_PG=1 needs RXGATE_TEST_PG_URL"
        );
        let (schema_url, _) =
            tokio::task::spawn_blocking(move || rxgate_host::demo::fleet::fresh_schema(&url))
                .await??;
        config.database = Some(schema_url.into());
        config.outbox.lease_ms = 0;
    }
    Ok(config)
}

/// Where a launcher's service keeps its store.
fn store_of(launcher: &Launcher) -> invariants::Database {
    match &launcher.database {
        Some(url) if url.starts_with("postgres") => invariants::Database::Postgres(url.clone()),
        _ => invariants::Database::Sqlite(invariants::database(&launcher.data_dir)),
    }
}

async fn kill_and_check(
    params: &Params,
    launcher: &Launcher,
    sandbox: &Arc<Sandbox>,
    orders: Vec<Planned>,
    reference: &Reference,
    http: &reqwest::Client,
) -> anyhow::Result<Outcome> {
    let run = Run::new(&launcher.url, sandbox.clone());
    // The reference's deliveries (all finished: it drained) belong to the reference's store.
    let earlier = sandbox.deliveries().len();
    let admitter = tokio::spawn(admit_all(run.clone(), orders, params.rate));
    let shipper = tokio::spawn(ship_own_orders(run.clone()));
    let sampler = tokio::spawn(sample_panels(run.clone(), params.seed));
    let mut kill = KillFigures::default();
    let service = kill_loop(params, launcher, http, &mut kill).await?;
    run.stop_admitting.store(true, Ordering::SeqCst);
    let _ = admitter.await;
    let drained = Instant::now();
    drain(&run, Duration::from_secs(params.drain_secs), |o, seen| {
        reference.finals.get(&o.flow) == Some(seen)
    })
    .await;
    let finals = final_pass(&run).await;
    let drain_secs = drained.elapsed().as_secs_f64();
    run.stop.store(true, Ordering::SeqCst);
    let _ = (shipper.await, sampler.await);
    service.terminate(Duration::from_secs(30)).await;
    let db = store_of(launcher);
    let deliveries: Vec<_> = sandbox.deliveries().into_iter().skip(earlier).collect();
    let posts = sandbox.posts();
    let mut outcome = examine(&db, &run, reference, &deliveries, &finals, &posts)?;
    for (key, count) in posts {
        let partner = key.split(':').next().unwrap_or("").to_owned();
        let entry = outcome.partner_posts.entry(partner).or_default();
        entry.0 += 1;
        entry.1 += count.resends;
    }
    outcome.seed = params.seed;
    outcome.kill = kill;
    outcome.drain_secs = drain_secs;
    Ok(outcome)
}

/// Reads the stopped service's store and checks it (see [`invariants`]).
fn examine(
    db: &invariants::Database,
    run: &Run,
    reference: &Reference,
    deliveries: &[rxgate_sandbox::Delivery],
    finals: &HashMap<String, Observation>,
    posts: &BTreeMap<String, rxgate_sandbox::PostCount>,
) -> anyhow::Result<Outcome> {
    // `lifefile:<pharmacy>:<referenceId>`, the referenceId being the clinic's order id.
    let mut lifefile_arrived: HashMap<&str, usize> = HashMap::new();
    for key in posts.keys() {
        if let Some(("lifefile", rest)) = key.split_once(':') {
            if let Some((_, order)) = rest.split_once(':') {
                *lifefile_arrived.entry(order).or_default() += 1;
            }
        }
    }
    let left_pending = invariants::pending_work(db, i64::MAX)?;
    let stored = invariants::read_store(db)?;
    let acknowledged: Vec<Acknowledged> = deliveries
        .iter()
        .filter(|d| d.acknowledged)
        .map(|d| Acknowledged {
            source: d.source.to_owned(),
            body: d.body.clone(),
        })
        .collect();
    let admitted = run.admitted();
    let empty = Profile::new();
    let blank = Observation::default();
    let checked: Vec<invariants::Expected<'_>> = admitted
        .iter()
        .map(|o| invariants::Expected {
            order_id: o.id.clone(),
            profile: reference.profiles.get(&o.flow).unwrap_or(&empty),
            final_panel: reference.finals.get(&o.flow).unwrap_or(&blank),
            last_seen: finals.get(&o.id),
            lifefile_arrived: lifefile_arrived.get(o.id.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let findings = invariants::check(&stored, &acknowledged, &checked);
    Ok(Outcome {
        seed: 0,
        orders_admitted: admitted.len(),
        orders_final: admitted.len() - findings.final_state_differs,
        kill: KillFigures::default(),
        findings,
        rewinds: run.rewinds.lock().map(|r| r.clone()).unwrap_or_default(),
        deliveries_abandoned: deliveries.iter().filter(|d| !d.acknowledged).count(),
        left_pending: left_pending.inbox + left_pending.outbox_due,
        admissions_failed: run.admissions_failed.load(Ordering::SeqCst),
        panels_read: run.panels_read.load(Ordering::Relaxed),
        drain_secs: 0.0,
        partner_posts: BTreeMap::new(),
    })
}

fn mean(values: &[u64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<u64>() as f64 / values.len() as f64
}

fn print_figures(params: &Params, o: &Outcome) {
    let f = &o.findings;
    let k = &o.kill;
    let share = f64::from(k.kills_with_pending_work) / f64::from(k.kills.max(1));
    println!(
        "\n=== rxgate SIGKILL harness: seed {}, {} ===",
        o.seed,
        params.bin.display()
    );
    println!("kills                          {}", k.kills);
    println!(
        "kills with pending work        {} ({:.0} %; {} inbox rows and {} due calls pending in all)",
        k.kills_with_pending_work,
        share * 100.0,
        k.pending_inbox_rows_at_kills,
        k.pending_calls_at_kills
    );
    println!(
        "orders admitted                {} ({} reached their final state, {} could not be admitted)",
        o.orders_admitted, o.orders_final, o.admissions_failed
    );
    println!("webhooks acknowledged          {}", f.acknowledged);
    println!(
        "acknowledged then lost         {}",
        f.acknowledged_then_lost
    );
    println!(
        "inbox rows not applied         {} {:?}",
        f.not_applied_total(),
        f.not_applied
    );
    println!(
        "lost effects                   {} in {} orders ({} of them marked applied) {:?}",
        f.lost(),
        f.orders_missing_effects,
        f.orders_applied_with_effects_missing,
        f.lost_effects
    );
    println!(
        "duplicated effects             {} {:?}",
        f.duplicated(),
        f.duplicated_effects
    );
    println!("duplicate inbox rows           {}", f.duplicate_inbox_rows);
    println!(
        "parked in flight (not re-sent) {} {:?}",
        f.parked_in_flight.values().sum::<usize>(),
        f.parked_in_flight
    );
    println!(
        "  of them never reached LifeFile {} (in {} orders left to staff: their LifeFile-borne effects not expected, final panel not compared)",
        f.parked_never_arrived, f.orders_waiting_for_staff
    );
    for order in f.differing_orders.iter().take(10) {
        println!("  differs: {order}");
    }
    for (partner, (accepted, resends)) in &o.partner_posts {
        println!("partner re-sends {partner:<13} {resends} (of {accepted} keys accepted)");
    }
    println!("rewinds                        {}", o.rewinds.len());
    for r in o.rewinds.iter().take(10) {
        println!("  {r}");
    }
    println!("orders not in final state      {}", f.final_state_differs);
    println!(
        "restart time                   mean {:.0} ms, max {} ms",
        mean(&k.restart_ms),
        k.restart_ms.iter().max().copied().unwrap_or(0)
    );
    println!(
        "kill phase {:.0} s, drain {:.0} s ({} inbox rows and calls left pending), {} panels read, {} partner deliveries abandoned",
        k.kill_phase_secs, o.drain_secs, o.left_pending, o.panels_read, o.deliveries_abandoned
    );
    println!(
        "crash-figures: {}",
        serde_json::to_string(o).unwrap_or_default()
    );
}

/// What makes the run fail: the run did not prove anything, or an invariant broke.
fn failures(params: &Params, o: &Outcome) -> Vec<String> {
    let k = &o.kill;
    let share = f64::from(k.kills_with_pending_work) / f64::from(k.kills.max(1));
    let meaningful = [
        (
            k.kills >= params.kills,
            format!("{} kills of {} in the time budget", k.kills, params.kills),
        ),
        (
            k.kills == 0 || share >= MIN_PENDING_SHARE,
            format!("only {:.0} % of kills hit pending work", share * 100.0),
        ),
        (
            o.admissions_failed == 0,
            format!(
                "{} orders could not be stored and paid",
                o.admissions_failed
            ),
        ),
        (
            o.left_pending == 0,
            format!(
                "not drained: {} inbox rows and calls pending",
                o.left_pending
            ),
        ),
        (
            o.deliveries_abandoned == 0,
            format!("{} webhooks abandoned by partners", o.deliveries_abandoned),
        ),
        (
            o.findings.acknowledged > 0,
            "no webhook was acknowledged".to_owned(),
        ),
    ];
    meaningful
        .into_iter()
        .chain(broken(o))
        .filter(|(ok, _)| !ok)
        .map(|(_, what)| what)
        .collect()
}

/// The invariants, each with what it says when broken.
fn broken(o: &Outcome) -> Vec<(bool, String)> {
    let f = &o.findings;
    vec![
        (
            f.acknowledged_then_lost == 0,
            format!("{} acknowledged webhooks lost", f.acknowledged_then_lost),
        ),
        (
            f.not_applied_total() == 0,
            format!("inbox rows not applied: {:?}", f.not_applied),
        ),
        (
            f.lost() == 0,
            format!("{} effects lost: {:?}", f.lost(), f.lost_effects),
        ),
        (
            f.duplicated() == 0,
            format!(
                "{} effects duplicated: {:?}",
                f.duplicated(),
                f.duplicated_effects
            ),
        ),
        (
            f.duplicate_inbox_rows == 0,
            format!("{} duplicate inbox rows", f.duplicate_inbox_rows),
        ),
        (o.rewinds.is_empty(), format!("{} rewinds", o.rewinds.len())),
        (
            o.partner_posts.get("lifefile").is_none_or(|(_, r)| *r == 0),
            "a LifeFile order reached LifeFile twice".to_owned(),
        ),
        (
            f.final_state_differs == 0,
            format!("{} orders not in their final state", f.final_state_differs),
        ),
        (
            f.orders_unknown == 0,
            format!("{} admitted orders unknown to the store", f.orders_unknown),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the SIGKILL crash harness takes minutes: scripts/stages/55-crash.sh and scripts/crash.sh run it"]
async fn sigkill_harness() {
    let params = Params::from_env();
    let outcome = match crash_run(&params).await {
        Ok(outcome) => outcome,
        Err(e) => panic!("the crash harness could not run: {e:#}"),
    };
    print_figures(&params, &outcome);
    let failed = failures(&params, &outcome);
    assert!(
        failed.is_empty(),
        "the crash harness failed:\n- {}",
        failed.join("\n- ")
    );
}
