//! `Product` and its connection.

use async_graphql::{Context, ID, Lookahead, Object, Result};
use chrono::{DateTime, Utc};

use super::category::Category;
use super::money::{Money, PriceRange};
use super::variant::{Image, OptionType, Variant};
use crate::graphql::ToGraphql;
use crate::graphql::connection::PageInfo;
use crate::graphql::loaders::Loaders;
use crate::store::Store;
use crate::store::catalog::products::ProductFilter;
use crate::store::catalog::{
    self, Price as PriceRow, Product as ProductRow, Variant as VariantRow,
};
use crate::store::pagination::Page;

/// Something the shop sells, with its variants, prices and categories.
pub struct Product(pub ProductRow);

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The description as plain text.
    async fn description(&self) -> Option<String> {
        self.0.description_text()
    }

    /// The description as the merchant wrote it (HTML).
    async fn description_html(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn tags(&self) -> Vec<String> {
        self.0.tag_list()
    }

    /// When the product went or goes on sale.
    async fn available_on(&self) -> Option<DateTime<Utc>> {
        self.0.available_on.map(|t| t.and_utc())
    }

    async fn meta_title(&self) -> Option<&str> {
        self.0.meta_title.as_deref()
    }

    async fn meta_description(&self) -> Option<&str> {
        self.0.meta_description.as_deref()
    }

    async fn meta_keywords(&self) -> Option<&str> {
        self.0.meta_keywords.as_deref()
    }

    /// On sale now: active, available and not discontinued.
    async fn available(&self) -> bool {
        self.0.is_visible(crate::store::now())
    }

    /// A variant is in stock.
    async fn in_stock(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.stock(ctx).await?.in_stock)
    }

    /// A variant can be added to a cart now.
    async fn purchasable(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.stock(ctx).await?.purchasable)
    }

    /// A variant can be ordered beyond its stock.
    async fn backorderable(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.stock(ctx).await?.backorderable)
    }

    /// The price of the default variant in the shop's currency.
    async fn price(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        let price = self.default_price(ctx).await?;
        Ok(price.map(|p| p.money().into()))
    }

    /// The default variant's former price, when above its price.
    async fn compare_at_price(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        let price = self.default_price(ctx).await?;
        Ok(price.and_then(|p| p.compare_at_money()).map(Into::into))
    }

    /// The lowest and highest price of the variants on sale; null when none is priced.
    async fn price_range(&self, ctx: &Context<'_>) -> Result<Option<PriceRange>> {
        let ids: Vec<String> = self
            .sellable(ctx)
            .await?
            .into_iter()
            .map(|v| v.id)
            .collect();
        let prices = Loaders::of(ctx)?.prices.load_many(ids).await?;
        Ok(
            catalog::PriceRange::of(prices.values().flatten()).map(|range| PriceRange {
                min: range.min.into(),
                max: range.max.into(),
            }),
        )
    }

    /// The variants a shopper chooses from (the default variant alone when there are no others).
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<Variant>> {
        Ok(self.sellable(ctx).await?.into_iter().map(Variant).collect())
    }

    /// The variant carrying the product's own price.
    async fn default_variant(&self, ctx: &Context<'_>) -> Result<Option<Variant>> {
        Ok(self.default_variant_row(ctx).await?.map(Variant))
    }

    async fn option_types(&self, ctx: &Context<'_>) -> Result<Vec<OptionType>> {
        let list = Loaders::of(ctx)?
            .option_types
            .load_one(self.0.id.clone())
            .await?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let list = Loaders::of(ctx)?
            .product_categories
            .load_one(self.0.id.clone())
            .await?;
        Ok(list.unwrap_or_default().into_iter().map(Category).collect())
    }

    async fn images(&self, ctx: &Context<'_>) -> Result<Vec<Image>> {
        let list = Loaders::of(ctx)?.images.load_one(self.0.id.clone()).await?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl Product {
    async fn all_variants(&self, ctx: &Context<'_>) -> Result<Vec<VariantRow>> {
        Ok(Loaders::of(ctx)?
            .variants
            .load_one(self.0.id.clone())
            .await?
            .unwrap_or_default())
    }

    async fn stock(&self, ctx: &Context<'_>) -> Result<catalog::StockSummary> {
        Ok(catalog::StockSummary::of(&self.all_variants(ctx).await?))
    }

    async fn sellable(&self, ctx: &Context<'_>) -> Result<Vec<VariantRow>> {
        let all = self.all_variants(ctx).await?;
        Ok(catalog::sellable_variants(&all)
            .into_iter()
            .cloned()
            .collect())
    }

    async fn default_variant_row(&self, ctx: &Context<'_>) -> Result<Option<VariantRow>> {
        let all = self.all_variants(ctx).await?;
        Ok(all.into_iter().find(|v| v.is_default))
    }

    /// The default variant's price row, through the request's price loader.
    async fn default_price(&self, ctx: &Context<'_>) -> Result<Option<PriceRow>> {
        let Some(default) = self.default_variant_row(ctx).await? else {
            return Ok(None);
        };
        Ok(Loaders::of(ctx)?
            .prices
            .load_one(default.id)
            .await?
            .flatten())
    }
}

/// Loads the parts of a whole page that `selection` (a `Product` selection) asks for, one batch
/// per kind, into the request's loaders. The fields then read the loaders' caches, so a page
/// costs the listing plus one statement per kind, whatever its size and however the resolvers
/// interleave (the loaders' 1 ms batching window alone splits batches on a busy machine).
async fn prefetch(
    ctx: &Context<'_>,
    page: &Page<ProductRow>,
    selection: Lookahead<'_>,
) -> Result<()> {
    let loaders = Loaders::of(ctx)?;
    let product_ids: Vec<String> = page.items.iter().map(|(_, p)| p.id.clone()).collect();
    if product_ids.is_empty() {
        return Ok(());
    }
    let wants = |name: &str| selection.field(name).exists();
    let variant_fields = [
        selection.field("variants"),
        selection.field("defaultVariant"),
    ];
    let variant_wants = |name: &str| variant_fields.iter().any(|f| f.field(name).exists());
    let wants_prices = wants("price")
        || wants("compareAtPrice")
        || wants("priceRange")
        || variant_wants("price")
        || variant_wants("compareAtPrice");
    let wants_options = variant_wants("optionValues") || variant_wants("optionsText");
    let wants_variants = wants_prices
        || wants_options
        || [
            "variants",
            "defaultVariant",
            "inStock",
            "purchasable",
            "backorderable",
        ]
        .iter()
        .any(|f| wants(f));
    if variant_wants("product") {
        // The page holds these products already: the variants' `product` reads them from the
        // loader's cache without a statement.
        let rows = page.items.iter().map(|(_, p)| (p.id.clone(), p.clone()));
        loaders.products.feed_many(rows).await;
    }
    if wants("categories") {
        loaders
            .product_categories
            .load_many(product_ids.clone())
            .await?;
    }
    if wants("optionTypes") {
        loaders.option_types.load_many(product_ids.clone()).await?;
    }
    if wants("images") {
        loaders.images.load_many(product_ids.clone()).await?;
    }
    if wants_variants {
        let variants = loaders.variants.load_many(product_ids).await?;
        let variant_ids: Vec<String> = variants.values().flatten().map(|v| v.id.clone()).collect();
        if wants_prices {
            loaders.prices.load_many(variant_ids.clone()).await?;
        }
        if wants_options {
            loaders.option_values.load_many(variant_ids).await?;
        }
    }
    Ok(())
}

/// A page of products.
pub struct ProductConnection {
    pub page: Page<ProductRow>,
    /// Kept to count the whole list only when `totalCount` is asked for.
    pub filter: ProductFilter,
}

/// A product and its cursor.
pub struct ProductEdge {
    cursor: String,
    node: ProductRow,
}

#[Object]
impl ProductEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> Product {
        Product(self.node.clone())
    }
}

#[Object]
impl ProductConnection {
    async fn edges(&self, ctx: &Context<'_>) -> Result<Vec<ProductEdge>> {
        prefetch(ctx, &self.page, ctx.look_ahead().field("node")).await?;
        Ok(self
            .page
            .items
            .iter()
            .map(|(cursor, node)| ProductEdge {
                cursor: cursor.clone(),
                node: node.clone(),
            })
            .collect())
    }

    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<Product>> {
        prefetch(ctx, &self.page, ctx.look_ahead()).await?;
        Ok(self
            .page
            .items
            .iter()
            .map(|(_, node)| Product(node.clone()))
            .collect())
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::of(&self.page)
    }

    /// How many products match the filter, on every page together.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        catalog::products::count(ctx.data::<Store>()?, &self.filter, None)
            .await
            .gql()
    }
}
