//! Completing a cart: the cart is checked, its stock reserved and it becomes an order, all in
//! one transaction.
//!
//! Stock is reserved with one conditional `UPDATE ... SET stock_on_hand = stock_on_hand - q
//! WHERE stock_on_hand >= q` per tracked, non-backorderable variant. On PostgreSQL a second
//! transaction updating the same variant waits for the first and re-checks the condition on the
//! committed row, so of two customers racing for the last unit exactly one wins; on SQLite the
//! write lock serializes the two. Variants are updated in id order so that two carts sharing
//! variants cannot deadlock.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use rand::Rng;

use super::pricing::reprice_cart;
use super::{
    Caller, LineItem, Order, OrderStatus, PaymentStatus, ShipmentState, cart_not_found, row_id,
    units_by_product,
};
use crate::db::Backend;
use crate::db::schema::{orders, products, variants};
use crate::db_run;
use crate::store::catalog::{Product, Variant};
use crate::store::mail::{self, outbox};
use crate::store::{Entity, FieldError, Store, StoreError, now};
use crate::store::{balances, events};

/// What a checkout asks of a cart beyond items, an email and a shipping address, for clients
/// that take the shopper through delivery and payment step by step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// A delivery option chosen ([`delivery::choose`](super::delivery::choose)).
    pub delivery_choice: bool,
    /// A payment started and a session in force ([`payment`](super::payment)).
    pub payment_session: bool,
    /// Completing a cart that already became an order answers that order (a retried request)
    /// instead of refusing.
    pub repeat_answers_order: bool,
}

/// Places the order of cart `cart_id`: needs items, an email and a shipping address (the
/// billing address defaults to it). The order owes its total (`balance_due`: payment is
/// manual) and waits for fulfilment. A signed-in caller completing a guest cart owns the order.
pub async fn complete(store: &Store, caller: &Caller, cart_id: &str) -> Result<Order, StoreError> {
    match complete_with(store, caller, cart_id, Needs::default()).await? {
        Completion::Placed(order) => Ok(order),
        // Only a payment session, which this checkout does not ask for, is voided by a change
        // of total.
        Completion::Repriced(_) => Err(StoreError::Internal(
            "a completion without a payment session was stopped by one".into(),
        )),
    }
}

/// What [`complete_with`] did.
#[derive(Clone, Debug)]
pub enum Completion {
    /// The cart became this order.
    Placed(Order),
    /// Re-pricing the cart at completion changed its total, which voids the payment session
    /// that [`Needs::payment_session`] asks for: the cart (re-priced, still a cart) needs a new
    /// session for its new total before it can be completed.
    Repriced(Order),
}

/// [`complete`], asking also what `needs` says.
pub async fn complete_with(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    needs: Needs,
) -> Result<Completion, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    if needs.repeat_answers_order
        && let Some(order) = placed(store, caller, &id).await?
    {
        return Ok(Completion::Placed(order));
    }
    let rates = &store.config().checkout;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let before = lock(&mut c.into(), &id, caller, at).await?;
            let (cart, lines, unpriced) =
                reprice_cart(&mut c.into(), &id, &before.currency, rates, at).await?;
            if needs.payment_session
                && before.payment_session().is_some()
                && cart.payment_session().is_none()
            {
                return Ok(Completion::Repriced(cart));
            }
            check_complete(&cart, &lines, needs)?;
            place_checked(&mut c.into(), store, caller, &cart, &lines, &unpriced, at)
                .await
                .map(Completion::Placed)
        })
        .await)
    .inspect(|done| {
        // Stock and units sold moved: cached catalogue answers of this instance are stale.
        if matches!(done, Completion::Placed(_)) {
            store.catalog_generation().bump();
        }
        store.wake_mail();
    })
}

