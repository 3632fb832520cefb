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
