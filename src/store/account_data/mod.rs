//! What a customer may ask of the data we hold about them: a copy ([`export`]) and its erasure
//! with the account ([`erase`]).

pub mod erase;
pub mod export;
