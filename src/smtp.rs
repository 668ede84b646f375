//! The SMTP URL (`STOREFRONT_SMTP_URL`): checked when the configuration loads, turned into a
//! transport by the mailer. Here, between the two, so that the configuration needs nothing of
//! the service layer.

use std::time::Duration;

use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// Builds the SMTP transport for a URL. `smtp://` without a `tls=` parameter means STARTTLS
/// required, except on a loopback host (a local relay or a test sink), where it is plain;
/// `smtps://` is TLS from the first byte; `?tls=opportunistic|required` is honoured as given.
pub fn transport(url: &str) -> Result<AsyncSmtpTransportBuilder, String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    let loopback = match parsed.host() {
        // `smtp:` is not a special scheme to `url`, so IP addresses arrive as domains.
        Some(url::Host::Domain(d)) => {
            d == "localhost"
                || d.trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err("the URL names no host".into()),
    };
    let has_tls_param = parsed.query_pairs().any(|(k, _)| k == "tls");
    let url = if parsed.scheme() == "smtp" && !has_tls_param && !loopback {
        let mut with_tls = parsed.clone();
        with_tls.query_pairs_mut().append_pair("tls", "required");
        with_tls.to_string()
    } else {
        url.to_owned()
    };
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
        .map(|b| b.timeout(Some(Duration::from_secs(15))))
        .map_err(|e| e.to_string())
}

/// Whether `url` can be used as `STOREFRONT_SMTP_URL` (checked when the configuration loads;
/// building the transport itself needs a runtime, as its connection pool spawns a task).
pub fn check_url(url: &str) -> Result<(), String> {
    transport(url).map(|_| ())
}
