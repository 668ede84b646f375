//! Carts and orders. A cart and the order it becomes are one row of `orders` (DESIGN.md
//! section 4): `state` is `cart` until checkout, then `complete` or `canceled`. The row id is
//! `or_<ULID>`; a cart shows it as `cart_<same ULID>` (two faces of one record), and
//! every function accepts either form.
//!
//! Who may touch a row ([`Caller::may_access`]): the signed-in customer it belongs to, or
//! whoever presents its token (guests). The token is random and stored only as its SHA-256.
//! Anyone else gets `NotFound`, exactly as for an id that does not exist.
//!
//! - [`cart`]: create, add / change / remove items, email, addresses, note.
//! - [`checkout`]: completing a cart, with the stock reservation.
//! - [`history`]: reading placed orders, and attaching guest orders to an account.
//! - [`lifecycle`]: cancel, mark paid, fulfil (customers and integrators).

pub mod cart;
pub mod checkout;
pub mod delivery;
pub mod history;
pub mod lifecycle;
pub mod payment;
pub mod pricing;
mod state;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use super::addresses::ValidAddress;
use super::addresses::{Address, country_name, province_name};
use super::events::{self, NewEvent};
use super::{Entity, StoreError, ids, tokens};
use crate::db::schema::{line_items, orders};
use crate::error::Secret;

pub use pricing::Totals;
pub use state::{FulfillmentStatus, OrderStatus, PaymentStatus, ShipmentState};

/// Most units of one variant in a cart.
pub const MAX_QUANTITY: i32 = 999;
/// Most lines in one cart.
pub const MAX_LINES: i64 = 100;

/// A cart or an order, as stored. Totals are in minor units of `currency`.
#[derive(Clone, Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = orders, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Order {
    pub id: String,
    pub number: Option<String>,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    /// SHA-256 of the guest token; never shown.
    #[diesel(column_name = token)]
    token_hash: String,
    pub state: OrderStatus,
    pub payment_state: Option<PaymentStatus>,
    pub shipment_state: Option<ShipmentState>,
    pub currency: String,
    pub item_count: i32,
    pub item_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub total: i64,
    shipping_address: Option<String>,
    billing_address: Option<String>,
    pub note: Option<String>,
    pub tracking_number: Option<String>,
    pub metadata: String,
    pub completed_at: Option<NaiveDateTime>,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub canceled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    shipping_option_id: Option<String>,
    shipping_method_id: Option<String>,
    payment_started_at: Option<NaiveDateTime>,
    payment_provider: Option<String>,
    payment_session_id: Option<String>,
    payment_session_amount: Option<i64>,
    payment_session_at: Option<NaiveDateTime>,
}

impl Order {
    pub fn status(&self) -> OrderStatus {
        self.state
    }

    /// The payment status; a cart owes its balance.
    pub fn payment_status(&self) -> PaymentStatus {
        self.payment_state.unwrap_or_default()
    }

    /// The fulfilment status; a cart is unfulfilled.
    pub fn fulfillment_status(&self) -> FulfillmentStatus {
        self.shipment_state
            .map_or(FulfillmentStatus::Unfulfilled, ShipmentState::fulfillment)
    }

    /// The id as a cart shows it: `cart_<ULID>`.
    pub fn cart_id(&self) -> String {
        cart_id_of(&self.id)
    }

    /// The shipping address snapshot.
    pub fn shipping_address(&self) -> Option<OrderAddress> {
        OrderAddress::from_column(self.shipping_address.as_deref())
    }

    /// The billing address snapshot.
    pub fn billing_address(&self) -> Option<OrderAddress> {
        OrderAddress::from_column(self.billing_address.as_deref())
    }

    /// An event about this order (its customer's, when it has one).
    pub fn event<P: events::Payload>(&self, payload: &P) -> NewEvent {
        events::new(self.customer_id.clone(), Some(self.id.clone()), payload)
    }

    /// The order as every order event's payload names it.
    pub fn event_ref(&self) -> events::OrderRef {
        events::OrderRef {
            order_id: self.id.clone(),
            number: self.number.clone(),
        }
    }

