//! The client's address: the socket's peer, or what `X-Forwarded-For` says when the peer is
//! a proxy the operator trusts. Rate limits are counted per address, so believing the header
//! from anyone else would let every request claim a fresh address.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed (`ROSTER_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses IPs and CIDR ranges; `Err` names the first entry that is neither.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| entry.to_owned())?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address for a request from `peer` with these headers.
    ///
    /// Behind trusted proxies, the `X-Forwarded-For` hops are read from the right (the
    /// nearest proxy) leftwards, and the first hop that is not itself a trusted proxy is the
    /// client. Hops further left were written by the client and prove nothing. A malformed
    /// hop ends the walk at the last address a trusted proxy vouched for.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:192.0.2.1`) count as the IPv4 address, so one
/// client cannot be two keys.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in xff {
            map.append("x-forwarded-for", value.parse().expect("a header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_trusted() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_address(ip("203.0.113.9"), &headers(&["198.51.100.1"])), ip("203.0.113.9"));
        let trusted = TrustedProxies::parse(&["10.0.0.0/8".into()]).expect("valid");
        assert_eq!(trusted.client_address(ip("203.0.113.9"), &headers(&["198.51.100.1"])), ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8".into(), "192.0.2.7".into()]).expect("valid");
        // The client forged the leftmost hop; the proxies appended the real one.
        let forged = headers(&["1.1.1.1, 198.51.100.1", "10.1.2.3"]);
        assert_eq!(trusted.client_address(ip("192.0.2.7"), &forged), ip("198.51.100.1"));
        assert_eq!(
            trusted.client_address(ip("::ffff:10.0.0.1"), &headers(&["::ffff:198.51.100.2"])),
            ip("198.51.100.2")
        );
        // Nothing but trusted hops: the leftmost of them.
        assert_eq!(trusted.client_address(ip("10.0.0.1"), &headers(&["10.0.0.2"])), ip("10.0.0.2"));
        // A malformed hop stops the walk at the last vouched-for address.
        assert_eq!(trusted.client_address(ip("10.0.0.1"), &headers(&["nonsense"])), ip("10.0.0.1"));
        assert_eq!(trusted.client_address(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
    }

    #[test]
    fn entries_must_be_addresses_or_ranges() {
        assert!(TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into(), " ".into()]).is_ok());
        assert_eq!(
            TrustedProxies::parse(&["proxy.internal".into()]).err().as_deref(),
            Some("proxy.internal")
        );
    }
}
