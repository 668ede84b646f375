//! Carts, orders and line items in Spree's shape, and the bodies of the cart routes.

use serde::{Deserialize, Serialize};

use super::account::{Address, AddressBody};
use super::catalog::OptionValue;
use super::{amount, display, time};
use crate::store::FieldError;
use crate::store::balances::{self, OrderPayment, Paid};
use crate::store::catalog::{self, Product};
use crate::store::money::Money;
use crate::store::orders::cart::{AddressSource, CartUpdate, NewCart};
use crate::store::orders::{LineItem as LineRow, Order as OrderRow, PaymentStatus, ShipmentState};

/// A money amount and its display twin, flattened into the record as `X` and `display_X`.
fn pair(money: &Money) -> (String, String) {
    (amount(money), display(money))
}

/// Spree's `LineItem`.
#[derive(Debug, Serialize)]
pub struct LineItem {
    pub id: String,
    pub variant_id: String,
    pub preorder: bool,
    pub preorder_ships_at: Option<String>,
    pub quantity: i32,
    pub currency: String,
    pub name: String,
    pub slug: Option<String>,
    pub options_text: String,
    pub price: String,
    pub display_price: String,
    pub total: String,
    pub display_total: String,
    pub adjustment_total: String,
    pub display_adjustment_total: String,
    pub additional_tax_total: String,
    pub display_additional_tax_total: String,
    pub included_tax_total: String,
    pub display_included_tax_total: String,
    pub discount_total: String,
    pub display_discount_total: String,
    pub pre_tax_amount: String,
    pub display_pre_tax_amount: String,
    pub discounted_amount: String,
    pub display_discounted_amount: String,
    pub compare_at_amount: Option<String>,
    pub display_compare_at_amount: Option<String>,
    pub thumbnail_url: Option<String>,
    pub option_values: Vec<OptionValue>,
    pub digital_links: Vec<serde_json::Value>,
}

impl LineItem {
    pub fn new(
        l: &LineRow,
        product: Option<&Product>,
        thumbnail: Option<String>,
        values: &[catalog::OptionValue],
    ) -> Self {
        let money = |v: i64| Money::new(v, l.currency.clone());
        let (price, display_price) = pair(&money(l.unit_price));
        let (total, display_total) = pair(&money(l.total));
        let (zero, display_zero) = pair(&money(0));
        let was = l
            .compare_at_unit_price
            .filter(|w| *w > l.unit_price)
            .map(money);
        Self {
            id: l.id.clone(),
            variant_id: l.variant_id.clone(),
            preorder: false,
            preorder_ships_at: None,
            quantity: l.quantity,
            currency: l.currency.clone(),
            name: l.name.clone(),
            slug: product.map(|p| p.slug.clone()),
            options_text: l.options_text.clone(),
            price,
            display_price,
            pre_tax_amount: total.clone(),
            display_pre_tax_amount: display_total.clone(),
            discounted_amount: total.clone(),
            display_discounted_amount: display_total.clone(),
            total,
            display_total,
            adjustment_total: zero.clone(),
            display_adjustment_total: display_zero.clone(),
            additional_tax_total: zero.clone(),
            display_additional_tax_total: display_zero.clone(),
            included_tax_total: zero.clone(),
            display_included_tax_total: display_zero.clone(),
            discount_total: zero,
            display_discount_total: display_zero,
            compare_at_amount: was.as_ref().map(amount),
            display_compare_at_amount: was.as_ref().map(display),
            thumbnail_url: thumbnail,
            option_values: values.iter().map(OptionValue::from).collect(),
            digital_links: Vec::new(),
        }
    }
}

/// The money fields every cart and order carries.
#[derive(Debug, Serialize)]
pub struct Totals {
    pub item_total: String,
    pub display_item_total: String,
    pub adjustment_total: String,
    pub display_adjustment_total: String,
    pub discount_total: String,
    pub display_discount_total: String,
    pub tax_total: String,
    pub display_tax_total: String,
    pub included_tax_total: String,
    pub display_included_tax_total: String,
    pub additional_tax_total: String,
    pub display_additional_tax_total: String,
    pub total: String,
    pub display_total: String,
    pub gift_card_total: String,
    pub display_gift_card_total: String,
    pub amount_due: String,
    pub display_amount_due: String,
    pub delivery_total: String,
    pub display_delivery_total: String,
    pub store_credit_total: String,
    pub display_store_credit_total: String,
}

