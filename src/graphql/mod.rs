//! The GraphQL surface: schema, roots split by domain, object types and errors.
//! Resolvers only call `store::` and convert.

mod account_lifecycle;
mod accounts;
mod addresses;
mod balances;
pub mod cache;
pub mod catalog;
pub mod connection;
pub mod engine;
mod error;
pub mod http;
pub mod limits;
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
pub use engine::Engine;
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
    balances::BalancesMutation,
);

pub use subscriptions::SubscriptionRoot;

/// The schema type served at `/graphql` and `/graphql/ws`.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with every limit set explicitly; introspection and name suggestions only
/// where the configuration allows them (by default in development only). The operation limits
/// of `limits.rs` and the per-operation loaders come around it (see `engine`).
pub fn build(store: Store, limits: &GraphqlLimits) -> Engine {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .data(store.clone())
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    .limit_directives(limits.max_directives);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    Engine::new(
        builder.finish(),
        limits::OperationLimits::new(limits),
        store,
    )
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
