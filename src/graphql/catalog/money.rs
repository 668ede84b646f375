//! `Money` and `PriceRange`.

use async_graphql::SimpleObject;

use crate::store::money;

/// An amount of money.
#[derive(SimpleObject, Clone, Debug)]
pub struct Money {
    /// Decimal string in major units: `"19.99"`.
    pub amount: String,
    /// The amount in the currency's minor units: `1999`.
    pub amount_in_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// For display, with the currency's symbol: `"$19.99"`.
    pub formatted: String,
}

impl From<money::Money> for Money {
    fn from(m: money::Money) -> Self {
        Self {
            amount: m.decimal(),
            amount_in_cents: m.amount,
            formatted: m.formatted(),
            currency: m.currency,
        }
    }
}

/// The lowest and highest price of a product's variants.
#[derive(SimpleObject, Clone, Debug)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
}
