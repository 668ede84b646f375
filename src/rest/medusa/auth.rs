//! v2 `/auth/...`: register an identity, log in, refresh, the cookie session, password reset.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Body;
use super::caller::{self, Caller};
use super::error::MedusaError;
use super::wire::{ResetPasswordBody, UpdateProviderBody};
use crate::state::AppState;
use crate::store::identities::{self, IdentityPrincipal};
use crate::store::{StoreError, password_reset};

/// `{email, password}` of register and login: the emailpass provider checks they are strings.
fn credentials(body: &Value) -> Result<(&str, &str), MedusaError> {
    let password = body["password"]
        .as_str()
        .ok_or_else(|| MedusaError::auth("Password should be a string"))?;
    let email = body["email"]
        .as_str()
        .ok_or_else(|| MedusaError::auth("Email should be a string"))?;
    Ok((email, password))
}

/// `POST /auth/customer/emailpass/register`: an identity without a customer; `{token}`.
#[utoipa::path(post, path = "/auth/customer/emailpass/register", tag = "auth", responses((status = 200, description = "A registration token: {token}")))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<Value>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let (email, password) = credentials(&body)?;
    let signed = identities::register(&state.store, email, password, caller.client())
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => MedusaError::auth("Identity with email already exists"),
            other => other.into(),
        })?;
    Ok(Json(json!({ "token": signed.token.expose() })))
}

/// `POST /auth/customer/emailpass`: `{token}` (naming no customer while the identity has none).
#[utoipa::path(method(get, post), path = "/auth/customer/emailpass", tag = "auth", responses((status = 200, description = "A token: {token}")))]
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<Value>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let (email, password) = credentials(&body)?;
    let signed = identities::login(&state.store, email, password, caller.client()).await?;
    Ok(Json(json!({ "token": signed.token.expose() })))
}

/// `POST /auth/customer/{provider}` for a provider other than `emailpass`.
#[utoipa::path(post, path = "/auth/customer/{provider}", params(("provider" = String, Path)), tag = "auth", responses((status = 401, description = "Only emailpass is configured")))]
pub async fn unknown_provider(Path(provider): Path<String>) -> MedusaError {
    MedusaError::auth(format!(
        "\nUnable to retrieve the auth provider with id: {provider}\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."
    ))
}

/// `POST /auth/token/refresh` (cookie or bearer): a fresh `{token}` for the same session.
#[utoipa::path(post, path = "/auth/token/refresh", tag = "auth", responses((status = 200, description = "A fresh token: {token}")))]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, MedusaError> {
    let principal = caller.identity(&state.store).await?;
    let signed = identities::refresh(&state.store, &principal, caller.client()).await?;
    Ok(Json(json!({ "token": signed.token.expose() })))
}

/// The `auth_context` Medusa keeps in a session and answers as `user`.
fn auth_context(p: &IdentityPrincipal) -> Value {
    let metadata = match &p.customer_id {
        Some(id) => json!({ "customer_id": id }),
        None => json!({}),
    };
    json!({
        "actor_id": p.actor.clone().unwrap_or_default(),
        "actor_type": "customer",
        "auth_identity_id": p.identity_id,
        "auth_provider": "emailpass",
        "mfa_enabled": false,
        "mfa_challenge_completed_at": null,
        "app_metadata": metadata,
        "user_metadata": {},
        "iat": p.issued_at,
        "exp": p.expires_at,
    })
}

/// `POST /auth/session` with a bearer token: sets the session cookie; `{user}`.
#[utoipa::path(post, path = "/auth/session", tag = "auth", responses((status = 200, description = "The session cookie is set: {user}")))]
pub async fn create_session(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, MedusaError> {
    let principal = caller.bearer_identity(&state.store).await?;
    let (value, max_age) = identities::cookie_for(&state.store, &principal);
    let cookie = caller::set_cookie(value.expose(), max_age, !state.config.is_development());
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "user": auth_context(&principal) })),
    )
        .into_response())
}

/// `DELETE /auth/session` with the session cookie: ends the session; `{success: true}`.
#[utoipa::path(delete, path = "/auth/session", tag = "auth", responses((status = 200, description = "The session ended: {success}")))]
pub async fn delete_session(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, MedusaError> {
    let principal = caller.cookie_identity(&state.store).await?;
    identities::end_session(&state.store, &principal).await?;
    let cookie = caller::clear_cookie(!state.config.is_development());
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "success": true })),
    )
        .into_response())
}

/// `POST /auth/customer/emailpass/reset-password`: always 201 `Created` (text), known email or
/// not; the store mails the link.
#[utoipa::path(post, path = "/auth/customer/emailpass/reset-password", tag = "auth", responses((status = 201, description = "Created (text), always")))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    body: Body<ResetPasswordBody>,
) -> Result<Response, MedusaError> {
    let body = body.into_inner();
    match password_reset::request(&state.store, &body.identifier, None, caller.client()).await {
        // A malformed identifier is an unknown one: the same answer.
        Ok(_) | Err(StoreError::InvalidInput { .. }) => {
            Ok((StatusCode::CREATED, "Created").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /auth/customer/emailpass/update`: the reset token as `Authorization: Bearer` (js-sdk
/// 2.6+) or `?token=` (older); `{password}`. Always validated, single use.
#[utoipa::path(post, path = "/auth/customer/emailpass/update", tag = "auth", responses((status = 200, description = "The password is set: {success}")))]
pub async fn update_password(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Body<UpdateProviderBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let token = caller.bearer_token().or_else(|| {
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    let Some(token) = token else {
        return Err(MedusaError::auth("Invalid token"));
    };
    let Some(password) = body.password.as_ref().and_then(Value::as_str) else {
        return Err(MedusaError::auth("Unauthorized"));
    };
    password_reset::reset(&state.store, &token, password, password, caller.client()).await?;
    Ok(Json(json!({ "success": true })))
}
