//! The built-in detectors: a candidate pattern each, and a check that a candidate is the real
//! thing (a check digit, a known prefix, a decodable header, not a placeholder). Patterns are
//! ASCII-only (`(?-u:\b)`) so one DFA runs them all over any input, and ordered most specific
//! first: where two start at the same place, the earlier one is tried first.

use serde::{Deserialize, Serialize};

use super::checks;

/// A detector the portal knows how to validate, named in rules by its slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Builtin {
    AwsAccessKeyId,
    AwsSecretKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    GoogleApiKey,
    PemPrivateKey,
    Jwt,
    ConnectionStringPassword,
    ConfigPassword,
    Email,
    ThaiNationalId,
    UsSsn,
    Iban,
    PaymentCard,
    Phone,
}

// Word boundaries are ASCII: a Unicode `\b` makes the DFA give up on non-ASCII text.
const B: &str = r"(?-u:\b)";

impl Builtin {
    pub const ALL: [Builtin; 18] = [
        Self::AwsAccessKeyId,
        Self::AwsSecretKey,
        Self::GithubToken,
        Self::GitlabToken,
        Self::SlackToken,
        Self::SlackWebhook,
        Self::StripeKey,
        Self::GoogleApiKey,
        Self::PemPrivateKey,
        Self::Jwt,
        Self::ConnectionStringPassword,
        Self::ConfigPassword,
        Self::Email,
        Self::ThaiNationalId,
        Self::UsSsn,
        Self::Iban,
        Self::PaymentCard,
        Self::Phone,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::AwsAccessKeyId => "aws-access-key-id",
            Self::AwsSecretKey => "aws-secret-key",
            Self::GithubToken => "github-token",
            Self::GitlabToken => "gitlab-token",
            Self::SlackToken => "slack-token",
            Self::SlackWebhook => "slack-webhook",
            Self::StripeKey => "stripe-key",
            Self::GoogleApiKey => "google-api-key",
            Self::PemPrivateKey => "pem-private-key",
            Self::Jwt => "jwt",
            Self::ConnectionStringPassword => "connection-string-password",
            Self::ConfigPassword => "config-password",
            Self::Email => "email",
            Self::ThaiNationalId => "thai-national-id",
            Self::UsSsn => "us-ssn",
            Self::Iban => "iban",
            Self::PaymentCard => "payment-card",
            Self::Phone => "phone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::AwsAccessKeyId => "AWS access key id",
            Self::AwsSecretKey => "AWS secret access key",
            Self::GithubToken => "GitHub token",
            Self::GitlabToken => "GitLab token",
            Self::SlackToken => "Slack token",
            Self::SlackWebhook => "Slack webhook",
            Self::StripeKey => "Stripe API key",
            Self::GoogleApiKey => "Google API key",
            Self::PemPrivateKey => "PEM private key",
            Self::Jwt => "JSON Web Token",
            Self::ConnectionStringPassword => "Password in a connection string",
            Self::ConfigPassword => "Password or secret in a config assignment",
            Self::Email => "E-mail address",
            Self::ThaiNationalId => "Thai national ID number (check digit)",
            Self::UsSsn => "US social security number (issued ranges)",
            Self::Iban => "IBAN (mod 97)",
            Self::PaymentCard => "Payment card number (Luhn)",
            Self::Phone => "Phone number (international and Thai)",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.slug() == slug.trim())
    }

    /// The candidate pattern: what `rg` is given in the benchmark.
    pub fn pattern(self) -> String {
        match self {
            Self::AwsAccessKeyId => format!("{B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{{16}}{B}"),
            Self::AwsSecretKey => {
                r#"(?i:aws_?secret_?(?:access_?)?key)["']?[ \t]*[:=][ \t]*["']?[A-Za-z0-9/+]{40}"#
                    .to_owned()
            }
            Self::GithubToken => {
                format!("{B}(?:gh[pousr]_[A-Za-z0-9]{{36}}|github_pat_[A-Za-z0-9_]{{82}}){B}")
            }
            Self::GitlabToken => format!("{B}glpat-[A-Za-z0-9_-]{{20}}"),
            Self::SlackToken => format!("{B}xox[abposr]-[0-9]{{8,13}}-[A-Za-z0-9-]{{8,80}}"),
            Self::SlackWebhook => {
                "https://hooks\\.slack\\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{20,32}"
                    .to_owned()
            }
            Self::StripeKey => format!("{B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{{24,99}}{B}"),
            Self::GoogleApiKey => format!("{B}AIza[0-9A-Za-z_-]{{35}}"),
            Self::PemPrivateKey => "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----".to_owned(),
            Self::Jwt => {
                // Open-ended runs stay cheap for the DFA (large counted ones would not); a
                // rejected candidate covers its span, so none is re-read from every byte.
                format!("{B}eyJ[A-Za-z0-9_-]{{8,}}\\.eyJ[A-Za-z0-9_-]{{8,}}\\.[A-Za-z0-9_-]{{16,}}")
            }
            Self::ConnectionStringPassword => format!(
                r#"{B}[a-z][a-z0-9+.-]{{1,20}}://[^\s:/@'"]{{1,64}}:[^\s@/'"]{{1,128}}@[^\s/'"]{{1,255}}"#
            ),
            Self::ConfigPassword => format!(
                r#"(?i:{B}(?:[a-z0-9]+_)*(?:password|passwd|pwd|secret|client_?secret|api_?key|access_?token|auth_?token){B})["']?[ \t]*[:=][ \t]*["']?[^\s"',;]{{6,128}}"#
            ),
            Self::Email => format!(
                "{B}[A-Za-z0-9._%+-]{{1,64}}@[A-Za-z0-9-]{{1,63}}(?:\\.[A-Za-z0-9-]{{1,63}})*\\.[A-Za-z]{{2,24}}{B}"
            ),
            Self::ThaiNationalId => format!("{B}[1-8](?:[ -]?[0-9]){{12}}{B}"),
            Self::UsSsn => format!("{B}[0-9]{{3}}-[0-9]{{2}}-[0-9]{{4}}{B}"),
            Self::Iban => format!("{B}[A-Z]{{2}}[0-9]{{2}}(?: ?[A-Z0-9]{{4}}){{2,7}}(?: ?[A-Z0-9]{{1,3}})?{B}"),
            Self::PaymentCard => format!("{B}[2-6](?:[ -]?[0-9]){{12,18}}{B}"),
            Self::Phone => format!(
                r"(?:\+[1-9][0-9]{{0,2}}(?:[ .-]?\(?[0-9]{{1,4}}\)?){{2,5}}|{B}0[2-9][0-9]?[ -]?[0-9]{{3}}[ -]?[0-9]{{4}}){B}"
            ),
        }
    }

    /// Whether text inside a rejected candidate is not worth searching again: an assignment or
    /// address with a placeholder for its secret holds nothing else (its host is no e-mail
    /// address), nor does a token-shaped run or an address at a documentation domain.
    /// Number-like candidates (a card number may start inside a longer number) are searched
    /// again one byte on; their patterns are short and bounded.
    pub fn rejection_covers_candidate(self) -> bool {
        matches!(
            self,
            Self::AwsSecretKey
                | Self::ConnectionStringPassword
                | Self::ConfigPassword
                | Self::Jwt
                | Self::Email
                | Self::AwsAccessKeyId
        )
    }

    /// Whether a candidate the pattern found is the real thing.
    pub fn validate(self, candidate: &str) -> bool {
        match self {
            Self::AwsAccessKeyId => candidate.get(4..).is_some_and(|rest| {
                rest.bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
            }),
            Self::AwsSecretKey => value_after_assignment(candidate).is_some_and(mixed),
            Self::GithubToken
            | Self::GitlabToken
            | Self::SlackToken
            | Self::SlackWebhook
            | Self::StripeKey
            | Self::GoogleApiKey
            | Self::PemPrivateKey => true,
            Self::Jwt => jwt_header(candidate),
            Self::ConnectionStringPassword => candidate
                .split_once("://")
                .and_then(|(_, rest)| rest.split_once('@'))
                .and_then(|(user_info, _)| user_info.split_once(':'))
                .is_some_and(|(_, password)| !placeholder(password)),
            Self::ConfigPassword => value_after_assignment(candidate)
                .is_some_and(|value| !placeholder(value) && !value.contains("://")),
            Self::Email => candidate
                .rsplit_once('@')
                .is_some_and(|(_, domain)| !documentation_domain(domain)),
            Self::ThaiNationalId => checks::thai_national_id(candidate),
            Self::UsSsn => checks::us_ssn(candidate),
            Self::Iban => checks::iban(candidate),
            Self::PaymentCard => checks::payment_card(candidate),
            Self::Phone => phone(candidate),
        }
    }
}

