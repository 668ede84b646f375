//! Medusa v2 orders: a customer's orders placed through GraphQL, listed and shown over
//! `/store/orders`, and the IDOR matrix (another customer's order is a missing one).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa, normalised};
use crate::order_support::{Who, cancel, ok, place, shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_orders_list_and_show_and_stay_theirs() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;
    let (alice_id, alice) = m.sign_up("alice@example.com", "Alice").await;
    let (_, bob) = m.sign_up("bob@example.com", "Bob").await;

    assert_eq!(
        m.get("/store/orders", As::Bearer(&alice)).await,
        (
            StatusCode::OK,
            json!({ "orders": [], "count": 0, "offset": 0, "limit": 50 })
        )
    );
    assert_eq!(
        m.get("/store/orders", As::Nobody).await,
        (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Unauthorized" })
        )
    );
    // The Medusa token signs in to GraphQL too: one session, every surface.
    let first = place(
        &app,
        Who::Customer(&alice),
        &[(&s.tee, 2)],
        "alice@example.com",
    )
    .await;
    let second = place(
        &app,
        Who::Customer(&alice),
        &[(&s.mug, 1)],
        "alice@example.com",
    )
    .await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    let second_id = second["id"].as_str().unwrap().to_owned();

    let (status, body) = m.get("/store/orders", As::Bearer(&alice)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(body["orders"][0]["id"], second_id.as_str(), "newest first");
    let display = |order: &serde_json::Value| {
        order["number"]
            .as_str()
            .unwrap()
            .trim_start_matches('R')
            .parse::<i64>()
            .unwrap()
    };
    let total = first["total"]["amountInCents"].as_i64().unwrap();
    assert_eq!(
        normalised(&body["orders"][1]),
        json!({
            "id": "or_*", "status": "pending", "display_id": display(&first),
            "custom_display_id": first["number"],
            "summary": { "pending_difference": total / 100, "current_order_total": total / 100,
                "original_order_total": total / 100, "transaction_total": 0, "paid_total": 0,
                "refunded_total": 0, "accounting_total": total / 100 },
            "total": total / 100, "currency_code": "usd", "metadata": null,
            "created_at": "<time>", "updated_at": "<time>"
        })
    );
    assert_eq!(total % 100, 0, "the fixture's totals are whole dollars");
    let (_, page) = m
        .get(
            "/store/orders?limit=1&offset=1&fields=id",
            As::Bearer(&alice),
        )
        .await;
    assert_eq!(
        page,
        json!({ "orders": [{ "id": first_id }], "count": 2, "offset": 1, "limit": 1 })
    );

    let (status, body) = m
        .get(&format!("/store/orders/{first_id}"), As::Bearer(&alice))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order = &body["order"];
    assert_eq!(order["customer_id"], alice_id.as_str());
    assert_eq!(order["email"], "alice@example.com");
    assert_eq!(order["payment_status"], "not_paid");
    assert_eq!(order["fulfillment_status"], "not_fulfilled");
    assert_eq!(
        normalised(&order["items"]),
        json!([{ "id": "li_*", "title": "Tee", "subtitle": null, "thumbnail": null,
            "variant_id": "variant_*", "product_id": "prod_*", "product_title": "Tee",
            "variant_sku": "TEE-1", "variant_title": "", "quantity": 2, "unit_price": 20,
            "compare_at_unit_price": 25, "subtotal": 40, "total": 40, "metadata": null,
            "created_at": "<time>", "updated_at": "<time>" }])
    );
    assert_eq!(
        order["shipping_address"]["country_code"],
        json!(
            order["shipping_address"]["country_code"]
                .as_str()
                .map(str::to_lowercase)
        )
    );

    // Bob sees Alice's order exactly as a missing one.
    for id in [first_id.as_str(), "or_01JAAAAAAAAAAAAAAAAAAAAAAA"] {
        assert_eq!(
            m.get(&format!("/store/orders/{id}"), As::Bearer(&bob))
                .await,
            (
                StatusCode::NOT_FOUND,
                json!({ "type": "not_found", "message": format!("Order id not found: {id}") })
            ),
            "{id}"
        );
        assert_eq!(
            m.get(&format!("/store/orders/{id}"), As::Nobody).await.0,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(m.get("/store/orders", As::Bearer(&bob)).await.1["count"], 0);

    // Status filters: one status, several (any of them), one the store never gives, and a word
    // Medusa's validator refuses.
    ok(
        &app,
        Who::Customer(&alice),
        &cancel(),
        json!({ "id": first_id }),
        "cancelOrder",
    )
    .await;
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for (query, expected) in [
        ("status=pending", vec![second_id.clone()]),
        ("status=canceled", vec![first_id.clone()]),
        (
            "status[]=pending&status[]=canceled",
            vec![second_id.clone(), first_id.clone()],
        ),
        ("status=completed", vec![]),
        ("status[]=draft&status[]=canceled", vec![first_id.clone()]),
    ] {
        let (status, body) = m
            .get(&format!("/store/orders?{query}"), As::Bearer(&alice))
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(ids(&body), expected, "{query}");
        assert_eq!(body["count"], expected.len(), "{query}");
    }
    assert_eq!(
        m.get("/store/orders?status=shipped", As::Bearer(&alice))
            .await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Expected: 'pending, \
                completed, draft, archived, canceled, requires_action' for field 'status', but \
                got: 'shipped'" })
        )
    );
}
