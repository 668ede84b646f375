//! `Order`, `LineItem`, `OrderAddress`, the status enums and `OrderConnection`.

use std::collections::BTreeSet;

use async_graphql::{Context, Enum, ID, InputObject, Lookahead, Object, Result};
use chrono::{DateTime, Utc};

use crate::graphql::ToGraphql;
use crate::graphql::catalog::Money;
use crate::graphql::catalog::{Product, Variant};
use crate::graphql::connection::PageInfo;
use crate::graphql::loaders::Loaders;
use crate::store::money::Money as StoreMoney;
use crate::store::orders::{self, history};
use crate::store::pagination::Page;
use crate::store::{Entity, Store, StoreError};

/// Where an order stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Placed,
    Canceled,
}

/// Whether the order is paid (payment is recorded by the shop's back office).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    BalanceDue,
    Paid,
    /// Canceled before payment: nothing is owed.
    Void,
}

/// Whether the order has been sent.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum FulfillmentStatus {
    Unfulfilled,
    Fulfilled,
    Canceled,
}

impl From<OrderStatus> for orders::OrderStatus {
    fn from(s: OrderStatus) -> Self {
        match s {
            OrderStatus::Placed => Self::Placed,
            OrderStatus::Canceled => Self::Canceled,
        }
    }
}

impl From<PaymentStatus> for orders::PaymentStatus {
    fn from(s: PaymentStatus) -> Self {
        match s {
            PaymentStatus::BalanceDue => Self::BalanceDue,
            PaymentStatus::Paid => Self::Paid,
            PaymentStatus::Void => Self::Void,
        }
    }
}

impl From<FulfillmentStatus> for orders::FulfillmentStatus {
    fn from(s: FulfillmentStatus) -> Self {
        match s {
            FulfillmentStatus::Unfulfilled => Self::Unfulfilled,
            FulfillmentStatus::Fulfilled => Self::Fulfilled,
            FulfillmentStatus::Canceled => Self::Canceled,
        }
    }
}

/// Which orders to list; every field given must match.
#[derive(InputObject, Default)]
pub struct OrderFilter {
    status: Option<OrderStatus>,
    payment_status: Option<PaymentStatus>,
    fulfillment_status: Option<FulfillmentStatus>,
}

impl From<OrderFilter> for history::OrderFilter {
    fn from(f: OrderFilter) -> Self {
        Self {
            status: f.status.map(Into::into),
            payment: f.payment_status.map(Into::into),
            fulfillment: f.fulfillment_status.map(Into::into),
            ..Self::default()
        }
    }
}

pub(crate) fn money(amount: i64, currency: &str) -> Money {
    StoreMoney::new(amount, currency).into()
}

/// The lines of an order or cart (a `lineItems` field), through the request's dataloader, with
/// the variants and products the selection asks for loaded in one batch each.
pub(super) async fn lines_of(ctx: &Context<'_>, order_id: &str) -> Result<Vec<LineItem>> {
    let lines = Loaders::of(ctx)?
        .line_items
        .load_one(order_id.to_owned())
        .await?
        .unwrap_or_default();
    prefetch_catalog(ctx, &lines, ctx.look_ahead()).await?;
    Ok(lines.into_iter().map(LineItem).collect())
}

/// Loads the variants and products that `selection` (a `LineItem` selection) asks for.
async fn prefetch_catalog(
    ctx: &Context<'_>,
    lines: &[orders::LineItem],
    selection: Lookahead<'_>,
) -> Result<()> {
    let loaders = Loaders::of(ctx)?;
    let variant = selection.field("variant");
    if variant.exists() {
        let ids: BTreeSet<String> = lines.iter().map(|l| l.variant_id.clone()).collect();
        loaders.variants_by_id.load_many(ids).await?;
    }
    if selection.field("product").exists() || variant.field("product").exists() {
        let ids: BTreeSet<String> = lines.iter().map(|l| l.product_id.clone()).collect();
        loaders.products.load_many(ids).await?;
    }
    Ok(())
}

/// Loads the line items of a whole page of orders (and their variants and products) when
/// `selection` (an `Order` selection) asks for them, one batch per kind: the fields then read
/// the loaders' caches, so a page costs the same number of statements whatever its size and
/// however the resolvers interleave.
async fn prefetch_lines(
    ctx: &Context<'_>,
    page: &Page<orders::Order>,
    selection: Lookahead<'_>,
) -> Result<()> {
    let lines_selection = selection.field("lineItems");
    if !lines_selection.exists() || page.items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = page.items.iter().map(|(_, o)| o.id.clone()).collect();
    let lines = Loaders::of(ctx)?.line_items.load_many(ids).await?;
    let all: Vec<orders::LineItem> = lines.into_values().flatten().collect();
    prefetch_catalog(ctx, &all, lines_selection).await
}

/// A placed order. Its addresses and line items are snapshots: later edits of the address
/// book or the catalogue do not change them.
pub struct Order {
    pub order: orders::Order,
    /// The guest token the caller presented, shown back to the guest only.
    pub token: Option<String>,
}

