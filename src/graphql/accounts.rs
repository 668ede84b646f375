//! Accounts over GraphQL: `me`, and the mutations register, login, refresh, logout,
//! requestPasswordReset, resetPassword, changePassword and updateMe (DESIGN.md section 6), and
//! the customer's address book fields (`addresses.rs` has the `Address` type).

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::ToGraphql;
use super::addresses::Address;
use super::loaders::{Loaders, OrdersKey};
use super::orders::{Cart, OrderConnection, OrderFilter};
use super::session;
use crate::error::Secret;
use crate::store::orders::cart as carts;
use crate::store::orders::history::{OrderQuery, OrderSort};
use crate::store::pagination::Page;
use crate::store::{Store, accounts, addresses, password_reset, sessions};

/// A customer with an account.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Customer {
    id: ID,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    /// Whether the customer agreed to marketing mail.
    accepts_email_marketing: bool,
    /// Whether the email was proven the customer's (the verification link, a confirmed email
    /// change, or a password reset).
    email_verified: bool,
    created_at: DateTime<Utc>,
    #[graphql(skip)]
    full_name: Option<String>,
}

#[ComplexObject]
impl Customer {
    /// First and last name joined; null when both are empty.
    async fn full_name(&self) -> Option<&str> {
        self.full_name.as_deref()
    }

    /// The address book, oldest first.
    async fn addresses(&self, ctx: &Context<'_>) -> Result<Vec<Address>> {
        Ok(self
            .address_book(ctx)
            .await?
            .into_iter()
            .map(Address)
            .collect())
    }

    /// The address used for shipping unless the customer picks another.
    async fn default_shipping_address(&self, ctx: &Context<'_>) -> Result<Option<Address>> {
        let book = self.address_book(ctx).await?;
        Ok(book
            .into_iter()
            .find(|a| a.is_default_shipping)
            .map(Address))
    }

    /// The customer's open cart, the one changed last; null when there is none.
    async fn cart(&self, ctx: &Context<'_>) -> Result<Option<Cart>> {
        let cart = carts::current(store(ctx)?, &self.id).await.gql()?;
        Ok(cart.map(|order| Cart { order, token: None }))
    }

    /// The customer's placed orders, newest first (at most 100 per page).
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<OrderFilter>,
    ) -> Result<OrderConnection> {
        let query = OrderQuery {
            first: first.map(i64::from),
            after,
            offset: 0,
            filter: filter.unwrap_or_default().into(),
            sort: OrderSort::Newest,
        };
        let key = OrdersKey {
            customer_id: self.id.to_string(),
            query: query.clone(),
        };
        let page = Loaders::of(ctx)?.orders.load_one(key).await?;
        Ok(OrderConnection {
            page: page.unwrap_or_else(Page::empty),
            customer_id: self.id.to_string(),
            filter: query.filter,
        })
    }

    /// The new email of a change waiting for confirmation from that address; null when none.
    async fn pending_email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        crate::store::email_change::pending(store(ctx)?, &self.id)
            .await
            .gql()
    }

    /// The address used for billing unless the customer picks another.
    async fn default_billing_address(&self, ctx: &Context<'_>) -> Result<Option<Address>> {
        let book = self.address_book(ctx).await?;
        Ok(book.into_iter().find(|a| a.is_default_billing).map(Address))
    }

    /// The customer's wishlists, oldest first (see `wishlists.rs`).
    async fn wishlists(&self, ctx: &Context<'_>) -> Result<Vec<super::wishlists::Wishlist>> {
        super::wishlists::of_customer(ctx, &self.id).await
    }

    /// The customer's saved payment methods, the default first (see `payment_methods.rs`).
    async fn payment_methods(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::payment_methods::PaymentMethod>> {
        super::payment_methods::of_customer(ctx, &self.id).await
    }

    /// Store credit the shop granted the customer, newest first, with what remains of each
    /// (see `balances.rs`).
    async fn store_credits(&self, ctx: &Context<'_>) -> Result<Vec<super::balances::StoreCredit>> {
        super::balances::credits_of(ctx, &self.id).await
    }

    /// The gift cards the customer applied to their carts and orders, newest first.
    async fn gift_cards(&self, ctx: &Context<'_>) -> Result<Vec<super::balances::GiftCard>> {
        super::balances::cards_of(ctx, &self.id).await
    }
}

impl Customer {
    /// The customer's addresses, through the request's dataloader.
    async fn address_book(&self, ctx: &Context<'_>) -> Result<Vec<addresses::Address>> {
        Ok(Loaders::of(ctx)?
            .addresses
            .load_one(self.id.to_string())
            .await?
            .unwrap_or_default())
    }
}

impl From<accounts::Customer> for Customer {
    fn from(c: accounts::Customer) -> Self {
        Self {
            full_name: c.full_name(),
            id: ID(c.id),
            email: c.email,
            first_name: c.first_name,
            last_name: c.last_name,
            phone: c.phone,
            company: c.company,
            accepts_email_marketing: c.accepts_marketing,
            email_verified: c.email_verified_at.is_some(),
            created_at: c.created_at.and_utc(),
        }
    }
}

