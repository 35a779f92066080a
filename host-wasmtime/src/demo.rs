//! `rxgate demo`: the real service, an embedded SQLite database in a temporary folder, and the
//! partner sandbox on loopback — then five example orders driven end to end through the
//! service's own HTTP API, exactly as the clinic app and the partners would:
//!
//! 1. a ready paid order: auto-submit → prescription → DispensePro → shipped → delivered;
//! 2. an order whose phone Beluga refuses: `FAILED` with its class and guidance → the phone is
//!    corrected → staff retry (same masterId) → `SUBMITTED`;
//! 3. an order waiting on the patient's intake correction (never sent);
//! 4. a Belmar order whose items go to two LifeFile pharmacies: one LifeFile order each;
//! 5. a visit the doctor refers (no prescription; escalated on a paid order).
//!
//! It ends with a timeline per order and the diagnosis a CS agent reads, and fails (exit 1)
//! when an order does not reach the state the guides say it should.

pub mod fleet;
pub mod process;

use crate::config::{Config, DispenseProConfig, Environment, LifeFileConfig, OwnPharmacyConfig};
use crate::keys::Scope;
use rxgate_sandbox::{Sandbox, SandboxConfig, Scenario};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The EMR API key the demo and its harness provision.
pub const EMR_KEY: &str = "demo-emr-key-0123456789abcdef";
const PORTAL_KEY: &str = "demo-portal-key-0123456789abcdef";
const PORTAL_TOKEN_SECRET: &str = "demo-portal-token-secret-0123456789";
const BELUGA_KEY: &str = "demo-beluga-api-key";
const BELUGA_SECRET: &str = "demo-beluga-webhook-secret";
/// `whsec_` + base64 of a 24-byte demo key.
const DISPENSEPRO_SECRET: &str = "whsec_ZGVtby1kaXNwZW5zZXByby1zZWNyZXQtMDE=";
const DISPENSEPRO_KEY: &str = "demo-dispensepro-key";
const LIFEFILE_USER: &str = "demo-lifefile-user";
const LIFEFILE_PASSWORD: &str = "demo-lifefile-password";
const LIFEFILE_WEBHOOK_USER: &str = "demo-lifefile-webhook";
const LIFEFILE_WEBHOOK_PASSWORD: &str = "demo-lifefile-webhook-password";
const REFUSED_PHONE: &str = "5129460183";
/// A stand-in photo ID: the start of a JPEG (what Beluga's checks look at), base64.
const DEMO_PHOTO_ID: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA==";
const CORRECTED_PHONE: &str = "5129460184";
const REFERRED_PHONE: &str = "5129460185";

/// Options of a demo run.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Leave the service and the sandbox running at the end.
    pub keep: bool,
    /// Where the example snapshots are (default: `tests/fixtures` of the source tree).
    pub fixtures: Option<PathBuf>,
    /// How long to wait for each order, in seconds.
    pub timeout_secs: u64,
}

/// A client of the service's API with the demo's EMR key.
pub struct Demo {
    http: reqwest::Client,
    url: String,
    started: Instant,
}

impl Demo {
    /// A client of the service at `url` (`http://host:port`) with the demo's EMR key (the key
    /// [`Harness::partners`] provisions); `say` times lines from `started`.
    pub fn new(url: &str, started: Instant) -> Demo {
        Demo {
            http: reqwest::Client::new(),
            url: url.trim_end_matches('/').to_owned(),
            started,
        }
    }

    /// Prints a progress line with the elapsed time.
    pub fn say(&self, line: &str) {
        println!("[{:>5.1}s] {line}", self.started.elapsed().as_secs_f64());
    }

