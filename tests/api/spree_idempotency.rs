//! Spree Store API: `Idempotency-Key` on writes. A replay gets the first answer (marked
//! `Idempotent-Replayed: true`) without acting twice; the same key with another request is
//! 422 `idempotency_key_reused`; keys are per caller.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use storefront::db::schema::idempotency_keys;
use storefront::db_run;

use crate::helpers::TestApp;
use crate::spree_support::{PASSWORD, Spree};

async fn send(
    spree: &Spree<'_>,
    method: Method,
    path: &str,
    jwt: Option<&str>,
    key: &str,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    let mut request = spree
        .app
        .request(method, &format!("/api/v3/store{path}"))
        .header("content-type", "application/json")
        .header("x-spree-api-key", &spree.key)
        .header("idempotency-key", key)
        .body(body.to_string());
    if let Some(jwt) = jwt {
        request = request.bearer_auth(jwt);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (
        status,
        replayed,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_write_answers_the_first_answer_and_acts_once() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let bob = spree.register("bob@example.com").await;
    let address = json!({ "address1": "1 Main St", "city": "Springfield", "country_iso": "US" });
    let path = "/customers/me/addresses";

    let first = send(
        &spree,
        Method::POST,
        path,
        Some(&ada.token),
        "key-1",
        address.clone(),
    )
    .await;
    assert_eq!((first.0, first.1.as_deref()), (StatusCode::CREATED, None));
    let again = send(
        &spree,
        Method::POST,
        path,
        Some(&ada.token),
        "key-1",
        address.clone(),
    )
    .await;
    assert_eq!(
        (again.0, again.1.as_deref(), &again.2),
        (StatusCode::CREATED, Some("true"), &first.2)
    );
    let book = spree
        .get(path, crate::spree_support::As::Customer(&ada.token))
        .await;
    assert_eq!(
        book.body["meta"]["count"], 1,
        "the address was created once"
    );

    // The same key with another body is refused, and changes nothing.
    let mut other = address.clone();
    other["city"] = json!("Shelbyville");
    let reused = send(&spree, Method::POST, path, Some(&ada.token), "key-1", other).await;
    assert_eq!(
        (reused.0, reused.2),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": { "code": "idempotency_key_reused",
                    "message": "Idempotency key was already used with a different request" } })
        )
    );
    // Another caller's key of the same name is theirs.
    let bobs = send(
        &spree,
        Method::POST,
        path,
        Some(&bob.token),
        "key-1",
        address.clone(),
    )
    .await;
    assert_eq!((bobs.0, bobs.1), (StatusCode::CREATED, None));
    assert_ne!(bobs.2["id"], first.2["id"]);

    // Error answers replay too (they are below 500), and DELETE's empty 204.
    let bad = send(
        &spree,
        Method::POST,
        path,
        Some(&ada.token),
        "key-2",
        json!({}),
    )
    .await;
    let bad_again = send(
        &spree,
        Method::POST,
        path,
        Some(&ada.token),
        "key-2",
        json!({}),
    )
    .await;
    assert_eq!((bad.0, &bad.2), (bad_again.0, &bad_again.2));
    assert_eq!(bad_again.1.as_deref(), Some("true"));
    let id = first.2["id"].as_str().unwrap();
    let delete = send(
        &spree,
        Method::DELETE,
        &format!("{path}/{id}"),
        Some(&ada.token),
        "key-3",
        Value::Null,
    )
    .await;
    let delete_again = send(
        &spree,
        Method::DELETE,
        &format!("{path}/{id}"),
        Some(&ada.token),
        "key-3",
        Value::Null,
    )
    .await;
    assert_eq!(
        (delete.0, delete_again.0),
        (StatusCode::NO_CONTENT, StatusCode::NO_CONTENT)
    );
    assert_eq!(delete_again.1.as_deref(), Some("true"));

    let long = "k".repeat(256);
    let too_long = send(&spree, Method::POST, path, Some(&ada.token), &long, address).await;
    assert_eq!(
        (too_long.0, too_long.2["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_with_tokens_or_throttled_are_not_kept() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_LOGIN_PER_IP", "2")
        .spawn()
        .await;
    let spree = Spree::new(&app).await;
    spree.register("ada@example.com").await;
    let body = json!({ "email": "ada@example.com", "password": PASSWORD });
    // Tokens are stored only as hashes: a retried sign-in signs in again.
    let first = send(
        &spree,
        Method::POST,
        "/auth/login",
        None,
        "login-1",
        body.clone(),
    )
    .await;
    let again = send(
        &spree,
        Method::POST,
        "/auth/login",
        None,
        "login-1",
        body.clone(),
    )
    .await;
    assert_eq!((first.0, again.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(again.1, None);
    assert_ne!(again.2["refresh_token"], first.2["refresh_token"]);
    let guest = send(&spree, Method::POST, "/carts", None, "cart-1", json!({})).await;
    assert!(guest.2["token"].is_string());
    let mut conn = app.state.db().conn().await.unwrap();
    let kept: i64 = db_run!(conn, |c| idempotency_keys::table
        .count()
        .get_result(c)
        .await)
    .unwrap();
    assert_eq!(kept, 0, "no answer holding a token was kept");
    drop(conn);
    // A throttled answer is not kept either: the retry is counted again.
    let throttled = send(
        &spree,
        Method::POST,
        "/auth/login",
        None,
        "login-2",
        body.clone(),
    )
    .await;
    assert_eq!(throttled.0, StatusCode::TOO_MANY_REQUESTS);
    let retried = send(&spree, Method::POST, "/auth/login", None, "login-2", body).await;
    assert_eq!(
        (retried.0, retried.1),
        (StatusCode::TOO_MANY_REQUESTS, None)
    );
}

/// Eight requests under one key at once: one runs, the others get its answer (or, had it run
/// longer than their wait, 409 `idempotency_key_in_progress`); the address is created once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_under_one_key_run_once() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let address = json!({ "address1": "1 Main St", "city": "Springfield", "country_iso": "US" });
    let path = "/customers/me/addresses";
    let answers = futures_util::future::join_all((0..8).map(|_| {
        send(
            &spree,
            Method::POST,
            path,
            Some(&ada.token),
            "same-moment",
            address.clone(),
        )
    }))
    .await;
    let ran: Vec<_> = answers
        .iter()
        .filter(|a| a.0 == StatusCode::CREATED && a.1.is_none())
        .collect();
    assert_eq!(ran.len(), 1, "{answers:?}");
    for answer in &answers {
        match answer.0 {
            StatusCode::CREATED => assert_eq!(answer.2, ran[0].2),
            StatusCode::CONFLICT => {
                assert_eq!(answer.2["error"]["code"], "idempotency_key_in_progress")
            }
            other => panic!("{other}: {answer:?}"),
        }
    }
    let book = spree
        .get(path, crate::spree_support::As::Customer(&ada.token))
        .await;
    assert_eq!(book.body["meta"]["count"], 1, "created once");
}

/// The store's claim: the first claim wins, a second sees it in progress (or reused, for
/// another request), a saved answer replays, a released key can be claimed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_claimed_before_it_runs() {
    use storefront::store::idempotency::{self, Seen, Stored};
    let app = TestApp::spawn().await;
    let store = &app.state.store;
    assert_eq!(
        idempotency::claim(store, "k", "f").await.unwrap(),
        Seen::New
    );
    assert_eq!(
        idempotency::claim(store, "k", "f").await.unwrap(),
        Seen::InProgress
    );
    assert_eq!(
        idempotency::claim(store, "k", "g").await.unwrap(),
        Seen::Reused
    );
    idempotency::release(store, "k").await.unwrap();
    assert_eq!(
        idempotency::claim(store, "k", "f").await.unwrap(),
        Seen::New
    );
    let answer = Stored {
        fingerprint: "f".into(),
        status: 201,
        content_type: Some("application/json".into()),
        body: "{}".into(),
    };
    idempotency::save(store, "k", &answer).await.unwrap();
    assert_eq!(
        idempotency::claim(store, "k", "f").await.unwrap(),
        Seen::Replay(answer)
    );
    // A kept answer is not released by a late release.
    idempotency::release(store, "k").await.unwrap();
    assert!(matches!(
        idempotency::claim(store, "k", "f").await.unwrap(),
        Seen::Replay(_)
    ));
}
