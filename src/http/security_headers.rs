//! Headers every answer carries: no MIME sniffing, no framing, no referrer to other sites, and
//! in production `Strict-Transport-Security` (`STOREFRONT_HSTS_MAX_AGE`). A handler that sets
//! its own value (a page's stricter policy) keeps it.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
    ];
    for (name, value) in defaults {
        headers.entry(name).or_insert(value);
    }
    let max_age = state.config.hsts_max_age;
    if !state.config.is_development()
        && max_age > 0
        && let Ok(value) = HeaderValue::from_str(&format!("max-age={max_age}; includeSubDomains"))
    {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(value);
    }
    response
}
