//! `Idempotency-Key` for the REST dialects: a POST, PATCH or DELETE carrying the header is
//! answered once; the same request again from the same caller within 24 hours gets the stored
//! answer with `Idempotent-Replayed: true`, and the same key with another method, path or body
//! is refused. The SDKs send a key on every write so that they can retry safely.
//!
//! The key is claimed before the request runs (a pending row; the unique key decides between
//! concurrent requests), so two requests under one key never both run: the other waits up to
//! two seconds for the answer, then is told the key is in progress.
//!
//! A middleware for the whole app (it needs the store), acting only under a dialect's prefix.
//! The caller is the hash of the dialect's credential headers, so one client's key never opens
//! another's answer. Answers of 429 and of 5xx are not kept: the retry should run again. Nor
//! are answers carrying a credential (a JSON object with a non-null field named in
//! [`Dialect::SECRET_FIELDS`]: an access or refresh token, a guest cart token): tokens are
//! stored only as hashes, so such a request simply runs again when retried.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::state::AppState;
use crate::store::idempotency::{self, Seen, Stored};

/// The request header.
pub const KEY_HEADER: &str = "idempotency-key";
/// The header marking a replayed answer.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Longest key accepted.
pub const MAX_KEY: usize = 255;
/// How often, and how long apart, a request looks again at a key another request is running
/// under before answering that it is in progress (2 s in all).
const IN_PROGRESS_POLLS: u32 = 40;
const IN_PROGRESS_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// What a dialect brings: where it is mounted, whose credentials make a caller, and its
/// answers for a refused key.
pub trait Dialect: Send + Sync + 'static {
    const PREFIX: &'static str;
    /// Headers whose values together name the caller.
    const CALLER_HEADERS: &'static [&'static str];
    /// Top-level fields of a JSON answer that hold credentials.
    const SECRET_FIELDS: &'static [&'static str];
    /// The same key was used for another request (Spree: 422 `idempotency_key_reused`).
    fn key_reused() -> Response;
    /// Another request under the same key is still running (Spree: 409
    /// `idempotency_key_in_progress`).
    fn key_in_progress() -> Response;
    /// The key is longer than [`MAX_KEY`] (Spree: 400 `invalid_request`).
    fn key_too_long() -> Response;
    /// The body could not be read (over the size limit).
    fn body_too_large() -> Response;
}

/// The middleware, for dialect `D`.
pub async fn guard<D: Dialect>(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PATCH | Method::DELETE | Method::PUT
    );
    if !writes || !request.uri().path().starts_with(D::PREFIX) {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(KEY_HEADER) else {
        return next.run(request).await;
    };
    let key = key.as_bytes().to_vec();
    if key.len() > MAX_KEY {
        return D::key_too_long();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.config.body_limit).await else {
        return D::body_too_large();
    };
    let id = caller_key(&parts.headers, D::CALLER_HEADERS, &key);
    let fingerprint = fingerprint(&parts.method, &parts.uri, &bytes);
    let store = &state.store;
    let mut waited = 0;
    let claimed = loop {
        match idempotency::claim(store, &id, &fingerprint).await {
            Ok(Seen::Replay(stored)) => return replay(stored),
            Ok(Seen::Reused) => return D::key_reused(),
            Ok(Seen::New) => break true,
            Ok(Seen::InProgress) if waited < IN_PROGRESS_POLLS => {
                waited += 1;
                tokio::time::sleep(IN_PROGRESS_WAIT).await;
            }
            Ok(Seen::InProgress) => return D::key_in_progress(),
            Err(e) => {
                tracing::warn!(error = %e, "idempotency claim failed; running the request");
                break false;
            }
        }
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    let release = async || {
        if claimed && let Err(e) = idempotency::release(store, &id).await {
            tracing::warn!(error = %e, "idempotency key not released");
        }
    };
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        release().await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        release().await;
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if carries_secret(&bytes, D::SECRET_FIELDS) || !claimed {
        release().await;
        return Response::from_parts(parts, Body::from(bytes));
    }
    let stored = Stored {
        fingerprint,
        status: i32::from(status.as_u16()),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = idempotency::save(store, &id, &stored).await {
        tracing::warn!(error = %e, "idempotency answer not kept");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether a JSON answer holds a credential in one of `fields`.
fn carries_secret(body: &[u8], fields: &[&str]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => fields
            .iter()
            .any(|f| map.get(*f).is_some_and(|v| !v.is_null())),
        _ => false,
    }
}

/// The stored answer, marked as a replay.
fn replay(stored: Stored) -> Response {
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    match stored
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        Some(kind) => headers.insert(header::CONTENT_TYPE, kind),
        None => headers.remove(header::CONTENT_TYPE),
    };
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// SHA-256 over the caller's credential headers and the key.
fn caller_key(headers: &HeaderMap, names: &[&str], key: &[u8]) -> String {
    let mut hash = Sha256::new();
    for name in names {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(headers.get(*name).map_or(&[][..], HeaderValue::as_bytes));
        hash.update([0]);
    }
    hash.update(key);
    hex::encode(hash.finalize())
}

/// SHA-256 over method, path with query, and body.
fn fingerprint(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str().as_bytes());
    hash.update([0]);
    hash.update(
        uri.path_and_query()
            .map_or(uri.path(), |p| p.as_str())
            .as_bytes(),
    );
    hash.update([0]);
    hash.update(body);
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_and_requests_are_told_apart() {
        let names = ["authorization", "x-spree-token"];
        let mut a = HeaderMap::new();
        a.insert("authorization", HeaderValue::from_static("Bearer a"));
        let mut b = HeaderMap::new();
        b.insert("authorization", HeaderValue::from_static("Bearer b"));
        assert_ne!(caller_key(&a, &names, b"k"), caller_key(&b, &names, b"k"));
        assert_eq!(caller_key(&a, &names, b"k"), caller_key(&a, &names, b"k"));
        let uri: axum::http::Uri = "/x?y=1".parse().unwrap();
        assert_ne!(
            fingerprint(&Method::POST, &uri, b"{}"),
            fingerprint(&Method::PATCH, &uri, b"{}")
        );
        assert_ne!(
            fingerprint(&Method::POST, &uri, b"{}"),
            fingerprint(&Method::POST, &uri, b"{ }")
        );
        let fields = ["token", "refresh_token"];
        assert!(carries_secret(br#"{"token":"abc","user":{}}"#, &fields));
        assert!(!carries_secret(br#"{"token":null,"id":"cart_1"}"#, &fields));
        assert!(!carries_secret(br#"{"user":{"token":"nested"}}"#, &fields));
        assert!(!carries_secret(b"", &fields));
    }
}
