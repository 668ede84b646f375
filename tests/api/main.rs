//! One integration test binary: every test starts the real server on port 0 over a fresh
//! database (SQLite by default, PostgreSQL with `TEST_DATABASE_URL`) and talks HTTP to it.

// The Medusa cart test compares whole bodies written as one `json!` literal.
#![recursion_limit = "256"]

mod account_deletion;
mod account_support;
mod accounts;
mod addresses;
mod architecture;
mod carts;
mod catalog_cache;
mod catalog_categories;
mod catalog_fixtures;
mod catalog_pagination;
mod catalog_products;
mod catalog_variant_product;
mod catalog_visibility;
mod checkout;
mod cli;
mod data_export;
mod email_change;
mod email_verification;
mod enumeration;
mod gift_cards;
mod graphql_basics;
mod graphql_security;
mod helpers;
mod housekeeping;
mod http_shell;
mod lifecycle_support;
mod logs;
mod mail_outbox;
mod medusa_accounts;
mod medusa_addresses;
mod medusa_carts;
mod medusa_catalog;
mod medusa_openapi;
mod medusa_orders;
mod medusa_reset;
mod medusa_support;
mod medusa_v1;
mod order_support;
mod orders;
mod orders_idor;
mod orders_statements;
mod password_reset;
mod payment_methods;
mod persistence;
mod playground;
mod schema_sync;
mod sessions;
mod smtp;
mod spree_accounts;
mod spree_addresses;
mod spree_catalog;
mod spree_errors;
mod spree_idempotency;
mod spree_openapi;
mod spree_orders;
mod spree_support;
mod spree_wishlists;
mod store_credits;
mod subscriptions;
mod throttling;
mod wishlists;
mod wishlists_bounds;
