//! The parts of many products at once, one `IN` query per kind: what batch loaders call, and
//! what a surface uses to expand related records. Every function returning lists has an entry
//! (possibly empty) for each key asked; the others leave out the keys that were not found.
//!
//! None of them filters by visibility: an order line must still show a product or variant that
//! has since become a draft or been discontinued. Listings decide what shoppers may browse.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{Category, Image, OptionType, OptionValue, Price, Product, Variant};
use crate::db::batch::{LoadRows, OneOf};
use crate::db::schema::{
    categories, option_types, option_values, prices, product_categories, product_images,
    product_option_types, products, variant_option_values, variants,
};
use crate::db_run;
use crate::store::{Store, StoreError};

fn grouped<T>(
    keys: &[String],
    rows: impl IntoIterator<Item = (String, T)>,
) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for (key, row) in rows {
        map.entry(key).or_default().push(row);
    }
    map
}

/// Each list ordered by `key` (position, then id). Ordered here rather than by an `ORDER BY`
/// over the whole batch: SQLite's sorter over wide rows was a third of the statement.
fn by_position<T>(
    mut lists: HashMap<String, Vec<T>>,
    key: fn(&T) -> (i32, &String),
) -> HashMap<String, Vec<T>> {
    for list in lists.values_mut() {
        list.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
    }
    lists
}

/// Every variant of each product (default and discontinued included), by position.
pub async fn variants_by_product(
    store: &Store,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<Variant>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Variant> = db_run!(conn, |c| variants::table
        .filter(variants::product_id.one_of(product_ids))
        .select(Variant::as_select())
        .load_rows(c)
        .await)?;
    Ok(by_position(
        grouped(
            product_ids,
            rows.into_iter().map(|v| (v.product_id.clone(), v)),
        ),
        |v| (v.position, &v.id),
    ))
}

/// Products by id, whatever their status or dates (unknown ids are left out).
pub async fn products_by_id(
    store: &Store,
    ids: &[String],
) -> Result<HashMap<String, Product>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Product> = db_run!(conn, |c| products::table
        .filter(products::id.one_of(ids))
        .select(Product::as_select())
        .load_rows(c)
        .await)?;
    Ok(rows.into_iter().map(|p| (p.id.clone(), p)).collect())
}

/// Variants by id, discontinued ones included (unknown ids are left out).
pub async fn variants_by_id(
    store: &Store,
    ids: &[String],
) -> Result<HashMap<String, Variant>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Variant> = db_run!(conn, |c| variants::table
        .filter(variants::id.one_of(ids))
        .select(Variant::as_select())
        .load_rows(c)
        .await)?;
    Ok(rows.into_iter().map(|v| (v.id.clone(), v)).collect())
}

/// Each variant's price in `currency` (absent when it has none).
pub async fn prices_by_variant(
    store: &Store,
    variant_ids: &[String],
    currency: &str,
) -> Result<HashMap<String, Price>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Price> = db_run!(conn, |c| prices::table
        .filter(prices::variant_id.one_of(variant_ids))
        .filter(prices::currency.eq(currency.to_owned()))
        .select(Price::as_select())
        .load_rows(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|p| (p.variant_id.clone(), p))
        .collect())
}

/// Each variant's option values with their option's name, in the options' order.
pub async fn option_values_by_variant(
    store: &Store,
    variant_ids: &[String],
) -> Result<HashMap<String, Vec<OptionValue>>, StoreError> {
    type Row = (
        String,
        OptionValue,
        // The product's position of the option type, then the type's own.
        i32,
        i32,
    );
    let mut conn = store.db().conn().await?;
    let mut rows: Vec<Row> = db_run!(conn, |c| variant_option_values::table
        .inner_join(variants::table)
        .inner_join(option_values::table.inner_join(option_types::table))
        .inner_join(
            product_option_types::table.on(product_option_types::product_id
                .eq(variants::product_id)
                .and(product_option_types::option_type_id.eq(option_values::option_type_id))),
        )
        .filter(variant_option_values::variant_id.one_of(variant_ids))
        .select((
            variant_option_values::variant_id,
            (
                option_values::id,
                option_values::option_type_id,
                option_values::name,
                option_values::presentation,
                option_values::position,
                option_values::color_code,
                option_types::name,
                option_types::presentation,
            ),
            product_option_types::position,
            option_types::position,
        ))
        .load_rows(c)
        .await)?;
    // In the order the product lists its option types ("Size: S, Color: Red" on every page,
    // cart and order line), whatever the types' own positions. Sorted here rather than by an
    // `ORDER BY`: SQLite's sorter over these wide rows cost half the statement.
    fn order((variant_id, value, product_position, type_position): &Row) -> impl Ord + '_ {
        (
            variant_id,
            product_position,
            type_position,
            &value.option_type_id,
            value.position,
            &value.id,
        )
    }
    rows.sort_unstable_by(|a, b| order(a).cmp(&order(b)));
    Ok(grouped(
        variant_ids,
        rows.into_iter()
            .map(|(variant_id, value, _, _)| (variant_id, value)),
    ))
}

/// Each product's option types, in the product's order.
pub async fn option_types_by_product(
    store: &Store,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<OptionType>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<(String, OptionType)> = db_run!(conn, |c| product_option_types::table
        .inner_join(option_types::table)
        .filter(product_option_types::product_id.one_of(product_ids))
        .order((
            product_option_types::position,
            option_types::position,
            option_types::id
        ))
        .select((product_option_types::product_id, OptionType::as_select()))
        .load_rows(c)
        .await)?;
    Ok(grouped(product_ids, rows))
}

/// Each product's categories, by permalink.
pub async fn categories_by_product(
    store: &Store,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<Category>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<(String, Category)> = db_run!(conn, |c| product_categories::table
        .inner_join(categories::table)
        .filter(product_categories::product_id.one_of(product_ids))
        .order((categories::permalink, categories::id))
        .select((product_categories::product_id, Category::as_select()))
        .load_rows(c)
        .await)?;
    Ok(grouped(product_ids, rows))
}

/// Each product's images, by position.
pub async fn images_by_product(
    store: &Store,
    product_ids: &[String],
) -> Result<HashMap<String, Vec<Image>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Image> = db_run!(conn, |c| product_images::table
        .filter(product_images::product_id.one_of(product_ids))
        .select(Image::as_select())
        .load_rows(c)
        .await)?;
    Ok(by_position(
        grouped(
            product_ids,
            rows.into_iter().map(|i| (i.product_id.clone(), i)),
        ),
        |i| (i.position, &i.id),
    ))
}
