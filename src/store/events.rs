//! The events outbox: every state change worth telling is written to `events` in the same
//! transaction as the change, with a payload typed below (one struct per event type, listed in
//! the README). [`super::publication`] reads the outbox by id and publishes each row to the
//! subscribers of every instance.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use super::{StoreError, ids, now};
use crate::db::Backend;
use crate::db::schema::events;
use crate::db_run;

/// Event types, as stored in `events.event_type` and shown to subscribers.
pub mod kind {
    pub const CUSTOMER_CREATED: &str = "customer.created";
    pub const CUSTOMER_UPDATED: &str = "customer.updated";
    pub const CUSTOMER_PASSWORD_CHANGED: &str = "customer.password_changed";
    pub const PASSWORD_RESET_REQUESTED: &str = "customer.password_reset_requested";
    pub const PASSWORD_RESET_COMPLETED: &str = "customer.password_reset";
    pub const CUSTOMER_SESSION_ENDED: &str = "customer.session_ended";
    pub const CUSTOMER_EMAIL_VERIFIED: &str = "customer.email_verified";
    pub const CUSTOMER_EMAIL_CHANGE_REQUESTED: &str = "customer.email_change_requested";
    pub const CUSTOMER_EMAIL_CHANGE_CANCELED: &str = "customer.email_change_canceled";
    pub const CUSTOMER_EMAIL_CHANGED: &str = "customer.email_changed";
    pub const CUSTOMER_DATA_EXPORTED: &str = "customer.data_exported";
    pub const CUSTOMER_DELETED: &str = "customer.deleted";
    pub const ORDER_PLACED: &str = "order.placed";
    pub const ORDER_PAID: &str = "order.paid";
    pub const ORDER_FULFILLED: &str = "order.fulfilled";
    pub const ORDER_CANCELED: &str = "order.canceled";
    pub const WISHLIST_CREATED: &str = "wishlist.created";
    pub const WISHLIST_UPDATED: &str = "wishlist.updated";
    pub const WISHLIST_DELETED: &str = "wishlist.deleted";
    pub const WISHLIST_ITEM_ADDED: &str = "wishlist.item_added";
    pub const WISHLIST_ITEM_UPDATED: &str = "wishlist.item_updated";
    pub const WISHLIST_ITEM_REMOVED: &str = "wishlist.item_removed";
    pub const PAYMENT_METHOD_SAVED: &str = "payment_method.saved";
    pub const PAYMENT_METHOD_DELETED: &str = "payment_method.deleted";
    pub const PAYMENT_METHOD_DEFAULT_CHANGED: &str = "payment_method.default_changed";
    pub const STORE_CREDIT_GRANTED: &str = "store_credit.granted";
    pub const STORE_CREDIT_DEBITED: &str = "store_credit.debited";
    pub const STORE_CREDIT_RESTORED: &str = "store_credit.restored";
    pub const GIFT_CARD_ISSUED: &str = "gift_card.issued";
    pub const GIFT_CARD_REDEEMED: &str = "gift_card.redeemed";
    pub const GIFT_CARD_RESTORED: &str = "gift_card.restored";

    /// Every type, in the order the README lists them.
    pub const ALL: &[&str] = &[
        CUSTOMER_CREATED,
        CUSTOMER_UPDATED,
        CUSTOMER_PASSWORD_CHANGED,
        PASSWORD_RESET_REQUESTED,
        PASSWORD_RESET_COMPLETED,
        CUSTOMER_SESSION_ENDED,
        CUSTOMER_EMAIL_VERIFIED,
        CUSTOMER_EMAIL_CHANGE_REQUESTED,
        CUSTOMER_EMAIL_CHANGE_CANCELED,
        CUSTOMER_EMAIL_CHANGED,
        CUSTOMER_DATA_EXPORTED,
        CUSTOMER_DELETED,
        ORDER_PLACED,
        ORDER_PAID,
        ORDER_FULFILLED,
        ORDER_CANCELED,
        WISHLIST_CREATED,
        WISHLIST_UPDATED,
        WISHLIST_DELETED,
        WISHLIST_ITEM_ADDED,
        WISHLIST_ITEM_UPDATED,
        WISHLIST_ITEM_REMOVED,
        PAYMENT_METHOD_SAVED,
        PAYMENT_METHOD_DELETED,
        PAYMENT_METHOD_DEFAULT_CHANGED,
        STORE_CREDIT_GRANTED,
        STORE_CREDIT_DEBITED,
        STORE_CREDIT_RESTORED,
        GIFT_CARD_ISSUED,
        GIFT_CARD_REDEEMED,
        GIFT_CARD_RESTORED,
    ];

