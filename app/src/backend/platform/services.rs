//! What every request handler and server function can use, provided once per request.

use sqlx::PgPool;

use crate::backend::identity::auth::totp::SealingKey;
use crate::backend::platform::clock::Clock;
use crate::backend::platform::signing::SigningKeys;

#[derive(Clone, Debug)]
pub struct Services {
    pub pool: PgPool,
    pub clock: Clock,
    /// Seals TOTP secrets at rest; lives outside the database.
    pub totp_key: SealingKey,
    /// Sign decision receipts; live outside the database.
    pub signing_keys: std::sync::Arc<SigningKeys>,
    /// Where people reach the portal, for links such as invitations (no trailing slash).
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed; empty: the socket's peer is the
    /// client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// This instance's compiled scanner rules (rebuilt when a detector or class changes).
    pub scanners: std::sync::Arc<crate::backend::scan::ScannerCache>,
    /// This instance's policy answers (forgotten when what they were read from changes).
    pub policies: std::sync::Arc<crate::backend::registry::policy::PolicyCache>,
    /// Writes this instance's scan records, committing those of concurrent scans together.
    pub scan_records: std::sync::Arc<crate::backend::scan::records::Writer>,
    /// Sends e-mail (`serve --smtp-host`); `None`: notifications stay in the portal.
    pub mailer: Option<std::sync::Arc<crate::backend::mail::Mailer>>,
    /// The organization's OpenID provider (`serve --oidc-issuer`); `None`: passwords only.
    pub sso: Option<std::sync::Arc<crate::backend::identity::sso::Sso>>,
}

/// Every `X-Forwarded-For` header of a request, in order, as one list: proxies that add a
/// header line of their own (rather than appending to the last) must not leave the client's
/// forged first line as the only one read.
pub fn forwarded_for(headers: &http::HeaderMap) -> Option<String> {
    let lines: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!lines.is_empty()).then(|| lines.join(","))
}

/// A form the browser posted itself (not a call from a page's script): Leptos answers its errors
/// by sending the browser back to the form's page with the error in the address.
pub fn plain_form_post(method: &http::Method, headers: &http::HeaderMap) -> bool {
    method == http::Method::POST
        && headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_forwarded_for_line_is_read_in_order() {
        let mut headers = http::HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6".parse().expect("value"));
        headers.append("x-forwarded-for", "203.0.113.7".parse().expect("value"));
        let joined = forwarded_for(&headers);
        assert_eq!(joined.as_deref(), Some("6.6.6.6,203.0.113.7"));
        let proxy = services(&["10.0.0.1"]);
        assert_eq!(
            proxy.client_address(Some("10.0.0.1".parse().expect("ip")), joined.as_deref()),
            Some("203.0.113.7".parse().expect("ip")),
            "the line the proxy added wins over the client's own"
        );
        assert_eq!(forwarded_for(&http::HeaderMap::new()), None);
    }

    fn services(trusted: &[&str]) -> Services {
        Services {
            pool: sqlx::PgPool::connect_lazy("postgres://unused@localhost/unused")
                .expect("lazy pool"),
            clock: Clock::system(),
            totp_key: SealingKey::from_bytes([0; 32]),
            signing_keys: std::sync::Arc::new(
                SigningKeys::from_pairs(vec![
                    crate::backend::platform::signing::KeyPair::from_seed([1; 32]),
                ])
                .expect("a key"),
            ),
            public_url: String::new(),
            trusted_proxies: trusted.iter().map(|ip| ip.parse().expect("ip")).collect(),
            scanners: Default::default(),
            policies: crate::backend::registry::policy::new_cache(
                crate::backend::platform::notified::TTL,
            ),
            scan_records: Default::default(),
            mailer: None,
            sso: None,
        }
    }

    fn ip(text: &str) -> Option<std::net::IpAddr> {
        Some(text.parse().expect("ip"))
    }

    #[tokio::test]
    async fn the_socket_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        let direct = services(&[]);
        assert_eq!(
            direct.client_address(ip("192.0.2.1"), Some("203.0.113.9")),
            ip("192.0.2.1"),
            "a forged header is ignored"
        );
        let proxied = services(&["10.0.0.1", "10.0.0.2"]);
        assert_eq!(
            proxied.client_address(ip("10.0.0.1"), Some("198.51.100.7, 203.0.113.9, 10.0.0.2")),
            ip("203.0.113.9"),
            "the right-most address a trusted proxy did not add"
        );
        assert_eq!(proxied.client_address(ip("10.0.0.1"), None), ip("10.0.0.1"));
        assert_eq!(
            proxied.client_address(ip("10.0.0.1"), Some("junk, 203.0.113.9")),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxied.client_address(ip("10.0.0.1"), Some("203.0.113.9, junk")),
            ip("10.0.0.1"),
            "nothing past a malformed entry is believed"
        );
        assert_eq!(proxied.client_address(None, Some("203.0.113.9")), None);
    }
}
