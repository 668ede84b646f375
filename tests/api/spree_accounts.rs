//! Spree Store API: sign-in, registration, the current customer and password resets, whole
//! bodies compared after normalisation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::spree_support::{As, PASSWORD, Spree, normalized, reset_token};

fn user(first: &str, full: &str, email: &str) -> Value {
    json!({
        "id": "<cus_1>",
        "email": email,
        "first_name": first,
        "last_name": "Lovelace",
        "phone": null,
        "accepts_email_marketing": false,
        "full_name": full,
        "available_store_credit_total": "0.0",
        "display_available_store_credit_total": "$0.00",
        "addresses": [],
        "default_billing_address": null,
        "default_shipping_address": null,
        "newsletter_subscriber": null,
        "customer_groups": []
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn register_login_refresh_and_logout() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let r = spree
        .post(
            "/customers",
            As::Anonymous,
            json!({ "email": "Ada@Example.com", "password": PASSWORD,
                    "password_confirmation": PASSWORD, "first_name": "Ada",
                    "last_name": "Lovelace", "metadata": { "ignored": true } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        normalized(&r.body),
        json!({ "token": "<jwt>", "refresh_token": "<token>",
                "user": user("Ada", "Ada Lovelace", "ada@example.com") })
    );

    let taken = spree
        .post(
            "/customers",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        taken.body,
        json!({ "error": { "code": "validation_error", "message": "Email has already been taken",
                           "details": { "email": ["has already been taken"] } } })
    );
    let mismatch = spree
        .post(
            "/customers",
            As::Anonymous,
            json!({ "email": "other@example.com", "password": PASSWORD,
                    "password_confirmation": "something else entirely" }),
        )
        .await;
    assert_eq!(
        mismatch.body,
        json!({ "error": { "code": "validation_error",
                           "message": "Password confirmation doesn't match Password",
                           "details": { "password_confirmation": ["doesn't match Password"] } } })
    );

    let wrong = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": "wrong password here" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.body,
        json!({ "error": { "code": "authentication_failed", "message": "Invalid email or password" } })
    );
    for (body, message) in [
        (json!({ "password": PASSWORD }), "Email is required"),
        (
            json!({ "email": "ada@example.com" }),
            "Password is required",
        ),
    ] {
        let r = spree.post("/auth/login", As::Anonymous, body).await;
        assert_eq!(
            (r.status, r.body["error"]["message"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(message))
        );
    }
    let provider = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "provider": "auth0", "token": "x" }),
        )
        .await;
    assert_eq!(
        (provider.status, provider.code()),
        (StatusCode::BAD_REQUEST, "invalid_provider")
    );

    let login = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    assert_eq!(
        normalized(&login.body),
        json!({ "token": "<jwt>", "refresh_token": "<token>",
                "user": user("Ada", "Ada Lovelace", "ada@example.com") })
    );
    let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();

    let rotated = spree
        .post(
            "/auth/refresh",
            As::Anonymous,
            json!({ "refresh_token": refresh }),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    assert_eq!(
        normalized(&rotated.body),
        json!({ "token": "<jwt>", "refresh_token": "<token>",
                "user": user("Ada", "Ada Lovelace", "ada@example.com") })
    );
    let next = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, refresh);
    let blank = spree.post("/auth/refresh", As::Anonymous, json!({})).await;
    assert_eq!(
        blank.body,
        json!({ "error": { "code": "invalid_refresh_token", "message": "refresh_token is required" } })
    );
    let unknown = spree
        .post(
            "/auth/refresh",
            As::Anonymous,
            json!({ "refresh_token": "nope" }),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (
            StatusCode::UNAUTHORIZED,
            json!({ "error": { "code": "invalid_refresh_token",
                               "message": "Invalid or expired refresh token" } })
        )
    );

    let out = spree
        .post(
            "/auth/logout",
            As::Anonymous,
            json!({ "refresh_token": next }),
        )
        .await;
    assert_eq!(
        (out.status, out.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    let after = spree
        .post(
            "/auth/refresh",
            As::Anonymous,
            json!({ "refresh_token": next }),
        )
        .await;
    assert_eq!(after.code(), "invalid_refresh_token");
    // Logout answers 204 whatever it is given.
    for body in [
        None,
        Some(json!({})),
        Some(json!({ "refresh_token": "unknown" })),
    ] {
        let r = spree
            .call(reqwest::Method::POST, "/auth/logout", As::Anonymous, body)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_current_customer_reads_and_updates_their_profile() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;

    let anonymous = spree.get("/customers/me", As::Anonymous).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.body,
        json!({ "error": { "code": "authentication_required", "message": "Authentication required" } })
    );
    let me = spree.get("/customers/me", As::Customer(&ada.token)).await;
    assert_eq!(
        normalized(&me.body),
        user("Ada", "Ada Lovelace", "ada@example.com")
    );
    // `fields` keeps those keys and `id`; `expand` adds nothing a customer does not always show,
    // but an expanded key survives `fields`.
    let sparse = spree
        .get(
            "/customers/me?fields=email,full_name&expand=addresses",
            As::Customer(&ada.token),
        )
        .await;
    assert_eq!(
        sparse.body,
        json!({ "id": me.body["id"], "email": "ada@example.com", "full_name": "Ada Lovelace",
                "addresses": [] })
    );

    let updated = spree
        .patch(
            "/customers/me",
            As::Customer(&ada.token),
            json!({ "first_name": "Augusta", "phone": "555-0100", "accepts_email_marketing": true }),
        )
        .await;
    let mut expected = user("Augusta", "Augusta Lovelace", "ada@example.com");
    expected["phone"] = json!("555-0100");
    expected["accepts_email_marketing"] = json!(true);
    assert_eq!(normalized(&updated.body), expected);

    // An email or password change needs the current password.
    for body in [
        json!({ "email": "new@example.com" }),
        json!({ "email": "new@example.com", "current_password": "not it at all" }),
        json!({ "password": "a brand new passphrase", "password_confirmation": "a brand new passphrase" }),
    ] {
        let r = spree
            .patch("/customers/me", As::Customer(&ada.token), body)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.body,
            json!({ "error": { "code": "current_password_invalid",
                               "message": "Current password is invalid or missing" } })
        );
    }
    let email = spree
        .patch(
            "/customers/me",
            As::Customer(&ada.token),
            json!({ "email": "new@example.com", "current_password": PASSWORD }),
        )
        .await;
    // The new email waits for confirmation from the new address: the answer is the customer
    // as they are.
    assert_eq!(email.status, StatusCode::OK, "{}", email.text);
    assert_eq!(email.body["email"], "ada@example.com", "{}", email.text);

    // A password change keeps this session and ends the others.
    let other = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    let other_token = other.body["token"].as_str().unwrap().to_owned();
    let changed = spree
        .patch(
            "/customers/me",
            As::Customer(&ada.token),
            json!({ "password": "a brand new passphrase",
                    "password_confirmation": "a brand new passphrase",
                    "current_password": PASSWORD }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(
        spree
            .get("/customers/me", As::Customer(&ada.token))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        spree
            .get("/customers/me", As::Customer(&other_token))
            .await
            .code(),
        "authentication_required"
    );
    let old = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(old.code(), "authentication_failed");
    let fresh = spree
        .post(
            "/auth/login",
            As::Anonymous,
            json!({ "email": "ada@example.com", "password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK);

    let blank = spree
        .patch(
            "/customers/me",
            As::Customer(&ada.token),
            json!({ "first_name": "x".repeat(101) }),
        )
        .await;
    assert_eq!(
        blank.body,
        json!({ "error": { "code": "validation_error",
                           "message": "First name must be at most 100 characters",
                           "details": { "first_name": ["must be at most 100 characters"] } } })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn password_resets_answer_alike_and_sign_in_once() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let ada = spree.register("ada@example.com").await;
    let message = json!({ "message":
        "If an account exists for that email, password reset instructions have been sent." });
    for email in ["ada@example.com", "nobody@example.com", "not an email"] {
        let r = spree
            .post("/password_resets", As::Anonymous, json!({ "email": email }))
            .await;
        assert_eq!(
            (r.status, r.body.clone()),
            (StatusCode::ACCEPTED, message.clone())
        );
    }
    let token = reset_token(&app).await;
    let short = spree
        .patch(
            &format!("/password_resets/{token}"),
            As::Anonymous,
            json!({ "password": "new passphrase 1", "password_confirmation": "different one" }),
        )
        .await;
    assert_eq!(short.code(), "validation_error");
    let reset = spree
        .patch(
            &format!("/password_resets/{token}"),
            As::Anonymous,
            json!({ "password": "new passphrase 1", "password_confirmation": "new passphrase 1" }),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    assert_eq!(
        normalized(&reset.body),
        json!({ "token": "<jwt>", "refresh_token": "<token>",
                "user": user("Ada", "Ada Lovelace", "ada@example.com") })
    );
    // Every earlier session ended; the token works once.
    assert_eq!(
        spree
            .get("/customers/me", As::Customer(&ada.token))
            .await
            .code(),
        "authentication_required"
    );
    let again = spree
        .patch(
            &format!("/password_resets/{token}"),
            As::Anonymous,
            json!({ "password": "new passphrase 2", "password_confirmation": "new passphrase 2" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.body,
        json!({ "error": { "code": "password_reset_token_invalid",
                           "message": "Password reset token is invalid or has expired." } })
    );
}