/// A signed-in session: send `token` as `Authorization: Bearer <token>`; when it expires,
/// exchange `refreshToken` with `refresh` (each refresh token works once).
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// The access token (a JWT).
    token: String,
    /// The refresh token; a new one comes with every refresh.
    refresh_token: String,
    /// When `token` expires.
    expires_at: DateTime<Utc>,
    customer: Customer,
}

impl From<sessions::AuthSession> for AuthPayload {
    fn from(s: sessions::AuthSession) -> Self {
        Self {
            token: s.access_token.expose().clone(),
            refresh_token: s.refresh_token.expose().clone(),
            expires_at: s.expires_at,
            customer: s.customer.into(),
        }
    }
}

/// A new account.
#[derive(InputObject)]
pub struct RegisterInput {
    email: String,
    /// 8 to 128 characters, not a common password.
    password: String,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    accepts_email_marketing: Option<bool>,
}

/// Changes to the signed-in customer: omitted fields stay, an empty string clears a field.
/// A new `email` needs `currentPassword` and takes effect only when confirmed from the new
/// address (see `requestEmailChange`).
#[derive(InputObject)]
pub struct UpdateCustomerInput {
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    accepts_email_marketing: Option<bool>,
    email: Option<String>,
    current_password: Option<String>,
}

fn store<'a>(ctx: &'a Context<'_>) -> Result<&'a Store> {
    ctx.data::<Store>()
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in customer; null without a token. A bad or expired token is an error.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        let store = store(ctx)?;
        let Some(principal) = session::auth(ctx).principal(store).await.gql()? else {
            return Ok(None);
        };
        accounts::me(store, &principal)
            .await
            .gql()
            .map(|c| Some(c.into()))
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Creates an account and signs it in.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<AuthPayload> {
        let registration = accounts::Registration {
            email: input.email,
            password: Secret::new(input.password),
            first_name: input.first_name,
            last_name: input.last_name,
            phone: input.phone,
            company: input.company,
            accepts_marketing: input.accepts_email_marketing.unwrap_or(false),
        };
        accounts::register(store(ctx)?, registration, &session::auth(ctx).client)
            .await
            .gql()
            .map(Into::into)
    }

    /// Signs in with email and password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        #[graphql(secret)] password: String,
    ) -> Result<AuthPayload> {
        sessions::login(store(ctx)?, &email, &password, &session::auth(ctx).client)
            .await
            .gql()
            .map(Into::into)
    }

    /// Exchanges a refresh token for a new access token and the next refresh token.
    async fn refresh(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> Result<AuthPayload> {
        sessions::refresh(store(ctx)?, &refresh_token, &session::auth(ctx).client)
            .await
            .gql()
            .map(Into::into)
    }

    /// Ends the session of the refresh token, or of the access token sent with the request.
    /// True when a live session was ended.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: Option<String>,
    ) -> Result<bool> {
        let store = store(ctx)?;
        let auth = session::auth(ctx);
        // With a refresh token, an expired access token must not stop the logout.
        let principal = match &refresh_token {
            Some(_) => auth.principal(store).await.ok().flatten(),
            None => Some(auth.require(store).await.gql()?),
        };
        sessions::logout(store, principal.as_ref(), refresh_token.as_deref())
            .await
            .gql()
    }

    /// Mails a link to reset the password. The answer is the same whether or not the email
    /// has an account. `redirectUrl` is used for the link only when it is an allowed origin.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
        redirect_url: Option<String>,
    ) -> Result<String> {
        password_reset::request(
            store(ctx)?,
            &email,
            redirect_url.as_deref(),
            &session::auth(ctx).client,
        )
        .await
        .gql()
        .map(str::to_owned)
    }

    /// Sets a new password with the token from the reset mail; ends every session and
    /// signs in afresh.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
        #[graphql(secret)] password: String,
        #[graphql(secret)] password_confirmation: String,
    ) -> Result<AuthPayload> {
        password_reset::reset(
            store(ctx)?,
            &token,
            &password,
            &password_confirmation,
            &session::auth(ctx).client,
        )
        .await
        .gql()
        .map(Into::into)
    }

    /// Changes the signed-in customer's password; ends every other session and returns a
    /// fresh one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] current_password: String,
        #[graphql(secret)] new_password: String,
    ) -> Result<AuthPayload> {
        let store = store(ctx)?;
        let auth = session::auth(ctx);
        let principal = auth.require(store).await.gql()?;
        accounts::change_password(
            store,
            &principal,
            &current_password,
            &new_password,
            &auth.client,
        )
        .await
        .gql()
        .map(Into::into)
    }

    /// Updates the signed-in customer.
    async fn update_me(&self, ctx: &Context<'_>, input: UpdateCustomerInput) -> Result<Customer> {
        let store = store(ctx)?;
        let auth = session::auth(ctx);
        let principal = auth.require(store).await.gql()?;
        let update = accounts::CustomerUpdate {
            first_name: input.first_name,
            last_name: input.last_name,
            phone: input.phone,
            company: input.company,
            accepts_marketing: input.accepts_email_marketing,
            email: input.email,
            current_password: input.current_password.map(Secret::new),
            metadata: None,
        };
        accounts::update_me(store, &principal, update, &auth.client)
            .await
            .gql()
            .map(Into::into)
    }
}
