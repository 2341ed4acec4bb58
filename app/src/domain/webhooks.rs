//! Webhooks' rules: the events a hook can listen to and the bodies it can be sent.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

named_values! {
    /// What a webhook can be told of. The names are stable: receivers route on them.
    WebhookEvent, "event" {
        RequestSubmitted => "request.submitted", "A request is submitted for review",
        RequestDecided => "request.decided", "A request is decided",
        IncidentOpened => "incident.opened", "An incident is reported",
        ToolStopped => "tool.stopped", "A tool is stopped (kill switch)",
        ChecklistOverdue => "checklist.overdue", "A checklist item becomes overdue",
        Test => "webhook.test", "A test sent by an admin",
    }
}

impl WebhookEvent {
    /// The events an admin can subscribe a hook to (a test goes to the hook it was sent from).
    pub fn subscribable() -> impl Iterator<Item = Self> {
        Self::ALL.iter().copied().filter(|e| *e != Self::Test)
    }
}

named_values! {
    /// The body a hook is sent.
    WebhookFormat, "format" {
        Json => "json", "JSON, signed (for your own services)",
        Slack => "slack", "Slack incoming webhook",
        Teams => "teams", "Microsoft Teams workflow (Adaptive Card)",
    }
}

/// What every format is made from: the event as the JSON format sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBody {
    /// The same for every hook and every re-send of this event: receivers drop repeats by it.
    pub id: uuid::Uuid,
    #[serde(rename = "type")]
    pub event: WebhookEvent,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// One sentence, as the portal's own notification says it.
    pub summary: String,
    /// Where in the portal to act on it (absolute).
    pub link: String,
    /// The event's facts (ids, names, outcome), by event.
    pub data: Value,
}

/// The body `format` sends for `event`.
pub fn body(format: WebhookFormat, event: &EventBody) -> Value {
    match format {
        WebhookFormat::Json => json!(event),
        // Slack's incoming webhooks: `text` with mrkdwn links; `<`, `>` and `&` escaped.
        WebhookFormat::Slack => json!({
            "text": format!(
                "{} <{}|Open in the portal>",
                slack_escape(&event.summary),
                event.link
            ),
        }),
        // A Teams workflow ("Post to a channel when a webhook request is received") takes a
        // message with an Adaptive Card attachment.
        WebhookFormat::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    // RichTextBlock runs are shown as typed: a TextBlock would render Markdown
                    // from people's text (an incident's title) as links.
                    "body": [
                        { "type": "RichTextBlock", "inlines": [
                            { "type": "TextRun", "text": event.event.label(), "weight": "Bolder" },
                        ] },
                        { "type": "RichTextBlock", "inlines": [
                            { "type": "TextRun", "text": event.summary },
                        ] },
                    ],
                    "actions": [
                        { "type": "Action.OpenUrl", "title": "Open in the portal", "url": event.link },
                    ],
                },
            }],
        }),
    }
}

fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> EventBody {
        EventBody {
            id: uuid::Uuid::nil(),
            event: WebhookEvent::ToolStopped,
            occurred_at: chrono::DateTime::UNIX_EPOCH,
            summary: "Stopped <Claude> & co".into(),
            link: "https://portal.example/tools/claude".into(),
            data: json!({ "tool": "claude" }),
        }
    }

    #[test]
    fn each_format_carries_the_summary_and_the_link() {
        let json = body(WebhookFormat::Json, &event());
        assert_eq!(json["type"], "tool.stopped");
        assert_eq!(json["data"]["tool"], "claude");
        assert_eq!(
            serde_json::from_value::<EventBody>(json).ok(),
            Some(event())
        );
        let slack = body(WebhookFormat::Slack, &event());
        assert_eq!(
            slack["text"],
            "Stopped &lt;Claude&gt; &amp; co <https://portal.example/tools/claude|Open in the portal>"
        );
        let teams = body(WebhookFormat::Teams, &event());
        let card = &teams["attachments"][0]["content"];
        assert_eq!(
            card["body"][1]["inlines"][0]["text"],
            "Stopped <Claude> & co"
        );
        assert_eq!(card["body"][1]["inlines"][0]["type"], "TextRun");
        assert_eq!(
            card["actions"][0]["url"],
            "https://portal.example/tools/claude"
        );
    }

    #[test]
    fn a_test_is_not_something_to_subscribe_to() {
        assert!(WebhookEvent::subscribable().all(|e| e != WebhookEvent::Test));
        assert_eq!(
            WebhookEvent::subscribable().count(),
            WebhookEvent::ALL.len() - 1
        );
    }
}
