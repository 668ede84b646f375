//! Customers with a login, an address book and past orders of the seeded catalogue.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::insert_into;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::{CITIES, COMPANIES, FIRST_NAMES, LAST_NAMES, STREETS};
use super::rows::*;
use super::*;
use crate::db::schema::{
    addresses, customers, identities, line_items, option_types, option_values, orders, prices,
    products, variant_option_values, variants,
};
use crate::store::ids::prefix;
use crate::store::orders::{OrderStatus, PaymentStatus, ShipmentState};

/// Customers inserted per transaction.
const CUSTOMERS_PER_TRANSACTION: usize = 500;

/// A flat shipping charge on every demo order, in cents.
const SHIPPING: i64 = 500;

/// Adds customers `customer{i}@example.com` for `i` in `1..=target` that are missing.
pub(super) async fn seed(
    conn: &mut DbConn,
    target: usize,
    report: &mut SeedReport,
) -> Result<(), StoreError> {
    if target == 0 {
        return Ok(());
    }
    let emails: Vec<String> = db_run!(conn, |c| customers::table
        .filter(customers::email.like("customer%@example.com"))
        .select(customers::email)
        .load(c)
        .await)?;
    let emails: HashSet<String> = emails.into_iter().collect();
    let todo: Vec<usize> = (1..=target)
        .filter(|i| !emails.contains(&email(*i)))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let catalog = load_catalog(conn).await?;
    let numbers: Vec<Option<String>> = db_run!(conn, |c| orders::table
        .filter(orders::number.is_not_null())
        .select(orders::number)
        .load(c)
        .await)?;
    let mut numbers: HashSet<String> = numbers.into_iter().flatten().collect();
    for chunk in todo.chunks(CUSTOMERS_PER_TRANSACTION) {
        let mut batch = Batch::default();
        for &i in chunk {
            make_customer(i, &catalog, &mut numbers, &mut batch);
        }
        let (customers, orders) = (batch.customers.len(), batch.orders.len());
        begin(conn).await?;
        let result = batch.insert(conn).await;
        finish(conn, result).await?;
        report.customers += customers;
        report.orders += orders;
    }
    Ok(())
}

fn email(i: usize) -> String {
    format!("customer{i}@example.com")
}

/// A variant a demo customer can have bought, with what a line item snapshots.
pub(super) struct Item {
    pub variant_id: String,
    pub product_id: String,
    pub name: String,
    pub sku: Option<String>,
    pub options_text: String,
    pub amount: i64,
    pub compare_at: Option<i64>,
    pub available_on: NaiveDateTime,
}

/// The sellable variants of active products, the earliest available first: variants with
/// options, or the default variant of a product without any.
async fn load_catalog(conn: &mut DbConn) -> Result<Vec<Item>, StoreError> {
    type Loaded = (
        String,
        String,
        Option<String>,
        bool,
        String,
        Option<NaiveDateTime>,
        i64,
        Option<i64>,
    );
    let rows: Vec<Loaded> = db_run!(conn, |c| variants::table
        .inner_join(products::table)
        .inner_join(prices::table)
        .filter(prices::currency.eq("USD"))
        .filter(products::status.eq("active"))
        .filter(products::discontinue_on.is_null())
        .filter(products::available_on.le(demo_now()))
        .filter(variants::discontinued_at.is_null())
        .select((
            variants::id,
            variants::product_id,
            variants::sku,
            variants::is_default,
            products::name,
            products::available_on,
            prices::amount,
            prices::compare_at_amount,
        ))
        .load(c)
        .await)?;
    let options: Vec<(String, i32, String, String)> =
        db_run!(conn, |c| variant_option_values::table
            .inner_join(option_values::table.inner_join(option_types::table))
            .select((
                variant_option_values::variant_id,
                option_types::position,
                option_types::presentation,
                option_values::presentation,
            ))
            .load(c)
            .await)?;
    let mut texts: HashMap<String, Vec<(i32, String)>> = HashMap::new();
    for (variant_id, position, option, value) in options {
        texts
            .entry(variant_id)
            .or_default()
            .push((position, format!("{option}: {value}")));
    }
    let with_options: HashSet<&str> = rows
        .iter()
        .filter(|row| !row.3)
        .map(|row| row.1.as_str())
        .collect();
    let mut items: Vec<Item> = rows
        .iter()
        .filter(|row| !row.3 || !with_options.contains(row.1.as_str()))
        .map(|row| {
            let mut parts = texts.remove(&row.0).unwrap_or_default();
            parts.sort();
            Item {
                variant_id: row.0.clone(),
                product_id: row.1.clone(),
                name: row.4.clone(),
                sku: row.2.clone(),
                options_text: parts
                    .into_iter()
                    .map(|p| p.1)
                    .collect::<Vec<_>>()
                    .join(", "),
                amount: row.6,
                compare_at: row.7,
                available_on: row.5.unwrap_or_default(),
            }
        })
        .collect();
    items.sort_by(|a, b| (a.available_on, &a.variant_id).cmp(&(b.available_on, &b.variant_id)));
    Ok(items)
}

