//! The mail outbox (`mail_outbox`): a mail is written by [`queue`] in the transaction of the
//! change that causes it, so it exists exactly when the change does, and leaves through the
//! worker ([`super::worker`]), which claims rows, sends them and records the outcome.
//!
//! Claims: a claimed row is `sending`, with the worker's name and a lease; the lease lets
//! another worker retake the row when the first one died mid-send. PostgreSQL picks the rows
//! with `FOR UPDATE SKIP LOCKED`, so instances never wait on or take each other's rows; SQLite
//! (one writer) relies on the conditional `UPDATE`, which takes a row only while it is still
//! due. Every outcome is written only by the worker that holds the claim.
//!
//! Secrets: a reset mail holds its token, an order confirmation the guest's order token. The
//! bodies are blanked as soon as the mail is sent, refused or expired; a reset mail expires with
//! its token, so an undeliverable reset link is never kept, nor sent, past its use.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::templates::Rendered;
use crate::db::Backend;
use crate::db::schema::mail_outbox;
use crate::db::{Db, DbConn};
use crate::db_run;
use crate::store::{StoreError, ids, now};

/// Values of `mail_outbox.status`.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
    pub const EXPIRED: &str = "expired";
}

/// Values of `mail_outbox.kind`: which template made the mail.
pub mod kind {
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const ORDER_CONFIRMATION: &str = "order_confirmation";
    pub const ORDER_SHIPPED: &str = "order_shipped";
    pub const EMAIL_VERIFICATION: &str = "email_verification";
    pub const EMAIL_CHANGE_CONFIRM: &str = "email_change_confirm";
    pub const EMAIL_CHANGE_NOTICE: &str = "email_change_notice";
    pub const DATA_EXPORT: &str = "data_export";
    /// The last mail to a deleted account: its recipient is forgotten once it has left.
    pub const ACCOUNT_DELETED: &str = "account_deleted";
}

/// A mail to queue.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = mail_outbox, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NewMail {
    id: String,
    kind: &'static str,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    status: &'static str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl NewMail {
    /// A mail of `kind` to `recipient`, due now; not sent at all after `expires_at` when given.
    pub fn new(
        kind: &'static str,
        recipient: &str,
        mail: Rendered,
        expires_at: Option<NaiveDateTime>,
    ) -> Self {
        let at = now();
        Self {
            id: ids::new(ids::prefix::MAIL),
            kind,
            recipient: recipient.to_owned(),
            subject: mail.subject,
            text_body: mail.text,
            html_body: mail.html,
            status: status::PENDING,
            attempts: 0,
            next_attempt_at: at,
            expires_at,
            created_at: at,
            updated_at: at,
        }
    }
}

/// Writes `mail` to the outbox, on the connection of the transaction making the change. Wake
/// the worker after the commit ([`crate::store::Store::wake_mail`]) so it leaves at once.
pub async fn queue(c: &mut Backend<'_>, mail: &NewMail) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::insert_into(mail_outbox::table)
        .values(mail)
        .execute(c)
        .await)?;
    Ok(())
}

/// A claimed mail, ready to send.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = mail_outbox, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// Including this one.
    pub attempts: i32,
    pub expires_at: Option<NaiveDateTime>,
}

/// Claims up to `limit` due mails (pending and due, or sending with a lapsed lease) for
/// `worker` until `lease_until`, oldest first.
pub async fn claim(
    db: &Db,
    worker: &str,
    limit: i64,
    lease_until: NaiveDateTime,
) -> Result<Vec<Claimed>, StoreError> {
    let at = now();
    let mut conn = db.write_conn().await?;
    // The same rows are due in both arms; only PostgreSQL can lock them while choosing.
    let ids: Vec<String> = match &mut conn {
        DbConn::Postgres(c) => {
            let c: &mut crate::db::PgConn = c;
            return c
                .transaction(async |c| {
                    let ids: Vec<String> = mail_outbox::table
                        .filter(due(at))
                        .order(mail_outbox::created_at)
                        .limit(limit)
                        .select(mail_outbox::id)
                        .for_update()
                        .skip_locked()
                        .load(c)
                        .await?;
                    take(&mut c.into(), &ids, worker, at, lease_until).await
                })
                .await;
        }
        DbConn::Sqlite(c, _) => {
            mail_outbox::table
                .filter(due(at))
                .order(mail_outbox::created_at)
                .limit(limit)
                .select(mail_outbox::id)
                .load(&mut **c)
                .await?
        }
    };
    take(&mut conn.backend(), &ids, worker, at, lease_until).await
}

