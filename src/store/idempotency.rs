//! Stored answers to writes sent with an idempotency key (the REST dialects' `Idempotency-Key`):
//! a retry of the same request by the same caller within [`TTL`] gets the first answer back
//! instead of acting twice; the same key with another request is refused. Rows are found by
//! a hash of the caller's credentials and the key, so one caller's key never names another's.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{Store, StoreError, now};
use crate::db::schema::idempotency_keys;
use crate::db_run;

/// How long an answer is kept.
pub const TTL: chrono::Duration = chrono::Duration::hours(24);

/// A stored answer.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Stored {
    pub fingerprint: String,
    pub status: i32,
    pub content_type: Option<String>,
    pub body: String,
}

/// What a request with a key should do.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    /// The key is new (or expired) and now claimed by this request: run it, then [`save`] or
    /// [`release`].
    New,
    /// The same request was answered before: send this again.
    Replay(Stored),
    /// The same request is running under this key right now.
    InProgress,
    /// The key was used for another request.
    Reused,
}

/// The `status` of a claimed key whose answer is not in yet.
const PENDING: i32 = 0;

/// How long a claim holds without an answer (a request that died with its process frees its
/// key after this).
pub const PENDING_TTL: chrono::Duration = chrono::Duration::seconds(60);

/// Claims the key `id` (the hash of caller and key) for a request of `fingerprint`: after
/// dropping expired rows, inserts a pending row; the unique key decides which of two
/// concurrent requests wins. The others learn what the row holds.
pub async fn claim(store: &Store, id: &str, fingerprint: &str) -> Result<Seen, StoreError> {
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::delete(idempotency_keys::table)
        .filter(idempotency_keys::expires_at.le(at))
        .execute(c)
        .await)?;
    let inserted = db_run!(conn, |c| diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::id.eq(id),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::status.eq(PENDING),
            idempotency_keys::content_type.eq(None::<String>),
            idempotency_keys::body.eq(""),
            idempotency_keys::created_at.eq(at),
            idempotency_keys::expires_at.eq(at + PENDING_TTL),
        ))
        .on_conflict(idempotency_keys::id)
        .do_nothing()
        .execute(c)
        .await)?;
    if inserted == 1 {
        return Ok(Seen::New);
    }
    let found: Option<Stored> = db_run!(conn, |c| idempotency_keys::table
        .find(id)
        .select(Stored::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(match found {
        // Released between the insert and the read: the caller may claim again.
        None => Seen::InProgress,
        Some(stored) if stored.fingerprint != fingerprint => Seen::Reused,
        Some(stored) if stored.status == PENDING => Seen::InProgress,
        Some(stored) => Seen::Replay(stored),
    })
}

/// Keeps the answer to the request that claimed key `id`, for [`TTL`].
pub async fn save(store: &Store, id: &str, answer: &Stored) -> Result<(), StoreError> {
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::update(idempotency_keys::table.find(id))
        .filter(idempotency_keys::fingerprint.eq(&answer.fingerprint))
        .set((
            idempotency_keys::status.eq(answer.status),
            idempotency_keys::content_type.eq(&answer.content_type),
            idempotency_keys::body.eq(&answer.body),
            idempotency_keys::expires_at.eq(at + TTL),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Frees the key `id` of a request whose answer is not kept (a 5xx, a 429, a credential), so
/// that a retry runs again.
pub async fn release(store: &Store, id: &str) -> Result<(), StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::delete(idempotency_keys::table.find(id))
        .filter(idempotency_keys::status.eq(PENDING))
        .execute(c)
        .await)?;
    Ok(())
}
