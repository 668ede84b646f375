//! Whether an account exists is not told by status, body or work: registration, login and
//! reset requests cost the same Argon2 work (counted, not timed) for a known and an unknown
//! email on every surface. Registration must answer a taken email (the Spree, Medusa and
//! GraphQL contracts say so: README, Security); only its work is made equal.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::account_support::{LOGIN, PASSWORD, REGISTER, register};
use crate::helpers::{TestApp, error_code};
use crate::medusa_support::{As as MedusaAs, Medusa};
use crate::spree_support::{As, Spree};

/// The Argon2 computations `work` caused, and its result.
async fn argon2<T>(app: &TestApp, work: impl std::future::Future<Output = T>) -> (u64, T) {
    let before = app.state.store.hasher().computed();
    let out = work.await;
    (app.state.store.hasher().computed() - before, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_costs_the_same_for_a_taken_email_on_every_surface() {
    let app = TestApp::spawn().await;
    register(&app, "taken@example.com").await;
    let spree = Spree::new(&app).await;
    let medusa = Medusa::new(&app).await;
    // An identity registered on Medusa without a customer yet.
    medusa.register_identity("half@example.com").await;

    let graphql = |email: &'static str| {
        app.graphql(
            REGISTER,
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
    };
    let (new, body) = argon2(&app, graphql("new1@example.com")).await;
    assert!(body["errors"].is_null(), "{body}");
    let (taken, body) = argon2(&app, graphql("taken@example.com")).await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!((new, taken), (1, 1), "GraphQL");

    let spree_register = |email: &'static str| {
        spree.post(
            "/customers",
            As::Anonymous,
            json!({ "email": email, "password": PASSWORD, "password_confirmation": PASSWORD }),
        )
    };
    let (new, r) = argon2(&app, spree_register("new2@example.com")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (taken, r) = argon2(&app, spree_register("taken@example.com")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!((new, taken), (1, 1), "Spree");

    let medusa_register = |email: &'static str, password: &'static str| {
        medusa.post(
            "/auth/customer/emailpass/register",
            MedusaAs::Nobody,
            json!({ "email": email, "password": password }),
        )
    };
    let (new, (status, _)) = argon2(&app, medusa_register("new3@example.com", PASSWORD)).await;
    assert_eq!(status, StatusCode::OK);
    let (account, (status, taken_body)) =
        argon2(&app, medusa_register("taken@example.com", PASSWORD)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (identity, (status, half_body)) = argon2(
        &app,
        medusa_register("half@example.com", "another password here"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(taken_body, half_body);
    assert_eq!((new, account, identity), (1, 1, 1), "Medusa");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_reset_requests_answer_and_work_alike() {
    let app = TestApp::spawn().await;
    register(&app, "known@example.com").await;
    let login = |email: &'static str| {
        app.graphql(
            LOGIN,
            json!({ "email": email, "password": "not the password" }),
        )
    };
    let (known, known_body) = argon2(&app, login("known@example.com")).await;
    let (unknown, unknown_body) = argon2(&app, login("unknown@example.com")).await;
    assert_eq!((known, unknown), (1, 1));
    assert_eq!(known_body, unknown_body);

    let spree = Spree::new(&app).await;
    let spree_login = |email: &'static str| {
        spree.post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": email, "password": "not the password" }),
        )
    };
    let (known, k) = argon2(&app, spree_login("known@example.com")).await;
    let (unknown, u) = argon2(&app, spree_login("unknown@example.com")).await;
    assert_eq!((known, unknown), (1, 1));
    assert_eq!((k.status, k.body), (u.status, u.body));

    let medusa = Medusa::new(&app).await;
    let medusa_login = |email: &'static str| {
        medusa.post(
            "/auth/customer/emailpass",
            MedusaAs::Nobody,
            json!({ "email": email, "password": "not the password" }),
        )
    };
    let (known, k) = argon2(&app, medusa_login("known@example.com")).await;
    let (unknown, u) = argon2(&app, medusa_login("unknown@example.com")).await;
    assert_eq!((known, unknown), (1, 1));
    assert_eq!(k, u);

    let reset = |email: &'static str| {
        app.graphql(
            "mutation($e: String!) { requestPasswordReset(email: $e) }",
            json!({ "e": email }),
        )
    };
    let (known, k) = argon2(&app, reset("known@example.com")).await;
    let (unknown, u): (u64, Value) = argon2(&app, reset("unknown@example.com")).await;
    assert_eq!((known, unknown), (0, 0));
    assert_eq!(k, u);
}
