//! The address book of a signed-in customer: list, create, update, delete, and the default
//! shipping and billing addresses.
//!
//! Every function takes the caller's customer id and filters on it: another customer's address
//! is `NOT_FOUND` and is never read or changed. The defaults live on the customer row
//! (`default_shipping_address_id`, `default_billing_address_id`) with `ON DELETE SET NULL`
//! foreign keys, so deleting an address clears the defaults that named it in the same
//! statement (SQLite enforces them because every pooled connection turns `foreign_keys` on).
//! Placed orders keep JSON snapshots of their addresses, so editing or deleting one here never
//! changes an order.

mod input;

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

pub use input::{AddressInput, ValidAddress, country_name, province_name};

use super::customers::{self as customer_rows, Customer};
use super::{Entity, Store, StoreError, ids, now};
use crate::db::Backend;
use crate::db::batch::{LoadRows, OneOf};
use crate::db::schema::{addresses, customers};
use crate::db_run;

/// Most addresses one customer may keep: enough for any person, small enough that the whole
/// book is always listed without paging.
pub const MAX_PER_CUSTOMER: i64 = 100;

/// Which default address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressKind {
    Shipping,
    Billing,
}

/// An address of the address book, with whether it is one of its owner's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub id: String,
    pub customer_id: String,
    pub label: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The short part of an ISO 3166-2 code (`NY` for `US-NY`).
    pub province_code: Option<String>,
    pub phone: Option<String>,
    /// A JSON object of the storefront's own keys (`{}` when none).
    pub metadata: String,
    pub is_default_shipping: bool,
    pub is_default_billing: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl Address {
    /// First and last name joined, or `None` when both are empty.
    pub fn full_name(&self) -> Option<String> {
        crate::store::full_name(self.first_name.as_deref(), self.last_name.as_deref())
    }

    /// The country's English short name.
    pub fn country_name(&self) -> Option<&'static str> {
        country_name(&self.country_code)
    }

    /// The metadata object, `None` when it holds no keys.
    pub fn metadata_object(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        super::validate::metadata_object(&self.metadata)
    }

    /// The province's name, when there is one.
    pub fn province_name(&self) -> Option<&'static str> {
        province_name(&self.country_code, self.province_code.as_deref()?)
    }

    fn from_row(
        row: AddressRow,
        default_shipping: Option<&str>,
        default_billing: Option<&str>,
    ) -> Self {
        Self {
            is_default_shipping: default_shipping == Some(row.id.as_str()),
            is_default_billing: default_billing == Some(row.id.as_str()),
            id: row.id,
            customer_id: row.customer_id,
            label: row.label,
            first_name: row.first_name,
            last_name: row.last_name,
            company: row.company,
            address1: row.address1,
            address2: row.address2,
            city: row.city,
            postal_code: row.postal_code,
            country_code: row.country_code,
            province_code: row.province_code,
            phone: row.phone,
            metadata: row.metadata,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = addresses, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct AddressRow {
    id: String,
    customer_id: String,
    label: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    address1: String,
    address2: Option<String>,
    city: String,
    postal_code: Option<String>,
    country_code: String,
    province_code: Option<String>,
    phone: Option<String>,
    metadata: String,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

/// The columns an input sets, on insert and on update (`None` stores NULL).
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = addresses, treat_none_as_null = true)]
struct AddressFields<'a> {
    label: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    company: Option<&'a str>,
    address1: &'a str,
    address2: Option<&'a str>,
    city: &'a str,
    postal_code: Option<&'a str>,
    country_code: &'a str,
    province_code: Option<&'a str>,
    phone: Option<&'a str>,
    updated_at: chrono::NaiveDateTime,
}

impl<'a> AddressFields<'a> {
    fn of(a: &'a ValidAddress, at: chrono::NaiveDateTime) -> Self {
        Self {
            label: a.label.as_deref(),
            first_name: a.first_name.as_deref(),
            last_name: a.last_name.as_deref(),
            company: a.company.as_deref(),
            address1: &a.address1,
            address2: a.address2.as_deref(),
            city: &a.city,
            postal_code: a.postal_code.as_deref(),
            country_code: &a.country_code,
            province_code: a.province_code.as_deref(),
            phone: a.phone.as_deref(),
            updated_at: at,
        }
    }
}

fn not_found() -> StoreError {
    StoreError::not_found(Entity::Address)
}