/// Inside the transaction, once the cart passed its checks: reserves stock, counts sales, gives
/// it a number and places it, with the event and its confirmation mail.
async fn place_checked(
    c: &mut Backend<'_>,
    store: &Store,
    caller: &Caller,
    cart: &Order,
    lines: &[LineItem],
    unpriced: &[String],
    at: NaiveDateTime,
) -> Result<Order, StoreError> {
    let variant_ids: Vec<&str> = lines.iter().map(|l| l.variant_id.as_str()).collect();
    let stocked: Vec<(Variant, Product)> = db_run!(c, |c| variants::table
        .inner_join(products::table)
        .filter(variants::id.eq_any(&variant_ids))
        .select((Variant::as_select(), Product::as_select()))
        .load(c)
        .await)?;
    let reserve = reservations(cart, lines, &stocked, unpriced, at)?;
    reserve_stock(c, &reserve, at).await?;
    for (product_id, quantity) in units_by_product(lines) {
        db_run!(c, |c| diesel::update(products::table.find(product_id))
            .set(products::units_sold.eq(products::units_sold + quantity))
            .execute(c)
            .await)?;
    }
    let number = unused_number(c).await?;
    // Store credits and gift cards applied to the cart are taken here, or the checkout fails.
    let covered = balances::capture(c, cart, at).await?;
    let order = place(c, cart, caller, &number, covered >= cart.total, at).await?;
    let event = order.event(&events::OrderPlaced {
        order: order.event_ref(),
        email: order.email.clone(),
        currency: order.currency.clone(),
        item_count: order.item_count,
        total: order.total,
    });
    events::insert(c, &event).await?;
    if order.payment_status() == PaymentStatus::Paid {
        let paid = order.event(&events::OrderPaid {
            order: order.event_ref(),
            amount: covered,
            currency: order.currency.clone(),
        });
        events::insert(c, &paid).await?;
    }
    let guest_token = caller.token.as_ref().map(|t| t.expose().as_str());
    if let Some(confirmation) = mail::order_confirmation(store.config(), &order, lines, guest_token)
    {
        outbox::queue(c, &confirmation).await?;
    }
    Ok(order)
}

/// The order row `id` became, if it is placed (or canceled) and the caller may see it.
async fn placed(store: &Store, caller: &Caller, id: &str) -> Result<Option<Order>, StoreError> {
    let mut conn = store.db().conn().await?;
    let row: Option<Order> = db_run!(conn, |c| orders::table
        .find(id)
        .filter(orders::state.ne(OrderStatus::Cart))
        .select(Order::as_select())
        .first(c)
        .await
        .optional())?;
    Ok(row.filter(|o| caller.may_access(o)))
}

/// Touches the row (a row lock on PostgreSQL) and checks it is a cart the caller may complete.
async fn lock(
    c: &mut Backend<'_>,
    id: &str,
    caller: &Caller,
    at: NaiveDateTime,
) -> Result<Order, StoreError> {
    let locked: Option<Order> = db_run!(c, |c| diesel::update(orders::table.find(id))
        .set(orders::updated_at.eq(at))
        .returning(Order::as_returning())
        .get_result(c)
        .await
        .optional())?;
    let cart = locked
        .filter(|o| caller.may_access(o))
        .ok_or_else(cart_not_found)?;
    if cart.status() != OrderStatus::Cart {
        return Err(StoreError::Conflict {
            message: "this cart has already been completed".into(),
            field: None,
        });
    }
    Ok(cart)
}

/// What a cart lacks to be placed, every problem at once.
fn check_complete(cart: &Order, lines: &[LineItem], needs: Needs) -> Result<(), StoreError> {
    let missing = missing_for(cart, lines.len(), needs);
    if !missing.is_empty() {
        return Err(StoreError::InvalidInput {
            summary: Some("the cart cannot be completed yet".into()),
            fields: missing,
        });
    }
    Ok(())
}

