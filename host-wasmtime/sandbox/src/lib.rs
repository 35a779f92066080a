//! # rxgate-sandbox — rxgate's partners on loopback
//!
//! Nobody can try a Beluga integration without staging keys, and nobody can test what happens
//! when Beluga is down, slow, or sends the same webhook five times. This crate plays the
//! partners on `127.0.0.1`, for `rxgate demo` and for integration tests:
//!
//! - **Beluga** ([`beluga`]): every documented endpoint with its success bodies and documented
//!   error strings under their documented conditions (`Duplicate masterId`, `No match for
//!   {medId}`, `Company does not have that visit type`, `Patient not eligible for new visit`,
//!   HTTP 400 with an empty body for a wrong key, HTTP 200 with `status: 400` on fetches), visit
//!   state the fetches report, and a doctor who concludes each visit after a delay and sends
//!   `RX_WRITTEN`, `CONSULT_CONCLUDED` or `DOCTOR_CHAT` webhooks per a scripted [`Scenario`].
//! - **DispensePro** ([`pharmacy`]): accepts orders and sends Standard Webhooks signed status
//!   events (shipped with tracking, then delivered).
//! - **LifeFile** ([`pharmacy`]): `POST /lifefile/{pharmacy}/order` with Basic auth and the
//!   vendor headers, then Basic-auth pushes of prescription lines (`Shipped`, `Delivered`); a
//!   pharmacy can be told to refuse orders with HTTP 200 `{type: "error", messages}`
//!   ([`SandboxConfig::lifefile_refusals`]) or to hold its deliveries until released
//!   ([`Sandbox::lifefile_deliver`]).
//! - **OWN partner pharmacies** ([`Sandbox::own_ship`]): ship on request and send signed
//!   `order.shipped` / `order.delivered` webhooks.
//! - **Faults** ([`Faults`]): error rate, added latency, responses dropped after the partner
//!   committed (the next attempt meets `Duplicate masterId`), and webhook redelivery
//!   (duplicates, reordering, late arrival). Randomness is seeded: a run is reproducible.
//!
//! The sandbox is test tooling, not the core: it may read the clock and use randomness. Its
//! field checks are its own ([`beluga_rules`]: a table per endpoint written from the API
//! reference and decisions.md §2, never rxgate's contract validator), so a bug in rxgate's
//! validator shows up as a body the sandbox refuses or an error string that differs.

pub mod beluga;
pub mod beluga_rules;
pub mod pharmacy;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// What the doctor does with a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Concludes `prescribed` and sends `RX_WRITTEN` for the preferred medications.
    #[default]
    Prescribe,
    /// Concludes `referred`: no prescription.
    Refer,
    /// Sends a `DOCTOR_CHAT` first, then prescribes.
    ChatThenPrescribe,
    /// Cancels the visit (`CONSULT_CANCELED`).
    Cancel,
    /// Orders labs first: the requisition (a PDF), the kit shipped to and delivered to the
    /// patient, the sample shipped to and received by the lab, the results with a booking link,
    /// a follow-up booking; then prescribes.
    LabsThenPrescribe,
    /// Works the visit as [`Scenario::Prescribe`] (pending → active → resolved with its
    /// `rxHistory`, each with a later `updateTimestamp`) but sends no webhook: the service
    /// learns the visit's progress from visit fetches alone.
    SilentPrescribe,
}

/// Fault injection, per partner (`beluga_faults`, `pharmacy_faults`) or per endpoint
/// ([`SandboxConfig::endpoint_faults`]).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Share of calls answered HTTP 503 without doing anything (0.0–1.0).
    pub error_rate: f64,
    /// Share of calls that hang without doing anything until the caller gives up (its own
    /// timeout; the sandbox answers 504 after `hang_ms`).
    pub timeout_rate: f64,
    /// How long a hanging call hangs, in milliseconds (default 120 000).
    pub hang_ms: u64,
    /// Added latency per call, in milliseconds.
    pub latency_ms: u64,
    /// Share of calls that commit and then lose their answer (HTTP 502).
    pub drop_after_commit_rate: f64,
    /// Send every webhook twice.
    pub duplicate_webhooks: bool,
    /// Send a visit's or an order's webhooks in shuffled order.
    pub shuffle_webhooks: bool,
    /// Extra delay before webhooks, in milliseconds.
    pub late_webhooks_ms: u64,
}

