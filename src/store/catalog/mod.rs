//! The product catalogue: products with their variants, prices, options, images and the
//! category tree. Read-only for shoppers; every surface (GraphQL, Spree, Medusa) lists and shows
//! products through [`products`] and [`categories`], and resolves the parts of a product in
//! batches through [`batch`] (one `IN` query per kind, for the dataloaders and the REST
//! `expand` options).

pub mod batch;
pub mod categories;
mod product_filter;
pub mod products;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    categories as categories_table, option_types, product_images, products as products_table,
    variants,
};
use crate::store::money::Money;

/// A product as stored. Whether a shopper may see it is decided by the listing functions
/// ([`products::list`], [`products::get`]): active, available and not discontinued.
#[derive(Clone, Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = products_table, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Product {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// Rich text (HTML) as written by the merchant; see [`Product::description_text`].
    pub description: Option<String>,
    pub status: String,
    /// JSON array of strings, see [`Product::tag_list`].
    pub tags: String,
    pub available_on: Option<NaiveDateTime>,
    pub discontinue_on: Option<NaiveDateTime>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub meta_keywords: Option<String>,
    pub units_sold: i64,
    pub position: i32,
    pub metadata: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Product {
    /// The tags; a malformed column reads as no tags.
    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }

    /// Whether shoppers see it at `now`: active, available and not discontinued (the rule the
    /// listing SQL applies in `product_filter`).
    pub fn is_visible(&self, now: NaiveDateTime) -> bool {
        self.status == "active"
            && self.available_on.is_none_or(|on| on <= now)
            && self.discontinue_on.is_none_or(|off| off > now)
    }

    /// The description as plain text: tags removed, the common entities decoded.
    pub fn description_text(&self) -> Option<String> {
        self.description.as_deref().map(strip_html)
    }
}

/// A purchasable version of a product. The default variant (`is_default`) carries the product's
/// own price; a product with other variants sells those, one without sells its default variant.
#[derive(Clone, Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = variants, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Variant {
    pub id: String,
    pub product_id: String,
    pub sku: Option<String>,
    pub is_default: bool,
    pub position: i32,
    pub track_inventory: bool,
    /// Never shown to shoppers: surfaces show [`Variant::in_stock`] and friends.
    pub stock_on_hand: i32,
    pub backorderable: bool,
    pub weight: Option<f64>,
    pub height: Option<f64>,
    pub width: Option<f64>,
    pub depth: Option<f64>,
    pub discontinued_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Variant {
    /// Stock on hand, or stock not tracked.
    pub fn in_stock(&self) -> bool {
        !self.track_inventory || self.stock_on_hand > 0
    }

    /// Can be ordered beyond the stock on hand.
    pub fn is_backorderable(&self) -> bool {
        self.track_inventory && self.backorderable
    }

    /// Can be put in a cart now.
    pub fn purchasable(&self) -> bool {
        self.discontinued_at.is_none() && (self.in_stock() || self.is_backorderable())
    }
}

/// The variants a shopper chooses from: the non-default ones when the product has any (not
/// discontinued), otherwise its default variant. Matches the stock filter of [`products::list`].
pub fn sellable_variants(all: &[Variant]) -> Vec<&Variant> {
    let has_options = all.iter().any(|v| !v.is_default);
    all.iter()
        .filter(|v| v.is_default != has_options && v.discontinued_at.is_none())
        .collect()
}

/// A variant's price in one currency.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::prices, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Price {
    pub id: String,
    pub variant_id: String,
    pub currency: String,
    pub amount: i64,
    pub compare_at_amount: Option<i64>,
}

impl Price {
    pub fn money(&self) -> Money {
        Money::new(self.amount, self.currency.clone())
    }

    /// The "was" price, shown only when above the price.
    pub fn compare_at_money(&self) -> Option<Money> {
        self.compare_at_amount
            .filter(|was| *was > self.amount)
            .map(|was| Money::new(was, self.currency.clone()))
    }
}

/// A node of the category tree.
#[derive(Clone, Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = categories_table, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Category {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    /// The full slug path, `clothing/men/shirts`.
    pub permalink: String,
    pub description: Option<String>,
    pub position: i32,
    pub depth: i32,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
}

impl Category {
    /// Permalinks of the ancestors, root first: `a/b/c` gives `a`, `a/b`.
    pub fn ancestor_permalinks(&self) -> Vec<String> {
        let parts: Vec<&str> = self.permalink.split('/').collect();
        (1..parts.len()).map(|n| parts[..n].join("/")).collect()
    }
}

/// An option a product varies by (size, colour).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = option_types, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OptionType {
    pub id: String,
    pub name: String,
    pub presentation: String,
    pub position: i32,
}

/// One value of an option, with its option's name (what a variant shows).
#[derive(Clone, Debug)]
pub struct OptionValue {
    pub id: String,
    pub option_type_id: String,
    pub name: String,
    pub presentation: String,
    pub position: i32,
    pub color_code: Option<String>,
    pub option_type_name: String,
    pub option_type_presentation: String,
}

/// "Size: S, Color: Red", as Spree writes a variant's options.
pub fn options_text(values: &[OptionValue]) -> String {
    values
        .iter()
        .map(|v| format!("{}: {}", v.option_type_presentation, v.presentation))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A product picture.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = product_images, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Image {
    pub id: String,
    pub product_id: String,
    pub variant_id: Option<String>,
    pub url: String,
    pub alt: Option<String>,
    pub position: i32,
}

/// Removes HTML tags and decodes the entities a rich-text editor writes.
fn strip_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_stripped() {
        assert_eq!(
            strip_html("<p>Soft &amp; <b>warm</b></p>"),
            "Soft & warm".to_owned()
        );
    }
}
