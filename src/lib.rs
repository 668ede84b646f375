//! storefront: a shop's customer-facing API (GraphQL, plus Spree- and Medusa-compatible REST)
//! over one service layer and either SQLite or PostgreSQL.
//!
//! `main.rs` is only the command line; tests build the same app through [`startup`].

pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod rest;
pub mod smtp;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;

pub use config::Config;
pub use state::AppState;

/// The application's router for this state (what `serve` runs and tests call).
pub fn app(state: AppState) -> axum::Router {
    http::router(state)
}