    /// The delivery option the shopper chose, if they chose one ([`delivery::choose`]).
    pub fn delivery(&self) -> Option<DeliveryChoice> {
        Some(DeliveryChoice {
            option_id: self.shipping_option_id.clone()?,
            id: self.shipping_method_id.clone()?,
        })
    }

    /// When the shopper started paying ([`payment::start`]), if they did.
    pub fn payment_started_at(&self) -> Option<NaiveDateTime> {
        self.payment_started_at
    }

    /// The payment session in force: the last one started, while the cart's total is still the
    /// amount it was started for (a change of the total voids it).
    pub fn payment_session(&self) -> Option<PaymentSession> {
        let session = PaymentSession {
            id: self.payment_session_id.clone()?,
            provider: self.payment_provider.clone()?,
            amount: self.payment_session_amount?,
            created_at: self.payment_session_at?,
        };
        (session.amount == self.total).then_some(session)
    }

    /// Whether `token` is this row's guest token.
    pub fn token_matches(&self, token: &str) -> bool {
        tokens::hash(token) == self.token_hash
    }
}

/// An item of a cart or order. Name, sku and options are snapshots taken when it was added
/// (and refreshed while it is a cart), so a placed order keeps them after catalogue edits.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = line_items, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct LineItem {
    pub id: String,
    pub order_id: String,
    pub variant_id: String,
    pub product_id: String,
    pub name: String,
    pub sku: Option<String>,
    /// "Size: S, Color: Red", empty when the variant has no options.
    pub options_text: String,
    pub quantity: i32,
    pub unit_price: i64,
    pub compare_at_unit_price: Option<i64>,
    pub currency: String,
    pub total: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A postal address copied onto an order: editing or deleting the address book entry it came
/// from never changes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAddress {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub postal_code: Option<String>,
    pub country_code: String,
    pub province_code: Option<String>,
    pub phone: Option<String>,
}

impl OrderAddress {
    fn from_column(json: Option<&str>) -> Option<Self> {
        json.and_then(|text| serde_json::from_str(text).ok())
    }

    pub(crate) fn to_column(&self) -> String {
        serde_json::to_string(self).expect("an address serializes")
    }

    /// What an erased customer's order keeps of this address: the tax jurisdiction the order
    /// was taxed in (country, province, city, postal code), without name, company, street or
    /// phone.
    pub fn anonymised(&self) -> Self {
        Self {
            first_name: None,
            last_name: None,
            company: None,
            address1: String::new(),
            address2: None,
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            country_code: self.country_code.clone(),
            province_code: self.province_code.clone(),
            phone: None,
        }
    }

    pub fn full_name(&self) -> Option<String> {
        super::full_name(self.first_name.as_deref(), self.last_name.as_deref())
    }

    pub fn country_name(&self) -> Option<&'static str> {
        country_name(&self.country_code)
    }

    pub fn province_name(&self) -> Option<&'static str> {
        province_name(&self.country_code, self.province_code.as_deref()?)
    }
}

impl From<&Address> for OrderAddress {
    fn from(a: &Address) -> Self {
        Self {
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            company: a.company.clone(),
            address1: a.address1.clone(),
            address2: a.address2.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            country_code: a.country_code.clone(),
            province_code: a.province_code.clone(),
            phone: a.phone.clone(),
        }
    }
}

impl From<ValidAddress> for OrderAddress {
    fn from(a: ValidAddress) -> Self {
        Self {
            first_name: a.first_name,
            last_name: a.last_name,
            company: a.company,
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            postal_code: a.postal_code,
            country_code: a.country_code,
            province_code: a.province_code,
            phone: a.phone,
        }
    }
}

/// The delivery option chosen for a cart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryChoice {
    /// The option ([`delivery::STANDARD`]).
    pub option_id: String,
    /// This choice: a new id each time an option is chosen.
    pub id: String,
}

