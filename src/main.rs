//! The `storefront` command line. Everything else lives in the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use storefront::config::Config;
use storefront::db::seed::SeedOptions;
use storefront::startup::{self, StartupError};
use storefront::store::api_keys::{self, KeyKind};

// glibc's malloc kept the freed 19 MiB Argon2 blocks and fragmented under the catalogue's many
// small allocations; mimalloc returns memory and allocates small objects faster (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "storefront",
    version,
    about = "A shop's customer-facing API server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load demo data: the catalogue, and customers with orders when asked.
    Seed {
        /// Number of products (the first 48 are the hand-written demo catalogue).
        #[arg(long, default_value_t = 48)]
        products: usize,
        /// Number of customers, each with addresses and past orders.
        #[arg(long, default_value_t = 0)]
        customers: usize,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it alone on stdout (a secret key is shown only this once).
    Create {
        kind: Kind,
        #[arg(long, default_value = "default")]
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Publishable,
    Secret,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", storefront::graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return fail(&e.to_string()),
    };
    storefront::telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

/// One clear line on stderr and a non-zero exit, never a backtrace.
fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

async fn run(command: Command, config: Config) -> Result<(), StartupError> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            startup::open_database(&config).await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Seed {
            products,
            customers,
        } => {
            let db = startup::open_database(&config).await?;
            let started = std::time::Instant::now();
            let report = storefront::db::seed::run(
                &db,
                &SeedOptions {
                    products,
                    customers,
                },
            )
            .await
            .map_err(|e| StartupError(format!("seed failed: {e}")))?;
            eprintln!(
                "seeded {} categories, {} products, {} variants, {} customers, {} orders in {:.1?}",
                report.categories,
                report.products,
                report.variants,
                report.customers,
                report.orders,
                started.elapsed()
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Create { kind, name },
        } => {
            let db = startup::open_database(&config).await?;
            let state = storefront::AppState::new(std::sync::Arc::new(config), db);
            let kind = match kind {
                Kind::Publishable => KeyKind::Publishable,
                Kind::Secret => KeyKind::Secret,
            };
            let (_, token) = api_keys::create(&state.store, kind, &name)
                .await
                .map_err(|e| StartupError(format!("cannot create the key: {e}")))?;
            println!("{}", token.expose());
            Ok(())
        }
        Command::Schema => unreachable!("handled before the runtime starts"),
    }
}

async fn serve(config: Config) -> Result<(), StartupError> {
    let addr = config.bind;
    let state = startup::prepare(config).await?;
    let listener = startup::bind(addr).await?;
    let local = listener
        .local_addr()
        .map_err(|e| StartupError(format!("cannot read the listen address: {e}")))?;
    tracing::info!(
        database = state.db().url().backend_name(),
        "storefront listening on http://{local}"
    );
    eprintln!("storefront is serving on http://{local}");
    eprintln!("  GraphQL   http://{local}/graphql");
    if state.config.graphql.graphiql {
        eprintln!("  GraphiQL  http://{local}/graphiql");
    }
    if let Some(key) = startup::development_key(&state).await {
        eprintln!("  development publishable key: {key}");
    }
    startup::serve(state, listener, startup::shutdown_signal())
        .await
        .map_err(|e| StartupError(format!("server error: {e}")))
}
