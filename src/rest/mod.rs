//! What the REST dialects share: a JSON body extractor that reports a malformed or oversized
//! body in the dialect that received it, and page requests by number or offset.
//!
//! Each dialect (`spree`, `medusa`) owns its wire types, its routes and its error type; its
//! handlers extract the caller ([`crate::http::auth::Auth`]), the path, the query and the body,
//! call one `store::` function and convert the answer.

pub mod idempotency;
pub mod medusa;
pub mod spree;

use std::marker::PhantomData;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;

use crate::state::AppState;
use crate::store::StoreError;

/// The routes of both REST dialects.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .merge(medusa::routes())
        .merge(spree::routes())
}

/// Middleware for the whole app: answers under a dialect's paths leave in that dialect, even
/// those made before any route ran (a body over the size limit, which `RequestBodyLimitLayer`
/// answers in plain text; a URL or header block over its limit; a path or method no route
/// serves; a timeout). `/graphql` gets GraphQL's JSON errors for the same refusals. Other
/// answers pass unchanged.
pub async fn answer_in_dialect(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let response = next.run(request).await;
    if path.starts_with(spree::PREFIX) {
        spree::in_envelope(response)
    } else if medusa::owns(&path) {
        medusa::in_medusa_shape(&method, &path, response)
    } else if crate::graphql::http::owns(&path) {
        crate::graphql::http::in_graphql_shape(response)
    } else {
        response
    }
}

/// A dialect's error type: every store error converts into it, and it can say that the body
/// was not acceptable.
pub trait DialectError: IntoResponse + From<StoreError> + Send + 'static {
    /// The body is not JSON, not of the expected shape, or not `application/json`; `status`
    /// is what axum's JSON extractor would answer (400, 413, 415 or 422).
    fn bad_body(status: StatusCode, message: String) -> Self;
}

/// A JSON request body of type `T`; a body that cannot be read fails with `E`, the dialect's
/// error, instead of axum's plain-text answer (the SDKs crash on a non-JSON error body).
pub struct Body<T, E>(pub T, PhantomData<E>);

impl<T, E> Body<T, E> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T, E, S> FromRequest<S> for Body<T, E>
where
    T: DeserializeOwned,
    E: DialectError,
    S: Send + Sync,
{
    type Rejection = E;

    async fn from_request(req: Request, state: &S) -> Result<Self, E> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value, PhantomData)),
            Err(rejection) => Err(E::bad_body(rejection.status(), body_message(&rejection))),
        }
    }
}

/// What was wrong with a body, in words a client developer can act on (serde's message names
/// the field and the expected type; nothing of the body itself is echoed beyond that).
fn body_message(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::JsonDataError(e) => format!("invalid request body: {}", source_text(e)),
        JsonRejection::JsonSyntaxError(e) => format!("malformed JSON: {}", source_text(e)),
        JsonRejection::MissingJsonContentType(_) => {
            "expected a request with Content-Type: application/json".into()
        }
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            "request body is too large".into()
        }
        other => other.body_text(),
    }
}

/// The innermost cause of an error: serde's own message without axum's prefix.
fn source_text(e: &dyn std::error::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// A page of a list as the REST dialects ask for it: rows to skip and rows to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: i64,
    pub limit: i64,
}

impl PageRequest {
    /// From a 1-based page number and a page size (Spree's `page`/`limit`).
    pub fn numbered(page: i64, limit: i64) -> Self {
        let page = page.max(1);
        Self {
            offset: (page - 1).saturating_mul(limit),
            limit,
        }
    }

    /// The 1-based number of this page.
    pub fn page(&self) -> i64 {
        if self.limit <= 0 {
            1
        } else {
            self.offset / self.limit + 1
        }
    }

    /// How many pages `count` rows fill (at least one, as Spree reports for an empty list).
    pub fn pages(&self, count: i64) -> i64 {
        if self.limit <= 0 {
            1
        } else {
            ((count + self.limit - 1) / self.limit).max(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_pages_map_to_offsets() {
        let p = PageRequest::numbered(3, 25);
        assert_eq!((p.offset, p.limit, p.page()), (50, 25, 3));
        assert_eq!(PageRequest::numbered(0, 25).offset, 0);
        assert_eq!(p.pages(0), 1);
        assert_eq!(p.pages(51), 3);
        assert_eq!(p.pages(50), 2);
    }
}
