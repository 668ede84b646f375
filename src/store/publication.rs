//! Publication of the events outbox to subscribers (DESIGN.md section 7).
//!
//! One pump per instance reads the `events` table by id on a connection of its own and sends
//! each new row to an in-process [`broadcast`] channel, from which every subscription takes
//! what its [`Feed`] lets through. The pump wakes when there may be something new:
//! - PostgreSQL: a trigger calls `pg_notify('storefront_events', id)` in the writing
//!   transaction, delivered at commit to every instance `LISTEN`ing on the database. The
//!   listening connection reconnects by itself (with backoff) after the database restarts and
//!   then wakes the pump, which reads everything after the last id it saw: nothing written
//!   meanwhile is missed, whichever instance wrote it.
//! - SQLite: one process holds every writer; dropping a write connection wakes the pump
//!   ([`crate::db::WriteGuard`]).
//!
//! It also polls slowly, so a lost wake-up only delays an event.
//!
//! Ids come from an identity column, allocated at insert but visible at commit, so on
//! PostgreSQL a row can appear after a higher one. The pump remembers every id it skipped over
//! (a gap) and reads those again on later passes until they appear or [`GAP_GRACE`] passes
//! (a rolled back transaction leaves its id unused for ever).
//!
//! Slow subscribers never hold up writers or each other: the channel keeps the last
//! `STOREFRONT_EVENTS_BUFFER` events, and a subscriber that falls further behind is told
//! ([`FeedError::Lagged`]) instead of being waited for.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::StreamExt;
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

use super::catalog::generation::{self, Generation};
use super::orders::Caller;
use super::orders::history::{self, OrderKey};
use super::orders::lifecycle::Actor;
use super::{Store, StoreError};
use crate::db::schema::events;
use crate::db::{Backend, DatabaseUrl, PgConn, SqliteConn};
use crate::db_run;

/// The PostgreSQL channel the outbox trigger notifies.
pub const CHANNEL: &str = "storefront_events";
/// How long a skipped id is looked for again before it is taken for a rolled back write.
pub const GAP_GRACE: Duration = Duration::from_secs(60);
/// Most skipped ids remembered at once (a larger jump is taken as unused ids).
const MAX_GAPS: usize = 10_000;
/// Most outbox rows a subscription resuming from a position may replay.
pub const MAX_REPLAY: i64 = 10_000;
/// Rows read per statement.
const PAGE: i64 = 500;
/// Polls while nothing wakes the pump, and while gaps wait to be filled.
const IDLE_POLL: Duration = Duration::from_secs(10);
const GAP_POLL: Duration = Duration::from_millis(500);
/// Reconnection backoff of the pump and the listener.
const BACKOFF_MIN: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How often the listening connection proves it is alive.
const LISTENER_CHECK: Duration = Duration::from_secs(15);

/// An event as published: the outbox row with its payload parsed.
#[derive(Clone)]
pub struct Published {
    /// The outbox position (increasing, with gaps).
    pub id: i64,
    /// `evt_<ULID>`, the event's public id.
    pub event_id: String,
    pub event_type: String,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: NaiveDateTime,
}

impl std::fmt::Debug for Published {
    // The payload of a reset request carries its token: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Published")
            .field("id", &self.id)
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct EventRow {
    id: i64,
    event_id: String,
    event_type: String,
    customer_id: Option<String>,
    order_id: Option<String>,
    payload: String,
    created_at: NaiveDateTime,
}

impl From<EventRow> for Published {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            customer_id: row.customer_id,
            order_id: row.order_id,
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
            created_at: row.created_at,
        }
    }
}

