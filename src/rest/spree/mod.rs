//! The Spree Store API v3 under `/api/v3/store`.

pub mod params;
