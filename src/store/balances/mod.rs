//! Balances a shopper pays with: store credits ([`store_credits`]) and gift cards
//! ([`gift_cards`]), and the payments a cart or order makes with them.
//!
//! Applying a balance to a cart writes an `applied` row of `order_payments` for an amount; it
//! takes nothing. Checkout ([`capture`], inside the checkout transaction) takes each amount
//! with one conditional `UPDATE ... SET remaining = remaining - x WHERE id = ? AND remaining >= x`
//! (and not expired): on PostgreSQL a second transaction taking from the same balance waits for
//! the first and re-checks the condition on the committed row; on SQLite the write lock
//! serializes the two. Of two checkouts racing for one balance, the loser gets a `Conflict`
//! (or the gift card's own error) and its transaction rolls back: the cart stays open, nothing
//! is half-written, and the balance never goes below zero (a CHECK says so too). Cancelling
//! the order gives every amount back ([`restore`]). Each movement is a row of
//! `balance_movements` and an event, written in the same transaction.

pub mod gift_cards;
pub mod store_credits;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;

use super::events::{self, NewEvent};
use super::orders::Order;
use super::{Store, StoreError, ids, now};
use crate::db::Backend;
use crate::db::schema::store_credits as store_credits_t;
use crate::db::schema::{balance_movements, gift_cards as gift_cards_t, order_payments};
use crate::db_run;

/// `order_payments.source_kind` of a store credit.
pub const STORE_CREDIT: &str = "store_credit";
/// `order_payments.source_kind` of a gift card.
pub const GIFT_CARD: &str = "gift_card";

/// A payment's state: on a cart, nothing taken yet.
pub const APPLIED: &str = "applied";
/// Taken at checkout.
pub const CAPTURED: &str = "captured";
/// Given back when the order was canceled.
pub const RESTORED: &str = "restored";

/// Most minor units one grant, card or payment may hold (ten million in major units).
pub const MAX_AMOUNT: i64 = 1_000_000_000;

/// A payment of a cart or order with a store credit or a gift card.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = order_payments, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrderPayment {
    pub id: String,
    pub order_id: String,
    /// [`STORE_CREDIT`] or [`GIFT_CARD`].
    pub source_kind: String,
    /// The credit's or card's id.
    pub source_id: String,
    /// Minor units: applied (a cart may show less, see [`Paid`]), captured or restored.
    pub amount: i64,
    /// [`APPLIED`], [`CAPTURED`] or [`RESTORED`].
    pub state: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OrderPayment {
    pub fn is_store_credit(&self) -> bool {
        self.source_kind == STORE_CREDIT
    }

    pub fn is_gift_card(&self) -> bool {
        self.source_kind == GIFT_CARD
    }
}

/// How a cart or order is paid: its balance payments (each with the amount it counts for) and
/// what is left to pay.
#[derive(Clone, Debug, Default)]
pub struct Paid {
    /// The payments in the order they were applied, amounts as they count: on a cart, capped
    /// at what is left of its total (a cart that shrank uses less).
    pub payments: Vec<OrderPayment>,
    pub store_credit_total: i64,
    pub gift_card_total: i64,
    /// What the customer still owes: 0 once paid or canceled.
    pub amount_due: i64,
}

impl Paid {
    /// `order`'s payment picture from its `payments` (any order, in application order).
    pub fn of(order: &Order, payments: Vec<OrderPayment>) -> Self {
        use super::orders::{OrderStatus, PaymentStatus};
        let mut left = order.total;
        let mut shown = Vec::with_capacity(payments.len());
        let (mut credit, mut card) = (0, 0);
        for mut p in payments {
            if p.state == APPLIED {
                p.amount = p.amount.min(left.max(0));
            }
            if p.state != RESTORED {
                left -= p.amount;
            }
            if p.is_store_credit() {
                credit += p.amount;
            } else {
                card += p.amount;
            }
            shown.push(p);
        }
        let settled = order.status() == OrderStatus::Canceled
            || (order.status() != OrderStatus::Cart
                && order.payment_status() == PaymentStatus::Paid);
        Self {
            payments: shown,
            store_credit_total: credit,
            gift_card_total: card,
            amount_due: if settled { 0 } else { left.max(0) },
        }
    }

