//! Carts and orders over GraphQL (DESIGN.md section 6): `cart`, `order`, the cart mutations
//! (with `associateCart` and `deleteCart` beside the contract's),
//! `completeCart`, `cancelOrder`, and the integrator mutations `markOrderPaid` and
//! `fulfillOrder`. `Customer.orders` is in `accounts.rs`, read through a dataloader.
//!
//! Guests name their cart or order with its token: the `X-Order-Token` header, or the `token`
//! argument of `cart` and `order`. Integrators send a secret key.

mod cart;
mod order;

use async_graphql::{Context, ID, Object, Result};

pub use cart::Cart;
pub(crate) use order::money;
pub use order::{Order, OrderAddress, OrderConnection, OrderFilter};

use self::cart::{CreateCartInput, UpdateCartInput};
use super::ToGraphql;
use super::loaders::Loaders;
use super::session;
use crate::store::orders::history::{self, OrderKey};
use crate::store::orders::{self as store_orders, Caller, cart as carts, checkout, lifecycle};
use crate::store::{Store, StoreError};

/// The store and the caller. Line items already loaded for this request are dropped, since a
/// mutation is about to change them.
async fn caller<'a>(ctx: &'a Context<'_>, token: Option<String>) -> Result<(&'a Store, Caller)> {
    let store = ctx.data::<Store>()?;
    let caller = session::auth(ctx).caller(store, token).await.gql()?;
    Ok((store, caller))
}

fn forget_lines(ctx: &Context<'_>) -> Result<()> {
    Loaders::of(ctx)?.line_items.clear::<String>();
    Ok(())
}

fn cart_of(caller: &Caller, order: store_orders::Order) -> Cart {
    Cart {
        token: caller.shown_token(&order),
        order,
    }
}

fn order_of(caller: &Caller, order: store_orders::Order) -> Order {
    Order {
        token: caller.shown_token(&order),
        order,
    }
}

/// `NotFound` as null: a query for someone else's cart or order says no more than for one that
/// does not exist.
fn found<T>(
    result: std::result::Result<T, StoreError>,
) -> std::result::Result<Option<T>, StoreError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    /// A cart the caller owns, or opens with its token; null otherwise (also once completed).
    async fn cart(&self, ctx: &Context<'_>, id: ID, token: Option<String>) -> Result<Option<Cart>> {
        let (store, caller) = caller(ctx, token).await?;
        let cart = found(carts::get(store, &caller, &id).await).gql()?;
        Ok(cart.map(|order| cart_of(&caller, order)))
    }

    /// A placed order, by id or number, that the caller owns or opens with its token; null
    /// otherwise.
    async fn order(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        number: Option<String>,
        token: Option<String>,
    ) -> Result<Option<Order>> {
        let key = match (id, number) {
            (Some(id), None) => OrderKey::Id(id.0),
            (None, Some(number)) => OrderKey::Number(number),
            _ => return Err(StoreError::invalid("id", "give either id or number")).gql(),
        };
        let (store, caller) = caller(ctx, token).await?;
        let order = found(history::get(store, &caller, &key).await).gql()?;
        Ok(order.map(|order| order_of(&caller, order)))
    }
}

#[derive(Default)]
pub struct OrdersMutation;

#[Object]
impl OrdersMutation {
    /// Starts a cart in the shop's currency. A signed-in customer owns it; a guest gets its
    /// `token`, needed for every later call.
    async fn create_cart(&self, ctx: &Context<'_>, input: Option<CreateCartInput>) -> Result<Cart> {
        let (store, caller) = caller(ctx, None).await?;
        forget_lines(ctx)?;
        let (order, token) = carts::create(store, &caller, input.unwrap_or_default().into())
            .await
            .gql()?;
        Ok(Cart {
            token: token.map(|t| t.expose().clone()),
            order,
        })
    }

