//! The Spree Store API v3 under `/api/v3/store`, wire-compatible with `@spree/sdk` 1.2
//! (`/work/shared/reference/spree.md` is the reference). Handlers extract the caller (whose
//! publishable key is checked first), the path, the query and the body, call one `store::`
//! function and convert the answer into the types of [`wire`].

mod account;
mod addresses;
mod balances;
mod catalog;
mod credit_cards;
mod error;
mod extract;
mod orders;
pub mod params;
mod routes;
pub mod wire;
mod wishlists;

pub use error::SpreeError;
pub use routes::{Idempotency, PREFIX, in_envelope, openapi, routes};
