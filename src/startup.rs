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
    let http = http1_builder(&state.config.transport);
    let db = state.db().clone();
    let hub = state.store.events_hub().clone();
    hub.start(db.url(), db.written());
    let (stop_background, background) = spawn_background(&state)?;
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let app = crate::app(state);
    let server = serve_connections(listener, app, http, async move {
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

/// HTTP/1.1 as `axum::serve` speaks it, plus the bounds it cannot set: how long a connection
/// may take to send its headers (a slow client holds a connection and a task), and the most
/// bytes of a request head hyper buffers. That hard limit sits above the URL and header limits
/// together, so a request over either still reaches `http::transport`, which answers it in the
/// path's dialect; only heads beyond both get hyper's own bare 431.
fn http1_builder(limits: &crate::config::TransportLimits) -> hyper::server::conn::http1::Builder {
    // The request line's method, spaces and version, and the blank line after the headers.
    const HEAD_SLACK: usize = 1024;
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes + limits.max_url_bytes + HEAD_SLACK)
        .keep_alive(true);
    builder
}

/// The accept loop (axum's `serve` with graceful shutdown, over a configured hyper builder):
/// each connection on a task of its own, upgrades (the GraphQL WebSocket) kept; when `shutdown`
/// resolves, no new connection is accepted, idle ones close, and it returns once every
/// connection has answered the request it was serving.
async fn serve_connections(
    listener: TcpListener,
    app: axum::Router,
    http: hyper::server::conn::http1::Builder,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use tower::Service;

    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let (stopping, _) = tokio::sync::watch::channel(false);
    // Each connection task holds a receiver; the loop's end waits until all are dropped.
    let (open_tx, open_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = make_service
            .call(remote)
            .await
            .unwrap_or_else(|never| match never {});
        let service = hyper_util::service::TowerToHyperService::new(service);
        let http = http.clone();
        let mut stop_rx = stopping.subscribe();
        let open = open_rx.clone();
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let mut conn = std::pin::pin!(http.serve_connection(io, service).with_upgrades());
            let stop = async move {
                let _ = stop_rx.wait_for(|stop| *stop).await;
            };
            let result = tokio::select! {
                result = conn.as_mut() => result,
                () = stop => {
                    // Closes an idle connection now, a busy one once it has answered.
                    conn.as_mut().graceful_shutdown();
                    conn.as_mut().await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(open);
        });
    }
    drop(listener);
    stopping.send_replace(true);
    drop(open_rx);
    open_tx.closed().await;
    Ok(())
}

/// An accept error: a connection that failed before it was accepted is nobody's business; a
/// lack of resources (too many open files) is waited out, as `axum::serve` does.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
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
