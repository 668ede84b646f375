//! Medusa v2 address book: shapes, `is_default_*`, paging and filters, and the IDOR matrix
//! (another customer's address answers exactly as a missing one, and nothing changes).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa, normalised};

const ADDRESSES: &str = "/store/customers/me/addresses";

fn home() -> Value {
    json!({ "first_name": "Alice", "last_name": "Liddell", "address_1": "Rabbit Hole 1",
            "city": "Oxford", "country_code": "gb", "postal_code": "OX1 1AA", "phone": "+441234",
            "address_name": "Home", "is_default_shipping": true })
}

fn work() -> Value {
    json!({ "first_name": "Alice", "address_1": "Work Street 5", "city": "Berlin",
            "country_code": "de", "postal_code": "10115", "is_default_billing": true })
}

/// The listed shape of an address (ids and times normalised).
fn listed(fields: Value) -> Value {
    let mut address = json!({
        "id": "addr_*", "address_name": null, "company": null, "customer_id": "cus_*",
        "first_name": null, "last_name": null, "address_1": null, "address_2": null,
        "city": null, "province": null, "postal_code": null, "country_code": null,
        "phone": null, "metadata": null, "is_default_shipping": false,
        "is_default_billing": false, "created_at": "<time>", "updated_at": "<time>"
    });
    for (k, v) in fields.as_object().unwrap() {
        address[k] = v.clone();
    }
    address
}

fn home_listed(shipping: bool, billing: bool) -> Value {
    listed(
        json!({ "address_name": "Home", "first_name": "Alice", "last_name": "Liddell",
        "address_1": "Rabbit Hole 1", "city": "Oxford", "postal_code": "OX1 1AA",
        "country_code": "gb", "phone": "+441234", "is_default_shipping": shipping,
        "is_default_billing": billing }),
    )
}

fn work_listed(shipping: bool, billing: bool) -> Value {
    listed(
        json!({ "first_name": "Alice", "address_1": "Work Street 5", "city": "Berlin",
        "postal_code": "10115", "country_code": "de", "is_default_shipping": shipping,
        "is_default_billing": billing }),
    )
}

/// As inside a customer: with `deleted_at`.
fn nested(mut address: Value) -> Value {
    address["deleted_at"] = Value::Null;
    address
}

