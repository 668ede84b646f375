//! Store credits and gift cards (spree.md sections 10-11): the customer's lists under
//! `/customers/me/store_credits` and `/customers/me/gift_cards`, and applying or removing them
//! on a cart at `/carts/{id}/store_credits` and `/carts/{id}/gift_cards`. Credits are granted and
//! cards issued by the shop over GraphQL (`grantStoreCredit`, `issueGiftCard`, secret key).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};

use super::SpreeError;
use super::extract::{In, Params, Shopper};
use super::orders::{caller, shown};
use super::wire::List;
use super::wire::balances::{ApplyGiftCardBody, ApplyStoreCreditBody, GiftCard, StoreCredit};
use super::wire::order::Cart;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::balances::{gift_cards, store_credits};
use crate::store::money::Money;
use crate::store::orders::cart as carts;

/// `GET /customers/me/store_credits`: newest first.
#[utoipa::path(
    get,
    path = "/customers/me/store_credits",
    tag = "Store Credits",
    responses(
        (status = 200, description = "{data: [StoreCredit], meta}"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn list_credits(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Json<List<StoreCredit>>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let all = store_credits::list(&state.store, &principal.customer_id).await?;
    let count = all.len() as i64;
    let shown = all
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .map(StoreCredit::from)
        .collect();
    Ok(Json(List::new(shown, page, count)))
}

/// `GET /customers/me/store_credits/{id}`.
#[utoipa::path(
    get,
    path = "/customers/me/store_credits/{id}",
    tag = "Store Credits",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The StoreCredit"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn show_credit(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<StoreCredit>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let credit = store_credits::get(&state.store, &principal.customer_id, &id).await?;
    Ok(Json(credit.into()))
}

/// `GET /customers/me/gift_cards`: the cards the customer used, newest first.
#[utoipa::path(
    get,
    path = "/customers/me/gift_cards",
    tag = "Gift Cards",
    responses(
        (status = 200, description = "{data: [GiftCard], meta}"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn list_cards(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Json<List<GiftCard>>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let store = &state.store;
    let all = gift_cards::list_for_customer(store, &principal.customer_id).await?;
    let count = all.len() as i64;
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    let redeemed = gift_cards::redeemed_at(store, &principal.customer_id, &ids).await?;
    let shown = all
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .map(|c| {
            let at = redeemed.get(&c.id).copied();
            GiftCard::new(c, at)
        })
        .collect();
    Ok(Json(List::new(shown, page, count)))
}

/// `GET /customers/me/gift_cards/{id}`.
#[utoipa::path(
    get,
    path = "/customers/me/gift_cards/{id}",
    tag = "Gift Cards",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The GiftCard"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "gift_card_not_found")
    )
)]
pub async fn show_card(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<GiftCard>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let store = &state.store;
    let card = gift_cards::get_for_customer(store, &principal.customer_id, &id).await?;
    let redeemed = gift_cards::redeemed_at(store, &principal.customer_id, &[id]).await?;
    let at = redeemed.get(&card.id).copied();
    Ok(Json(GiftCard::new(card, at)))
}

/// `POST /carts/{id}/store_credits` `{amount?}`: applies the customer's store credit (JWT
/// required); all the cart owes when `amount` is absent.
#[utoipa::path(
    post,
    path = "/carts/{id}/store_credits",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "cart_not_found or record_not_found (store credit)"),
        (status = 422, description = "validation_error or processing_error")
    )
)]
pub async fn apply_credit(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    raw: Bytes,
) -> Result<Json<Cart>, SpreeError> {
    // The SDK sends no body at all when no amount is given.
    let body: ApplyStoreCreditBody = if raw.iter().all(u8::is_ascii_whitespace) {
        ApplyStoreCreditBody::default()
    } else {
        serde_json::from_slice(&raw).map_err(|e| {
            SpreeError::bad_request(
                "invalid_request",
                format!("invalid request body: {}", crate::rest::serde_message(&e)),
            )
        })?
    };
    auth.require(&state.store).await?;
    let caller = caller(&state, &auth).await?;
    let amount = match &body.amount {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => {
            let cart = carts::get(&state.store, &caller, &id).await?;
            Some(minor_units(value, &cart.currency)?)
        }
    };
    let order = store_credits::apply(
        &state.store,
        &caller,
        &id,
        amount,
        body.store_credit_id.as_deref(),
    )
    .await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// An amount in major units, as a string or a number, in minor units of `currency`.
fn minor_units(value: &serde_json::Value, currency: &str) -> Result<i64, StoreError> {
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    Money::parse_decimal(text.trim(), currency)
        .ok_or_else(|| StoreError::invalid("amount", "is not an amount"))
}

/// `DELETE /carts/{id}/store_credits`: takes the store credit off the cart.
#[utoipa::path(
    delete,
    path = "/carts/{id}/store_credits",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "cart_not_found")
    )
)]
pub async fn remove_credit(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<Cart>, SpreeError> {
    auth.require(&state.store).await?;
    let caller = caller(&state, &auth).await?;
    let order = store_credits::remove(&state.store, &caller, &id).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// `POST /carts/{id}/gift_cards` `{code}`: applies a gift card (throttled per IP and account).
#[utoipa::path(
    post,
    path = "/carts/{id}/gift_cards",
    tag = "Carts",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 404, description = "cart_not_found or gift_card_not_found"),
        (status = 422, description = "gift_card_expired, gift_card_already_redeemed, validation_error"),
        (status = 429, description = "rate_limit_exceeded")
    )
)]
pub async fn apply_card(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
    In(body): In<ApplyGiftCardBody>,
) -> Result<Json<Cart>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let ip = auth.client.ip;
    let order = gift_cards::apply(&state.store, &caller, ip, &id, &body.code).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}

/// `DELETE /carts/{id}/gift_cards/{gift_card_id}`: takes the gift card off the cart.
#[utoipa::path(
    delete,
    path = "/carts/{id}/gift_cards/{gift_card_id}",
    tag = "Carts",
    params(("id" = String, Path), ("gift_card_id" = String, Path)),
    responses(
        (status = 200, description = "The cart"),
        (status = 404, description = "cart_not_found or gift_card_not_found")
    )
)]
pub async fn remove_card(
    State(state): State<AppState>,
    auth: Shopper,
    Path((id, card_id)): Path<(String, String)>,
) -> Result<Json<Cart>, SpreeError> {
    let caller = caller(&state, &auth).await?;
    let order = gift_cards::remove(&state.store, &caller, &id, Some(&card_id)).await?;
    Ok(Json(shown(&state.store, &caller, order).await?))
}
