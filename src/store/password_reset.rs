//! Password reset: a 256-bit random token (stored as SHA-256) mailed as a link, valid for
//! `STOREFRONT_PASSWORD_RESET_TTL`, single use; a newer request or a password change voids older
//! tokens. Success sets the password, ends every session and signs in afresh.
//!
//! Unknown emails get the same answer after the same work (token made and hashed, one
//! transaction) and no mail. The mail is queued in the outbox by the request's transaction and
//! leaves through the mail worker, so neither the answer nor its timing depends on the mail
//! server, and a restart does not lose it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::auth::Client;
use super::customers::{self, EMAILPASS};
use super::events::NewEvent;
use super::mail::{self, outbox};
use super::passwords::NewPassword;
use super::sessions::{self, AuthSession, NewSession};
use super::throttle::{self, Action};
use super::validate::Email;
use super::{Store, StoreError, events, ids, now, tokens};
use crate::db::Backend;
use crate::db::schema::{identities, password_resets, sessions as sessions_t};
use crate::db_run;

/// The one answer to every reset request.
pub const REQUESTED_MESSAGE: &str =
    "If an account exists for that email, a link to reset its password is on its way.";

/// Sends a reset link to the account with this email, if there is one.
pub async fn request(
    store: &Store,
    email: &str,
    redirect_url: Option<&str>,
    client: &Client,
) -> Result<&'static str, StoreError> {
    throttle::per_ip(store, Action::Reset, client.ip).await?;
    let email = Email::parse("email", email)?;
    throttle::per_account(store, Action::Reset, email.as_str()).await?;
    let redirect = redirect_url.and_then(|u| allowed_redirect(&store.config().allowed_origins, u));
    let token = tokens::random("");
    let token_hash = tokens::hash(token.expose());
    let at = now();
    let ttl = chrono::Duration::from_std(store.config().password_reset_ttl)
        .map_err(|e| StoreError::Internal(format!("reset ttl: {e}")))?;

    let mut conn = store.db().write_conn().await?;
    let identity: Option<(String, Option<String>)> = db_run!(conn, |c| identities::table
        .filter(identities::provider.eq(EMAILPASS))
        .filter(identities::email.eq(email.as_str()))
        .select((identities::id, identities::customer_id))
        .first(c)
        .await
        .optional())?;
    // The same statements run for unknown emails, matching nothing, so the time is alike.
    let identity_id = identity
        .as_ref()
        .map_or_else(|| ids::new(ids::prefix::IDENTITY), |(id, _)| id.clone());
    let customer_id = identity.as_ref().and_then(|(_, c)| c.clone());
    let row_id = ids::new(ids::prefix::PASSWORD_RESET);
    let event = events::customer(
        customer_id.as_deref().unwrap_or_default(),
        &events::PasswordResetRequested {
            customer_id: customer_id.clone(),
            email: email.as_str().to_owned(),
            token: token.expose().clone(),
            expires_at: (at + ttl).and_utc().to_rfc3339(),
            redirect_url: redirect.clone(),
        },
    );
    let known = identity.is_some();
    let link = reset_link(redirect.clone(), &store.config().public_url, token.expose());
    let reset_mail = mail::password_reset(store.config(), email.as_str(), &link, at + ttl);
    db_run!(conn, |c| c
        .transaction(async |c| {
            diesel::update(password_resets::table)
                .filter(password_resets::identity_id.eq(&identity_id))
                .filter(password_resets::used_at.is_null())
                .set(password_resets::used_at.eq(at))
                .execute(c)
                .await?;
            if known {
                diesel::insert_into(password_resets::table)
                    .values((
                        password_resets::id.eq(&row_id),
                        password_resets::identity_id.eq(&identity_id),
                        password_resets::token_hash.eq(&token_hash),
                        password_resets::redirect_url.eq(&redirect),
                        password_resets::expires_at.eq(at + ttl),
                        password_resets::created_at.eq(at),
                    ))
                    .execute(c)
                    .await?;
                events::insert(&mut c.into(), &event).await?;
                outbox::queue(&mut c.into(), &reset_mail).await?;
            }
            Ok::<_, StoreError>(())
        })
        .await)?;
    drop(conn);

    if known {
        store.wake_mail();
        tracing::info!(identity_id = %identity_id, "password reset requested");
    }
    Ok(REQUESTED_MESSAGE)
}

/// `url` when its scheme, host and port match one of the allowed origins, else `None`.
pub fn allowed_redirect(allowed: &[String], url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return None;
    }
    let origin = parsed.origin();
    allowed
        .iter()
        .filter_map(|o| url::Url::parse(o).ok())
        .any(|o| o.origin() == origin)
        .then(|| parsed.to_string())
}

/// What a reset changes, once its token is claimed.
struct Reset<'a> {
    token_hash: &'a str,
    identity_id: &'a str,
    customer_id: &'a str,
    password_hash: &'a str,
    session: &'a NewSession,
    event: &'a NewEvent,
    config: &'a crate::config::Config,
}

