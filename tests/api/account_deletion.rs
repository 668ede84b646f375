//! Account deletion: with the current password every session ends at once, the personal data
//! is gone from every table of the database, placed orders stay with anonymised snapshots,
//! `customer.deleted` is recorded, and the email can register again.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{customers, events, orders};
use storefront::db_run;

use crate::account_support::{PASSWORD, me, refresh, register, signed_in};
use crate::helpers::error_code;
use crate::lifecycle_support::{
    app_with_sink, found_in_database, no_errors, nth_mail, verification_token,
};
use crate::order_support::{Who, create_address, ok, place, ready_cart, shop};
use crate::spree_support::{As, Spree};

const DELETE: &str = "mutation($p: String!) { deleteAccount(currentPassword: $p) }";
const UPDATE: &str = "mutation($input: UpdateCustomerInput!) { updateMe(input: $input) { id } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_ends_sessions_erases_personal_data_and_keeps_anonymised_orders() {
    let (app, sink) = app_with_sink(&[]).await;
    let shop = shop(&app).await;
    // Before the account: a guest order with the email (it joins once the email is verified).
    let guest = place(
        &app,
        Who::Anonymous,
        &[(&shop.mug, 1)],
        "zelda.quux@example.com",
    )
    .await;
    let ada = register(&app, "zelda.quux@example.com").await;
    let token = verification_token(&sink, "zelda.quux@example.com", 1).await;
    no_errors(
        &app.graphql(
            "mutation($t: String!) { verifyEmail(token: $t) }",
            json!({ "t": token }),
        )
        .await,
    );
    no_errors(
        &app.graphql_as(
            Some(&ada.token),
            UPDATE,
            json!({ "input": { "firstName": "Zelda", "lastName": "Quuxington",
                               "phone": "+1 555 867 5309", "company": "Quuxcorp" } }),
        )
        .await,
    );
    create_address(
        &app,
        Who::Customer(&ada.token),
        json!({ "firstName": "Zelda", "lastName": "Quuxington", "address1": "42 Wallaby Way",
                "city": "Sydney", "countryCode": "AU", "phone": "+61 2 5550 1234" }),
    )
    .await;
    let mut placed = ready_cart(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.tee, 1)],
        "zelda.quux@example.com",
    )
    .await;
    // The order's own snapshot carries her name and phone.
    placed = ok(
        &app,
        Who::Customer(&ada.token),
        &crate::order_support::update_cart(),
        json!({ "cart": placed["id"], "input": { "shippingAddress": { "address": {
            "firstName": "Zelda", "lastName": "Quuxington", "address1": "42 Wallaby Way",
            "city": "Arlington", "postalCode": "22202", "countryCode": "US", "provinceCode": "VA",
            "phone": "+61 2 5550 1234" } } } }),
        "updateCart",
    )
    .await;
    let order = ok(
        &app,
        Who::Customer(&ada.token),
        &crate::order_support::complete(),
        json!({ "cart": placed["id"] }),
        "completeCart",
    )
    .await;
    // An open cart and a Spree session too.
    ready_cart(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.mug, 1)],
        "zelda.quux@example.com",
    )
    .await;
    let spree = Spree::new(&app).await;
    let spree_login = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "zelda.quux@example.com", "password": PASSWORD }),
        )
        .await;
    let spree_token = spree_login.body["token"].as_str().unwrap().to_owned();
    let other = signed_in(&app, "zelda.quux@example.com", PASSWORD).await;
    // Someone else, untouched by it all.
    let bob = register(&app, "bob@example.com").await;

    // A wrong password changes nothing.
    let body = app
        .graphql_as(Some(&ada.token), DELETE, json!({ "p": "not the password" }))
        .await;
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    assert!(me(&app, &other.token).await["errors"].is_null());

    let body = app
        .graphql_as(Some(&ada.token), DELETE, json!({ "p": PASSWORD }))
        .await;
    assert_eq!(body, json!({ "data": { "deleteAccount": true } }));

    // Every session ended at once, on every surface.
    for token in [&ada.token, &other.token] {
        assert_eq!(error_code(&me(&app, token).await), "UNAUTHENTICATED");
    }
    assert_eq!(
        error_code(&refresh(&app, &ada.refresh).await),
        "INVALID_TOKEN"
    );
    let r = spree.get("/customers/me", As::Customer(&spree_token)).await;
    assert_eq!(r.status, reqwest::StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(
        error_code(&crate::account_support::login(&app, "zelda.quux@example.com", PASSWORD).await),
        "INVALID_CREDENTIALS"
    );

    // The last mail leaves, then nothing in any table names her.
    nth_mail(
        &sink,
        "Your Storefront Demo account was deleted",
        "zelda.quux@example.com",
        1,
    )
    .await;
    let mut found = Vec::new();
    for _ in 0..50 {
        found.clear();
        for needle in [
            "zelda.quux@example.com",
            "Zelda",
            "Quuxington",
            "Quuxcorp",
            "555 867 5309",
            "5550 1234",
            "Wallaby",
        ] {
            for place in found_in_database(&app, needle).await {
                found.push(format!("{needle} in {place}"));
            }
        }
        if found.is_empty() {
            break;
        }
        // The outbox forgets the last mail's address right after it is recorded as sent.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found.is_empty(), "personal data left: {found:?}");

    // Her orders stay for the books, anonymised: the tax jurisdiction and the amounts remain.
    let mut conn = app.state.db().conn().await.unwrap();
    let kept: Vec<(String, Option<String>, Option<String>, i64)> = db_run!(conn, |c| orders::table
        .filter(orders::customer_id.eq(&ada.customer_id))
        .order(orders::created_at)
        .select((
            orders::id,
            orders::email,
            orders::shipping_address,
            orders::total
        ))
        .load(c)
        .await)
    .unwrap();
    let ids: Vec<&str> = kept.iter().map(|k| k.0.as_str()).collect();
    assert_eq!(
        ids,
        [guest["id"].as_str().unwrap(), order["id"].as_str().unwrap()]
    );
    let placeholder = format!("deleted+{}@erased.invalid", ada.customer_id.to_lowercase());
    for (_, email, address, total) in &kept {
        assert_eq!(email.as_deref(), Some(placeholder.as_str()));
        assert!(*total > 0);
        let address: Value = serde_json::from_str(address.as_deref().unwrap()).unwrap();
        assert_eq!(address["country_code"], "US");
        assert_eq!(address["province_code"], "VA");
        assert_eq!(address["first_name"], Value::Null);
        assert_eq!(address["address1"], "");
        assert_eq!(address["phone"], Value::Null);
    }
    let carts: i64 = db_run!(conn, |c| orders::table
        .filter(orders::customer_id.eq(&ada.customer_id))
        .filter(orders::state.eq("cart"))
        .count()
        .get_result(c)
        .await)
    .unwrap();
    assert_eq!(carts, 0);
    let tombstone: (String, bool, Option<chrono::NaiveDateTime>) =
        db_run!(conn, |c| customers::table
            .find(&ada.customer_id)
            .select((
                customers::email,
                customers::has_account,
                customers::deleted_at
            ))
            .first(c)
            .await)
        .unwrap();
    assert_eq!(tombstone.0, placeholder);
    assert!(!tombstone.1 && tombstone.2.is_some());
    let deleted: Vec<String> = db_run!(conn, |c| events::table
        .filter(events::event_type.eq("customer.deleted"))
        .select(events::payload)
        .load(c)
        .await)
    .unwrap();
    drop(conn);
    assert_eq!(deleted.len(), 1);
    let payload: Value = serde_json::from_str(&deleted[0]).unwrap();
    assert_eq!(payload, json!({ "id": ada.customer_id, "orders_kept": 2 }));

    // Bob is untouched (his events too), and the email registers again as a new account.
    assert!(me(&app, &bob.token).await["errors"].is_null());
    let mut conn = app.state.db().conn().await.unwrap();
    let bobs: Vec<String> = db_run!(conn, |c| events::table
        .filter(events::customer_id.eq(&bob.customer_id))
        .select(events::payload)
        .load(c)
        .await)
    .unwrap();
    drop(conn);
    assert!(
        bobs.iter().any(|p| p.contains("bob@example.com")),
        "{bobs:?}"
    );
    let again = register(&app, "zelda.quux@example.com").await;
    assert_ne!(again.customer_id, ada.customer_id);
    let body = app
        .graphql_as(
            Some(&again.token),
            "{ me { orders(first: 5) { totalCount } } }",
            Value::Null,
        )
        .await;
    assert_eq!(body["data"]["me"]["orders"]["totalCount"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_needs_a_signed_in_customer_and_the_password() {
    let (app, _sink) = app_with_sink(&[]).await;
    let body = app.graphql(DELETE, json!({ "p": PASSWORD })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let ada = register(&app, "ada@example.com").await;
    let body = app
        .graphql_as(Some(&ada.token), DELETE, json!({ "p": "" }))
        .await;
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    assert!(me(&app, &ada.token).await["errors"].is_null());
}
