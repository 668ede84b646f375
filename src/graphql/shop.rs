//! `Query.shop`.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::ToGraphql;
use crate::store::{self, Store};

/// The shop a storefront talks to.
#[derive(SimpleObject)]
pub struct Shop {
    /// The shop's name.
    name: String,
    /// ISO 4217 code of the currency prices are shown in by default.
    default_currency: String,
    /// Every currency the catalogue has prices in, the default first.
    currencies: Vec<String>,
    /// The server's version.
    version: String,
}

impl From<store::shop::Shop> for Shop {
    fn from(s: store::shop::Shop) -> Self {
        Self {
            name: s.name,
            default_currency: s.default_currency,
            currencies: s.currencies,
            version: s.version.to_owned(),
        }
    }
}

#[derive(Default)]
pub struct ShopQuery;

#[Object]
impl ShopQuery {
    /// The shop: name, default currency and server version.
    async fn shop(&self, ctx: &Context<'_>) -> Result<Shop> {
        store::shop::get(ctx.data::<Store>()?)
            .await
            .gql()
            .map(Into::into)
    }
}
