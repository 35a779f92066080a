//! Service configuration: `rxgate.toml` (optional) overlaid by `RXGATE_*` environment
//! variables. Secrets (API keys, webhook secrets, partner passwords) come from the environment
//! only: their fields are skipped by the TOML parser, so a secret in the file is an error
//! (unknown field), never silently used.
//!
//! Every field has a default, so `rxgate serve` starts with no file at all.

use crate::rules::RulesConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A secret from the environment (API key, webhook secret, partner password). Its `Debug` is
/// `Secret([redacted])` and it has no `Display` or `Serialize`: the value leaves only through
/// [`Secret::expose`], at the one place that hands it to a verifier or an outgoing request.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// The secret's value, for the verifier or the outgoing request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// The configuration a running service reads: one [`Config`], replaced whole when `SIGHUP`
/// re-reads the secret files ([`Config::with_secrets_of`]).
///
/// Readers get a plain `&Config` (through `Deref`), never a guard, so a handler may hold it
/// across an `.await` and the swap never waits for readers. The price: every configuration
/// the process has run with stays allocated until it exits — a few kilobytes per `SIGHUP`.
#[derive(Debug)]
pub struct LiveConfig(std::sync::RwLock<&'static Config>);

impl LiveConfig {
    /// The service's configuration at start.
    pub fn new(config: Config) -> Self {
        Self(std::sync::RwLock::new(Box::leak(Box::new(config))))
    }

    /// Replaces the configuration; readers already holding the old one keep it.
    pub fn replace(&self, config: Config) {
        let fresh: &'static Config = Box::leak(Box::new(config));
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
    }
}

impl std::ops::Deref for LiveConfig {
    type Target = Config;

    fn deref(&self) -> &Config {
        *self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Where the service runs; `production` refuses every unsigned partner request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Real partners; unsigned webhooks are always refused.
    #[default]
    Production,
    /// Staging or a developer machine.
    Development,
    /// The local sandbox (`rxgate demo`): partners on loopback.
    Sandbox,
}

/// The whole service configuration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Listen address (`--listen`; port 0 picks an ephemeral port).
    pub listen: SocketAddr,
    /// Data directory holding `rxgate.sqlite3` and the compiled-rules cache.
    pub data_dir: PathBuf,
    /// Production, development or sandbox.
    pub environment: Environment,
    /// Limits of the rules guest.
    pub rules: RulesConfig,
    /// A rules component to run instead of the built-in one; it must pass the bundled
    /// vectors. `SIGHUP` reloads it from this path.
    pub rules_component: Option<PathBuf>,
    /// The Beluga API and webhook.
    pub beluga: BelugaConfig,
    /// DispensePro (MDScripts) pharmacies, by pharmacy id.
    pub dispensepro: BTreeMap<String, DispenseProConfig>,
    /// Belmar and other LifeFile pharmacies, by pharmacy id.
    pub lifefile: BTreeMap<String, LifeFileConfig>,
    /// OWN partner pharmacies (Standard Webhooks), by pharmacy id.
    pub pharmacies: BTreeMap<String, OwnPharmacyConfig>,
    /// Partner-call retries.
    pub outbox: OutboxConfig,
    /// The stuck-order sweep and its thresholds (the rules' escalation windows).
    pub escalations: EscalationConfig,
    /// The visit status fetches (issue 16 item 1; docs/host.md, "Visit status").
    pub visit_fetch: VisitFetchConfig,
    /// Days raw webhook bodies are kept (dedupe keys and audit entries stay).
    pub raw_retention_days: u32,
    /// Hours a stored `Idempotency-Key` answer is replayed (`RXGATE_IDEMPOTENCY_TTL_HOURS`;
    /// default 24); after that the key may be used again and the answer is deleted.
    pub idempotency_ttl_hours: u32,
    /// Hours a patient notification waits for the clinic app before it is marked `expired`
    /// (`RXGATE_NOTIFICATION_TTL_HOURS`; default 72): news that late would mislead.
    pub notification_ttl_hours: u32,
    /// This instance's name as the owner of the work it claims (`RXGATE_INSTANCE_ID`; default
    /// `<hostname>:<listen port>`, unique among live instances, the same across a restart,
    /// so a restarted instance takes back its dead process's claims at once; a random id when
    /// the port is 0).
    pub instance_id: Option<String>,
    /// Connections in the PostgreSQL pool (several instances: docs/operations.md).
    pub database_pool_size: u32,
    /// The database (`--database` or `RXGATE_DATABASE_URL`, never the file: a PostgreSQL URL
    /// may carry a password): `sqlite://<path>` or `postgres://…`; None: the SQLite file under
    /// `data_dir`.
    #[serde(skip)]
    pub database: Option<Secret>,
    /// How long a stop (`SIGTERM`, `SIGINT`) waits for in-flight requests and partner calls,
    /// in milliseconds (`RXGATE_DRAIN_MS`; default 20 000). Work still running then is
    /// abandoned uncommitted: a partner call stays `pending` and is sent again after the
    /// restart (at least once, as after a crash), except a LifeFile order that had started to
    /// be sent, which is parked for staff and never sent twice (docs/host.md, "Claims").
    pub drain_ms: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`RXGATE_TRUSTED_PROXIES`, comma
    /// separated). Empty (the default): the header is ignored and the peer's address is the
    /// client's.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// API keys to provision at start (from `RXGATE_API_KEY_EMR`, `_PORTAL`, `_ADMIN`).
    #[serde(skip)]
    pub bootstrap_keys: Vec<(crate::keys::Scope, Secret)>,
    /// The secret variables that are set but empty or shorter than their minimum
    /// ([`MIN_WEBHOOK_SECRET_CHARS`], [`MIN_API_KEY_CHARS`]): names only, never values. In
    /// production `rxgate serve` refuses to start (exit 2); elsewhere `/readyz` answers 503
    /// listing them. An empty value is never used (the route refuses as when it is unset); a
    /// short one outside production is used.
    #[serde(skip)]
    pub weak_secrets: Vec<String>,
    /// Request limits applied before authentication (docs/security.md).
    pub limits: LimitsConfig,
    /// Who may read `/metrics` and the detailed `/readyz` (`RXGATE_OPS_ACCESS`): `key` (an
    /// admin API key) or `open`. Default: `key` in production, `open` elsewhere. Without
    /// access, `/readyz` answers only its status.
    pub ops_access: Option<OpsAccess>,
    /// A second listen address serving `/livez`, `/readyz` and `/metrics` in full without a
    /// key (`RXGATE_OPS_LISTEN`; e.g. a private interface for the scraper). None: none.
    pub ops_listen: Option<SocketAddr>,
    /// Patient portal tokens (docs/host.md, "Patient portal").
    pub portal: PortalConfig,
    /// How long the content of partner calls and documents is kept, per kind
    /// (docs/security.md, "Retention").
    pub retention: RetentionConfig,
}

/// Days the PHI content of each kind is kept before the worker's hourly purge replaces it
/// (docs/security.md, "Retention"). Outbox payloads count from the call's end (`done` or
/// parked `failed`; a `pending` call is never purged), documents from their storing. Each
/// has an `RXGATE_RETENTION_*_DAYS` variable; 0 is read as 1 (a day at least).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Visit bodies and other order payloads (`beluga_submit`, `beluga_update_visit`,
    /// `beluga_patient_name`, `dispensepro_order`, `lifefile_order` and any kind not named
    /// below) (`RXGATE_RETENTION_VISIT_DAYS`; default 30).
    pub visit_days: u32,
    /// Photo-ID images: `beluga_photo_id` calls and the `photo_id` documents
    /// (`RXGATE_RETENTION_PHOTO_ID_DAYS`; default 7).
    pub photo_id_days: u32,
    /// Messages and their images: `beluga_chat`, `beluga_cs_message`
    /// (`RXGATE_RETENTION_MESSAGE_DAYS`; default 30).
    pub message_days: u32,
    /// PDFs: documents partners send (a lab requisition) and `beluga_pdf` uploads
    /// (`RXGATE_RETENTION_DOCUMENT_DAYS`; default 90).
    pub document_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            visit_days: 30,
            photo_id_days: 7,
            message_days: 30,
            document_days: 90,
        }
    }
}

