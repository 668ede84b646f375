//! An address as the client sends it ([`AddressInput`]) and as the store accepts it
//! ([`ValidAddress`]): parsed once at the edge, every problem reported at once.
//!
//! Countries and their subdivisions come from `rust_iso3166` (ISO 3166-1 alpha-2 and ISO 3166-2),
//! so no list of ours goes stale. That crate says nothing about postal codes, so a postal code is
//! optional everywhere and only its shape is checked.

use rust_iso3166::iso3166_2;

use crate::error::{FieldError, StoreError};
use crate::store::validate::{self, Problems};

/// Longest label ("Home", "Office").
pub const MAX_LABEL: usize = 50;
/// Longest first name, last name, company and city.
pub const MAX_NAME: usize = 100;
/// Longest address line.
pub const MAX_LINE: usize = 200;
/// Longest postal code (the longest in use has 10 characters).
pub const MAX_POSTAL_CODE: usize = 16;
/// Longest phone number, as written by a person (spaces, `+`, extensions).
pub const MAX_PHONE: usize = 40;

/// An address as the client sends it. Every field is optional here so that a missing required
/// field is reported with the others; `address1`, `city` and `country_code` are required.
#[derive(Clone, Debug, Default)]
pub struct AddressInput {
    pub label: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, any case.
    pub country_code: Option<String>,
    /// ISO 3166-2 subdivision code of that country, short (`NY`) or full (`US-NY`).
    pub province_code: Option<String>,
    pub phone: Option<String>,
    /// A JSON object of the storefront's own keys; `None` keeps what is stored (none on a new
    /// address), JSON `null` empties it.
    pub metadata: Option<serde_json::Value>,
}

/// An address that passed every rule: texts trimmed (empty means none), the country an ISO
/// 3166-1 alpha-2 code in upper case, the province the short part of an ISO 3166-2 code of that
/// country. Built only by [`ValidAddress::parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAddress {
    pub(in crate::store) label: Option<String>,
    pub(in crate::store) first_name: Option<String>,
    pub(in crate::store) last_name: Option<String>,
    pub(in crate::store) company: Option<String>,
    pub(in crate::store) address1: String,
    pub(in crate::store) address2: Option<String>,
    pub(in crate::store) city: String,
    pub(in crate::store) postal_code: Option<String>,
    pub(in crate::store) country_code: String,
    pub(in crate::store) province_code: Option<String>,
    pub(in crate::store) phone: Option<String>,
    /// The metadata object as stored, or `None` to keep what is stored.
    pub(in crate::store) metadata: Option<String>,
}

impl ValidAddress {
    /// Checks every field and reports every problem in one `InvalidInput`.
    pub fn parse(input: &AddressInput) -> Result<Self, StoreError> {
        let mut problems = Problems::default();
        let label = problems.field(text("label", &input.label, MAX_LABEL));
        let first_name = problems.field(text("first_name", &input.first_name, MAX_NAME));
        let last_name = problems.field(text("last_name", &input.last_name, MAX_NAME));
        let company = problems.field(text("company", &input.company, MAX_NAME));
        let address1 = problems.field(required("address1", &input.address1, MAX_LINE));
        let address2 = problems.field(text("address2", &input.address2, MAX_LINE));
        let city = problems.field(required("city", &input.city, MAX_NAME));
        let postal_code = problems.field(postal_code(&input.postal_code));
        let phone = problems.field(text("phone", &input.phone, MAX_PHONE));
        let metadata = problems.check(input.metadata.as_ref().map(validate::metadata).transpose());
        let country_code = problems.field(country(&input.country_code)).flatten();
        // A province can only be checked against a known country.
        let province_code = match &country_code {
            Some(country) => problems
                .field(province(country, &input.province_code))
                .flatten(),
            None => None,
        };
        problems.finish()?;
        match (address1, city, country_code) {
            (Some(address1), Some(city), Some(country_code)) => Ok(Self {
                label: label.flatten(),
                first_name: first_name.flatten(),
                last_name: last_name.flatten(),
                company: company.flatten(),
                address1,
                address2: address2.flatten(),
                city,
                postal_code: postal_code.flatten(),
                country_code,
                province_code,
                phone: phone.flatten(),
                metadata: metadata.flatten(),
            }),
            _ => Err(StoreError::Internal("validated address missing".into())),
        }
    }
}

/// The English short name of an ISO 3166-1 alpha-2 code.
pub fn country_name(code: &str) -> Option<&'static str> {
    rust_iso3166::from_alpha2(code).map(|c| c.name)
}

