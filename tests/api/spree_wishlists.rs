//! Spree Store API: `/wishlists` with its items, a shared list by token (signed out) and a
//! private one refused, `/customers/me/credit_cards`, and another customer's wishlist, item or
//! card: 404 exactly like a missing id, nothing changed.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::order_support::{Who, gql, secret_key, shop};
use crate::payment_methods::{card, save_q};
use crate::spree_support::{As, Spree};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spree_wishlists_and_their_items() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let me = As::Customer(&ada.token);

    let r = spree.get("/wishlists", As::Anonymous).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "authentication_required")
    );

    let r = spree
        .post("/wishlists", me, json!({ "name": "Birthday" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mut keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["id", "is_default", "is_private", "name", "token"],
        "{}",
        r.text
    );
    assert_eq!(r.body["is_default"], true);
    assert_eq!(r.body["is_private"], true);
    let w = r.body["id"].as_str().unwrap().to_owned();
    assert!(w.starts_with("wl_"), "{w}");
    let token = r.body["token"].as_str().unwrap().to_owned();

    let r = spree.post("/wishlists", me, json!({})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error")
    );
    assert_eq!(r.body["error"]["details"]["name"][0], "can't be blank");

    let r = spree
        .post(
            &format!("/wishlists/{w}/items"),
            me,
            json!({ "variant_id": shop.tee, "quantity": 2 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["quantity"], 2);
    assert_eq!(r.body["wishlist_id"], w.as_str());
    assert_eq!(r.body["variant_id"], shop.tee.as_str());
    assert_eq!(r.body["product_id"], shop.tee_product.as_str());
    assert_eq!(r.body["available"], true);
    assert_eq!(r.body["variant"]["id"], shop.tee.as_str());
    assert_eq!(r.body["variant"]["price"]["amount"], "20.0");
    let item = r.body["id"].as_str().unwrap().to_owned();
    assert!(item.starts_with("wi_"));
    let r = spree
        .post(
            &format!("/wishlists/{w}/items"),
            me,
            json!({ "variant_id": shop.tee }),
        )
        .await;
    assert_eq!(r.body["id"], item.as_str(), "the same item");
    assert_eq!(r.body["quantity"], 3);
    let r = spree
        .patch(
            &format!("/wishlists/{w}/items/{item}"),
            me,
            json!({ "quantity": 7 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["quantity"], 7);
    let r = spree
        .patch(
            &format!("/wishlists/{w}/items/{item}"),
            me,
            json!({ "quantity": 0 }),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error")
    );

    let r = spree.get(&format!("/wishlists/{w}"), me).await;
    assert!(r.body.get("items").is_none(), "items only when expanded");
    let r = spree.get(&format!("/wishlists/{w}?expand=items"), me).await;
    assert_eq!(r.body["items"][0]["id"], item.as_str());
    let r = spree.get("/wishlists?expand=items", me).await;
    assert_eq!(r.body["meta"]["count"], 1);
    assert_eq!(r.body["data"][0]["items"][0]["quantity"], 7);

    // By token: private refused (404 like a missing list), shared readable signed out.
    let r = spree
        .get(&format!("/wishlists/{token}"), As::Anonymous)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "record_not_found")
    );
    let r = spree
        .patch(
            &format!("/wishlists/{w}"),
            me,
            json!({ "is_private": false, "name": "Birthday 40" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["is_private"], false);
    let r = spree
        .get(&format!("/wishlists/{token}?expand=items"), As::Anonymous)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Birthday 40");
    assert_eq!(r.body["items"][0]["quantity"], 7);
    // The key is still required.
    let r = spree.get(&format!("/wishlists/{token}"), As::NoKey).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = spree
        .delete(&format!("/wishlists/{w}/items/{item}"), me)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = spree.delete(&format!("/wishlists/{w}"), me).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = spree.get(&format!("/wishlists/{w}"), me).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "record_not_found")
    );
    assert_eq!(r.body["error"]["message"], "Wishlist not found");
    let r = spree
        .get(&format!("/wishlists/{token}"), As::Anonymous)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a deleted list's token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spree_another_customers_wishlist_item_or_card_is_missing() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let bob = spree.register("bob@example.com").await;
    let bobs = spree
        .post(
            "/wishlists",
            As::Customer(&bob.token),
            json!({ "name": "Bob's" }),
        )
        .await;
    let bw = bobs.body["id"].as_str().unwrap().to_owned();
    let r = spree
        .post(
            &format!("/wishlists/{bw}/items"),
            As::Customer(&bob.token),
            json!({ "variant_id": shop.tee }),
        )
        .await;
    let bi = r.body["id"].as_str().unwrap().to_owned();
    let adas = spree
        .post(
            "/wishlists",
            As::Customer(&ada.token),
            json!({ "name": "Ada's" }),
        )
        .await;
    let aw = adas.body["id"].as_str().unwrap().to_owned();

    let key = secret_key(&app).await;
    let bob_id = spree
        .get("/customers/me", As::Customer(&bob.token))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let saved = gql(
        &app,
        Who::Integrator(&key),
        &save_q(),
        json!({ "input": card(&bob_id, "pm_bob", "1111") }),
    )
    .await;
    let bc = saved["data"]["savePaymentMethod"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mw = "wl_01JD0000000000000000000000";
    let mi = "wi_01JD0000000000000000000000";
    let mc = "card_01JD0000000000000000000000";
    let me = As::Customer(&ada.token);
    let pairs = [
        (
            "GET",
            format!("/wishlists/{bw}"),
            format!("/wishlists/{mw}"),
            None,
        ),
        (
            "PATCH",
            format!("/wishlists/{bw}"),
            format!("/wishlists/{mw}"),
            Some(json!({ "name": "x", "is_default": true, "is_private": false })),
        ),
        (
            "DELETE",
            format!("/wishlists/{bw}"),
            format!("/wishlists/{mw}"),
            None,
        ),
        (
            "POST",
            format!("/wishlists/{bw}/items"),
            format!("/wishlists/{mw}/items"),
            Some(json!({ "variant_id": shop.mug })),
        ),
        (
            "PATCH",
            format!("/wishlists/{bw}/items/{bi}"),
            format!("/wishlists/{mw}/items/{mi}"),
            Some(json!({ "quantity": 9 })),
        ),
        (
            "DELETE",
            format!("/wishlists/{bw}/items/{bi}"),
            format!("/wishlists/{mw}/items/{mi}"),
            None,
        ),
        (
            "PATCH",
            format!("/wishlists/{aw}/items/{bi}"),
            format!("/wishlists/{aw}/items/{mi}"),
            Some(json!({ "quantity": 9 })),
        ),
        (
            "DELETE",
            format!("/wishlists/{aw}/items/{bi}"),
            format!("/wishlists/{aw}/items/{mi}"),
            None,
        ),
        (
            "GET",
            format!("/customers/me/credit_cards/{bc}"),
            format!("/customers/me/credit_cards/{mc}"),
            None,
        ),
        (
            "DELETE",
            format!("/customers/me/credit_cards/{bc}"),
            format!("/customers/me/credit_cards/{mc}"),
            None,
        ),
    ];
    for (method, foreign, missing, body) in pairs {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let a = spree.call(method.clone(), &foreign, me, body.clone()).await;
        let b = spree.call(method.clone(), &missing, me, body).await;
        assert_eq!(
            a.status,
            StatusCode::NOT_FOUND,
            "{method} {foreign}: {}",
            a.text
        );
        assert_eq!(a.body, b.body, "{method} {foreign}");
    }
    // Bob's things are as they were.
    let r = spree
        .get(
            &format!("/wishlists/{bw}?expand=items"),
            As::Customer(&bob.token),
        )
        .await;
    assert_eq!(r.body["name"], "Bob's");
    assert_eq!(r.body["is_private"], true);
    assert_eq!(r.body["items"][0]["quantity"], 1);
    let r = spree
        .get("/customers/me/credit_cards", As::Customer(&bob.token))
        .await;
    assert_eq!(r.body["data"][0]["id"], bc.as_str());
    let r = spree.get("/wishlists", me).await;
    assert_eq!(
        r.body["data"][0]["is_default"], true,
        "Ada's own default untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spree_credit_cards_list_show_delete() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let me = As::Customer(&ada.token);
    let id = spree.get("/customers/me", me).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = secret_key(&app).await;
    for (token, last4) in [("pm_a", "4242"), ("pm_b", "4444")] {
        let body = gql(
            &app,
            Who::Integrator(&key),
            &save_q(),
            json!({ "input": card(&id, token, last4) }),
        )
        .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let r = spree.get("/customers/me/credit_cards", As::Anonymous).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = spree.get("/customers/me/credit_cards", me).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["meta"]["count"], 2);
    let first = &r.body["data"][0];
    let mut keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "brand",
            "default",
            "gateway_payment_profile_id",
            "id",
            "last4",
            "month",
            "name",
            "year"
        ]
    );
    assert_eq!(first["last4"], "4242");
    assert_eq!(first["default"], true);
    assert_eq!(first["gateway_payment_profile_id"], serde_json::Value::Null);
    assert_eq!(first["month"], 12);
    assert_eq!(first["year"], 2099);
    assert!(!r.text.contains("pm_a"), "{}", r.text);
    let card_id = first["id"].as_str().unwrap().to_owned();
    assert!(card_id.starts_with("card_"));
    let r = spree
        .get(&format!("/customers/me/credit_cards/{card_id}"), me)
        .await;
    assert_eq!(r.body["id"], card_id.as_str());
    let r = spree
        .delete(&format!("/customers/me/credit_cards/{card_id}"), me)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = spree.get("/customers/me/credit_cards", me).await;
    assert_eq!(r.body["meta"]["count"], 1);
    assert_eq!(
        r.body["data"][0]["default"], true,
        "the remaining card became the default"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spree_wishlist_bounds_and_unsellable_variants() {
    let app = TestApp::builder()
        .env("STOREFRONT_WISHLIST_MAX_LISTS", "1")
        .env("STOREFRONT_WISHLIST_MAX_QUANTITY", "3")
        .spawn()
        .await;
    let shop = shop(&app).await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let me = As::Customer(&ada.token);
    let r = spree
        .post("/wishlists", me, json!({ "name": "Only" }))
        .await;
    let w = r.body["id"].as_str().unwrap().to_owned();
    let r = spree
        .post("/wishlists", me, json!({ "name": "Second" }))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error"),
        "{}",
        r.text
    );
    let r = spree
        .post(
            &format!("/wishlists/{w}/items"),
            me,
            json!({ "variant_id": shop.tee, "quantity": 4 }),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error"),
        "{}",
        r.text
    );
    assert!(
        r.body["error"]["details"]["quantity"].is_array(),
        "{}",
        r.text
    );
    let r = spree
        .post(
            &format!("/wishlists/{w}/items"),
            me,
            json!({ "variant_id": shop.draft }),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "record_not_found"),
        "{}",
        r.text
    );
    assert_eq!(r.body["error"]["message"], "Variant not found");
    let r = spree
        .post(&format!("/wishlists/{w}/items"), me, json!({}))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error"),
        "{}",
        r.text
    );
    let r = spree.get(&format!("/wishlists/{w}?expand=items"), me).await;
    assert_eq!(r.body["items"], json!([]), "nothing was added");
}