#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.order.id.clone())
    }

    /// `R` and nine digits.
    async fn number(&self) -> &str {
        self.order.number.as_deref().unwrap_or_default()
    }

    /// The guest token that opens this order (sent as `X-Order-Token`); null for the owner.
    async fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    async fn status(&self) -> OrderStatus {
        match self.order.status() {
            orders::OrderStatus::Canceled => OrderStatus::Canceled,
            _ => OrderStatus::Placed,
        }
    }

    async fn payment_status(&self) -> PaymentStatus {
        match self.order.payment_status() {
            orders::PaymentStatus::BalanceDue => PaymentStatus::BalanceDue,
            orders::PaymentStatus::Paid => PaymentStatus::Paid,
            orders::PaymentStatus::Void => PaymentStatus::Void,
        }
    }

    async fn fulfillment_status(&self) -> FulfillmentStatus {
        match self.order.fulfillment_status() {
            orders::FulfillmentStatus::Unfulfilled => FulfillmentStatus::Unfulfilled,
            orders::FulfillmentStatus::Fulfilled => FulfillmentStatus::Fulfilled,
            orders::FulfillmentStatus::Canceled => FulfillmentStatus::Canceled,
        }
    }

    async fn email(&self) -> &str {
        self.order.email.as_deref().unwrap_or_default()
    }

    /// ISO 4217.
    async fn currency(&self) -> &str {
        &self.order.currency
    }

    async fn note(&self) -> Option<&str> {
        self.order.note.as_deref()
    }

    async fn tracking_number(&self) -> Option<&str> {
        self.order.tracking_number.as_deref()
    }

    /// Units in the order.
    async fn item_count(&self) -> i32 {
        self.order.item_count
    }

    async fn line_items(&self, ctx: &Context<'_>) -> Result<Vec<LineItem>> {
        lines_of(ctx, &self.order.id).await
    }

    async fn item_total(&self) -> Money {
        money(self.order.item_total, &self.order.currency)
    }

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

    async fn placed_at(&self) -> DateTime<Utc> {
        self.order
            .completed_at
            .unwrap_or(self.order.created_at)
            .and_utc()
    }

    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.order.paid_at.map(|t| t.and_utc())
    }

    async fn fulfilled_at(&self) -> Option<DateTime<Utc>> {
        self.order.shipped_at.map(|t| t.and_utc())
    }

    async fn canceled_at(&self) -> Option<DateTime<Utc>> {
        self.order.canceled_at.map(|t| t.and_utc())
    }
}

/// A line of a cart or order: what was bought, at which price.
pub struct LineItem(pub orders::LineItem);

#[Object]
impl LineItem {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The product's name when the item was added.
    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn sku(&self) -> Option<&str> {
        self.0.sku.as_deref()
    }

    /// "Size: S, Color: Red"; empty when the variant has no options.
    async fn options(&self) -> &str {
        &self.0.options_text
    }

    async fn quantity(&self) -> i32 {
        self.0.quantity
    }

    async fn unit_price(&self) -> Money {
        money(self.0.unit_price, &self.0.currency)
    }

    /// The former unit price, when the item was on sale.
    async fn compare_at_unit_price(&self) -> Option<Money> {
        self.0
            .compare_at_unit_price
            .map(|was| money(was, &self.0.currency))
    }

    async fn total(&self) -> Money {
        money(self.0.total, &self.0.currency)
    }

    /// The variant as it is now in the catalogue.
    async fn variant(&self, ctx: &Context<'_>) -> Result<Variant> {
        Loaders::of(ctx)?
            .variants_by_id
            .load_one(self.0.variant_id.clone())
            .await?
            .map(Variant::from)
            .ok_or(StoreError::not_found(Entity::Variant))
            .gql()
    }

    /// The product as it is now in the catalogue.
    async fn product(&self, ctx: &Context<'_>) -> Result<Product> {
        Loaders::of(ctx)?
            .products
            .load_one(self.0.product_id.clone())
            .await?
            .map(Product::from)
            .ok_or(StoreError::not_found(Entity::Product))
            .gql()
    }
}

/// An address copied onto a cart or order.
pub struct OrderAddress(pub orders::OrderAddress);

#[Object]
impl OrderAddress {
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }

    async fn full_name(&self) -> Option<String> {
        self.0.full_name()
    }

    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }

    async fn address1(&self) -> &str {
        &self.0.address1
    }

    async fn address2(&self) -> Option<&str> {
        self.0.address2.as_deref()
    }

    async fn city(&self) -> &str {
        &self.0.city
    }

    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    /// ISO 3166-1 alpha-2.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    async fn country_name(&self) -> &str {
        self.0.country_name().unwrap_or(&self.0.country_code)
    }

    /// The subdivision's code within its country (`NY`).
    async fn province_code(&self) -> Option<&str> {
        self.0.province_code.as_deref()
    }

    async fn province_name(&self) -> Option<&str> {
        self.0.province_name()
    }

    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
}

/// A page of a customer's orders, newest first.
pub struct OrderConnection {
    pub page: Page<orders::Order>,
    pub customer_id: String,
    pub filter: history::OrderFilter,
}

/// An order and its cursor.
pub struct OrderEdge<'a> {
    cursor: &'a str,
    order: &'a orders::Order,
}

#[Object]
impl OrderEdge<'_> {
    async fn cursor(&self) -> &str {
        self.cursor
    }

    async fn node(&self) -> Order {
        Order {
            order: self.order.clone(),
            token: None,
        }
    }
}

#[Object]
impl OrderConnection {
    async fn edges(&self, ctx: &Context<'_>) -> Result<Vec<OrderEdge<'_>>> {
        prefetch_lines(ctx, &self.page, ctx.look_ahead().field("node")).await?;
        Ok(self
            .page
            .items
            .iter()
            .map(|(cursor, order)| OrderEdge { cursor, order })
            .collect())
    }

    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<Order>> {
        prefetch_lines(ctx, &self.page, ctx.look_ahead()).await?;
        Ok(self
            .page
            .items
            .iter()
            .map(|(_, order)| Order {
                order: order.clone(),
                token: None,
            })
            .collect())
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.page)
    }

    /// How many orders match the filter.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        history::count_for_customer(ctx.data::<Store>()?, &self.customer_id, &self.filter)
            .await
            .gql()
    }
}
