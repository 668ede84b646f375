//! Outgoing mail: SMTP through `lettre` when `STOREFRONT_SMTP_URL` is set, otherwise (development)
//! each message is written as an `.eml` file under `<data dir>/mail/`.
//!
//! Mail is sent off the request: the caller's answer never waits for, or depends on, the mail
//! server. Failures are logged without the message body (it may hold a token).

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
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

/// One message to send.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
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

    /// Sends `mail` on a task of its own; the outcome is only logged.
    pub fn send_in_background(&self, mail: Mail) {
        let mailer = self.clone();
        tokio::spawn(async move {
            match mailer.send(mail).await {
                Ok(()) => tracing::info!("mail sent"),
                Err(e) => tracing::error!(error = %e, "sending mail failed"),
            }
        });
    }

    /// Sends `mail` now.
    pub async fn send(&self, mail: Mail) -> Result<(), String> {
        let from = match self {
            Self::Smtp { from, .. } | Self::Files { from, .. } => from.clone(),
        };
        let to: Mailbox = mail.to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match self {
            Self::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("smtp: {e}")),
            Self::Files { dir, .. } => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!("{}.eml", ulid::Ulid::new()));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), "mail written to a file (no STOREFRONT_SMTP_URL)");
                Ok(())
            }
        }
    }
}
