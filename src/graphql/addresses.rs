//! The address book over GraphQL: the `Address` type and the mutations createAddress,
//! updateAddress, deleteAddress and setDefaultAddress (DESIGN.md section 6). `Customer.addresses`
//! and its defaults are in `accounts.rs`, read through the `AddressesByCustomer` dataloader.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::ToGraphql;
use super::accounts::Customer;
use super::loaders::Loaders;
use super::session;
use crate::store::{Store, addresses};

/// An address of the signed-in customer's address book.
pub struct Address(pub addresses::Address);

#[Object]
impl Address {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The customer's name for it ("Home", "Office").
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }

    /// First and last name joined; null when both are empty.
    async fn full_name(&self) -> Option<String> {
        self.0.full_name()
    }

    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }

    async fn address1(&self) -> &str {
        &self.0.address1
    }

    async fn address2(&self) -> Option<&str> {
        self.0.address2.as_deref()
    }

    async fn city(&self) -> &str {
        &self.0.city
    }

    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    /// ISO 3166-1 alpha-2 (`US`).
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The country's English short name (ISO 3166-1).
    async fn country_name(&self) -> &str {
        self.0.country_name().unwrap_or(&self.0.country_code)
    }

    /// The subdivision's code within its country (`NY`; ISO 3166-2 `US-NY`).
    async fn province_code(&self) -> Option<&str> {
        self.0.province_code.as_deref()
    }

    /// The subdivision's name (ISO 3166-2).
    async fn province_name(&self) -> Option<&str> {
        self.0.province_name()
    }

    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Whether this is the customer's default shipping address.
    async fn is_default_shipping(&self) -> bool {
        self.0.is_default_shipping
    }

    /// Whether this is the customer's default billing address.
    async fn is_default_billing(&self) -> bool {
        self.0.is_default_billing
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.and_utc()
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at.and_utc()
    }
}

/// Which default address.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    Shipping,
    Billing,
}

impl From<AddressKind> for addresses::AddressKind {
    fn from(kind: AddressKind) -> Self {
        match kind {
            AddressKind::Shipping => Self::Shipping,
            AddressKind::Billing => Self::Billing,
        }
    }
}

/// An address. `address1`, `city` and `countryCode` are required; they are nullable here only
/// so that every missing or invalid field is reported at once in `extensions.fields`. On
/// update the whole address is replaced: an omitted optional field is cleared.
#[derive(InputObject)]
pub struct AddressInput {
    /// The customer's name for it ("Home"), at most 50 characters.
    label: Option<String>,
    /// At most 100 characters.
    first_name: Option<String>,
    /// At most 100 characters.
    last_name: Option<String>,
    /// At most 100 characters.
    company: Option<String>,
    /// Required; at most 200 characters.
    address1: Option<String>,
    /// At most 200 characters.
    address2: Option<String>,
    /// Required; at most 100 characters.
    city: Option<String>,
    /// Letters, digits, spaces and hyphens; at most 16 characters.
    postal_code: Option<String>,
    /// Required: ISO 3166-1 alpha-2 (`US`).
    country_code: Option<String>,
    /// An ISO 3166-2 subdivision of the country, short (`NY`) or full (`US-NY`).
    province_code: Option<String>,
    /// At most 40 characters.
    phone: Option<String>,
}

impl From<AddressInput> for addresses::AddressInput {
    fn from(i: AddressInput) -> Self {
        Self {
            label: i.label,
            first_name: i.first_name,
            last_name: i.last_name,
            company: i.company,
            address1: i.address1,
            address2: i.address2,
            city: i.city,
            postal_code: i.postal_code,
            country_code: i.country_code,
            province_code: i.province_code,
            phone: i.phone,
            metadata: None,
        }
    }
}

/// The store and the signed-in customer's id, or `UNAUTHENTICATED`. Answers already loaded
/// for this request are dropped, since the mutation is about to change them.
async fn caller<'a>(ctx: &'a Context<'_>) -> Result<(&'a Store, String)> {
    let store = ctx.data::<Store>()?;
    let principal = session::auth(ctx).require(store).await.gql()?;
    Loaders::of(ctx)?.addresses.clear::<String>();
    Ok((store, principal.customer_id))
}

#[derive(Default)]
pub struct AddressesMutation;

#[Object]
impl AddressesMutation {
    /// Adds an address to the signed-in customer's book (at most 100). While the customer has
    /// no default shipping or billing address, the new one becomes it.
    async fn create_address(&self, ctx: &Context<'_>, input: AddressInput) -> Result<Address> {
        let (store, customer_id) = caller(ctx).await?;
        addresses::create(store, &customer_id, &input.into(), Default::default())
            .await
            .gql()
            .map(Address)
    }

    /// Replaces an address of the signed-in customer's book.
    async fn update_address(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AddressInput,
    ) -> Result<Address> {
        let (store, customer_id) = caller(ctx).await?;
        addresses::update(store, &customer_id, &id, &input.into())
            .await
            .gql()
            .map(Address)
    }

    /// Deletes an address; a default that named it becomes null. Returns its id.
    async fn delete_address(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let (store, customer_id) = caller(ctx).await?;
        addresses::delete(store, &customer_id, &id).await.gql()?;
        Ok(id)
    }

    /// Makes an address the signed-in customer's default of `kind`, replacing the previous one.
    async fn set_default_address(
        &self,
        ctx: &Context<'_>,
        id: ID,
        kind: AddressKind,
    ) -> Result<Customer> {
        let (store, customer_id) = caller(ctx).await?;
        addresses::set_default(store, &customer_id, &id, kind.into())
            .await
            .gql()
            .map(Into::into)
    }
}
