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
            Self::Keys(KeysCommand::Create {
                scope,
                label,
                data_dir,
            }) => create_key(scope.into(), &label, &data_dir),
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
    let mut config = match Config::load(file.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            // Configuration errors are misuse: exit 2, as clap's usage errors do.
            eprintln!("rxgate: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if let Some(url) = args.database {
        config.database = Some(url.into());
    }
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
        let state = service.state.clone();
        loop {
            tokio::select! {
                _ = hangup.recv() => {
                    if let Err(e) = rxgate_host::service::reload_configured(&state).await {
                        tracing::error!(status = %e.status(), "rules reload on SIGHUP failed");
                    }
                }
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

fn create_key(scope: Scope, label: &str, data_dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    use rxgate_host::store::Storage;
    // On PostgreSQL (`RXGATE_DATABASE_URL`) the key goes to the shared database; else to the
    // SQLite file (opened without touching a running service's claims).
    let store: Box<dyn Storage> = match std::env::var("RXGATE_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Box::new(rxgate_host::store::postgres::PgStore::connect(&url, 1)?)
        }
        _ => Box::new(rxgate_host::store::sqlite::SqliteStore::open_dir(data_dir)?),
    };
    let key = keys::generate(scope);
    store.add_api_key(
        &keys::hash_key(&key),
        scope,
        label,
        rxgate_host::service::now_ms(),
    )?;
    println!("{key}");
    Ok(ExitCode::SUCCESS)
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
