//! Categories by id (a category's parent), one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Category};

/// Categories by id (a category's parent), one query per batch.
pub struct CategoriesById(pub Store);

impl Loader<String> for CategoriesById {
    type Value = Category;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::categories::by_ids(&self.0, keys).await.gql()
    }
}
