//! Gift cards: issued by the shop (integrators only: a secret key) for an amount in a
//! currency, optionally until a date, with a code shown once. Only the SHA-256 of the
//! normalised code is kept (and its last four characters, to tell cards apart). A shopper
//! applies a code to a cart (one card per cart); the card is debited at checkout and credited
//! back on cancel (see the parent module).
//!
//! Codes are 16 characters of Crockford's base32 (80 random bits) in groups of four,
//! `7KQM-2XPD-91TB-ZR4C`: typed in any case, with or without dashes and spaces, `O` read as `0`
//! and `I`/`L` as `1`. Guessing one is hopeless, and each attempt counts against throttles per
//! IP and per account ([`throttle::Action::GiftCard`](crate::store::throttle::Action)), which
//! the surfaces apply before calling [`apply`].
//!
//! A wrong code is `NotFound` (Entity::GiftCard); an expired card and a used-up one
//! have their own errors ([`StoreError::GiftCardUnusable`]).

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use rand::TryRngCore;
use rand::rngs::OsRng;

use super::store_credits::check_amount;
use super::{BalanceChanged, GIFT_CARD, ISSUE, Movement, OrderPayment, event, record};
use crate::db::Backend;
use crate::db::schema::{gift_cards, order_payments, orders};
use crate::db_run;
use crate::error::{GiftCardProblem, Secret};
use crate::store::events;
use crate::store::orders::{Caller, Order, cart, row_id};
use crate::store::throttle::{self, Action};
use crate::store::{Entity, Store, StoreError, ids, now, tokens};

/// Crockford's base32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a code.
const CODE_LEN: usize = 16;

/// A gift card, as stored. Amounts in minor units of `currency`.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = gift_cards, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct GiftCard {
    pub id: String,
    #[diesel(column_name = code_hash)]
    _code_hash: String,
    /// The code's last four characters, to tell cards apart; never the code.
    pub code_last4: String,
    pub currency: String,
    pub amount: i64,
    pub remaining: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl GiftCard {
    pub fn used(&self) -> i64 {
        self.amount - self.remaining
    }

    pub fn expired_at(&self, at: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|e| e <= at)
    }

    /// The code as a customer may be shown it: all but the last four characters hidden.
    pub fn masked_code(&self) -> String {
        format!("XXXX-XXXX-XXXX-{}", self.code_last4)
    }

    /// Why the card cannot pay now, if it cannot.
    fn problem(&self, at: NaiveDateTime) -> Option<GiftCardProblem> {
        if self.expired_at(at) {
            Some(GiftCardProblem::Expired)
        } else if self.remaining == 0 {
            Some(GiftCardProblem::Redeemed)
        } else {
            None
        }
    }
}

/// What an integrator sends to issue a card.
#[derive(Clone, Debug, Default)]
pub struct Issue {
    pub amount: i64,
    pub currency: String,
    pub expires_at: Option<NaiveDateTime>,
}

/// A new random code, `XXXX-XXXX-XXXX-XXXX`.
fn new_code() -> Secret<String> {
    let mut bytes = [0u8; CODE_LEN];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect();
    let groups: Vec<String> = chars.chunks(4).map(|g| g.iter().collect()).collect();
    Secret::new(groups.join("-"))
}

/// A code as typed, normalised: upper case, without separators, `O` as `0`, `I`/`L` as `1`.
/// `None` when it cannot be a code (then it names no card).
pub fn normalise(code: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_LEN);
    for ch in code.chars() {
        let ch = match ch.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ch.is_ascii() || !ALPHABET.contains(&(ch as u8)) {
            return None;
        }
        out.push(ch);
        if out.len() > CODE_LEN {
            return None;
        }
    }
    (out.len() == CODE_LEN).then_some(out)
}

fn not_found() -> StoreError {
    StoreError::not_found(Entity::GiftCard)
}

