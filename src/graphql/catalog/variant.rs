//! `Variant`, `OptionType`, `OptionValue` and `Image`.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::money::Money;
use super::product::{Parts, Product};
use crate::graphql::ToGraphql;
use crate::graphql::loaders::Loaders;
use crate::store::catalog::{self, Variant as VariantRow};
use crate::store::{Entity, StoreError};

/// A purchasable version of a product. Stock is shown only as availability.
pub struct Variant {
    row: VariantRow,
    /// Its product's parts as a page prefetched them (prices, option values), if it did.
    parts: Arc<Parts>,
}

impl From<VariantRow> for Variant {
    fn from(row: VariantRow) -> Self {
        Self::with_parts(row, Arc::default())
    }
}

impl Variant {
    pub fn with_parts(row: VariantRow, parts: Arc<Parts>) -> Self {
        Self { row, parts }
    }
}

#[Object]
impl Variant {
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }

    async fn sku(&self) -> Option<&str> {
        self.row.sku.as_deref()
    }

    /// The product this is a version of, whatever its status now (an order line keeps showing
    /// a product that has since become a draft or been discontinued).
    async fn product(&self, ctx: &Context<'_>) -> Result<Product> {
        let product = Loaders::of(ctx)?
            .products
            .load_one(self.row.product_id.clone())
            .await?
            .ok_or(StoreError::not_found(Entity::Product));
        Ok(product.gql()?.into())
    }

    /// Whether this is the product's default variant (the one carrying its own price).
    async fn is_default(&self) -> bool {
        self.row.is_default
    }

    /// "Size: S, Color: Red".
    async fn options_text(&self, ctx: &Context<'_>) -> Result<String> {
        let values = self.parts.option_values(ctx, &self.row.id).await?;
        Ok(catalog::options_text(values.iter().map(|v| &v.0)))
    }

    async fn option_values(&self, ctx: &Context<'_>) -> Result<Vec<Cow<'_, OptionValue>>> {
        // Borrowed from the page's prefetch when there was one: no copy of each value's text.
        Ok(match self.parts.option_values(ctx, &self.row.id).await? {
            Cow::Borrowed(values) => values.iter().map(Cow::Borrowed).collect(),
            Cow::Owned(values) => values.into_iter().map(Cow::Owned).collect(),
        })
    }

    /// The price in the shop's currency; null when the variant has none.
    async fn price(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        let price = self.parts.price(ctx, &self.row.id).await?;
        Ok(price.map(|p| p.money().into()))
    }

    /// The former price, when above the price.
    async fn compare_at_price(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        let price = self.parts.price(ctx, &self.row.id).await?;
        Ok(price.and_then(|p| p.compare_at_money()).map(Into::into))
    }

    /// In stock now (or stock not tracked).
    async fn in_stock(&self) -> bool {
        self.row.in_stock()
    }

    /// Can be ordered beyond the stock on hand.
    async fn backorderable(&self) -> bool {
        self.row.is_backorderable()
    }

    /// Can be added to a cart now.
    async fn purchasable(&self) -> bool {
        self.row.purchasable()
    }

    async fn weight(&self) -> Option<f64> {
        self.row.weight
    }

    async fn height(&self) -> Option<f64> {
        self.row.height
    }

    async fn width(&self) -> Option<f64> {
        self.row.width
    }

    async fn depth(&self) -> Option<f64> {
        self.row.depth
    }
}

/// An option a product varies by (size, colour).
#[derive(SimpleObject)]
pub struct OptionType {
    pub id: ID,
    pub name: String,
    pub presentation: String,
    pub position: i32,
}

impl From<catalog::OptionType> for OptionType {
    fn from(o: catalog::OptionType) -> Self {
        Self {
            id: ID(o.id),
            name: o.name,
            presentation: o.presentation,
            position: o.position,
        }
    }
}

/// One value of an option ("S" of "Size").
#[derive(Clone)]
pub struct OptionValue(pub catalog::OptionValue);

#[Object]
impl OptionValue {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn presentation(&self) -> &str {
        &self.0.presentation
    }

    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn color_code(&self) -> Option<&str> {
        self.0.color_code.as_deref()
    }

    async fn option_type_id(&self) -> ID {
        ID(self.0.option_type_id.clone())
    }

    async fn option_type_name(&self) -> &str {
        &self.0.option_type_name
    }

    async fn option_type_presentation(&self) -> &str {
        &self.0.option_type_presentation
    }
}

/// A product picture.
#[derive(SimpleObject)]
pub struct Image {
    pub id: ID,
    pub url: String,
    pub alt: Option<String>,
    pub position: i32,
    /// The variant it shows, when it shows one.
    pub variant_id: Option<ID>,
}

impl From<catalog::Image> for Image {
    fn from(i: catalog::Image) -> Self {
        Self {
            id: ID(i.id),
            url: i.url,
            alt: i.alt,
            position: i.position,
            variant_id: i.variant_id.map(ID),
        }
    }
}
