//! The router under `/api/v3/store`, its fallbacks (404 and 405 in the envelope) and the
//! layer that puts any bodiless or plain-text error of a lower layer (a body over the size
//! limit, a timeout) into the envelope too: the SDK crashes on a non-JSON error body.

use std::sync::Arc;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::path::Paths;
use utoipa::openapi::server::Server;
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::Shopper;
use super::{SpreeError, account, addresses, balances, catalog, credit_cards, orders, wishlists};
use crate::state::AppState;

/// Where the Spree routes are mounted.
pub const PREFIX: &str = "/api/v3/store";

/// The Spree routes, mounted at [`PREFIX`], with their OpenAPI description at
/// `/api/v3/store/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (api, doc) = documented();
    let doc = Arc::new(doc);
    let api = api
        .route(
            "/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new().nest(PREFIX, api)
}

/// The OpenAPI 3 description of the Spree routes, generated from the handlers' annotations.
pub fn openapi() -> OpenApi {
    documented().1
}

/// The routes and their description, registered together so neither can miss one.
fn documented() -> (Router<AppState>, OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(base())
        .routes(routes!(account::login))
        .routes(routes!(account::refresh))
        .routes(routes!(account::logout))
        .routes(routes!(account::register))
        .routes(routes!(account::me, account::update_me))
        .routes(routes!(account::request_reset))
        .routes(routes!(account::reset))
        .routes(routes!(addresses::list, addresses::create))
        .routes(routes!(
            addresses::show,
            addresses::update,
            addresses::delete
        ))
        .routes(routes!(catalog::list_products))
        .routes(routes!(catalog::product_filters))
        .routes(routes!(catalog::show_product))
        .routes(routes!(catalog::list_categories))
        .routes(routes!(orders::list, orders::create))
        .routes(routes!(orders::show, orders::update, orders::delete))
        .routes(routes!(orders::add_item))
        .routes(routes!(orders::update_item, orders::remove_item))
        .routes(routes!(orders::associate))
        .routes(routes!(orders::complete))
        .routes(routes!(orders::history))
        .routes(routes!(orders::my_order))
        .routes(routes!(orders::show_order))
        .routes(routes!(balances::list_credits))
        .routes(routes!(balances::show_credit))
        .routes(routes!(balances::list_cards))
        .routes(routes!(balances::show_card))
        .routes(routes!(balances::apply_credit, balances::remove_credit))
        .routes(routes!(balances::apply_card))
        .routes(routes!(balances::remove_card))
        .routes(routes!(credit_cards::list))
        .routes(routes!(credit_cards::show, credit_cards::delete))
        .routes(routes!(wishlists::list, wishlists::create))
        .routes(routes!(
            wishlists::show,
            wishlists::update,
            wishlists::delete
        ))
        .routes(routes!(wishlists::add_item))
        .routes(routes!(wishlists::update_item, wishlists::remove_item))
        .split_for_parts();
    // A category's permalink holds slashes: mounted as a wildcard, described as `{id}`.
    let router = router.route("/categories/{*id}", get(catalog::show_category));
    doc.paths.paths.extend(
        Paths::builder()
            .path_from::<catalog::__path_show_category>()
            .build()
            .paths,
    );
    (router, doc)
}

/// What the description says of the API as a whole.
fn base() -> OpenApi {
    let mut doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Spree Store API v3 (storefront)")
                .version("5.6.1")
                .description(Some(
                    "The Spree Store API as storefront serves it for @spree/sdk 1.2. Every \
                     route needs a publishable key in `x-spree-api-key`; customers send \
                     `Authorization: Bearer <jwt>`, guests `x-spree-token`. Errors are \
                     `{\"error\":{\"code\",\"message\",\"details\"}}`.",
                ))
                .build(),
        )
        .servers(Some(vec![Server::new(PREFIX)]))
        .build();
    doc.paths = Paths::new();
    doc
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
    const SECRET_FIELDS: &'static [&'static str] = &["token", "refresh_token"];

    fn key_in_progress() -> Response {
        SpreeError::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_progress",
            "A request with this idempotency key is still being processed",
        )
        .into_response()
    }

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

/// An answer under [`PREFIX`] as Spree clients need it (see `rest::answer_in_dialect`): an
/// error that is not JSON (from a layer below the routes: the body limit, the timeout, an
/// extractor's plain-text rejection) becomes Spree's envelope for its status, and every answer
/// carries Spree's security headers.
pub fn in_envelope(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if crate::http::has_json_body(&response) {
        return response;
    }
    let mut envelope = SpreeError::for_status(status).into_response();
    for name in [
        header::ALLOW,
        header::RETRY_AFTER,
        HeaderName::from_static("x-content-type-options"),
        HeaderName::from_static("x-frame-options"),
        HeaderName::from_static("referrer-policy"),
    ] {
        if let Some(value) = response.headers().get(&name) {
            envelope.headers_mut().insert(name, value.clone());
        }
    }
    envelope
}