/// The instance's publisher: the broadcast channel and the tasks that feed it. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Published>>,
    /// Bumped by the pump for every event that implies a catalogue or stock change.
    catalog: Arc<Generation>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Hub {
    /// A hub whose subscribers may each fall `buffer` events behind; the pump bumps `catalog`
    /// for each event that implies a catalogue change ([`generation::changes_catalog`]).
    pub fn new(buffer: usize, catalog: Arc<Generation>) -> Self {
        let (sender, _) = broadcast::channel(buffer.max(1));
        Self {
            sender,
            catalog,
            tasks: Arc::default(),
        }
    }

    /// Starts the pump (and on PostgreSQL the listener) for this database; `written` is the
    /// database's after-write wake-up ([`crate::db::Db::written`]). Events written from now on
    /// are published; earlier ones are not replayed.
    pub fn start(&self, url: &DatabaseUrl, written: Arc<Notify>) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        if !tasks.is_empty() {
            return;
        }
        let wake = match url {
            DatabaseUrl::Sqlite(_) => written,
            DatabaseUrl::Postgres(pg) => {
                let wake = Arc::new(Notify::new());
                tasks.push(tokio::spawn(listen(pg.clone(), wake.clone())));
                wake
            }
        };
        tasks.push(tokio::spawn(pump(
            url.clone(),
            wake,
            self.sender.clone(),
            self.catalog.clone(),
        )));
    }

    /// Stops the pump and the listener (at shutdown).
    pub fn stop(&self) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        for task in tasks.drain(..) {
            task.abort();
        }
    }

    /// Feeds open on this instance (subscriptions, and one per signed-in socket).
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }
}

/// What a subscription follows.
#[derive(Clone, Debug)]
enum Filter {
    /// Events of one order (the caller was allowed to see it when the feed began).
    Order(String),
    /// Order events of one customer's orders.
    CustomerOrders(String),
    /// Every event, or those of the given types (`order.*` names a family).
    Types(Option<Vec<String>>),
    /// Events after which one customer's sessions may have ended.
    Sessions(String),
}

impl Filter {
    fn admits(&self, event: &Published) -> bool {
        match self {
            Self::Order(id) => event.order_id.as_deref() == Some(id),
            Self::CustomerOrders(customer) => {
                event.order_id.is_some() && event.customer_id.as_deref() == Some(customer)
            }
            Self::Types(None) => true,
            Self::Types(Some(types)) => types.iter().any(|t| match t.strip_suffix('*') {
                Some(prefix) => event.event_type.starts_with(prefix),
                None => *t == event.event_type,
            }),
            Self::Sessions(customer) => {
                super::events::kind::ends_sessions(&event.event_type)
                    && event.customer_id.as_deref() == Some(customer)
            }
        }
    }
}

/// Why a feed yields no more events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedError {
    /// The subscriber fell more than the buffer behind; this many events were dropped for it.
    Lagged(u64),
    /// The publisher stopped (the server is shutting down).
    Closed,
}

/// A subscriber's view of the published events: first those of the outbox after the position
/// it resumes from (if any), then the live ones.
pub struct Feed {
    receiver: broadcast::Receiver<Arc<Published>>,
    filter: Filter,
    replay: VecDeque<Arc<Published>>,
    /// Ids replayed from the outbox, so the same events arriving live are not told twice.
    replayed: HashSet<i64>,
}

impl Feed {
    /// Subscribes to the live events, then reads the outbox after `after` (a position a
    /// subscriber got earlier). Subscribing first means nothing falls between the two.
    async fn open(store: &Store, filter: Filter, after: Option<&str>) -> Result<Self, StoreError> {
        let receiver = store.events_hub().subscribe();
        let mut feed = Self {
            receiver,
            filter,
            replay: VecDeque::new(),
            replayed: HashSet::new(),
        };
        if let Some(after) = after {
            let after: i64 = after
                .trim()
                .parse()
                .map_err(|_| StoreError::invalid("after", "is not an event position"))?;
            for event in replay(store, after).await? {
                if feed.filter.admits(&event) {
                    feed.replayed.insert(event.id);
                    feed.replay.push_back(Arc::new(event));
                }
            }
        }
        Ok(feed)
    }

