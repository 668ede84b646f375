//! Reading placed orders: one by id or number, a customer's orders newest first (in batches,
//! for a batch loader), the line items of many orders at once, and attaching guest
//! orders to the account that has their email.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::Value;

use super::{
    Caller, FulfillmentStatus, LineItem, Order, OrderStatus, PaymentStatus, order_not_found, row_id,
};
use crate::db::batch::{LoadRows, OneOf};
use crate::db::schema::{identities, line_items, orders};
use crate::db::sql::{Bind, Sql};
use crate::db::text_enum::TextEnum;
use crate::db_run;
use crate::store::auth::Client;
use crate::store::customers::Customer;
use crate::store::pagination::{self, Cursor, Page, TIME_FORMAT};
use crate::store::{Entity, Store, StoreError, now, tokens};

/// How an order is named.
#[derive(Clone, Debug)]
pub enum OrderKey {
    Id(String),
    /// `R123456789`.
    Number(String),
}

/// The placed (or canceled) order the caller may see.
pub async fn get(store: &Store, caller: &Caller, key: &OrderKey) -> Result<Order, StoreError> {
    let placed = orders::table.filter(orders::state.ne(OrderStatus::Cart));
    let mut conn = store.db().conn().await?;
    let order: Option<Order> = match key {
        OrderKey::Id(id) => {
            let id = row_id(id, Entity::Order)?;
            db_run!(conn, |c| placed
                .filter(orders::id.eq(&id))
                .select(Order::as_select())
                .first(c)
                .await
                .optional())?
        }
        OrderKey::Number(number) => {
            let number = number.trim().to_ascii_uppercase();
            db_run!(conn, |c| placed
                .filter(orders::number.eq(&number))
                .select(Order::as_select())
                .first(c)
                .await
                .optional())?
        }
    };
    order
        .filter(|o| caller.may_access(o))
        .ok_or_else(order_not_found)
}

/// The lines of each order, in the order they were added. Every key has an entry.
pub async fn lines_for_orders(
    store: &Store,
    order_ids: &[String],
) -> Result<HashMap<String, Vec<LineItem>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<LineItem> = db_run!(conn, |c| line_items::table
        .filter(line_items::order_id.one_of(order_ids))
        .order((line_items::created_at, line_items::id))
        .select(LineItem::as_select())
        .load_rows(c)
        .await)?;
    let mut map: HashMap<String, Vec<LineItem>> = order_ids
        .iter()
        .map(|id| (id.clone(), Vec::new()))
        .collect();
    for line in rows {
        map.entry(line.order_id.clone()).or_default().push(line);
    }
    Ok(map)
}

/// Which of a customer's orders to list; every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub payment: Option<PaymentStatus>,
    pub fulfillment: Option<FulfillmentStatus>,
    /// A condition no order meets: a state the store does not have was asked for, which lists
    /// nothing rather than failing.
    pub unmatched: bool,
    /// Placed strictly after this instant.
    pub placed_after: Option<NaiveDateTime>,
    /// Placed at or after this instant.
    pub placed_from: Option<NaiveDateTime>,
    /// Placed strictly before this instant.
    pub placed_before: Option<NaiveDateTime>,
    /// Placed at or before this instant.
    pub placed_until: Option<NaiveDateTime>,
    /// This order number exactly (case aside).
    pub number: Option<String>,
    /// Order numbers containing this text (case aside).
    pub number_contains: Option<String>,
    /// Totals at least this many minor units.
    pub total_min: Option<i64>,
    /// Totals at most this many minor units.
    pub total_max: Option<i64>,
}

/// The order of a customer's order list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OrderSort {
    /// Most recently placed first (the only order cursors follow).
    #[default]
    Newest,
    Oldest,
    TotalAsc,
    TotalDesc,
    NumberAsc,
    NumberDesc,
}

impl OrderSort {
    /// The `ORDER BY` terms, columns of `alias` (`o.` or none); the id breaks ties the same way.
    fn terms(self, alias: &str) -> String {
        let (column, direction) = match self {
            Self::Newest => ("completed_at", "DESC"),
            Self::Oldest => ("completed_at", "ASC"),
            Self::TotalAsc => ("total", "ASC"),
            Self::TotalDesc => ("total", "DESC"),
            Self::NumberAsc => ("number", "ASC"),
            Self::NumberDesc => ("number", "DESC"),
        };
        format!("{alias}{column} {direction}, {alias}id {direction}")
    }
}

/// A page request over a customer's orders, in `sort` order: after a cursor (newest first
/// only), or after skipping `offset` orders (numbered pages), or both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct OrderQuery {
    pub first: Option<i64>,
    pub after: Option<String>,
    /// Orders to skip (after the cursor, when there is one).
    pub offset: i64,
    pub filter: OrderFilter,
    pub sort: OrderSort,
}

/// The name cursors of this list carry.
const ORDER_CURSOR: &str = "placed";

fn cursor_of(order: &Order) -> String {
    let placed = order.completed_at.unwrap_or(order.created_at);
    Cursor::encode(
        ORDER_CURSOR,
        Value::from(placed.format(TIME_FORMAT).to_string()),
        &order.id,
    )
}