    /// Whether store credit alone pays the whole total.
    pub fn covered_by_store_credit(&self, order: &Order) -> bool {
        order.total > 0 && self.store_credit_total >= order.total
    }
}

/// The balance payments of some orders or carts, by order id, in application order.
pub async fn payments_of(
    store: &Store,
    order_ids: &[String],
) -> Result<HashMap<String, Vec<OrderPayment>>, StoreError> {
    let mut map: HashMap<String, Vec<OrderPayment>> = HashMap::new();
    if order_ids.is_empty() {
        return Ok(map);
    }
    let mut conn = store.db().conn().await?;
    let rows: Vec<OrderPayment> = db_run!(conn, |c| order_payments::table
        .filter(order_payments::order_id.eq_any(order_ids))
        .order((order_payments::created_at, order_payments::id))
        .select(OrderPayment::as_select())
        .load(c)
        .await)?;
    for row in rows {
        map.entry(row.order_id.clone()).or_default().push(row);
    }
    Ok(map)
}

/// [`Paid`] of one cart or order.
pub async fn paid(store: &Store, order: &Order) -> Result<Paid, StoreError> {
    let mut all = payments_of(store, std::slice::from_ref(&order.id)).await?;
    Ok(Paid::of(order, all.remove(&order.id).unwrap_or_default()))
}

/// Inside a transaction: the payments of one order, in application order.
pub(crate) async fn load(
    c: &mut Backend<'_>,
    order_id: &str,
) -> Result<Vec<OrderPayment>, StoreError> {
    Ok(db_run!(c, |c| order_payments::table
        .filter(order_payments::order_id.eq(order_id))
        .order((order_payments::created_at, order_payments::id))
        .select(OrderPayment::as_select())
        .load(c)
        .await)?)
}

