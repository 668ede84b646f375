//! Gift cards: issued by the shop (secret key only) with a code shown once and stored hashed,
//! applied by code to a cart (guests too), debited at checkout (a race on one card spends
//! exactly its balance), credited back on cancel, listed for the customer who used them with
//! the code masked; wrong, expired and used-up codes with their own errors on GraphQL and
//! Spree; attempts throttled per IP and per account.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{balance_movements, gift_cards};
use storefront::db_run;

use crate::account_support::register;
use crate::helpers::{TestApp, error_code};
use crate::order_support::{Who, cancel, gql, ok, ready_cart, secret_key, shop};
use crate::spree_support::{As, Spree};
use crate::store_credits::{complete_q, event_count, paid_fields};

const MONEY: &str = "{ amount amountInCents currency }";

fn issue_q() -> String {
    format!(
        "mutation($input: IssueGiftCardInput!) {{ issueGiftCard(input: $input) {{ code \
         giftCard {{ id code amount {MONEY} amountRemaining {MONEY} currency expiresAt expired }} }} }}"
    )
}

fn apply_q() -> String {
    format!(
        "mutation($cart: ID!, $code: String!) {{ applyGiftCard(cartId: $cart, code: $code) {{ {} }} }}",
        paid_fields()
    )
}

fn remove_q() -> String {
    format!(
        "mutation($cart: ID!) {{ removeGiftCard(cartId: $cart) {{ {} }} }}",
        paid_fields()
    )
}

/// Issues a card of `amount` USD cents; returns (id, code).
pub async fn issue(app: &TestApp, key: &str, amount: i64) -> (String, String) {
    let issued = ok(
        app,
        Who::Integrator(key),
        &issue_q(),
        json!({ "input": { "amount": amount, "currency": "USD" } }),
        "issueGiftCard",
    )
    .await;
    (
        issued["giftCard"]["id"].as_str().unwrap().to_owned(),
        issued["code"].as_str().unwrap().to_owned(),
    )
}

async fn remaining(app: &TestApp, id: &str) -> i64 {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| gift_cards::table
        .find(id)
        .select(gift_cards::remaining)
        .first(c)
        .await)
    .unwrap()
}

/// Applies a gift card by code to `cart` as `who` (must succeed).
pub async fn apply(app: &TestApp, who: Who<'_>, cart: &Value, code: &str) -> Value {
    ok(
        app,
        who,
        &apply_q(),
        json!({ "cart": cart, "code": code }),
        "applyGiftCard",
    )
    .await
}

fn cents(v: &Value) -> i64 {
    v["amountInCents"].as_i64().unwrap()
}

/// A guest cart ready to complete; returns (cart, token).
async fn guest_cart(app: &TestApp, variant: &str) -> (Value, String) {
    let cart = ready_cart(app, Who::Anonymous, &[(variant, 1)], "guest@example.com").await;
    let token = cart["token"].as_str().unwrap().to_owned();
    (cart, token)
}

