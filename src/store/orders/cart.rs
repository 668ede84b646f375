//! Carts: create one, add, change and remove items, set the email, addresses and note, give a
//! guest cart to the signed-in customer, throw one away.
//!
//! Every change runs in one transaction that first touches the cart row (locking it on
//! PostgreSQL; SQLite writers are serialized by `write_conn`), checks the caller may use it,
//! makes the change, and re-prices the whole cart from the catalogue.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use chrono::NaiveDateTime;

use super::pricing::reprice_cart;
use super::{
    Caller, LineItem, MAX_LINES, MAX_QUANTITY, Order, OrderAddress, OrderStatus, cart_not_found,
    row_id,
};
use crate::db::Backend;
use crate::db::schema::{line_items, orders, products, variants};
use crate::db_run;
use crate::error::Secret;
use crate::store::addresses::{self, AddressInput, ValidAddress};
use crate::store::catalog::{self, Product, Variant, batch};
use crate::store::customers;
use crate::store::validate::{self, Email};
use crate::store::{Entity, Store, StoreError, ids, now, tokens};

/// What `create` takes.
#[derive(Clone, Debug, Default)]
pub struct NewCart {
    pub email: Option<String>,
    pub note: Option<String>,
    /// Variant ids and quantities to add at once.
    pub items: Vec<(String, i32)>,
}

/// Where an address for the cart comes from.
#[derive(Clone, Debug)]
pub enum AddressSource {
    /// An address of the signed-in caller's book, copied.
    Book(String),
    /// An address typed in.
    Inline(Box<AddressInput>),
}

/// What `update` changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CartUpdate {
    pub email: Option<String>,
    pub shipping_address: Option<AddressSource>,
    pub billing_address: Option<AddressSource>,
    /// An empty note clears it.
    pub note: Option<String>,
}

/// Longest order note.
const MAX_NOTE: usize = 1000;

/// A variant a shopper may buy now, with what a line item copies from it.
struct Sellable {
    variant: Variant,
    product: Product,
    unit_price: i64,
    compare_at: Option<i64>,
    options_text: String,
}

impl Sellable {
    /// Refuses more than the stock on hand of a tracked, non-backorderable variant.
    fn check_stock(&self, quantity: i32) -> Result<(), StoreError> {
        check_stock(&self.variant, &self.product.name, quantity)
    }
}

fn check_stock(variant: &Variant, name: &str, quantity: i32) -> Result<(), StoreError> {
    let limited = variant.track_inventory && !variant.backorderable;
    if limited && quantity > variant.stock_on_hand {
        let message = match variant.stock_on_hand {
            ..=0 => format!("{name} is out of stock"),
            left => format!("only {left} of {name} left in stock"),
        };
        return Err(StoreError::Conflict {
            message,
            field: Some("quantity".into()),
        });
    }
    Ok(())
}

fn check_quantity(quantity: i32) -> Result<(), StoreError> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(StoreError::invalid(
            "quantity",
            format!("must be from 1 to {MAX_QUANTITY}"),
        ));
    }
    Ok(())
}

/// The variant if a shopper may put it in a cart now, priced in `currency`.
async fn sellable(store: &Store, variant_id: &str, currency: &str) -> Result<Sellable, StoreError> {
    let not_found = || StoreError::not_found(Entity::Variant);
    if !ids::is_valid(ids::prefix::VARIANT, variant_id) {
        return Err(not_found());
    }
    let mut conn = store.db().conn().await?;
    let found: Option<(Variant, Product)> = db_run!(conn, |c| variants::table
        .inner_join(products::table)
        .filter(variants::id.eq(variant_id))
        .select((Variant::as_select(), Product::as_select()))
        .first(c)
        .await
        .optional())?;
    drop(conn);
    let (variant, product) = found.ok_or_else(not_found)?;
    let unavailable = |why: &str| StoreError::invalid("variant_id", why.to_owned());
    if !product.is_visible(now()) {
        return Err(unavailable("is not for sale"));
    }
    if variant.discontinued_at.is_some() {
        return Err(unavailable("is no longer sold"));
    }
    let key = [variant.product_id.clone()];
    let siblings = batch::variants_by_product(store, &key)
        .await?
        .remove(&variant.product_id)
        .unwrap_or_default();
    if !catalog::sellable_variants(&siblings)
        .iter()
        .any(|v| v.id == variant.id)
    {
        return Err(unavailable(
            "is not sold on its own: choose one of the product's options",
        ));
    }
    let key = [variant.id.clone()];
    let price = batch::prices_by_variant(store, &key, currency)
        .await?
        .remove(&variant.id)
        .ok_or_else(|| unavailable(&format!("has no price in {currency}")))?;
    let options = batch::option_values_by_variant(store, &key)
        .await?
        .remove(&variant.id)
        .unwrap_or_default();
    Ok(Sellable {
        unit_price: price.amount,
        compare_at: price.compare_at_money().map(|m| m.amount),
        options_text: catalog::options_text(&options),
        variant,
        product,
    })
}

