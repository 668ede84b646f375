//! Wishlists over GraphQL: one default per customer, items and their quantities, products that
//! stop being sold, sharing by token (and refusing it), bounds, events, and another customer's
//! lists and items (IDOR: the same answer as a missing id, nothing changed).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{events, products, variants, wishlist_items, wishlists};
use storefront::db_run;

use crate::account_support::{Signed, register};
use crate::helpers::{TestApp, error_code};
use crate::order_support::{Who, gql, ok, shop};

pub const LIST: &str = "id name isDefault isPrivate token itemCount \
    items { id quantity available variant { id } product { id } }";

pub fn create_q() -> String {
    format!(
        "mutation($input: CreateWishlistInput!) {{ createWishlist(input: $input) {{ {LIST} }} }}"
    )
}
fn update_q() -> String {
    format!(
        "mutation($id: ID!, $input: UpdateWishlistInput!) {{ updateWishlist(id: $id, input: $input) {{ {LIST} }} }}"
    )
}
const DELETE: &str = "mutation($id: ID!) { deleteWishlist(id: $id) }";
pub fn add_q() -> String {
    format!(
        "mutation($w: ID!, $v: ID!, $q: Int) {{ addWishlistItem(wishlistId: $w, variantId: $v, quantity: $q) {{ {LIST} }} }}"
    )
}
fn update_item_q() -> String {
    format!(
        "mutation($w: ID!, $i: ID!, $q: Int!) {{ updateWishlistItem(wishlistId: $w, itemId: $i, quantity: $q) {{ {LIST} }} }}"
    )
}
fn remove_item_q() -> String {
    format!(
        "mutation($w: ID!, $i: ID!) {{ removeWishlistItem(wishlistId: $w, itemId: $i) {{ {LIST} }} }}"
    )
}
pub fn by_id_q() -> String {
    format!("query($id: ID) {{ wishlist(id: $id) {{ {LIST} }} }}")
}
fn by_token_q() -> String {
    format!("query($t: String) {{ wishlist(token: $t) {{ {LIST} }} }}")
}
fn mine_q() -> String {
    format!("{{ me {{ wishlists {{ {LIST} }} }} }}")
}

pub async fn create(app: &TestApp, who: &Signed, input: Value) -> Value {
    ok(
        app,
        Who::Customer(&who.token),
        &create_q(),
        json!({ "input": input }),
        "createWishlist",
    )
    .await
}

pub async fn mine(app: &TestApp, who: &Signed) -> Vec<Value> {
    let me = ok(app, Who::Customer(&who.token), &mine_q(), Value::Null, "me").await;
    me["wishlists"].as_array().unwrap().clone()
}

