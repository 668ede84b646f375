//! No password, token or token hash ever reaches a log line. The test binary installs one
//! global subscriber at `debug` (whatever `RUST_LOG` says, with the server's own quieting of
//! targets that print SQL parameters), capturing into a buffer searched for the secrets used.
//! The flows of the other surfaces and of the account lifecycle are in `logs_rest.rs` and
//! `logs_lifecycle.rs`, on the same capture.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::json;
use storefront::db::schema::identities;
use storefront::db_run;
use storefront::store::tokens;

use crate::account_support::{LOGIN, LOGOUT, PASSWORD, Signed, login, me, refresh, register};
use crate::helpers::TestApp;
use crate::order_support::{Who, gql, place, secret_key, shop};
use crate::smtp::SmtpSink;

#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The buffer every log line of this test binary goes to (installed on first use).
pub fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let buffer = Captured::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter(storefront::telemetry::filter("debug"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init()
            .expect("the only global subscriber of the test binary");
        buffer
    })
}

/// The secrets one test used, and the error answers it received.
#[derive(Default)]
pub struct Exposure {
    secrets: Vec<(String, String)>,
    error_bodies: Vec<String>,
}

impl Exposure {
    /// A password (its Argon2 hash is read from the database at the end).
    pub fn password(&mut self, what: &str, password: &str) {
        self.secrets.push((what.into(), password.into()));
    }

    /// A token and the SHA-256 hex the store keeps of tokens; a JWT's signature alone too.
    pub fn token(&mut self, what: &str, token: &str) {
        assert!(token.len() >= 16, "{what} is a real token: {token}");
        self.secrets.push((what.into(), token.into()));
        self.secrets
            .push((format!("{what} (SHA-256)"), tokens::hash(token)));
        if token.starts_with("eyJ") {
            let signature = token.rsplit('.').next().unwrap();
            self.secrets
                .push((format!("{what} (signature)"), signature.into()));
        }
    }

    /// A gift card code as typed, as stored (normalised) and hashed.
    pub fn code(&mut self, what: &str, code: &str) {
        self.token(what, code);
        let normal = storefront::store::balances::gift_cards::normalise(code).unwrap();
        self.secrets
            .push((format!("{what} (normalised)"), normal.clone()));
        self.secrets
            .push((format!("{what} (SHA-256)"), tokens::hash(&normal)));
    }

    /// An answer that refused a secret: kept to be searched.
    pub fn refused(&mut self, body: impl ToString) {
        self.error_bodies.push(body.to_string());
    }