    /// The next event this feed admits.
    pub async fn next(&mut self) -> Result<Arc<Published>, FeedError> {
        if let Some(event) = self.replay.pop_front() {
            return Ok(event);
        }
        loop {
            match self.receiver.recv().await {
                Ok(event) if self.replayed.remove(&event.id) => {}
                Ok(event) if self.filter.admits(&event) => return Ok(event),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => return Err(FeedError::Lagged(n)),
                Err(broadcast::error::RecvError::Closed) => return Err(FeedError::Closed),
            }
        }
    }
}

/// The outbox rows after position `after`, at most [`MAX_REPLAY`] of them.
async fn replay(store: &Store, after: i64) -> Result<Vec<Published>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<EventRow> = db_run!(conn, |c| events::table
        .filter(events::id.gt(after))
        .order(events::id)
        .limit(MAX_REPLAY + 1)
        .select(EventRow::as_select())
        .load(c)
        .await)?;
    if rows.len() as i64 > MAX_REPLAY {
        return Err(StoreError::invalid(
            "after",
            format!("is more than {MAX_REPLAY} events behind: subscribe without it"),
        ));
    }
    Ok(rows.into_iter().map(Published::from).collect())
}

/// Follows the caller's orders: one order the caller may see (a guest with its token), or
/// every order of the signed-in customer when `order_id` is `None`. Never another customer's.
pub async fn follow_orders(
    store: &Store,
    caller: &Caller,
    order_id: Option<&str>,
    after: Option<&str>,
) -> Result<Feed, StoreError> {
    let filter = match order_id {
        Some(id) => {
            let order = history::get(store, caller, &OrderKey::Id(id.to_owned())).await?;
            Filter::Order(order.id)
        }
        None => Filter::CustomerOrders(
            caller
                .customer_id
                .clone()
                .ok_or(StoreError::Unauthenticated)?,
        ),
    };
    Feed::open(store, filter, after).await
}

/// Follows every event of the shop, or those of `types` (exact names, or a family such as
/// `order.*`): integrators holding a secret key only.
pub async fn follow_store(
    store: &Store,
    actor: &Actor,
    types: Option<Vec<String>>,
    after: Option<&str>,
) -> Result<Feed, StoreError> {
    actor.require_integrator()?;
    if let Some(types) = &types {
        if types.len() > super::events::kind::ALL.len() {
            return Err(StoreError::invalid("types", "names too many event types"));
        }
        if let Some(bad) = types.iter().find(|t| !known_type(t)) {
            return Err(StoreError::invalid(
                "types",
                format!(
                    "`{bad}` is not an event type (known: {})",
                    super::events::kind::ALL.join(", ")
                ),
            ));
        }
    }
    Feed::open(store, Filter::Types(types), after).await
}

/// Whether `t` names an event type, or a family of them (`order.*`, `customer.*`, `*`).
fn known_type(t: &str) -> bool {
    let all = super::events::kind::ALL;
    match t.strip_suffix('*') {
        Some(prefix) => all.iter().any(|k| k.starts_with(prefix)),
        None => all.contains(&t),
    }
}

/// Follows the events after which `customer_id`'s sessions may have ended (logout, password
/// change or reset, on any instance): a socket re-checks its credentials on each.
pub fn watch_sessions(store: &Store, customer_id: &str) -> Feed {
    Feed {
        receiver: store.events_hub().subscribe(),
        filter: Filter::Sessions(customer_id.to_owned()),
        replay: VecDeque::new(),
        replayed: HashSet::new(),
    }
}

/// The pump's own connection (outside the pool, so it neither takes a request's connection nor
/// counts in the pool's statement counter).
enum PumpConn {
    Sqlite(Box<SqliteConn>),
    Postgres(Box<PgConn>),
}

