//! Request ids: taken from `x-request-id` when the caller (a load balancer) sends one, else a
//! new ULID; echoed in the response and carried by every log line of the request.

use axum::http::Request;
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Span;

#[derive(Clone, Copy)]
pub struct MakeUlid;

impl MakeRequestId for MakeUlid {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        ulid::Ulid::new()
            .to_string()
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// The span of one request: method, route path and request id (never headers or query).
pub fn span<B>(request: &Request<B>) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
    )
}
