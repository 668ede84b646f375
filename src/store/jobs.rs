//! Housekeeping: deletes what no rule needs any more, every `STOREFRONT_HOUSEKEEPING_INTERVAL`.
//!
//! - throttle windows that have ended (`rate_limits`),
//! - sessions that ended (signed out, revoked or past their lifetime),
//! - password reset tokens used, voided or expired, and so for email links (verification,
//!   email change) and data export links,
//! - idempotency answers past their 24 hours,
//! - guest carts untouched for `STOREFRONT_CART_TTL` (a cart only: never an order, never a
//!   signed-in customer's cart),
//! - events older than `STOREFRONT_EVENT_RETENTION`, and outbox mail sent, refused or expired
//!   that long ago (pending mail is never deleted).
//!
//! One pass is one transaction. With several instances, PostgreSQL gives it to one of them
//! through a transaction-level advisory lock (`pg_try_advisory_xact_lock`): the others skip
//! that pass. Every delete is idempotent anyway, so a pass that runs twice does no harm.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, RunQueryDsl};
use tokio::sync::watch;

use super::mail::outbox::status as mail_status;
use super::orders::OrderStatus;
use super::{StoreError, now};
use crate::config::Config;
use crate::db::schema::{
    data_exports, email_tokens, events, idempotency_keys, mail_outbox, orders, password_resets,
    rate_limits, sessions,
};
use crate::db::{Backend, Db};
use crate::db_run;

/// The advisory lock a housekeeping pass holds on PostgreSQL (an arbitrary constant; the
/// migration lock is another).
pub const PG_HOUSEKEEPING_LOCK: i64 = 0x5f0f_4b65_6570;

/// Rows one pass deleted, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub throttles: usize,
    pub sessions: usize,
    pub password_resets: usize,
    pub email_tokens: usize,
    pub data_exports: usize,
    pub idempotency_keys: usize,
    pub carts: usize,
    pub events: usize,
    pub mails: usize,
}

/// Runs a pass every interval until `stop` turns true. `db` is the background pool.
pub async fn run(config: std::sync::Arc<Config>, db: Db, mut stop: watch::Receiver<bool>) {
    let interval = config.housekeeping.interval;
    loop {
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
        match run_once(&db, &config).await {
            Ok(Some(report)) => tracing::info!(?report, "housekeeping done"),
            Ok(None) => tracing::debug!("housekeeping: another instance is at it"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; next pass will retry"),
        }
    }
}

/// One pass; `None` when another instance holds the pass.
pub async fn run_once(db: &Db, config: &Config) -> Result<Option<Report>, StoreError> {
    let at = now();
    let ago = |d: Duration| at - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    let cutoffs = Cutoffs {
        now: at,
        throttle_window: ago(config.throttle.window),
        carts: ago(config.housekeeping.cart_ttl),
        retention: ago(config.housekeeping.event_retention),
    };
    let mut conn = db.write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            if !take_pass(&mut c.into()).await? {
                return Ok(None);
            }
            delete(&mut c.into(), &cutoffs).await.map(Some)
        })
        .await)
}

struct Cutoffs {
    now: NaiveDateTime,
    /// Windows that started before this have ended.
    throttle_window: NaiveDateTime,
    /// Guest carts last touched before this go.
    carts: NaiveDateTime,
    /// Events and finished mail from before this go.
    retention: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Whether this transaction holds the pass (always on SQLite: one process writes).
async fn take_pass(c: &mut Backend<'_>) -> Result<bool, StoreError> {
    match c {
        Backend::Postgres(c) => {
            let row: Locked = diesel::sql_query(format!(
                "SELECT pg_try_advisory_xact_lock({PG_HOUSEKEEPING_LOCK}) AS locked"
            ))
            .get_result(*c)
            .await?;
            Ok(row.locked)
        }
        Backend::Sqlite(_) => Ok(true),
    }
}

async fn delete(c: &mut Backend<'_>, cut: &Cutoffs) -> Result<Report, StoreError> {
    let throttles = db_run!(c, |c| diesel::delete(
        rate_limits::table.filter(rate_limits::window_started_at.le(cut.throttle_window))
    )
    .execute(c)
    .await)?;
    let sessions = db_run!(c, |c| diesel::delete(
        sessions::table.filter(
            sessions::revoked_at
                .is_not_null()
                .or(sessions::expires_at.le(cut.now))
        )
    )
    .execute(c)
    .await)?;
    let password_resets = db_run!(c, |c| diesel::delete(
        password_resets::table.filter(
            password_resets::used_at
                .is_not_null()
                .or(password_resets::expires_at.le(cut.now))
        )
    )
    .execute(c)
    .await)?;
    let email_tokens = db_run!(c, |c| diesel::delete(
        email_tokens::table.filter(
            email_tokens::used_at
                .is_not_null()
                .or(email_tokens::expires_at.le(cut.now))
        )
    )
    .execute(c)
    .await)?;
    let data_exports = db_run!(c, |c| diesel::delete(
        data_exports::table.filter(
            data_exports::used_at
                .is_not_null()
                .or(data_exports::expires_at.le(cut.now))
        )
    )
    .execute(c)
    .await)?;
    let idempotency_keys = db_run!(c, |c| diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::expires_at.le(cut.now))
    )
    .execute(c)
    .await)?;
    // Line items go with their cart (ON DELETE CASCADE).
    let carts = db_run!(c, |c| diesel::delete(
        orders::table
            .filter(orders::state.eq(OrderStatus::Cart))
            .filter(orders::customer_id.is_null())
            .filter(orders::updated_at.le(cut.carts))
    )
    .execute(c)
    .await)?;
    let events = db_run!(c, |c| diesel::delete(
        events::table.filter(events::created_at.le(cut.retention))
    )
    .execute(c)
    .await)?;
    let finished = [mail_status::SENT, mail_status::FAILED, mail_status::EXPIRED];
    let mails = db_run!(c, |c| diesel::delete(
        mail_outbox::table
            .filter(mail_outbox::status.eq_any(finished))
            .filter(mail_outbox::updated_at.le(cut.retention))
    )
    .execute(c)
    .await)?;
    Ok(Report {
        throttles,
        sessions,
        password_resets,
        email_tokens,
        data_exports,
        idempotency_keys,
        carts,
        events,
        mails,
    })
}
