//! Products with every part a product shows (variants, prices in one currency, options,
//! images, categories), read in one batch per kind for a whole page, for callers that answer a
//! whole page at once rather than field by field through loaders.

use std::collections::HashMap;

use super::products::{self, ProductKey, ProductQuery};
use super::{Category, Image, OptionType, OptionValue, Price, Product, Variant, batch};
use crate::store::pagination::Page;
use crate::store::{Store, StoreError};

/// A product and its parts.
#[derive(Clone, Debug)]
pub struct ProductParts {
    pub product: Product,
    /// Every variant, by position (see [`super::sellable_variants`] for what is sold).
    pub variants: Vec<Variant>,
    /// Each variant's price in the asked currency (absent when it has none there).
    pub prices: HashMap<String, Price>,
    pub option_types: Vec<OptionType>,
    /// Each variant's option values.
    pub option_values: HashMap<String, Vec<OptionValue>>,
    pub images: Vec<Image>,
    pub categories: Vec<Category>,
}

/// The parts of these products, prices in `currency` (`None`: the shop's).
pub async fn of(
    store: &Store,
    products: Vec<Product>,
    currency: Option<&str>,
) -> Result<Vec<ProductParts>, StoreError> {
    let currency = currency.map_or_else(|| store.config().currency.clone(), str::to_owned);
    let ids: Vec<String> = products.iter().map(|p| p.id.clone()).collect();
    let mut variants = batch::variants_by_product(store, &ids).await?;
    let variant_ids: Vec<String> = variants.values().flatten().map(|v| v.id.clone()).collect();
    let prices = batch::prices_by_variant(store, &variant_ids, &currency).await?;
    let mut values = batch::option_values_by_variant(store, &variant_ids).await?;
    let mut option_types = batch::option_types_by_product(store, &ids).await?;
    let mut images = batch::images_by_product(store, &ids).await?;
    let mut categories = batch::categories_by_product(store, &ids).await?;
    Ok(products
        .into_iter()
        .map(|product| {
            let variants = variants.remove(&product.id).unwrap_or_default();
            let prices = variants
                .iter()
                .filter_map(|v| prices.get(&v.id).map(|p| (v.id.clone(), p.clone())))
                .collect();
            let option_values = variants
                .iter()
                .map(|v| (v.id.clone(), values.remove(&v.id).unwrap_or_default()))
                .collect();
            ProductParts {
                option_types: option_types.remove(&product.id).unwrap_or_default(),
                images: images.remove(&product.id).unwrap_or_default(),
                categories: categories.remove(&product.id).unwrap_or_default(),
                product,
                variants,
                prices,
                option_values,
            }
        })
        .collect())
}

/// One page of visible products with their parts, and how many products match.
pub async fn list(
    store: &Store,
    query: &ProductQuery,
) -> Result<(Vec<ProductParts>, i64), StoreError> {
    let page: Page<Product> = products::list(store, query).await?;
    let count = products::count(store, &query.filter, query.currency.as_deref()).await?;
    let products = page.items.into_iter().map(|(_, p)| p).collect();
    let parts = of(store, products, query.currency.as_deref()).await?;
    Ok((parts, count))
}

/// One visible product with its parts.
pub async fn get(
    store: &Store,
    key: &ProductKey,
    currency: Option<&str>,
) -> Result<ProductParts, StoreError> {
    let product = products::get(store, key).await?;
    let mut parts = of(store, vec![product], currency).await?;
    parts
        .pop()
        .ok_or_else(|| StoreError::Internal("product parts missing".into()))
}
