//! Wishlists under `/wishlists` (spree.md sections 9-11): the signed-in customer's lists and
//! their items. `GET /wishlists/{id}` also takes a share token in place of the id, which opens
//! a shared list to anyone (no JWT needed); a private list's token is 404 like a missing id.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::SpreeError;
use super::extract::{In, Params, Shopper};
use super::wire::List;
use super::wire::wishlist::{ItemParts, Wishlist, WishlistBody, WishlistItem, WishlistItemBody};
use crate::state::AppState;
use crate::store::catalog::batch;
use crate::store::{Store, StoreError, wishlists};

/// The prices and option values of the items of these lists, when `expand` asks for items.
async fn parts(
    store: &Store,
    lists: &[&wishlists::Wishlist],
    params: &Params,
) -> Result<Option<ItemParts>, StoreError> {
    if !params
        .list("expand")
        .iter()
        .any(|e| e.split('.').next() == Some("items"))
    {
        return Ok(None);
    }
    item_parts(store, lists.iter().flat_map(|l| l.items.iter()))
        .await
        .map(Some)
}

async fn item_parts(
    store: &Store,
    items: impl Iterator<Item = &wishlists::WishlistItem>,
) -> Result<ItemParts, StoreError> {
    let ids: Vec<String> = items.map(|i| i.variant.id.clone()).collect();
    if ids.is_empty() {
        return Ok(ItemParts::default());
    }
    Ok(ItemParts {
        prices: batch::prices_by_variant(store, &ids, &store.config().currency).await?,
        values: batch::option_values_by_variant(store, &ids).await?,
    })
}

async fn one_item(
    store: &Store,
    item: &wishlists::WishlistItem,
) -> Result<WishlistItem, StoreError> {
    let parts = item_parts(store, std::iter::once(item)).await?;
    Ok(WishlistItem::new(item, &parts))
}

/// `GET /wishlists`: the signed-in customer's lists, oldest first (`expand=items`).
#[utoipa::path(
    get,
    path = "/wishlists",
    tag = "Wishlists",
    responses(
        (status = 200, description = "{data: [Wishlist], meta}"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Json<List<Wishlist>>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let lists = wishlists::list(&state.store, &principal.customer_id).await?;
    let count = lists.len() as i64;
    let shown: Vec<&wishlists::Wishlist> = lists
        .iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .collect();
    let parts = parts(&state.store, &shown, &params).await?;
    let data = shown
        .into_iter()
        .map(|l| Wishlist::new(l, parts.as_ref()))
        .collect();
    Ok(Json(List::new(data, page, count)))
}

/// `POST /wishlists` (201): `{name, is_private?, is_default?}`.
#[utoipa::path(
    post,
    path = "/wishlists",
    tag = "Wishlists",
    responses(
        (status = 201, description = "The new Wishlist"),
        (status = 401, description = "authentication_required"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<WishlistBody>,
) -> Result<impl IntoResponse, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let new = wishlists::NewWishlist {
        name: body.name,
        is_private: body.is_private,
        is_default: body.is_default,
    };
    let list = wishlists::create(&state.store, &principal.customer_id, &new).await?;
    Ok((StatusCode::CREATED, Json(Wishlist::new(&list, None))))
}

/// `GET /wishlists/{id}`: the caller's list, or a shared list by its token (no JWT needed).
#[utoipa::path(
    get,
    path = "/wishlists/{id}",
    tag = "Wishlists",
    params(("id" = String, Path, description = "A wishlist id (owner), or its share token")),
    responses(
        (status = 200, description = "The Wishlist (`expand=items` adds its items)"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn show(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Wishlist>, SpreeError> {
    let list = if id.contains('.') {
        wishlists::by_token(&state.store, &id).await?
    } else {
        let principal = auth.require(&state.store).await?;
        wishlists::get(&state.store, &principal.customer_id, &id).await?
    };
    let parts = parts(&state.store, &[&list], &params).await?;
    Ok(Json(Wishlist::new(&list, parts.as_ref())))
}

/// `PATCH /wishlists/{id}`: name, `is_private`, `is_default: true`.
#[utoipa::path(
    patch,
    path = "/wishlists/{id}",
    tag = "Wishlists",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The Wishlist"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    In(body): In<WishlistBody>,
) -> Result<Json<Wishlist>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let changes = wishlists::WishlistChanges {
        name: body.name,
        is_private: body.is_private,
        is_default: body.is_default,
    };
    let list = wishlists::update(&state.store, &principal.customer_id, &id, &changes).await?;
    Ok(Json(Wishlist::new(&list, None)))
}

/// `DELETE /wishlists/{id}` (204).
#[utoipa::path(
    delete,
    path = "/wishlists/{id}",
    tag = "Wishlists",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<StatusCode, SpreeError> {
    let principal = auth.require(&state.store).await?;
    wishlists::delete(&state.store, &principal.customer_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /wishlists/{id}/items` (201): `{variant_id, quantity?}`; a variant already
/// on the list gets its quantity raised.
#[utoipa::path(
    post,
    path = "/wishlists/{id}/items",
    tag = "Wishlists",
    params(("id" = String, Path)),
    responses(
        (status = 201, description = "The WishlistItem"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn add_item(
    State(state): State<AppState>,
    auth: Shopper,
    Path(wishlist_id): Path<String>,
    In(body): In<WishlistItemBody>,
) -> Result<impl IntoResponse, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let variant_id = body
        .variant_id
        .ok_or_else(|| StoreError::invalid("variant_id", "can't be blank"))?;
    let item = wishlists::add_item(
        &state.store,
        &principal.customer_id,
        &wishlist_id,
        &variant_id,
        body.quantity.unwrap_or(1),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(one_item(&state.store, &item).await?),
    ))
}

/// `PATCH /wishlists/{id}/items/{item_id}`: `{quantity}`.
#[utoipa::path(
    patch,
    path = "/wishlists/{id}/items/{item_id}",
    tag = "Wishlists",
    params(("id" = String, Path), ("item_id" = String, Path)),
    responses(
        (status = 200, description = "The WishlistItem"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn update_item(
    State(state): State<AppState>,
    auth: Shopper,
    Path((wishlist_id, id)): Path<(String, String)>,
    In(body): In<WishlistItemBody>,
) -> Result<Json<WishlistItem>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let quantity = body
        .quantity
        .ok_or_else(|| StoreError::invalid("quantity", "can't be blank"))?;
    let item = wishlists::update_item(
        &state.store,
        &principal.customer_id,
        &wishlist_id,
        &id,
        quantity,
    )
    .await?;
    Ok(Json(one_item(&state.store, &item).await?))
}

/// `DELETE /wishlists/{id}/items/{item_id}` (204).
#[utoipa::path(
    delete,
    path = "/wishlists/{id}/items/{item_id}",
    tag = "Wishlists",
    params(("id" = String, Path), ("item_id" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn remove_item(
    State(state): State<AppState>,
    auth: Shopper,
    Path((wishlist_id, id)): Path<(String, String)>,
) -> Result<StatusCode, SpreeError> {
    let principal = auth.require(&state.store).await?;
    wishlists::remove_item(&state.store, &principal.customer_id, &wishlist_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
