//! Products, variants, prices, option types and values, media and categories in Spree's shape.

use serde::Serialize;

use super::{amount, display, time};
use crate::store::catalog::{self, Category as CategoryRow, Image, OptionType as OptionTypeRow};
use crate::store::money::Money;

/// Spree's `Price`.
#[derive(Clone, Debug, Serialize)]
pub struct Price {
    pub id: String,
    pub amount: Option<String>,
    pub amount_in_cents: Option<i64>,
    pub compare_at_amount: Option<String>,
    pub compare_at_amount_in_cents: Option<i64>,
    pub currency: String,
    pub display_amount: Option<String>,
    pub display_compare_at_amount: Option<String>,
    pub price_list_id: Option<String>,
}

impl From<&catalog::Price> for Price {
    fn from(p: &catalog::Price) -> Self {
        let money = p.money();
        let was = p.compare_at_money();
        Self {
            id: p.id.clone(),
            amount: Some(amount(&money)),
            amount_in_cents: Some(money.amount),
            compare_at_amount: was.as_ref().map(amount),
            compare_at_amount_in_cents: was.as_ref().map(|m| m.amount),
            currency: p.currency.clone(),
            display_amount: Some(display(&money)),
            display_compare_at_amount: was.as_ref().map(display),
            price_list_id: None,
        }
    }
}

/// Spree's `OptionValue`.
#[derive(Clone, Debug, Serialize)]
pub struct OptionValue {
    pub id: String,
    pub option_type_id: String,
    pub name: String,
    pub label: String,
    pub position: i32,
    pub color_code: Option<String>,
    pub option_type_name: String,
    pub option_type_label: String,
    pub image_url: Option<String>,
}

impl From<&catalog::OptionValue> for OptionValue {
    fn from(v: &catalog::OptionValue) -> Self {
        Self {
            id: v.id.clone(),
            option_type_id: v.option_type_id.clone(),
            name: v.name.clone(),
            label: v.presentation.clone(),
            position: v.position,
            color_code: v.color_code.clone(),
            option_type_name: v.option_type_name.clone(),
            option_type_label: v.option_type_presentation.clone(),
            image_url: None,
        }
    }
}

/// Spree's `OptionType`.
#[derive(Clone, Debug, Serialize)]
pub struct OptionType {
    pub id: String,
    pub name: String,
    pub label: String,
    pub position: i32,
    pub kind: &'static str,
}

impl From<&OptionTypeRow> for OptionType {
    fn from(t: &OptionTypeRow) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            label: t.presentation.clone(),
            position: t.position,
            kind: "dropdown",
        }
    }
}

/// Spree's `Media`: one URL at every size (pictures are stored once).
#[derive(Clone, Debug, Serialize)]
pub struct Media {
    pub id: String,
    pub product_id: Option<String>,
    pub variant_ids: Vec<String>,
    pub position: i32,
    pub alt: Option<String>,
    pub media_type: &'static str,
    pub focal_point_x: Option<f64>,
    pub focal_point_y: Option<f64>,
    pub external_video_url: Option<String>,
    pub original_url: String,
    pub mini_url: String,
    pub small_url: String,
    pub medium_url: String,
    pub large_url: String,
    pub xlarge_url: String,
    pub og_image_url: String,
}

impl From<&Image> for Media {
    fn from(i: &Image) -> Self {
        Self {
            id: i.id.clone(),
            product_id: Some(i.product_id.clone()),
            variant_ids: i.variant_id.iter().cloned().collect(),
            position: i.position,
            alt: i.alt.clone(),
            media_type: "image",
            focal_point_x: None,
            focal_point_y: None,
            external_video_url: None,
            original_url: i.url.clone(),
            mini_url: i.url.clone(),
            small_url: i.url.clone(),
            medium_url: i.url.clone(),
            large_url: i.url.clone(),
            xlarge_url: i.url.clone(),
            og_image_url: i.url.clone(),
        }
    }
}

/// Spree's `Variant`.
#[derive(Clone, Debug, Serialize)]
pub struct Variant {
    pub id: String,
    pub product_id: String,
    pub sku: Option<String>,
    pub options_text: String,
    pub track_inventory: bool,
    pub media_count: usize,
    pub preorder_ships_at: Option<String>,
    pub thumbnail_url: Option<String>,
    pub purchasable: bool,
    pub in_stock: bool,
    pub backorderable: bool,
    pub preorder: bool,
    pub weight: Option<f64>,
    pub height: Option<f64>,
    pub width: Option<f64>,
    pub depth: Option<f64>,
    pub price: Option<Price>,
    pub original_price: Option<Price>,
    pub option_values: Vec<OptionValue>,
}