/// A payment session: the provider the shopper will pay with, for an amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentSession {
    pub id: String,
    pub provider: String,
    /// Minor units of the order's currency: the total when the session started.
    pub amount: i64,
    pub created_at: NaiveDateTime,
}

/// Who is asking, as far as carts and orders care.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The signed-in customer.
    pub customer_id: Option<String>,
    /// A cart/order token the caller presented (guests).
    pub token: Option<Secret<String>>,
    /// The token opens only rows without an owner: a customer's cart or order needs that
    /// customer signed in. For clients that present the token as the cart's id, so that the
    /// id alone never opens a customer's cart.
    pub token_for_guest_rows_only: bool,
}

impl Caller {
    /// Whether the caller may read and change `order`.
    pub fn may_access(&self, order: &Order) -> bool {
        let owner = matches!((&self.customer_id, &order.customer_id), (Some(a), Some(b)) if a == b);
        let token = self
            .token
            .as_ref()
            .is_some_and(|t| order.token_matches(t.expose()));
        owner || (token && !(self.token_for_guest_rows_only && order.customer_id.is_some()))
    }

    /// The guest token to show back on a cart or order: the one the caller presented, when it
    /// opens this row and the caller is not its signed-in owner (an owner needs no token, and a
    /// token is never shown to anyone who did not already hold it).
    pub fn shown_token(&self, order: &Order) -> Option<String> {
        let owner = self.customer_id.is_some() && self.customer_id == order.customer_id;
        self.token
            .as_ref()
            .filter(|t| !owner && order.token_matches(t.expose()))
            .map(|t| t.expose().clone())
    }
}

/// The cart or order (in any state) whose token is `token`, if the caller may open it (the
/// caller should present that token). For clients whose only handle on a cart is its token.
pub async fn find_by_token(
    store: &super::Store,
    caller: &Caller,
    token: &str,
) -> Result<Order, StoreError> {
    let mut conn = store.db().conn().await?;
    let hash = tokens::hash(token);
    let order: Option<Order> = crate::db_run!(conn, |c| orders::table
        .filter(orders::token.eq(&hash))
        .select(Order::as_select())
        .first(c)
        .await
        .optional())?;
    order
        .filter(|o| caller.may_access(o))
        .ok_or_else(cart_not_found)
}

/// The row id (`or_<ULID>`) an argument names, given as `cart_<ULID>` or `or_<ULID>`.
/// Anything else names nothing: `NotFound`.
pub fn row_id(id: &str, entity: Entity) -> Result<String, StoreError> {
    let ulid = id
        .strip_prefix("cart_")
        .or_else(|| id.strip_prefix("or_"))
        .filter(|ulid| ulid::Ulid::from_string(ulid).is_ok())
        .ok_or(StoreError::not_found(entity))?;
    Ok(format!("{}_{ulid}", ids::prefix::ORDER))
}

/// Units of each product in `lines`, in product id order: the order stock and sales counters
/// are updated in, by checkout and cancel alike.
fn units_by_product(lines: &[LineItem]) -> std::collections::BTreeMap<&str, i64> {
    let mut units = std::collections::BTreeMap::new();
    for line in lines {
        *units.entry(line.product_id.as_str()).or_default() += i64::from(line.quantity);
    }
    units
}

fn cart_id_of(row_id: &str) -> String {
    format!("cart_{}", row_id.strip_prefix("or_").unwrap_or(row_id))
}

fn cart_not_found() -> StoreError {
    StoreError::not_found(Entity::Cart)
}

fn order_not_found() -> StoreError {
    StoreError::not_found(Entity::Order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_and_order_ids_name_one_row() {
        let id = ids::new(ids::prefix::ORDER);
        let cart = cart_id_of(&id);
        assert!(cart.starts_with("cart_"));
        assert_eq!(row_id(&cart, Entity::Cart).unwrap(), id);
        assert_eq!(row_id(&id, Entity::Cart).unwrap(), id);
        assert!(row_id("cart_nope", Entity::Cart).is_err());
        assert!(row_id("cus_01JD0000000000000000000000", Entity::Cart).is_err());
    }
}