/// The customer as both v2 (`addresses`) and v1 (`shipping_addresses`, `billing_address_id`)
/// clients read it.
fn customer(addresses: Vec<Value>) -> Value {
    let addresses: Vec<Value> = addresses.into_iter().map(nested).collect();
    let billing = addresses
        .iter()
        .find(|a| a["is_default_billing"] == true)
        .map_or(Value::Null, |_| json!("addr_*"));
    json!({ "customer": {
        "id": "cus_*", "email": "alice@example.com", "company_name": null,
        "first_name": "Alice", "last_name": null, "phone": null, "metadata": null,
        "has_account": true, "deleted_at": null, "created_at": "<time>", "updated_at": "<time>",
        "addresses": addresses.clone(), "shipping_addresses": addresses,
        "billing_address_id": billing
    } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_address_book_answers_in_medusa_shapes() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (customer_id, token) = m.sign_up("alice@example.com", "Alice").await;
    let me = As::Bearer(&token);

    let (status, body) = m.post(ADDRESSES, me, home()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Our store makes the first address both defaults (Medusa leaves billing unset).
    assert_eq!(normalised(&body), customer(vec![home_listed(true, true)]));
    let home_id = body["customer"]["addresses"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        body["customer"]["addresses"][0]["customer_id"],
        customer_id.as_str()
    );

    let (status, body) = m.post(ADDRESSES, me, work()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        normalised(&body),
        customer(vec![home_listed(true, false), work_listed(false, true)])
    );
    let work_id = body["customer"]["addresses"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // v1's wrapper is accepted too.
    let (status, body) = m
        .post(
            ADDRESSES,
            me,
            json!({ "address": { "address_1": "x", "city": "Paris", "country_code": "fr" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["customer"]["addresses"].as_array().unwrap().len(), 3);

    assert_eq!(
        m.post(ADDRESSES, me, json!({ "address_1": "x", "bogus": 1 }))
            .await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'bogus'" })
        )
    );
    // The store's rules hold: a line, a city and a real country are required.
    let (status, body) = m.post(ADDRESSES, me, json!({ "country_code": "zz" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "invalid_data");
    assert_eq!(
        m.post(ADDRESSES, As::Nobody, home()).await,
        (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Unauthorized" })
        )
    );

    let (status, body) = m.get(ADDRESSES, me).await;
    assert_eq!(status, StatusCode::OK);
    let paris = listed(json!({ "address_1": "x", "city": "Paris", "country_code": "fr" }));
    assert_eq!(
        normalised(&body),
        json!({ "addresses": [home_listed(true, false), work_listed(false, true), paris],
                "count": 3, "offset": 0, "limit": 50 })
    );
    let (_, body) = m.get(&format!("{ADDRESSES}?limit=1&offset=1"), me).await;
    assert_eq!(
        normalised(&body),
        json!({ "addresses": [work_listed(false, true)], "count": 3, "offset": 1, "limit": 1 })
    );
    let (_, body) = m.get(&format!("{ADDRESSES}?city=Berlin"), me).await;
    assert_eq!(
        normalised(&body),
        json!({ "addresses": [work_listed(false, true)], "count": 1, "offset": 0, "limit": 50 })
    );
    let (_, body) = m.get(&format!("{ADDRESSES}?fields=id,city"), me).await;
    assert_eq!(
        body["addresses"][1],
        json!({ "id": work_id, "city": "Berlin" })
    );
    assert_eq!(
        m.get(&format!("{ADDRESSES}?limit=abc"), me).await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'" })
        )
    );

    let (status, body) = m.get(&format!("{ADDRESSES}/{home_id}"), me).await;
    assert_eq!(
        (status, normalised(&body)),
        (
            StatusCode::OK,
            json!({ "address": home_listed(true, false) })
        )
    );

    // A partial update keeps the other fields; is_default_billing moves the billing default.
    let (status, body) = m
        .post(
            &format!("{ADDRESSES}/{home_id}"),
            me,
            json!({ "city": "Cambridge", "is_default_billing": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut cambridge = home_listed(true, true);
    cambridge["city"] = json!("Cambridge");
    assert_eq!(
        normalised(&body),
        customer(vec![
            cambridge.clone(),
            work_listed(false, false),
            paris.clone()
        ])
    );
    // is_default_shipping: false gives up the shipping default.
    let (_, body) = m
        .post(
            &format!("{ADDRESSES}/{home_id}"),
            me,
            json!({ "is_default_shipping": false }),
        )
        .await;
    assert_eq!(
        body["customer"]["addresses"][0]["is_default_shipping"],
        false
    );

    let (status, body) = m.delete(&format!("{ADDRESSES}/{work_id}"), me).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut after = cambridge;
    after["is_default_shipping"] = json!(false);
    let parent = customer(vec![after, paris])["customer"].clone();
    assert_eq!(
        normalised(&body),
        json!({ "id": "cus_*", "object": "address", "deleted": true,
                "parent": parent, "customer": parent })
    );
    assert_eq!(
        body["id"],
        customer_id.as_str(),
        "Medusa answers the customer's id"
    );
    let gone = json!({ "type": "not_found", "message": format!("Address with id: {work_id} was not found") });
    assert_eq!(
        m.get(&format!("{ADDRESSES}/{work_id}"), me).await,
        (StatusCode::NOT_FOUND, gone.clone())
    );
    assert_eq!(
        m.delete(&format!("{ADDRESSES}/{work_id}"), me).await,
        (StatusCode::NOT_FOUND, gone)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn address_metadata_is_kept_until_replaced() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (_, token) = m.sign_up("alice@example.com", "Alice").await;
    let me = As::Bearer(&token);
    let mut body = home();
    body["metadata"] = json!({ "door": "blue", "floor": 3 });
    let (status, created) = m.post(ADDRESSES, me, body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["customer"]["addresses"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = format!("{ADDRESSES}/{id}");
    assert_eq!(
        m.get(&one, me).await.1["address"]["metadata"],
        json!({ "door": "blue", "floor": 3 })
    );

    // A change that does not name metadata keeps it; one that does replaces it.
    m.post(&one, me, json!({ "city": "Leeds" })).await;
    let (_, read) = m.get(&one, me).await;
    assert_eq!(read["address"]["city"], "Leeds");
    assert_eq!(
        read["address"]["metadata"],
        json!({ "door": "blue", "floor": 3 })
    );
    m.post(&one, me, json!({ "metadata": { "door": "red" } }))
        .await;
    assert_eq!(
        m.get(&one, me).await.1["address"]["metadata"],
        json!({ "door": "red" })
    );
    // So does a GraphQL update, which has no metadata to give.
    let graphql = app
        .graphql_as(
            Some(&token),
            "mutation($id: ID!) { updateAddress(id: $id, input: { address1: \"2 Side St\", \
             city: \"York\", countryCode: \"GB\" }) { id city } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        graphql["data"]["updateAddress"]["city"], "York",
        "{graphql}"
    );
    assert_eq!(
        m.get(&one, me).await.1["address"]["metadata"],
        json!({ "door": "red" })
    );

    // Metadata is an object of bounded size; nothing is stored when it is refused.
    for bad in [json!([1, 2]), json!({ "big": "x".repeat(17 * 1024) })] {
        let (status, body) = m.post(&one, me, json!({ "metadata": bad })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["type"], "invalid_data");
    }
    assert_eq!(
        m.get(&one, me).await.1["address"]["metadata"],
        json!({ "door": "red" })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_customers_address_is_a_missing_one() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (_, alice) = m.sign_up("alice@example.com", "Alice").await;
    let (_, bob) = m.sign_up("bob@example.com", "Bob").await;
    let (_, body) = m.post(ADDRESSES, As::Bearer(&alice), home()).await;
    let alices = body["customer"]["addresses"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = m
        .get(&format!("{ADDRESSES}/{alices}"), As::Bearer(&alice))
        .await;
    let missing = "addr_01JAAAAAAAAAAAAAAAAAAAAAAA";
    let not_found = |id: &str| {
        (
            StatusCode::NOT_FOUND,
            json!({ "type": "not_found", "message": format!("Address with id: {id} was not found") }),
        )
    };
    for id in [alices.as_str(), missing] {
        let path = format!("{ADDRESSES}/{id}");
        assert_eq!(
            m.get(&path, As::Bearer(&bob)).await,
            not_found(id),
            "get {id}"
        );
        assert_eq!(
            m.post(&path, As::Bearer(&bob), json!({ "city": "Hacked" }))
                .await,
            not_found(id),
            "update {id}"
        );
        assert_eq!(
            m.post(
                &path,
                As::Bearer(&bob),
                json!({ "is_default_shipping": true })
            )
            .await,
            not_found(id),
            "make default {id}"
        );
        assert_eq!(
            m.delete(&path, As::Bearer(&bob)).await,
            not_found(id),
            "delete {id}"
        );
    }
    assert_eq!(
        m.get(&format!("{ADDRESSES}/{alices}"), As::Bearer(&alice))
            .await,
        before,
        "nothing changed"
    );
    let (_, bobs) = m.get(ADDRESSES, As::Bearer(&bob)).await;
    assert_eq!(bobs["count"], 0);
}
