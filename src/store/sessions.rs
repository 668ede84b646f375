//! Sessions: one row per login, holding the SHA-256 of the current refresh token.
//!
//! Refresh tokens rotate on every use. The next token is derived from the presented one with
//! an HMAC under a server key, so two concurrent refreshes of one token (two tabs) both receive
//! the *same* new token and stay in one session; the replay is accepted only within
//! `STOREFRONT_REFRESH_REUSE_GRACE` seconds of the rotation. Replaying a rotated token after the
//! grace revokes the whole session, the newest token included. Rotation is a conditional
//! `UPDATE ... WHERE refresh_token_hash = <old>`, so it is race-safe on both backends.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::auth::{self, Client, Principal};
use super::customers::{self, Customer, EMAILPASS};
use super::throttle::{self, Action};
use super::validate::Email;
use super::{Store, StoreError, events, ids, now, tokens};
use crate::db::Backend;
use crate::db::schema::{identities, sessions};
use crate::db_run;
use crate::error::Secret;

/// A signed-in session as handed to the client.
#[derive(Clone, Debug)]
pub struct AuthSession {
    pub access_token: Secret<String>,
    pub refresh_token: Secret<String>,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    pub customer: Customer,
}

/// A new session row, inserted inside the caller's transaction.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NewSession {
    pub id: String,
    identity_id: String,
    customer_id: Option<String>,
    refresh_token_hash: String,
    expires_at: chrono::NaiveDateTime,
    last_used_at: chrono::NaiveDateTime,
    user_agent: Option<String>,
    ip: Option<String>,
    created_at: chrono::NaiveDateTime,
}

/// A fresh session for this identity and its refresh token (shown to the client once).
pub fn new_row(
    store: &Store,
    identity_id: &str,
    customer_id: &str,
    client: &Client,
) -> Result<(NewSession, Secret<String>), StoreError> {
    new_identity_row(store, identity_id, Some(customer_id), client)
}

/// A fresh session for an identity that may not have a customer yet (the identity is
/// registered first, see [`super::identities`]).
pub fn new_identity_row(
    store: &Store,
    identity_id: &str,
    customer_id: Option<&str>,
    client: &Client,
) -> Result<(NewSession, Secret<String>), StoreError> {
    let at = now();
    let lifetime = chrono::Duration::from_std(store.config().refresh_token_ttl)
        .map_err(|e| StoreError::Internal(format!("refresh token ttl: {e}")))?;
    let token = tokens::random("");
    let row = NewSession {
        id: ids::new(ids::prefix::SESSION),
        identity_id: identity_id.to_owned(),
        customer_id: customer_id.map(str::to_owned),
        refresh_token_hash: tokens::hash(token.expose()),
        expires_at: at + lifetime,
        last_used_at: at,
        user_agent: client
            .user_agent
            .as_ref()
            .map(|ua| ua.chars().take(255).collect()),
        ip: client.ip.map(|ip| ip.to_string()),
        created_at: at,
    };
    Ok((row, token))
}

/// The answer to a successful sign-in: an access token for the session plus its refresh token.
pub fn payload(
    store: &Store,
    customer: Customer,
    session_id: &str,
    refresh_token: Secret<String>,
) -> Result<AuthSession, StoreError> {
    let (access_token, expires_at) = auth::issue(store, &customer.id, session_id)?;
    Ok(AuthSession {
        access_token,
        refresh_token,
        expires_at,
        customer,
    })
}

/// Signs in with email and password. An unknown email verifies against a dummy hash, so it
/// takes as long as a wrong password and answers the same `INVALID_CREDENTIALS`.
pub async fn login(
    store: &Store,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<AuthSession, StoreError> {
    let (identity_id, customer_id) = check_password(store, email, password, client).await?;
    let Some(customer_id) = customer_id else {
        return Err(StoreError::InvalidCredentials);
    };
    let customer = customers::get(store, &customer_id).await?;
    super::email_verification::require_verified(store, &customer)?;
    let (session, refresh) = new_row(store, &identity_id, &customer_id, client)?;
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::insert_into(sessions::table)
        .values(&session)
        .execute(c)
        .await)?;
    drop(conn);
    tracing::info!(customer_id = %customer_id, session_id = %session.id, "signed in");
    super::orders::history::attach_guest_orders(store, &customer, client).await?;
    payload(store, customer, &session.id, refresh)
}

