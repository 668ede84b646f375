//! Prices and totals of a cart: unit prices come from the catalogue (never from the client) and
//! are refreshed on every change of a cart; delivery is one flat rate and tax one rate
//! ([`CheckoutRates`]).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{LineItem, Order};
use crate::config::CheckoutRates;
use crate::db::Backend;
use crate::db::schema::{line_items, orders, prices};
use crate::db_run;
use crate::store::StoreError;
use crate::store::catalog::Price;

/// The totals of a cart, as stored on its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    pub item_count: i32,
    pub item_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub total: i64,
}

impl Totals {
    /// The totals of these lines: delivery is charged when there is anything to deliver (free
    /// from the configured threshold), tax is on items plus delivery, rounded half up.
    pub fn of(lines: &[LineItem], rates: &CheckoutRates) -> Self {
        let item_count = lines.iter().map(|l| l.quantity).sum();
        let item_total: i64 = lines.iter().map(|l| l.total).sum();
        let shipping_total = if lines.is_empty() {
            0
        } else {
            delivery_price(item_total, rates)
        };
        let taxable = i128::from(item_total + shipping_total);
        let tax_total = ((taxable * i128::from(rates.tax_rate_ppm) + 500_000) / 1_000_000) as i64;
        Self {
            item_count,
            item_total,
            shipping_total,
            tax_total,
            total: item_total + shipping_total + tax_total,
        }
    }
}

/// The price of delivering items worth `item_total`: the flat rate, free from the threshold.
pub fn delivery_price(item_total: i64, rates: &CheckoutRates) -> i64 {
    match rates.free_shipping_over {
        Some(threshold) if item_total >= threshold => 0,
        _ => rates.shipping_rate,
    }
}

/// An order's tax split between its items and its delivery, in proportion to each (the tax
/// is computed once on their sum): `(items, delivery)`, adding up to the order's tax.
pub fn tax_split(order: &Order) -> (i64, i64) {
    let taxable = i128::from(order.item_total + order.shipping_total);
    if taxable == 0 {
        return (order.tax_total, 0);
    }
    let delivery =
        (i128::from(order.tax_total) * i128::from(order.shipping_total) + taxable / 2) / taxable;
    let delivery = delivery as i64;
    (order.tax_total - delivery, delivery)
}

/// Sets each line's unit price and total from the catalogue's current prices; returns the
/// lines that changed. A line whose variant lost its price keeps the last one (checkout
/// refuses what cannot be sold).
pub fn reprice(lines: &mut [LineItem], prices: &[Price]) -> Vec<usize> {
    let by_variant: HashMap<&str, &Price> =
        prices.iter().map(|p| (p.variant_id.as_str(), p)).collect();
    let mut changed = Vec::new();
    for (index, line) in lines.iter_mut().enumerate() {
        let (unit, was) = match by_variant.get(line.variant_id.as_str()) {
            Some(price) => (price.amount, price.compare_at_money().map(|m| m.amount)),
            None => (line.unit_price, line.compare_at_unit_price),
        };
        let total = unit * i64::from(line.quantity);
        if (unit, was, total) != (line.unit_price, line.compare_at_unit_price, line.total) {
            line.unit_price = unit;
            line.compare_at_unit_price = was;
            line.total = total;
            changed.push(index);
        }
    }
    changed
}

