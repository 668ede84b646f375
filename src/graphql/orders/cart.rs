//! `Cart` and the inputs of the cart mutations.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::order::{LineItem, OrderAddress, lines_of, money};
use crate::graphql::addresses::AddressInput;
use crate::graphql::catalog::Money;
use crate::store::orders::{self, cart};

/// A shopping cart: what the shopper is about to order, priced from the catalogue.
pub struct Cart {
    pub order: orders::Order,
    /// The guest token (given at creation, or presented by the guest); null for an owner.
    pub token: Option<String>,
}

#[Object]
impl Cart {
    /// `cart_...`; the order it becomes has the same id with `or_`.
    async fn id(&self) -> ID {
        ID(self.order.cart_id())
    }

    /// The guest's key to this cart and its order: send it as `X-Order-Token` (or as the
    /// `token` argument of `cart` and `order`). Shown when the cart is created and to a guest
    /// presenting it; null for a signed-in owner.
    async fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    async fn email(&self) -> Option<&str> {
        self.order.email.as_deref()
    }

    async fn note(&self) -> Option<&str> {
        self.order.note.as_deref()
    }

    /// ISO 4217.
    async fn currency(&self) -> &str {
        &self.order.currency
    }

    /// Units in the cart.
    async fn item_count(&self) -> i32 {
        self.order.item_count
    }

    async fn line_items(&self, ctx: &Context<'_>) -> Result<Vec<LineItem>> {
        lines_of(ctx, &self.order.id).await
    }

    async fn item_total(&self) -> Money {
        money(self.order.item_total, &self.order.currency)
    }

    /// The flat delivery rate (free above the configured threshold); 0 for an empty cart.
    async fn shipping_total(&self) -> Money {
        money(self.order.shipping_total, &self.order.currency)
    }

    async fn tax_total(&self) -> Money {
        money(self.order.tax_total, &self.order.currency)
    }

    async fn total(&self) -> Money {
        money(self.order.total, &self.order.currency)
    }

    /// What pays it besides the amount due: store credit and gift cards.
    async fn payments(&self, ctx: &Context<'_>) -> Result<Vec<crate::graphql::balances::Payment>> {
        Ok(crate::graphql::balances::paid(ctx, &self.order).await?.0)
    }

    /// What is left to pay after store credit and gift cards (0 once paid or canceled).
    async fn amount_due(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(crate::graphql::balances::paid(ctx, &self.order).await?.1)
    }

    async fn shipping_address(&self) -> Option<OrderAddress> {
        self.order.shipping_address().map(OrderAddress)
    }

    async fn billing_address(&self) -> Option<OrderAddress> {
        self.order.billing_address().map(OrderAddress)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.order.created_at.and_utc()
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.order.updated_at.and_utc()
    }
}

/// A variant and how many of it.
#[derive(InputObject)]
pub struct CartItemInput {
    variant_id: ID,
    /// 1 to 999.
    quantity: i32,
}

/// A new cart. A signed-in customer's cart takes the account's email unless one is given.
#[derive(InputObject, Default)]
pub struct CreateCartInput {
    email: Option<String>,
    /// Items to add at once.
    items: Option<Vec<CartItemInput>>,
    note: Option<String>,
}

impl From<CreateCartInput> for cart::NewCart {
    fn from(i: CreateCartInput) -> Self {
        Self {
            email: i.email,
            note: i.note,
            items: i
                .items
                .unwrap_or_default()
                .into_iter()
                .map(|item| (item.variant_id.0, item.quantity))
                .collect(),
        }
    }
}

/// An address for the cart: `addressId` (one of the signed-in customer's address book, copied)
/// or `address` (typed in), exactly one.
#[derive(InputObject)]
pub struct CartAddressInput {
    address_id: Option<ID>,
    address: Option<AddressInput>,
}

impl CartAddressInput {
    fn into_source(self, field: &str) -> Result<cart::AddressSource, crate::store::StoreError> {
        match (self.address_id, self.address) {
            (Some(id), None) => Ok(cart::AddressSource::Book(id.0)),
            (None, Some(address)) => Ok(cart::AddressSource::Inline(Box::new(address.into()))),
            _ => Err(crate::store::StoreError::invalid(
                field,
                "needs exactly one of addressId and address",
            )),
        }
    }
}

/// Changes to a cart; an absent field stays as it is.
#[derive(InputObject)]
pub struct UpdateCartInput {
    email: Option<String>,
    shipping_address: Option<CartAddressInput>,
    /// When never given, the order's billing address is its shipping address.
    billing_address: Option<CartAddressInput>,
    /// At most 1000 characters; an empty note clears it.
    note: Option<String>,
}

impl UpdateCartInput {
    pub(super) fn into_update(self) -> Result<cart::CartUpdate, crate::store::StoreError> {
        Ok(cart::CartUpdate {
            email: self.email,
            shipping_address: self
                .shipping_address
                .map(|a| a.into_source("shipping_address"))
                .transpose()?,
            billing_address: self
                .billing_address
                .map(|a| a.into_source("billing_address"))
                .transpose()?,
            note: self.note,
        })
    }
}