impl Variant {
    pub fn new(
        v: &catalog::Variant,
        price: Option<&catalog::Price>,
        values: &[catalog::OptionValue],
        images: &[&Image],
    ) -> Self {
        Self {
            id: v.id.clone(),
            product_id: v.product_id.clone(),
            sku: v.sku.clone(),
            options_text: catalog::options_text(values),
            track_inventory: v.track_inventory,
            media_count: images.len(),
            preorder_ships_at: None,
            thumbnail_url: images.first().map(|i| i.url.clone()),
            purchasable: v.purchasable(),
            in_stock: v.in_stock(),
            backorderable: v.is_backorderable(),
            preorder: false,
            weight: v.weight,
            height: v.height,
            width: v.width,
            depth: v.depth,
            price: price.map(Price::from),
            original_price: None,
            option_values: values.iter().map(OptionValue::from).collect(),
        }
    }
}

/// Spree's `Product`; the expandable associations are left out unless asked for.
#[derive(Clone, Debug, Serialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub meta_keywords: Option<String>,
    pub variant_count: usize,
    pub available_on: Option<String>,
    pub preorder_ships_at: Option<String>,
    pub purchasable: bool,
    pub preorder: bool,
    pub in_stock: bool,
    pub backorderable: bool,
    pub available: bool,
    pub description: Option<String>,
    pub description_html: Option<String>,
    pub default_variant_id: Option<String>,
    pub thumbnail_url: Option<String>,
    pub tags: Vec<String>,
    pub price: Option<Price>,
    pub original_price: Option<Price>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_media: Option<Option<Media>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<Vec<Media>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<Variant>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_variant: Option<Option<Variant>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option_types: Option<Vec<OptionType>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<Category>>,
}

/// What a product's answer is built from, loaded in batches for a whole page.
pub struct ProductParts<'a> {
    pub product: &'a catalog::Product,
    pub variants: &'a [catalog::Variant],
    pub prices: &'a std::collections::HashMap<String, catalog::Price>,
    pub values: &'a std::collections::HashMap<String, Vec<catalog::OptionValue>>,
    pub option_types: &'a [OptionTypeRow],
    pub categories: &'a [CategoryRow],
    pub images: &'a [Image],
    pub now: chrono::NaiveDateTime,
}

/// Which associations `expand` asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Expand {
    pub variants: bool,
    pub default_variant: bool,
    pub option_types: bool,
    pub categories: bool,
    pub media: bool,
    pub primary_media: bool,
}

impl Expand {
    pub fn parse(names: &[String]) -> Self {
        let has = |n: &str| {
            names
                .iter()
                .any(|x| x == n || x.starts_with(&format!("{n}.")))
        };
        Self {
            variants: has("variants"),
            default_variant: has("default_variant"),
            option_types: has("option_types"),
            categories: has("categories"),
            media: has("media"),
            primary_media: has("primary_media"),
        }
    }
}

impl Product {
    pub fn new(parts: ProductParts<'_>, expand: Expand) -> Self {
        let p = parts.product;
        let sellable = catalog::sellable_variants(parts.variants);
        let default = parts.variants.iter().find(|v| v.is_default);
        let variant = |v: &catalog::Variant| {
            let images: Vec<&Image> = parts
                .images
                .iter()
                .filter(|i| i.variant_id.as_deref() == Some(v.id.as_str()))
                .collect();
            Variant::new(
                v,
                parts.prices.get(&v.id),
                parts.values.get(&v.id).map_or(&[][..], Vec::as_slice),
                &images,
            )
        };
        // The product's price: its default variant's, else its first sellable variant's.
        let price = default
            .and_then(|v| parts.prices.get(&v.id))
            .or_else(|| sellable.iter().find_map(|v| parts.prices.get(&v.id)));
        let stock = catalog::StockSummary::of(parts.variants);
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            slug: p.slug.clone(),
            meta_title: p.meta_title.clone(),
            meta_description: p.meta_description.clone(),
            meta_keywords: p.meta_keywords.clone(),
            variant_count: sellable.len(),
            available_on: p.available_on.map(time),
            preorder_ships_at: None,
            purchasable: stock.purchasable,
            preorder: false,
            in_stock: stock.in_stock,
            backorderable: stock.backorderable,
            available: p.is_visible(parts.now),
            description: p.description_text(),
            description_html: p.description.clone(),
            default_variant_id: default.map(|v| v.id.clone()),
            thumbnail_url: parts.images.first().map(|i| i.url.clone()),
            tags: p.tag_list(),
            price: price.map(Price::from),
            original_price: None,
            primary_media: expand
                .primary_media
                .then(|| parts.images.first().map(Media::from)),
            media: expand
                .media
                .then(|| parts.images.iter().map(Media::from).collect()),
            variants: expand
                .variants
                .then(|| sellable.iter().map(|v| variant(v)).collect()),
            default_variant: expand.default_variant.then(|| default.map(variant)),
            option_types: expand
                .option_types
                .then(|| parts.option_types.iter().map(OptionType::from).collect()),
            categories: expand.categories.then(|| {
                parts
                    .categories
                    .iter()
                    .map(|c| Category::new(c, None))
                    .collect()
            }),
        }
    }
}

