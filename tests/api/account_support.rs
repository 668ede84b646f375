//! Shared steps of the account tests: register, sign in, read tokens.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A password that passes every rule.
pub const PASSWORD: &str = "correct horse battery staple";

pub const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { \
    token refreshToken expiresAt customer { id email firstName lastName fullName phone company \
    acceptsEmailMarketing createdAt } } }";
pub const LOGIN: &str = "mutation($email: String!, $password: String!) { \
    login(email: $email, password: $password) { token refreshToken expiresAt customer { id email } } }";
pub const REFRESH: &str = "mutation($t: String!) { refresh(refreshToken: $t) { token refreshToken \
    expiresAt customer { id } } }";
pub const LOGOUT: &str = "mutation($t: String) { logout(refreshToken: $t) }";
pub const ME: &str = "{ me { id email firstName lastName fullName } }";

/// Tokens of a signed-in session.
#[derive(Clone, Debug)]
pub struct Signed {
    pub token: String,
    pub refresh: String,
    pub customer_id: String,
}

impl Signed {
    pub fn from_payload(payload: &Value) -> Self {
        Self {
            token: payload["token"].as_str().expect("token").to_owned(),
            refresh: payload["refreshToken"]
                .as_str()
                .expect("refreshToken")
                .to_owned(),
            customer_id: payload["customer"]["id"]
                .as_str()
                .expect("customer id")
                .to_owned(),
        }
    }
}

/// Registers `email` with [`PASSWORD`] and returns the session.
pub async fn register(app: &TestApp, email: &str) -> Signed {
    let body = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": email, "password": PASSWORD, "firstName": "Ada", "lastName": "Lovelace" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "register failed: {body}");
    Signed::from_payload(&body["data"]["register"])
}

/// Runs `login` and returns the whole response.
pub async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.graphql(LOGIN, json!({ "email": email, "password": password }))
        .await
}

/// Signs in and returns the session.
pub async fn signed_in(app: &TestApp, email: &str, password: &str) -> Signed {
    let body = login(app, email, password).await;
    assert!(body["errors"].is_null(), "login failed: {body}");
    Signed::from_payload(&body["data"]["login"])
}

/// Runs `refresh` and returns the whole response.
pub async fn refresh(app: &TestApp, token: &str) -> Value {
    app.graphql(REFRESH, json!({ "t": token })).await
}

/// `me` as this token sees it (the whole response).
pub async fn me(app: &TestApp, token: &str) -> Value {
    app.graphql_as(Some(token), ME, Value::Null).await
}
