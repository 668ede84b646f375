//! Who is calling, read once for every surface: the customer's access token (resolved to a
//! [`Principal`] with its live session, at most once per request), a guest's cart/order token,
//! the storefront's publishable key, an integrator's secret key, and the client's address.
//!
//! The surfaces differ only in header names (GraphQL and Medusa send the guest token as
//! `X-Order-Token`, Spree as `x-spree-token`; the publishable key is `x-spree-api-key` or
//! `x-publishable-api-key`), so the names are a parameter, [`Surface::HEADERS`], and the code is
//! one. Handlers take [`Auth<S>`] as an extractor; it never fails, because what a missing or bad
//! credential means (anonymity, 401, `UNAUTHENTICATED`) is each operation's own policy.
//!
//! A bad bearer token is an error wherever the caller is looked at, never anonymity.

use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use tokio::sync::OnceCell;

use crate::error::Secret;
use crate::store::api_keys::{self, KeyKind};
use crate::store::auth::{self, Client, Principal};
use crate::store::orders::Caller;
use crate::store::orders::lifecycle::Actor;
use crate::store::{Store, StoreError};

/// The headers a surface reads credentials from (beside `Authorization`).
#[derive(Clone, Copy, Debug)]
pub struct HeaderNames {
    /// A guest's cart or order token.
    pub order_token: &'static str,
    /// The storefront's publishable key, on surfaces that require one.
    pub publishable_key: Option<&'static str>,
}

/// The integrator's secret key header, the same on every surface (it is ours, not a dialect's).
pub const SECRET_KEY_HEADER: &str = "x-storefront-secret-key";

/// A surface's header names, as a type so that extractors can be written `Auth<Spree>`.
pub trait Surface: Send + Sync + 'static {
    const HEADERS: HeaderNames;
}

/// `/graphql` and `/graphql/ws`.
pub struct Graphql;
/// The Spree Store API v3 under `/api/v3/store`.
pub struct Spree;
/// The Medusa store API under `/store` and `/auth`.
pub struct Medusa;

impl Surface for Graphql {
    const HEADERS: HeaderNames = HeaderNames {
        order_token: "x-order-token",
        publishable_key: None,
    };
}

impl Surface for Spree {
    const HEADERS: HeaderNames = HeaderNames {
        order_token: "x-spree-token",
        publishable_key: Some("x-spree-api-key"),
    };
}

impl Surface for Medusa {
    const HEADERS: HeaderNames = HeaderNames {
        order_token: "x-order-token",
        publishable_key: Some("x-publishable-api-key"),
    };
}

/// What a request's publishable key header held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublishableKey {
    /// No key was sent.
    Missing,
    /// A key was sent that is unknown or revoked.
    Invalid,
    /// An active publishable key.
    Valid,
}

/// A request's credentials, resolved lazily and at most once. Cheap to clone: clones share the
/// resolved principal.
#[derive(Clone, Default)]
pub struct RequestAuth {
    pub client: Client,
    bearer: Option<Secret<String>>,
    principal: Arc<OnceCell<Principal>>,
    secret_key: Option<Secret<String>>,
    publishable_key: Option<Secret<String>>,
}

impl RequestAuth {
    /// Reads the credentials of a request (or of a WebSocket's `connection_init`, given as
    /// headers) with a surface's header names.
    pub fn from_headers(names: HeaderNames, ip: Option<IpAddr>, headers: &HeaderMap) -> Self {
        Self {
            client: Client {
                ip,
                user_agent: headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                order_token: header_secret(headers, names.order_token),
            },
            bearer: customer_token(headers),
            principal: Arc::new(OnceCell::new()),
            secret_key: secret_key(headers),
            publishable_key: names
                .publishable_key
                .and_then(|name| header_secret(headers, name)),
        }
    }

    /// The credentials of a WebSocket: the upgrade request's headers, overridden by the
    /// `connection_init` payload's fields (`{"authorization": "Bearer ...", "x-order-token":
    /// "..."}`, names in any case), read as headers would be.
    pub fn from_payload(
        names: HeaderNames,
        ip: Option<IpAddr>,
        upgrade: &HeaderMap,
        payload: &serde_json::Value,
    ) -> Self {
        let mut headers = upgrade.clone();
        for (name, value) in payload.as_object().into_iter().flatten() {
            let name = name.to_ascii_lowercase();
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::try_from(name.as_str()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                headers.insert(name, value);
            }
        }
        Self::from_headers(names, ip, &headers)
    }

    /// The same credentials with nothing resolved yet, for one more operation on a socket.
    pub fn fresh(&self) -> Self {
        Self {
            principal: Arc::new(OnceCell::new()),
            ..self.clone()
        }
    }

