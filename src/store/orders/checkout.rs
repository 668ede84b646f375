//! Completing a cart: the cart is checked, its stock reserved and it becomes an order, all in
//! one transaction.
//!
//! Stock is reserved with one conditional `UPDATE ... SET stock_on_hand = stock_on_hand - q
//! WHERE stock_on_hand >= q` per tracked, non-backorderable variant. On PostgreSQL a second
//! transaction updating the same variant waits for the first and re-checks the condition on the
//! committed row, so of two customers racing for the last unit exactly one wins; on SQLite the
//! write lock serializes the two. Variants are updated in id order so that two carts sharing
//! variants cannot deadlock.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use rand::Rng;
use serde_json::json;

use super::pricing::reprice_cart;
use super::{
    Caller, Order, OrderStatus, PaymentStatus, ShipmentState, cart_not_found, row_id,
    units_by_product,
};
use crate::db::schema::{orders, products, variants};
use crate::db_run;
use crate::store::catalog::{Product, Variant};
use crate::store::events::{self, kind};
use crate::store::{Entity, FieldError, Store, StoreError, now};

/// Places the order of cart `cart_id`: needs items, an email and a shipping address (the
/// billing address defaults to it). The order owes its total (`balance_due`: payment is
/// manual) and waits for fulfilment. A signed-in caller completing a guest cart owns the order.
pub async fn complete(store: &Store, caller: &Caller, cart_id: &str) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let rates = &store.config().checkout;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let locked: Option<Order> = diesel::update(orders::table.find(&id))
                .set(orders::updated_at.eq(at))
                .returning(Order::as_returning())
                .get_result(c)
                .await
                .optional()?;
            let cart = locked
                .filter(|o| caller.may_access(o))
                .ok_or_else(cart_not_found)?;
            if cart.status() != OrderStatus::Cart {
                return Err(StoreError::Conflict {
                    message: "this cart has already been completed".into(),
                    field: None,
                });
            }
            let (cart, lines, unpriced) =
                reprice_cart(&mut c.into(), &id, &cart.currency, rates, at).await?;

            let mut missing = Vec::new();
            if lines.is_empty() {
                missing.push(FieldError::new("line_items", "the cart is empty"));
            }
            if cart.email.is_none() {
                missing.push(FieldError::new("email", "is required to place an order"));
            }
            if cart.shipping_address.is_none() {
                missing.push(FieldError::new(
                    "shipping_address",
                    "is required to place an order",
                ));
            }
            if !missing.is_empty() {
                return Err(StoreError::InvalidInput {
                    summary: Some("the cart cannot be completed yet".into()),
                    fields: missing,
                });
            }

            // Everything still for sale?
            let variant_ids: Vec<&str> = lines.iter().map(|l| l.variant_id.as_str()).collect();
            let stocked: Vec<(Variant, Product)> = variants::table
                .inner_join(products::table)
                .filter(variants::id.eq_any(&variant_ids))
                .select((Variant::as_select(), Product::as_select()))
                .load(c)
                .await?;
            let mut reserve: BTreeMap<&str, (i32, &Variant, &str)> = BTreeMap::new();
            for line in &lines {
                let Some((variant, product)) =
                    stocked.iter().find(|(v, _)| v.id == line.variant_id)
                else {
                    continue;
                };
                if !product.is_visible(at) || variant.discontinued_at.is_some() {
                    return Err(StoreError::Conflict {
                        message: format!("{} is no longer for sale", line.name),
                        field: Some("line_items".into()),
                    });
                }
                // A line keeps its last price when the catalogue drops it; it is not sold so.
                if unpriced.contains(&variant.id) {
                    return Err(StoreError::Conflict {
                        message: format!(
                            "{} has no price in {} any more",
                            line.name, cart.currency
                        ),
                        field: Some("line_items".into()),
                    });
                }
                reserve.insert(&variant.id, (line.quantity, variant, &line.name));
            }
            for (variant_id, (quantity, variant, name)) in &reserve {
                if !variant.track_inventory {
                    continue;
                }
                let target = variants::table.find(*variant_id);
                let taken = if variant.backorderable {
                    diesel::update(target)
                        .set((
                            variants::stock_on_hand.eq(variants::stock_on_hand - *quantity),
                            variants::updated_at.eq(at),
                        ))
                        .execute(c)
                        .await?
                } else {
                    diesel::update(target.filter(variants::stock_on_hand.ge(*quantity)))
                        .set((
                            variants::stock_on_hand.eq(variants::stock_on_hand - *quantity),
                            variants::updated_at.eq(at),
                        ))
                        .execute(c)
                        .await?
                };
                if taken == 0 {
                    return Err(StoreError::Conflict {
                        message: format!("not enough stock left for {name}"),
                        field: Some("line_items".into()),
                    });
                }
            }
            for (product_id, quantity) in units_by_product(&lines) {
                diesel::update(products::table.find(product_id))
                    .set(products::units_sold.eq(products::units_sold + quantity))
                    .execute(c)
                    .await?;
            }

            let mut number = new_number();
            for _ in 0..10 {
                let taken: i64 = orders::table
                    .filter(orders::number.eq(&number))
                    .count()
                    .get_result(c)
                    .await?;
                if taken == 0 {
                    break;
                }
                number = new_number();
            }
            let billing = cart
                .billing_address
                .clone()
                .or(cart.shipping_address.clone());
            // A guest cart completed by a signed-in customer (holding its token) is their order.
            let owner = cart.customer_id.clone().or(caller.customer_id.clone());
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::number.eq(&number),
                    orders::customer_id.eq(&owner),
                    orders::state.eq(OrderStatus::Placed),
                    orders::payment_state.eq(PaymentStatus::BalanceDue),
                    orders::shipment_state.eq(ShipmentState::Pending),
                    orders::billing_address.eq(billing),
                    orders::completed_at.eq(at),
                    orders::updated_at.eq(at),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            let event = order.event(
                kind::ORDER_PLACED,
                json!({
                    "number": order.number,
                    "email": order.email,
                    "currency": order.currency,
                    "item_count": order.item_count,
                    "total": order.total,
                }),
            );
            events::insert(&mut c.into(), &event).await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// `R` and nine random digits, as Spree numbers orders.
fn new_number() -> String {
    format!("R{:09}", rand::rng().random_range(0..1_000_000_000u32))
}
