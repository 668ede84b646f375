//! The catalogue: products (list, show, filters) and categories (list, show); spree.md
//! section 8. Pages are built from the store's listing plus its batch look-ups (one query per
//! association for the whole page, as the GraphQL loaders do).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;

use super::SpreeError;
use super::extract::{Params, Shopper, pick};
use super::params::{category_filter, category_key, product_filter, product_key, product_sort};
use super::wire::List;
use super::wire::catalog::{Category, Expand, Filters, Product, ProductParts};
use crate::state::AppState;
use crate::store::catalog::categories::{self, CategoryQuery};
use crate::store::catalog::products::{self, ProductQuery};
use crate::store::catalog::{self, batch};
use crate::store::{Store, now};

/// Spree's answers for a page of products, loaded together.
async fn product_views(
    store: &Store,
    rows: &[catalog::Product],
    expand: Expand,
) -> Result<Vec<Product>, SpreeError> {
    let ids: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
    let variants = batch::variants_by_product(store, &ids).await?;
    let variant_ids: Vec<String> = variants.values().flatten().map(|v| v.id.clone()).collect();
    let prices = batch::prices_by_variant(store, &variant_ids, &store.config().currency).await?;
    let values = batch::option_values_by_variant(store, &variant_ids).await?;
    let images = batch::images_by_product(store, &ids).await?;
    let option_types = if expand.option_types {
        batch::option_types_by_product(store, &ids).await?
    } else {
        HashMap::new()
    };
    let categories = if expand.categories {
        batch::categories_by_product(store, &ids).await?
    } else {
        HashMap::new()
    };
    let at = now();
    Ok(rows
        .iter()
        .map(|p| {
            let parts = ProductParts {
                product: p,
                variants: variants.get(&p.id).map_or(&[][..], Vec::as_slice),
                prices: &prices,
                values: &values,
                option_types: option_types.get(&p.id).map_or(&[][..], Vec::as_slice),
                categories: categories.get(&p.id).map_or(&[][..], Vec::as_slice),
                images: images.get(&p.id).map_or(&[][..], Vec::as_slice),
                now: at,
            };
            Product::new(parts, expand)
        })
        .collect())
}

/// `GET /products`.
#[utoipa::path(
    get,
    path = "/products",
    tag = "Catalog",
    responses(
        (status = 200, description = "{data, meta}"),
        (status = 422, description = "validation_error (sort or q[...])")
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    _auth: Shopper,
    params: Params,
) -> Result<Response, SpreeError> {
    let store = &state.store;
    let page = params.page();
    let query = ProductQuery {
        filter: product_filter(&params, &store.config().currency)?,
        sort: params
            .get("sort")
            .map(product_sort)
            .transpose()?
            .unwrap_or_default(),
        first: Some(page.limit),
        after: None,
        offset: page.offset,
        currency: None,
    };
    let listed = products::list(store, &query).await?;
    let count = products::count(store, &query.filter, None).await?;
    let rows: Vec<catalog::Product> = listed.items.into_iter().map(|(_, p)| p).collect();
    let data = product_views(store, &rows, Expand::parse(&params.list("expand"))).await?;
    pick(List::new(data, page, count), &params)
}

/// `GET /products/{id or slug}`.
#[utoipa::path(
    get,
    path = "/products/{id}",
    tag = "Catalog",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The product"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn show_product(
    State(state): State<AppState>,
    _auth: Shopper,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, SpreeError> {
    let product = products::get(&state.store, &product_key(&id)).await?;
    let expand = Expand::parse(&params.list("expand"));
    let view = product_views(&state.store, std::slice::from_ref(&product), expand)
        .await?
        .pop();
    pick(view, &params)
}

/// `GET /products/filters`: the facets of the listing the same `q[...]` (and `category_id`)
/// give.
#[utoipa::path(
    get,
    path = "/products/filters",
    tag = "Catalog",
    responses(
        (status = 200, description = "Price range, availability, option and category counts, sorts"),
        (status = 422, description = "validation_error (q[...])")
    )
)]
pub async fn product_filters(
    State(state): State<AppState>,
    _auth: Shopper,
    params: Params,
) -> Result<Json<Filters>, SpreeError> {
    let filter = product_filter(&params, &state.store.config().currency)?;
    let facets = catalog::facets::of(&state.store, &filter).await?;
    Ok(Json(facets.into()))
}

/// `GET /categories`.
#[utoipa::path(
    get,
    path = "/categories",
    tag = "Catalog",
    responses(
        (status = 200, description = "{data, meta}")
    )
)]
pub async fn list_categories(
    State(state): State<AppState>,
    _auth: Shopper,
    params: Params,
) -> Result<Response, SpreeError> {
    let store = &state.store;
    let page = params.page();
    let query = CategoryQuery {
        filter: category_filter(&params)?,
        first: Some(page.limit),
        after: None,
        offset: page.offset,
    };
    let listed = categories::list(store, &query).await?;
    let count = categories::count(store, &query.filter).await?;
    let rows: Vec<catalog::Category> = listed.items.into_iter().map(|(_, c)| c).collect();
    let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
    let children = categories::children_by_parent(store, &ids).await?;
    let data = rows
        .iter()
        .map(|c| Category::new(c, Some(children.get(&c.id).map_or(0, Vec::len))))
        .collect();
    pick(List::new(data, page, count), &params)
}

/// `GET /categories/{permalink or id}` (the permalink may hold slashes), with `expand` of
/// `children`, `parent`, `ancestors`.
#[utoipa::path(
    get,
    path = "/categories/{id}",
    tag = "Catalog",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The category (id: permalink with slashes, or ctg_ id)"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn show_category(
    State(state): State<AppState>,
    _auth: Shopper,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, SpreeError> {
    let store = &state.store;
    let category = categories::get(store, &category_key(&id)).await?;
    let mut children = categories::children_by_parent(store, std::slice::from_ref(&category.id))
        .await?
        .remove(&category.id)
        .unwrap_or_default();
    let mut view = Category::new(&category, Some(children.len()));
    let expand = params.list("expand");
    let wants = |name: &str| expand.iter().any(|e| e.split('.').next() == Some(name));
    if wants("children") {
        view.children = Some(
            children
                .drain(..)
                .map(|c| Category::new(&c, None))
                .collect(),
        );
    }
    if wants("parent") {
        let parent = match &category.parent_id {
            Some(id) => categories::by_ids(store, std::slice::from_ref(id))
                .await?
                .remove(id)
                .map(|p| Box::new(Category::new(&p, None))),
            None => None,
        };
        view.parent = Some(parent);
    }
    if wants("ancestors") {
        let permalinks = category.ancestor_permalinks();
        let mut found = categories::by_permalinks(store, &permalinks).await?;
        view.ancestors = Some(
            permalinks
                .iter()
                .filter_map(|p| found.remove(p))
                .map(|c| Category::new(&c, None))
                .collect(),
        );
    }
    pick(view, &params)
}
