//! The mail worker: one per instance. It claims due mails from the outbox, sends them, and
//! records each outcome; a transient failure (the SMTP server unreachable, a 4xx answer) is
//! retried after `STOREFRONT_MAIL_RETRY_DELAY`, doubling up to `STOREFRONT_MAIL_RETRY_MAX_DELAY`,
//! at most `STOREFRONT_MAIL_MAX_ATTEMPTS` times; a permanent one (5xx) ends the mail.
//!
//! It wakes when this instance commits a mail ([`Store::wake_mail`]), when the next retry or
//! lapsed lease falls due, and every `STOREFRONT_MAIL_POLL_INTERVAL` for mail queued by other
//! instances. Delivery is exactly once unless an instance dies between the SMTP server's
//! acceptance and the `sent` mark: the lease then lapses and the mail is sent again (at least
//! once, never lost); the `Message-ID` stays the same, so a mail client shows one message.

use std::time::Duration;

use tokio::sync::watch;

use super::Mail;
use super::outbox::{self, Claimed, Outcome};
use crate::config::MailSettings;
use crate::db::Db;
use crate::store::{Store, ids, now};

/// Mails claimed at once (sent concurrently over the transport's connection pool).
const BATCH: i64 = 8;
/// Least wait between two passes, so that rows another instance holds do not spin the loop.
const MIN_WAIT: Duration = Duration::from_millis(50);

/// Runs until `stop` turns true, finishing the mails in hand first. `db` is the background
/// pool ([`Db::background`]).
pub async fn run(store: Store, db: Db, mut stop: watch::Receiver<bool>) {
    let worker = ids::new("worker");
    let settings = store.config().mail.clone();
    tracing::debug!(worker, "mail worker started");
    loop {
        if *stop.borrow() {
            return;
        }
        let lease_until = now() + chrono_duration(settings.lease);
        let wait = match outbox::claim(&db, &worker, BATCH, lease_until).await {
            Ok(batch) if !batch.is_empty() => {
                let sends = batch.iter().map(|m| deliver(&store, &db, &worker, m));
                futures_util::future::join_all(sends).await;
                continue;
            }
            Ok(_) => match outbox::next_due(&db).await {
                Ok(Some(due)) => (due - now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(MIN_WAIT, settings.poll_interval),
                Ok(None) => settings.poll_interval,
                Err(e) => {
                    tracing::warn!(error = %e, "mail outbox unreadable; trying again later");
                    settings.poll_interval
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "mail outbox unreachable; trying again later");
                settings.poll_interval
            }
        };
        tokio::select! {
            () = store.mail_queued().notified() => {}
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Sends one claimed mail and records how it went.
async fn deliver(store: &Store, db: &Db, worker: &str, mail: &Claimed) {
    let settings = &store.config().mail;
    let outcome = if mail.expires_at.is_some_and(|at| at <= now()) {
        Outcome::Expired
    } else {
        let message = Mail {
            id: &mail.id,
            to: &mail.recipient,
            subject: &mail.subject,
            text: &mail.text_body,
            html: &mail.html_body,
        };
        match store.mailer().send(&message).await {
            Ok(()) => Outcome::Sent,
            Err(e) if e.permanent => Outcome::Failed(e.message),
            Err(e) if mail.attempts >= settings.max_attempts => Outcome::Failed(format!(
                "{} (gave up after {} attempts)",
                e.message, mail.attempts
            )),
            Err(e) => Outcome::RetryAt(
                now() + chrono_duration(backoff(settings, mail.attempts)),
                e.message,
            ),
        }
    };
    match &outcome {
        Outcome::Sent => tracing::info!(mail_id = %mail.id, kind = %mail.kind, "mail sent"),
        Outcome::RetryAt(at, error) => tracing::warn!(
            mail_id = %mail.id, kind = %mail.kind, attempts = mail.attempts, %error,
            retry_at = %at, "sending mail failed; will retry"
        ),
        Outcome::Failed(error) => tracing::error!(
            mail_id = %mail.id, kind = %mail.kind, attempts = mail.attempts, %error,
            "sending mail failed for good"
        ),
        Outcome::Expired => tracing::warn!(
            mail_id = %mail.id, kind = %mail.kind, "mail expired before it could be sent"
        ),
    }
    // The mail is out: recording it must not be lost to a brief database hiccup.
    for attempt in 1..=3 {
        match outbox::finish(db, &mail.id, worker, &outcome).await {
            Ok(true) => {
                if mail.kind == outbox::kind::ACCOUNT_DELETED
                    && !matches!(outcome, outbox::Outcome::RetryAt(..))
                    && let Err(e) = outbox::forget_recipient(db, &mail.id).await
                {
                    tracing::error!(error = %e, mail_id = %mail.id, "cannot forget a deleted account's address");
                }
                return;
            }
            Ok(false) => {
                tracing::warn!(mail_id = %mail.id, "the mail's claim lapsed and was taken over");
                return;
            }
            Err(e) if attempt < 3 => {
                tracing::warn!(error = %e, "cannot record a mail's outcome; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                tracing::error!(error = %e, mail_id = %mail.id, "cannot record a mail's outcome")
            }
        }
    }
}

/// The wait before retry number `attempts` (1 after the first failure): the retry delay,
/// doubled each time, at most the maximum delay.
pub fn backoff(settings: &MailSettings, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    settings
        .retry_delay
        .saturating_mul(1 << doublings)
        .min(settings.retry_max_delay)
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let settings = MailSettings {
            poll_interval: Duration::from_secs(10),
            lease: Duration::from_secs(120),
            retry_delay: Duration::from_secs(5),
            retry_max_delay: Duration::from_secs(60),
            max_attempts: 10,
        };
        let waits: Vec<u64> = (1..=6).map(|a| backoff(&settings, a).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff(&settings, i32::MAX).as_secs(), 60);
    }
}
