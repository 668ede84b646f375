//! Saved payment methods: the shop's payment integration (a secret key) saves a tokenized
//! method for a customer; the customer lists them, picks a default, deletes one.
//!
//! Only a provider's token is kept, with what a person needs to recognise the card (brand, last
//! four digits, expiry, holder, billing address). A card number or a security code must never
//! reach the database or the logs, so saving refuses, as a validation error:
//! - any `number`, `cvc` or `cvv` field, whatever its value;
//! - any text field holding something that looks like a card number: a run of 13 to 19 digits
//!   (spaces and dashes between them allowed) that passes the Luhn check.
//!
//! The provider token is for the integrator only: customer surfaces show brand, last 4, expiry
//! and the default flag. Another customer's method is `NOT_FOUND`, like a missing id. The first
//! method saved is the default; deleting the default makes the most recently saved remaining one
//! the default. Every change writes its `payment_method.*` event in the same transaction.

mod input;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::events::{self, PaymentMethodChange, PaymentMethodChanged};
use super::orders::OrderAddress;
use super::{Entity, Store, StoreError, ids, now};
use crate::db::Backend;
use crate::db::schema::{customers, payment_methods};
use crate::db_run;
use input::validate;
pub use input::{SavePaymentMethod, looks_like_pan};

/// A saved payment method.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = payment_methods, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PaymentMethod {
    pub id: String,
    pub customer_id: String,
    /// The payment provider's name (`stripe`, `adyen`, ...).
    pub provider: String,
    /// The provider's reference to the method. Shown to integrators only, never to customers.
    pub provider_token: String,
    /// Lower case (`visa`, `mastercard`).
    pub brand: String,
    pub last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
    pub holder_name: Option<String>,
    /// JSON snapshot, see [`PaymentMethod::billing_address`].
    billing_address: Option<String>,
    pub is_default: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl PaymentMethod {
    /// The billing address given when it was saved.
    pub fn billing_address(&self) -> Option<OrderAddress> {
        self.billing_address
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
    }
}

fn not_found() -> StoreError {
    StoreError::not_found(Entity::PaymentMethod)
}

fn change(kind: PaymentMethodChange, m: &PaymentMethod) -> PaymentMethodChanged {
    PaymentMethodChanged {
        kind,
        payment_method_id: m.id.clone(),
        provider: m.provider.clone(),
        brand: m.brand.clone(),
        last4: m.last4.clone(),
        is_default: m.is_default,
    }
}

/// Saves a tokenized method for a customer (integrators only: the surface checks the secret
/// key). The customer's first method becomes the default, as does one saved with
/// `make_default`. Saving a provider token the customer already has is a conflict.
pub async fn save(store: &Store, input: &SavePaymentMethod) -> Result<PaymentMethod, StoreError> {
    let valid = validate(input, now().date())?;
    let id = ids::new(ids::prefix::PAYMENT_METHOD);
    let customer_id = input.customer_id.as_str();
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let taken: i64 = db_run!(c, |c| payment_methods::table
                .filter(payment_methods::customer_id.eq(customer_id))
                .filter(payment_methods::provider.eq(&valid.provider))
                .filter(payment_methods::provider_token.eq(&valid.provider_token))
                .count()
                .get_result(c)
                .await)?;
            if taken > 0 {
                return Err(StoreError::Conflict {
                    message: "this payment method is already saved for the customer".into(),
                    field: Some("provider_token".into()),
                });
            }
            let has_default: i64 = db_run!(c, |c| payment_methods::table
                .filter(payment_methods::customer_id.eq(customer_id))
                .filter(payment_methods::is_default.eq(true))
                .count()
                .get_result(c)
                .await)?;
            let is_default = has_default == 0 || input.make_default == Some(true);
            if is_default {
                unset_default(c, customer_id).await?;
            }
            db_run!(c, |c| diesel::insert_into(payment_methods::table)
                .values((
                    payment_methods::id.eq(&id),
                    payment_methods::customer_id.eq(customer_id),
                    payment_methods::provider.eq(&valid.provider),
                    payment_methods::provider_token.eq(&valid.provider_token),
                    payment_methods::brand.eq(&valid.brand),
                    payment_methods::last4.eq(&valid.last4),
                    payment_methods::exp_month.eq(valid.exp_month),
                    payment_methods::exp_year.eq(valid.exp_year),
                    payment_methods::holder_name.eq(&valid.holder_name),
                    payment_methods::billing_address.eq(&valid.billing_address),
                    payment_methods::is_default.eq(is_default),
                    payment_methods::created_at.eq(at),
                    payment_methods::updated_at.eq(at),
                ))
                .execute(c)
                .await)?;
            let saved = read(c, customer_id, &id).await?;
            events::insert(
                c,
                &change(PaymentMethodChange::Saved, &saved).event(customer_id),
            )
            .await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, &id).await
}

