//! Shared steps of the Spree Store API tests: a client with a publishable key, callers, and
//! the normalisation that makes whole bodies comparable (ids, tokens, numbers, times).

use std::collections::HashMap;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use storefront::store::api_keys::{self, KeyKind};

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

/// Who sends a request (always with the publishable key, unless `NoKey`).
#[derive(Clone, Copy, Debug)]
pub enum As<'a> {
    Anonymous,
    /// `Authorization: Bearer <jwt>`.
    Customer(&'a str),
    /// `x-spree-token: <token>`.
    Guest(&'a str),
    /// Both.
    CustomerWithToken(&'a str, &'a str),
    /// No `x-spree-api-key` at all.
    NoKey,
    /// An unknown key.
    BadKey,
}

/// A response: status, headers and the JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The error envelope's code, checking the envelope's shape on the way.
    pub fn code(&self) -> &str {
        assert!(
            self.body["error"]["message"].is_string(),
            "not an error envelope ({}): {}",
            self.status,
            self.text
        );
        self.body["error"]["code"].as_str().unwrap()
    }
}

/// A Spree client of one test server.
pub struct Spree<'a> {
    pub app: &'a TestApp,
    pub key: String,
}

impl<'a> Spree<'a> {
    pub async fn new(app: &'a TestApp) -> Self {
        let (_, key) = api_keys::create(&app.state.store, KeyKind::Publishable, "Spree tests")
            .await
            .expect("publishable key");
        Self {
            app,
            key: key.expose().clone(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: As<'_>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .app
            .request(method, &format!("/api/v3/store{path}"))
            .header("content-type", "application/json");
        request = match who {
            As::NoKey => request,
            As::BadKey => request.header("x-spree-api-key", "pk_unknown"),
            _ => request.header("x-spree-api-key", &self.key),
        };
        request = match who {
            As::Customer(jwt) => request.bearer_auth(jwt),
            As::Guest(token) => request.header("x-spree-token", token),
            As::CustomerWithToken(jwt, token) => {
                request.bearer_auth(jwt).header("x-spree-token", token)
            }
            _ => request,
        };
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    pub async fn get(&self, path: &str, who: As<'_>) -> Reply {
        self.call(Method::GET, path, who, None).await
    }

    pub async fn post(&self, path: &str, who: As<'_>, body: Value) -> Reply {
        self.call(Method::POST, path, who, Some(body)).await
    }

    pub async fn patch(&self, path: &str, who: As<'_>, body: Value) -> Reply {
        self.call(Method::PATCH, path, who, Some(body)).await
    }

    pub async fn delete(&self, path: &str, who: As<'_>) -> Reply {
        self.call(Method::DELETE, path, who, None).await
    }

    /// Registers `email` and returns its session.
    pub async fn register(&self, email: &str) -> Signed {
        let r = self
            .post(
                "/customers",
                As::Anonymous,
                json!({ "email": email, "password": PASSWORD, "password_confirmation": PASSWORD,
                        "first_name": "Ada", "last_name": "Lovelace" }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        Signed::of(&r.body)
    }
}

/// A signed-in session: its access token.
#[derive(Clone, Debug)]
pub struct Signed {
    pub token: String,
}

impl Signed {
    pub fn of(body: &Value) -> Self {
        Self {
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }
}

/// A body with volatile values replaced: each distinct id becomes `<prefix_N>` (numbered in
/// order of appearance, so equal ids stay equal), JWTs `<jwt>`, tokens `<token>`, order
/// numbers `<number>`, timestamps `<time>`.
pub fn normalized(value: &Value) -> Value {
    let mut ids = HashMap::new();
    walk(value, None, &mut ids)
}

fn walk(value: &Value, key: Option<&str>, ids: &mut HashMap<String, String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), walk(v, Some(k), ids)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, key, ids)).collect()),
        Value::String(s) => Value::String(replace(s, key, ids)),
        other => other.clone(),
    }
}

fn replace(s: &str, key: Option<&str>, ids: &mut HashMap<String, String>) -> String {
    if s.starts_with("eyJ") {
        return "<jwt>".into();
    }
    if matches!(key, Some("refresh_token" | "token")) {
        return "<token>".into();
    }
    if key == Some("number") && s.starts_with('R') {
        return "<number>".into();
    }
    if s.len() >= 20 && s.as_bytes()[4] == b'-' && s.ends_with('Z') && s.contains('T') {
        return "<time>".into();
    }
    if let Some((prefix, rest)) = s.split_once('_')
        && rest.len() == 26
        && ulid::Ulid::from_string(rest).is_ok()
    {
        // One numbering per id body: a cart and its order (`cart_X`, `or_X`) stay related.
        let n = ids.len() + 1;
        let number = ids.entry(rest.to_owned()).or_insert_with(|| n.to_string());
        return format!("<{prefix}_{number}>");
    }
    s.to_owned()
}

/// The newest reset token the server mailed (development writes mail to files).
pub async fn reset_token(app: &TestApp) -> String {
    let dir = app.state.config.data_dir.join("mail");
    for _ in 0..50 {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            // Other mail (order confirmations, password notices) shares the folder.
            let resets: Vec<String> = files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .filter(|raw| raw.contains("Subject: Reset your"))
                .collect();
            if let Some(raw) = resets.last() {
                let text = raw.replace("=\r\n", "").replace("=3D", "=");
                if let Some(at) = text.find("token=") {
                    let token: String = text[at + 6..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    return token;
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no reset mail in {}", dir.display());
}
