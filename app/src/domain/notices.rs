//! What notifications are about, how each person chooses to hear of them, and the e-mails that
//! carry them (text and HTML, escaped; links made absolute).

use serde::{Deserialize, Serialize};

named_values! {
    /// What a notification is about: people choose per kind how they hear of it.
    NoticeKind, "notification kind" {
        Requests => "requests", "Requests and decisions",
        Reviews => "reviews", "Tool reviews and data classes",
        Checklists => "checklists", "Checklist items",
        Incidents => "incidents", "Incidents and stopped tools",
        Security => "security", "Your sign-in and security",
    }
}

named_values! {
    /// How someone hears of one kind of notification, besides the portal's own list.
    Delivery, "delivery" {
        App => "app", "In the portal only",
        Email => "email", "Also by e-mail, as it happens",
        Digest => "digest", "Also in a daily e-mail digest",
    }
}

impl NoticeKind {
    /// What the preferences page says a kind covers.
    pub fn covers(self) -> &'static str {
        match self {
            Self::Requests => {
                "New requests to review, decisions on yours, comments and requests for changes."
            }
            Self::Reviews => {
                "Tools whose review is due, approvals gone stale, data classes loosened."
            }
            Self::Checklists => "Items you own that are due soon or overdue.",
            Self::Incidents => "Incidents reported or updated, and tools stopped for everyone.",
            Self::Security => {
                "Your two-factor sign-in locked or owed, recovery codes made, and (admins) other people locked out."
            }
        }
    }

    /// Whether people choose how they hear of it. Security notices ("not you?") always go by
    /// e-mail too: someone who took over an account must not be able to silence them.
    pub fn chosen(self) -> bool {
        self != Self::Security
    }
}

/// One notification as an e-mail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub message: String,
    /// A path inside the portal (`/requests/12`).
    pub link: String,
    pub kind: NoticeKind,
}

/// An e-mail's subject and its two bodies (the same words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The longest subject written (mail clients cut long ones anyway).
const SUBJECT_CHARS: usize = 120;

/// The product's name, as mails sign themselves.
pub const PORTAL: &str = "AI Governance Portal";

/// `link` (a path in the portal) made absolute; anything that is not a plain path (a stored
/// value changed outside the portal) leads to the notifications list instead.
fn absolute(portal: &str, link: &str) -> String {
    let path = if link.starts_with('/') && !link.starts_with("//") && !link.contains('\\') {
        link
    } else {
        "/notifications"
    };
    format!("{portal}{path}")
}

/// The e-mail of one notification. `portal` is the portal's public address, no trailing slash.
pub fn single(notice: &Notice, portal: &str) -> Mail {
    let link = absolute(portal, &notice.link);
    let why = if notice.kind.chosen() {
        format!(
            "You receive this because you chose e-mail for “{}”. Change it at {portal}/notifications/settings.",
            notice.kind.label()
        )
    } else {
        format!(
            "Notices about your sign-in are always e-mailed. If this was not you, tell IT security at once. {portal}/notifications"
        )
    };
    Mail {
        subject: subject(&notice.message),
        text: format!("{}\n\nOpen it: {link}\n\n-- \n{why}\n", notice.message),
        html: page(&format!(
            "<p>{}</p>\n<p><a href=\"{}\">Open it in the portal</a></p>\n<p class=\"why\">{}</p>",
            escape(&notice.message),
            escape(&link),
            escape(&why)
        )),
    }
}

/// The daily digest of `notices` (oldest first) out of `total` waiting, or `None` when there is
/// nothing to send.
pub fn digest(notices: &[Notice], total: usize, portal: &str) -> Option<Mail> {
    let count = notices.len();
    if count == 0 {
        return None;
    }
    let heading = match total.max(count) {
        1 => "1 notification you have not read".to_owned(),
        n if n > count => format!("{n} notifications you have not read (the oldest {count} here)"),
        n => format!("{n} notifications you have not read"),
    };
    let why = format!(
        "You receive this digest because you chose it at {portal}/notifications/settings, where you can change it."
    );
    let mut text = format!("{heading}:\n");
    let mut items = String::new();
    for notice in notices {
        let link = absolute(portal, &notice.link);
        text.push_str(&format!("\n- {}\n  {link}\n", notice.message));
        items.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            escape(&link),
            escape(&notice.message)
        ));
    }
    text.push_str(&format!("\n-- \n{why}\n"));
    Some(Mail {
        subject: format!("{PORTAL}: {heading}"),
        text,
        html: page(&format!(
            "<p>{}:</p>\n<ul>\n{items}</ul>\n<p class=\"why\">{}</p>",
            escape(&heading),
            escape(&why)
        )),
    })
}

