//! Each variant's price in the request's currency, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Price};

/// Each variant's price in one currency, one query per batch.
pub struct PricesByVariant {
    pub store: Store,
    pub currency: String,
}

impl Loader<String> for PricesByVariant {
    /// `None` for a variant without a price, so that it is cached too.
    type Value = Option<Price>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let mut found = catalog::batch::prices_by_variant(&self.store, keys, &self.currency)
            .await
            .gql()?;
        Ok(keys.iter().map(|k| (k.clone(), found.remove(k))).collect())
    }
}
