//! Store credits: an amount the shop grants a customer (integrators only: a secret key), in a
//! currency, for a reason, optionally until a date. The customer lists them with what remains,
//! and applies them to a cart (all they have, or an amount; one credit or all of them); the
//! amount is taken at checkout and given back when the order is canceled (see the parent
//! module). Another customer's credit is `NotFound`, exactly like a missing id.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::{
    BalanceChanged, GRANT, MAX_AMOUNT, Movement, OrderPayment, STORE_CREDIT, event, record,
};
use crate::db::Backend;
use crate::db::schema::{customers, store_credits};
use crate::db_run;
use crate::store::events;
use crate::store::orders::{Caller, Order, cart, row_id};
use crate::store::{Entity, FieldError, Store, StoreError, ids, now};

/// Longest reason.
const MAX_REASON: usize = 255;

/// A store credit, as stored. Amounts in minor units of `currency`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = store_credits, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct StoreCredit {
    pub id: String,
    pub customer_id: String,
    pub currency: String,
    /// What was granted.
    pub amount: i64,
    /// What is left to spend.
    pub remaining: i64,
    pub reason: String,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl StoreCredit {
    /// What has been spent.
    pub fn used(&self) -> i64 {
        self.amount - self.remaining
    }

    /// Whether it expired by `at`.
    pub fn expired_at(&self, at: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|e| e <= at)
    }

    /// Whether it can pay for something in `currency` at `at`.
    fn usable(&self, currency: &str, at: NaiveDateTime) -> bool {
        self.currency == currency && self.remaining > 0 && !self.expired_at(at)
    }
}

/// What an integrator sends to grant a credit.
#[derive(Clone, Debug, Default)]
pub struct Grant {
    pub customer_id: String,
    /// Minor units, 1 to [`MAX_AMOUNT`].
    pub amount: i64,
    /// ISO 4217, three letters.
    pub currency: String,
    pub reason: String,
    /// Must be in the future.
    pub expires_at: Option<NaiveDateTime>,
}

fn not_found() -> StoreError {
    StoreError::not_found(Entity::StoreCredit)
}

