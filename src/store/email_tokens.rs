//! Single-use links mailed about an email address (`email_tokens`): 256-bit random tokens,
//! stored as SHA-256 only, valid for `STOREFRONT_EMAIL_VERIFICATION_TTL`. The tokens of one
//! request share a `request_id` and are used up together, so of an email change's confirm and
//! cancel links only the first one used works.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{Store, StoreError, ids, tokens};
use crate::db::Backend;
use crate::db::schema::email_tokens;
use crate::db_run;
use crate::error::Secret;

/// What a token is for, as stored in `email_tokens.purpose`.
pub mod purpose {
    pub const VERIFY_EMAIL: &str = "verify_email";
    pub const CONFIRM_EMAIL_CHANGE: &str = "confirm_email_change";
    pub const CANCEL_EMAIL_CHANGE: &str = "cancel_email_change";
}

/// A token to insert, with the secret to mail.
pub struct NewToken {
    pub id: String,
    pub token: Secret<String>,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
}

/// A fresh token that expires after the verification lifetime.
pub fn fresh(store: &Store, at: NaiveDateTime) -> Result<NewToken, StoreError> {
    let ttl = chrono::Duration::from_std(store.config().email_verification_ttl)
        .map_err(|e| StoreError::Internal(format!("email verification ttl: {e}")))?;
    let token = tokens::random("");
    Ok(NewToken {
        id: ids::new(ids::prefix::EMAIL_TOKEN),
        token_hash: tokens::hash(token.expose()),
        token,
        expires_at: at + ttl,
    })
}

/// Inside the caller's transaction: stores `token` for `purpose`, about `email`.
pub async fn insert(
    c: &mut Backend<'_>,
    token: &NewToken,
    customer_id: &str,
    purpose: &str,
    email: &str,
    request_id: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::id.eq(&token.id),
            email_tokens::customer_id.eq(customer_id),
            email_tokens::purpose.eq(purpose),
            email_tokens::token_hash.eq(&token.token_hash),
            email_tokens::email.eq(email),
            email_tokens::request_id.eq(request_id),
            email_tokens::expires_at.eq(token.expires_at),
            email_tokens::created_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Voids the customer's live tokens of the given purposes.
pub async fn void(
    c: &mut Backend<'_>,
    customer_id: &str,
    purposes: &[&str],
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::update(email_tokens::table)
        .filter(email_tokens::customer_id.eq(customer_id))
        .filter(email_tokens::purpose.eq_any(purposes))
        .filter(email_tokens::used_at.is_null())
        .set(email_tokens::used_at.eq(at))
        .execute(c)
        .await)?;
    Ok(())
}

/// A claimed token: whose, and about which address.
pub struct Claimed {
    pub customer_id: String,
    pub email: String,
}

/// Uses the live token `token` of `purpose` and every other token of its request; `None` when
/// it is unknown, used or expired. A conditional update, so two uses racing get one winner.
pub async fn claim(
    c: &mut Backend<'_>,
    token: &str,
    purpose: &str,
    at: NaiveDateTime,
) -> Result<Option<Claimed>, StoreError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    let hash = tokens::hash(token);
    let claimed: Option<(String, String, String)> = db_run!(c, |c| diesel::update(
        email_tokens::table
            .filter(email_tokens::token_hash.eq(&hash))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(at))
    )
    .set(email_tokens::used_at.eq(at))
    .returning((
        email_tokens::customer_id,
        email_tokens::email,
        email_tokens::request_id,
    ))
    .get_result(c)
    .await
    .optional())?;
    let Some((customer_id, email, request_id)) = claimed else {
        return Ok(None);
    };
    db_run!(c, |c| diesel::update(email_tokens::table)
        .filter(email_tokens::request_id.eq(&request_id))
        .filter(email_tokens::used_at.is_null())
        .set(email_tokens::used_at.eq(at))
        .execute(c)
        .await)?;
    Ok(Some(Claimed { customer_id, email }))
}

/// `base` with `token` as its `token` query parameter.
pub fn link(base: &str, token: &str) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}token={token}")
}
