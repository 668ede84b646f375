//! The Medusa caller: Medusa signs customers in with a session cookie (`connect.sid`) or a
//! bearer token, the cookie tried first. Both resolve, through `store::identities`, to the same
//! store session, so ending the session ends both.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::error::Secret;
use crate::http::auth::{Auth, Medusa, RequestAuth};
use crate::store::auth::{Client, Principal};
use crate::store::identities::{self, IdentityPrincipal};
use crate::store::orders::Caller as OrderCaller;
use crate::store::{Store, StoreError};

/// The cookie Medusa's express-session uses.
pub const SESSION_COOKIE: &str = "connect.sid";

/// A Medusa request's credentials: the shared [`RequestAuth`] (client, order token) plus the
/// session cookie and the bearer token as Medusa reads them (scheme `Bearer`, any case; any
/// other scheme is no token).
pub struct Caller {
    pub auth: RequestAuth,
    cookie: Option<Secret<String>>,
    bearer: Option<Secret<String>>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(auth) = Auth::<Medusa>::from_request_parts(parts, state).await;
        let auth = auth.into_inner();
        Ok(Self {
            auth,
            cookie: cookie(&parts.headers, SESSION_COOKIE),
            bearer: bearer(&parts.headers),
        })
    }
}

impl Caller {
    pub fn client(&self) -> &Client {
        &self.auth.client
    }

    /// The signed-in identity: the session cookie if it is valid, else the bearer token.
    pub async fn identity(&self, store: &Store) -> Result<IdentityPrincipal, StoreError> {
        if let Some(cookie) = &self.cookie
            && let Ok(principal) = identities::authenticate_cookie(store, cookie.expose()).await
        {
            return Ok(principal);
        }
        self.bearer_identity(store).await
    }

    /// The identity of the bearer token alone.
    pub async fn bearer_identity(&self, store: &Store) -> Result<IdentityPrincipal, StoreError> {
        match &self.bearer {
            Some(token) => identities::authenticate(store, token.expose()).await,
            None => Err(StoreError::Unauthenticated),
        }
    }

    /// The identity of the session cookie alone.
    pub async fn cookie_identity(&self, store: &Store) -> Result<IdentityPrincipal, StoreError> {
        match &self.cookie {
            Some(cookie) => identities::authenticate_cookie(store, cookie.expose()).await,
            None => Err(StoreError::Unauthenticated),
        }
    }

    /// The bearer token itself (a password reset token travels this way).
    pub fn bearer_token(&self) -> Option<String> {
        self.bearer.as_ref().map(|t| t.expose().clone())
    }

    /// The signed-in customer, required.
    pub async fn customer(&self, store: &Store) -> Result<Principal, StoreError> {
        self.identity(store)
            .await?
            .customer()
            .ok_or(StoreError::Unauthenticated)
    }

    /// The caller as orders see it: the signed-in customer if any (a bad credential is
    /// anonymity, as in Medusa) and the order token header.
    pub async fn order_caller(&self, store: &Store) -> OrderCaller {
        let principal = self.identity(store).await.ok().and_then(|p| p.customer());
        OrderCaller {
            customer_id: principal.map(|p| p.customer_id),
            token: self.auth.client.order_token.clone(),
            token_for_guest_rows_only: false,
        }
    }
}

/// `Authorization: Bearer <token>`; another scheme is no token.
fn bearer(headers: &HeaderMap) -> Option<Secret<String>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(char::is_whitespace)?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.starts_with("sk_"))
        .then(|| Secret::new(token.to_owned()))
}

/// A cookie's value (percent-decoded) from the `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<Secret<String>> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| {
            let decoded = url::form_urlencoded::parse(format!("v={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            Secret::new(decoded)
        })
        .filter(|v| !v.expose().is_empty())
}

/// The `Set-Cookie` value that stores the session cookie (`Secure` in production).
pub fn set_cookie(value: &str, max_age: chrono::Duration, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        max_age.num_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    set_cookie("", chrono::Duration::zero(), secure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_bearer_and_cookie_as_medusa_does() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; connect.sid=s%3Ax.y; b=2"),
        );
        assert_eq!(bearer(&h).unwrap().expose(), "abc");
        assert_eq!(cookie(&h, SESSION_COOKIE).unwrap().expose(), "s:x.y");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic Zm9v"),
        );
        assert!(bearer(&h).is_none());
    }
}
