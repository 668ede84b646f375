//! The product catalogue: products with their variants, prices, options, images and the
//! category tree. Read-only for shoppers; every surface lists and shows products through
//! [`products`] and [`categories`], and resolves the parts of a product in batches through
//! [`batch`] (one `IN` query per kind, for batch loaders and expanded relations).

pub mod batch;
pub mod categories;
pub mod facets;
pub mod generation;
pub mod parts;
mod product_filter;
pub mod product_query;
pub mod products;
mod status;
pub mod visibility;

pub use status::ProductStatus;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    categories as categories_table, option_types, product_images, products as products_table,
    variants,
};
use crate::db::timestamp::Timestamp;
use crate::store::money::Money;

/// A product as stored. Shoppers see it only when [`Product::is_visible`]; the listing
/// functions ([`products::list`], [`products::get`]) apply the same rule in SQL.
#[derive(Clone, Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = products_table, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Product {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// Rich text (HTML) as written by the merchant; see [`Product::description_text`].
    pub description: Option<String>,
    pub status: ProductStatus,
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
    #[diesel(deserialize_as = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Timestamp)]
    pub updated_at: NaiveDateTime,
}

impl Product {
    /// The tags; a malformed column reads as no tags.
    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }

    /// Whether shoppers see it at `now`: active, available and not discontinued (the rule of
    /// [`visibility`], which the listing SQL applies too).
    pub fn is_visible(&self, now: NaiveDateTime) -> bool {
        visibility::is_visible(self.status, self.available_on, self.discontinue_on, now)
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
    #[diesel(deserialize_as = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Timestamp)]
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

/// What shoppers may know of a product's stock: summaries over the variants they choose from
/// ([`sellable_variants`]); stock counts themselves are never shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StockSummary {
    /// A variant is in stock (or does not track stock).
    pub in_stock: bool,
    /// A variant can be put in a cart now.
    pub purchasable: bool,
    /// A variant can be ordered beyond its stock.
    pub backorderable: bool,
}

impl StockSummary {
    /// The summary of a product given all its variants.
    pub fn of(all: &[Variant]) -> Self {
        let sellable = sellable_variants(all);
        Self {
            in_stock: sellable.iter().any(|v| v.in_stock()),
            purchasable: sellable.iter().any(|v| v.purchasable()),
            backorderable: sellable.iter().any(|v| v.is_backorderable()),
        }
    }
}

/// The lowest and highest of a product's prices in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
}

impl PriceRange {
    /// The range of these prices (those of the sellable variants); `None` when there are none.
    pub fn of<'a>(prices: impl IntoIterator<Item = &'a Price>) -> Option<Self> {
        let mut min: Option<&Price> = None;
        let mut max: Option<&Price> = None;
        for price in prices {
            if min.is_none_or(|m| price.amount < m.amount) {
                min = Some(price);
            }
            if max.is_none_or(|m| price.amount > m.amount) {
                max = Some(price);
            }
        }
        Some(Self {
            min: min?.money(),
            max: max?.money(),
        })
    }
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

/// One value of an option, with its option's name (what a variant shows). Read by
/// [`batch::option_values_by_variant`], in this column order.
#[derive(Clone, Debug, Queryable)]
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

/// A variant's options as one line of text: "Size: S, Color: Red".
pub fn options_text<'a>(values: impl IntoIterator<Item = &'a OptionValue>) -> String {
    values
        .into_iter()
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

    fn variant(id: &str, is_default: bool, stock: i32, backorderable: bool) -> Variant {
        let at = NaiveDateTime::default();
        Variant {
            id: id.into(),
            product_id: "prod_1".into(),
            sku: None,
            is_default,
            position: 0,
            track_inventory: true,
            stock_on_hand: stock,
            backorderable,
            weight: None,
            height: None,
            width: None,
            depth: None,
            discontinued_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn price(variant: &str, amount: i64) -> Price {
        Price {
            id: format!("price_{variant}"),
            variant_id: variant.into(),
            currency: "USD".into(),
            amount,
            compare_at_amount: None,
        }
    }

    #[test]
    fn stock_summary_reads_only_the_variants_on_sale() {
        // The default variant of a product with options is not sold: its stock is ignored.
        let all = [
            variant("master", true, 5, false),
            variant("s", false, 0, true),
            variant("m", false, 0, false),
        ];
        assert_eq!(
            StockSummary::of(&all),
            StockSummary {
                in_stock: false,
                purchasable: true,
                backorderable: true,
            }
        );
        assert_eq!(
            StockSummary::of(&[variant("only", true, 1, false)]),
            StockSummary {
                in_stock: true,
                purchasable: true,
                backorderable: false,
            }
        );
        assert_eq!(StockSummary::of(&[]), StockSummary::default());
    }

    #[test]
    fn price_range_spans_the_prices() {
        let prices = [price("a", 1500), price("b", 900), price("c", 2000)];
        let range = PriceRange::of(&prices).unwrap();
        assert_eq!((range.min.amount, range.max.amount), (900, 2000));
        assert_eq!(PriceRange::of(&[]), None);
    }

    #[test]
    fn html_is_stripped() {
        assert_eq!(
            strip_html("<p>Soft &amp; <b>warm</b></p>"),
            "Soft & warm".to_owned()
        );
    }
}