/// Inside a cart's transaction: re-prices the cart's lines from the catalogue, stores them and
/// the cart's totals, and returns the cart, its lines, and the variants of lines that have no
/// price in the currency any more (they keep their last one).
pub(super) async fn reprice_cart(
    c: &mut Backend<'_>,
    order_id: &str,
    currency: &str,
    rates: &CheckoutRates,
    at: NaiveDateTime,
) -> Result<(Order, Vec<LineItem>, Vec<String>), StoreError> {
    let mut lines: Vec<LineItem> = db_run!(c, |c| line_items::table
        .filter(line_items::order_id.eq(order_id))
        .order((line_items::created_at, line_items::id))
        .select(LineItem::as_select())
        .load(c)
        .await)?;
    let variant_ids: Vec<&str> = lines.iter().map(|l| l.variant_id.as_str()).collect();
    let current: Vec<Price> = db_run!(c, |c| prices::table
        .filter(prices::variant_id.eq_any(&variant_ids))
        .filter(prices::currency.eq(currency))
        .select(Price::as_select())
        .load(c)
        .await)?;
    for index in reprice(&mut lines, &current) {
        let line = &lines[index];
        db_run!(c, |c| diesel::update(line_items::table.find(&line.id))
            .set((
                line_items::unit_price.eq(line.unit_price),
                line_items::compare_at_unit_price.eq(line.compare_at_unit_price),
                line_items::total.eq(line.total),
                line_items::updated_at.eq(at),
            ))
            .execute(c)
            .await)?;
    }
    let totals = Totals::of(&lines, rates);
    let order: Order = db_run!(c, |c| diesel::update(orders::table.find(order_id))
        .set((
            orders::item_count.eq(totals.item_count),
            orders::item_total.eq(totals.item_total),
            orders::shipping_total.eq(totals.shipping_total),
            orders::tax_total.eq(totals.tax_total),
            orders::total.eq(totals.total),
            orders::updated_at.eq(at),
        ))
        .returning(Order::as_returning())
        .get_result(c)
        .await)?;
    let unpriced: Vec<String> = lines
        .iter()
        .filter(|l| !current.iter().any(|p| p.variant_id == l.variant_id))
        .map(|l| l.variant_id.clone())
        .collect();
    Ok((order, lines, unpriced))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i32, total: i64) -> LineItem {
        let at = chrono::NaiveDateTime::default();
        LineItem {
            id: "li_1".into(),
            order_id: "or_1".into(),
            variant_id: "variant_1".into(),
            product_id: "prod_1".into(),
            name: "Shirt".into(),
            sku: None,
            options_text: String::new(),
            quantity,
            unit_price: total / i64::from(quantity),
            compare_at_unit_price: None,
            currency: "USD".into(),
            total,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn totals_charge_delivery_and_tax_only_when_there_is_something() {
        let rates = CheckoutRates {
            shipping_rate: 500,
            free_shipping_over: Some(10_000),
            tax_rate_ppm: 88_750,
        };
        assert_eq!(
            Totals::of(&[], &rates),
            Totals {
                item_count: 0,
                item_total: 0,
                shipping_total: 0,
                tax_total: 0,
                total: 0
            }
        );
        let t = Totals::of(&[line(2, 2_000), line(1, 999)], &rates);
        assert_eq!(
            (t.item_count, t.item_total, t.shipping_total),
            (3, 2_999, 500)
        );
        // 8.875 % of 34.99 is 3.1053...: 311 cents.
        assert_eq!(t.tax_total, 311);
        assert_eq!(t.total, 2_999 + 500 + 311);
        let free = Totals::of(&[line(1, 10_000)], &rates);
        assert_eq!(free.shipping_total, 0);
    }

    #[test]
    fn reprice_takes_the_catalogue_price() {
        let mut lines = vec![line(3, 300)];
        let price = Price {
            id: "price_1".into(),
            variant_id: "variant_1".into(),
            currency: "USD".into(),
            amount: 250,
            compare_at_amount: Some(400),
        };
        assert_eq!(reprice(&mut lines, std::slice::from_ref(&price)), vec![0]);
        assert_eq!(
            (
                lines[0].unit_price,
                lines[0].total,
                lines[0].compare_at_unit_price
            ),
            (250, 750, Some(400))
        );
        assert!(reprice(&mut lines, &[price]).is_empty());
        assert!(
            reprice(&mut lines, &[]).is_empty(),
            "a lost price keeps the last one"
        );
    }
}