impl RetentionConfig {
    /// The outbox call kinds of each class (every other kind is a visit payload).
    const PHOTO_ID_CALLS: &'static [&'static str] = &["beluga_photo_id"];
    const MESSAGE_CALLS: &'static [&'static str] = &["beluga_chat", "beluga_cs_message"];
    const DOCUMENT_CALLS: &'static [&'static str] = &["beluga_pdf"];
    /// The document kind of photo-ID images (every other document is a PDF).
    const PHOTO_ID_DOCUMENT: &'static str = "photo_id";

    /// The cutoffs in force at `now_ms`: content of each kind older than its instant goes.
    pub fn cutoffs(&self, now_ms: i64) -> crate::store::ContentPurge {
        use crate::store::KindCutoffs;
        let before = |days: u32| now_ms.saturating_sub(i64::from(days.max(1)) * 86_400_000);
        let classes = [
            (Self::PHOTO_ID_CALLS, self.photo_id_days),
            (Self::MESSAGE_CALLS, self.message_days),
            (Self::DOCUMENT_CALLS, self.document_days),
        ];
        let by_kind = classes
            .iter()
            .flat_map(|(kinds, days)| kinds.iter().map(|k| ((*k).to_owned(), before(*days))))
            .collect();
        crate::store::ContentPurge {
            calls: KindCutoffs {
                by_kind,
                other: before(self.visit_days),
            },
            documents: KindCutoffs {
                by_kind: vec![(
                    Self::PHOTO_ID_DOCUMENT.to_owned(),
                    before(self.photo_id_days),
                )],
                other: before(self.document_days),
            },
            now: now_ms,
        }
    }
}

/// Patient portal tokens: the clinic's backend asks for one per patient with its EMR key
/// (`POST /api/emr/patients/{patient_id}/portal-token`) and presents it beside its portal key.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortalConfig {
    /// The HMAC key that signs tokens (`RXGATE_PORTAL_TOKEN_SECRET`, at least
    /// [`MIN_API_KEY_CHARS`]; the same on every instance). None: no token is issued and every
    /// portal route answers 401.
    #[serde(skip)]
    pub token_secret: Option<Secret>,
    /// A token's life in seconds (`RXGATE_PORTAL_TOKEN_TTL_SECS`; default 900, at most 3 600).
    pub token_ttl_secs: u32,
}

impl Default for PortalConfig {
    fn default() -> Self {
        Self {
            token_secret: None,
            token_ttl_secs: 900,
        }
    }
}

/// Who may read `/metrics` and the detailed `/readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpsAccess {
    /// Anyone who reaches the listen address.
    Open,
    /// An admin API key.
    Key,
}

/// Shortest accepted inbound webhook secret or password (Beluga, DispensePro, OWN, LifeFile).
pub const MIN_WEBHOOK_SECRET_CHARS: usize = 16;
/// Shortest accepted bootstrap API key (`rxgate keys create` makes 40-odd characters).
pub const MIN_API_KEY_CHARS: usize = 24;

/// Limits that hold before a request is authenticated: timeouts, connections, concurrency,
/// rates. Each has an `RXGATE_*` variable (docs/security.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Time a client has to send a request's headers, in milliseconds
    /// (`RXGATE_HEADER_TIMEOUT_MS`).
    pub header_timeout_ms: u64,
    /// Time a request may take from its headers to its answer, body included, in
    /// milliseconds (`RXGATE_REQUEST_TIMEOUT_MS`); past it: 408.
    pub request_timeout_ms: u64,
    /// Open connections (`RXGATE_MAX_CONNECTIONS`); further ones wait in the kernel's backlog.
    pub max_connections: usize,
    /// Requests handled at once (`RXGATE_MAX_CONCURRENT_REQUESTS`); further ones: 503.
    pub max_concurrent_requests: usize,
    /// Largest body read from a caller not yet authenticated by a header, in bytes
    /// (`RXGATE_PREAUTH_BODY_BYTES`): API routes check their key before any body, and a
    /// larger Beluga webhook must carry its secret in a header first.
    pub preauth_body_bytes: u64,
    /// Requests per second per API key (`RXGATE_RATE_PER_KEY`; bursts of 10 s worth; 0: off).
    pub rate_per_key: u32,
    /// Requests per second per client address (`RXGATE_RATE_PER_ADDRESS`; bursts of 10 s
    /// worth; 0: off).
    pub rate_per_address: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            header_timeout_ms: 10_000,
            request_timeout_ms: 60_000,
            max_connections: 1_024,
            max_concurrent_requests: 256,
            preauth_body_bytes: 64 << 10,
            rate_per_key: 200,
            rate_per_address: 200,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./rxgate-data"),
            environment: Environment::default(),
            rules: RulesConfig::default(),
            rules_component: None,
            beluga: BelugaConfig::default(),
            dispensepro: BTreeMap::new(),
            lifefile: BTreeMap::new(),
            pharmacies: BTreeMap::new(),
            outbox: OutboxConfig::default(),
            escalations: EscalationConfig::default(),
            visit_fetch: VisitFetchConfig::default(),
            raw_retention_days: 30,
            idempotency_ttl_hours: 24,
            notification_ttl_hours: 72,
            instance_id: None,
            database_pool_size: 8,
            database: None,
            drain_ms: 20_000,
            trusted_proxies: Vec::new(),
            bootstrap_keys: Vec::new(),
            weak_secrets: Vec::new(),
            limits: LimitsConfig::default(),
            ops_access: None,
            ops_listen: None,
            portal: PortalConfig::default(),
            retention: RetentionConfig::default(),
        }
    }
}

