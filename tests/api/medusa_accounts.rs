//! Medusa v2 accounts over REST: the publishable key, identity-first registration, login,
//! refresh, `/store/customers/me`, with whole bodies pinned against what a real Medusa 2.21
//! answers (reference/medusa-v2-observed.md), volatile values normalised.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::account_support::PASSWORD;
use crate::helpers::TestApp;
use crate::medusa_support::{As, Medusa, claims, normalised, session_cookie};

const KEY_MISSING: &str = "Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard.";

fn unauthorized() -> Value {
    json!({ "message": "Unauthorized" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_routes_need_a_valid_publishable_key_before_anything_else() {
    let app = TestApp::spawn().await;
    let medusa = Medusa::new(&app).await;
    let token = medusa.register_identity("alice@example.com").await;
    for path in ["/store/customers/me", "/store/customers/me/addresses"] {
        let (status, body) = app
            .send(app.request(Method::GET, path).bearer_auth(&token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({ "type": "not_allowed", "message": KEY_MISSING })
        );
        let (status, body) = app
            .send(
                app.request(Method::GET, path)
                    .header("x-publishable-api-key", "pk_doesnotexist"),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({ "type": "not_allowed", "message": "A valid publishable key is required to proceed with the request" })
        );
    }
    // A secret key is not a publishable key.
    let secret = crate::order_support::secret_key(&app).await;
    let (status, _) = app
        .send(
            app.request(Method::GET, "/store/customers/me")
                .header("x-publishable-api-key", &secret),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_first_then_exactly_one_customer() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let email = "alice@example.com";

    let (status, body) = m
        .post(
            "/auth/customer/emailpass/register",
            As::Nobody,
            json!({ "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status, normalised(&body)),
        (StatusCode::OK, json!({ "token": "<jwt>" }))
    );
    let registration = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        claims(&registration)["sub"],
        "",
        "a registration token names no customer"
    );

    // The registration token opens no customer's data.
    assert_eq!(
        m.get("/store/customers/me", As::Bearer(&registration))
            .await,
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
    assert_eq!(
        m.post("/store/customers", As::Nobody, json!({ "email": email }))
            .await,
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
    assert_eq!(
        m.post(
            "/store/customers",
            As::Bearer(&registration),
            json!({ "email": email, "first_name": "Alice", "bogus": 1 })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'bogus'" })
        )
    );

    let (status, body) = m
        .post(
            "/store/customers",
            As::Bearer(&registration),
            json!({ "email": email, "first_name": "Alice", "last_name": "Liddell",
                    "phone": "+4912345678", "company_name": "Wonderland GmbH" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let customer = json!({
        "id": "cus_*", "email": email, "company_name": "Wonderland GmbH",
        "first_name": "Alice", "last_name": "Liddell", "phone": "+4912345678",
        "metadata": null, "has_account": true, "deleted_at": null,
        "created_at": "<time>", "updated_at": "<time>", "addresses": [],
        "shipping_addresses": [], "billing_address_id": null
    });
    assert_eq!(normalised(&body), json!({ "customer": customer }));
    let customer_id = body["customer"]["id"].as_str().unwrap().to_owned();

    // The same registration token cannot create a second customer, whatever the email.
    let duplicate = json!({ "code": "invalid_request_error", "type": "duplicate_error",
        "message": "Customer with this email already has an account" });
    assert_eq!(
        m.post(
            "/store/customers",
            As::Bearer(&registration),
            json!({ "email": email })
        )
        .await,
        (StatusCode::UNPROCESSABLE_ENTITY, duplicate.clone())
    );
    let (status, _) = m
        .post(
            "/store/customers",
            As::Bearer(&registration),
            json!({ "email": "other@example.com" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Still no customer for the registration token itself.
    assert_eq!(
        m.get("/store/customers/me", As::Bearer(&registration))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    // A second identity cannot take the first one's email for its customer.
    let bob = m.register_identity("bob@example.com").await;
    assert_eq!(
        m.post(
            "/store/customers",
            As::Bearer(&bob),
            json!({ "email": email })
        )
        .await,
        (StatusCode::UNPROCESSABLE_ENTITY, duplicate)
    );

    // Refreshing the registration token now names the customer.
    let (status, body) = m
        .call(
            Method::POST,
            "/auth/token/refresh",
            As::Bearer(&registration),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refreshed = body["token"].as_str().unwrap();
    assert_eq!(claims(refreshed)["sub"], customer_id.as_str());
    let (status, body) = m.get("/store/customers/me", As::Bearer(refreshed)).await;
    assert_eq!(
        (status, normalised(&body)),
        (StatusCode::OK, json!({ "customer": customer }))
    );

    // A customer's token cannot create another customer.
    assert_eq!(
        m.post("/store/customers", As::Bearer(refreshed), json!({}))
            .await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Request already authenticated as a customer." })
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_and_login_answer_as_medusa() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (customer_id, _) = m.sign_up("alice@example.com", "Alice").await;
    let exists = json!({ "type": "unauthorized", "message": "Identity with email already exists" });
    for password in [PASSWORD, "another long password"] {
        assert_eq!(
            m.post(
                "/auth/customer/emailpass/register",
                As::Nobody,
                json!({ "email": "alice@example.com", "password": password })
            )
            .await,
            (StatusCode::UNAUTHORIZED, exists.clone())
        );
    }
    let not_string = json!({ "type": "unauthorized", "message": "Password should be a string" });
    for body in [json!({}), json!({ "email": "nopw@example.com" })] {
        assert_eq!(
            m.post(
                "/auth/customer/emailpass/register",
                As::Nobody,
                body.clone()
            )
            .await,
            (StatusCode::UNAUTHORIZED, not_string.clone())
        );
        assert_eq!(
            m.post("/auth/customer/emailpass", As::Nobody, body).await,
            (StatusCode::UNAUTHORIZED, not_string.clone())
        );
    }
    let (status, body) = app
        .send(
            app.request(Method::POST, "/auth/customer/emailpass/register")
                .header("content-type", "application/json")
                .body("{\"email\": "),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "invalid_data", "{body}");
    assert!(body["message"].is_string());

    let invalid = json!({ "type": "unauthorized", "message": "Invalid email or password" });
    for (email, password) in [
        ("alice@example.com", "wrong password here"),
        ("nobody@example.com", PASSWORD),
    ] {
        assert_eq!(
            m.post(
                "/auth/customer/emailpass",
                As::Nobody,
                json!({ "email": email, "password": password })
            )
            .await,
            (StatusCode::UNAUTHORIZED, invalid.clone())
        );
    }
    let (status, body) = m
        .post(
            "/auth/customer/nosuch",
            As::Nobody,
            json!({ "email": "alice@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["type"], "unauthorized");

    let (status, body) = m
        .post(
            "/auth/customer/emailpass",
            As::Nobody,
            json!({ "email": "alice@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status, normalised(&body)),
        (StatusCode::OK, json!({ "token": "<jwt>" }))
    );
    assert_eq!(
        claims(body["token"].as_str().unwrap())["sub"],
        customer_id.as_str()
    );

    // An identity without a customer logs in to a token naming none, and may resume.
    let bob = m.register_identity("bob@example.com").await;
    let token = m.login("bob@example.com").await;
    assert_eq!(claims(&token)["sub"], "");
    assert_eq!(
        m.get("/store/customers/me", As::Bearer(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = m.register_identity("bob@example.com").await;
    assert_ne!(again, bob);
    assert_eq!(
        m.post(
            "/store/customers",
            As::Bearer(&token),
            json!({ "first_name": "Bob" })
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_reads_and_updates_with_fields() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (id, token) = m.sign_up("alice@example.com", "Alice").await;
    assert_eq!(
        m.get(
            "/store/customers/me?fields=id,email,first_name",
            As::Bearer(&token)
        )
        .await,
        (
            StatusCode::OK,
            json!({ "customer": { "id": id, "email": "alice@example.com", "first_name": "Alice" } })
        )
    );
    for who in [As::Nobody, As::Bearer("garbage.token.here")] {
        assert_eq!(
            m.get("/store/customers/me", who).await,
            (StatusCode::UNAUTHORIZED, unauthorized())
        );
    }
    let (status, _) = app
        .send(
            m.request(Method::GET, "/store/customers/me", As::Nobody)
                .header("authorization", "Basic Zm9vOmJhcg=="),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = m
        .post(
            "/store/customers/me",
            As::Bearer(&token),
            json!({ "first_name": "Alicia", "phone": "+4900000000", "metadata": { "tier": "gold" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        normalised(&body),
        json!({ "customer": {
            "id": "cus_*", "email": "alice@example.com", "company_name": null,
            "first_name": "Alicia", "last_name": null, "phone": "+4900000000",
            "metadata": { "tier": "gold" }, "has_account": true, "deleted_at": null,
            "created_at": "<time>", "updated_at": "<time>", "addresses": [],
            "shipping_addresses": [], "billing_address_id": null
        } })
    );
    assert_eq!(
        m.post(
            "/store/customers/me",
            As::Bearer(&token),
            json!({ "email": "changed@example.com" })
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            json!({ "type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'email'" })
        )
    );
    assert_eq!(
        m.post(
            "/store/customers/me",
            As::Nobody,
            json!({ "first_name": "X" })
        )
        .await,
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
    let (_, body) = m
        .get("/store/customers/me?fields=first_name", As::Bearer(&token))
        .await;
    assert_eq!(
        body,
        json!({ "customer": { "id": id, "first_name": "Alicia" } })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_sessions_act_as_the_bearer_and_end_with_the_session() {
    let app = TestApp::spawn().await;
    let m = Medusa::new(&app).await;
    let (id, token) = m.sign_up("alice@example.com", "Alice").await;
    let response = app
        .request(Method::POST, "/auth/session")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, header) = session_cookie(&response).expect("a session cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Path=/")
    );
    assert!(header.contains("Max-Age=36000"), "{header}");
    assert!(!header.contains("Secure"), "not Secure in development");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        normalised(&body),
        json!({ "user": {
            "actor_id": "cus_*", "actor_type": "customer", "auth_identity_id": "ident_*",
            "auth_provider": "emailpass", "mfa_enabled": false, "mfa_challenge_completed_at": null,
            "app_metadata": { "customer_id": "cus_*" }, "user_metadata": {},
            "iat": body["user"]["iat"], "exp": body["user"]["exp"]
        } })
    );
    assert_eq!(body["user"]["actor_id"], id.as_str());

    let (status, body) = m
        .get("/store/customers/me?fields=id,email", As::Cookie(&cookie))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({ "customer": { "id": id, "email": "alice@example.com" } })
        )
    );
    // A forged cookie is no session.
    // The last character changed (to another: a cookie ending in `0` stays itself otherwise).
    let last = if cookie.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &cookie[..cookie.len() - 1]);
    assert_eq!(
        m.get("/store/customers/me", As::Cookie(&forged)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Without a cookie there is no session to delete.
    assert_eq!(
        m.delete("/auth/session", As::Bearer(&token)).await,
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
    let (status, body) = m.delete("/auth/session", As::Cookie(&cookie)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    assert_eq!(
        m.get("/store/customers/me", As::Cookie(&cookie)).await,
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
    // The session is over for the bearer token too (Medusa keeps it; we end it).
    assert_eq!(
        m.get("/store/customers/me", As::Bearer(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Refresh needs a credential.
    assert_eq!(
        m.call(Method::POST, "/auth/token/refresh", As::Nobody, None)
            .await,
        (StatusCode::UNAUTHORIZED, unauthorized())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookies_are_secure_in_production() {
    let sink = crate::smtp::SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_ENV", "production")
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let (_, token) = m.sign_up("alice@example.com", "Alice").await;
    let response = app
        .request(Method::POST, "/auth/session")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (_, header) = session_cookie(&response).expect("a session cookie");
    assert!(
        header.contains("; Secure") && header.contains("SameSite=Lax"),
        "{header}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_before_any_route_answer_json_too() {
    let app = TestApp::builder()
        .env("STOREFRONT_BODY_LIMIT", "1024")
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let big = "x".repeat(4096);
    let (status, body) = m
        .post(
            "/auth/customer/emailpass/register",
            As::Nobody,
            json!({ "email": "a@example.com", "password": big }),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        body,
        json!({ "type": "invalid_data", "message": "request entity too large" })
    );
    let (status, body) = m.get("/store/nothing-here", As::Nobody).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({ "type": "not_found", "message": "Cannot GET /store/nothing-here" })
    );
    // Other surfaces keep their own answers.
    let (status, body) = app.get("/nothing-here").await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, Value::Null));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_throttles_count_every_surface_and_answer_429_in_medusa_shape() {
    let app = TestApp::builder()
        .env("STOREFRONT_THROTTLE_LOGIN_PER_IP", "3")
        .env("STOREFRONT_THROTTLE_WINDOW", "60")
        .spawn()
        .await;
    let m = Medusa::new(&app).await;
    let wrong = json!({ "email": "a@example.com", "password": "wrong password here" });
    // Two attempts over GraphQL, one over Medusa: the fourth is refused on Medusa.
    for _ in 0..2 {
        crate::account_support::login(&app, "a@example.com", "wrong password here").await;
    }
    assert_eq!(
        m.post("/auth/customer/emailpass", As::Nobody, wrong.clone())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let response = m
        .request(Method::POST, "/auth/customer/emailpass", As::Nobody)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "too_many_requests");
    assert_eq!(
        body["message"],
        format!("Too many attempts, try again in {retry} seconds")
    );
}
