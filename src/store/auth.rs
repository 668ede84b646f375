//! Access tokens and the [`Principal`]: a JWT (HS256 pinned; `exp`, `iss`, `aud` checked) that
//! names a customer and a session, checked live against the `sessions` table on every request,
//! so logout, password change and reset end access at once.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, now};
use crate::db::schema::sessions;
use crate::db_run;
use crate::error::Secret;

/// `iss` and `aud` of our access tokens.
pub const ISSUER: &str = "storefront";
pub const AUDIENCE: &str = "storefront";

/// Who is calling: a signed-in customer and the session the token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub customer_id: String,
    pub session_id: String,
}

/// What the server knows about the caller's connection, for throttles and session records.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The cart/order token the caller presented (`X-Order-Token`, guests). It opens that cart
    /// or order, and a sign-in made with it claims that guest cart or order for the account.
    pub order_token: Option<Secret<String>>,
}

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The customer id.
    sub: String,
    /// The session id.
    sid: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// The signing key and the validation rules, built once.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Derives the next refresh token from the current one (see `sessions`).
    refresh_key: Secret<Vec<u8>>,
    /// Signs wishlist share tokens (see `wishlists`).
    share_key: Secret<Vec<u8>>,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let mut refresh_key = b"storefront refresh rotation\0".to_vec();
        refresh_key.extend_from_slice(secret);
        // A key of its own, derived from the same secret: a share token can never be a refresh
        // token or a JWT signature, and rotating the JWT secret revokes every share link.
        let mut share_key = b"storefront wishlist share\0".to_vec();
        share_key.extend_from_slice(secret);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            refresh_key: Secret::new(super::tokens::hash(&hex::encode(&refresh_key)).into_bytes()),
            share_key: Secret::new(super::tokens::hash(&hex::encode(&share_key)).into_bytes()),
        }
    }

    pub(super) fn share_key(&self) -> &[u8] {
        self.share_key.expose()
    }

    pub(super) fn refresh_key(&self) -> &[u8] {
        self.refresh_key.expose()
    }
}

/// Signs an access token for this session; returns it with its expiry.
pub fn issue(
    store: &Store,
    customer_id: &str,
    session_id: &str,
) -> Result<(Secret<String>, DateTime<Utc>), StoreError> {
    let issued = Utc::now();
    let ttl = chrono::Duration::from_std(store.config().access_token_ttl)
        .map_err(|e| StoreError::Internal(format!("access token ttl: {e}")))?;
    let expires = issued + ttl;
    let claims = Claims {
        sub: customer_id.to_owned(),
        sid: session_id.to_owned(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: issued.timestamp(),
        exp: expires.timestamp(),
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &store.jwt().encoding,
    )
    .map_err(|e| StoreError::Internal(format!("jwt encode: {e}")))?;
    Ok((Secret::new(token), expires))
}

/// The principal an access token names, if the token is valid and its session is live.
/// Anything else (forged, other key, `alg: none`, expired, revoked) is `UNAUTHENTICATED`.
pub async fn authenticate(store: &Store, token: &str) -> Result<Principal, StoreError> {
    let claims =
        jsonwebtoken::decode::<Claims>(token, &store.jwt().decoding, &store.jwt().validation)
            .map_err(|e| {
                tracing::debug!(reason = %e.kind_name(), "access token refused");
                StoreError::Unauthenticated
            })?
            .claims;
    let mut conn = store.db().conn().await?;
    let live: Option<String> = db_run!(conn, |c| sessions::table
        .filter(sessions::id.eq(&claims.sid))
        .filter(sessions::customer_id.eq(&claims.sub))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .select(sessions::id)
        .first(c)
        .await
        .optional())?;
    match live {
        Some(session_id) => Ok(Principal {
            customer_id: claims.sub,
            session_id,
        }),
        None => Err(StoreError::Unauthenticated),
    }
}

/// When a valid access token expires (sockets close then); `UNAUTHENTICATED` for a bad one.
pub fn expires_at(store: &Store, token: &str) -> Result<DateTime<Utc>, StoreError> {
    let claims = decode(store, token)?;
    DateTime::from_timestamp(claims.exp, 0).ok_or(StoreError::Unauthenticated)
}

/// What a valid access token says, before any session check: the customer id (empty for an
/// identity that has no customer yet, see [`super::identities`]), the session id and its times.
#[derive(Clone, Debug)]
pub(super) struct TokenClaims {
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

/// Checks an access token's signature, algorithm, issuer, audience and expiry.
pub(super) fn decode(store: &Store, token: &str) -> Result<TokenClaims, StoreError> {
    let claims =
        jsonwebtoken::decode::<Claims>(token, &store.jwt().decoding, &store.jwt().validation)
            .map_err(|e| {
                tracing::debug!(reason = %e.kind_name(), "access token refused");
                StoreError::Unauthenticated
            })?
            .claims;
    Ok(TokenClaims {
        sub: claims.sub,
        sid: claims.sid,
        iat: claims.iat,
        exp: claims.exp,
    })
}

trait KindName {
    fn kind_name(&self) -> &'static str;
}

impl KindName for jsonwebtoken::errors::Error {
    /// The reason without any part of the token.
    fn kind_name(&self) -> &'static str {
        use jsonwebtoken::errors::ErrorKind;
        match self.kind() {
            ErrorKind::ExpiredSignature => "expired",
            ErrorKind::InvalidSignature => "bad signature",
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => "algorithm",
            ErrorKind::InvalidIssuer => "issuer",
            ErrorKind::InvalidAudience => "audience",
            ErrorKind::MissingRequiredClaim(_) => "missing claim",
            _ => "malformed",
        }
    }
}
