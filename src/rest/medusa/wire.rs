//! Medusa's shapes (v2 2.21 as observed; v1 fields where a v1 client reads them), converted
//! from the store's types. Serialized whole, then narrowed by `fields` (see `query::project`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::store::accounts::Customer;
use crate::store::addresses::{Address, AddressInput, DefaultChange};

/// Medusa's timestamps: ISO 8601 in UTC with milliseconds.
pub fn time(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A customer with their addresses (v2 `StoreCustomer`; v1 reads the same names, plus
/// `has_account`, `billing_address_id` and `shipping_addresses`).
#[derive(Serialize)]
pub struct MedusaCustomer {
    pub id: String,
    pub email: String,
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub metadata: Option<Map<String, Value>>,
    pub has_account: bool,
    pub deleted_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub addresses: Vec<MedusaCustomerAddress>,
    /// v1's names for the same book and the default billing address.
    pub shipping_addresses: Vec<MedusaCustomerAddress>,
    pub billing_address_id: Option<String>,
}

impl MedusaCustomer {
    pub fn new(customer: Customer, addresses: Vec<Address>) -> Self {
        Self {
            metadata: customer.metadata_object(),
            created_at: time(customer.created_at),
            updated_at: time(customer.updated_at),
            id: customer.id,
            email: customer.email,
            company_name: customer.company,
            first_name: customer.first_name,
            last_name: customer.last_name,
            phone: customer.phone,
            has_account: true,
            deleted_at: None,
            billing_address_id: addresses
                .iter()
                .find(|a| a.is_default_billing)
                .map(|a| a.id.clone()),
            shipping_addresses: addresses.iter().cloned().map(Into::into).collect(),
            addresses: addresses.into_iter().map(Into::into).collect(),
        }
    }
}

/// An address as `/store/customers/me/addresses` lists it.
#[derive(Serialize)]
pub struct MedusaAddress {
    pub id: String,
    pub address_name: Option<String>,
    pub company: Option<String>,
    pub customer_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
    pub metadata: Option<Map<String, Value>>,
    pub is_default_shipping: bool,
    pub is_default_billing: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// An address inside a customer (every column, `deleted_at` included).
#[derive(Serialize)]
pub struct MedusaCustomerAddress {
    #[serde(flatten)]
    pub address: MedusaAddress,
    pub deleted_at: Option<String>,
}

impl From<Address> for MedusaCustomerAddress {
    fn from(a: Address) -> Self {
        Self {
            address: a.into(),
            deleted_at: None,
        }
    }
}

impl From<Address> for MedusaAddress {
    fn from(a: Address) -> Self {
        Self {
            metadata: a.metadata_object(),
            id: a.id,
            address_name: a.label,
            company: a.company,
            customer_id: a.customer_id,
            first_name: a.first_name,
            last_name: a.last_name,
            address_1: Some(a.address1),
            address_2: a.address2,
            city: Some(a.city),
            province: a.province_code.map(|p| p.to_lowercase()),
            postal_code: a.postal_code,
            country_code: Some(a.country_code.to_lowercase()),
            phone: a.phone,
            is_default_shipping: a.is_default_shipping,
            is_default_billing: a.is_default_billing,
            created_at: time(a.created_at),
            updated_at: time(a.updated_at),
        }
    }
}

/// `POST /store/customers` (v2: with a registration token; v1: with a password, registering
/// and signing in).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerBody {
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub metadata: Option<Value>,
    /// v1 only: registers with this password and signs in.
    pub password: Option<String>,
}

/// `POST /store/customers/me` (v2; `email` and `password` are refused as in Medusa).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerBody {
    pub company_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub metadata: Option<Value>,
}

/// An address body (v2), or v1's `{address: {...}}`; every field optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    pub address_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub province: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub metadata: Option<Value>,
    pub is_default_shipping: Option<bool>,
    pub is_default_billing: Option<bool>,
    /// v1 wraps the address.
    pub address: Option<Box<AddressBody>>,
}

impl AddressBody {
    /// The address itself, unwrapped from v1's `{address}`.
    pub fn unwrap(self) -> Self {
        match self.address {
            Some(inner) => *inner,
            None => self,
        }
    }

    pub fn input(&self) -> AddressInput {
        AddressInput {
            label: self.address_name.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            address1: self.address_1.clone(),
            address2: self.address_2.clone(),
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            country_code: self.country_code.clone(),
            province_code: self.province.clone(),
            phone: self.phone.clone(),
            metadata: self.metadata.clone(),
        }
    }

    pub fn defaults(&self) -> DefaultChange {
        DefaultChange {
            shipping: self.is_default_shipping,
            billing: self.is_default_billing,
        }
    }
}

/// `POST /auth/customer/emailpass/reset-password`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordBody {
    pub identifier: String,
    /// Medusa passes it to its event subscribers; the store's reset mail has no use for it.
    #[expect(dead_code, reason = "accepted for compatibility, not used")]
    pub metadata: Option<Value>,
}

/// `POST /auth/customer/emailpass/update` (2.0 also sent `email`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateProviderBody {
    pub password: Option<Value>,
    /// Medusa 2.0 sent it; the reset token alone names the account.
    #[expect(dead_code, reason = "accepted for compatibility, not used")]
    pub email: Option<String>,
}
