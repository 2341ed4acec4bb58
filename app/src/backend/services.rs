//! What every request handler and server function can use, provided once per request.

use sqlx::PgPool;

use super::auth::totp::SealingKey;
use super::clock::Clock;

#[derive(Clone, Debug)]
pub struct Services {
    pub pool: PgPool,
    pub clock: Clock,
    /// Seals TOTP secrets at rest; lives outside the database.
    pub totp_key: SealingKey,
    /// Where people reach the portal, for links such as invitations (no trailing slash).
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed; empty: the socket's peer is the
    /// client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Services {
    /// The client's address: the socket's peer, unless that peer is a trusted proxy, in which
    /// case the right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_address(
        &self,
        peer: Option<std::net::IpAddr>,
        forwarded_for: Option<&str>,
    ) -> Option<std::net::IpAddr> {
        let peer = peer?;
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let Some(chain) = forwarded_for else {
            return Some(peer);
        };
        let mut client = peer;
        for hop in chain.rsplit(',') {
            match hop.trim().parse::<std::net::IpAddr>() {
                Ok(address) => {
                    client = address;
                    if !self.trusted_proxies.contains(&address) {
                        break;
                    }
                }
                // A malformed entry ends what can be believed.
                Err(_) => break,
            }
        }
        Some(client)
    }
}