/// The values of a new line item for `quantity` of `item`, created `at`.
fn new_line(
    order_id: &str,
    currency: &str,
    item: &Sellable,
    quantity: i32,
    at: NaiveDateTime,
) -> NewLine {
    NewLine {
        id: ids::new(ids::prefix::LINE_ITEM),
        order_id: order_id.to_owned(),
        variant_id: item.variant.id.clone(),
        product_id: item.product.id.clone(),
        name: item.product.name.clone(),
        sku: item.variant.sku.clone(),
        options_text: item.options_text.clone(),
        quantity,
        unit_price: item.unit_price,
        compare_at_unit_price: item.compare_at,
        currency: currency.to_owned(),
        total: item.unit_price * i64::from(quantity),
        created_at: at,
        updated_at: at,
    }
}

#[derive(Insertable)]
#[diesel(table_name = line_items)]
struct NewLine {
    id: String,
    order_id: String,
    variant_id: String,
    product_id: String,
    name: String,
    sku: Option<String>,
    options_text: String,
    quantity: i32,
    unit_price: i64,
    compare_at_unit_price: Option<i64>,
    currency: String,
    total: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

fn parse_email(raw: &str) -> Result<String, StoreError> {
    Email::parse("email", raw).map(|e| e.as_str().to_owned())
}

fn parse_note(raw: &str) -> Result<Option<String>, StoreError> {
    validate::text("note", Some(raw), MAX_NOTE).map_err(|e| StoreError::fields(vec![e]))
}

/// Creates a cart in the shop's currency. A signed-in caller owns it (its email defaults to
/// the account's); a guest gets the token that opens it, returned this once.
pub async fn create(
    store: &Store,
    caller: &Caller,
    input: NewCart,
) -> Result<(Order, Option<Secret<String>>), StoreError> {
    let (order, token) = create_with_token(store, caller, input).await?;
    let token = caller.customer_id.is_none().then_some(token);
    Ok((order, token))
}

/// [`create`], returning the cart's token whoever the caller is: for clients whose handle on
/// a cart is its token, a signed-in owner's included (the caller must not show it to anyone
/// else).
pub async fn create_with_token(
    store: &Store,
    caller: &Caller,
    input: NewCart,
) -> Result<(Order, Secret<String>), StoreError> {
    let currency = store.config().currency.clone();
    let email = match (&input.email, &caller.customer_id) {
        (Some(raw), _) => Some(parse_email(raw)?),
        (None, Some(customer_id)) => Some(customers::get(store, customer_id).await?.email),
        (None, None) => None,
    };
    let note = input.note.as_deref().map(parse_note).transpose()?.flatten();
    if input.items.len() as i64 > MAX_LINES {
        return Err(StoreError::invalid(
            "items",
            format!("a cart holds at most {MAX_LINES} lines"),
        ));
    }
    // Merge repeated variants first, so that stock is checked on the whole quantity.
    let mut wanted: Vec<(String, i32)> = Vec::new();
    for (variant_id, quantity) in input.items {
        check_quantity(quantity)?;
        match wanted.iter_mut().find(|(id, _)| *id == variant_id) {
            Some((_, q)) => *q += quantity,
            None => wanted.push((variant_id, quantity)),
        }
    }
    let mut items = Vec::with_capacity(wanted.len());
    for (variant_id, quantity) in wanted {
        check_quantity(quantity)?;
        let item = sellable(store, &variant_id, &currency).await?;
        item.check_stock(quantity)?;
        items.push((item, quantity));
    }

    let id = ids::new(ids::prefix::ORDER);
    let token = tokens::random("");
    let at = now();
    let lines: Vec<NewLine> = items
        .iter()
        .enumerate()
        // A microsecond apart, so that the lines keep the order they were given in (a cart's
        // lines are listed by creation time, then by their random ids).
        .map(|(i, (item, quantity))| {
            let created = at + chrono::TimeDelta::microseconds(i as i64);
            new_line(&id, &currency, item, *quantity, created)
        })
        .collect();
    let rates = &store.config().checkout;
    let mut conn = store.db().write_conn().await?;
    let (order, ..) = db_run!(conn, |c| c
        .transaction(async |c| {
            diesel::insert_into(orders::table)
                .values((
                    orders::id.eq(&id),
                    orders::customer_id.eq(&caller.customer_id),
                    orders::email.eq(&email),
                    orders::token.eq(tokens::hash(token.expose())),
                    orders::state.eq(OrderStatus::Cart),
                    orders::currency.eq(&currency),
                    orders::note.eq(&note),
                    orders::created_at.eq(at),
                    orders::updated_at.eq(at),
                ))
                .execute(c)
                .await?;
            for line in &lines {
                diesel::insert_into(line_items::table)
                    .values(line)
                    .execute(c)
                    .await?;
            }
            reprice_cart(&mut c.into(), &id, &currency, rates, at).await
        })
        .await)?;
    Ok((order, token))
}

/// The caller's cart `id` (still a cart: a completed one is an order).
pub async fn get(store: &Store, caller: &Caller, id: &str) -> Result<Order, StoreError> {
    let id = row_id(id, Entity::Cart)?;
    let mut conn = store.db().conn().await?;
    let order: Option<Order> = db_run!(conn, |c| orders::table
        .find(&id)
        .filter(orders::state.eq(OrderStatus::Cart))
        .select(Order::as_select())
        .first(c)
        .await
        .optional())?;
    order
        .filter(|o| caller.may_access(o))
        .ok_or_else(cart_not_found)
}

/// The customer's open cart, the one changed last (a customer may have several: one per
/// device they shopped on before signing in).
pub async fn current(store: &Store, customer_id: &str) -> Result<Option<Order>, StoreError> {
    let mut conn = store.db().conn().await?;
    Ok(db_run!(conn, |c| orders::table
        .filter(orders::customer_id.eq(customer_id))
        .filter(orders::state.eq(OrderStatus::Cart))
        .order((orders::updated_at.desc(), orders::id.desc()))
        .select(Order::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Touches the cart row (a row lock on PostgreSQL) and checks the caller may change it: the
/// first step of every cart change.
pub(crate) async fn lock(
    c: &mut Backend<'_>,
    id: &str,
    caller: &Caller,
    at: NaiveDateTime,
) -> Result<Order, StoreError> {
    let order: Option<Order> = db_run!(c, |c| diesel::update(orders::table.find(id))
        .filter(orders::state.eq(OrderStatus::Cart))
        .set(orders::updated_at.eq(at))
        .returning(Order::as_returning())
        .get_result(c)
        .await
        .optional())?;
    order
        .filter(|o| caller.may_access(o))
        .ok_or_else(cart_not_found)
}

/// Adds `quantity` of a variant; a line of the same variant grows instead.
pub async fn add_item(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    variant_id: &str,
    quantity: i32,
) -> Result<Order, StoreError> {
    check_quantity(quantity)?;
    let id = row_id(cart_id, Entity::Cart)?;
    // A cart the caller cannot open is NotFound before anything is said about the variant.
    let cart = get(store, caller, &id).await?;
    let item = sellable(store, variant_id, &cart.currency).await?;
    let rates = &store.config().checkout;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let (order, ..) = db_run!(conn, |c| c
        .transaction(async |c| {
            let order = lock(&mut c.into(), &id, caller, at).await?;
            let existing: Option<LineItem> = line_items::table
                .filter(line_items::order_id.eq(&id))
                .filter(line_items::variant_id.eq(&item.variant.id))
                .select(LineItem::as_select())
                .first(c)
                .await
                .optional()?;
            match existing {
                Some(line) => {
                    let total = line.quantity + quantity;
                    check_quantity(total)?;
                    item.check_stock(total)?;
                    diesel::update(line_items::table.find(&line.id))
                        .set((
                            line_items::quantity.eq(total),
                            line_items::updated_at.eq(at),
                        ))
                        .execute(c)
                        .await?;
                }
                None => {
                    item.check_stock(quantity)?;
                    let lines: i64 = line_items::table
                        .filter(line_items::order_id.eq(&id))
                        .count()
                        .get_result(c)
                        .await?;
                    if lines >= MAX_LINES {
                        return Err(StoreError::Conflict {
                            message: format!("a cart holds at most {MAX_LINES} lines"),
                            field: None,
                        });
                    }
                    diesel::insert_into(line_items::table)
                        .values(&new_line(&id, &order.currency, &item, quantity, at))
                        .execute(c)
                        .await?;
                }
            }
            reprice_cart(&mut c.into(), &id, &order.currency, rates, at).await
        })
        .await)?;
    Ok(order)
}

/// Sets a line's quantity; 0 removes it.
pub async fn update_item(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    line_item_id: &str,
    quantity: i32,
) -> Result<Order, StoreError> {
    if quantity == 0 {
        return remove_item(store, caller, cart_id, line_item_id).await;
    }
    check_quantity(quantity)?;
    let id = row_id(cart_id, Entity::Cart)?;
    let rates = &store.config().checkout;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let (order, ..) = db_run!(conn, |c| c
        .transaction(async |c| {
            let order = lock(&mut c.into(), &id, caller, at).await?;
            let found: Option<(LineItem, Variant)> = line_items::table
                .inner_join(variants::table)
                .filter(line_items::id.eq(line_item_id))
                .filter(line_items::order_id.eq(&id))
                .select((LineItem::as_select(), Variant::as_select()))
                .first(c)
                .await
                .optional()?;
            let (line, variant) = found.ok_or(StoreError::not_found(Entity::LineItem))?;
            if quantity > line.quantity {
                check_stock(&variant, &line.name, quantity)?;
            }
            diesel::update(line_items::table.find(&line.id))
                .set((
                    line_items::quantity.eq(quantity),
                    line_items::updated_at.eq(at),
                ))
                .execute(c)
                .await?;
            reprice_cart(&mut c.into(), &id, &order.currency, rates, at).await
        })
        .await)?;
    Ok(order)
}

/// Removes a line.
pub async fn remove_item(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    line_item_id: &str,
) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let rates = &store.config().checkout;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let (order, ..) = db_run!(conn, |c| c
        .transaction(async |c| {
            let order = lock(&mut c.into(), &id, caller, at).await?;
            let removed = diesel::delete(line_items::table)
                .filter(line_items::id.eq(line_item_id))
                .filter(line_items::order_id.eq(&id))
                .execute(c)
                .await?;
            if removed == 0 {
                return Err(StoreError::not_found(Entity::LineItem));
            }
            reprice_cart(&mut c.into(), &id, &order.currency, rates, at).await
        })
        .await)?;
    Ok(order)
}

/// Makes a guest cart the signed-in caller's (associates it): they must hold its token.
/// A cart without an email takes the account's. Associating one's own cart again is a no-op;
/// a cart of another account is not theirs to take (`Conflict`).
pub async fn associate(store: &Store, caller: &Caller, cart_id: &str) -> Result<Order, StoreError> {
    let customer_id = caller
        .customer_id
        .as_deref()
        .ok_or(StoreError::Unauthenticated)?;
    let id = row_id(cart_id, Entity::Cart)?;
    let account_email = customers::get(store, customer_id).await?.email;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let cart = lock(&mut c.into(), &id, caller, at).await?;
            match cart.customer_id.as_deref() {
                Some(owner) if owner == customer_id => return Ok(cart),
                Some(_) => {
                    return Err(StoreError::Conflict {
                        message: "this cart belongs to another account".into(),
                        field: None,
                    });
                }
                None => {}
            }
            let email = cart.email.clone().unwrap_or(account_email);
            let order: Order = diesel::update(orders::table.find(&id))
                .set((
                    orders::customer_id.eq(customer_id),
                    orders::email.eq(&email),
                ))
                .returning(Order::as_returning())
                .get_result(c)
                .await?;
            Ok::<_, StoreError>(order)
        })
        .await)
}

/// Throws a cart away with its items (abandons it). A completed cart is an order and stays.
pub async fn delete(store: &Store, caller: &Caller, cart_id: &str) -> Result<(), StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            lock(&mut c.into(), &id, caller, at).await?;
            // Its line items go with it (ON DELETE CASCADE).
            diesel::delete(orders::table.find(&id)).execute(c).await?;
            Ok::<_, StoreError>(())
        })
        .await)
}

