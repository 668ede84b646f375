//! The address book under `/customers/me/addresses` (spree.md section 6).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::SpreeError;
use super::extract::In;
use super::extract::{Params, Shopper};
use super::wire::List;
use super::wire::account::{Address, AddressBody};
use crate::state::AppState;
use crate::store::addresses;

/// `GET /customers/me/addresses`: the whole book is one page (it holds at most 100).
#[utoipa::path(
    get,
    path = "/customers/me/addresses",
    tag = "Addresses",
    responses(
        (status = 200, description = "{data, meta}"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Json<List<Address>>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let mut books =
        addresses::list_for_customers(&state.store, std::slice::from_ref(&principal.customer_id))
            .await?;
    let book = books.remove(&principal.customer_id).unwrap_or_default();
    let count = book.len() as i64;
    let shown = book
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .map(Address::from)
        .collect();
    Ok(Json(List::new(shown, page, count)))
}

/// `GET /customers/me/addresses/{id}`.
#[utoipa::path(
    get,
    path = "/customers/me/addresses/{id}",
    tag = "Addresses",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The address"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn show(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<Address>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let address = addresses::get(&state.store, &principal.customer_id, &id).await?;
    Ok(Json(address.into()))
}

/// `POST /customers/me/addresses` (201).
#[utoipa::path(
    post,
    path = "/customers/me/addresses",
    tag = "Addresses",
    responses(
        (status = 201, description = "The new address"),
        (status = 401, description = "authentication_required"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<AddressBody>,
) -> Result<impl IntoResponse, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let (input, make) = body.into_parts();
    let address = addresses::create(&state.store, &principal.customer_id, &input, make)
        .await
        .map_err(SpreeError::address)?;
    Ok((StatusCode::CREATED, Json(Address::from(address))))
}

/// `PATCH /customers/me/addresses/{id}`: the fields given change, the others stay.
#[utoipa::path(
    patch,
    path = "/customers/me/addresses/{id}",
    tag = "Addresses",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The address"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found"),
        (status = 422, description = "validation_error")
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    In(body): In<AddressBody>,
) -> Result<Json<Address>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let (input, make) = body.into_parts();
    let address = addresses::patch(&state.store, &principal.customer_id, &id, &input, make)
        .await
        .map_err(SpreeError::address)?;
    Ok(Json(address.into()))
}

/// `DELETE /customers/me/addresses/{id}` (204).
#[utoipa::path(
    delete,
    path = "/customers/me/addresses/{id}",
    tag = "Addresses",
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
    addresses::delete(&state.store, &principal.customer_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
