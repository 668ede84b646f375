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
    /// The key is new (or expired): run the request.
    New,
    /// The same request was answered before: send this again.
    Replay(Stored),
    /// The key was used for another request.
    Reused,
}

/// Looks up the key `id` (the hash of caller and key) for a request of `fingerprint`.
pub async fn check(store: &Store, id: &str, fingerprint: &str) -> Result<Seen, StoreError> {
    let mut conn = store.db().conn().await?;
    let found: Option<Stored> = db_run!(conn, |c| idempotency_keys::table
        .find(id)
        .filter(idempotency_keys::expires_at.gt(now()))
        .select(Stored::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(match found {
        None => Seen::New,
        Some(stored) if stored.fingerprint == fingerprint => Seen::Replay(stored),
        Some(_) => Seen::Reused,
    })
}

/// Keeps the answer to the request of key `id`, after dropping expired answers (so a key
/// reused after its expiry starts afresh); of two concurrent first answers the first kept wins.
pub async fn save(store: &Store, id: &str, answer: &Stored) -> Result<(), StoreError> {
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::delete(idempotency_keys::table)
        .filter(idempotency_keys::expires_at.le(at))
        .execute(c)
        .await)?;
    db_run!(conn, |c| diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::id.eq(id),
            idempotency_keys::fingerprint.eq(&answer.fingerprint),
            idempotency_keys::status.eq(answer.status),
            idempotency_keys::content_type.eq(&answer.content_type),
            idempotency_keys::body.eq(&answer.body),
            idempotency_keys::created_at.eq(at),
            idempotency_keys::expires_at.eq(at + TTL),
        ))
        .on_conflict(idempotency_keys::id)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(())
}
