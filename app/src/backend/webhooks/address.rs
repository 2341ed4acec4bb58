//! Where deliveries may go, and how an address is shown.

use reqwest::Url;

/// An address deliveries may go to: `https://` (or `http://`, for receivers inside the network),
/// with a host and a valid port, without credentials (they would be shown) or a fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(Url);

impl Address {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        if text.is_empty() {
            return Err("is required".into());
        }
        if text.len() > 2000 {
            return Err("must be at most 2000 characters".into());
        }
        let Some(rest) = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
        else {
            return Err("must start with https:// (or http://)".into());
        };
        if rest.starts_with(['/', ':', '?', '#']) || rest.is_empty() {
            return Err("must name a host after https://".into());
        }
        let url = Url::parse(text)
            .map_err(|_| "is not a web address: check the host name and the port".to_owned())?;
        if url.host_str().unwrap_or_default().is_empty() {
            return Err("must name a host after https://".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry a user name or password; put secrets in the path".into());
        }
        if url.fragment().is_some() {
            return Err("must not have a fragment (#…): it is never sent".into());
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// How an address is shown and audited: its scheme and host (as the portal reads them) only.
/// Chat services put the secret in the path (`hooks.slack.com/services/T…/B…/secret`), which
/// admins must not copy from a list.
pub fn shown(url: &str) -> String {
    let Ok(url) = Url::parse(url) else {
        return "an address that no longer reads".to_owned();
    };
    let host = url.host_str().unwrap_or_default();
    let port = url
        .port()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let tail = if url.path().trim_start_matches('/').is_empty() && url.query().is_none() {
        ""
    } else {
        "/…"
    };
    format!("{}://{host}{port}{tail}", url.scheme())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_scheme_a_host_and_a_port_and_carry_no_credentials() {
        assert_eq!(
            Address::parse(" https://hooks.example.com/x?y=1 ").map(|a| a.as_str().to_owned()),
            Ok("https://hooks.example.com/x?y=1".to_owned())
        );
        assert!(Address::parse("http://10.0.0.5:8080/hook").is_ok());
        assert!(Address::parse("https://a").is_ok(), "short hosts are hosts");
        for bad in [
            "",
            "hooks.example.com/x",
            "ftp://example.com/x",
            "https://",
            "https:///path",
            "https://:443/x",
            "https://h:99999/x",
            "https://user:pw@example.com/x",
            "https://example.com/x#frag",
            "https://exa mple.com/",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Address::parse(&format!("https://e.com/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn addresses_are_shown_by_the_host_they_reach_without_their_path() {
        assert_eq!(
            shown("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(shown("http://10.0.0.5:8080/"), "http://10.0.0.5:8080");
        assert_eq!(shown("https://e.com?key=1"), "https://e.com/…");
        // What the client will connect to, not the text as typed.
        assert_eq!(
            shown("https://hooks.slack.com%2eevil.net/x"),
            "https://hooks.slack.com.evil.net/…"
        );
    }
}