    /// Adds a variant (1 to 999); a line of the same variant grows instead.
    async fn add_cart_item(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        variant_id: ID,
        quantity: i32,
    ) -> Result<Cart> {
        let (store, caller) = caller(ctx, None).await?;
        forget_lines(ctx)?;
        let order = carts::add_item(store, &caller, &cart_id, &variant_id, quantity)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Sets a line's quantity; 0 removes the line.
    async fn update_cart_item(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        line_item_id: ID,
        quantity: i32,
    ) -> Result<Cart> {
        let (store, caller) = caller(ctx, None).await?;
        forget_lines(ctx)?;
        let order = carts::update_item(store, &caller, &cart_id, &line_item_id, quantity)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }

    async fn remove_cart_item(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        line_item_id: ID,
    ) -> Result<Cart> {
        let (store, caller) = caller(ctx, None).await?;
        forget_lines(ctx)?;
        let order = carts::remove_item(store, &caller, &cart_id, &line_item_id)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Sets the cart's email, shipping and billing addresses, or note.
    async fn update_cart(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        input: UpdateCartInput,
    ) -> Result<Cart> {
        let (store, caller) = caller(ctx, None).await?;
        let change = input.into_update().gql()?;
        let order = carts::update(store, &caller, &cart_id, change)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Makes a guest cart the signed-in customer's: send the cart's `X-Order-Token` with the
    /// customer's bearer token. Signing in with the token does the same.
    async fn associate_cart(&self, ctx: &Context<'_>, cart_id: ID) -> Result<Cart> {
        let (store, caller) = caller(ctx, None).await?;
        let order = carts::associate(store, &caller, &cart_id).await.gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Throws a cart and its items away; returns its id.
    async fn delete_cart(&self, ctx: &Context<'_>, cart_id: ID) -> Result<ID> {
        let (store, caller) = caller(ctx, None).await?;
        forget_lines(ctx)?;
        carts::delete(store, &caller, &cart_id).await.gql()?;
        Ok(cart_id)
    }

    /// Places the order: needs items, an email and a shipping address; reserves the stock.
    /// The order owes its total (payment is recorded by the shop).
    async fn complete_cart(&self, ctx: &Context<'_>, cart_id: ID) -> Result<Order> {
        let (store, caller) = caller(ctx, None).await?;
        forget_lines(ctx)?;
        let order = checkout::complete(store, &caller, &cart_id).await.gql()?;
        Ok(order_of(&caller, order))
    }

    /// Cancels an unfulfilled order and returns its stock: its owner (or guest with its
    /// token), or an integrator with a secret key.
    async fn cancel_order(&self, ctx: &Context<'_>, id: ID) -> Result<Order> {
        let store = ctx.data::<Store>()?;
        let actor = session::auth(ctx).actor(store).await.gql()?;
        let order = lifecycle::cancel(store, &actor, &id).await.gql()?;
        Ok(shown(&actor, order))
    }

    /// Records the payment of an order's balance. Integrators only (secret key).
    async fn mark_order_paid(&self, ctx: &Context<'_>, id: ID) -> Result<Order> {
        let store = ctx.data::<Store>()?;
        let actor = session::auth(ctx).actor(store).await.gql()?;
        let order = lifecycle::mark_paid(store, &actor, &id).await.gql()?;
        Ok(shown(&actor, order))
    }

    /// Records that an order was sent, with its tracking number. Integrators only.
    async fn fulfill_order(
        &self,
        ctx: &Context<'_>,
        id: ID,
        tracking_number: Option<String>,
    ) -> Result<Order> {
        let store = ctx.data::<Store>()?;
        let actor = session::auth(ctx).actor(store).await.gql()?;
        let order = lifecycle::fulfil(store, &actor, &id, tracking_number.as_deref())
            .await
            .gql()?;
        Ok(shown(&actor, order))
    }
}

fn shown(actor: &lifecycle::Actor, order: store_orders::Order) -> Order {
    match actor {
        lifecycle::Actor::Shopper(caller) => order_of(caller, order),
        lifecycle::Actor::Integrator => Order { order, token: None },
    }
}
