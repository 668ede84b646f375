//! Customers as rows: the type every module reads, and the read by id. Accounts (registration,
//! profile changes), sessions and orders all use it; none of them owns it.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{Entity, Store, StoreError};
use crate::db::schema::customers;
use crate::db_run;

/// The login provider of email-and-password identities.
pub const EMAILPASS: &str = "emailpass";

/// A customer as the API shows it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = customers, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Customer {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub accepts_marketing: bool,
    /// A JSON object of the storefront's own keys (`{}` when none).
    pub metadata: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// When the current email was proven the customer's; `None` while unverified.
    pub email_verified_at: Option<chrono::NaiveDateTime>,
    /// Set once the customer deleted the account (the row stays, anonymised).
    pub deleted_at: Option<chrono::NaiveDateTime>,
}

impl Customer {
    /// The metadata object, `None` when it holds no keys.
    pub fn metadata_object(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        super::validate::metadata_object(&self.metadata)
    }

    /// First and last name joined, or `None` when both are empty.
    pub fn full_name(&self) -> Option<String> {
        super::full_name(self.first_name.as_deref(), self.last_name.as_deref())
    }
}

/// The customer with this id.
pub async fn get(store: &Store, customer_id: &str) -> Result<Customer, StoreError> {
    let mut conn = store.db().conn().await?;
    db_run!(conn, |c| customers::table
        .find(customer_id)
        .select(Customer::as_select())
        .first(c)
        .await
        .optional())?
    .ok_or(StoreError::not_found(Entity::Customer))
}
