//! The children of each category, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Category};

/// The children of each category, one query per batch.
pub struct ChildrenByCategory(pub Store);

impl Loader<String> for ChildrenByCategory {
    type Value = Vec<Category>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::categories::children_by_parent(&self.0, keys)
            .await
            .gql()
    }
}
