//! The category tree: listing with filters, one category by
//! id or permalink, and the batch look-ups behind `parent`, `children` and `ancestors`.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;

use super::Category;
use crate::db::schema::categories;
use crate::db::sql::{Bind, Sql, contains_pattern};
use crate::db_run;
use crate::store::pagination::{self, Cursor, Page};
use crate::store::{Entity, Store, StoreError};

/// Which categories to list; every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct CategoryFilter {
    /// A substring of the name, any case.
    pub name: Option<String>,
    /// Only the children of this category.
    pub parent_id: Option<String>,
    /// Only categories at this depth, 0 for roots.
    pub depth: Option<i32>,
}

/// A request for one page of categories, ordered by depth, then position, then id (parents
/// before their children; siblings in the merchant's order).
#[derive(Clone, Debug, Default)]
pub struct CategoryQuery {
    pub filter: CategoryFilter,
    pub first: Option<i64>,
    pub after: Option<String>,
    /// Rows to skip (page-numbered REST lists).
    pub offset: i64,
}

/// How to find one category.
#[derive(Clone, Debug)]
pub enum CategoryKey {
    Id(String),
    Permalink(String),
}

const ORDER: &str = "depth,position";

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// One page of categories.
pub async fn list(store: &Store, query: &CategoryQuery) -> Result<Page<Category>, StoreError> {
    let first = pagination::first(query.first)?;
    if query.offset < 0 {
        return Err(StoreError::invalid("offset", "must not be negative"));
    }
    let after = query
        .after
        .as_deref()
        .map(|c| Cursor::decode(ORDER, c))
        .transpose()?;
    let mut sql = Sql::for_db(store.db());
    sql.push("SELECT c.* FROM categories c WHERE ");
    push_conditions(&mut sql, &query.filter);
    if let Some(after) = &after {
        let (depth, position) = match after.key.as_array().map(Vec::as_slice) {
            Some([d, p]) => match (d.as_i64(), p.as_i64()) {
                (Some(d), Some(p)) => (d, p),
                _ => return Err(invalid_cursor()),
            },
            _ => return Err(invalid_cursor()),
        };
        sql.push(" AND (c.depth > ")
            .bind(Bind::Int(depth))
            .push(" OR (c.depth = ")
            .bind(Bind::Int(depth))
            .push(" AND (c.position > ")
            .bind(Bind::Int(position))
            .push(" OR (c.position = ")
            .bind(Bind::Int(position))
            .push(" AND c.id > ")
            .bind_text(&after.id)
            .push("))))");
    }
    sql.push(" ORDER BY c.depth, c.position, c.id LIMIT ")
        .bind(Bind::Int(first as i64 + 1))
        .push(" OFFSET ")
        .bind(Bind::Int(query.offset));
    let mut conn = store.db().conn().await?;
    let rows: Vec<Category> = sql.load(&mut conn).await?;
    Ok(Page::from_rows(
        rows,
        first,
        after.is_some() || query.offset > 0,
        |c| Cursor::encode(ORDER, json!([c.depth, c.position]), &c.id),
    ))
}

/// How many categories match `filter`.
pub async fn count(store: &Store, filter: &CategoryFilter) -> Result<i64, StoreError> {
    let mut sql = Sql::for_db(store.db());
    sql.push("SELECT COUNT(*) AS count FROM categories c WHERE ");
    push_conditions(&mut sql, filter);
    let mut conn = store.db().conn().await?;
    let rows: Vec<CountRow> = sql.load(&mut conn).await?;
    Ok(rows.into_iter().next().map_or(0, |r| r.count))
}

/// One category by id or permalink; `NotFound` when absent.
pub async fn get(store: &Store, key: &CategoryKey) -> Result<Category, StoreError> {
    let mut conn = store.db().conn().await?;
    let found: Option<Category> = match key {
        CategoryKey::Id(id) => db_run!(conn, |c| categories::table
            .filter(categories::id.eq(id))
            .select(Category::as_select())
            .first(c)
            .await
            .optional())?,
        CategoryKey::Permalink(permalink) => db_run!(conn, |c| categories::table
            .filter(categories::permalink.eq(permalink))
            .select(Category::as_select())
            .first(c)
            .await
            .optional())?,
    };
    found.ok_or(StoreError::not_found(Entity::Category))
}

/// Categories by id (for `parent`).
pub async fn by_ids(
    store: &Store,
    ids: &[String],
) -> Result<HashMap<String, Category>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Category> = db_run!(conn, |c| categories::table
        .filter(categories::id.eq_any(ids))
        .select(Category::as_select())
        .load(c)
        .await)?;
    Ok(rows.into_iter().map(|c| (c.id.clone(), c)).collect())
}

/// Categories by permalink (for `ancestors`, whose permalinks are prefixes of their own).
pub async fn by_permalinks(
    store: &Store,
    permalinks: &[String],
) -> Result<HashMap<String, Category>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Category> = db_run!(conn, |c| categories::table
        .filter(categories::permalink.eq_any(permalinks))
        .select(Category::as_select())
        .load(c)
        .await)?;
    Ok(rows.into_iter().map(|c| (c.permalink.clone(), c)).collect())
}

/// The children of each parent, in the merchant's order.
pub async fn children_by_parent(
    store: &Store,
    parent_ids: &[String],
) -> Result<HashMap<String, Vec<Category>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<Category> = db_run!(conn, |c| categories::table
        .filter(categories::parent_id.eq_any(parent_ids))
        .order((categories::position, categories::id))
        .select(Category::as_select())
        .load(c)
        .await)?;
    let mut map: HashMap<String, Vec<Category>> = parent_ids
        .iter()
        .map(|id| (id.clone(), Vec::new()))
        .collect();
    for row in rows {
        if let Some(parent) = row.parent_id.clone() {
            map.entry(parent).or_default().push(row);
        }
    }
    Ok(map)
}

fn push_conditions(sql: &mut Sql, filter: &CategoryFilter) {
    sql.push("1 = 1");
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let like = if sql.is_postgres() { "ILIKE" } else { "LIKE" };
        sql.push(&format!(" AND c.name {like} "))
            .bind_text(&contains_pattern(name))
            .push(" ESCAPE '\\'");
    }
    if let Some(parent) = &filter.parent_id {
        sql.push(" AND c.parent_id = ").bind_text(parent);
    }
    if let Some(depth) = filter.depth {
        sql.push(" AND c.depth = ")
            .bind(Bind::Int(i64::from(depth)));
    }
}

fn invalid_cursor() -> StoreError {
    StoreError::invalid("after", "is not a valid cursor for this list")
}

/// One page of categories and how many match the filter (the REST lists).
pub async fn list_with_count(
    store: &Store,
    query: &CategoryQuery,
) -> Result<(Vec<Category>, i64), StoreError> {
    let page = list(store, query).await?;
    let count = count(store, &query.filter).await?;
    Ok((page.items.into_iter().map(|(_, c)| c).collect(), count))
}
