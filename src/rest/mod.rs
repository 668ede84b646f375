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

/// What was wrong with a body, in words a client developer can act on: serde's message names
/// the field and the expected type, without the value it found (see [`without_values`]).
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

/// The innermost cause of an error: serde's own message without axum's prefix, and without
/// the values it quotes.
fn source_text(e: &dyn std::error::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    without_values(&inner.to_string())
}

/// serde's message for a body it could not read, without the value it quotes:
/// ``invalid type: integer `12345678`, expected a string`` becomes `invalid type: integer,
/// expected a string`. The value may be a secret sent with the wrong type (a password of digits
/// that a form sent as a number), and an error answer ends up in client-side error reports.
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    without_values(&e.to_string())
}

/// `message` with the value after `invalid type: <kind>`, `invalid value: <kind>` and
/// `unknown variant` left out (serde quotes it in backticks, or as a Rust string literal).
fn without_values(message: &str) -> String {
    const MARKERS: [&str; 3] = ["invalid type: ", "invalid value: ", "unknown variant"];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some((at, marker)) = MARKERS
        .iter()
        .filter_map(|m| rest.find(m).map(|at| (at, *m)))
        .min_by_key(|(at, _)| *at)
    {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        // The kind (`integer`, `string`, `floating point`), then the quoted value if any.
        let kind_end = rest.find([' ', ',']).unwrap_or(rest.len());
        let kind_end = match rest[kind_end..].strip_prefix(' ') {
            Some(after) if !after.starts_with(['`', '"']) => {
                // Two-word kinds: `floating point`, `unit value`, `newtype struct`.
                kind_end + 1 + after.find([' ', ',']).unwrap_or(after.len())
            }
            _ => kind_end,
        };
        out.push_str(&rest[..kind_end]);
        rest = &rest[kind_end..];
        if let Some(quoted) = rest.strip_prefix(' ') {
            if let Some(after) = quoted.strip_prefix('`') {
                rest = after.find('`').map_or("", |end| &after[end + 1..]);
            } else if let Some(after) = quoted.strip_prefix('"') {
                rest = closing_quote(after).map_or("", |end| &after[end + 1..]);
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the Rust string literal that `text` is inside of ends (its unescaped `"`).
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
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
    fn serde_messages_lose_the_values_they_quote() {
        let cases = [
            (
                "password: invalid type: integer `12345678`, expected a string at line 1 column 40",
                "password: invalid type: integer, expected a string at line 1 column 40",
            ),
            (
                r#"quantity: invalid type: string "my \"secret\" pass", expected i32 at line 1"#,
                "quantity: invalid type: string, expected i32 at line 1",
            ),
            (
                "amount: invalid type: floating point `1.5`, expected i64",
                "amount: invalid type: floating point, expected i64",
            ),
            (
                "kind: unknown variant `hunter2`, expected one of `a`, `b`",
                "kind: unknown variant, expected one of `a`, `b`",
            ),
            (
                "items: invalid type: sequence, expected a map",
                "items: invalid type: sequence, expected a map",
            ),
            (
                "unknown field `bogus`, expected one of `a`, `b` at line 1 column 30",
                "unknown field `bogus`, expected one of `a`, `b` at line 1 column 30",
            ),
            ("missing field `email`", "missing field `email`"),
        ];
        for (given, wanted) in cases {
            assert_eq!(without_values(given), wanted, "{given}");
        }
    }

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
