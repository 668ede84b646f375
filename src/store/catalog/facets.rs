//! What a filtered listing holds, for filter menus (Spree's `GET /products/filters`): the
//! price range, how many products are in and out of stock, and how many carry each option
//! value and each category. Computed over every visible product matching the filter.

use std::collections::BTreeMap;

use super::products::{self, ProductFilter};
use super::{Category, OptionValue, PriceRange, StockSummary, batch, sellable_variants};
use crate::store::{Store, StoreError};

/// An option type with its values and how many matching products have each.
#[derive(Clone, Debug)]
pub struct OptionFacet {
    pub option_type_id: String,
    pub name: String,
    pub presentation: String,
    pub values: Vec<(OptionValue, i64)>,
}

/// The facets of one listing.
#[derive(Clone, Debug)]
pub struct Facets {
    /// Lowest and highest price of the sellable variants, in the listing's currency.
    pub price: Option<PriceRange>,
    pub in_stock: i64,
    pub out_of_stock: i64,
    /// Option types in the order of their values' first appearance.
    pub options: Vec<OptionFacet>,
    /// Categories holding matching products, by name.
    pub categories: Vec<(Category, i64)>,
    /// How many products match.
    pub total: i64,
}

/// The facets of the visible products matching `filter`, priced in the shop's currency.
pub async fn of(store: &Store, filter: &ProductFilter) -> Result<Facets, StoreError> {
    let currency = store.config().currency.clone();
    let ids = products::matching_ids(store, filter).await?;
    let variants = batch::variants_by_product(store, &ids).await?;
    let sellable: Vec<_> = ids
        .iter()
        .flat_map(|id| sellable_variants(variants.get(id).map_or(&[][..], Vec::as_slice)))
        .collect();
    let variant_ids: Vec<String> = sellable.iter().map(|v| v.id.clone()).collect();
    let prices = batch::prices_by_variant(store, &variant_ids, &currency).await?;
    let values = batch::option_values_by_variant(store, &variant_ids).await?;
    let categories = batch::categories_by_product(store, &ids).await?;

    let mut in_stock = 0;
    let mut options: Vec<OptionFacet> = Vec::new();
    let mut category_counts: BTreeMap<String, (Category, i64)> = BTreeMap::new();
    for id in &ids {
        let all = variants.get(id).map_or(&[][..], Vec::as_slice);
        if StockSummary::of(all).in_stock {
            in_stock += 1;
        }
        // Each value counts a product once, however many of its variants carry it.
        let mut seen: Vec<&str> = Vec::new();
        for variant in sellable_variants(all) {
            for value in values.get(&variant.id).into_iter().flatten() {
                if seen.contains(&value.id.as_str()) {
                    continue;
                }
                seen.push(&value.id);
                let facet = match options
                    .iter_mut()
                    .position(|o| o.option_type_id == value.option_type_id)
                {
                    Some(i) => &mut options[i],
                    None => {
                        options.push(OptionFacet {
                            option_type_id: value.option_type_id.clone(),
                            name: value.option_type_name.clone(),
                            presentation: value.option_type_presentation.clone(),
                            values: Vec::new(),
                        });
                        options.last_mut().expect("just pushed")
                    }
                };
                match facet.values.iter_mut().find(|(v, _)| v.id == value.id) {
                    Some((_, n)) => *n += 1,
                    None => facet.values.push((value.clone(), 1)),
                }
            }
        }
        for category in categories.get(id).into_iter().flatten() {
            category_counts
                .entry(category.id.clone())
                .or_insert_with(|| (category.clone(), 0))
                .1 += 1;
        }
    }
    for facet in &mut options {
        facet
            .values
            .sort_by(|(a, _), (b, _)| (a.position, &a.id).cmp(&(b.position, &b.id)));
    }
    let mut categories: Vec<(Category, i64)> = category_counts.into_values().collect();
    categories.sort_by(|(a, _), (b, _)| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let total = ids.len() as i64;
    Ok(Facets {
        price: PriceRange::of(prices.values()),
        in_stock,
        out_of_stock: total - in_stock,
        options,
        categories,
        total,
    })
}
