//! Each variant's option values, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, OptionValue};

/// Each variant's option values, one query per batch.
pub struct OptionValuesByVariant(pub Store);

impl Loader<String> for OptionValuesByVariant {
    type Value = Vec<OptionValue>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::option_values_by_variant(&self.0, keys)
            .await
            .gql()
    }
}
