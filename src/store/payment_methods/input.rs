//! What an integrator sends to save a payment method, checked: never a card number or a
//! security code (see the parent module), every field bounded, the card not expired.

use crate::store::addresses::{AddressInput, ValidAddress};
use crate::store::orders::OrderAddress;
use crate::store::{FieldError, StoreError};

/// What an integrator sends to save a method. `number`, `cvc` and `cvv` exist only so that a
/// surface can pass them on and have them refused here, once.
#[derive(Clone, Debug, Default)]
pub struct SavePaymentMethod {
    pub customer_id: String,
    pub provider: Option<String>,
    pub provider_token: Option<String>,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    pub holder_name: Option<String>,
    pub billing_address: Option<AddressInput>,
    pub make_default: Option<bool>,
    pub number: Option<String>,
    pub cvc: Option<String>,
    pub cvv: Option<String>,
}

/// Whether `text` holds something that looks like a card number (PAN): a run of 13 to 19
/// digits, with spaces or dashes allowed between them, that passes the Luhn check.
pub fn looks_like_pan(text: &str) -> bool {
    let check = |run: &[u8]| (13..=19).contains(&run.len()) && luhn(run);
    let mut digits: Vec<u8> = Vec::new();
    for ch in text.chars() {
        match ch {
            '0'..='9' => digits.push(ch as u8 - b'0'),
            // Spaces and dashes between digits keep the run going.
            ' ' | '-' => {}
            _ => {
                if check(&digits) {
                    return true;
                }
                digits.clear();
            }
        }
    }
    check(&digits)
}

/// The Luhn checksum of a digit sequence is valid.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

pub(super) struct Valid {
    pub(super) provider: String,
    pub(super) provider_token: String,
    pub(super) brand: String,
    pub(super) last4: String,
    pub(super) exp_month: i32,
    pub(super) exp_year: i32,
    pub(super) holder_name: Option<String>,
    pub(super) billing_address: Option<String>,
}

fn required(
    problems: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> String {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        problems.push(FieldError::new(field, "can't be blank"));
    } else if value.chars().count() > max {
        problems.push(FieldError::new(
            field,
            format!("is too long (at most {max} characters)"),
        ));
    }
    value.to_owned()
}