/// Claims the token (false when it is no longer live), sets the password, ends every other
/// reset and session of the identity, and opens the new session.
async fn apply(
    c: &mut Backend<'_>,
    reset: &Reset<'_>,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let claimed = db_run!(c, |c| diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(reset.token_hash))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(at))
    )
    .set(password_resets::used_at.eq(at))
    .execute(c)
    .await)?;
    if claimed != 1 {
        return Ok(false);
    }
    let email: String = db_run!(c, |c| diesel::update(
        identities::table.find(reset.identity_id)
    )
    .set((
        identities::password_hash.eq(reset.password_hash),
        identities::updated_at.eq(at),
    ))
    .returning(identities::email)
    .get_result(c)
    .await)?;
    // The link reached the account's address: that proves it as a verification link would.
    super::email_verification::mark_verified(c, reset.customer_id, &email, "password_reset", at)
        .await?;
    db_run!(c, |c| diesel::update(password_resets::table)
        .filter(password_resets::identity_id.eq(reset.identity_id))
        .filter(password_resets::used_at.is_null())
        .set(password_resets::used_at.eq(at))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::update(sessions_t::table)
        .filter(sessions_t::identity_id.eq(reset.identity_id))
        .filter(sessions_t::revoked_at.is_null())
        .set(sessions_t::revoked_at.eq(at))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::insert_into(sessions_t::table)
        .values(reset.session)
        .execute(c)
        .await)?;
    events::insert(c, reset.event).await?;
    outbox::queue(c, &mail::password_changed(reset.config, &email, at)).await?;
    Ok(true)
}

/// The link to the reset page (the allowed `redirect`, or the shop's own page) with the token.
fn reset_link(redirect: Option<String>, public_url: &str, token: &str) -> String {
    let base = redirect.unwrap_or_else(|| format!("{public_url}/reset-password"));
    super::email_tokens::link(&base, token)
}

fn invalid_reset() -> StoreError {
    StoreError::InvalidToken("the reset link is invalid or has expired".into())
}

/// Sets a new password with a reset token; ends every session and signs in afresh.
pub async fn reset(
    store: &Store,
    token: &str,
    password: &str,
    password_confirmation: &str,
    client: &Client,
) -> Result<AuthSession, StoreError> {
    throttle::per_ip(store, Action::Reset, client.ip).await?;
    let new_password = NewPassword::parse("password", password)?;
    if password != password_confirmation {
        return Err(StoreError::invalid(
            "password_confirmation",
            "does not match the password",
        ));
    }
    let token_hash = tokens::hash(token.trim());
    let live = |c_at: chrono::NaiveDateTime| {
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash.clone()))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(c_at))
    };
    // Checked before hashing so a bad token costs no Argon2 work; checked again when used.
    let mut conn = store.db().conn().await?;
    let found: Option<(String, String)> = db_run!(conn, |c| live(now())
        .inner_join(identities::table)
        .select((password_resets::identity_id, identities::id))
        .first(c)
        .await
        .optional())?;
    drop(conn);
    let Some((identity_id, _)) = found else {
        return Err(invalid_reset());
    };
    let hash = store.hasher().hash(&new_password).await?;

    let at = now();
    let mut conn = store.db().write_conn().await?;
    let customer_id: Option<String> = db_run!(conn, |c| identities::table
        .find(&identity_id)
        .select(identities::customer_id)
        .first(c)
        .await)?;
    let customer_id = customer_id.ok_or_else(invalid_reset)?;
    let (session, refresh) = sessions::new_row(store, &identity_id, &customer_id, client)?;
    let event = events::customer(
        &customer_id,
        &events::PasswordReset {
            id: customer_id.clone(),
        },
    );
    let used = db_run!(conn, |c| c
        .transaction(async |c| {
            let reset = Reset {
                token_hash: &token_hash,
                identity_id: &identity_id,
                customer_id: &customer_id,
                password_hash: &hash,
                session: &session,
                event: &event,
                config: store.config(),
            };
            apply(&mut c.into(), &reset, at).await
        })
        .await)?;
    drop(conn);
    if !used {
        return Err(invalid_reset());
    }
    store.wake_mail();
    tracing::info!(customer_id = %customer_id, "password reset; sessions ended");
    let customer = customers::get(store, &customer_id).await?;
    sessions::payload(store, customer, &session.id, refresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_token_after_any_query() {
        assert_eq!(
            reset_link(None, "https://shop.test", "tok"),
            "https://shop.test/reset-password?token=tok"
        );
        assert_eq!(
            reset_link(
                Some("https://app.test/r?x=1".into()),
                "https://shop.test",
                "tok"
            ),
            "https://app.test/r?x=1&token=tok"
        );
    }
}
