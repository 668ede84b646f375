//! Store credits and gift cards over GraphQL: the `StoreCredit`, `GiftCard` and `Payment`
//! types, `grantStoreCredit` and `issueGiftCard` for the shop (secret key), and the cart
//! mutations `applyStoreCredit`, `removeStoreCredit`, `applyGiftCard`, `removeGiftCard`.
//! `Customer.storeCredits` and `Customer.giftCards` (in `accounts.rs`) call [`credits_of`] and
//! [`cards_of`]; `Cart.payments`/`amountDue` and `Order.payments`/`amountDue` call [`paid`].

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::ToGraphql;
use super::catalog::Money;
use super::orders::{Cart, money};
use super::session;
use crate::store::balances::{self, gift_cards, store_credits};
use crate::store::orders::lifecycle::Actor;
use crate::store::orders::{Caller, Order as OrderRow};
use crate::store::{Store, now};

/// An amount the shop granted the customer to spend in its shop.
pub struct StoreCredit(pub store_credits::StoreCredit);

#[Object]
impl StoreCredit {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// What was granted.
    async fn amount(&self) -> Money {
        money(self.0.amount, &self.0.currency)
    }

    /// What has been spent.
    async fn amount_used(&self) -> Money {
        money(self.0.used(), &self.0.currency)
    }

    /// What is left to spend.
    async fn amount_remaining(&self) -> Money {
        money(self.0.remaining, &self.0.currency)
    }

    /// ISO 4217.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// Why the shop granted it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at.map(|t| t.and_utc())
    }

    /// Whether it can no longer be spent because it expired.
    async fn expired(&self) -> bool {
        self.0.expired_at(now())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }
}

/// A gift card the customer used on one of their carts or orders. Its code is never shown:
/// only its last four characters.
pub struct GiftCard(pub gift_cards::GiftCard);

#[Object]
impl GiftCard {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// `XXXX-XXXX-XXXX-` and the code's last four characters.
    async fn code(&self) -> String {
        self.0.masked_code()
    }

    async fn amount(&self) -> Money {
        money(self.0.amount, &self.0.currency)
    }

    async fn amount_used(&self) -> Money {
        money(self.0.used(), &self.0.currency)
    }

    async fn amount_remaining(&self) -> Money {
        money(self.0.remaining, &self.0.currency)
    }

    /// ISO 4217.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at.map(|t| t.and_utc())
    }

    async fn expired(&self) -> bool {
        self.0.expired_at(now())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }
}

/// A new gift card and its code, shown this once.
#[derive(SimpleObject)]
pub struct IssuedGiftCard {
    gift_card: GiftCard,
    /// `XXXX-XXXX-XXXX-XXXX`: give it to the recipient; it cannot be shown again.
    code: String,
}

/// What pays a cart or order besides the amount due.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PaymentKind {
    StoreCredit,
    GiftCard,
}

/// Where a payment stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    /// On a cart: taken at checkout.
    Applied,
    /// Taken when the order was placed.
    Captured,
    /// Given back when the order was canceled.
    Restored,
}

/// A payment of a cart or order with store credit or a gift card.
pub struct Payment(pub balances::OrderPayment, String);

#[Object]
impl Payment {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn kind(&self) -> PaymentKind {
        if self.0.is_store_credit() {
            PaymentKind::StoreCredit
        } else {
            PaymentKind::GiftCard
        }
    }

    /// What it pays (on a cart: up to what is left of the total).
    async fn amount(&self) -> Money {
        money(self.0.amount, &self.1)
    }

    /// The store credit's or gift card's id.
    async fn source_id(&self) -> ID {
        ID(self.0.source_id.clone())
    }

    async fn state(&self) -> PaymentState {
        match self.0.state.as_str() {
            balances::CAPTURED => PaymentState::Captured,
            balances::RESTORED => PaymentState::Restored,
            _ => PaymentState::Applied,
        }
    }
}

/// How a cart or order is paid, for `payments` and `amountDue`.
pub async fn paid(ctx: &Context<'_>, order: &OrderRow) -> Result<(Vec<Payment>, Money)> {
    let store = ctx.data::<Store>()?;
    let paid = balances::paid(store, order).await.gql()?;
    let due = money(paid.amount_due, &order.currency);
    let payments = paid
        .payments
        .into_iter()
        .map(|p| Payment(p, order.currency.clone()))
        .collect();
    Ok((payments, due))
}

/// The customer's store credits, for `Customer.storeCredits`.
pub async fn credits_of(ctx: &Context<'_>, customer_id: &str) -> Result<Vec<StoreCredit>> {
    let store = ctx.data::<Store>()?;
    let credits = store_credits::list(store, customer_id).await.gql()?;
    Ok(credits.into_iter().map(StoreCredit).collect())
}