/// The name of a subdivision given by its country and short code (`US`, `NY`).
pub fn province_name(country: &str, code: &str) -> Option<&'static str> {
    iso3166_2::from_code(&format!("{country}-{code}")).map(|s| s.name)
}

/// A trimmed optional text without control characters; blank means none.
fn text(field: &str, value: &Option<String>, max: usize) -> Result<Option<String>, FieldError> {
    validate::printable(field, value.as_deref(), max)
}

fn required(field: &str, value: &Option<String>, max: usize) -> Result<String, FieldError> {
    validate::required(field, value.as_deref(), max)
}

fn postal_code(value: &Option<String>) -> Result<Option<String>, FieldError> {
    let Some(code) = text("postal_code", value, MAX_POSTAL_CODE)? else {
        return Ok(None);
    };
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(FieldError::new(
            "postal_code",
            "may only contain letters, digits, spaces and hyphens",
        ));
    }
    Ok(Some(code.to_ascii_uppercase()))
}

fn country(value: &Option<String>) -> Result<Option<String>, FieldError> {
    let Some(code) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Err(FieldError::new("country_code", "is required"));
    };
    let code = code.to_ascii_uppercase();
    match rust_iso3166::from_alpha2(&code) {
        Some(country) => Ok(Some(country.alpha2.to_owned())),
        None => Err(FieldError::new(
            "country_code",
            "is not an ISO 3166-1 alpha-2 country code",
        )),
    }
}

/// The short subdivision code (`NY`) of `country`, given short or with its country prefix.
fn province(country: &str, value: &Option<String>) -> Result<Option<String>, FieldError> {
    let Some(code) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let code = code.to_ascii_uppercase();
    let short = match code.split_once('-') {
        Some((prefix, short)) if prefix == country => short,
        _ => code.as_str(),
    };
    let known: &[iso3166_2::Subdivision] = iso3166_2::SUBDIVISION_COUNTRY_MAP
        .get(country)
        .copied()
        .unwrap_or_default();
    if known.is_empty() {
        return Err(FieldError::new(
            "province_code",
            format!("must be empty: {country} has no subdivisions"),
        ));
    }
    match known.iter().find(|s| s.region_code == short) {
        Some(subdivision) => Ok(Some(subdivision.region_code.to_owned())),
        None => Err(FieldError::new(
            "province_code",
            format!("is not an ISO 3166-2 subdivision of {country}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(country: &str, province: Option<&str>) -> AddressInput {
        AddressInput {
            address1: Some("1 Main St".into()),
            city: Some("Springfield".into()),
            country_code: Some(country.into()),
            province_code: province.map(Into::into),
            ..AddressInput::default()
        }
    }

    fn fields(result: Result<ValidAddress, StoreError>) -> Vec<(String, String)> {
        match result {
            Err(StoreError::InvalidInput { fields, .. }) => {
                fields.into_iter().map(|f| (f.field, f.message)).collect()
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn provinces_are_stored_short_in_either_spelling() {
        for (country, given, stored) in [
            ("us", "ny", "NY"),
            ("US", "US-NY", "NY"),
            ("FR", "fr-75c", "75C"),
            ("GB", "LND", "LND"),
        ] {
            let valid = ValidAddress::parse(&input(country, Some(given))).unwrap();
            assert_eq!(valid.country_code, country.to_ascii_uppercase());
            assert_eq!(valid.province_code.as_deref(), Some(stored), "{given}");
        }
        assert_eq!(province_name("US", "NY"), Some("New York"));
        assert_eq!(country_name("DE"), Some("Germany"));
    }

    #[test]
    fn provinces_must_belong_to_the_country() {
        assert_eq!(
            fields(ValidAddress::parse(&input("US", Some("CA-ON")))),
            vec![(
                "province_code".to_owned(),
                "is not an ISO 3166-2 subdivision of US".to_owned()
            )]
        );
        // Vatican City has no subdivisions.
        assert_eq!(
            fields(ValidAddress::parse(&input("VA", Some("X")))),
            vec![(
                "province_code".to_owned(),
                "must be empty: VA has no subdivisions".to_owned()
            )]
        );
        assert!(ValidAddress::parse(&input("VA", Some("  "))).is_ok());
    }

    #[test]
    fn texts_are_trimmed_and_blank_means_none() {
        let mut raw = input("DE", None);
        raw.label = Some("  ".into());
        raw.first_name = Some("  Ada ".into());
        raw.city = Some(format!(" {} ", "é".repeat(MAX_NAME)));
        let valid = ValidAddress::parse(&raw).unwrap();
        assert_eq!(valid.label, None);
        assert_eq!(valid.first_name.as_deref(), Some("Ada"));
        assert_eq!(valid.city.chars().count(), MAX_NAME);
    }
}
