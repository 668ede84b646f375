//! The GraphQL surface: schema, roots split by domain, object types and errors.
//! Resolvers only call `store::` and convert.

mod account_lifecycle;
mod accounts;
mod addresses;
pub mod catalog;
pub mod connection;
mod error;
pub mod http;
pub mod loaders;
mod orders;
mod payment_methods;
pub mod session;
mod shop;
mod socket;
mod subscriptions;
mod wishlists;

use async_graphql::{MergedObject, Schema};

use crate::config::GraphqlLimits;
use crate::store::Store;
pub use error::ToGraphql;

/// Every query field, one object per domain.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    shop::ShopQuery,
    accounts::AccountsQuery,
    catalog::CatalogQuery,
    orders::OrdersQuery,
    wishlists::WishlistsQuery,
);

/// Every mutation, one object per domain.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    accounts::AccountsMutation,
    account_lifecycle::AccountLifecycleMutation,
    addresses::AddressesMutation,
    orders::OrdersMutation,
    wishlists::WishlistsMutation,
    payment_methods::PaymentMethodsMutation,
);

pub use subscriptions::SubscriptionRoot;

/// The schema type served at `/graphql` and `/graphql/ws`.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with every limit set explicitly.
pub fn build(store: Store, limits: &GraphqlLimits) -> AppSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .data(store)
    .extension(loaders::PerRequestLoaders)
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    .limit_directives(10)
    .finish()
}

/// The schema's SDL, as committed in `schema.graphql` and printed by `storefront schema`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .finish()
    .sdl()
}
