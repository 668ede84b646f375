//! Medusa's cart shapes (2.21 as observed, `reference/medusa-v2-carts-observed.md` section 4):
//! the cart with its items, shipping method, addresses, region and payment collection; the
//! shipping option; the request bodies of the cart routes.
//!
//! Ids: a Medusa client's only handle on a guest cart is its id, so the id is the cart's
//! token (256 random bits, the same token the other surfaces send as `X-Order-Token`):
//! `cart_<token>`. Its payment collection is `pay_col_<token>` and a guest's order
//! `order_<token>`; the store keeps only the token's hash and finds the row by it.

use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::time;
use super::wire_catalog::{MedusaRegion, amount, raw};
use crate::store::Store;
use crate::store::orders::delivery::DeliveryOption;
use crate::store::orders::pricing::tax_split;
use crate::store::orders::{LineItem, Order, OrderAddress, PaymentSession, payment};
use crate::store::shop;

/// The prefix of a cart id.
pub const CART: &str = "cart_";
/// The prefix of a payment collection id.
pub const COLLECTION: &str = "pay_col_";
/// The prefix of a guest order's id.
pub const ORDER: &str = "order_";
/// The one payment provider, manual payment, under Medusa's name for it.
pub const PROVIDER: &str = "pp_system_default";
/// The prefix of a shipping option id (`so_standard`).
pub const OPTION: &str = "so_";

/// The token an id carries after `prefix`: 64 lowercase hex digits, or nothing.
pub fn token_in(id: &str, prefix: &str) -> Option<String> {
    let token = id.strip_prefix(prefix)?;
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    (token.len() == 64 && token.bytes().all(hex)).then(|| token.to_owned())
}

/// The store's payment provider a Medusa provider id names.
pub fn provider_of(id: &str) -> Option<&'static str> {
    (id == PROVIDER).then_some(payment::MANUAL)
}

fn money(minor: i64, order: &Order) -> Value {
    amount(minor, &order.currency)
}

/// The tax line of an item or a shipping method: the shop's one rate.
fn tax_lines(store: &Store) -> Value {
    let ppm = store.config().checkout.tax_rate_ppm;
    if ppm == 0 {
        return json!([]);
    }
    let rate = if ppm % 10_000 == 0 {
        json!(ppm / 10_000)
    } else {
        json!(ppm as f64 / 10_000.0)
    };
    json!([{
        "id": null, "description": "Tax", "code": "TAX", "rate": rate,
        "provider_id": "system", "data": null, "metadata": null,
    }])
}

/// A line's tax at the shop's rate (for display on the line; the cart's tax is computed once
/// on its whole, by the store).
fn line_tax(store: &Store, line: &LineItem) -> i64 {
    let ppm = i128::from(store.config().checkout.tax_rate_ppm);
    ((i128::from(line.total) * ppm + 500_000) / 1_000_000) as i64
}

fn item(store: &Store, order: &Order, l: &LineItem) -> Value {
    let tax = line_tax(store, l);
    let variant_title = if l.options_text.is_empty() {
        l.name.clone()
    } else {
        l.options_text.clone()
    };
    json!({
        "id": l.id, "thumbnail": null, "variant_id": l.variant_id, "product_id": l.product_id,
        "is_giftcard": false, "product_type_id": null, "product_title": l.name,
        "product_description": null, "product_subtitle": null, "product_type": null,
        "product_collection": null, "product_handle": null, "variant_sku": l.sku,
        "variant_barcode": null, "variant_title": variant_title, "requires_shipping": true,
        "metadata": {}, "created_at": time(l.created_at), "updated_at": time(l.updated_at),
        "title": l.name, "quantity": l.quantity, "unit_price": money(l.unit_price, order),
        "compare_at_unit_price": l.compare_at_unit_price.map(|m| money(m, order)),
        "is_tax_inclusive": false, "tax_lines": tax_lines(store), "adjustments": [],
        "product": { "id": l.product_id, "collection_id": null, "type_id": null,
                     "categories": [], "tags": [] },
        "subtotal": money(l.total, order), "tax_total": money(tax, order),
        "total": money(l.total + tax, order), "original_total": money(l.total + tax, order),
        "discount_total": 0,
    })
}

fn address(a: Option<OrderAddress>) -> Value {
    a.map_or(Value::Null, |a| {
        json!({
            "id": null, "first_name": a.first_name, "last_name": a.last_name,
            "company": a.company, "address_1": a.address1, "address_2": a.address2,
            "city": a.city, "postal_code": a.postal_code,
            "country_code": a.country_code.to_lowercase(),
            "province": a.province_code.map(|p| p.to_lowercase()), "phone": a.phone,
        })
    })
}

