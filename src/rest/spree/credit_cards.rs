//! Saved cards under `/customers/me/credit_cards` (spree.md section 11): list, show, delete.
//! Cards are saved by the shop's payment integration (GraphQL `savePaymentMethod`, secret key).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::SpreeError;
use super::extract::{Params, Shopper};
use super::wire::List;
use super::wire::wishlist::CreditCard;
use crate::state::AppState;
use crate::store::payment_methods;

/// `GET /customers/me/credit_cards`: the default first, then the most recently saved.
#[utoipa::path(
    get,
    path = "/customers/me/credit_cards",
    tag = "Credit Cards",
    responses(
        (status = 200, description = "{data: [CreditCard], meta}"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Json<List<CreditCard>>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let page = params.page();
    let all = payment_methods::list(&state.store, &principal.customer_id).await?;
    let count = all.len() as i64;
    let shown = all
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .map(CreditCard::from)
        .collect();
    Ok(Json(List::new(shown, page, count)))
}

/// `GET /customers/me/credit_cards/{id}`.
#[utoipa::path(
    get,
    path = "/customers/me/credit_cards/{id}",
    tag = "Credit Cards",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The CreditCard"),
        (status = 401, description = "authentication_required"),
        (status = 404, description = "record_not_found")
    )
)]
pub async fn show(
    State(state): State<AppState>,
    auth: Shopper,
    Path(id): Path<String>,
) -> Result<Json<CreditCard>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let card = payment_methods::get(&state.store, &principal.customer_id, &id).await?;
    Ok(Json(card.into()))
}

/// `DELETE /customers/me/credit_cards/{id}` (204).
#[utoipa::path(
    delete,
    path = "/customers/me/credit_cards/{id}",
    tag = "Credit Cards",
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
    payment_methods::delete(&state.store, &principal.customer_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
