//! What a product listing asks for: the filter, the order, the page, and how to find one
//! product. Shared by [`super::products`] (which runs them) and `product_filter`
//! (which writes their SQL), so that neither imports the other's internals.

/// Which products to list. Every condition given must hold (AND); a list inside one condition
/// matches any of its members (OR).
#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    /// A substring of the name, any case.
    pub name: Option<String>,
    /// Free text: every word must appear, any case, in the name, the description or a SKU.
    /// Uses the search index (FTS5 trigram / pg_trgm).
    pub search: Option<String>,
    /// Category ids; products in any of them or in their descendants.
    pub category_ids: Vec<String>,
    /// Lowest price, in minor units of the listing's currency.
    pub price_min: Option<i64>,
    /// Highest price, in minor units of the listing's currency.
    pub price_max: Option<i64>,
    /// Option value ids; products with a variant having any of them.
    pub option_value_ids: Vec<String>,
    /// `Some(true)`: a sellable variant is in stock; `Some(false)`: none is. Backorderable
    /// variants do not count as in stock.
    pub in_stock: Option<bool>,
}

/// The order of a listing. Ties are broken by id, so every order is total and cursors stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProductSort {
    /// The merchant's order (`position`), the default.
    #[default]
    Manual,
    NameAsc,
    NameDesc,
    /// By the default variant's price in the listing's currency; unpriced products last.
    PriceAsc,
    PriceDesc,
    /// Latest `available_on` (or creation) first.
    Newest,
    /// Earliest `available_on` (or creation) first.
    Oldest,
    /// Most units sold first.
    BestSelling,
}

impl ProductSort {
    /// The name written into cursors, so a cursor only continues the order it was made for.
    pub(super) fn tag(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::NameAsc => "name",
            Self::NameDesc => "-name",
            Self::PriceAsc => "price",
            Self::PriceDesc => "-price",
            Self::Newest => "-available_on",
            Self::Oldest => "available_on",
            Self::BestSelling => "best_selling",
        }
    }

    pub(super) fn descending(self) -> bool {
        matches!(
            self,
            Self::NameDesc | Self::PriceDesc | Self::Newest | Self::BestSelling
        )
    }
}

/// A request for one page of products.
#[derive(Clone, Debug, Default)]
pub struct ProductQuery {
    pub filter: ProductFilter,
    pub sort: ProductSort,
    /// Page size; `None` is the default (20), more than 100 is refused.
    pub first: Option<i64>,
    /// The cursor of the last product seen.
    pub after: Option<String>,
    /// Rows to skip before the page (for page-numbered lists; cursors need none).
    pub offset: i64,
    /// The currency prices are filtered and sorted in; `None` is the shop's currency.
    pub currency: Option<String>,
}

/// How to find one product.
#[derive(Clone, Debug)]
pub enum ProductKey {
    Id(String),
    Slug(String),
}
