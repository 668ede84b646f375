//! Verified email change. A signed-in customer asks for a new email with the current password
//! ([`super::accounts::update_me`] or [`request`]); nothing changes yet. The new address gets a
//! link that confirms the change (`STOREFRONT_PUBLIC_URL/confirm-email-change?token=...`), the
//! old one a notice with a link that cancels it (`.../cancel-email-change?token=...`); both
//! live for `STOREFRONT_EMAIL_VERIFICATION_TTL` and the first one used voids the other. A newer
//! request voids an older one.
//!
//! The request answers the same whether or not the new address belongs to another account
//! (that would reveal who has an account); uniqueness is enforced when the change is
//! confirmed, by the one who controls the new address, and by the unique index under it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::auth::{Client, Principal};
use super::customers::{self, Customer, EMAILPASS};
use super::email_tokens::{self, purpose};
use super::mail::{self, outbox};
use super::{Store, StoreError, accounts, events, ids, now};
use crate::db::Backend;
use crate::db::schema::{customers as customers_t, email_tokens as tokens_t, identities};
use crate::db_run;
use crate::error::Secret;

/// The answer to a change request, whatever happens next.
pub const REQUESTED_MESSAGE: &str = "A link to confirm the change is on its way to the new address; the email changes when it is opened.";

/// The purposes of a change's two links.
const CHANGE: &[&str] = &[purpose::CONFIRM_EMAIL_CHANGE, purpose::CANCEL_EMAIL_CHANGE];

fn page(store: &Store, path: &str, token: &str) -> String {
    email_tokens::link(&format!("{}/{path}", store.config().public_url), token)
}

/// Inside the transaction of a profile update whose password was checked: records the change
/// from `old_email` to `new_email` and queues both mails. Wake the mail worker after the commit.
pub(super) async fn request_in(
    c: &mut Backend<'_>,
    store: &Store,
    customer_id: &str,
    old_email: &str,
    new_email: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let confirm = email_tokens::fresh(store, at)?;
    let cancel = email_tokens::fresh(store, at)?;
    let request_id = ids::new(ids::prefix::EMAIL_TOKEN);
    email_tokens::void(c, customer_id, CHANGE, at).await?;
    for (token, purpose) in [
        (&confirm, purpose::CONFIRM_EMAIL_CHANGE),
        (&cancel, purpose::CANCEL_EMAIL_CHANGE),
    ] {
        email_tokens::insert(c, token, customer_id, purpose, new_email, &request_id, at).await?;
    }
    let config = store.config();
    let confirm_link = page(store, "confirm-email-change", confirm.token.expose());
    let cancel_link = page(store, "cancel-email-change", cancel.token.expose());
    let to_new = mail::email_change_confirm(config, new_email, &confirm_link, confirm.expires_at);
    let to_old = mail::email_change_notice(
        config,
        old_email,
        new_email,
        &cancel_link,
        cancel.expires_at,
    );
    outbox::queue(c, &to_new).await?;
    outbox::queue(c, &to_old).await?;
    let event = events::customer(
        customer_id,
        &events::EmailChangeRequested {
            id: customer_id.to_owned(),
            expires_at: confirm.expires_at.and_utc().to_rfc3339(),
        },
    );
    events::insert(c, &event).await
}

/// Asks for a new email: checks the current password (throttled as a login), then mails the
/// confirmation and the notice. Same as `updateMe` with an email.
pub async fn request(
    store: &Store,
    principal: &Principal,
    new_email: &str,
    current_password: Secret<String>,
    client: &Client,
) -> Result<&'static str, StoreError> {
    let update = accounts::CustomerUpdate {
        email: Some(new_email.to_owned()),
        current_password: Some(current_password),
        ..Default::default()
    };
    accounts::update_me(store, principal, update, client).await?;
    Ok(REQUESTED_MESSAGE)
}

fn invalid_link() -> StoreError {
    StoreError::InvalidToken("the link is invalid or has expired".into())
}

