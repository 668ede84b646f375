//! What every request handler can reach.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::graphql::Engine;
use crate::http::metrics::Metrics;
use crate::store::Store;

/// Shared by all routes; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    /// The GraphQL schema as every transport runs it.
    pub graphql: Engine,
    pub metrics: Arc<Metrics>,
    /// Anonymous catalogue answers of `/graphql` (`STOREFRONT_CATALOG_CACHE_TTL`).
    pub catalog_cache: Arc<crate::graphql::cache::CatalogCache>,
    /// Places for GraphQL WebSockets (`STOREFRONT_WS_MAX_CONNECTIONS`).
    pub sockets: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Wires the service layer, the GraphQL schema and the metrics registry together.
    pub fn new(config: Arc<Config>, db: Db) -> Self {
        let store = Store::new(db, config.clone());
        let graphql = crate::graphql::build(store.clone(), &config.graphql);
        Self {
            store,
            graphql,
            metrics: Arc::new(Metrics::new()),
            catalog_cache: Arc::new(crate::graphql::cache::CatalogCache::new(
                config.catalog_cache_ttl,
            )),
            sockets: Arc::new(tokio::sync::Semaphore::new(config.sockets.max_connections)),
            config,
        }
    }

    pub fn db(&self) -> &Db {
        self.store.db()
    }
}
