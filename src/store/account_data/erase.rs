//! Account deletion. With the current password, in one transaction:
//!
//! - every session ends (the rows go, with their IPs and user agents), the login identity and
//!   its reset tokens go, so the email is free for a new registration at once;
//! - the address book, wishlists, saved payment methods, open carts, pending links and export
//!   links go; store credits stay with their ledgers (ids and amounts) but lose their reasons;
//! - placed orders stay for the shop's books, anonymised: the email becomes the customer's
//!   placeholder, the address snapshots keep only the tax jurisdiction (country, province, city,
//!   postal code: what the tax charged was computed from and what tax records must show), and
//!   the customer's note and metadata go. Guest orders placed with the email join them when the
//!   email was verified (proof they are the same person's);
//! - the customer row stays as an anonymised tombstone (`deleted_at`, email
//!   `deleted+<id>@erased.invalid`, a non-routable address), so the kept orders still group;
//! - event payloads and stored idempotent answers that name the customer (by email or by the
//!   id of the customer, an address, a cart or an order: never by a name, which others may
//!   share) are blanked, mail queued to the address is dropped and sent mail forgets its
//!   recipient;
//! - `customer.deleted` is recorded (open sockets of the account close) and a last mail tells
//!   the old address; the outbox forgets that address once the mail has left.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::db::Backend;
use crate::db::schema::{
    addresses, customers, data_exports, email_tokens, events as events_t, idempotency_keys,
    identities, line_items, mail_outbox, orders, password_resets, sessions,
};
use crate::db_run;
use crate::error::Secret;
use crate::store::auth::{Client, Principal};
use crate::store::mail::{self, outbox};
use crate::store::orders::{Order, OrderAddress, OrderStatus};
use crate::store::{
    Store, StoreError, accounts, addresses as book, customers as people, events, now,
};

/// The address an erased customer's rows carry instead of theirs: `.invalid` never routes
/// (RFC 2606), and the id keeps it unique.
pub fn placeholder_email(customer_id: &str) -> String {
    format!("deleted+{}@erased.invalid", customer_id.to_lowercase())
}

/// Deletes the signed-in customer's account (see the module documentation). Answers how many
/// placed orders were kept, anonymised.
pub async fn delete_account(
    store: &Store,
    principal: &Principal,
    current_password: &Secret<String>,
    client: &Client,
) -> Result<i64, StoreError> {
    accounts::check_current_password(store, principal, current_password.expose(), client).await?;
    let customer = people::get(store, &principal.customer_id).await?;
    if customer.deleted_at.is_some() {
        return Err(StoreError::Unauthenticated);
    }
    let book = book::list_for_customers(store, std::slice::from_ref(&customer.id))
        .await?
        .remove(&customer.id)
        .unwrap_or_default();
    let address_ids: Vec<String> = book.into_iter().map(|a| a.id).collect();

    let erasure = Erasure {
        customer_id: &customer.id,
        email: &customer.email,
        placeholder: placeholder_email(&customer.id),
        verified: customer.email_verified_at.is_some(),
        address_ids: &address_ids,
    };
    let at = now();
    let goodbye = mail::account_deleted(store.config(), &customer.email, at);
    let mut conn = store.db().write_conn().await?;
    let kept = db_run!(conn, |c| c
        .transaction(async |c| {
            let kept = erase(&mut c.into(), &erasure, at).await?;
            let event = events::customer(
                &customer.id,
                &events::CustomerDeleted {
                    id: customer.id.clone(),
                    orders_kept: kept,
                },
            );
            events::insert(&mut c.into(), &event).await?;
            outbox::queue(&mut c.into(), &goodbye).await?;
            Ok::<_, StoreError>(kept)
        })
        .await)?;
    drop(conn);
    store.wake_mail();
    tracing::info!(customer_id = %customer.id, orders_kept = kept, "account deleted");
    Ok(kept)
}

/// What one deletion erases.
struct Erasure<'a> {
    customer_id: &'a str,
    email: &'a str,
    placeholder: String,
    verified: bool,
    /// The address book's ids: stored answers about an address name it.
    address_ids: &'a [String],
}

