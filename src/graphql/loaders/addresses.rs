//! Each customer's address book, one query per batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::addresses::{self, Address};

/// Each customer's addresses (oldest first, with their default flags), one query per batch.
pub struct AddressesByCustomer(pub Store);

impl Loader<String> for AddressesByCustomer {
    type Value = Vec<Address>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        addresses::list_for_customers(&self.0, keys).await.gql()
    }
}
