//! `completeCart`: what a cart needs, what placing it records, and stock reserved atomically
//! (concurrent checkouts racing for the last units).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{orders, prices, products, variants};
use storefront::db_run;

use crate::account_support::register;
use crate::helpers::{TestApp, error_code};
use crate::order_support::{
    Who, add, add_item, cancel, cart_query, complete, gql, guest_cart, ok, order_events, place,
    ready_cart, row_of, set_stock, shop, stock, stored_order, units_sold,
};

fn is_order_number(number: &str) -> bool {
    number.len() == 10 && number.starts_with('R') && number[1..].chars().all(|c| c.is_ascii_digit())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_needs_items_an_email_and_a_shipping_address() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let (id, token) = guest_cart(&app).await;
    let guest = Who::Guest(&token);
    let body = gql(&app, guest, &complete(), json!({ "cart": id })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"],
        json!([
            { "field": "lineItems", "message": "the cart is empty" },
            { "field": "email", "message": "is required to place an order" },
            { "field": "shippingAddress", "message": "is required to place an order" },
        ])
    );
    add(&app, guest, &id, &shop.tee, 1).await;
    let body = gql(&app, guest, &complete(), json!({ "cart": id })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["fields"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(stock(&app, &shop.tee).await, 10, "nothing reserved");
    let still = ok(&app, guest, &cart_query(), json!({ "id": id }), "cart").await;
    assert_eq!(still["id"], id, "still a cart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_places_the_order_and_reserves_its_stock() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let cart = ready_cart(
        &app,
        me,
        &[(&shop.tee, 3), (&shop.poster, 2), (&shop.mug, 4)],
        "ada@example.com",
    )
    .await;
    let order = ok(
        &app,
        me,
        &complete(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;
    let number = order["number"].as_str().unwrap();
    assert!(is_order_number(number), "{number}");
    assert_eq!(
        order["id"],
        row_of(&cart["id"]),
        "the cart's row, named as an order"
    );
    assert_eq!(order["status"], "PLACED");
    assert_eq!(order["paymentStatus"], "BALANCE_DUE");
    assert_eq!(order["fulfillmentStatus"], "UNFULFILLED");
    assert_eq!(order["email"], "ada@example.com");
    assert_eq!(order["token"], Value::Null);
    assert_eq!(order["itemCount"], 9);
    assert_eq!(order["itemTotal"]["amountInCents"], 6000 + 1000 + 5000);
    assert_eq!(order["shippingTotal"]["amountInCents"], 500);
    assert_eq!(order["total"]["amountInCents"], 12500);
    assert_eq!(
        order["billingAddress"], order["shippingAddress"],
        "billing defaults to shipping"
    );
    assert_eq!(order["shippingAddress"]["city"], "Arlington");
    assert!(order["placedAt"].is_string());
    assert_eq!(order["paidAt"], Value::Null);

    // Tracked stock is taken (a backorderable variant goes below zero), untracked is not.
    assert_eq!(stock(&app, &shop.tee).await, 7);
    assert_eq!(stock(&app, &shop.poster).await, -2);
    assert_eq!(stock(&app, &shop.mug).await, 0);
    assert_eq!(units_sold(&app, &shop.tee_product).await, 3);

    let events = order_events(&app, order["id"].as_str().unwrap()).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "order.placed");
    assert_eq!(
        events[0].1,
        json!({ "order_id": order["id"], "number": number, "email": "ada@example.com",
            "currency": "USD", "item_count": 9, "total": 12500 })
    );

    // The cart is gone as a cart, and cannot be completed or changed again.
    let read = ok(&app, me, &cart_query(), json!({ "id": cart["id"] }), "cart").await;
    assert_eq!(read, Value::Null);
    let body = gql(&app, me, &complete(), json!({ "cart": cart["id"] })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let body = gql(
        &app,
        me,
        &add_item(),
        json!({ "cart": cart["id"], "variant": shop.tee, "q": 1 }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(stock(&app, &shop.tee).await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_of_a_guest_returns_the_token_with_the_order() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let cart = ready_cart(&app, Who::Anonymous, &[(&shop.tee, 1)], "guest@example.com").await;
    let token = cart["token"].as_str().unwrap();
    let order = ok(
        &app,
        Who::Guest(token),
        &complete(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;
    assert_eq!(order["token"], token);
    assert_eq!(order["email"], "guest@example.com");
    // Nobody else completes a guest's cart.
    let other = ready_cart(&app, Who::Anonymous, &[(&shop.tee, 1)], "other@example.com").await;
    let body = gql(
        &app,
        Who::Anonymous,
        &complete(),
        json!({ "cart": other["id"] }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = gql(
        &app,
        Who::Guest(token),
        &complete(),
        json!({ "cart": other["id"] }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}

/// Completes every cart at once; returns how many were placed and the refusals' messages.
async fn complete_all(app: &TestApp, carts: &[Value]) -> (usize, Vec<String>) {
    let attempts = carts.iter().map(|cart| {
        let token = cart["token"].as_str().unwrap().to_owned();
        let id = cart["id"].clone();
        async move { gql(app, Who::Guest(&token), &complete(), json!({ "cart": id })).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let mut placed = 0;
    let mut refused = Vec::new();
    for body in results {
        if body["errors"].is_null() {
            assert_eq!(body["data"]["completeCart"]["status"], "PLACED");
            placed += 1;
        } else {
            assert_eq!(error_code(&body), "CONFLICT", "{body}");
            refused.push(body["errors"][0]["message"].as_str().unwrap().to_owned());
        }
    }
    (placed, refused)
}

async fn placed_orders(app: &TestApp) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| orders::table
        .filter(orders::state.eq("complete"))
        .count()
        .get_result(c)
        .await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkout_race_for_the_last_unit_has_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let mut carts = Vec::new();
    for i in 0..6 {
        let email = format!("shopper{i}@example.com");
        carts.push(ready_cart(&app, Who::Anonymous, &[(&shop.scarf, 1)], &email).await);
    }
    let (placed, refused) = complete_all(&app, &carts).await;
    assert_eq!(placed, 1, "{refused:?}");
    assert_eq!(refused, vec!["not enough stock left for Scarf"; 5]);
    assert_eq!(stock(&app, &shop.scarf).await, 0, "never below zero");
    assert_eq!(placed_orders(&app).await, 1);
    // The losers still have their carts as they were; the winner's became its order.
    let mut open = 0;
    for cart in &carts {
        let token = cart["token"].as_str().unwrap();
        let vars = json!({ "id": cart["id"] });
        let read = ok(&app, Who::Guest(token), &cart_query(), vars, "cart").await;
        if !read.is_null() {
            assert_eq!(read["itemCount"], 1);
            assert_eq!(read["total"], cart["total"]);
            open += 1;
        }
    }
    assert_eq!(open, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkout_race_over_shared_variants_sells_exactly_the_stock() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    // Ten tees and two hoodies; eight carts want three tees each, half of them a hoodie too,
    // listed in opposite orders so that a careless lock order would deadlock.
    let mut carts = Vec::new();
    for i in 0..8 {
        let email = format!("shopper{i}@example.com");
        let items: Vec<(&str, i32)> = match i % 2 {
            0 => vec![(&shop.tee, 3), (&shop.hoodie_s, 1)],
            _ => vec![(&shop.tee, 3)],
        };
        let items: Vec<(&str, i32)> = if i % 4 == 0 {
            items.into_iter().rev().collect()
        } else {
            items
        };
        carts.push(ready_cart(&app, Who::Anonymous, &items, &email).await);
    }
    let (placed, refused) = complete_all(&app, &carts).await;
    assert_eq!(
        placed, 3,
        "ten tees make three orders of three: {refused:?}"
    );
    let tees = stock(&app, &shop.tee).await;
    let hoodies = stock(&app, &shop.hoodie_s).await;
    assert_eq!(tees, 1);
    assert!((0..=2).contains(&hoodies), "{hoodies}");
    // What was sold is what the placed orders hold.
    let mut conn = app.state.db().conn().await.unwrap();
    let sold: Vec<i64> = db_run!(conn, |c| products::table
        .inner_join(variants::table)
        .filter(variants::id.eq(&shop.tee))
        .select(products::units_sold)
        .load(c)
        .await)
    .unwrap();
    assert_eq!(sold, vec![9]);
    assert_eq!(placed_orders(&app).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_refuses_what_can_no_longer_be_sold_and_reserves_nothing() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let cart = ready_cart(
        &app,
        Who::Anonymous,
        &[(&shop.tee, 2), (&shop.scarf, 1)],
        "guest@example.com",
    )
    .await;
    let token = cart["token"].as_str().unwrap();
    let before = stored_order(&app, &row_of(&cart["id"])).await;
    let complete_query = complete();
    let try_complete = || {
        gql(
            &app,
            Who::Guest(token),
            &complete_query,
            json!({ "cart": cart["id"] }),
        )
    };

    // Someone else bought the scarf meanwhile: the whole checkout is refused, tees included.
    set_stock(&app, &shop.scarf, 0).await;
    let body = try_complete().await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "not enough stock left for Scarf"
    );
    assert_eq!(stock(&app, &shop.tee).await, 10);
    assert_eq!(units_sold(&app, &shop.tee_product).await, 0);
    assert_eq!(placed_orders(&app).await, 0);
    let after = stored_order(&app, &row_of(&cart["id"])).await;
    assert_eq!(after, before, "the refused checkout rolled back whole");

    // The tee lost its price: it is not sold at the one it had.
    let mut conn = app.state.db().write_conn().await.unwrap();
    let tee = shop.tee.clone();
    db_run!(conn, |c| diesel::delete(
        prices::table.filter(prices::variant_id.eq(&tee))
    )
    .execute(c)
    .await)
    .unwrap();
    drop(conn);
    let body = try_complete().await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "Tee has no price in USD any more"
    );
    assert_eq!(placed_orders(&app).await, 0);

    // The tee's product was taken off sale: refused too.
    let mut conn = app.state.db().write_conn().await.unwrap();
    let tee_product = shop.tee_product.clone();
    db_run!(conn, |c| diesel::update(products::table.find(&tee_product))
        .set(products::status.eq("draft"))
        .execute(c)
        .await)
    .unwrap();
    drop(conn);
    let body = try_complete().await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(body["errors"][0]["message"], "Tee is no longer for sale");
    assert_eq!(stock(&app, &shop.tee).await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkout_and_cancel_running_together_keep_the_stock_exact() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    set_stock(&app, &shop.tee, 100).await;
    set_stock(&app, &shop.hoodie_s, 100).await;
    set_stock(&app, &shop.scarf, 100).await;
    let baskets: [Vec<(&str, i32)>; 3] = [
        vec![(&shop.tee, 2), (&shop.hoodie_s, 1), (&shop.scarf, 3)],
        vec![(&shop.scarf, 1), (&shop.tee, 1)],
        vec![(&shop.hoodie_s, 2), (&shop.scarf, 2), (&shop.tee, 3)],
    ];
    // Six placed orders to cancel, six carts to complete meanwhile, sharing every variant.
    let mut placed = Vec::new();
    let mut carts = Vec::new();
    for i in 0..6 {
        let basket = &baskets[i % 3];
        let email = format!("shopper{i}@example.com");
        placed.push(place(&app, Who::Anonymous, basket, &email).await);
        carts.push(ready_cart(&app, Who::Anonymous, basket, &email).await);
    }
    let cancels = placed.iter().map(|order| {
        let token = order["token"].as_str().unwrap().to_owned();
        let id = order["id"].clone();
        let app = &app;
        async move { gql(app, Who::Guest(&token), &cancel(), json!({ "id": id })).await }
    });
    let completes = carts.iter().map(|cart| {
        let token = cart["token"].as_str().unwrap().to_owned();
        let id = cart["id"].clone();
        let app = &app;
        async move { gql(app, Who::Guest(&token), &complete(), json!({ "cart": id })).await }
    });
    let (canceled, completed) = futures_util::future::join(
        futures_util::future::join_all(cancels),
        futures_util::future::join_all(completes),
    )
    .await;
    for body in canceled.iter().chain(&completed) {
        assert!(body["errors"].is_null(), "{body}");
    }
    // What is out is exactly what the six live orders hold.
    let held = |variant: &str| -> i32 {
        (0..6)
            .map(|i| {
                baskets[i % 3]
                    .iter()
                    .filter(|(v, _)| *v == variant)
                    .map(|(_, q)| q)
                    .sum::<i32>()
            })
            .sum()
    };
    for variant in [&shop.tee, &shop.hoodie_s, &shop.scarf] {
        assert_eq!(stock(&app, variant).await, 100 - held(variant), "{variant}");
    }
    assert_eq!(
        units_sold(&app, &shop.tee_product).await,
        i64::from(held(&shop.tee))
    );
    assert_eq!(placed_orders(&app).await, 6);
}
