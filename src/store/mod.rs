//! The service layer: every business rule lives here, once. The surfaces (resolvers and
//! handlers) only extract input, call one function of a module below, and convert the result.
//!
//! Functions take a [`Store`] (the database and settings) and typed inputs, and return domain
//! types or [`StoreError`]. Nothing here knows about HTTP or any wire format.

pub mod account_data;
pub mod accounts;
pub mod addresses;
pub mod api_keys;
pub mod auth;
pub mod balances;
pub mod catalog;
pub mod customers;
pub mod email_change;
pub mod email_tokens;
pub mod email_verification;
pub mod events;
pub mod idempotency;
pub mod identities;
pub mod ids;
pub mod jobs;
pub mod mail;
pub mod money;
pub mod orders;
pub mod pagination;
pub mod password_reset;
pub mod passwords;
pub mod payment_methods;
pub mod publication;
pub mod sessions;
pub mod shop;
pub mod throttle;
pub mod tokens;
pub mod validate;
pub mod wishlists;

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
pub use crate::error::{Entity, FieldError, StoreError};

/// What every service function needs: the database and the settings. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    config: Arc<Config>,
    hasher: passwords::Hasher,
    jwt: auth::JwtKeys,
    mailer: mail::Mailer,
    events_hub: publication::Hub,
    /// Bumped by catalogue and stock changes ([`catalog::generation`]).
    catalog_generation: Arc<catalog::generation::Generation>,
    /// Woken after a commit that queued mail, so the worker sends it at once.
    mail_queued: tokio::sync::Notify,
}

impl Store {
    /// Builds the service layer once: password hasher, JWT keys, mailer.
    pub fn new(db: Db, config: Arc<Config>) -> Self {
        let secret = match &config.jwt_secret {
            Some(secret) => secret.expose().clone(),
            // Only commands that never sign tokens (`keys create`) get here: `startup::prepare`
            // resolves the secret before serving. Said nowhere: those commands print to stdout.
            None => tokens::random("").expose().clone(),
        };
        let mailer = mail::Mailer::from_config(&config).unwrap_or_else(|e| {
            // The configuration already checked the SMTP URL; a bad sender falls back to files.
            tracing::error!(error = %e, "mail transport unusable: writing mail to files");
            mail::Mailer::Files {
                dir: config.data_dir.join("mail"),
                from: "Storefront <no-reply@localhost>"
                    .parse()
                    .expect("a valid literal mailbox"),
            }
        });
        let catalog_generation = Arc::new(catalog::generation::Generation::default());
        Self {
            inner: Arc::new(Inner {
                db,
                hasher: passwords::Hasher::new(config.password_hash_concurrency),
                jwt: auth::JwtKeys::new(secret.as_bytes()),
                mailer,
                events_hub: publication::Hub::new(
                    config.sockets.events_buffer,
                    catalog_generation.clone(),
                ),
                catalog_generation,
                mail_queued: tokio::sync::Notify::new(),
                config,
            }),
        }
    }

    pub fn hasher(&self) -> &passwords::Hasher {
        &self.inner.hasher
    }

    pub fn jwt(&self) -> &auth::JwtKeys {
        &self.inner.jwt
    }

    pub fn mailer(&self) -> &mail::Mailer {
        &self.inner.mailer
    }

    /// The publisher of this instance's event subscriptions ([`publication`]).
    pub fn events_hub(&self) -> &publication::Hub {
        &self.inner.events_hub
    }

    /// The catalogue's generation: bumped by this instance's stock and catalogue writes and by
    /// any instance's events that imply one.
    pub fn catalog_generation(&self) -> &catalog::generation::Generation {
        &self.inner.catalog_generation
    }

    /// Tells this instance's mail worker that a commit queued mail.
    pub fn wake_mail(&self) {
        self.inner.mail_queued.notify_one();
    }

    /// What the mail worker waits on besides its timers.
    pub fn mail_queued(&self) -> &tokio::sync::Notify {
        &self.inner.mail_queued
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

/// First and last name joined by a space, or `None` when both are missing.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last].into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Current time as stored: UTC without offset, to the microsecond (PostgreSQL's precision), so
/// a value returned by a write equals what later reads give on either backend.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}
