//! Start-up: secrets, database, migrations, demo seed, listener, graceful shutdown.
//! Every failure here is one line saying what is wrong and what to do.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::{Config, SeedMode};
use crate::db::{self, Db};
use crate::error::Secret;
use crate::state::AppState;
use crate::store::{self, tokens};

/// A start-up failure, shown to the operator as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

/// Fills in what development may leave unset: the JWT secret, generated once and kept in the
/// data folder so tokens survive a restart.
pub fn resolve_secrets(config: &mut Config) -> Result<(), StartupError> {
    if config.jwt_secret.is_some() {
        return Ok(());
    }
    let path = config.data_dir.join("jwt-secret");
    let fail = |what: &str, e: std::io::Error| {
        StartupError(format!(
            "cannot {what} the development JWT secret at {}: {e} \
             (set STOREFRONT_DATA_DIR to a writable folder, or STOREFRONT_JWT_SECRET)",
            path.display()
        ))
    };
    let secret = if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| fail("read", e))?;
        let text = text.trim();
        if text.len() < 32 {
            return Err(StartupError(format!(
                "{} holds fewer than 32 bytes: delete it to have a new secret generated",
                path.display()
            )));
        }
        text.to_owned()
    } else {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| fail("create", e))?;
        let secret = tokens::random("").expose().clone();
        write_private(&path, &secret).map_err(|e| fail("write", e))?;
        secret
    };
    config.jwt_secret = Some(Secret::new(secret));
    Ok(())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

/// Opens the database and applies pending migrations.
pub async fn open_database(config: &Config) -> Result<Db, StartupError> {
    let db = Db::connect(&config.database_url, &config.pool)
        .await
        .map_err(|e| StartupError(explain_connect(config, e)))?;
    let applied = db::migrate::run(db.url())
        .await
        .map_err(|e| StartupError(format!("database migration failed: {}", detail(&e))))?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "applied migrations");
    }
    Ok(db)
}

fn detail(e: &crate::error::StoreError) -> String {
    e.log_detail()
        .map(str::to_owned)
        .unwrap_or_else(|| e.to_string())
}

fn explain_connect(config: &Config, e: db::ConnectError) -> String {
    match (&config.database_url, &e) {
        (db::DatabaseUrl::Postgres(url), db::ConnectError::Unreachable { detail, .. }) => format!(
            "cannot connect to PostgreSQL at {}: {detail} (is the server running and the \
             database created? check DATABASE_URL)",
            db::redact_url(url)
        ),
        (db::DatabaseUrl::Sqlite(path), db::ConnectError::Unreachable { detail, .. }) => format!(
            "cannot open the SQLite database {}: {detail} (check DATABASE_URL and the folder's permissions)",
            path.display()
        ),
        (_, db::ConnectError::DataFolder { .. }) => {
            format!("{e} (choose a writable location with DATABASE_URL=sqlite://PATH)")
        }
        _ => e.to_string(),
    }
}

/// Everything up to a ready [`AppState`]: secrets, database, migrations, and in development
/// the demo seed on an empty database plus a publishable key.
pub async fn prepare(mut config: Config) -> Result<AppState, StartupError> {
    resolve_secrets(&mut config)?;
    let db = open_database(&config).await?;
    let state = AppState::new(Arc::new(config), db);
    let config = &state.config;
    if config.seed == SeedMode::Demo && config.is_development() {
        let empty = db::seed::is_empty(state.db())
            .await
            .map_err(|e| StartupError(format!("cannot inspect the database: {}", detail(&e))))?;
        if empty {
            let report = db::seed::run(state.db(), &db::seed::SeedOptions::demo())
                .await
                .map_err(|e| StartupError(format!("demo seed failed: {}", detail(&e))))?;
            tracing::info!(
                products = report.products,
                categories = report.categories,
                "seeded the demo catalogue"
            );
        }
    }
    Ok(state)
}

/// Binds the listen address, saying plainly when it is taken.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(addr).await.map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                "another program is listening there: stop it or set STOREFRONT_BIND to another port"
            }
            std::io::ErrorKind::PermissionDenied => {
                "ports below 1024 need privileges: use a port above 1024 in STOREFRONT_BIND"
            }
            _ => "check STOREFRONT_BIND",
        };
        StartupError(format!("cannot listen on {addr}: {e} ({hint})"))
    })
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish (up to the configured
/// shutdown timeout) and closes the pool.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = state.config.shutdown_timeout;
    let db = state.db().clone();
    let hub = state.store.events_hub().clone();
    hub.start(db.url(), db.written());
    let (stop_background, background) = spawn_background(&state)?;
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let app = crate::app(state);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping_tx.send(());
    });
    let result = tokio::select! {
        result = server => result,
        () = async {
            let _ = stopping_rx.await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!("shutdown timeout reached with requests still in flight");
            Ok(())
        }
    };
    hub.stop();
    // The mail worker finishes the mails in hand (each send is bounded by the SMTP timeout).
    let _ = stop_background.send(true);
    let finished = futures_util::future::join_all(background);
    if tokio::time::timeout(grace.max(Duration::from_secs(1)), finished)
        .await
        .is_err()
    {
        tracing::warn!("background work still running at shutdown; its mail will be retaken");
    }
    db.close();
    result
}

/// Starts the mail worker and housekeeping on a small pool of their own; both stop when the
/// sender turns true.
fn spawn_background(
    state: &AppState,
) -> std::io::Result<(
    tokio::sync::watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<()>>,
)> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let db = state
        .db()
        .background(2)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let tasks = vec![
        tokio::spawn(store::mail::worker::run(
            state.store.clone(),
            db.clone(),
            stopped.clone(),
        )),
        tokio::spawn(store::jobs::run(state.config.clone(), db, stopped)),
    ];
    Ok((stop, tasks))
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// The development publishable key, for the start-up banner.
pub async fn development_key(state: &AppState) -> Option<String> {
    if !state.config.is_development() {
        return None;
    }
    match store::api_keys::development_key(&state.store).await {
        Ok(key) => Some(key),
        Err(e) => {
            tracing::warn!(error = %e, "could not make the development publishable key");
            None
        }
    }
}
