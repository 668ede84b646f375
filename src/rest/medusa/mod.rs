//! The Medusa store API: v2's `/auth/...` and `/store/...` routes, and v1's customer routes
//! where they differ, so storefronts written with `@medusajs/js-sdk` 2.x or
//! `@medusajs/medusa-js` 6.x work unchanged. Wire reference: `reference/medusa.md` and
//! `reference/medusa-v2-observed.md`.
//!
//! Handlers extract (caller, path, query, body), call one `store::` function and convert the
//! answer to Medusa's shape. Every `/store` route needs a publishable key
//! (`x-publishable-api-key`), checked before anything else as Medusa does.

mod auth;
pub mod caller;
mod catalog;
mod customers;
pub mod error;
mod orders;
mod query;
mod v1;
mod wire;
mod wire_catalog;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};

use crate::http::auth::{Medusa, PublishableKey, RequestAuth, Surface};
use crate::state::AppState;
pub use error::MedusaError;

/// A JSON body read in Medusa's error shape.
pub type Body<T> = crate::rest::Body<T, MedusaError>;

/// The Medusa routes.
pub fn routes() -> Router<AppState> {
    let store = Router::new()
        .route("/store/products", get(catalog::list_products))
        .route("/store/products/{id}", get(catalog::get_product))
        .route("/store/product-categories", get(catalog::list_categories))
        .route("/store/product-categories/{id}", get(catalog::get_category))
        .route("/store/regions", get(catalog::list_regions))
        .route("/store/regions/{id}", get(catalog::get_region))
        .route("/store/orders", get(orders::list))
        .route(
            "/store/auth",
            post(v1::login).get(v1::session).delete(v1::logout),
        )
        .route("/store/auth/token", post(v1::token))
        .route("/store/auth/{email}", get(v1::exists))
        .route("/store/customers/me/orders", get(v1::orders))
        .route("/store/customers/password-token", post(v1::password_token))
        .route("/store/customers/password-reset", post(v1::password_reset))
        .route(
            "/store/customers/me/payment-methods",
            get(v1::payment_methods),
        )
        .route("/store/orders/{id}", get(orders::get))
        .route("/store/customers", post(customers::create))
        .route(
            "/store/customers/me",
            get(customers::me).post(customers::update_me),
        )
        .route(
            "/store/customers/me/addresses",
            get(customers::list_addresses).post(customers::create_address),
        )
        .route(
            "/store/customers/me/addresses/{id}",
            get(customers::get_address)
                .post(customers::update_address)
                .delete(customers::delete_address),
        );
    let auth = Router::new()
        .route("/auth/customer/emailpass/register", post(auth::register))
        .route(
            "/auth/customer/emailpass",
            post(auth::login).get(auth::login),
        )
        .route("/auth/customer/{provider}", post(auth::unknown_provider))
        .route("/auth/token/refresh", post(auth::refresh))
        .route(
            "/auth/session",
            post(auth::create_session).delete(auth::delete_session),
        )
        .route(
            "/auth/customer/emailpass/reset-password",
            post(auth::reset_password),
        )
        .route(
            "/auth/customer/emailpass/update",
            post(auth::update_password),
        );
    store.merge(auth)
}

/// Medusa's publishable-key check, the first extractor of every `/store` handler: a missing
/// or unknown key is 400 `not_allowed`, each with its own message, before anything else runs.
pub struct StoreKey;

impl FromRequestParts<AppState> for StoreKey {
    type Rejection = MedusaError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, MedusaError> {
        let auth = RequestAuth::from_headers(Medusa::HEADERS, None, &parts.headers);
        match auth.publishable_key(&state.store).await? {
            PublishableKey::Valid => Ok(Self),
            PublishableKey::Missing => Err(MedusaError::not_allowed(error::KEY_MISSING)),
            PublishableKey::Invalid => Err(MedusaError::not_allowed(error::KEY_INVALID)),
        }
    }
}

/// Whether a path is one of Medusa's (for answers made before a route runs, such as an
/// oversized body).
pub fn owns(path: &str) -> bool {
    path == "/store" || path.starts_with("/store/") || path.starts_with("/auth/")
}