/// The test e-mail an admin sends to check the settings.
pub fn test_mail(portal: &str, settings: &str) -> Mail {
    let text = format!(
        "This is a test e-mail from the {PORTAL} at {portal}, sent through {settings}. \
         If you can read it, e-mail notifications will reach people."
    );
    Mail {
        subject: format!("{PORTAL}: test e-mail"),
        html: page(&format!("<p>{}</p>", escape(&text))),
        text: format!("{text}\n"),
    }
}

/// A subject line: the message's first line, cut to [`SUBJECT_CHARS`] on a character boundary.
fn subject(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= SUBJECT_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(SUBJECT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// A whole HTML document around `body`, styled inline (mail clients drop style sheets).
fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{PORTAL}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; color: #1f2933; line-height: 1.5\">\n{body}\n</body></html>\n"
    )
}

/// Text made safe inside HTML elements and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(message: &str) -> Notice {
        Notice {
            message: message.to_owned(),
            link: "/requests/7".to_owned(),
            kind: NoticeKind::Requests,
        }
    }

    #[test]
    fn a_single_mail_links_into_the_portal_and_says_why_it_came() {
        let mail = single(
            &notice("Request #7 for Copilot was approved."),
            "https://ai.example.com",
        );
        assert_eq!(mail.subject, "Request #7 for Copilot was approved.");
        assert!(mail
            .text
            .contains("Open it: https://ai.example.com/requests/7"));
        assert!(mail.text.contains("“Requests and decisions”"));
        assert!(mail
            .html
            .contains("<a href=\"https://ai.example.com/requests/7\">"));
    }

    #[test]
    fn what_people_typed_cannot_become_markup() {
        let mail = single(
            &notice("Incident #3 reported: <img src=x onerror=alert(1)> & \"quotes\"."),
            "https://ai.example.com",
        );
        assert!(!mail.html.contains("<img"), "{}", mail.html);
        assert!(mail
            .html
            .contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"));
        assert!(mail.text.contains("<img src=x"), "text stays as typed");
    }

    #[test]
    fn long_subjects_are_cut_on_a_character_boundary() {
        let long = "é".repeat(300);
        let mail = single(&notice(&long), "https://x");
        assert_eq!(mail.subject.chars().count(), SUBJECT_CHARS);
        assert!(mail.subject.ends_with('…'));
        assert_eq!(
            single(&notice("First line\nsecond"), "https://x").subject,
            "First line"
        );
    }

    #[test]
    fn a_digest_lists_every_notice_once_and_nothing_is_no_mail() {
        assert_eq!(digest(&[], 0, "https://x"), None);
        let mail = digest(
            &[notice("One."), notice("Two <b>.")],
            2,
            "https://ai.example.com",
        )
        .expect("a digest");
        assert_eq!(
            mail.subject,
            "AI Governance Portal: 2 notifications you have not read"
        );
        assert_eq!(
            mail.text
                .matches("https://ai.example.com/requests/7")
                .count(),
            2
        );
        assert_eq!(mail.html.matches("<li>").count(), 2);
        assert!(mail.html.contains("Two &lt;b&gt;."));
        let one = digest(&[notice("One.")], 1, "https://x").expect("a digest");
        assert!(one.subject.ends_with("1 notification you have not read"));
        let cut = digest(&[notice("One."), notice("Two.")], 140, "https://x").expect("a digest");
        assert!(cut
            .subject
            .ends_with("140 notifications you have not read (the oldest 2 here)"));
    }

    #[test]
    fn links_lead_into_the_portal_whatever_is_stored() {
        for stored in [
            "@evil.example/x",
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example",
        ] {
            let mail = single(
                &Notice {
                    link: stored.to_owned(),
                    ..notice("Hello.")
                },
                "https://ai.example.com",
            );
            assert!(
                mail.text
                    .contains("Open it: https://ai.example.com/notifications\n"),
                "{stored}: {}",
                mail.text
            );
        }
    }

    #[test]
    fn security_notices_are_not_a_choice_and_say_so() {
        assert!(!NoticeKind::Security.chosen());
        assert!(NoticeKind::Requests.chosen());
        let mail = single(
            &Notice {
                kind: NoticeKind::Security,
                ..notice("Your two-factor sign-in is locked.")
            },
            "https://x",
        );
        assert!(mail.text.contains("always e-mailed"), "{}", mail.text);
    }

    #[test]
    fn kinds_and_deliveries_round_trip_through_their_names() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Ok(*kind));
            assert!(!kind.covers().is_empty());
        }
        for delivery in Delivery::ALL {
            assert_eq!(Delivery::parse(delivery.as_str()), Ok(*delivery));
        }
        assert!(Delivery::parse("pigeon").is_err());
    }
}
