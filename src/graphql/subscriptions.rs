//! The `Subscription` root (DESIGN.md sections 6 and 7), served over `/graphql/ws` only:
//! `orderUpdated` for shoppers, `storeEvents` for integrators. Who may follow what is decided by
//! `store::publication`; this file only opens the feed and converts its events.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, Json, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ToGraphql;
use super::orders::Order;
use super::session;
use crate::store::Store;
use crate::store::orders::Caller;
use crate::store::orders::history::{self, OrderKey};
use crate::store::publication::{self, Feed, FeedError, Published};

/// The subscriptions one socket may run at once; put into the socket's data at
/// `connection_init` (see `graphql::socket`).
#[derive(Clone)]
pub struct SubscriptionSlots(pub Arc<Semaphore>);

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Events of the caller's orders: one order (`orderId`; a guest sends its order token as
    /// `token` or in `connection_init`), or every order of the signed-in customer when
    /// `orderId` is omitted. Another customer's order is `NOT_FOUND`. With `after` (the
    /// `position` of the last event received), the events since are replayed from the outbox
    /// first.
    async fn order_updated(
        &self,
        ctx: &Context<'_>,
        order_id: Option<ID>,
        token: Option<String>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<OrderEvent>> + use<>> {
        let slot = take_slot(ctx)?;
        let store = ctx.data::<Store>()?.clone();
        let caller = session::auth(ctx).caller(&store, token).await.gql()?;
        let feed = publication::follow_orders(
            &store,
            &caller,
            order_id.as_ref().map(|id| id.as_str()),
            after.as_deref(),
        )
        .await
        .gql()?;
        Ok(events(feed, slot, move |event| OrderEvent {
            event,
            caller: caller.clone(),
        }))
    }

    /// Every event of the shop, or those of `types` (exact names such as
    /// `customer.password_reset_requested`, or families such as `order.*`). Integrators only:
    /// the secret key goes in `connection_init` (`authorization: "Bearer sk_..."` or
    /// `x-storefront-secret-key`) or on the upgrade request. With `after` (the `position` of
    /// the last event received), the events since are replayed from the outbox first.
    async fn store_events(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<String>>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<StoreEvent>> + use<>> {
        let slot = take_slot(ctx)?;
        let store = ctx.data::<Store>()?;
        let actor = session::auth(ctx).actor(store).await.gql()?;
        let feed = publication::follow_store(store, &actor, types, after.as_deref())
            .await
            .gql()?;
        Ok(events(feed, slot, StoreEvent))
    }
}

/// One of the socket's subscription slots, held as long as the subscription runs.
fn take_slot(ctx: &Context<'_>) -> Result<Option<OwnedSemaphorePermit>> {
    let Some(slots) = ctx.data_opt::<SubscriptionSlots>() else {
        return Ok(None);
    };
    let max = ctx.data::<Store>()?.config().sockets.max_subscriptions;
    slots.0.clone().try_acquire_owned().map(Some).map_err(|_| {
        async_graphql::Error::new(format!(
            "a socket may run at most {max} subscriptions at once"
        ))
        .extend_with(|_, e| e.set("code", "RATE_LIMITED"))
    })
}

/// The feed's events, converted. A subscriber that fell more than `STOREFRONT_EVENTS_BUFFER`
/// behind gets one `LAGGED` error, whose `position` extension is the last event it received,
/// and the subscription ends: subscribing again with `after` set to it resumes from the outbox.
fn events<T: Send + 'static>(
    feed: Feed,
    slot: Option<OwnedSemaphorePermit>,
    convert: impl Fn(Arc<Published>) -> T + Send + 'static,
) -> impl Stream<Item = Result<T>> {
    let last: Option<i64> = None;
    futures_util::stream::unfold(Some((feed, slot, convert, last)), |state| async move {
        let (mut feed, slot, convert, last) = state?;
        match feed.next().await {
            Ok(event) => {
                let last = Some(event.id);
                Some((Ok(convert(event)), Some((feed, slot, convert, last))))
            }
            Err(FeedError::Lagged(missed)) => Some((
                Err(async_graphql::Error::new(format!(
                    "this subscription fell behind and {missed} events were dropped; \
                         subscribe again with `after` set to the last position received"
                ))
                .extend_with(|_, e| {
                    e.set("code", "LAGGED");
                    e.set("missed", missed);
                    if let Some(last) = last {
                        e.set("position", last.to_string());
                    }
                })),
                None,
            )),
            Err(FeedError::Closed) => None,
        }
    })
}

/// An event of one of the caller's orders.
pub struct OrderEvent {
    event: Arc<Published>,
    caller: Caller,
}

#[Object]
impl OrderEvent {
    /// The event's id (`evt_...`).
    async fn id(&self) -> ID {
        ID(self.event.event_id.clone())
    }

    /// The event's position in the outbox, to resume from with `after`.
    async fn position(&self) -> String {
        self.event.id.to_string()
    }

    /// `order.placed`, `order.paid`, `order.fulfilled` or `order.canceled`.
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.event.event_type
    }

    async fn order_id(&self) -> ID {
        ID(self.event.order_id.clone().unwrap_or_default())
    }

    /// The order's number (`R123456789`).
    async fn number(&self) -> Option<&str> {
        self.event.payload.get("number").and_then(|n| n.as_str())
    }

    /// The event's payload, as documented in the README for its type.
    async fn payload(&self) -> Json<&serde_json::Value> {
        Json(&self.event.payload)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.event.created_at.and_utc()
    }

    /// The order as it is now (null if the caller may no longer see it).
    async fn order(&self, ctx: &Context<'_>) -> Result<Option<Order>> {
        let store = ctx.data::<Store>()?;
        let key = OrderKey::Id(self.event.order_id.clone().unwrap_or_default());
        match history::get(store, &self.caller, &key).await {
            Ok(order) => Ok(Some(Order {
                token: self.caller.shown_token(&order),
                order,
            })),
            Err(crate::store::StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }
}

/// Any event of the shop, as written to the outbox.
pub struct StoreEvent(Arc<Published>);

#[Object]
impl StoreEvent {
    /// The event's id (`evt_...`).
    async fn id(&self) -> ID {
        ID(self.0.event_id.clone())
    }

    /// The event's position in the outbox, to resume from with `after`.
    async fn position(&self) -> String {
        self.0.id.to_string()
    }

    /// `customer.created`, `order.placed`, ... (the README lists every type).
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }

    async fn customer_id(&self) -> Option<ID> {
        self.0.customer_id.clone().map(ID)
    }

    async fn order_id(&self) -> Option<ID> {
        self.0.order_id.clone().map(ID)
    }

    /// The event's payload, as documented in the README for its type. Only
    /// `customer.password_reset_requested` carries a secret: the reset token.
    async fn payload(&self) -> Json<&serde_json::Value> {
        Json(&self.0.payload)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }
}