/// Each customer's addresses, oldest first, with their default flags: one query for the whole
/// batch (for a batch loader). Every key asked has an entry, possibly empty.
pub async fn list_for_customers(
    store: &Store,
    customer_ids: &[String],
) -> Result<HashMap<String, Vec<Address>>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows: Vec<(AddressRow, Option<String>, Option<String>)> = db_run!(conn, |c| {
        addresses::table
            .inner_join(customers::table)
            .filter(addresses::customer_id.one_of(customer_ids))
            .order((addresses::created_at, addresses::id))
            .select((
                AddressRow::as_select(),
                customers::default_shipping_address_id,
                customers::default_billing_address_id,
            ))
            .load_rows(c)
            .await
    })?;
    let mut map: HashMap<String, Vec<Address>> = customer_ids
        .iter()
        .map(|id| (id.clone(), Vec::new()))
        .collect();
    for (row, shipping, billing) in rows {
        let address = Address::from_row(row, shipping.as_deref(), billing.as_deref());
        map.entry(address.customer_id.clone())
            .or_default()
            .push(address);
    }
    Ok(map)
}

/// The customer's address `id`.
pub async fn get(store: &Store, customer_id: &str, id: &str) -> Result<Address, StoreError> {
    let mut conn = store.db().conn().await?;
    let row: Option<(AddressRow, Option<String>, Option<String>)> = db_run!(conn, |c| {
        addresses::table
            .inner_join(customers::table)
            .filter(addresses::id.eq(id))
            .filter(addresses::customer_id.eq(customer_id))
            .select((
                AddressRow::as_select(),
                customers::default_shipping_address_id,
                customers::default_billing_address_id,
            ))
            .first(c)
            .await
            .optional()
    })?;
    let (row, shipping, billing) = row.ok_or_else(not_found)?;
    Ok(Address::from_row(
        row,
        shipping.as_deref(),
        billing.as_deref(),
    ))
}

/// Adds an address to the customer's book. While the customer has no default of a kind, the
/// new address becomes it (the first address becomes both defaults); then `defaults` applies.
pub async fn create(
    store: &Store,
    customer_id: &str,
    input: &AddressInput,
    defaults: DefaultChange,
) -> Result<Address, StoreError> {
    let valid = ValidAddress::parse(input)?;
    let id = ids::new(ids::prefix::ADDRESS);
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            insert(&mut c.into(), customer_id, &id, &valid, at).await?;
            apply_defaults(&mut c.into(), customer_id, &id, defaults).await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, &id).await
}

/// Replaces every field of the customer's address `id` (an absent optional field is cleared;
/// absent metadata is kept).
pub async fn update(
    store: &Store,
    customer_id: &str,
    id: &str,
    input: &AddressInput,
) -> Result<Address, StoreError> {
    let valid = ValidAddress::parse(input)?;
    let mut conn = store.db().write_conn().await?;
    write(&mut conn.backend(), customer_id, id, &valid, now()).await?;
    drop(conn);
    get(store, customer_id, id).await
}

/// Changes only the fields `changes` gives (an empty text clears an optional one, the others
/// keep their value) and the default flags; the result must still be a valid address. A new
/// country without a province drops the old country's province.
pub async fn patch(
    store: &Store,
    customer_id: &str,
    id: &str,
    changes: &AddressInput,
    defaults: DefaultChange,
) -> Result<Address, StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let current = read(&mut c.into(), customer_id, id).await?;
            let valid = ValidAddress::parse(&merge(changes, current))?;
            write(&mut c.into(), customer_id, id, &valid, now()).await?;
            apply_defaults(&mut c.into(), customer_id, id, defaults).await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, id).await
}

/// `changes` over the stored address: what `changes` gives wins.
fn merge(changes: &AddressInput, current: AddressRow) -> AddressInput {
    let keep = |given: &Option<String>, stored: Option<String>| given.clone().or(stored);
    AddressInput {
        label: keep(&changes.label, current.label),
        first_name: keep(&changes.first_name, current.first_name),
        last_name: keep(&changes.last_name, current.last_name),
        company: keep(&changes.company, current.company),
        address1: keep(&changes.address1, Some(current.address1)),
        address2: keep(&changes.address2, current.address2),
        city: keep(&changes.city, Some(current.city)),
        postal_code: keep(&changes.postal_code, current.postal_code),
        province_code: match (&changes.country_code, &changes.province_code) {
            (_, Some(given)) => Some(given.clone()),
            (Some(_), None) => None,
            (None, None) => current.province_code,
        },
        country_code: keep(&changes.country_code, Some(current.country_code)),
        phone: keep(&changes.phone, current.phone),
        metadata: changes.metadata.clone(),
    }
}