/// What a cart still lacks before [`complete`] accepts it (nothing when it is ready): items,
/// an email and a shipping address. Also shown on the cart, so a client can say what is left.
pub fn missing(cart: &Order, line_count: usize) -> Vec<FieldError> {
    missing_for(cart, line_count, Needs::default())
}

/// [`missing`], with what `needs` asks for too: `line_items`, `payment`, `payment_session`,
/// `delivery`, `email`, `shipping_address`, in this order.
pub fn missing_for(cart: &Order, line_count: usize, needs: Needs) -> Vec<FieldError> {
    let mut missing = Vec::new();
    if line_count == 0 {
        missing.push(FieldError::new("line_items", "the cart is empty"));
    }
    if needs.payment_session {
        if cart.payment_started_at().is_none() {
            missing.push(FieldError::new("payment", "has not been started"));
        } else if cart.payment_session().is_none() {
            missing.push(FieldError::new(
                "payment_session",
                "is required for the cart's current total",
            ));
        }
    }
    if needs.delivery_choice && cart.delivery().is_none() {
        missing.push(FieldError::new("delivery", "no delivery option was chosen"));
    }
    if cart.email.is_none() {
        missing.push(FieldError::new("email", "is required to place an order"));
    }
    if cart.shipping_address.is_none() {
        missing.push(FieldError::new(
            "shipping_address",
            "is required to place an order",
        ));
    }
    missing
}

/// One variant's reservation: units, the variant, and the line's name (for messages).
type Reservation<'a> = (i32, &'a Variant, &'a str);

/// The units to reserve per variant, in variant id order, once every line is still for sale
/// (`stocked` holds the lines' variants with their products; `unpriced` the variants that lost
/// their price in the cart's currency).
fn reservations<'a>(
    cart: &Order,
    lines: &'a [LineItem],
    stocked: &'a [(Variant, Product)],
    unpriced: &[String],
    at: NaiveDateTime,
) -> Result<BTreeMap<&'a str, Reservation<'a>>, StoreError> {
    let mut reserve = BTreeMap::new();
    for line in lines {
        let Some((variant, product)) = stocked.iter().find(|(v, _)| v.id == line.variant_id) else {
            continue;
        };
        if !product.is_visible(at) || variant.discontinued_at.is_some() {
            return Err(StoreError::Conflict {
                message: format!("{} is no longer for sale", line.name),
                field: Some("line_items".into()),
            });
        }
        // A line keeps its last price when the catalogue drops it; it is not sold so.
        if unpriced.contains(&variant.id) {
            return Err(StoreError::Conflict {
                message: format!("{} has no price in {} any more", line.name, cart.currency),
                field: Some("line_items".into()),
            });
        }
        reserve.insert(
            variant.id.as_str(),
            (line.quantity, variant, line.name.as_str()),
        );
    }
    Ok(reserve)
}

/// Takes the reserved units from each tracked variant, in id order; a variant that cannot be
/// backordered must hold them.
async fn reserve_stock(
    c: &mut Backend<'_>,
    reserve: &BTreeMap<&str, Reservation<'_>>,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    for (variant_id, (quantity, variant, name)) in reserve {
        if !variant.track_inventory {
            continue;
        }
        let target = variants::table.find(*variant_id);
        let taken = if variant.backorderable {
            db_run!(c, |c| diesel::update(target)
                .set((
                    variants::stock_on_hand.eq(variants::stock_on_hand - *quantity),
                    variants::updated_at.eq(at),
                ))
                .execute(c)
                .await)?
        } else {
            db_run!(c, |c| diesel::update(
                target.filter(variants::stock_on_hand.ge(*quantity))
            )
            .set((
                variants::stock_on_hand.eq(variants::stock_on_hand - *quantity),
                variants::updated_at.eq(at),
            ))
            .execute(c)
            .await)?
        };
        if taken == 0 {
            return Err(StoreError::Conflict {
                message: format!("not enough stock left for {name}"),
                field: Some("line_items".into()),
            });
        }
    }
    Ok(())
}

