//! Email verification: registration mails a single-use link (`STOREFRONT_PUBLIC_URL/verify-email
//! ?token=...`, the storefront's page, which calls `verifyEmail`); opening it marks the email
//! verified. A password reset, mailed to the address, proves it as well, and so does confirming
//! an email change. `resend` answers the same whatever the email, and mails only an account
//! still waiting for verification.
//!
//! A verified email is what lets guest orders placed with it join the account at sign-in
//! ([`super::orders::history::attach_guest_orders`]); with `STOREFRONT_REQUIRE_VERIFIED_EMAIL`
//! it is also what signing in needs ([`require_verified`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::auth::Client;
use super::customers::{self, Customer};
use super::email_tokens::{self, purpose};
use super::mail::{self, outbox};
use super::throttle::{self, Action};
use super::validate::Email;
use super::{Store, StoreError, events, now};
use crate::db::Backend;
use crate::db::schema::customers as customers_t;
use crate::db_run;

/// The one answer to every resend request.
pub const RESEND_MESSAGE: &str =
    "If that email has an account waiting for verification, a new link is on its way.";

/// The storefront page a verification link opens.
fn link(store: &Store, token: &str) -> String {
    email_tokens::link(
        &format!("{}/verify-email", store.config().public_url),
        token,
    )
}

/// Inside the transaction that creates (or re-mails) an account: voids its earlier
/// verification links, stores a new one and queues the mail. Wake the mail worker after the
/// commit.
pub async fn queue(
    c: &mut Backend<'_>,
    store: &Store,
    customer_id: &str,
    email: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let token = email_tokens::fresh(store, at)?;
    email_tokens::void(c, customer_id, &[purpose::VERIFY_EMAIL], at).await?;
    email_tokens::insert(
        c,
        &token,
        customer_id,
        purpose::VERIFY_EMAIL,
        email,
        &token.id,
        at,
    )
    .await?;
    let link = link(store, token.token.expose());
    let notice = mail::email_verification(store.config(), email, &link, token.expires_at);
    outbox::queue(c, &notice).await
}

fn invalid_link() -> StoreError {
    StoreError::InvalidToken("the verification link is invalid or has expired".into())
}

/// Inside a transaction: marks `email` verified for the customer when it is still their email
/// and not yet verified, with the event. Answers whether it changed anything.
pub async fn mark_verified(
    c: &mut Backend<'_>,
    customer_id: &str,
    email: &str,
    how: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let marked = db_run!(c, |c| diesel::update(customers_t::table.find(customer_id))
        .filter(customers_t::email.eq(email))
        .filter(customers_t::email_verified_at.is_null())
        .filter(customers_t::deleted_at.is_null())
        .set((
            customers_t::email_verified_at.eq(at),
            customers_t::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    if marked == 1 {
        let event = events::customer(
            customer_id,
            &events::EmailVerified {
                id: customer_id.to_owned(),
                how: how.to_owned(),
            },
        );
        events::insert(c, &event).await?;
    }
    Ok(marked == 1)
}

/// Uses a verification token: the email it was sent to is verified, if it is still the
/// customer's. Guest orders placed with that email join the account.
pub async fn verify(store: &Store, token: &str) -> Result<Customer, StoreError> {
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let claimed = db_run!(conn, |c| c
        .transaction(async |c| {
            let Some(claimed) =
                email_tokens::claim(&mut c.into(), token, purpose::VERIFY_EMAIL, at).await?
            else {
                return Ok(None);
            };
            mark_verified(
                &mut c.into(),
                &claimed.customer_id,
                &claimed.email,
                "link",
                at,
            )
            .await?;
            Ok::<_, StoreError>(Some(claimed))
        })
        .await)?;
    drop(conn);
    let claimed = claimed.ok_or_else(invalid_link)?;
    let customer = customers::get(store, &claimed.customer_id).await?;
    if customer.email != claimed.email || customer.deleted_at.is_some() {
        // The account moved to another email (or left) since the link was sent.
        return Err(invalid_link());
    }
    tracing::info!(customer_id = %customer.id, "email verified");
    super::orders::history::attach_guest_orders(store, &customer, &Client::default()).await?;
    customers::get(store, &customer.id).await
}

/// Mails a new verification link to the account with this email, if it has one and it is not
/// verified yet. The answer is the same either way.
pub async fn resend(
    store: &Store,
    email: &str,
    client: &Client,
) -> Result<&'static str, StoreError> {
    throttle::per_ip(store, Action::AccountMail, client.ip).await?;
    let email = Email::parse("email", email)?;
    throttle::per_account(store, Action::AccountMail, email.as_str()).await?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let sent = db_run!(conn, |c| c
        .transaction(async |c| {
            let waiting: Option<String> = customers_t::table
                .filter(customers_t::email.eq(email.as_str()))
                .filter(customers_t::has_account.eq(true))
                .filter(customers_t::email_verified_at.is_null())
                .filter(customers_t::deleted_at.is_null())
                .select(customers_t::id)
                .first(c)
                .await
                .optional()?;
            let Some(customer_id) = waiting else {
                return Ok(false);
            };
            queue(&mut c.into(), store, &customer_id, email.as_str(), at).await?;
            Ok::<_, StoreError>(true)
        })
        .await)?;
    drop(conn);
    if sent {
        store.wake_mail();
    }
    Ok(RESEND_MESSAGE)
}

/// With `STOREFRONT_REQUIRE_VERIFIED_EMAIL`, a sign-in of a customer whose email is not verified
/// is refused (after the password was checked, so the answer reveals nothing to a stranger).
pub fn require_verified(store: &Store, customer: &Customer) -> Result<(), StoreError> {
    if store.config().require_verified_email && customer.email_verified_at.is_none() {
        return Err(StoreError::EmailNotVerified);
    }
    Ok(())
}
