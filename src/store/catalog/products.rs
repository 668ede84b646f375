//! Listing and showing products: the filters, orders and keyset pagination every surface uses
//! (GraphQL `products`, Spree `GET /products` with `q[...]` and `sort`, Medusa `/store/products`).
//!
//! Visible products are `active`, available (`available_on` empty or past) and not discontinued
//! (`discontinue_on` empty or future); anything else is absent, on every surface.

use diesel::QueryableByName;
use serde_json::Value;

use super::Product;
use super::product_filter::{push_conditions, push_from, push_price, push_visible};
use crate::db::sql::{Bind, Sql};
use crate::store::pagination::{self, Cursor, Page, TIME_FORMAT};
use crate::store::{Entity, Store, StoreError};

/// Which products to list. Every condition given must hold (AND); a list inside one condition
/// matches any of its members (OR).
#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    /// A substring of the name, any case (Spree `q[name_cont]`).
    pub name: Option<String>,
    /// Free text: every word must appear, any case, in the name, the description or a SKU
    /// (Spree `q[search]`). Uses the search index (FTS5 trigram / pg_trgm).
    pub search: Option<String>,
    /// Category ids; products in any of them or in their descendants (Spree `q[in_category]`,
    /// `q[in_categories][]`).
    pub category_ids: Vec<String>,
    /// Lowest price, in minor units of the listing's currency (Spree `q[price_gte]`).
    pub price_min: Option<i64>,
    /// Highest price, in minor units of the listing's currency (Spree `q[price_lte]`).
    pub price_max: Option<i64>,
    /// Option value ids; products with a variant having any of them
    /// (Spree `q[with_option_value_ids][]`).
    pub option_value_ids: Vec<String>,
    /// `Some(true)`: a sellable variant is in stock; `Some(false)`: none is (Spree `q[in_stock]`,
    /// `q[out_of_stock]`). Backorderable variants do not count as in stock.
    pub in_stock: Option<bool>,
}

/// The order of a listing. Ties are broken by id, so every order is total and cursors stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProductSort {
    /// The merchant's order (`position`), Spree's default `manual`.
    #[default]
    Manual,
    NameAsc,
    NameDesc,
    /// By the default variant's price in the listing's currency; unpriced products last.
    PriceAsc,
    PriceDesc,
    /// Latest `available_on` (or creation) first; Spree `-available_on`.
    Newest,
    /// Spree `available_on`.
    Oldest,
    /// Most units sold first.
    BestSelling,
}

impl ProductSort {
    /// The name written into cursors, so a cursor only continues the order it was made for.
    fn tag(self) -> &'static str {
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