    /// Whether the request carried a customer token (valid or not).
    pub fn has_bearer(&self) -> bool {
        self.bearer.is_some()
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

    /// When the customer's access token expires, if one was sent and is valid.
    pub fn bearer_expires_at(&self, store: &Store) -> Option<chrono::DateTime<chrono::Utc>> {
        auth::expires_at(store, self.bearer.as_ref()?.expose()).ok()
    }

    /// Whether a secret key was sent (valid or not).
    pub fn has_secret_key(&self) -> bool {
        self.secret_key.is_some()
    }

    /// The signed-in customer, required.
    pub async fn require(&self, store: &Store) -> Result<Principal, StoreError> {
        self.principal(store)
            .await?
            .ok_or(StoreError::Unauthenticated)
    }

    /// The caller as carts and orders see it: the signed-in customer, if any, and the token
    /// given as an argument or else in the surface's order-token header.
    pub async fn caller(&self, store: &Store, token: Option<String>) -> Result<Caller, StoreError> {
        let principal = self.principal(store).await?;
        Ok(Caller {
            customer_id: principal.map(|p| p.customer_id),
            token: token
                .map(Secret::new)
                .or_else(|| self.client.order_token.clone()),
            token_for_guest_rows_only: false,
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

    /// Whether the request carries an active publishable key (each dialect answers a missing
    /// or bad one in its own words).
    pub async fn publishable_key(&self, store: &Store) -> Result<PublishableKey, StoreError> {
        let Some(key) = &self.publishable_key else {
            return Ok(PublishableKey::Missing);
        };
        Ok(
            match api_keys::find_active(store, KeyKind::Publishable, key.expose()).await? {
                Some(_) => PublishableKey::Valid,
                None => PublishableKey::Invalid,
            },
        )
    }
}

/// The extractor: the request's [`RequestAuth`] read with surface `S`'s header names. The
/// client address comes from the connection (`ConnectInfo`), when the server provides it.
pub struct Auth<S: Surface>(pub RequestAuth, PhantomData<S>);

impl<S: Surface> Auth<S> {
    pub fn into_inner(self) -> RequestAuth {
        self.0
    }
}

impl<S: Surface> std::ops::Deref for Auth<S> {
    type Target = RequestAuth;

    fn deref(&self) -> &RequestAuth {
        &self.0
    }
}

impl<S: Surface, State: Send + Sync> FromRequestParts<State> for Auth<S> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &State) -> Result<Self, Self::Rejection> {
        Ok(Self(
            RequestAuth::from_headers(S::HEADERS, client_ip(parts), &parts.headers),
            PhantomData,
        ))
    }
}

/// The client's address: as resolved through trusted proxies (`super::client_ip`), else the
/// connection's peer.
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    if let Some(super::client_ip::ClientIp(ip)) = parts.extensions.get() {
        return *ip;
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The customer's access token from `Authorization: Bearer ...`. A header in another form is
/// kept as a token that will fail, so a malformed header is an error rather than anonymity;
/// secret keys (`sk_...`) are not customer tokens.
fn customer_token(headers: &HeaderMap) -> Option<Secret<String>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let value = value.to_str().unwrap_or_default().trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    if token.starts_with("sk_") {
        return None;
    }
    Some(Secret::new(token.to_owned()))
}

/// The integrator's secret key: `x-storefront-secret-key`, or a bearer token starting `sk_`.
fn secret_key(headers: &HeaderMap) -> Option<Secret<String>> {
    header_secret(headers, SECRET_KEY_HEADER).or_else(|| {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && token.starts_with("sk_"))
            .then(|| Secret::new(token.to_owned()))
    })
}

/// A header's value, trimmed, when present and not empty.
fn header_secret(headers: &HeaderMap, name: &str) -> Option<Secret<String>> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| Secret::new(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    HeaderName::from_static(k),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn each_surface_reads_its_own_header_names() {
        let h = headers(&[
            ("x-spree-token", "spree-guest"),
            ("x-order-token", "order-guest"),
            ("x-spree-api-key", "pk_spree"),
            ("x-publishable-api-key", "pk_medusa"),
        ]);
        let spree = RequestAuth::from_headers(Spree::HEADERS, None, &h);
        let medusa = RequestAuth::from_headers(Medusa::HEADERS, None, &h);
        let graphql = RequestAuth::from_headers(Graphql::HEADERS, None, &h);
        let token = |a: &RequestAuth| a.client.order_token.as_ref().map(|t| t.expose().clone());
        let key = |a: &RequestAuth| a.publishable_key.as_ref().map(|t| t.expose().clone());
        assert_eq!(token(&spree).as_deref(), Some("spree-guest"));
        assert_eq!(token(&medusa).as_deref(), Some("order-guest"));
        assert_eq!(token(&graphql).as_deref(), Some("order-guest"));
        assert_eq!(key(&spree).as_deref(), Some("pk_spree"));
        assert_eq!(key(&medusa).as_deref(), Some("pk_medusa"));
        assert_eq!(key(&graphql), None);
    }

    #[test]
    fn secret_keys_are_not_customer_tokens() {
        let bearer_key = RequestAuth::from_headers(
            Graphql::HEADERS,
            None,
            &headers(&[("authorization", "Bearer sk_live")]),
        );
        assert!(!bearer_key.has_bearer());
        assert_eq!(bearer_key.secret_key.unwrap().expose(), "sk_live");

        let malformed = RequestAuth::from_headers(
            Graphql::HEADERS,
            None,
            &headers(&[("authorization", "Token abc")]),
        );
        assert!(
            malformed.has_bearer(),
            "a malformed header fails, not anonymity"
        );
    }

    #[test]
    fn a_socket_payload_reads_like_headers() {
        let payload = serde_json::json!({
            "Authorization": "Bearer jwt",
            "X-Order-Token": "guest",
            "x-storefront-secret-key": "sk_1",
            "ignored": 3,
        });
        let upgrade = headers(&[("user-agent", "browser"), ("x-order-token", "stale")]);
        let auth = RequestAuth::from_payload(Graphql::HEADERS, None, &upgrade, &payload);
        assert_eq!(auth.client.user_agent.as_deref(), Some("browser"));
        assert_eq!(auth.bearer.unwrap().expose(), "jwt");
        assert_eq!(auth.client.order_token.unwrap().expose(), "guest");
        assert_eq!(auth.secret_key.unwrap().expose(), "sk_1");
    }
}