pub fn defaults(lists: &[Value]) -> Vec<String> {
    lists
        .iter()
        .filter(|l| l["isDefault"] == true)
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect()
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
async fn wishlists_keep_exactly_one_default() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;

    let first = create(&app, &ada, json!({ "name": " Birthday " })).await;
    assert_eq!(first["name"], "Birthday");
    assert_eq!(first["isDefault"], true, "the first list is the default");
    assert_eq!(first["isPrivate"], true, "private unless said otherwise");
    let second = create(&app, &ada, json!({ "name": "Christmas" })).await;
    assert_eq!(second["isDefault"], false);
    let third = create(&app, &ada, json!({ "name": "Home", "isDefault": true })).await;
    assert_eq!(third["isDefault"], true);
    assert_eq!(defaults(&mine(&app, &ada).await), ["Home"]);

    // Setting another default unsets the old one; `false` on the default is ignored.
    let vars = json!({ "id": second["id"], "input": { "isDefault": true } });
    ok(
        &app,
        Who::Customer(&ada.token),
        &update_q(),
        vars,
        "updateWishlist",
    )
    .await;
    assert_eq!(defaults(&mine(&app, &ada).await), ["Christmas"]);
    let vars = json!({ "id": second["id"], "input": { "isDefault": false, "name": "Xmas" } });
    let renamed = ok(
        &app,
        Who::Customer(&ada.token),
        &update_q(),
        vars,
        "updateWishlist",
    )
    .await;
    assert_eq!(renamed["name"], "Xmas");
    assert_eq!(defaults(&mine(&app, &ada).await), ["Xmas"]);

    // Deleting the default promotes the oldest remaining list.
    let body = gql(
        &app,
        Who::Customer(&ada.token),
        DELETE,
        json!({ "id": second["id"] }),
    )
    .await;
    assert_eq!(body["data"]["deleteWishlist"], second["id"]);
    let lists = mine(&app, &ada).await;
    assert_eq!(lists.len(), 2);
    assert_eq!(defaults(&lists), ["Birthday"]);
    // ... and deleting a list that is not the default changes no default.
    gql(
        &app,
        Who::Customer(&ada.token),
        DELETE,
        json!({ "id": third["id"] }),
    )
    .await;
    assert_eq!(defaults(&mine(&app, &ada).await), ["Birthday"]);
    gql(
        &app,
        Who::Customer(&ada.token),
        DELETE,
        json!({ "id": first["id"] }),
    )
    .await;
    assert!(mine(&app, &ada).await.is_empty());
    let again = create(&app, &ada, json!({ "name": "Again" })).await;
    assert_eq!(again["isDefault"], true, "the first list again");

    assert_eq!(event_count(&app, "wishlist.created").await, 4);
    assert_eq!(event_count(&app, "wishlist.updated").await, 2);
    assert_eq!(event_count(&app, "wishlist.deleted").await, 3);

    // A blank or overlong name is a validation error.
    for name in ["  ", &"x".repeat(101)] {
        let body = gql(
            &app,
            Who::Customer(&ada.token),
            &create_q(),
            json!({ "input": { "name": name } }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["fields"][0]["field"],
            "name"
        );
    }
    // Signed out: no lists.
    let body = gql(
        &app,
        Who::Anonymous,
        &create_q(),
        json!({ "input": { "name": "x" } }),
    )
    .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wishlist_items_are_added_changed_removed_and_stay_when_unavailable() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let list = create(&app, &ada, json!({ "name": "Wants" })).await;
    let w = list["id"].clone();
    let who = Who::Customer(&ada.token);

    let after = ok(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.tee }),
        "addWishlistItem",
    )
    .await;
    assert_eq!(after["items"][0]["quantity"], 1, "quantity 1 unless given");
    assert_eq!(after["items"][0]["available"], true);
    assert_eq!(
        after["items"][0]["product"]["id"],
        shop.tee_product.as_str()
    );
    // Adding the same variant raises its quantity.
    let after = ok(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.tee, "q": 4 }),
        "addWishlistItem",
    )
    .await;
    assert_eq!(after["itemCount"], 1);
    assert_eq!(after["items"][0]["quantity"], 5);
    let after = ok(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.mug, "q": 2 }),
        "addWishlistItem",
    )
    .await;
    assert_eq!(after["itemCount"], 2);
    let tee_item = after["items"][0]["id"].clone();
    let mug_item = after["items"][1]["id"].clone();

    let after = ok(
        &app,
        who,
        &update_item_q(),
        json!({ "w": w, "i": tee_item, "q": 3 }),
        "updateWishlistItem",
    )
    .await;
    assert_eq!(after["items"][0]["quantity"], 3);
    for q in [0, -1] {
        let body = gql(
            &app,
            who,
            &update_item_q(),
            json!({ "w": w, "i": tee_item, "q": q }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }

    // A draft product's variant cannot be added (it does not exist for shoppers)...
    let body = gql(&app, who, &add_q(), json!({ "w": w, "v": shop.draft })).await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    // A product with options sells those, not its default variant (as carts do).
    let body = gql(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": shop.hoodie_master }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = gql(
        &app,
        who,
        &add_q(),
        json!({ "w": w, "v": "variant_01JD0000000000000000000000" }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    // ... but one already listed stays, unavailable, when its product becomes a draft, or its
    // variant is discontinued.
    {
        let mut conn = app.state.db().conn().await.unwrap();
        db_run!(conn, |c| diesel::update(
            products::table.find(&shop.tee_product)
        )
        .set(products::status.eq("draft"))
        .execute(c)
        .await)
        .unwrap();
        db_run!(conn, |c| diesel::update(variants::table.find(&shop.mug))
            .set(variants::discontinued_at.eq(Some(chrono::Utc::now().naive_utc())))
            .execute(c)
            .await)
        .unwrap();
    }
    let now = ok(&app, who, &by_id_q(), json!({ "id": w }), "wishlist").await;
    assert_eq!(now["itemCount"], 2);
    assert_eq!(now["items"][0]["available"], false);
    assert_eq!(now["items"][1]["available"], false);
    // Other variants are still added as usual.
    let body = gql(&app, who, &add_q(), json!({ "w": w, "v": shop.scarf })).await;
    assert!(body["errors"].is_null(), "{body}");

    let after = ok(
        &app,
        who,
        &remove_item_q(),
        json!({ "w": w, "i": mug_item }),
        "removeWishlistItem",
    )
    .await;
    assert_eq!(after["itemCount"], 2);
    assert!(
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != mug_item)
    );
    let body = gql(
        &app,
        who,
        &remove_item_q(),
        json!({ "w": w, "i": mug_item }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "removed twice");

    assert_eq!(event_count(&app, "wishlist.item_added").await, 4);
    assert_eq!(event_count(&app, "wishlist.item_updated").await, 1);
    assert_eq!(event_count(&app, "wishlist.item_removed").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_wishlist_opens_by_token_and_a_private_one_does_not() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let list = create(&app, &ada, json!({ "name": "Wedding" })).await;
    let w = list["id"].clone();
    ok(
        &app,
        Who::Customer(&ada.token),
        &add_q(),
        json!({ "w": w, "v": shop.tee }),
        "addWishlistItem",
    )
    .await;
    let token = list["token"].as_str().unwrap().to_owned();

    // Private: its token opens nothing, for anyone.
    for who in [
        Who::Anonymous,
        Who::Customer(&bob.token),
        Who::Customer(&ada.token),
    ] {
        let body = gql(&app, who, &by_token_q(), json!({ "t": token })).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{who:?}: {body}");
    }
    // Shared: anyone with the token reads it, signed out too.
    let vars = json!({ "id": w, "input": { "isPrivate": false } });
    let shared = ok(
        &app,
        Who::Customer(&ada.token),
        &update_q(),
        vars,
        "updateWishlist",
    )
    .await;
    assert_eq!(shared["token"], token.as_str(), "the token does not change");
    for who in [Who::Anonymous, Who::Customer(&bob.token)] {
        let read = ok(&app, who, &by_token_q(), json!({ "t": token }), "wishlist").await;
        assert_eq!(read["id"], w);
        assert_eq!(read["items"][0]["variant"]["id"], shop.tee.as_str());
    }
    // Only the token opens it: not its id (someone else's), not an altered token.
    let body = gql(
        &app,
        Who::Customer(&bob.token),
        &by_id_q(),
        json!({ "id": w }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let mut altered = token.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    for bad in [
        altered.as_str(),
        w.as_str().unwrap(),
        "",
        "wl_01JD0000000000000000000000.00",
    ] {
        let body = gql(&app, Who::Anonymous, &by_token_q(), json!({ "t": bad })).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{bad}");
    }
    // The token reads; it changes nothing (mutations need the owner).
    let body = gql(
        &app,
        Who::Customer(&bob.token),
        &add_q(),
        json!({ "w": w, "v": shop.mug }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    // Private again: the link is taken back.
    let vars = json!({ "id": w, "input": { "isPrivate": true } });
    ok(
        &app,
        Who::Customer(&ada.token),
        &update_q(),
        vars,
        "updateWishlist",
    )
    .await;
    let body = gql(&app, Who::Anonymous, &by_token_q(), json!({ "t": token })).await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    // By id, only when signed in.
    let body = gql(&app, Who::Anonymous, &by_id_q(), json!({ "id": w })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

/// What the database holds of the wishlists and items, to prove nothing changed.
async fn snapshot(app: &TestApp) -> (Vec<(String, String, bool, bool)>, Vec<(String, i32)>) {
    let mut conn = app.state.db().conn().await.unwrap();
    let lists = db_run!(conn, |c| wishlists::table
        .order(wishlists::id)
        .select((
            wishlists::id,
            wishlists::name,
            wishlists::is_default,
            wishlists::is_private
        ))
        .load(c)
        .await)
    .unwrap();
    let items = db_run!(conn, |c| wishlist_items::table
        .order(wishlist_items::id)
        .select((wishlist_items::id, wishlist_items::quantity))
        .load(c)
        .await)
    .unwrap();
    (lists, items)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_customers_wishlist_or_item_is_answered_as_missing() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let bobs = create(&app, &bob, json!({ "name": "Bob's" })).await;
    let bobs_after = ok(
        &app,
        Who::Customer(&bob.token),
        &add_q(),
        json!({ "w": bobs["id"], "v": shop.tee }),
        "addWishlistItem",
    )
    .await;
    let bobs_item = bobs_after["items"][0]["id"].as_str().unwrap().to_owned();
    let adas = create(&app, &ada, json!({ "name": "Ada's" })).await;
    let before = snapshot(&app).await;

    let missing_list = "wl_01JD0000000000000000000000";
    let missing_item = "wi_01JD0000000000000000000000";
    let who = Who::Customer(&ada.token);
    let bobs_id = bobs["id"].as_str().unwrap();
    let adas_id = adas["id"].as_str().unwrap();
    // Each operation on Bob's ids answers exactly as on ids that do not exist.
    let cases: Vec<(String, Value, Value)> = vec![
        (
            by_id_q(),
            json!({ "id": bobs_id }),
            json!({ "id": missing_list }),
        ),
        (
            update_q(),
            json!({ "id": bobs_id, "input": { "name": "Mine", "isDefault": true, "isPrivate": false } }),
            json!({ "id": missing_list, "input": { "name": "Mine", "isDefault": true, "isPrivate": false } }),
        ),
        (
            DELETE.to_owned(),
            json!({ "id": bobs_id }),
            json!({ "id": missing_list }),
        ),
        (
            add_q(),
            json!({ "w": bobs_id, "v": shop.mug }),
            json!({ "w": missing_list, "v": shop.mug }),
        ),
        (
            update_item_q(),
            json!({ "w": bobs_id, "i": bobs_item, "q": 9 }),
            json!({ "w": missing_list, "i": missing_item, "q": 9 }),
        ),
        (
            remove_item_q(),
            json!({ "w": bobs_id, "i": bobs_item }),
            json!({ "w": missing_list, "i": missing_item }),
        ),
        // Bob's item through Ada's own list.
        (
            update_item_q(),
            json!({ "w": adas_id, "i": bobs_item, "q": 9 }),
            json!({ "w": adas_id, "i": missing_item, "q": 9 }),
        ),
        (
            remove_item_q(),
            json!({ "w": adas_id, "i": bobs_item }),
            json!({ "w": adas_id, "i": missing_item }),
        ),
    ];
    for (query, foreign, missing) in cases {
        let a = gql(&app, who, &query, foreign).await;
        let b = gql(&app, who, &query, missing).await;
        assert_eq!(error_code(&a), "NOT_FOUND", "{query}: {a}");
        assert_eq!(
            a["errors"][0]["message"], b["errors"][0]["message"],
            "{query}"
        );
        assert_eq!(
            a["errors"][0]["extensions"], b["errors"][0]["extensions"],
            "{query}"
        );
        assert_eq!(a["data"], b["data"], "{query}");
    }
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}
