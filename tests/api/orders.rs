//! Placed orders over GraphQL: history with filters and pages, `order` by id or number for the
//! owner or a guest with the token, cancelation, the integrator operations and their events,
//! snapshots that outlive address and catalogue edits, and guest orders joining an account.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{line_items, products};
use storefront::db_run;

use crate::account_support::{PASSWORD, REGISTER, register, signed_in};
use crate::helpers::{TestApp, error_code};
use crate::order_support::{
    Who, cancel, complete, create_address, create_cart, fulfil, gql, mark_paid, ok, order_events,
    order_query, place, secret_key, shop, stock, update_cart,
};

const HISTORY: &str = "query($first: Int, $after: String, $filter: OrderFilter) { me { \
    orders(first: $first, after: $after, filter: $filter) { totalCount \
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } \
    edges { cursor node { number } } nodes { number status paymentStatus fulfillmentStatus } } } }";

fn numbers(connection: &Value) -> Vec<String> {
    connection["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap().to_owned())
        .collect()
}

async fn history(app: &TestApp, token: &str, vars: Value) -> Value {
    let me = ok(app, Who::Customer(token), HISTORY, vars, "me").await;
    me["orders"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_history_is_newest_first_paged_and_filtered() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let mut placed = Vec::new();
    for _ in 0..4 {
        let order = place(&app, me, &[(&shop.mug, 1)], "ada@example.com").await;
        placed.push(order["number"].as_str().unwrap().to_owned());
    }
    // An open cart is not an order.
    ok(&app, me, &create_cart(), Value::Null, "createCart").await;
    // Another customer's orders are not listed.
    let bob = register(&app, "bob@example.com").await;
    place(
        &app,
        Who::Customer(&bob.token),
        &[(&shop.mug, 1)],
        "bob@example.com",
    )
    .await;

    let newest_first: Vec<String> = placed.iter().rev().cloned().collect();
    let all = history(&app, &ada.token, json!({})).await;
    assert_eq!(numbers(&all), newest_first);
    assert_eq!(all["totalCount"], 4);
    assert_eq!(all["pageInfo"]["hasNextPage"], false);

    let page1 = history(&app, &ada.token, json!({ "first": 3 })).await;
    assert_eq!(numbers(&page1), newest_first[..3]);
    assert_eq!(page1["pageInfo"]["hasNextPage"], true);
    assert_eq!(page1["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(page1["pageInfo"]["endCursor"], page1["edges"][2]["cursor"]);
    let page2 = history(
        &app,
        &ada.token,
        json!({ "first": 3, "after": page1["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(numbers(&page2), newest_first[3..]);
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);
    assert_eq!(page2["pageInfo"]["hasPreviousPage"], true);

    // One paid, one fulfilled after payment, one canceled.
    let office = Who::Integrator(&key);
    let order_id = |number: &str| {
        let vars = json!({ "number": number });
        let app = &app;
        async move { json!({ "id": ok(app, me, &order_query(), vars, "order").await["id"] }) }
    };
    let first = order_id(&placed[0]).await;
    ok(&app, office, &mark_paid(), first, "markOrderPaid").await;
    let second = order_id(&placed[1]).await;
    ok(&app, office, &mark_paid(), second.clone(), "markOrderPaid").await;
    ok(&app, office, &fulfil(), second, "fulfillOrder").await;
    let third = order_id(&placed[2]).await;
    ok(&app, me, &cancel(), third, "cancelOrder").await;

    let filtered = |filter: Value| {
        let app = &app;
        let token = ada.token.clone();
        async move { history(app, &token, json!({ "filter": filter })).await }
    };
    let canceled = filtered(json!({ "status": "CANCELED" })).await;
    assert_eq!(numbers(&canceled), [placed[2].clone()]);
    assert_eq!(canceled["totalCount"], 1);
    assert_eq!(canceled["nodes"][0]["paymentStatus"], "VOID");
    assert_eq!(canceled["nodes"][0]["fulfillmentStatus"], "CANCELED");
    let placed_only = filtered(json!({ "status": "PLACED" })).await;
    assert_eq!(placed_only["totalCount"], 3);
    let paid = filtered(json!({ "paymentStatus": "PAID" })).await;
    assert_eq!(numbers(&paid), [placed[1].clone(), placed[0].clone()]);
    let due = filtered(json!({ "paymentStatus": "BALANCE_DUE" })).await;
    assert_eq!(numbers(&due), [placed[3].clone()]);
    let unfulfilled = filtered(json!({ "fulfillmentStatus": "UNFULFILLED" })).await;
    assert_eq!(
        numbers(&unfulfilled),
        [placed[3].clone(), placed[0].clone()]
    );
    let both = filtered(json!({ "status": "PLACED", "paymentStatus": "PAID",
        "fulfillmentStatus": "FULFILLED" }))
    .await;
    assert_eq!(numbers(&both), [placed[1].clone()]);
    assert_eq!(both["totalCount"], 1);

    // A forged cursor and an oversized page are refused.
    let body = gql(&app, me, HISTORY, json!({ "after": "bm9wZQ" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = gql(&app, me, HISTORY, json!({ "first": 101 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_open_by_id_or_number_for_the_owner_and_the_guest_with_its_token() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let mine = place(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.tee, 1)],
        "ada@example.com",
    )
    .await;
    let number = mine["number"].as_str().unwrap();
    let ada_sees = Who::Customer(&ada.token);
    for vars in [
        json!({ "id": mine["id"] }),
        json!({ "number": number }),
        json!({ "number": number.to_lowercase() }),
    ] {
        let order = ok(&app, ada_sees, &order_query(), vars.clone(), "order").await;
        assert_eq!(order, mine, "{vars}");
        for other in [Who::Customer(&bob.token), Who::Anonymous] {
            let order = ok(&app, other, &order_query(), vars.clone(), "order").await;
            assert_eq!(order, Value::Null, "{vars} {other:?}");
        }
    }
    let body = gql(&app, ada_sees, &order_query(), json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = gql(
        &app,
        ada_sees,
        &order_query(),
        json!({ "id": mine["id"], "number": number }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // A cart id is not an order.
    let cart = ok(&app, ada_sees, &create_cart(), Value::Null, "createCart").await;
    let order = ok(
        &app,
        ada_sees,
        &order_query(),
        json!({ "id": cart["id"] }),
        "order",
    )
    .await;
    assert_eq!(order, Value::Null);

    let guest = place(&app, Who::Anonymous, &[(&shop.tee, 1)], "guest@example.com").await;
    let token = guest["token"].as_str().unwrap();
    let by_id = json!({ "id": guest["id"] });
    let order = ok(
        &app,
        Who::Guest(token),
        &order_query(),
        by_id.clone(),
        "order",
    )
    .await;
    assert_eq!(order, guest);
    let order = ok(
        &app,
        Who::Anonymous,
        &order_query(),
        json!({ "number": guest["number"], "token": token }),
        "order",
    )
    .await;
    assert_eq!(order["id"], guest["id"]);
    for who in [
        Who::Anonymous,
        Who::Guest("wrong"),
        Who::Customer(&ada.token),
    ] {
        let order = ok(&app, who, &order_query(), by_id.clone(), "order").await;
        assert_eq!(order, Value::Null, "{who:?}");
    }
    // One order's token opens no other.
    let order = ok(
        &app,
        Who::Guest(token),
        &order_query(),
        json!({ "id": mine["id"] }),
        "order",
    )
    .await;
    assert_eq!(order, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_cancel_by_the_owner_restocks_and_voids_the_balance() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let order = place(
        &app,
        me,
        &[(&shop.tee, 4), (&shop.mug, 1)],
        "ada@example.com",
    )
    .await;
    assert_eq!(stock(&app, &shop.tee).await, 6);
    let id = order["id"].as_str().unwrap();
    let canceled = ok(&app, me, &cancel(), json!({ "id": id }), "cancelOrder").await;
    assert_eq!(canceled["status"], "CANCELED");
    assert_eq!(canceled["paymentStatus"], "VOID");
    assert_eq!(canceled["fulfillmentStatus"], "CANCELED");
    assert!(canceled["canceledAt"].is_string());
    assert_eq!(canceled["number"], order["number"]);
    assert_eq!(
        canceled["total"], order["total"],
        "the record keeps its totals"
    );
    assert_eq!(stock(&app, &shop.tee).await, 10, "the stock is back");
    assert_eq!(stock(&app, &shop.mug).await, 0, "untracked stays untracked");
    let events = order_events(&app, id).await;
    assert_eq!(
        events.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["order.placed", "order.canceled"]
    );
    assert_eq!(events[1].1["canceled_by"], "customer");
    assert_eq!(events[1].1["refund_due"], 0);

    let body = gql(&app, me, &cancel(), json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "the order is already canceled"
    );
    assert_eq!(
        stock(&app, &shop.tee).await,
        10,
        "a second cancel restocks nothing"
    );
    let key = secret_key(&app).await;
    let body = gql(
        &app,
        Who::Integrator(&key),
        &mark_paid(),
        json!({ "id": id }),
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");

    // A guest cancels with the token; a stranger cannot.
    let guest = place(
        &app,
        Who::Anonymous,
        &[(&shop.scarf, 1)],
        "guest@example.com",
    )
    .await;
    let body = gql(
        &app,
        Who::Anonymous,
        &cancel(),
        json!({ "id": guest["id"] }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = gql(&app, me, &cancel(), json!({ "id": guest["id"] })).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(stock(&app, &shop.scarf).await, 0);
    let token = guest["token"].as_str().unwrap();
    let canceled = ok(
        &app,
        Who::Guest(token),
        &cancel(),
        json!({ "id": guest["id"] }),
        "cancelOrder",
    )
    .await;
    assert_eq!(canceled["status"], "CANCELED");
    assert_eq!(stock(&app, &shop.scarf).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_integrators_mark_paid_fulfil_and_cancel_with_events() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let order = place(&app, me, &[(&shop.tee, 2)], "ada@example.com").await;
    let id = order["id"].as_str().unwrap();

    // Customers and guests cannot; an unknown key is not a key.
    for (query, field) in [(mark_paid(), "markOrderPaid"), (fulfil(), "fulfillOrder")] {
        let body = gql(&app, me, &query, json!({ "id": id })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{field}: {body}");
        let body = gql(
            &app,
            Who::Integrator("sk_not_a_key"),
            &query,
            json!({ "id": id }),
        )
        .await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{field}: {body}");
    }
    let body = gql(
        &app,
        Who::Integrator(&key),
        &mark_paid(),
        json!({ "id": "or_01JD0000000000000000000000" }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    let integrator = Who::Integrator(&key);
    let paid = ok(
        &app,
        integrator,
        &mark_paid(),
        json!({ "id": id }),
        "markOrderPaid",
    )
    .await;
    assert_eq!(paid["paymentStatus"], "PAID");
    assert_eq!(paid["fulfillmentStatus"], "UNFULFILLED");
    assert!(paid["paidAt"].is_string());
    assert_eq!(
        paid["token"],
        Value::Null,
        "an integrator is shown no token"
    );
    let body = gql(&app, integrator, &mark_paid(), json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");

    let body = gql(
        &app,
        integrator,
        &fulfil(),
        json!({ "id": id, "tracking": "x".repeat(101) }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // `Authorization: Bearer sk_...` works as well as the header.
    let tracking = json!({ "id": id, "tracking": " 1Z999AA10123456784 " });
    let body = gql(&app, Who::IntegratorBearer(&key), &fulfil(), tracking).await;
    assert!(body["errors"].is_null(), "{body}");
    let sent = &body["data"]["fulfillOrder"];
    assert_eq!(sent["fulfillmentStatus"], "FULFILLED");
    assert_eq!(sent["trackingNumber"], "1Z999AA10123456784");
    assert!(sent["fulfilledAt"].is_string());
    let body = gql(&app, integrator, &fulfil(), json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let body = gql(&app, me, &cancel(), json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "a fulfilled order cannot be canceled"
    );
    assert_eq!(stock(&app, &shop.tee).await, 8);

    let events = order_events(&app, id).await;
    assert_eq!(
        events.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["order.placed", "order.paid", "order.fulfilled"]
    );
    assert_eq!(events[1].1["amount"], 4500);
    assert_eq!(events[2].1["tracking_number"], "1Z999AA10123456784");

    // An integrator cancels a paid, unfulfilled order: it stays paid and a refund is due.
    let second = place(&app, me, &[(&shop.tee, 1)], "ada@example.com").await;
    let second_id = second["id"].as_str().unwrap();
    ok(
        &app,
        integrator,
        &mark_paid(),
        json!({ "id": second_id }),
        "markOrderPaid",
    )
    .await;
    let canceled = ok(
        &app,
        integrator,
        &cancel(),
        json!({ "id": second_id }),
        "cancelOrder",
    )
    .await;
    assert_eq!(canceled["status"], "CANCELED");
    assert_eq!(canceled["paymentStatus"], "PAID");
    let events = order_events(&app, second_id).await;
    assert_eq!(events[2].0, "order.canceled");
    assert_eq!(events[2].1["canceled_by"], "integrator");
    assert_eq!(events[2].1["refund_due"], 2500);
    assert_eq!(stock(&app, &shop.tee).await, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_keep_their_snapshots_after_address_and_catalogue_edits() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let home = create_address(
        &app,
        me,
        json!({ "firstName": "Ada", "lastName": "Lovelace", "address1": "12 St James's Square",
            "city": "London", "countryCode": "GB", "postalCode": "SW1Y 4LB" }),
    )
    .await;
    let cart = ok(
        &app,
        me,
        &create_cart(),
        json!({ "input": { "items": [{ "variantId": shop.hoodie_s, "quantity": 1 }] } }),
        "createCart",
    )
    .await;
    ok(
        &app,
        me,
        &update_cart(),
        json!({ "cart": cart["id"], "input": { "shippingAddress": { "addressId": home } } }),
        "updateCart",
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
    assert_eq!(order["shippingAddress"]["address1"], "12 St James's Square");
    assert_eq!(order["lineItems"][0]["options"], "Size: S");

    ok(
        &app,
        me,
        "mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { id } }",
        json!({ "id": home, "input": { "address1": "1 New Street", "city": "Leeds",
            "countryCode": "GB" } }),
        "updateAddress",
    )
    .await;
    let mut conn = app.state.db().write_conn().await.unwrap();
    let product = shop.tee_product.clone();
    let hoodie = shop.hoodie_s.clone();
    db_run!(conn, |c| diesel::update(
        products::table.filter(products::id.ne(&product))
    )
    .set(products::name.eq("Renamed"))
    .execute(c)
    .await)
    .unwrap();
    let lines: i64 = db_run!(conn, |c| line_items::table
        .filter(line_items::variant_id.eq(&hoodie))
        .count()
        .get_result(c)
        .await)
    .unwrap();
    assert_eq!(lines, 1);
    drop(conn);
    let read = ok(
        &app,
        me,
        &order_query(),
        json!({ "id": order["id"] }),
        "order",
    )
    .await;
    assert_eq!(read["shippingAddress"], order["shippingAddress"]);
    assert_eq!(
        read["lineItems"][0]["name"], "Hoodie",
        "the name when it was sold"
    );
    assert_eq!(
        read["lineItems"][0]["product"]["name"], "Renamed",
        "the product as it is now"
    );

    ok(
        &app,
        me,
        "mutation($id: ID!) { deleteAddress(id: $id) }",
        json!({ "id": home }),
        "deleteAddress",
    )
    .await;
    let read = ok(
        &app,
        me,
        &order_query(),
        json!({ "id": order["id"] }),
        "order",
    )
    .await;
    assert_eq!(read["shippingAddress"], order["shippingAddress"]);
    assert_eq!(read["billingAddress"], order["shippingAddress"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_of_a_guest_join_the_account_that_proves_them() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let history_of = |token: String| {
        let app = &app;
        async move { numbers(&history(app, &token, json!({})).await) }
    };

    // Placed as a guest before any account had the email: only the guest holding the order
    // token may claim it, by signing up with that token at hand.
    let first = place(&app, Who::Anonymous, &[(&shop.mug, 1)], "Grace@Example.com").await;
    let other = place(&app, Who::Anonymous, &[(&shop.mug, 1)], "grace@example.com").await;
    let token = first["token"].as_str().unwrap();
    let sign_up = json!({ "input": { "email": "grace@example.com", "password": PASSWORD } });
    let body = gql(&app, Who::Guest(token), REGISTER, sign_up).await;
    assert!(body["errors"].is_null(), "{body}");
    let grace = body["data"]["register"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        history_of(grace.clone()).await,
        [first["number"].as_str().unwrap()]
    );

    // Signing up with the email of someone else's guest order does not reveal it.
    place(
        &app,
        Who::Anonymous,
        &[(&shop.mug, 1)],
        "victim@example.com",
    )
    .await;
    let mallory = register(&app, "victim@example.com").await;
    assert!(history_of(mallory.token).await.is_empty());
    let mallory = signed_in(&app, "victim@example.com", PASSWORD).await;
    assert!(history_of(mallory.token).await.is_empty());

    // Placed signed out while the account already existed: the account's on next sign-in.
    let later = place(&app, Who::Anonymous, &[(&shop.mug, 1)], "grace@example.com").await;
    assert_eq!(
        history_of(grace.clone()).await.len(),
        1,
        "not before signing in"
    );
    let again = signed_in(&app, "grace@example.com", PASSWORD).await;
    let got = history_of(again.token.clone()).await;
    assert_eq!(
        got,
        [
            later["number"].as_str().unwrap(),
            first["number"].as_str().unwrap()
        ]
    );
    assert!(!got.contains(&other["number"].as_str().unwrap().to_owned()));
    // The guest token still opens the joined order.
    let read = ok(
        &app,
        Who::Guest(token),
        &order_query(),
        json!({ "id": first["id"] }),
        "order",
    )
    .await;
    assert_eq!(read["id"], first["id"]);
}
