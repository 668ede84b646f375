//! The shop itself: name, currency, version.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{Store, StoreError};
use crate::db::schema::prices;
use crate::db_run;

/// What a storefront shows about the shop.
#[derive(Clone, Debug)]
pub struct Shop {
    pub name: String,
    pub default_currency: String,
    /// The currencies the catalogue has prices in, the default first.
    pub currencies: Vec<String>,
    pub version: &'static str,
}

/// The shop's description.
pub async fn get(store: &Store) -> Result<Shop, StoreError> {
    let mut conn = store.db().conn().await?;
    let priced: Vec<String> = db_run!(conn, |c| prices::table
        .select(prices::currency)
        .distinct()
        .order(prices::currency)
        .load(c)
        .await)?;
    let default_currency = store.config().currency.clone();
    let mut currencies = vec![default_currency.clone()];
    currencies.extend(priced.into_iter().filter(|c| *c != default_currency));
    Ok(Shop {
        name: store.config().shop_name.clone(),
        default_currency,
        currencies,
        version: env!("CARGO_PKG_VERSION"),
    })
}
