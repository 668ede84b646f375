//! The demo data: a believable catalogue and, on request, customers with addresses and past
//! orders. Deterministic (fixed random seed) so benchmarks are repeatable.
//!
//! `--products N` and `--customers N` are totals, not increments, so running the seed again
//! never fails and never duplicates. A run adds only what is missing:
//!
//! - the category tree and the size and color option values, matched by permalink and name;
//! - products until the catalogue holds `N`: first the 48 hand-written ones whose slug is
//!   absent, then generated products #0, #1, ... skipping any whose slug exists;
//! - customers `customer{i}@example.com` for `i` in `1..=N` whose email is absent, each with
//!   addresses, a login (password [`DEMO_PASSWORD`]) and past orders of the catalogue present
//!   at that time.
//!
//! Every row's randomness comes from a ChaCha8 stream keyed by what it belongs to (the product
//! or customer number), and every timestamp from fixed dates, so topping up an earlier seed
//! gives the same products as seeding the larger number at once.

mod catalog;
mod customers;
mod data;
mod names;
mod product_rows;
mod rows;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::QueryResult;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl, TransactionManager};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use diesel::SqliteConnection;
use diesel::query_dsl::methods::ExecuteDsl;

use super::schema::products;
use super::{Backend, Db, DbConn, PgConn};
use crate::db_run;
use crate::error::StoreError;
use crate::store::ids;

/// The password of every demo customer.
pub const DEMO_PASSWORD: &str = "demo-password-123";

/// Argon2id (m=19456 KiB, t=2, p=1, fixed salt) of [`DEMO_PASSWORD`], computed once offline so
/// seeding does not hash thousands of passwords.
pub const DEMO_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3RvcmVmcm9udC1kZW1vIQ$BfpM5a8gXKXNTlukt6RWUhXdhsMoNEI9pFfRcq4ab6I";

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

/// What a seed run made (rows it inserted, not what already existed).
#[derive(Clone, Debug, Default)]
pub struct SeedReport {
    pub categories: usize,
    pub products: usize,
    /// Including each product's default variant.
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

/// Loads the demo data; see the module documentation for what a second run does.
pub async fn run(db: &Db, options: &SeedOptions) -> Result<SeedReport, StoreError> {
    let mut conn = db.write_conn().await?;
    let mut report = SeedReport::default();
    catalog::seed(&mut conn, options.products, &mut report).await?;
    customers::seed(&mut conn, options.customers, &mut report).await?;
    Ok(report)
}

/// The fixed seed all random streams derive from.
const SEED: u64 = 0x5EED_2026_0F0D;

/// What a random stream makes; its index is the product or customer number.
#[derive(Clone, Copy)]
enum Stream {
    Taxonomy = 1,
    HandWritten = 2,
    Generated = 3,
    Customer = 4,
}

fn rng_for(stream: Stream, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED.wrapping_mul(31).wrapping_add(stream as u64));
    rng.set_stream(index);
    rng
}

/// An id whose time part is `at` and whose randomness comes from `rng`.
fn new_id(rng: &mut impl Rng, prefix: &str, at: NaiveDateTime) -> String {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or_default();
    ids::from_parts(prefix, millis, rng.random::<u128>())
}

fn date(year: i32, month: u32, day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// When the hand-written catalogue was "created"; generated products follow over 15 months.
fn catalog_start() -> NaiveDateTime {
    date(2025, 3, 1)
}

/// The "present" of the demo data: every order completed before it.
fn demo_now() -> NaiveDateTime {
    date(2026, 11, 1)
}

/// Coming-soon products become available some weeks after this date, far enough ahead that
/// they stay unavailable for years.
fn coming_soon() -> NaiveDateTime {
    date(2030, 3, 1)
}

fn seconds(rng: &mut impl Rng, max: i64) -> TimeDelta {
    TimeDelta::seconds(rng.random_range(0..max.max(1)))
}

const DAY: i64 = 86_400;

/// `"Cast Iron Skillet 10\""` → `"cast-iron-skillet-10"`.
fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if ch == '&' || ch == '\'' {
            continue;
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// SQLite accepts at most 32766 bound parameters per statement (PostgreSQL 65535).
const MAX_PARAMS: usize = 32_766;

fn rows_per_statement<T: rows::Row>(_: &[T]) -> usize {
    (MAX_PARAMS / T::COLUMNS).max(1)
}

/// Inserts `rows` in as few multi-row statements as the bound-parameter limit allows, each
/// built by `insert` from one batch (`|rows| diesel::insert_into(table).values(rows)`); returns
/// the rows inserted.
///
/// diesel-async cannot run a multi-row insert on SQLite (diesel implements it only for its
/// synchronous connection), so on SQLite the whole batch runs on the blocking connection.
async fn insert_rows<R, Q>(
    conn: &mut DbConn,
    rows: Vec<R>,
    insert: fn(Vec<R>) -> Q,
) -> Result<usize, StoreError>
where
    R: rows::Row + Send + 'static,
    Q: ExecuteDsl<SqliteConnection> + diesel_async::methods::ExecuteDsl<PgConn> + Send + 'static,
{
    let batches = batches(rows);
    match conn.backend() {
        Backend::Sqlite(c) => Ok(c
            .spawn_blocking(move |c| {
                let mut inserted = 0usize;
                for batch in batches {
                    inserted += ExecuteDsl::execute(insert(batch), c)?;
                }
                Ok(inserted)
            })
            .await?),
        Backend::Postgres(c) => {
            let mut inserted = 0usize;
            for batch in batches {
                inserted += insert(batch).execute(c).await?;
            }
            Ok(inserted)
        }
    }
}

/// `rows` cut into batches of [`rows_per_statement`], moved, not copied.
fn batches<R: rows::Row>(mut rows: Vec<R>) -> Vec<Vec<R>> {
    let size = rows_per_statement(&rows);
    let mut batches = Vec::with_capacity(rows.len().div_ceil(size));
    while !rows.is_empty() {
        let rest = rows.split_off(size.min(rows.len()));
        batches.push(std::mem::replace(&mut rows, rest));
    }
    batches
}

async fn begin(conn: &mut DbConn) -> Result<(), StoreError> {
    async fn on<C: AsyncConnection>(c: &mut C) -> QueryResult<()> {
        C::TransactionManager::begin_transaction(c).await
    }
    Ok(db_run!(conn, |c| on(c).await)?)
}

/// Commits the transaction [`begin`] opened if `result` is `Ok`, else rolls it back.
async fn finish<R>(conn: &mut DbConn, result: Result<R, StoreError>) -> Result<R, StoreError> {
    async fn commit<C: AsyncConnection>(c: &mut C) -> QueryResult<()> {
        C::TransactionManager::commit_transaction(c).await
    }
    async fn rollback<C: AsyncConnection>(c: &mut C) -> QueryResult<()> {
        C::TransactionManager::rollback_transaction(c).await
    }
    match result {
        Ok(value) => {
            db_run!(conn, |c| commit(c).await)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback_error) = db_run!(conn, |c| rollback(c).await) {
                tracing::warn!(error = %rollback_error, "seed: rollback failed");
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests;