/// Checks an email and password against the login identities, counted against the login
/// throttles. An unknown email verifies against a dummy hash, so it takes as long as a wrong
/// password. Answers the identity and its customer (none yet for an identity registered first).
pub(super) async fn check_password(
    store: &Store,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<(String, Option<String>), StoreError> {
    let raw = email;
    let email = Email::parse("email", raw).ok();
    // A malformed email still counts, against what was typed.
    let key = email
        .as_ref()
        .map_or_else(|| raw.trim().to_lowercase(), |e| e.as_str().to_owned());
    let buckets: Vec<_> = throttle::ip_bucket(store, Action::Login, client.ip)
        .into_iter()
        .chain([throttle::account_net_bucket(
            store,
            Action::Login,
            &key,
            client.ip,
        )])
        .collect();
    throttle::count(store, &buckets).await?;
    let identity: Option<(String, String, Option<String>)> = match &email {
        Some(email) => {
            let mut conn = store.db().conn().await?;
            db_run!(conn, |c| identities::table
                .filter(identities::provider.eq(EMAILPASS))
                .filter(identities::email.eq(email.as_str()))
                .select((
                    identities::id,
                    identities::password_hash,
                    identities::customer_id
                ))
                .first(c)
                .await
                .optional())?
        }
        None => None,
    };
    // Over-long input is checked against the dummy hash with a bounded password.
    let bounded = if password.len() > 4 * super::passwords::MAX_CHARS {
        ""
    } else {
        password
    };
    let stored = identity
        .as_ref()
        .filter(|_| !bounded.is_empty())
        .map(|(_, hash, _)| hash.as_str());
    let matches = store.hasher().verify(bounded, stored).await?;
    match identity.filter(|_| matches) {
        Some((identity_id, _, customer_id)) => Ok((identity_id, customer_id)),
        None => Err(StoreError::InvalidCredentials),
    }
}

/// The refresh token that follows `token` in session `session_id`.
fn next_token(store: &Store, session_id: &str, token: &str) -> Secret<String> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(store.jwt().refresh_key())
        .expect("HMAC takes keys of any length");
    mac.update(session_id.as_bytes());
    mac.update(b"\0");
    mac.update(token.as_bytes());
    Secret::new(hex::encode(mac.finalize().into_bytes()))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct SessionRow {
    id: String,
    customer_id: Option<String>,
    refresh_token_hash: String,
    previous_token_hash: Option<String>,
    rotated_at: Option<chrono::NaiveDateTime>,
    revoked_at: Option<chrono::NaiveDateTime>,
    expires_at: chrono::NaiveDateTime,
}

enum Outcome {
    /// The token was current and is now rotated (session id, customer id).
    Rotated(String, Option<String>),
    /// A just-rotated token replayed within the grace: the same next token again.
    Replayed(String, Option<String>),
    /// A rotated token replayed after the grace: the session is revoked.
    Reused,
    Invalid,
}

/// Rotates the session of the presented token (its hash `presented`), or judges a replay:
/// within the grace it gets the same next token again, after it the session is revoked.
async fn rotate(
    c: &mut Backend<'_>,
    store: &Store,
    token: &str,
    presented: &str,
    grace: chrono::Duration,
) -> Result<Outcome, StoreError> {
    let Some(mut row) = find_by_token(c, presented).await? else {
        return Ok(Outcome::Invalid);
    };
    let at = now();
    if row.revoked_at.is_some() || row.expires_at <= at {
        return Ok(Outcome::Invalid);
    }
    let next = next_token(store, &row.id, token);
    let next_hash = tokens::hash(next.expose());
    if row.refresh_token_hash == presented {
        if swap_token(c, &row.id, presented, &next_hash, at).await? {
            return Ok(Outcome::Rotated(row.id, row.customer_id));
        }
        // Another request rotated it first (PostgreSQL, concurrent): judge as a replay.
        match find_by_token(c, presented).await? {
            Some(fresh) => row = fresh,
            None => return Ok(Outcome::Invalid),
        }
        if row.revoked_at.is_some() {
            return Ok(Outcome::Invalid);
        }
    }
    if within_grace(&row, presented, &next_hash, at, grace) {
        return Ok(Outcome::Replayed(row.id, row.customer_id));
    }
    db_run!(c, |c| diesel::update(sessions::table.find(&row.id))
        .set(sessions::revoked_at.eq(at))
        .execute(c)
        .await)?;
    session_ended(c, &row.id, row.customer_id.as_deref(), "refresh_reuse").await?;
    Ok(Outcome::Reused)
}

/// The session whose current or previous refresh token hashes to `hash`.
async fn find_by_token(c: &mut Backend<'_>, hash: &str) -> Result<Option<SessionRow>, StoreError> {
    let row = db_run!(c, |c| sessions::table
        .filter(
            sessions::refresh_token_hash
                .eq(hash)
                .or(sessions::previous_token_hash.eq(hash)),
        )
        .select(SessionRow::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row)
}

/// Replaces the current token `presented` by `next_hash`; false when another request (or a
/// revocation) changed the row first.
async fn swap_token(
    c: &mut Backend<'_>,
    id: &str,
    presented: &str,
    next_hash: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let rotated = db_run!(c, |c| diesel::update(sessions::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::refresh_token_hash.eq(presented))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::refresh_token_hash.eq(next_hash),
            sessions::previous_token_hash.eq(presented),
            sessions::rotated_at.eq(at),
            sessions::last_used_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(rotated == 1)
}

/// Whether `presented` is the token just rotated away from, replayed within the grace (so the
/// replay gets the same next token, `next_hash`, which is still current).
fn within_grace(
    row: &SessionRow,
    presented: &str,
    next_hash: &str,
    at: NaiveDateTime,
    grace: chrono::Duration,
) -> bool {
    row.previous_token_hash.as_deref() == Some(presented)
        && row.refresh_token_hash == next_hash
        && row.rotated_at.is_some_and(|r| at <= r + grace)
        && grace > chrono::Duration::zero()
}

fn invalid_refresh() -> StoreError {
    StoreError::InvalidToken("the refresh token is invalid or expired".into())
}

/// Exchanges a refresh token for a new access token and the next refresh token.
pub async fn refresh(
    store: &Store,
    token: &str,
    client: &Client,
) -> Result<AuthSession, StoreError> {
    throttle::per_ip(store, Action::Refresh, client.ip).await?;
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Err(invalid_refresh());
    }
    let presented = tokens::hash(token);
    let grace = chrono::Duration::from_std(store.config().refresh_reuse_grace)
        .map_err(|e| StoreError::Internal(format!("refresh grace: {e}")))?;
    let mut conn = store.db().write_conn().await?;
    let outcome = db_run!(conn, |c| c
        .transaction(async |c| rotate(&mut c.into(), store, token, &presented, grace).await)
        .await)?;
    drop(conn);
    let (session_id, customer_id) = match outcome {
        Outcome::Rotated(id, customer) | Outcome::Replayed(id, customer) => (id, customer),
        Outcome::Reused => {
            tracing::warn!("a rotated refresh token was reused after the grace: session revoked");
            return Err(invalid_refresh());
        }
        Outcome::Invalid => return Err(invalid_refresh()),
    };
    let next = next_token(store, &session_id, token);
    let customer_id = customer_id.ok_or_else(invalid_refresh)?;
    let customer = customers::get(store, &customer_id).await?;
    payload(store, customer, &session_id, next)
}

/// Ends the session a refresh token belongs to and/or the caller's session. Answers whether a
/// live session was ended; with neither a token nor a principal it is `UNAUTHENTICATED`.
pub async fn logout(
    store: &Store,
    principal: Option<&Principal>,
    refresh_token: Option<&str>,
) -> Result<bool, StoreError> {
    let hash = refresh_token.map(|t| tokens::hash(t.trim()));
    if hash.is_none() && principal.is_none() {
        return Err(StoreError::Unauthenticated);
    }
    let session_id = principal.map(|p| p.session_id.clone());
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let ended = db_run!(conn, |c| c
        .transaction(async |c| {
            let mut ended: Vec<(String, Option<String>)> = Vec::new();
            if let Some(hash) = &hash {
                ended.extend(
                    diesel::update(sessions::table)
                        .filter(
                            sessions::refresh_token_hash
                                .eq(hash)
                                .or(sessions::previous_token_hash.eq(hash)),
                        )
                        .filter(sessions::revoked_at.is_null())
                        .set(sessions::revoked_at.eq(at))
                        .returning((sessions::id, sessions::customer_id))
                        .get_results(c)
                        .await?,
                );
            }
            if let Some(id) = &session_id {
                ended.extend(
                    diesel::update(sessions::table.find(id))
                        .filter(sessions::revoked_at.is_null())
                        .set(sessions::revoked_at.eq(at))
                        .returning((sessions::id, sessions::customer_id))
                        .get_results(c)
                        .await?,
                );
            }
            for (session, customer) in &ended {
                session_ended(&mut c.into(), session, customer.as_deref(), "logout").await?;
            }
            Ok::<_, StoreError>(ended.len())
        })
        .await)?;
    Ok(ended > 0)
}

/// Inside the transaction that ends a session: the `customer.session_ended` event, so open
/// sockets of that session (on any instance) close.
async fn session_ended(
    c: &mut Backend<'_>,
    session_id: &str,
    customer_id: Option<&str>,
    reason: &str,
) -> Result<(), StoreError> {
    let Some(customer_id) = customer_id.filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let event = events::customer(
        customer_id,
        &events::SessionEnded {
            id: customer_id.to_owned(),
            session_id: session_id.to_owned(),
            reason: reason.to_owned(),
        },
    );
    events::insert(c, &event).await
}
