//! The shop itself: name, currency, version.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{Store, StoreError};
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

/// The currencies prices exist in, in order. A plain `SELECT DISTINCT` reads every price (3 ms
/// on a catalogue of 10,000 products, on every `shop` query); this walks the
/// `(currency, amount)` index one currency at a time, a few lookups whatever the catalogue's
/// size, on both backends.
const PRICED_CURRENCIES: &str = "WITH RECURSIVE c(currency) AS ( \
     SELECT MIN(currency) FROM prices \
     UNION ALL \
     SELECT (SELECT MIN(p.currency) FROM prices p WHERE p.currency > c.currency) \
     FROM c WHERE c.currency IS NOT NULL) \
     SELECT currency FROM c WHERE currency IS NOT NULL ORDER BY currency";

#[derive(QueryableByName)]
struct Priced {
    #[diesel(sql_type = diesel::sql_types::Text)]
    currency: String,
}

/// The shop's description.
pub async fn get(store: &Store) -> Result<Shop, StoreError> {
    let mut conn = store.db().conn().await?;
    let priced: Vec<String> = db_run!(conn, |c| diesel::sql_query(PRICED_CURRENCIES)
        .load::<Priced>(c)
        .await)?
    .into_iter()
    .map(|p| p.currency)
    .collect();
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

/// The one region the shop sells in: its currency and countries.
#[derive(Clone, Debug)]
pub struct Region {
    /// Stable across restarts: `reg_` and the currency.
    pub id: String,
    pub name: String,
    pub currency: String,
    pub countries: Vec<RegionCountry>,
}

/// A country of the region.
#[derive(Clone, Debug)]
pub struct RegionCountry {
    /// ISO 3166-1 alpha-2, upper case.
    pub alpha2: String,
    pub alpha3: &'static str,
    pub numeric: String,
    /// The English short name.
    pub name: &'static str,
}

/// The shop's region.
pub fn region(store: &Store) -> Region {
    let config = store.config();
    Region {
        id: format!("reg_{}", config.currency.to_ascii_lowercase()),
        name: config.shop_name.clone(),
        currency: config.currency.clone(),
        countries: config
            .countries
            .iter()
            .filter_map(|code| {
                let country = rust_iso3166::from_alpha2(code)?;
                Some(RegionCountry {
                    alpha2: code.clone(),
                    alpha3: country.alpha3,
                    numeric: country.numeric_str().to_string(),
                    name: country.name,
                })
            })
            .collect(),
    }
}
