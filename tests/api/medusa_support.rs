//! Shared steps of the Medusa tests: a client that sends the publishable key and a bearer
//! token or cookie, and a normaliser for volatile ids, times and tokens in whole bodies.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use storefront::store::api_keys::{self, KeyKind};

use crate::account_support::PASSWORD;
use crate::helpers::TestApp;

/// A Medusa client of one test server: its publishable key and, when signed in, a token.
pub struct Medusa<'a> {
    pub app: &'a TestApp,
    pub key: String,
}

/// What a request presents.
#[derive(Clone, Copy)]
pub enum As<'a> {
    Nobody,
    Bearer(&'a str),
    Cookie(&'a str),
}

impl<'a> Medusa<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        let (_, key) = api_keys::create(&app.state.store, KeyKind::Publishable, "storefront")
            .await
            .expect("publishable key");
        Self {
            app,
            key: key.expose().clone(),
        }
    }

    /// A request with the publishable key and the caller's credential.
    pub fn request(&self, method: Method, path: &str, who: As<'_>) -> RequestBuilder {
        let request = self
            .app
            .request(method, path)
            .header("x-publishable-api-key", &self.key);
        match who {
            As::Nobody => request,
            As::Bearer(token) => request.bearer_auth(token),
            As::Cookie(cookie) => request.header("cookie", format!("connect.sid={cookie}")),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: As<'_>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path, who);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.app.send(request).await
    }

    pub async fn get(&self, path: &str, who: As<'_>) -> (StatusCode, Value) {
        self.call(Method::GET, path, who, None).await
    }

    pub async fn post(&self, path: &str, who: As<'_>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, who, Some(body)).await
    }

    pub async fn delete(&self, path: &str, who: As<'_>) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, who, None).await
    }

    /// Registers an identity; the registration token.
    pub async fn register_identity(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/auth/customer/emailpass/register",
                As::Nobody,
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Logs in; the token.
    pub async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/auth/customer/emailpass",
                As::Nobody,
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// The canonical v2 sign-up: identity, customer, login. The customer id and a token.
    pub async fn sign_up(&self, email: &str, first_name: &str) -> (String, String) {
        let registration = self.register_identity(email).await;
        let (status, body) = self
            .post(
                "/store/customers",
                As::Bearer(&registration),
                json!({ "email": email, "first_name": first_name }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id = body["customer"]["id"].as_str().expect("id").to_owned();
        (id, self.login(email).await)
    }
}

/// The body with ids (`cus_01…` → `cus_*`), ISO times (`<time>`) and JWTs (`<jwt>`) replaced,
/// so whole bodies can be compared.
pub fn normalised(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalised(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalised).collect()),
        Value::String(s) => Value::String(normal_text(s)),
        other => other.clone(),
    }
}

fn normal_text(s: &str) -> String {
    if let Some((prefix, rest)) = s.split_once('_')
        && rest.len() == 26
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
        && !prefix.is_empty()
    {
        return format!("{prefix}_*");
    }
    if s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T' {
        return "<time>".into();
    }
    if s.starts_with("eyJ") && s.matches('.').count() == 2 {
        return "<jwt>".into();
    }
    s.to_owned()
}

/// The claims of a JWT, unverified (the tests read what the client could read).
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The `connect.sid` value a response set, if any.
pub fn session_cookie(response: &reqwest::Response) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("connect.sid="))
        .map(|v| {
            let value = v["connect.sid=".len()..]
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned();
            (value, v.to_owned())
        })
}
