//! Store credits and gift cards in Spree's shape (spree.md section 9, "Other"), and the bodies
//! of the cart routes that apply them.

use serde::{Deserialize, Serialize};

use super::{amount, display, time};
use crate::store::balances::gift_cards::GiftCard as CardRow;
use crate::store::balances::store_credits::StoreCredit as CreditRow;
use crate::store::money::Money;
use crate::store::now;

/// Spree's `StoreCredit`.
#[derive(Debug, Serialize)]
pub struct StoreCredit {
    pub id: String,
    pub currency: String,
    pub amount: String,
    pub display_amount: String,
    pub amount_used: String,
    pub display_amount_used: String,
    pub amount_remaining: String,
    pub display_amount_remaining: String,
    /// Ours: why the shop granted it, and until when it can be spent.
    pub reason: String,
    pub expires_at: Option<String>,
}

impl From<CreditRow> for StoreCredit {
    fn from(c: CreditRow) -> Self {
        let money = |v: i64| Money::new(v, c.currency.clone());
        Self {
            amount: amount(&money(c.amount)),
            display_amount: display(&money(c.amount)),
            amount_used: amount(&money(c.used())),
            display_amount_used: display(&money(c.used())),
            amount_remaining: amount(&money(c.remaining)),
            display_amount_remaining: display(&money(c.remaining)),
            expires_at: c.expires_at.map(time),
            id: c.id,
            currency: c.currency,
            reason: c.reason,
        }
    }
}

/// Spree's `GiftCard`: the code is masked (only its hash is kept).
#[derive(Debug, Serialize)]
pub struct GiftCard {
    pub id: String,
    pub code: String,
    pub status: &'static str,
    pub currency: String,
    pub amount: String,
    pub amount_used: String,
    pub amount_authorized: String,
    pub amount_remaining: String,
    pub display_amount: String,
    pub display_amount_used: String,
    pub display_amount_remaining: String,
    pub expires_at: Option<String>,
    pub redeemed_at: Option<String>,
    pub expired: bool,
    pub active: bool,
}

impl GiftCard {
    pub fn new(g: CardRow, redeemed_at: Option<chrono::NaiveDateTime>) -> Self {
        let money = |v: i64| Money::new(v, g.currency.clone());
        let expired = g.expired_at(now());
        let status = if expired {
            "expired"
        } else if g.remaining == 0 {
            "redeemed"
        } else if g.remaining < g.amount {
            "partially_redeemed"
        } else {
            "active"
        };
        Self {
            code: g.masked_code(),
            status,
            amount: amount(&money(g.amount)),
            amount_used: amount(&money(g.used())),
            amount_authorized: amount(&money(0)),
            amount_remaining: amount(&money(g.remaining)),
            display_amount: display(&money(g.amount)),
            display_amount_used: display(&money(g.used())),
            display_amount_remaining: display(&money(g.remaining)),
            expires_at: g.expires_at.map(time),
            redeemed_at: redeemed_at.map(time),
            expired,
            active: !expired && g.remaining > 0,
            id: g.id,
            currency: g.currency,
        }
    }
}

/// `POST /carts/{id}/store_credits`: `amount` in major units (`"10.5"` or `10.5`), all the
/// cart owes when absent; `store_credit_id` (ours) to use one credit only.
#[derive(Debug, Default, Deserialize)]
pub struct ApplyStoreCreditBody {
    pub amount: Option<serde_json::Value>,
    pub store_credit_id: Option<String>,
}

/// `POST /carts/{id}/gift_cards`.
#[derive(Debug, Default, Deserialize)]
pub struct ApplyGiftCardBody {
    #[serde(default)]
    pub code: String,
}
