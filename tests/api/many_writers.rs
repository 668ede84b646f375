//! Many writers at once on one database (issue #15, faults): 32 clients register, fill their
//! address books and check out at the same moment. On SQLite every write queues behind the one
//! writer (`db::Db::write_conn`), so none may fail with "database is locked" or any 5xx, and
//! every acknowledged write must be there afterwards. Runs on PostgreSQL too.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::order_support::{ship_to, shop};

const CLIENTS: usize = 32;
const ADDRESSES: usize = 3;

/// One request as the client would see it: a failure is kept, with its answer, for the report.
async fn call(
    app: &TestApp,
    token: Option<&str>,
    order_token: Option<&str>,
    query: &str,
    variables: Value,
    failures: &mut Vec<String>,
) -> Option<Value> {
    let mut request = app
        .request(Method::POST, "/graphql")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(order_token) = order_token {
        request = request.header("x-order-token", order_token);
    }
    let (status, body) = app.send(request).await;
    if status != StatusCode::OK || !body["errors"].is_null() {
        failures.push(format!("{status} {body}"));
        return None;
    }
    Some(body["data"].clone())
}

/// Everything one client does; returns its failures and what the server acknowledged.
async fn client(app: &TestApp, n: usize, variant: &str) -> (Vec<String>, Option<String>, usize) {
    let mut failures = Vec::new();
    let email = format!("writer-{n}@example.com");
    let Some(data) = call(
        app,
        None,
        None,
        "mutation($i: RegisterInput!) { register(input: $i) { token } }",
        json!({ "i": { "email": email, "password": "correct horse battery staple" } }),
        &mut failures,
    )
    .await
    else {
        return (failures, None, 0);
    };
    let token = data["register"]["token"].as_str().unwrap().to_owned();
    let mut addresses = 0;
    for i in 0..ADDRESSES {
        let mut input = ship_to();
        input["city"] = json!(format!("City {n}-{i}"));
        if call(
            app,
            Some(&token),
            None,
            "mutation($i: AddressInput!) { createAddress(input: $i) { id } }",
            json!({ "i": input }),
            &mut failures,
        )
        .await
        .is_some()
        {
            addresses += 1;
        }
    }
    let cart = call(
        app,
        Some(&token),
        None,
        "mutation($i: CreateCartInput) { createCart(input: $i) { id } }",
        json!({ "i": { "email": email, "items": [{ "variantId": variant, "quantity": 2 }] } }),
        &mut failures,
    )
    .await;
    let mut order = None;
    if let Some(cart) = cart {
        let id = cart["createCart"]["id"].clone();
        let updated = call(
            app,
            Some(&token),
            None,
            "mutation($c: ID!, $i: UpdateCartInput!) { updateCart(cartId: $c, input: $i) { id } }",
            json!({ "c": id, "i": { "shippingAddress": { "address": ship_to() } } }),
            &mut failures,
        )
        .await;
        if updated.is_some() {
            order = call(
                app,
                Some(&token),
                None,
                "mutation($c: ID!) { completeCart(cartId: $c) { number } }",
                json!({ "c": id }),
                &mut failures,
            )
            .await
            .map(|data| data["completeCart"]["number"].as_str().unwrap().to_owned());
        }
    }
    // What the server holds for this customer now.
    if let Some(me) = call(
        app,
        Some(&token),
        None,
        "{ me { addresses { id } orders(first: 5) { nodes { number itemCount } } } }",
        Value::Null,
        &mut failures,
    )
    .await
    {
        let stored = me["me"]["addresses"].as_array().map_or(0, Vec::len);
        if stored != addresses {
            failures.push(format!(
                "{addresses} addresses acknowledged, {stored} stored"
            ));
        }
        let orders = me["me"]["orders"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let expected: Vec<Value> = order
            .iter()
            .map(|number| json!({ "number": number, "itemCount": 2 }))
            .collect();
        if orders != expected {
            failures.push(format!(
                "orders acknowledged {expected:?}, stored {orders:?}"
            ));
        }
    }
    (failures, order, addresses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_writers_lose_nothing() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_REGISTER_PER_IP", "1000")
        .spawn()
        .await;
    // The mug's stock is not tracked: every checkout can have it.
    let mug = shop(&app).await.mug;
    let results = futures_util::future::join_all((0..CLIENTS).map(|n| client(&app, n, &mug))).await;
    let failures: Vec<String> = results.iter().flat_map(|(f, _, _)| f.clone()).collect();
    assert!(
        failures.is_empty(),
        "{} failures, the first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let orders = results.iter().filter(|(_, o, _)| o.is_some()).count();
    let addresses: usize = results.iter().map(|(_, _, a)| a).sum();
    assert_eq!((orders, addresses), (CLIENTS, CLIENTS * ADDRESSES));
}
