//! The line items of each order or cart, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::orders::{LineItem, history};

/// Each order's lines, in the order they were added.
pub struct LineItemsByOrder(pub Store);

impl Loader<String> for LineItemsByOrder {
    type Value = Vec<LineItem>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        history::lines_for_orders(&self.0, keys).await.gql()
    }
}
