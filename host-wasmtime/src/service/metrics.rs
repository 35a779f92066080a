//! `/metrics`: Prometheus text exposition (0.0.4) through `prometheus-client`.
//!
//! Two kinds of metric, both with a `# HELP` line:
//! - **Event metrics** ([`Count`] counters, [`Timing`] histograms) are updated where the event
//!   happens (`state.metrics.inc(Count::…, labels)`, `state.metrics.observe(Timing::…, …)`).
//! - **Scrape-time gauges** (the store's [`Backlog`], `rxgate_build_info`) are read when
//!   `/metrics` is scraped ([`Scrape`]) and encoded from a registry built for that scrape, so a
//!   gauge never goes stale and a partner whose backlog empties disappears from the output.
//!
//! No PHI or secret in any label: routes are matched templates (never raw paths), and label
//! values are closed sets (methods, statuses, op names, sources, call kinds, partners,
//! outcomes). `docs/host.md` ("Metrics") says how a later change adds a metric.

use crate::store::Backlog;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;

/// The `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// The `method` label: one of the methods the routes answer, else `other` (a client chooses
/// the method: made-up ones would each make a series and carry its text into `/metrics`).
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    KNOWN
        .iter()
        .find(|(m, _)| m == method)
        .map_or("other", |(_, label)| label)
}

/// A label set: closed keys, sanitised values.
pub type Labels = Vec<(&'static str, String)>;

type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// The event counters (encoded as `<name>_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Count {
    /// `rxgate_http_requests_total{method,route,status}`.
    HttpRequests,
    /// `rxgate_rules_calls_total{op,outcome}`.
    RulesCalls,
    /// `rxgate_rules_reloads_total{swapped}`.
    RulesReloads,
    /// `rxgate_webhook_events_total{source,outcome}`.
    WebhookEvents,
    /// `rxgate_outbox_calls_total{kind,class}`.
    OutboxCalls,
    /// `rxgate_events_processed_total{source,outcome}` (outcome: `store::EventOutcome`).
    EventsProcessed,
}

impl Count {
    /// Every counter, registered at start.
    pub const ALL: [Count; 6] = [
        Count::HttpRequests,
        Count::RulesCalls,
        Count::RulesReloads,
        Count::WebhookEvents,
        Count::OutboxCalls,
        Count::EventsProcessed,
    ];

    /// The name without `_total`, and its help.
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Count::HttpRequests => (
                "rxgate_http_requests",
                "HTTP requests answered, by method, route template and status",
            ),
            Count::RulesCalls => (
                "rxgate_rules_calls",
                "Calls into the rules guest, by operation and outcome (ok, misuse, trap, timeout, ...)",
            ),
            Count::RulesReloads => (
                "rxgate_rules_reloads",
                "Rules component reloads, by whether the candidate was swapped in",
            ),
            Count::WebhookEvents => (
                "rxgate_webhook_events",
                "Inbound partner events, by source and outcome (accepted, duplicate, unauthorized, refused, misconfigured)",
            ),
            Count::OutboxCalls => (
                "rxgate_outbox_calls",
                "Partner calls sent from the outbox, by call kind and the rules' classification",
            ),
            Count::EventsProcessed => (
                "rxgate_events_processed",
                "Stored events the worker finished, by source and outcome (applied, duplicate, unmatched, rejected, deferred, failed)",
            ),
        }
    }
}

/// The duration histograms (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timing {
    /// `rxgate_http_request_duration_seconds{method,route}`.
    HttpRequest,
    /// `rxgate_rules_call_duration_seconds{op}`.
    RulesCall,
}

impl Timing {
    /// Every histogram, registered at start.
    pub const ALL: [Timing; 2] = [Timing::HttpRequest, Timing::RulesCall];

    fn describe(self) -> (&'static str, &'static str, fn() -> Histogram) {
        match self {
            Timing::HttpRequest => (
                "rxgate_http_request_duration_seconds",
                "HTTP request latency in seconds, by method and route template",
                || {
                    Histogram::new([
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0, 30.0,
                    ])
                },
            ),
            Timing::RulesCall => (
                "rxgate_rules_call_duration_seconds",
                "Rules guest call latency in seconds (queueing for an instance included), by operation",
                || {
                    Histogram::new([
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                        0.25, 1.0, 5.0,
                    ])
                },
            ),
        }
    }
}

/// What `/metrics` reads at scrape time.
#[derive(Debug, Clone)]
pub struct Scrape {
    /// The store's backlog (`None` when the store did not answer: the gauges are left out and
    /// `rxgate_store_up` is 0).
    pub backlog: Option<Backlog>,
    /// Orders the stuck-order sweep found stuck, by stage ([`super::sweep`]; `None` when the
    /// store did not answer).
    pub stuck: Option<BTreeMap<String, i64>>,
    /// Now, in Unix milliseconds (for the oldest-due ages).
    pub now_ms: i64,
    /// The active rules' digest.
    pub rules_digest: String,
}

/// The service's event metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    counters: BTreeMap<Count, Family<Labels, Counter>>,
    timings: BTreeMap<Timing, Histograms>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// A label value safe for the text format (quotes, backslashes and newlines replaced).
fn clean(value: &str) -> String {
    value.replace(['\\', '"', '\n'], "_")
}

