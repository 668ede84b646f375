//! Spree Store API: carts to completed orders as a guest and as a customer, order history,
//! and the IDOR matrix over addresses, carts and orders.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::order_support::shop;
use crate::spree_support::{As, Reply, Spree, normalized};

pub fn ship_to() -> Value {
    json!({ "first_name": "Grace", "last_name": "Hopper", "address1": "1 Navy Yard",
            "city": "Arlington", "postal_code": "22202", "country_iso": "US",
            "state_abbr": "VA", "phone": "+1 703 555 0100" })
}

/// `ship_to()` as a cart or order shows it.
fn shown_address() -> Value {
    json!({ "id": null, "first_name": "Grace", "last_name": "Hopper", "full_name": "Grace Hopper",
            "address1": "1 Navy Yard", "address2": null, "postal_code": "22202",
            "city": "Arlington", "phone": "+1 703 555 0100", "company": null,
            "country_name": "United States of America", "country_iso": "US", "state_text": "VA",
            "state_abbr": "VA", "quick_checkout": false, "is_default_billing": false,
            "is_default_shipping": false, "state_name": "Virginia" })
}

/// Two tees (20.00 each, was 25.00) as a line item.
fn tee_line(quantity: i64) -> Value {
    let total = format!("{}.0", 20 * quantity);
    let display = format!("${}.00", 20 * quantity);
    json!({ "id": "<li_2>", "variant_id": "<variant_3>", "preorder": false,
            "preorder_ships_at": null, "quantity": quantity, "currency": "USD", "name": "Tee",
            "slug": "tee", "options_text": "", "price": "20.0", "display_price": "$20.00",
            "total": total, "display_total": display, "adjustment_total": "0.0",
            "display_adjustment_total": "$0.00", "additional_tax_total": "0.0",
            "display_additional_tax_total": "$0.00", "included_tax_total": "0.0",
            "display_included_tax_total": "$0.00", "discount_total": "0.0",
            "display_discount_total": "$0.00", "pre_tax_amount": total,
            "display_pre_tax_amount": display, "discounted_amount": total,
            "display_discounted_amount": display, "compare_at_amount": "25.0",
            "display_compare_at_amount": "$25.00", "thumbnail_url": null,
            "option_values": [], "digital_links": [] })
}

/// The money fields of a cart or order of items worth `items` dollars plus 5.00 delivery.
fn totals(items: i64) -> Value {
    let total = items + 5;
    json!({ "item_total": format!("{items}.0"), "display_item_total": format!("${items}.00"),
            "adjustment_total": "0.0", "display_adjustment_total": "$0.00",
            "discount_total": "0.0", "display_discount_total": "$0.00",
            "tax_total": "0.0", "display_tax_total": "$0.00",
            "included_tax_total": "0.0", "display_included_tax_total": "$0.00",
            "additional_tax_total": "0.0", "display_additional_tax_total": "$0.00",
            "total": format!("{total}.0"), "display_total": format!("${total}.00"),
            "gift_card_total": "0.0", "display_gift_card_total": "$0.00",
            "amount_due": format!("{total}.0"), "display_amount_due": format!("${total}.00"),
            "delivery_total": "5.0", "display_delivery_total": "$5.00",
            "store_credit_total": "0.0", "display_store_credit_total": "$0.00" })
}

