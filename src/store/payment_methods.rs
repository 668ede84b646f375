//! Saved payment methods: the shop's payment integration (a secret key) saves a tokenized
//! method for a customer; the customer lists them, picks a default, deletes one.
//!
//! Only a provider's token is kept, with what a person needs to recognise the card (brand, last
//! four digits, expiry, holder, billing address). A card number or a security code must never
//! reach the database or the logs, so saving refuses, as a validation error:
//! - any `number`, `cvc` or `cvv` field, whatever its value;
//! - any text field holding something that looks like a card number: a run of 13 to 19 digits
//!   (spaces and dashes between them allowed) that passes the Luhn check.
//!
//! The provider token is for the integrator only: customer surfaces show brand, last 4, expiry
//! and the default flag. Another customer's method is `NOT_FOUND`, like a missing id. The first
//! method saved is the default; deleting the default makes the most recently saved remaining one
//! the default. Every change writes its `payment_method.*` event in the same transaction.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::addresses::{AddressInput, ValidAddress};
use super::events::{self, PaymentMethodChange, PaymentMethodChanged};
use super::orders::OrderAddress;
use super::{Entity, FieldError, Store, StoreError, ids, now};
use crate::db::Backend;
use crate::db::schema::{customers, payment_methods};
use crate::db_run;

/// A saved payment method.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = payment_methods, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PaymentMethod {
    pub id: String,
    pub customer_id: String,
    /// The payment provider's name (`stripe`, `adyen`, ...).
    pub provider: String,
    /// The provider's reference to the method. Shown to integrators only, never to customers.
    pub provider_token: String,
    /// Lower case (`visa`, `mastercard`).
    pub brand: String,
    pub last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
    pub holder_name: Option<String>,
    /// JSON snapshot, see [`PaymentMethod::billing_address`].
    billing_address: Option<String>,
    pub is_default: bool,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl PaymentMethod {
    /// The billing address given when it was saved.
    pub fn billing_address(&self) -> Option<OrderAddress> {
        self.billing_address
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
    }
}

/// What an integrator sends to save a method. `number`, `cvc` and `cvv` exist only so that a
/// surface can pass them on and have them refused here, once.
#[derive(Clone, Debug, Default)]
pub struct SavePaymentMethod {
    pub customer_id: String,
    pub provider: Option<String>,
    pub provider_token: Option<String>,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    pub holder_name: Option<String>,
    pub billing_address: Option<AddressInput>,
    pub make_default: Option<bool>,
    pub number: Option<String>,
    pub cvc: Option<String>,
    pub cvv: Option<String>,
}

/// Whether `text` holds something that looks like a card number (PAN): a run of 13 to 19
/// digits, with spaces or dashes allowed between them, that passes the Luhn check.
pub fn looks_like_pan(text: &str) -> bool {
    let check = |run: &[u8]| (13..=19).contains(&run.len()) && luhn(run);
    let mut digits: Vec<u8> = Vec::new();
    for ch in text.chars() {
        match ch {
            '0'..='9' => digits.push(ch as u8 - b'0'),
            // Spaces and dashes between digits keep the run going.
            ' ' | '-' => {}
            _ => {
                if check(&digits) {
                    return true;
                }
                digits.clear();
            }
        }
    }
    check(&digits)
}

/// The Luhn checksum of a digit sequence is valid.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

struct Valid {
    provider: String,
    provider_token: String,
    brand: String,
    last4: String,
    exp_month: i32,
    exp_year: i32,
    holder_name: Option<String>,
    billing_address: Option<String>,
}

fn required(
    problems: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> String {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        problems.push(FieldError::new(field, "can't be blank"));
    } else if value.chars().count() > max {
        problems.push(FieldError::new(
            field,
            format!("is too long (at most {max} characters)"),
        ));
    }
    value.to_owned()
}

