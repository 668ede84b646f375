//! Pages of customers' orders, one query per distinct page request in a batch.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::graphql::ToGraphql;
use crate::store::Store;
use crate::store::orders::Order;
use crate::store::orders::history::{self, OrderQuery};
use crate::store::pagination::Page;

/// A customer and which page of their orders.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrdersKey {
    pub customer_id: String,
    pub query: OrderQuery,
}

/// Each customer's page of placed orders, newest first.
pub struct OrdersByCustomer(pub Store);

impl Loader<OrdersKey> for OrdersByCustomer {
    type Value = Page<Order>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OrdersKey],
    ) -> Result<HashMap<OrdersKey, Self::Value>, Self::Error> {
        let mut by_query: HashMap<&OrderQuery, Vec<String>> = HashMap::new();
        for key in keys {
            by_query
                .entry(&key.query)
                .or_default()
                .push(key.customer_id.clone());
        }
        let mut answers = HashMap::with_capacity(keys.len());
        for (query, customer_ids) in by_query {
            let pages = history::pages_for_customers(&self.0, &customer_ids, query)
                .await
                .gql()?;
            for (customer_id, page) in pages {
                answers.insert(
                    OrdersKey {
                        customer_id,
                        query: query.clone(),
                    },
                    page,
                );
            }
        }
        Ok(answers)
    }
}