impl Totals {
    fn of(o: &OrderRow) -> Self {
        let money = |v: i64| Money::new(v, o.currency.clone());
        let (item_total, display_item_total) = pair(&money(o.item_total));
        let (tax_total, display_tax_total) = pair(&money(o.tax_total));
        let (total, display_total) = pair(&money(o.total));
        let (delivery_total, display_delivery_total) = pair(&money(o.shipping_total));
        let due = if o.payment_state == Some(PaymentStatus::Paid) || o.canceled_at.is_some() {
            0
        } else {
            o.total
        };
        let (amount_due, display_amount_due) = pair(&money(due));
        let (zero, display_zero) = pair(&money(0));
        Self {
            item_total,
            display_item_total,
            adjustment_total: zero.clone(),
            display_adjustment_total: display_zero.clone(),
            discount_total: zero.clone(),
            display_discount_total: display_zero.clone(),
            additional_tax_total: tax_total.clone(),
            display_additional_tax_total: display_tax_total.clone(),
            tax_total,
            display_tax_total,
            included_tax_total: zero.clone(),
            display_included_tax_total: display_zero.clone(),
            total,
            display_total,
            gift_card_total: zero.clone(),
            display_gift_card_total: display_zero.clone(),
            amount_due,
            display_amount_due,
            delivery_total,
            display_delivery_total,
            store_credit_total: zero,
            display_store_credit_total: display_zero,
        }
    }
}

/// Spree's `Order` (a placed order).
#[derive(Debug, Serialize)]
pub struct Order {
    pub id: String,
    pub market_id: Option<String>,
    pub channel_id: Option<String>,
    pub number: Option<String>,
    pub email: Option<String>,
    pub customer_note: Option<String>,
    pub currency: String,
    pub locale: Option<String>,
    pub total_quantity: i32,
    pub fulfillment_status: Option<String>,
    pub payment_status: Option<String>,
    pub completed_at: Option<String>,
    #[serde(flatten)]
    pub totals: Totals,
    pub covered_by_store_credit: bool,
    pub discounts: Vec<serde_json::Value>,
    pub items: Vec<LineItem>,
    pub fulfillments: Vec<serde_json::Value>,
    pub payments: Vec<Payment>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub gift_card: Option<serde_json::Value>,
    pub market: Option<serde_json::Value>,
}

impl Order {
    pub fn new(o: &OrderRow, items: Vec<LineItem>) -> Self {
        Self {
            id: o.id.clone(),
            market_id: None,
            channel_id: None,
            number: o.number.clone(),
            email: o.email.clone(),
            customer_note: o.note.clone(),
            currency: o.currency.clone(),
            locale: None,
            total_quantity: o.item_count,
            fulfillment_status: o.shipment_state.map(shipment_state),
            payment_status: o.payment_state.map(payment_state),
            completed_at: o.completed_at.map(time),
            totals: Totals::of(o),
            covered_by_store_credit: false,
            discounts: Vec::new(),
            items,
            fulfillments: Vec::new(),
            payments: Vec::new(),
            billing_address: o.billing_address().map(Address::from),
            shipping_address: o.shipping_address().map(Address::from),
            gift_card: None,
            market: None,
        }
    }
}

/// Spree's `payment_state` names.
fn payment_state(state: PaymentStatus) -> String {
    match state {
        PaymentStatus::BalanceDue => "balance_due",
        PaymentStatus::Paid => "paid",
        PaymentStatus::Void => "void",
    }
    .to_owned()
}

/// Spree's `shipment_state` names.
fn shipment_state(state: ShipmentState) -> String {
    match state {
        ShipmentState::Pending => "pending",
        ShipmentState::Ready => "ready",
        ShipmentState::Shipped => "shipped",
        ShipmentState::Canceled => "canceled",
    }
    .to_owned()
}

