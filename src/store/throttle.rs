//! Throttling: fixed-window counters in the `rate_limits` table, so every instance on one
//! database shares them. Each attempt counts, whichever surface it came through, and however
//! many attempts one request carries (aliases, batches): the count happens here, in the
//! store function each attempt calls.

use std::net::IpAddr;
use std::time::Duration;

use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamp};
use diesel_async::RunQueryDsl;

use super::{Store, StoreError, now, tokens};
use crate::db::DbConn;
use crate::db::schema::rate_limits;
use crate::db_run;

/// What an attempt is, for the bucket name.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    Login,
    Register,
    Refresh,
    Reset,
    /// Mail about the account the customer asks for: a verification resend, an email change,
    /// a data export.
    AccountMail,
    /// A gift card code tried on a cart: codes must not be guessable by brute force.
    GiftCard,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Register => "register",
            Self::Refresh => "refresh",
            Self::Reset => "reset",
            Self::AccountMail => "account_mail",
            Self::GiftCard => "gift_card",
        }
    }
}

/// A counter one attempt counts against, and its limit.
pub struct Bucket {
    name: String,
    max: u32,
}

/// Counts one attempt from `ip` (when known) and fails with `RATE_LIMITED` past the limit.
pub async fn per_ip(store: &Store, action: Action, ip: Option<IpAddr>) -> Result<(), StoreError> {
    count(store, ip_bucket(store, action, ip).as_slice()).await
}

/// Counts one attempt against each bucket in turn, stopping at the first one past its limit
/// (the later ones are not counted, as when asked one by one), in one turn of SQLite's write
/// lock: a sign-in under load waits for the writer once for its throttles, not once each.
pub async fn count(store: &Store, buckets: &[Bucket]) -> Result<(), StoreError> {
    if buckets.is_empty() {
        return Ok(());
    }
    let window = store.config().throttle.window;
    let mut conn = store.db().write_conn().await?;
    for bucket in buckets {
        hit(&mut conn, bucket, window).await?;
    }
    Ok(())
}

/// The per-IP bucket of `action`, when the client's address is known.
pub fn ip_bucket(store: &Store, action: Action, ip: Option<IpAddr>) -> Option<Bucket> {
    let ip = ip?;
    let limits = &store.config().throttle;
    let max = match action {
        Action::Login => limits.login_per_ip,
        Action::Register => limits.register_per_ip,
        Action::Refresh => limits.refresh_per_ip,
        Action::Reset => limits.reset_per_ip,
        Action::AccountMail => limits.account_mail_per_ip,
        Action::GiftCard => limits.gift_card_per_ip,
    };
    Some(Bucket {
        name: format!("{}:ip:{ip}", action.as_str()),
        max,
    })
}

/// Counts one attempt on the account named by `email` (normalised), known or not. The bucket
/// holds a hash of the email, not the email.
pub async fn per_account(store: &Store, action: Action, email: &str) -> Result<(), StoreError> {
    count(store, &[account_bucket(store, action, email)]).await
}

/// The per-account bucket of `action` for `email` (see [`per_account`]).
pub fn account_bucket(store: &Store, action: Action, email: &str) -> Bucket {
    let limits = &store.config().throttle;
    let max = match action {
        Action::Reset => limits.reset_per_account,
        Action::AccountMail => limits.account_mail_per_account,
        Action::GiftCard => limits.gift_card_per_account,
        _ => limits.login_per_account,
    };
    Bucket {
        name: format!("{}:account:{}", action.as_str(), &tokens::hash(email)[..32]),
        max,
    }
}

/// Counts one failed-login-style attempt on the account named by `email` from the network of
/// `ip` (its /24, or /64 for IPv6). The backoff is per account *and* network, so an attacker
/// hammering a victim's account locks out only their own network's attempts on it: the victim
/// signs in from anywhere else as usual. Spreading a guessing attack over many networks meets
/// the per-IP limit of each.
pub async fn per_account_from(
    store: &Store,
    action: Action,
    email: &str,
    ip: Option<IpAddr>,
) -> Result<(), StoreError> {
    count(store, &[account_net_bucket(store, action, email, ip)]).await
}

/// The per-account-and-network bucket of `action` (see [`per_account_from`]).
pub fn account_net_bucket(
    store: &Store,
    action: Action,
    email: &str,
    ip: Option<IpAddr>,
) -> Bucket {
    let limits = &store.config().throttle;
    let max = match action {
        Action::Reset => limits.reset_per_account,
        Action::AccountMail => limits.account_mail_per_account,
        Action::GiftCard => limits.gift_card_per_account,
        _ => limits.login_per_account,
    };
    let network = ip.map(network_of).unwrap_or_default();
    let key = tokens::hash(&format!("{email}\0{network}"));
    Bucket {
        name: format!("{}:account_net:{}", action.as_str(), &key[..32]),
        max,
    }
}

/// The network an address belongs to, as a throttle sees it: /24 for IPv4, /64 for IPv6 (one
/// customer or household holds a whole /64).
fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// One hit on `bucket`: a single upsert that starts a new window when the old one is over,
/// so concurrent hits never lose a count on either backend.
async fn hit(conn: &mut DbConn, bucket: &Bucket, window: Duration) -> Result<(), StoreError> {
    let Bucket { name: bucket, max } = bucket;
    let now = now();
    let window = chrono::Duration::from_std(window)
        .map_err(|e| StoreError::Internal(format!("throttle window: {e}")))?;
    let cutoff = now - window;
    let (hits, started): (i32, chrono::NaiveDateTime) = db_run!(conn, |c| {
        let expired = rate_limits::window_started_at.le(cutoff);
        diesel::insert_into(rate_limits::table)
            .values((
                rate_limits::bucket.eq(bucket),
                rate_limits::window_started_at.eq(now),
                rate_limits::hits.eq(1),
            ))
            .on_conflict(rate_limits::bucket)
            .do_update()
            .set((
                rate_limits::hits
                    .eq(case_when(expired, 1.into_sql::<Integer>())
                        .otherwise(rate_limits::hits + 1)),
                rate_limits::window_started_at.eq(case_when(expired, now.into_sql::<Timestamp>())
                    .otherwise(rate_limits::window_started_at)),
            ))
            .returning((rate_limits::hits, rate_limits::window_started_at))
            .get_result(c)
            .await
    })?;
    if i64::from(hits) > i64::from(*max) {
        let left = (started + window - now).num_milliseconds().max(0);
        let retry_after_secs = (left as u64).div_ceil(1000).max(1);
        tracing::warn!(
            bucket = bucket.split(':').take(2).collect::<Vec<_>>().join(":"),
            retry_after_secs,
            "throttled"
        );
        return Err(StoreError::RateLimited { retry_after_secs });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_group_a_household() {
        assert_eq!(
            network_of("203.0.113.77".parse().unwrap()),
            "203.0.113.0/24"
        );
        assert_eq!(
            network_of("2001:db8:1:2:aaaa::1".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
    }
}