/// A currency code as stored (upper case), when `raw` is three ASCII letters.
pub(crate) fn parse_currency(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

/// Checks an amount, currency and expiry given by an integrator.
pub(crate) fn check_amount(
    problems: &mut Vec<FieldError>,
    amount: i64,
    currency: &str,
    expires_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Option<String> {
    if !(1..=MAX_AMOUNT).contains(&amount) {
        problems.push(FieldError::new(
            "amount",
            format!("must be from 1 to {MAX_AMOUNT} (minor units)"),
        ));
    }
    if expires_at.is_some_and(|e| e <= at) {
        problems.push(FieldError::new("expires_at", "must be in the future"));
    }
    let currency = parse_currency(currency);
    if currency.is_none() {
        problems.push(FieldError::new(
            "currency",
            "must be a three-letter ISO 4217 code",
        ));
    }
    currency
}

/// Grants a credit to a customer (integrators only: the surface checks the secret key), with
/// its `grant` ledger row and `store_credit.granted` event.
pub async fn grant(store: &Store, input: &Grant) -> Result<StoreCredit, StoreError> {
    let at = now();
    let mut problems = Vec::new();
    let currency = check_amount(
        &mut problems,
        input.amount,
        &input.currency,
        input.expires_at,
        at,
    );
    let reason = input.reason.trim();
    if reason.is_empty()
        || reason.chars().count() > MAX_REASON
        || reason.chars().any(char::is_control)
    {
        problems.push(FieldError::new(
            "reason",
            format!("must be 1 to {MAX_REASON} printable characters"),
        ));
    }
    let (Some(currency), true) = (currency, problems.is_empty()) else {
        return Err(StoreError::fields(problems));
    };
    let id = ids::new(ids::prefix::STORE_CREDIT);
    let customer_id = input.customer_id.as_str();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            let live: i64 = db_run!(c, |c| customers::table
                .find(customer_id)
                .filter(customers::deleted_at.is_null())
                .count()
                .get_result(c)
                .await)?;
            if live == 0 {
                return Err(StoreError::not_found(Entity::Customer));
            }
            db_run!(c, |c| diesel::insert_into(store_credits::table)
                .values((
                    store_credits::id.eq(&id),
                    store_credits::customer_id.eq(customer_id),
                    store_credits::currency.eq(&currency),
                    store_credits::amount.eq(input.amount),
                    store_credits::remaining.eq(input.amount),
                    store_credits::reason.eq(reason),
                    store_credits::expires_at.eq(input.expires_at),
                    store_credits::created_at.eq(at),
                    store_credits::updated_at.eq(at),
                ))
                .execute(c)
                .await)?;
            record(
                c,
                &Movement {
                    kind: GRANT,
                    source_kind: STORE_CREDIT,
                    source_id: &id,
                    amount: input.amount,
                    customer_id: Some(customer_id),
                    order_id: None,
                    at,
                },
            )
            .await?;
            let payload = BalanceChanged {
                store_credit_id: Some(id.clone()),
                gift_card_id: None,
                amount: input.amount,
                remaining: input.amount,
                currency: currency.clone(),
                order_id: None,
            };
            events::insert(
                c,
                &event(
                    events::kind::STORE_CREDIT_GRANTED,
                    Some(customer_id),
                    &payload,
                ),
            )
            .await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, &id).await
}

/// The customer's credits, newest first.
pub async fn list(store: &Store, customer_id: &str) -> Result<Vec<StoreCredit>, StoreError> {
    let mut conn = store.db().conn().await?;
    Ok(db_run!(conn, |c| store_credits::table
        .filter(store_credits::customer_id.eq(customer_id))
        .order((store_credits::created_at.desc(), store_credits::id.desc()))
        .select(StoreCredit::as_select())
        .load(c)
        .await)?)
}

/// The customer's credit `id`.
pub async fn get(store: &Store, customer_id: &str, id: &str) -> Result<StoreCredit, StoreError> {
    let mut conn = store.db().conn().await?;
    let row: Option<StoreCredit> = db_run!(conn, |c| store_credits::table
        .find(id)
        .filter(store_credits::customer_id.eq(customer_id))
        .select(StoreCredit::as_select())
        .first(c)
        .await
        .optional())?;
    row.ok_or_else(not_found)
}

/// What the customer can spend now in `currency`: the sum of their unexpired credits.
pub async fn available(
    store: &Store,
    customer_id: &str,
    currency: &str,
) -> Result<i64, StoreError> {
    let at = now();
    Ok(list(store, customer_id)
        .await?
        .iter()
        .filter(|c| c.usable(currency, at))
        .map(|c| c.remaining)
        .sum())
}

/// Applies the signed-in caller's store credit to their cart: `amount` minor units (all that
/// the cart still owes when `None`), from one credit (`credit_id`) or from all their usable
/// credits, those expiring first used first. Applying again replaces what was applied before.
/// Nothing is taken until checkout.
pub async fn apply(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    amount: Option<i64>,
    credit_id: Option<&str>,
) -> Result<Order, StoreError> {
    let customer_id = caller
        .customer_id
        .as_deref()
        .ok_or(StoreError::Unauthenticated)?;
    let id = row_id(cart_id, Entity::Cart)?;
    // The cart first: another's cart is NotFound whatever else is wrong.
    cart::get(store, caller, &id).await?;
    if let Some(amount) = amount
        && !(1..=MAX_AMOUNT).contains(&amount)
    {
        return Err(StoreError::invalid(
            "amount",
            format!("must be from 1 to {MAX_AMOUNT} (minor units)"),
        ));
    }
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            let order = cart::lock(c, &id, caller, at).await?;
            let mut credits: Vec<StoreCredit> = db_run!(c, |c| store_credits::table
                .filter(store_credits::customer_id.eq(customer_id))
                .order((store_credits::created_at, store_credits::id))
                .select(StoreCredit::as_select())
                .load(c)
                .await)?;
            if let Some(credit_id) = credit_id {
                credits.retain(|c| c.id == credit_id);
                let credit = <[StoreCredit]>::first(&credits).ok_or_else(not_found)?;
                if credit.currency != order.currency {
                    return Err(StoreError::invalid(
                        "store_credit_id",
                        format!("is in {}, the cart in {}", credit.currency, order.currency),
                    ));
                }
                if credit.expired_at(at) {
                    return Err(conflict("this store credit has expired"));
                }
            }
            credits.retain(|c| c.usable(&order.currency, at));
            // Those expiring first are used first; credits without an expiry last.
            credits.sort_by_key(|c| (c.expires_at.is_none(), c.expires_at, c.created_at));
            let available: i64 = credits.iter().map(|c| c.remaining).sum();
            if available == 0 {
                return Err(conflict("no store credit is available for this cart"));
            }
            if amount.is_some_and(|a| a > available) {
                return Err(StoreError::invalid(
                    "amount",
                    "is more than the store credit available",
                ));
            }
            super::remove_applied(c, &id, STORE_CREDIT).await?;
            let due = super::due_without(c, &order, STORE_CREDIT).await?;
            let mut wanted = amount.unwrap_or(available).min(due).min(available);
            if wanted == 0 {
                return Err(conflict("the cart has nothing left to pay"));
            }
            for (i, credit) in credits.iter().enumerate() {
                if wanted == 0 {
                    break;
                }
                let part = wanted.min(credit.remaining);
                // A microsecond apart, so that the payments list in the order they were used
                // (payments are listed by creation time, then by their random ids).
                let created = at + chrono::TimeDelta::microseconds(i as i64);
                super::insert_applied(c, &id, STORE_CREDIT, &credit.id, part, created).await?;
                wanted -= part;
            }
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// Takes the store credit off the caller's cart.
pub async fn remove(store: &Store, caller: &Caller, cart_id: &str) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            let order = cart::lock(c, &id, caller, at).await?;
            super::remove_applied(c, &id, STORE_CREDIT).await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// Inside the checkout transaction: takes `p.amount` from the credit, if it still holds it,
/// is unexpired and in the cart's currency; returns what remains.
pub(super) async fn take(
    c: &mut Backend<'_>,
    cart: &Order,
    p: &OrderPayment,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    let taken: Option<i64> = db_run!(c, |c| diesel::update(
        store_credits::table
            .find(&p.source_id)
            .filter(store_credits::remaining.ge(p.amount))
            .filter(store_credits::currency.eq(&cart.currency))
            .filter(
                store_credits::expires_at
                    .is_null()
                    .or(store_credits::expires_at.gt(at))
            )
    )
    .set((
        store_credits::remaining.eq(store_credits::remaining - p.amount),
        store_credits::updated_at.eq(at),
    ))
    .returning(store_credits::remaining)
    .get_result(c)
    .await
    .optional())?;
    if let Some(remaining) = taken {
        return Ok(remaining);
    }
    let credit: Option<StoreCredit> = db_run!(c, |c| store_credits::table
        .find(&p.source_id)
        .select(StoreCredit::as_select())
        .first(c)
        .await
        .optional())?;
    Err(match credit {
        Some(credit) if credit.expired_at(at) => StoreError::Conflict {
            message: "the store credit applied to this cart has expired: remove it or apply \
                      store credit again"
                .into(),
            field: Some("store_credit".into()),
        },
        _ => StoreError::Conflict {
            message: "the store credit applied to this cart no longer covers the amount \
                      applied: apply store credit again"
                .into(),
            field: Some("store_credit".into()),
        },
    })
}

/// Inside the transaction that erases an account: blanks the reasons of the customer's credits
/// (the shop's text may name them). Balances and the ledger (ids and amounts) stay.
pub async fn erase_for_customer(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::update(
        store_credits::table.filter(store_credits::customer_id.eq(customer_id))
    )
    .set(store_credits::reason.eq(""))
    .execute(c)
    .await)?;
    Ok(())
}

fn conflict(message: &str) -> StoreError {
    StoreError::Conflict {
        message: message.into(),
        field: None,
    }
}
