//! The address book over GraphQL: defaults, validation, authentication, another customer's
//! ids (IDOR) and the number of SQL statements of `me { addresses }`.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{addresses, customers};
use storefront::db_run;

use crate::account_support::{Signed, register};
use crate::helpers::{TestApp, error_code};

const FIELDS: &str = "id label firstName lastName fullName company address1 address2 city \
    postalCode countryCode countryName provinceCode provinceName phone isDefaultShipping \
    isDefaultBilling createdAt updatedAt";

fn create_query() -> String {
    format!("mutation($input: AddressInput!) {{ createAddress(input: $input) {{ {FIELDS} }} }}")
}

fn update_query() -> String {
    format!(
        "mutation($id: ID!, $input: AddressInput!) {{ updateAddress(id: $id, input: $input) {{ {FIELDS} }} }}"
    )
}

const DELETE: &str = "mutation($id: ID!) { deleteAddress(id: $id) }";
const SET_DEFAULT: &str = "mutation($id: ID!, $kind: AddressKind!) { \
    setDefaultAddress(id: $id, kind: $kind) { id defaultShippingAddress { id } \
    defaultBillingAddress { id } } }";
const BOOK: &str = "{ me { addresses { id label address1 city countryCode provinceCode \
    isDefaultShipping isDefaultBilling updatedAt } defaultShippingAddress { id } \
    defaultBillingAddress { id } } }";

fn home() -> Value {
    json!({
        "label": " Home ", "firstName": "Ada", "lastName": "Lovelace", "company": "Analytical Engines",
        "address1": "350 Fifth Avenue", "address2": "Floor 21", "city": "New York",
        "postalCode": "10118", "countryCode": "us", "provinceCode": "us-ny", "phone": "+1 212 555 0100",
    })
}

fn office() -> Value {
    json!({ "address1": "10 Downing Street", "city": "London", "countryCode": "GB",
        "postalCode": "sw1a 2aa", "provinceCode": "LND" })
}

/// Creates an address and returns it; panics on an error.
async fn create(app: &TestApp, who: &Signed, input: Value) -> Value {
    let body = app
        .graphql_as(Some(&who.token), &create_query(), json!({ "input": input }))
        .await;
    assert!(body["errors"].is_null(), "createAddress failed: {body}");
    body["data"]["createAddress"].clone()
}

async fn book(app: &TestApp, who: &Signed) -> Value {
    let body = app.graphql_as(Some(&who.token), BOOK, Value::Null).await;
    assert!(body["errors"].is_null(), "me failed: {body}");
    body["data"]["me"].clone()
}

