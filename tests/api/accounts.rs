//! Registration, profile, password change and the `me` field over GraphQL.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use storefront::db::schema::{customers, events, identities};
use storefront::db_run;

use crate::account_support::{LOGIN, ME, PASSWORD, REGISTER, login, me, register, signed_in};
use crate::helpers::{TestApp, error_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_signs_in_and_me_answers() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            REGISTER,
            json!({ "input": {
                "email": "  Ada@Example.COM ", "password": PASSWORD, "firstName": " Ada ",
                "lastName": "Lovelace", "phone": "+44 20 7946 0000", "acceptsEmailMarketing": true,
            } }),
        )
        .await;
    let payload = &body["data"]["register"];
    let customer = &payload["customer"];
    assert!(customer["id"].as_str().unwrap().starts_with("cus_"));
    assert_eq!(
        customer,
        &json!({
            "id": customer["id"], "email": "ada@example.com", "firstName": "Ada",
            "lastName": "Lovelace", "fullName": "Ada Lovelace", "phone": "+44 20 7946 0000",
            "company": null, "acceptsEmailMarketing": true, "createdAt": customer["createdAt"],
        })
    );
    assert_eq!(payload["refreshToken"].as_str().unwrap().len(), 64);
    let expires: chrono::DateTime<chrono::Utc> =
        payload["expiresAt"].as_str().unwrap().parse().unwrap();
    let ttl = expires - chrono::Utc::now();
    assert!(ttl > chrono::Duration::seconds(3500) && ttl <= chrono::Duration::seconds(3600));

    let token = payload["token"].as_str().unwrap();
    let body = me(&app, token).await;
    assert_eq!(
        body,
        json!({ "data": { "me": { "id": customer["id"], "email": "ada@example.com",
            "firstName": "Ada", "lastName": "Lovelace", "fullName": "Ada Lovelace" } } })
    );

    // One customer, one identity holding an Argon2id hash, one event, in the same transaction.
    let mut conn = app.state.db().conn().await.unwrap();
    let hash: String = db_run!(conn, |c| identities::table
        .select(identities::password_hash)
        .first(c)
        .await)
    .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    let kinds: Vec<String> = db_run!(conn, |c| events::table
        .select(events::event_type)
        .load(c)
        .await)
    .unwrap();
    assert_eq!(kinds, vec!["customer.created"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_unique_case_insensitively() {
    let app = TestApp::spawn().await;
    register(&app, "grace@example.com").await;
    let body = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": " GRACE@example.com", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "email");
    assert_eq!(body["data"], Value::Null);
    let mut conn = app.state.db().conn().await.unwrap();
    let n: i64 = db_run!(conn, |c| customers::table.count().get_result(c).await).unwrap();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_every_field() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": "not-an-email", "password": "short" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"],
        json!([
            { "field": "email", "message": "is not a valid email address" },
            { "field": "password", "message": "must be at least 8 characters" },
        ])
    );
    for (password, message) in [
        (
            "password1",
            "is too common: choose one that is harder to guess",
        ),
        (
            "Qwertyuiop",
            "is too common: choose one that is harder to guess",
        ),
        (&*"x".repeat(129), "must be at most 128 characters"),
    ] {
        let body = app
            .graphql(
                REGISTER,
                json!({ "input": { "email": "a@example.com", "password": password } }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert_eq!(
            body["errors"][0]["extensions"]["fields"],
            json!([{ "field": "password", "message": message }])
        );
    }
    // 128 characters (multi-byte) and no composition rules: accepted.
    register(&app, "long@example.com").await;
    let body = app
        .graphql(
            REGISTER,
            json!({ "input": { "email": "b@example.com", "password": "é".repeat(128) } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_is_null_without_a_token_and_an_error_with_a_bad_one() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.graphql(ME, Value::Null).await,
        json!({ "data": { "me": null } })
    );
    let body = app.graphql_as(Some("garbage"), ME, Value::Null).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let update = "mutation { updateMe(input: { firstName: \"X\" }) { id } }";
    let body = app.graphql(update, Value::Null).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let change =
        "mutation { changePassword(currentPassword: \"a\", newPassword: \"b\") { token } }";
    let body = app.graphql(change, Value::Null).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_email_answer_alike() {
    let app = TestApp::spawn().await;
    register(&app, "known@example.com").await;
    let wrong = login(&app, "known@example.com", "not the password").await;
    let unknown = login(&app, "nobody@example.com", "not the password").await;
    assert_eq!(wrong, unknown);
    assert_eq!(error_code(&wrong), "INVALID_CREDENTIALS");
    assert_eq!(
        wrong,
        json!({ "data": null, "errors": [{ "message": "invalid email or password",
            "locations": [{ "line": 1, "column": 49 }], "path": ["login"],
            "extensions": { "code": "INVALID_CREDENTIALS" } }] })
    );
    // The email is matched case-insensitively.
    let body = app
        .graphql(
            LOGIN,
            json!({ "email": " KNOWN@example.com ", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        body["data"]["login"]["customer"]["email"],
        "known@example.com"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_me_changes_the_profile_and_email_needs_the_password() {
    let app = TestApp::spawn().await;
    let s = register(&app, "lin@example.com").await;
    let update = "mutation($input: UpdateCustomerInput!) { updateMe(input: $input) { \
        email firstName lastName fullName phone company acceptsEmailMarketing } }";
    let body = app
        .graphql_as(
            Some(&s.token),
            update,
            json!({ "input": { "firstName": "Lin", "lastName": "", "company": "Acme", "acceptsEmailMarketing": true } }),
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": { "updateMe": { "email": "lin@example.com", "firstName": "Lin",
            "lastName": null, "fullName": "Lin", "phone": null, "company": "Acme",
            "acceptsEmailMarketing": true } } })
    );

    let body = app
        .graphql_as(
            Some(&s.token),
            update,
            json!({ "input": { "email": "new@example.com" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["field"],
        "currentPassword"
    );
    let body = app
        .graphql_as(
            Some(&s.token),
            update,
            json!({ "input": { "email": "new@example.com", "currentPassword": "wrong password" } }),
        )
        .await;
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");

    // With the password, a new email waits for confirmation from the new address (see
    // email_change.rs); whether another account has it is not told.
    register(&app, "taken@example.com").await;
    let pending = "{ me { email pendingEmail } }";
    for (asked, expected) in [
        ("Taken@example.com", "taken@example.com"),
        (" New@Example.com", "new@example.com"),
    ] {
        let body = app
            .graphql_as(
                Some(&s.token),
                update,
                json!({ "input": { "email": asked, "currentPassword": PASSWORD } }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["updateMe"]["email"], "lin@example.com");
        let body = app.graphql_as(Some(&s.token), pending, Value::Null).await;
        assert_eq!(
            body["data"]["me"],
            json!({ "email": "lin@example.com", "pendingEmail": expected })
        );
    }
    // The login stays with the old email until then.
    signed_in(&app, "lin@example.com", PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_password_ends_every_session_and_signs_in_afresh() {
    let app = TestApp::spawn().await;
    let first = register(&app, "kim@example.com").await;
    let second = signed_in(&app, "kim@example.com", PASSWORD).await;
    let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, \
        newPassword: $n) { token refreshToken customer { email } } }";
    let body = app
        .graphql_as(
            Some(&first.token),
            change,
            json!({ "c": "wrong password", "n": "a brand new secret" }),
        )
        .await;
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    let body = app
        .graphql_as(
            Some(&first.token),
            change,
            json!({ "c": PASSWORD, "n": "12345678" }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["field"],
        "newPassword"
    );

    let body = app
        .graphql_as(
            Some(&first.token),
            change,
            json!({ "c": PASSWORD, "n": "a brand new secret" }),
        )
        .await;
    let fresh = body["data"]["changePassword"]["token"].as_str().unwrap();
    assert_eq!(
        me(&app, fresh).await["data"]["me"]["email"],
        "kim@example.com"
    );
    for old in [&first, &second] {
        assert_eq!(error_code(&me(&app, &old.token).await), "UNAUTHENTICATED");
        assert_eq!(
            error_code(&crate::account_support::refresh(&app, &old.refresh).await),
            "INVALID_TOKEN"
        );
    }
    assert_eq!(
        error_code(&login(&app, "kim@example.com", PASSWORD).await),
        "INVALID_CREDENTIALS"
    );
    signed_in(&app, "kim@example.com", "a brand new secret").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caller_is_resolved_once_per_request() {
    let app = TestApp::spawn().await;
    let s = register(&app, "once@example.com").await;
    let before = app.statements();
    let body = app
        .graphql_as(
            Some(&s.token),
            "{ a: me { id } b: me { email } }",
            Value::Null,
        )
        .await;
    assert_eq!(body["data"]["b"]["email"], "once@example.com");
    // One session check for the request, then one customer read per field.
    assert_eq!(app.statements() - before, 3);
}