/// Beluga settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BelugaConfig {
    /// API base URL; must be `https://` unless it is a loopback sandbox URL and the
    /// environment is not production.
    pub base_url: String,
    /// The company name sent as `company`.
    pub company: Option<String>,
    /// Optional HMAC header name (HMAC-SHA256 over the raw body).
    pub hmac_header: Option<String>,
    /// `hex` or `base64` for the HMAC header.
    pub hmac_encoding: HmacEncoding,
    /// Bearer API key (`RXGATE_BELUGA_API_KEY`).
    #[serde(skip)]
    pub api_key: Option<Secret>,
    /// Webhook secrets: `RXGATE_BELUGA_WEBHOOK_SECRET` and, during rotation,
    /// `RXGATE_BELUGA_WEBHOOK_SECRET_PREVIOUS`.
    #[serde(skip)]
    pub webhook_secrets: Vec<Secret>,
}

impl Default for BelugaConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api-staging.belugahealth.com".into(),
            company: None,
            hmac_header: None,
            hmac_encoding: HmacEncoding::Hex,
            api_key: None,
            webhook_secrets: Vec::new(),
        }
    }
}

/// Encoding of an HMAC header (`hex` or `base64`): the core's type, so the configuration
/// and the webhook rules name one encoding.
pub use rxgate_core::events::auth::HmacEncoding;

/// One DispensePro pharmacy.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DispenseProConfig {
    /// API base URL (`POST {base}/orders`).
    pub base_url: String,
    /// API key (`RXGATE_DISPENSEPRO_<ID>_API_KEY`).
    #[serde(skip)]
    pub api_key: Option<Secret>,
    /// Webhook signing secret, `whsec_…` (`RXGATE_DISPENSEPRO_<ID>_WEBHOOK_SECRET`).
    #[serde(skip)]
    pub webhook_secret: Option<Secret>,
    /// The previous signing secret during a rotation
    /// (`RXGATE_DISPENSEPRO_<ID>_WEBHOOK_SECRET_PREVIOUS`).
    #[serde(skip)]
    pub webhook_secret_previous: Option<Secret>,
}

/// One LifeFile pharmacy.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifeFileConfig {
    /// API base URL (`POST {base}/order`).
    pub base_url: String,
    /// Basic-auth user for outbound calls.
    pub username: String,
    /// `X-Vendor-ID`.
    pub vendor_id: String,
    /// `X-Location-ID`.
    pub location_id: String,
    /// `X-API-Network-ID`.
    pub network_id: String,
    /// LifeFile practice id.
    pub practice_id: String,
    /// Basic-auth user LifeFile uses on our webhook.
    pub webhook_username: String,
    /// Outbound password (`RXGATE_LIFEFILE_<ID>_PASSWORD`).
    #[serde(skip)]
    pub password: Option<Secret>,
    /// Webhook password (`RXGATE_LIFEFILE_<ID>_WEBHOOK_PASSWORD`).
    #[serde(skip)]
    pub webhook_password: Option<Secret>,
    /// The previous webhook password during a rotation
    /// (`RXGATE_LIFEFILE_<ID>_WEBHOOK_PASSWORD_PREVIOUS`).
    #[serde(skip)]
    pub webhook_password_previous: Option<Secret>,
}

/// One OWN partner pharmacy.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OwnPharmacyConfig {
    /// Accept unsigned webhooks (never in production; each is audited as unsigned).
    pub allow_unsigned: bool,
    /// Signing secret `whsec_…` (`RXGATE_PHARMACY_<ID>_WEBHOOK_SECRET`).
    #[serde(skip)]
    pub webhook_secret: Option<Secret>,
    /// The previous signing secret during a rotation
    /// (`RXGATE_PHARMACY_<ID>_WEBHOOK_SECRET_PREVIOUS`).
    #[serde(skip)]
    pub webhook_secret_previous: Option<Secret>,
}

/// The stuck-order sweep (docs/host.md, "Stuck orders"): how often it re-runs the diagnosis
/// of open orders, and the thresholds the rules' escalations use (decisions.md §3). The rule
/// is the core's (`diagnose`); these are its inputs (`settings.windows`), set for every
/// order the sweep diagnoses.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EscalationConfig {
    /// How often the sweep runs, in milliseconds (0: never).
    pub sweep_ms: u64,
    /// Hours after `RX_WRITTEN` with no pharmacy submission before it is escalated.
    pub rx_to_pharmacy_hours: u32,
    /// Days `SHIPPED` without tracking before it is escalated.
    pub shipped_without_tracking_days: u32,
    /// Days `SHIPPED` without delivery before it is escalated.
    pub shipped_without_delivery_days: u32,
}

impl Default for EscalationConfig {
    fn default() -> Self {
        Self {
            sweep_ms: 300_000,
            rx_to_pharmacy_hours: 24,
            shipped_without_tracking_days: 3,
            shipped_without_delivery_days: 14,
        }
    }
}

/// The visit status fetches (docs/host.md, "Visit status"): how often the scheduler looks for
/// due fetches, the schedule's inputs (the rule is the core's `plan_visit_fetch`) and the
/// bound on fetches per minute.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct VisitFetchConfig {
    /// How often the scheduler looks for due fetches, in milliseconds (0: never)
    /// (`RXGATE_VISIT_FETCH_TICK_MS`).
    pub tick_ms: u64,
    /// The interval of a new visit, in milliseconds (grows with age and fruitless fetches)
    /// (`RXGATE_VISIT_FETCH_BASE_MS`).
    pub base_ms: u64,
    /// The longest interval, in milliseconds (`RXGATE_VISIT_FETCH_MAX_MS`).
    pub max_ms: u64,
    /// At most this many scheduled fetches are queued per minute by one instance; the others
    /// wait for the next minute (staff refreshes are not counted)
    /// (`RXGATE_VISIT_FETCH_MAX_PER_MINUTE`).
    pub max_per_minute: u32,
}

impl Default for VisitFetchConfig {
    fn default() -> Self {
        Self {
            tick_ms: 10_000,
            base_ms: 60_000,
            max_ms: 6 * 3_600_000,
            max_per_minute: 60,
        }
    }
}

/// Partner-call retry policy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// How often the worker looks for due calls, in milliseconds.
    pub poll_ms: u64,
    /// First retry delay, in milliseconds (doubled per attempt, with jitter).
    pub base_backoff_ms: u64,
    /// Longest retry delay, in milliseconds.
    pub max_backoff_ms: u64,
    /// Attempts before a call is parked for staff.
    pub max_attempts: u32,
    /// Timeout of one partner call, in milliseconds.
    pub request_timeout_ms: u64,
    /// How long a worker holds the work it claimed, in milliseconds (at least the request
    /// timeout plus 10 s: see [`OutboxConfig::lease_ms`]). Work of an instance that died is
    /// taken by another one after this long.
    pub lease_ms: u64,
    /// `/readyz` reports the worker stuck (503) when the oldest item waiting for it (an event
    /// not processed, a call due) is older than this, in seconds.
    pub stuck_after_s: u64,
    /// Partner calls in flight at once per partner (Beluga, each pharmacy): one partner's
    /// outage slows only its own calls; webhooks are applied in their own lane.
    pub partner_concurrency: usize,
}

