//! The SMTP connection settings and the one client every e-mail leaves through.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::domain::notices::Mail;

/// How long the mail server has for each step (connecting, each command).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (submission, port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network (port 25).
    None,
}

impl SmtpSecurity {
    pub fn default_port(self) -> u16 {
        match self {
            Self::StartTls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::StartTls => "STARTTLS",
            Self::Tls => "TLS",
            Self::None => "no encryption",
        }
    }
}

/// What `serve --smtp-…` gives.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    /// `None`: the security's usual port.
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    /// Both or neither.
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `AI Governance Portal <ai-portal@example.com>`.
    pub from: String,
    /// A PEM certificate (a private CA) trusted besides the public roots.
    pub extra_root_pem: Option<Vec<u8>>,
}

/// Sends the portal's e-mails.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    summary: String,
}

// Never the password: only what the admin page shows.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("summary", &self.summary)
            .finish()
    }
}

impl Mailer {
    /// The client for `settings`, or what is wrong with them (naming the flag).
    #[tracing::instrument(skip_all)]
    pub fn new(settings: SmtpSettings) -> Result<Self, String> {
        let from: Mailbox = settings.from.parse().map_err(|error| {
            format!("--smtp-from {:?} is not a mailbox: {error}", settings.from)
        })?;
        let host = settings.host.trim().to_owned();
        if host.is_empty() {
            return Err("--smtp-host is empty".to_owned());
        }
        let port = settings
            .port
            .unwrap_or_else(|| settings.security.default_port());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(port)
            .timeout(Some(TIMEOUT));
        builder = match settings.security {
            SmtpSecurity::None => builder.tls(Tls::None),
            secure => {
                let mut parameters = TlsParameters::builder(host.clone());
                if let Some(pem) = &settings.extra_root_pem {
                    // A file without one would otherwise add nothing, silently.
                    if !pem
                        .windows(27)
                        .any(|part| part == b"-----BEGIN CERTIFICATE-----")
                    {
                        return Err(
                            "--smtp-ca-file holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                                .to_owned(),
                        );
                    }
                    let certificate = Certificate::from_pem(pem).map_err(|error| {
                        format!("--smtp-ca-file does not hold a PEM certificate: {error}")
                    })?;
                    parameters = parameters.add_root_certificate(certificate);
                }
                let parameters = parameters
                    .build_rustls()
                    .map_err(|error| format!("TLS settings for {host}: {error}"))?;
                builder.tls(if secure == SmtpSecurity::Tls {
                    Tls::Wrapper(parameters)
                } else {
                    Tls::Required(parameters)
                })
            }
        };
        let signed_in = match (settings.username, settings.password) {
            (None, None) => false,
            (Some(username), Some(password)) => {
                if settings.security == SmtpSecurity::None {
                    return Err("--smtp-username needs --smtp-security starttls or tls: the password would cross the network unencrypted".to_owned());
                }
                builder = builder.credentials(Credentials::new(username, password));
                true
            }
            (Some(_), None) => return Err("--smtp-username needs --smtp-password-file".to_owned()),
            (None, Some(_)) => return Err("--smtp-password-file needs --smtp-username".to_owned()),
        };
        let summary = format!(
            "{host}:{port} with {}{}, from {from}",
            settings.security.label(),
            if signed_in { ", signed in" } else { "" }
        );
        Ok(Self {
            transport: builder.build(),
            from,
            summary,
        })
    }

    /// Where mails go and how, without secrets (for the admin page and the log).
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// Sends `mail` to `name <address>`; `Err` says why it did not leave (for the job's log).
    pub async fn send(&self, address: &str, name: &str, mail: &Mail) -> Result<(), String> {
        let to = Mailbox::new(
            Some(name.to_owned()),
            address
                .parse()
                .map_err(|error| format!("the address {address:?} cannot be mailed: {error}"))?,
        );
        let message = Message::builder()
            // Out-of-office and other automatic replies leave it alone (RFC 3834).
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ))
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|error| format!("the message could not be written: {error}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|error| {
                tracing::warn!(%error, server = %self.summary, "an e-mail was not taken");
                if error.is_timeout() {
                    format!(
                        "The mail server did not answer within {} seconds.",
                        TIMEOUT.as_secs()
                    )
                } else {
                    format!("The mail server did not take it: {error}.")
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "mail.example.com".to_owned(),
            port: None,
            security: SmtpSecurity::StartTls,
            username: None,
            password: None,
            from: "AI Governance Portal <ai@example.com>".to_owned(),
            extra_root_pem: None,
        }
    }

    #[test]
    fn the_summary_names_server_port_security_and_sender_never_the_password() {
        let mailer = Mailer::new(SmtpSettings {
            username: Some("portal".to_owned()),
            password: Some("hunter2 hunter2".to_owned()),
            ..settings()
        })
        .expect("valid");
        assert_eq!(
            mailer.summary(),
            "mail.example.com:587 with STARTTLS, signed in, from AI Governance Portal <ai@example.com>"
        );
        assert!(!format!("{mailer:?}").contains("hunter2"));
        let tls = Mailer::new(SmtpSettings {
            security: SmtpSecurity::Tls,
            ..settings()
        })
        .expect("valid");
        assert!(tls.summary().starts_with("mail.example.com:465 with TLS,"));
    }

    #[test]
    fn bad_settings_name_their_flag() {
        let error = |changed: SmtpSettings| Mailer::new(changed).expect_err("refused");
        assert!(error(SmtpSettings {
            from: "not an address".to_owned(),
            ..settings()
        })
        .contains("--smtp-from"));
        assert!(error(SmtpSettings {
            username: Some("portal".to_owned()),
            ..settings()
        })
        .contains("--smtp-password-file"));
        assert!(error(SmtpSettings {
            security: SmtpSecurity::None,
            username: Some("portal".to_owned()),
            password: Some("secret".to_owned()),
            ..settings()
        })
        .contains("unencrypted"));
        assert!(error(SmtpSettings {
            extra_root_pem: Some(b"not a certificate".to_vec()),
            ..settings()
        })
        .contains("--smtp-ca-file"));
    }
}
