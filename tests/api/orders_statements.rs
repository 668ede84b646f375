//! The order history through the dataloaders: the SQL statements of a `me` query with orders,
//! their lines, variants and products do not grow with the number of orders.

use serde_json::{Value, json};
use storefront::store::orders::history::{self, OrderFilter, OrderQuery, OrderSort};

use crate::account_support::register;
use crate::helpers::TestApp;
use crate::order_support::{Who, create_address, ok, place, set_stock, shop};

const QUERY: &str = "query($first: Int) { me { addresses { id } orders(first: $first) { \
    nodes { number lineItems { quantity variant { sku product { name } } } } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_statement_count_is_the_same_for_5_and_50_orders() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let me = Who::Customer(&ada.token);
    set_stock(&app, &shop.tee, 100).await;
    create_address(
        &app,
        me,
        json!({ "address1": "12 St James's Square", "city": "London", "countryCode": "GB" }),
    )
    .await;
    for _ in 0..50 {
        place(
            &app,
            me,
            &[(&shop.mug, 1), (&shop.poster, 2), (&shop.tee, 1)],
            "ada@example.com",
        )
        .await;
    }
    let mut counts = Vec::new();
    for first in [5, 50] {
        let before = app.statements();
        let body = ok(&app, me, QUERY, json!({ "first": first }), "me").await;
        counts.push(app.statements() - before);
        let orders = body["orders"]["nodes"].as_array().unwrap();
        assert_eq!(orders.len(), first);
        for order in orders {
            let lines = order["lineItems"].as_array().unwrap();
            let skus: Vec<&Value> = lines.iter().map(|l| &l["variant"]["sku"]).collect();
            assert_eq!(
                skus,
                [&json!("MUG-1"), &json!("POSTER-1"), &json!("TEE-1")],
                "{order}"
            );
            assert_eq!(lines[2]["variant"]["product"]["name"], "Tee");
        }
        assert_eq!(body["addresses"].as_array().unwrap().len(), 1);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    // The session, the customer, the address book, the orders page, their lines, the variants
    // and the products: seven, however many orders.
    assert_eq!(counts[0], 7, "{counts:?}");
}

/// The loader's batch for several customers at once (one statement, a window per customer)
/// gives each the page it would get alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_pages_of_several_customers_come_from_one_statement() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let mut customers = Vec::new();
    for (email, orders) in [
        ("a@example.com", 3),
        ("b@example.com", 1),
        ("c@example.com", 0),
    ] {
        let who = register(&app, email).await;
        let mut numbers = Vec::new();
        for _ in 0..orders {
            let order = place(&app, Who::Customer(&who.token), &[(&shop.mug, 1)], email).await;
            numbers.insert(0, order["number"].as_str().unwrap().to_owned());
        }
        customers.push((who.customer_id, numbers));
    }
    let ids: Vec<String> = customers.iter().map(|(id, _)| id.clone()).collect();
    let query = OrderQuery {
        first: Some(2),
        ..OrderQuery::default()
    };
    let before = app.statements();
    let pages = history::pages_for_customers(&app.state.store, &ids, &query)
        .await
        .unwrap();
    assert_eq!(app.statements() - before, 1);
    for (id, numbers) in &customers {
        let page = &pages[id];
        let got: Vec<&str> = page
            .items
            .iter()
            .map(|(_, o)| o.number.as_deref().unwrap())
            .collect();
        let newest: Vec<&str> = numbers.iter().take(2).map(String::as_str).collect();
        assert_eq!(got, newest, "{id}");
        assert_eq!(page.has_next_page, numbers.len() > 2, "{id}");
    }
    // The next page of the first customer, from the cursor of the first.
    let after = pages[&ids[0]].items[1].0.clone();
    let query = OrderQuery {
        first: Some(2),
        after: Some(after),
        ..OrderQuery::default()
    };
    let pages = history::pages_for_customers(&app.state.store, &ids, &query)
        .await
        .unwrap();
    let rest: Vec<&str> = pages[&ids[0]]
        .items
        .iter()
        .map(|(_, o)| o.number.as_deref().unwrap())
        .collect();
    assert_eq!(rest, [customers[0].1[2].as_str()]);
    assert!(pages[&ids[0]].has_previous_page);
}