/// Confirms a change with the link mailed to the new address: the email and the login move to
/// it, verified. `Conflict` when another account took the address meanwhile (the link then
/// stays usable until it expires).
pub async fn confirm(store: &Store, token: &str) -> Result<Customer, StoreError> {
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let result = db_run!(conn, |c| c
        .transaction(async |c| {
            let Some(claimed) =
                email_tokens::claim(&mut c.into(), token, purpose::CONFIRM_EMAIL_CHANGE, at)
                    .await?
            else {
                return Ok(None);
            };
            apply(&mut c.into(), &claimed.customer_id, &claimed.email, at).await?;
            Ok::<_, StoreError>(Some(claimed.customer_id))
        })
        .await);
    drop(conn);
    let customer_id = match result {
        // The unique index decides a race with a registration.
        Err(StoreError::Conflict { .. }) => return Err(accounts::email_taken()),
        other => other?.ok_or_else(invalid_link)?,
    };
    store.wake_mail();
    tracing::info!(customer_id = %customer_id, "email change confirmed");
    let customer = customers::get(store, &customer_id).await?;
    super::orders::history::attach_guest_orders(store, &customer, &Client::default()).await?;
    Ok(customer)
}

/// Inside the confirmation's transaction: moves the customer and its login to `email`.
async fn apply(
    c: &mut Backend<'_>,
    customer_id: &str,
    email: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    if accounts::email_in_use(c, email).await? {
        return Err(accounts::email_taken());
    }
    let moved = db_run!(c, |c| diesel::update(customers_t::table.find(customer_id))
        .filter(customers_t::deleted_at.is_null())
        .set((
            customers_t::email.eq(email),
            customers_t::email_verified_at.eq(at),
            customers_t::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    if moved != 1 {
        return Err(invalid_link());
    }
    db_run!(c, |c| diesel::update(identities::table)
        .filter(identities::customer_id.eq(customer_id))
        .filter(identities::provider.eq(EMAILPASS))
        .set((identities::email.eq(email), identities::updated_at.eq(at)))
        .execute(c)
        .await)?;
    // Links about the old address mean nothing now.
    email_tokens::void(c, customer_id, &[purpose::VERIFY_EMAIL], at).await?;
    let event = events::customer(
        customer_id,
        &events::EmailChanged {
            id: customer_id.to_owned(),
            email: email.to_owned(),
        },
    );
    events::insert(c, &event).await
}

/// Cancels a pending change with the link mailed to the old address.
pub async fn cancel(store: &Store, token: &str) -> Result<bool, StoreError> {
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let customer_id = db_run!(conn, |c| c
        .transaction(async |c| {
            let Some(claimed) =
                email_tokens::claim(&mut c.into(), token, purpose::CANCEL_EMAIL_CHANGE, at).await?
            else {
                return Ok(None);
            };
            let event = events::customer(
                &claimed.customer_id,
                &events::EmailChangeCanceled {
                    id: claimed.customer_id.clone(),
                },
            );
            events::insert(&mut c.into(), &event).await?;
            Ok::<_, StoreError>(Some(claimed.customer_id))
        })
        .await)?
    .ok_or_else(invalid_link)?;
    tracing::info!(customer_id = %customer_id, "email change cancelled");
    Ok(true)
}

/// The address a pending change would move to, while its confirmation link is live.
pub async fn pending(store: &Store, customer_id: &str) -> Result<Option<String>, StoreError> {
    let mut conn = store.db().conn().await?;
    let email = db_run!(conn, |c| tokens_t::table
        .filter(tokens_t::customer_id.eq(customer_id))
        .filter(tokens_t::purpose.eq(purpose::CONFIRM_EMAIL_CHANGE))
        .filter(tokens_t::used_at.is_null())
        .filter(tokens_t::expires_at.gt(now()))
        .order(tokens_t::created_at.desc())
        .select(tokens_t::email)
        .first(c)
        .await
        .optional())?;
    Ok(email)
}