    /// Types after which a customer's sessions may have ended: open sockets re-check theirs.
    pub fn ends_sessions(event_type: &str) -> bool {
        matches!(
            event_type,
            CUSTOMER_PASSWORD_CHANGED
                | PASSWORD_RESET_COMPLETED
                | CUSTOMER_SESSION_ENDED
                | CUSTOMER_DELETED
        )
    }
}

/// A typed event payload: the struct names its event type.
pub trait Payload: Serialize {
    const KIND: &'static str;
}

/// `customer.created`: an account was registered (any surface).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustomerCreated {
    pub id: String,
    pub email: String,
}

/// `customer.updated`: profile fields changed; `changed` names them (never their values).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustomerUpdated {
    pub id: String,
    pub changed: Vec<String>,
}

/// `customer.password_changed`: the password was changed by its owner. `other_sessions_only`
/// says the caller's session went on (a profile update), else every session ended.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PasswordChanged {
    pub id: String,
    pub other_sessions_only: bool,
}

/// `customer.password_reset_requested`: a reset link was made for a known account. The only
/// payload that carries a secret, the reset `token`, so that an integrator holding a secret
/// key can send the mail itself.
#[derive(Clone, Serialize, Deserialize)]
pub struct PasswordResetRequested {
    pub customer_id: Option<String>,
    pub email: String,
    pub token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    /// The allowed `redirect_url` the link should point at, when one was given.
    pub redirect_url: Option<String>,
}

impl std::fmt::Debug for PasswordResetRequested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResetRequested")
            .field("customer_id", &self.customer_id)
            .field("token", &"***")
            .finish_non_exhaustive()
    }
}

/// `customer.password_reset`: a reset token was used; every earlier session ended.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PasswordReset {
    pub id: String,
}

/// `customer.session_ended`: a session was signed out (`logout`) or revoked because a rotated
/// refresh token was replayed (`refresh_reuse`). Sockets of that session close.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionEnded {
    pub id: String,
    pub session_id: String,
    pub reason: String,
}

/// `customer.email_verified`: the customer proved the email is theirs (`how`: `link`, or
/// `password_reset`, a reset link mailed to it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmailVerified {
    pub id: String,
    pub how: String,
}

/// `customer.email_change_requested`: a change was asked for; nothing changes until the new
/// address confirms it. The new address is not in the payload: it is not the customer's yet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmailChangeRequested {
    pub id: String,
    /// RFC 3339, UTC: when the links stop working.
    pub expires_at: String,
}

/// `customer.email_change_canceled`: the old address cancelled a pending change.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmailChangeCanceled {
    pub id: String,
}

/// `customer.email_changed`: the new address confirmed the change; the login follows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmailChanged {
    pub id: String,
    pub email: String,
}

/// `customer.data_exported`: the export's download link was used.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataExported {
    pub id: String,
    pub export_id: String,
}

/// `customer.deleted`: the customer deleted the account; every session ended, personal data
/// erased, orders kept anonymised.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustomerDeleted {
    pub id: String,
    /// Placed orders kept for the shop's books.
    pub orders_kept: i64,
}

/// The order every order event is about.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderRef {
    pub order_id: String,
    pub number: Option<String>,
}

