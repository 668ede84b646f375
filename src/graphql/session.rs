//! The caller of a GraphQL operation: the request's [`RequestAuth`] (read by the shared
//! extractor in `http::auth`), put into each operation by the HTTP handler, or made afresh
//! per operation from a WebSocket's `connection_init` credentials.

use std::sync::LazyLock;

use async_graphql::Context;

pub use crate::http::auth::RequestAuth;

/// The credentials a WebSocket gave in `connection_init`; every operation on the socket gets a
/// fresh [`RequestAuth`] from them ([`RequestAuth::fresh`]).
#[derive(Clone)]
pub struct SocketAuth(pub RequestAuth);

static ANONYMOUS: LazyLock<RequestAuth> = LazyLock::new(RequestAuth::default);

/// The operation's caller, or an anonymous one where none was set.
pub fn auth<'a>(ctx: &'a Context<'_>) -> &'a RequestAuth {
    ctx.data_opt::<RequestAuth>().unwrap_or(&ANONYMOUS)
}
