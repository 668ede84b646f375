//! Medusa v1's customer routes where they differ from v2 (`@medusajs/medusa-js` 6.x): the
//! cookie session at `/store/auth`, a token at `/store/auth/token`, the customer's orders, the
//! password token and reset, saved payment methods.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::caller::{self, Caller};
use super::customers::customer_body;
use super::error::MedusaError;
use super::orders::list_body;
use super::query::Params;
use super::{Body, StoreKey};
use crate::state::AppState;
use crate::store::identities::{self, IdentitySignIn};
use crate::store::{StoreError, password_reset, payment_methods};

/// `{email, password}` signed in as a customer (an identity without one is a bad login).
async fn sign_in(
    state: &AppState,
    caller: &Caller,
    body: &Value,
) -> Result<IdentitySignIn, MedusaError> {
    let (Some(email), Some(password)) = (body["email"].as_str(), body["password"].as_str()) else {
        return Err(MedusaError::invalid_data("email and password are required"));
    };
    let signed = identities::login(&state.store, email, password, caller.client()).await?;
    if signed.principal.actor.is_none() {
        return Err(StoreError::InvalidCredentials.into());
    }
    Ok(signed)
}

/// `POST /store/auth`: signs in and sets the session cookie; `{customer}`.
#[utoipa::path(post, path = "/store/auth", tag = "v1", responses((status = 200, description = "{customer}; the session cookie is set")))]
pub async fn login(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    body: Body<Value>,
) -> Result<Response, MedusaError> {
    let signed = sign_in(&state, &caller, &body.into_inner()).await?;
    let (value, max_age) = identities::cookie_for(&state.store, &signed.principal);
    let cookie = caller::set_cookie(value.expose(), max_age, !state.config.is_development());
    let customer_id = signed.principal.actor.unwrap_or_default();
    let body = customer_body(&state.store, &customer_id, None).await?;
    Ok(([(header::SET_COOKIE, cookie)], body).into_response())
}

/// `GET /store/auth`: the signed-in customer (cookie or bearer).
#[utoipa::path(get, path = "/store/auth", tag = "v1", responses((status = 200, description = "{customer}")))]
pub async fn session(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, MedusaError> {
    let principal = caller.customer(&state.store).await?;
    customer_body(&state.store, &principal.customer_id, None).await
}

/// `DELETE /store/auth`: ends the cookie's session (when there is one); `OK`.
#[utoipa::path(delete, path = "/store/auth", tag = "v1", responses((status = 200, description = "OK (text)")))]
pub async fn logout(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, MedusaError> {
    if let Ok(principal) = caller.cookie_identity(&state.store).await {
        identities::end_session(&state.store, &principal).await?;
    }
    let cookie = caller::clear_cookie(!state.config.is_development());
    Ok(([(header::SET_COOKIE, cookie)], "OK").into_response())
}

/// `GET /store/auth/{email}`: Medusa v1 answers whether an account exists, an enumeration
/// oracle; this server always answers `exists: false` (see the README).
#[utoipa::path(get, path = "/store/auth/{email}", params(("email" = String, Path)), tag = "v1", responses((status = 200, description = "{exists: false}, always")))]
pub async fn exists(_key: StoreKey, Path(_email): Path<String>) -> Json<Value> {
    Json(json!({ "exists": false }))
}

/// `POST /store/auth/token`: `{access_token}` (a bearer token of a new session).
#[utoipa::path(post, path = "/store/auth/token", tag = "v1", responses((status = 200, description = "{access_token}")))]
pub async fn token(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    body: Body<Value>,
) -> Result<Json<Value>, MedusaError> {
    let signed = sign_in(&state, &caller, &body.into_inner()).await?;
    Ok(Json(json!({ "access_token": signed.token.expose() })))
}

/// `GET /store/customers/me/orders`: `{orders, count, offset, limit}` (limit 10).
#[utoipa::path(get, path = "/store/customers/me/orders", tag = "v1", responses((status = 200, description = "{orders, count, offset, limit}")))]
pub async fn orders(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    list_body(&state, &principal.customer_id, &params, 10).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordTokenBody {
    email: String,
}

/// `POST /store/customers/password-token`: 204 whether or not the email has an account.
#[utoipa::path(post, path = "/store/customers/password-token", tag = "v1", responses((status = 204, description = "Always")))]
pub async fn password_token(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    body: Body<PasswordTokenBody>,
) -> Result<StatusCode, MedusaError> {
    let body = body.into_inner();
    password_reset::request(&state.store, &body.email, None, caller.client()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetBody {
    /// Accepted as v1 requires it; the token alone names the account.
    #[expect(
        dead_code,
        reason = "required by v1's shape, not needed to find the account"
    )]
    email: String,
    token: String,
    password: String,
}

/// `POST /store/customers/password-reset`: sets the password with the mailed token;
/// `{customer}` (v1 does not sign in here).
#[utoipa::path(post, path = "/store/customers/password-reset", tag = "v1", responses((status = 200, description = "{customer}")))]
pub async fn password_reset(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    body: Body<PasswordResetBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let session = password_reset::reset(
        &state.store,
        &body.token,
        &body.password,
        &body.password,
        caller.client(),
    )
    .await
    .map_err(|e| match e {
        StoreError::InvalidToken(_) => MedusaError::auth("Invalid or expired password reset token"),
        other => other.into(),
    })?;
    customer_body(&state.store, &session.customer.id, None).await
}

/// `GET /store/customers/me/payment-methods`: the methods the shop's payment integration saved
/// for the customer, as Medusa v1 lists them (`{provider_id, data}`); `data` holds what a
/// customer may see (never the provider's token).
#[utoipa::path(get, path = "/store/customers/me/payment-methods", tag = "v1", responses((status = 200, description = "{payment_methods}")))]
pub async fn payment_methods(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, MedusaError> {
    let principal = caller.customer(&state.store).await?;
    let methods = payment_methods::list(&state.store, &principal.customer_id).await?;
    let list: Vec<Value> = methods
        .into_iter()
        .map(|m| {
            json!({
                "provider_id": m.provider,
                "data": {
                    "id": m.id,
                    "brand": m.brand,
                    "last4": m.last4,
                    "exp_month": m.exp_month,
                    "exp_year": m.exp_year,
                    "is_default": m.is_default,
                },
            })
        })
        .collect();
    Ok(Json(json!({ "payment_methods": list })))
}
