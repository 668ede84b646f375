//! Sessions: refresh-token rotation, reuse detection, concurrent refreshes, logout, absolute
//! lifetime, and access tokens that must never authenticate.

use std::time::Duration;

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::account_support::{LOGOUT, PASSWORD, Signed, me, refresh, register, signed_in};
use crate::helpers::{TEST_JWT_SECRET, TestApp, error_code};

fn session_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_a_replay_within_the_grace_stays_in_the_session() {
    let app = TestApp::spawn().await;
    let first = register(&app, "ro@example.com").await;
    let claims = session_of(&first.token);
    assert_eq!(claims["sub"], first.customer_id.as_str());
    assert!(claims["sid"].as_str().unwrap().starts_with("sess_"));
    assert_eq!(claims["iss"], "storefront");
    assert_eq!(claims["aud"], "storefront");

    let body = refresh(&app, &first.refresh).await;
    let second = Signed::from_payload(&body["data"]["refresh"]);
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(session_of(&second.token)["sid"], claims["sid"]);
    assert_eq!(
        me(&app, &second.token).await["data"]["me"]["email"],
        "ro@example.com"
    );

    // Another tab replays the old token within the grace: same session, same next token.
    let body = refresh(&app, &first.refresh).await;
    let replayed = Signed::from_payload(&body["data"]["refresh"]);
    assert_eq!(replayed.refresh, second.refresh);
    assert_eq!(session_of(&replayed.token)["sid"], claims["sid"]);

    // The rotated token keeps rotating.
    let body = refresh(&app, &second.refresh).await;
    let third = Signed::from_payload(&body["data"]["refresh"]);
    assert_eq!(session_of(&third.token)["sid"], claims["sid"]);
    // A token two rotations old is unknown.
    assert_eq!(
        error_code(&refresh(&app, &first.refresh).await),
        "INVALID_TOKEN"
    );
    assert_eq!(
        error_code(&refresh(&app, "nonsense").await),
        "INVALID_TOKEN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reuse_after_the_grace_revokes_the_session_newest_token_included() {
    let app = TestApp::builder()
        .env("STOREFRONT_REFRESH_REUSE_GRACE", "1")
        .spawn()
        .await;
    let first = register(&app, "reuse@example.com").await;
    let other = signed_in(&app, "reuse@example.com", PASSWORD).await;
    let body = refresh(&app, &first.refresh).await;
    let newest = Signed::from_payload(&body["data"]["refresh"]);
    tokio::time::sleep(Duration::from_millis(2100)).await;

    let body = refresh(&app, &first.refresh).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    // The whole session is gone: the newest refresh token and its access token too.
    assert_eq!(
        error_code(&refresh(&app, &newest.refresh).await),
        "INVALID_TOKEN"
    );
    assert_eq!(
        error_code(&me(&app, &newest.token).await),
        "UNAUTHENTICATED"
    );
    // Another session of the same customer is untouched.
    assert_eq!(
        me(&app, &other.token).await["data"]["me"]["email"],
        "reuse@example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grace_zero_makes_any_replay_a_reuse() {
    let app = TestApp::builder()
        .env("STOREFRONT_REFRESH_REUSE_GRACE", "0")
        .spawn()
        .await;
    let first = register(&app, "zero@example.com").await;
    let body = refresh(&app, &first.refresh).await;
    let newest = Signed::from_payload(&body["data"]["refresh"]);
    assert_eq!(
        error_code(&refresh(&app, &first.refresh).await),
        "INVALID_TOKEN"
    );
    assert_eq!(
        error_code(&refresh(&app, &newest.refresh).await),
        "INVALID_TOKEN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_of_one_token_both_succeed_in_one_session() {
    let app = TestApp::spawn().await;
    let first = register(&app, "tabs@example.com").await;
    let sid = session_of(&first.token)["sid"].clone();
    for _ in 0..3 {
        let current = signed_in(&app, "tabs@example.com", PASSWORD).await;
        let (a, b) = tokio::join!(
            refresh(&app, &current.refresh),
            refresh(&app, &current.refresh)
        );
        let a = Signed::from_payload(&a["data"]["refresh"]);
        let b = Signed::from_payload(&b["data"]["refresh"]);
        assert_eq!(a.refresh, b.refresh);
        assert_eq!(session_of(&a.token)["sid"], session_of(&b.token)["sid"]);
        assert_ne!(session_of(&a.token)["sid"], sid);
        // Both tabs go on with the same next token.
        let body = refresh(&app, &a.refresh).await;
        assert!(body["errors"].is_null(), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_access_at_once() {
    let app = TestApp::spawn().await;
    let s = register(&app, "bye@example.com").await;
    let body = app
        .graphql_as(Some(&s.token), LOGOUT, json!({ "t": null }))
        .await;
    assert_eq!(body, json!({ "data": { "logout": true } }));
    // The access token is still unexpired, but its session is over.
    assert_eq!(error_code(&me(&app, &s.token).await), "UNAUTHENTICATED");
    assert_eq!(
        error_code(&refresh(&app, &s.refresh).await),
        "INVALID_TOKEN"
    );

    // Logging out with the refresh token alone works too, and says false the second time.
    let t = signed_in(&app, "bye@example.com", PASSWORD).await;
    let body = app.graphql(LOGOUT, json!({ "t": t.refresh })).await;
    assert_eq!(body, json!({ "data": { "logout": true } }));
    assert_eq!(error_code(&me(&app, &t.token).await), "UNAUTHENTICATED");
    let body = app.graphql(LOGOUT, json!({ "t": t.refresh })).await;
    assert_eq!(body, json!({ "data": { "logout": false } }));
    // Nothing to log out.
    let body = app.graphql(LOGOUT, json!({ "t": null })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_other_key_none_and_expired_tokens_never_authenticate() {
    let app = TestApp::spawn().await;
    let s = register(&app, "forge@example.com").await;
    let mut claims = session_of(&s.token);
    let now = chrono::Utc::now().timestamp();

    let sign = |key: &[u8], alg: Algorithm, claims: &Value| {
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
    };
    let other_key = sign(
        b"another-secret-another-secret-0123456789",
        Algorithm::HS256,
        &claims,
    );
    let other_alg = sign(TEST_JWT_SECRET.as_bytes(), Algorithm::HS512, &claims);
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&claims)
    );
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("someone-else");
    let wrong_aud = sign(TEST_JWT_SECRET.as_bytes(), Algorithm::HS256, &wrong_aud);
    claims["iat"] = json!(now - 7200);
    claims["exp"] = json!(now - 3600);
    let expired = sign(TEST_JWT_SECRET.as_bytes(), Algorithm::HS256, &claims);

    for (name, token) in [
        ("other key", other_key),
        ("HS512", other_alg),
        ("alg none", none),
        ("wrong audience", wrong_aud),
        ("expired", expired),
        ("not a jwt", "abc.def.ghi".to_owned()),
    ] {
        let body = me(&app, &token).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{name}: {body}");
    }
    // The genuine token still works.
    assert_eq!(
        me(&app, &s.token).await["data"]["me"]["email"],
        "forge@example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_at_their_absolute_lifetime() {
    let app = TestApp::builder()
        .env("STOREFRONT_REFRESH_TOKEN_TTL", "1")
        .spawn()
        .await;
    let s = register(&app, "short@example.com").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        error_code(&refresh(&app, &s.refresh).await),
        "INVALID_TOKEN"
    );
    assert_eq!(error_code(&me(&app, &s.token).await), "UNAUTHENTICATED");
}
