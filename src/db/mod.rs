//! The database handle: one pool over either backend, chosen at run time from `DATABASE_URL`.
//!
//! Queries are written once with diesel's DSL and run on whichever backend is live through
//! [`db_run!`](crate::db_run), which expands the body once per backend (diesel-async has no async
//! `MultiConnection` yet). It is the crate's only macro.
//!
//! # Steps shared by several transactions
//!
//! A step that more than one transaction runs (lock a cart, re-price it, record an event) is a
//! plain `async fn` taking `c: &mut Backend<'_>` and returning `Result<_, StoreError>`; it runs
//! each of its statements through `db_run!(c, |c| ...)`, which works on a `&mut Backend` as on a
//! [`DbConn`]. Inside a transaction, whose closure sees the backend's own connection, the step
//! is called with that connection converted:
//!
//! ```ignore
//! db_run!(conn, |c| c
//!     .transaction(async |c| {
//!         let cart = cart::lock(&mut c.into(), &id, caller, at).await?;
//!         // ... statements of this transaction alone, written inline on `c` ...
//!         events::insert(&mut c.into(), &event).await?;
//!         Ok::<_, StoreError>(cart)
//!     })
//!     .await)
//! ```
//!
//! The step's body is compiled once per backend arm of its own `db_run!`s, exactly as inline
//! code would be; there are no generic bounds on connection types to maintain.

pub mod batch;
mod instrument;
pub mod migrate;
pub mod schema;
pub mod seed;
pub mod sql;
pub mod text_enum;
pub mod timestamp;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::FutureExt;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

pub use instrument::StatementCounter;

use crate::error::StoreError;

/// The SQLite connection type: diesel's synchronous connection driven on the blocking pool.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
/// The PostgreSQL connection type (pure Rust, no libpq).
pub type PgConn = AsyncPgConnection;

/// Which database a `DATABASE_URL` names. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file, created with its folder if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL server, `postgres://` or `postgresql://`.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH` (also `sqlite:PATH`) or `postgres://...`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(format!(
                    "DATABASE_URL `{url}` names no file: use sqlite://PATH, e.g. sqlite://data/storefront.db \
                     (an in-memory database would give every pooled connection its own empty database)"
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(format!(
            "DATABASE_URL `{}` is not supported: use sqlite://PATH or postgres://USER@HOST:PORT/DB",
            redact_url(url)
        ))
    }

    /// The backend's name, for logs and `/ready`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Self::Postgres(url) => f.debug_tuple("Postgres").field(&redact_url(url)).finish(),
        }
    }
}

/// Hides the password of a connection URL so it can be logged or shown.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Pool settings.
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection before it fails.
    pub wait_timeout: Duration,
}

enum Pools {
    Sqlite {
        pool: Pool<SqliteConn>,
        /// SQLite has one writer; serializing write transactions in-process makes them queue
        /// instead of failing with SQLITE_BUSY when a deferred transaction upgrades to a write.
        write_lock: Arc<Mutex<()>>,
    },
    Postgres(Pool<PgConn>),
}

/// A cheap, clonable handle to the database.
#[derive(Clone)]
pub struct Db {
    pools: Arc<Pools>,
    url: Arc<DatabaseUrl>,
    statements: StatementCounter,
    /// Woken after every SQLite write transaction (see [`WriteGuard`]).
    written: Arc<Notify>,
}

/// The SQLite write lock, held by a write connection. Dropping it (after the transaction has
/// committed or rolled back) wakes the event publisher, which reads the outbox for new rows:
/// SQLite has no NOTIFY, and one process holds every writer.
pub struct WriteGuard {
    _lock: OwnedMutexGuard<()>,
    written: Arc<Notify>,
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        self.written.notify_one();
    }
}

/// A pooled connection of either backend. Use it through [`db_run!`](crate::db_run).
// One lives briefly per operation; boxing it would add an allocation to every checkout.
#[allow(clippy::large_enum_variant)]
pub enum DbConn {
    // The guard is the second field, so it drops after the connection went back to the pool.
    Sqlite(Object<SqliteConn>, Option<WriteGuard>),
    Postgres(Object<PgConn>),
}

