//! The catalogue micro-cache: anonymous GraphQL operations that read only the catalogue and the
//! shop are answered from memory for `STOREFRONT_CATALOG_CACHE_TTL` seconds (DESIGN.md section
//! 11), so that browsing traffic does not reach the database.
//!
//! - What may be cached is decided on the parsed document: a query whose root fields are all in
//!   [`CATALOG_ROOTS`]. A root field added later is uncached until someone lists it here.
//! - The key is everything in the request that can change the answer: the operation text, its
//!   name and its variables. The currency is the shop's (`STOREFRONT_CURRENCY`), one per
//!   instance, and catalogue fields take no other input from the request.
//! - Each entry carries the catalogue generation ([`crate::store::catalog::generation`]) read
//!   before the operation ran; a checkout or cancel on this instance, or any instance's event
//!   that moves stock, bumps it, and the next read misses. A read racing a write keeps the
//!   generation from before the write, so its answer is never served after it.
//! - Requests with a credential never reach it (see `graphql::http`), and answers with errors
//!   are not kept.
//!
//! Memory is bounded: `quick_cache` (already built on the hashbrown and parking_lot this
//! binary has) evicts by weight, each entry weighing its bytes but at least
//! [`MAX_BYTES`]` / `[`MAX_ENTRIES`], which bounds both the bytes and the number of entries
//! whatever a flood of distinct queries sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_graphql::Request;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use axum::body::Bytes;
use axum::http::HeaderValue;
use quick_cache::sync::Cache;

/// Root query fields that read only the catalogue and the shop.
pub const CATALOG_ROOTS: &[&str] = &[
    "shop",
    "products",
    "product",
    "categories",
    "category",
    "__typename",
];

/// Most entries kept at once.
pub const MAX_ENTRIES: u64 = 4_096;
/// Most bytes of keys and answers kept at once.
pub const MAX_BYTES: u64 = 64 << 20;
/// Each entry weighs at least this, so that [`MAX_BYTES`] also bounds the entries.
const MIN_WEIGHT: u64 = MAX_BYTES / MAX_ENTRIES;
/// Larger answers are not kept (one would push out hundreds of small ones).
const MAX_ANSWER: usize = 1 << 20;
/// How deep fragments at the root are followed before the operation is taken as uncacheable.
const MAX_FRAGMENT_DEPTH: usize = 8;

/// A kept answer.
pub struct Cached {
    /// The catalogue generation read before the operation ran.
    generation: u64,
    expires: Instant,
    /// The serialized GraphQL response.
    pub body: Bytes,
    /// Its weak validator ([`crate::http::caching::etag_of`]).
    pub etag: HeaderValue,
}

#[derive(Clone)]
struct Weight;

impl quick_cache::Weighter<String, Arc<Cached>> for Weight {
    fn weight(&self, key: &String, value: &Arc<Cached>) -> u64 {
        (key.len() as u64 + value.body.len() as u64 + 128).max(MIN_WEIGHT)
    }
}

/// The micro-cache of one instance.
pub struct CatalogCache {
    ttl: Duration,
    entries: Cache<String, Arc<Cached>, Weight>,
    /// One lock per key being computed, so that when an entry expires under load one request
    /// recomputes it and the others wait for its answer instead of all running the operation
    /// at once (the listing's p99 had been set by that stampede every `ttl`).
    computing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The right to compute one key's answer; the other requests for the key wait until it drops.
pub struct Turn<'a> {
    cache: &'a CatalogCache,
    key: String,
    lock: Option<Arc<tokio::sync::Mutex<()>>>,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut computing = self.cache.computing();
        // The map holds one reference and this turn another; any more are waiters, who still
        // need the lock (they take the clone under this same map lock, so the count is exact).
        if self.lock.take().is_some_and(|l| Arc::strong_count(&l) <= 2) {
            computing.remove(&self.key);
        }
    }
}

impl CatalogCache {
    /// A cache keeping answers for `ttl`; zero keeps none.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Cache::with_weighter(MAX_ENTRIES as usize, MAX_BYTES, Weight),
            computing: Mutex::new(HashMap::new()),
        }
    }

    fn computing(&self) -> MutexGuard<'_, HashMap<String, Arc<tokio::sync::Mutex<()>>>> {
        // Held only around map updates that cannot panic half-way.
        self.computing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for the turn to compute `key`'s answer: at once when no one else is computing
    /// it, otherwise when they are done (check [`get`](Self::get) again then: their answer is
    /// usually there).
    pub async fn turn(&self, key: &str) -> Turn<'_> {
        let lock = {
            let mut computing = self.computing();
            computing
                .entry(key.to_owned())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        let guard = lock.clone().lock_owned().await;
        Turn {
            cache: self,
            key: key.to_owned(),
            lock: Some(lock),
            _guard: guard,
        }
    }

    /// How long answers are kept (zero: not at all).
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The answer kept for `key`, when it is from the current `generation` and not expired.
    pub fn get(&self, key: &str, generation: u64) -> Option<Arc<Cached>> {
        if self.ttl.is_zero() {
            return None;
        }
        let hit = self.entries.get(key)?;
        if hit.generation == generation && hit.expires > Instant::now() {
            return Some(hit);
        }
        self.entries.remove(key);
        None
    }

    /// Keeps `body` for `key`, read at `generation` (unless the cache is off or the body is too
    /// large to be worth its room).
    pub fn put(&self, key: String, generation: u64, body: Bytes, etag: HeaderValue) {
        if self.ttl.is_zero() || body.len() > MAX_ANSWER {
            return;
        }
        let entry = Cached {
            generation,
            expires: Instant::now() + self.ttl,
            body,
            etag,
        };
        self.entries.insert(key, Arc::new(entry));
    }

    /// Answers kept now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The key of an operation: its name, variables and text (a name holds neither a newline nor