/// What follows the `=` or `:` of an assignment, without quotes.
fn value_after_assignment(candidate: &str) -> Option<&str> {
    let at = candidate.find(['=', ':'])?;
    let value =
        candidate[at + 1..].trim_matches(|c: char| c == '"' || c == '\'' || c == ' ' || c == '\t');
    (!value.is_empty()).then_some(value)
}

/// A real secret mixes letters and digits, or cases; `AAAA…` and `0000…` are fillers.
fn mixed(value: &str) -> bool {
    let kinds = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
    ];
    kinds.iter().filter(|k| **k).count() >= 2
}

/// Values that stand for a secret rather than being one: references to the environment or a
/// template (`${DB_PASSWORD}`, `<password>`, `%(pw)s`), masks (`****`, `xxxxxx`) and words.
fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.starts_with(['$', '<', '{', '%', '*'])
        || value
            .bytes()
            .all(|b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
        || [
            "password",
            "changeme",
            "secret",
            "redacted",
            "example",
            "placeholder",
            "none",
            "null",
            "true",
            "false",
            "undefined",
        ]
        .iter()
        .any(|word| lower == *word || lower.trim_end_matches(['"', '\'']) == *word)
        || lower.starts_with("your")
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
        || lower.starts_with("env(")
}

/// Domains reserved for documentation and tests (RFC 2606, RFC 6761): nobody's address.
fn documentation_domain(domain: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    ["example.com", "example.net", "example.org"]
        .iter()
        .any(|reserved| domain == *reserved || domain.ends_with(&format!(".{reserved}")))
        || [".example", ".test", ".invalid", ".localhost", ".local"]
            .iter()
            .any(|tld| domain.ends_with(tld))
}

