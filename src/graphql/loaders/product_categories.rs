//! Each product's categories, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Category};

/// Each product's categories, one query per batch.
pub struct CategoriesByProduct(pub Store);

impl Loader<String> for CategoriesByProduct {
    type Value = Vec<Category>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::categories_by_product(&self.0, keys)
            .await
            .gql()
    }
}
