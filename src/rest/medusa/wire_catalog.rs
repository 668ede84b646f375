//! Medusa's catalogue shapes: products (with `calculated_price` on each variant for the shop's
//! region), categories, the region. Money is a JSON number in the currency's main unit, as
//! Medusa v2 sends it.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::wire::time;
use crate::store::catalog::parts::ProductParts;
use crate::store::catalog::{Category, OptionValue, Price, Variant, sellable_variants};
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
    json!(Raw::of(minor, currency))
}

/// Medusa's `raw_*` amounts: the decimal text at its fixed precision.
#[derive(Serialize)]
pub struct Raw {
    value: String,
    precision: u32,
}

impl Raw {
    fn of(minor: i64, currency: &str) -> Self {
        Self {
            value: Money::new(minor, currency).decimal(),
            precision: 20,
        }
    }
}

// The shapes below are typed rather than built with `json!`: a page of 20 products holds some
// 300 variants, and a `Value` per object cost an allocation and a map insert per key, about
// half of the listing's time. `Nothing` is a field Medusa always sends as `null`.
type Nothing = Option<()>;

/// A variant's `calculated_price` in the region's currency: the price, and the compare-at
/// ("was") price as the original when it is higher.
#[derive(Serialize)]
struct CalculatedPrice<'a> {
    id: &'a str,
    is_calculated_price_price_list: bool,
    is_calculated_price_tax_inclusive: bool,
    calculated_amount: Value,
    raw_calculated_amount: Raw,
    is_original_price_price_list: bool,
    is_original_price_tax_inclusive: bool,
    original_amount: Value,
    raw_original_amount: Raw,
    currency_code: String,
    calculated_price: PriceRef<'a>,
    original_price: PriceRef<'a>,
}

#[derive(Serialize)]
struct PriceRef<'a> {
    id: &'a str,
    price_list_id: Nothing,
    price_list_type: Nothing,
    min_quantity: Nothing,
    max_quantity: Nothing,
}

impl<'a> CalculatedPrice<'a> {
    fn of(price: &'a Price) -> Self {
        let original = price.compare_at_money().map_or(price.amount, |m| m.amount);
        let reference = || PriceRef {
            id: &price.id,
            price_list_id: None,
            price_list_type: None,
            min_quantity: None,
            max_quantity: None,
        };
        Self {
            id: &price.id,
            is_calculated_price_price_list: false,
            is_calculated_price_tax_inclusive: false,
            calculated_amount: amount(price.amount, &price.currency),
            raw_calculated_amount: Raw::of(price.amount, &price.currency),
            is_original_price_price_list: false,
            is_original_price_tax_inclusive: false,
            original_amount: amount(original, &price.currency),
            raw_original_amount: Raw::of(original, &price.currency),
            currency_code: price.currency.to_ascii_lowercase(),
            calculated_price: reference(),
            original_price: reference(),
        }
    }
}

/// An option value; on a variant it also names its option.
#[derive(Serialize)]
struct OptionValueWire<'a> {
    id: &'a str,
    value: &'a str,
    rank: i32,
    metadata: Nothing,
    option_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    option: Option<OptionRef<'a>>,
}

#[derive(Serialize)]
struct OptionRef<'a> {
    id: &'a str,
    title: &'a str,
    metadata: Nothing,
}

impl<'a> OptionValueWire<'a> {
    fn of(value: &'a OptionValue) -> Self {
        Self {
            id: &value.id,
            value: &value.presentation,
            rank: value.position,
            metadata: None,
            option_id: &value.option_type_id,
            option: None,
        }
    }
}

#[derive(Serialize)]
struct VariantWire<'a> {
    id: &'a str,
    title: String,
    sku: Option<&'a str>,
    barcode: Nothing,
    ean: Nothing,
    upc: Nothing,
    allow_backorder: bool,
    manage_inventory: bool,
    in_stock: bool,
    hs_code: Nothing,
    origin_country: Nothing,
    mid_code: Nothing,
    material: Nothing,
    weight: Option<f64>,
    length: Option<f64>,
    height: Option<f64>,
    width: Option<f64>,
    metadata: Nothing,
    variant_rank: i32,
    thumbnail: Nothing,
    product_id: &'a str,
    created_at: String,
    updated_at: String,
    deleted_at: Nothing,
    options: Vec<OptionValueWire<'a>>,
    calculated_price: Option<CalculatedPrice<'a>>,
}