/// Inside the deletion's transaction: everything but the event and the last mail. Answers how
/// many placed orders were kept.
async fn erase(c: &mut Backend<'_>, e: &Erasure<'_>, at: NaiveDateTime) -> Result<i64, StoreError> {
    let id = e.customer_id;
    let logins: Vec<String> = db_run!(c, |c| identities::table
        .filter(identities::customer_id.eq(id))
        .select(identities::id)
        .load(c)
        .await)?;
    db_run!(c, |c| diesel::delete(
        sessions::table.filter(
            sessions::customer_id
                .eq(id)
                .or(sessions::identity_id.eq_any(&logins))
        )
    )
    .execute(c)
    .await)?;
    db_run!(c, |c| diesel::delete(
        password_resets::table.filter(password_resets::identity_id.eq_any(&logins))
    )
    .execute(c)
    .await)?;
    db_run!(c, |c| diesel::delete(
        identities::table.filter(identities::id.eq_any(&logins))
    )
    .execute(c)
    .await)?;
    db_run!(c, |c| diesel::delete(
        email_tokens::table.filter(email_tokens::customer_id.eq(id))
    )
    .execute(c)
    .await)?;
    db_run!(c, |c| diesel::delete(
        data_exports::table.filter(data_exports::customer_id.eq(id))
    )
    .execute(c)
    .await)?;

    // The customer first lets go of its default addresses, then the book goes.
    db_run!(c, |c| diesel::update(customers::table.find(id))
        .set((
            customers::email.eq(&e.placeholder),
            customers::has_account.eq(false),
            customers::first_name.eq(None::<String>),
            customers::last_name.eq(None::<String>),
            customers::phone.eq(None::<String>),
            customers::company.eq(None::<String>),
            customers::accepts_marketing.eq(false),
            customers::metadata.eq("{}"),
            customers::default_shipping_address_id.eq(None::<String>),
            customers::default_billing_address_id.eq(None::<String>),
            customers::email_verified_at.eq(None::<NaiveDateTime>),
            customers::deleted_at.eq(at),
            customers::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::delete(
        addresses::table.filter(addresses::customer_id.eq(id))
    )
    .execute(c)
    .await)?;
    // Wishlists and saved payment methods go too (the tombstone row keeps the cascade away).
    crate::store::wishlists::erase_for_customer(c, id).await?;
    crate::store::payment_methods::erase_for_customer(c, id).await?;
    // Store credits stay (the shop owes them; their ledgers hold only ids and amounts), but
    // the reasons the shop wrote may name the customer.
    crate::store::balances::store_credits::erase_for_customer(c, id).await?;

    let carts: Vec<String> = db_run!(c, |c| orders::table
        .filter(orders::customer_id.eq(id))
        .filter(orders::state.eq(OrderStatus::Cart))
        .select(orders::id)
        .load(c)
        .await)?;
    db_run!(c, |c| diesel::delete(
        line_items::table.filter(line_items::order_id.eq_any(&carts))
    )
    .execute(c)
    .await)?;
    db_run!(c, |c| diesel::delete(
        orders::table.filter(orders::id.eq_any(&carts))
    )
    .execute(c)
    .await)?;

    let kept = anonymise_orders(c, e, at).await?;
    forget_traces(c, e, &kept, &carts).await?;
    Ok(kept.iter().filter(|(_, placed)| *placed).count() as i64)
}

/// Anonymises the customer's placed orders (and, when the email was verified, the guest
/// orders placed with it, which join the tombstone). Answers their ids and numbers (each with
/// `true`: a placed order).
async fn anonymise_orders(
    c: &mut Backend<'_>,
    e: &Erasure<'_>,
    at: NaiveDateTime,
) -> Result<Vec<(String, bool)>, StoreError> {
    let mine = orders::customer_id.eq(e.customer_id);
    let rows: Vec<Order> = if e.verified {
        let guest = orders::customer_id
            .is_null()
            .and(orders::email.eq(e.email))
            .and(orders::state.ne(OrderStatus::Cart));
        db_run!(c, |c| orders::table
            .filter(mine.or(guest))
            .select(Order::as_select())
            .load(c)
            .await)?
    } else {
        db_run!(c, |c| orders::table
            .filter(mine)
            .select(Order::as_select())
            .load(c)
            .await)?
    };
    let snapshot = |a: Option<OrderAddress>| a.map(|a| a.anonymised().to_column());
    for order in &rows {
        let shipping = snapshot(order.shipping_address());
        let billing = snapshot(order.billing_address());
        db_run!(c, |c| diesel::update(orders::table.find(&order.id))
            .set((
                orders::customer_id.eq(e.customer_id),
                orders::email.eq(&e.placeholder),
                orders::shipping_address.eq(&shipping),
                orders::billing_address.eq(&billing),
                orders::note.eq(None::<String>),
                orders::metadata.eq("{}"),
                orders::updated_at.eq(at),
            ))
            .execute(c)
            .await)?;
    }
    Ok(rows
        .into_iter()
        .flat_map(|o| {
            let number = o.number.map(|n| (format!("\"{n}\""), false));
            std::iter::once((o.id, true)).chain(number)
        })
        .collect())
}

/// The part of a row id after its prefix: an order's id (`or_X`) and its cart id (`cart_X`)
/// share it, and no other row's id contains it.
fn ulid_of(id: &str) -> &str {
    id.split_once('_').map_or(id, |(_, ulid)| ulid)
}

/// Blanks what still names the customer outside their own rows: event payloads about them or
/// their orders (and guest events quoting their email), stored idempotent answers naming them,
/// their addresses, carts or orders, and mail to them. Matching is by the quoted email and by
/// ids, never by names, so nobody else's rows are touched.
async fn forget_traces(
    c: &mut Backend<'_>,
    e: &Erasure<'_>,
    kept: &[(String, bool)],
    carts: &[String],
) -> Result<(), StoreError> {
    const ERASED: &str = r#"{"erased":true}"#;
    let order_ids: Vec<&str> = kept
        .iter()
        .filter(|(_, placed)| *placed)
        .map(|(id, _)| id.as_str())
        .collect();
    db_run!(c, |c| diesel::update(
        events_t::table.filter(
            events_t::customer_id
                .eq(e.customer_id)
                .or(events_t::order_id.eq_any(&order_ids))
        )
    )
    .set(events_t::payload.eq(ERASED))
    .execute(c)
    .await)?;
    let email = format!("%\"{}\"%", e.email);
    db_run!(c, |c| diesel::update(
        events_t::table.filter(events_t::payload.like(&email))
    )
    .set(events_t::payload.eq(ERASED))
    .execute(c)
    .await)?;
    let traces = [format!("\"{}\"", e.email), e.customer_id.to_owned()]
        .into_iter()
        .chain(e.address_ids.iter().cloned())
        .chain(carts.iter().map(|id| ulid_of(id).to_owned()))
        .chain(kept.iter().map(|(id, placed)| {
            if *placed {
                ulid_of(id).to_owned()
            } else {
                id.clone()
            }
        }));
    for trace in traces {
        let pattern = format!("%{trace}%");
        db_run!(c, |c| diesel::delete(
            idempotency_keys::table.filter(idempotency_keys::body.like(&pattern))
        )
        .execute(c)
        .await)?;
    }
    // Mail not yet sent to the address is dropped; sent mail (its body already blank) forgets
    // the address.
    db_run!(c, |c| diesel::delete(
        mail_outbox::table
            .filter(mail_outbox::recipient.eq(e.email))
            .filter(mail_outbox::status.eq_any([outbox::status::PENDING, outbox::status::SENDING]))
    )
    .execute(c)
    .await)?;
    db_run!(c, |c| diesel::update(
        mail_outbox::table.filter(mail_outbox::recipient.eq(e.email))
    )
    .set(mail_outbox::recipient.eq(""))
    .execute(c)
    .await)?;
    Ok(())
}