fn labels(pairs: &[(&'static str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (*k, clean(v))).collect()
}

impl Metrics {
    /// Registers every [`Count`] and [`Timing`].
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let mut counters = BTreeMap::new();
        for count in Count::ALL {
            let (name, help) = count.describe();
            let family = Family::<Labels, Counter>::default();
            registry.register(name, help, family.clone());
            counters.insert(count, family);
        }
        let mut timings = BTreeMap::new();
        for timing in Timing::ALL {
            let (name, help, buckets) = timing.describe();
            let family: Histograms = Family::new_with_constructor(buckets);
            registry.register(name, help, family.clone());
            timings.insert(timing, family);
        }
        Self {
            registry,
            counters,
            timings,
        }
    }

    /// Adds one to a counter.
    pub fn inc(&self, count: Count, pairs: &[(&'static str, &str)]) {
        if let Some(family) = self.counters.get(&count) {
            family.get_or_create(&labels(pairs)).inc();
        }
    }

    /// Records one duration, in seconds.
    pub fn observe(&self, timing: Timing, pairs: &[(&'static str, &str)], seconds: f64) {
        if let Some(family) = self.timings.get(&timing) {
            family.get_or_create(&labels(pairs)).observe(seconds);
        }
    }

    /// The exposition text: the event metrics, then the scrape-time gauges.
    pub fn render(&self, scrape: &Scrape) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_text::encode(&mut out, &self.registry);
        let _ = prometheus_text::encode(&mut out, &scrape_registry(scrape));
        out
    }
}

/// A gauge family registered in `registry` under `name` with `help`.
fn gauge(registry: &mut Registry, name: &str, help: &str) -> Family<Labels, Gauge> {
    let family = Family::<Labels, Gauge>::default();
    registry.register(name, help, family.clone());
    family
}

/// The gauges read at scrape time.
fn scrape_registry(scrape: &Scrape) -> Registry {
    let mut r = Registry::default();
    let build = gauge(
        &mut r,
        "rxgate_build_info",
        "Always 1: the service's version and the active rules component's digest",
    );
    build
        .get_or_create(&labels(&[
            ("version", env!("CARGO_PKG_VERSION")),
            ("rules_digest", &scrape.rules_digest),
        ]))
        .set(1);
    let up = gauge(
        &mut r,
        "rxgate_store_up",
        "1 when the store answered the backlog query of this scrape, else 0",
    );
    up.get_or_create(&Vec::new())
        .set(i64::from(scrape.backlog.is_some()));
    if let Some(backlog) = &scrape.backlog {
        backlog_gauges(&mut r, backlog, scrape.now_ms);
    }
    if let Some(stuck) = &scrape.stuck {
        stuck_gauge(&mut r, stuck);
    }
    r
}

/// The diagnosis stages an open order can wait in (every one has a sample, 0 when none).
const OPEN_STAGES: [&str; 7] = [
    "payment",
    "intake",
    "beluga_submission",
    "medical_review",
    "prescription",
    "pharmacy_submission",
    "shipped",
];

/// Stuck orders by stage.
fn stuck_gauge(r: &mut Registry, stuck: &BTreeMap<String, i64>) {
    let g = gauge(
        r,
        "rxgate_stuck_orders",
        "Open orders the stuck-order sweep found escalating, by diagnosis stage",
    );
    for stage in OPEN_STAGES {
        g.get_or_create(&labels(&[("stage", stage)])).set(0);
    }
    for (stage, n) in stuck {
        g.get_or_create(&labels(&[("stage", stage)])).set(*n);
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The partners the outbox calls (a call kind's prefix).
const PARTNERS: [&str; 3] = ["beluga", "dispensepro", "lifefile"];

/// The store's backlog as gauges.
fn backlog_gauges(r: &mut Registry, backlog: &Backlog, now_ms: i64) {
    let pending = gauge(
        r,
        "rxgate_outbox_pending",
        "Partner calls pending in the outbox (due or waiting for their backoff), by partner",
    );
    let age = gauge(
        r,
        "rxgate_outbox_oldest_due_age_seconds",
        "Seconds since the oldest due pending call of a partner became due (0: none due)",
    );
    let parked = gauge(
        r,
        "rxgate_outbox_parked",
        "Partner calls parked for staff (failed, not retried without a staff action), by partner",
    );
    // Every partner has its samples, 0 when it has no calls: an alert on a series never
    // meets an absent one.
    for partner in PARTNERS {
        let l = labels(&[("partner", partner)]);
        pending.get_or_create(&l).set(0);
        parked.get_or_create(&l).set(0);
        age.get_or_create(&l).set(0);
    }
    for partner in &backlog.outbox {
        let l = labels(&[("partner", &partner.partner)]);
        pending.get_or_create(&l).set(count(partner.pending));
        parked.get_or_create(&l).set(count(partner.parked));
        let waited = partner
            .oldest_due_at
            .map_or(0, |due| (now_ms - due).max(0) / 1000);
        age.get_or_create(&l).set(waited);
    }
    for (name, help, value) in [
        (
            "rxgate_inbox_pending",
            "Inbound events stored and not yet processed",
            backlog.inbox_pending,
        ),
        (
            "rxgate_inbox_unmatched",
            "Inbound events that matched no order (retried as orders arrive)",
            backlog.unmatched,
        ),
        (
            "rxgate_inbox_deferred",
            "Inbound events the rules could not apply (retried after a rules reload)",
            backlog.deferred,
        ),
        (
            "rxgate_inbox_rejected",
            "Inbound events the rules rejected (flagged for staff; re-driven by an admin)",
            backlog.rejected,
        ),
        (
            "rxgate_inbox_failed",
            "Inbound events that broke the worker (caught, flagged for staff)",
            backlog.failed,
        ),
    ] {
        gauge(r, name, help)
            .get_or_create(&Vec::new())
            .set(count(value));
    }
    gauge(
        r,
        "rxgate_worker_oldest_pending_seconds",
        "Age of the oldest item waiting for the worker (an event not processed, a call due), in seconds: /readyz reports a stuck worker above worker.stuck_after_s",
    )
    .get_or_create(&Vec::new())
    .set(backlog.oldest_pending_age_s(now_ms));
}
