//! Medusa v2 carts and checkout (`reference/medusa-v2-carts-observed.md`): the wire shapes of
//! every cart, delivery and payment route, the errors in Medusa's shape, the cart id as a
//! capability (a customer's cart needs that customer), and the race for the last unit.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa, normalised};
use crate::order_support::{Shop, Who, cart_query, create_cart, ok, shop};

/// Delivery 10.00, tax 19 %: the observed peer's German numbers (in the shop's dollars).
async fn app() -> TestApp {
    TestApp::builder()
        .env("STOREFRONT_SHIPPING_RATE", "1000")
        .env("STOREFRONT_TAX_RATE", "19")
        .env("STOREFRONT_COUNTRIES", "DE,FR")
        .spawn()
        .await
}

const ADDRESS: fn() -> Value = || {
    json!({
        "first_name": "Erika", "last_name": "Mustermann", "company": "Peer GmbH",
        "address_1": "Unter den Linden 1", "address_2": "3. OG", "city": "Berlin",
        "postal_code": "10117", "country_code": "de", "phone": "+49301234567"
    })
};

/// The token a `cart_`/`pay_col_`/`order_` id carries.
fn token_of(id: &Value) -> String {
    let id = id.as_str().expect("an id");
    let token = id.rsplit('_').next().unwrap().to_owned();
    assert_eq!(token.len(), 64, "{id}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    token
}

/// The body with the cart's token shown as `<token>`, then ids and times normalised.
fn pinned(body: &Value, token: &str) -> Value {
    let text = body.to_string().replace(token, "<token>");
    normalised(&serde_json::from_str(&text).unwrap())
}

/// A guest cart with `items`, an email, an address, delivery and a payment session.
async fn ready_cart(m: &Medusa<'_>, who: As<'_>, items: &[(&str, i32)]) -> String {
    let items: Vec<Value> = items
        .iter()
        .map(|(v, q)| json!({ "variant_id": v, "quantity": q }))
        .collect();
    let (status, body) = m.post("/store/carts", who, json!({ "items": items })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["cart"]["id"].as_str().unwrap().to_owned();
    let update = json!({ "email": "guest@example.com", "shipping_address": ADDRESS() });
    let (status, body) = m.post(&format!("/store/carts/{id}"), who, update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = m
        .post(
            &format!("/store/carts/{id}/shipping-methods"),
            who,
            json!({ "option_id": "so_standard" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = m
        .post("/store/payment-collections", who, json!({ "cart_id": id }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let collection = body["payment_collection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = m
        .post(
            &format!("/store/payment-collections/{collection}/payment-sessions"),
            who,
            json!({ "provider_id": "pp_system_default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_checks_out_and_every_route_answers_in_medusas_shape() {
    let app = app().await;
    let m = Medusa::new(&app).await;
    let s: Shop = shop(&app).await;

    // No body at all: a cart in the shop's one region.
    let (status, body) = m.call(Method::POST, "/store/carts", As::Nobody, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["cart"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cart_"), "{id}");
    let token = token_of(&body["cart"]["id"]);
    assert_eq!(body["cart"]["items"], json!([]));
    assert_eq!(body["cart"]["total"], 0);
    assert_eq!(body["cart"]["region_id"], "reg_usd");
    assert!(body["cart"].get("customer").is_none());
    assert!(body["cart"].get("payment_collection").is_none());

    let path = format!("/store/carts/{id}/line-items");
    let (status, body) = m
        .post(
            &path,
            As::Nobody,
            json!({ "variant_id": s.tee, "quantity": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = m
        .post(
            &path,
            As::Nobody,
            json!({ "variant_id": s.tee, "quantity": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["cart"]["items"].as_array().unwrap().len(),
        1,
        "one line"
    );
    assert_eq!(body["cart"]["items"][0]["quantity"], 3);
    let line = body["cart"]["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = m
        .post(
            &path,
            As::Nobody,
            json!({ "variant_id": s.mug, "quantity": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mug_line = body["cart"]["items"][1]["id"].as_str().unwrap().to_owned();
    let (status, body) = m
        .post(
            &format!("/store/carts/{id}/line-items/{line}"),
            As::Nobody,
            json!({ "quantity": 4 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cart"]["items"][0]["quantity"], 4);
    let (status, body) = m
        .delete(
            &format!("/store/carts/{id}/line-items/{mug_line}"),
            As::Nobody,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["id"], &body["object"], &body["deleted"]),
        (&json!(mug_line), &json!("line-item"), &json!(true))
    );
    assert_eq!(body["parent"]["items"].as_array().unwrap().len(), 1);
    // Deleting it again: Medusa's lenient 200 with the unchanged cart.
    let (status, again) = m
        .delete(
            &format!("/store/carts/{id}/line-items/{mug_line}"),
            As::Nobody,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["parent"]["items"], body["parent"]["items"]);

    let update = json!({
        "email": "guest@example.com", "shipping_address": ADDRESS(), "billing_address": ADDRESS()
    });
    let (status, body) = m
        .post(&format!("/store/carts/{id}"), As::Nobody, update)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cart"]["email"], "guest@example.com");

    let (status, body) = m
        .get(&format!("/store/shipping-options?cart_id={id}"), As::Nobody)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["shipping_options"].as_array().unwrap().len(), 1);
    let option = &body["shipping_options"][0];
    assert_eq!(
        (&option["id"], &option["amount"], &option["price_type"]),
        (&json!("so_standard"), &json!(10), &json!("flat"))
    );
    assert_eq!(option["calculated_price"]["calculated_amount"], 10);
    assert_eq!(option["calculated_price"]["currency_code"], "usd");

    let (status, body) = m
        .post(
            &format!("/store/carts/{id}/shipping-methods"),
            As::Nobody,
            json!({ "option_id": "so_standard" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["cart"]["shipping_methods"].as_array().unwrap().len(),
        1
    );

    assert_eq!(
        m.get("/store/payment-providers?region_id=reg_usd", As::Nobody)
            .await,
        (
            StatusCode::OK,
            json!({ "payment_providers": [{ "id": "pp_system_default", "is_enabled": true }],
                    "count": 1, "offset": 0, "limit": 20 })
        )
    );
    let (status, body) = m
        .post(
            "/store/payment-collections",
            As::Nobody,
            json!({ "cart_id": id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        pinned(&body, &token),
        json!({ "payment_collection": { "id": "pay_col_<token>", "currency_code": "usd",
                "amount": 107.1, "payment_sessions": [] } })
    );
    let collection = body["payment_collection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Again: the same collection.
    let (_, again) = m
        .post(
            "/store/payment-collections",
            As::Nobody,
            json!({ "cart_id": id }),
        )
        .await;
    assert_eq!(again, body);
    let (status, body) = m
        .post(
            &format!("/store/payment-collections/{collection}/payment-sessions"),
            As::Nobody,
            json!({ "provider_id": "pp_system_default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        pinned(&body, &token),
        json!({ "payment_collection": { "id": "pay_col_<token>", "currency_code": "usd",
                "amount": 107.1, "payment_sessions": [{
                    "id": "payses_*", "currency_code": "usd", "provider_id": "pp_system_default",
                    "data": {}, "context": {}, "status": "pending", "authorized_at": null,
                    "payment_collection_id": "pay_col_<token>", "payment": null, "metadata": {},
                    "raw_amount": { "value": "107.10", "precision": 20 },
                    "created_at": "<time>", "updated_at": "<time>", "deleted_at": null,
                    "amount": 107.1 }] } })
    );

    // The whole cart, ready: 4 x 20.00 + delivery 10.00, 19 % on both.
    let (status, body) = m.get(&format!("/store/carts/{id}"), As::Nobody).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tax_line = json!([{ "id": null, "description": "Tax", "code": "TAX", "rate": 19,
                            "provider_id": "system", "data": null, "metadata": null }]);
    let address = json!({
        "id": null, "first_name": "Erika", "last_name": "Mustermann", "company": "Peer GmbH",
        "address_1": "Unter den Linden 1", "address_2": "3. OG", "city": "Berlin",
        "postal_code": "10117", "country_code": "de", "province": null, "phone": "+49301234567"
    });
    let mut countries = body["cart"]["region"]["countries"].clone();
    countries
        .as_array_mut()
        .unwrap()
        .sort_by_key(|c| c["iso_2"].to_string());
    assert_eq!(
        countries,
        json!([
            { "iso_2": "de", "iso_3": "deu", "num_code": "276", "name": "GERMANY",
              "display_name": "Germany", "region_id": "reg_usd" },
            { "iso_2": "fr", "iso_3": "fra", "num_code": "250", "name": "FRANCE",
              "display_name": "France", "region_id": "reg_usd" }
        ])
    );
    let mut cart = pinned(&body["cart"], &token);
    cart["region"]["countries"] = json!("checked above");
    assert_eq!(
        cart,
        json!({
            "id": "cart_<token>", "currency_code": "usd", "email": "guest@example.com",
            "locale": null, "region_id": "reg_usd", "created_at": "<time>",
            "updated_at": "<time>", "completed_at": null,
            "total": 107.1, "subtotal": 90, "tax_total": 17.1,
            "discount_total": 0, "discount_subtotal": 0, "discount_tax_total": 0,
            "original_total": 107.1, "original_tax_total": 17.1,
            "item_total": 95.2, "item_subtotal": 80, "item_tax_total": 15.2,
            "item_discount_total": 0, "original_item_total": 95.2,
            "original_item_subtotal": 80, "original_item_tax_total": 15.2,
            "shipping_total": 11.9, "shipping_subtotal": 10, "shipping_tax_total": 1.9,
            "shipping_discount_total": 0, "original_shipping_tax_total": 1.9,
            "original_shipping_subtotal": 10, "original_shipping_total": 11.9,
            "credit_line_subtotal": 0, "credit_line_tax_total": 0, "credit_line_total": 0,
            "metadata": null, "sales_channel_id": null, "customer_id": null,
            "items": [{
                "id": "li_*", "thumbnail": null, "variant_id": "variant_*",
                "product_id": "prod_*", "is_giftcard": false, "product_type_id": null,
                "product_title": "Tee", "product_description": null, "product_subtitle": null,
                "product_type": null, "product_collection": null, "product_handle": null,
                "variant_sku": "TEE-1", "variant_barcode": null, "variant_title": "Tee",
                "requires_shipping": true, "metadata": {}, "created_at": "<time>",
                "updated_at": "<time>", "title": "Tee", "quantity": 4, "unit_price": 20,
                "compare_at_unit_price": 25, "is_tax_inclusive": false,
                "tax_lines": tax_line, "adjustments": [],
                "product": { "id": "prod_*", "collection_id": null, "type_id": null,
                             "categories": [], "tags": [] },
                "subtotal": 80, "tax_total": 15.2, "total": 95.2, "original_total": 95.2,
                "discount_total": 0
            }],
            "shipping_methods": [{
                "id": "sm_*", "name": "Standard delivery", "amount": 10,
                "is_tax_inclusive": false, "shipping_option_id": "so_standard",
                "tax_lines": tax_line, "adjustments": [], "subtotal": 10, "tax_total": 1.9,
                "total": 11.9
            }],
            "shipping_address": address, "billing_address": address, "credit_lines": [],
            "region": { "id": "reg_usd", "name": "Storefront Demo", "currency_code": "usd",
                        "automatic_taxes": true, "metadata": null,
                        "countries": "checked above" },
            "promotions": [],
            "payment_collection": {
                "id": "pay_col_<token>", "currency_code": "usd", "completed_at": null,
                "status": "not_paid", "metadata": null,
                "raw_amount": { "value": "107.10", "precision": 20 },
                "raw_authorized_amount": null, "raw_captured_amount": null,
                "raw_refunded_amount": null, "created_at": "<time>", "updated_at": "<time>",
                "deleted_at": null,
                "payment_sessions": [{
                    "id": "payses_*", "currency_code": "usd", "provider_id": "pp_system_default",
                    "data": {}, "context": {}, "status": "pending", "authorized_at": null,
                    "payment_collection_id": "pay_col_<token>", "payment": null,
                    "metadata": {}, "raw_amount": { "value": "107.10", "precision": 20 },
                    "created_at": "<time>", "updated_at": "<time>", "deleted_at": null,
                    "amount": 107.1
                }],
                "amount": 107.1, "authorized_amount": null, "captured_amount": null,
                "refunded_amount": null
            }
        })
    );

    let (status, done) = m
        .call(
            Method::POST,
            &format!("/store/carts/{id}/complete"),
            As::Nobody,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["type"], "order");
    let order = &done["order"];
    let order_id = order["id"].as_str().unwrap().to_owned();
    assert_eq!(
        order_id,
        format!("order_{token}"),
        "a guest's order is its token"
    );
    assert_eq!(
        (&order["total"], &order["email"], &order["status"]),
        (
            &json!(107.1),
            &json!("guest@example.com"),
            &json!("pending")
        )
    );
    assert_eq!(order["payment_status"], "not_paid", "manual payment: owing");
    // Completing again answers the same order.
    let (status, again) = m
        .call(
            Method::POST,
            &format!("/store/carts/{id}/complete"),
            As::Nobody,
            None,
        )
        .await;
    assert_eq!((status, &again), (StatusCode::OK, &done));
    // The guest reads the order by the id the completion gave.
    let (status, read) = m
        .get(&format!("/store/orders/{order_id}"), As::Nobody)
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["order"], done["order"]);
    // The completed cart is still readable, and refuses changes.
    let (status, body) = m.get(&format!("/store/carts/{id}"), As::Nobody).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["cart"]["completed_at"].is_string());
    let refused = json!({ "type": "invalid_data",
                          "message": format!("Cart {id} is already completed.") });
    assert_eq!(
        m.post(
            &format!("/store/carts/{id}/line-items"),
            As::Nobody,
            json!({ "variant_id": s.tee, "quantity": 1 })
        )
        .await,
        (StatusCode::BAD_REQUEST, refused.clone())
    );
    assert_eq!(
        m.post(
            &format!("/store/carts/{id}"),
            As::Nobody,
            json!({ "email": "late@example.com" })
        )
        .await,
        (StatusCode::BAD_REQUEST, refused.clone())
    );
    assert_eq!(
        m.post(
            &format!("/store/carts/{id}/shipping-methods"),
            As::Nobody,
            json!({ "option_id": "so_standard" })
        )
        .await,
        (StatusCode::BAD_REQUEST, refused)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn medusa_and_graphql_show_one_cart_with_the_same_amounts() {
    let app = app().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;
    let input = json!({ "input": { "items": [{ "variantId": s.tee, "quantity": 2 }] } });
    let created = ok(&app, Who::Anonymous, &create_cart(), input, "createCart").await;
    let token = created["token"].as_str().unwrap().to_owned();
    // The Medusa id of that cart is `cart_` + its token.
    let (status, body) = m
        .get(&format!("/store/carts/cart_{token}"), As::Nobody)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cart = &body["cart"];
    let read = ok(
        &app,
        Who::Guest(&token),
        &cart_query(),
        json!({ "id": created["id"] }),
        "cart",
    )
    .await;
    let major = |v: &Value| v["amount"].as_str().unwrap().parse::<f64>().unwrap();
    assert_eq!(
        cart["item_subtotal"].as_f64().unwrap(),
        major(&read["itemTotal"])
    );
    assert_eq!(
        cart["shipping_subtotal"].as_f64().unwrap(),
        major(&read["shippingTotal"])
    );
    assert_eq!(
        cart["tax_total"].as_f64().unwrap(),
        major(&read["taxTotal"])
    );
    assert_eq!(cart["total"].as_f64().unwrap(), major(&read["total"]));
    assert_eq!(cart["total"], 59.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_cart_needs_that_customer_and_the_id_alone_opens_nothing_else() {
    let app = app().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;
    let (alice_id, alice) = m.sign_up("alice@example.com", "Alice").await;
    let (bob_id, bob) = m.sign_up("bob@example.com", "Bob").await;

    let (status, body) = m
        .post(
            "/store/carts",
            As::Bearer(&alice),
            json!({ "items": [{ "variant_id": s.tee, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cart = body["cart"].clone();
    let id = cart["id"].as_str().unwrap().to_owned();
    token_of(&cart["id"]);
    assert_eq!(cart["customer_id"], alice_id.as_str());
    assert_eq!(cart["email"], "alice@example.com");
    assert_eq!(
        cart["customer"],
        json!({ "id": alice_id, "email": "alice@example.com", "groups": [] })
    );

    // Without Alice's token, her cart id answers as a missing cart, whatever is tried.
    let read_missing =
        json!({ "type": "not_found", "message": format!("Cart with id '{id}' not found") });
    let change_missing =
        json!({ "type": "not_found", "message": format!("Cart id not found: {id}") });
    let invented = format!("cart_{}", "ab".repeat(32));
    for who in [As::Nobody, As::Bearer(&bob)] {
        assert_eq!(
            m.get(&format!("/store/carts/{id}"), who).await,
            (StatusCode::NOT_FOUND, read_missing.clone())
        );
        let attempts = [
            (
                format!("/store/carts/{id}"),
                json!({ "email": "thief@example.com" }),
            ),
            (
                format!("/store/carts/{id}/line-items"),
                json!({ "variant_id": s.tee, "quantity": 5 }),
            ),
            (
                format!("/store/carts/{id}/shipping-methods"),
                json!({ "option_id": "so_standard" }),
            ),
            (
                "/store/payment-collections".to_owned(),
                json!({ "cart_id": id }),
            ),
        ];
        for (path, body) in attempts {
            assert_eq!(
                m.post(&path, who, body).await,
                (StatusCode::NOT_FOUND, change_missing.clone()),
                "{path}"
            );
        }
        assert_eq!(
            m.call(
                Method::POST,
                &format!("/store/carts/{id}/complete"),
                who,
                None
            )
            .await,
            (StatusCode::NOT_FOUND, read_missing.clone())
        );
    }
    // Bob cannot take it over either: the same answer as an id that was never made.
    let (status, body) = m
        .call(
            Method::POST,
            &format!("/store/carts/{id}/customer"),
            As::Bearer(&bob),
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, change_missing));
    let (status, body) = m
        .call(
            Method::POST,
            &format!("/store/carts/{invented}/customer"),
            As::Bearer(&bob),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": format!("Cart id not found: {invented}") })
        )
    );
    // Nothing changed.
    let (status, body) = m
        .get(&format!("/store/carts/{id}"), As::Bearer(&alice))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cart"], cart);

    // A guest cart: its id opens it until a customer takes it over; then it is theirs alone.
    let (_, body) = m.post("/store/carts", As::Nobody, json!({})).await;
    let guest = body["cart"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        m.call(
            Method::POST,
            &format!("/store/carts/{guest}/customer"),
            As::Nobody,
            None
        )
        .await,
        (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Unauthorized" })
        )
    );
    let (status, body) = m
        .call(
            Method::POST,
            &format!("/store/carts/{guest}/customer"),
            As::Bearer(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cart"]["customer_id"], bob_id.as_str());
    assert_eq!(body["cart"]["email"], "bob@example.com");
    for who in [As::Nobody, As::Bearer(&alice)] {
        let (status, _) = m.get(&format!("/store/carts/{guest}"), who).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = m
        .call(
            Method::POST,
            &format!("/store/carts/{guest}/customer"),
            As::Bearer(&alice),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only a guest cart is taken over"
    );
    // The other surfaces' ids do not name a Medusa cart.
    let row = body["cart"]["id"].as_str().unwrap().replace("cart_", "");
    assert_eq!(row.len(), 64);
    let (status, _) = m
        .get(
            "/store/carts/cart_01JD0000000000000000000000",
            As::Bearer(&bob),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_checks_out_and_finds_the_order_in_their_list() {
    let app = app().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;
    let (_, alice) = m.sign_up("alice@example.com", "Alice").await;
    let id = ready_cart(&m, As::Bearer(&alice), &[(&s.mug, 2)]).await;
    let (status, done) = m
        .call(
            Method::POST,
            &format!("/store/carts/{id}/complete"),
            As::Bearer(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let order_id = done["order"]["id"].as_str().unwrap().to_owned();
    assert!(
        order_id.starts_with("or_"),
        "a customer's order is named by its id"
    );
    let (status, list) = m.get("/store/orders", As::Bearer(&alice)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["count"], 1);
    assert_eq!(list["orders"][0]["id"], order_id.as_str());
    let (status, read) = m
        .get(&format!("/store/orders/{order_id}"), As::Bearer(&alice))
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["order"]["total"], done["order"]["total"]);
    // 2 x 12.50 + 10.00, 19 %.
    assert_eq!(done["order"]["total"], 41.65);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_answer_in_medusas_shape() {
    let app = app().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;
    let invalid = |message: &str| json!({ "type": "invalid_data", "message": message });

    // No publishable key.
    let (status, body) = app
        .send(app.request(Method::POST, "/store/carts").json(&json!({})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "not_allowed");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Publishable API key required")
    );
    // Malformed JSON.
    let (status, body) = app
        .send(
            m.request(Method::POST, "/store/carts", As::Nobody)
                .header("content-type", "application/json")
                .body("{variant_id:"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "invalid_data");
    // Unknown fields, unknown region, other currency.
    assert_eq!(
        m.post("/store/carts", As::Nobody, json!({ "foo": 1 }))
            .await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Invalid request: Unrecognized fields: 'foo'")
        )
    );
    assert_eq!(
        m.post(
            "/store/carts",
            As::Nobody,
            json!({ "region_id": "reg_nope" })
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": "No regions found" })
        )
    );
    assert_eq!(
        m.post(
            "/store/carts",
            As::Nobody,
            json!({ "currency_code": "eur" })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Currency code eur does not match the region's currency code usd")
        )
    );
    // Unknown cart.
    let nope = format!("cart_{}", "0".repeat(64));
    assert_eq!(
        m.get(&format!("/store/carts/{nope}"), As::Nobody).await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": format!("Cart with id '{nope}' not found") })
        )
    );
    assert_eq!(
        m.get("/store/carts/cart_doesnotexist", As::Nobody).await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found",
                    "message": "Cart with id 'cart_doesnotexist' not found" })
        )
    );
    assert_eq!(
        m.post(
            "/store/carts/cart_doesnotexist",
            As::Nobody,
            json!({ "email": "x@example.com" })
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": "Cart id not found: cart_doesnotexist" })
        )
    );

    let (_, body) = m.post("/store/carts", As::Nobody, json!({})).await;
    let id = body["cart"]["id"].as_str().unwrap().to_owned();
    let items = format!("/store/carts/{id}/line-items");
    // Unknown variant; quantities.
    assert_eq!(
        m.post(
            &items,
            As::Nobody,
            json!({ "variant_id": "variant_doesnotexist", "quantity": 1 })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid(
                "Variants variant_doesnotexist do not exist or belong to a product that is not published"
            )
        )
    );
    assert_eq!(
        m.post(
            &items,
            As::Nobody,
            json!({ "variant_id": s.tee, "quantity": 0 })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid(
                "Invalid request: Value for field 'quantity' too small, expected at least: '0'"
            )
        )
    );
    assert_eq!(
        m.post(&items, As::Nobody, json!({ "quantity": 1 })).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Invalid request: Field 'variant_id' is required")
        )
    );
    // Stock: the hoodie has 2.
    let stock = json!({ "code": "insufficient_inventory", "type": "not_allowed",
                        "message": "Some variant does not have the required inventory" });
    assert_eq!(
        m.post(
            &items,
            As::Nobody,
            json!({ "variant_id": s.hoodie_s, "quantity": 3 })
        )
        .await,
        (StatusCode::BAD_REQUEST, stock.clone())
    );
    let (status, body) = m
        .post(
            &items,
            As::Nobody,
            json!({ "variant_id": s.hoodie_s, "quantity": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let line = body["cart"]["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        m.post(
            &format!("{items}/{line}"),
            As::Nobody,
            json!({ "quantity": 9 })
        )
        .await,
        (StatusCode::BAD_REQUEST, stock)
    );
    assert_eq!(
        m.post(
            &format!("{items}/li_doesnotexist"),
            As::Nobody,
            json!({ "quantity": 1 })
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found",
                    "message": "Line item with id: li_doesnotexist was not found" })
        )
    );
    assert_eq!(
        m.post(
            &format!("/store/carts/{id}"),
            As::Nobody,
            json!({ "email": "not-an-email" })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Invalid request: Invalid email address")
        )
    );

    // Delivery and payment parameters.
    assert_eq!(
        m.get("/store/shipping-options", As::Nobody).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Invalid request: Field 'cart_id' is required")
        )
    );
    assert_eq!(
        m.get("/store/payment-providers", As::Nobody).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Invalid request: Field 'region_id' is required")
        )
    );
    assert_eq!(
        m.post("/store/payment-collections", As::Nobody, json!({}))
            .await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Invalid request: Field 'cart_id' is required")
        )
    );
    assert_eq!(
        m.post(
            &format!("/store/carts/{id}/shipping-methods"),
            As::Nobody,
            json!({ "option_id": "so_doesnotexist" })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Shipping Options are invalid for cart.")
        )
    );

    // Completion, step by step, in Medusa's order of checks.
    let complete = format!("/store/carts/{id}/complete");
    let (_, empty) = m.post("/store/carts", As::Nobody, json!({})).await;
    let empty_id = empty["cart"]["id"].as_str().unwrap();
    assert_eq!(
        m.call(
            Method::POST,
            &format!("/store/carts/{empty_id}/complete"),
            As::Nobody,
            None
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Cannot complete a cart with no items")
        )
    );
    assert_eq!(
        m.call(Method::POST, &complete, As::Nobody, None).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Payment collection has not been initiated for cart")
        )
    );
    let (_, body) = m
        .post(
            "/store/payment-collections",
            As::Nobody,
            json!({ "cart_id": id }),
        )
        .await;
    let collection = body["payment_collection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        m.call(Method::POST, &complete, As::Nobody, None).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Payment sessions are required to complete cart")
        )
    );
    let sessions = format!("/store/payment-collections/{collection}/payment-sessions");
    assert_eq!(
        m.post(
            &sessions,
            As::Nobody,
            json!({ "provider_id": "pp_doesnotexist" })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            invalid(
                "Payment provider pp_doesnotexist is not enabled in the cart's region reg_usd."
            )
        )
    );
    assert_eq!(
        m.post(
            "/store/payment-collections/pay_col_doesnotexist/payment-sessions",
            As::Nobody,
            json!({ "provider_id": "pp_system_default" })
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found",
                    "message": "Payment collection with id: pay_col_doesnotexist was not found" })
        )
    );
    let (status, _) = m
        .post(
            &sessions,
            As::Nobody,
            json!({ "provider_id": "pp_system_default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        m.call(Method::POST, &complete, As::Nobody, None).await,
        (
            StatusCode::BAD_REQUEST,
            invalid(
                "No shipping method selected but the cart contains items that require shipping."
            )
        )
    );
    let (status, _) = m
        .post(
            &format!("/store/carts/{id}/shipping-methods"),
            As::Nobody,
            json!({ "option_id": "so_standard" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A change of total voids the session: it is gone from the cart and needed again.
    let (status, body) = m
        .post(
            &format!("{items}/{line}"),
            As::Nobody,
            json!({ "quantity": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["cart"]["payment_collection"]["payment_sessions"],
        json!([])
    );
    assert_eq!(
        m.call(Method::POST, &complete, As::Nobody, None).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("Payment sessions are required to complete cart")
        )
    );
    let (status, _) = m
        .post(
            &sessions,
            As::Nobody,
            json!({ "provider_id": "pp_system_default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The store still wants an email and an address to ship to.
    assert_eq!(
        m.call(Method::POST, &complete, As::Nobody, None).await,
        (
            StatusCode::BAD_REQUEST,
            invalid("An email is required to complete the cart")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_shoppers_one_last_unit_one_order() {
    let app = app().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;
    let mut carts = Vec::new();
    for _ in 0..6 {
        carts.push(ready_cart(&m, As::Nobody, &[(&s.scarf, 1)]).await);
    }
    let attempts = carts.iter().map(|id| {
        let path = format!("/store/carts/{id}/complete");
        let m = &m;
        async move { m.call(Method::POST, &path, As::Nobody, None).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let placed = results
        .iter()
        .filter(|(status, body)| *status == StatusCode::OK && body["type"] == "order")
        .count();
    assert_eq!(placed, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(
            (*status, body),
            (
                StatusCode::BAD_REQUEST,
                &json!({ "type": "not_allowed", "message": "Not enough stock left for Scarf" })
            )
        );
    }
    // Afterwards even one unit cannot be added.
    let (_, body) = m.post("/store/carts", As::Nobody, json!({})).await;
    let id = body["cart"]["id"].as_str().unwrap();
    let (status, body) = m
        .post(
            &format!("/store/carts/{id}/line-items"),
            As::Nobody,
            json!({ "variant_id": s.scarf, "quantity": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "insufficient_inventory");
}