    /// See the module docs.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(EMR_KEY);
        Self::answer(request, body).await
    }

    /// Sends `request` with `body` as JSON; the status and the answer (JSON, else its text).
    async fn answer(
        mut request: reqwest::RequestBuilder,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// A portal request as the clinic's backend relays it: the demo's portal key and the
    /// patient token `token`.
    pub async fn portal(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(PORTAL_KEY)
            .header(crate::service::portal::PATIENT_TOKEN_HEADER, token);
        Self::answer(request, body).await
    }

    /// See the module docs.
    pub async fn put_order(&self, id: &str, snapshot: &Value) -> anyhow::Result<()> {
        let (status, body) = self
            .api(
                reqwest::Method::PUT,
                &format!("/api/emr/orders/{id}"),
                Some(snapshot),
            )
            .await?;
        anyhow::ensure!(
            status < 300,
            "loading order {id} failed: HTTP {status} {body}"
        );
        Ok(())
    }

    /// See the module docs.
    pub async fn trigger(&self, id: &str, trigger: &str) -> anyhow::Result<Value> {
        let (_, body) = self
            .api(
                reqwest::Method::POST,
                &format!("/api/emr/orders/{id}/triggers"),
                Some(&json!({ "trigger": trigger })),
            )
            .await?;
        Ok(body)
    }

    /// See the module docs.
    pub async fn panel(&self, id: &str) -> anyhow::Result<Value> {
        Ok(self
            .api(
                reqwest::Method::GET,
                &format!("/api/emr/orders/{id}/beluga"),
                None,
            )
            .await?
            .1)
    }

    /// See the module docs.
    pub async fn snapshot(&self, id: &str) -> anyhow::Result<Value> {
        let (_, body) = self
            .api(reqwest::Method::GET, &format!("/api/emr/orders/{id}"), None)
            .await?;
        Ok(body.get("snapshot").cloned().unwrap_or(body))
    }

    /// Polls the panel until `done` says so, or the timeout passes.
    /// See the module docs.
    pub async fn wait_for(
        &self,
        id: &str,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<(bool, Value)> {
        let deadline = Instant::now() + timeout;
        loop {
            let panel = self.panel(id).await?;
            if done(&panel) {
                return Ok((true, panel));
            }
            if Instant::now() > deadline {
                return Ok((false, panel));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Stores `order` (a snapshot), fires `checkout_paid`, and waits until `done` holds for
    /// its panel: the walk every paid-order scenario starts with. Answers the trigger's
    /// decision, whether `done` was reached, and the last panel.
    pub async fn pay_and_wait(
        &self,
        order: &Value,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<(String, bool, Value)> {
        let id = text(order, "/order/id");
        self.put_order(id, order).await?;
        let answer = self.trigger(id, "checkout_paid").await?;
        let (reached, panel) = self.wait_for(id, timeout, done).await?;
        Ok((text(&answer, "/decision").to_owned(), reached, panel))
    }

    /// A patient token for `patient` (`POST /api/emr/patients/{patient}/portal-token`).
    pub async fn portal_token(&self, patient: &str) -> anyhow::Result<String> {
        let path = format!("/api/emr/patients/{patient}/portal-token");
        let (status, issued) = self.api(reqwest::Method::POST, &path, None).await?;
        match issued["token"].as_str() {
            Some(token) if status == 200 => Ok(token.to_owned()),
            _ => anyhow::bail!("no patient token: HTTP {status}"),
        }
    }

    /// A download (a document): staff's with the EMR key, or the patient's (the portal key
    /// and `patient_token`). Answers the status, the content type and the bytes.
    pub async fn download(
        &self,
        path: &str,
        patient_token: Option<&str>,
    ) -> anyhow::Result<(u16, String, Vec<u8>)> {
        let mut request = self.http.get(format!("{}{path}", self.url));
        request = match patient_token {
            Some(token) => request
                .bearer_auth(PORTAL_KEY)
                .header(crate::service::portal::PATIENT_TOKEN_HEADER, token),
            None => request.bearer_auth(EMR_KEY),
        };
        let response = request.send().await?;
        let status = response.status().as_u16();
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok((status, mime, response.bytes().await?.to_vec()))
    }

    /// The order's audit trail (`GET …/beluga/logs`, newest first, at most 100 entries).
    pub async fn logs(&self, id: &str) -> anyhow::Result<Value> {
        let (_, logs) = self
            .api(
                reqwest::Method::GET,
                &format!("/api/emr/orders/{id}/beluga/logs?limit=100"),
                None,
            )
            .await?;
        Ok(logs)
    }

    /// See the module docs.
    pub async fn timeline(&self, id: &str) -> anyhow::Result<Vec<String>> {
        let logs = self.logs(id).await?;
        let mut entries: Vec<Value> = logs.as_array().cloned().unwrap_or_default();
        entries.sort_by_key(|e| e.get("at").and_then(Value::as_i64).unwrap_or(0));
        let first = entries
            .first()
            .and_then(|e| e.get("at"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        Ok(entries
            .iter()
            .map(|e| {
                let at = e.get("at").and_then(Value::as_i64).unwrap_or(0) - first;
                let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                format!(
                    "+{:>5} ms  {:<8} {:<28} {}",
                    at,
                    text("source"),
                    text("event"),
                    text("outcome")
                )
            })
            .collect())
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("-")
}

fn load(dir: &Path, name: &str) -> anyhow::Result<Value> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {}", path.display(), e.kind()))?;
    Ok(serde_json::from_str(&text)?)
}

/// A copy of a snapshot as another order of another patient.
fn variant(base: &Value, id: &str, number: &str, phone: &str, email: &str) -> Value {
    let mut v = base.clone();
    v["order"]["id"] = json!(id);
    v["order"]["number"] = json!(number);
    v["patient"]["id"] = json!(format!("pat_{id}"));
    v["patient"]["phone"] = json!(phone);
    v["patient"]["email"] = json!(email);
    v
}

fn strings_at(snapshots: &[&Value], pointer: &str) -> Vec<String> {
    let mut out: Vec<String> = snapshots
        .iter()
        .flat_map(|s| {
            s.get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|item| {
            item.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The fixtures folder of the source tree, found from the binary's build location.
fn default_fixtures() -> PathBuf {
    let from_source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    if from_source.exists() {
        from_source
    } else {
        PathBuf::from("tests/fixtures")
    }
}

/// The pharmacy submissions the panel shows at `pointer`: `N SUBMITTED by RXGATE` when every
/// one was accepted from rxgate's own call, else what they are.
fn submissions(panel: &Value, pointer: &str) -> String {
    let list: Vec<&Value> = panel
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let accepted = list
        .iter()
        .filter(|s| text(s, "/state") == "SUBMITTED" && text(s, "/submitted_by") == "RXGATE")
        .count();
    if accepted == list.len() && accepted > 0 {
        format!("{accepted} SUBMITTED by RXGATE")
    } else {
        format!("{accepted} of {} SUBMITTED by RXGATE", list.len())
    }
}

/// Runs the demo; answers whether every order reached its expected state.
pub async fn run(options: DemoOptions) -> anyhow::Result<bool> {
    let started = Instant::now();
    let fixtures = options.fixtures.clone().unwrap_or_else(default_fixtures);
    let ready = load(&fixtures, "order-dispensepro-ready.json")?;
    let correction = load(&fixtures, "order-intake-correction.json")?;
    let mut belmar = load(&fixtures, "order-belmar-split.json")?;
    // The fixture is captured after prescription; the demo starts it from the checkout.
    belmar["order"]["beluga"] = json!({});
    belmar["order"]["prescriptions"] = json!([]);
    belmar["order"]["life_file"] = json!([]);
    if let Some(order) = belmar["order"].as_object_mut() {
        order.remove("photo_id_status");
    }
    let bad_phone = variant(
        &ready,
        "ord_demo_phone",
        "HLC-20001",
        REFUSED_PHONE,
        "jordan.lee@example.com",
    );
    let referred = variant(
        &ready,
        "ord_demo_refer",
        "HLC-20002",
        REFERRED_PHONE,
        "sam.ortiz@example.com",
    );
    let all = [&ready, &correction, &belmar, &bad_phone, &referred];
    let harness = Harness::start(&all, |c| {
        c.refused_phones = vec![REFUSED_PHONE.into()];
        c.scenarios.insert(REFERRED_PHONE.into(), Scenario::Refer);
    })
    .await?;
    let demo = harness.client(started);
    let (sandbox, service, data_dir) = (&harness.sandbox, &harness.service, &harness.data_dir);
    demo.say(&format!(
        "service on {} (SQLite in {})",
        service.url(),
        data_dir.display()
    ));
    demo.say(&format!(
        "sandbox Beluga on {}, DispensePro on {}",
        sandbox.beluga_url(),
        sandbox.dispensepro_url()
    ));

    let timeout = Duration::from_secs(options.timeout_secs.max(5));
    let mut ok = true;
    let mut report: Vec<(String, String, bool)> = Vec::new();

    // 1. Ready paid order: all the way to delivered, the patient's photo ID following the
    //    visit to Beluga.
    let id1 = text(&ready, "/order/id").to_owned();
    demo.put_order(&id1, &ready).await?;
    let (status, stored) = demo
        .api(
            reqwest::Method::PUT,
            &format!("/api/emr/orders/{id1}/photo-id"),
            Some(&json!({"images": [{"mime": "image/jpeg", "data": DEMO_PHOTO_ID}]})),
        )
        .await?;
    demo.say(&format!(
        "{id1}: photo ID uploaded → HTTP {status}, {}",
        text(&stored, "/status")
    ));
    let (decision, reached, panel) = demo
        .pay_and_wait(&ready, timeout, |p| {
            text(p, "/orderStatus") == "COMPLETED"
                && p.get("calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|c| text(c, "/kind") == "beluga_photo_id" && text(c, "/status") == "done")
        })
        .await?;
    demo.say(&format!("{id1}: checkout paid → decision {decision}"));
    if reached {
        demo.say(&format!(
            "{id1}: photo ID sent to Beluga for visit {}",
            text(&panel, "/belugaVisitId")
        ));
    }
    demo.say(&format!(
        "{id1}: {}",
        if reached {
            "delivered (COMPLETED)"
        } else {
            "did NOT reach COMPLETED"
        }
    ));
    let dispensepro = submissions(&panel, "/dispensePro");
    demo.say(&format!(
        "{id1}: DispensePro submission on the order: {dispensepro}"
    ));
    let reached = reached && dispensepro.starts_with("1 SUBMITTED by RXGATE");
    report.push((
        id1,
        "photo ID, auto-submit → prescription → DispensePro → shipped → delivered".into(),
        reached,
    ));

    // 2. Phone refused by Beluga: FAILED, corrected, retried, SUBMITTED.
    let id2 = text(&bad_phone, "/order/id").to_owned();
    let (_, failed, panel) = demo
        .pay_and_wait(&bad_phone, timeout, |p| {
            text(p, "/belugaSubmitStatus") == "FAILED"
        })
        .await?;
    demo.say(&format!(
        "{id2}: Beluga answered `{}` → {} ({})",
        text(&panel, "/submitError/message"),
        text(&panel, "/belugaSubmitStatus"),
        text(&panel, "/submitError/class")
    ));
    let mut corrected = demo.snapshot(&id2).await?;
    corrected["patient"]["phone"] = json!(CORRECTED_PHONE);
    demo.put_order(&id2, &corrected).await?;
    let (status, retry) = demo
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id2}/submit-to-beluga"),
            None,
        )
        .await?;
    demo.say(&format!(
        "{id2}: phone corrected, staff retry → HTTP {status}, masterId {}",
        text(&retry, "/masterId")
    ));
    let (submitted, _) = demo
        .wait_for(&id2, timeout, |p| {
            text(p, "/belugaSubmitStatus") == "SUBMITTED"
        })
        .await?;
    demo.say(&format!(
        "{id2}: {}",
        if submitted {
            "SUBMITTED with the same masterId"
        } else {
            "did NOT reach SUBMITTED"
        }
    ));
    report.push((
        id2,
        "FAILED (fix_patient_data) → corrected → retry → SUBMITTED".into(),
        failed && submitted,
    ));

    // 3. Intake needs correction: never sent.
    let id3 = text(&correction, "/order/id").to_owned();
    demo.put_order(&id3, &correction).await?;
    let answer = demo.trigger(&id3, "checkout_paid").await?;
    let waiting = text(&answer, "/decision") == "wait";
    demo.say(&format!(
        "{id3}: checkout paid → decision {} (intake needs correction)",
        text(&answer, "/decision")
    ));
    report.push((
        id3,
        "waits for the patient's intake correction".into(),
        waiting,
    ));

    // 4. Belmar items for two LifeFile pharmacies: one visit, then one LifeFile order per
    //    pharmacy (the split), each shipped and delivered by its pharmacy.
    let id4 = text(&belmar, "/order/id").to_owned();
    let (decision, split_done, panel) = demo
        .pay_and_wait(&belmar, timeout, |p| text(p, "/orderStatus") == "COMPLETED")
        .await?;
    demo.say(&format!("{id4}: checkout paid → decision {decision}"));
    let lifefile_orders = sandbox
        .log()
        .iter()
        .filter(|r| r.partner == "lifefile" && r.what == "order_created" && r.subject == id4)
        .count();
    demo.say(&format!(
        "{id4}: {lifefile_orders} LifeFile orders (one per Belmar pharmacy), {}",
        if split_done {
            "both delivered (COMPLETED)"
        } else {
            "NOT completed"
        }
    ));
    let lifefile = submissions(&panel, "/lifeFile");
    demo.say(&format!(
        "{id4}: LifeFile submissions on the order: {lifefile}"
    ));
    report.push((
        id4,
        "Belmar items split into one LifeFile order per pharmacy → delivered".into(),
        split_done && lifefile_orders == 2 && lifefile.starts_with("2 SUBMITTED by RXGATE"),
    ));

    // 5. Referred by the doctor.
    let id5 = text(&referred, "/order/id").to_owned();
    let (_, concluded, _) = demo
        .pay_and_wait(&referred, timeout, |p| {
            text(p, "/belugaVisitStatus") == "resolved"
        })
        .await?;
    demo.say(&format!(
        "{id5}: {}",
        if concluded {
            "the doctor referred the visit"
        } else {
            "was NOT concluded"
        }
    ));
    report.push((id5, "visit referred: no prescription".into(), concluded));

    println!("\n=== Timelines and diagnoses ===");
    for (id, what, reached) in &report {
        ok &= *reached;
        println!(
            "\n## {id} — {what}: {}",
            if *reached {
                "as expected"
            } else {
                "NOT as expected"
            }
        );
        for line in demo.timeline(id).await? {
            println!("  {line}");
        }
        let panel = demo.panel(id).await?;
        let d = &panel["diagnosis"];
        println!(
            "  status: order {} · Beluga submit {} · visit {} · shipping {}",
            text(&panel, "/orderStatus"),
            text(&panel, "/belugaSubmitStatus"),
            text(&panel, "/belugaVisitStatus"),
            panel
                .pointer("/shipping/tracking")
                .and_then(Value::as_str)
                .unwrap_or("-"),
        );
        println!(
            "  diagnosis: stage {} · next: {} — {}",
            text(d, "/stage"),
            text(d, "/next_action/actor"),
            text(d, "/next_action/action"),
        );
        for blocker in d
            .get("blockers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            println!(
                "    blocker [{}] {}",
                text(blocker, "/code"),
                text(blocker, "/message")
            );
        }
        for escalation in d
            .get("escalations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            println!(
                "    escalate [{}] {}",
                text(escalation, "/code"),
                text(escalation, "/message")
            );
        }
    }
    let log = sandbox.log();
    let visits = log.iter().filter(|r| r.what == "visit_created").count();
    let orders = log.iter().filter(|r| r.what == "order_created").count();
    println!("\nsandbox: {visits} Beluga visits created, {orders} DispensePro orders, {} partner events in all", log.len());
    println!(
        "demo finished in {:.1}s: {}",
        started.elapsed().as_secs_f64(),
        if ok {
            "every order reached its expected state"
        } else {
            "SOME ORDERS DID NOT"
        }
    );

    if options.keep {
        println!("\nleft running (Ctrl-C to stop):\n  service  {}\n  EMR key  {EMR_KEY}\n  Beluga   {}\n  DispensePro {}", service.url(), sandbox.beluga_url(), sandbox.dispensepro_url());
        println!(
            "  try: curl -H 'Authorization: Bearer {EMR_KEY}' {}/api/emr/orders/{}/beluga",
            service.url(),
            text(&ready, "/order/id")
        );
        tokio::signal::ctrl_c().await?;
    }
    harness.stop().await;
    Ok(ok)
}

/// The sandbox's settings for the orders `snapshots`: their company, visit types, medIds and
/// DispensePro pharmacies, with the demo's keys and secrets.
pub fn sandbox_config(snapshots: &[&Value]) -> SandboxConfig {
    let first = snapshots.first().copied().cloned().unwrap_or(Value::Null);
    let mut config = SandboxConfig {
        beluga_api_key: BELUGA_KEY.into(),
        company: text(&first, "/settings/company").to_owned(),
        visit_types: strings_at(snapshots, "/product/beluga_visit_type"),
        med_ids: strings_at(snapshots, "/drug/beluga_med_id"),
        beluga_webhook_secret: BELUGA_SECRET.into(),
        doctor_delay_ms: 400,
        pharmacy_delay_ms: 400,
        ..SandboxConfig::default()
    };
    for snapshot in snapshots {
        for pharmacy in snapshot
            .get("pharmacies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = text(pharmacy, "/id").to_owned();
            match text(pharmacy, "/type") {
                "DISPENSE_PRO" => {
                    config
                        .dispensepro
                        .insert(id, (DISPENSEPRO_KEY.into(), DISPENSEPRO_SECRET.into()));
                }
                "OWN" => {
                    config.own.insert(id, DISPENSEPRO_SECRET.into());
                }
                "BELUGA" => {
                    config
                        .beluga_pharmacies
                        .push(text(pharmacy, "/beluga_id").to_owned());
                }
                "BELMAR_LIFEFILE" => {
                    config.lifefile.insert(
                        id,
                        rxgate_sandbox::LifeFileCredentials {
                            username: LIFEFILE_USER.into(),
                            password: LIFEFILE_PASSWORD.into(),
                            webhook_username: LIFEFILE_WEBHOOK_USER.into(),
                            webhook_password: LIFEFILE_WEBHOOK_PASSWORD.into(),
                        },
                    );
                }
                _ => {}
            }
        }
    }
    config
}

/// The example orders of `tests/fixtures/`, for `rxgate sandbox`.
pub fn example_orders() -> anyhow::Result<Vec<Value>> {
    let dir = default_fixtures();
    [
        "order-dispensepro-ready.json",
        "order-intake-correction.json",
        "order-belmar-split.json",
    ]
    .iter()
    .map(|name| load(&dir, name))
    .collect()
}

/// The keys and secrets a service needs to talk to a sandbox started with [`sandbox_config`].
pub const SANDBOX_SECRETS: &[(&str, &str)] = &[
    ("Beluga API key", BELUGA_KEY),
    ("Beluga webhook secret", BELUGA_SECRET),
    ("DispensePro API key", DISPENSEPRO_KEY),
    ("DispensePro webhook secret", DISPENSEPRO_SECRET),
];

/// The service and the sandbox wired together on loopback, as the demo and the fault tests
/// use them: a temporary SQLite folder, the sandbox's Beluga and DispensePro, an EMR key.
pub struct Harness {
    /// The partners.
    pub sandbox: Sandbox,
    /// The service.
    pub service: crate::service::RunningService,
    /// The service's data folder (removed by [`Harness::stop`]).
    pub data_dir: PathBuf,
}

impl Harness {
    /// Starts the sandbox for the orders `snapshots` (their visit types, medIds and
    /// DispensePro pharmacies), lets `tune` adjust it, then starts the service against it.
    pub async fn start(
        snapshots: &[&Value],
        tune: impl FnOnce(&mut SandboxConfig),
    ) -> anyhow::Result<Harness> {
        let (sandbox, config) = Self::partners(snapshots, tune).await?;
        let data_dir = config.data_dir.clone();
        let service = crate::service::start(config).await?;
        sandbox.set_service_url(&service.url());
        Ok(Harness {
            sandbox,
            service,
            data_dir,
        })
    }

    /// Starts the sandbox for the orders `snapshots` (tuned by `tune`) and answers it with
    /// the service configuration that talks to it (loopback URLs, keys and secrets, a fresh
    /// temporary data folder, the EMR key, the shared compiled-rules cache), without starting
    /// the service: for harnesses that run the `rxgate` binary themselves. Call
    /// [`Sandbox::set_service_url`] once the service listens.
    pub async fn partners(
        snapshots: &[&Value],
        tune: impl FnOnce(&mut SandboxConfig),
    ) -> anyhow::Result<(Sandbox, Config)> {
        let mut sandbox_config = sandbox_config(snapshots);
        let company = sandbox_config.company.clone();
        tune(&mut sandbox_config);
        let pharmacies: Vec<String> = sandbox_config.dispensepro.keys().cloned().collect();
        let sandbox_config_own = sandbox_config.own.clone();
        let sandbox_config_lifefile: Vec<String> =
            sandbox_config.lifefile.keys().cloned().collect();
        let sandbox = Sandbox::start(sandbox_config).await?;
        let data_dir = std::env::temp_dir().join(format!(
            "rxgate-demo-{}-{}-{}",
            std::process::id(),
            crate::service::now_ms(),
            fastrand::u32(..)
        ));
        let mut config = Config {
            listen: ([127, 0, 0, 1], 0).into(),
            data_dir: data_dir.clone(),
            environment: Environment::Sandbox,
            ..Config::default()
        };
        config.beluga.base_url = sandbox.beluga_url();
        config.beluga.api_key = Some(BELUGA_KEY.into());
        config.beluga.company = Some(company);
        config.beluga.webhook_secrets = vec![BELUGA_SECRET.into()];
        for id in pharmacies {
            config.dispensepro.insert(
                id,
                DispenseProConfig {
                    base_url: sandbox.dispensepro_url(),
                    api_key: Some(DISPENSEPRO_KEY.into()),
                    webhook_secret: Some(DISPENSEPRO_SECRET.into()),
                    webhook_secret_previous: None,
                },
            );
        }
        // The compiled guest is cached by its digest: one compile serves every demo run.
        config.rules.cache_dir = Some(std::env::temp_dir().join("rxgate-demo-rules-cache"));
        for snapshot in snapshots {
            for pharmacy in snapshot
                .get("pharmacies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = text(pharmacy, "/id").to_owned();
                if !sandbox_config_lifefile.contains(&id) || config.lifefile.contains_key(&id) {
                    continue;
                }
                config.lifefile.insert(
                    id.clone(),
                    LifeFileConfig {
                        base_url: sandbox.lifefile_url(&id),
                        username: LIFEFILE_USER.into(),
                        vendor_id: text(pharmacy, "/life_file/vendor_id").to_owned(),
                        location_id: text(pharmacy, "/life_file/location_id").to_owned(),
                        network_id: text(pharmacy, "/life_file/network_id").to_owned(),
                        practice_id: text(pharmacy, "/life_file/practice_id").to_owned(),
                        webhook_username: LIFEFILE_WEBHOOK_USER.into(),
                        password: Some(LIFEFILE_PASSWORD.into()),
                        webhook_password_previous: None,
                        webhook_password: Some(LIFEFILE_WEBHOOK_PASSWORD.into()),
                    },
                );
            }
        }
        for (id, secret) in &sandbox_config_own {
            config.pharmacies.insert(
                id.clone(),
                OwnPharmacyConfig {
                    allow_unsigned: false,
                    webhook_secret: Some(secret.clone().into()),
                    webhook_secret_previous: None,
                },
            );
        }
        config.outbox.poll_ms = 50;
        config.outbox.base_backoff_ms = 100;
        config.outbox.max_backoff_ms = 1_000;
        config.outbox.max_attempts = 20;
        // Loopback partners answer in milliseconds: a call still open after 2 s has hung.
        config.outbox.request_timeout_ms = 2_000;
        config.bootstrap_keys = vec![
            (Scope::Emr, EMR_KEY.into()),
            (Scope::Portal, PORTAL_KEY.into()),
        ];
        config.portal.token_secret = Some(PORTAL_TOKEN_SECRET.into());
        Ok((sandbox, config))
    }

    /// An API client; `say` times lines from `started`.
    pub fn client(&self, started: Instant) -> Demo {
        Demo {
            http: reqwest::Client::new(),
            url: self.service.url(),
            started,
        }
    }

    /// Stops both and removes the data folder.
    pub async fn stop(self) {
        self.service.shutdown().await;
        self.sandbox.shutdown();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
