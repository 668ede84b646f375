//! Delivery options and the shopper's choice of one. The shop has one option, standard
//! delivery at the flat rate of [`CheckoutRates`](crate::config::CheckoutRates) (free from the
//! threshold); its price is what the cart's totals charge, chosen or not. Checkouts that ask
//! the shopper to choose (see [`checkout::Needs`](super::checkout::Needs)) record the choice on
//! the cart; it survives changes of items and addresses, and choosing again replaces it.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::cart::lock;
use super::pricing::delivery_price;
use super::{Caller, Order, row_id};
use crate::db::schema::orders;
use crate::db_run;
use crate::store::{Entity, Store, StoreError, ids, now};

/// The id of standard delivery, the shop's one option.
pub const STANDARD: &str = "standard";

/// A way to deliver a cart, with its price for that cart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOption {
    pub id: &'static str,
    pub name: &'static str,
    /// Minor units of the cart's currency.
    pub amount: i64,
    pub currency: String,
}

/// The options `cart` may be delivered with.
pub fn options(store: &Store, cart: &Order) -> Vec<DeliveryOption> {
    vec![DeliveryOption {
        id: STANDARD,
        name: "Standard delivery",
        amount: delivery_price(cart.item_total, &store.config().checkout),
        currency: cart.currency.clone(),
    }]
}

/// Chooses delivery option `option_id` for the cart (replacing an earlier choice).
pub async fn choose(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    option_id: &str,
) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let cart = lock(&mut c.into(), &id, caller, at).await?;
            if !options(store, &cart).iter().any(|o| o.id == option_id) {
                return Err(StoreError::invalid(
                    "option_id",
                    "is not a delivery option of this cart",
                ));
            }
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::shipping_option_id.eq(option_id),
                    orders::shipping_method_id.eq(ids::new(ids::prefix::SHIPPING_METHOD)),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}
