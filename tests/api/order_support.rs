//! Shared steps of the cart and order tests: a small shop, callers (customer, guest,
//! integrator), the GraphQL documents, and reads of what the database holds.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use storefront::db::schema::{events, line_items, orders, products, variants};
use storefront::db_run;
use storefront::store::api_keys::{self, KeyKind};
use storefront::store::orders::{LineItem, Order};

use crate::catalog_fixtures::{self, NewProduct, NewVariant, option_type};
use crate::helpers::TestApp;

/// Who sends a request.
#[derive(Clone, Copy, Debug)]
pub enum Who<'a> {
    Anonymous,
    /// A signed-in customer's access token.
    Customer(&'a str),
    /// A guest presenting a cart/order token as `X-Order-Token`.
    Guest(&'a str),
    /// A signed-in customer also presenting a guest cart/order token.
    CustomerWithToken(&'a str, &'a str),
    /// A backend holding a secret key (`x-storefront-secret-key`).
    Integrator(&'a str),
    /// A backend sending its secret key as `Authorization: Bearer sk_...`.
    IntegratorBearer(&'a str),
}

/// Runs a GraphQL operation as `who`; returns the whole response body.
pub async fn gql(app: &TestApp, who: Who<'_>, query: &str, variables: Value) -> Value {
    let mut request = app
        .request(Method::POST, "/graphql")
        .json(&json!({ "query": query, "variables": variables }));
    request = match who {
        Who::Anonymous => request,
        Who::Customer(token) => request.bearer_auth(token),
        Who::Guest(token) => request.header("x-order-token", token),
        Who::CustomerWithToken(bearer, token) => {
            request.bearer_auth(bearer).header("x-order-token", token)
        }
        Who::Integrator(key) => request.header("x-storefront-secret-key", key),
        Who::IntegratorBearer(key) => request.bearer_auth(key),
    };
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK, "GraphQL answered {status}: {body}");
    body
}

/// Runs an operation that must succeed and returns `data.<field>`.
pub async fn ok(app: &TestApp, who: Who<'_>, query: &str, variables: Value, field: &str) -> Value {
    let body = gql(app, who, query, variables).await;
    assert!(body["errors"].is_null(), "{field} failed: {body}");
    body["data"][field].clone()
}

/// A new secret API key.
pub async fn secret_key(app: &TestApp) -> String {
    let (_, token) = api_keys::create(&app.state.store, KeyKind::Secret, "Back office")
        .await
        .expect("secret key");
    token.expose().clone()
}

/// The variants the order tests buy.
pub struct Shop {
    /// "Tee", TEE-1, 20.00, 10 in stock.
    pub tee: String,
    pub tee_product: String,
    /// "Mug", 12.50, stock not tracked.
    pub mug: String,
    /// "Poster", 5.00, 0 in stock but backorderable.
    pub poster: String,
    /// "Scarf", 30.00, the last one in stock.
    pub scarf: String,
    /// "Hoodie" in size S, 45.00, 2 in stock; `hoodie_master` is the product's default
    /// variant, which is not sold on its own.
    pub hoodie_s: String,
    pub hoodie_master: String,
    /// A draft product's variant.
    pub draft: String,
}

pub async fn shop(app: &TestApp) -> Shop {
    let priced = |sku: &str, cents: i64, stock: i32| NewVariant {
        sku: Some(sku.into()),
        price: Some(cents),
        stock,
        ..NewVariant::default()
    };
    let tee = catalog_fixtures::product(
        app,
        NewProduct {
            default_variant: NewVariant {
                compare_at: Some(2500),
                ..priced("TEE-1", 2000, 10)
            },
            ..NewProduct::named("Tee")
        },
    )
    .await;
    let mug = catalog_fixtures::product(
        app,
        NewProduct {
            default_variant: NewVariant {
                track_inventory: false,
                ..priced("MUG-1", 1250, 0)
            },
            ..NewProduct::named("Mug")
        },
    )
    .await;
    let poster = catalog_fixtures::product(
        app,
        NewProduct {
            default_variant: NewVariant {
                backorderable: true,
                ..priced("POSTER-1", 500, 0)
            },
            ..NewProduct::named("Poster")
        },
    )
    .await;
    let scarf = catalog_fixtures::product(
        app,
        NewProduct {
            default_variant: priced("SCARF-1", 3000, 1),
            ..NewProduct::named("Scarf")
        },
    )
    .await;
    let (size, sizes) = option_type(app, "Size", &["S", "M"]).await;
    let hoodie = catalog_fixtures::product(
        app,
        NewProduct {
            option_types: vec![size],
            default_variant: priced("HOODIE", 4500, 0),
            variants: vec![NewVariant {
                option_values: vec![sizes[0].clone()],
                ..priced("HOODIE-S", 4500, 2)
            }],
            ..NewProduct::named("Hoodie")
        },
    )
    .await;
    let draft = catalog_fixtures::product(
        app,
        NewProduct {
            status: "draft",
            default_variant: priced("DRAFT-1", 100, 5),
            ..NewProduct::named("Draft Thing")
        },
    )
    .await;
    Shop {
        tee: tee.variants[0].clone(),
        tee_product: tee.id,
        mug: mug.variants[0].clone(),
        poster: poster.variants[0].clone(),
        scarf: scarf.variants[0].clone(),
        hoodie_s: hoodie.variants[1].clone(),
        hoodie_master: hoodie.variants[0].clone(),
        draft: draft.variants[0].clone(),
    }
}

const MONEY: &str = "{ amount amountInCents currency }";

pub fn line_fields() -> String {
    format!(
        "id name sku options quantity unitPrice {MONEY} compareAtUnitPrice {MONEY} \
         total {MONEY} variant {{ id }} product {{ id name }}"
    )
}

const ADDRESS: &str = "{ firstName lastName fullName company address1 address2 city postalCode \
    countryCode countryName provinceCode provinceName phone }";

pub fn cart_fields() -> String {
    format!(
        "id token email note currency itemCount lineItems {{ {} }} itemTotal {MONEY} \
         shippingTotal {MONEY} taxTotal {MONEY} total {MONEY} shippingAddress {ADDRESS} \
         billingAddress {ADDRESS} createdAt updatedAt",
        line_fields()
    )
}

pub fn order_fields() -> String {
    format!(
        "id number token status paymentStatus fulfillmentStatus email currency note \
         trackingNumber itemCount lineItems {{ {} }} itemTotal {MONEY} shippingTotal {MONEY} \
         taxTotal {MONEY} total {MONEY} shippingAddress {ADDRESS} billingAddress {ADDRESS} \
         placedAt paidAt fulfilledAt canceledAt",
        line_fields()
    )
}

pub fn create_cart() -> String {
    format!(
        "mutation($input: CreateCartInput) {{ createCart(input: $input) {{ {} }} }}",
        cart_fields()
    )
}

pub fn add_item() -> String {
    format!(
        "mutation($cart: ID!, $variant: ID!, $q: Int!) {{ addCartItem(cartId: $cart, \
         variantId: $variant, quantity: $q) {{ {} }} }}",
        cart_fields()
    )
}

pub fn update_item() -> String {
    format!(
        "mutation($cart: ID!, $line: ID!, $q: Int!) {{ updateCartItem(cartId: $cart, \
         lineItemId: $line, quantity: $q) {{ {} }} }}",
        cart_fields()
    )
}

pub fn remove_item() -> String {
    format!(
        "mutation($cart: ID!, $line: ID!) {{ removeCartItem(cartId: $cart, lineItemId: $line) \
         {{ {} }} }}",
        cart_fields()
    )
}

pub fn update_cart() -> String {
    format!(
        "mutation($cart: ID!, $input: UpdateCartInput!) {{ updateCart(cartId: $cart, \
         input: $input) {{ {} }} }}",
        cart_fields()
    )
}

pub fn cart_query() -> String {
    format!(
        "query($id: ID!, $token: String) {{ cart(id: $id, token: $token) {{ {} }} }}",
        cart_fields()
    )
}

pub fn complete() -> String {
    format!(
        "mutation($cart: ID!) {{ completeCart(cartId: $cart) {{ {} }} }}",
        order_fields()
    )
}

pub fn order_query() -> String {
    format!(
        "query($id: ID, $number: String, $token: String) {{ order(id: $id, number: $number, \
         token: $token) {{ {} }} }}",
        order_fields()
    )
}

pub fn cancel() -> String {
    format!(
        "mutation($id: ID!) {{ cancelOrder(id: $id) {{ {} }} }}",
        order_fields()
    )
}

pub fn mark_paid() -> String {
    format!(
        "mutation($id: ID!) {{ markOrderPaid(id: $id) {{ {} }} }}",
        order_fields()
    )
}

pub fn fulfil() -> String {
    format!(
        "mutation($id: ID!, $tracking: String) {{ fulfillOrder(id: $id, trackingNumber: \
         $tracking) {{ {} }} }}",
        order_fields()
    )
}

/// An address typed in at checkout.
pub fn ship_to() -> Value {
    json!({
        "firstName": "Grace", "lastName": "Hopper", "address1": "1 Navy Yard",
        "city": "Arlington", "postalCode": "22202", "countryCode": "US", "provinceCode": "VA",
        "phone": "+1 703 555 0100",
    })
}

/// Creates a cart holding `items` (variant, quantity) with an email and a typed shipping
/// address, ready to complete. Returns the cart.
pub async fn ready_cart(app: &TestApp, who: Who<'_>, items: &[(&str, i32)], email: &str) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(variant, q)| json!({ "variantId": variant, "quantity": q }))
        .collect();
    let cart = ok(
        app,
        who,
        &create_cart(),
        json!({ "input": { "email": email, "items": items } }),
        "createCart",
    )
    .await;
    let token = cart["token"].as_str().map(str::to_owned);
    let who = match (&token, who) {
        (Some(token), Who::Anonymous) => Who::Guest(token),
        _ => who,
    };
    let mut updated = ok(
        app,
        who,
        &update_cart(),
        json!({ "cart": cart["id"], "input": { "shippingAddress": { "address": ship_to() } } }),
        "updateCart",
    )
    .await;
    if let Some(token) = token {
        updated["token"] = Value::from(token);
    }
    updated
}

/// Places an order of `items`; a guest (`Who::Anonymous`) gets its token on the order.
pub async fn place(app: &TestApp, who: Who<'_>, items: &[(&str, i32)], email: &str) -> Value {
    let cart = ready_cart(app, who, items, email).await;
    let who = match (cart["token"].as_str(), who) {
        (Some(token), Who::Anonymous) => Who::Guest(token),
        _ => who,
    };
    ok(
        app,
        who,
        &complete(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await
}

/// A new empty guest cart: its id and its token.
pub async fn guest_cart(app: &TestApp) -> (String, String) {
    let cart = ok(
        app,
        Who::Anonymous,
        &create_cart(),
        Value::Null,
        "createCart",
    )
    .await;
    let text = |field: &str| cart[field].as_str().expect(field).to_owned();
    (text("id"), text("token"))
}

/// Adds `quantity` of `variant` to `cart`; returns the cart.
pub async fn add(
    app: &TestApp,
    who: Who<'_>,
    cart: impl serde::Serialize,
    variant: &str,
    quantity: i32,
) -> Value {
    let vars = json!({ "cart": cart, "variant": variant, "q": quantity });
    ok(app, who, &add_item(), vars, "addCartItem").await
}

/// Creates an address in `who`'s book; returns its id.
pub async fn create_address(app: &TestApp, who: Who<'_>, input: Value) -> Value {
    let query = "mutation($input: AddressInput!) { createAddress(input: $input) { id } }";
    ok(app, who, query, json!({ "input": input }), "createAddress").await["id"].clone()
}

/// Sets a variant's stock on hand, as a back office would.
pub async fn set_stock(app: &TestApp, variant_id: &str, stock: i32) {
    let mut conn = app.state.db().write_conn().await.unwrap();
    db_run!(conn, |c| diesel::update(variants::table.find(variant_id))
        .set(variants::stock_on_hand.eq(stock))
        .execute(c)
        .await)
    .unwrap();
    // What a back office writing through the service layer would do.
    app.state.store.catalog_generation().bump();
}

/// A variant's stock on hand, as stored.
pub async fn stock(app: &TestApp, variant_id: &str) -> i32 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| variants::table
        .find(variant_id)
        .select(variants::stock_on_hand)
        .first(c)
        .await)
    .unwrap()
}

/// A product's units sold, as stored.
pub async fn units_sold(app: &TestApp, product_id: &str) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| products::table
        .find(product_id)
        .select(products::units_sold)
        .first(c)
        .await)
    .unwrap()
}