impl OutboxConfig {
    /// The lease in force: the configured one, never shorter than a partner call's timeout
    /// plus 10 s (a call is only sent while its lease covers the whole request).
    pub fn lease_ms(&self) -> u64 {
        self.lease_ms
            .max(self.request_timeout_ms.saturating_add(10_000))
    }
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            poll_ms: 500,
            base_backoff_ms: 2_000,
            max_backoff_ms: 15 * 60 * 1_000,
            max_attempts: 12,
            request_timeout_ms: 30_000,
            lease_ms: 60_000,
            stuck_after_s: 300,
            partner_concurrency: 4,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid configuration (unknown fields included).
    #[error("invalid configuration {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// An environment variable holds an unusable value.
    #[error("invalid environment variable {0}")]
    Env(&'static str),
    /// In production: secrets set but empty or shorter than their minimum (names only).
    #[error("{0}")]
    WeakSecrets(String),
    /// A per-pharmacy environment variable holds an unusable value.
    #[error("invalid environment variable {0}")]
    EnvNamed(String),
    /// A `RXGATE_…_FILE` variable names a file that cannot be read.
    #[error("cannot read the file {name} names")]
    EnvFile {
        /// The variable.
        name: String,
    },
}

impl Config {
    /// This configuration with the secrets of `fresh`, a new reading of the same file and
    /// environment (the `SIGHUP` rotation): partner API keys and passwords, webhook secrets,
    /// bootstrap API keys, the portal token secret and the weak-secret list. Every other
    /// setting, and the pharmacy tables themselves, stay as they are until a restart; a
    /// pharmacy that exists in only one of the two keeps its current secrets.
    pub fn with_secrets_of(&self, fresh: &Config) -> Config {
        let mut next = self.clone();
        next.beluga.api_key = fresh.beluga.api_key.clone();
        next.beluga.webhook_secrets = fresh.beluga.webhook_secrets.clone();
        for (id, p) in &mut next.dispensepro {
            if let Some(f) = fresh.dispensepro.get(id) {
                p.api_key = f.api_key.clone();
                p.webhook_secret = f.webhook_secret.clone();
                p.webhook_secret_previous = f.webhook_secret_previous.clone();
            }
        }
        for (id, p) in &mut next.lifefile {
            if let Some(f) = fresh.lifefile.get(id) {
                p.password = f.password.clone();
                p.webhook_password = f.webhook_password.clone();
                p.webhook_password_previous = f.webhook_password_previous.clone();
            }
        }
        for (id, p) in &mut next.pharmacies {
            if let Some(f) = fresh.pharmacies.get(id) {
                p.webhook_secret = f.webhook_secret.clone();
                p.webhook_secret_previous = f.webhook_secret_previous.clone();
            }
        }
        next.bootstrap_keys = fresh.bootstrap_keys.clone();
        next.portal.token_secret = fresh.portal.token_secret.clone();
        next.weak_secrets = fresh.weak_secrets.clone();
        next
    }

