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

/// The span of one request: method, path and request id (never headers or query). A path
/// segment ending in a 64-hex-digit token (a Medusa cart id is `cart_<token>`, a capability)
/// is logged with the token redacted.
pub fn span<B>(request: &Request<B>) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %loggable(request.uri().path()),
        request_id = %id,
    )
}

/// `path` with every token-bearing segment's token replaced by `<redacted>`.
fn loggable(path: &str) -> std::borrow::Cow<'_, str> {
    let token = |segment: &str| {
        segment.len() >= 64
            && segment.as_bytes()[segment.len() - 64..]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    };
    if !path.split('/').any(token) {
        return path.into();
    }
    path.split('/')
        .map(|segment| match token(segment) {
            true => format!("{}<redacted>", &segment[..segment.len() - 64]),
            false => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
        .into()
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn tokens_in_paths_are_not_logged() {
        let token = "ab".repeat(32);
        assert_eq!(
            loggable(&format!("/store/carts/cart_{token}/line-items")),
            "/store/carts/cart_<redacted>/line-items"
        );
        assert_eq!(loggable("/store/carts/cart_123"), "/store/carts/cart_123");
        assert_eq!(loggable("/graphql"), "/graphql");
    }
}
