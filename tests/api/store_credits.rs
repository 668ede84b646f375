//! Store credits: granted by the shop (secret key only), listed by the customer, applied to a
//! cart (all or an amount, same currency, unexpired), taken at checkout with a conditional
//! update (a race on one credit spends exactly its balance, never more), given back on cancel,
//! every movement in the ledger and the events; another customer's credit answers as a missing
//! id; the Spree routes and order fields.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{balance_movements, events, order_payments, store_credits};
use storefront::db_run;

use crate::account_support::{Signed, register};
use crate::helpers::{TestApp, error_code};
use crate::order_support::{Who, cancel, gql, ok, ready_cart, secret_key, shop};
use crate::spree_support::{As, Spree};

const MONEY: &str = "{ amount amountInCents currency }";

fn credit_fields() -> String {
    format!(
        "id amount {MONEY} amountUsed {MONEY} amountRemaining {MONEY} currency reason \
         expiresAt expired"
    )
}

pub fn grant_q() -> String {
    format!(
        "mutation($input: GrantStoreCreditInput!) {{ grantStoreCredit(input: $input) {{ {} }} }}",
        credit_fields()
    )
}

pub fn paid_fields() -> String {
    format!(
        "id total {MONEY} amountDue {MONEY} payments {{ id kind state sourceId amount {MONEY} }}"
    )
}

fn apply_q() -> String {
    format!(
        "mutation($cart: ID!, $amount: Int, $credit: ID) {{ applyStoreCredit(cartId: $cart, \
         amount: $amount, storeCreditId: $credit) {{ {} }} }}",
        paid_fields()
    )
}

fn remove_q() -> String {
    format!(
        "mutation($cart: ID!) {{ removeStoreCredit(cartId: $cart) {{ {} }} }}",
        paid_fields()
    )
}

pub fn complete_q() -> String {
    format!(
        "mutation($cart: ID!) {{ completeCart(cartId: $cart) {{ status paymentStatus {} }} }}",
        paid_fields()
    )
}

fn cart_q() -> String {
    format!(
        "query($id: ID!) {{ cart(id: $id) {{ {} }} }}",
        paid_fields()
    )
}

/// Grants `amount` minor units of `currency` to `customer_id`; returns the credit.
pub async fn grant(
    app: &TestApp,
    key: &str,
    customer_id: &str,
    amount: i64,
    currency: &str,
) -> Value {
    ok(
        app,
        Who::Integrator(key),
        &grant_q(),
        json!({ "input": { "customerId": customer_id, "amount": amount, "currency": currency,
            "reason": "Sorry for the late parcel" } }),
        "grantStoreCredit",
    )
    .await
}

async fn credits(app: &TestApp, who: &Signed) -> Vec<Value> {
    let q = format!("{{ me {{ storeCredits {{ {} }} }} }}", credit_fields());
    let me = ok(app, Who::Customer(&who.token), &q, Value::Null, "me").await;
    me["storeCredits"].as_array().unwrap().clone()
}

async fn remaining(app: &TestApp, id: &str) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| store_credits::table
        .find(id)
        .select(store_credits::remaining)
        .first(c)
        .await)
    .unwrap()
}

async fn ledger(app: &TestApp, id: &str) -> Vec<(String, i64)> {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| balance_movements::table
        .filter(balance_movements::source_id.eq(id))
        .order((balance_movements::created_at, balance_movements::id))
        .select((balance_movements::kind, balance_movements::amount))
        .load(c)
        .await)
    .unwrap()
}

pub async fn event_count(app: &TestApp, kind: &str) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| events::table
        .filter(events::event_type.eq(kind))
        .count()
        .get_result(c)
        .await)
    .unwrap()
}

pub async fn payment_rows(app: &TestApp) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| order_payments::table.count().get_result(c).await).unwrap()
}