impl PumpConn {
    async fn open(url: &DatabaseUrl) -> Result<Self, String> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConn::establish(&path.to_string_lossy())
                    .await
                    .map_err(|e| e.to_string())?;
                conn.batch_execute("PRAGMA busy_timeout = 5000;")
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Self::Sqlite(Box::new(conn)))
            }
            DatabaseUrl::Postgres(url) => PgConn::establish(url)
                .await
                .map(|c| Self::Postgres(Box::new(c)))
                .map_err(|e| e.to_string()),
        }
    }

    fn backend(&mut self) -> Backend<'_> {
        match self {
            Self::Sqlite(c) => Backend::Sqlite(c),
            Self::Postgres(c) => Backend::Postgres(c),
        }
    }
}

/// Where the pump is in the outbox: the highest id seen, and the lower ids skipped over that
/// may still commit.
#[derive(Default)]
struct Cursor {
    high: Option<i64>,
    gaps: BTreeMap<i64, Instant>,
}

impl Cursor {
    /// Reads every row not yet published, in id order, and moves the cursor past them.
    async fn read(&mut self, conn: &mut PumpConn) -> Result<Vec<Published>, StoreError> {
        let mut c = conn.backend();
        let Some(mut high) = self.high else {
            let max: Option<i64> = db_run!(c, |c| events::table
                .select(diesel::dsl::max(events::id))
                .first(c)
                .await)?;
            self.high = Some(max.unwrap_or(0));
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        if !self.gaps.is_empty() {
            let wanted: Vec<i64> = self.gaps.keys().copied().collect();
            let rows: Vec<EventRow> = db_run!(c, |c| events::table
                .filter(events::id.eq_any(&wanted))
                .order(events::id)
                .select(EventRow::as_select())
                .load(c)
                .await)?;
            for row in rows {
                self.gaps.remove(&row.id);
                found.push(Published::from(row));
            }
            let now = Instant::now();
            self.gaps
                .retain(|_, since| now.duration_since(*since) < GAP_GRACE);
        }
        loop {
            let rows: Vec<EventRow> = db_run!(c, |c| events::table
                .filter(events::id.gt(high))
                .order(events::id)
                .limit(PAGE)
                .select(EventRow::as_select())
                .load(c)
                .await)?;
            let full = rows.len() as i64 == PAGE;
            for row in rows {
                self.skip_to(high, row.id);
                high = row.id;
                found.push(Published::from(row));
            }
            self.high = Some(high);
            if !full {
                break;
            }
        }
        found.sort_by_key(|e| e.id);
        Ok(found)
    }

    /// Remembers the ids strictly between `from` and `to` as gaps.
    fn skip_to(&mut self, from: i64, to: i64) {
        let now = Instant::now();
        for id in (from + 1)..to {
            if self.gaps.len() >= MAX_GAPS {
                tracing::warn!(
                    from,
                    to,
                    "too many outbox gaps; later skipped ids are not awaited"
                );
                break;
            }
            self.gaps.insert(id, now);
        }
    }
}

/// Reads new outbox rows whenever woken (or polled) and broadcasts them.
async fn pump(
    url: DatabaseUrl,
    wake: Arc<Notify>,
    sender: broadcast::Sender<Arc<Published>>,
    catalog: Arc<Generation>,
) {
    let mut cursor = Cursor::default();
    let mut conn: Option<PumpConn> = None;
    let mut backoff = BACKOFF_MIN;
    loop {
        if conn.is_none() {
            match PumpConn::open(&url).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "event publisher cannot reach the database; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        match cursor.read(c).await {
            Ok(found) => {
                backoff = BACKOFF_MIN;
                for event in found {
                    // Every instance's orders move stock: cached catalogue answers are stale.
                    if generation::changes_catalog(&event.event_type) {
                        catalog.bump();
                    }
                    // No receiver is not an error: nobody is subscribed right now.
                    let _ = sender.send(Arc::new(event));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e.log_detail().unwrap_or("database error"), "event publisher lost its connection; reconnecting");
                conn = None;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        }
        let poll = if cursor.gaps.is_empty() {
            IDLE_POLL
        } else {
            GAP_POLL
        };
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}

/// PostgreSQL: `LISTEN`s on a dedicated connection and wakes the pump on every notification;
/// reconnects by itself after the connection breaks, then wakes the pump to catch up.
async fn listen(url: String, wake: Arc<Notify>) {
    let mut backoff = BACKOFF_MIN;
    loop {
        match listen_once(&url, &wake).await {
            Ok(()) => backoff = BACKOFF_MIN,
            Err(e) => tracing::warn!(error = %e, "event listener disconnected; reconnecting"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// One listening connection, until it breaks.
async fn listen_once(url: &str, wake: &Notify) -> Result<(), String> {
    let mut conn = PgConn::establish(url).await.map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("listening for events");
    // Whatever was written while no connection listened is in the outbox: read it now.
    wake.notify_one();
    loop {
        {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            let deadline = tokio::time::sleep(LISTENER_CHECK);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    item = notifications.next() => match item {
                        Some(Ok(_)) => wake.notify_one(),
                        Some(Err(e)) => return Err(e.to_string()),
                        None => return Err("the listening connection closed".into()),
                    },
                    () = &mut deadline => break,
                }
            }
        }
        // A quiet connection may be a dead one (a restarted server, a dropped route).
        tokio::time::timeout(LISTENER_CHECK, conn.batch_execute("SELECT 1"))
            .await
            .map_err(|_| "the listening connection stopped answering".to_owned())?
            .map_err(|e| e.to_string())?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event_type: &str, customer: Option<&str>, order: Option<&str>) -> Published {
        Published {
            id: 1,
            event_id: "evt_1".into(),
            event_type: event_type.into(),
            customer_id: customer.map(str::to_owned),
            order_id: order.map(str::to_owned),
            payload: serde_json::Value::Null,
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn order_feeds_admit_only_their_orders() {
        let mine = Filter::CustomerOrders("cus_a".into());
        assert!(mine.admits(&event("order.paid", Some("cus_a"), Some("or_1"))));
        assert!(!mine.admits(&event("order.paid", Some("cus_b"), Some("or_2"))));
        assert!(!mine.admits(&event("customer.updated", Some("cus_a"), None)));
        let one = Filter::Order("or_1".into());
        assert!(one.admits(&event("order.placed", None, Some("or_1"))));
        assert!(!one.admits(&event("order.placed", None, Some("or_2"))));
    }

    #[test]
    fn type_filters_take_names_and_families() {
        let f = Filter::Types(Some(vec!["order.*".into(), "customer.created".into()]));
        assert!(f.admits(&event("order.paid", None, None)));
        assert!(f.admits(&event("customer.created", None, None)));
        assert!(!f.admits(&event("customer.updated", None, None)));
        assert!(known_type("order.*") && known_type("*") && !known_type("order.shipped"));
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_told_and_others_go_on() {
        let hub = Hub::new(2, Arc::default());
        let feed = |hub: &Hub| Feed {
            receiver: hub.subscribe(),
            filter: Filter::Types(None),
            replay: VecDeque::new(),
            replayed: HashSet::new(),
        };
        let (mut slow, mut quick) = (feed(&hub), feed(&hub));
        for id in 1..=4 {
            let mut e = event("order.paid", None, None);
            e.id = id;
            // Sending never waits for a subscriber.
            assert!(hub.sender.send(Arc::new(e)).is_ok());
            assert_eq!(quick.next().await.map(|e| e.id), Ok(id));
        }
        assert_eq!(slow.next().await.map(|e| e.id), Err(FeedError::Lagged(2)));
    }

    #[test]
    fn skipped_ids_become_gaps() {
        let mut cursor = Cursor::default();
        cursor.skip_to(3, 7);
        assert_eq!(
            cursor.gaps.keys().copied().collect::<Vec<_>>(),
            vec![4, 5, 6]
        );
    }
}
