//! The service layer: every business rule lives here, once. GraphQL resolvers and REST
//! handlers only extract input, call one function of a module below, and convert the result.
//!
//! Functions take a [`Store`] (the database and settings) and typed inputs, and return domain
//! types or [`StoreError`]. Nothing here knows about HTTP or GraphQL.

pub mod api_keys;
pub mod catalog;
pub mod ids;
pub mod money;
pub mod pagination;
pub mod shop;
pub mod tokens;

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
pub use crate::error::{FieldError, StoreError};

/// What every service function needs: the database and the settings. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    config: Arc<Config>,
}

impl Store {
    pub fn new(db: Db, config: Arc<Config>) -> Self {
        Self {
            inner: Arc::new(Inner { db, config }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

/// Current time as stored: UTC without offset (portable across both backends).
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