fn shipping_methods(store: &Store, order: &Order) -> Value {
    let (_, shipping_tax) = tax_split(order);
    let methods: Vec<Value> = order
        .delivery()
        .into_iter()
        .map(|choice| {
            let name = crate::store::orders::delivery::options(store, order)
                .into_iter()
                .find(|o| o.id == choice.option_id)
                .map_or("Delivery", |o| o.name);
            json!({
                "id": choice.id, "name": name, "amount": money(order.shipping_total, order),
                "is_tax_inclusive": false,
                "shipping_option_id": format!("{OPTION}{}", choice.option_id),
                "tax_lines": tax_lines(store), "adjustments": [],
                "subtotal": money(order.shipping_total, order),
                "tax_total": money(shipping_tax, order),
                "total": money(order.shipping_total + shipping_tax, order),
            })
        })
        .collect();
    json!(methods)
}

fn session(order: &Order, collection_id: &str, s: &PaymentSession) -> Value {
    json!({
        "id": s.id, "currency_code": order.currency.to_lowercase(), "provider_id": PROVIDER,
        "data": {}, "context": {}, "status": "pending", "authorized_at": null,
        "payment_collection_id": collection_id, "payment": null, "metadata": {},
        "raw_amount": raw(s.amount, &order.currency), "created_at": time(s.created_at),
        "updated_at": time(s.created_at), "deleted_at": null,
        "amount": money(s.amount, order),
    })
}

/// The cart's payment collection as the cart shows it (`None` until payment started).
fn payment_collection(order: &Order, token: &str) -> Option<Value> {
    let started = order.payment_started_at()?;
    let id = format!("{COLLECTION}{token}");
    let sessions: Vec<Value> = order
        .payment_session()
        .iter()
        .map(|s| session(order, &id, s))
        .collect();
    Some(json!({
        "id": id, "currency_code": order.currency.to_lowercase(), "completed_at": null,
        "status": "not_paid", "metadata": null, "raw_amount": raw(order.total, &order.currency),
        "raw_authorized_amount": null, "raw_captured_amount": null,
        "raw_refunded_amount": null, "created_at": time(started),
        "updated_at": time(order.updated_at), "deleted_at": null,
        "payment_sessions": sessions, "amount": money(order.total, order),
        "authorized_amount": null, "captured_amount": null, "refunded_amount": null,
    }))
}

/// `{id, currency_code, amount, payment_sessions}`: the collection as the payment routes
/// answer it.
pub fn collection(order: &Order, token: &str) -> Value {
    let id = format!("{COLLECTION}{token}");
    let sessions: Vec<Value> = order
        .payment_session()
        .iter()
        .map(|s| session(order, &id, s))
        .collect();
    json!({
        "id": id, "currency_code": order.currency.to_lowercase(),
        "amount": money(order.total, order), "payment_sessions": sessions,
    })
}

/// A cart's totals: the store's amounts, tax split between items and delivery.
fn totals(order: &Order) -> Value {
    let (item_tax, shipping_tax) = tax_split(order);
    let m = |minor: i64| money(minor, order);
    json!({
        "total": m(order.total),
        "subtotal": m(order.item_total + order.shipping_total),
        "tax_total": m(order.tax_total),
        "discount_total": 0, "discount_subtotal": 0, "discount_tax_total": 0,
        "original_total": m(order.total),
        "original_tax_total": m(order.tax_total),
        "item_total": m(order.item_total + item_tax),
        "item_subtotal": m(order.item_total),
        "item_tax_total": m(item_tax),
        "item_discount_total": 0,
        "original_item_total": m(order.item_total + item_tax),
        "original_item_subtotal": m(order.item_total),
        "original_item_tax_total": m(item_tax),
        "shipping_total": m(order.shipping_total + shipping_tax),
        "shipping_subtotal": m(order.shipping_total),
        "shipping_tax_total": m(shipping_tax),
        "shipping_discount_total": 0,
        "original_shipping_tax_total": m(shipping_tax),
        "original_shipping_subtotal": m(order.shipping_total),
        "original_shipping_total": m(order.shipping_total + shipping_tax),
        "credit_line_subtotal": 0, "credit_line_tax_total": 0, "credit_line_total": 0,
    })
}

/// The cart (`token` is its token: the id is `cart_<token>`), with every default field.
pub fn cart(store: &Store, order: &Order, token: &str, lines: &[LineItem]) -> Value {
    let region = shop::region(store);
    let mut value = json!({
        "id": format!("{CART}{token}"),
        "currency_code": order.currency.to_lowercase(),
        "email": order.email,
        "locale": null,
        "region_id": region.id,
        "created_at": time(order.created_at),
        "updated_at": time(order.updated_at),
        "completed_at": order.completed_at.map(time),
        "metadata": null,
        "sales_channel_id": null,
        "customer_id": order.customer_id,
        "items": lines.iter().map(|l| item(store, order, l)).collect::<Vec<_>>(),
        "shipping_methods": shipping_methods(store, order),
        "shipping_address": address(order.shipping_address()),
        "billing_address": address(order.billing_address()),
        "credit_lines": [],
        "region": serde_json::to_value(MedusaRegion::from(region)).unwrap_or_default(),
        "promotions": [],
    });
    for (key, amount) in totals(order).as_object().into_iter().flatten() {
        value[key] = amount.clone();
    }
    if let Some(customer_id) = &order.customer_id {
        value["customer"] = json!({ "id": customer_id, "email": order.email, "groups": [] });
    }
    if let Some(collection) = payment_collection(order, token) {
        value["payment_collection"] = collection;
    }
    value
}

