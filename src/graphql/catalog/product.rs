//! `Product` and its connection.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Lookahead, Object, Result};
use chrono::{DateTime, Utc};

use super::category::Category;
use super::money::{Money, PriceRange};
use super::variant::{Image, OptionType, OptionValue, Variant};
use crate::graphql::ToGraphql;
use crate::graphql::connection::PageInfo;
use crate::graphql::loaders::Loaders;
use crate::store::Store;
use crate::store::catalog::products::ProductFilter;
use crate::store::catalog::{
    self, Price as PriceRow, Product as ProductRow, Variant as VariantRow, batch,
};
use crate::store::pagination::Page;

/// Something the shop sells, with its variants, prices and categories.
pub struct Product {
    row: ProductRow,
    /// What a page's [`prefetch`] read for this product; the rest comes through the loaders.
    parts: Arc<Parts>,
}

impl From<ProductRow> for Product {
    fn from(row: ProductRow) -> Self {
        Self {
            row,
            parts: Arc::default(),
        }
    }
}

/// One product's parts as its page's [`prefetch`] read them, handed to the product and its
/// variants directly: a page's hundreds of fields then read them without a loader round (a
/// lock, a map and a copy of the value per field). `None`: not read, as it was not asked for.
#[derive(Default)]
pub struct Parts {
    /// Every variant, by position.
    variants: Option<Vec<VariantRow>>,
    /// The variants' prices in the shop's currency, by variant id (absent: no price).
    prices: Option<HashMap<String, PriceRow>>,
    /// The variants' option values, by variant id.
    option_values: Option<HashMap<String, Vec<OptionValue>>>,
    option_types: Option<Vec<catalog::OptionType>>,
    images: Option<Vec<catalog::Image>>,
    categories: Option<Vec<catalog::Category>>,
}

impl Parts {
    /// A variant's price in the shop's currency, from these parts or the request's loader.
    pub async fn price<'a>(
        &'a self,
        ctx: &Context<'_>,
        variant_id: &str,
    ) -> Result<Option<Cow<'a, PriceRow>>> {
        if let Some(prices) = &self.prices {
            return Ok(prices.get(variant_id).map(Cow::Borrowed));
        }
        let price = Loaders::of(ctx)?
            .prices
            .load_one(variant_id.to_owned())
            .await?
            .flatten();
        Ok(price.map(Cow::Owned))
    }

    /// A variant's option values, from these parts or the request's loader.
    pub async fn option_values<'a>(
        &'a self,
        ctx: &Context<'_>,
        variant_id: &str,
    ) -> Result<Cow<'a, [OptionValue]>> {
        if let Some(values) = &self.option_values {
            return Ok(Cow::Borrowed(
                values.get(variant_id).map_or(&[][..], Vec::as_slice),
            ));
        }
        let values = Loaders::of(ctx)?
            .option_values
            .load_one(variant_id.to_owned())
            .await?
            .unwrap_or_default();
        Ok(Cow::Owned(values.into_iter().map(OptionValue).collect()))
    }
}

