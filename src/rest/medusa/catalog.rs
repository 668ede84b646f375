//! `/store/products`, `/store/product-categories`, `/store/regions`: visible products with
//! prices for the shop's region, the category tree, the one region.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::StoreKey;
use super::error::{MedusaError, with_id};
use super::query::{Params, project, projects};
use super::wire_catalog::{MedusaProduct, MedusaRegion, category, product, product_value};
use crate::state::AppState;
use crate::store::catalog::categories::{self, CategoryFilter, CategoryKey, CategoryQuery};
use crate::store::catalog::parts::{self, ProductParts};
use crate::store::catalog::products::{ProductFilter, ProductKey, ProductQuery, ProductSort};
use crate::store::{Entity, StoreError, shop};

/// Medusa's `order` for products: `title`, `created_at` (and `-` for descending).
fn product_sort(order: Option<&str>) -> Result<ProductSort, MedusaError> {
    Ok(match order.unwrap_or_default() {
        "" => ProductSort::Manual,
        "title" => ProductSort::NameAsc,
        "-title" => ProductSort::NameDesc,
        "created_at" => ProductSort::Oldest,
        "-created_at" => ProductSort::Newest,
        other => {
            return Err(MedusaError::invalid_request(format!(
                "Unsupported order '{other}': use title, -title, created_at or -created_at"
            )));
        }
    })
}

fn page_body(key: &str, items: Vec<Value>, count: i64, offset: i64, limit: i64) -> Json<Value> {
    Json(json!({ key: items, "count": count, "offset": offset, "limit": limit }))
}

/// `GET /store/products`: `{products, count, offset, limit}` (limit 50, at most 100); `q`,
/// `category_id`, `handle`, `order`, `fields`.
#[utoipa::path(get, path = "/store/products", tag = "catalog", responses((status = 200, description = "{products, count, offset, limit}")))]
pub async fn list_products(
    _key: StoreKey,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let (offset, limit) = params.page(50);
    let fields = params.fields.as_deref();
    if let Some(handle) = params.one("handle") {
        let found = match parts::get(&state.store, &ProductKey::Slug(handle), None).await {
            Ok(p) => vec![p],
            Err(StoreError::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let count = found.len() as i64;
        return Ok(products_page(&found, fields, count, offset, limit));
    }
    let query = ProductQuery {
        filter: ProductFilter {
            search: params.one("q"),
            category_ids: params.all("category_id"),
            ..ProductFilter::default()
        },
        sort: product_sort(params.order.as_deref())?,
        first: Some(limit),
        offset,
        ..ProductQuery::default()
    };
    let (products, count) = parts::list(&state.store, &query).await?;
    Ok(products_page(&products, fields, count, offset, limit))
}

/// `{products, count, offset, limit}`: serialized straight from the typed shapes, unless a
/// `fields` projection needs them as values first.
fn products_page(
    products: &[ProductParts],
    fields: Option<&str>,
    count: i64,
    offset: i64,
    limit: i64,
) -> Response {
    if projects(fields) {
        let items = products
            .iter()
            .map(|p| project(product_value(p), fields))
            .collect();
        return page_body("products", items, count, offset, limit).into_response();
    }
    #[derive(Serialize)]
    struct Page<'a> {
        products: Vec<MedusaProduct<'a>>,
        count: i64,
        offset: i64,
        limit: i64,
    }
    Json(Page {
        products: products.iter().map(product).collect(),
        count,
        offset,
        limit,
    })
    .into_response()
}

/// `GET /store/products/{id}`: `{product}`.
#[utoipa::path(get, path = "/store/products/{id}", params(("id" = String, Path)), tag = "catalog", responses((status = 200, description = "{product}")))]
pub async fn get_product(
    _key: StoreKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let found = parts::get(&state.store, &ProductKey::Id(id.clone()), None)
        .await
        .map_err(with_id(&id))?;
    let whole = product_value(&found);
    // Medusa's retrieve route always adds the categories.
    let categories = whole["categories"].clone();
    let mut body = project(whole, params.fields.as_deref());
    body["categories"] = categories;
    Ok(Json(json!({ "product": body })))
}

/// `GET /store/product-categories`: `{product_categories, count, offset, limit}`; `handle`,
/// `parent_category_id` (`null` for the roots), `q`.
#[utoipa::path(get, path = "/store/product-categories", tag = "catalog", responses((status = 200, description = "{product_categories, count, offset, limit}")))]
pub async fn list_categories(
    _key: StoreKey,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let (offset, limit) = params.page(50);
    let fields = params.fields.as_deref();
    if let Some(handle) = params.one("handle") {
        let found = match categories::get(&state.store, &CategoryKey::Permalink(handle)).await {
            Ok(c) => vec![project(category(&c), fields)],
            Err(StoreError::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let count = found.len() as i64;
        return Ok(page_body("product_categories", found, count, offset, limit));
    }
    let parent = params.one("parent_category_id");
    let filter = CategoryFilter {
        name: params.one("q"),
        depth: (parent.as_deref() == Some("null")).then_some(0),
        parent_id: parent.filter(|p| p != "null"),
    };
    let query = CategoryQuery {
        filter,
        first: Some(limit),
        offset,
        ..CategoryQuery::default()
    };
    let (page, count) = categories::list_with_count(&state.store, &query).await?;
    let items = page.iter().map(|c| project(category(c), fields)).collect();
    Ok(page_body("product_categories", items, count, offset, limit))
}

/// `GET /store/product-categories/{id}`: `{product_category}`.
#[utoipa::path(get, path = "/store/product-categories/{id}", params(("id" = String, Path)), tag = "catalog", responses((status = 200, description = "{product_category}")))]
pub async fn get_category(
    _key: StoreKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let found = categories::get(&state.store, &CategoryKey::Id(id.clone()))
        .await
        .map_err(|e| match e {
            StoreError::NotFound { .. } => MedusaError::not_found(Entity::Category, &id),
            other => other.into(),
        })?;
    Ok(Json(
        json!({ "product_category": project(category(&found), params.fields.as_deref()) }),
    ))
}

/// `GET /store/regions`: the shop's one region.
#[utoipa::path(get, path = "/store/regions", tag = "catalog", responses((status = 200, description = "{regions, count, offset, limit}")))]
pub async fn list_regions(
    _key: StoreKey,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let (offset, limit) = params.page(50);
    let region = json!(MedusaRegion::from(shop::region(&state.store)));
    let items: Vec<Value> = std::iter::once(region)
        .skip(offset.max(0) as usize)
        .take(limit.max(0) as usize)
        .map(|r| project(r, params.fields.as_deref()))
        .collect();
    Ok(page_body("regions", items, 1, offset, limit))
}

/// `GET /store/regions/{id}`.
#[utoipa::path(get, path = "/store/regions/{id}", params(("id" = String, Path)), tag = "catalog", responses((status = 200, description = "{region}")))]
pub async fn get_region(
    _key: StoreKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let region = shop::region(&state.store);
    if region.id != id {
        return Err(MedusaError::new(
            axum::http::StatusCode::NOT_FOUND,
            super::error::kind::NOT_FOUND,
            format!("Region with id: {id} was not found"),
        ));
    }
    Ok(Json(
        json!({ "region": project(json!(MedusaRegion::from(region)), params.fields.as_deref()) }),
    ))
}
