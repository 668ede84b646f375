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
mod carts;
mod catalog;
mod checkout;
mod customers;
pub mod error;
mod orders;
mod query;
mod v1;
mod wire;
mod wire_cart;
mod wire_catalog;

use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::auth::{Medusa, PublishableKey, RequestAuth, Surface};
use crate::state::AppState;
pub use error::MedusaError;

/// A JSON body read in Medusa's error shape.
pub type Body<T> = crate::rest::Body<T, MedusaError>;

/// The Medusa routes, mounted through [`api`] so that each is in the OpenAPI description.
pub fn routes() -> Router<AppState> {
    api().split_for_parts().0
}

/// The routes with their OpenAPI description, built together: a route cannot be mounted
/// without being described.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(MedusaApi::openapi())
        .routes(routes!(openapi))
        .routes(routes!(customers::create))
        .routes(routes!(customers::me, customers::update_me))
        .routes(routes!(
            customers::list_addresses,
            customers::create_address
        ))
        .routes(routes!(
            customers::get_address,
            customers::update_address,
            customers::delete_address
        ))
        .routes(routes!(catalog::list_products))
        .routes(routes!(catalog::get_product))
        .routes(routes!(catalog::list_categories))
        .routes(routes!(catalog::get_category))
        .routes(routes!(catalog::list_regions))
        .routes(routes!(catalog::get_region))
        .routes(routes!(carts::create))
        .routes(routes!(carts::get, carts::update))
        .routes(routes!(carts::add_item))
        .routes(routes!(carts::update_item, carts::delete_item))
        .routes(routes!(carts::transfer))
        .routes(routes!(carts::complete))
        .routes(routes!(checkout::shipping_options))
        .routes(routes!(checkout::add_shipping_method))
        .routes(routes!(checkout::payment_providers))
        .routes(routes!(checkout::create_collection))
        .routes(routes!(checkout::create_session))
        .routes(routes!(orders::list))
        .routes(routes!(orders::get))
        .routes(routes!(v1::login, v1::session, v1::logout))
        .routes(routes!(v1::token))
        .routes(routes!(v1::exists))
        .routes(routes!(v1::orders))
        .routes(routes!(v1::password_token))
        .routes(routes!(v1::password_reset))
        .routes(routes!(v1::payment_methods))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::unknown_provider))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::create_session, auth::delete_session))
        .routes(routes!(auth::reset_password))
        .routes(routes!(auth::update_password))
}

/// The description's title and version; the paths come from the handlers' `#[utoipa::path]`.
#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "storefront: Medusa store API",
    description = "Medusa v2 store and auth routes plus v1's customer routes, as served by storefront"
))]
struct MedusaApi;

/// The OpenAPI 3 description of these routes, built once.
pub fn spec() -> &'static utoipa::openapi::OpenApi {
    static SPEC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    SPEC.get_or_init(|| api().split_for_parts().1)
}

/// `GET /store/openapi.json`: this description (no publishable key needed).
#[utoipa::path(get, path = "/store/openapi.json", tag = "meta", responses((status = 200, description = "The OpenAPI 3 description of the Medusa routes")))]
async fn openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(spec())
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

/// An answer under Medusa's paths as its clients need it (see `rest::answer_in_dialect`): a
/// plain-text refusal made before a route ran becomes Medusa's JSON shape.
pub fn in_medusa_shape(
    method: &axum::http::Method,
    path: &str,
    response: axum::response::Response,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;

    use crate::rest::DialectError;

    if crate::http::has_json_body(&response) {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => error::MedusaError::bad_body(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body is too large".into(),
        )
        .into_response(),
        StatusCode::URI_TOO_LONG => error::MedusaError::new(
            StatusCode::URI_TOO_LONG,
            error::kind::INVALID_DATA,
            "Request URL is too long",
        )
        .into_response(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => error::MedusaError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            error::kind::INVALID_DATA,
            "Request headers are too large",
        )
        .into_response(),
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => error::MedusaError::new(
            StatusCode::NOT_FOUND,
            error::kind::NOT_FOUND,
            format!("Cannot {method} {path}"),
        )
        .into_response(),
        _ => response,
    }
}
