//! Saved payment methods: saved by the payment integration (secret key only), never a card
//! number or security code, listed by the customer without the provider's token, one default,
//! events, Medusa v1's list, and another customer's method (IDOR) over GraphQL.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use storefront::db::schema::{events, payment_methods};
use storefront::db_run;

use crate::account_support::{Signed, register};
use crate::helpers::{TestApp, error_code};
use crate::order_support::{Who, gql, ok, secret_key};

pub const CARD: &str = "id brand last4 expMonth expYear holderName isDefault \
    billingAddress { address1 city countryCode }";

pub fn save_q() -> String {
    format!(
        "mutation($input: SavePaymentMethodInput!) {{ savePaymentMethod(input: $input) {{ {CARD} }} }}"
    )
}
fn set_default_q() -> String {
    format!("mutation($id: ID!) {{ setDefaultPaymentMethod(id: $id) {{ {CARD} }} }}")
}
const DELETE: &str = "mutation($id: ID!) { deletePaymentMethod(id: $id) }";
fn mine_q() -> String {
    format!("{{ me {{ paymentMethods {{ {CARD} }} }} }}")
}

/// A valid tokenized card for `customer_id`.
pub fn card(customer_id: &str, token: &str, last4: &str) -> Value {
    json!({
        "customerId": customer_id, "provider": "stripe", "providerToken": token,
        "brand": "Visa", "last4": last4, "expMonth": 12, "expYear": 2099,
        "holderName": "Ada Lovelace",
        "billingAddress": { "address1": "350 Fifth Avenue", "city": "New York",
            "countryCode": "US", "provinceCode": "NY", "postalCode": "10118" },
    })
}

/// Saves a card with the secret key `key`; returns it.
pub async fn save(app: &TestApp, key: &str, input: Value) -> Value {
    ok(
        app,
        Who::Integrator(key),
        &save_q(),
        json!({ "input": input }),
        "savePaymentMethod",
    )
    .await
}

async fn mine(app: &TestApp, who: &Signed) -> Vec<Value> {
    let me = ok(app, Who::Customer(&who.token), &mine_q(), Value::Null, "me").await;
    me["paymentMethods"].as_array().unwrap().clone()
}

async fn stored(app: &TestApp) -> Vec<(String, String, bool)> {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| payment_methods::table
        .order(payment_methods::id)
        .select((
            payment_methods::id,
            payment_methods::customer_id,
            payment_methods::is_default
        ))
        .load(c)
        .await)
    .unwrap()
}