fn validate(input: &SavePaymentMethod, today: chrono::NaiveDate) -> Result<Valid, StoreError> {
    use chrono::Datelike;
    let mut problems = Vec::new();
    for (field, value) in [
        ("number", &input.number),
        ("cvc", &input.cvc),
        ("cvv", &input.cvv),
    ] {
        if value.is_some() {
            problems.push(FieldError::new(
                field,
                "is never accepted: save the provider's token, not the card",
            ));
        }
    }
    // Every text field, the address's included, is checked for a card number.
    let address = input.billing_address.as_ref();
    let texts = [
        ("provider", input.provider.as_deref()),
        ("provider_token", input.provider_token.as_deref()),
        ("brand", input.brand.as_deref()),
        ("last4", input.last4.as_deref()),
        ("holder_name", input.holder_name.as_deref()),
        (
            "billing_address.label",
            address.and_then(|a| a.label.as_deref()),
        ),
        (
            "billing_address.first_name",
            address.and_then(|a| a.first_name.as_deref()),
        ),
        (
            "billing_address.last_name",
            address.and_then(|a| a.last_name.as_deref()),
        ),
        (
            "billing_address.company",
            address.and_then(|a| a.company.as_deref()),
        ),
        (
            "billing_address.address1",
            address.and_then(|a| a.address1.as_deref()),
        ),
        (
            "billing_address.address2",
            address.and_then(|a| a.address2.as_deref()),
        ),
        (
            "billing_address.city",
            address.and_then(|a| a.city.as_deref()),
        ),
        (
            "billing_address.postal_code",
            address.and_then(|a| a.postal_code.as_deref()),
        ),
        (
            "billing_address.phone",
            address.and_then(|a| a.phone.as_deref()),
        ),
    ];
    for (field, value) in texts {
        if value.is_some_and(looks_like_pan) {
            problems.push(FieldError::new(
                field,
                "looks like a card number, which is never accepted",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::fields(problems));
    }
    let provider = required(&mut problems, "provider", input.provider.as_deref(), 50);
    let provider_token = required(
        &mut problems,
        "provider_token",
        input.provider_token.as_deref(),
        255,
    );
    let brand = required(&mut problems, "brand", input.brand.as_deref(), 30).to_lowercase();
    let last4 = input.last4.as_deref().map(str::trim).unwrap_or_default();
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(FieldError::new("last4", "must be 4 digits"));
    }
    let exp_month = input.exp_month.unwrap_or(0);
    if !(1..=12).contains(&exp_month) {
        problems.push(FieldError::new("exp_month", "must be from 1 to 12"));
    }
    let exp_year = input.exp_year.unwrap_or(0);
    if !(2000..=2100).contains(&exp_year) {
        problems.push(FieldError::new("exp_year", "must be a 4-digit year"));
    } else if (1..=12).contains(&exp_month)
        && (exp_year, exp_month) < (i64::from(today.year()), i64::from(today.month()))
    {
        problems.push(FieldError::new("exp_year", "the card has expired"));
    }
    let holder_name = input
        .holder_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if holder_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > 100)
    {
        problems.push(FieldError::new(
            "holder_name",
            "is too long (at most 100 characters)",
        ));
    }
    let billing_address = match address.map(ValidAddress::parse).transpose() {
        Ok(valid) => {
            valid.map(|a| serde_json::to_string(&snapshot(a)).expect("an address serializes"))
        }
        Err(StoreError::InvalidInput { fields, .. }) => {
            problems.extend(
                fields
                    .into_iter()
                    .map(|f| FieldError::new(format!("billing_address.{}", f.field), f.message)),
            );
            None
        }
        Err(other) => return Err(other),
    };
    if !problems.is_empty() {
        return Err(StoreError::fields(problems));
    }
    Ok(Valid {
        provider,
        provider_token,
        brand,
        last4: last4.to_owned(),
        exp_month: exp_month as i32,
        exp_year: exp_year as i32,
        holder_name,
        billing_address,
    })
}

/// The billing address as kept with the method (the shape orders keep theirs in).
fn snapshot(a: ValidAddress) -> OrderAddress {
    OrderAddress {
        first_name: a.first_name,
        last_name: a.last_name,
        company: a.company,
        address1: a.address1,
        address2: a.address2,
        city: a.city,
        postal_code: a.postal_code,
        country_code: a.country_code,
        province_code: a.province_code,
        phone: a.phone,
    }
}

