//! Medusa v2 password reset: always 201 `Created`, the mailed token as Bearer or `?token=`,
//! single use, and the old password and sessions end.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::account_support::PASSWORD;
use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa};
use crate::smtp::SmtpSink;

const REQUEST: &str = "/auth/customer/emailpass/reset-password";
const UPDATE: &str = "/auth/customer/emailpass/update";
const NEW_PASSWORD: &str = "a completely new secret";

async fn request(app: &TestApp, body: serde_json::Value) -> (StatusCode, String) {
    let response = app
        .request(Method::POST, REQUEST)
        .header("accept", "text/plain")
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailed_token_resets_the_password_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let (_, token) = m.sign_up("alice@example.com", "Alice").await;

    for identifier in ["alice@example.com", "nobody@example.com", "not-an-email"] {
        assert_eq!(
            request(&app, json!({ "identifier": identifier })).await,
            (StatusCode::CREATED, "Created".to_owned()),
            "{identifier}"
        );
    }
    let mails = sink.resets(1).await;
    assert_eq!(mails.len(), 1, "mail only for the known email");
    let reset_token = mails[0].token();

    assert_eq!(
        m.post(REQUEST, As::Nobody, json!({})).await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Field 'identifier' is required" })
        )
    );
    let (status, body) = m
        .post(REQUEST, As::Nobody, json!({ "email": "alice@example.com" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "invalid_data");

    let invalid = json!({ "type": "unauthorized", "message": "Invalid token" });
    // A login token is not a reset token; no token is none.
    assert_eq!(
        m.post(
            UPDATE,
            As::Bearer(&token),
            json!({ "password": NEW_PASSWORD })
        )
        .await,
        (StatusCode::UNAUTHORIZED, invalid.clone())
    );
    assert_eq!(
        m.post(UPDATE, As::Nobody, json!({ "password": NEW_PASSWORD }))
            .await,
        (StatusCode::UNAUTHORIZED, invalid.clone())
    );
    assert_eq!(
        m.post(
            UPDATE,
            As::Bearer(&reset_token),
            json!({ "password": NEW_PASSWORD })
        )
        .await,
        (StatusCode::OK, json!({ "success": true }))
    );
    assert_eq!(
        m.post(
            UPDATE,
            As::Bearer(&reset_token),
            json!({ "password": "yet another secret" })
        )
        .await,
        (StatusCode::UNAUTHORIZED, invalid),
        "single use"
    );
    let (status, _) = m
        .post(
            "/auth/customer/emailpass",
            As::Nobody,
            json!({ "email": "alice@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    // Every session ended with the reset.
    assert_eq!(
        m.get("/store/customers/me", As::Bearer(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = m
        .post(
            "/auth/customer/emailpass",
            As::Nobody,
            json!({ "email": "alice@example.com", "password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // The older SDKs' `?token=` works as well, and is validated as strictly.
    request(&app, json!({ "identifier": "alice@example.com" })).await;
    let second = sink.resets(2).await[1].token();
    assert_eq!(
        m.post(
            &format!("{UPDATE}?token=nope"),
            As::Nobody,
            json!({ "password": PASSWORD })
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        m.post(
            &format!("{UPDATE}?token={second}"),
            As::Nobody,
            json!({ "email": "alice@example.com", "password": PASSWORD })
        )
        .await,
        (StatusCode::OK, json!({ "success": true }))
    );
    m.login("alice@example.com").await;
}
