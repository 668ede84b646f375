//! Customers, addresses and sign-in answers; the bodies of the account and address routes.

use serde::{Deserialize, Serialize};

use super::{amount, display};
use crate::error::Secret;
use crate::store::accounts::{self, CustomerUpdate, Registration};
use crate::store::addresses::{self, AddressInput, DefaultChange};
use crate::store::money::Money;
use crate::store::orders::OrderAddress;
use crate::store::sessions::AuthSession;

/// Spree's `Customer`.
#[derive(Debug, Serialize)]
pub struct Customer {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub accepts_email_marketing: bool,
    pub full_name: String,
    pub available_store_credit_total: String,
    pub display_available_store_credit_total: String,
    pub addresses: Vec<Address>,
    pub default_billing_address: Option<Address>,
    pub default_shipping_address: Option<Address>,
    pub newsletter_subscriber: Option<serde_json::Value>,
    pub customer_groups: Vec<serde_json::Value>,
}

impl Customer {
    /// The customer with their address book (oldest first) and the store credit they can
    /// spend (minor units of `currency`).
    pub fn new(
        c: accounts::Customer,
        book: Vec<addresses::Address>,
        currency: &str,
        credit: i64,
    ) -> Self {
        let credit = Money::new(credit, currency);
        let addresses: Vec<Address> = book.into_iter().map(Address::from).collect();
        Self {
            full_name: c.full_name().unwrap_or_else(|| c.email.clone()),
            default_billing_address: addresses.iter().find(|a| a.is_default_billing).cloned(),
            default_shipping_address: addresses.iter().find(|a| a.is_default_shipping).cloned(),
            addresses,
            id: c.id,
            email: c.email,
            first_name: c.first_name,
            last_name: c.last_name,
            phone: c.phone,
            accepts_email_marketing: c.accepts_marketing,
            available_store_credit_total: amount(&credit),
            display_available_store_credit_total: display(&credit),
            newsletter_subscriber: None,
            customer_groups: Vec::new(),
        }
    }
}

/// Spree's `AuthResponse`.
#[derive(Debug, Serialize)]
pub struct AuthResponse {
    pub token: String,
    pub refresh_token: String,
    pub user: Customer,
}

impl AuthResponse {
    pub fn new(session: &AuthSession, user: Customer) -> Self {
        Self {
            token: session.access_token.expose().clone(),
            refresh_token: session.refresh_token.expose().clone(),
            user,
        }
    }
}

/// Spree's `Address`. Order addresses are snapshots without an id of their own.
#[derive(Clone, Debug, Serialize)]
pub struct Address {
    pub id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub full_name: String,
    pub address1: String,
    pub address2: Option<String>,
    pub postal_code: Option<String>,
    pub city: String,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub country_name: String,
    pub country_iso: String,
    pub state_text: Option<String>,
    pub state_abbr: Option<String>,
    pub quick_checkout: bool,
    pub is_default_billing: bool,
    pub is_default_shipping: bool,
    pub state_name: Option<String>,
}

impl From<addresses::Address> for Address {
    fn from(a: addresses::Address) -> Self {
        Self {
            full_name: a.full_name().unwrap_or_default(),
            country_name: a.country_name().unwrap_or_default().to_owned(),
            state_name: a.province_name().map(str::to_owned),
            state_text: a.province_code.clone(),
            state_abbr: a.province_code,
            id: Some(a.id),
            first_name: a.first_name,
            last_name: a.last_name,
            address1: a.address1,
            address2: a.address2,
            postal_code: a.postal_code,
            city: a.city,
            phone: a.phone,
            company: a.company,
            country_iso: a.country_code,
            quick_checkout: false,
            is_default_billing: a.is_default_billing,
            is_default_shipping: a.is_default_shipping,
        }
    }
}

impl From<OrderAddress> for Address {
    fn from(a: OrderAddress) -> Self {
        Self {
            full_name: a.full_name().unwrap_or_default(),
            country_name: a.country_name().unwrap_or_default().to_owned(),
            state_name: a.province_name().map(str::to_owned),
            state_text: a.province_code.clone(),
            state_abbr: a.province_code,
            id: None,
            first_name: a.first_name,
            last_name: a.last_name,
            address1: a.address1,
            address2: a.address2,
            postal_code: a.postal_code,
            city: a.city,
            phone: a.phone,
            company: a.company,
            country_iso: a.country_code,
            quick_checkout: false,
            is_default_billing: false,
            is_default_shipping: false,
        }
    }
}

/// `POST /auth/login`.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    pub provider: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Default, Deserialize)]
pub struct RefreshBody {
    pub refresh_token: Option<String>,
}

/// `POST /customers`.
#[derive(Debug, Deserialize)]
pub struct RegisterBody {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub password_confirmation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub accepts_email_marketing: bool,
}

impl RegisterBody {
    pub fn into_parts(self) -> (Registration, Option<Secret<String>>) {
        (
            Registration {
                email: self.email,
                password: Secret::new(self.password),
                first_name: self.first_name,
                last_name: self.last_name,
                phone: self.phone,
                company: None,
                accepts_marketing: self.accepts_email_marketing,
            },
            self.password_confirmation.map(Secret::new),
        )
    }
}

/// `PATCH /customers/me`.
#[derive(Debug, Deserialize)]
pub struct CustomerBody {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub accepts_email_marketing: Option<bool>,
    pub password: Option<String>,
    pub password_confirmation: Option<String>,
    pub current_password: Option<String>,
}

impl CustomerBody {
    pub fn into_parts(self) -> (CustomerUpdate, Option<accounts::PasswordChange>) {
        let password = self.password.map(|new| accounts::PasswordChange {
            new: Secret::new(new),
            confirmation: self.password_confirmation.map(Secret::new),
        });
        (
            CustomerUpdate {
                first_name: self.first_name,
                last_name: self.last_name,
                phone: self.phone,
                company: None,
                accepts_marketing: self.accepts_email_marketing,
                email: self.email,
                current_password: self.current_password.map(Secret::new),
                metadata: None,
            },
            password,
        )
    }
}

/// `POST /password_resets`.
#[derive(Debug, Deserialize)]
pub struct ResetRequestBody {
    #[serde(default)]
    pub email: String,
    pub redirect_url: Option<String>,
}

/// `PATCH /password_resets/{token}`.
#[derive(Debug, Deserialize)]
pub struct ResetBody {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}

/// The one answer of `POST /password_resets`.
#[derive(Debug, Serialize)]
pub struct Message {
    pub message: &'static str,
}

pub const RESET_REQUESTED: &str =
    "If an account exists for that email, password reset instructions have been sent.";

/// `POST` and `PATCH /customers/me/addresses[/{id}]`.
#[derive(Debug, Default, Deserialize)]
pub struct AddressBody {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub country_iso: Option<String>,
    pub state_abbr: Option<String>,
    #[serde(default)]
    pub is_default_billing: bool,
    #[serde(default)]
    pub is_default_shipping: bool,
}

impl AddressBody {
    /// The address and the defaults it should become (`false` leaves a default alone, as
    /// Spree does).
    pub fn into_parts(self) -> (AddressInput, DefaultChange) {
        (
            AddressInput {
                label: None,
                first_name: self.first_name,
                last_name: self.last_name,
                company: self.company,
                address1: self.address1,
                address2: self.address2,
                city: self.city,
                postal_code: self.postal_code,
                country_code: self.country_iso,
                province_code: self.state_abbr,
                phone: self.phone,
                metadata: None,
            },
            DefaultChange {
                shipping: self.is_default_shipping.then_some(true),
                billing: self.is_default_billing.then_some(true),
            },
        )
    }
}
