//! Each product's option types, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, OptionType};

/// Each product's option types, one query per batch.
pub struct OptionTypesByProduct(pub Store);

impl Loader<String> for OptionTypesByProduct {
    type Value = Vec<OptionType>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::option_types_by_product(&self.0, keys)
            .await
            .gql()
    }
}