/// A new order number no order has yet (ten tries, then the last one drawn: the unique index
/// has the final word).
async fn unused_number(c: &mut Backend<'_>) -> Result<String, StoreError> {
    let mut number = new_number();
    for _ in 0..10 {
        let taken: i64 = db_run!(c, |c| orders::table
            .filter(orders::number.eq(&number))
            .count()
            .get_result(c)
            .await)?;
        if taken == 0 {
            break;
        }
        number = new_number();
    }
    Ok(number)
}

/// Turns the cart row into a placed order owing its total, or paid when store credit and
/// gift cards covered it (`covered`).
async fn place(
    c: &mut Backend<'_>,
    cart: &Order,
    caller: &Caller,
    number: &str,
    covered: bool,
    at: NaiveDateTime,
) -> Result<Order, StoreError> {
    let billing = cart
        .billing_address
        .clone()
        .or(cart.shipping_address.clone());
    // A guest cart completed by a signed-in customer (holding its token) is their order.
    let owner = cart.customer_id.clone().or(caller.customer_id.clone());
    Ok(db_run!(c, |c| diesel::update(
        orders::table.find(&cart.id)
    )
    .set((
        orders::number.eq(number),
        orders::customer_id.eq(&owner),
        orders::state.eq(OrderStatus::Placed),
        orders::payment_state.eq(if covered {
            PaymentStatus::Paid
        } else {
            PaymentStatus::BalanceDue
        }),
        orders::shipment_state.eq(if covered {
            ShipmentState::Ready
        } else {
            ShipmentState::Pending
        }),
        orders::paid_at.eq(covered.then_some(at)),
        orders::billing_address.eq(&billing),
        orders::completed_at.eq(at),
        orders::updated_at.eq(at),
    ))
    .returning(Order::as_returning())
    .get_result(c)
    .await)?)
}