/// Sandbox settings.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The Beluga API key the sandbox accepts.
    pub beluga_api_key: String,
    /// The only company Beluga knows.
    pub company: String,
    /// Visit types the company has.
    pub visit_types: Vec<String>,
    /// `medId`s enabled for the company.
    pub med_ids: Vec<String>,
    /// The secret Beluga sends its webhooks with (`Authorization: Bearer`).
    pub beluga_webhook_secret: String,
    /// Phones Beluga refuses with `Phone number error` (a number its checks reject).
    pub refused_phones: Vec<String>,
    /// (phone, visitType) pairs another Beluga client used this week (`not eligible`).
    pub taken_elsewhere: Vec<(String, String)>,
    /// What the doctor does, by patient phone (any spelling of the number); the default is [`Scenario::Prescribe`].
    pub scenarios: BTreeMap<String, Scenario>,
    /// Delay before the doctor concludes a visit, in milliseconds.
    pub doctor_delay_ms: u64,
    /// Beluga's own pharmacies (their Beluga `pharmacyId`s): a prescription for a visit sent
    /// with one of these is filled by Beluga, which then sends `PHARMACY_ORDER_*` and
    /// `PACKAGE_*` webhooks (created, in fulfillment, shipped with tracking, in transit, out
    /// for delivery, delivered) after `pharmacy_delay_ms`.
    pub beluga_pharmacies: Vec<String>,
    /// What the doctor writes on every prescribed med instead of the visit's preference
    /// (quantity, refills, `pharmacyNotes`); `None`: the preference as asked.
    pub doctor_writes: Option<DoctorWrites>,
    /// Prescriber NPIs DispensePro refuses (`422 {"error": "prescriber not accepted"}`): a 4xx
    /// staff fix on the order and retry.
    pub dispensepro_refused_npis: Vec<String>,
    /// DispensePro pharmacies: pharmacy id → (API key, `whsec_` webhook secret).
    pub dispensepro: BTreeMap<String, (String, String)>,
    /// Delay between DispensePro status events, in milliseconds.
    pub pharmacy_delay_ms: u64,
    /// OWN partner pharmacies: pharmacy id → `whsec_` webhook secret.
    pub own: BTreeMap<String, String>,
    /// LifeFile pharmacies: pharmacy id → credentials (API, then webhook).
    pub lifefile: BTreeMap<String, LifeFileCredentials>,
    /// LifeFile pharmacies that refuse every order with HTTP 200 `{type: "error", messages}`
    /// (LifeFile's error shape): pharmacy id → the messages. Nothing is created.
    pub lifefile_refusals: BTreeMap<String, Vec<String>>,
    /// LifeFile pharmacies that push `Shipped` but hold `Delivered` until
    /// [`Sandbox::lifefile_deliver`] releases it (one split route delivered before the other).
    pub lifefile_held_deliveries: Vec<String>,
    /// Faults of the Beluga API.
    pub beluga_faults: Faults,
    /// Faults of the pharmacy APIs (DispensePro, LifeFile).
    pub pharmacy_faults: Faults,
    /// Faults of single endpoints, replacing their partner's: keyed by path as the partner
    /// spells it (`/visit/createNoPayPhotos`, `/external/receiveChat`,
    /// `/visit/externalFetch`, `/patient/externalFetch`, `/dispensepro/orders`,
    /// `/lifefile/order`, …).
    pub endpoint_faults: BTreeMap<String, Faults>,
    /// Seed of every random choice.
    pub seed: u64,
    /// How many times a partner sends a webhook the service does not acknowledge before it
    /// gives up (default 5; a crash harness raises it so that partners outlast restarts).
    pub webhook_attempts: u32,
    /// Pause between two attempts of an unacknowledged webhook, in milliseconds (default 200).
    pub webhook_retry_ms: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            beluga_api_key: "sandbox-beluga-key".into(),
            company: "fuseHealthTestCompany".into(),
            visit_types: Vec::new(),
            med_ids: Vec::new(),
            beluga_webhook_secret: "sandbox-beluga-webhook-secret".into(),
            refused_phones: Vec::new(),
            taken_elsewhere: Vec::new(),
            scenarios: BTreeMap::new(),
            doctor_delay_ms: 300,
            beluga_pharmacies: Vec::new(),
            doctor_writes: None,
            dispensepro_refused_npis: Vec::new(),
            dispensepro: BTreeMap::new(),
            pharmacy_delay_ms: 300,
            own: BTreeMap::new(),
            lifefile: BTreeMap::new(),
            lifefile_refusals: BTreeMap::new(),
            lifefile_held_deliveries: Vec::new(),
            beluga_faults: Faults::default(),
            pharmacy_faults: Faults::default(),
            endpoint_faults: BTreeMap::new(),
            seed: 7,
            webhook_attempts: 5,
            webhook_retry_ms: 200,
        }
    }
}