/// The customer's saved methods, the default first, then the most recently saved.
pub async fn list(store: &Store, customer_id: &str) -> Result<Vec<PaymentMethod>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows = db_run!(conn, |c| payment_methods::table
        .filter(payment_methods::customer_id.eq(customer_id))
        .order((
            payment_methods::is_default.desc(),
            payment_methods::created_at.desc(),
            payment_methods::id.desc(),
        ))
        .select(PaymentMethod::as_select())
        .load(c)
        .await)?;
    Ok(rows)
}

/// The customer's saved method `id`.
pub async fn get(store: &Store, customer_id: &str, id: &str) -> Result<PaymentMethod, StoreError> {
    let mut conn = store.db().conn().await?;
    read(&mut conn.backend(), customer_id, id).await
}

/// Makes the customer's method `id` their default, replacing the previous one.
pub async fn set_default(
    store: &Store,
    customer_id: &str,
    id: &str,
) -> Result<PaymentMethod, StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let current = read(c, customer_id, id).await?;
            if current.is_default {
                return Ok(());
            }
            unset_default(c, customer_id).await?;
            db_run!(c, |c| diesel::update(payment_methods::table.find(id))
                .set((
                    payment_methods::is_default.eq(true),
                    payment_methods::updated_at.eq(now()),
                ))
                .execute(c)
                .await)?;
            let now_default = read(c, customer_id, id).await?;
            events::insert(
                c,
                &change(PaymentMethodChange::DefaultChanged, &now_default).event(customer_id),
            )
            .await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, id).await
}

/// Deletes the customer's method `id`; when it was the default, the most recently saved
/// remaining method becomes the default.
pub async fn delete(store: &Store, customer_id: &str, id: &str) -> Result<(), StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let current = read(c, customer_id, id).await?;
            db_run!(c, |c| diesel::delete(payment_methods::table.find(id))
                .execute(c)
                .await)?;
            events::insert(
                c,
                &change(PaymentMethodChange::Deleted, &current).event(customer_id),
            )
            .await?;
            if current.is_default {
                let newest: Option<String> = db_run!(c, |c| payment_methods::table
                    .filter(payment_methods::customer_id.eq(customer_id))
                    .order((
                        payment_methods::created_at.desc(),
                        payment_methods::id.desc()
                    ))
                    .select(payment_methods::id)
                    .first(c)
                    .await
                    .optional())?;
                if let Some(newest) = newest {
                    db_run!(c, |c| diesel::update(payment_methods::table.find(&newest))
                        .set(payment_methods::is_default.eq(true))
                        .execute(c)
                        .await)?;
                    let promoted = read(c, customer_id, &newest).await?;
                    events::insert(
                        c,
                        &change(PaymentMethodChange::DefaultChanged, &promoted).event(customer_id),
                    )
                    .await?;
                }
            }
            Ok::<_, StoreError>(())
        })
        .await)
}

async fn read(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
) -> Result<PaymentMethod, StoreError> {
    let row = db_run!(c, |c| payment_methods::table
        .filter(payment_methods::id.eq(id))
        .filter(payment_methods::customer_id.eq(customer_id))
        .select(PaymentMethod::as_select())
        .first(c)
        .await
        .optional())?;
    row.ok_or_else(not_found)
}

async fn unset_default(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::update(
        payment_methods::table
            .filter(payment_methods::customer_id.eq(customer_id))
            .filter(payment_methods::is_default.eq(true))
    )
    .set(payment_methods::is_default.eq(false))
    .execute(c)
    .await)?;
    Ok(())
}

/// Inside the transaction that erases an account: deletes every saved method of the customer
/// (the customer row may stay as a tombstone, so the cascade alone would not). Writes no event:
/// the erasure records its own.
pub async fn erase_for_customer(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::delete(
        payment_methods::table.filter(payment_methods::customer_id.eq(customer_id))
    )
    .execute(c)
    .await)?;
    Ok(())
}

/// Locks the customer row (PostgreSQL) so that changes of one customer's methods take turns.
/// A deleted account (a tombstone row) is no customer any more.
async fn lock_customer(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    let touched = db_run!(c, |c| diesel::update(
        customers::table
            .find(customer_id)
            .filter(customers::deleted_at.is_null())
    )
    .set(customers::updated_at.eq(customers::updated_at))
    .execute(c)
    .await)?;
    if touched == 0 {
        return Err(StoreError::not_found(Entity::Customer));
    }
    Ok(())
}
