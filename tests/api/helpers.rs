//! `TestApp`: the real server on port 0 over a fresh database (a temp SQLite file, or a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set), with helpers for GraphQL and REST.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use storefront::{AppState, Config, startup};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A JWT secret only tests use.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";

/// Settings for a test server; `TestApp::spawn()` uses the defaults.
#[derive(Default)]
pub struct TestAppBuilder {
    env: BTreeMap<String, String>,
    database_url: Option<String>,
}

impl TestAppBuilder {
    /// Sets a configuration variable, as the environment would.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Runs on this database instead of a fresh one (to restart on the same data).
    pub fn database_url(mut self, url: &str) -> Self {
        self.database_url = Some(url.into());
        self
    }

    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg) = match (self.database_url, test_database_url()) {
            (Some(url), _) => (url, None),
            (None, Some(admin)) => {
                let pg = PgTestDb::create(&admin).await;
                (pg.url.clone(), Some(pg))
            }
            (None, None) => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
        };
        let mut env: BTreeMap<String, String> = [
            ("DATABASE_URL", database_url.as_str()),
            ("STOREFRONT_BIND", "127.0.0.1:0"),
            ("STOREFRONT_DATA_DIR", &dir.path().display().to_string()),
            ("STOREFRONT_SEED", "none"),
            ("STOREFRONT_JWT_SECRET", TEST_JWT_SECRET),
            ("STOREFRONT_DB_POOL_SIZE", "8"),
            ("STOREFRONT_SHUTDOWN_TIMEOUT", "5"),
            // Tests write the catalogue behind the server's back (fixtures, `set_stock`): the
            // micro-cache is on only where a test asks for it (`catalog_cache.rs`).
            ("STOREFRONT_CATALOG_CACHE_TTL", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        env.extend(self.env);
        let config = Config::from_lookup(|name| env.get(name).cloned()).expect("test config");
        let state = startup::prepare(config).await.expect("app starts");
        let listener = startup::bind("127.0.0.1:0".parse().unwrap())
            .await
            .expect("bind");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(startup::serve(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            client: reqwest::Client::new(),
            state,
            database_url,
            stop: Some(stop),
            server: Some(server),
            pg,
            _dir: dir,
        }
    }
}

/// A running server on its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database_url: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    pg: Option<PgTestDb>,
    _dir: TempDir,
}

/// The admin URL of the PostgreSQL server to test on, when set.
pub fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl TestApp {
    /// A server with default settings on a fresh database.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    pub fn builder() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A request to `path` on this server.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Sends a request and returns its status and JSON body (`Value::Null` when not JSON).
    pub async fn send(&self, request: RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.request(Method::GET, path)).await
    }

    /// Runs a GraphQL operation anonymously; returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// Runs a GraphQL operation with a bearer token when given.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .request(Method::POST, "/graphql")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, body) = self.send(request).await;
        assert_eq!(status, StatusCode::OK, "GraphQL answered {status}: {body}");
        body
    }

    /// SQL statements the server has run so far.
    pub fn statements(&self) -> u64 {
        self.state.db().statements().get()
    }

    /// Stops the server, letting in-flight requests finish.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    /// Stops the server (and its background work) but keeps its database, so that another
    /// server can start on it: a restart.
    pub async fn halt(&mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.state.db().close();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.state.db().close();
        if let Some(pg) = self.pg.take() {
            pg.drop_now();
        }
    }
}

/// The error code of the first GraphQL error.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

/// A PostgreSQL database made for one test and dropped after it.
struct PgTestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl PgTestDb {
    async fn create(admin_url: &str) -> Self {
        let name = format!("sf_test_{}", ulid::Ulid::new().to_string().to_lowercase());
        let mut admin = AsyncPgConnection::establish(admin_url)
            .await
            .expect("TEST_DATABASE_URL is reachable");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .expect("TEST_DATABASE_URL has a database path");
        Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// Drops the database from a thread of its own: `Drop` cannot await.
    fn drop_now(self) {
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(mut admin) = AsyncPgConnection::establish(&self.admin_url).await {
                    let _ = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                        self.name
                    ))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}
