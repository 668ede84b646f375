//! Mail templates: `templates/mail/*.txt` and `*.html` of the repository, embedded at compile
//! time. A template names its values as `{{name}}`; the plain text takes them as they are, the
//! HTML escapes every value except the blocks built here from escaped pieces (order lines,
//! addresses). No template engine: four small mails do not need one.

use std::borrow::Cow;

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::store::money::Money;
use crate::store::orders::{LineItem, Order, OrderAddress};

const LAYOUT: &str = include_str!("../../../templates/mail/layout.html");

/// One template in its two forms.
struct Template {
    text: &'static str,
    html: &'static str,
}

const PASSWORD_RESET: Template = Template {
    text: include_str!("../../../templates/mail/password_reset.txt"),
    html: include_str!("../../../templates/mail/password_reset.html"),
};
const PASSWORD_CHANGED: Template = Template {
    text: include_str!("../../../templates/mail/password_changed.txt"),
    html: include_str!("../../../templates/mail/password_changed.html"),
};
const EMAIL_VERIFICATION: Template = Template {
    text: include_str!("../../../templates/mail/email_verification.txt"),
    html: include_str!("../../../templates/mail/email_verification.html"),
};
const EMAIL_CHANGE_CONFIRM: Template = Template {
    text: include_str!("../../../templates/mail/email_change_confirm.txt"),
    html: include_str!("../../../templates/mail/email_change_confirm.html"),
};
const EMAIL_CHANGE_NOTICE: Template = Template {
    text: include_str!("../../../templates/mail/email_change_notice.txt"),
    html: include_str!("../../../templates/mail/email_change_notice.html"),
};
const DATA_EXPORT: Template = Template {
    text: include_str!("../../../templates/mail/data_export.txt"),
    html: include_str!("../../../templates/mail/data_export.html"),
};
const ACCOUNT_DELETED: Template = Template {
    text: include_str!("../../../templates/mail/account_deleted.txt"),
    html: include_str!("../../../templates/mail/account_deleted.html"),
};
const ORDER_CONFIRMATION: Template = Template {
    text: include_str!("../../../templates/mail/order_confirmation.txt"),
    html: include_str!("../../../templates/mail/order_confirmation.html"),
};
const ORDER_SHIPPED: Template = Template {
    text: include_str!("../../../templates/mail/order_shipped.txt"),
    html: include_str!("../../../templates/mail/order_shipped.html"),
};

/// A mail ready to queue: subject, plain text and HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A value of a template: text (escaped in HTML), or a block given in both forms.
enum Value {
    Text(String),
    Block { text: String, html: String },
}