#[Object]
impl Product {
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }

    async fn name(&self) -> &str {
        &self.row.name
    }

    async fn slug(&self) -> &str {
        &self.row.slug
    }

    /// The description as plain text.
    async fn description(&self) -> Option<String> {
        self.row.description_text()
    }

    /// The description as the merchant wrote it (HTML).
    async fn description_html(&self) -> Option<&str> {
        self.row.description.as_deref()
    }

    async fn tags(&self) -> Vec<String> {
        self.row.tag_list()
    }

    /// When the product went or goes on sale.
    async fn available_on(&self) -> Option<DateTime<Utc>> {
        self.row.available_on.map(|t| t.and_utc())
    }

    async fn meta_title(&self) -> Option<&str> {
        self.row.meta_title.as_deref()
    }

    async fn meta_description(&self) -> Option<&str> {
        self.row.meta_description.as_deref()
    }

    async fn meta_keywords(&self) -> Option<&str> {
        self.row.meta_keywords.as_deref()
    }

    /// On sale now: active, available and not discontinued.
    async fn available(&self) -> bool {
        self.row.is_visible(crate::store::now())
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
        let all = self.all_variants(ctx).await?;
        let sellable = catalog::sellable_variants(&all);
        let mut prices = Vec::with_capacity(sellable.len());
        if self.parts.prices.is_some() {
            for variant in sellable {
                prices.extend(self.parts.price(ctx, &variant.id).await?);
            }
        } else {
            let ids = sellable.iter().map(|v| v.id.clone());
            let loaded = Loaders::of(ctx)?.prices.load_many(ids).await?;
            prices.extend(loaded.into_values().flatten().map(Cow::Owned));
        }
        Ok(
            catalog::PriceRange::of(prices.iter().map(|p| p.as_ref())).map(|range| PriceRange {
                min: range.min.into(),
                max: range.max.into(),
            }),
        )
    }

    /// The variants a shopper chooses from (the default variant alone when there are no others).
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<Variant>> {
        let all = self.all_variants(ctx).await?;
        Ok(catalog::sellable_variants(&all)
            .into_iter()
            .map(|v| Variant::with_parts(v.clone(), self.parts.clone()))
            .collect())
    }

    /// The variant carrying the product's own price.
    async fn default_variant(&self, ctx: &Context<'_>) -> Result<Option<Variant>> {
        let all = self.all_variants(ctx).await?;
        Ok(all
            .iter()
            .find(|v| v.is_default)
            .map(|v| Variant::with_parts(v.clone(), self.parts.clone())))
    }

    async fn option_types(&self, ctx: &Context<'_>) -> Result<Vec<OptionType>> {
        if let Some(list) = &self.parts.option_types {
            return Ok(list.iter().cloned().map(Into::into).collect());
        }
        let list = Loaders::of(ctx)?
            .option_types
            .load_one(self.row.id.clone())
            .await?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        if let Some(list) = &self.parts.categories {
            return Ok(list.iter().cloned().map(Category).collect());
        }
        let list = Loaders::of(ctx)?
            .product_categories
            .load_one(self.row.id.clone())
            .await?;
        Ok(list.unwrap_or_default().into_iter().map(Category).collect())
    }

    async fn images(&self, ctx: &Context<'_>) -> Result<Vec<Image>> {
        if let Some(list) = &self.parts.images {
            return Ok(list.iter().cloned().map(Into::into).collect());
        }
        let list = Loaders::of(ctx)?
            .images
            .load_one(self.row.id.clone())
            .await?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl Product {
    /// Every variant, from the prefetched parts or the request's loader.
    async fn all_variants(&self, ctx: &Context<'_>) -> Result<Cow<'_, [VariantRow]>> {
        if let Some(variants) = &self.parts.variants {
            return Ok(Cow::Borrowed(variants));
        }
        let variants = Loaders::of(ctx)?
            .variants
            .load_one(self.row.id.clone())
            .await?
            .unwrap_or_default();
        Ok(Cow::Owned(variants))
    }

    async fn stock(&self, ctx: &Context<'_>) -> Result<catalog::StockSummary> {
        Ok(catalog::StockSummary::of(&self.all_variants(ctx).await?))
    }

    /// The default variant's price.
    async fn default_price(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, PriceRow>>> {
        let all = self.all_variants(ctx).await?;
        let Some(default) = all.iter().find(|v| v.is_default) else {
            return Ok(None);
        };
        self.parts.price(ctx, &default.id).await
    }
}

/// The products of a page with the parts `selection` (a `Product` selection) asks for, read in
/// one batch per kind and handed to each product (see [`Parts`]): a page costs the listing plus
/// one statement per kind, whatever its size and however the resolvers interleave.
async fn prefetch(
    ctx: &Context<'_>,
    page: &Page<ProductRow>,
    selection: Lookahead<'_>,
) -> Result<Vec<Product>> {
    let store = ctx.data::<Store>()?;
    let product_ids: Vec<String> = page.items.iter().map(|(_, p)| p.id.clone()).collect();
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
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    if variant_wants("product") {
        // The page holds these products already: the variants' `product` reads them from the
        // loader's cache without a statement.
        let rows = page.items.iter().map(|(_, p)| (p.id.clone(), p.clone()));
        Loaders::of(ctx)?.products.feed_many(rows).await;
    }
    let mut categories = read_if(
        wants("categories"),
        batch::categories_by_product(store, &product_ids),
    )
    .await?;
    let mut option_types = read_if(
        wants("optionTypes"),
        batch::option_types_by_product(store, &product_ids),
    )
    .await?;
    let mut images = read_if(
        wants("images"),
        batch::images_by_product(store, &product_ids),
    )
    .await?;
    let mut variants = read_if(
        wants_variants,
        batch::variants_by_product(store, &product_ids),
    )
    .await?;
    let variant_ids: Vec<String> = variants
        .iter()
        .flat_map(|by_product| by_product.values().flatten().map(|v| v.id.clone()))
        .collect();
    let currency = &store.config().currency;
    let mut prices = read_if(
        wants_prices,
        batch::prices_by_variant(store, &variant_ids, currency),
    )
    .await?;
    let mut option_values = read_if(
        wants_options,
        batch::option_values_by_variant(store, &variant_ids),
    )
    .await?
    .map(|by_variant| {
        by_variant
            .into_iter()
            .map(|(id, values)| (id, values.into_iter().map(OptionValue).collect()))
            .collect()
    });
    Ok(page
        .items
        .iter()
        .map(|(_, row)| {
            let variants = product_part(&mut variants, &row.id);
            let parts = Parts {
                prices: variant_parts(&mut prices, variants.as_deref()),
                option_values: variant_parts(&mut option_values, variants.as_deref()),
                option_types: product_part(&mut option_types, &row.id),
                images: product_part(&mut images, &row.id),
                categories: product_part(&mut categories, &row.id),
                variants,
            };
            Product {
                row: row.clone(),
                parts: Arc::new(parts),
            }
        })
        .collect())
}

/// Runs `read` only when the page asks for what it reads (a future does nothing until awaited).
async fn read_if<T>(
    wanted: bool,
    read: impl Future<Output = Result<T, crate::store::StoreError>>,
) -> Result<Option<T>> {
    if !wanted {
        return Ok(None);
    }
    Ok(Some(read.await.gql()?))
}

/// One product's share of a page's batch, when the batch was read.
fn product_part<T>(
    batch: &mut Option<HashMap<String, Vec<T>>>,
    product_id: &str,
) -> Option<Vec<T>> {
    batch
        .as_mut()
        .map(|by_product| by_product.remove(product_id).unwrap_or_default())
}

/// One product's variants' share of a page's batch, when the batch was read.
fn variant_parts<T>(
    batch: &mut Option<HashMap<String, T>>,
    variants: Option<&[VariantRow]>,
) -> Option<HashMap<String, T>> {
    let by_variant = batch.as_mut()?;
    Some(
        variants
            .unwrap_or_default()
            .iter()
            .filter_map(|v| by_variant.remove(&v.id).map(|part| (v.id.clone(), part)))
            .collect(),
    )
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
    node: Product,
}

#[Object]
impl ProductEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &Product {
        &self.node
    }
}

#[Object]
impl ProductConnection {
    async fn edges(&self, ctx: &Context<'_>) -> Result<Vec<ProductEdge>> {
        let products = prefetch(ctx, &self.page, ctx.look_ahead().field("node")).await?;
        Ok(self
            .page
            .items
            .iter()
            .zip(products)
            .map(|((cursor, _), node)| ProductEdge {
                cursor: cursor.clone(),
                node,
            })
            .collect())
    }

    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<Product>> {
        prefetch(ctx, &self.page, ctx.look_ahead()).await
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