/// Rows still due at `at`: pending and due, or claimed under a lease that has lapsed.
#[diesel::dsl::auto_type]
fn due(at: NaiveDateTime) -> _ {
    let pending: &'static str = status::PENDING;
    let sending: &'static str = status::SENDING;
    mail_outbox::status
        .eq(pending)
        .and(mail_outbox::next_attempt_at.le(at))
        .or(mail_outbox::status
            .eq(sending)
            .and(mail_outbox::lease_until.lt(at)))
}

/// Marks `ids` as claimed, each only if still due (another worker may have been first).
async fn take(
    c: &mut Backend<'_>,
    ids: &[String],
    worker: &str,
    at: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<Vec<Claimed>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let claimed = db_run!(c, |c| diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq_any(ids))
            .filter(due(at))
    )
    .set((
        mail_outbox::status.eq(status::SENDING),
        mail_outbox::claimed_by.eq(worker),
        mail_outbox::lease_until.eq(lease_until),
        mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        mail_outbox::updated_at.eq(at),
    ))
    .returning(Claimed::as_returning())
    .get_results(c)
    .await)?;
    Ok(claimed)
}

/// Blanks the recipient of mail `id` once it has left (or will never leave): the last mail of a
/// deleted account, whose address must not outlive it.
pub async fn forget_recipient(db: &Db, id: &str) -> Result<(), StoreError> {
    let mut conn = db.write_conn().await?;
    db_run!(conn, |c| diesel::update(mail_outbox::table.find(id))
        .filter(mail_outbox::status.ne(status::PENDING))
        .filter(mail_outbox::status.ne(status::SENDING))
        .set(mail_outbox::recipient.eq(""))
        .execute(c)
        .await)?;
    Ok(())
}

/// How a claimed mail ended, for [`finish`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Try again at the given time.
    RetryAt(NaiveDateTime, String),
    /// Refused for good, or out of attempts.
    Failed(String),
    /// Not sent before it expired.
    Expired,
}

/// Records the outcome of `worker`'s claim on mail `id`. False when the claim was no longer
/// `worker`'s (its lease lapsed and another worker took the mail over).
pub async fn finish(
    db: &Db,
    id: &str,
    worker: &str,
    outcome: &Outcome,
) -> Result<bool, StoreError> {
    let at = now();
    let blank = (
        mail_outbox::text_body.eq(""),
        mail_outbox::html_body.eq(""),
        mail_outbox::claimed_by.eq(None::<String>),
        mail_outbox::lease_until.eq(None::<NaiveDateTime>),
        mail_outbox::updated_at.eq(at),
    );
    let mine = mail_outbox::table
        .filter(mail_outbox::id.eq(id))
        .filter(mail_outbox::status.eq(status::SENDING))
        .filter(mail_outbox::claimed_by.eq(worker));
    let mut conn = db.write_conn().await?;
    let changed = match outcome {
        Outcome::Sent => db_run!(conn, |c| diesel::update(mine)
            .set((
                mail_outbox::status.eq(status::SENT),
                mail_outbox::sent_at.eq(at),
                mail_outbox::last_error.eq(None::<String>),
                blank,
            ))
            .execute(c)
            .await)?,
        Outcome::Failed(error) => db_run!(conn, |c| diesel::update(mine)
            .set((
                mail_outbox::status.eq(status::FAILED),
                mail_outbox::last_error.eq(error),
                blank,
            ))
            .execute(c)
            .await)?,
        Outcome::Expired => db_run!(conn, |c| diesel::update(mine)
            .set((mail_outbox::status.eq(status::EXPIRED), blank))
            .execute(c)
            .await)?,
        Outcome::RetryAt(when, error) => db_run!(conn, |c| diesel::update(mine)
            .set((
                mail_outbox::status.eq(status::PENDING),
                mail_outbox::next_attempt_at.eq(when),
                mail_outbox::last_error.eq(error),
                mail_outbox::claimed_by.eq(None::<String>),
                mail_outbox::lease_until.eq(None::<NaiveDateTime>),
                mail_outbox::updated_at.eq(at),
            ))
            .execute(c)
            .await)?,
    };
    Ok(changed == 1)
}

/// When the next mail falls due (a retry, or a lease that lapses), if any is waiting.
pub async fn next_due(db: &Db) -> Result<Option<NaiveDateTime>, StoreError> {
    let mut conn = db.conn().await?;
    let pending: Option<NaiveDateTime> = db_run!(conn, |c| mail_outbox::table
        .filter(mail_outbox::status.eq(status::PENDING))
        .select(diesel::dsl::min(mail_outbox::next_attempt_at))
        .first(c)
        .await)?;
    let leased: Option<NaiveDateTime> = db_run!(conn, |c| mail_outbox::table
        .filter(mail_outbox::status.eq(status::SENDING))
        .select(diesel::dsl::min(mail_outbox::lease_until))
        .first(c)
        .await)?;
    Ok([pending, leased].into_iter().flatten().min())
}