    /// Whether `fresh` differs from this configuration in a setting other than a secret
    /// (those need a restart; secrets are never serialized, so they do not count).
    pub fn settings_differ(&self, fresh: &Config) -> bool {
        serde_json::to_value(self).ok() != serde_json::to_value(fresh).ok()
    }
}

impl Config {
    /// Reads `path` (if given) and overlays the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.to_owned(),
                    message: e.message().to_owned(),
                })?
            }
            None => Config::default(),
        };
        let files = env_files(std::env::vars())?;
        config.apply_env(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| files.get(name).cloned())
        })?;
        if let Some(message) = config.startup_error() {
            return Err(ConfigError::WeakSecrets(message));
        }
        Ok(config)
    }

    /// Overlays `RXGATE_*` variables read through `get` (tests pass a map).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        number(&get, "RXGATE_DRAIN_MS", &mut self.drain_ms)?;
        number(
            &get,
            "RXGATE_RAW_RETENTION_DAYS",
            &mut self.raw_retention_days,
        )?;
        for (name, field) in [
            (
                "RXGATE_RETENTION_VISIT_DAYS",
                &mut self.retention.visit_days,
            ),
            (
                "RXGATE_RETENTION_PHOTO_ID_DAYS",
                &mut self.retention.photo_id_days,
            ),
            (
                "RXGATE_RETENTION_MESSAGE_DAYS",
                &mut self.retention.message_days,
            ),
            (
                "RXGATE_RETENTION_DOCUMENT_DAYS",
                &mut self.retention.document_days,
            ),
        ] {
            number(&get, name, field)?;
        }
        number(&get, "RXGATE_OUTBOX_POLL_MS", &mut self.outbox.poll_ms)?;
        number(
            &get,
            "RXGATE_OUTBOX_STUCK_AFTER_S",
            &mut self.outbox.stuck_after_s,
        )?;
        number(
            &get,
            "RXGATE_OUTBOX_PARTNER_CONCURRENCY",
            &mut self.outbox.partner_concurrency,
        )?;
        number(
            &get,
            "RXGATE_OUTBOX_BASE_BACKOFF_MS",
            &mut self.outbox.base_backoff_ms,
        )?;
        number(
            &get,
            "RXGATE_OUTBOX_MAX_BACKOFF_MS",
            &mut self.outbox.max_backoff_ms,
        )?;
        number(
            &get,
            "RXGATE_OUTBOX_MAX_ATTEMPTS",
            &mut self.outbox.max_attempts,
        )?;
        number(
            &get,
            "RXGATE_OUTBOX_REQUEST_TIMEOUT_MS",
            &mut self.outbox.request_timeout_ms,
        )?;
        number(
            &get,
            "RXGATE_RULES_MAX_INSTANCES",
            &mut self.rules.max_instances,
        )?;
        number(
            &get,
            "RXGATE_RULES_MEMORY_LIMIT_BYTES",
            &mut self.rules.memory_limit_bytes,
        )?;
        number(
            &get,
            "RXGATE_RULES_DEADLINE_MS",
            &mut self.rules.deadline_ms,
        )?;
        number(&get, "RXGATE_OUTBOX_LEASE_MS", &mut self.outbox.lease_ms)?;
        number(
            &get,
            "RXGATE_IDEMPOTENCY_TTL_HOURS",
            &mut self.idempotency_ttl_hours,
        )?;
        number(
            &get,
            "RXGATE_NOTIFICATION_TTL_HOURS",
            &mut self.notification_ttl_hours,
        )?;
        number(
            &get,
            "RXGATE_DATABASE_POOL_SIZE",
            &mut self.database_pool_size,
        )?;
        self.apply_limits_env(&get)?;
        self.apply_schedules_env(&get)?;
        self.apply_pharmacies_env(&get)?;
        if let Some(v) = get("RXGATE_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| ConfigError::Env("RXGATE_TRUSTED_PROXIES"))?;
        }
        if let Some(v) = get("RXGATE_RULES_CACHE_DIR") {
            self.rules.cache_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = get("RXGATE_BELUGA_HMAC_HEADER") {
            self.beluga.hmac_header = Some(v);
        }
        if let Some(v) = get("RXGATE_BELUGA_HMAC_ENCODING") {
            self.beluga.hmac_encoding = match v.as_str() {
                "hex" => HmacEncoding::Hex,
                "base64" => HmacEncoding::Base64,
                _ => return Err(ConfigError::Env("RXGATE_BELUGA_HMAC_ENCODING")),
            };
        }
        if let Some(v) = get("RXGATE_LISTEN") {
            self.listen = v.parse().map_err(|_| ConfigError::Env("RXGATE_LISTEN"))?;
        }
        if let Some(v) = get("RXGATE_RULES_COMPONENT") {
            self.rules_component = Some(PathBuf::from(v));
        }
        if let Some(v) = get("RXGATE_INSTANCE_ID") {
            self.instance_id = Some(v);
        }
        if let Some(v) = get("RXGATE_DATABASE_URL") {
            self.database = Some(Secret::from(v));
        }
        if let Some(v) = get("RXGATE_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("RXGATE_ENVIRONMENT") {
            self.environment = match v.as_str() {
                "production" => Environment::Production,
                "development" => Environment::Development,
                "sandbox" => Environment::Sandbox,
                _ => return Err(ConfigError::Env("RXGATE_ENVIRONMENT")),
            };
        }
        if let Some(v) = get("RXGATE_BELUGA_BASE_URL") {
            self.beluga.base_url = v;
        }
        if let Some(v) = get("RXGATE_BELUGA_COMPANY") {
            self.beluga.company = Some(v);
        }
        if let Some(v) = secret(&get, "RXGATE_BELUGA_API_KEY") {
            self.beluga.api_key = Some(v);
        }
        let mut weak = Vec::new();
        let mut inbound = |name: &str| checked(&get, name, MIN_WEBHOOK_SECRET_CHARS, &mut weak);
        self.beluga.webhook_secrets = [
            "RXGATE_BELUGA_WEBHOOK_SECRET",
            "RXGATE_BELUGA_WEBHOOK_SECRET_PREVIOUS",
        ]
        .into_iter()
        .filter_map(&mut inbound)
        .collect();
        for (id, p) in &mut self.dispensepro {
            let key = env_id(id);
            p.api_key =
                secret(&get, &format!("RXGATE_DISPENSEPRO_{key}_API_KEY")).or(p.api_key.take());
            p.webhook_secret = inbound(&format!("RXGATE_DISPENSEPRO_{key}_WEBHOOK_SECRET"))
                .or(p.webhook_secret.take());
            p.webhook_secret_previous =
                inbound(&format!("RXGATE_DISPENSEPRO_{key}_WEBHOOK_SECRET_PREVIOUS"))
                    .or(p.webhook_secret_previous.take());
        }
        for (id, p) in &mut self.lifefile {
            let key = env_id(id);
            p.password =
                secret(&get, &format!("RXGATE_LIFEFILE_{key}_PASSWORD")).or(p.password.take());
            p.webhook_password = inbound(&format!("RXGATE_LIFEFILE_{key}_WEBHOOK_PASSWORD"))
                .or(p.webhook_password.take());
            p.webhook_password_previous =
                inbound(&format!("RXGATE_LIFEFILE_{key}_WEBHOOK_PASSWORD_PREVIOUS"))
                    .or(p.webhook_password_previous.take());
        }
        for (id, p) in &mut self.pharmacies {
            let key = env_id(id);
            p.webhook_secret = inbound(&format!("RXGATE_PHARMACY_{key}_WEBHOOK_SECRET"))
                .or(p.webhook_secret.take());
            p.webhook_secret_previous =
                inbound(&format!("RXGATE_PHARMACY_{key}_WEBHOOK_SECRET_PREVIOUS"))
                    .or(p.webhook_secret_previous.take());
        }
        for (scope, var) in [
            (crate::keys::Scope::Emr, "RXGATE_API_KEY_EMR"),
            (crate::keys::Scope::Portal, "RXGATE_API_KEY_PORTAL"),
            (crate::keys::Scope::Admin, "RXGATE_API_KEY_ADMIN"),
        ] {
            if let Some(key) = checked(&get, var, MIN_API_KEY_CHARS, &mut weak) {
                self.bootstrap_keys.push((scope, key));
            }
        }
        if let Some(key) = checked(
            &get,
            "RXGATE_PORTAL_TOKEN_SECRET",
            MIN_API_KEY_CHARS,
            &mut weak,
        ) {
            self.portal.token_secret = Some(key);
        }
        number(
            &get,
            "RXGATE_PORTAL_TOKEN_TTL_SECS",
            &mut self.portal.token_ttl_secs,
        )?;
        self.weak_secrets = weak;
        Ok(())
    }

    fn apply_schedules_env(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let v = &mut self.visit_fetch;
        number(get, "RXGATE_VISIT_FETCH_TICK_MS", &mut v.tick_ms)?;
        number(get, "RXGATE_VISIT_FETCH_BASE_MS", &mut v.base_ms)?;
        number(get, "RXGATE_VISIT_FETCH_MAX_MS", &mut v.max_ms)?;
        number(
            get,
            "RXGATE_VISIT_FETCH_MAX_PER_MINUTE",
            &mut v.max_per_minute,
        )?;
        let e = &mut self.escalations;
        number(get, "RXGATE_ESCALATIONS_SWEEP_MS", &mut e.sweep_ms)?;
        number(
            get,
            "RXGATE_ESCALATIONS_RX_TO_PHARMACY_HOURS",
            &mut e.rx_to_pharmacy_hours,
        )?;
        number(
            get,
            "RXGATE_ESCALATIONS_SHIPPED_WITHOUT_TRACKING_DAYS",
            &mut e.shipped_without_tracking_days,
        )?;
        number(
            get,
            "RXGATE_ESCALATIONS_SHIPPED_WITHOUT_DELIVERY_DAYS",
            &mut e.shipped_without_delivery_days,
        )
    }

    /// The pharmacy tables from the environment: `RXGATE_DISPENSEPRO_IDS`, `RXGATE_LIFEFILE_IDS`
    /// and `RXGATE_PHARMACY_IDS` (comma separated) add pharmacies to the file's, and each
    /// setting has a variable per id (`RXGATE_LIFEFILE_<ID>_VENDOR_ID`, …), like its secrets.
    fn apply_pharmacies_env(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        for id in listed(get, "RXGATE_DISPENSEPRO_IDS") {
            self.dispensepro.entry(id).or_default();
        }
        for id in listed(get, "RXGATE_LIFEFILE_IDS") {
            self.lifefile.entry(id).or_default();
        }
        for id in listed(get, "RXGATE_PHARMACY_IDS") {
            self.pharmacies.entry(id).or_default();
        }
        for (id, p) in &mut self.dispensepro {
            text(
                get,
                &format!("RXGATE_DISPENSEPRO_{}_BASE_URL", env_id(id)),
                &mut p.base_url,
            );
        }
        for (id, p) in &mut self.lifefile {
            let key = env_id(id);
            for (name, field) in [
                ("BASE_URL", &mut p.base_url),
                ("USERNAME", &mut p.username),
                ("VENDOR_ID", &mut p.vendor_id),
                ("LOCATION_ID", &mut p.location_id),
                ("NETWORK_ID", &mut p.network_id),
                ("PRACTICE_ID", &mut p.practice_id),
                ("WEBHOOK_USERNAME", &mut p.webhook_username),
            ] {
                text(get, &format!("RXGATE_LIFEFILE_{key}_{name}"), field);
            }
        }
        for (id, p) in &mut self.pharmacies {
            let name = format!("RXGATE_PHARMACY_{}_ALLOW_UNSIGNED", env_id(id));
            if let Some(v) = get(&name) {
                p.allow_unsigned = match v.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(ConfigError::EnvNamed(name)),
                };
            }
        }
        Ok(())
    }

    fn apply_limits_env(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let l = &mut self.limits;
        number(get, "RXGATE_HEADER_TIMEOUT_MS", &mut l.header_timeout_ms)?;
        number(get, "RXGATE_REQUEST_TIMEOUT_MS", &mut l.request_timeout_ms)?;
        number(get, "RXGATE_MAX_CONNECTIONS", &mut l.max_connections)?;
        number(
            get,
            "RXGATE_MAX_CONCURRENT_REQUESTS",
            &mut l.max_concurrent_requests,
        )?;
        number(get, "RXGATE_PREAUTH_BODY_BYTES", &mut l.preauth_body_bytes)?;
        number(get, "RXGATE_RATE_PER_KEY", &mut l.rate_per_key)?;
        number(get, "RXGATE_RATE_PER_ADDRESS", &mut l.rate_per_address)?;
        if let Some(v) = get("RXGATE_OPS_LISTEN") {
            self.ops_listen = Some(
                v.parse()
                    .map_err(|_| ConfigError::Env("RXGATE_OPS_LISTEN"))?,
            );
        }
        if let Some(v) = get("RXGATE_OPS_ACCESS") {
            self.ops_access = Some(match v.as_str() {
                "open" => OpsAccess::Open,
                "key" => OpsAccess::Key,
                _ => return Err(ConfigError::Env("RXGATE_OPS_ACCESS")),
            });
        }
        Ok(())
    }

    /// Who may read `/metrics` and the detailed `/readyz` (see [`Config::ops_access`]).
    pub fn ops_access(&self) -> OpsAccess {
        self.ops_access.unwrap_or(match self.environment {
            Environment::Production => OpsAccess::Key,
            _ => OpsAccess::Open,
        })
    }

    /// Why this configuration may not start in production: the weak secrets, by variable.
    pub fn startup_error(&self) -> Option<String> {
        (self.environment == Environment::Production && !self.weak_secrets.is_empty()).then(|| {
            format!(
                "secrets set but empty or too short (webhook secrets at least {MIN_WEBHOOK_SECRET_CHARS} characters, API keys at least {MIN_API_KEY_CHARS}): {}",
                self.weak_secrets.join(", ")
            )
        })
    }
}

