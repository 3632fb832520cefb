//! Where a request comes from.

use std::net::{IpAddr, Ipv4Addr};

/// The client's network address, as the server determined it (the socket's peer, or the
/// first hop a trusted proxy vouched for). Rate limits are counted per address. It sits in
/// the GraphQL context beside the [`Actor`](crate::Actor), so modules never read headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl Default for ClientAddr {
    /// Calls that come from inside the process (the demo seeder, tests of services).
    fn default() -> Self {
        ClientAddr(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ClientAddr {
    /// The key every per-address rate limit counts under. An IPv4 client is its address; an
    /// IPv6 client is its /64, because one subscriber is routinely handed a whole /64 and could
    /// otherwise take 2⁶⁴ fresh addresses, each with a fresh budget. An IPv4-mapped IPv6
    /// address counts as the IPv4 address it carries.
    pub fn limit_key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;

    #[test]
    fn ipv6_clients_are_limited_by_their_64_and_ipv4_by_address() {
        let v6 = |s: &str| ClientAddr(IpAddr::V6(s.parse::<Ipv6Addr>().expect("an address")));
        assert_eq!(v6("2001:db8:1:2::1").limit_key(), "2001:db8:1:2::/64");
        assert_eq!(v6("2001:db8:1:2:ffff:1:2:3").limit_key(), v6("2001:db8:1:2::1").limit_key());
        assert_ne!(v6("2001:db8:1:3::1").limit_key(), v6("2001:db8:1:2::1").limit_key());
        assert_eq!(v6("::ffff:203.0.113.9").limit_key(), "203.0.113.9");
        let v4 = ClientAddr(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9)));
        assert_eq!(v4.limit_key(), "203.0.113.9");
        assert_ne!(ClientAddr(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10))).limit_key(), v4.limit_key());
    }
}
