//! The events outbox: every state change worth telling is written to `events` in the same
//! transaction as the change. Publishing them (LISTEN/NOTIFY, in-process broadcast) is the
//! events issue's work; this module only builds the rows.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;

use super::{StoreError, ids, now};
use crate::db::Backend;
use crate::db::schema::events;
use crate::db_run;

/// Event types written by the accounts and orders services.
pub mod kind {
    pub const CUSTOMER_CREATED: &str = "customer.created";
    pub const CUSTOMER_UPDATED: &str = "customer.updated";
    pub const CUSTOMER_PASSWORD_CHANGED: &str = "customer.password_changed";
    pub const PASSWORD_RESET_REQUESTED: &str = "customer.password_reset_requested";
    pub const PASSWORD_RESET_COMPLETED: &str = "customer.password_reset";
    pub const ORDER_PLACED: &str = "order.placed";
    pub const ORDER_PAID: &str = "order.paid";
    pub const ORDER_FULFILLED: &str = "order.fulfilled";
    pub const ORDER_CANCELED: &str = "order.canceled";
}

/// One event row, written by [`insert`] inside the transaction that makes the change. Payloads never hold secrets (tokens, hashes, passwords).
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NewEvent {
    pub event_id: String,
    pub event_type: String,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub payload: String,
    pub created_at: chrono::NaiveDateTime,
}

/// An event about a customer.
pub fn customer(event_type: &str, customer_id: &str, payload: Value) -> NewEvent {
    new(event_type, Some(customer_id.to_owned()), None, payload)
}

/// An event about an order (built by `Order::event`, which adds the order's id and number).
pub fn new(
    event_type: &str,
    customer_id: Option<String>,
    order_id: Option<String>,
    payload: Value,
) -> NewEvent {
    NewEvent {
        event_id: ids::new(ids::prefix::EVENT),
        event_type: event_type.to_owned(),
        customer_id,
        order_id,
        payload: payload.to_string(),
        created_at: now(),
    }
}

/// Writes `event` to the outbox, on the connection of the transaction making the change.
pub async fn insert(c: &mut Backend<'_>, event: &NewEvent) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::insert_into(events::table)
        .values(event)
        .execute(c)
        .await)?;
    Ok(())
}
