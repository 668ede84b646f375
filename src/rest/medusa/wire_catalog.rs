//! Medusa's catalogue shapes: products (with `calculated_price` on each variant for the shop's
//! region), categories, the region. Money is a JSON number in the currency's main unit, as
//! Medusa v2 sends it.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::wire::time;
use crate::store::catalog::parts::ProductParts;
use crate::store::catalog::{Category, Price, Variant, sellable_variants};
use crate::store::money::Money;
use crate::store::shop::Region;

/// An amount in minor units as Medusa's number in main units (`2000` USD is `20`).
pub fn amount(minor: i64, currency: &str) -> Value {
    let exponent = Money::new(minor, currency).exponent();
    let scale = 10i64.pow(exponent);
    if minor % scale == 0 {
        json!(minor / scale)
    } else {
        json!(minor as f64 / scale as f64)
    }
}

pub fn raw(minor: i64, currency: &str) -> Value {
    json!({ "value": Money::new(minor, currency).decimal(), "precision": 20 })
}

/// A variant's `calculated_price` in the region's currency: the price, and the compare-at
/// ("was") price as the original when it is higher.
fn calculated_price(price: &Price) -> Value {
    let currency = price.currency.to_ascii_lowercase();
    let original = price.compare_at_money().map_or(price.amount, |m| m.amount);
    json!({
        "id": price.id,
        "is_calculated_price_price_list": false,
        "is_calculated_price_tax_inclusive": false,
        "calculated_amount": amount(price.amount, &price.currency),
        "raw_calculated_amount": raw(price.amount, &price.currency),
        "is_original_price_price_list": false,
        "is_original_price_tax_inclusive": false,
        "original_amount": amount(original, &price.currency),
        "raw_original_amount": raw(original, &price.currency),
        "currency_code": currency,
        "calculated_price": { "id": price.id, "price_list_id": null, "price_list_type": null,
                              "min_quantity": null, "max_quantity": null },
        "original_price": { "id": price.id, "price_list_id": null, "price_list_type": null,
                            "min_quantity": null, "max_quantity": null },
    })
}

fn option_value(value: &crate::store::catalog::OptionValue) -> Value {
    json!({
        "id": value.id, "value": value.presentation, "rank": value.position,
        "metadata": null, "option_id": value.option_type_id,
    })
}

fn variant(parts: &ProductParts, v: &Variant) -> Value {
    let values = parts.option_values.get(&v.id).cloned().unwrap_or_default();
    let title = if values.is_empty() {
        parts.product.name.clone()
    } else {
        values
            .iter()
            .map(|o| o.presentation.clone())
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let options: Vec<Value> = values
        .iter()
        .map(|o| {
            let mut value = option_value(o);
            value["option"] = json!({ "id": o.option_type_id, "title": o.option_type_presentation,
                                      "metadata": null });
            value
        })
        .collect();
    json!({
        "id": v.id,
        "title": title,
        "sku": v.sku,
        "barcode": null, "ean": null, "upc": null,
        "allow_backorder": v.is_backorderable(),
        "manage_inventory": v.track_inventory,
        "in_stock": v.in_stock(),
        "hs_code": null, "origin_country": null, "mid_code": null, "material": null,
        "weight": v.weight, "length": v.depth, "height": v.height, "width": v.width,
        "metadata": null,
        "variant_rank": v.position,
        "thumbnail": null,
        "product_id": v.product_id,
        "created_at": time(v.created_at),
        "updated_at": time(v.updated_at),
        "deleted_at": null,
        "options": options,
        "calculated_price": parts.prices.get(&v.id).map(calculated_price),
    })
}

/// A category as a product embeds it.
fn category_ref(c: &Category) -> Value {
    json!({ "id": c.id, "name": c.name, "handle": c.permalink,
            "description": c.description.clone().unwrap_or_default(),
            "parent_category_id": c.parent_id, "rank": c.position })
}

/// A product in Medusa's default shape.
pub fn product(parts: &ProductParts) -> Value {
    let p = &parts.product;
    let metadata: Option<Map<String, Value>> = serde_json::from_str(&p.metadata)
        .ok()
        .filter(|m: &Map<String, Value>| !m.is_empty());
    let options: Vec<Value> = parts
        .option_types
        .iter()
        .map(|t| {
            let mut seen = std::collections::BTreeSet::new();
            let values: Vec<Value> = parts
                .option_values
                .values()
                .flatten()
                .filter(|o| o.option_type_id == t.id && seen.insert(o.id.clone()))
                .map(option_value)
                .collect();
            json!({ "id": t.id, "title": t.presentation, "metadata": null, "values": values })
        })
        .collect();
    let images: Vec<Value> = parts
        .images
        .iter()
        .map(|i| json!({ "id": i.id, "url": i.url, "rank": i.position, "metadata": null }))
        .collect();
    json!({
        "id": p.id,
        "title": p.name,
        "subtitle": null,
        "description": p.description_text(),
        "handle": p.slug,
        "is_giftcard": false,
        "discountable": true,
        "thumbnail": parts.images.first().map(|i| i.url.clone()),
        "collection_id": null,
        "type_id": null,
        "weight": null, "length": null, "height": null, "width": null,
        "hs_code": null, "origin_country": null, "mid_code": null, "material": null,
        "metadata": metadata,
        "created_at": time(p.created_at),
        "updated_at": time(p.updated_at),
        "type": null,
        "collection": null,
        "options": options,
        "tags": p.tag_list().into_iter().map(|t| json!({ "value": t })).collect::<Vec<_>>(),
        "images": images,
        "categories": parts.categories.iter().map(category_ref).collect::<Vec<_>>(),
        "variants": sellable_variants(&parts.variants)
            .into_iter()
            .map(|v| variant(parts, v))
            .collect::<Vec<_>>(),
    })
}

/// A category as `/store/product-categories` shows it.
pub fn category(c: &Category) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "description": c.description.clone().unwrap_or_default(),
        "handle": c.permalink,
        "rank": c.position,
        "parent_category_id": c.parent_id,
        "metadata": null,
    })
}

/// The shop's one region.
#[derive(Serialize)]
pub struct MedusaRegion {
    pub id: String,
    pub name: String,
    pub currency_code: String,
    pub automatic_taxes: bool,
    pub metadata: Option<Value>,
    pub countries: Vec<Value>,
}

impl From<Region> for MedusaRegion {
    fn from(r: Region) -> Self {
        Self {
            countries: r
                .countries
                .iter()
                .map(|c| {
                    json!({ "iso_2": c.alpha2.to_lowercase(), "iso_3": c.alpha3.to_lowercase(),
                            "num_code": c.numeric, "name": c.name.to_uppercase(),
                            "display_name": c.name, "region_id": r.id })
                })
                .collect(),
            id: r.id,
            name: r.name,
            currency_code: r.currency.to_lowercase(),
            automatic_taxes: true,
            metadata: None,
        }
    }
}
