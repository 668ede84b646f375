//! The account lifecycle's secrets over GraphQL (verification, email change, data export,
//! gift card codes, wishlist share tokens, account deletion), run under the test binary's
//! debug-level capture (`logs::captured`): none of them, nor its SHA-256, appears in a log line,
//! an error answer or the `/metrics` text. Sign-in, refresh and reset are in `logs.rs`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::account_support::{PASSWORD, register};
use crate::lifecycle_support::{app_with_sink, no_errors, nth_mail, verification_token};
use crate::logs::{Exposure, captured, gift_card};
use crate::order_support::{Shop, Who, gql, ok, secret_key, shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_account_lifecycle_logs_and_echoes_no_secret() {
    captured();
    let (app, sink) = app_with_sink(&[]).await;
    let shop: Shop = shop(&app).await;
    let mut seen = Exposure::default();
    seen.password("the password", PASSWORD);
    let ada = register(&app, "lifecycle-secrets@example.com").await;
    seen.token("the JWT", &ada.token);
    seen.token("the refresh token", &ada.refresh);
    let me = Who::Customer(&ada.token);

    // Email verification: a forged token refused, the mailed one used.
    let verify = "mutation($t: String!) { verifyEmail(token: $t) }";
    let forged = "ab".repeat(32);
    seen.token("a forged token", &forged);
    let body = app.graphql(verify, json!({ "t": forged })).await;
    assert!(body["errors"].is_array(), "{body}");
    seen.refused(&body);
    let token = verification_token(&sink, "lifecycle-secrets@example.com", 1).await;
    seen.token("the verification token", &token);
    no_errors(&app.graphql(verify, json!({ "t": token })).await);

    // Email change: a wrong password refused, then the confirmation (and the cancel link).
    let change = "mutation($e: String!, $p: String!) { \
        requestEmailChange(newEmail: $e, currentPassword: $p) }";
    let wrong = "a wrong graphql password";
    seen.password("a wrong password", wrong);
    let body = gql(
        &app,
        me,
        change,
        json!({ "e": "moved@example.com", "p": wrong }),
    )
    .await;
    assert!(body["errors"].is_array(), "{body}");
    seen.refused(&body);
    let body = gql(
        &app,
        me,
        change,
        json!({ "e": "moved@example.com", "p": PASSWORD }),
    )
    .await;
    no_errors(&body);
    let confirm = nth_mail(&sink, "Confirm your new email", "moved@example.com", 1)
        .await
        .token();
    seen.token("the email change token", &confirm);
    let notice = nth_mail(
        &sink,
        "Your Storefront Demo email is about to change",
        "lifecycle-secrets@example.com",
        1,
    )
    .await
    .token();
    seen.token("the email change cancel token", &notice);
    let confirm_q = "mutation($t: String!) { confirmEmailChange(token: $t) }";
    let body = app.graphql(confirm_q, json!({ "t": forged })).await;
    assert!(body["errors"].is_array(), "{body}");
    seen.refused(&body);
    no_errors(&app.graphql(confirm_q, json!({ "t": confirm })).await);

    // Data export: the mailed token opens the page and downloads once.
    no_errors(&gql(&app, me, "mutation { requestDataExport }", Value::Null).await);
    let export = nth_mail(&sink, "Your data from", "moved@example.com", 1)
        .await
        .token();
    seen.token("the data export token", &export);
    for token in [&forged, &export] {
        let response = app
            .client
            .post(app.url("/account/data-export"))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        if token == &forged {
            assert!(status.is_client_error(), "{text}");
            seen.refused(&text);
        } else {
            assert_eq!(status, StatusCode::OK);
        }
    }

    // A gift card on the customer's cart (a wrong code first), with the secret key.
    let key = secret_key(&app).await;
    seen.token("the secret key", &key);
    let code = gift_card(&app, &key, &mut seen).await;
    let cart =
        crate::order_support::ready_cart(&app, me, &[(&shop.tee, 1)], "moved@example.com").await;
    let apply =
        "mutation($cart: ID!, $code: String!) { applyGiftCard(cartId: $cart, code: $code) { id } }";
    let wrong_code = "ABCD-EFGH-JKMN-PQRS";
    seen.code("a wrong gift card code", wrong_code);
    let body = gql(
        &app,
        me,
        apply,
        json!({ "cart": cart["id"], "code": wrong_code }),
    )
    .await;
    assert!(body["errors"].is_array(), "{body}");
    seen.refused(&body);
    ok(
        &app,
        me,
        apply,
        json!({ "cart": cart["id"], "code": code }),
        "applyGiftCard",
    )
    .await;

    // A shared wishlist read by its token, signed out; a forged one refused.
    let list =
        crate::wishlists::create(&app, &ada, json!({ "name": "Shared", "isPrivate": false })).await;
    let share = list["token"].as_str().unwrap().to_owned();
    seen.token("a wishlist share token", &share);
    let by_token = "query($t: String) { wishlist(token: $t) { id } }";
    no_errors(&app.graphql(by_token, json!({ "t": share })).await);
    let forged_share = format!("{}.{forged}", list["id"].as_str().unwrap());
    seen.token("a forged share token", &forged_share);
    seen.refused(&app.graphql(by_token, json!({ "t": forged_share })).await);

    // Deleting the account: a wrong password refused, then done.
    let delete = "mutation($p: String!) { deleteAccount(currentPassword: $p) }";
    let body = gql(&app, me, delete, json!({ "p": wrong })).await;
    assert!(body["errors"].is_array(), "{body}");
    seen.refused(&body);
    no_errors(&gql(&app, me, delete, json!({ "p": PASSWORD })).await);

    seen.assert_nothing_leaked(&app, "account deleted").await;
}
