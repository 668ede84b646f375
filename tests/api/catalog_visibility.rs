//! The visibility rule has two renderings (Rust for a product in hand, SQL for listings); on
//! every edge they must agree.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use storefront::db::schema::products;
use storefront::db_run;
use storefront::store::catalog::Product;
use storefront::store::catalog::products::{self as listing, ProductKey, ProductQuery};

use crate::catalog_fixtures::{NewProduct, days_ago, product};
use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_check_and_sql_filter_agree_on_every_edge() {
    let app = TestApp::spawn().await;
    let soon = |minutes: i64| storefront::store::now() + chrono::Duration::minutes(minutes);
    let cases: Vec<(&str, &'static str, Option<_>, Option<_>, bool)> = vec![
        ("on sale", "active", Some(days_ago(1)), None, true),
        ("no dates", "active", None, None, true),
        ("draft", "draft", Some(days_ago(1)), None, false),
        ("archived", "archived", None, None, false),
        ("coming", "active", Some(soon(60)), None, false),
        ("ending", "active", Some(days_ago(3)), Some(soon(60)), true),
        (
            "ended",
            "active",
            Some(days_ago(3)),
            Some(days_ago(1)),
            false,
        ),
        ("draft ending", "draft", None, Some(soon(60)), false),
    ];
    let mut ids = Vec::new();
    for (name, status, available_on, discontinue_on, _) in &cases {
        let inserted = product(
            &app,
            NewProduct {
                status,
                available_on: *available_on,
                discontinue_on: *discontinue_on,
                ..NewProduct::named(name)
            },
        )
        .await;
        ids.push(inserted.id);
    }
    let store = &app.state.store;
    let listed = listing::list(
        store,
        &ProductQuery {
            first: Some(100),
            ..ProductQuery::default()
        },
    )
    .await
    .unwrap();
    let now = storefront::store::now();
    for ((name, .., expected), id) in cases.iter().zip(&ids) {
        let mut conn = app.state.db().conn().await.unwrap();
        let row: Product = db_run!(conn, |c| products::table
            .find(id)
            .select(Product::as_select())
            .first(c)
            .await)
        .unwrap();
        let by_id = listing::get(store, &ProductKey::Id(id.clone()))
            .await
            .is_ok();
        let in_list = listed.items.iter().any(|(_, p)| &p.id == id);
        assert_eq!(row.is_visible(now), *expected, "Rust rule, {name}");
        assert_eq!(by_id, *expected, "SQL rule (get), {name}");
        assert_eq!(in_list, *expected, "SQL rule (list), {name}");
    }
}
