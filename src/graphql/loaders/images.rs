//! Each product's images, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::catalog::{self, Image};

/// Each product's images, one query per batch.
pub struct ImagesByProduct(pub Store);

impl Loader<String> for ImagesByProduct {
    type Value = Vec<Image>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        catalog::batch::images_by_product(&self.0, keys).await.gql()
    }
}
