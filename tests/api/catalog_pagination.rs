//! Pagination of `products`: first and last pages, empty results, the `first` cap, and cursors
//! that are forged or made for another order.

use serde_json::{Value, json};

use crate::catalog_fixtures::demo;
use crate::catalog_products::{LIST, names, products, sorted};
use crate::helpers::{TestApp, error_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_every_order_join_up_to_the_whole_list() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    for sort in [
        "MANUAL",
        "NAME_ASC",
        "NAME_DESC",
        "PRICE_ASC",
        "PRICE_DESC",
        "NEWEST",
        "OLDEST",
        "BEST_SELLING",
    ] {
        let whole = sorted(&app, sort).await;
        let mut seen: Vec<String> = Vec::new();
        let mut after = Value::Null;
        let mut pages = 0;
        loop {
            let page = products(&app, json!({ "sort": sort, "first": 2, "after": after })).await;
            pages += 1;
            seen.extend(names(&page).into_iter().map(str::to_owned));
            assert_eq!(page["totalCount"], 5, "totalCount is the whole list");
            assert_eq!(page["pageInfo"]["hasPreviousPage"], pages > 1);
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(pages, 3, "sort {sort}");
        assert_eq!(seen, whole, "sort {sort}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_and_last_pages() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let first = products(&app, json!({ "first": 3 })).await;
    assert_eq!(names(&first), ["Delta Cap", "Bravo Shirt", "Charlie Pants"]);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    let last = products(
        &app,
        json!({ "first": 3, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(names(&last), ["Alpha Shirt", "Echo Belt"]);
    assert_eq!(last["pageInfo"]["hasNextPage"], false);
    assert_eq!(last["pageInfo"]["hasPreviousPage"], true);
    // After the last item: an empty page, not an error.
    let beyond = products(
        &app,
        json!({ "first": 3, "after": last["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(names(&beyond), Vec::<&str>::new());
    assert_eq!(beyond["pageInfo"]["hasNextPage"], false);
    // Exactly the whole list: no next page.
    let exact = products(&app, json!({ "first": 5 })).await;
    assert_eq!(exact["pageInfo"]["hasNextPage"], false);
    // first: 0 gives no items but still counts.
    let none = products(&app, json!({ "first": 0 })).await;
    assert_eq!(names(&none), Vec::<&str>::new());
    assert_eq!(none["totalCount"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_result_is_a_complete_empty_connection() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let list = products(&app, json!({ "filter": { "search": "zzzz" } })).await;
    assert_eq!(
        list,
        json!({
            "nodes": [],
            "edges": [],
            "pageInfo": { "hasNextPage": false, "hasPreviousPage": false,
                          "startCursor": null, "endCursor": null },
            "totalCount": 0,
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_above_the_cap_or_negative_is_bad_user_input() {
    let app = TestApp::spawn().await;
    demo(&app).await;
    let body = app.graphql(LIST, json!({ "first": 101 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"],
        json!([{ "field": "first", "message": "must be at most 100" }])
    );
    assert!(body["data"].is_null());
    let body = app.graphql(LIST, json!({ "first": -1 })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let list = products(&app, json!({ "first": 100 })).await;
    assert_eq!(names(&list).len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_foreign_cursor_is_bad_user_input() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    demo(&app).await;
    let by_name = products(&app, json!({ "sort": "NAME_ASC", "first": 1 })).await;
    let name_cursor = by_name["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for (sort, after) in [
        ("MANUAL", "garbage!".to_owned()),
        ("MANUAL", b64("not json")),
        (
            "MANUAL",
            b64(r#"{"s":"manual","k":"not a number","id":"prod_x"}"#),
        ),
        (
            "NEWEST",
            b64(r#"{"s":"-available_on","k":"yesterday","id":"prod_x"}"#),
        ),
        ("MANUAL", b64(r#"{"s":"manual","k":1}"#)),
        // A real cursor, but of another order.
        ("PRICE_ASC", name_cursor.clone()),
    ] {
        let body = app
            .graphql(LIST, json!({ "sort": sort, "after": after }))
            .await;
        assert_eq!(
            error_code(&body),
            "BAD_USER_INPUT",
            "cursor {after} for {sort}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["fields"][0]["field"],
            "after"
        );
    }
    // A well-formed cursor for an id that does not exist is simply a position.
    let body = products(
        &app,
        json!({ "sort": "MANUAL", "after": b64(r#"{"s":"manual","k":2,"id":"prod_zzz"}"#) }),
    )
    .await;
    assert_eq!(names(&body), ["Alpha Shirt", "Echo Belt"]);
}