/// `order.placed`: a cart was completed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderPlaced {
    #[serde(flatten)]
    pub order: OrderRef,
    pub email: Option<String>,
    pub currency: String,
    pub item_count: i32,
    /// Minor units of `currency`.
    pub total: i64,
}

/// `order.paid`: an integrator recorded the payment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderPaid {
    #[serde(flatten)]
    pub order: OrderRef,
    pub amount: i64,
    pub currency: String,
}

/// `order.fulfilled`: an integrator recorded the shipment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderFulfilled {
    #[serde(flatten)]
    pub order: OrderRef,
    pub tracking_number: Option<String>,
}

/// `order.canceled`: by its owner (`customer`) or an integrator (`integrator`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrderCanceled {
    #[serde(flatten)]
    pub order: OrderRef,
    pub canceled_by: String,
    /// What was paid and is owed back, minor units (0 when nothing was paid).
    pub refund_due: i64,
    pub currency: String,
}

impl Payload for CustomerCreated {
    const KIND: &'static str = kind::CUSTOMER_CREATED;
}
impl Payload for CustomerUpdated {
    const KIND: &'static str = kind::CUSTOMER_UPDATED;
}
impl Payload for PasswordChanged {
    const KIND: &'static str = kind::CUSTOMER_PASSWORD_CHANGED;
}
impl Payload for PasswordResetRequested {
    const KIND: &'static str = kind::PASSWORD_RESET_REQUESTED;
}
impl Payload for PasswordReset {
    const KIND: &'static str = kind::PASSWORD_RESET_COMPLETED;
}
impl Payload for SessionEnded {
    const KIND: &'static str = kind::CUSTOMER_SESSION_ENDED;
}
impl Payload for EmailVerified {
    const KIND: &'static str = kind::CUSTOMER_EMAIL_VERIFIED;
}
impl Payload for EmailChangeRequested {
    const KIND: &'static str = kind::CUSTOMER_EMAIL_CHANGE_REQUESTED;
}
impl Payload for EmailChangeCanceled {
    const KIND: &'static str = kind::CUSTOMER_EMAIL_CHANGE_CANCELED;
}
impl Payload for EmailChanged {
    const KIND: &'static str = kind::CUSTOMER_EMAIL_CHANGED;
}
impl Payload for DataExported {
    const KIND: &'static str = kind::CUSTOMER_DATA_EXPORTED;
}
impl Payload for CustomerDeleted {
    const KIND: &'static str = kind::CUSTOMER_DELETED;
}
impl Payload for OrderPlaced {
    const KIND: &'static str = kind::ORDER_PLACED;
}
impl Payload for OrderPaid {
    const KIND: &'static str = kind::ORDER_PAID;
}
impl Payload for OrderFulfilled {
    const KIND: &'static str = kind::ORDER_FULFILLED;
}
impl Payload for OrderCanceled {
    const KIND: &'static str = kind::ORDER_CANCELED;
}

/// `wishlist.created`, `wishlist.updated` (`changed` names the fields: `name`, `is_private`,
/// `is_default`) and `wishlist.deleted`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WishlistChanged {
    #[serde(skip)]
    pub kind: WishlistChange,
    pub wishlist_id: String,
    pub name: String,
    pub is_default: bool,
    pub is_private: bool,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changed: Vec<String>,
}

/// Which wishlist event a [`WishlistChanged`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WishlistChange {
    #[default]
    Created,
    Updated,
    Deleted,
}

/// `wishlist.item_added` (also when adding raised the quantity of an item already there),
/// `wishlist.item_updated`, `wishlist.item_removed`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WishlistItemChanged {
    #[serde(skip)]
    pub kind: WishlistItemChange,
    pub wishlist_id: String,
    pub item_id: String,
    pub variant_id: String,
    pub quantity: i32,
}

/// Which item event a [`WishlistItemChanged`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WishlistItemChange {
    #[default]
    Added,
    Updated,
    Removed,
}

