//! Verified email change: nothing changes until the new address confirms; the old address is
//! told and can cancel; links expire; the email stays unique; and no answer tells whether the
//! new address belongs to another account.

use serde_json::{Value, json};

use crate::account_support::{PASSWORD, login, register, signed_in};
use crate::helpers::{TestApp, error_code};
use crate::lifecycle_support::{app_with_sink, mails_to, no_errors, nth_mail};
use crate::spree_support::{As, Spree};

const REQUEST: &str = "mutation($e: String!, $p: String!) { \
    requestEmailChange(newEmail: $e, currentPassword: $p) }";
const CONFIRM: &str = "mutation($t: String!) { confirmEmailChange(token: $t) }";
const CANCEL: &str = "mutation($t: String!) { cancelEmailChange(token: $t) }";
const STATE: &str = "{ me { email emailVerified pendingEmail } }";

async fn state(app: &TestApp, token: &str) -> Value {
    app.graphql_as(Some(token), STATE, Value::Null).await["data"]["me"].clone()
}

async fn request(app: &TestApp, token: &str, email: &str, password: &str) -> Value {
    app.graphql_as(Some(token), REQUEST, json!({ "e": email, "p": password }))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmed_change_moves_the_email_and_the_login() {
    let (app, sink) = app_with_sink(&[]).await;
    let ada = register(&app, "ada@example.com").await;

    let body = request(&app, &ada.token, "wrong password", "x").await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "not an email: {body}");
    let body = request(&app, &ada.token, "ada.new@example.com", "not the password").await;
    assert_eq!(error_code(&body), "INVALID_CREDENTIALS");
    let body = request(&app, &ada.token, "Ada.New@Example.com", PASSWORD).await;
    no_errors(&body);
    assert_eq!(
        state(&app, &ada.token).await,
        json!({ "email": "ada@example.com", "emailVerified": false,
                "pendingEmail": "ada.new@example.com" })
    );

    // The new address gets the confirmation, the old one a notice with the way to cancel.
    let confirm = nth_mail(&sink, "Confirm your new email", "ada.new@example.com", 1).await;
    assert!(
        confirm
            .text()
            .contains("http://127.0.0.1:8080/confirm-email-change?token="),
        "{}",
        confirm.text()
    );
    let notice = nth_mail(
        &sink,
        "Your Storefront Demo email is about to change",
        "ada@example.com",
        1,
    )
    .await;
    assert!(notice.text().contains("ada.new@example.com"));
    assert!(notice.text().contains("/cancel-email-change?token="));
    // The login is still the old email until the change is confirmed.
    signed_in(&app, "ada@example.com", PASSWORD).await;

    let body = app.graphql(CONFIRM, json!({ "t": confirm.token() })).await;
    assert_eq!(body, json!({ "data": { "confirmEmailChange": true } }));
    assert_eq!(
        state(&app, &ada.token).await,
        json!({ "email": "ada.new@example.com", "emailVerified": true, "pendingEmail": null })
    );
    assert_eq!(
        error_code(&login(&app, "ada@example.com", PASSWORD).await),
        "INVALID_CREDENTIALS"
    );
    signed_in(&app, "ada.new@example.com", PASSWORD).await;
    // Single use; and the old address's cancel link died with the confirmation.
    let body = app.graphql(CONFIRM, json!({ "t": confirm.token() })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    let body = app.graphql(CANCEL, json!({ "t": notice.token() })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    // The old email is free for someone else.
    register(&app, "ada@example.com").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_address_cancels_and_links_expire() {
    let (app, sink) = app_with_sink(&[("STOREFRONT_EMAIL_VERIFICATION_TTL", "2")]).await;
    let ada = register(&app, "ada@example.com").await;
    no_errors(&request(&app, &ada.token, "thief@example.com", PASSWORD).await);
    let confirm = nth_mail(&sink, "Confirm your new email", "thief@example.com", 1).await;
    let notice = nth_mail(&sink, "Your Storefront Demo email", "ada@example.com", 1).await;
    let body = app.graphql(CANCEL, json!({ "t": notice.token() })).await;
    assert_eq!(body, json!({ "data": { "cancelEmailChange": true } }));
    let body = app.graphql(CONFIRM, json!({ "t": confirm.token() })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    assert_eq!(
        state(&app, &ada.token).await,
        json!({ "email": "ada@example.com", "emailVerified": false, "pendingEmail": null })
    );

    // A newer request voids an older one; an unused link expires.
    no_errors(&request(&app, &ada.token, "one@example.com", PASSWORD).await);
    no_errors(&request(&app, &ada.token, "two@example.com", PASSWORD).await);
    let one = nth_mail(&sink, "Confirm your new email", "one@example.com", 1).await;
    let two = nth_mail(&sink, "Confirm your new email", "two@example.com", 1).await;
    let body = app.graphql(CONFIRM, json!({ "t": one.token() })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let body = app.graphql(CONFIRM, json!({ "t": two.token() })).await;
    assert_eq!(error_code(&body), "INVALID_TOKEN");
    assert_eq!(state(&app, &ada.token).await["email"], "ada@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_address_is_not_revealed_and_stays_unique() {
    let (app, sink) = app_with_sink(&[]).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let free = request(&app, &ada.token, "free@example.com", PASSWORD).await;
    let taken = request(&app, &bob.token, "ada@example.com", PASSWORD).await;
    assert_eq!(free, taken);
    assert_eq!(
        free,
        json!({ "data": { "requestEmailChange":
            "A link to confirm the change is on its way to the new address; the email changes when it is opened." } })
    );
    // Spree's profile update answers 200 with the customer as they are, taken or not.
    let spree = Spree::new(&app).await;
    for email in ["free2@example.com", "bob@example.com"] {
        let r = spree
            .patch(
                "/customers/me",
                As::Customer(&ada.token),
                json!({ "email": email, "current_password": PASSWORD }),
            )
            .await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["email"], "ada@example.com");
    }

    // Confirming a taken address fails, and nothing moves.
    let link = nth_mail(&sink, "Confirm your new email", "ada@example.com", 1).await;
    let body = app.graphql(CONFIRM, json!({ "t": link.token() })).await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!(state(&app, &bob.token).await["email"], "bob@example.com");
    signed_in(&app, "ada@example.com", PASSWORD).await;
    signed_in(&app, "bob@example.com", PASSWORD).await;
    assert_eq!(
        mails_to(&sink, "Confirm your new email", "free@example.com"),
        1
    );
}
