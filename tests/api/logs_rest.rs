//! The secret-bearing flows of the Spree and Medusa routes, run under the test binary's
//! debug-level capture (`logs::captured`): no password, token, code or key, nor the SHA-256 the
//! store keeps of it, appears in a log line, in an error answer (a wrong secret is never echoed
//! back, nor a value sent with the wrong type) or in the `/metrics` text.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::account_support::PASSWORD;
use crate::helpers::TestApp;
use crate::logs::{Exposure, captured, gift_card};
use crate::medusa_support::{self, Medusa};
use crate::order_support::{Shop, secret_key, shop};
use crate::smtp::SmtpSink;
use crate::spree_support::{self, Spree};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spree_flows_log_and_echo_no_secret() {
    captured();
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let spree = Spree::new(&app).await;
    let shop: Shop = shop(&app).await;
    let mut seen = Exposure::default();
    let email = "spree-secrets@example.com";
    seen.token("the publishable key", &spree.key);
    seen.password("the password", PASSWORD);

    let r = spree
        .post(
            "/customers",
            spree_support::As::Anonymous,
            json!({ "email": email, "password": PASSWORD, "password_confirmation": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    seen.token("the registration JWT", r.body["token"].as_str().unwrap());
    seen.token(
        "the registration refresh token",
        r.body["refresh_token"].as_str().unwrap(),
    );

    let wrong = "a wrong spree password";
    seen.password("a wrong password", wrong);
    let r = spree
        .post(
            "/auth/login",
            spree_support::As::Anonymous,
            json!({ "email": email, "password": wrong }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    seen.refused(&r.text);
    let r = spree
        .post(
            "/auth/login",
            spree_support::As::Anonymous,
            json!({ "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let refresh = r.body["refresh_token"].as_str().unwrap().to_owned();
    seen.token("the login JWT", r.body["token"].as_str().unwrap());
    seen.token("the login refresh token", &refresh);

    let forged = "f0".repeat(32);
    seen.token("a forged refresh token", &forged);
    let r = spree
        .post(
            "/auth/refresh",
            spree_support::As::Anonymous,
            json!({ "refresh_token": forged }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    seen.refused(&r.text);
    let r = spree
        .post(
            "/auth/refresh",
            spree_support::As::Anonymous,
            json!({ "refresh_token": refresh }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let jwt = r.body["token"].as_str().unwrap().to_owned();
    seen.token("the refreshed JWT", &jwt);
    seen.token(
        "the rotated refresh token",
        r.body["refresh_token"].as_str().unwrap(),
    );

    // A password change: a wrong current password first.
    let changed = "the changed spree password";
    seen.password("the changed password", changed);
    let me = spree_support::As::Customer(&jwt);
    let r = spree
        .patch(
            "/customers/me",
            me,
            json!({ "password": changed, "password_confirmation": changed,
                    "current_password": wrong }),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    seen.refused(&r.text);
    let r = spree
        .patch(
            "/customers/me",
            me,
            json!({ "password": changed, "password_confirmation": changed,
                    "current_password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Reset: request, a forged token refused, the mailed token used.
    let r = spree
        .post(
            "/password_resets",
            spree_support::As::Anonymous,
            json!({ "email": email }),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let reset = sink.resets(1).await[0].token();
    seen.token("the reset token", &reset);
    let after_reset = "the spree password after reset";
    seen.password("the password after reset", after_reset);
    let body = json!({ "password": after_reset, "password_confirmation": after_reset });
    let r = spree
        .patch(
            &format!("/password_resets/{forged}"),
            spree_support::As::Anonymous,
            body.clone(),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    seen.refused(&r.text);
    let r = spree
        .patch(
            &format!("/password_resets/{reset}"),
            spree_support::As::Anonymous,
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let jwt = r.body["token"].as_str().unwrap().to_owned();
    let refresh = r.body["refresh_token"].as_str().unwrap().to_owned();
    seen.token("the JWT after reset", &jwt);
    seen.token("the refresh token after reset", &refresh);

    // A shared wishlist's token, read signed out.
    let me = spree_support::As::Customer(&jwt);
    let r = spree
        .post(
            "/wishlists",
            me,
            json!({ "name": "Shared", "is_private": false }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let share = r.body["token"].as_str().unwrap().to_owned();
    seen.token("a wishlist share token", &share);
    let r = spree
        .get(&format!("/wishlists/{share}"), spree_support::As::Anonymous)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = spree
        .post(
            "/auth/logout",
            spree_support::As::Anonymous,
            json!({ "refresh_token": refresh }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    // A guest cart: its token, a gift card code (a wrong one first), the order it becomes.
    let key = secret_key(&app).await;
    seen.token("the secret key", &key);
    let code = gift_card(&app, &key, &mut seen).await;
    let cart = spree
        .post("/carts", spree_support::As::Anonymous, json!({}))
        .await;
    let id = cart.body["id"].as_str().unwrap().to_owned();
    let token = cart.body["token"].as_str().unwrap().to_owned();
    seen.token("a guest cart token", &token);
    let guest = spree_support::As::Guest(&token);
    let r = spree
        .post(
            &format!("/carts/{id}/items"),
            guest,
            json!({ "variant_id": shop.tee, "quantity": 1 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let wrong_code = "ABCD-EFGH-JKMN-PQRS";
    seen.code("a wrong gift card code", wrong_code);
    let r = spree
        .post(
            &format!("/carts/{id}/gift_cards"),
            guest,
            json!({ "code": wrong_code }),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    seen.refused(&r.text);
    let r = spree
        .post(
            &format!("/carts/{id}/gift_cards"),
            guest,
            json!({ "code": code }),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = spree
        .patch(
            &format!("/carts/{id}"),
            guest,
            json!({ "email": "guest@example.com",
                    "shipping_address": crate::spree_orders::ship_to() }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = spree
        .call(Method::POST, &format!("/carts/{id}/complete"), guest, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let order = r.body["id"].as_str().unwrap().to_owned();
    let r = spree.get(&format!("/orders/{order}"), guest).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = spree
        .get(
            &format!("/orders/{order}"),
            spree_support::As::Guest(&forged),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    seen.refused(&r.text);

    seen.assert_nothing_leaked(&app, "/api/v3/store/password_resets")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn medusa_flows_log_and_echo_no_secret() {
    captured();
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let shop: Shop = shop(&app).await;
    let mut seen = Exposure::default();
    let email = "medusa-secrets@example.com";
    seen.token("the publishable key", &m.key);
    seen.password("the password", PASSWORD);
    let nobody = medusa_support::As::Nobody;

    let registration = m.register_identity(email).await;
    seen.token("the registration JWT", &registration);
    let (status, body) = m
        .post(
            "/store/customers",
            medusa_support::As::Bearer(&registration),
            json!({ "email": email, "first_name": "Medusa" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let wrong = "a wrong medusa password";
    seen.password("a wrong password", wrong);
    let (status, body) = m
        .post(
            "/auth/customer/emailpass",
            nobody,
            json!({ "email": email, "password": wrong }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    seen.refused(&body);
    let jwt = m.login(email).await;
    seen.token("the login JWT", &jwt);
    let (status, body) = m
        .call(
            Method::POST,
            "/auth/token/refresh",
            medusa_support::As::Bearer(&jwt),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let jwt = body["token"].as_str().unwrap().to_owned();
    seen.token("the refreshed JWT", &jwt);
    let (status, _) = m
        .get("/store/customers/me", medusa_support::As::Bearer(&jwt))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The v1 cookie session.
    let response = m
        .request(Method::POST, "/store/auth", nobody)
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, _) = medusa_support::session_cookie(&response).expect("a session cookie");
    seen.token("the v1 session cookie", &cookie);
    let (status, _) = m
        .get("/store/auth", medusa_support::As::Cookie(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK);

    // Reset: a forged token (Bearer and `?token=`) refused, then the mailed ones.
    let (status, _) = m
        .post(
            "/auth/customer/emailpass/reset-password",
            nobody,
            json!({ "identifier": email }),
        )
        .await;
    assert!(status.is_success(), "{status}");
    let reset = sink.resets(1).await[0].token();
    seen.token("the reset token", &reset);
    let forged = "0f".repeat(32);
    seen.token("a forged token", &forged);
    let new_password = "the medusa password after reset";
    seen.password("the password after reset", new_password);
    let update = "/auth/customer/emailpass/update";
    for path in [update.to_owned(), format!("{update}?token={forged}")] {
        let (status, body) = m
            .post(
                &path,
                medusa_support::As::Bearer(&forged),
                json!({ "password": new_password }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        seen.refused(&body);
    }
    let (status, body) = m
        .post(
            update,
            medusa_support::As::Bearer(&reset),
            json!({ "password": new_password }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    m.post(
        "/auth/customer/emailpass/reset-password",
        nobody,
        json!({ "identifier": email }),
    )
    .await;
    let second = sink.resets(2).await[1].token();
    seen.token("the second reset token", &second);
    let (status, body) = m
        .post(
            &format!("{update}?token={second}"),
            nobody,
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The v1 reset: token requested, a forged one refused, the mailed one used.
    let response = m
        .request(Method::POST, "/store/customers/password-token", nobody)
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let third = sink.resets(3).await[2].token();
    seen.token("the v1 reset token", &third);
    let v1_password = "the medusa v1 password";
    seen.password("the v1 password", v1_password);
    for token in [&forged, &third] {
        let (status, body) = m
            .post(
                "/store/customers/password-reset",
                nobody,
                json!({ "email": email, "token": token, "password": v1_password }),
            )
            .await;
        if token == &forged {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
            seen.refused(&body);
        } else {
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }

    // A guest cart (its id carries its token) through to the order.
    let (status, body) = m
        .post(
            "/store/carts",
            nobody,
            json!({ "items": [{ "variant_id": shop.tee, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cart = body["cart"]["id"].as_str().unwrap().to_owned();
    let token = cart.rsplit('_').next().unwrap().to_owned();
    seen.token("a cart token", &token);
    let steps = [
        (
            format!("/store/carts/{cart}"),
            json!({ "email": "guest@example.com", "shipping_address": {
                "first_name": "Grace", "last_name": "Hopper", "address_1": "1 Navy Yard",
                "city": "Arlington", "postal_code": "22202", "country_code": "us" } }),
        ),
        (
            format!("/store/carts/{cart}/shipping-methods"),
            json!({ "option_id": "so_standard" }),
        ),
        (
            "/store/payment-collections".to_owned(),
            json!({ "cart_id": cart }),
        ),
    ];
    let mut collection = String::new();
    for (path, body) in steps {
        let (status, body) = m.post(&path, nobody, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        if let Some(id) = body["payment_collection"]["id"].as_str() {
            collection = id.to_owned();
        }
    }
    let (status, body) = m
        .post(
            &format!("/store/payment-collections/{collection}/payment-sessions"),
            nobody,
            json!({ "provider_id": "pp_system_default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = m
        .call(
            Method::POST,
            &format!("/store/carts/{cart}/complete"),
            nobody,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order = body["order"]["id"].as_str().unwrap().to_owned();
    let (status, _) = m.get(&format!("/store/orders/{order}"), nobody).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = m.get(&format!("/store/carts/cart_{forged}"), nobody).await;
    // The one answer that repeats what it refused: Medusa's own `Cart with id '…' not found`,
    // which its clients show, names the id the caller sent (nobody else's secret).
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["type"], "not_found");

    seen.assert_nothing_leaked(&app, "/store/carts/cart_<redacted>/complete")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_sent_with_the_wrong_type_is_not_echoed() {
    let app = TestApp::spawn().await;
    let spree = Spree::new(&app).await;
    let m = Medusa::new(&app).await;
    // A password of digits that a form sent as a number, a gift card code likewise.
    let digits: u64 = 918_273_645_546_372;
    let nobody = spree_support::As::Anonymous;
    let cart = spree.post("/carts", nobody, json!({})).await;
    let (id, token) = (
        cart.body["id"].as_str().unwrap(),
        cart.body["token"].as_str().unwrap(),
    );
    let answers = [
        spree
            .post(
                "/auth/login",
                nobody,
                json!({ "email": "a@example.com", "password": digits }),
            )
            .await,
        spree
            .post(
                "/customers",
                nobody,
                json!({ "email": "a@example.com", "password": digits,
                        "password_confirmation": digits }),
            )
            .await,
        spree
            .patch(
                &format!("/password_resets/{}", "ab".repeat(32)),
                nobody,
                json!({ "password": digits, "password_confirmation": digits }),
            )
            .await,
        spree
            .post(
                &format!("/carts/{id}/gift_cards"),
                spree_support::As::Guest(token),
                json!({ "code": digits }),
            )
            .await,
    ];
    for r in answers {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.code(), "invalid_request");
        assert!(!r.text.contains(&digits.to_string()), "{}", r.text);
    }
    let (status, body) = m
        .post(
            "/store/customers",
            medusa_support::As::Nobody,
            json!({ "email": "a@example.com", "password": digits }),
        )
        .await;
    assert!(status.is_client_error(), "{body}");
    assert!(!body.to_string().contains(&digits.to_string()), "{body}");
}