/// What the sandbox doctor writes on each prescribed med.
#[derive(Debug, Clone, Default)]
pub struct DoctorWrites {
    /// `quantity`.
    pub quantity: String,
    /// `refills`.
    pub refills: String,
    /// `pharmacyNotes`.
    pub pharmacy_notes: String,
}

/// One LifeFile pharmacy's credentials.
#[derive(Debug, Clone, Default)]
pub struct LifeFileCredentials {
    /// API Basic user.
    pub username: String,
    /// API Basic password.
    pub password: String,
    /// The Basic user its webhooks send.
    pub webhook_username: String,
    /// The Basic password its webhooks send.
    pub webhook_password: String,
}

/// Something a partner did, for timelines and assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `beluga` or `dispensepro`.
    pub partner: &'static str,
    /// What happened (`visit_created`, `webhook_sent`, `order_created`, …).
    pub what: String,
    /// The visit's masterId or the order's externalId.
    pub subject: String,
}

/// One webhook a partner finished delivering to the service: acknowledged (HTTP 2xx), or
/// abandoned after [`SandboxConfig::webhook_attempts`]. A duplicate delivery (the
/// `duplicate_webhooks` fault) is a delivery of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The webhook route's source: `beluga`, `dispensepro`, `pharmacy` (OWN) or `lifefile`.
    pub source: &'static str,
    /// The route's path (`/api/webhooks/...`).
    pub path: String,
    /// What the partner calls the order: Beluga's masterId, else the app's order id
    /// (`externalId`, `externalOrderId`, LifeFile's `referenceId`).
    pub subject: String,
    /// The event: Beluga's `event`, a pharmacy's status.
    pub event: String,
    /// The JSON body as sent (LifeFile: the array of prescription lines).
    pub body: serde_json::Value,
    /// Attempts made.
    pub attempts: u32,
    /// Whether the service answered 2xx.
    pub acknowledged: bool,
}

/// What a webhook delivery is, for [`Shared::deliver`].
pub(crate) struct Outgoing<'a> {
    pub(crate) source: &'static str,
    pub(crate) path: String,
    pub(crate) subject: &'a str,
    pub(crate) event: &'a str,
    pub(crate) body: &'a serde_json::Value,
}

/// State shared by the partners.
pub(crate) struct Shared {
    pub(crate) config: SandboxConfig,
    pub(crate) service_url: Mutex<Option<String>>,
    pub(crate) rng: Mutex<fastrand::Rng>,
    pub(crate) log: Mutex<Vec<Record>>,
    pub(crate) http: reqwest::Client,
    pub(crate) beluga: Mutex<beluga::Visits>,
    pub(crate) orders: Mutex<Vec<pharmacy::PharmacyOrder>>,
    /// The bodies of the DispensePro orders accepted, in order.
    pub(crate) dispensepro_bodies: Mutex<Vec<serde_json::Value>>,
    pub(crate) deliveries: Mutex<Vec<Delivery>>,
    pub(crate) in_flight: std::sync::atomic::AtomicUsize,
    pub(crate) posts: Mutex<std::collections::BTreeMap<String, PostCount>>,
    pub(crate) beluga_down: std::sync::atomic::AtomicBool,
    /// Every request Beluga received: path, body members, answer ([`BelugaRequest`]).
    pub(crate) beluga_requests: Mutex<Vec<BelugaRequest>>,
}

