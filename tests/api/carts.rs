//! Carts over GraphQL: guest and signed-in carts, items and their bounds, stock, prices taken
//! from the catalogue, delivery and tax, email, addresses and note.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::prices;
use storefront::db_run;

use crate::account_support::{LOGIN, PASSWORD, register};
use crate::helpers::{TestApp, error_code};
use crate::order_support::{
    Who, add, add_item, cart_query, complete, create_address, create_cart, gql, guest_cart, ok,
    remove_item, ship_to, shop, update_cart, update_item,
};

fn cents(money: &Value) -> i64 {
    money["amountInCents"]
        .as_i64()
        .unwrap_or_else(|| panic!("no amount in {money}"))
}

/// (item, shipping, tax, total) of a cart or order, in cents.
fn totals(cart: &Value) -> (i64, i64, i64, i64) {
    (
        cents(&cart["itemTotal"]),
        cents(&cart["shippingTotal"]),
        cents(&cart["taxTotal"]),
        cents(&cart["total"]),
    )
}

fn quantities(cart: &Value) -> Vec<(String, i64)> {
    cart["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["sku"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_guest_adds_changes_and_removes_items() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let cart = ok(
        &app,
        Who::Anonymous,
        &create_cart(),
        Value::Null,
        "createCart",
    )
    .await;
    let id = cart["id"].as_str().unwrap().to_owned();
    let token = cart["token"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cart_"), "{cart}");
    assert!(
        token.len() >= 40,
        "a guest token is long and random: {token}"
    );
    assert_eq!(cart["currency"], "USD");
    assert_eq!(cart["itemCount"], 0);
    assert_eq!(cart["lineItems"], json!([]));
    assert_eq!(totals(&cart), (0, 0, 0, 0), "no delivery for an empty cart");

    let guest = Who::Guest(&token);
    let vars = |variant: &str, q: i64| json!({ "cart": id, "variant": variant, "q": q });
    let cart = ok(&app, guest, &add_item(), vars(&shop.tee, 2), "addCartItem").await;
    let line = &cart["lineItems"][0];
    assert_eq!(
        line,
        &json!({
            "id": line["id"], "name": "Tee", "sku": "TEE-1", "options": "", "quantity": 2,
            "unitPrice": { "amount": "20.00", "amountInCents": 2000, "currency": "USD" },
            "compareAtUnitPrice": { "amount": "25.00", "amountInCents": 2500, "currency": "USD" },
            "total": { "amount": "40.00", "amountInCents": 4000, "currency": "USD" },
            "variant": { "id": shop.tee }, "product": { "id": shop.tee_product, "name": "Tee" },
        })
    );
    assert!(line["id"].as_str().unwrap().starts_with("li_"));
    assert_eq!(cart["itemCount"], 2);
    assert_eq!(totals(&cart), (4000, 500, 0, 4500));
    assert_eq!(
        cart["token"], token,
        "the guest sees the token it presented"
    );

    // The same variant again grows its line.
    ok(&app, guest, &add_item(), vars(&shop.tee, 1), "addCartItem").await;
    let cart = ok(&app, guest, &add_item(), vars(&shop.mug, 1), "addCartItem").await;
    assert_eq!(
        quantities(&cart),
        [("TEE-1".into(), 3), ("MUG-1".into(), 1)]
    );
    assert_eq!(totals(&cart), (7250, 500, 0, 7750));

    let tee_line = cart["lineItems"][0]["id"].clone();
    let mug_line = cart["lineItems"][1]["id"].clone();
    let cart = ok(
        &app,
        guest,
        &update_item(),
        json!({ "cart": id, "line": tee_line, "q": 1 }),
        "updateCartItem",
    )
    .await;
    assert_eq!(
        quantities(&cart),
        [("TEE-1".into(), 1), ("MUG-1".into(), 1)]
    );
    let cart = ok(
        &app,
        guest,
        &remove_item(),
        json!({ "cart": id, "line": mug_line }),
        "removeCartItem",
    )
    .await;
    assert_eq!(quantities(&cart), [("TEE-1".into(), 1)]);
    // Quantity 0 removes the line too.
    let cart = ok(
        &app,
        guest,
        &update_item(),
        json!({ "cart": id, "line": tee_line, "q": 0 }),
        "updateCartItem",
    )
    .await;
    assert_eq!(cart["lineItems"], json!([]));
    assert_eq!(totals(&cart), (0, 0, 0, 0));

    // A removed line is gone.
    let body = gql(
        &app,
        guest,
        &remove_item(),
        json!({ "cart": id, "line": mug_line }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    // The cart opens with its token as header or argument, and not without it.
    let read = ok(&app, guest, &cart_query(), json!({ "id": id }), "cart").await;
    assert_eq!(read["id"], id);
    let read = ok(
        &app,
        Who::Anonymous,
        &cart_query(),
        json!({ "id": id, "token": token }),
        "cart",
    )
    .await;
    assert_eq!(read["id"], id);
    let read = ok(
        &app,
        Who::Anonymous,
        &cart_query(),
        json!({ "id": id }),
        "cart",
    )
    .await;
    assert_eq!(read, Value::Null);
    let read = ok(
        &app,
        Who::Guest("not-the-token"),
        &cart_query(),
        json!({ "id": id }),
        "cart",
    )
    .await;
    assert_eq!(read, Value::Null);
    let body = gql(&app, Who::Anonymous, &add_item(), vars(&shop.tee, 1)).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_of_a_signed_in_customer_are_theirs_without_a_token() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "Ada@Example.com").await;
    let me = Who::Customer(&ada.token);
    let cart = ok(
        &app,
        me,
        &create_cart(),
        json!({ "input": { "items": [{ "variantId": shop.tee, "quantity": 1 }], "note": " Gift wrap " } }),
        "createCart",
    )
    .await;
    assert_eq!(cart["token"], Value::Null, "an owned cart needs no token");
    assert_eq!(cart["email"], "ada@example.com", "the account's email");
    assert_eq!(cart["note"], "Gift wrap");
    assert_eq!(quantities(&cart), [("TEE-1".into(), 1)]);
    let read = ok(&app, me, &cart_query(), json!({ "id": cart["id"] }), "cart").await;
    assert_eq!(read["id"], cart["id"]);
    let read = ok(
        &app,
        Who::Anonymous,
        &cart_query(),
        json!({ "id": cart["id"] }),
        "cart",
    )
    .await;
    assert_eq!(read, Value::Null);

    // A cart made with items and an email at once.
    let cart = ok(
        &app,
        Who::Anonymous,
        &create_cart(),
        json!({ "input": { "email": " Guest@Example.COM ", "items": [
            { "variantId": shop.tee, "quantity": 2 }, { "variantId": shop.mug, "quantity": 1 },
            { "variantId": shop.tee, "quantity": 3 } ] } }),
        "createCart",
    )
    .await;
    assert_eq!(cart["email"], "guest@example.com");
    assert_eq!(
        quantities(&cart),
        [("TEE-1".into(), 5), ("MUG-1".into(), 1)]
    );
    assert_eq!(totals(&cart), (11250, 500, 0, 11750));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_quantities_are_positive_and_bounded() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    for q in [0, -1, 1000, i32::MAX as i64] {
        let body = gql(
            &app,
            guest,
            &add_item(),
            json!({ "cart": id, "variant": shop.mug, "q": q }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{q}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["fields"][0]["field"],
            "quantity"
        );
    }
    let cart = add(&app, guest, &id, &shop.mug, 999).await;
    let line = cart["lineItems"][0]["id"].clone();
    // Growing a line past the bound is refused and leaves it as it was.
    let body = gql(
        &app,
        guest,
        &add_item(),
        json!({ "cart": id, "variant": shop.mug, "q": 1 }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    for q in [-1, 1000] {
        let body = gql(
            &app,
            guest,
            &update_item(),
            json!({ "cart": id, "line": line, "q": q }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{q}: {body}");
    }
    let cart = ok(&app, guest, &cart_query(), json!({ "id": id }), "cart").await;
    assert_eq!(quantities(&cart), [("MUG-1".into(), 999)]);

    // At most 100 items at creation.
    let items: Vec<Value> = (0..101)
        .map(|_| json!({ "variantId": shop.mug, "quantity": 1 }))
        .collect();
    let body = gql(
        &app,
        Who::Anonymous,
        &create_cart(),
        json!({ "input": { "items": items } }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_check_stock_and_what_is_for_sale() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    let try_add = |variant: &str, q: i64| {
        let body = json!({ "cart": id, "variant": variant, "q": q });
        let app = &app;
        async move { gql(app, guest, &add_item(), body).await }
    };

    let body = try_add(&shop.tee, 11).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(body["errors"][0]["message"], "only 10 of Tee left in stock");
    assert!(try_add(&shop.tee, 10).await["errors"].is_null());
    let body = try_add(&shop.tee, 1).await;
    assert_eq!(
        error_code(&body),
        "CONFLICT",
        "the line's whole quantity counts: {body}"
    );

    // Backorderable and untracked variants sell beyond their stock.
    assert!(try_add(&shop.poster, 50).await["errors"].is_null());
    assert!(try_add(&shop.mug, 999).await["errors"].is_null());

    let body = try_add(&shop.hoodie_master, 1).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["message"],
        "is not sold on its own: choose one of the product's options"
    );
    let body = try_add(&shop.draft, 1).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0],
        json!({ "field": "variantId", "message": "is not for sale" })
    );
    for unknown in [
        "variant_01JD0000000000000000000000",
        "nope",
        "prod_01JD0000000000000000000000",
    ] {
        let body = try_add(unknown, 1).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{unknown}: {body}");
    }

    let cart = add(&app, guest, &id, &shop.hoodie_s, 2).await;
    let hoodie = cart["lineItems"][3].clone();
    assert_eq!(hoodie["options"], "Size: S");
    let body = gql(
        &app,
        guest,
        &update_item(),
        json!({ "cart": id, "line": hoodie["id"], "q": 3 }),
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "only 2 of Hoodie left in stock"
    );

    let cart = ok(&app, guest, &cart_query(), json!({ "id": id }), "cart").await;
    assert_eq!(
        quantities(&cart),
        [
            ("TEE-1".into(), 10),
            ("POSTER-1".into(), 50),
            ("MUG-1".into(), 999),
            ("HOODIE-S".into(), 2)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_take_prices_from_the_catalogue_on_every_change() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    add(&app, guest, &id, &shop.tee, 2).await;

    let mut conn = app.state.db().write_conn().await.unwrap();
    let tee = shop.tee.clone();
    db_run!(conn, |c| diesel::update(
        prices::table.filter(prices::variant_id.eq(&tee))
    )
    .set((
        prices::amount.eq(1800),
        prices::compare_at_amount.eq(None::<i64>)
    ))
    .execute(c)
    .await)
    .unwrap();
    drop(conn);

    let cart = add(&app, guest, &id, &shop.mug, 1).await;
    let line = &cart["lineItems"][0];
    assert_eq!(cents(&line["unitPrice"]), 1800);
    assert_eq!(line["compareAtUnitPrice"], Value::Null);
    assert_eq!(cents(&line["total"]), 3600);
    assert_eq!(totals(&cart), (3600 + 1250, 500, 0, 5350));

    // No input of any cart mutation carries a price: the client cannot set one.
    let body = gql(
        &app,
        guest,
        "mutation($cart: ID!, $v: ID!) { addCartItem(cartId: $cart, variantId: $v, quantity: 1, unitPrice: 1) { id } }",
        json!({ "cart": id, "v": shop.tee }),
    )
    .await;
    assert!(body["errors"].is_array(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_charge_the_configured_delivery_and_tax() {
    let app = TestApp::builder()
        .env("STOREFRONT_SHIPPING_RATE", "700")
        .env("STOREFRONT_FREE_SHIPPING_OVER", "5000")
        .env("STOREFRONT_TAX_RATE", "8.875")
        .spawn()
        .await;
    let shop = shop(&app).await;
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    let cart = add(&app, guest, &id, &shop.tee, 1).await;
    // 8.875 % of 27.00 is 2.39625: 2.40.
    assert_eq!(totals(&cart), (2000, 700, 240, 2940));
    assert_eq!(cart["taxTotal"]["amount"], "2.40");
    let cart = add(&app, guest, &id, &shop.tee, 2).await;
    // From 50.00 delivery is free; 8.875 % of 60.00 is 5.325: 5.33 (half up).
    assert_eq!(totals(&cart), (6000, 0, 533, 6533));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_take_email_addresses_and_note() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    let cart = ok(
        &app,
        guest,
        &update_cart(),
        json!({ "cart": id, "input": { "email": " Grace@Example.com ", "note": " Leave at the door ",
            "shippingAddress": { "address": ship_to() } } }),
        "updateCart",
    )
    .await;
    assert_eq!(cart["email"], "grace@example.com");
    assert_eq!(cart["note"], "Leave at the door");
    assert_eq!(
        cart["shippingAddress"],
        json!({ "firstName": "Grace", "lastName": "Hopper", "fullName": "Grace Hopper",
            "company": null, "address1": "1 Navy Yard", "address2": null, "city": "Arlington",
            "postalCode": "22202", "countryCode": "US", "countryName": "United States of America",
            "provinceCode": "VA", "provinceName": "Virginia", "phone": "+1 703 555 0100" })
    );
    assert_eq!(cart["billingAddress"], Value::Null);

    // Absent fields stay; an empty note clears it.
    let cart = ok(
        &app,
        guest,
        &update_cart(),
        json!({ "cart": id, "input": { "note": "", "billingAddress": { "address":
            { "address1": "10 Downing Street", "city": "London", "countryCode": "GB" } } } }),
        "updateCart",
    )
    .await;
    assert_eq!(cart["note"], Value::Null);
    assert_eq!(cart["email"], "grace@example.com");
    assert_eq!(cart["shippingAddress"]["city"], "Arlington");
    assert_eq!(
        cart["billingAddress"]["countryName"],
        "United Kingdom of Great Britain and Northern Ireland"
    );

    // Bad input names its fields and changes nothing.
    let bad = [
        (json!({ "email": "not-an-email" }), vec!["email"]),
        (json!({ "note": "x".repeat(1001) }), vec!["note"]),
        (
            json!({ "shippingAddress": { "address": { "address1": "", "city": "X", "countryCode": "ZZ" } } }),
            vec!["shippingAddress.address1", "shippingAddress.countryCode"],
        ),
        (
            json!({ "shippingAddress": { "address": { "address1": "1 Main St", "city": "Albany", "countryCode": "US", "provinceCode": "XX" } } }),
            vec!["shippingAddress.provinceCode"],
        ),
        (json!({ "billingAddress": {} }), vec!["billingAddress"]),
        (
            json!({ "billingAddress": { "addressId": "addr_01JD0000000000000000000000", "address": ship_to() } }),
            vec!["billingAddress"],
        ),
    ];
    for (input, fields) in bad {
        let body = gql(
            &app,
            guest,
            &update_cart(),
            json!({ "cart": id, "input": input }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
        let got: Vec<&str> = body["errors"][0]["extensions"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(got, fields, "{input}: {body}");
    }
    let after = ok(&app, guest, &cart_query(), json!({ "id": id }), "cart").await;
    assert_eq!(after["email"], "grace@example.com");
    assert_eq!(after["shippingAddress"]["city"], "Arlington");
    assert_eq!(after["billingAddress"]["city"], "London");

    // An address book entry is only the signed-in owner's to use.
    let home = create_address(
        &app,
        Who::Customer(&ada.token),
        json!({ "firstName": "Ada", "address1": "12 St James's Square", "city": "London",
            "countryCode": "GB", "postalCode": "SW1Y 4LB" }),
    )
    .await;
    let body = gql(
        &app,
        guest,
        &update_cart(),
        json!({ "cart": id, "input": { "shippingAddress": { "addressId": home } } }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let mine = ok(
        &app,
        Who::Customer(&ada.token),
        &create_cart(),
        Value::Null,
        "createCart",
    )
    .await;
    let cart = ok(
        &app,
        Who::Customer(&ada.token),
        &update_cart(),
        json!({ "cart": mine["id"], "input": { "shippingAddress": { "addressId": home },
            "billingAddress": { "addressId": home } } }),
        "updateCart",
    )
    .await;
    assert_eq!(cart["shippingAddress"]["address1"], "12 St James's Square");
    assert_eq!(cart["shippingAddress"]["firstName"], "Ada");
    assert_eq!(cart["billingAddress"]["postalCode"], "SW1Y 4LB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_of_a_guest_follow_the_customer_who_signs_in_with_them() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let my_cart = "{ me { cart { id token email itemCount } } }";
    let me = ok(&app, Who::Customer(&ada.token), my_cart, Value::Null, "me").await;
    assert_eq!(me["cart"], Value::Null, "no cart yet");

    // A guest fills a cart, then signs in with its token at hand: the cart is the account's.
    let (id, token) = guest_cart(&app).await;
    add(&app, Who::Guest(&token), &id, &shop.tee, 2).await;
    let login = json!({ "email": "ada@example.com", "password": PASSWORD });
    let body = gql(&app, Who::Guest(&token), LOGIN, login).await;
    assert!(body["errors"].is_null(), "{body}");
    let signed = body["data"]["login"]["token"].as_str().unwrap().to_owned();
    let me = ok(&app, Who::Customer(&signed), my_cart, Value::Null, "me").await;
    assert_eq!(
        me["cart"],
        json!({ "id": id, "token": null, "email": "ada@example.com", "itemCount": 2 })
    );
    // Another device of the same customer sees and completes it without the token.
    let cart = ok(
        &app,
        Who::Customer(&ada.token),
        &update_cart(),
        json!({ "cart": id, "input": { "shippingAddress": { "address": ship_to() } } }),
        "updateCart",
    )
    .await;
    assert_eq!(cart["token"], Value::Null);
    let order = ok(
        &app,
        Who::Customer(&ada.token),
        &complete(),
        json!({ "cart": id }),
        "completeCart",
    )
    .await;
    assert_eq!(order["status"], "PLACED");
    let me = ok(&app, Who::Customer(&ada.token), my_cart, Value::Null, "me").await;
    assert_eq!(
        me["cart"],
        Value::Null,
        "a placed cart is no longer the open cart"
    );

    // A guest cart completed by a signed-in customer holding its token is their order at once.
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    add(&app, guest, &id, &shop.mug, 1).await;
    ok(
        &app,
        guest,
        &update_cart(),
        json!({ "cart": id, "input": { "email": "ada@example.com",
            "shippingAddress": { "address": ship_to() } } }),
        "updateCart",
    )
    .await;
    let both = Who::CustomerWithToken(&ada.token, &token);
    let body = gql(&app, both, &complete(), json!({ "cart": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    let number = body["data"]["completeCart"]["number"].clone();
    let me = ok(
        &app,
        Who::Customer(&ada.token),
        "{ me { orders { nodes { number } } } }",
        Value::Null,
        "me",
    )
    .await;
    assert_eq!(me["orders"]["nodes"][0]["number"], number);
    assert_eq!(me["orders"]["nodes"].as_array().unwrap().len(), 2);
}

const ASSOCIATE: &str = "mutation($cart: ID!) { associateCart(cartId: $cart) { id token email } }";
const DELETE: &str = "mutation($cart: ID!) { deleteCart(cartId: $cart) }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_associate_gives_a_guest_cart_to_the_customer_holding_its_token() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let (id, token) = guest_cart(&app).await;
    let vars = json!({ "cart": id });

    let body = gql(&app, Who::Guest(&token), ASSOCIATE, vars.clone()).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body = gql(&app, Who::Customer(&ada.token), ASSOCIATE, vars.clone()).await;
    assert_eq!(
        error_code(&body),
        "NOT_FOUND",
        "the token is the proof: {body}"
    );

    let both = Who::CustomerWithToken(&ada.token, &token);
    let cart = ok(&app, both, ASSOCIATE, vars.clone(), "associateCart").await;
    assert_eq!(
        cart,
        json!({ "id": id, "token": null, "email": "ada@example.com" })
    );
    let again = ok(&app, both, ASSOCIATE, vars.clone(), "associateCart").await;
    assert_eq!(again, cart);
    let me = ok(
        &app,
        Who::Customer(&ada.token),
        "{ me { cart { id } } }",
        Value::Null,
        "me",
    )
    .await;
    assert_eq!(me["cart"]["id"], id);

    // Bob holding the old guest token cannot take Ada's cart.
    let body = gql(
        &app,
        Who::CustomerWithToken(&bob.token, &token),
        ASSOCIATE,
        vars,
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let read = ok(
        &app,
        Who::Customer(&ada.token),
        &cart_query(),
        json!({ "id": id }),
        "cart",
    )
    .await;
    assert_eq!(read["email"], "ada@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carts_delete_throws_a_cart_away_but_never_an_order() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let (id, token) = guest_cart(&app).await;
    add(&app, Who::Guest(&token), &id, &shop.tee, 2).await;
    let vars = json!({ "cart": id });
    let body = gql(&app, Who::Anonymous, DELETE, vars.clone()).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let deleted = ok(&app, Who::Guest(&token), DELETE, vars.clone(), "deleteCart").await;
    assert_eq!(deleted, id);
    let read = ok(
        &app,
        Who::Guest(&token),
        &cart_query(),
        json!({ "id": id }),
        "cart",
    )
    .await;
    assert_eq!(read, Value::Null);
    let body = gql(&app, Who::Guest(&token), DELETE, vars).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    let order =
        crate::order_support::place(&app, Who::Anonymous, &[(&shop.tee, 1)], "g@example.com").await;
    let token = order["token"].as_str().unwrap();
    let cart_id = format!(
        "cart_{}",
        order["id"].as_str().unwrap().strip_prefix("or_").unwrap()
    );
    let body = gql(&app, Who::Guest(token), DELETE, json!({ "cart": cart_id })).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let read = ok(
        &app,
        Who::Guest(token),
        &crate::order_support::order_query(),
        json!({ "id": order["id"] }),
        "order",
    )
    .await;
    assert_eq!(read["lineItems"].as_array().unwrap().len(), 1);
}
