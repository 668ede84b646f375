//! `Money` and `PriceRange`.

use async_graphql::{Object, SimpleObject};

use crate::store::money;

// Each rendering is made only when asked for: a product page shows hundreds of prices and
// usually asks for one or two renderings of each.
#[derive(Clone, Debug)]
pub struct Money(money::Money);

impl From<money::Money> for Money {
    fn from(m: money::Money) -> Self {
        Self(m)
    }
}

/// An amount of money.
#[Object]
impl Money {
    /// Decimal string in major units: `"19.99"`.
    async fn amount(&self) -> String {
        self.0.decimal()
    }

    /// The amount in the currency's minor units: `1999`.
    async fn amount_in_cents(&self) -> i64 {
        self.0.amount
    }

    /// ISO 4217 code.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// For display, with the currency's symbol: `"$19.99"`.
    async fn formatted(&self) -> String {
        self.0.formatted()
    }
}

/// The lowest and highest price of a product's variants.
#[derive(SimpleObject, Clone, Debug)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
}