/// One request that reached the sandbox's Beluga, as it came over the wire: which path, the
/// names of its JSON body's top-level members (never their values), and the HTTP status it
/// was answered with. Tests check what rxgate really sent against the reference's request
/// bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BelugaRequest {
    /// The request path (`/external/receivePhotos`, …).
    pub path: String,
    /// The body's top-level member names, in the order sent (empty for a non-object body).
    pub members: Vec<String>,
    /// The HTTP status Beluga answered.
    pub status: u16,
}

/// Keeps every request to Beluga ([`BelugaRequest`]) before the endpoint sees it; the body is
/// handed on unchanged.
async fn keep_beluga_request(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    let members = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    let response = next.run(request).await;
    if let Ok(mut kept) = shared.beluga_requests.lock() {
        kept.push(BelugaRequest {
            path,
            members,
            status: response.status().as_u16(),
        });
    }
    response
}

/// The POSTs that reached a partner for one idempotency key (Beluga: `beluga:{masterId}`;
/// pharmacies: `{partner}:{pharmacyId}:{externalId or referenceId}`), counted once the
/// request is authenticated and well-formed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostCount {
    /// Every POST for the key.
    pub posts: u32,
    /// POSTs that arrived after the partner had already accepted the key (a re-send that the
    /// partner's dedupe absorbed: `Duplicate masterId`, the order already accepted).
    pub resends: u32,
}

impl Shared {
    /// Counts one POST for `key`; `already` when the partner had accepted the key before.
    pub(crate) fn count_post(&self, key: String, already: bool) {
        if let Ok(mut posts) = self.posts.lock() {
            let count = posts.entry(key).or_default();
            count.posts += 1;
            if already {
                count.resends += 1;
            }
        }
    }

    pub(crate) fn record(&self, partner: &'static str, what: impl Into<String>, subject: &str) {
        if let Ok(mut log) = self.log.lock() {
            log.push(Record {
                partner,
                what: what.into(),
                subject: subject.to_owned(),
            });
        }
    }