fn cents(v: &Value) -> i64 {
    v["amountInCents"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn granting_needs_a_secret_key_and_valid_input() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let vars = json!({ "input": { "customerId": ada.customer_id, "amount": 1000,
        "currency": "USD", "reason": "Welcome" } });
    for who in [Who::Anonymous, Who::Customer(&ada.token)] {
        let body = gql(&app, who, &grant_q(), vars.clone()).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let body = gql(
        &app,
        Who::Integrator("sk_not_a_key"),
        &grant_q(),
        vars.clone(),
    )
    .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    assert!(credits(&app, &ada).await.is_empty());

    let key = secret_key(&app).await;
    let bad = json!({ "input": { "customerId": ada.customer_id, "amount": 0,
        "currency": "dollars", "reason": " ", "expiresAt": "2001-01-01T00:00:00Z" } });
    let body = gql(&app, Who::Integrator(&key), &grant_q(), bad).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let fields: Vec<&str> = body["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["amount", "expiresAt", "currency", "reason"]);
    let nobody = json!({ "input": { "customerId": "cus_01JD0000000000000000000000",
        "amount": 100, "currency": "USD", "reason": "x" } });
    let body = gql(&app, Who::Integrator(&key), &grant_q(), nobody).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    let credit = ok(
        &app,
        Who::Integrator(&key),
        &grant_q(),
        vars,
        "grantStoreCredit",
    )
    .await;
    assert_eq!(cents(&credit["amount"]), 1000);
    assert_eq!(cents(&credit["amountRemaining"]), 1000);
    assert_eq!(credit["reason"], "Welcome");
    assert_eq!(credit["expired"], false);
    let listed = credits(&app, &ada).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], credit["id"]);
    let id = credit["id"].as_str().unwrap();
    assert!(id.starts_with("credit_"));
    assert_eq!(ledger(&app, id).await, [("grant".to_owned(), 1000)]);
    assert_eq!(event_count(&app, "store_credit.granted").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn credit_pays_part_of_a_cart_and_cancel_gives_it_back() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let credit = grant(&app, &key, &ada.customer_id, 1000, "USD").await;
    let credit_id = credit["id"].as_str().unwrap();
    let me = Who::Customer(&ada.token);
    let cart = ready_cart(&app, me, &[(&shop.tee, 1)], "ada@example.com").await;
    let total = cents(&cart["total"]);

    let applied = ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"], "amount": 600 }),
        "applyStoreCredit",
    )
    .await;
    assert_eq!(cents(&applied["amountDue"]), total - 600);
    assert_eq!(applied["payments"][0]["kind"], "STORE_CREDIT");
    assert_eq!(applied["payments"][0]["state"], "APPLIED");
    assert_eq!(applied["payments"][0]["sourceId"], credit["id"]);
    assert_eq!(cents(&applied["payments"][0]["amount"]), 600);
    // Nothing is taken before checkout.
    assert_eq!(remaining(&app, credit_id).await, 1000);
    // Removing and applying again (all: capped at what the cart owes and the balance).
    let removed = ok(
        &app,
        me,
        &remove_q(),
        json!({ "cart": cart["id"] }),
        "removeStoreCredit",
    )
    .await;
    assert_eq!(cents(&removed["amountDue"]), total);
    assert!(removed["payments"].as_array().unwrap().is_empty());
    let applied = ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"] }),
        "applyStoreCredit",
    )
    .await;
    assert_eq!(cents(&applied["payments"][0]["amount"]), 1000.min(total));
    let applied = ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"], "amount": 600 }),
        "applyStoreCredit",
    )
    .await;
    assert_eq!(
        applied["payments"].as_array().unwrap().len(),
        1,
        "applying again replaces"
    );

    let order = ok(
        &app,
        me,
        &complete_q(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;
    assert_eq!(order["paymentStatus"], "BALANCE_DUE");
    assert_eq!(cents(&order["amountDue"]), total - 600);
    assert_eq!(order["payments"][0]["state"], "CAPTURED");
    assert_eq!(cents(&order["payments"][0]["amount"]), 600);
    assert_eq!(remaining(&app, credit_id).await, 400);
    let listed = credits(&app, &ada).await;
    assert_eq!(cents(&listed[0]["amountRemaining"]), 400);
    assert_eq!(cents(&listed[0]["amountUsed"]), 600);
    assert_eq!(event_count(&app, "store_credit.debited").await, 1);

    // Spree shows how the order was paid.
    let spree = Spree::new(&app).await;
    let id = order["id"].as_str().unwrap();
    let seen = spree
        .get(
            &format!("/customers/me/orders/{id}"),
            As::Customer(&ada.token),
        )
        .await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["store_credit_total"], "6.0");
    assert_eq!(seen.body["display_store_credit_total"], "$6.00");
    assert_eq!(seen.body["gift_card_total"], "0.0");
    assert_eq!(seen.body["covered_by_store_credit"], false);
    assert_eq!(seen.body["payments"][0]["source_type"], "store_credit");
    assert_eq!(seen.body["payments"][0]["source_id"], credit["id"]);
    assert_eq!(seen.body["payments"][0]["status"], "completed");
    assert_eq!(seen.body["payments"][0]["amount"], "6.0");

    let canceled = ok(&app, me, &cancel(), json!({ "id": id }), "cancelOrder").await;
    assert_eq!(canceled["status"], "CANCELED");
    assert_eq!(remaining(&app, credit_id).await, 1000);
    assert_eq!(
        ledger(&app, credit_id).await,
        [
            ("grant".to_owned(), 1000),
            ("debit".to_owned(), -600),
            ("restore".to_owned(), 600)
        ]
    );
    assert_eq!(event_count(&app, "store_credit.restored").await, 1);
    let q = format!(
        "query($id: ID) {{ order(id: $id) {{ {} }} }}",
        paid_fields()
    );
    let after = ok(&app, me, &q, json!({ "id": id }), "order").await;
    assert_eq!(after["payments"][0]["state"], "RESTORED");
    assert_eq!(cents(&after["amountDue"]), 0);
    // Cancelling twice gives nothing back twice.
    let body = gql(&app, me, &cancel(), json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!(remaining(&app, credit_id).await, 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cart_covered_by_credit_completes_paid_with_nothing_due() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    // Two credits: the one expiring first is used first.
    let later = grant(&app, &key, &ada.customer_id, 100_000, "USD").await;
    let soon = ok(
        &app,
        Who::Integrator(&key),
        &grant_q(),
        json!({ "input": { "customerId": ada.customer_id, "amount": 1000, "currency": "USD",
            "reason": "Promo", "expiresAt": "2099-01-01T00:00:00Z" } }),
        "grantStoreCredit",
    )
    .await;
    let me = Who::Customer(&ada.token);
    let cart = ready_cart(&app, me, &[(&shop.tee, 1)], "ada@example.com").await;
    let total = cents(&cart["total"]);
    let applied = ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"] }),
        "applyStoreCredit",
    )
    .await;
    assert_eq!(cents(&applied["amountDue"]), 0);
    let sources: Vec<&Value> = applied["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["sourceId"])
        .collect();
    assert_eq!(sources, [&soon["id"], &later["id"]]);

    let spree = Spree::new(&app).await;
    let cart_seen = spree
        .get(
            &format!("/carts/{}", cart["id"].as_str().unwrap()),
            As::Customer(&ada.token),
        )
        .await;
    assert_eq!(cart_seen.body["amount_due"], "0.0", "{}", cart_seen.text);
    assert_eq!(cart_seen.body["covered_by_store_credit"], true);

    let order = ok(
        &app,
        me,
        &complete_q(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;
    assert_eq!(order["paymentStatus"], "PAID");
    assert_eq!(cents(&order["amountDue"]), 0);
    let spent: i64 = order["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| cents(&p["amount"]))
        .sum();
    assert_eq!(spent, total);
    assert_eq!(remaining(&app, soon["id"].as_str().unwrap()).await, 0);
    assert_eq!(event_count(&app, "order.paid").await, 1);
    let id = order["id"].as_str().unwrap();
    let seen = spree
        .get(
            &format!("/customers/me/orders/{id}"),
            As::Customer(&ada.token),
        )
        .await;
    assert_eq!(seen.body["amount_due"], "0.0");
    assert_eq!(seen.body["payment_status"], "paid");
    assert_eq!(seen.body["covered_by_store_credit"], true);
    // Cancelling gives all back; nothing was paid otherwise, so no refund is due.
    ok(&app, me, &cancel(), json!({ "id": id }), "cancelOrder").await;
    assert_eq!(remaining(&app, soon["id"].as_str().unwrap()).await, 1000);
    assert_eq!(
        remaining(&app, later["id"].as_str().unwrap()).await,
        100_000
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn credit_must_match_the_currency_be_unexpired_and_cover_the_amount() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let cart = ready_cart(&app, me, &[(&shop.tee, 1)], "ada@example.com").await;
    let apply = |vars: Value| {
        let app = &app;
        async move { gql(app, me, &apply_q(), vars).await }
    };
    // None at all.
    let body = apply(json!({ "cart": cart["id"] })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    // Another currency.
    let euros = grant(&app, &key, &ada.customer_id, 5000, "EUR").await;
    let body = apply(json!({ "cart": cart["id"] })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let body = apply(json!({ "cart": cart["id"], "credit": euros["id"] })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // More than there is; not a positive amount; not signed in.
    let dollars = grant(&app, &key, &ada.customer_id, 500, "USD").await;
    let body = apply(json!({ "cart": cart["id"], "amount": 501 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = apply(json!({ "cart": cart["id"], "amount": 0 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = gql(
        &app,
        Who::Anonymous,
        &apply_q(),
        json!({ "cart": cart["id"] }),
    )
    .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");

    // Applied, then expired before checkout: the checkout fails, the cart stays open.
    let dollars_id = dollars["id"].as_str().unwrap();
    ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"], "amount": 300 }),
        "applyStoreCredit",
    )
    .await;
    let mut conn = app.state.db().conn().await.unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
    db_run!(conn, |c| diesel::update(
        store_credits::table.find(dollars_id)
    )
    .set(store_credits::expires_at.eq(past))
    .execute(c)
    .await)
    .unwrap();
    drop(conn);
    let body = gql(&app, me, &complete_q(), json!({ "cart": cart["id"] })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    let still = ok(&app, me, &cart_q(), json!({ "id": cart["id"] }), "cart").await;
    assert_eq!(still["payments"][0]["state"], "APPLIED");
    assert_eq!(remaining(&app, dollars_id).await, 500);
    assert_eq!(event_count(&app, "order.placed").await, 0);
    // Applying an expired credit by id is refused; listing says it expired.
    let body = apply(json!({ "cart": cart["id"], "credit": dollars["id"] })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let listed = credits(&app, &ada).await;
    assert!(
        listed
            .iter()
            .any(|c| c["id"] == dollars["id"] && c["expired"] == true)
    );
    // Without the credit the cart completes.
    ok(
        &app,
        me,
        &remove_q(),
        json!({ "cart": cart["id"] }),
        "removeStoreCredit",
    )
    .await;
    let order = ok(
        &app,
        me,
        &complete_q(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;
    assert!(order["payments"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkouts_racing_for_one_credit_spend_exactly_its_balance() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let credit = grant(&app, &key, &ada.customer_id, 1000, "USD").await;
    let credit_id = credit["id"].as_str().unwrap().to_owned();
    let me = Who::Customer(&ada.token);
    let mut carts = Vec::new();
    for _ in 0..3 {
        let cart = ready_cart(&app, me, &[(&shop.mug, 1)], "ada@example.com").await;
        ok(
            &app,
            me,
            &apply_q(),
            json!({ "cart": cart["id"], "amount": 500 }),
            "applyStoreCredit",
        )
        .await;
        carts.push(cart);
    }
    let attempts = carts.iter().map(|cart| {
        let id = cart["id"].clone();
        let app = &app;
        async move { gql(app, me, &complete_q(), json!({ "cart": id })).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let (mut placed, mut refused) = (0, 0);
    for body in &results {
        if body["errors"].is_null() {
            placed += 1;
        } else {
            assert_eq!(error_code(body), "CONFLICT", "{body}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("store credit")
            );
            refused += 1;
        }
    }
    assert_eq!((placed, refused), (2, 1));
    assert_eq!(remaining(&app, &credit_id).await, 0);
    let debits: i64 = ledger(&app, &credit_id)
        .await
        .iter()
        .filter(|(k, _)| k == "debit")
        .map(|(_, a)| a)
        .sum();
    assert_eq!(debits, -1000);
    // The loser's cart is still a cart, its credit still applied, nothing half-written.
    let open = carts.iter().find(|c| {
        results
            .iter()
            .zip(carts.iter())
            .any(|(r, cc)| cc["id"] == c["id"] && !r["errors"].is_null())
    });
    let open = open.unwrap();
    let still = ok(&app, me, &cart_q(), json!({ "id": open["id"] }), "cart").await;
    assert_eq!(still["payments"][0]["state"], "APPLIED");
    assert_eq!(event_count(&app, "order.placed").await, 2);
    assert_eq!(event_count(&app, "store_credit.debited").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_customers_credit_answers_as_a_missing_one() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let adas = grant(&app, &key, &ada.customer_id, 1000, "USD").await;
    let adas_id = adas["id"].as_str().unwrap();
    let bobs_cart = ready_cart(
        &app,
        Who::Customer(&bob.token),
        &[(&shop.tee, 1)],
        "bob@example.com",
    )
    .await;
    let adas_cart = ready_cart(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.tee, 1)],
        "ada@example.com",
    )
    .await;

    // Bob names Ada's credit on his cart: as a missing id.
    let theirs = gql(
        &app,
        Who::Customer(&bob.token),
        &apply_q(),
        json!({ "cart": bobs_cart["id"], "credit": adas_id }),
    )
    .await;
    let missing = gql(
        &app,
        Who::Customer(&bob.token),
        &apply_q(),
        json!({ "cart": bobs_cart["id"], "credit": "credit_01JD0000000000000000000000" }),
    )
    .await;
    assert_eq!(error_code(&theirs), "NOT_FOUND");
    assert_eq!(
        theirs["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
    // Ada applies her credit to Bob's cart, or removes from it: Bob's cart is not found.
    for q in [apply_q(), remove_q()] {
        let body = gql(
            &app,
            Who::Customer(&ada.token),
            &q,
            json!({ "cart": bobs_cart["id"] }),
        )
        .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    }
    // Bob cannot remove Ada's applied credit either.
    ok(
        &app,
        Who::Customer(&ada.token),
        &apply_q(),
        json!({ "cart": adas_cart["id"] }),
        "applyStoreCredit",
    )
    .await;
    let body = gql(
        &app,
        Who::Customer(&bob.token),
        &remove_q(),
        json!({ "cart": adas_cart["id"] }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    assert_eq!(remaining(&app, adas_id).await, 1000);
    assert!(credits(&app, &bob).await.is_empty());
    assert_eq!(payment_rows(&app).await, 1, "only Ada's own application");

    // Spree: Bob reading Ada's credit gets what a missing id gets.
    let spree = Spree::new(&app).await;
    let theirs = spree
        .get(
            &format!("/customers/me/store_credits/{adas_id}"),
            As::Customer(&bob.token),
        )
        .await;
    let missing = spree
        .get(
            "/customers/me/store_credits/credit_01JD0000000000000000000000",
            As::Customer(&bob.token),
        )
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(theirs.body, missing.body);
    assert_eq!(theirs.code(), "record_not_found");
    let list = spree
        .get("/customers/me/store_credits", As::Customer(&bob.token))
        .await;
    assert_eq!(list.body["data"], json!([]));
    let body = spree
        .post(
            &format!("/carts/{}/store_credits", bobs_cart["id"].as_str().unwrap()),
            As::Customer(&ada.token),
            json!({}),
        )
        .await;
    assert_eq!(body.status, 404);
    assert_eq!(body.code(), "cart_not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn spree_lists_applies_and_removes_store_credit() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let credit = grant(&app, &key, &ada.customer_id, 1250, "USD").await;
    let spree = Spree::new(&app).await;
    let jwt = As::Customer(&ada.token);

    let list = spree.get("/customers/me/store_credits", jwt).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let id = credit["id"].as_str().unwrap();
    assert_eq!(
        list.body["data"][0],
        json!({ "id": id, "currency": "USD", "amount": "12.5", "display_amount": "$12.50",
            "amount_used": "0.0", "display_amount_used": "$0.00", "amount_remaining": "12.5",
            "display_amount_remaining": "$12.50", "reason": "Sorry for the late parcel",
            "expires_at": null })
    );
    assert_eq!(list.body["meta"]["count"], 1);
    let one = spree
        .get(&format!("/customers/me/store_credits/{id}"), jwt)
        .await;
    assert_eq!(one.body, list.body["data"][0]);
    let me = spree.get("/customers/me", jwt).await;
    assert_eq!(me.body["available_store_credit_total"], "12.5");
    let anonymous = spree
        .get("/customers/me/store_credits", As::Anonymous)
        .await;
    assert_eq!(anonymous.status, 401);

    let cart = ready_cart(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.tee, 1)],
        "ada@example.com",
    )
    .await;
    let cart_id = cart["id"].as_str().unwrap();
    let path = format!("/carts/{cart_id}/store_credits");
    let applied = spree.post(&path, jwt, json!({ "amount": "5.00" })).await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.body["store_credit_total"], "5.0");
    assert_eq!(applied.body["payments"][0]["source_type"], "store_credit");
    assert_eq!(applied.body["payments"][0]["status"], "checkout");
    let all = spree.post(&path, jwt, json!({})).await;
    assert_eq!(all.body["store_credit_total"], "12.5");
    let bad = spree.post(&path, jwt, json!({ "amount": "lots" })).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.code(), "validation_error");
    let guest = spree.post(&path, As::Anonymous, json!({})).await;
    assert_eq!(guest.status, 401);
    let removed = spree.delete(&path, jwt).await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.body["store_credit_total"], "0.0");
    assert_eq!(removed.body["amount_due"], removed.body["total"]);
}

/// Deleting the account keeps the credits and their ledgers (ids and amounts: the shop owes
/// them) but erases the reasons the shop wrote, drops the open cart's applied payments, and
/// no credit can be granted to the deleted account.
#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_account_leaves_no_personal_data_in_credits() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let credit = grant(&app, &key, &ada.customer_id, 1000, "USD").await;
    let me = Who::Customer(&ada.token);
    let cart = ready_cart(&app, me, &[(&shop.tee, 1)], "ada@example.com").await;
    ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"] }),
        "applyStoreCredit",
    )
    .await;
    let body = gql(
        &app,
        me,
        "mutation($p: String!) { deleteAccount(currentPassword: $p) }",
        json!({ "p": crate::account_support::PASSWORD }),
    )
    .await;
    assert_eq!(body["data"]["deleteAccount"], true, "{body}");
    let id = credit["id"].as_str().unwrap();
    let mut conn = app.state.db().conn().await.unwrap();
    let reason: String = db_run!(conn, |c| store_credits::table
        .find(id)
        .select(store_credits::reason)
        .first(c)
        .await)
    .unwrap();
    drop(conn);
    assert_eq!(reason, "");
    assert_eq!(remaining(&app, id).await, 1000);
    assert_eq!(ledger(&app, id).await, [("grant".to_owned(), 1000)]);
    assert_eq!(
        payment_rows(&app).await,
        0,
        "the open cart went with its payments"
    );
    let body = gql(
        &app,
        Who::Integrator(&key),
        &grant_q(),
        json!({ "input": { "customerId": ada.customer_id, "amount": 5, "currency": "USD",
            "reason": "x" } }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}
