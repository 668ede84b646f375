//! Medusa v1's customer routes (`@medusajs/medusa-js` 6.x): registration with a password and
//! a session cookie, `/store/auth`, the token, the customer's orders, password token and reset,
//! payment methods; and no enumeration oracle at `/store/auth/{email}`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::account_support::PASSWORD;
use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa, claims, normalised, session_cookie};
use crate::order_support::{Who, place, shop};
use crate::smtp::SmtpSink;

fn v1_customer(first_name: &str) -> Value {
    json!({ "customer": {
        "id": "cus_*", "email": "grace@example.com", "company_name": null,
        "first_name": first_name, "last_name": "Hopper", "phone": null, "metadata": null,
        "has_account": true, "deleted_at": null, "created_at": "<time>", "updated_at": "<time>",
        "addresses": [], "shipping_addresses": [], "billing_address_id": null
    } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_registers_signs_in_and_keeps_a_cookie_session() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let s = shop(&app).await;

    let response = m
        .request(Method::POST, "/store/customers", As::Nobody)
        .json(&json!({ "email": "grace@example.com", "password": PASSWORD,
                       "first_name": "Grace", "last_name": "Hopper" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, _) = session_cookie(&response).expect("v1 registration signs in");
    let body: Value = response.json().await.unwrap();
    assert_eq!(normalised(&body), v1_customer("Grace"));
    let (status, body) = m.get("/store/auth", As::Cookie(&cookie)).await;
    assert_eq!(
        (status, normalised(&body)),
        (StatusCode::OK, v1_customer("Grace"))
    );
    let (status, body) = m
        .post(
            "/store/customers",
            As::Nobody,
            json!({ "email": "grace@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["type"], "duplicate_error");

    // POST /store/auth: a new session with its own cookie.
    let response = m
        .request(Method::POST, "/store/auth", As::Nobody)
        .json(&json!({ "email": "grace@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (second, _) = session_cookie(&response).expect("a session cookie");
    let (status, body) = m
        .post(
            "/store/auth",
            As::Nobody,
            json!({ "email": "grace@example.com", "password": "wrong password!" }),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "type": "unauthorized", "message": "Invalid email or password" })
        )
    );

    let (status, body) = m
        .post(
            "/store/auth/token",
            As::Nobody,
            json!({ "email": "grace@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert!(claims(&token)["sub"].as_str().unwrap().starts_with("cus_"));

    // Orders placed through GraphQL, listed the v1 way (limit 10).
    place(
        &app,
        Who::Customer(&token),
        &[(&s.tee, 1)],
        "grace@example.com",
    )
    .await;
    let (status, body) = m
        .get("/store/customers/me/orders", As::Cookie(&second))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["count"].clone(), body["limit"].clone()),
        (json!(1), json!(10))
    );
    assert_eq!(body["orders"][0]["status"], "pending");

    assert_eq!(
        m.get("/store/customers/me/payment-methods", As::Bearer(&token))
            .await,
        (StatusCode::OK, json!({ "payment_methods": [] }))
    );
    assert_eq!(
        m.get("/store/auth/grace@example.com", As::Nobody).await,
        (StatusCode::OK, json!({ "exists": false })),
        "no enumeration oracle"
    );

    let response = m
        .request(Method::DELETE, "/store/auth", As::Cookie(&second))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "OK");
    assert_eq!(
        m.get("/store/auth", As::Cookie(&second)).await,
        (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Unauthorized" })
        )
    );
    assert_eq!(
        m.get("/store/auth", As::Cookie(&cookie)).await.0,
        StatusCode::OK,
        "the other session lives"
    );

    // Password token (204 whether or not the email is known) and reset.
    for email in ["grace@example.com", "nobody@example.com"] {
        let response = m
            .request(Method::POST, "/store/customers/password-token", As::Nobody)
            .json(&json!({ "email": email }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(response.text().await.unwrap(), "");
    }
    let reset = sink.resets(1).await[0].token();
    let new_password = "a completely new secret";
    let wrong = m
        .post(
            "/store/customers/password-reset",
            As::Nobody,
            json!({ "email": "grace@example.com", "token": "nope", "password": new_password }),
        )
        .await;
    assert_eq!(
        wrong,
        (
            StatusCode::UNAUTHORIZED,
            json!({ "type": "unauthorized", "message": "Invalid or expired password reset token" })
        )
    );
    let (status, body) = m
        .post(
            "/store/customers/password-reset",
            As::Nobody,
            json!({ "email": "grace@example.com", "token": reset, "password": new_password }),
        )
        .await;
    assert_eq!(
        (status, normalised(&body)),
        (StatusCode::OK, v1_customer("Grace"))
    );
    assert_eq!(
        m.get("/store/auth", As::Cookie(&cookie)).await.0,
        StatusCode::UNAUTHORIZED,
        "a reset ends every session"
    );
}
