//! `rxgate serve`, `rxgate keys create` and `rxgate rules info`: the service commands.

use clap::{Args, Subcommand, ValueEnum};
use rxgate_host::config::Config;
use rxgate_host::keys::{self, Scope};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// The service commands.
#[derive(Subcommand)]
pub(crate) enum ServeCommand {
    /// Run the rxgate service (HTTP API, webhooks, partner calls).
    Serve(ServeArgs),
    /// Manage service API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Inspect the built-in rules component.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a consistent copy of the SQLite store (online: the service may be running).
    Backup {
        /// Data directory of the service.
        #[arg(long, default_value = "./rxgate-data")]
        data_dir: PathBuf,
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Where the service listens and keeps its data.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Listen address.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Data directory (created if absent), holding the SQLite file.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The database: `sqlite://<path>` (default: the SQLite file under the data directory) or
    /// `postgres://…` for several instances. Default: `RXGATE_DATABASE_URL`.
    #[arg(long)]
    database: Option<String>,
    /// Configuration file (TOML; secrets come from `RXGATE_*` variables only). Default:
    /// `RXGATE_CONFIG`, else `./rxgate.toml` when it exists.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// Create an API key and print it once (only its hash is stored).
    Create {
        /// The key's scope.
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// A label for the key.
        #[arg(long, default_value = "")]
        label: String,
        /// Data directory of the service.
        #[arg(long, default_value = "./rxgate-data")]
        data_dir: PathBuf,
        /// Days until the key stops authenticating (default: never).
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// List the keys as JSON: id, scope, label, created, expiry, revocation, last use (never
    /// a key or its hash).
    List {
        /// Data directory of the service.
        #[arg(long, default_value = "./rxgate-data")]
        data_dir: PathBuf,
    },
    /// Revoke a key by its id (`key_…`); it never authenticates again.
    Revoke {
        /// The key's id, as `keys list` shows it.
        id: String,
        /// Data directory of the service.
        #[arg(long, default_value = "./rxgate-data")]
        data_dir: PathBuf,
    },
    /// Create a key with the same scope and label as `ID`, print it once, and let `ID`
    /// expire after the grace period (clients switch meanwhile).
    Rotate {
        /// The key's id, as `keys list` shows it.
        id: String,
        /// Minutes the old key keeps working (0: revoked at once).
        #[arg(long, default_value_t = 60)]
        grace_minutes: u32,
        /// Data directory of the service.
        #[arg(long, default_value = "./rxgate-data")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum RulesCommand {
    /// Print the built-in component's digest, version, imports and operations as JSON.
    Info,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ScopeArg {
    Emr,
    Portal,
    Admin,
}

impl From<ScopeArg> for Scope {
    fn from(s: ScopeArg) -> Self {
        match s {
            ScopeArg::Emr => Scope::Emr,
            ScopeArg::Portal => Scope::Portal,
            ScopeArg::Admin => Scope::Admin,
        }
    }
}

impl ServeCommand {
    pub(crate) fn run(self) -> ExitCode {
        let result = match self {
            Self::Serve(args) => serve(args),
            Self::Keys(command) => keys_command(command),
            Self::Rules(RulesCommand::Info) => rules_info(),
            Self::Backup { data_dir, out } => backup(&data_dir, &out),
        };
        match result {
            Ok(code) => code,
            Err(e) => {
                eprintln!("rxgate: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RXGATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(true)
        .with_span_list(false)
        .init();
    // --config, else RXGATE_CONFIG, else ./rxgate.toml when present, else defaults.
    let file = args
        .config
        .or_else(|| std::env::var_os("RXGATE_CONFIG").map(PathBuf::from))
        .or_else(|| {
            let default = PathBuf::from("rxgate.toml");
            default.is_file().then_some(default)
        });
    // The command line wins over the file and the environment, at start and on SIGHUP.
    let overrides = (args.listen, args.data_dir, args.database);
    let load = move || -> Result<Config, rxgate_host::config::ConfigError> {
        let mut config = Config::load(file.as_deref())?;
        let (listen, data_dir, database) = overrides.clone();
        if let Some(listen) = listen {
            config.listen = listen;
        }
        if let Some(dir) = data_dir {
            config.data_dir = dir;
        }
        if let Some(url) = database {
            config.database = Some(url.into());
        }
        Ok(config)
    };
    let config = match load() {
        Ok(config) => config,
        Err(e) => {
            // Configuration errors are misuse: exit 2, as clap's usage errors do.
            eprintln!("rxgate: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(async move {
        // Handlers first: a SIGHUP right after the "listening" line must reload, not kill.
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let service = rxgate_host::service::start(config).await?;
        eprintln!("rxgate listening on {}", service.url());
        if let Some(ops) = service.ops_addr {
            eprintln!("rxgate operations on http://{ops}");
        }
        let state = service.state.clone();
        loop {
            tokio::select! {
                _ = hangup.recv() => hangup_reload(&state, &load).await,
                _ = terminate.recv() => break,
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        service.shutdown().await;
        Ok::<_, anyhow::Error>(())
    });
    // Work abandoned at the drain bound may hold a blocking thread: do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    outcome?;
    Ok(ExitCode::SUCCESS)
}

/// `SIGHUP`: reloads the rules component and re-reads the secrets (`*_FILE` contents), so
/// secrets rotate without a restart (docs/deploy.md). Failures are logged by name, never by
/// value, and leave what runs in place.
async fn hangup_reload(
    state: &rxgate_host::service::AppState,
    load: &impl Fn() -> Result<Config, rxgate_host::config::ConfigError>,
) {
    if let Err(e) = rxgate_host::service::reload_configured(state).await {
        tracing::error!(status = %e.status(), "rules reload on SIGHUP failed");
    }
    let fresh = match load() {
        Ok(fresh) => fresh,
        Err(e) => {
            tracing::error!(error = %e, "configuration re-read on SIGHUP failed; secrets unchanged");
            return;
        }
    };
    match rxgate_host::service::reload_secrets(state, fresh).await {
        Ok(done) if done.restart_needed => tracing::warn!(
            "secrets reloaded on SIGHUP; other changed settings take effect at the next restart"
        ),
        Ok(_) => tracing::info!("secrets reloaded on SIGHUP"),
        Err(e) => {
            tracing::error!(status = %e.status(), code = e.code_name(), "secrets reload on SIGHUP refused; secrets unchanged")
        }
    }
}

/// The store the key commands use: PostgreSQL when `RXGATE_DATABASE_URL` names one (the
/// shared database), else the SQLite file (opened without touching a running service's
/// claims).
fn key_store(data_dir: &std::path::Path) -> anyhow::Result<Box<dyn rxgate_host::store::Storage>> {
    Ok(match std::env::var("RXGATE_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Box::new(rxgate_host::store::postgres::PgStore::connect(&url, 1)?)
        }
        _ => Box::new(rxgate_host::store::sqlite::SqliteStore::open_dir(data_dir)?),
    })
}

const DAY_MS: i64 = 86_400_000;

fn keys_command(command: KeysCommand) -> anyhow::Result<ExitCode> {
    let now = rxgate_host::service::now_ms();
    match command {
        KeysCommand::Create {
            scope,
            label,
            data_dir,
            expires_in_days,
        } => {
            let store = key_store(&data_dir)?;
            let expires = expires_in_days.map(|d| now.saturating_add(i64::from(d) * DAY_MS));
            println!(
                "{}",
                new_key(store.as_ref(), scope.into(), &label, expires, now)?
            );
        }
        KeysCommand::List { data_dir } => {
            super::print_json(&serde_json::json!(key_store(&data_dir)?.list_api_keys()?));
        }
        KeysCommand::Revoke { id, data_dir } => {
            if !key_store(&data_dir)?.revoke_api_key(&id, now)? {
                eprintln!("rxgate: no unrevoked key {id}");
                return Ok(ExitCode::FAILURE);
            }
            eprintln!("rxgate: {id} revoked");
        }
        KeysCommand::Rotate {
            id,
            grace_minutes,
            data_dir,
        } => {
            let store = key_store(&data_dir)?;
            let Some(old) = store
                .list_api_keys()?
                .into_iter()
                .find(|k| k.id == id && k.valid_at(now))
            else {
                eprintln!("rxgate: no valid key {id}");
                return Ok(ExitCode::FAILURE);
            };
            // A rotated bootstrap key is not in the environment: it gets a label of its own,
            // so the next start does not revoke it.
            let label = match old.label.as_str() {
                keys::BOOTSTRAP_LABEL => "rotated",
                other => other,
            };
            let key = new_key(store.as_ref(), old.scope, label, old.expires_at, now)?;
            if grace_minutes == 0 {
                store.revoke_api_key(&id, now)?;
            } else {
                let until = now.saturating_add(i64::from(grace_minutes) * 60_000);
                store.set_api_key_expiry(
                    &id,
                    Some(old.expires_at.map_or(until, |e| e.min(until))),
                )?;
            }
            println!("{key}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn new_key(
    store: &dyn rxgate_host::store::Storage,
    scope: Scope,
    label: &str,
    expires_at: Option<i64>,
    now: i64,
) -> anyhow::Result<String> {
    let key = keys::generate(scope);
    let id = store.add_api_key(&keys::hash_key(&key), scope, label, now)?;
    if expires_at.is_some() {
        store.set_api_key_expiry(&id, expires_at)?;
    }
    Ok(key)
}

fn backup(data_dir: &std::path::Path, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    if out.exists() {
        eprintln!(
            "rxgate: {} exists: a backup never overwrites",
            out.display()
        );
        return Ok(ExitCode::from(2));
    }
    if !data_dir.join("rxgate.sqlite3").is_file() {
        eprintln!("rxgate: no store in {}", data_dir.display());
        return Ok(ExitCode::from(2));
    }
    let store = rxgate_host::store::sqlite::SqliteStore::open_dir(data_dir)?;
    store.backup_to(out)?;
    eprintln!("rxgate: backup written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn rules_info() -> anyhow::Result<ExitCode> {
    let info = rxgate_host::rules::describe(rxgate_host::rules::BUILTIN_COMPONENT)?;
    super::print_json(&info);
    Ok(ExitCode::SUCCESS)
}
