//! Delivery and payment of a cart (v2): `/store/shipping-options`,
//! `/store/carts/{id}/shipping-methods`, `/store/payment-providers`,
//! `/store/payment-collections[/{id}/payment-sessions]`. The shop's one delivery option and its
//! one (manual) payment provider, from `store::orders::{delivery, payment}`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::carts::{Says, answer, cart_error, completed, open, open_cart};
use super::error::{MedusaError, kind};
use super::query::Params;
use super::wire_cart::{
    self, CART, COLLECTION, CollectionBody, OPTION, PROVIDER, SessionBody, ShippingMethodBody,
    provider_of,
};
use super::{Body, StoreKey};
use crate::error::Entity;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::orders::{OrderStatus, delivery, payment};
use crate::store::shop;

use super::caller::Caller;

/// A required query parameter, or zod's 400.
fn required(params: &Params, name: &str) -> Result<String, MedusaError> {
    params
        .one(name)
        .ok_or_else(|| MedusaError::invalid_request(format!("Field '{name}' is required")))
}

/// `GET /store/shipping-options?cart_id=`: `{shipping_options}`, the cart's delivery options
/// with their prices.
#[utoipa::path(get, path = "/store/shipping-options", tag = "checkout", responses((status = 200, description = "{shipping_options}")))]
pub async fn shipping_options(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let cart_id = required(&params, "cart_id")?;
    let opened = open(&state, &caller, &cart_id, CART, Says::Change).await?;
    let options: Vec<Value> = delivery::options(&state.store, &opened.order)
        .iter()
        .map(wire_cart::shipping_option)
        .collect();
    Ok(Json(json!({ "shipping_options": options })))
}

/// `POST /store/carts/{id}/shipping-methods`: chooses an option (again: replaces the choice).
#[utoipa::path(post, path = "/store/carts/{id}/shipping-methods", params(("id" = String, Path)), tag = "checkout", responses((status = 200, description = "{cart}")))]
pub async fn add_shipping_method(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Body<ShippingMethodBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let opened = open_cart(&state, &caller, &id).await?;
    let invalid = || MedusaError::invalid_data("Shipping Options are invalid for cart.");
    let option = body.option_id.strip_prefix(OPTION).ok_or_else(invalid)?;
    let order = delivery::choose(&state.store, &opened.caller, &opened.order.id, option)
        .await
        .map_err(|e| match e {
            StoreError::InvalidInput { .. } => invalid(),
            other => cart_error(&id, None, None)(other),
        })?;
    answer(&state, &order, &opened.token, query.as_deref()).await
}

/// `GET /store/payment-providers?region_id=`: the manual provider, in the shop's region.
#[utoipa::path(get, path = "/store/payment-providers", tag = "checkout", responses((status = 200, description = "{payment_providers, count, offset, limit}")))]
pub async fn payment_providers(
    _key: StoreKey,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let region_id = required(&params, "region_id")?;
    let providers: Vec<Value> = if region_id == shop::region(&state.store).id {
        payment::providers()
            .iter()
            .map(|_| json!({ "id": PROVIDER, "is_enabled": true }))
            .collect()
    } else {
        Vec::new()
    };
    let count = providers.len();
    Ok(Json(json!({
        "payment_providers": providers, "count": count, "offset": 0, "limit": 20,
    })))
}

/// `POST /store/payment-collections` `{cart_id}`: the cart's payment collection, started now
/// or earlier.
#[utoipa::path(post, path = "/store/payment-collections", tag = "checkout", responses((status = 200, description = "{payment_collection}")))]
pub async fn create_collection(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    body: Body<CollectionBody>,
) -> Result<Json<Value>, MedusaError> {
    let cart_id = body.into_inner().cart_id;
    let opened = open(&state, &caller, &cart_id, CART, Says::Change).await?;
    let order = payment::start(&state.store, &opened.caller, &opened.order.id)
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => completed(&opened.token),
            other => cart_error(&cart_id, None, None)(other),
        })?;
    Ok(Json(
        json!({ "payment_collection": wire_cart::collection(&order, &opened.token) }),
    ))
}

/// `POST /store/payment-collections/{id}/payment-sessions` `{provider_id}`: a session for the
/// cart's total, replacing any earlier one.
#[utoipa::path(post, path = "/store/payment-collections/{id}/payment-sessions", params(("id" = String, Path)), tag = "checkout", responses((status = 200, description = "{payment_collection}")))]
pub async fn create_session(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Body<SessionBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let missing = || {
        MedusaError::new(
            StatusCode::NOT_FOUND,
            kind::NOT_FOUND,
            format!("Payment collection with id: {id} was not found"),
        )
    };
    let opened = open(&state, &caller, &id, COLLECTION, Says::Change)
        .await
        .map_err(|e| match e.status() {
            StatusCode::NOT_FOUND => missing(),
            _ => e,
        })?;
    if opened.order.payment_started_at().is_none() {
        return Err(missing());
    }
    if opened.order.status() != OrderStatus::Cart {
        return Err(completed(&opened.token));
    }
    let provider = provider_of(&body.provider_id).ok_or_else(|| {
        MedusaError::invalid_data(&format!(
            "Payment provider {} is not enabled in the cart's region {}.",
            body.provider_id,
            shop::region(&state.store).id
        ))
    })?;
    let order = payment::start_session(&state.store, &opened.caller, &opened.order.id, provider)
        .await
        .map_err(|e| match e {
            StoreError::NotFound {
                entity: Entity::Payment | Entity::Cart,
            } => missing(),
            other => other.into(),
        })?;
    Ok(Json(
        json!({ "payment_collection": wire_cart::collection(&order, &opened.token) }),
    ))
}