fn not_found() -> StoreError {
    StoreError::not_found(Entity::PaymentMethod)
}

fn change(kind: PaymentMethodChange, m: &PaymentMethod) -> PaymentMethodChanged {
    PaymentMethodChanged {
        kind,
        payment_method_id: m.id.clone(),
        provider: m.provider.clone(),
        brand: m.brand.clone(),
        last4: m.last4.clone(),
        is_default: m.is_default,
    }
}

/// Saves a tokenized method for a customer (integrators only: the surface checks the secret
/// key). The customer's first method becomes the default, as does one saved with
/// `make_default`. Saving a provider token the customer already has is a conflict.
pub async fn save(store: &Store, input: &SavePaymentMethod) -> Result<PaymentMethod, StoreError> {
    let valid = validate(input, now().date())?;
    let id = ids::new(ids::prefix::PAYMENT_METHOD);
    let customer_id = input.customer_id.as_str();
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let taken: i64 = db_run!(c, |c| payment_methods::table
                .filter(payment_methods::customer_id.eq(customer_id))
                .filter(payment_methods::provider.eq(&valid.provider))
                .filter(payment_methods::provider_token.eq(&valid.provider_token))
                .count()
                .get_result(c)
                .await)?;
            if taken > 0 {
                return Err(StoreError::Conflict {
                    message: "this payment method is already saved for the customer".into(),
                    field: Some("provider_token".into()),
                });
            }
            let has_default: i64 = db_run!(c, |c| payment_methods::table
                .filter(payment_methods::customer_id.eq(customer_id))
                .filter(payment_methods::is_default.eq(true))
                .count()
                .get_result(c)
                .await)?;
            let is_default = has_default == 0 || input.make_default == Some(true);
            if is_default {
                unset_default(c, customer_id).await?;
            }
            db_run!(c, |c| diesel::insert_into(payment_methods::table)
                .values((
                    payment_methods::id.eq(&id),
                    payment_methods::customer_id.eq(customer_id),
                    payment_methods::provider.eq(&valid.provider),
                    payment_methods::provider_token.eq(&valid.provider_token),
                    payment_methods::brand.eq(&valid.brand),
                    payment_methods::last4.eq(&valid.last4),
                    payment_methods::exp_month.eq(valid.exp_month),
                    payment_methods::exp_year.eq(valid.exp_year),
                    payment_methods::holder_name.eq(&valid.holder_name),
                    payment_methods::billing_address.eq(&valid.billing_address),
                    payment_methods::is_default.eq(is_default),
                    payment_methods::created_at.eq(at),
                    payment_methods::updated_at.eq(at),
                ))
                .execute(c)
                .await)?;
            let saved = read(c, customer_id, &id).await?;
            events::insert(
                c,
                &change(PaymentMethodChange::Saved, &saved).event(customer_id),
            )
            .await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, &id).await
}

/// The customer's saved methods, the default first, then the most recently saved.
pub async fn list(store: &Store, customer_id: &str) -> Result<Vec<PaymentMethod>, StoreError> {
    let mut conn = store.db().conn().await?;
    let rows = db_run!(conn, |c| payment_methods::table
        .filter(payment_methods::customer_id.eq(customer_id))
        .order((
            payment_methods::is_default.desc(),
            payment_methods::created_at.desc(),
            payment_methods::id.desc(),
        ))
        .select(PaymentMethod::as_select())
        .load(c)
        .await)?;
    Ok(rows)
}

/// The customer's saved method `id`.
pub async fn get(store: &Store, customer_id: &str, id: &str) -> Result<PaymentMethod, StoreError> {
    let mut conn = store.db().conn().await?;
    read(&mut conn.backend(), customer_id, id).await
}

/// Makes the customer's method `id` their default, replacing the previous one.
pub async fn set_default(
    store: &Store,
    customer_id: &str,
    id: &str,
) -> Result<PaymentMethod, StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let current = read(c, customer_id, id).await?;
            if current.is_default {
                return Ok(());
            }
            unset_default(c, customer_id).await?;
            db_run!(c, |c| diesel::update(payment_methods::table.find(id))
                .set((
                    payment_methods::is_default.eq(true),
                    payment_methods::updated_at.eq(now()),
                ))
                .execute(c)
                .await)?;
            let now_default = read(c, customer_id, id).await?;
            events::insert(
                c,
                &change(PaymentMethodChange::DefaultChanged, &now_default).event(customer_id),
            )
            .await
        })
        .await)?;
    drop(conn);
    get(store, customer_id, id).await
}

