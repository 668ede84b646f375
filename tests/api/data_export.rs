//! Data export: a signed-in customer gets a single-use, expiring link by mail; the page it
//! opens spends nothing; the file holds every kind of data we keep about them and nothing of
//! anyone else, and no secret.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::account_support::{PASSWORD, register, signed_in};
use crate::helpers::{TestApp, error_code};
use crate::lifecycle_support::{app_with_sink, no_errors, nth_mail};
use crate::order_support::{Who, create_address, place, shop};

const REQUEST: &str = "mutation { requestDataExport }";

async fn download(app: &TestApp, token: &str) -> (StatusCode, String) {
    let response = app
        .client
        .post(app.url("/account/data-export"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_holds_everything_of_the_customer_and_nothing_of_others() {
    let (app, sink) = app_with_sink(&[]).await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let second = signed_in(&app, "ada@example.com", PASSWORD).await;
    create_address(
        &app,
        Who::Customer(&ada.token),
        json!({ "firstName": "Ada", "lastName": "Lovelace", "address1": "12 St James Square",
                "city": "London", "postalCode": "SW1Y 4JH", "countryCode": "GB",
                "phone": "+44 20 7946 0000" }),
    )
    .await;
    let order = place(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.mug, 2)],
        "ada@example.com",
    )
    .await;
    let list = crate::wishlists::create(&app, &ada, json!({ "name": "Birthday" })).await;
    crate::order_support::ok(
        &app,
        Who::Customer(&ada.token),
        &crate::wishlists::add_q(),
        json!({ "w": list["id"], "v": shop.poster, "q": 3 }),
        "addWishlistItem",
    )
    .await;
    let key = crate::order_support::secret_key(&app).await;
    crate::payment_methods::save(
        &app,
        &key,
        crate::payment_methods::card(&ada.customer_id, "tok_ada_secret_ref", "4242"),
    )
    .await;
    // Store credit, and a gift card applied to an open cart.
    let adas_credit = crate::store_credits::grant(&app, &key, &ada.customer_id, 1500, "USD").await;
    let (adas_card, adas_code) = crate::gift_cards::issue(&app, &key, 400).await;
    let open = crate::order_support::ready_cart(
        &app,
        Who::Customer(&ada.token),
        &[(&shop.mug, 1)],
        "ada@example.com",
    )
    .await;
    crate::gift_cards::apply(&app, Who::Customer(&ada.token), &open["id"], &adas_code).await;
    // Someone else's data, which must not appear.
    let bob = register(&app, "bob@example.com").await;
    create_address(
        &app,
        Who::Customer(&bob.token),
        json!({ "firstName": "Robert", "lastName": "Tables", "address1": "99 Other Road",
                "city": "Leeds", "countryCode": "GB", "phone": "+44 113 496 0999" }),
    )
    .await;
    let bobs = place(
        &app,
        Who::Customer(&bob.token),
        &[(&shop.tee, 1)],
        "bob@example.com",
    )
    .await;

    crate::wishlists::create(&app, &bob, json!({ "name": "Bobs secret list" })).await;
    crate::payment_methods::save(
        &app,
        &key,
        crate::payment_methods::card(&bob.customer_id, "tok_bob_ref", "1881"),
    )
    .await;
    let bobs_credit = crate::order_support::ok(
        &app,
        Who::Integrator(&key),
        &crate::store_credits::grant_q(),
        json!({ "input": { "customerId": bob.customer_id, "amount": 999, "currency": "USD",
            "reason": "Bobs private reason" } }),
        "grantStoreCredit",
    )
    .await;
    let (bobs_card, bobs_code) = crate::gift_cards::issue(&app, &key, 300).await;
    let bobs_cart = crate::order_support::ready_cart(
        &app,
        Who::Customer(&bob.token),
        &[(&shop.mug, 1)],
        "bob@example.com",
    )
    .await;
    crate::gift_cards::apply(
        &app,
        Who::Customer(&bob.token),
        &bobs_cart["id"],
        &bobs_code,
    )
    .await;
    assert_eq!(
        error_code(&app.graphql(REQUEST, Value::Null).await),
        "UNAUTHENTICATED"
    );
    let body = app.graphql_as(Some(&ada.token), REQUEST, Value::Null).await;
    assert_eq!(
        body,
        json!({ "data": { "requestDataExport":
            "A link to download your data is on its way to your email address." } })
    );
    let mail = nth_mail(&sink, "Your data from", "ada@example.com", 1).await;
    let token = mail.token();
    assert!(mail.text().contains(&format!(
        "http://127.0.0.1:8080/account/data-export?token={token}"
    )));

    // Opening the link shows a button; it does not spend the token.
    for _ in 0..2 {
        let page = app
            .client
            .get(app.url(&format!("/account/data-export?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()["cache-control"], "no-store");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("method=\"post\"") && html.contains(&token),
            "{html}"
        );
    }

    let (status, text) = download(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format_version"], 1);
    assert_eq!(file["customer"]["email"], "ada@example.com");
    assert_eq!(file["customer"]["first_name"], "Ada");
    assert_eq!(file["consents"], json!({ "email_marketing": false }));
    assert_eq!(file["logins"][0]["provider"], "emailpass");
    assert_eq!(file["addresses"][0]["address1"], "12 St James Square");
    assert_eq!(file["addresses"][0]["phone"], "+44 20 7946 0000");
    assert_eq!(file["orders"].as_array().unwrap().len(), 1);
    assert_eq!(file["orders"][0]["number"], order["number"]);
    assert_eq!(file["orders"][0]["line_items"][0]["quantity"], 2);
    assert_eq!(file["orders"][0]["shipping_address"]["city"], "Arlington");
    assert_eq!(file["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(
        file["wishlists"].as_array().unwrap().len(),
        1,
        "{}",
        file["wishlists"]
    );
    assert_eq!(file["wishlists"][0]["name"], "Birthday");
    assert_eq!(
        file["wishlists"][0]["items"][0]["variant_id"],
        json!(shop.poster)
    );
    assert_eq!(file["wishlists"][0]["items"][0]["quantity"], 3);
    assert_eq!(file["payment_methods"].as_array().unwrap().len(), 1);
    assert_eq!(file["payment_methods"][0]["last4"], "4242");
    assert_eq!(
        file["payment_methods"][0]["billing_address"]["city"],
        "New York"
    );
    assert_eq!(file["sessions"][0]["ip"], "127.0.0.1");
    assert_eq!(
        file["store_credits"],
        json!([{ "id": adas_credit["id"], "currency": "USD", "amount": 1500, "remaining": 1500,
            "reason": "Sorry for the late parcel", "expires_at": null,
            "created_at": file["store_credits"][0]["created_at"],
            "movements": [{ "kind": "grant", "amount": 1500, "order_id": null,
                "at": file["store_credits"][0]["movements"][0]["at"] }] }])
    );
    assert_eq!(file["gift_cards"].as_array().unwrap().len(), 1);
    assert_eq!(file["gift_cards"][0]["id"], adas_card.as_str());
    assert_eq!(
        file["gift_cards"][0]["code"],
        format!("XXXX-XXXX-XXXX-{}", &adas_code[15..])
    );
    assert_eq!(file["gift_cards"][0]["remaining"], 400);
    assert_eq!(
        file["gift_cards"][0]["movements"],
        json!([]),
        "the card's issue is the shop's, not the customer's"
    );
    let activity: Vec<&str> = file["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert!(activity.contains(&"customer.created") && activity.contains(&"order.placed"));
    let kinds: Vec<&str> = file["mail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"email_verification") && kinds.contains(&"data_export"),
        "{kinds:?}"
    );

    // Nothing of Bob's, and no secret: tokens, their hashes, the password hash.
    for absent in [
        "bob@example.com",
        "Robert",
        "Bobs secret list",
        "1881",
        "tok_ada_secret_ref",
        "99 Other Road",
        "Bobs private reason",
        bobs_credit["id"].as_str().unwrap(),
        &bobs_card,
        &bobs_code,
        &adas_code,
        &adas_code.replace('-', ""),
        "+44 113 496 0999",
        bobs["number"].as_str().unwrap(),
        &ada.refresh,
        &second.refresh,
        &storefront::store::tokens::hash(&ada.refresh),
        &token,
        "argon2",
    ] {
        assert!(!text.contains(absent), "`{absent}` is in the export");
    }

    // Single use.
    let (status, _) = download(&app, &token).await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _) = download(&app, "made-up").await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_links_expire_and_requests_are_throttled() {
    let (app, sink) = app_with_sink(&[("STOREFRONT_DATA_EXPORT_TTL", "1")]).await;
    let ada = register(&app, "ada@example.com").await;
    no_errors(&app.graphql_as(Some(&ada.token), REQUEST, Value::Null).await);
    let token = nth_mail(&sink, "Your data from", "ada@example.com", 1)
        .await
        .token();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (status, _) = download(&app, &token).await;
    assert_eq!(status, StatusCode::GONE);

    let mut last = Value::Null;
    for _ in 0..3 {
        last = app.graphql_as(Some(&ada.token), REQUEST, Value::Null).await;
    }
    assert_eq!(error_code(&last), "RATE_LIMITED", "{last}");
}
