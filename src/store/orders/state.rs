//! Where an order stands, as stored in its text columns `state`, `payment_state` and
//! `shipment_state`. The first two map one to one onto the statuses the API shows; a shipment
//! has one more state than fulfilment (`ready`: Spree's "paid, not sent").

use diesel::backend::Backend as DieselBackend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::db::text_enum::{self, TextEnum};

/// Where an order stands (column `orders.state`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum OrderStatus {
    /// Still a cart (never listed as an order).
    #[default]
    Cart,
    Placed,
    Canceled,
}

/// Whether the order is paid (column `orders.payment_state`). Payment is manual: an
/// integrator marks it paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum PaymentStatus {
    #[default]
    BalanceDue,
    Paid,
    /// Canceled before payment: nothing is owed.
    Void,
}

/// Whether the order has been sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FulfillmentStatus {
    Unfulfilled,
    Fulfilled,
    Canceled,
}

/// Spree's shipment state (column `orders.shipment_state`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum ShipmentState {
    /// Waiting for payment.
    #[default]
    Pending,
    /// Paid, waiting to be sent.
    Ready,
    Shipped,
    Canceled,
}

impl TextEnum for OrderStatus {
    const ALL: &'static [Self] = &[Self::Cart, Self::Placed, Self::Canceled];

    fn as_str(self) -> &'static str {
        match self {
            Self::Cart => "cart",
            Self::Placed => "complete",
            Self::Canceled => "canceled",
        }
    }
}

impl TextEnum for PaymentStatus {
    const ALL: &'static [Self] = &[Self::BalanceDue, Self::Paid, Self::Void];

    fn as_str(self) -> &'static str {
        match self {
            Self::BalanceDue => "balance_due",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }
}

impl TextEnum for ShipmentState {
    const ALL: &'static [Self] = &[Self::Pending, Self::Ready, Self::Shipped, Self::Canceled];

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::Shipped => "shipped",
            Self::Canceled => "canceled",
        }
    }
}

impl ShipmentState {
    /// The fulfilment status this shipment state means.
    pub fn fulfillment(self) -> FulfillmentStatus {
        match self {
            Self::Pending | Self::Ready => FulfillmentStatus::Unfulfilled,
            Self::Shipped => FulfillmentStatus::Fulfilled,
            Self::Canceled => FulfillmentStatus::Canceled,
        }
    }
}

impl FulfillmentStatus {
    /// The shipment states meaning this status.
    pub fn shipment_states(self) -> &'static [ShipmentState] {
        match self {
            Self::Unfulfilled => &[ShipmentState::Pending, ShipmentState::Ready],
            Self::Fulfilled => &[ShipmentState::Shipped],
            Self::Canceled => &[ShipmentState::Canceled],
        }
    }
}

impl<DB: DieselBackend> ToSql<Text, DB> for OrderStatus
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        text_enum::to_sql(self, out)
    }
}

impl<DB: DieselBackend> FromSql<Text, DB> for OrderStatus
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        text_enum::from_sql::<Self, DB>(bytes)
    }
}

impl<DB: DieselBackend> ToSql<Text, DB> for PaymentStatus
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        text_enum::to_sql(self, out)
    }
}

impl<DB: DieselBackend> FromSql<Text, DB> for PaymentStatus
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        text_enum::from_sql::<Self, DB>(bytes)
    }
}

impl<DB: DieselBackend> ToSql<Text, DB> for ShipmentState
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        text_enum::to_sql(self, out)
    }
}

impl<DB: DieselBackend> FromSql<Text, DB> for ShipmentState
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        text_enum::from_sql::<Self, DB>(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_text() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
        }
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(*s));
        }
        for s in ShipmentState::ALL {
            assert_eq!(ShipmentState::parse(s.as_str()), Some(*s));
            assert!(s.fulfillment().shipment_states().contains(s));
        }
        assert_eq!(OrderStatus::Placed.as_str(), "complete");
        assert_eq!(OrderStatus::parse("completed"), None);
    }
}