/// Inside a transaction: inserts the address, refusing a full book, and makes it the default of
/// each kind the customer has none of.
async fn insert(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
    valid: &ValidAddress,
    at: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    // Touching the customer row first locks it on PostgreSQL, so two concurrent creates for one
    // customer take turns and cannot both pass the count below.
    let touched = db_run!(c, |c| diesel::update(customers::table.find(customer_id))
        .set(customers::updated_at.eq(customers::updated_at))
        .execute(c)
        .await)?;
    if touched == 0 {
        return Err(StoreError::not_found(Entity::Customer));
    }
    let count: i64 = db_run!(c, |c| addresses::table
        .filter(addresses::customer_id.eq(customer_id))
        .count()
        .get_result(c)
        .await)?;
    if count >= MAX_PER_CUSTOMER {
        return Err(StoreError::Conflict {
            message: format!("an address book holds at most {MAX_PER_CUSTOMER} addresses"),
            field: None,
        });
    }
    let fields = AddressFields::of(valid, at);
    db_run!(c, |c| diesel::insert_into(addresses::table)
        .values((
            addresses::id.eq(id),
            addresses::customer_id.eq(customer_id),
            &fields,
            addresses::metadata.eq(valid.metadata.as_deref().unwrap_or("{}")),
            addresses::created_at.eq(at),
        ))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::update(customers::table.find(customer_id))
        .filter(customers::default_shipping_address_id.is_null())
        .set(customers::default_shipping_address_id.eq(id))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::update(customers::table.find(customer_id))
        .filter(customers::default_billing_address_id.is_null())
        .set(customers::default_billing_address_id.eq(id))
        .execute(c)
        .await)?;
    Ok(())
}