/// `payment_method.saved`, `payment_method.deleted`, `payment_method.default_changed`. Never
/// the provider's token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PaymentMethodChanged {
    #[serde(skip)]
    pub kind: PaymentMethodChange,
    pub payment_method_id: String,
    pub provider: String,
    pub brand: String,
    pub last4: String,
    pub is_default: bool,
}

/// Which payment method event a [`PaymentMethodChanged`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaymentMethodChange {
    #[default]
    Saved,
    Deleted,
    DefaultChanged,
}

impl WishlistChanged {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            WishlistChange::Created => kind::WISHLIST_CREATED,
            WishlistChange::Updated => kind::WISHLIST_UPDATED,
            WishlistChange::Deleted => kind::WISHLIST_DELETED,
        }
    }
}

impl WishlistItemChanged {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            WishlistItemChange::Added => kind::WISHLIST_ITEM_ADDED,
            WishlistItemChange::Updated => kind::WISHLIST_ITEM_UPDATED,
            WishlistItemChange::Removed => kind::WISHLIST_ITEM_REMOVED,
        }
    }
}

impl PaymentMethodChanged {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            PaymentMethodChange::Saved => kind::PAYMENT_METHOD_SAVED,
            PaymentMethodChange::Deleted => kind::PAYMENT_METHOD_DELETED,
            PaymentMethodChange::DefaultChanged => kind::PAYMENT_METHOD_DEFAULT_CHANGED,
        }
    }
}

/// An event about a customer whose type the payload decides (wishlists, payment methods).
pub fn customer_change(
    customer_id: &str,
    event_type: &'static str,
    payload: &impl Serialize,
) -> NewEvent {
    NewEvent {
        event_id: ids::new(ids::prefix::EVENT),
        event_type: event_type.to_owned(),
        customer_id: Some(customer_id.to_owned()),
        order_id: None,
        payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
        created_at: now(),
    }
}

impl WishlistChanged {
    /// This change as an event of `customer_id`.
    pub fn event(&self, customer_id: &str) -> NewEvent {
        customer_change(customer_id, self.kind_name(), self)
    }
}

impl WishlistItemChanged {
    /// This change as an event of `customer_id`.
    pub fn event(&self, customer_id: &str) -> NewEvent {
        customer_change(customer_id, self.kind_name(), self)
    }
}

impl PaymentMethodChanged {
    /// This change as an event of `customer_id`.
    pub fn event(&self, customer_id: &str) -> NewEvent {
        customer_change(customer_id, self.kind_name(), self)
    }
}

/// One event row, written by [`insert`] inside the transaction that makes the change.
#[derive(Clone, Insertable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NewEvent {
    pub event_id: String,
    pub event_type: String,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub payload: String,
    pub created_at: chrono::NaiveDateTime,
}

impl std::fmt::Debug for NewEvent {
    // The payload may hold a reset token: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEvent")
            .field("event_id", &self.event_id)
            .field("event_type", &self.event_type)
            .finish_non_exhaustive()
    }
}

/// An event about a customer.
pub fn customer<P: Payload>(customer_id: &str, payload: &P) -> NewEvent {
    new(Some(customer_id.to_owned()), None, payload)
}

/// An event about a customer and/or an order (orders use `Order::event`).
pub fn new<P: Payload>(
    customer_id: Option<String>,
    order_id: Option<String>,
    payload: &P,
) -> NewEvent {
    NewEvent {
        event_id: ids::new(ids::prefix::EVENT),
        event_type: P::KIND.to_owned(),
        customer_id: customer_id.filter(|c| !c.is_empty()),
        order_id,
        // A struct of strings and numbers always serializes.
        payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
        created_at: now(),
    }
}

/// Writes `event` to the outbox, on the connection of the transaction making the change.
pub async fn insert(c: &mut Backend<'_>, event: &NewEvent) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::insert_into(events::table)
        .values(event)
        .execute(c)
        .await)?;
    Ok(())
}