/// Issues a card (integrators only: the surface checks the secret key), with its `issue`
/// ledger row and `gift_card.issued` event. The code is returned this once.
pub async fn issue(store: &Store, input: &Issue) -> Result<(GiftCard, Secret<String>), StoreError> {
    let at = now();
    let mut problems = Vec::new();
    let currency = check_amount(
        &mut problems,
        input.amount,
        &input.currency,
        input.expires_at,
        at,
    );
    let (Some(currency), true) = (currency, problems.is_empty()) else {
        return Err(StoreError::fields(problems));
    };
    let code = new_code();
    let normal = normalise(code.expose()).ok_or_else(|| StoreError::Internal("bad code".into()))?;
    let id = ids::new(ids::prefix::GIFT_CARD);
    let mut conn = store.db().write_conn().await?;
    let card = db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            let card: GiftCard = db_run!(c, |c| diesel::insert_into(gift_cards::table)
                .values((
                    gift_cards::id.eq(&id),
                    gift_cards::code_hash.eq(tokens::hash(&normal)),
                    gift_cards::code_last4.eq(&normal[CODE_LEN - 4..]),
                    gift_cards::currency.eq(&currency),
                    gift_cards::amount.eq(input.amount),
                    gift_cards::remaining.eq(input.amount),
                    gift_cards::expires_at.eq(input.expires_at),
                    gift_cards::created_at.eq(at),
                    gift_cards::updated_at.eq(at),
                ))
                .returning(GiftCard::as_returning())
                .get_result(c)
                .await)?;
            record(
                c,
                &Movement {
                    kind: ISSUE,
                    source_kind: GIFT_CARD,
                    source_id: &id,
                    amount: input.amount,
                    customer_id: None,
                    order_id: None,
                    at,
                },
            )
            .await?;
            let payload = BalanceChanged {
                store_credit_id: None,
                gift_card_id: Some(id.clone()),
                amount: input.amount,
                remaining: input.amount,
                currency: currency.clone(),
                order_id: None,
            };
            events::insert(c, &event(events::kind::GIFT_CARD_ISSUED, None, &payload)).await?;
            Ok::<_, StoreError>(card)
        })
        .await)?;
    Ok((card, code))
}

/// Applies the card whose code is `code` to the caller's cart, for what it holds up to what
/// the cart still owes; it replaces a card applied before. Nothing is taken until checkout.
/// Every attempt on a cart the caller may open counts against the throttles per IP and per
/// account (the signed-in customer, else the cart), right or wrong.
pub async fn apply(
    store: &Store,
    caller: &Caller,
    ip: Option<IpAddr>,
    cart_id: &str,
    code: &str,
) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    cart::get(store, caller, &id).await?;
    let account = caller.customer_id.as_deref().unwrap_or(&id);
    let buckets: Vec<_> = throttle::ip_bucket(store, Action::GiftCard, ip)
        .into_iter()
        .chain([throttle::account_bucket(store, Action::GiftCard, account)])
        .collect();
    throttle::count(store, &buckets).await?;
    let hash = normalise(code).map(|c| tokens::hash(&c));
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            let order = cart::lock(c, &id, caller, at).await?;
            let Some(hash) = &hash else {
                return Err(not_found());
            };
            let card: GiftCard = db_run!(c, |c| gift_cards::table
                .filter(gift_cards::code_hash.eq(hash))
                .select(GiftCard::as_select())
                .first(c)
                .await
                .optional())?
            .ok_or_else(not_found)?;
            if let Some(problem) = card.problem(at) {
                return Err(StoreError::GiftCardUnusable(problem));
            }
            if card.currency != order.currency {
                return Err(StoreError::invalid(
                    "code",
                    format!(
                        "is for a gift card in {}, the cart is in {}",
                        card.currency, order.currency
                    ),
                ));
            }
            super::remove_applied(c, &id, GIFT_CARD).await?;
            let due = super::due_without(c, &order, GIFT_CARD).await?;
            let amount = card.remaining.min(due);
            if amount == 0 {
                return Err(StoreError::Conflict {
                    message: "the cart has nothing left to pay".into(),
                    field: None,
                });
            }
            super::insert_applied(c, &id, GIFT_CARD, &card.id, amount, at).await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// Takes the gift card off the caller's cart.
///
/// With `card_id` (a surface that names the card), that card must be the one applied:
/// otherwise `NOT_FOUND` and nothing changes.
pub async fn remove(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    card_id: Option<&str>,
) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            let order = cart::lock(c, &id, caller, at).await?;
            if let Some(card_id) = card_id {
                let applied: i64 = db_run!(c, |c| order_payments::table
                    .filter(order_payments::order_id.eq(&id))
                    .filter(order_payments::source_kind.eq(GIFT_CARD))
                    .filter(order_payments::source_id.eq(card_id))
                    .count()
                    .get_result(c)
                    .await)?;
                if applied == 0 {
                    return Err(StoreError::not_found(Entity::GiftCard));
                }
            }
            super::remove_applied(c, &id, GIFT_CARD).await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// The cards the customer applied to their carts and orders, newest first.
