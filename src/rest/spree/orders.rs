//! Carts (spree.md section 11) and placed orders (section 7). A cart is opened by its owner's
//! token or by the guest token in `x-spree-token`; placed orders by the owner, or at
//! `GET /orders/{id}` by the order's token too. Anyone else gets the not-found of a missing id.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::SpreeError;
use super::extract::{In, Params, Shopper, pick};
use super::params::{order_filter, order_sort};
use super::wire::List;
use super::wire::order::{Cart, CartBody, ItemBody, LineItem, NewCartBody, Order, QuantityBody};
use crate::state::AppState;
use crate::store::balances::{self, Paid};
use crate::store::catalog::batch;
use crate::store::orders::cart as carts;
use crate::store::orders::history::{self, OrderKey, OrderQuery};
use crate::store::orders::{Caller, LineItem as LineRow, Order as OrderRow, checkout};
use crate::store::{Store, StoreError};

/// The line items of some carts or orders, in Spree's shape, by order id.
async fn items_of(
    store: &Store,
    orders: &[&OrderRow],
) -> Result<HashMap<String, Vec<LineItem>>, StoreError> {
    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
    let lines = history::lines_for_orders(store, &ids).await?;
    let all: Vec<&LineRow> = lines.values().flatten().collect();
    let product_ids: Vec<String> = all.iter().map(|l| l.product_id.clone()).collect();
    let variant_ids: Vec<String> = all.iter().map(|l| l.variant_id.clone()).collect();
    let products = batch::products_by_id(store, &product_ids).await?;
    let values = batch::option_values_by_variant(store, &variant_ids).await?;
    let images = batch::images_by_product(store, &product_ids).await?;
    Ok(lines
        .into_iter()
        .map(|(order_id, rows)| {
            let items = rows
                .iter()
                .map(|l| {
                    let thumbnail = images
                        .get(&l.product_id)
                        .and_then(|i| i.first())
                        .map(|i| i.url.clone());
                    LineItem::new(
                        l,
                        products.get(&l.product_id),
                        thumbnail,
                        values.get(&l.variant_id).map_or(&[][..], Vec::as_slice),
                    )
                })
                .collect();
            (order_id, items)
        })
        .collect())
}

async fn cart_view(
    store: &Store,
    order: OrderRow,
    token: Option<String>,
) -> Result<Cart, SpreeError> {
    let mut items = items_of(store, &[&order]).await?;
    let items = items.remove(&order.id).unwrap_or_default();
    let missing = checkout::missing(&order, items.len());
    let paid = balances::paid(store, &order).await?;
    Ok(Cart::new(&order, items, missing, token).with_paid(&order, &paid))
}

/// The cart as `caller` sees it: with its guest token when they presented it.
pub(super) async fn shown(
    store: &Store,
    caller: &Caller,
    order: OrderRow,
) -> Result<Cart, SpreeError> {
    let token = caller.shown_token(&order);
    cart_view(store, order, token).await
}

async fn order_view(store: &Store, order: OrderRow) -> Result<Order, SpreeError> {
    let mut items = items_of(store, &[&order]).await?;
    let items = items.remove(&order.id).unwrap_or_default();
    let paid = balances::paid(store, &order).await?;
    Ok(Order::new(&order, items).with_paid(&order, &paid))
}

pub(super) async fn caller(state: &AppState, auth: &Shopper) -> Result<Caller, SpreeError> {
    Ok(auth.caller(&state.store, None).await?)
}

/// `GET /carts`: the signed-in customer's open carts.
#[utoipa::path(
    get,
    path = "/carts",
    tag = "Carts",
    responses(
        (status = 200, description = "{data, meta}: the customer's open carts"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Json<List<Cart>>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let (rows, count) = carts::list_for_customer(
        &state.store,
        &principal.customer_id,
        page.offset,
        page.limit,
    )
    .await?;
    let mut items = items_of(&state.store, &rows.iter().collect::<Vec<_>>()).await?;
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let mut payments = balances::payments_of(&state.store, &ids).await?;
    let data = rows
        .iter()
        .map(|o| {
            let lines = items.remove(&o.id).unwrap_or_default();
            let missing = checkout::missing(o, lines.len());
            let paid = Paid::of(o, payments.remove(&o.id).unwrap_or_default());
            Cart::new(o, lines, missing, None).with_paid(o, &paid)
        })
        .collect();
    Ok(Json(List::new(data, page, count)))
}

/// `POST /carts` (201): a guest gets the cart's token, once.
#[utoipa::path(
    post,
    path = "/carts",
    tag = "Carts",
    responses(
        (status = 201, description = "The new cart (a guest gets its token)"),
        (status = 404, description = "record_not_found (variant)"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Shopper,
    body: axum::body::Bytes,
) -> Result<impl IntoResponse, SpreeError> {
    let caller = caller(&state, &auth).await?;
    // The body is optional here: none is an empty cart.
    let input: NewCartBody = if body.iter().all(u8::is_ascii_whitespace) {
        NewCartBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            SpreeError::bad_request(
                "invalid_request",
                format!("invalid request body: {}", crate::rest::serde_message(&e)),
            )
        })?
    };
    let (order, token) = carts::create(&state.store, &caller, input.into()).await?;
    let token = token.map(|t| t.expose().clone());
    Ok((
        StatusCode::CREATED,
        Json(cart_view(&state.store, order, token).await?),
    ))
}

