//! `rxgate demo` and `rxgate sandbox`.

use clap::Subcommand;
use std::process::ExitCode;

/// Demo commands.
#[derive(Subcommand)]
pub(crate) enum DemoCommand {
    /// Run the service against the partner sandbox and drive the example orders end to end.
    Demo {
        /// Leave the service and the sandbox running at the end, with their URLs printed.
        #[arg(long)]
        keep: bool,
        /// Seconds to wait for each order to reach its state.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// The database of a several-instance run (`postgres://…`; default
        /// `RXGATE_DATABASE_URL`). Without `--instances`, the demo runs embedded (SQLite).
        #[arg(long)]
        database: Option<String>,
        /// Run this many `rxgate serve` processes on `--database` behind a load balancer, with
        /// partner faults and one instance killed while it holds leases.
        #[arg(long, default_value_t = 1)]
        instances: usize,
    },
    /// Run the partner sandbox (Beluga, DispensePro) on loopback until Ctrl-C.
    Sandbox {
        /// Where webhooks go: the service's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        service_url: String,
    },
}

impl DemoCommand {
    pub(crate) fn run(self) -> ExitCode {
        let runtime = match tokio::runtime::Runtime::new() {
            Ok(r) => r,
            Err(e) => return super::misuse(&format!("cannot start the runtime: {}", e.kind())),
        };
        let outcome = runtime.block_on(async move {
            match self {
                DemoCommand::Demo {
                    timeout,
                    database,
                    instances,
                    ..
                } if instances > 1 => {
                    let database = database
                        .or_else(|| std::env::var("RXGATE_DATABASE_URL").ok())
                        .unwrap_or_default();
                    let options = rxgate_host::demo::fleet::FleetOptions {
                        database,
                        instances,
                        timeout_secs: timeout.max(60),
                    };
                    rxgate_host::demo::fleet::run(options).await
                }
                DemoCommand::Demo { keep, timeout, .. } => {
                    let options = rxgate_host::demo::DemoOptions {
                        keep,
                        fixtures: None,
                        timeout_secs: timeout,
                    };
                    rxgate_host::demo::run(options).await
                }
                DemoCommand::Sandbox { service_url } => {
                    let orders = rxgate_host::demo::example_orders()?;
                    let refs: Vec<&serde_json::Value> = orders.iter().collect();
                    let config = rxgate_host::demo::sandbox_config(&refs);
                    let sandbox = rxgate_sandbox::Sandbox::start(config).await?;
                    sandbox.set_service_url(&service_url);
                    println!("Beluga      {}", sandbox.beluga_url());
                    println!("DispensePro {}", sandbox.dispensepro_url());
                    println!("webhooks to {service_url}");
                    for (what, value) in rxgate_host::demo::SANDBOX_SECRETS {
                        println!("{what}: {value}");
                    }
                    println!("(Ctrl-C to stop)");
                    tokio::signal::ctrl_c().await?;
                    sandbox.shutdown();
                    Ok(true)
                }
            }
        });
        match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("rxgate: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}
