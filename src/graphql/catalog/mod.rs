//! The catalogue queries: `products`, `product`, `categories`, `category`.

mod category;
mod money;
mod product;
mod variant;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

pub use category::{Category, CategoryConnection};
pub use money::{Money, PriceRange};
pub use product::{Product, ProductConnection};
pub use variant::{Image, OptionType, OptionValue, Variant};

use super::ToGraphql;
use crate::error::StoreError;
use crate::store::Store;
use crate::store::catalog::categories::{self, CategoryFilter, CategoryKey, CategoryQuery};
use crate::store::catalog::products::{self, ProductFilter, ProductKey, ProductQuery, ProductSort};

/// Which products to list. Every field given must match; a list matches any of its members.
#[derive(InputObject, Default)]
#[graphql(name = "ProductFilter")]
pub struct ProductFilterInput {
    /// Free text: every word must appear (any case) in the name, description or a SKU.
    pub search: Option<String>,
    /// A substring of the name, any case.
    pub name: Option<String>,
    /// Products in this category or its descendants.
    pub category_id: Option<ID>,
    /// Products in any of these categories or their descendants.
    pub category_ids: Option<Vec<ID>>,
    /// Lowest price of the default variant, in minor units of the shop's currency.
    pub price_min_in_cents: Option<i64>,
    /// Highest price of the default variant, in minor units of the shop's currency.
    pub price_max_in_cents: Option<i64>,
    /// Products with a variant having any of these option values.
    pub option_value_ids: Option<Vec<ID>>,
    /// true: in stock; false: out of stock (backorderable counts as out of stock).
    pub in_stock: Option<bool>,
}

impl From<ProductFilterInput> for ProductFilter {
    fn from(f: ProductFilterInput) -> Self {
        let mut category_ids: Vec<String> = f.category_id.into_iter().map(|id| id.0).collect();
        category_ids.extend(
            f.category_ids
                .unwrap_or_default()
                .into_iter()
                .map(|id| id.0),
        );
        Self {
            name: f.name,
            search: f.search,
            category_ids,
            price_min: f.price_min_in_cents,
            price_max: f.price_max_in_cents,
            option_value_ids: f
                .option_value_ids
                .unwrap_or_default()
                .into_iter()
                .map(|id| id.0)
                .collect(),
            in_stock: f.in_stock,
        }
    }
}

/// The order of a product list; ties are broken by id.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(name = "ProductSort")]
pub enum ProductSortInput {
    /// The merchant's order.
    #[default]
    Manual,
    NameAsc,
    NameDesc,
    /// By the default variant's price; unpriced products last.
    PriceAsc,
    PriceDesc,
    /// Latest available first.
    Newest,
    Oldest,
    /// Most units sold first.
    BestSelling,
}

impl From<ProductSortInput> for ProductSort {
    fn from(s: ProductSortInput) -> Self {
        match s {
            ProductSortInput::Manual => Self::Manual,
            ProductSortInput::NameAsc => Self::NameAsc,
            ProductSortInput::NameDesc => Self::NameDesc,
            ProductSortInput::PriceAsc => Self::PriceAsc,
            ProductSortInput::PriceDesc => Self::PriceDesc,
            ProductSortInput::Newest => Self::Newest,
            ProductSortInput::Oldest => Self::Oldest,
            ProductSortInput::BestSelling => Self::BestSelling,
        }
    }
}

/// Which categories to list.
#[derive(InputObject, Default)]
#[graphql(name = "CategoryFilter")]
pub struct CategoryFilterInput {
    /// A substring of the name, any case.
    pub name: Option<String>,
    /// Only the children of this category.
    pub parent_id: Option<ID>,
    /// Only categories at this depth (0: roots).
    pub depth: Option<i32>,
}

impl From<CategoryFilterInput> for CategoryFilter {
    fn from(f: CategoryFilterInput) -> Self {
        Self {
            name: f.name,
            parent_id: f.parent_id.map(|id| id.0),
            depth: f.depth,
        }
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Products on sale, `first` at most 100 (more is BAD_USER_INPUT).
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProductFilterInput>,
        sort: Option<ProductSortInput>,
    ) -> Result<ProductConnection> {
        let query = ProductQuery {
            filter: filter.map(Into::into).unwrap_or_default(),
            sort: sort.unwrap_or_default().into(),
            first: first.map(i64::from),
            after,
            ..ProductQuery::default()
        };
        products_connection(ctx, query).await
    }

    /// One product on sale, by id or slug (exactly one); null when there is none.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Product>> {
        let key = match (id, slug) {
            (Some(id), None) => ProductKey::Id(id.0),
            (None, Some(slug)) => ProductKey::Slug(slug),
            _ => return Err(StoreError::invalid("id", "give either id or slug")).gql(),
        };
        not_found_as_none(products::get(ctx.data::<Store>()?, &key).await)
            .gql()
            .map(|p| p.map(Product::from))
    }

    /// The category tree as a flat list: parents before children, siblings in order.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn categories(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CategoryFilterInput>,
    ) -> Result<CategoryConnection> {
        let filter: CategoryFilter = filter.map(Into::into).unwrap_or_default();
        let query = CategoryQuery {
            filter: filter.clone(),
            first: first.map(i64::from),
            after,
            offset: 0,
        };
        let page = categories::list(ctx.data::<Store>()?, &query).await.gql()?;
        Ok(CategoryConnection { page, filter })
    }

    /// One category by id or permalink (exactly one); null when there is none.
    async fn category(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        permalink: Option<String>,
    ) -> Result<Option<Category>> {
        let key = match (id, permalink) {
            (Some(id), None) => CategoryKey::Id(id.0),
            (None, Some(permalink)) => CategoryKey::Permalink(permalink),
            _ => return Err(StoreError::invalid("id", "give either id or permalink")).gql(),
        };
        not_found_as_none(categories::get(ctx.data::<Store>()?, &key).await)
            .gql()
            .map(|c| c.map(Category))
    }
}

/// Runs a product listing and keeps its filter for `totalCount`.
async fn products_connection(ctx: &Context<'_>, query: ProductQuery) -> Result<ProductConnection> {
    let page = products::list(ctx.data::<Store>()?, &query).await.gql()?;
    Ok(ProductConnection {
        page,
        filter: query.filter,
    })
}

fn not_found_as_none<T>(
    result: std::result::Result<T, StoreError>,
) -> std::result::Result<Option<T>, StoreError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
