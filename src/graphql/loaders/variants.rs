//! Every variant of each product, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Variant};

/// Every variant of each product, one query per batch.
pub struct VariantsByProduct(pub Store);

impl Loader<String> for VariantsByProduct {
    type Value = Vec<Variant>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::variants_by_product(&self.0, keys)
            .await
            .gql()
    }
}
