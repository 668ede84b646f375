//! Variants by id (an order line's variant), one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Variant};

/// Variants by id, discontinued ones included (an order line's variant may be by now), one
/// query per batch.
pub struct VariantsById(pub Store);

impl Loader<String> for VariantsById {
    type Value = Variant;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::variants_by_id(&self.0, keys).await.gql()
    }
}