/// Inside a cart's transaction: records that `amount` of a balance pays for the cart.
pub(crate) async fn insert_applied(
    c: &mut Backend<'_>,
    order_id: &str,
    kind: &str,
    source_id: &str,
    amount: i64,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::insert_into(order_payments::table)
        .values((
            order_payments::id.eq(ids::new(ids::prefix::PAYMENT)),
            order_payments::order_id.eq(order_id),
            order_payments::source_kind.eq(kind),
            order_payments::source_id.eq(source_id),
            order_payments::amount.eq(amount),
            order_payments::state.eq(APPLIED),
            order_payments::created_at.eq(at),
            order_payments::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Inside a cart's transaction: removes the cart's applied payments of one kind.
pub(crate) async fn remove_applied(
    c: &mut Backend<'_>,
    order_id: &str,
    kind: &str,
) -> Result<usize, StoreError> {
    Ok(db_run!(c, |c| diesel::delete(
        order_payments::table
            .filter(order_payments::order_id.eq(order_id))
            .filter(order_payments::source_kind.eq(kind))
            .filter(order_payments::state.eq(APPLIED))
    )
    .execute(c)
    .await)?)
}

/// What is left to pay of the cart `order` after its applied payments other than `kind`'s.
pub(crate) async fn due_without(
    c: &mut Backend<'_>,
    order: &Order,
    kind: &str,
) -> Result<i64, StoreError> {
    let others: Vec<OrderPayment> = load(c, &order.id)
        .await?
        .into_iter()
        .filter(|p| p.source_kind != kind)
        .collect();
    Ok(Paid::of(order, others).amount_due)
}

/// A movement of a balance, for the ledger.
pub(crate) struct Movement<'a> {
    pub kind: &'a str,
    pub source_kind: &'a str,
    pub source_id: &'a str,
    /// Signed: positive adds to the balance.
    pub amount: i64,
    pub customer_id: Option<&'a str>,
    pub order_id: Option<&'a str>,
    pub at: NaiveDateTime,
}

/// Ledger kinds.
pub const GRANT: &str = "grant";
pub const ISSUE: &str = "issue";
pub const DEBIT: &str = "debit";
pub const RESTORE: &str = "restore";

/// Writes one ledger row.
pub(crate) async fn record(c: &mut Backend<'_>, m: &Movement<'_>) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::insert_into(balance_movements::table)
        .values((
            balance_movements::id.eq(ids::new(ids::prefix::BALANCE_MOVEMENT)),
            balance_movements::source_kind.eq(m.source_kind),
            balance_movements::source_id.eq(m.source_id),
            balance_movements::kind.eq(m.kind),
            balance_movements::amount.eq(m.amount),
            balance_movements::customer_id.eq(m.customer_id),
            balance_movements::order_id.eq(m.order_id),
            balance_movements::created_at.eq(m.at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// One row of a balance's ledger.
#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = balance_movements, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct BalanceMovement {
    pub id: String,
    pub source_kind: String,
    pub source_id: String,
    pub kind: String,
    pub amount: i64,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// The ledger rows of some balances, oldest first.
pub async fn movements_of(
    store: &Store,
    source_ids: &[String],
) -> Result<Vec<BalanceMovement>, StoreError> {
    if source_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = store.db().conn().await?;
    Ok(db_run!(conn, |c| balance_movements::table
        .filter(balance_movements::source_id.eq_any(source_ids))
        .order((balance_movements::created_at, balance_movements::id))
        .select(BalanceMovement::as_select())
        .load(c)
        .await)?)
}

/// The payload of every balance event: which balance, how much moved, what is left, and the
/// order it moved for. Never a gift card's code.
#[derive(Clone, Debug, Serialize)]
pub struct BalanceChanged {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_credit_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift_card_id: Option<String>,
    pub amount: i64,
    pub remaining: i64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// An event of `event_type` about a balance.
pub(crate) fn event(
    event_type: &str,
    customer_id: Option<&str>,
    payload: &BalanceChanged,
) -> NewEvent {
    NewEvent {
        event_id: ids::new(ids::prefix::EVENT),
        event_type: event_type.to_owned(),
        customer_id: customer_id.map(str::to_owned),
        order_id: payload.order_id.clone(),
        payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
        created_at: now(),
    }
}

/// Inside the checkout transaction, once the cart passed its checks: takes every applied
/// amount from its balance (in source id order, so two checkouts cannot deadlock), marks the
/// payments captured, and returns the total taken. A balance that no longer holds its amount,
/// expired, or is in another currency stops the checkout.
pub(crate) async fn capture(
    c: &mut Backend<'_>,
    cart: &Order,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    let applied: Vec<OrderPayment> = load(c, &cart.id)
        .await?
        .into_iter()
        .filter(|p| p.state == APPLIED)
        .collect();
    let mut counted = Paid::of(cart, applied).payments;
    counted.sort_by(|a, b| (&a.source_kind, &a.source_id).cmp(&(&b.source_kind, &b.source_id)));
    let mut taken = 0;
    for p in counted {
        if p.amount == 0 {
            db_run!(c, |c| diesel::delete(order_payments::table.find(&p.id))
                .execute(c)
                .await)?;
            continue;
        }
        let remaining = if p.is_store_credit() {
            store_credits::take(c, cart, &p, at).await?
        } else {
            gift_cards::take(c, cart, &p, at).await?
        };
        db_run!(c, |c| diesel::update(order_payments::table.find(&p.id))
            .set((
                order_payments::amount.eq(p.amount),
                order_payments::state.eq(CAPTURED),
                order_payments::updated_at.eq(at),
            ))
            .execute(c)
            .await)?;
        record(
            c,
            &Movement {
                kind: DEBIT,
                source_kind: &p.source_kind,
                source_id: &p.source_id,
                amount: -p.amount,
                customer_id: cart.customer_id.as_deref(),
                order_id: Some(&cart.id),
                at,
            },
        )
        .await?;
        let (event_type, payload) = payload_of(&p, remaining, cart);
        let owner = owner_of(c, &p, cart).await?;
        events::insert(c, &event(event_type, owner.as_deref(), &payload)).await?;
        taken += p.amount;
    }
    Ok(taken)
}

/// Inside the cancel transaction: gives every captured amount of the order back to its
/// balance, and returns the total given back.
pub(crate) async fn restore(
    c: &mut Backend<'_>,
    order: &Order,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    let mut captured: Vec<OrderPayment> = load(c, &order.id)
        .await?
        .into_iter()
        .filter(|p| p.state == CAPTURED)
        .collect();
    captured.sort_by(|a, b| (&a.source_kind, &a.source_id).cmp(&(&b.source_kind, &b.source_id)));
    let mut given = 0;
    for p in captured {
        let remaining: i64 = if p.is_store_credit() {
            db_run!(c, |c| diesel::update(
                store_credits_t::table.find(&p.source_id)
            )
            .set((
                store_credits_t::remaining.eq(store_credits_t::remaining + p.amount),
                store_credits_t::updated_at.eq(at),
            ))
            .returning(store_credits_t::remaining)
            .get_result(c)
            .await)?
        } else {
            db_run!(c, |c| diesel::update(
                gift_cards_t::table.find(&p.source_id)
            )
            .set((
                gift_cards_t::remaining.eq(gift_cards_t::remaining + p.amount),
                gift_cards_t::updated_at.eq(at),
            ))
            .returning(gift_cards_t::remaining)
            .get_result(c)
            .await)?
        };
        db_run!(c, |c| diesel::update(order_payments::table.find(&p.id))
            .set((
                order_payments::state.eq(RESTORED),
                order_payments::updated_at.eq(at),
            ))
            .execute(c)
            .await)?;
        record(
            c,
            &Movement {
                kind: RESTORE,
                source_kind: &p.source_kind,
                source_id: &p.source_id,
                amount: p.amount,
                customer_id: order.customer_id.as_deref(),
                order_id: Some(&order.id),
                at,
            },
        )
        .await?;
        let (_, payload) = payload_of(&p, remaining, order);
        let event_type = if p.is_store_credit() {
            events::kind::STORE_CREDIT_RESTORED
        } else {
            events::kind::GIFT_CARD_RESTORED
        };
        let owner = owner_of(c, &p, order).await?;
        events::insert(c, &event(event_type, owner.as_deref(), &payload)).await?;
        given += p.amount;
    }
    Ok(given)
}

/// Inside a transaction: the total captured (still taken) for an order.
pub(crate) async fn captured_total(c: &mut Backend<'_>, order_id: &str) -> Result<i64, StoreError> {
    Ok(load(c, order_id)
        .await?
        .iter()
        .filter(|p| p.state == CAPTURED)
        .map(|p| p.amount)
        .sum())
}

/// The debit event of a payment: its type and payload.
fn payload_of(p: &OrderPayment, remaining: i64, order: &Order) -> (&'static str, BalanceChanged) {
    let credit = p.is_store_credit();
    (
        if credit {
            events::kind::STORE_CREDIT_DEBITED
        } else {
            events::kind::GIFT_CARD_REDEEMED
        },
        BalanceChanged {
            store_credit_id: credit.then(|| p.source_id.clone()),
            gift_card_id: (!credit).then(|| p.source_id.clone()),
            amount: p.amount,
            remaining,
            currency: order.currency.clone(),
            order_id: Some(order.id.clone()),
        },
    )
}

/// Whose event a payment's movement is: a store credit's owner, else the order's customer.
async fn owner_of(
    c: &mut Backend<'_>,
    p: &OrderPayment,
    order: &Order,
) -> Result<Option<String>, StoreError> {
    if !p.is_store_credit() {
        return Ok(order.customer_id.clone());
    }
    Ok(db_run!(c, |c| store_credits_t::table
        .find(&p.source_id)
        .select(store_credits_t::customer_id)
        .first::<String>(c)
        .await
        .optional())?)
}
