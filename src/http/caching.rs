//! HTTP caching of anonymous catalogue reads: `Cache-Control`, `ETag` and `304 Not Modified`,
//! so that a CDN or a browser can keep what the in-process micro-cache keeps
//! (`crate::graphql::cache`). The REST catalogue GETs of both dialects get them from
//! [`rest_catalog`]; `GET /graphql` sets them itself, since only it knows which operations
//! read the catalogue alone.
//!
//! Anything sent with a credential (a customer's bearer token, a guest's cart or order token, a
//! secret key) is `private, no-store`, whatever it asked for.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::auth::SECRET_KEY_HEADER;
use crate::state::AppState;

/// What answers carrying a credential (or a customer's data) say.
pub const PRIVATE: HeaderValue = HeaderValue::from_static("private, no-store");

/// REST catalogue paths: Spree's products and categories, Medusa's products and categories.
const CATALOG_PATHS: &[&str] = &[
    "/api/v3/store/products",
    "/api/v3/store/categories",
    "/store/products",
    "/store/product-categories",
];

/// The headers a request may carry a credential in, on any surface.
const CREDENTIAL_HEADERS: &[&str] = &["x-spree-token", "x-order-token", SECRET_KEY_HEADER];

/// A weak validator of a body: the first 128 bits of its SHA-256. Weak, because the compression
/// layer may send the same answer in other bytes.
pub fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let value = format!("W/\"{}\"", hex::encode(&digest[..16]));
    HeaderValue::from_str(&value).expect("hex is a valid header value")
}

/// `public, max-age=<ttl>` for a cacheable read; `no-cache` (store, but ask again each time:
/// the `ETag` still saves the body) when the cache is off.
pub fn public(ttl: Duration) -> HeaderValue {
    if ttl.is_zero() {
        return HeaderValue::from_static("no-cache");
    }
    HeaderValue::from_str(&format!("public, max-age={}", ttl.as_secs()))
        .expect("a number is a valid header value")
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison, RFC 9110 13.1.2).
pub fn not_modified(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(wanted) = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ours = strip_weak(etag.to_str().unwrap_or_default());
    wanted
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || strip_weak(tag) == ours)
}

fn strip_weak(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Whether a request carries a credential (see the module's description).
pub fn has_credential(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || CREDENTIAL_HEADERS
            .iter()
            .any(|name| headers.contains_key(*name))
}

/// Sets `Cache-Control` and `ETag` on a cacheable answer of `body`; answers `304` with no body
/// when the client already holds it.
pub fn cacheable(
    request: &HeaderMap,
    etag: HeaderValue,
    ttl: Duration,
    vary: &'static str,
    response: Response,
) -> Response {
    let mut response = if not_modified(request, &etag) {
        let (mut parts, _) = response.into_parts();
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, Body::empty())
    } else {
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, public(ttl));
    headers.insert(header::ETAG, etag);
    headers.insert(header::VARY, HeaderValue::from_static(vary));
    response
}

/// Middleware for the REST catalogue GETs of both dialects: public with an `ETag` (and `304`)
/// when anonymous and successful, `private, no-store` when the request carries a credential.
pub async fn rest_catalog(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let catalog = request.method() == Method::GET
        && CATALOG_PATHS
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if !catalog {
        return next.run(request).await;
    }
    let vary = if path.starts_with("/api/") {
        "x-spree-api-key, authorization, x-spree-token"
    } else {
        "x-publishable-api-key, authorization, x-order-token"
    };
    let headers = request.headers().clone();
    let mut response = next.run(request).await;
    if has_credential(&headers) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, PRIVATE);
        return response;
    }
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "catalogue answer could not be read for its ETag");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let etag = etag_of(&bytes);
    let response = Response::from_parts(parts, Body::from(bytes));
    cacheable(
        &headers,
        etag,
        state.config.catalog_cache_ttl,
        vary,
        response,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists() {
        let etag = etag_of(b"{}");
        let mut headers = HeaderMap::new();
        assert!(!not_modified(&headers, &etag));
        let strong = etag.to_str().unwrap().trim_start_matches("W/").to_owned();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", {strong}")).unwrap(),
        );
        assert!(not_modified(&headers, &etag));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert!(!not_modified(&headers, &etag));
    }

    #[test]
    fn zero_ttl_asks_to_revalidate() {
        assert_eq!(public(Duration::ZERO), "no-cache");
        assert_eq!(public(Duration::from_secs(2)), "public, max-age=2");
    }
}
