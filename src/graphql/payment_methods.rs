//! Saved payment methods over GraphQL: the `PaymentMethod` type, `savePaymentMethod` for the
//! shop's payment integration (secret key), and setDefaultPaymentMethod and
//! deletePaymentMethod for the signed-in customer. `Customer.paymentMethods` (in `accounts.rs`)
//! calls [`of_customer`]. The provider's token is never shown here: integrators know it.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::ToGraphql;
use super::addresses::AddressInput;
use super::orders::OrderAddress;
use super::session;
use crate::store::orders::lifecycle::Actor;
use crate::store::{Store, payment_methods};

/// A card (or other method) the payment provider keeps for the customer: only what a person
/// needs to recognise it.
pub struct PaymentMethod(pub payment_methods::PaymentMethod);

#[Object]
impl PaymentMethod {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Lower case: `visa`, `mastercard`, ...
    async fn brand(&self) -> &str {
        &self.0.brand
    }

    /// The last four digits of the card number.
    async fn last4(&self) -> &str {
        &self.0.last4
    }

    async fn exp_month(&self) -> i32 {
        self.0.exp_month
    }

    async fn exp_year(&self) -> i32 {
        self.0.exp_year
    }

    async fn holder_name(&self) -> Option<&str> {
        self.0.holder_name.as_deref()
    }

    async fn billing_address(&self) -> Option<OrderAddress> {
        self.0.billing_address().map(OrderAddress)
    }

    /// The method used unless the customer picks another (exactly one is, when any exist).
    async fn is_default(&self) -> bool {
        self.0.is_default
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }
}

/// A tokenized payment method to save for a customer. Never send a card number or a security
/// code: `number`, `cvc` and `cvv` exist only to be refused (`BAD_USER_INPUT`), and any field
/// holding something that looks like a card number is refused too.
#[derive(InputObject)]
pub struct SavePaymentMethodInput {
    customer_id: ID,
    /// The payment provider (`stripe`), at most 50 characters.
    provider: String,
    /// The provider's reference to the method, at most 255 characters.
    provider_token: String,
    brand: String,
    /// Exactly 4 digits.
    last4: String,
    /// 1 to 12.
    exp_month: i32,
    /// Four digits; the card must not have expired.
    exp_year: i32,
    holder_name: Option<String>,
    billing_address: Option<AddressInput>,
    /// Make it the customer's default (their first method always is).
    make_default: Option<bool>,
    /// Refused whatever its value.
    number: Option<String>,
    /// Refused whatever its value.
    cvc: Option<String>,
    /// Refused whatever its value.
    cvv: Option<String>,
}

/// The signed-in customer's methods, for `Customer.paymentMethods`.
pub async fn of_customer(ctx: &Context<'_>, customer_id: &str) -> Result<Vec<PaymentMethod>> {
    let store = ctx.data::<Store>()?;
    let methods = payment_methods::list(store, customer_id).await.gql()?;
    Ok(methods.into_iter().map(PaymentMethod).collect())
}

async fn caller<'a>(ctx: &'a Context<'_>) -> Result<(&'a Store, String)> {
    let store = ctx.data::<Store>()?;
    let principal = session::auth(ctx).require(store).await.gql()?;
    Ok((store, principal.customer_id))
}

#[derive(Default)]
pub struct PaymentMethodsMutation;

#[Object]
impl PaymentMethodsMutation {
    /// Saves a tokenized payment method for a customer. The shop's payment integration only
    /// (secret key); the customer's first method becomes their default.
    async fn save_payment_method(
        &self,
        ctx: &Context<'_>,
        input: SavePaymentMethodInput,
    ) -> Result<PaymentMethod> {
        let store = ctx.data::<Store>()?;
        let actor: Actor = session::auth(ctx).actor(store).await.gql()?;
        actor.require_integrator().gql()?;
        let save = payment_methods::SavePaymentMethod {
            customer_id: input.customer_id.0,
            provider: Some(input.provider),
            provider_token: Some(input.provider_token),
            brand: Some(input.brand),
            last4: Some(input.last4),
            exp_month: Some(i64::from(input.exp_month)),
            exp_year: Some(i64::from(input.exp_year)),
            holder_name: input.holder_name,
            billing_address: input.billing_address.map(Into::into),
            make_default: input.make_default,
            number: input.number,
            cvc: input.cvc,
            cvv: input.cvv,
        };
        payment_methods::save(store, &save)
            .await
            .gql()
            .map(PaymentMethod)
    }

    /// Makes a saved method the signed-in customer's default, replacing the previous one.
    async fn set_default_payment_method(&self, ctx: &Context<'_>, id: ID) -> Result<PaymentMethod> {
        let (store, customer_id) = caller(ctx).await?;
        payment_methods::set_default(store, &customer_id, &id)
            .await
            .gql()
            .map(PaymentMethod)
    }

    /// Deletes a saved method; when it was the default, the most recently saved remaining one
    /// becomes the default. Returns its id.
    async fn delete_payment_method(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let (store, customer_id) = caller(ctx).await?;
        payment_methods::delete(store, &customer_id, &id)
            .await
            .gql()?;
        Ok(id)
    }
}