fn variant<'a>(parts: &'a ProductParts, v: &'a Variant) -> VariantWire<'a> {
    let values = parts
        .option_values
        .get(&v.id)
        .map_or(&[][..], Vec::as_slice);
    let title = if values.is_empty() {
        parts.product.name.clone()
    } else {
        values
            .iter()
            .map(|o| o.presentation.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let options = values
        .iter()
        .map(|o| OptionValueWire {
            option: Some(OptionRef {
                id: &o.option_type_id,
                title: &o.option_type_presentation,
                metadata: None,
            }),
            ..OptionValueWire::of(o)
        })
        .collect();
    VariantWire {
        id: &v.id,
        title,
        sku: v.sku.as_deref(),
        barcode: None,
        ean: None,
        upc: None,
        allow_backorder: v.is_backorderable(),
        manage_inventory: v.track_inventory,
        in_stock: v.in_stock(),
        hs_code: None,
        origin_country: None,
        mid_code: None,
        material: None,
        weight: v.weight,
        length: v.depth,
        height: v.height,
        width: v.width,
        metadata: None,
        variant_rank: v.position,
        thumbnail: None,
        product_id: &v.product_id,
        created_at: time(v.created_at),
        updated_at: time(v.updated_at),
        deleted_at: None,
        options,
        calculated_price: parts.prices.get(&v.id).map(CalculatedPrice::of),
    }
}

/// A category as a product embeds it.
#[derive(Serialize)]
struct CategoryRef<'a> {
    id: &'a str,
    name: &'a str,
    handle: &'a str,
    description: &'a str,
    parent_category_id: Option<&'a str>,
    rank: i32,
}

impl<'a> CategoryRef<'a> {
    fn of(c: &'a Category) -> Self {
        Self {
            id: &c.id,
            name: &c.name,
            handle: &c.permalink,
            description: c.description.as_deref().unwrap_or_default(),
            parent_category_id: c.parent_id.as_deref(),
            rank: c.position,
        }
    }
}

#[derive(Serialize)]
struct OptionWire<'a> {
    id: &'a str,
    title: &'a str,
    metadata: Nothing,
    values: Vec<OptionValueWire<'a>>,
}

#[derive(Serialize)]
struct ImageWire<'a> {
    id: &'a str,
    url: &'a str,
    rank: i32,
    metadata: Nothing,
}

#[derive(Serialize)]
struct Tag {
    value: String,
}

/// A product in Medusa's default shape.
#[derive(Serialize)]
pub struct MedusaProduct<'a> {
    id: &'a str,
    title: &'a str,
    subtitle: Nothing,
    description: Option<String>,
    handle: &'a str,
    is_giftcard: bool,
    discountable: bool,
    thumbnail: Option<&'a str>,
    collection_id: Nothing,
    type_id: Nothing,
    weight: Nothing,
    length: Nothing,
    height: Nothing,
    width: Nothing,
    hs_code: Nothing,
    origin_country: Nothing,
    mid_code: Nothing,
    material: Nothing,
    metadata: Option<Map<String, Value>>,
    created_at: String,
    updated_at: String,
    #[serde(rename = "type")]
    product_type: Nothing,
    collection: Nothing,
    options: Vec<OptionWire<'a>>,
    tags: Vec<Tag>,
    images: Vec<ImageWire<'a>>,
    categories: Vec<CategoryRef<'a>>,
    variants: Vec<VariantWire<'a>>,
}

pub fn product(parts: &ProductParts) -> MedusaProduct<'_> {
    let p = &parts.product;
    let metadata: Option<Map<String, Value>> = serde_json::from_str(&p.metadata)
        .ok()
        .filter(|m: &Map<String, Value>| !m.is_empty());
    let options = parts
        .option_types
        .iter()
        .map(|t| {
            let mut seen = std::collections::BTreeSet::new();
            let mut values: Vec<&OptionValue> = parts
                .option_values
                .values()
                .flatten()
                .filter(|o| o.option_type_id == t.id && seen.insert(o.id.as_str()))
                .collect();
            // In the option's order, not the map's (which differs from one answer to the next
            // and so would change the `ETag` of an unchanged product).
            values.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
            let values = values.into_iter().map(OptionValueWire::of).collect();
            OptionWire {
                id: &t.id,
                title: &t.presentation,
                metadata: None,
                values,
            }
        })
        .collect();
    MedusaProduct {
        id: &p.id,
        title: &p.name,
        subtitle: None,
        description: p.description_text(),
        handle: &p.slug,
        is_giftcard: false,
        discountable: true,
        thumbnail: parts.images.first().map(|i| i.url.as_str()),
        collection_id: None,
        type_id: None,
        weight: None,
        length: None,
        height: None,
        width: None,
        hs_code: None,
        origin_country: None,
        mid_code: None,
        material: None,
        metadata,
        created_at: time(p.created_at),
        updated_at: time(p.updated_at),
        product_type: None,
        collection: None,
        options,
        tags: p
            .tag_list()
            .into_iter()
            .map(|value| Tag { value })
            .collect(),
        images: parts
            .images
            .iter()
            .map(|i| ImageWire {
                id: &i.id,
                url: &i.url,
                rank: i.position,
                metadata: None,
            })
            .collect(),
        categories: parts.categories.iter().map(CategoryRef::of).collect(),
        variants: sellable_variants(&parts.variants)
            .into_iter()
            .map(|v| variant(parts, v))
            .collect(),
    }
}

/// A product as a `Value`, for the `fields` projection.
pub fn product_value(parts: &ProductParts) -> Value {
    // Cannot fail: every map in these shapes has string keys.
    serde_json::to_value(product(parts)).unwrap_or_default()
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