/// a dash, and JSON no raw newline, so different requests cannot share a key).
pub fn key(request: &Request) -> String {
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    format!(
        "{}\n{}\n{}",
        request.operation_name.as_deref().unwrap_or("-"),
        variables,
        request.query
    )
}

/// Whether the operation the request runs is a query whose root fields all read only the
/// catalogue ([`CATALOG_ROOTS`]), looking through fragments at the root.
pub fn reads_only_catalog(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let Some(operation) = super::engine::operation(doc, operation_name) else {
        return false;
    };
    operation.node.ty == OperationType::Query
        && roots_read_catalog(&operation.node.selection_set.node, doc, 0)
}

fn roots_read_catalog(set: &SelectionSet, doc: &ExecutableDocument, depth: usize) -> bool {
    if depth > MAX_FRAGMENT_DEPTH {
        return false;
    }
    set.items.iter().all(|item| match &item.node {
        Selection::Field(field) => CATALOG_ROOTS.contains(&field.node.name.node.as_str()),
        Selection::InlineFragment(fragment) => {
            roots_read_catalog(&fragment.node.selection_set.node, doc, depth + 1)
        }
        Selection::FragmentSpread(spread) => doc
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| roots_read_catalog(&f.node.selection_set.node, doc, depth + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(query: &str, name: Option<&str>) -> bool {
        async_graphql::parser::parse_query(query).is_ok_and(|doc| reads_only_catalog(&doc, name))
    }

    #[test]
    fn only_queries_of_catalogue_roots_are_cacheable() {
        assert!(reads(
            "{ products(first: 2) { nodes { id } } shop { name } }",
            None
        ));
        assert!(reads(
            "query Q { ...F } fragment F on Query { category(id: \"x\") { id } }",
            None
        ));
        assert!(reads(
            "{ ... on Query { product(slug: \"a\") { id } } }",
            None
        ));
        assert!(!reads("{ shop { name } me { id } }", None));
        assert!(!reads("{ ... on Query { cart(id: \"c\") { id } } }", None));
        assert!(!reads(
            "query Q { ...F } fragment F on Query { order(id: \"o\") { id } }",
            None
        ));
        assert!(!reads("mutation { logout }", None));
        assert!(!reads("subscription { storeEvents { id } }", None));
        assert!(!reads("{ __schema { types { name } } }", None));
        assert!(!reads("not graphql", None));
        let two = "query A { shop { name } } query B { me { id } }";
        assert!(reads(two, Some("A")));
        assert!(!reads(two, Some("B")));
        assert!(!reads(two, None));
        assert!(!reads(two, Some("C")));
    }

    #[test]
    fn keys_differ_by_name_variables_and_text() {
        let q = "query Q($n: Int) { products(first: $n) { nodes { id } } }";
        let a = Request::new(q);
        let b = Request::new(q).operation_name("Q");
        let c = Request::new(q).variables(async_graphql::Variables::from_json(
            serde_json::json!({ "n": 2 }),
        ));
        assert_ne!(key(&a), key(&b));
        assert_ne!(key(&a), key(&c));
        assert_eq!(key(&a), key(&Request::new(q)));
    }

    #[test]
    fn entries_of_an_old_generation_are_not_served() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        let etag = HeaderValue::from_static("W/\"x\"");
        cache.put("k".into(), 1, Bytes::from_static(b"{}"), etag.clone());
        assert!(cache.get("k", 1).is_some());
        assert!(cache.get("k", 2).is_none());
        let off = CatalogCache::new(Duration::ZERO);
        off.put("k".into(), 1, Bytes::from_static(b"{}"), etag);
        assert!(off.get("k", 1).is_none() && off.is_empty());
    }

    #[test]
    fn a_flood_of_distinct_queries_stays_bounded() {
        let cache = CatalogCache::new(Duration::from_secs(60));
        let etag = HeaderValue::from_static("W/\"x\"");
        for i in 0..(MAX_ENTRIES * 3) {
            cache.put(format!("{i}"), 1, Bytes::from_static(b"{}"), etag.clone());
        }
        assert!(cache.len() as u64 <= MAX_ENTRIES);
        assert!(cache.entries.weight() <= MAX_BYTES);
    }
}