/// One thing a cart still needs before it can be completed.
#[derive(Debug, Serialize)]
pub struct Requirement {
    pub step: &'static str,
    pub field: String,
    pub message: String,
}

/// Spree's `Cart`.
#[derive(Debug, Serialize)]
pub struct Cart {
    pub id: String,
    pub market_id: Option<String>,
    pub channel_id: Option<String>,
    pub number: Option<String>,
    pub token: Option<String>,
    pub email: Option<String>,
    pub customer_note: Option<String>,
    pub currency: String,
    pub locale: Option<String>,
    pub total_quantity: i32,
    #[serde(flatten)]
    pub totals: Totals,
    pub covered_by_store_credit: bool,
    pub current_step: &'static str,
    pub completed_steps: Vec<&'static str>,
    pub requirements: Vec<Requirement>,
    pub warnings: Vec<serde_json::Value>,
    pub shipping_eq_billing_address: bool,
    pub discounts: Vec<serde_json::Value>,
    pub items: Vec<LineItem>,
    pub fulfillments: Vec<serde_json::Value>,
    pub payments: Vec<Payment>,
    pub payment_methods: Vec<serde_json::Value>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub gift_card: Option<serde_json::Value>,
    pub market: Option<serde_json::Value>,
}

impl Cart {
    /// A cart, with what it still needs (`missing`, from the store's checkout rules) and the
    /// guest token when the caller may see it.
    pub fn new(
        o: &OrderRow,
        items: Vec<LineItem>,
        missing: Vec<FieldError>,
        token: Option<String>,
    ) -> Self {
        let shipping = o.shipping_address();
        let billing = o.billing_address();
        let requirements: Vec<Requirement> = missing
            .into_iter()
            .map(|f| Requirement {
                step: if f.field == "line_items" {
                    "cart"
                } else {
                    "address"
                },
                field: f.field,
                message: f.message,
            })
            .collect();
        let ready = requirements.is_empty();
        Self {
            id: o.cart_id(),
            market_id: None,
            channel_id: None,
            number: o.number.clone(),
            token,
            email: o.email.clone(),
            customer_note: o.note.clone(),
            currency: o.currency.clone(),
            locale: None,
            total_quantity: o.item_count,
            totals: Totals::of(o),
            covered_by_store_credit: false,
            current_step: if ready { "confirm" } else { "address" },
            completed_steps: if ready { vec!["address"] } else { Vec::new() },
            requirements,
            warnings: Vec::new(),
            shipping_eq_billing_address: billing.is_none() || billing == shipping,
            discounts: Vec::new(),
            items,
            fulfillments: Vec::new(),
            payments: Vec::new(),
            payment_methods: Vec::new(),
            billing_address: billing.map(Address::from),
            shipping_address: shipping.map(Address::from),
            gift_card: None,
            market: None,
        }
    }
}

/// An item of `POST /carts`.
#[derive(Debug, Deserialize)]
pub struct ItemBody {
    #[serde(default)]
    pub variant_id: String,
    pub quantity: Option<i32>,
}

/// `POST /carts`.
#[derive(Debug, Default, Deserialize)]
pub struct NewCartBody {
    #[serde(default)]
    pub items: Vec<ItemBody>,
}

impl From<NewCartBody> for NewCart {
    fn from(b: NewCartBody) -> Self {
        Self {
            email: None,
            note: None,
            items: b
                .items
                .into_iter()
                .map(|i| (i.variant_id, i.quantity.unwrap_or(1)))
                .collect(),
        }
    }
}

/// `PATCH /carts/{id}/items/{item_id}`.
#[derive(Debug, Deserialize)]
pub struct QuantityBody {
    pub quantity: Option<i32>,
}

/// `PATCH /carts/{id}`.
#[derive(Debug, Default, Deserialize)]
pub struct CartBody {
    pub email: Option<String>,
    pub customer_note: Option<String>,
    pub shipping_address: Option<AddressBody>,
    pub shipping_address_id: Option<String>,
    pub billing_address: Option<AddressBody>,
    pub billing_address_id: Option<String>,
    #[serde(default)]
    pub use_shipping: bool,
}