pub(super) fn validate(
    input: &SavePaymentMethod,
    today: chrono::NaiveDate,
) -> Result<Valid, StoreError> {
    use chrono::Datelike;
    let mut problems = Vec::new();
    for (field, value) in [
        ("number", &input.number),
        ("cvc", &input.cvc),
        ("cvv", &input.cvv),
    ] {
        if value.is_some() {
            problems.push(FieldError::new(
                field,
                "is never accepted: save the provider's token, not the card",
            ));
        }
    }
    // Every text field, the address's included, is checked for a card number.
    let address = input.billing_address.as_ref();
    let texts = [
        ("provider", input.provider.as_deref()),
        ("provider_token", input.provider_token.as_deref()),
        ("brand", input.brand.as_deref()),
        ("last4", input.last4.as_deref()),
        ("holder_name", input.holder_name.as_deref()),
        (
            "billing_address.label",
            address.and_then(|a| a.label.as_deref()),
        ),
        (
            "billing_address.first_name",
            address.and_then(|a| a.first_name.as_deref()),
        ),
        (
            "billing_address.last_name",
            address.and_then(|a| a.last_name.as_deref()),
        ),
        (
            "billing_address.company",
            address.and_then(|a| a.company.as_deref()),
        ),
        (
            "billing_address.address1",
            address.and_then(|a| a.address1.as_deref()),
        ),
        (
            "billing_address.address2",
            address.and_then(|a| a.address2.as_deref()),
        ),
        (
            "billing_address.city",
            address.and_then(|a| a.city.as_deref()),
        ),
        (
            "billing_address.postal_code",
            address.and_then(|a| a.postal_code.as_deref()),
        ),
        (
            "billing_address.phone",
            address.and_then(|a| a.phone.as_deref()),
        ),
    ];
    for (field, value) in texts {
        if value.is_some_and(looks_like_pan) {
            problems.push(FieldError::new(
                field,
                "looks like a card number, which is never accepted",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(StoreError::fields(problems));
    }
    let provider = required(&mut problems, "provider", input.provider.as_deref(), 50);
    let provider_token = required(
        &mut problems,
        "provider_token",
        input.provider_token.as_deref(),
        255,
    );
    let brand = required(&mut problems, "brand", input.brand.as_deref(), 30).to_lowercase();
    let last4 = input.last4.as_deref().map(str::trim).unwrap_or_default();
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(FieldError::new("last4", "must be 4 digits"));
    }
    let exp_month = input.exp_month.unwrap_or(0);
    if !(1..=12).contains(&exp_month) {
        problems.push(FieldError::new("exp_month", "must be from 1 to 12"));
    }
    let exp_year = input.exp_year.unwrap_or(0);
    if !(2000..=2100).contains(&exp_year) {
        problems.push(FieldError::new("exp_year", "must be a 4-digit year"));
    } else if (1..=12).contains(&exp_month)
        && (exp_year, exp_month) < (i64::from(today.year()), i64::from(today.month()))
    {
        problems.push(FieldError::new("exp_year", "the card has expired"));
    }
    let holder_name = input
        .holder_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if holder_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > 100)
    {
        problems.push(FieldError::new(
            "holder_name",
            "is too long (at most 100 characters)",
        ));
    }
    let billing_address = match address.map(ValidAddress::parse).transpose() {
        Ok(valid) => {
            valid.map(|a| serde_json::to_string(&snapshot(a)).expect("an address serializes"))
        }
        Err(StoreError::InvalidInput { fields, .. }) => {
            problems.extend(
                fields
                    .into_iter()
                    .map(|f| FieldError::new(format!("billing_address.{}", f.field), f.message)),
            );
            None
        }
        Err(other) => return Err(other),
    };
    if !problems.is_empty() {
        return Err(StoreError::fields(problems));
    }
    Ok(Valid {
        provider,
        provider_token,
        brand,
        last4: last4.to_owned(),
        exp_month: exp_month as i32,
        exp_year: exp_year as i32,
        holder_name,
        billing_address,
    })
}

/// The billing address as kept with the method (the shape orders keep theirs in).
fn snapshot(a: ValidAddress) -> OrderAddress {
    OrderAddress {
        first_name: a.first_name,
        last_name: a.last_name,
        company: a.company,
        address1: a.address1,
        address2: a.address2,
        city: a.city,
        postal_code: a.postal_code,
        country_code: a.country_code,
        province_code: a.province_code,
        phone: a.phone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::now;

    #[test]
    fn card_numbers_are_recognised() {
        for pan in [
            "4242424242424242",
            "4242 4242 4242 4242",
            "4242-4242-4242-4242",
            "tok_4242424242424242",
            "card 5555555555554444 here",
            "378282246310005",
            "6011111111111117",
        ] {
            assert!(looks_like_pan(pan), "{pan}");
        }
        for fine in [
            "4242",
            "4242424242424241",
            "pm_1NXkqPLkdIwHu7ixH2kK7QZx",
            "424242424242",
            "42424242424242424242",
            "+1 212 555 0100",
            "10118",
        ] {
            assert!(!looks_like_pan(fine), "{fine}");
        }
    }

    #[test]
    fn forbidden_fields_are_refused_whatever_their_value() {
        let input = SavePaymentMethod {
            cvc: Some(String::new()),
            ..Default::default()
        };
        let Err(StoreError::InvalidInput { fields, .. }) = validate(&input, now().date()) else {
            panic!("cvc accepted");
        };
        assert_eq!(fields[0].field, "cvc");
    }
}
