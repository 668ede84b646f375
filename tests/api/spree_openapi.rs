//! Spree Store API: the OpenAPI description at `/api/v3/store/openapi.json` names every route
//! the issue lists, and every operation it names is mounted (answered by a handler, not by the
//! fallbacks).

use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;
use crate::spree_support::{As, Spree};

const ROUTES: &[(&str, &str)] = &[
    ("post", "/auth/login"),
    ("post", "/auth/refresh"),
    ("post", "/auth/logout"),
    ("post", "/customers"),
    ("get", "/customers/me"),
    ("patch", "/customers/me"),
    ("post", "/password_resets"),
    ("patch", "/password_resets/{token}"),
    ("get", "/customers/me/addresses"),
    ("post", "/customers/me/addresses"),
    ("get", "/customers/me/addresses/{id}"),
    ("patch", "/customers/me/addresses/{id}"),
    ("delete", "/customers/me/addresses/{id}"),
    ("get", "/customers/me/orders"),
    ("get", "/customers/me/orders/{id}"),
    ("get", "/orders/{id}"),
    ("get", "/products"),
    ("get", "/products/{id}"),
    ("get", "/products/filters"),
    ("get", "/categories"),
    ("get", "/categories/{id}"),
    ("get", "/carts"),
    ("post", "/carts"),
    ("get", "/carts/{id}"),
    ("patch", "/carts/{id}"),
    ("delete", "/carts/{id}"),
    ("post", "/carts/{id}/items"),
    ("patch", "/carts/{id}/items/{item_id}"),
    ("delete", "/carts/{id}/items/{item_id}"),
    ("patch", "/carts/{id}/associate"),
    ("post", "/carts/{id}/complete"),
    ("get", "/customers/me/credit_cards"),
    ("get", "/customers/me/credit_cards/{id}"),
    ("delete", "/customers/me/credit_cards/{id}"),
    ("get", "/customers/me/store_credits"),
    ("get", "/customers/me/store_credits/{id}"),
    ("get", "/customers/me/gift_cards"),
    ("get", "/customers/me/gift_cards/{id}"),
    ("post", "/carts/{id}/store_credits"),
    ("delete", "/carts/{id}/store_credits"),
    ("post", "/carts/{id}/gift_cards"),
    ("delete", "/carts/{id}/gift_cards/{gift_card_id}"),
    ("get", "/wishlists"),
    ("post", "/wishlists"),
    ("get", "/wishlists/{id}"),
    ("patch", "/wishlists/{id}"),
    ("delete", "/wishlists/{id}"),
    ("post", "/wishlists/{id}/items"),
    ("patch", "/wishlists/{id}/items/{item_id}"),
    ("delete", "/wishlists/{id}/items/{item_id}"),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_description_and_the_router_agree() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let (status, doc) = app.get("/api/v3/store/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], "/api/v3/store");

    let mut described: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "patch", "delete", "put"].contains(&method.as_str()) {
                described.push((method.clone(), path.clone()));
            }
        }
    }
    described.sort();
    let mut listed: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    listed.sort();
    assert_eq!(
        described, listed,
        "the description names exactly the issue's routes"
    );
    assert_eq!(
        doc["paths"]["/carts/{id}/items/{item_id}"]["patch"]["parameters"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Every described operation reaches a handler: not the 404 of an unmounted path, not 405.
    for (method, path) in &described {
        // A category's permalink holds slashes; other ids are one segment.
        let id = if path.starts_with("/categories") {
            "clothing/shirts"
        } else {
            "x"
        };
        let concrete = path
            .replace("{id}", id)
            .replace("{item_id}", "li_x")
            .replace("{token}", "t");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = spree
            .call(
                method.clone(),
                &concrete,
                As::Anonymous,
                Some(serde_json::json!({})),
            )
            .await;
        assert_ne!(
            r.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {concrete}"
        );
        assert_ne!(
            r.body["error"]["message"], "Route not found",
            "{method} {concrete} is described but not mounted"
        );
        if !r.status.is_success() {
            r.code();
        }
    }
    let unmounted = spree
        .get("/customers/me/payment_setup_sessions", As::Anonymous)
        .await;
    assert_eq!(unmounted.body["error"]["message"], "Route not found");
}