/// An inbound secret variable: unset → None; set but shorter than `min` → its name goes to
/// `weak`, and the value is used only when it is not empty (an empty secret never
/// authenticates anything).
fn checked(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    min: usize,
    weak: &mut Vec<String>,
) -> Option<Secret> {
    let value = get(name)?;
    if value.chars().count() < min {
        weak.push(name.to_owned());
    }
    (!value.is_empty()).then(|| Secret::from(value))
}

/// The comma-separated, non-empty items of the variable `name`.
fn listed(get: &impl Fn(&str) -> Option<String>, name: &str) -> Vec<String> {
    get(name)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The variable `name`, when set, into the text `field`.
fn text(get: &impl Fn(&str) -> Option<String>, name: &str, field: &mut String) {
    if let Some(v) = get(name) {
        *field = v;
    }
}

/// Parses the variable `name`, when set, into `field`.
fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    field: &mut T,
) -> Result<(), ConfigError> {
    if let Some(v) = get(name) {
        *field = v.trim().parse().map_err(|_| ConfigError::Env(name))?;
    }
    Ok(())
}

/// The values of `RXGATE_<NAME>_FILE` variables, by `RXGATE_<NAME>`: each file's content
/// without its trailing newline (secrets mounted as files: systemd credentials, Kubernetes
/// or Docker secrets). A variable set directly wins over its `_FILE`.
pub fn env_files(
    vars: impl Iterator<Item = (String, String)>,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut out = BTreeMap::new();
    for (name, path) in vars {
        let Some(base) = name
            .strip_suffix("_FILE")
            .filter(|b| b.starts_with("RXGATE_"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|_| ConfigError::EnvFile { name: name.clone() })?;
        out.insert(
            base.to_owned(),
            text.trim_end_matches(['\n', '\r']).to_owned(),
        );
    }
    Ok(out)
}

/// A secret variable's value.
/// An outbound credential variable (partner API key or password): empty counts as unset.
fn secret(get: &impl Fn(&str) -> Option<String>, name: &str) -> Option<Secret> {
    get(name).filter(|v| !v.is_empty()).map(Secret::from)
}

/// A pharmacy id as it appears in variable names: upper case, non-alphanumerics as `_`.
pub fn env_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

impl Config {
    /// Configuration gaps that leave part of the service refusing work (reported by
    /// `/readyz` and logged at start): registered codes (`rxgate_core::host::codes`, and the
    /// order area's `beluga_api_key_missing`), `<code>:<pharmacy id>` for one pharmacy's gap;
    /// no secret values.
    pub fn warnings(&self) -> Vec<String> {
        use rxgate_core::host::codes as host;
        let mut out = Vec::new();
        let mut gap = |code: rxgate_core::issue::Code, id: Option<&str>| match id {
            Some(id) => out.push(format!("{code}:{id}")),
            None => out.push(code.as_str().to_owned()),
        };
        if self.beluga.webhook_secrets.is_empty() {
            gap(host::BELUGA_WEBHOOK_SECRET_MISSING, None);
        }
        if self.beluga.api_key.is_none() {
            gap(rxgate_core::order::codes::BELUGA_API_KEY_MISSING, None);
        }
        let refused = |url: &str| crate::clients::check_base_url(url, self.environment).is_err();
        if refused(&self.beluga.base_url) {
            gap(host::BELUGA_BASE_URL_REFUSED, None);
        }
        for (id, p) in &self.dispensepro {
            if p.webhook_secret.is_none() {
                gap(host::DISPENSEPRO_WEBHOOK_SECRET_MISSING, Some(id));
            }
            if refused(&p.base_url) {
                gap(host::DISPENSEPRO_BASE_URL_REFUSED, Some(id));
            }
        }
        for (id, p) in &self.lifefile {
            if p.webhook_password.is_none() {
                gap(host::LIFEFILE_WEBHOOK_PASSWORD_MISSING, Some(id));
            }
            if refused(&p.base_url) {
                gap(host::LIFEFILE_BASE_URL_REFUSED, Some(id));
            }
        }
        let production = self.environment == Environment::Production;
        for (id, p) in &self.pharmacies {
            let facts = rxgate_core::order::ownership::PharmacyFacts::own(
                p.webhook_secret.is_some(),
                p.allow_unsigned,
                production,
            );
            if !facts.webhook_secret_configured {
                gap(host::PHARMACY_WEBHOOK_SECRET_MISSING, Some(id));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every setting's environment variable and a value to set it to (secrets have theirs in
    /// `apply_env` and are never serialized). The setting list comes from the serialized
    /// configuration, so a new setting without a variable fails here.
    const SETTINGS: &[(&str, &str, &str)] = &[
        ("listen", "RXGATE_LISTEN", "127.0.0.1:9"),
        ("data_dir", "RXGATE_DATA_DIR", "/srv/rx"),
        ("environment", "RXGATE_ENVIRONMENT", "sandbox"),
        ("rules.max_instances", "RXGATE_RULES_MAX_INSTANCES", "3"),
        (
            "rules.memory_limit_bytes",
            "RXGATE_RULES_MEMORY_LIMIT_BYTES",
            "7",
        ),
        ("rules.deadline_ms", "RXGATE_RULES_DEADLINE_MS", "9"),
        ("rules.cache_dir", "RXGATE_RULES_CACHE_DIR", "/srv/c"),
        ("rules_component", "RXGATE_RULES_COMPONENT", "/srv/r.wasm"),
        (
            "beluga.base_url",
            "RXGATE_BELUGA_BASE_URL",
            "https://b.example",
        ),
        ("beluga.company", "RXGATE_BELUGA_COMPANY", "Clinic"),
        ("beluga.hmac_header", "RXGATE_BELUGA_HMAC_HEADER", "X-Sig"),
        (
            "beluga.hmac_encoding",
            "RXGATE_BELUGA_HMAC_ENCODING",
            "base64",
        ),
        (
            "dispensepro.dp-1.base_url",
            "RXGATE_DISPENSEPRO_DP_1_BASE_URL",
            "https://d",
        ),
        (
            "lifefile.lf-1.base_url",
            "RXGATE_LIFEFILE_LF_1_BASE_URL",
            "https://l",
        ),
        (
            "lifefile.lf-1.username",
            "RXGATE_LIFEFILE_LF_1_USERNAME",
            "u",
        ),
        (
            "lifefile.lf-1.vendor_id",
            "RXGATE_LIFEFILE_LF_1_VENDOR_ID",
            "11",
        ),
        (
            "lifefile.lf-1.location_id",
            "RXGATE_LIFEFILE_LF_1_LOCATION_ID",
            "110",
        ),
        (
            "lifefile.lf-1.network_id",
            "RXGATE_LIFEFILE_LF_1_NETWORK_ID",
            "1",
        ),
        (
            "lifefile.lf-1.practice_id",
            "RXGATE_LIFEFILE_LF_1_PRACTICE_ID",
            "12",
        ),
        (
            "lifefile.lf-1.webhook_username",
            "RXGATE_LIFEFILE_LF_1_WEBHOOK_USERNAME",
            "w",
        ),
        (
            "pharmacies.own-1.allow_unsigned",
            "RXGATE_PHARMACY_OWN_1_ALLOW_UNSIGNED",
            "true",
        ),
        ("outbox.poll_ms", "RXGATE_OUTBOX_POLL_MS", "1"),
        (
            "outbox.base_backoff_ms",
            "RXGATE_OUTBOX_BASE_BACKOFF_MS",
            "1",
        ),
        ("outbox.max_backoff_ms", "RXGATE_OUTBOX_MAX_BACKOFF_MS", "1"),
        ("outbox.max_attempts", "RXGATE_OUTBOX_MAX_ATTEMPTS", "1"),
        (
            "outbox.request_timeout_ms",
            "RXGATE_OUTBOX_REQUEST_TIMEOUT_MS",
            "1",
        ),
        ("outbox.lease_ms", "RXGATE_OUTBOX_LEASE_MS", "1"),
        ("outbox.stuck_after_s", "RXGATE_OUTBOX_STUCK_AFTER_S", "1"),
        (
            "outbox.partner_concurrency",
            "RXGATE_OUTBOX_PARTNER_CONCURRENCY",
            "1",
        ),
        ("escalations.sweep_ms", "RXGATE_ESCALATIONS_SWEEP_MS", "1"),
        ("visit_fetch.tick_ms", "RXGATE_VISIT_FETCH_TICK_MS", "1"),
        ("visit_fetch.base_ms", "RXGATE_VISIT_FETCH_BASE_MS", "1"),
        ("visit_fetch.max_ms", "RXGATE_VISIT_FETCH_MAX_MS", "1"),
        (
            "visit_fetch.max_per_minute",
            "RXGATE_VISIT_FETCH_MAX_PER_MINUTE",
            "1",
        ),
        (
            "escalations.rx_to_pharmacy_hours",
            "RXGATE_ESCALATIONS_RX_TO_PHARMACY_HOURS",
            "1",
        ),
        (
            "escalations.shipped_without_tracking_days",
            "RXGATE_ESCALATIONS_SHIPPED_WITHOUT_TRACKING_DAYS",
            "1",
        ),
        (
            "escalations.shipped_without_delivery_days",
            "RXGATE_ESCALATIONS_SHIPPED_WITHOUT_DELIVERY_DAYS",
            "1",
        ),
        ("raw_retention_days", "RXGATE_RAW_RETENTION_DAYS", "1"),
        ("retention.visit_days", "RXGATE_RETENTION_VISIT_DAYS", "2"),
        (
            "retention.photo_id_days",
            "RXGATE_RETENTION_PHOTO_ID_DAYS",
            "2",
        ),
        (
            "retention.message_days",
            "RXGATE_RETENTION_MESSAGE_DAYS",
            "2",
        ),
        (
            "retention.document_days",
            "RXGATE_RETENTION_DOCUMENT_DAYS",
            "2",
        ),
        ("instance_id", "RXGATE_INSTANCE_ID", "i-1"),
        ("idempotency_ttl_hours", "RXGATE_IDEMPOTENCY_TTL_HOURS", "1"),
        (
            "notification_ttl_hours",
            "RXGATE_NOTIFICATION_TTL_HOURS",
            "1",
        ),
        ("database_pool_size", "RXGATE_DATABASE_POOL_SIZE", "1"),
        ("drain_ms", "RXGATE_DRAIN_MS", "1"),
        ("trusted_proxies", "RXGATE_TRUSTED_PROXIES", "10.0.0.9"),
        ("limits.header_timeout_ms", "RXGATE_HEADER_TIMEOUT_MS", "1"),
        (
            "limits.request_timeout_ms",
            "RXGATE_REQUEST_TIMEOUT_MS",
            "1",
        ),
        ("limits.max_connections", "RXGATE_MAX_CONNECTIONS", "1"),
        (
            "limits.max_concurrent_requests",
            "RXGATE_MAX_CONCURRENT_REQUESTS",
            "1",
        ),
        (
            "limits.preauth_body_bytes",
            "RXGATE_PREAUTH_BODY_BYTES",
            "1",
        ),
        ("limits.rate_per_key", "RXGATE_RATE_PER_KEY", "1"),
        ("limits.rate_per_address", "RXGATE_RATE_PER_ADDRESS", "1"),
        ("ops_access", "RXGATE_OPS_ACCESS", "open"),
        ("ops_listen", "RXGATE_OPS_LISTEN", "127.0.0.1:9"),
        ("portal.token_ttl_secs", "RXGATE_PORTAL_TOKEN_TTL_SECS", "1"),
    ];

    /// The configuration with one pharmacy of each kind, made from the environment alone.
    fn with_pharmacies(extra: Option<(&str, &str)>) -> serde_json::Value {
        let mut config = Config::default();
        config
            .apply_env(|name| match name {
                "RXGATE_DISPENSEPRO_IDS" => Some("dp-1".to_owned()),
                "RXGATE_LIFEFILE_IDS" => Some("lf-1".to_owned()),
                "RXGATE_PHARMACY_IDS" => Some(" own-1 ,".to_owned()),
                _ => extra
                    .filter(|(var, _)| *var == name)
                    .map(|(_, v)| v.to_owned()),
            })
            .unwrap();
        serde_json::to_value(&config).unwrap()
    }

    fn leaves(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
        match value.as_object() {
            Some(map) => {
                for (key, child) in map {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    leaves(child, &child_path, out);
                }
            }
            None => out.push(path.to_owned()),
        }
    }

    fn at<'a>(value: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
        path.split('.').fold(value, |v, key| &v[key])
    }

    #[test]
    fn every_setting_has_an_environment_variable() {
        let base = with_pharmacies(None);
        let mut paths = Vec::new();
        leaves(&base, "", &mut paths);
        let named: Vec<&str> = SETTINGS.iter().map(|(path, _, _)| *path).collect();
        let missing: Vec<&String> = paths
            .iter()
            .filter(|p| !named.contains(&p.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "settings without a variable: {missing:?}"
        );
        for (path, var, value) in SETTINGS {
            let changed = with_pharmacies(Some((var, value)));
            assert_ne!(
                at(&changed, path),
                at(&base, path),
                "{var} does not set {path}"
            );
        }
        // The example configuration names every variable (per pharmacy with `<ID>`).
        let example = include_str!("../../deploy/rxgate.toml");
        for (_, var, _) in SETTINGS {
            let generic = ["_DP_1_", "_LF_1_", "_OWN_1_"]
                .iter()
                .fold(var.to_string(), |v, id| v.replace(id, "_<ID>_"));
            assert!(
                example.contains(&generic),
                "deploy/rxgate.toml lacks {generic}"
            );
        }
        let mut config = Config::default();
        let bad = config.apply_env(|name| {
            (name == "RXGATE_PHARMACY_IDS" || name == "RXGATE_PHARMACY_OWN_1_ALLOW_UNSIGNED").then(
                || {
                    if name.ends_with("IDS") {
                        "own-1"
                    } else {
                        "yes"
                    }
                    .to_owned()
                },
            )
        });
        assert!(matches!(bad, Err(ConfigError::EnvNamed(v)) if v.ends_with("ALLOW_UNSIGNED")));
    }

    #[test]
    fn a_secrets_reload_takes_secrets_only() {
        let mut running = Config::default();
        running.dispensepro.insert(
            "dp-1".into(),
            DispenseProConfig {
                base_url: "https://dp.example".into(),
                ..Default::default()
            },
        );
        let env = |secret: &'static str| {
            move |name: &str| match name {
                "RXGATE_DISPENSEPRO_DP_1_WEBHOOK_SECRET" | "RXGATE_BELUGA_WEBHOOK_SECRET" => {
                    Some(secret.to_owned())
                }
                "RXGATE_DRAIN_MS" => Some("5".to_owned()),
                _ => None,
            }
        };
        running.apply_env(env("whsec_before_rotation_0")).unwrap();
        let mut fresh = running.clone();
        fresh.apply_env(env("whsec_after_rotation_01")).unwrap();
        fresh.drain_ms = 99;
        fresh
            .dispensepro
            .insert("dp-new".into(), DispenseProConfig::default());
        let next = running.with_secrets_of(&fresh);
        let dp = &next.dispensepro["dp-1"];
        assert_eq!(
            dp.webhook_secret.as_ref().map(Secret::expose),
            Some("whsec_after_rotation_01")
        );
        assert_eq!(
            next.beluga.webhook_secrets,
            vec![Secret::from("whsec_after_rotation_01")]
        );
        // Settings and the pharmacy table wait for a restart, and that is reported.
        assert_eq!(next.drain_ms, 5);
        assert!(!next.dispensepro.contains_key("dp-new"));
        assert!(running.settings_differ(&fresh));
        assert!(!running.settings_differ(&next));
    }

    #[test]
    fn every_configuration_gap_is_a_registered_code() {
        let mut config = Config {
            environment: Environment::Production,
            ..Config::default()
        };
        config.beluga.base_url = "http://beluga.invalid".to_owned();
        let plain = "http://partner.invalid".to_owned();
        config.dispensepro.insert(
            "dp1".to_owned(),
            DispenseProConfig {
                base_url: plain.clone(),
                ..DispenseProConfig::default()
            },
        );
        config.lifefile.insert(
            "lf1".to_owned(),
            LifeFileConfig {
                base_url: plain,
                ..LifeFileConfig::default()
            },
        );
        config.pharmacies.insert(
            "own1".to_owned(),
            OwnPharmacyConfig {
                allow_unsigned: true,
                ..OwnPharmacyConfig::default()
            },
        );
        let warnings = config.warnings();
        assert_eq!(warnings.len(), 8, "{warnings:?}");
        assert!(warnings.contains(&"pharmacy_webhook_secret_missing:own1".to_owned()));
        for warning in &warnings {
            let code = warning.split(':').next().unwrap_or_default();
            assert!(
                rxgate_core::registry::code_named(code).is_some(),
                "{warning} is not a registered code"
            );
        }
        // Outside production an OWN pharmacy may go unsigned: no gap.
        config.environment = Environment::Development;
        assert!(!config.warnings().iter().any(|w| w.ends_with(":own1")));
    }

    #[test]
    fn retention_per_kind_is_read_from_the_environment() {
        let mut config = Config::default();
        let env = |name: &str| match name {
            "RXGATE_RETENTION_PHOTO_ID_DAYS" => Some("2".to_owned()),
            "RXGATE_RETENTION_DOCUMENT_DAYS" => Some("0".to_owned()),
            _ => None,
        };
        config.apply_env(env).unwrap();
        let day = 86_400_000;
        let now = 100 * day;
        let cut = config.retention.cutoffs(now);
        let kind = |k: &str| cut.calls.by_kind.iter().find(|(n, _)| n == k).map(|c| c.1);
        assert_eq!(kind("beluga_photo_id"), Some(now - 2 * day));
        assert_eq!(kind("beluga_chat"), Some(now - 30 * day));
        assert_eq!(kind("beluga_pdf"), Some(now - day), "0 days is read as 1");
        assert_eq!(
            cut.calls.other,
            now - 30 * day,
            "visit bodies and unnamed kinds"
        );
        assert_eq!(
            cut.documents.by_kind,
            vec![("photo_id".to_owned(), now - 2 * day)]
        );
        assert_eq!(cut.documents.other, now - day);
        let bad = |name: &str| (name == "RXGATE_RETENTION_VISIT_DAYS").then(|| "x".to_owned());
        assert!(config.apply_env(bad).is_err());
    }
}
