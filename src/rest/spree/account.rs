//! Sign-in, registration, the current customer and password resets (spree.md sections 2-5).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::SpreeError;
use super::extract::In;
use super::extract::{Params, Shopper, pick};
use super::wire::account::{
    AuthResponse, Customer, CustomerBody, LoginBody, Message, RESET_REQUESTED, RefreshBody,
    RegisterBody, ResetBody, ResetRequestBody,
};
use crate::state::AppState;
use crate::store::sessions::AuthSession;
use crate::store::{Store, accounts, addresses, balances, password_reset, sessions};

/// The customer as Spree shows it, with their address book.
pub async fn customer(store: &Store, c: accounts::Customer) -> Result<Customer, SpreeError> {
    let mut books = addresses::list_for_customers(store, std::slice::from_ref(&c.id)).await?;
    let book = books.remove(&c.id).unwrap_or_default();
    let currency = &store.config().currency;
    let credit = balances::store_credits::available(store, &c.id, currency).await?;
    Ok(Customer::new(c, book, currency, credit))
}

async fn signed_in(store: &Store, session: AuthSession) -> Result<AuthResponse, SpreeError> {
    let user = customer(store, session.customer.clone()).await?;
    Ok(AuthResponse::new(&session, user))
}

/// `POST /auth/login`.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "Authentication",
    responses(
        (status = 200, description = "Signed in: token, refresh_token, user"),
        (status = 400, description = "invalid_provider or invalid_request"),
        (status = 401, description = "authentication_failed or invalid_token"),
        (status = 429, description = "rate_limit_exceeded")
    )
)]
pub async fn login(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<LoginBody>,
) -> Result<Json<AuthResponse>, SpreeError> {
    match body.provider.as_deref() {
        None | Some("email") => {}
        Some(other) => {
            return Err(SpreeError::bad_request(
                "invalid_provider",
                format!("Unsupported authentication provider: {other}"),
            ));
        }
    }
    let Some(email) = body.email.filter(|e| !e.trim().is_empty()) else {
        return Err(SpreeError::authentication_failed("Email is required"));
    };
    let Some(password) = body.password.filter(|p| !p.is_empty()) else {
        return Err(SpreeError::authentication_failed("Password is required"));
    };
    let session = sessions::login(&state.store, &email, &password, &auth.client).await?;
    Ok(Json(signed_in(&state.store, session).await?))
}

/// `POST /auth/refresh`.
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "Authentication",
    responses(
        (status = 200, description = "New token and rotated refresh_token"),
        (status = 401, description = "invalid_refresh_token"),
        (status = 429, description = "rate_limit_exceeded")
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<RefreshBody>,
) -> Result<Json<AuthResponse>, SpreeError> {
    let Some(token) = body.refresh_token.filter(|t| !t.trim().is_empty()) else {
        return Err(SpreeError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
            "refresh_token is required",
        ));
    };
    let session = sessions::refresh(&state.store, &token, &auth.client)
        .await
        .map_err(SpreeError::refresh)?;
    Ok(Json(signed_in(&state.store, session).await?))
}

/// `POST /auth/logout`: ends the refresh token's session; always 204.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "Authentication",
    responses(
        (status = 204, description = "The refresh token is ended (always)")
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    _auth: Shopper,
    body: axum::body::Bytes,
) -> Result<StatusCode, SpreeError> {
    // Spree answers 204 whatever the body holds, an empty or malformed one included.
    let token = serde_json::from_slice::<RefreshBody>(&body)
        .unwrap_or_default()
        .refresh_token;
    if let Some(token) = token.filter(|t| !t.trim().is_empty()) {
        sessions::logout(&state.store, None, Some(&token)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /customers`: registers and signs in (201).
#[utoipa::path(
    post,
    path = "/customers",
    tag = "Customers",
    responses(
        (status = 201, description = "Registered and signed in"),
        (status = 422, description = "validation_error"),
        (status = 429, description = "rate_limit_exceeded")
    )
)]
pub async fn register(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<RegisterBody>,
) -> Result<impl IntoResponse, SpreeError> {
    let (registration, confirmation) = body.into_parts();
    let session =
        accounts::register_confirmed(&state.store, registration, confirmation, &auth.client)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(signed_in(&state.store, session).await?),
    ))
}

/// `GET /customers/me`.
#[utoipa::path(
    get,
    path = "/customers/me",
    tag = "Customers",
    responses(
        (status = 200, description = "The customer"),
        (status = 401, description = "authentication_required")
    )
)]
pub async fn me(
    State(state): State<AppState>,
    auth: Shopper,
    params: Params,
) -> Result<Response, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let c = accounts::me(&state.store, &principal).await?;
    pick(customer(&state.store, c).await?, &params)
}

/// `PATCH /customers/me`: profile, email and password (both need `current_password`).
#[utoipa::path(
    patch,
    path = "/customers/me",
    tag = "Customers",
    responses(
        (status = 200, description = "The updated customer"),
        (status = 401, description = "authentication_required"),
        (status = 422, description = "validation_error or current_password_invalid")
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<CustomerBody>,
) -> Result<Json<Customer>, SpreeError> {
    let principal = auth.require(&state.store).await?;
    let (update, password) = body.into_parts();
    let c = accounts::update_account(&state.store, &principal, update, password, &auth.client)
        .await
        .map_err(SpreeError::current_password)?;
    Ok(Json(customer(&state.store, c).await?))
}

/// `POST /password_resets`: always 202 with the same message.
#[utoipa::path(
    post,
    path = "/password_resets",
    tag = "Password resets",
    responses(
        (status = 202, description = "The same message whether or not the email has an account"),
        (status = 429, description = "rate_limit_exceeded")
    )
)]
pub async fn request_reset(
    State(state): State<AppState>,
    auth: Shopper,
    In(body): In<ResetRequestBody>,
) -> Result<impl IntoResponse, SpreeError> {
    match password_reset::request(
        &state.store,
        &body.email,
        body.redirect_url.as_deref(),
        &auth.client,
    )
    .await
    {
        // A malformed email cannot have an account: the same answer.
        Ok(_) | Err(crate::store::StoreError::InvalidInput { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Message {
            message: RESET_REQUESTED,
        }),
    ))
}

/// `PATCH /password_resets/{token}`: sets the password and signs in.
#[utoipa::path(
    patch,
    path = "/password_resets/{token}",
    tag = "Password resets",
    params(("token" = String, Path)),
    responses(
        (status = 200, description = "Password set; signed in afresh"),
        (status = 422, description = "password_reset_token_invalid or validation_error"),
        (status = 429, description = "rate_limit_exceeded")
    )
)]
pub async fn reset(
    State(state): State<AppState>,
    auth: Shopper,
    Path(token): Path<String>,
    In(body): In<ResetBody>,
) -> Result<Json<AuthResponse>, SpreeError> {
    let session = password_reset::reset(
        &state.store,
        &token,
        &body.password,
        &body.password_confirmation,
        &auth.client,
    )
    .await
    .map_err(SpreeError::reset)?;
    Ok(Json(signed_in(&state.store, session).await?))
}
