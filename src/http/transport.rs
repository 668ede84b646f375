//! Bounds of a request's head: its target (path and query) and its header block.
//!
//! Hyper refuses a head beyond a hard limit itself, with a bare 431 and no body, before any of
//! our code runs (`startup::serve` sets that limit above the sum of these two, so it only meets
//! heads no client of ours sends). Within it, this middleware answers a target over
//! `STOREFRONT_MAX_URL_BYTES` with 414 and headers over `STOREFRONT_MAX_HEADER_BYTES` with 431,
//! as plain refusals that `rest::answer_in_dialect` turns into the path's dialect like the body
//! limit's 413.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::TransportLimits;

/// The middleware; its state is the configured limits.
pub async fn limit_head(
    State(limits): State<TransportLimits>,
    request: Request,
    next: Next,
) -> Response {
    if target_len(&request) > limits.max_url_bytes {
        return (StatusCode::URI_TOO_LONG, "request URL is too long").into_response();
    }
    if header_bytes(&request) > limits.max_header_bytes {
        return (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request headers are too large",
        )
            .into_response();
    }
    next.run(request).await
}

/// The request target as the client sent it: the path and query (origin form), or the whole
/// URI when a client sent an absolute one.
fn target_len(request: &Request) -> usize {
    let uri = request.uri();
    let path_and_query = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    let authority = uri.authority().map_or(0, |a| a.as_str().len());
    let scheme = uri.scheme_str().map_or(0, |s| s.len() + "://".len());
    scheme + authority + path_and_query
}

/// The header block as it came on the wire: `name: value\r\n` per header.
fn header_bytes(request: &Request) -> usize {
    request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + ": \r\n".len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_what_the_client_sent() {
        let request = Request::builder()
            .uri("/store/products?limit=5")
            .header("x-a", "12345")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(target_len(&request), "/store/products?limit=5".len());
        assert_eq!(header_bytes(&request), "x-a: 12345\r\n".len());
        let absolute = Request::builder()
            .uri("http://shop.example/graphql")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(target_len(&absolute), "http://shop.example/graphql".len());
    }
}
