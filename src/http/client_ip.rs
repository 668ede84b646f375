//! The client's address. It is the connection's peer, unless that peer is a proxy the
//! configuration trusts (`STOREFRONT_TRUSTED_PROXIES`): then `X-Forwarded-For` is read from the
//! right, skipping trusted proxies, and the first address that is not one is the client. A
//! client can prepend anything to the header; only what trusted proxies appended counts, so a
//! forged header changes nothing when the server is reached directly.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// The resolved client address, in the request's extensions.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

/// The client behind `peer`, given the proxies trusted.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|hop| hop.parse::<IpAddr>())
        .collect::<Result<_, _>>()
        // A hop that is not an address: the chain cannot be believed past the peer.
        .unwrap_or_default();
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        client = *hop;
        if !is_trusted(hop) {
            break;
        }
    }
    Some(client)
}

/// Middleware: resolves the client address once per request.
pub async fn record(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let ip = resolve(peer, request.headers(), &state.config.trusted_proxies);
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let forged = headers(&["1.2.3.4"]);
        // Straight from the internet: the header is ignored.
        assert_eq!(
            resolve(Some(ip("203.0.113.9")), &forged, &trusted),
            Some(ip("203.0.113.9"))
        );
        // Through our proxy: the address it appended.
        let chain = headers(&["1.2.3.4, 198.51.100.7"]);
        assert_eq!(
            resolve(Some(ip("10.1.2.3")), &chain, &trusted),
            Some(ip("198.51.100.7"))
        );
        // Two proxies of ours, headers split over lines.
        let chain = headers(&["1.2.3.4", "198.51.100.7, 10.9.9.9"]);
        assert_eq!(
            resolve(Some(ip("10.1.2.3")), &chain, &trusted),
            Some(ip("198.51.100.7"))
        );
        // Nothing forwarded, or garbage: the proxy itself.
        assert_eq!(
            resolve(Some(ip("10.1.2.3")), &HeaderMap::new(), &trusted),
            Some(ip("10.1.2.3"))
        );
        let junk = headers(&["not-an-ip, 198.51.100.7"]);
        assert_eq!(
            resolve(Some(ip("10.1.2.3")), &junk, &trusted),
            Some(ip("10.1.2.3"))
        );
        // No proxies trusted: always the peer.
        assert_eq!(
            resolve(Some(ip("10.1.2.3")), &chain, &[]),
            Some(ip("10.1.2.3"))
        );
    }
}