/// An address for the cart: a copy of one of the caller's book, or a typed one, checked.
/// Problems are reported under `field` (`shipping_address.city`).
async fn resolve_address(
    store: &Store,
    caller: &Caller,
    field: &str,
    source: &AddressSource,
) -> Result<OrderAddress, StoreError> {
    match source {
        AddressSource::Book(address_id) => {
            let customer_id = caller
                .customer_id
                .as_deref()
                .ok_or(StoreError::not_found(Entity::Address))?;
            let address = addresses::get(store, customer_id, address_id).await?;
            Ok(OrderAddress::from(&address))
        }
        AddressSource::Inline(input) => match ValidAddress::parse(input) {
            Ok(valid) => Ok(valid.into()),
            Err(StoreError::InvalidInput { fields, .. }) => {
                let fields: Vec<_> = fields
                    .into_iter()
                    .map(|mut f| {
                        f.field = format!("{field}.{}", f.field);
                        f
                    })
                    .collect();
                Err(StoreError::InvalidInput {
                    summary: Some(format!("{field} is not a valid address")),
                    fields,
                })
            }
            Err(other) => Err(other),
        },
    }
}

/// Sets the cart's email, addresses or note.
pub async fn update(
    store: &Store,
    caller: &Caller,
    cart_id: &str,
    change: CartUpdate,
) -> Result<Order, StoreError> {
    let id = row_id(cart_id, Entity::Cart)?;
    // The cart first: another's cart is NotFound whatever the input says.
    get(store, caller, &id).await?;
    let email = change.email.as_deref().map(parse_email).transpose()?;
    let note = change.note.as_deref().map(parse_note).transpose()?;
    let mut shipping = None;
    if let Some(source) = &change.shipping_address {
        shipping = Some(resolve_address(store, caller, "shipping_address", source).await?);
    }
    let mut billing = None;
    if let Some(source) = &change.billing_address {
        billing = Some(resolve_address(store, caller, "billing_address", source).await?);
    }
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let order = db_run!(conn, |c| c
        .transaction(async |c| {
            lock(&mut c.into(), &id, caller, at).await?;
            if let Some(email) = &email {
                diesel::update(orders::table.find(&id))
                    .set(orders::email.eq(email))
                    .execute(c)
                    .await?;
            }
            if let Some(note) = &note {
                diesel::update(orders::table.find(&id))
                    .set(orders::note.eq(note))
                    .execute(c)
                    .await?;
            }
            if let Some(address) = &shipping {
                diesel::update(orders::table.find(&id))
                    .set(orders::shipping_address.eq(address.to_column()))
                    .execute(c)
                    .await?;
            }
            if let Some(address) = &billing {
                diesel::update(orders::table.find(&id))
                    .set(orders::billing_address.eq(address.to_column()))
                    .execute(c)
                    .await?;
            }
            let order: Order = orders::table
                .find(&id)
                .select(Order::as_select())
                .first(c)
                .await?;
            Ok::<_, StoreError>(order)
        })
        .await)?;
    Ok(order)
}

/// One page of the customer's open carts, changed last first, and how many there are.
pub async fn list_for_customer(
    store: &Store,
    customer_id: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Order>, i64), StoreError> {
    let offset = crate::store::pagination::offset(offset)?;
    let open = || {
        orders::table
            .filter(orders::customer_id.eq(customer_id))
            .filter(orders::state.eq("cart"))
    };
    let mut conn = store.db().conn().await?;
    let rows: Vec<Order> = db_run!(conn, |c| open()
        .order((orders::updated_at.desc(), orders::id.desc()))
        .offset(offset)
        .limit(limit.clamp(0, 100))
        .select(Order::as_select())
        .load(c)
        .await)?;
    let count: i64 = db_run!(conn, |c| open().count().get_result(c).await)?;
    Ok((rows, count))
}
