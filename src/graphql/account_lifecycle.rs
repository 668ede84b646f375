//! The account lifecycle over GraphQL: email verification, verified email change, data export
//! and account deletion (the rules are in `store::email_verification`, `store::email_change`
//! and `store::account_data`).

use async_graphql::{Context, Object, Result};

use super::ToGraphql;
use super::session;
use crate::error::Secret;
use crate::store::account_data::{erase, export};
use crate::store::{Store, email_change, email_verification};

fn store<'a>(ctx: &'a Context<'_>) -> Result<&'a Store> {
    ctx.data::<Store>()
}

#[derive(Default)]
pub struct AccountLifecycleMutation;

#[Object]
impl AccountLifecycleMutation {
    /// Verifies the email with the token from the verification mail (single use). True when
    /// verified; `INVALID_TOKEN` when the link is unknown, used, expired, or the account's
    /// email changed since.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> Result<bool> {
        email_verification::verify(store(ctx)?, &token)
            .await
            .gql()
            .map(|_| true)
    }

    /// Mails a new verification link to the account with this email, if it is not verified
    /// yet. The answer is the same whether or not anything was sent.
    async fn resend_verification_email(&self, ctx: &Context<'_>, email: String) -> Result<String> {
        email_verification::resend(store(ctx)?, &email, &session::auth(ctx).client)
            .await
            .gql()
            .map(str::to_owned)
    }

    /// Asks to move the signed-in customer to a new email (the current password is required).
    /// Nothing changes until the link mailed to the new address is opened; the old address gets
    /// a notice with a link that cancels. The answer does not say whether the new address is
    /// taken.
    async fn request_email_change(
        &self,
        ctx: &Context<'_>,
        new_email: String,
        #[graphql(secret)] current_password: String,
    ) -> Result<String> {
        let store = store(ctx)?;
        let auth = session::auth(ctx);
        let principal = auth.require(store).await.gql()?;
        email_change::request(
            store,
            &principal,
            &new_email,
            Secret::new(current_password),
            &auth.client,
        )
        .await
        .gql()
        .map(str::to_owned)
    }

    /// Confirms an email change with the token mailed to the new address: the email and the
    /// login move to it, verified. `CONFLICT` when another account took the address meanwhile.
    async fn confirm_email_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> Result<bool> {
        email_change::confirm(store(ctx)?, &token)
            .await
            .gql()
            .map(|_| true)
    }

    /// Cancels a pending email change with the token mailed to the old address.
    async fn cancel_email_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> Result<bool> {
        email_change::cancel(store(ctx)?, &token).await.gql()
    }

    /// Mails the signed-in customer a single-use link to download everything the shop holds
    /// about them, as JSON.
    async fn request_data_export(&self, ctx: &Context<'_>) -> Result<String> {
        let store = store(ctx)?;
        let auth = session::auth(ctx);
        let principal = auth.require(store).await.gql()?;
        export::request(store, &principal, &auth.client)
            .await
            .gql()
            .map(str::to_owned)
    }

    /// Deletes the signed-in customer's account (the current password is required): every
    /// session ends, personal data is erased, placed orders stay anonymised for the shop's
    /// books, and the email is free to register again.
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] current_password: String,
    ) -> Result<bool> {
        let store = store(ctx)?;
        let auth = session::auth(ctx);
        let principal = auth.require(store).await.gql()?;
        erase::delete_account(
            store,
            &principal,
            &Secret::new(current_password),
            &auth.client,
        )
        .await
        .gql()
        .map(|_| true)
    }
}