    /// Posts one webhook to the service until it answers 2xx, at most
    /// `webhook_attempts` times `webhook_retry_ms` apart (the service URL is read again
    /// before each attempt, so a restarted service is found). `headers` gives each attempt's
    /// extra headers (a signature over a fresh timestamp). Records the [`Delivery`]; answers
    /// whether it was acknowledged.
    pub(crate) async fn deliver(
        &self,
        out: Outgoing<'_>,
        headers: impl Fn(&str) -> Vec<(&'static str, String)>,
    ) -> bool {
        use std::sync::atomic::Ordering;
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let text = out.body.to_string();
        let mut attempts = 0;
        let mut acknowledged = false;
        while attempts < self.config.webhook_attempts.max(1) {
            attempts += 1;
            if let Some(base) = self.service_url() {
                let mut request = self
                    .http
                    .post(format!("{base}{}", out.path))
                    .header("content-type", "application/json");
                for (name, value) in headers(&text) {
                    request = request.header(name, value);
                }
                let sent = request.body(text.clone()).send().await;
                if sent.is_ok_and(|r| r.status().is_success()) {
                    acknowledged = true;
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(
                self.config.webhook_retry_ms,
            ))
            .await;
        }
        if let Ok(mut log) = self.deliveries.lock() {
            log.push(Delivery {
                source: out.source,
                path: out.path,
                subject: out.subject.to_owned(),
                event: out.event.to_owned(),
                body: out.body.clone(),
                attempts,
                acknowledged,
            });
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        acknowledged
    }

    /// A seeded draw in `[0, 1)`.
    pub(crate) fn draw(&self) -> f64 {
        self.rng.lock().map(|mut r| r.f64()).unwrap_or(1.0)
    }

    pub(crate) fn shuffle<T>(&self, items: &mut [T]) {
        if let Ok(mut rng) = self.rng.lock() {
            rng.shuffle(items);
        }
    }

    pub(crate) fn service_url(&self) -> Option<String> {
        self.service_url.lock().ok().and_then(|u| u.clone())
    }

    /// The faults of a call to `endpoint`: its own when configured, else its partner's.
    pub(crate) fn faults<'a>(&'a self, partner: &'a Faults, endpoint: &str) -> &'a Faults {
        self.config.endpoint_faults.get(endpoint).unwrap_or(partner)
    }

    /// Applies a call's faults: latency, then maybe a hang or an error before doing anything.
    pub(crate) async fn before_call(&self, faults: &Faults) -> Result<(), axum::http::StatusCode> {
        if faults.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
        }
        if faults.timeout_rate > 0.0 && self.draw() < faults.timeout_rate {
            let hang = if faults.hang_ms == 0 {
                120_000
            } else {
                faults.hang_ms
            };
            self.record("sandbox", "call_hung", "");
            tokio::time::sleep(std::time::Duration::from_millis(hang)).await;
            return Err(axum::http::StatusCode::GATEWAY_TIMEOUT);
        }
        if self.draw() < faults.error_rate {
            return Err(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        }
        Ok(())
    }

    /// Whether to lose the answer of a call that committed.
    pub(crate) fn drop_after_commit(&self, faults: &Faults) -> bool {
        self.draw() < faults.drop_after_commit_rate
    }
}

/// A running sandbox: Beluga and DispensePro on two loopback ports.
pub struct Sandbox {
    shared: Arc<Shared>,
    beluga_addr: SocketAddr,
    pharmacy_addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl Sandbox {
    /// Starts both partners on ephemeral loopback ports.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let seed = config.seed;
        let shared = Arc::new(Shared {
            config,
            service_url: Mutex::new(None),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            log: Mutex::new(Vec::new()),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
            beluga: Mutex::new(beluga::Visits::default()),
            orders: Mutex::new(Vec::new()),
            dispensepro_bodies: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            posts: Mutex::new(std::collections::BTreeMap::new()),
            beluga_down: std::sync::atomic::AtomicBool::new(false),
            beluga_requests: Mutex::new(Vec::new()),
        });
        let (stop, rx) = watch::channel(false);
        let beluga = beluga::router(shared.clone()).layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            keep_beluga_request,
        ));
        let beluga_addr = serve(beluga, rx.clone()).await?;
        let pharmacy_addr = serve(pharmacy::router(shared.clone()), rx).await?;
        Ok(Sandbox {
            shared,
            beluga_addr,
            pharmacy_addr,
            stop,
        })
    }

    /// Beluga's base URL (`http://127.0.0.1:port/`).
    pub fn beluga_url(&self) -> String {
        format!("http://{}/", self.beluga_addr)
    }

    /// A LifeFile pharmacy's base URL (`…/lifefile/{pharmacy}/`).
    pub fn lifefile_url(&self, pharmacy_id: &str) -> String {
        format!("http://{}/lifefile/{pharmacy_id}/", self.pharmacy_addr)
    }

    /// DispensePro's base URL.
    pub fn dispensepro_url(&self) -> String {
        format!("http://{}/", self.pharmacy_addr)
    }

    /// Where webhooks go: the service's base URL (`http://127.0.0.1:8080`).
    pub fn set_service_url(&self, url: &str) {
        if let Ok(mut slot) = self.shared.service_url.lock() {
            *slot = Some(url.trim_end_matches('/').to_owned());
        }
    }

    /// Takes the Beluga API down (every call answered 503 before anything is done) or brings
    /// it back: a sustained partner outage.
    pub fn set_beluga_down(&self, down: bool) {
        self.shared
            .beluga_down
            .store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// Moves a visit one step as the doctor would, without a webhook: `pending` → `active`,
    /// then `active` → `resolved` (prescribed: its `rxHistory` written); each step with a
    /// later `updateTimestamp`. Answers the new status (None: no such visit, or terminal).
    pub fn advance_visit(&self, master_id: &str) -> Option<&'static str> {
        let mut visits = self.shared.beluga.lock().ok()?;
        let visit = visits.list.iter_mut().find(|v| v.master_id == master_id)?;
        match visit.status {
            "pending" => visit.set_status("active"),
            "active" => {
                beluga::conclude(visit, Scenario::SilentPrescribe, None);
            }
            _ => return None,
        }
        Some(visit.status)
    }

    /// The POSTs per idempotency key so far ([`PostCount`]).
    pub fn posts(&self) -> std::collections::BTreeMap<String, PostCount> {
        self.shared
            .posts
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// How many DispensePro orders the sandbox holds.
    pub fn dispensepro_orders(&self) -> usize {
        self.shared
            .orders
            .lock()
            .map(|o| o.len())
            .unwrap_or_default()
    }

    /// The bodies of the DispensePro orders the sandbox accepted (patient data: tests only).
    pub fn dispensepro_bodies(&self) -> Vec<serde_json::Value> {
        self.shared
            .dispensepro_bodies
            .lock()
            .map(|b| b.clone())
            .unwrap_or_default()
    }

    /// Requests that carried members the Beluga reference does not define for their endpoint
    /// (accepted, except on the lab endpoint, which refuses them): one record per request,
    /// `what` = `undocumented_members {path} {pointers}` (`beluga_rules`).
    pub fn undocumented_members(&self) -> Vec<Record> {
        self.log()
            .into_iter()
            .filter(|r| r.what.starts_with("undocumented_members "))
            .collect()
    }

    /// Every request Beluga received so far, in order ([`BelugaRequest`]).
    pub fn beluga_requests(&self) -> Vec<BelugaRequest> {
        self.shared
            .beluga_requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Everything the partners did so far.
    pub fn log(&self) -> Vec<Record> {
        self.shared
            .log
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// Every webhook delivery finished so far (acknowledged or abandoned), in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared
            .deliveries
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    /// Webhook deliveries under way (sent or waiting to be retried), not counting events a
    /// partner has not started sending yet.
    pub fn deliveries_in_flight(&self) -> usize {
        self.shared
            .in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// An OWN partner pharmacy ships the app's order `external_order_id` (its staff pressed
    /// "ship"): signed `order.shipped` then `order.delivered` webhooks to
    /// `/api/webhooks/pharmacy/{pharmacy_id}`, with the pharmacy faults applied.
    pub fn own_ship(&self, pharmacy_id: &str, external_order_id: &str) -> anyhow::Result<()> {
        let secret = self
            .shared
            .config
            .own
            .get(pharmacy_id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no OWN pharmacy {pharmacy_id} in the sandbox"))?;
        tokio::spawn(pharmacy::own_ship(
            self.shared.clone(),
            pharmacy_id.to_owned(),
            external_order_id.to_owned(),
            secret,
        ));
        Ok(())
    }

    /// A LifeFile pharmacy held back by [`SandboxConfig::lifefile_held_deliveries`] delivers
    /// its orders now: one `Delivered` push per order it holds. Answers how many orders.
    pub fn lifefile_deliver(&self, pharmacy_id: &str) -> anyhow::Result<usize> {
        let creds = self
            .shared
            .config
            .lifefile
            .get(pharmacy_id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no LifeFile pharmacy {pharmacy_id} in the sandbox"))?;
        let orders: Vec<pharmacy::PharmacyOrder> = self
            .shared
            .orders
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o.pharmacy_id == pharmacy_id)
            .collect();
        let count = orders.len();
        for order in orders {
            tokio::spawn(pharmacy::lifefile_pushes(
                self.shared.clone(),
                order,
                creds.clone(),
                vec![("Delivered", "2026-11-27T09:30:00")],
            ));
        }
        Ok(count)
    }

    /// Stops both servers.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

async fn serve(
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let shutdown = async move {
            while stop.changed().await.is_ok() {
                if *stop.borrow() {
                    break;
                }
            }
        };
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await;
    });
    Ok(addr)
}

/// Signs a body the Standard Webhooks way with the core's signer
/// (`rxgate_core::events::auth::sign_standard`): `v1,` + base64(HMAC-SHA256(key,
/// "{id}.{ts}.{body}")) with the key the base64 after `whsec_`. An undecodable secret signs
/// nothing (an empty signature, which every verifier refuses).
pub fn sign_standard(id: &str, timestamp: i64, body: &str, secret: &str) -> String {
    use rxgate_core::events::auth;
    auth::decode_standard_secret(secret)
        .and_then(|key| auth::sign_standard(&key, id, timestamp, body.as_bytes()))
        .unwrap_or_default()
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn standard_webhooks_published_vector() {
        let signature = super::sign_standard(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
