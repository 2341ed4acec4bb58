//! Where to go after signing in: the page someone asked for before they were sent to sign in.
//! Only a path of this portal is accepted, so a crafted sign-in link cannot send anyone to
//! another site after they typed their password.

use crate::domain::query_value;

/// A local path (with its query) to return to after signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo(String);

impl ReturnTo {
    /// `None` unless `path` is a path of this site: it starts with one `/` (not `//` or `/\`,
    /// which browsers read as another host), holds no control characters and is not a
    /// sign-in page itself.
    pub fn parse(path: &str) -> Option<Self> {
        let local = path.starts_with('/')
            && !path.starts_with("//")
            && !path.starts_with("/\\")
            && path.len() <= 2048
            && !path.chars().any(|c| c.is_control() || c == '\\');
        let sign_in =
            path == "/sign-in" || path.starts_with("/sign-in/") || path.starts_with("/sign-in?");
        (local && !sign_in).then(|| Self(path.to_owned()))
    }

    /// `next` when it is a path of this portal, else the home page.
    pub fn or_home(next: &str) -> Self {
        Self::parse(next).unwrap_or_else(|| Self("/".to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `page` (a sign-in step), told to come back here: `page?next=…`, or plain `page` for the
    /// home page.
    pub fn link_from(&self, page: &str) -> String {
        if self.0 == "/" {
            return page.to_owned();
        }
        format!("{page}?next={}", query_value(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        for good in [
            "/",
            "/requests/12",
            "/tools?q=cursor&status=approved",
            "/audit#x",
        ] {
            assert_eq!(
                ReturnTo::parse(good).map(|r| r.as_str().to_owned()),
                Some(good.to_owned()),
                "{good}"
            );
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "/x\\y",
            "evil.example",
            "javascript:alert(1)",
            "/tools\n/x",
            "/sign-in",
            "/sign-in/code",
            "/sign-in?next=/x",
        ] {
            assert_eq!(ReturnTo::parse(bad), None, "{bad:?}");
        }
        assert_eq!(ReturnTo::parse(&format!("/{}", "a".repeat(3000))), None);
    }

    #[test]
    fn the_sign_in_link_carries_the_path_encoded() {
        let to = ReturnTo::parse("/tools?q=a b&status=approved").expect("local");
        assert_eq!(
            to.link_from("/sign-in"),
            "/sign-in?next=/tools%3Fq%3Da%20b%26status%3Dapproved"
        );
        assert_eq!(
            ReturnTo::or_home("https://evil.example/").link_from("/sign-in/code"),
            "/sign-in/code"
        );
        assert_eq!(ReturnTo::or_home("/requests/7").as_str(), "/requests/7");
    }
}
