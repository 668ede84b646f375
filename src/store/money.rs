//! Money: integer minor units plus an ISO 4217 code. The currency's minor units and symbol come
//! from the `iso_currency` crate (ISO 4217 data), not from a table of our own.

use iso_currency::Currency;

/// An amount in a currency's minor units (cents for USD, yen for JPY).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    pub amount: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }

    fn iso(&self) -> Option<Currency> {
        Currency::from_code(&self.currency)
    }

    /// Digits after the decimal point: 2 for USD, 0 for JPY, 3 for KWD (2 for unknown codes).
    pub fn exponent(&self) -> u32 {
        self.iso().and_then(|c| c.exponent()).map_or(2, u32::from)
    }

    /// The amount as a decimal string in major units: `1999` USD is `"19.99"`, `500` JPY `"500"`.
    pub fn decimal(&self) -> String {
        let exponent = self.exponent();
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        let unit = 10u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            abs / unit,
            abs % unit,
            width = exponent as usize
        )
    }

    /// Parses a decimal amount in major units (`"19.99"`, `"20"`, as a query string sends
    /// it) into minor units of `currency`; more decimals than the currency has is an error.
    pub fn parse_decimal(value: &str, currency: &str) -> Option<i64> {
        let exponent = Self::new(0, currency).exponent() as usize;
        let value = value.trim();
        let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > exponent {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let fraction: i64 = format!("{fraction:0<exponent$}").parse().unwrap_or(0);
        whole
            .checked_mul(10i64.pow(exponent as u32))?
            .checked_add(fraction)
    }

    /// A display string with the currency's symbol: `"$19.99"`, `"€5.00"`, `"¥500"`; an unknown
    /// code is written after the number (`"19.99 XYZ"`).
    pub fn formatted(&self) -> String {
        let decimal = self.decimal();
        match self.iso() {
            Some(currency) => {
                let symbol = currency.symbol().symbol;
                match decimal.strip_prefix('-') {
                    Some(positive) => format!("-{symbol}{positive}"),
                    None => format!("{symbol}{decimal}"),
                }
            }
            None => format!("{decimal} {}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn amounts_follow_the_currency_minor_units() {
        assert_eq!(Money::new(1999, "USD").decimal(), "19.99");
        assert_eq!(Money::new(1999, "USD").formatted(), "$19.99");
        assert_eq!(Money::new(5, "EUR").formatted(), "€0.05");
        assert_eq!(Money::new(500, "JPY").decimal(), "500");
        assert_eq!(Money::new(500, "JPY").formatted(), "¥500");
        assert_eq!(Money::new(12345, "KWD").decimal(), "12.345");
        assert_eq!(Money::new(-250, "GBP").formatted(), "-£2.50");
        assert_eq!(Money::new(100, "XYZ").formatted(), "1.00 XYZ");
    }

    #[test]
    fn decimals_parse_into_minor_units() {
        assert_eq!(Money::parse_decimal("19.99", "USD"), Some(1999));
        assert_eq!(Money::parse_decimal("19.9", "USD"), Some(1990));
        assert_eq!(Money::parse_decimal("20", "USD"), Some(2000));
        assert_eq!(Money::parse_decimal("500", "JPY"), Some(500));
        assert_eq!(Money::parse_decimal("5.5", "JPY"), None);
        assert_eq!(Money::parse_decimal("1.999", "USD"), None);
        assert_eq!(Money::parse_decimal("-1", "USD"), None);
        assert_eq!(Money::parse_decimal("abc", "USD"), None);
    }
}
