//! Email verification: the link mailed at registration works once and expires, resending
//! reveals nothing, a required verification blocks sign-in on every surface with its own code,
//! and guest orders join an account by email only once the email is verified.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::account_support::{PASSWORD, login, register, signed_in};
use crate::helpers::error_code;
use crate::lifecycle_support::{app_with_sink, mails_to, no_errors, verification_token};
use crate::medusa_support::{As as MedusaAs, Medusa};
use crate::order_support::{Who, place, shop};
use crate::spree_support::{As, Spree};

const VERIFY: &str = "mutation($t: String!) { verifyEmail(token: $t) }";
const RESEND: &str = "mutation($e: String!) { resendVerificationEmail(email: $e) }";
const VERIFIED: &str = "{ me { email emailVerified } }";
const MY_ORDERS: &str = "{ me { orders(first: 10) { nodes { number } } } }";

async fn verified(app: &crate::helpers::TestApp, token: &str) -> Value {
    app.graphql_as(Some(token), VERIFIED, Value::Null).await["data"]["me"]["emailVerified"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailed_link_verifies_once() {
    let (app, sink) = app_with_sink(&[]).await;
    let ada = register(&app, "ada@example.com").await;
    assert_eq!(verified(&app, &ada.token).await, json!(false));
    let mail =
        crate::lifecycle_support::nth_mail(&sink, "Confirm your email", "ada@example.com", 1).await;
    let token = mail.token();
    assert_eq!(token.len(), 64);
    assert!(
        mail.text()
            .contains(&format!("http://127.0.0.1:8080/verify-email?token={token}")),
        "{}",
        mail.text()
    );

    let body = app.graphql(VERIFY, json!({ "t": token })).await;
    assert_eq!(body, json!({ "data": { "verifyEmail": true } }));
    assert_eq!(verified(&app, &ada.token).await, json!(true));
    // Single use, and a made-up token is the same error.
    for token in [token.as_str(), "0000", ""] {
        let body = app.graphql(VERIFY, json!({ "t": token })).await;
        assert_eq!(error_code(&body), "INVALID_TOKEN", "{body}");
    }
    // The token is stored only as its hash.
    assert!(
        crate::lifecycle_support::found_in_database(&app, &token)
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_expires() {
    let (app, sink) = app_with_sink(&[("STOREFRONT_EMAIL_VERIFICATION_TTL", "1")]).await;
    let ada = register(&app, "ada@example.com").await;
    let token = verification_token(&sink, "ada@example.com", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let body = app.graphql(VERIFY, json!({ "t": token })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    assert_eq!(verified(&app, &ada.token).await, json!(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resending_answers_alike_and_mails_only_a_waiting_account() {
    let (app, sink) = app_with_sink(&[]).await;
    register(&app, "waiting@example.com").await;
    register(&app, "done@example.com").await;
    let done = verification_token(&sink, "done@example.com", 1).await;
    no_errors(&app.graphql(VERIFY, json!({ "t": done })).await);
    let first = verification_token(&sink, "waiting@example.com", 1).await;

    let mut answers = Vec::new();
    for email in [
        "waiting@example.com",
        "done@example.com",
        "nobody@example.com",
    ] {
        answers.push(app.graphql(RESEND, json!({ "e": email })).await);
    }
    assert_eq!(
        answers[0],
        json!({ "data": { "resendVerificationEmail":
            "If that email has an account waiting for verification, a new link is on its way." } })
    );
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");

    // Only the waiting account got a second link, and it voids the first.
    let second = verification_token(&sink, "waiting@example.com", 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mails_to(&sink, "Confirm your email", "done@example.com"), 1);
    assert_eq!(
        mails_to(&sink, "Confirm your email", "nobody@example.com"),
        0
    );
    let body = app.graphql(VERIFY, json!({ "t": first })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    no_errors(&app.graphql(VERIFY, json!({ "t": second })).await);

    // Throttled per account: a flood of resends mails no one.
    let mut codes = Vec::new();
    for _ in 0..4 {
        let body = app
            .graphql(RESEND, json!({ "e": "flood@example.com" }))
            .await;
        codes.push(body["errors"][0]["extensions"]["code"].clone());
    }
    assert_eq!(
        codes,
        [Value::Null, Value::Null, Value::Null, json!("RATE_LIMITED")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_verification_blocks_sign_in_on_every_surface() {
    let (app, sink) = app_with_sink(&[("STOREFRONT_REQUIRE_VERIFIED_EMAIL", "true")]).await;
    // Registration creates the account and mails the link, but does not sign in.
    let body = app
        .graphql(
            crate::account_support::REGISTER,
            json!({ "input": { "email": "ada@example.com", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&body), "EMAIL_NOT_VERIFIED", "{body}");
    assert!(body["data"].is_null(), "{body}");
    // The right password gets the clear code; a wrong one says nothing about the account.
    assert_eq!(
        error_code(&login(&app, "ada@example.com", PASSWORD).await),
        "EMAIL_NOT_VERIFIED"
    );
    assert_eq!(
        error_code(&login(&app, "ada@example.com", "not the password at all").await),
        "INVALID_CREDENTIALS"
    );
    let spree = Spree::new(&app).await;
    let r = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.code(), "email_not_verified");
    let medusa = Medusa::new(&app).await;
    let (status, body) = medusa
        .post(
            "/auth/customer/emailpass",
            MedusaAs::Nobody,
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(
        body,
        json!({ "type": "unauthorized", "message": "Email is not verified" })
    );

    let token = verification_token(&sink, "ada@example.com", 1).await;
    no_errors(&app.graphql(VERIFY, json!({ "t": token })).await);
    signed_in(&app, "ada@example.com", PASSWORD).await;
    medusa.login("ada@example.com").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_orders_join_by_email_only_once_it_is_verified() {
    let (app, sink) = app_with_sink(&[]).await;
    let shop = shop(&app).await;
    // Before the account exists, a guest orders with its email.
    let order = place(&app, Who::Anonymous, &[(&shop.mug, 1)], "ada@example.com").await;
    let number = order["number"].as_str().unwrap().to_owned();

    let ada = register(&app, "ada@example.com").await;
    let again = signed_in(&app, "ada@example.com", PASSWORD).await;
    let orders = app
        .graphql_as(Some(&again.token), MY_ORDERS, Value::Null)
        .await;
    assert_eq!(
        orders["data"]["me"]["orders"]["nodes"],
        json!([]),
        "an unverified email proves nothing"
    );

    let token = verification_token(&sink, "ada@example.com", 1).await;
    no_errors(&app.graphql(VERIFY, json!({ "t": token })).await);
    let orders = app
        .graphql_as(Some(&ada.token), MY_ORDERS, Value::Null)
        .await;
    assert_eq!(
        orders["data"]["me"]["orders"]["nodes"],
        json!([{ "number": number }])
    );

    // Later guest orders with the verified email join at the next sign-in.
    let later = place(&app, Who::Anonymous, &[(&shop.mug, 1)], "ada@example.com").await;
    signed_in(&app, "ada@example.com", PASSWORD).await;
    let orders = app
        .graphql_as(Some(&ada.token), MY_ORDERS, Value::Null)
        .await;
    let numbers: Vec<&str> = orders["data"]["me"]["orders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap())
        .collect();
    assert!(
        numbers.contains(&later["number"].as_str().unwrap()),
        "{numbers:?}"
    );
}