/// `GET /carts/{id}`.
#[utoipa::path(
    get,
    path = "/carts/{id}",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 404, description = "cart_not_found")
    )
)]
pub async fn show(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<Cart>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let order = carts::get(&state.store, &caller, &id).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// `PATCH /carts/{id}`: email, note, addresses.
#[utoipa::path(
    patch,
    path = "/carts/{id}",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 404, description = "cart_not_found"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    In(body): In<CartBody>,
) -> Result<Json<Cart>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let order = carts::update(&state.store, &caller, &id, body.into()).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// `DELETE /carts/{id}` (204).
#[utoipa::path(
    delete,
    path = "/carts/{id}",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "cart_not_found")
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<StatusCode, SpreeError> {
    carts::delete(&state.store, &caller(&state, &auth).await?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /carts/{id}/items` (201).
#[utoipa::path(
    post,
    path = "/carts/{id}/items",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 201, description = "The cart"),
        (status = 404, description = "cart_not_found"),
        (status = 422, description = "validation_error or processing_error")
    )
)]
pub async fn add_item(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    In(body): In<ItemBody>,
) -> Result<impl IntoResponse, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let quantity = body.quantity.unwrap_or(1);
    let order = carts::add_item(&state.store, &caller, &id, &body.variant_id, quantity).await?;
    Ok((
        StatusCode::CREATED,
        Json(shown(&state.store, &caller, order).await?),
    ))
}

/// `PATCH /carts/{id}/items/{item_id}`: sets the quantity.
#[utoipa::path(
    patch,
    path = "/carts/{id}/items/{item_id}",
    tag = "Carts",
    params(("id" = String, Path), ("item_id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 404, description = "cart_not_found"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn update_item(
    State(state): State<AppState>,
    auth: Shopper,
    Path((id, item_id)): Path<(String, String)>,
    In(body): In<QuantityBody>,
) -> Result<Json<Cart>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let quantity = body.quantity.unwrap_or(1);
    let order = carts::update_item(&state.store, &caller, &id, &item_id, quantity).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// `DELETE /carts/{id}/items/{item_id}`.
#[utoipa::path(
    delete,
    path = "/carts/{id}/items/{item_id}",
    tag = "Carts",
    params(("id" = String, Path), ("item_id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 404, description = "cart_not_found")
    )
)]
pub async fn remove_item(
    State(state): State<AppState>,
    auth: Shopper,
    Path((id, item_id)): Path<(String, String)>,
) -> Result<Json<Cart>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let order = carts::remove_item(&state.store, &caller, &id, &item_id).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// `PATCH /carts/{id}/associate`: the guest cart (opened by `x-spree-token`) joins the
/// signed-in customer.
#[utoipa::path(
    patch,
    path = "/carts/{id}/associate",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The cart, now the customer's"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "cart_not_found")
    )
)]
pub async fn associate(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<Cart>, SpreeError> {
    auth.require(&state.store).await?;
    let caller = caller(&state, &auth).await?;
    let order = carts::associate(&state.store, &caller, &id).await?;
    Ok(Json(cart_view(&state.store, order, None).await?))
}

/// `POST /carts/{id}/complete`: places the order.
#[utoipa::path(
    post,
    path = "/carts/{id}/complete",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The placed order"),
        (status = 404, description = "cart_not_found"),
        (status = 422, description = "validation_error or processing_error")
    )
)]
pub async fn complete(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<Order>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let order = checkout::complete(&state.store, &caller, &id).await?;
    Ok(Json(order_view(&state.store, order).await?))
}

/// `GET /customers/me/orders`: placed orders, newest first unless `sort` says otherwise,
/// filtered by `q[...]` (spree.md §7).
#[utoipa::path(
    get,
    path = "/customers/me/orders",
    tag = "Orders",
    responses(
        (status = 200, description = "{data, meta}: placed orders, newest first"),
        (status = 401, description = "authentication_required"),
        (status = 422, description = "validation_error (sort or an unreadable q[...] time or amount)")
    )
)]
pub async fn history(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Response, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let query = OrderQuery {
        first: Some(page.limit),
        after: None,
        offset: page.offset,
        filter: order_filter(&params, &state.store.config().currency)?,
        sort: params
            .get("sort")
            .map(order_sort)
            .transpose()?
            .unwrap_or_default(),
    };
    let store = &state.store;
    let listed = history::page_for_customer(store, &principal.customer_id, &query).await?;
    let count = history::count_for_customer(store, &principal.customer_id, &query.filter).await?;
    let rows: Vec<OrderRow> = listed.items.into_iter().map(|(_, o)| o).collect();
    let mut items = items_of(store, &rows.iter().collect::<Vec<_>>()).await?;
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let mut payments = balances::payments_of(store, &ids).await?;
    let data = rows
        .iter()
        .map(|o| {
            let paid = Paid::of(o, payments.remove(&o.id).unwrap_or_default());
            Order::new(o, items.remove(&o.id).unwrap_or_default()).with_paid(o, &paid)
        })
        .collect();
    pick(List::<Order>::new(data, page, count), &params)
}

/// `GET /customers/me/orders/{id}`: the customer's own order (a guest token opens nothing
/// here).
#[utoipa::path(
    get,
    path = "/customers/me/orders/{id}",
    tag = "Orders",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The order"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "order_not_found")
    )
)]
pub async fn my_order(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let owner = Caller {
        customer_id: Some(principal.customer_id),
        ..Caller::default()
    };
    let order = history::get(&state.store, &owner, &OrderKey::Id(id)).await?;
    pick(order_view(&state.store, order).await?, &params)
}

/// `GET /orders/{id}`: by the owner's JWT or the order's `x-spree-token`.
#[utoipa::path(
    get,
    path = "/orders/{id}",
    tag = "Orders",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The order (JWT owner or x-spree-token)"),
        (status = 404, description = "order_not_found")
    )
)]
pub async fn show_order(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let order = history::get(&state.store, &caller, &OrderKey::Id(id)).await?;
    pick(order_view(&state.store, order).await?, &params)
}
