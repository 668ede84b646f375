//! Spree Store API: the address book under `/customers/me/addresses`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::spree_support::{As, Spree, normalized};

fn new_york() -> Value {
    json!({ "first_name": "John", "last_name": "Doe", "address1": "76 Lovely Street",
            "address2": "Northwest", "city": "New York", "postal_code": "10118",
            "phone": "555-555-0199", "company": "Company", "country_iso": "US",
            "state_abbr": "NY" })
}

fn shown(id: &str, billing: bool, shipping: bool) -> Value {
    json!({ "id": id, "first_name": "John", "last_name": "Doe", "full_name": "John Doe",
            "address1": "76 Lovely Street", "address2": "Northwest", "postal_code": "10118",
            "city": "New York", "phone": "555-555-0199", "company": "Company",
            "country_name": "United States of America", "country_iso": "US",
            "state_text": "NY", "state_abbr": "NY", "quick_checkout": false,
            "is_default_billing": billing, "is_default_shipping": shipping,
            "state_name": "New York" })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_address_book_with_spree_names_and_defaults() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let me = As::Customer(&ada.token);

    let first = spree.post("/customers/me/addresses", me, new_york()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    // The first address becomes both defaults.
    assert_eq!(normalized(&first.body), shown("<addr_1>", true, true));
    let first_id = first.body["id"].as_str().unwrap().to_owned();

    let mut second_body = new_york();
    second_body["is_default_shipping"] = json!(true);
    let second = spree.post("/customers/me/addresses", me, second_body).await;
    assert_eq!(normalized(&second.body), shown("<addr_1>", false, true));
    let second_id = second.body["id"].as_str().unwrap().to_owned();

    let list = spree.get("/customers/me/addresses", me).await;
    let mut expected_first = shown(&first_id, true, false);
    let expected_second = shown(&second_id, false, true);
    assert_eq!(
        list.body,
        json!({ "data": [expected_first.clone(), expected_second],
                "meta": { "page": 1, "limit": 25, "count": 2, "pages": 1, "from": 1, "to": 2,
                          "in": 2, "previous": null, "next": null } })
    );
    let paged = spree
        .get("/customers/me/addresses?page=2&limit=1", me)
        .await;
    assert_eq!(paged.body["data"][0]["id"], second_id.as_str());
    assert_eq!(paged.body["meta"]["previous"], 1);

    // PATCH changes what it is given; `false` does not clear a default.
    let patched = spree
        .patch(
            &format!("/customers/me/addresses/{first_id}"),
            me,
            json!({ "city": "Brooklyn", "address2": "", "is_default_billing": false }),
        )
        .await;
    expected_first["city"] = json!("Brooklyn");
    expected_first["address2"] = Value::Null;
    assert_eq!(patched.body, expected_first, "{}", patched.text);
    assert_eq!(
        spree
            .get(&format!("/customers/me/addresses/{first_id}"), me)
            .await
            .body,
        expected_first
    );
    let moved = spree
        .patch(
            &format!("/customers/me/addresses/{first_id}"),
            me,
            json!({ "country_iso": "GB" }),
        )
        .await;
    assert_eq!(
        (
            moved.body["country_iso"].as_str(),
            moved.body["state_abbr"].clone()
        ),
        (Some("GB"), Value::Null),
        "a new country drops the old country's state"
    );

    let invalid = spree.post("/customers/me/addresses", me, json!({})).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invalid.body,
        json!({ "error": { "code": "validation_error",
            "message": "Address1 is required, City is required, and Country is required",
            "details": { "address1": ["is required"], "city": ["is required"],
                         "country": ["is required"] } } })
    );
    let bad_state = spree
        .patch(
            &format!("/customers/me/addresses/{second_id}"),
            me,
            json!({ "state_abbr": "ZZ" }),
        )
        .await;
    assert_eq!(
        bad_state.body["error"]["details"],
        json!({ "state": ["is not an ISO 3166-2 subdivision of US"] })
    );

    let deleted = spree
        .delete(&format!("/customers/me/addresses/{second_id}"), me)
        .await;
    assert_eq!(
        (deleted.status, deleted.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    let gone = spree
        .get(&format!("/customers/me/addresses/{second_id}"), me)
        .await;
    assert_eq!(
        (gone.status, gone.body),
        (
            StatusCode::NOT_FOUND,
            json!({ "error": { "code": "record_not_found", "message": "Address not found" } })
        )
    );
    let customer = spree.get("/customers/me", me).await;
    assert_eq!(customer.body["default_shipping_address"], Value::Null);
    assert_eq!(
        customer.body["default_billing_address"]["id"],
        first_id.as_str()
    );
    assert_eq!(customer.body["addresses"].as_array().unwrap().len(), 1);

    assert_eq!(
        spree
            .get("/customers/me/addresses", As::Anonymous)
            .await
            .code(),
        "authentication_required"
    );
}