fn merged(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_cart_becomes_an_order() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let shop = shop(&app).await;
    let cart = spree.post("/carts", As::Anonymous, json!({})).await;
    assert_eq!(cart.status, StatusCode::CREATED, "{}", cart.text);
    let id = cart.body["id"].as_str().unwrap().to_owned();
    let token = cart.body["token"].as_str().unwrap().to_owned();
    let guest = As::Guest(&token);

    let added = spree
        .post(
            &format!("/carts/{id}/items"),
            guest,
            json!({ "variant_id": shop.tee, "quantity": 2 }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let open = merged(
        json!({ "id": "<cart_1>", "market_id": null, "channel_id": null, "number": null,
                "token": "<token>", "email": null, "customer_note": null, "currency": "USD",
                "locale": null, "total_quantity": 2, "covered_by_store_credit": false,
                "current_step": "address", "completed_steps": [],
                "requirements": [
                    { "step": "address", "field": "email", "message": "is required to place an order" },
                    { "step": "address", "field": "shipping_address", "message": "is required to place an order" }
                ],
                "warnings": [], "shipping_eq_billing_address": true, "discounts": [],
                "items": [tee_line(2)], "fulfillments": [], "payments": [],
                "payment_methods": [], "billing_address": null, "shipping_address": null,
                "gift_card": null, "market": null }),
        totals(40),
    );
    assert_eq!(normalized(&added.body), open);
    assert_eq!(added.body["token"], token.as_str());

    let updated = spree
        .patch(
            &format!("/carts/{id}"),
            guest,
            json!({ "email": "grace@example.com", "shipping_address": ship_to(),
                    "customer_note": "Leave it at the door" }),
        )
        .await;
    let ready = merged(
        open.clone(),
        json!({ "email": "grace@example.com", "customer_note": "Leave it at the door",
                "current_step": "confirm", "completed_steps": ["address"], "requirements": [],
                "shipping_address": shown_address() }),
    );
    assert_eq!(normalized(&updated.body), ready);
    assert_eq!(
        normalized(&spree.get(&format!("/carts/{id}"), guest).await.body),
        ready
    );

    let order = spree
        .call(Method::POST, &format!("/carts/{id}/complete"), guest, None)
        .await;
    assert_eq!(order.status, StatusCode::OK, "{}", order.text);
    let placed = merged(
        json!({ "id": "<or_1>", "market_id": null, "channel_id": null, "number": "<number>",
                "email": "grace@example.com", "customer_note": "Leave it at the door",
                "currency": "USD", "locale": null, "total_quantity": 2,
                "fulfillment_status": "pending", "payment_status": "balance_due",
                "completed_at": "<time>", "covered_by_store_credit": false, "discounts": [],
                "items": [tee_line(2)], "fulfillments": [], "payments": [],
                "billing_address": shown_address(), "shipping_address": shown_address(),
                "gift_card": null, "market": null }),
        totals(40),
    );
    assert_eq!(normalized(&order.body), placed);
    let number = order.body["number"].as_str().unwrap();
    assert!(number.len() == 10 && number.starts_with('R'), "{number}");
    let order_id = order.body["id"].as_str().unwrap().to_owned();

    let seen = spree.get(&format!("/orders/{order_id}"), guest).await;
    assert_eq!(seen.body, order.body);
    let stranger = spree
        .get(&format!("/orders/{order_id}"), As::Anonymous)
        .await;
    assert_eq!(
        (stranger.status, stranger.body),
        (
            StatusCode::NOT_FOUND,
            json!({ "error": { "code": "order_not_found", "message": "Order not found" } })
        )
    );
    // A completed cart is no longer a cart.
    let gone = spree.get(&format!("/carts/{id}"), guest).await;
    assert_eq!(
        gone.body,
        json!({ "error": { "code": "cart_not_found", "message": "Cart not found" } })
    );
    let empty = spree.post("/carts", As::Anonymous, json!({})).await;
    let empty_id = empty.body["id"].as_str().unwrap();
    let not_ready = spree
        .call(
            Method::POST,
            &format!("/carts/{empty_id}/complete"),
            As::Guest(empty.body["token"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(not_ready.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        not_ready.body["error"]["message"],
        "The cart cannot be completed yet"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_shops_and_reads_their_history() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let shop = shop(&app).await;
    let ada = spree.register("ada@example.com").await;
    let me = As::Customer(&ada.token);
    let home = spree.post("/customers/me/addresses", me, ship_to()).await;
    let home_id = home.body["id"].as_str().unwrap().to_owned();

    let cart = spree
        .post(
            "/carts",
            me,
            json!({ "items": [{ "variant_id": shop.mug, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(cart.status, StatusCode::CREATED, "{}", cart.text);
    assert_eq!(
        cart.body["token"],
        Value::Null,
        "a customer's cart needs no token"
    );
    assert_eq!(cart.body["email"], "ada@example.com");
    let id = cart.body["id"].as_str().unwrap().to_owned();
    let added = spree
        .post(
            &format!("/carts/{id}/items"),
            me,
            json!({ "variant_id": shop.tee }),
        )
        .await;
    let tee = added.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["variant_id"] == shop.tee.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let more = spree
        .patch(
            &format!("/carts/{id}/items/{tee}"),
            me,
            json!({ "quantity": 3 }),
        )
        .await;
    assert_eq!(more.body["total_quantity"], 4, "{}", more.text);
    assert_eq!(more.body["item_total"], "72.5");
    let mug = more.body["items"][0]["id"].as_str().unwrap().to_owned();
    let fewer = spree.delete(&format!("/carts/{id}/items/{mug}"), me).await;
    assert_eq!(
        (fewer.status, fewer.body["total_quantity"].clone()),
        (StatusCode::OK, json!(3))
    );

    // The whole cart: the customer's, so no token; the account's email; three tees left.
    assert_eq!(
        normalized(&fewer.body),
        merged(
            json!({ "id": "<cart_1>", "market_id": null, "channel_id": null, "number": null,
                    "token": null, "email": "ada@example.com", "customer_note": null,
                    "currency": "USD", "locale": null, "total_quantity": 3,
                    "covered_by_store_credit": false, "current_step": "address",
                    "completed_steps": [],
                    "requirements": [{ "step": "address", "field": "shipping_address",
                                       "message": "is required to place an order" }],
                    "warnings": [], "shipping_eq_billing_address": true, "discounts": [],
                    "items": [tee_line(3)], "fulfillments": [], "payments": [],
                    "payment_methods": [], "billing_address": null,
                    "shipping_address": null, "gift_card": null, "market": null }),
            totals(60),
        )
    );
    let list = spree.get("/carts", me).await;
    assert_eq!(list.body["data"], json!([fewer.body]));
    assert_eq!(
        list.body["meta"],
        json!({ "page": 1, "limit": 25, "count": 1, "pages": 1, "from": 1, "to": 1, "in": 1,
                "previous": null, "next": null })
    );
    assert_eq!(
        spree.get("/carts", As::Anonymous).await.code(),
        "authentication_required"
    );

    let with_book = spree
        .patch(
            &format!("/carts/{id}"),
            me,
            json!({ "shipping_address_id": home_id, "use_shipping": true }),
        )
        .await;
    assert_eq!(
        normalized(&with_book.body["shipping_address"]),
        shown_address()
    );
    assert_eq!(with_book.body["shipping_eq_billing_address"], true);
    let order = spree
        .call(Method::POST, &format!("/carts/{id}/complete"), me, None)
        .await;
    assert_eq!(order.status, StatusCode::OK, "{}", order.text);
    let order_id = order.body["id"].as_str().unwrap().to_owned();

    // A second order, so that the history has two pages of one.
    let second = spree
        .post(
            "/carts",
            me,
            json!({ "items": [{ "variant_id": shop.mug, "quantity": 2 }] }),
        )
        .await;
    let second_id = second.body["id"].as_str().unwrap().to_owned();
    spree
        .patch(
            &format!("/carts/{second_id}"),
            me,
            json!({ "shipping_address": ship_to() }),
        )
        .await;
    let second = spree
        .call(
            Method::POST,
            &format!("/carts/{second_id}/complete"),
            me,
            None,
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);

    let page = spree.get("/customers/me/orders?limit=1&page=2", me).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(
        page.body["meta"],
        json!({ "page": 2, "limit": 1, "count": 2, "pages": 2, "from": 2, "to": 2, "in": 1,
                "previous": 1, "next": null })
    );
    assert_eq!(page.body["data"][0], order.body, "oldest last");
    let complete = spree
        .get("/customers/me/orders?q[state_eq]=complete", me)
        .await;
    assert_eq!(complete.body["meta"]["count"], 2);
    let canceled = spree
        .get("/customers/me/orders?q[state_eq]=canceled", me)
        .await;
    assert_eq!(
        canceled.body,
        json!({ "data": [], "meta": { "page": 1, "limit": 25, "count": 0, "pages": 1, "from": 0,
                                      "to": 0, "in": 0, "previous": null, "next": null } })
    );
    history_sorts_and_filters(&spree, me, &order.body, &second.body).await;
    let one = spree
        .get(&format!("/customers/me/orders/{order_id}"), me)
        .await;
    assert_eq!(one.body, order.body);
    let sparse = spree
        .get(
            &format!("/customers/me/orders/{order_id}?fields=number,total&expand=items"),
            me,
        )
        .await;
    assert_eq!(
        sparse.body,
        json!({ "id": order_id, "number": order.body["number"], "total": order.body["total"],
                "items": order.body["items"] })
    );
    let sparse_list = spree
        .get("/customers/me/orders?fields=number&limit=1", me)
        .await;
    assert_eq!(
        sparse_list.body["data"],
        json!([{ "id": second.body["id"], "number": second.body["number"] }])
    );
    assert_eq!(sparse_list.body["meta"]["count"], 2, "meta is whole");
    assert_eq!(
        spree
            .get(&format!("/orders/{order_id}?fields=state,email"), me)
            .await
            .body,
        json!({ "id": order_id, "email": order.body["email"] })
    );
    assert_eq!(
        spree.get(&format!("/orders/{order_id}"), me).await.body,
        order.body
    );
    // The history does not open with a guest token.
    let no_jwt = spree
        .get(&format!("/customers/me/orders/{order_id}"), As::Anonymous)
        .await;
    assert_eq!(no_jwt.code(), "authentication_required");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_cart_joins_the_account_with_associate() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let shop = shop(&app).await;
    let ada = spree.register("ada@example.com").await;
    let cart = spree
        .post(
            "/carts",
            As::Anonymous,
            json!({ "items": [{ "variant_id": shop.tee, "quantity": 1 }] }),
        )
        .await;
    let id = cart.body["id"].as_str().unwrap().to_owned();
    let token = cart.body["token"].as_str().unwrap().to_owned();
    let without_jwt = spree
        .call(
            Method::PATCH,
            &format!("/carts/{id}/associate"),
            As::Guest(&token),
            None,
        )
        .await;
    assert_eq!(without_jwt.code(), "authentication_required");
    let joined = spree
        .call(
            Method::PATCH,
            &format!("/carts/{id}/associate"),
            As::CustomerWithToken(&ada.token, &token),
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.text);
    assert_eq!(joined.body["id"], id.as_str());
    assert_eq!(
        joined.body["token"],
        Value::Null,
        "the cart is the customer's now"
    );
    assert_eq!(joined.body["email"], "ada@example.com");
    let list = spree.get("/carts", As::Customer(&ada.token)).await;
    assert_eq!(list.body["data"], json!([joined.body]));
    let deleted = spree
        .delete(&format!("/carts/{id}"), As::Customer(&ada.token))
        .await;
    assert_eq!(
        (deleted.status, deleted.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    assert_eq!(
        spree.get("/carts", As::Customer(&ada.token)).await.body["meta"]["count"],
        0
    );
}

/// What a request answers, for comparing a foreign id's answer with a missing id's.
fn answer(r: &Reply) -> (StatusCode, Value) {
    (r.status, r.body.clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn another_customers_objects_answer_like_missing_ones_and_stay_unchanged() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let shop = shop(&app).await;
    let ada = spree.register("ada@example.com").await;
    let bob = spree.register("bob@example.com").await;
    let (a, b) = (As::Customer(&ada.token), As::Customer(&bob.token));

    let bob_address = spree.post("/customers/me/addresses", b, ship_to()).await;
    let bob_address = bob_address.body["id"].as_str().unwrap().to_owned();
    let placed = spree
        .post(
            "/carts",
            b,
            json!({ "items": [{ "variant_id": shop.tee, "quantity": 1 }] }),
        )
        .await;
    let placed_id = placed.body["id"].as_str().unwrap().to_owned();
    spree
        .patch(
            &format!("/carts/{placed_id}"),
            b,
            json!({ "shipping_address": ship_to() }),
        )
        .await;
    let order = spree
        .call(
            Method::POST,
            &format!("/carts/{placed_id}/complete"),
            b,
            None,
        )
        .await;
    let bob_order = order.body["id"].as_str().unwrap().to_owned();
    let cart = spree
        .post(
            "/carts",
            b,
            json!({ "items": [{ "variant_id": shop.tee, "quantity": 1 }] }),
        )
        .await;
    let bob_cart = cart.body["id"].as_str().unwrap().to_owned();
    let bob_line = cart.body["items"][0]["id"].as_str().unwrap().to_owned();
    // A guest's cart too: Ada holds no token for it.
    let guest = spree
        .post(
            "/carts",
            As::Anonymous,
            json!({ "items": [{ "variant_id": shop.tee, "quantity": 1 }] }),
        )
        .await;
    let guest_cart = guest.body["id"].as_str().unwrap().to_owned();
    let guest_token = guest.body["token"].as_str().unwrap().to_owned();

    let before = (
        spree
            .get(&format!("/customers/me/addresses/{bob_address}"), b)
            .await
            .body,
        spree.get(&format!("/carts/{bob_cart}"), b).await.body,
        spree.get(&format!("/orders/{bob_order}"), b).await.body,
        spree
            .get(&format!("/carts/{guest_cart}"), As::Guest(&guest_token))
            .await
            .body,
    );

    let missing = |prefix: &str| format!("{prefix}_{}", ulid::Ulid::new());
    let (m_addr, m_cart, m_order, m_line) = (
        missing("addr"),
        missing("cart"),
        missing("or"),
        missing("li"),
    );
    let item = json!({ "variant_id": shop.tee, "quantity": 5 });
    type Case = (Method, String, String, Option<Value>);
    let mut cases: Vec<Case> = vec![
        (
            Method::GET,
            format!("/customers/me/addresses/{bob_address}"),
            format!("/customers/me/addresses/{m_addr}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/customers/me/addresses/{bob_address}"),
            format!("/customers/me/addresses/{m_addr}"),
            Some(json!({ "city": "Elsewhere" })),
        ),
        (
            Method::DELETE,
            format!("/customers/me/addresses/{bob_address}"),
            format!("/customers/me/addresses/{m_addr}"),
            None,
        ),
        (
            Method::GET,
            format!("/customers/me/orders/{bob_order}"),
            format!("/customers/me/orders/{m_order}"),
            None,
        ),
        (
            Method::GET,
            format!("/orders/{bob_order}"),
            format!("/orders/{m_order}"),
            None,
        ),
    ];
    for cart in [&bob_cart, &guest_cart] {
        cases.extend([
            (
                Method::GET,
                format!("/carts/{cart}"),
                format!("/carts/{m_cart}"),
                None,
            ),
            (
                Method::PATCH,
                format!("/carts/{cart}"),
                format!("/carts/{m_cart}"),
                Some(json!({ "email": "mallory@example.com" })),
            ),
            (
                Method::DELETE,
                format!("/carts/{cart}"),
                format!("/carts/{m_cart}"),
                None,
            ),
            (
                Method::POST,
                format!("/carts/{cart}/items"),
                format!("/carts/{m_cart}/items"),
                Some(item.clone()),
            ),
            (
                Method::PATCH,
                format!("/carts/{cart}/associate"),
                format!("/carts/{m_cart}/associate"),
                None,
            ),
            (
                Method::POST,
                format!("/carts/{cart}/complete"),
                format!("/carts/{m_cart}/complete"),
                None,
            ),
        ]);
    }
    cases.extend([
        (
            Method::PATCH,
            format!("/carts/{bob_cart}/items/{bob_line}"),
            format!("/carts/{m_cart}/items/{m_line}"),
            Some(json!({ "quantity": 9 })),
        ),
        (
            Method::DELETE,
            format!("/carts/{bob_cart}/items/{bob_line}"),
            format!("/carts/{m_cart}/items/{m_line}"),
            None,
        ),
    ]);
    for (method, theirs, absent, body) in cases {
        let foreign = spree.call(method.clone(), &theirs, a, body.clone()).await;
        let nothing = spree.call(method.clone(), &absent, a, body).await;
        assert_eq!(answer(&foreign), answer(&nothing), "{method} {theirs}");
        assert_eq!(
            foreign.status,
            StatusCode::NOT_FOUND,
            "{method} {theirs}: {}",
            foreign.text
        );
    }
    let after = (
        spree
            .get(&format!("/customers/me/addresses/{bob_address}"), b)
            .await
            .body,
        spree.get(&format!("/carts/{bob_cart}"), b).await.body,
        spree.get(&format!("/orders/{bob_order}"), b).await.body,
        spree
            .get(&format!("/carts/{guest_cart}"), As::Guest(&guest_token))
            .await
            .body,
    );
    assert_eq!(before, after, "nothing of Bob's or the guest's changed");
    assert_eq!(
        spree.get("/customers/me/addresses", a).await.body["meta"]["count"],
        0
    );
}

/// `GET /customers/me/orders`: every `sort` and `q[...]` of spree.md §7 over two orders, with
/// the page meta counting the filtered list.
async fn history_sorts_and_filters(spree: &Spree<'_>, me: As<'_>, first: &Value, second: &Value) {
    let ids = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = |o: &Value| o["id"].as_str().unwrap().to_owned();
    let list = async |query: &str| {
        let answer = spree
            .get(&format!("/customers/me/orders?{query}"), me)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.text);
        answer.body
    };
    let total = |o: &Value| o["total"].as_str().unwrap().parse::<f64>().unwrap();
    assert!(total(first) != total(second), "the two totals differ");
    let (cheap, dear) = if total(first) < total(second) {
        (id(first), id(second))
    } else {
        (id(second), id(first))
    };
    let newest = vec![id(second), id(first)];
    assert_eq!(ids(&list("").await), newest);
    assert_eq!(ids(&list("sort=-completed_at").await), newest);
    assert_eq!(
        ids(&list("sort=completed_at").await),
        vec![id(first), id(second)]
    );
    assert_eq!(
        ids(&list("sort=total").await),
        vec![cheap.clone(), dear.clone()]
    );
    assert_eq!(
        ids(&list("sort=-total").await),
        vec![dear.clone(), cheap.clone()]
    );
    let mut by_number = [first, second];
    by_number.sort_by_key(|o| o["number"].as_str().unwrap().to_owned());
    assert_eq!(
        ids(&list("sort=number").await),
        vec![id(by_number[0]), id(by_number[1])]
    );
    assert_eq!(
        ids(&list("sort=-number").await),
        vec![id(by_number[1]), id(by_number[0])]
    );
    // Sorted pages: the second page of one under `-total` is the cheaper order.
    let page = list("sort=-total&limit=1&page=2").await;
    assert_eq!(ids(&page), vec![cheap.clone()]);
    assert_eq!(page["meta"]["count"], 2);

    let number = first["number"].as_str().unwrap();
    assert_eq!(
        ids(&list(&format!("q[number_eq]={}", number.to_lowercase())).await),
        vec![id(first)]
    );
    assert_eq!(
        ids(&list(&format!("q[number_cont]={}", &number[2..7])).await),
        vec![id(first)]
    );
    assert_eq!(ids(&list("q[number_eq]=R000").await), Vec::<String>::new());

    let dear_total = total(if dear == id(first) { first } else { second });
    let cheap_total = total(if cheap == id(first) { first } else { second });
    let filtered = list(&format!("q[total_gteq]={dear_total}")).await;
    assert_eq!(ids(&filtered), vec![dear.clone()]);
    assert_eq!(
        filtered["meta"],
        json!({ "page": 1, "limit": 25, "count": 1, "pages": 1, "from": 1, "to": 1, "in": 1,
                "previous": null, "next": null })
    );
    assert_eq!(
        ids(&list(&format!("q[total_lteq]={cheap_total}")).await),
        vec![cheap.clone()]
    );
    assert_eq!(
        ids(&list(&format!(
            "q[total_gteq]={cheap_total}&q[total_lteq]={dear_total}"
        ))
        .await)
        .len(),
        2
    );

    let placed = first["completed_at"].as_str().unwrap();
    assert_eq!(ids(&list("q[completed_at_lt]=2999-01-01").await), newest);
    assert!(ids(&list("q[completed_at_gt]=2999-01-01T00:00:00Z").await).is_empty());
    assert!(ids(&list("q[completed_at_lt]=2000-01-01").await).is_empty());
    assert_eq!(ids(&list("q[completed_at_gt]=2000-01-01").await), newest);
    let from_first = list(&format!(
        "q[completed_at_gteq]={}",
        placed.replace('+', "%2B")
    ))
    .await;
    assert!(ids(&from_first).contains(&id(first)), "{from_first}");

    // A state no order has lists nothing, as ransack does (no 422).
    for state in ["returned", "nonsense"] {
        let none = list(&format!("q[state_eq]={state}")).await;
        assert_eq!(none["data"], json!([]));
        assert_eq!(none["meta"]["count"], 0);
    }
    assert!(ids(&list("q[payment_state_eq]=credit_owed").await).is_empty());

    for bad in [
        "sort=price",
        "q[total_gteq]=ten",
        "q[completed_at_gt]=yesterday",
    ] {
        let answer = spree.get(&format!("/customers/me/orders?{bad}"), me).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(answer.code(), "validation_error", "{bad}");
    }
}