/// Deletes the customer's method `id`; when it was the default, the most recently saved
/// remaining method becomes the default.
pub async fn delete(store: &Store, customer_id: &str, id: &str) -> Result<(), StoreError> {
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let c: &mut Backend<'_> = &mut c.into();
            lock_customer(c, customer_id).await?;
            let current = read(c, customer_id, id).await?;
            db_run!(c, |c| diesel::delete(payment_methods::table.find(id))
                .execute(c)
                .await)?;
            events::insert(
                c,
                &change(PaymentMethodChange::Deleted, &current).event(customer_id),
            )
            .await?;
            if current.is_default {
                let newest: Option<String> = db_run!(c, |c| payment_methods::table
                    .filter(payment_methods::customer_id.eq(customer_id))
                    .order((
                        payment_methods::created_at.desc(),
                        payment_methods::id.desc()
                    ))
                    .select(payment_methods::id)
                    .first(c)
                    .await
                    .optional())?;
                if let Some(newest) = newest {
                    db_run!(c, |c| diesel::update(payment_methods::table.find(&newest))
                        .set(payment_methods::is_default.eq(true))
                        .execute(c)
                        .await)?;
                    let promoted = read(c, customer_id, &newest).await?;
                    events::insert(
                        c,
                        &change(PaymentMethodChange::DefaultChanged, &promoted).event(customer_id),
                    )
                    .await?;
                }
            }
            Ok::<_, StoreError>(())
        })
        .await)
}

async fn read(
    c: &mut Backend<'_>,
    customer_id: &str,
    id: &str,
) -> Result<PaymentMethod, StoreError> {
    let row = db_run!(c, |c| payment_methods::table
        .filter(payment_methods::id.eq(id))
        .filter(payment_methods::customer_id.eq(customer_id))
        .select(PaymentMethod::as_select())
        .first(c)
        .await
        .optional())?;
    row.ok_or_else(not_found)
}

async fn unset_default(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    db_run!(c, |c| diesel::update(
        payment_methods::table
            .filter(payment_methods::customer_id.eq(customer_id))
            .filter(payment_methods::is_default.eq(true))
    )
    .set(payment_methods::is_default.eq(false))
    .execute(c)
    .await)?;
    Ok(())
}

/// Locks the customer row (PostgreSQL) so that changes of one customer's methods take turns.
async fn lock_customer(c: &mut Backend<'_>, customer_id: &str) -> Result<(), StoreError> {
    let touched = db_run!(c, |c| diesel::update(customers::table.find(customer_id))
        .set(customers::updated_at.eq(customers::updated_at))
        .execute(c)
        .await)?;
    if touched == 0 {
        return Err(StoreError::not_found(Entity::Customer));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_recognised() {
        for pan in [
            "4242424242424242",
            "4242 4242 4242 4242",
            "4242-4242-4242-4242",
            "tok_4242424242424242",
            "card 5555555555554444 here",
            "378282246310005",
            "6011111111111117",
        ] {
            assert!(looks_like_pan(pan), "{pan}");
        }
        for fine in [
            "4242",
            "4242424242424241",
            "pm_1NXkqPLkdIwHu7ixH2kK7QZx",
            "424242424242",
            "42424242424242424242",
            "+1 212 555 0100",
            "10118",
        ] {
            assert!(!looks_like_pan(fine), "{fine}");
        }
    }

    #[test]
    fn forbidden_fields_are_refused_whatever_their_value() {
        let input = SavePaymentMethod {
            cvc: Some(String::new()),
            ..Default::default()
        };
        let Err(StoreError::InvalidInput { fields, .. }) = validate(&input, now().date()) else {
            panic!("cvc accepted");
        };
        assert_eq!(fields[0].field, "cvc");
    }
}
