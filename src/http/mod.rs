//! The HTTP shell: the router with its middleware, health and readiness probes, metrics.
//! Each surface (GraphQL, Spree, Medusa) brings its own routes.

pub mod auth;
pub mod caching;
pub mod client_ip;
mod data_export;
pub mod metrics;
mod oversized;
mod playground;
mod request_id;
mod security_headers;
pub mod transport;

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Whether a response already carries a JSON body (an answer the handler wrote in its
/// dialect), which the error-shaping layers of each surface leave as it is.
pub fn has_json_body(response: &axum::response::Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The whole application as a router, ready to serve.
pub fn router(state: AppState) -> Router {
    let config = &state.config;
    // GraphiQL is a development tool: served only where the configuration allows it.
    let playground = if config.graphql.graphiql {
        playground::routes()
    } else {
        Router::new()
    };
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics::render))
        .merge(crate::graphql::http::routes())
        .merge(crate::rest::routes())
        .merge(playground)
        .merge(data_export::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            caching::rest_catalog,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            client_ip::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers::add,
        ))
        // Inside the body limit: it reads the whole body of writes carrying an Idempotency-Key.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::rest::idempotency::guard::<crate::rest::spree::Idempotency>,
        ))
        // Applied on its own so its response body is boxed back into axum's, which the layers
        // below need (CORS answers preflights with an empty default body).
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        // Reads an over-long declared body before the limit refuses it (see `oversized`).
        .layer(axum::middleware::from_fn_with_state(
            config.body_limit,
            oversized::drain_oversized,
        ))
        // Refuses an over-long URL (414) or header block (431) before anything reads the body.
        .layer(axum::middleware::from_fn_with_state(
            config.transport.clone(),
            transport::limit_head,
        ))
        // Outside the limits, so that their plain-text 413, 414 and 431 are answered in the
        // path's dialect.
        .layer(axum::middleware::from_fn(crate::rest::answer_in_dialect))
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                    HeaderName::from_static(auth::SECRET_KEY_HEADER),
                ]))
                .layer(SetRequestIdLayer::new(REQUEST_ID, request_id::MakeUlid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_id::span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(cors(&config.allowed_origins))
                .layer(CompressionLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                )),
        )
        .with_state(state)
}

/// CORS for the configured storefront origins; none configured allows none.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-spree-api-key"),
            HeaderName::from_static("x-spree-token"),
            HeaderName::from_static("x-order-token"),
            HeaderName::from_static("x-publishable-api-key"),
            // @medusajs/js-sdk sends it on every request, empty when no locale is set.
            HeaderName::from_static("x-medusa-locale"),
            HeaderName::from_static("idempotency-key"),
        ])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}

/// `GET /health`: the process is up.
async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /ready`: the database answers.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let backend = state.db().url().backend_name();
    match state.db().ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": backend })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": backend })),
            )
        }
    }
}
