//! The router under `/api/v3/store`, its fallbacks (404 and 405 in the envelope) and the
//! layer that puts any bodiless or plain-text error of a lower layer (a body over the size
//! limit, a timeout) into the envelope too: the SDK crashes on a non-JSON error body.

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};

use super::extract::Shopper;
use super::{SpreeError, account, addresses, catalog, orders};
use crate::state::AppState;

/// Where the Spree routes are mounted.
pub const PREFIX: &str = "/api/v3/store";

/// The Spree routes, mounted at [`PREFIX`].
pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/auth/login", post(account::login))
        .route("/auth/refresh", post(account::refresh))
        .route("/auth/logout", post(account::logout))
        .route("/customers", post(account::register))
        .route("/customers/me", get(account::me).patch(account::update_me))
        .route("/password_resets", post(account::request_reset))
        .route("/password_resets/{token}", patch(account::reset))
        .route(
            "/customers/me/addresses",
            get(addresses::list).post(addresses::create),
        )
        .route(
            "/customers/me/addresses/{id}",
            get(addresses::show)
                .patch(addresses::update)
                .delete(addresses::delete),
        )
        .route("/products", get(catalog::list_products))
        .route("/products/{id}", get(catalog::show_product))
        .route("/categories", get(catalog::list_categories))
        .route("/categories/{*id}", get(catalog::show_category))
        .route("/carts", get(orders::list).post(orders::create))
        .route(
            "/carts/{id}",
            get(orders::show)
                .patch(orders::update)
                .delete(orders::delete),
        )
        .route("/carts/{id}/items", post(orders::add_item))
        .route(
            "/carts/{id}/items/{item_id}",
            patch(orders::update_item).delete(orders::remove_item),
        )
        .route("/carts/{id}/associate", patch(orders::associate))
        .route("/carts/{id}/complete", post(orders::complete))
        .route("/customers/me/orders", get(orders::history))
        .route("/customers/me/orders/{id}", get(orders::my_order))
        .route("/orders/{id}", get(orders::show_order))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new().nest(PREFIX, api)
}

/// Any path under the prefix that is not mounted (after the key check, like every route).
async fn no_route(_auth: Shopper) -> SpreeError {
    SpreeError::no_route()
}

async fn method_not_allowed(_auth: Shopper) -> SpreeError {
    SpreeError::method_not_allowed()
}

/// Spree's `Idempotency-Key` (spree.md section 1), through [`crate::rest::idempotency`].
pub struct Idempotency;

impl crate::rest::idempotency::Dialect for Idempotency {
    const PREFIX: &'static str = PREFIX;
    const CALLER_HEADERS: &'static [&'static str] =
        &["x-spree-api-key", "authorization", "x-spree-token"];

    fn key_reused() -> Response {
        SpreeError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency key was already used with a different request",
        )
        .into_response()
    }

    fn key_too_long() -> Response {
        SpreeError::bad_request(
            "invalid_request",
            "Idempotency-Key must be at most 255 characters",
        )
        .into_response()
    }

    fn body_too_large() -> Response {
        SpreeError::too_large().into_response()
    }
}

/// Middleware for the whole app: an error answer under [`PREFIX`] that is not JSON (from a
/// layer below the routes: the body limit, the timeout, an extractor's plain-text rejection)
/// becomes Spree's envelope for its status.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let spree = request.uri().path().starts_with(PREFIX);
    let response = next.run(request).await;
    let status = response.status();
    if !spree || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let mut envelope = SpreeError::for_status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            envelope.headers_mut().insert(name, value.clone());
        }
    }
    envelope
}