/// A shipping option of the cart, in the shape `GET /store/shipping-options` lists.
pub fn shipping_option(option: &DeliveryOption) -> Value {
    let id = format!("{OPTION}{}", option.id);
    let a = amount(option.amount, &option.currency);
    let currency = option.currency.to_lowercase();
    json!({
        "id": id, "name": option.name, "price_type": "flat", "service_zone_id": null,
        "shipping_profile_id": null, "provider_id": "manual_manual", "data": null,
        "type": { "id": null, "label": option.name, "description": null, "code": option.id },
        "provider": { "id": "manual_manual", "is_enabled": true },
        "rules": [],
        "calculated_price": {
            "id": null, "is_calculated_price_price_list": false,
            "is_calculated_price_tax_inclusive": false, "calculated_amount": a,
            "raw_calculated_amount": raw(option.amount, &option.currency),
            "is_original_price_price_list": false, "is_original_price_tax_inclusive": false,
            "original_amount": a, "raw_original_amount": raw(option.amount, &option.currency),
            "currency_code": currency,
        },
        "prices": [{ "id": null, "currency_code": currency, "amount": a,
                     "raw_amount": raw(option.amount, &option.currency) }],
        "amount": a, "is_tax_inclusive": false, "insufficient_inventory": false,
    })
}

/// An address in a cart body.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct CartAddressBody {
    pub id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
    pub province: Option<String>,
    pub phone: Option<String>,
    pub metadata: Option<Value>,
}

impl CartAddressBody {
    pub fn input(&self) -> crate::store::addresses::AddressInput {
        crate::store::addresses::AddressInput {
            label: None,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            address1: self.address_1.clone(),
            address2: self.address_2.clone(),
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            country_code: self.country_code.clone(),
            province_code: self.province.clone(),
            phone: self.phone.clone(),
            // A cart's address is a snapshot without metadata.
            metadata: None,
        }
    }
}

/// An item of `POST /store/carts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct ItemBody {
    pub variant_id: String,
    pub quantity: f64,
    pub metadata: Option<Value>,
}

/// `POST /store/carts` (every field optional; no body at all is `{}`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct CreateCartBody {
    pub region_id: Option<String>,
    pub email: Option<String>,
    pub currency_code: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemBody>,
    pub shipping_address: Option<CartAddressBody>,
    pub billing_address: Option<CartAddressBody>,
    pub sales_channel_id: Option<String>,
    pub promo_codes: Option<Vec<String>>,
    pub metadata: Option<Value>,
    pub locale: Option<String>,
    pub additional_data: Option<Value>,
}

/// `POST /store/carts/{id}`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct UpdateCartBody {
    pub region_id: Option<String>,
    pub email: Option<String>,
    pub shipping_address: Option<CartAddressBody>,
    pub billing_address: Option<CartAddressBody>,
    pub sales_channel_id: Option<String>,
    pub metadata: Option<Value>,
    pub promo_codes: Option<Vec<String>>,
    pub locale: Option<String>,
    pub additional_data: Option<Value>,
}

/// `POST /store/carts/{id}/line-items`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct AddItemBody {
    pub variant_id: String,
    pub quantity: f64,
    pub metadata: Option<Value>,
}

/// `POST /store/carts/{id}/line-items/{line_id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct UpdateItemBody {
    pub quantity: f64,
    pub metadata: Option<Value>,
}

/// `POST /store/carts/{id}/shipping-methods`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct ShippingMethodBody {
    pub option_id: String,
    pub data: Option<Value>,
}

/// `POST /store/payment-collections`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionBody {
    pub cart_id: String,
}

/// `POST /store/payment-collections/{id}/payment-sessions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "Medusa's fields are accepted; these are not stored"
)]
pub struct SessionBody {
    pub provider_id: String,
    pub data: Option<Value>,
    pub context: Option<Value>,
}

/// A body that transfer accepts: none, or `{}`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EmptyBody {}

/// A Medusa quantity as a whole number: non-integers round to the nearest (as Medusa stores
/// them). A negative one fails as zod does, and so does 0 where it must be `positive` (with
/// the same words, sic); the store refuses more than it sells at once.
pub fn quantity(value: f64, positive: bool) -> Result<i32, super::MedusaError> {
    if !value.is_finite() || value < 0.0 || (positive && value == 0.0) {
        return Err(super::MedusaError::invalid_request(
            "Value for field 'quantity' too small, expected at least: '0'",
        ));
    }
    Ok(value.round().min(f64::from(i32::MAX)) as i32)
}
