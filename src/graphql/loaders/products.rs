//! Products by id (a variant's product), one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Product};

/// Products by id, whatever their status (an order line's product may be a draft by now), one
/// query per batch.
pub struct ProductsById(pub Store);

impl Loader<String> for ProductsById {
    type Value = Product;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::products_by_id(&self.0, keys).await.gql()
    }
}
