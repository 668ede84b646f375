//! Who is calling, per GraphQL request: the client's address and user agent, and the bearer
//! token resolved to a [`Principal`] at most once per request (cached for every field).
//! A bad token is an error on any field that looks at the caller, never anonymity.
//!
//! Beside the customer's token a request may carry a cart/order token (`X-Order-Token`, for
//! guests) and a secret API key (`x-storefront-secret-key` or `Authorization: Bearer sk_...`,
//! for integrators).

use std::sync::{Arc, LazyLock};

use async_graphql::Context;
use tokio::sync::OnceCell;

use crate::error::Secret;
use crate::store::api_keys::{self, KeyKind};
use crate::store::auth::{self, Client, Principal};
use crate::store::orders::Caller;
use crate::store::orders::lifecycle::Actor;
use crate::store::{Store, StoreError};

/// Per-request authentication data, put into each GraphQL request by the HTTP handler.
#[derive(Clone, Default)]
pub struct RequestAuth {
    pub client: Client,
    bearer: Option<Secret<String>>,
    principal: Arc<OnceCell<Principal>>,
    secret_key: Option<Secret<String>>,
}

/// The credentials a WebSocket gave in `connection_init`; every operation on the socket gets a
/// fresh [`RequestAuth`] from them ([`RequestAuth::fresh`]).
#[derive(Clone)]
pub struct SocketAuth(pub RequestAuth);

static ANONYMOUS: LazyLock<RequestAuth> = LazyLock::new(RequestAuth::default);

impl RequestAuth {
    /// `bearer` is the customer's access token, if the request carried one.
    pub fn new(client: Client, bearer: Option<Secret<String>>) -> Self {
        Self {
            client,
            bearer,
            principal: Arc::new(OnceCell::new()),
            secret_key: None,
        }
    }

    /// Adds the guest's cart/order token and the integrator's secret key, when sent.
    pub fn with_keys(
        mut self,
        order_token: Option<Secret<String>>,
        secret_key: Option<Secret<String>>,
    ) -> Self {
        self.client.order_token = order_token;
        self.secret_key = secret_key;
        self
    }

    /// The same credentials with nothing resolved yet, for one more operation.
    pub fn fresh(&self) -> Self {
        Self {
            principal: Arc::new(OnceCell::new()),
            ..self.clone()
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

    /// The caller as carts and orders see it: the signed-in customer, if any, and the token
    /// given as an argument or else in `X-Order-Token`.
    pub async fn caller(&self, store: &Store, token: Option<String>) -> Result<Caller, StoreError> {
        let principal = self.principal(store).await?;
        Ok(Caller {
            customer_id: principal.map(|p| p.customer_id),
            token: token
                .map(Secret::new)
                .or_else(|| self.client.order_token.clone()),
        })
    }

    /// Who changes an order: an integrator when a valid secret key was sent (an unknown or
    /// revoked one is `UNAUTHENTICATED`), else the shopper.
    pub async fn actor(&self, store: &Store) -> Result<Actor, StoreError> {
        match &self.secret_key {
            Some(key) => match api_keys::find_active(store, KeyKind::Secret, key.expose()).await? {
                Some(_) => Ok(Actor::Integrator),
                None => Err(StoreError::Unauthenticated),
            },
            None => Ok(Actor::Shopper(self.caller(store, None).await?)),
        }
    }

    /// The signed-in customer, required.
    pub async fn require(&self, store: &Store) -> Result<Principal, StoreError> {
        self.principal(store)
            .await?
            .ok_or(StoreError::Unauthenticated)
    }
}