    fn descending(self) -> bool {
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
    /// Rows to skip before the page (for page-numbered REST lists; GraphQL uses cursors).
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

/// A listed product and the price it was sorted by (for its cursor).
#[derive(QueryableByName)]
struct ListedRow {
    #[diesel(embed)]
    product: Product,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    sort_price: Option<i64>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// One page of visible products.
pub async fn list(store: &Store, query: &ProductQuery) -> Result<Page<Product>, StoreError> {
    let first = pagination::first(query.first)?;
    pagination::offset(query.offset)?;
    let currency = currency(store, query.currency.as_deref());
    let sort = query.sort;
    let after = query
        .after
        .as_deref()
        .map(|c| Cursor::decode(sort.tag(), c))
        .transpose()?;
    if first == 0 {
        return Ok(Page {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: after.is_some() || query.offset > 0,
        });
    }

    let mut sql = Sql::for_db(store.db());
    let key = sort_key(sort);
    sql.push("SELECT p.*, ");
    if matches!(sort, ProductSort::PriceAsc | ProductSort::PriceDesc) {
        push_sort_key(&mut sql, sort);
    } else {
        sql.push("CAST(NULL AS BIGINT)");
    }
    sql.push(" AS sort_price");
    push_from(&mut sql, &query.filter, sort, &currency);
    sql.push(" WHERE ");
    push_conditions(&mut sql, &query.filter)?;
    if let Some(after) = &after {
        let value = match key {
            Key::Text(_) => Bind::Text(after.text_key()?),
            Key::Int(_) | Key::Price => Bind::Int(after.int_key()?),
            Key::Time(_) => Bind::Time(after.time_key()?),
        };
        // A row-value comparison, which both backends turn into an index range.
        sql.push(" AND (");
        push_sort_key(&mut sql, sort);
        sql.push(if sort.descending() {
            ", p.id) < ("
        } else {
            ", p.id) > ("
        })
        .bind(value)
        .push(", ")
        .bind_text(&after.id)
        .push(")");
    }
    let direction = if sort.descending() { "DESC" } else { "ASC" };
    sql.push(" ORDER BY ");
    if matches!(key, Key::Price) {
        // The output column: the price expression is written (and computed) once.
        sql.push("sort_price");
    } else {
        push_sort_key(&mut sql, sort);
    }
    sql.push(&format!(" {direction}, p.id {direction} LIMIT "))
        .bind(Bind::Int(first as i64 + 1))
        .push(" OFFSET ")
        .bind(Bind::Int(query.offset));

    let mut conn = store.db().conn().await?;
    let rows: Vec<ListedRow> = sql.load(&mut conn).await?;
    Ok(
        Page::from_rows(rows, first, after.is_some() || query.offset > 0, |row| {
            cursor(sort, row)
        })
        .map(|row| row.product),
    )
}

/// How many visible products match `filter` (the `totalCount` of a listing).
pub async fn count(
    store: &Store,
    filter: &ProductFilter,
    currency: Option<&str>,
) -> Result<i64, StoreError> {
    let currency = self::currency(store, currency);
    let mut sql = Sql::for_db(store.db());
    sql.push("SELECT COUNT(*) AS count");
    push_from(&mut sql, filter, ProductSort::Manual, &currency);
    sql.push(" WHERE ");
    push_conditions(&mut sql, filter)?;
    let mut conn = store.db().conn().await?;
    let rows: Vec<CountRow> = sql.load(&mut conn).await?;
    Ok(rows.into_iter().next().map_or(0, |r| r.count))
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// The ids of every visible product matching `filter` (in the shop's currency), in the
/// merchant's order.
pub async fn matching_ids(
    store: &Store,
    filter: &ProductFilter,
) -> Result<Vec<String>, StoreError> {
    let currency = self::currency(store, None);
    let mut sql = Sql::for_db(store.db());
    sql.push("SELECT p.id AS id");
    push_from(&mut sql, filter, ProductSort::Manual, &currency);
    sql.push(" WHERE ");
    push_conditions(&mut sql, filter)?;
    sql.push(" ORDER BY p.position, p.id");
    let mut conn = store.db().conn().await?;
    let rows: Vec<IdRow> = sql.load(&mut conn).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// One visible product by id or slug; `NotFound` when absent or not visible.
pub async fn get(store: &Store, key: &ProductKey) -> Result<Product, StoreError> {
    let mut sql = Sql::for_db(store.db());
    sql.push("SELECT p.* FROM products p WHERE ");
    push_visible(&mut sql);
    match key {
        ProductKey::Id(id) => sql.push(" AND p.id = ").bind_text(id),
        ProductKey::Slug(slug) => sql.push(" AND p.slug = ").bind_text(slug),
    };
    let mut conn = store.db().conn().await?;
    let rows: Vec<Product> = sql.load(&mut conn).await?;
    rows.into_iter()
        .next()
        .ok_or(StoreError::not_found(Entity::Product))
}

fn currency(store: &Store, requested: Option<&str>) -> String {
    requested
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| store.config().currency.clone())
}

/// The kind of value a sort key has (for decoding cursors).
enum Key {
    Text(&'static str),
    Int(&'static str),
    Time(&'static str),
    /// The default variant's price, a subquery.
    Price,
}

fn sort_key(sort: ProductSort) -> Key {
    match sort {
        ProductSort::Manual => Key::Int("p.position"),
        ProductSort::NameAsc | ProductSort::NameDesc => Key::Text("p.name"),
        ProductSort::PriceAsc | ProductSort::PriceDesc => Key::Price,
        ProductSort::Newest | ProductSort::Oldest => {
            Key::Time("COALESCE(p.available_on, p.created_at)")
        }
        ProductSort::BestSelling => Key::Int("p.units_sold"),
    }
}

/// Writes the sort key expression. Unpriced products get a price that puts them last in
/// either direction, so the key is never NULL and keyset comparisons stay simple.
fn push_sort_key(sql: &mut Sql, sort: ProductSort) {
    match sort_key(sort) {
        Key::Text(e) | Key::Int(e) | Key::Time(e) => {
            sql.push(e);
        }
        Key::Price => {
            sql.push("COALESCE(");
            push_price(sql);
            sql.push(if sort.descending() {
                ", -1)"
            } else {
                ", 9223372036854775807)"
            });
        }
    }
}

fn cursor(sort: ProductSort, row: &ListedRow) -> String {
    let p = &row.product;
    let key = match sort {
        ProductSort::Manual => Value::from(p.position),
        ProductSort::NameAsc | ProductSort::NameDesc => Value::from(p.name.clone()),
        ProductSort::PriceAsc | ProductSort::PriceDesc => Value::from(row.sort_price.unwrap_or(0)),
        ProductSort::Newest | ProductSort::Oldest => Value::from(
            p.available_on
                .unwrap_or(p.created_at)
                .format(TIME_FORMAT)
                .to_string(),
        ),
        ProductSort::BestSelling => Value::from(p.units_sold),
    };
    Cursor::encode(sort.tag(), key, &p.id)
}