/// Stores `valid` over the customer's address `id`.
async fn write(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
    valid: &ValidAddress,
    at: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    let fields = AddressFields::of(valid, at);
    let target = addresses::table
        .filter(addresses::id.eq(id))
        .filter(addresses::customer_id.eq(customer_id));
    let changed = match &valid.metadata {
        Some(metadata) => db_run!(c, |c| diesel::update(target)
            .set((&fields, addresses::metadata.eq(metadata)))
            .execute(c)
            .await),
        None => db_run!(c, |c| diesel::update(target).set(&fields).execute(c).await),
    }?;
    if changed == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// The customer's stored address `id`.
async fn read(c: &mut Backend<'_>, customer_id: &str, id: &str) -> Result<AddressRow, StoreError> {
    let row = db_run!(c, |c| addresses::table
        .filter(addresses::id.eq(id))
        .filter(addresses::customer_id.eq(customer_id))
        .select(AddressRow::as_select())
        .first(c)
        .await
        .optional())?;
    row.ok_or_else(not_found)
}

/// Deletes the customer's address `id`; a default that named it becomes empty.
pub async fn delete(store: &Store, customer_id: &str, id: &str) -> Result<(), StoreError> {
    let mut conn = store.db().write_conn().await?;
    let deleted = db_run!(conn, |c| diesel::delete(addresses::table)
        .filter(addresses::id.eq(id))
        .filter(addresses::customer_id.eq(customer_id))
        .execute(c)
        .await)?;
    if deleted == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// Makes the customer's address `id` their default of `kind`, replacing the previous one.
/// Returns the customer.
pub async fn set_default(
    store: &Store,
    customer_id: &str,
    id: &str,
    kind: AddressKind,
) -> Result<Customer, StoreError> {
    let mut conn = store.db().write_conn().await?;
    make_default(&mut conn.backend(), customer_id, id, kind).await?;
    drop(conn);
    customer_rows::get(store, customer_id).await
}

/// Makes address `id` the customer's default of `kind`, in one statement that also checks the
/// address is theirs.
async fn make_default(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
    kind: AddressKind,
) -> Result<(), StoreError> {
    let owned = addresses::table
        .filter(addresses::id.eq(id))
        .filter(addresses::customer_id.eq(customer_id));
    let target = customers::table
        .find(customer_id)
        .filter(diesel::dsl::exists(owned));
    let changed = match kind {
        AddressKind::Shipping => db_run!(c, |c| diesel::update(target)
            .set(customers::default_shipping_address_id.eq(id))
            .execute(c)
            .await),
        AddressKind::Billing => db_run!(c, |c| diesel::update(target)
            .set(customers::default_billing_address_id.eq(id))
            .execute(c)
            .await),
    }?;
    if changed == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// The customer with their whole address book (oldest first), as one answer.
pub async fn book(
    store: &Store,
    customer_id: &str,
) -> Result<(super::customers::Customer, Vec<Address>), StoreError> {
    let customer = super::customers::get(store, customer_id).await?;
    let mut books = list_for_customers(store, &[customer_id.to_owned()]).await?;
    Ok((customer, books.remove(customer_id).unwrap_or_default()))
}

/// Which of a customer's addresses to list, and which page of them.
#[derive(Clone, Debug, Default)]
pub struct AddressSearch {
    /// Words that must all appear, any case, in a name, company, line, city, postal code or
    /// phone.
    pub q: Option<String>,
    /// Exact city (any case); several mean any of them.
    pub cities: Vec<String>,
    /// ISO 3166-1 alpha-2 (any case); several mean any of them.
    pub country_codes: Vec<String>,
    pub postal_codes: Vec<String>,
    pub offset: i64,
    pub limit: i64,
}

/// One page of the customer's addresses matching `search`, oldest first, and how many match.
/// The book is small (at most [`MAX_PER_CUSTOMER`]), so it is read whole and filtered here.
pub async fn search(
    store: &Store,
    customer_id: &str,
    search: &AddressSearch,
) -> Result<(Vec<Address>, i64), StoreError> {
    if search.offset < 0 || search.limit < 0 {
        return Err(StoreError::invalid(
            if search.offset < 0 { "offset" } else { "limit" },
            "must not be negative",
        ));
    }
    let mut books = list_for_customers(store, &[customer_id.to_owned()]).await?;
    let any = |wanted: &[String], value: Option<&str>| {
        wanted.is_empty()
            || value.is_some_and(|v| wanted.iter().any(|w| w.trim().eq_ignore_ascii_case(v)))
    };
    let words: Vec<String> = search
        .q
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let matching: Vec<Address> = books
        .remove(customer_id)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| {
            any(&search.cities, Some(&a.city))
                && any(&search.country_codes, Some(&a.country_code))
                && any(&search.postal_codes, a.postal_code.as_deref())
                && {
                    let text = [
                        a.first_name.as_deref(),
                        a.last_name.as_deref(),
                        a.company.as_deref(),
                        Some(a.address1.as_str()),
                        a.address2.as_deref(),
                        Some(a.city.as_str()),
                        a.postal_code.as_deref(),
                        a.phone.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                    words.iter().all(|w| text.contains(w.as_str()))
                }
        })
        .collect();
    let count = matching.len() as i64;
    let page = matching
        .into_iter()
        .skip(search.offset as usize)
        .take(search.limit as usize)
        .collect();
    Ok((page, count))
}

/// What a change does to the defaults: `Some(true)` makes the address the default of that
/// kind, `Some(false)` stops it being the default (if it was), `None` leaves the default alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultChange {
    pub shipping: Option<bool>,
    pub billing: Option<bool>,
}

async fn apply_defaults(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
    defaults: DefaultChange,
) -> Result<(), StoreError> {
    for (kind, wanted) in [
        (AddressKind::Shipping, defaults.shipping),
        (AddressKind::Billing, defaults.billing),
    ] {
        match wanted {
            Some(true) => make_default(c, customer_id, id, kind).await?,
            Some(false) => clear_default(c, customer_id, id, kind).await?,
            None => {}
        }
    }
    Ok(())
}

/// The customer has no default of `kind` any more, if it was address `id`.
async fn clear_default(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
    kind: AddressKind,
) -> Result<(), StoreError> {
    match kind {
        AddressKind::Shipping => db_run!(c, |c| diesel::update(
            customers::table
                .find(customer_id)
                .filter(customers::default_shipping_address_id.eq(id))
        )
        .set(customers::default_shipping_address_id.eq(None::<String>))
        .execute(c)
        .await),
        AddressKind::Billing => db_run!(c, |c| diesel::update(
            customers::table
                .find(customer_id)
                .filter(customers::default_billing_address_id.eq(id))
        )
        .set(customers::default_billing_address_id.eq(None::<String>))
        .execute(c)
        .await),
    }?;
    Ok(())
}