/// The type and payload of every event about an order, oldest first.
pub async fn order_events(app: &TestApp, order_id: &str) -> Vec<(String, Value)> {
    let mut conn = app.state.db().conn().await.unwrap();
    let rows: Vec<(String, String)> = db_run!(conn, |c| events::table
        .filter(events::order_id.eq(order_id))
        .order(events::id)
        .select((events::event_type, events::payload))
        .load(c)
        .await)
    .unwrap();
    rows.into_iter()
        .map(|(kind, payload)| (kind, serde_json::from_str(&payload).unwrap()))
        .collect()
}

/// Everything stored of an order and its lines, to prove a refused change changed nothing.
pub async fn stored_order(app: &TestApp, row_id: &str) -> String {
    let mut conn = app.state.db().conn().await.unwrap();
    let order: Vec<Order> = db_run!(conn, |c| orders::table
        .find(row_id)
        .select(Order::as_select())
        .load(c)
        .await)
    .unwrap();
    let lines: Vec<LineItem> = db_run!(conn, |c| line_items::table
        .filter(line_items::order_id.eq(row_id))
        .order(line_items::id)
        .select(LineItem::as_select())
        .load(c)
        .await)
    .unwrap();
    format!("{order:?} {lines:?}")
}

/// The row id (`or_...`) of a cart id (`cart_...`).
pub fn row_of(cart_id: &Value) -> String {
    let id = cart_id.as_str().expect("an id");
    format!("or_{}", id.strip_prefix("cart_").expect("a cart id"))
}