/// Spree's `Category`.
#[derive(Clone, Debug, Serialize)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub permalink: String,
    pub position: i32,
    pub depth: i32,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub meta_keywords: Option<String>,
    pub children_count: Option<usize>,
    pub parent_id: Option<String>,
    pub description: String,
    pub description_html: String,
    pub image_url: Option<String>,
    pub square_image_url: Option<String>,
    pub is_root: bool,
    pub is_child: bool,
    pub is_leaf: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Option<Box<Category>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<Category>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ancestors: Option<Vec<Category>>,
}

impl Category {
    /// A category; `children_count` when the children were counted.
    pub fn new(c: &CategoryRow, children: Option<usize>) -> Self {
        let html = c.description.clone().unwrap_or_default();
        Self {
            id: c.id.clone(),
            name: c.name.clone(),
            permalink: c.permalink.clone(),
            position: c.position,
            depth: c.depth,
            meta_title: c.meta_title.clone(),
            meta_description: c.meta_description.clone(),
            meta_keywords: None,
            children_count: children,
            parent_id: c.parent_id.clone(),
            description: strip_tags(&html),
            description_html: html,
            image_url: None,
            square_image_url: None,
            is_root: c.parent_id.is_none(),
            is_child: c.parent_id.is_some(),
            is_leaf: children.map(|n| n == 0),
            parent: None,
            children: None,
            ancestors: None,
        }
    }
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Money of a listing's price range (the `min`/`max` numbers of `/products/filters`).
pub fn number(money: &Money) -> f64 {
    amount(money).parse().unwrap_or(0.0)
}

/// `GET /products/filters` (spree.md section 8).
#[derive(Debug, Serialize)]
pub struct Filters {
    pub id: Option<String>,
    pub filters: Vec<serde_json::Value>,
    pub sort_options: Vec<SortOption>,
    pub default_sort: &'static str,
    pub total_count: i64,
}

#[derive(Debug, Serialize)]
pub struct SortOption {
    pub id: &'static str,
    pub label: Option<String>,
}

/// The sorts `GET /products` accepts, in Spree's order.
pub const SORTS: [&str; 8] = [
    "manual",
    "best_selling",
    "price",
    "-price",
    "-available_on",
    "available_on",
    "name",
    "-name",
];

impl From<catalog::facets::Facets> for Filters {
    fn from(f: catalog::facets::Facets) -> Self {
        use serde_json::json;
        let mut filters = Vec::new();
        if let Some(range) = &f.price {
            filters.push(json!({ "id": "price", "type": "price_range",
                "min": number(&range.min), "max": number(&range.max),
                "currency": range.min.currency }));
        }
        filters.push(
            json!({ "id": "availability", "type": "availability", "options": [
            { "id": "in_stock", "count": f.in_stock },
            { "id": "out_of_stock", "count": f.out_of_stock } ] }),
        );
        for option in &f.options {
            let values: Vec<_> = option
                .values
                .iter()
                .map(|(v, count)| {
                    json!({ "id": v.id, "name": v.name, "label": v.presentation,
                    "position": v.position, "color_code": v.color_code, "image_url": null,
                    "count": count })
                })
                .collect();
            filters.push(json!({ "id": option.option_type_id, "type": "option",
                "name": option.name, "label": option.presentation, "kind": "dropdown",
                "options": values }));
        }
        if !f.categories.is_empty() {
            let options: Vec<_> = f
                .categories
                .iter()
                .map(|(c, count)| {
                    json!({ "id": c.id, "name": c.name,
                    "permalink": c.permalink, "count": count })
                })
                .collect();
            filters.push(json!({ "id": "categories", "type": "category", "options": options }));
        }
        Self {
            id: None,
            filters,
            sort_options: SORTS
                .iter()
                .map(|id| SortOption { id, label: None })
                .collect(),
            default_sort: "manual",
            total_count: f.total,
        }
    }
}