#[tokio::test(flavor = "multi_thread")]
async fn issuing_needs_a_secret_key_and_keeps_only_a_hash_of_the_code() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let vars = json!({ "input": { "amount": 2000, "currency": "USD" } });
    for who in [Who::Anonymous, Who::Customer(&ada.token)] {
        let body = gql(&app, who, &issue_q(), vars.clone()).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let key = secret_key(&app).await;
    let body = gql(
        &app,
        Who::Integrator(&key),
        &issue_q(),
        json!({ "input": { "amount": -5, "currency": "US" } }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let issued = ok(
        &app,
        Who::Integrator(&key),
        &issue_q(),
        vars,
        "issueGiftCard",
    )
    .await;
    let code = issued["code"].as_str().unwrap();
    assert_eq!(code.len(), 19, "{code}");
    assert!(
        code.split('-')
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()))
    );
    assert_eq!(
        issued["giftCard"]["code"],
        format!("XXXX-XXXX-XXXX-{}", &code[15..])
    );
    assert_eq!(cents(&issued["giftCard"]["amountRemaining"]), 2000);
    let id = issued["giftCard"]["id"].as_str().unwrap();
    assert!(id.starts_with("gc_"));
    let mut conn = app.state.db().conn().await.unwrap();
    let hash: String = db_run!(conn, |c| gift_cards::table
        .find(id)
        .select(gift_cards::code_hash)
        .first(c)
        .await)
    .unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(&code.replace('-', "")));
    let ledger: Vec<(String, i64)> = db_run!(conn, |c| balance_movements::table
        .filter(balance_movements::source_id.eq(id))
        .select((balance_movements::kind, balance_movements::amount))
        .load(c)
        .await)
    .unwrap();
    assert_eq!(ledger, [("issue".to_owned(), 2000)]);
    drop(conn);
    assert_eq!(event_count(&app, "gift_card.issued").await, 1);
    // No event payload holds the code.
    let mut conn = app.state.db().conn().await.unwrap();
    let payloads: Vec<String> = db_run!(conn, |c| storefront::db::schema::events::table
        .select(storefront::db::schema::events::payload)
        .load(c)
        .await)
    .unwrap();
    let bare = code.replace('-', "");
    assert!(
        payloads
            .iter()
            .all(|p| !p.contains(code) && !p.contains(&bare))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_pays_with_a_card_and_cancel_credits_it_back() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let (card_id, code) = issue(&app, &key, 1000).await;
    let (cart, token) = guest_cart(&app, &shop.tee).await;
    let guest = Who::Guest(&token);
    let total = cents(&cart["total"]);
    // Typed loosely: lower case, spaces instead of dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let applied = ok(
        &app,
        guest,
        &apply_q(),
        json!({ "cart": cart["id"], "code": typed }),
        "applyGiftCard",
    )
    .await;
    assert_eq!(applied["payments"][0]["kind"], "GIFT_CARD");
    assert_eq!(cents(&applied["payments"][0]["amount"]), 1000);
    assert_eq!(cents(&applied["amountDue"]), total - 1000);
    let removed = ok(
        &app,
        guest,
        &remove_q(),
        json!({ "cart": cart["id"] }),
        "removeGiftCard",
    )
    .await;
    assert!(removed["payments"].as_array().unwrap().is_empty());
    ok(
        &app,
        guest,
        &apply_q(),
        json!({ "cart": cart["id"], "code": code }),
        "applyGiftCard",
    )
    .await;
    assert_eq!(remaining(&app, &card_id).await, 1000);

    let order = ok(
        &app,
        guest,
        &complete_q(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;
    assert_eq!(order["payments"][0]["state"], "CAPTURED");
    assert_eq!(cents(&order["amountDue"]), total - 1000);
    assert_eq!(remaining(&app, &card_id).await, 0);
    assert_eq!(event_count(&app, "gift_card.redeemed").await, 1);

    let spree = Spree::new(&app).await;
    let id = order["id"].as_str().unwrap();
    let seen = spree.get(&format!("/orders/{id}"), As::Guest(&token)).await;
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert_eq!(seen.body["gift_card_total"], "10.0");
    assert_eq!(seen.body["gift_card"]["id"], card_id.as_str());
    assert_eq!(seen.body["payments"][0]["source_type"], "gift_card");

    ok(&app, guest, &cancel(), json!({ "id": id }), "cancelOrder").await;
    assert_eq!(remaining(&app, &card_id).await, 1000);
    assert_eq!(event_count(&app, "gift_card.restored").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_expired_and_used_up_codes_have_their_own_errors() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let spree = Spree::new(&app).await;
    let (cart, token) = guest_cart(&app, &shop.tee).await;
    let guest = Who::Guest(&token);
    let path = format!("/carts/{}/gift_cards", cart["id"].as_str().unwrap());

    let body = gql(
        &app,
        guest,
        &apply_q(),
        json!({ "cart": cart["id"], "code": "AAAA-BBBB-CCCC-DDDD" }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(body["errors"][0]["message"], "Gift card not found");
    let reply = spree
        .post(
            &path,
            As::Guest(&token),
            json!({ "code": "not a code at all" }),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "gift_card_not_found");

    let (expired_id, expired) = issue(&app, &key, 500).await;
    let mut conn = app.state.db().conn().await.unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
    db_run!(conn, |c| diesel::update(
        gift_cards::table.find(&expired_id)
    )
    .set(gift_cards::expires_at.eq(past))
    .execute(c)
    .await)
    .unwrap();
    drop(conn);
    let body = gql(
        &app,
        guest,
        &apply_q(),
        json!({ "cart": cart["id"], "code": expired }),
    )
    .await;
    assert_eq!(error_code(&body), "GIFT_CARD_EXPIRED", "{body}");
    let reply = spree
        .post(&path, As::Guest(&token), json!({ "code": expired }))
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (422, "gift_card_expired")
    );

    // Used up by a first order.
    let (used_id, used) = issue(&app, &key, 300).await;
    let (first, first_token) = guest_cart(&app, &shop.mug).await;
    ok(
        &app,
        Who::Guest(&first_token),
        &apply_q(),
        json!({ "cart": first["id"], "code": used }),
        "applyGiftCard",
    )
    .await;
    ok(
        &app,
        Who::Guest(&first_token),
        &complete_q(),
        json!({ "cart": first["id"] }),
        "completeCart",
    )
    .await;
    assert_eq!(remaining(&app, &used_id).await, 0);
    let body = gql(
        &app,
        guest,
        &apply_q(),
        json!({ "cart": cart["id"], "code": used }),
    )
    .await;
    assert_eq!(error_code(&body), "GIFT_CARD_REDEEMED", "{body}");
    let reply = spree
        .post(&path, As::Guest(&token), json!({ "code": used }))
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (422, "gift_card_already_redeemed")
    );

    // A good one over Spree; removing another card id is not found, the right one removes it.
    let (good_id, good) = issue(&app, &key, 700).await;
    let reply = spree
        .post(&path, As::Guest(&token), json!({ "code": good }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["gift_card_total"], "7.0");
    let wrong = spree
        .delete(&format!("{path}/{used_id}"), As::Guest(&token))
        .await;
    assert_eq!(wrong.code(), "gift_card_not_found");
    let removed = spree
        .delete(&format!("{path}/{good_id}"), As::Guest(&token))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.body["gift_card_total"], "0.0");
    assert_eq!(removed.body["gift_card"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_codes_is_throttled_per_ip_and_per_account() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_GIFT_CARD_PER_IP", "4")
        .env("STOREFRONT_THROTTLE_GIFT_CARD_PER_ACCOUNT", "100")
        .spawn()
        .await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let (_, good) = issue(&app, &key, 500).await;
    let spree = Spree::new(&app).await;
    let (cart, token) = guest_cart(&app, &shop.tee).await;
    let guest = Who::Guest(&token);
    for i in 0..3 {
        let body = gql(
            &app,
            guest,
            &apply_q(),
            json!({ "cart": cart["id"], "code": format!("AAAA-BBBB-CCCC-000{i}") }),
        )
        .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    }
    // The fourth counts over Spree; the fifth is refused, even with the right code.
    let path = format!("/carts/{}/gift_cards", cart["id"].as_str().unwrap());
    let reply = spree
        .post(
            &path,
            As::Guest(&token),
            json!({ "code": "AAAA-BBBB-CCCC-0009" }),
        )
        .await;
    assert_eq!(reply.code(), "gift_card_not_found");
    let body = gql(
        &app,
        guest,
        &apply_q(),
        json!({ "cart": cart["id"], "code": good }),
    )
    .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    let reply = spree
        .post(&path, As::Guest(&token), json!({ "code": good }))
        .await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.code(), "rate_limit_exceeded");
    drop(app);

    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_GIFT_CARD_PER_IP", "100")
        .env("STOREFRONT_THROTTLE_GIFT_CARD_PER_ACCOUNT", "2")
        .spawn()
        .await;
    let goods = crate::order_support::shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    let first = ready_cart(&app, me, &[(&goods.tee, 1)], "ada@example.com").await;
    let second = ready_cart(&app, me, &[(&goods.mug, 1)], "ada@example.com").await;
    for cart in [&first, &second] {
        let body = gql(
            &app,
            me,
            &apply_q(),
            json!({ "cart": cart["id"], "code": "AAAA-BBBB-CCCC-DDDD" }),
        )
        .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    }
    // The account's count spans its carts.
    let body = gql(
        &app,
        me,
        &apply_q(),
        json!({ "cart": first["id"], "code": "AAAA-BBBB-CCCC-EEEE" }),
    )
    .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn checkouts_racing_for_one_card_spend_exactly_its_balance() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let mut carts = Vec::new();
    let mut per_cart = 0;
    for _ in 0..3 {
        let (cart, token) = guest_cart(&app, &shop.mug).await;
        per_cart = cents(&cart["total"]);
        carts.push((cart, token));
    }
    let (card_id, code) = issue(&app, &key, 2 * per_cart).await;
    for (cart, token) in &carts {
        let applied = ok(
            &app,
            Who::Guest(token),
            &apply_q(),
            json!({ "cart": cart["id"], "code": code }),
            "applyGiftCard",
        )
        .await;
        assert_eq!(cents(&applied["amountDue"]), 0);
    }
    let attempts = carts.iter().map(|(cart, token)| {
        let id = cart["id"].clone();
        let app = &app;
        async move { gql(app, Who::Guest(token), &complete_q(), json!({ "cart": id })).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let placed = results.iter().filter(|b| b["errors"].is_null()).count();
    for body in results.iter().filter(|b| !b["errors"].is_null()) {
        assert_eq!(error_code(body), "GIFT_CARD_REDEEMED", "{body}");
    }
    assert_eq!(placed, 2);
    assert_eq!(remaining(&app, &card_id).await, 0);
    assert_eq!(event_count(&app, "gift_card.redeemed").await, 2);
    for body in results.iter().filter(|b| b["errors"].is_null()) {
        assert_eq!(body["data"]["completeCart"]["paymentStatus"], "PAID");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn customers_see_the_cards_they_used_and_no_one_elses() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let (card_id, code) = issue(&app, &key, 700).await;
    let me = Who::Customer(&ada.token);
    let cart = ready_cart(&app, me, &[(&shop.tee, 1)], "ada@example.com").await;
    ok(
        &app,
        me,
        &apply_q(),
        json!({ "cart": cart["id"], "code": code }),
        "applyGiftCard",
    )
    .await;
    ok(
        &app,
        me,
        &complete_q(),
        json!({ "cart": cart["id"] }),
        "completeCart",
    )
    .await;

    let q = "{ me { giftCards { id code amountRemaining { amountInCents } expired } } }";
    let mine = ok(&app, me, q, Value::Null, "me").await;
    assert_eq!(mine["giftCards"][0]["id"], card_id.as_str());
    assert_eq!(
        mine["giftCards"][0]["code"],
        format!("XXXX-XXXX-XXXX-{}", &code[15..])
    );
    let bobs = ok(&app, Who::Customer(&bob.token), q, Value::Null, "me").await;
    assert_eq!(bobs["giftCards"], json!([]));

    let spree = Spree::new(&app).await;
    let list = spree
        .get("/customers/me/gift_cards", As::Customer(&ada.token))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    let listed = &list.body["data"][0];
    assert_eq!(listed["id"], card_id.as_str());
    assert_eq!(listed["status"], "redeemed");
    assert_eq!(listed["amount_remaining"], "0.0");
    assert_eq!(listed["active"], false);
    assert!(listed["redeemed_at"].is_string());
    assert!(
        !list.text.contains(&code[..9]),
        "the code is never shown again"
    );
    let theirs = spree
        .get(
            &format!("/customers/me/gift_cards/{card_id}"),
            As::Customer(&bob.token),
        )
        .await;
    let missing = spree
        .get(
            "/customers/me/gift_cards/gc_01JD0000000000000000000000",
            As::Customer(&bob.token),
        )
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(theirs.body, missing.body);
    assert_eq!(theirs.code(), "gift_card_not_found");
    let own = spree
        .get(
            &format!("/customers/me/gift_cards/{card_id}"),
            As::Customer(&ada.token),
        )
        .await;
    assert_eq!(own.body, *listed);
}
