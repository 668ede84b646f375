//! What happens to a placed order: the customer (or an integrator) cancels it while it is
//! unfulfilled; an integrator holding a secret key marks it paid and fulfils it. Every change
//! records its event in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::{
    Caller, FulfillmentStatus, LineItem, Order, OrderStatus, PaymentStatus, ShipmentState, row_id,
    units_by_product,
};
use crate::db::Backend;
use crate::db::schema::{line_items, orders, products, variants};
use crate::db_run;
use crate::store::mail::{self, outbox};
use crate::store::{Entity, Store, StoreError, now};
use crate::store::{balances, events};

/// Who changes an order.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A shopper: the order's owner, or a guest with its token.
    Shopper(Caller),
    /// A backend holding a secret key: any order.
    Integrator,
}

impl Actor {
    fn may_change(&self, order: &Order) -> bool {
        match self {
            Self::Shopper(caller) => caller.may_access(order),
            Self::Integrator => true,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Shopper(_) => "customer",
            Self::Integrator => "integrator",
        }
    }

    pub fn require_integrator(&self) -> Result<(), StoreError> {
        match self {
            Self::Integrator => Ok(()),
            Self::Shopper(_) => Err(StoreError::Forbidden(
                "this operation needs a secret API key".into(),
            )),
        }
    }
}

/// Longest tracking number.
const MAX_TRACKING: usize = 100;

fn conflict(message: &str) -> StoreError {
    StoreError::Conflict {
        message: message.into(),
        field: None,
    }
}

/// Locks a placed (or canceled) order and checks the actor may change it.
async fn lock(
    c: &mut Backend<'_>,
    id: &str,
    actor: &Actor,
    at: NaiveDateTime,
) -> Result<Order, StoreError> {
    let order: Option<Order> = db_run!(c, |c| diesel::update(orders::table.find(id))
        .filter(orders::state.ne(OrderStatus::Cart))
        .set(orders::updated_at.eq(at))
        .returning(Order::as_returning())
        .get_result(c)
        .await
        .optional())?;
    order
        .filter(|o| actor.may_change(o))
        .ok_or(StoreError::not_found(Entity::Order))
}

/// Cancels an unfulfilled order: its stock goes back, an unpaid balance is voided (a paid one
/// stays paid and the event says a refund is due).
pub async fn cancel(store: &Store, actor: &Actor, order_id: &str) -> Result<Order, StoreError> {
    let id = row_id(order_id, Entity::Order)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let order = lock(&mut c.into(), &id, actor, at).await?;
            if order.status() == OrderStatus::Canceled {
                return Err(conflict("the order is already canceled"));
            }
            if order.fulfillment_status() != FulfillmentStatus::Unfulfilled {
                return Err(conflict("a fulfilled order cannot be canceled"));
            }
            let lines: Vec<LineItem> = line_items::table
                .filter(line_items::order_id.eq(&id))
                .order(line_items::variant_id)
                .select(LineItem::as_select())
                .load(c)
                .await?;
            // Variants in id order, then products in id order: the order checkout locks them
            // in, so a cancel and a checkout sharing rows cannot deadlock on PostgreSQL.
            for line in &lines {
                diesel::update(variants::table.find(&line.variant_id))
                    .filter(variants::track_inventory.eq(true))
                    .set((
                        variants::stock_on_hand.eq(variants::stock_on_hand + line.quantity),
                        variants::updated_at.eq(at),
                    ))
                    .execute(c)
                    .await?;
            }
            for (product_id, quantity) in units_by_product(&lines) {
                diesel::update(products::table.find(product_id))
                    .set(products::units_sold.eq(products::units_sold - quantity))
                    .execute(c)
                    .await?;
            }
            // Store credit and gift card amounts go back to their balances; what was paid
            // otherwise is the refund due.
            let restored = balances::restore(&mut c.into(), &order, at).await?;
            let paid = order.payment_status() == PaymentStatus::Paid;
            let refund_due = if paid { order.total - restored } else { 0 };
            let paid = paid && refund_due > 0;
            let payment = if paid {
                PaymentStatus::Paid
            } else {
                PaymentStatus::Void
            };
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::state.eq(OrderStatus::Canceled),
                    orders::shipment_state.eq(ShipmentState::Canceled),
                    orders::payment_state.eq(payment),
                    orders::canceled_at.eq(at),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            let event = order.event(&events::OrderCanceled {
                order: order.event_ref(),
                canceled_by: actor.name().to_owned(),
                refund_due,
                currency: order.currency.clone(),
            });
            events::insert(&mut c.into(), &event).await?;
            Ok::<_, StoreError>(order)
        })
        .await)
    // The stock went back: cached catalogue answers of this instance are stale.
    .inspect(|_| store.catalog_generation().bump())
}

/// Records the payment of a placed order's balance (integrators only).
pub async fn mark_paid(store: &Store, actor: &Actor, order_id: &str) -> Result<Order, StoreError> {
    actor.require_integrator()?;
    let id = row_id(order_id, Entity::Order)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let order = lock(&mut c.into(), &id, actor, at).await?;
            if order.status() != OrderStatus::Placed {
                return Err(conflict("a canceled order cannot be paid"));
            }
            if order.payment_status() != PaymentStatus::BalanceDue {
                return Err(conflict("the order is already paid"));
            }
            // Shipment states: `ready` is paid and waiting to be sent.
            let shipment = if order.fulfillment_status() == FulfillmentStatus::Unfulfilled {
                ShipmentState::Ready
            } else {
                order.shipment_state.unwrap_or(ShipmentState::Shipped)
            };
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::payment_state.eq(PaymentStatus::Paid),
                    orders::shipment_state.eq(shipment),
                    orders::paid_at.eq(at),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            let covered = balances::captured_total(&mut c.into(), &id).await?;
            let event = order.event(&events::OrderPaid {
                order: order.event_ref(),
                amount: order.total - covered,
                currency: order.currency.clone(),
            });
            events::insert(&mut c.into(), &event).await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// Records that a placed order was sent, with its tracking number (integrators only).
pub async fn fulfil(
    store: &Store,
    actor: &Actor,
    order_id: &str,
    tracking_number: Option<&str>,
) -> Result<Order, StoreError> {
    actor.require_integrator()?;
    let tracking = tracking_number
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    if tracking
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_TRACKING || t.chars().any(char::is_control))
    {
        return Err(StoreError::invalid(
            "tracking_number",
            format!("must be at most {MAX_TRACKING} printable characters"),
        ));
    }
    let id = row_id(order_id, Entity::Order)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let order = lock(&mut c.into(), &id, actor, at).await?;
            if order.status() != OrderStatus::Placed {
                return Err(conflict("a canceled order cannot be fulfilled"));
            }
            if order.fulfillment_status() != FulfillmentStatus::Unfulfilled {
                return Err(conflict("the order is already fulfilled"));
            }
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::shipment_state.eq(ShipmentState::Shipped),
                    orders::tracking_number.eq(&tracking),
                    orders::shipped_at.eq(at),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            let event = order.event(&events::OrderFulfilled {
                order: order.event_ref(),
                tracking_number: order.tracking_number.clone(),
            });
            events::insert(&mut c.into(), &event).await?;
            if let Some(shipped) = mail::order_shipped(store.config(), &order) {
                outbox::queue(&mut c.into(), &shipped).await?;
            }
            Ok::<_, StoreError>(order)
        })
        .await)
    .inspect(|_| store.wake_mail())
}