type Values = Vec<(&'static str, Value)>;

fn text(name: &'static str, value: impl Into<String>) -> (&'static str, Value) {
    (name, Value::Text(value.into()))
}

/// The reset mail: the link carries the token and works for `minutes`.
pub fn password_reset(config: &Config, link: &str, minutes: u64) -> Rendered {
    let subject = format!("Reset your {} password", config.shop_name);
    let values = vec![text("link", link), text("minutes", minutes.to_string())];
    render(config, subject, &PASSWORD_RESET, values)
}

/// "Your password was changed", with the way back if it was not the customer.
pub fn password_changed(config: &Config, email: &str, at: NaiveDateTime) -> Rendered {
    let subject = format!("Your {} password was changed", config.shop_name);
    let values = vec![
        text("email", email),
        text("at", when(at)),
        text("link", format!("{}/forgot-password", config.public_url)),
    ];
    render(config, subject, &PASSWORD_CHANGED, values)
}

/// "Confirm your email": the link carries the verification token and works for `hours`.
pub fn email_verification(config: &Config, email: &str, link: &str, hours: u64) -> Rendered {
    let subject = format!("Confirm your email for {}", config.shop_name);
    let values = vec![
        text("email", email),
        text("link", link),
        text("hours", hours.to_string()),
    ];
    render(config, subject, &EMAIL_VERIFICATION, values)
}

/// To the new address of an email change: the link that confirms it.
pub fn email_change_confirm(config: &Config, new_email: &str, link: &str, hours: u64) -> Rendered {
    let subject = format!("Confirm your new email for {}", config.shop_name);
    let values = vec![
        text("email", new_email),
        text("link", link),
        text("hours", hours.to_string()),
    ];
    render(config, subject, &EMAIL_CHANGE_CONFIRM, values)
}

/// To the old address of an email change: what was asked, and the link that cancels it.
pub fn email_change_notice(
    config: &Config,
    email: &str,
    new_email: &str,
    link: &str,
    hours: u64,
) -> Rendered {
    let subject = format!("Your {} email is about to change", config.shop_name);
    let values = vec![
        text("email", email),
        text("new_email", new_email),
        text("link", link),
        text("hours", hours.to_string()),
    ];
    render(config, subject, &EMAIL_CHANGE_NOTICE, values)
}

/// The download link of a data export.
pub fn data_export(config: &Config, email: &str, link: &str, hours: u64) -> Rendered {
    let subject = format!("Your data from {}", config.shop_name);
    let values = vec![
        text("email", email),
        text("link", link),
        text("hours", hours.to_string()),
    ];
    render(config, subject, &DATA_EXPORT, values)
}

/// The last mail to a deleted account's address.
pub fn account_deleted(config: &Config, at: NaiveDateTime) -> Rendered {
    let subject = format!("Your {} account was deleted", config.shop_name);
    render(
        config,
        subject,
        &ACCOUNT_DELETED,
        vec![text("at", when(at))],
    )
}

/// The order confirmation: lines, totals, addresses and the link to follow the order
/// (`guest_token` makes it the guest's link, which opens the order without an account).
pub fn order_confirmation(
    config: &Config,
    order: &Order,
    lines: &[LineItem],
    guest_token: Option<&str>,
) -> Rendered {
    let number = order.number.clone().unwrap_or_default();
    let subject = format!("Your {} order {number}", config.shop_name);
    let money = |amount: i64| Money::new(amount, order.currency.clone()).formatted();
    let values = vec![
        greeting(order),
        text("number", number),
        text(
            "placed_at",
            when(order.completed_at.unwrap_or(order.created_at)),
        ),
        order_lines(lines),
        text("item_total", money(order.item_total)),
        text("shipping_total", money(order.shipping_total)),
        text("tax_total", money(order.tax_total)),
        text("total", money(order.total)),
        address("shipping_address", order.shipping_address()),
        address(
            "billing_address",
            order.billing_address().or(order.shipping_address()),
        ),
        text("link", order_link(config, order, guest_token)),
    ];
    render(config, subject, &ORDER_CONFIRMATION, values)
}

/// "Your order has shipped", with the tracking number when the fulfilment gave one.
pub fn order_shipped(config: &Config, order: &Order) -> Rendered {
    let number = order.number.clone().unwrap_or_default();
    let subject = format!("Your {} order {number} has shipped", config.shop_name);
    let tracking = match &order.tracking_number {
        Some(t) => Value::Block {
            text: format!("Tracking number: {t}\n"),
            html: format!("<p>Tracking number: <strong>{}</strong></p>", escape(t)),
        },
        None => Value::Text(String::new()),
    };
    let values = vec![
        greeting(order),
        text("number", number),
        ("tracking", tracking),
        address("shipping_address", order.shipping_address()),
        text("link", order_link(config, order, None)),
    ];
    render(config, subject, &ORDER_SHIPPED, values)
}

/// The page of an order: the account's order page, or the guest's page (with the token when
/// known).
pub fn order_link(config: &Config, order: &Order, guest_token: Option<&str>) -> String {
    let number = order.number.as_deref().unwrap_or_default();
    match (&order.customer_id, guest_token) {
        (Some(_), _) => format!("{}/account/orders/{number}", config.public_url),
        (None, Some(token)) => format!("{}/orders/{number}?token={token}", config.public_url),
        // A guest's later mails: the token is only in the confirmation (it is stored hashed).
        (None, None) => format!("{}/orders/{number}", config.public_url),
    }
}

/// ", Ada" when the shipping address has a first name.
fn greeting(order: &Order) -> (&'static str, Value) {
    let name = order
        .shipping_address()
        .and_then(|a| a.first_name)
        .map(|n| format!(", {n}"))
        .unwrap_or_default();
    text("greeting", name)
}

fn order_lines(lines: &[LineItem]) -> (&'static str, Value) {
    let mut plain = String::new();
    let mut html = String::new();
    for line in lines {
        let money = |amount: i64| Money::new(amount, line.currency.clone()).formatted();
        let name = if line.options_text.is_empty() {
            line.name.clone()
        } else {
            format!("{} ({})", line.name, line.options_text)
        };
        plain.push_str(&format!(
            "{} x {name} at {} = {}\n",
            line.quantity,
            money(line.unit_price),
            money(line.total)
        ));
        html.push_str(&format!(
            "<tr style=\"border-bottom:1px solid #f5f5f4;\"><td>{}</td>\
             <td style=\"text-align:right;\">{}</td><td style=\"text-align:right;\">{}</td>\
             <td style=\"text-align:right;\">{}</td></tr>\n",
            escape(&name),
            line.quantity,
            escape(&money(line.unit_price)),
            escape(&money(line.total)),
        ));
    }
    ("lines", Value::Block { text: plain, html })
}

fn address(name: &'static str, address: Option<OrderAddress>) -> (&'static str, Value) {
    let Some(a) = address else {
        return text(name, "-");
    };
    let place = [
        Some(a.city.clone()),
        a.province_name()
            .map(str::to_owned)
            .or(a.province_code.clone()),
        a.postal_code.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let lines: Vec<String> = [
        a.full_name(),
        a.company.clone(),
        Some(a.address1.clone()),
        a.address2.clone(),
        Some(place),
        Some(
            a.country_name()
                .map_or_else(|| a.country_code.clone(), str::to_owned),
        ),
        a.phone.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|l| !l.trim().is_empty())
    .collect();
    let html = lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br>");
    (
        name,
        Value::Block {
            text: lines.join("\n"),
            html,
        },
    )
}

fn when(at: NaiveDateTime) -> String {
    at.format("%-d %B %Y at %H:%M UTC").to_string()
}

fn render(config: &Config, subject: String, template: &Template, values: Values) -> Rendered {
    let mut values = values;
    values.push(text("shop", config.shop_name.clone()));
    let find = |name: &str| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
    let text = fill(template.text, |name| {
        find(name).map(|v| match v {
            Value::Text(t) | Value::Block { text: t, .. } => Cow::Borrowed(t.as_str()),
        })
    });
    let as_html = |name: &str| {
        find(name).map(|v| match v {
            Value::Text(t) => Cow::Owned(escape(t)),
            Value::Block { html, .. } => Cow::Borrowed(html.as_str()),
        })
    };
    let content = fill(template.html, as_html);
    let html = fill(LAYOUT, |name| match name {
        "content" => Some(Cow::Borrowed(content.as_str())),
        "subject" => Some(Cow::Owned(escape(&subject))),
        "public_url" => Some(Cow::Owned(escape(&config.public_url))),
        other => as_html(other),
    });
    Rendered {
        subject,
        text,
        html,
    }
}

/// Replaces each `{{name}}` with its value. A name without a value is a mistake in a template
/// (a unit test renders every one); it is left out rather than shown.
fn fill<'a>(template: &str, value: impl Fn(&str) -> Option<Cow<'a, str>>) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        match value(name) {
            Some(v) => out.push_str(&v),
            None => tracing::error!(name, "a mail template names a value it is not given"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// HTML text escaping, also safe inside double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_lookup(|name| match name {
            "STOREFRONT_SHOP_NAME" => Some("Tom & Jerry's <Shop>".into()),
            "STOREFRONT_PUBLIC_URL" => Some("https://shop.test".into()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn every_value_is_filled_and_escaped_in_html() {
        let config = config();
        let mail = password_reset(&config, "https://shop.test/r?a=1&token=abc", 15);
        assert_eq!(mail.subject, "Reset your Tom & Jerry's <Shop> password");
        assert!(mail.text.contains("https://shop.test/r?a=1&token=abc"));
        assert!(mail.text.contains("within 15 minutes"));
        assert!(
            mail.html
                .contains("href=\"https://shop.test/r?a=1&amp;token=abc\"")
        );
        assert!(mail.html.contains("Tom &amp; Jerry&#39;s &lt;Shop&gt;"));
        assert!(!mail.html.contains("<Shop>"));
        for rendered in [
            mail,
            password_changed(&config, "a@b.c", crate::store::now()),
            email_verification(&config, "a@b.c", "https://shop.test/v", 24),
            email_change_confirm(&config, "n@b.c", "https://shop.test/c", 24),
            email_change_notice(&config, "a@b.c", "n@b.c", "https://shop.test/x", 24),
            data_export(&config, "a@b.c", "https://shop.test/d", 24),
            account_deleted(&config, crate::store::now()),
        ] {
            assert!(!rendered.text.contains("{{") && !rendered.html.contains("{{"));
        }
    }

    #[test]
    fn fill_leaves_out_unknown_names_and_keeps_unclosed_braces() {
        assert_eq!(
            fill("a{{x}}b{{y}}c", |n| (n == "x").then_some("X".into())),
            "aXbc"
        );
        assert_eq!(fill("a{{x", |_| None), "a{{x");
    }
}