async fn event_count(app: &TestApp, kind: &str) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| events::table
        .filter(events::event_type.eq(kind))
        .count()
        .get_result(c)
        .await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_integrator_saves_and_the_customer_lists_sets_default_and_deletes() {
    let app = TestApp::spawn().await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;

    let first = save(&app, &key, card(&ada.customer_id, "pm_1AAA", "4242")).await;
    assert_eq!(first["brand"], "visa");
    assert_eq!(first["isDefault"], true, "the first method is the default");
    assert_eq!(first["billingAddress"]["city"], "New York");
    let second = save(&app, &key, card(&ada.customer_id, "pm_1BBB", "4444")).await;
    assert_eq!(second["isDefault"], false);
    let mut third_input = card(&ada.customer_id, "pm_1CCC", "0005");
    third_input["makeDefault"] = json!(true);
    third_input["billingAddress"] = Value::Null;
    let third = save(&app, &key, third_input).await;
    assert_eq!(third["isDefault"], true);

    let listed = mine(&app, &ada).await;
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["id"], third["id"], "the default first");
    assert_eq!(listed.iter().filter(|m| m["isDefault"] == true).count(), 1);

    // The provider token is not part of the customer's type at all.
    let body = gql(
        &app,
        Who::Customer(&ada.token),
        "{ me { paymentMethods { providerToken } } }",
        Value::Null,
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("providerToken"),
        "{body}"
    );
    // Nor of the integrator's answer, nor of any response body.
    let listed_text = mine(&app, &ada)
        .await
        .iter()
        .map(Value::to_string)
        .collect::<String>();
    assert!(!listed_text.contains("pm_1"), "{listed_text}");

    let now = ok(
        &app,
        Who::Customer(&ada.token),
        &set_default_q(),
        json!({ "id": first["id"] }),
        "setDefaultPaymentMethod",
    )
    .await;
    assert_eq!(now["isDefault"], true);
    let listed = mine(&app, &ada).await;
    assert_eq!(listed[0]["id"], first["id"]);
    assert_eq!(listed.iter().filter(|m| m["isDefault"] == true).count(), 1);

    // Deleting the default promotes the most recently saved remaining method.
    let body = gql(
        &app,
        Who::Customer(&ada.token),
        DELETE,
        json!({ "id": first["id"] }),
    )
    .await;
    assert_eq!(body["data"]["deletePaymentMethod"], first["id"]);
    let listed = mine(&app, &ada).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], third["id"]);
    assert_eq!(listed[0]["isDefault"], true);

    // The same provider token twice is a conflict.
    let body = gql(
        &app,
        Who::Integrator(&key),
        &save_q(),
        json!({ "input": card(&ada.customer_id, "pm_1BBB", "4444") }),
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");

    assert_eq!(event_count(&app, "payment_method.saved").await, 3);
    assert_eq!(event_count(&app, "payment_method.deleted").await, 1);
    // set default (first), and the promotion after the delete.
    assert_eq!(event_count(&app, "payment_method.default_changed").await, 2);
    let payloads: Vec<String> = {
        let mut conn = app.state.db().conn().await.unwrap();
        db_run!(conn, |c| events::table
            .filter(events::event_type.like("payment_method.%"))
            .order(events::event_id)
            .select(events::payload)
            .load(c)
            .await)
        .unwrap()
    };
    assert_eq!(payloads.len(), 6);
    assert!(payloads.iter().all(|p| !p.contains("pm_1")), "{payloads:?}");
    assert!(payloads[0].contains("\"last4\":\"4242\""), "{payloads:?}");

    // Medusa v1 lists them, without the token.
    let (_, pk) = storefront::store::api_keys::create(
        &app.state.store,
        storefront::store::api_keys::KeyKind::Publishable,
        "Medusa",
    )
    .await
    .unwrap();
    let (status, body) = app
        .send(
            app.request(Method::GET, "/store/customers/me/payment-methods")
                .header("x-publishable-api-key", pk.expose())
                .bearer_auth(&ada.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let methods = body["payment_methods"].as_array().unwrap();
    assert_eq!(methods.len(), 2);
    assert_eq!(methods[0]["provider_id"], "stripe");
    assert_eq!(methods[0]["data"]["id"], third["id"]);
    assert_eq!(methods[0]["data"]["last4"], "0005");
    assert_eq!(methods[0]["data"]["is_default"], true);
    assert!(!body.to_string().contains("pm_1"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_secret_key_saves_a_method() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let input = json!({ "input": card(&ada.customer_id, "pm_1AAA", "4242") });
    let body = gql(&app, Who::Customer(&ada.token), &save_q(), input.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = gql(&app, Who::Anonymous, &save_q(), input.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = gql(
        &app,
        Who::Integrator("sk_not_a_key"),
        &save_q(),
        input.clone(),
    )
    .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let key = secret_key(&app).await;
    let body = gql(&app, Who::IntegratorBearer(&key), &save_q(), input).await;
    assert!(body["errors"].is_null(), "{body}");
    // An unknown customer.
    let body = gql(
        &app,
        Who::Integrator(&key),
        &save_q(),
        json!({ "input": card("cus_01JD0000000000000000000000", "pm_x", "4242") }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(stored(&app).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_numbers_and_security_codes_are_refused() {
    let app = TestApp::spawn().await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let base = card(&ada.customer_id, "pm_1AAA", "4242");
    let with = |path: &[&str], value: Value| {
        let mut input = base.clone();
        let mut target = &mut input;
        for p in &path[..path.len() - 1] {
            target = &mut target[*p];
        }
        target[path[path.len() - 1]] = value;
        input
    };
    let cases = [
        (
            with(&["providerToken"], json!("4242424242424242")),
            "providerToken",
        ),
        (
            with(&["providerToken"], json!("tok_4242 4242 4242 4242")),
            "providerToken",
        ),
        (
            with(&["holderName"], json!("5555-5555-5555-4444")),
            "holderName",
        ),
        (with(&["brand"], json!("amex 378282246310005")), "brand"),
        (with(&["provider"], json!("6011111111111117")), "provider"),
        (
            with(
                &["billingAddress", "address2"],
                json!("4000 0566 5566 5556"),
            ),
            "billingAddress.address2",
        ),
        (with(&["number"], json!("4242424242424242")), "number"),
        (with(&["number"], json!("")), "number"),
        (with(&["cvc"], json!("123")), "cvc"),
        (with(&["cvv"], json!("123")), "cvv"),
    ];
    for (input, field) in cases {
        let body = gql(
            &app,
            Who::Integrator(&key),
            &save_q(),
            json!({ "input": input }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
        let fields = body["errors"][0]["extensions"]["fields"]
            .as_array()
            .unwrap();
        assert!(
            fields.iter().any(|f| f["field"] == field),
            "{field}: {body}"
        );
        // The refused value is never echoed back.
        assert!(!body.to_string().contains("4242424242424242"), "{body}");
    }
    // Other bad input.
    for (input, field) in [
        (with(&["last4"], json!("42")), "last4"),
        (with(&["expMonth"], json!(13)), "expMonth"),
        (with(&["expYear"], json!(2001)), "expYear"),
        (with(&["provider"], json!(" ")), "provider"),
    ] {
        let body = gql(
            &app,
            Who::Integrator(&key),
            &save_q(),
            json!({ "input": input }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
        let fields = body["errors"][0]["extensions"]["fields"]
            .as_array()
            .unwrap();
        assert!(
            fields.iter().any(|f| f["field"] == field),
            "{field}: {body}"
        );
    }
    // A token with a long digit run that is not a card number is fine.
    let body = gql(
        &app,
        Who::Integrator(&key),
        &save_q(),
        json!({ "input": with(&["providerToken"], json!("pm_4242424242424241")) }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(stored(&app).await.len(), 1);
    assert_eq!(event_count(&app, "payment_method.saved").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_customers_method_is_answered_as_missing() {
    let app = TestApp::spawn().await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let bobs = save(&app, &key, card(&bob.customer_id, "pm_bob", "1111")).await;
    save(&app, &key, card(&ada.customer_id, "pm_ada", "2222")).await;
    let before = stored(&app).await;
    let missing = "card_01JD0000000000000000000000";
    for query in [set_default_q(), DELETE.to_owned()] {
        let a = gql(
            &app,
            Who::Customer(&ada.token),
            &query,
            json!({ "id": bobs["id"] }),
        )
        .await;
        let b = gql(
            &app,
            Who::Customer(&ada.token),
            &query,
            json!({ "id": missing }),
        )
        .await;
        assert_eq!(error_code(&a), "NOT_FOUND", "{a}");
        assert_eq!(a["errors"][0]["message"], b["errors"][0]["message"]);
        assert_eq!(a["errors"][0]["extensions"], b["errors"][0]["extensions"]);
        assert_eq!(a["data"], b["data"]);
    }
    assert_eq!(stored(&app).await, before, "nothing changed");
    assert_eq!(mine(&app, &ada).await.len(), 1);
    let body = gql(&app, Who::Anonymous, DELETE, json!({ "id": bobs["id"] })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}
