//! Outgoing mail, durable: a mail is queued in the outbox ([`outbox`]) by the transaction of
//! the change that causes it, rendered from the repository's templates ([`templates`]), and
//! sent by the worker ([`worker`]), which retries transient failures with exponential backoff
//! and records each mail as sent once. A restart or an SMTP outage neither loses nor repeats
//! mail; with several instances each mail is taken by one.
//!
//! Transport: SMTP through `lettre` when `STOREFRONT_SMTP_URL` is set, otherwise (development)
//! each message is written as an `.eml` file under `<data dir>/mail/`. Failures are logged
//! without the message body (it may hold a token).

pub mod outbox;
pub mod templates;
pub mod worker;

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::StoreError;
use crate::config::Config;

/// How mail leaves the server.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

/// One message to send: plain text and HTML alternatives.
pub struct Mail<'a> {
    /// The outbox id: the message's `Message-ID` and file name, so a resend is recognisable.
    pub id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Why a message did not leave.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// The server refused it for good (5xx), or it cannot be built: retrying cannot help.
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn permanent(message: String) -> Self {
        Self {
            permanent: true,
            message,
        }
    }

    fn transient(message: String) -> Self {
        Self {
            permanent: false,
            message,
        }
    }
}

impl Mailer {
    /// The mailer the configuration asks for.
    pub fn from_config(config: &Config) -> Result<Self, StoreError> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            StoreError::Internal(format!("STOREFRONT_MAIL_FROM is not a mailbox: {e}"))
        })?;
        match &config.smtp_url {
            Some(url) => Ok(Self::Smtp {
                transport: crate::smtp::transport(url.expose())
                    .map(AsyncSmtpTransportBuilder::build)
                    .map_err(|e| StoreError::Internal(format!("STOREFRONT_SMTP_URL: {e}")))?,
                from,
            }),
            None => Ok(Self::Files {
                dir: config.data_dir.join("mail"),
                from,
            }),
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Self::Smtp { from, .. } | Self::Files { from, .. } => from,
        }
    }

    /// Sends `mail` now.
    pub async fn send(&self, mail: &Mail<'_>) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match self {
            Self::Smtp { transport, .. } => {
                transport.send(message).await.map(|_| ()).map_err(|e| {
                    let text = format!("smtp: {e}");
                    if e.is_permanent() {
                        SendError::permanent(text)
                    } else {
                        SendError::transient(text)
                    }
                })
            }
            Self::Files { dir, .. } => {
                let fail = SendError::transient;
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
                // Named by the time written, then the id: the folder lists in sending order.
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f");
                let path = dir.join(format!("{stamp}-{}.eml", mail.id));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
                tracing::info!(path = %path.display(), "mail written to a file (no STOREFRONT_SMTP_URL)");
                Ok(())
            }
        }
    }

    fn message(&self, mail: &Mail<'_>) -> Result<Message, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| SendError::permanent(format!("bad recipient: {e}")))?;
        let domain = self.from().email.domain().to_owned();
        Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(format!("<{}@{domain}>", mail.id)))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.to_owned(),
                mail.html.to_owned(),
            ))
            .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
    }
}

/// The reset mail to `email`, with `link` (carrying the token); it expires with the token.
pub fn password_reset(
    config: &Config,
    email: &str,
    link: &str,
    expires_at: chrono::NaiveDateTime,
) -> outbox::NewMail {
    let minutes = config.password_reset_ttl.as_secs().div_ceil(60);
    let mail = templates::password_reset(config, link, minutes);
    outbox::NewMail::new(outbox::kind::PASSWORD_RESET, email, mail, Some(expires_at))
}

/// "Your password was changed", to the account's email.
pub fn password_changed(
    config: &Config,
    email: &str,
    at: chrono::NaiveDateTime,
) -> outbox::NewMail {
    let mail = templates::password_changed(config, email, at);
    outbox::NewMail::new(outbox::kind::PASSWORD_CHANGED, email, mail, None)
}

/// The confirmation of a placed order, when it has an email; `guest_token` (the token the
/// guest completed the cart with) goes into the guest's link.
pub fn order_confirmation(
    config: &Config,
    order: &crate::store::orders::Order,
    lines: &[crate::store::orders::LineItem],
    guest_token: Option<&str>,
) -> Option<outbox::NewMail> {
    let email = order.email.as_deref()?;
    let mail = templates::order_confirmation(config, order, lines, guest_token);
    Some(outbox::NewMail::new(
        outbox::kind::ORDER_CONFIRMATION,
        email,
        mail,
        None,
    ))
}

/// "Your order has shipped", when the order has an email.
pub fn order_shipped(
    config: &Config,
    order: &crate::store::orders::Order,
) -> Option<outbox::NewMail> {
    let email = order.email.as_deref()?;
    let mail = templates::order_shipped(config, order);
    Some(outbox::NewMail::new(
        outbox::kind::ORDER_SHIPPED,
        email,
        mail,
        None,
    ))
}

/// Whole hours of a link's lifetime, at least one.
fn hours(ttl: std::time::Duration) -> u64 {
    ttl.as_secs().div_ceil(3600).max(1)
}

/// "Confirm your email", to the address being verified; expires with its link.
pub fn email_verification(
    config: &Config,
    email: &str,
    link: &str,
    expires_at: chrono::NaiveDateTime,
) -> outbox::NewMail {
    let hours = hours(config.email_verification_ttl);
    let mail = templates::email_verification(config, email, link, hours);
    outbox::NewMail::new(
        outbox::kind::EMAIL_VERIFICATION,
        email,
        mail,
        Some(expires_at),
    )
}

/// The confirmation link of an email change, to the new address.
pub fn email_change_confirm(
    config: &Config,
    new_email: &str,
    link: &str,
    expires_at: chrono::NaiveDateTime,
) -> outbox::NewMail {
    let hours = hours(config.email_verification_ttl);
    let mail = templates::email_change_confirm(config, new_email, link, hours);
    outbox::NewMail::new(
        outbox::kind::EMAIL_CHANGE_CONFIRM,
        new_email,
        mail,
        Some(expires_at),
    )
}

/// The notice of an email change with its cancel link, to the old address.
pub fn email_change_notice(
    config: &Config,
    email: &str,
    new_email: &str,
    link: &str,
    expires_at: chrono::NaiveDateTime,
) -> outbox::NewMail {
    let hours = hours(config.email_verification_ttl);
    let mail = templates::email_change_notice(config, email, new_email, link, hours);
    outbox::NewMail::new(
        outbox::kind::EMAIL_CHANGE_NOTICE,
        email,
        mail,
        Some(expires_at),
    )
}

/// The download link of a data export, to the account's address.
pub fn data_export(
    config: &Config,
    email: &str,
    link: &str,
    expires_at: chrono::NaiveDateTime,
) -> outbox::NewMail {
    let hours = hours(config.data_export_ttl);
    let mail = templates::data_export(config, email, link, hours);
    outbox::NewMail::new(outbox::kind::DATA_EXPORT, email, mail, Some(expires_at))
}

/// The last mail to a deleted account's address.
pub fn account_deleted(config: &Config, email: &str, at: chrono::NaiveDateTime) -> outbox::NewMail {
    let mail = templates::account_deleted(config, at);
    outbox::NewMail::new(outbox::kind::ACCOUNT_DELETED, email, mail, None)
}