#[derive(Default)]
struct Batch {
    customers: Vec<NewCustomer>,
    identities: Vec<NewIdentity>,
    addresses: Vec<NewAddress>,
    /// Customer id, default shipping and billing address ids.
    defaults: Vec<(String, String, String)>,
    orders: Vec<NewOrder>,
    line_items: Vec<NewLineItem>,
    units_sold: HashMap<String, i64>,
}

impl Batch {
    async fn insert(self, conn: &mut DbConn) -> Result<(), StoreError> {
        // Customers first without their default addresses, which reference them.
        insert_rows(conn, self.customers, |rows| {
            insert_into(customers::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.identities, |rows| {
            insert_into(identities::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.addresses, |rows| {
            insert_into(addresses::table).values(rows)
        })
        .await?;
        for (customer, shipping, billing) in &self.defaults {
            db_run!(conn, |c| diesel::update(customers::table.find(customer))
                .set((
                    customers::default_shipping_address_id.eq(shipping),
                    customers::default_billing_address_id.eq(billing),
                ))
                .execute(c)
                .await)?;
        }
        insert_rows(conn, self.orders, |rows| {
            insert_into(orders::table).values(rows)
        })
        .await?;
        insert_rows(conn, self.line_items, |rows| {
            insert_into(line_items::table).values(rows)
        })
        .await?;
        // One statement per distinct increment rather than per product.
        let mut by_increment: HashMap<i64, Vec<&String>> = HashMap::new();
        for (product, units) in &self.units_sold {
            by_increment.entry(*units).or_default().push(product);
        }
        for (units, products) in by_increment {
            for chunk in products.chunks(MAX_PARAMS - 1) {
                db_run!(conn, |c| diesel::update(
                    products::table.filter(products::id.eq_any(chunk))
                )
                .set(products::units_sold.eq(products::units_sold + units))
                .execute(c)
                .await)?;
            }
        }
        Ok(())
    }
}

fn pick<'a, T>(rng: &mut impl Rng, list: &'a [T]) -> &'a T {
    &list[rng.random_range(0..list.len())]
}

/// Customer `i`: deterministic from its own random stream, whatever else exists.
fn make_customer(i: usize, catalog: &[Item], numbers: &mut HashSet<String>, batch: &mut Batch) {
    let mut rng = rng_for(Stream::Customer, i as u64);
    let first = *pick(&mut rng, FIRST_NAMES);
    let last = *pick(&mut rng, LAST_NAMES);
    let email = email(i);
    let created_at = date(2025, 4, 1) + seconds(&mut rng, 500 * DAY);
    let customer_id = new_id(&mut rng, prefix::CUSTOMER, created_at);
    let home = *pick(&mut rng, CITIES);
    let home_phone = phone(&mut rng, home.3);
    batch.customers.push(NewCustomer {
        id: customer_id.clone(),
        email: email.clone(),
        has_account: true,
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        phone: Some(home_phone.clone()),
        company: None,
        accepts_marketing: rng.random_bool(0.4),
        created_at,
        updated_at: created_at,
    });
    batch.identities.push(NewIdentity {
        id: new_id(&mut rng, prefix::IDENTITY, created_at),
        provider: "emailpass".into(),
        email: email.clone(),
        password_hash: DEMO_PASSWORD_HASH.into(),
        customer_id: Some(customer_id.clone()),
        created_at,
        updated_at: created_at,
    });

    let count = *pick(&mut rng, &[1, 1, 1, 2, 2, 3]);
    let mut book = Vec::new();
    for n in 0..count {
        let city = if n == 0 {
            home
        } else {
            *pick(&mut rng, CITIES)
        };
        let (label, company, address2) = match n {
            0 => (
                "Home",
                None,
                rng.random_bool(0.3).then(|| apartment(&mut rng)),
            ),
            1 => (
                "Work",
                Some((*pick(&mut rng, COMPANIES)).to_owned()),
                Some(format!("Suite {}", rng.random_range(1..=9) * 100)),
            ),
            _ => (
                "Other",
                None,
                rng.random_bool(0.3).then(|| apartment(&mut rng)),
            ),
        };
        let (first_name, phone) = match n {
            2 => (*pick(&mut rng, FIRST_NAMES), phone(&mut rng, city.3)),
            _ => (first, home_phone.clone()),
        };
        let at = created_at + TimeDelta::days(30 * n);
        book.push(NewAddress {
            id: new_id(&mut rng, prefix::ADDRESS, at),
            customer_id: customer_id.clone(),
            label: Some(label.into()),
            first_name: Some(first_name.into()),
            last_name: Some(last.into()),
            company,
            address1: format!("{} {}", rng.random_range(1..=9800), pick(&mut rng, STREETS)),
            address2,
            city: city.0.into(),
            postal_code: Some(format!("{}{:02}", city.2, rng.random_range(1..=99))),
            country_code: "US".into(),
            province_code: Some(city.1.into()),
            phone: Some(phone),
            created_at: at,
            updated_at: at,
        });
    }
    let billing = if book.len() > 1 && rng.random_bool(0.3) {
        1
    } else {
        0
    };
    batch.defaults.push((
        customer_id.clone(),
        book[0].id.clone(),
        book[billing].id.clone(),
    ));
    let ship_to = snapshot(&book[0]);
    let bill_to = snapshot(&book[billing]);
    batch.addresses.extend(book);

    let orders = *pick(&mut rng, &[0, 1, 1, 2, 2, 3, 3, 4, 5, 6]);
    let start = created_at + TimeDelta::days(1);
    let window = (demo_now() - TimeDelta::hours(2) - start).num_seconds();
    let mut times: Vec<NaiveDateTime> = (0..orders)
        .map(|_| start + seconds(&mut rng, window))
        .collect();
    times.sort();
    for completed_at in times {
        let order = Order {
            customer_id: &customer_id,
            email: &email,
            ship_to: &ship_to,
            bill_to: &bill_to,
            completed_at,
        };
        make_order(&mut rng, order, catalog, numbers, batch);
    }
}

fn apartment(rng: &mut impl Rng) -> String {
    let letter = char::from(b'A' + rng.random_range(0..6u8));
    format!("Apt {}{letter}", rng.random_range(1..=24))
}

/// A US number in the 555-01xx range reserved for fiction, in E.164.
fn phone(rng: &mut impl Rng, area: &str) -> String {
    format!("+1{area}55501{:02}", rng.random_range(0..100))
}

/// The JSON an order keeps of an address.
fn snapshot(address: &NewAddress) -> String {
    serde_json::json!({
        "first_name": address.first_name,
        "last_name": address.last_name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "postal_code": address.postal_code,
        "country_code": address.country_code,
        "province_code": address.province_code,
        "phone": address.phone,
    })
    .to_string()
}

struct Order<'a> {
    customer_id: &'a str,
    email: &'a str,
    ship_to: &'a str,
    bill_to: &'a str,
    completed_at: NaiveDateTime,
}

/// A completed order of 1 to 4 variants available when it was placed.
fn make_order(
    rng: &mut ChaCha8Rng,
    order: Order<'_>,
    catalog: &[Item],
    numbers: &mut HashSet<String>,
    batch: &mut Batch,
) {
    let completed_at = order.completed_at;
    let created_at = completed_at - TimeDelta::seconds(rng.random_range(300..DAY));
    let available = catalog.partition_point(|item| item.available_on < created_at);
    if available == 0 {
        return;
    }
    let order_id = new_id(rng, prefix::ORDER, created_at);
    let wanted = rng.random_range(1..=4).min(available);
    // Half the picks come from the oldest ~400 variants (the hand-written catalogue), so its
    // products are the best sellers; the rest from everything available then.
    let popular = available.min(400);
    let mut chosen: Vec<usize> = Vec::new();
    for _ in 0..wanted * 4 {
        let range = if rng.random_bool(0.5) {
            popular
        } else {
            available
        };
        let index = rng.random_range(0..range);
        if !chosen.contains(&index) {
            chosen.push(index);
        }
        if chosen.len() == wanted {
            break;
        }
    }
    let (mut item_count, mut item_total) = (0, 0);
    for index in chosen {
        let item = &catalog[index];
        let quantity = *pick(rng, &[1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3]);
        let total = item.amount * i64::from(quantity);
        item_count += quantity;
        item_total += total;
        *batch.units_sold.entry(item.product_id.clone()).or_default() += i64::from(quantity);
        batch.line_items.push(NewLineItem {
            id: new_id(rng, prefix::LINE_ITEM, created_at),
            order_id: order_id.clone(),
            variant_id: item.variant_id.clone(),
            product_id: item.product_id.clone(),
            name: item.name.clone(),
            sku: item.sku.clone(),
            options_text: item.options_text.clone(),
            quantity,
            unit_price: item.amount,
            compare_at_unit_price: item.compare_at,
            currency: "USD".into(),
            total,
            created_at,
            updated_at: created_at,
        });
    }
    let number = loop {
        let number = format!("R{}", rng.random_range(100_000_000..1_000_000_000u32));
        if numbers.insert(number.clone()) {
            break number;
        }
    };
    let token = hex::encode(rng.random::<[u8; 32]>());
    let age = demo_now() - completed_at;
    let paid = !rng.random_bool(0.05);
    let (shipment_state, shipped_at) = if !paid {
        (ShipmentState::Pending, None)
    } else if age < TimeDelta::days(3) {
        (
            *pick(rng, &[ShipmentState::Pending, ShipmentState::Ready]),
            None,
        )
    } else {
        let shipped = completed_at + TimeDelta::hours(rng.random_range(4..72));
        (ShipmentState::Shipped, Some(shipped))
    };
    let tracking_number = shipped_at.map(|_| {
        let digits: String = (0..16)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        format!("1Z{digits}")
    });
    let paid_at = paid.then(|| completed_at + TimeDelta::seconds(rng.random_range(1..60)));
    batch.orders.push(NewOrder {
        id: order_id,
        number: Some(number),
        customer_id: Some(order.customer_id.into()),
        email: Some(order.email.into()),
        token,
        state: OrderStatus::Placed,
        payment_state: Some(if paid {
            PaymentStatus::Paid
        } else {
            PaymentStatus::BalanceDue
        }),
        shipment_state: Some(shipment_state),
        currency: "USD".into(),
        item_count,
        item_total,
        shipping_total: SHIPPING,
        tax_total: 0,
        total: item_total + SHIPPING,
        shipping_address: Some(order.ship_to.into()),
        billing_address: Some(order.bill_to.into()),
        tracking_number,
        completed_at: Some(completed_at),
        paid_at,
        shipped_at,
        created_at,
        updated_at: shipped_at.or(paid_at).unwrap_or(completed_at),
    });
}