/// A JWT's header decodes (base64url) to a JSON object naming its algorithm.
fn jwt_header(candidate: &str) -> bool {
    use base64::Engine as _;
    let Some(header) = candidate.split('.').next() else {
        return false;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|json| json.get("alg").is_some_and(serde_json::Value::is_string))
}

/// International numbers have 8 to 15 digits (E.164); Thai ones start with 0 and have 9
/// (landlines, 02–07) or 10 (mobiles, 06, 08, 09).
fn phone(candidate: &str) -> bool {
    let digits: Vec<u8> = candidate.bytes().filter(u8::is_ascii_digit).collect();
    if candidate.starts_with('+') {
        return (8..=15).contains(&digits.len());
    }
    matches!(
        (digits.get(1), digits.len()),
        (Some(b'6' | b'8' | b'9'), 10) | (Some(b'2'..=b'7'), 9)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_a_unique_slug_that_parses_back() {
        for builtin in Builtin::ALL {
            assert_eq!(Builtin::parse(builtin.slug()), Some(builtin));
        }
        assert_eq!(Builtin::parse("no-such-thing"), None);
    }

    #[test]
    fn validators_tell_real_values_from_look_alikes() {
        let cases: [(Builtin, &str, bool); 30] = [
            (Builtin::AwsAccessKeyId, "AKIAIOSFODNN7EXAMPLE", true),
            (Builtin::AwsAccessKeyId, "AKIA0000000000000000", false),
            (
                Builtin::AwsSecretKey,
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                true,
            ),
            (
                Builtin::AwsSecretKey,
                "aws_secret_access_key = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                false,
            ),
            (
                Builtin::Jwt,
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl",
                true,
            ),
            (
                Builtin::Jwt,
                "eyJub3RoaW5nIjoxfQ.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl",
                false,
            ),
            (
                Builtin::ConnectionStringPassword,
                "postgres://app:s3cr3t-Pa55@db.internal:5432/app",
                true,
            ),
            (
                Builtin::ConnectionStringPassword,
                "postgres://app:${DB_PASSWORD}@db.internal/app",
                false,
            ),
            (
                Builtin::ConnectionStringPassword,
                "postgres://app:****@db.internal/app",
                false,
            ),
            (Builtin::ConfigPassword, "password = \"Tr0ub4dor&3\"", true),
            (Builtin::ConfigPassword, "DB_PASSWORD: hunter22", true),
            (
                Builtin::ConfigPassword,
                "password = \"${DB_PASSWORD}\"",
                false,
            ),
            (Builtin::ConfigPassword, "password: changeme", false),
            (
                Builtin::ConfigPassword,
                "api_key=process.env.API_KEY",
                false,
            ),
            (Builtin::Email, "somchai.k@bank.co.th", true),
            (Builtin::Email, "someone@example.com", false),
            (Builtin::Email, "dev@app.test", false),
            (Builtin::Phone, "+66 81 234 5678", true),
            (Builtin::Phone, "081-234-5678", true),
            (Builtin::Phone, "02-123-4567", true),
            (Builtin::Phone, "+1 (415) 555-0132", true),
            (Builtin::Phone, "+12 34", false),
            (Builtin::Phone, "011-234-5678", false),
            (Builtin::PaymentCard, "4111 1111 1111 1111", true),
            (Builtin::PaymentCard, "4111 1111 1111 1112", false),
            (Builtin::Iban, "GB82 WEST 1234 5698 7654 32", true),
            (Builtin::Iban, "GB82 WEST 1234 5698 7654 33", false),
            (Builtin::ThaiNationalId, "1-1017-00230-07-4", true),
            (Builtin::UsSsn, "078-05-1121", true),
            (Builtin::UsSsn, "666-05-1121", false),
        ];
        for (builtin, candidate, expected) in cases {
            assert_eq!(
                builtin.validate(candidate),
                expected,
                "{builtin:?} {candidate}"
            );
        }
    }
}