/// The customer's default address ids as stored.
async fn stored_defaults(app: &TestApp, customer_id: &str) -> (Option<String>, Option<String>) {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| customers::table
        .find(customer_id)
        .select((
            customers::default_shipping_address_id,
            customers::default_billing_address_id,
        ))
        .first(c)
        .await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_first_becomes_both_defaults_and_is_listed() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let first = create(&app, &ada, home()).await;
    let id = first["id"].as_str().unwrap();
    assert!(id.starts_with("addr_"), "{first}");
    assert_eq!(
        first,
        json!({
            "id": id, "label": "Home", "firstName": "Ada", "lastName": "Lovelace",
            "fullName": "Ada Lovelace", "company": "Analytical Engines",
            "address1": "350 Fifth Avenue", "address2": "Floor 21", "city": "New York",
            "postalCode": "10118", "countryCode": "US", "countryName": "United States of America",
            "provinceCode": "NY", "provinceName": "New York", "phone": "+1 212 555 0100",
            "isDefaultShipping": true, "isDefaultBilling": true,
            "createdAt": first["createdAt"], "updatedAt": first["createdAt"],
        })
    );
    let second = create(&app, &ada, office()).await;
    assert_eq!(second["isDefaultShipping"], false);
    assert_eq!(second["isDefaultBilling"], false);
    assert_eq!(second["postalCode"], "SW1A 2AA");
    assert_eq!(second["provinceCode"], "LND");
    assert_eq!(second["fullName"], Value::Null);

    let me = book(&app, &ada).await;
    let ids: Vec<&str> = me["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![id, second["id"].as_str().unwrap()]);
    assert_eq!(me["defaultShippingAddress"], json!({ "id": id }));
    assert_eq!(me["defaultBillingAddress"], json!({ "id": id }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_set_default_replaces_the_previous_one() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let first = create(&app, &ada, home()).await["id"].clone();
    let second = create(&app, &ada, office()).await["id"].clone();

    let body = app
        .graphql_as(
            Some(&ada.token),
            SET_DEFAULT,
            json!({ "id": second, "kind": "SHIPPING" }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "setDefaultAddress": { "id": ada.customer_id,
            "defaultShippingAddress": { "id": second }, "defaultBillingAddress": { "id": first } } } })
    );
    let body = app
        .graphql_as(
            Some(&ada.token),
            SET_DEFAULT,
            json!({ "id": second, "kind": "BILLING" }),
        )
        .await;
    assert_eq!(
        body["data"]["setDefaultAddress"]["defaultBillingAddress"],
        json!({ "id": second })
    );
    let me = book(&app, &ada).await;
    let flags: Vec<(bool, bool)> = me["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["isDefaultShipping"].as_bool().unwrap(),
                a["isDefaultBilling"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(flags, vec![(false, false), (true, true)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_update_replaces_the_fields_and_keeps_the_defaults() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let first = create(&app, &ada, home()).await;
    let body = app
        .graphql_as(
            Some(&ada.token),
            &update_query(),
            json!({ "id": first["id"], "input": { "address1": " 1 Infinite Loop ",
                "city": "Cupertino", "countryCode": "US", "provinceCode": "CA" } }),
        )
        .await;
    let updated = &body["data"]["updateAddress"];
    assert_eq!(
        updated,
        &json!({
            "id": first["id"], "label": null, "firstName": null, "lastName": null,
            "fullName": null, "company": null, "address1": "1 Infinite Loop", "address2": null,
            "city": "Cupertino", "postalCode": null, "countryCode": "US",
            "countryName": "United States of America", "provinceCode": "CA",
            "provinceName": "California", "phone": null, "isDefaultShipping": true,
            "isDefaultBilling": true, "createdAt": first["createdAt"],
            "updatedAt": updated["updatedAt"],
        }),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_deleting_a_default_clears_it() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let first = create(&app, &ada, home()).await["id"].clone();
    let second = create(&app, &ada, office()).await["id"].clone();
    let body = app
        .graphql_as(Some(&ada.token), DELETE, json!({ "id": first }))
        .await;
    assert_eq!(body, json!({ "data": { "deleteAddress": first } }));

    // The foreign keys cleared both defaults (on SQLite too: `foreign_keys` is on).
    assert_eq!(stored_defaults(&app, &ada.customer_id).await, (None, None));
    let me = book(&app, &ada).await;
    assert_eq!(me["defaultShippingAddress"], Value::Null);
    assert_eq!(me["defaultBillingAddress"], Value::Null);
    assert_eq!(me["addresses"].as_array().unwrap().len(), 1);
    assert_eq!(me["addresses"][0]["id"], second);

    // Deleted means gone: a second delete is NOT_FOUND.
    let body = app
        .graphql_as(Some(&ada.token), DELETE, json!({ "id": first }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");

    // With no default left, the next new address becomes both.
    let third = create(&app, &ada, home()).await;
    assert_eq!(third["isDefaultShipping"], true);
    assert_eq!(third["isDefaultBilling"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_invalid_input_reports_every_field_at_once() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let attempt = |input: Value| {
        let app = &app;
        let token = ada.token.clone();
        async move {
            let body = app
                .graphql_as(Some(&token), &create_query(), json!({ "input": input }))
                .await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
            assert_eq!(body["data"], Value::Null);
            body["errors"][0]["extensions"]["fields"].clone()
        }
    };

    let fields = attempt(json!({ "address1": "  ", "phone": "1".repeat(41) })).await;
    assert_eq!(
        fields,
        json!([
            { "field": "address1", "message": "is required" },
            { "field": "city", "message": "is required" },
            { "field": "phone", "message": "must be at most 40 characters" },
            { "field": "countryCode", "message": "is required" },
        ])
    );

    let fields = attempt(json!({ "address1": "1 Main St", "city": "Springfield",
        "countryCode": "XX", "provinceCode": "NY", "firstName": "A".repeat(101) }))
    .await;
    assert_eq!(
        fields,
        json!([
            { "field": "firstName", "message": "must be at most 100 characters" },
            { "field": "countryCode", "message": "is not an ISO 3166-1 alpha-2 country code" },
        ])
    );

    for province in ["ZZ", "CA-ON", "ON"] {
        let fields = attempt(json!({ "address1": "1 Main St", "city": "Springfield",
            "countryCode": "US", "provinceCode": province }))
        .await;
        assert_eq!(
            fields,
            json!([{ "field": "provinceCode",
                "message": "is not an ISO 3166-2 subdivision of US" }]),
            "{province}"
        );
    }

    let fields = attempt(
        json!({ "address1": "1 Main St\n2nd line", "city": "Springfield",
        "countryCode": "USA", "postalCode": "<script>" }),
    )
    .await;
    assert_eq!(
        fields,
        json!([
            { "field": "address1", "message": "must not contain control characters" },
            { "field": "postalCode",
                "message": "may only contain letters, digits, spaces and hyphens" },
            { "field": "countryCode", "message": "is not an ISO 3166-1 alpha-2 country code" },
        ])
    );

    let mut conn = app.state.db().conn().await.unwrap();
    let n: i64 = db_run!(conn, |c| addresses::table.count().get_result(c).await).unwrap();
    assert_eq!(n, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_need_a_signed_in_customer() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let id = create(&app, &ada, home()).await["id"].clone();
    for (query, variables) in [
        (create_query(), json!({ "input": home() })),
        (update_query(), json!({ "id": id, "input": home() })),
        (DELETE.to_owned(), json!({ "id": id })),
        (
            SET_DEFAULT.to_owned(),
            json!({ "id": id, "kind": "BILLING" }),
        ),
    ] {
        let body = app.graphql(&query, variables.clone()).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}: {body}");
        let body = app.graphql_as(Some("not-a-token"), &query, variables).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{query}: {body}");
    }
    assert_eq!(book(&app, &ada).await["addresses"][0]["id"], id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_of_another_customer_are_not_found_and_unchanged() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let a1 = create(&app, &ada, home()).await["id"].clone();
    let a2 = create(&app, &ada, office()).await["id"].clone();
    let b1 = create(&app, &bob, office()).await["id"].clone();
    let ada_before = book(&app, &ada).await;
    let bob_before = book(&app, &bob).await;

    for id in [&a1, &a2] {
        for (query, variables) in [
            (update_query(), json!({ "id": id, "input": office() })),
            (DELETE.to_owned(), json!({ "id": id })),
            (
                SET_DEFAULT.to_owned(),
                json!({ "id": id, "kind": "SHIPPING" }),
            ),
            (
                SET_DEFAULT.to_owned(),
                json!({ "id": id, "kind": "BILLING" }),
            ),
        ] {
            let body = app.graphql_as(Some(&bob.token), &query, variables).await;
            assert_eq!(error_code(&body), "NOT_FOUND", "{query}: {body}");
            assert_eq!(body["errors"][0]["message"], "Address not found");
            assert_eq!(body["data"], Value::Null);
        }
    }
    // Unknown ids answer the same.
    let body = app
        .graphql_as(Some(&bob.token), DELETE, json!({ "id": "addr_nope" }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");

    assert_eq!(book(&app, &ada).await, ada_before);
    assert_eq!(book(&app, &bob).await, bob_before);
    assert_eq!(
        stored_defaults(&app, &ada.customer_id).await,
        (
            a1.as_str().map(str::to_owned),
            a1.as_str().map(str::to_owned)
        )
    );
    assert_eq!(
        stored_defaults(&app, &bob.customer_id).await,
        (
            b1.as_str().map(str::to_owned),
            b1.as_str().map(str::to_owned)
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_are_bounded_per_customer() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "ada@example.com").await;
    for _ in 0..100 {
        create(&app, &ada, office()).await;
    }
    let body = app
        .graphql_as(
            Some(&ada.token),
            &create_query(),
            json!({ "input": home() }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "an address book holds at most 100 addresses"
    );
    assert_eq!(
        book(&app, &ada).await["addresses"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_statement_count_does_not_grow_with_the_book() {
    let app = TestApp::spawn().await;
    let one = register(&app, "one@example.com").await;
    let twenty = register(&app, "twenty@example.com").await;
    create(&app, &one, home()).await;
    for _ in 0..20 {
        create(&app, &twenty, office()).await;
    }
    let query = "{ me { addresses { id } defaultShippingAddress { id } \
        defaultBillingAddress { id } } }";
    let mut counts = Vec::new();
    for (who, n) in [(&one, 1), (&twenty, 20)] {
        let before = app.statements();
        let body = app.graphql_as(Some(&who.token), query, Value::Null).await;
        counts.push(app.statements() - before);
        assert_eq!(body["data"]["me"]["addresses"].as_array().unwrap().len(), n);
        assert!(body["data"]["me"]["defaultShippingAddress"]["id"].is_string());
    }
    // The session check, the customer, then the whole address book in one batch.
    assert_eq!(counts, vec![3, 3]);
}