/// Numbered pages (the REST dialects') list the same orders in the same order as cursors, one
/// statement a page, for one customer and for a batch of several.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_pages_by_offset_match_the_cursor_order() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let mut customers = Vec::new();
    for (email, orders) in [("a@example.com", 5), ("b@example.com", 3)] {
        let who = register(&app, email).await;
        let mut numbers = Vec::new();
        for _ in 0..orders {
            let order = place(&app, Who::Customer(&who.token), &[(&shop.mug, 1)], email).await;
            numbers.insert(0, order["number"].as_str().unwrap().to_owned());
        }
        customers.push((who.customer_id, numbers));
    }
    let numbers = |page: &storefront::store::pagination::Page<storefront::store::orders::Order>| {
        page.items
            .iter()
            .map(|(_, o)| o.number.clone().unwrap())
            .collect::<Vec<_>>()
    };
    let (ada, ada_numbers) = &customers[0];
    for (offset, want, more) in [
        (0, &ada_numbers[0..2], true),
        (2, &ada_numbers[2..4], true),
        (4, &ada_numbers[4..5], false),
        (6, &ada_numbers[5..5], false),
    ] {
        let query = OrderQuery {
            first: Some(2),
            offset,
            ..OrderQuery::default()
        };
        let before = app.statements();
        let page = history::page_for_customer(&app.state.store, ada, &query)
            .await
            .unwrap();
        assert_eq!(app.statements() - before, 1);
        assert_eq!(numbers(&page), want, "offset {offset}");
        assert_eq!(page.has_next_page, more, "offset {offset}");
        assert_eq!(page.has_previous_page, offset > 0, "offset {offset}");
    }

    let ids: Vec<String> = customers.iter().map(|(id, _)| id.clone()).collect();
    let query = OrderQuery {
        first: Some(2),
        offset: 2,
        ..OrderQuery::default()
    };
    let before = app.statements();
    let pages = history::pages_for_customers(&app.state.store, &ids, &query)
        .await
        .unwrap();
    assert_eq!(app.statements() - before, 1);
    for (id, all) in &customers {
        let want: Vec<String> = all.iter().skip(2).take(2).cloned().collect();
        assert_eq!(numbers(&pages[id]), want, "{id}");
    }

    // Another order, a filter and a batch: still one statement a page.
    let oldest = OrderQuery {
        first: Some(2),
        offset: 1,
        sort: OrderSort::Oldest,
        ..OrderQuery::default()
    };
    let before = app.statements();
    let pages = history::pages_for_customers(&app.state.store, &ids, &oldest)
        .await
        .unwrap();
    assert_eq!(app.statements() - before, 1);
    for (id, all) in &customers {
        let want: Vec<String> = all.iter().rev().skip(1).take(2).cloned().collect();
        assert_eq!(numbers(&pages[id]), want, "oldest first, {id}");
    }
    let by_number = OrderQuery {
        filter: OrderFilter {
            number: Some(ada_numbers[3].to_lowercase()),
            ..OrderFilter::default()
        },
        sort: OrderSort::NumberDesc,
        ..OrderQuery::default()
    };
    let before = app.statements();
    let page = history::page_for_customer(&app.state.store, ada, &by_number)
        .await
        .unwrap();
    assert_eq!(app.statements() - before, 1);
    assert_eq!(numbers(&page), &ada_numbers[3..4]);
    // Cursors follow the newest-first order only.
    let first_page = history::page_for_customer(&app.state.store, ada, &OrderQuery::default())
        .await
        .unwrap();
    let cursor_then_total = OrderQuery {
        after: first_page.items.first().map(|(cursor, _)| cursor.clone()),
        sort: OrderSort::TotalAsc,
        ..OrderQuery::default()
    };
    let refused = history::page_for_customer(&app.state.store, ada, &cursor_then_total).await;
    assert!(matches!(
        refused,
        Err(storefront::store::StoreError::InvalidInput { .. })
    ));

    let negative = OrderQuery {
        offset: -1,
        ..OrderQuery::default()
    };
    let refused = history::page_for_customer(&app.state.store, ada, &negative).await;
    assert!(matches!(
        refused,
        Err(storefront::store::StoreError::InvalidInput { .. })
    ));
}
