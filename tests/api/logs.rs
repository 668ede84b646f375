//! No password, token or token hash ever reaches a log line. The test binary installs one
//! global subscriber at `debug` (whatever `RUST_LOG` says, with the server's own quieting of
//! targets that print SQL parameters), capturing into a buffer searched for the secrets used.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;
use storefront::db::schema::identities;
use storefront::db_run;

use crate::account_support::{LOGIN, LOGOUT, PASSWORD, Signed, login, me, refresh, register};
use crate::helpers::TestApp;
use crate::order_support::{Who, gql, place, secret_key, shop};
use crate::smtp::SmtpSink;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

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
fn captured() -> &'static Captured {
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