/// `WHERE` conditions of a filter (after `o.customer_id IN (...)`).
fn push_filter(sql: &mut Sql, filter: &OrderFilter) {
    match filter.status {
        Some(status) => {
            sql.push(" AND o.state = ").bind_text(status.as_str());
        }
        // Every order that left the cart state has `completed_at`: the history index answers
        // this without reading rows.
        None => {
            sql.push(" AND o.completed_at IS NOT NULL");
        }
    }
    if let Some(payment) = filter.payment {
        sql.push(" AND o.payment_state = ")
            .bind_text(payment.as_str());
    }
    if let Some(fulfillment) = filter.fulfillment {
        let states: Vec<String> = fulfillment
            .shipment_states()
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        sql.push(" AND o.shipment_state IN (")
            .bind_list(&states)
            .push(")");
    }
    if filter.unmatched {
        sql.push(" AND 1 = 0");
    }
    let times = [
        (" AND o.completed_at > ", filter.placed_after),
        (" AND o.completed_at >= ", filter.placed_from),
        (" AND o.completed_at < ", filter.placed_before),
        (" AND o.completed_at <= ", filter.placed_until),
    ];
    for (condition, at) in times {
        if let Some(at) = at {
            sql.push(condition).bind(Bind::Time(at));
        }
    }
    if let Some(number) = &filter.number {
        sql.push(" AND o.number = ")
            .bind_text(&number.trim().to_ascii_uppercase());
    }
    if let Some(part) = &filter.number_contains {
        let escaped = part
            .trim()
            .to_ascii_uppercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push(" AND o.number LIKE ")
            .bind_text(&format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    if let Some(min) = filter.total_min {
        sql.push(" AND o.total >= ").bind(Bind::Int(min));
    }
    if let Some(max) = filter.total_max {
        sql.push(" AND o.total <= ").bind(Bind::Int(max));
    }
}

/// One page of each customer's placed orders, newest first, in one statement. One customer
/// (`me`, nearly always) is a walk of the history index that stops after `first + 1` rows;
/// several are numbered by a window function so that each gets at most `first + 1`.
pub async fn pages_for_customers(
    store: &Store,
    customer_ids: &[String],
    query: &OrderQuery,
) -> Result<HashMap<String, Page<Order>>, StoreError> {
    let first = pagination::first(query.first)?;
    let offset = pagination::offset(query.offset)?;
    let after = query
        .after
        .as_deref()
        .map(|c| Cursor::decode(ORDER_CURSOR, c))
        .transpose()?;
    if after.is_some() && query.sort != OrderSort::Newest {
        return Err(StoreError::invalid(
            "after",
            "cursors follow the newest-first order only",
        ));
    }
    let after_key = after.as_ref().map(|a| a.time_key()).transpose()?;
    let limit = first as i64 + 1;
    let mut sql = Sql::for_db(store.db());
    let single = customer_ids.len() == 1;
    if single {
        sql.push("SELECT o.* FROM orders o WHERE o.customer_id = ")
            .bind_text(&customer_ids[0]);
    } else {
        sql.push(&format!(
            "SELECT * FROM (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.customer_id \
             ORDER BY {}) AS row_no FROM orders o WHERE o.customer_id IN (",
            query.sort.terms("o.")
        ))
        .bind_list(customer_ids)
        .push(")");
    }
    push_filter(&mut sql, &query.filter);
    if let (Some(after), Some(placed)) = (&after, after_key) {
        sql.push(" AND (o.completed_at < ")
            .bind(Bind::Time(placed))
            .push(" OR (o.completed_at = ")
            .bind(Bind::Time(placed))
            .push(" AND o.id < ")
            .bind_text(&after.id)
            .push("))");
    }
    if single {
        sql.push(&format!(" ORDER BY {} LIMIT ", query.sort.terms("o.")))
            .bind(Bind::Int(limit));
        if offset > 0 {
            sql.push(" OFFSET ").bind(Bind::Int(offset));
        }
    } else {
        sql.push(") numbered WHERE row_no <= ")
            .bind(Bind::Int(offset + limit));
        if offset > 0 {
            sql.push(" AND row_no > ").bind(Bind::Int(offset));
        }
        sql.push(&format!(" ORDER BY {}", query.sort.terms("")));
    }
    let mut conn = store.db().conn().await?;
    let rows: Vec<Order> = sql.load(&mut conn).await?;
    drop(conn);
    let mut grouped: HashMap<String, Vec<Order>> = customer_ids
        .iter()
        .map(|id| (id.clone(), Vec::new()))
        .collect();
    for order in rows {
        if let Some(customer_id) = order.customer_id.clone() {
            grouped.entry(customer_id).or_default().push(order);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(customer_id, rows)| {
            let page = Page::from_rows(rows, first, after.is_some() || offset > 0, cursor_of);
            (customer_id, page)
        })
        .collect())
}

/// One page of one customer's placed orders, in the same single statement as [`pages_for_customers`].
pub async fn page_for_customer(
    store: &Store,
    customer_id: &str,
    query: &OrderQuery,
) -> Result<Page<Order>, StoreError> {
    let ids = [customer_id.to_owned()];
    let mut pages = pages_for_customers(store, &ids, query).await?;
    Ok(pages.remove(customer_id).unwrap_or_else(Page::empty))
}

/// How many placed orders of the customer match `filter`.
pub async fn count_for_customer(
    store: &Store,
    customer_id: &str,
    filter: &OrderFilter,
) -> Result<i64, StoreError> {
    let mut sql = Sql::for_db(store.db());
    sql.push("SELECT COUNT(*) AS count FROM orders o WHERE o.customer_id = ")
        .bind_text(customer_id);
    push_filter(&mut sql, filter);
    let mut conn = store.db().conn().await?;
    let rows: Vec<Count> = sql.load(&mut conn).await?;
    Ok(rows.into_iter().next().map_or(0, |r| r.count))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// At sign-in (login or registration): gives the customer the guest cart and orders that are
/// provably theirs. Returns how many rows joined the account.
///
/// - The open guest cart whose token the caller presents (`X-Order-Token`) becomes the
///   account's: whoever holds the token may use the cart anyway, and now it follows the
///   customer to other devices and its order lands in their history.
/// - A verified email ([`crate::store::email_verification`]) proves the address is the
///   customer's: every guest order placed with it joins the account.
/// - An unverified email alone does not prove who placed an order: anyone may register with
///   the email a guest typed at checkout. Such an order joins the account when it was placed
///   while the account already had this email and password (the owner checked out signed out;
///   an earlier order may be someone else's, or predate an email change), or when the caller
///   presents that order's token (the guest creating their account straight after checkout).
pub async fn attach_guest_orders(
    store: &Store,
    customer: &Customer,
    client: &Client,
) -> Result<usize, StoreError> {
    let email = customer.email.trim().to_lowercase();
    let claimed: Vec<String> = client
        .order_token
        .iter()
        .map(|t| tokens::hash(t.expose()))
        .collect();
    // When the account's email or password last changed (or it was created).
    let credentials_since = identities::table
        .filter(identities::customer_id.eq(&customer.id))
        .filter(identities::email.eq(&email))
        .select(identities::updated_at)
        .single_value();
    // A verified email is proof enough for every guest order placed with it.
    let verified = customer.email_verified_at.is_some() && customer.deleted_at.is_none();
    let guest_orders = orders::table
        .filter(orders::customer_id.is_null())
        .filter(orders::email.eq(&email))
        .filter(orders::state.ne(OrderStatus::Cart))
        .filter(
            orders::completed_at
                .ge(credentials_since)
                .or(orders::token.eq_any(&claimed))
                .or(verified.into_sql::<diesel::sql_types::Bool>()),
        );
    let guest_cart = orders::table
        .filter(orders::customer_id.is_null())
        .filter(orders::state.eq(OrderStatus::Cart))
        .filter(orders::token.eq_any(&claimed));
    // Nearly every sign-in has none: a read, so that sign-ins do not queue for SQLite's write lock.
    let mut conn = store.db().conn().await?;
    let any: bool = db_run!(conn, |c| diesel::select(
        diesel::dsl::exists(guest_orders.clone()).or(diesel::dsl::exists(guest_cart.clone()))
    )
    .get_result(c)
    .await)?;
    drop(conn);
    if !any {
        return Ok(0);
    }
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let attached = db_run!(conn, |c| c
        .transaction(async |c| {
            let orders = diesel::update(guest_orders)
                .set((
                    orders::customer_id.eq(&customer.id),
                    orders::updated_at.eq(at),
                ))
                .execute(c)
                .await?;
            // A cart without an email takes the account's, as a cart made signed in does.
            diesel::update(guest_cart.clone().filter(orders::email.is_null()))
                .set(orders::email.eq(&email))
                .execute(c)
                .await?;
            let carts = diesel::update(guest_cart)
                .set((
                    orders::customer_id.eq(&customer.id),
                    orders::updated_at.eq(at),
                ))
                .execute(c)
                .await?;
            Ok::<_, StoreError>(orders + carts)
        })
        .await)?;
    tracing::info!(customer_id = %customer.id, attached, "guest cart and orders joined the account");
    Ok(attached)
}

/// One page of the customer's placed orders and how many match, for lists that show a total
/// count.
pub async fn list_for_customer(
    store: &Store,
    customer_id: &str,
    query: &OrderQuery,
) -> Result<(Page<Order>, i64), StoreError> {
    let page = page_for_customer(store, customer_id, query).await?;
    let count = count_for_customer(store, customer_id, &query.filter).await?;
    Ok((page, count))
}

/// The placed order the caller may see (see [`get`]) with its lines.
pub async fn detail(
    store: &Store,
    caller: &Caller,
    key: &OrderKey,
) -> Result<(Order, Vec<LineItem>), StoreError> {
    let order = get(store, caller, key).await?;
    let mut lines = lines_for_orders(store, std::slice::from_ref(&order.id)).await?;
    let lines = lines.remove(&order.id).unwrap_or_default();
    Ok((order, lines))
}
