//! The real `rxgate serve` as a child process: its configuration written as an operator would
//! (a TOML file, secrets in `RXGATE_*` variables), started on a fixed loopback port over one
//! data folder (or a shared database), killed with SIGKILL, restarted, stopped with SIGTERM.
//! The crash harness and the several-instance demo ([`super::fleet`]) run it this way.

use crate::config::{env_id, Config};
use crate::keys::Scope;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to start the service.
pub struct Launcher {
    bin: PathBuf,
    config_file: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    /// The service's base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The data folder.
    pub data_dir: PathBuf,
    /// The database URL the service gets (None: the SQLite file in the data folder).
    pub database: Option<String>,
}

/// A running service.
pub struct Running {
    child: Child,
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `config` as `rxgate.toml` (every non-secret the harness sets).
fn toml(config: &Config) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "listen = {}", quoted(&config.listen.to_string()));
    let _ = writeln!(
        out,
        "data_dir = {}",
        quoted(&config.data_dir.to_string_lossy())
    );
    let _ = writeln!(out, "environment = \"sandbox\"");
    let _ = writeln!(out, "database_pool_size = {}", config.database_pool_size);
    if let Some(cache) = &config.rules.cache_dir {
        let _ = writeln!(
            out,
            "[rules]\ncache_dir = {}",
            quoted(&cache.to_string_lossy())
        );
    }
    let b = &config.beluga;
    let _ = writeln!(out, "[beluga]\nbase_url = {}", quoted(&b.base_url));
    if let Some(company) = &b.company {
        let _ = writeln!(out, "company = {}", quoted(company));
    }
    for (id, p) in &config.dispensepro {
        let _ = writeln!(
            out,
            "[dispensepro.{id}]\nbase_url = {}",
            quoted(&p.base_url)
        );
    }
    for (id, p) in &config.lifefile {
        let _ = writeln!(out, "[lifefile.{id}]");
        for (k, v) in [
            ("base_url", &p.base_url),
            ("username", &p.username),
            ("vendor_id", &p.vendor_id),
            ("location_id", &p.location_id),
            ("network_id", &p.network_id),
            ("practice_id", &p.practice_id),
            ("webhook_username", &p.webhook_username),
        ] {
            let _ = writeln!(out, "{k} = {}", quoted(v));
        }
    }
    for (id, p) in &config.pharmacies {
        let _ = writeln!(
            out,
            "[pharmacies.{id}]\nallow_unsigned = {}",
            p.allow_unsigned
        );
    }
    let o = &config.outbox;
    let _ = writeln!(
        out,
        "[outbox]\npoll_ms = {}\nbase_backoff_ms = {}\nmax_backoff_ms = {}\nmax_attempts = {}\nrequest_timeout_ms = {}\nlease_ms = {}",
        o.poll_ms, o.base_backoff_ms, o.max_backoff_ms, o.max_attempts, o.request_timeout_ms, o.lease_ms
    );
    out
}

/// The secrets of `config` as the `RXGATE_*` variables the service reads.
fn secrets(config: &Config) -> Vec<(String, String)> {
    let mut env = Vec::new();
    let mut put = |name: String, value: &Option<crate::config::Secret>| {
        if let Some(value) = value {
            env.push((name, value.expose().to_owned()));
        }
    };
    put("RXGATE_DATABASE_URL".into(), &config.database);
    put("RXGATE_BELUGA_API_KEY".into(), &config.beluga.api_key);
    put(
        "RXGATE_BELUGA_WEBHOOK_SECRET".into(),
        &config.beluga.webhook_secrets.first().cloned(),
    );
    for (id, p) in &config.dispensepro {
        let id = env_id(id);
        put(format!("RXGATE_DISPENSEPRO_{id}_API_KEY"), &p.api_key);
        put(
            format!("RXGATE_DISPENSEPRO_{id}_WEBHOOK_SECRET"),
            &p.webhook_secret,
        );
    }
    for (id, p) in &config.lifefile {
        let id = env_id(id);
        put(format!("RXGATE_LIFEFILE_{id}_PASSWORD"), &p.password);
        put(
            format!("RXGATE_LIFEFILE_{id}_WEBHOOK_PASSWORD"),
            &p.webhook_password,
        );
    }
    for (id, p) in &config.pharmacies {
        put(
            format!("RXGATE_PHARMACY_{}_WEBHOOK_SECRET", env_id(id)),
            &p.webhook_secret,
        );
    }
    for (scope, key) in &config.bootstrap_keys {
        let var = match scope {
            Scope::Emr => "RXGATE_API_KEY_EMR",
            Scope::Portal => "RXGATE_API_KEY_PORTAL",
            Scope::Admin => "RXGATE_API_KEY_ADMIN",
        };
        env.push((var.to_owned(), key.expose().to_owned()));
    }
    env
}

/// A free loopback port (bound, then released).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Launcher {
    /// Writes `config` (with `listen` and `data_dir` replaced) under `run_dir`.
    pub fn new(
        bin: &Path,
        mut config: Config,
        run_dir: &Path,
        name: &str,
        port: u16,
    ) -> anyhow::Result<Self> {
        let data_dir = run_dir.join(format!("{name}-data"));
        std::fs::create_dir_all(&data_dir)?;
        config.listen = SocketAddr::from(([127, 0, 0, 1], port));
        config.data_dir = data_dir.clone();
        let config_file = run_dir.join(format!("{name}.toml"));
        std::fs::write(&config_file, toml(&config))?;
        Ok(Self {
            bin: bin.to_owned(),
            config_file,
            env: secrets(&config),
            log: run_dir.join(format!("{name}.log")),
            url: format!("http://127.0.0.1:{port}"),
            data_dir,
            database: config.database.as_ref().map(|d| d.expose().to_owned()),
        })
    }

    /// Starts the service and waits until `/readyz` answers 200 (at most `timeout`).
    pub async fn start(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> anyhow::Result<Running> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut command = Command::new(&self.bin);
        command
            .arg("serve")
            .arg("--config")
            .arg(&self.config_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (name, _) in std::env::vars() {
            if name.starts_with("RXGATE_") {
                command.env_remove(name);
            }
        }
        command.env("RXGATE_LOG", "warn");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let mut running = Running {
            child: command.spawn()?,
        };
        let deadline = Instant::now() + timeout;
        loop {
            let ready = http
                .get(format!("{}/readyz", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(running);
            }
            if let Some(status) = running.child.try_wait()? {
                anyhow::bail!(
                    "rxgate serve exited with {status}; see {}",
                    self.log.display()
                );
            }
            if Instant::now() > deadline {
                running.kill();
                anyhow::bail!(
                    "rxgate serve not ready in {timeout:?}; see {}",
                    self.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(&mut self) {
        // `Child::kill` sends SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (the service drains in-flight requests and stops its worker), then waits at
    /// most `timeout` before a SIGKILL.
    pub async fn terminate(mut self, timeout: Duration) -> bool {
        if let Ok(Some(status)) = self.child.try_wait() {
            return status.success();
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.kill();
        false
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