pub async fn list_for_customer(
    store: &Store,
    customer_id: &str,
) -> Result<Vec<GiftCard>, StoreError> {
    let mut conn = store.db().conn().await?;
    let card_ids: Vec<String> = db_run!(conn, |c| order_payments::table
        .inner_join(orders::table)
        .filter(orders::customer_id.eq(customer_id))
        .filter(order_payments::source_kind.eq(GIFT_CARD))
        .select(order_payments::source_id)
        .load(c)
        .await)?;
    let card_ids: Vec<String> = card_ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(db_run!(conn, |c| gift_cards::table
        .filter(gift_cards::id.eq_any(&card_ids))
        .order((gift_cards::created_at.desc(), gift_cards::id.desc()))
        .select(GiftCard::as_select())
        .load(c)
        .await)?)
}

/// One of the cards the customer applied ([`list_for_customer`]).
pub async fn get_for_customer(
    store: &Store,
    customer_id: &str,
    id: &str,
) -> Result<GiftCard, StoreError> {
    list_for_customer(store, customer_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(not_found)
}

/// When the customer first used the card at a checkout, if they did.
pub async fn redeemed_at(
    store: &Store,
    customer_id: &str,
    card_ids: &[String],
) -> Result<std::collections::HashMap<String, NaiveDateTime>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<(String, NaiveDateTime)> = db_run!(conn, |c| order_payments::table
        .inner_join(orders::table)
        .filter(orders::customer_id.eq(customer_id))
        .filter(order_payments::source_kind.eq(GIFT_CARD))
        .filter(order_payments::source_id.eq_any(card_ids))
        .filter(order_payments::state.ne(super::APPLIED))
        .order(order_payments::updated_at)
        .select((order_payments::source_id, order_payments::updated_at))
        .load(c)
        .await)?;
    let mut map = std::collections::HashMap::new();
    for (id, at) in rows {
        map.entry(id).or_insert(at);
    }
    Ok(map)
}

/// Inside the checkout transaction: takes `p.amount` from the card if it still holds it and
/// is unexpired; returns what remains.
pub(super) async fn take(
    c: &mut Backend<'_>,
    cart: &Order,
    p: &OrderPayment,
    at: NaiveDateTime,
) -> Result<i64, StoreError> {
    let taken: Option<i64> = db_run!(c, |c| diesel::update(
        gift_cards::table
            .find(&p.source_id)
            .filter(gift_cards::remaining.ge(p.amount))
            .filter(gift_cards::currency.eq(&cart.currency))
            .filter(
                gift_cards::expires_at
                    .is_null()
                    .or(gift_cards::expires_at.gt(at))
            )
    )
    .set((
        gift_cards::remaining.eq(gift_cards::remaining - p.amount),
        gift_cards::updated_at.eq(at),
    ))
    .returning(gift_cards::remaining)
    .get_result(c)
    .await
    .optional())?;
    if let Some(remaining) = taken {
        return Ok(remaining);
    }
    let card: Option<GiftCard> = db_run!(c, |c| gift_cards::table
        .find(&p.source_id)
        .select(GiftCard::as_select())
        .first(c)
        .await
        .optional())?;
    Err(match card.and_then(|card| card.problem(at)) {
        Some(problem) => StoreError::GiftCardUnusable(problem),
        None => StoreError::Conflict {
            message: "the gift card applied to this cart no longer covers the amount applied: \
                      apply it again"
                .into(),
            field: Some("gift_card".into()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_base32_characters_typed_loosely() {
        let code = new_code();
        let code = code.expose();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let normal = normalise(code).unwrap();
        assert_eq!(normal.len(), 16);
        assert_eq!(
            normalise(&code.to_lowercase().replace('-', " ")),
            Some(normal)
        );
        assert_eq!(
            normalise("o1il-0000-0000-0000").as_deref(),
            Some("0111000000000000")
        );
        assert_eq!(normalise("UUUU-0000-0000-0000"), None);
        assert_eq!(normalise("0000-0000-0000"), None);
        assert_eq!(normalise("0000-0000-0000-00000"), None);
    }
}