impl From<CartBody> for CartUpdate {
    fn from(b: CartBody) -> Self {
        let source = |inline: Option<AddressBody>, id: Option<String>| match (inline, id) {
            (Some(a), _) => Some(AddressSource::Inline(Box::new(a.into_parts().0))),
            (None, Some(id)) => Some(AddressSource::Book(id)),
            (None, None) => None,
        };
        let shipping = source(b.shipping_address, b.shipping_address_id);
        let billing = match source(b.billing_address, b.billing_address_id) {
            Some(billing) => Some(billing),
            None if b.use_shipping => shipping.clone(),
            None => None,
        };
        Self {
            email: b.email,
            shipping_address: shipping,
            billing_address: billing,
            note: b.customer_note,
        }
    }
}

/// Spree's `Payment`, for a payment with store credit or a gift card.
#[derive(Debug, Serialize)]
pub struct Payment {
    pub id: String,
    pub payment_method_id: String,
    pub response_code: Option<String>,
    pub number: String,
    pub amount: String,
    pub display_amount: String,
    /// `checkout` (on a cart), `completed` (taken), `void` (given back).
    pub status: &'static str,
    /// `store_credit` or `gift_card`.
    pub source_type: String,
    pub source_id: String,
    pub source: Option<serde_json::Value>,
    pub payment_method: serde_json::Value,
}

impl Payment {
    fn new(p: &OrderPayment, currency: &str) -> Self {
        let (amount, display_amount) = pair(&Money::new(p.amount, currency));
        let (method_id, name) = if p.is_store_credit() {
            ("pm_store_credit", "Store Credit")
        } else {
            ("pm_gift_card", "Gift Card")
        };
        Self {
            id: p.id.clone(),
            payment_method_id: method_id.to_owned(),
            response_code: None,
            number: p.id.clone(),
            amount,
            display_amount,
            status: match p.state.as_str() {
                balances::CAPTURED => "completed",
                balances::RESTORED => "void",
                _ => "checkout",
            },
            source_type: p.source_kind.clone(),
            source_id: p.source_id.clone(),
            source: None,
            payment_method: serde_json::json!({
                "id": method_id, "name": name, "type": p.source_kind,
            }),
        }
    }
}

impl Totals {
    fn set_paid(&mut self, paid: &Paid, currency: &str) {
        let money = |v: i64| Money::new(v, currency);
        (self.store_credit_total, self.display_store_credit_total) =
            pair(&money(paid.store_credit_total));
        (self.gift_card_total, self.display_gift_card_total) = pair(&money(paid.gift_card_total));
        (self.amount_due, self.display_amount_due) = pair(&money(paid.amount_due));
    }
}

/// The gift card on a cart or order, as its `gift_card` key shows it (never the code).
fn gift_card_of(paid: &Paid, currency: &str) -> Option<serde_json::Value> {
    let p = paid.payments.iter().rev().find(|p| p.is_gift_card())?;
    let (amount, display_amount) = pair(&Money::new(p.amount, currency));
    Some(serde_json::json!({
        "id": p.source_id, "amount": amount, "display_amount": display_amount,
        "currency": currency,
    }))
}

impl Order {
    /// The order with how it was paid (store credit, gift cards, amount due).
    pub fn with_paid(mut self, o: &OrderRow, paid: &Paid) -> Self {
        self.totals.set_paid(paid, &o.currency);
        self.covered_by_store_credit = paid.covered_by_store_credit(o);
        self.payments = paid
            .payments
            .iter()
            .map(|p| Payment::new(p, &o.currency))
            .collect();
        self.gift_card = gift_card_of(paid, &o.currency);
        self
    }
}

impl Cart {
    /// The cart with what pays it (store credit, gift cards) and the amount due.
    pub fn with_paid(mut self, o: &OrderRow, paid: &Paid) -> Self {
        self.totals.set_paid(paid, &o.currency);
        self.covered_by_store_credit = paid.covered_by_store_credit(o);
        self.payments = paid
            .payments
            .iter()
            .map(|p| Payment::new(p, &o.currency))
            .collect();
        self.gift_card = gift_card_of(paid, &o.currency);
        self
    }
}
