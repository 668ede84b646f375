//! Who is calling, per GraphQL request: the client's address and user agent, and the bearer
//! token resolved to a [`Principal`] at most once per request (cached for every field).
//! A bad token is an error on any field that looks at the caller, never anonymity.

use std::sync::{Arc, LazyLock};

use async_graphql::Context;
use tokio::sync::OnceCell;

use crate::error::Secret;
use crate::store::auth::{self, Client, Principal};
use crate::store::{Store, StoreError};

/// Per-request authentication data, put into each GraphQL request by the HTTP handler.
#[derive(Clone, Default)]
pub struct RequestAuth {
    pub client: Client,
    bearer: Option<Secret<String>>,
    principal: Arc<OnceCell<Principal>>,
}

static ANONYMOUS: LazyLock<RequestAuth> = LazyLock::new(RequestAuth::default);

impl RequestAuth {
    /// `bearer` is the customer's access token, if the request carried one.
    pub fn new(client: Client, bearer: Option<Secret<String>>) -> Self {
        Self {
            client,
            bearer,
            principal: Arc::new(OnceCell::new()),
        }
    }

    /// The request's data, or an anonymous caller where none was set (e.g. WebSocket).
    pub fn of<'a>(ctx: &'a Context<'_>) -> &'a RequestAuth {
        ctx.data_opt::<RequestAuth>().unwrap_or(&ANONYMOUS)
    }

    /// The signed-in customer; `None` without a token; `UNAUTHENTICATED` for a bad one.
    pub async fn principal(&self, store: &Store) -> Result<Option<Principal>, StoreError> {
        let Some(token) = &self.bearer else {
            return Ok(None);
        };
        self.principal
            .get_or_try_init(|| auth::authenticate(store, token.expose()))
            .await
            .cloned()
            .map(Some)
    }

    /// The signed-in customer, required.
    pub async fn require(&self, store: &Store) -> Result<Principal, StoreError> {
        self.principal(store)
            .await?
            .ok_or(StoreError::Unauthenticated)
    }
}