/// The connection of a [`DbConn`], borrowed for one query body.
pub enum Backend<'a> {
    Sqlite(&'a mut SqliteConn),
    Postgres(&'a mut PgConn),
}

impl DbConn {
    /// Borrows the live connection; [`db_run!`](crate::db_run) matches on this.
    pub fn backend(&mut self) -> Backend<'_> {
        match self {
            Self::Sqlite(conn, _) => Backend::Sqlite(conn),
            Self::Postgres(conn) => Backend::Postgres(conn),
        }
    }
}

impl Backend<'_> {
    /// Reborrows the connection for one more query body, so that [`db_run!`](crate::db_run)
    /// also runs on a `&mut Backend` (the argument of a transaction step).
    pub fn backend(&mut self) -> Backend<'_> {
        match self {
            Self::Sqlite(conn) => Backend::Sqlite(conn),
            Self::Postgres(conn) => Backend::Postgres(conn),
        }
    }
}

impl<'a> From<&'a mut SqliteConn> for Backend<'a> {
    fn from(conn: &'a mut SqliteConn) -> Self {
        Self::Sqlite(conn)
    }
}

impl<'a> From<&'a mut PgConn> for Backend<'a> {
    fn from(conn: &'a mut PgConn) -> Self {
        Self::Postgres(conn)
    }
}

/// Runs one diesel query body on whichever backend `conn` holds. The body is compiled once per
/// backend, so it must only use portable DSL. `|c|` names the backend connection inside it.
///
/// ```ignore
/// let n: i64 = db_run!(conn, |c| customers::table.count().get_result(c).await)?;
/// ```
#[macro_export]
macro_rules! db_run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn.backend() {
            $crate::db::Backend::Sqlite($c) => $body,
            $crate::db::Backend::Postgres($c) => $body,
        }
    };
}

impl Db {
    /// Opens a pool on `url`, proving the database is reachable with one connection.
    pub async fn connect(url: &DatabaseUrl, options: &PoolOptions) -> Result<Self, ConnectError> {
        let statements = StatementCounter::default();
        let pools = match url {
            DatabaseUrl::Sqlite(path) => {
                prepare_sqlite_folder(path)?;
                Pools::Sqlite {
                    pool: sqlite_pool(path, options, &statements)?,
                    write_lock: Arc::new(Mutex::new(())),
                }
            }
            DatabaseUrl::Postgres(pg_url) => {
                Pools::Postgres(pg_pool(pg_url, options, &statements)?)
            }
        };
        let db = Self {
            pools: Arc::new(pools),
            url: Arc::new(url.clone()),
            statements,
            written: Arc::new(Notify::new()),
        };
        db.ping().await.map_err(|e| ConnectError::Unreachable {
            backend: url.backend_name(),
            detail: e,
        })?;
        Ok(db)
    }

    /// A second, small pool on the same database for background work (the mail worker,
    /// housekeeping): it never takes a connection a request waits for, and its statements are
    /// counted apart. On SQLite it shares this handle's write lock, so writers still queue.
    pub fn background(&self, max_size: usize) -> Result<Self, ConnectError> {
        let options = PoolOptions {
            max_size,
            wait_timeout: Duration::from_secs(30),
        };
        let statements = StatementCounter::default();
        let pools = match (&*self.pools, &*self.url) {
            (Pools::Sqlite { write_lock, .. }, DatabaseUrl::Sqlite(path)) => Pools::Sqlite {
                pool: sqlite_pool(path, &options, &statements)?,
                write_lock: write_lock.clone(),
            },
            (_, DatabaseUrl::Postgres(url)) => {
                Pools::Postgres(pg_pool(url, &options, &statements)?)
            }
            (Pools::Postgres(_), DatabaseUrl::Sqlite(_)) => {
                return Err(ConnectError::Other("pool and URL disagree".into()));
            }
        };
        Ok(Self {
            pools: Arc::new(pools),
            url: self.url.clone(),
            statements,
            written: self.written.clone(),
        })
    }

    /// The URL this handle was opened on.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A connection for reads and single statements.
    pub async fn conn(&self) -> Result<DbConn, StoreError> {
        match &*self.pools {
            Pools::Sqlite { pool, .. } => Ok(DbConn::Sqlite(pool.get().await?, None)),
            Pools::Postgres(pool) => Ok(DbConn::Postgres(pool.get().await?)),
        }
    }

