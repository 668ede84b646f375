//! Paying for a cart step by step, for checkouts that ask the shopper to start a payment and
//! pick a provider before completing (see [`checkout::Needs`](super::checkout::Needs)). The
//! shop takes manual payment only: the provider records the shopper's choice, nothing is
//! charged, and the placed order owes its total until it is marked paid.
//!
//! A session is started for the cart's total at that moment; when the total changes the session
//! is void ([`Order::payment_session`]) and a new one must be started.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::cart::lock;
use super::{Caller, Order, OrderStatus, row_id};
use crate::db::schema::orders;
use crate::db_run;
use crate::store::{Entity, Store, StoreError, ids, now};

/// Manual payment: the shop's one provider.
pub const MANUAL: &str = "manual";

/// The payment providers a shopper may choose from.
pub fn providers() -> &'static [&'static str] {
    &[MANUAL]
}

/// Starts paying for the cart (once: starting again keeps the first start). A placed order
/// whose payment was started answers as it is; one that never started it cannot any more.
pub async fn start(store: &Store, caller: &Caller, cart_id: &str) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let row: Option<Order> = orders::table
                .find(&id)
                .select(Order::as_select())
                .first(c)
                .await
                .optional()?;
            let row = row
                .filter(|o| caller.may_access(o))
                .ok_or(StoreError::not_found(Entity::Cart))?;
            if row.status() != OrderStatus::Cart {
                return match row.payment_started_at() {
                    Some(_) => Ok(row),
                    None => Err(StoreError::Conflict {
                        message: "this cart has already been completed".into(),
                        field: None,
                    }),
                };
            }
            let cart = lock(&mut c.into(), &id, caller, at).await?;
            if cart.payment_started_at().is_some() {
                return Ok(cart);
            }
            let order: Order = diesel::update(orders::table.find(&id))
                .set(orders::payment_started_at.eq(at))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// Starts a payment session with `provider` for the cart's current total, replacing any
/// earlier session. The payment must have been started ([`start`]).
pub async fn start_session(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    provider: &str,
) -> Result<Order, StoreError> {
    if !providers().contains(&provider) {
        return Err(StoreError::invalid(
            "provider_id",
            "is not a payment provider of this shop",
        ));
    }
    let id = row_id(cart_id, Entity::Cart)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let cart = lock(&mut c.into(), &id, caller, at).await?;
            if cart.payment_started_at().is_none() {
                return Err(StoreError::not_found(Entity::Payment));
            }
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::payment_provider.eq(provider),
                    orders::payment_session_id.eq(ids::new(ids::prefix::PAYMENT_SESSION)),
                    orders::payment_session_amount.eq(cart.total),
                    orders::payment_session_at.eq(at),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}