/// An order number: `R` and nine random digits.
fn new_number() -> String {
    format!("R{:09}", rand::rng().random_range(0..1_000_000_000u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::catalog::ProductStatus;

    fn at() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    fn cart(email: Option<&str>, shipping: Option<&str>) -> Order {
        Order {
            id: "or_1".into(),
            number: None,
            customer_id: None,
            email: email.map(str::to_owned),
            token_hash: String::new(),
            state: OrderStatus::Cart,
            payment_state: None,
            shipment_state: None,
            currency: "USD".into(),
            item_count: 0,
            item_total: 0,
            shipping_total: 0,
            tax_total: 0,
            total: 0,
            shipping_address: shipping.map(str::to_owned),
            billing_address: None,
            note: None,
            tracking_number: None,
            metadata: "{}".into(),
            completed_at: None,
            paid_at: None,
            shipped_at: None,
            canceled_at: None,
            created_at: at(),
            updated_at: at(),
            shipping_option_id: None,
            shipping_method_id: None,
            payment_started_at: None,
            payment_provider: None,
            payment_session_id: None,
            payment_session_amount: None,
            payment_session_at: None,
        }
    }

    fn line(variant_id: &str, quantity: i32) -> LineItem {
        LineItem {
            id: format!("li_{variant_id}"),
            order_id: "or_1".into(),
            variant_id: variant_id.into(),
            product_id: "prod_1".into(),
            name: format!("Item {variant_id}"),
            sku: None,
            options_text: String::new(),
            quantity,
            unit_price: 100,
            compare_at_unit_price: None,
            currency: "USD".into(),
            total: 100 * i64::from(quantity),
            created_at: at(),
            updated_at: at(),
        }
    }

    fn stocked(variant_id: &str, status: ProductStatus, discontinued: bool) -> (Variant, Product) {
        let variant = Variant {
            id: variant_id.into(),
            product_id: "prod_1".into(),
            sku: None,
            is_default: true,
            position: 0,
            track_inventory: true,
            stock_on_hand: 5,
            backorderable: false,
            weight: None,
            height: None,
            width: None,
            depth: None,
            discontinued_at: discontinued.then(at),
            created_at: at(),
            updated_at: at(),
        };
        let product = Product {
            id: "prod_1".into(),
            name: "Shirt".into(),
            slug: "shirt".into(),
            description: None,
            status,
            tags: "[]".into(),
            available_on: None,
            discontinue_on: None,
            meta_title: None,
            meta_description: None,
            meta_keywords: None,
            units_sold: 0,
            position: 0,
            metadata: "{}".into(),
            created_at: at(),
            updated_at: at(),
        };
        (variant, product)
    }

    fn fields(result: Result<(), StoreError>) -> Vec<String> {
        match result {
            Err(StoreError::InvalidInput { fields, .. }) => {
                fields.into_iter().map(|f| f.field).collect()
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    fn conflict(result: Result<impl std::fmt::Debug, StoreError>) -> String {
        match result {
            Err(StoreError::Conflict { message, .. }) => message,
            other => panic!("expected Conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_cart_needs_items_an_email_and_a_shipping_address() {
        assert_eq!(
            fields(check_complete(&cart(None, None), &[], Needs::default())),
            ["line_items", "email", "shipping_address"]
        );
        let ready = cart(Some("ada@example.com"), Some("{}"));
        assert!(check_complete(&ready, &[line("variant_a", 1)], Needs::default()).is_ok());
        assert_eq!(
            fields(check_complete(&ready, &[], Needs::default())),
            ["line_items"]
        );
        let step_by_step = Needs {
            delivery_choice: true,
            payment_session: true,
            repeat_answers_order: true,
        };
        assert_eq!(
            fields(check_complete(
                &ready,
                &[line("variant_a", 1)],
                step_by_step
            )),
            ["payment", "delivery"]
        );
        let mut started = cart(Some("ada@example.com"), Some("{}"));
        started.payment_started_at = Some(at());
        started.payment_provider = Some("manual".into());
        started.payment_session_id = Some("payses_1".into());
        started.payment_session_amount = Some(100);
        started.payment_session_at = Some(at());
        started.total = 100;
        started.shipping_option_id = Some("standard".into());
        started.shipping_method_id = Some("sm_1".into());
        assert!(check_complete(&started, &[line("variant_a", 1)], step_by_step).is_ok());
        started.total = 200;
        assert_eq!(
            fields(check_complete(
                &started,
                &[line("variant_a", 1)],
                step_by_step
            )),
            ["payment_session"],
            "a session for another total is void"
        );
    }

    #[test]
    fn reservations_are_by_variant_id_and_refuse_what_is_not_for_sale() {
        let cart = cart(Some("ada@example.com"), Some("{}"));
        let lines = [line("variant_b", 2), line("variant_a", 1)];
        let stock = [
            stocked("variant_a", ProductStatus::Active, false),
            stocked("variant_b", ProductStatus::Active, false),
        ];
        let reserve = reservations(&cart, &lines, &stock, &[], at()).unwrap();
        let order: Vec<(&str, i32)> = reserve.iter().map(|(id, r)| (*id, r.0)).collect();
        assert_eq!(order, [("variant_a", 1), ("variant_b", 2)]);

        let draft = [stocked("variant_b", ProductStatus::Draft, false)];
        let message = conflict(reservations(&cart, &lines[..1], &draft, &[], at()));
        assert_eq!(message, "Item variant_b is no longer for sale");
        let gone = [stocked("variant_b", ProductStatus::Active, true)];
        let message = conflict(reservations(&cart, &lines[..1], &gone, &[], at()));
        assert_eq!(message, "Item variant_b is no longer for sale");
        let unpriced = ["variant_b".to_owned()];
        let message = conflict(reservations(&cart, &lines[..1], &stock, &unpriced, at()));
        assert_eq!(message, "Item variant_b has no price in USD any more");
    }
}