    /// A connection for a transaction that writes. On SQLite it also holds the process-wide
    /// write lock until dropped; on PostgreSQL it is a plain connection.
    pub async fn write_conn(&self) -> Result<DbConn, StoreError> {
        match &*self.pools {
            Pools::Sqlite { pool, write_lock } => {
                let guard = WriteGuard {
                    _lock: write_lock.clone().lock_owned().await,
                    written: self.written.clone(),
                };
                Ok(DbConn::Sqlite(pool.get().await?, Some(guard)))
            }
            Pools::Postgres(pool) => Ok(DbConn::Postgres(pool.get().await?)),
        }
    }

    /// Runs `SELECT 1`: the readiness check.
    pub async fn ping(&self) -> Result<(), String> {
        let mut conn = self.conn().await.map_err(|e| e.to_string())?;
        db_run!(conn, |c| diesel::sql_query("SELECT 1").execute(c).await)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Pool occupancy, for `/metrics`.
    pub fn pool_status(&self) -> PoolStatus {
        let status = match &*self.pools {
            Pools::Sqlite { pool, .. } => pool.status(),
            Pools::Postgres(pool) => pool.status(),
        };
        PoolStatus {
            max_size: status.max_size,
            size: status.size,
            available: status.available,
            waiting: status.waiting,
        }
    }

    /// Woken after each SQLite write transaction (never on PostgreSQL, which has NOTIFY).
    pub fn written(&self) -> Arc<Notify> {
        self.written.clone()
    }

    /// Statements executed through this handle since it was opened (tests count N+1 with it).
    pub fn statements(&self) -> &StatementCounter {
        &self.statements
    }

    /// Closes the pool: no new connections are handed out.
    pub fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { pool, .. } => pool.close(),
            Pools::Postgres(pool) => pool.close(),
        }
    }
}

fn sqlite_pool(
    path: &Path,
    options: &PoolOptions,
    statements: &StatementCounter,
) -> Result<Pool<SqliteConn>, ConnectError> {
    let counter = statements.clone();
    let mut config = ManagerConfig::<SqliteConn>::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let counter = counter.clone();
        async move {
            let mut conn = SqliteConn::establish(url).await?;
            // Per connection: SQLite forgets these when a connection closes.
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            )
            .await
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            conn.set_instrumentation(counter);
            Ok(conn)
        }
        .boxed()
    });
    let manager =
        AsyncDieselConnectionManager::<SqliteConn>::new_with_config(path.to_string_lossy(), config);
    Pool::builder(manager)
        .max_size(options.max_size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| ConnectError::Other(e.to_string()))
}

fn pg_pool(
    url: &str,
    options: &PoolOptions,
    statements: &StatementCounter,
) -> Result<Pool<PgConn>, ConnectError> {
    let counter = statements.clone();
    // Fast: no `SELECT 1` round trip per checkout; a connection that broke is dropped on its
    // first error and replaced.
    let mut config = ManagerConfig::<PgConn>::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let counter = counter.clone();
        async move {
            let mut conn = PgConn::establish(url).await?;
            conn.set_instrumentation(counter);
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<PgConn>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(options.max_size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| ConnectError::Other(e.to_string()))
}

/// A snapshot of the pool for metrics.
#[derive(Clone, Copy, Debug)]
pub struct PoolStatus {
    pub max_size: usize,
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
}

/// Why the database could not be opened at start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot use the data folder `{path}`: {detail}")]
    DataFolder { path: String, detail: String },
    #[error("cannot reach the {backend} database: {detail}")]
    Unreachable {
        backend: &'static str,
        detail: String,
    },
    #[error("{0}")]
    Other(String),
}

/// Creates the folder of an SQLite file and proves it is writable, so a read-only folder is
/// reported as such instead of as an obscure SQLite error on the first write.
fn prepare_sqlite_folder(path: &Path) -> Result<(), ConnectError> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let fail = |detail: String| ConnectError::DataFolder {
        path: folder.display().to_string(),
        detail,
    };
    std::fs::create_dir_all(&folder).map_err(|e| fail(e.to_string()))?;
    let probe = folder.join(format!(".write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| fail(format!("not writable ({e})")))?;
    let _ = std::fs::remove_file(&probe);
    if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| fail(format!("{} is not writable ({e})", path.display())))?;
    }
    Ok(())
}
