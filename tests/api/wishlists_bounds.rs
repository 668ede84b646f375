//! Wishlist bounds (`STOREFRONT_WISHLIST_MAX_*`) and concurrent changes of one customer's
//! lists: one default, one item per variant; what account erasure calls.

use serde_json::json;

use crate::account_support::register;
use crate::helpers::{TestApp, error_code};
use crate::order_support::{Who, gql, ok, shop};
use crate::wishlists::{add_q, by_id_q, create, create_q, defaults, mine};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wishlist_bounds_are_validation_errors() {
    let app = TestApp::builder()
        .env("STOREFRONT_WISHLIST_MAX_LISTS", "2")
        .env("STOREFRONT_WISHLIST_MAX_ITEMS", "2")
        .env("STOREFRONT_WISHLIST_MAX_QUANTITY", "5")
        .spawn()
        .await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let who = Who::Customer(&ada.token);
    let list = create(&app, &ada, json!({ "name": "One" })).await;
    create(&app, &ada, json!({ "name": "Two" })).await;
    let body = gql(
        &app,
        who,
        &create_q(),
        json!({ "input": { "name": "Three" } }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(mine(&app, &ada).await.len(), 2);

    let w = list["id"].clone();
    ok(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.tee, "q": 5 }),
        "addWishlistItem",
    )
    .await;
    // Over the quantity bound: by adding more, by setting it, or at once.
    let body = gql(&app, who, &add_q(), json!({ "w": w, "v": shop.tee })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["field"],
        "quantity"
    );
    let body = gql(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.mug, "q": 6 }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    ok(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.mug }),
        "addWishlistItem",
    )
    .await;
    // Over the items bound.
    let body = gql(&app, who, &add_q(), json!({ "w": w, "v": shop.scarf })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let now = ok(&app, who, &by_id_q(), json!({ "id": w }), "wishlist").await;
    assert_eq!(now["itemCount"], 2);
    assert_eq!(now["items"][0]["quantity"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_keep_one_default_and_one_item_per_variant() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let creates = (0..6).map(|i| {
        let (app, ada) = (&app, &ada);
        async move {
            let body = gql(
                app,
                Who::Customer(&ada.token),
                &create_q(),
                json!({ "input": { "name": format!("List {i}"), "isDefault": i % 2 == 0 } }),
            )
            .await;
            assert!(body["errors"].is_null(), "{body}");
            body["data"]["createWishlist"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    });
    let ids = futures_util::future::join_all(creates).await;
    let lists = mine(&app, &ada).await;
    assert_eq!(lists.len(), 6);
    assert_eq!(defaults(&lists).len(), 1, "{lists:?}");

    let w = &ids[0];
    let adds = (0..5).map(|_| {
        let (app, ada, shop) = (&app, &ada, &shop);
        async move {
            let body = gql(
                app,
                Who::Customer(&ada.token),
                &add_q(),
                json!({ "w": w, "v": shop.tee, "q": 2 }),
            )
            .await;
            assert!(body["errors"].is_null(), "{body}");
        }
    });
    futures_util::future::join_all(adds).await;
    let list = ok(
        &app,
        Who::Customer(&ada.token),
        &by_id_q(),
        json!({ "id": w }),
        "wishlist",
    )
    .await;
    assert_eq!(list["itemCount"], 1);
    assert_eq!(list["items"][0]["quantity"], 10);
}

/// What account deletion calls (the customer row stays as a tombstone there, so the cascade
/// alone would keep the lists): every list and item of that customer goes, no one else's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_customer_deletes_their_wishlists_and_payment_methods() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = crate::order_support::secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    for who in [&ada, &bob] {
        let list = create(&app, who, json!({ "name": "Mine" })).await;
        ok(
            &app,
            Who::Customer(&who.token),
            &add_q(),
            json!({ "w": list["id"], "v": shop.tee }),
            "addWishlistItem",
        )
        .await;
        crate::payment_methods::save(
            &app,
            &key,
            crate::payment_methods::card(&who.customer_id, "pm_x", "4242"),
        )
        .await;
    }
    {
        let mut conn = app.state.db().write_conn().await.unwrap();
        storefront::store::wishlists::erase_for_customer(&mut conn.backend(), &ada.customer_id)
            .await
            .unwrap();
        storefront::store::payment_methods::erase_for_customer(
            &mut conn.backend(),
            &ada.customer_id,
        )
        .await
        .unwrap();
    }
    assert!(mine(&app, &ada).await.is_empty());
    let store = &app.state.store;
    assert!(
        storefront::store::payment_methods::list(store, &ada.customer_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(mine(&app, &bob).await[0]["itemCount"], 1);
    assert_eq!(
        storefront::store::payment_methods::list(store, &bob.customer_id)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// The real thing: `deleteAccount` erases the lists and saved methods, and the integration can
/// no longer save a method for the deleted account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_erases_its_wishlists_and_payment_methods() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let key = crate::order_support::secret_key(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let list = create(&app, &ada, json!({ "name": "Mine" })).await;
    ok(
        &app,
        Who::Customer(&ada.token),
        &add_q(),
        json!({ "w": list["id"], "v": shop.tee }),
        "addWishlistItem",
    )
    .await;
    crate::payment_methods::save(
        &app,
        &key,
        crate::payment_methods::card(&ada.customer_id, "pm_x", "4242"),
    )
    .await;
    let body = gql(
        &app,
        Who::Customer(&ada.token),
        "mutation($p: String!) { deleteAccount(currentPassword: $p) }",
        json!({ "p": crate::account_support::PASSWORD }),
    )
    .await;
    assert_eq!(body["data"]["deleteAccount"], true, "{body}");
    let store = &app.state.store;
    assert!(
        storefront::store::wishlists::list(store, &ada.customer_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        storefront::store::payment_methods::list(store, &ada.customer_id)
            .await
            .unwrap()
            .is_empty()
    );
    let body = gql(
        &app,
        Who::Integrator(&key),
        &crate::payment_methods::save_q(),
        json!({ "input": crate::payment_methods::card(&ada.customer_id, "pm_y", "4242") }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}