/// The gift cards the customer used, for `Customer.giftCards`.
pub async fn cards_of(ctx: &Context<'_>, customer_id: &str) -> Result<Vec<GiftCard>> {
    let store = ctx.data::<Store>()?;
    let cards = gift_cards::list_for_customer(store, customer_id)
        .await
        .gql()?;
    Ok(cards.into_iter().map(GiftCard).collect())
}

/// A store credit to grant.
#[derive(InputObject)]
pub struct GrantStoreCreditInput {
    customer_id: ID,
    /// Minor units of the currency.
    amount: i32,
    /// ISO 4217.
    currency: String,
    /// Why (shown to the customer), at most 255 characters.
    reason: String,
    /// When it can no longer be spent; in the future.
    expires_at: Option<DateTime<Utc>>,
}

/// A gift card to issue.
#[derive(InputObject)]
pub struct IssueGiftCardInput {
    /// Minor units of the currency.
    amount: i32,
    /// ISO 4217.
    currency: String,
    /// When it can no longer be spent; in the future.
    expires_at: Option<DateTime<Utc>>,
}

async fn integrator<'a>(ctx: &'a Context<'_>) -> Result<&'a Store> {
    let store = ctx.data::<Store>()?;
    let actor: Actor = session::auth(ctx).actor(store).await.gql()?;
    actor.require_integrator().gql()?;
    Ok(store)
}

async fn shopper<'a>(ctx: &'a Context<'_>) -> Result<(&'a Store, Caller)> {
    let store = ctx.data::<Store>()?;
    let caller = session::auth(ctx).caller(store, None).await.gql()?;
    Ok((store, caller))
}

fn cart_of(caller: &Caller, order: OrderRow) -> Cart {
    Cart {
        token: caller.shown_token(&order),
        order,
    }
}

#[derive(Default)]
pub struct BalancesMutation;

#[Object]
impl BalancesMutation {
    /// Grants store credit to a customer. The shop only (secret key).
    async fn grant_store_credit(
        &self,
        ctx: &Context<'_>,
        input: GrantStoreCreditInput,
    ) -> Result<StoreCredit> {
        let store = integrator(ctx).await?;
        let grant = store_credits::Grant {
            customer_id: input.customer_id.0,
            amount: i64::from(input.amount),
            currency: input.currency,
            reason: input.reason,
            expires_at: input.expires_at.map(|t| t.naive_utc()),
        };
        store_credits::grant(store, &grant)
            .await
            .gql()
            .map(StoreCredit)
    }

    /// Issues a gift card. The shop only (secret key). The code is in the answer, once.
    async fn issue_gift_card(
        &self,
        ctx: &Context<'_>,
        input: IssueGiftCardInput,
    ) -> Result<IssuedGiftCard> {
        let store = integrator(ctx).await?;
        let issue = gift_cards::Issue {
            amount: i64::from(input.amount),
            currency: input.currency,
            expires_at: input.expires_at.map(|t| t.naive_utc()),
        };
        let (card, code) = gift_cards::issue(store, &issue).await.gql()?;
        Ok(IssuedGiftCard {
            gift_card: GiftCard(card),
            code: code.expose().clone(),
        })
    }

    /// Applies the signed-in customer's store credit to their cart: `amount` minor units, or
    /// as much as the cart still owes; from one credit (`storeCreditId`) or from all (those
    /// expiring first first). Replaces store credit applied before; taken at `completeCart`.
    async fn apply_store_credit(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        amount: Option<i32>,
        store_credit_id: Option<ID>,
    ) -> Result<Cart> {
        let (store, caller) = shopper(ctx).await?;
        let order = store_credits::apply(
            store,
            &caller,
            &cart_id,
            amount.map(i64::from),
            store_credit_id.as_ref().map(|id| id.as_str()),
        )
        .await
        .gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Takes the store credit off the cart.
    async fn remove_store_credit(&self, ctx: &Context<'_>, cart_id: ID) -> Result<Cart> {
        let (store, caller) = shopper(ctx).await?;
        let order = store_credits::remove(store, &caller, &cart_id)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Applies a gift card to the cart by its code (replacing one applied before), for what
    /// it holds up to what the cart owes; taken at `completeCart`. Attempts are throttled per
    /// IP and per account. Errors: `NOT_FOUND` (no such code), `GIFT_CARD_EXPIRED`,
    /// `GIFT_CARD_REDEEMED` (nothing left on it), `RATE_LIMITED`.
    async fn apply_gift_card(&self, ctx: &Context<'_>, cart_id: ID, code: String) -> Result<Cart> {
        let (store, caller) = shopper(ctx).await?;
        let ip = session::auth(ctx).client.ip;
        let order = gift_cards::apply(store, &caller, ip, &cart_id, &code)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }

    /// Takes the gift card off the cart.
    async fn remove_gift_card(&self, ctx: &Context<'_>, cart_id: ID) -> Result<Cart> {
        let (store, caller) = shopper(ctx).await?;
        let order = gift_cards::remove(store, &caller, &cart_id, None)
            .await
            .gql()?;
        Ok(cart_of(&caller, order))
    }
}