    /// Searches the logs, every refusal and the metrics for every secret (and every stored
    /// password hash of the database); `marker` is a line this test's server surely logged.
    pub async fn assert_nothing_leaked(mut self, app: &TestApp, marker: &str) {
        for hash in password_hashes(app).await {
            self.secrets.push(("a stored password hash".into(), hash));
        }
        let metrics = app
            .request(Method::GET, "/metrics")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(metrics.contains("storefront_http_requests_total"));
        // Lines are written as their request ends: wait for the marker rather than a time.
        let mut logs = String::new();
        for _ in 0..100 {
            logs = String::from_utf8_lossy(&captured().0.lock().unwrap()).into_owned();
            if logs.contains(marker) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(logs.contains(marker), "no server log captured ({marker})");
        for (what, secret) in &self.secrets {
            assert!(
                !logs.contains(secret.as_str()),
                "{what} appeared in the logs"
            );
            assert!(
                !metrics.contains(secret.as_str()),
                "{what} appeared in /metrics"
            );
            for body in &self.error_bodies {
                assert!(
                    !body.contains(secret.as_str()),
                    "{what} was echoed in an error answer: {body}"
                );
            }
        }
    }
}

async fn password_hashes(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.db().conn().await.unwrap();
    db_run!(conn, |c| identities::table
        .select(identities::password_hash)
        .load::<String>(c)
        .await)
    .unwrap()
}

/// A gift card issued with the secret key, its code recorded.
pub async fn gift_card(app: &TestApp, key: &str, seen: &mut Exposure) -> String {
    let (_, code) = crate::gift_cards::issue(app, key, 500).await;
    seen.code("a gift card code", &code);
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_token_or_hash_is_ever_logged() {
    let logs = captured();
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let mut secrets: Vec<String> = vec![PASSWORD.into()];

    let first = register(&app, "secret@example.com").await;
    let wrong = "a wrong password for logs";
    secrets.push(wrong.into());
    login(&app, "secret@example.com", wrong).await;
    let body = login(&app, "secret@example.com", PASSWORD).await;
    let second = Signed::from_payload(&body["data"]["login"]);
    let body = refresh(&app, &second.refresh).await;
    let third = Signed::from_payload(&body["data"]["refresh"]);
    me(&app, &third.token).await;
    me(&app, "a-forged-token-for-logs").await;
    app.graphql_as(Some(&third.token), LOGOUT, json!({ "t": third.refresh }))
        .await;

    app.graphql(
        "mutation($e: String!) { requestPasswordReset(email: $e) }",
        json!({ "e": "secret@example.com" }),
    )
    .await;
    let reset_token = sink.resets(1).await[0].token();
    let new_password = "the new password for logs";
    let body = app
        .graphql(
            "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p, \
             passwordConfirmation: $p) { token refreshToken } }",
            json!({ "t": reset_token, "p": new_password }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let fourth = Signed {
        token: body["data"]["resetPassword"]["token"]
            .as_str()
            .unwrap()
            .into(),
        refresh: body["data"]["resetPassword"]["refreshToken"]
            .as_str()
            .unwrap()
            .into(),
        customer_id: String::new(),
    };
    app.graphql_as(
        Some(&fourth.token),
        "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }",
        json!({ "c": new_password, "n": "yet another password for logs" }),
    )
    .await;
    secrets.extend([new_password.into(), "yet another password for logs".into()]);

    let mut conn = app.state.db().conn().await.unwrap();
    let hash: String = db_run!(conn, |c| identities::table
        .select(identities::password_hash)
        .first(c)
        .await)
    .unwrap();
    drop(conn);
    secrets.push(hash);
    for s in [&first, &second, &third, &fourth] {
        secrets.extend([
            s.token.clone(),
            s.refresh.clone(),
            storefront::store::tokens::hash(&s.refresh),
        ]);
        // The signature alone is secret enough to look for.
        secrets.push(s.token.rsplit('.').next().unwrap().to_owned());
    }
    secrets.extend([
        reset_token.clone(),
        storefront::store::tokens::hash(&reset_token),
    ]);

    // A guest's cart token and an integrator's secret key, used for a whole checkout.
    let shop = shop(&app).await;
    let order = place(
        &app,
        Who::Anonymous,
        &[(&shop.mug, 1)],
        "secret@example.com",
    )
    .await;
    let order_token = order["token"].as_str().unwrap().to_owned();
    let key = secret_key(&app).await;
    let paid = json!({ "id": order["id"] });
    let query = "mutation($id: ID!) { markOrderPaid(id: $id) { id } }";
    let body = gql(&app, Who::IntegratorBearer(&key), query, paid).await;
    assert!(body["errors"].is_null(), "{body}");
    let login =
        json!({ "email": "secret@example.com", "password": "yet another password for logs" });
    gql(&app, Who::Guest(&order_token), LOGIN, login).await;
    secrets.extend([
        storefront::store::tokens::hash(&order_token),
        order_token,
        storefront::store::tokens::hash(&key),
        key,
    ]);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    // The capture works: the server's own lines are there.
    assert!(text.contains("signed in"), "no server log captured");
    assert!(text.contains("password reset requested"));
    assert!(text.contains("guest cart and orders joined the account"));
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret appeared in the logs: {}…",
            &secret[..6]
        );
    }
}
