//! E-mail end to end against a real SMTP server on loopback (npm `smtp-server`, started per test
//! from `end2end/mailbox.mjs`): who chose e-mail gets one as it happens, who chose the digest gets
//! one a day of what they have not read, STARTTLS with a sign-in works, a refused mail is tried
//! again, and only admins send test mails.

use std::path::PathBuf;

use app::backend::jobs::queue::{self, NewJob};
use app::backend::jobs::worker;
use app::domain::jobs::JobKind;
use app::domain::{Membership, Role};
use serde_json::Value;
use server::config::{SmtpOptions, SmtpSecurityOption};

use crate::helpers::{node_service, spawn_configured_app, test_options, SignedIn, TestApp};

/// A running `end2end/mailbox.mjs`; stopped when dropped.
struct Mailbox {
    _process: tokio::process::Child,
    smtp_port: u16,
    messages_url: String,
    /// The self-signed certificate it offers with `--tls`.
    ca: Option<PathBuf>,
}

impl Mailbox {
    async fn start(args: &[&str]) -> Self {
        let (process, line) = node_service("mailbox.mjs", "smtp-server", args, "mailbox ").await;
        let field = |name: &str| {
            line.split(' ')
                .find_map(|part| part.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("no {name} in {line:?}"))
                .to_owned()
        };
        let ca = field("ca");
        Mailbox {
            _process: process,
            smtp_port: field("smtp").parse().expect("a port"),
            messages_url: format!("http://127.0.0.1:{}/messages", field("http")),
            ca: (ca != "-").then(|| PathBuf::from(ca)),
        }
    }

    async fn messages(&self) -> Vec<Value> {
        reqwest::get(&self.messages_url)
            .await
            .expect("mailbox answers")
            .json()
            .await
            .expect("JSON")
    }
}

/// The portal's flags for sending through `mailbox` with `security`.
fn smtp(mailbox: &Mailbox, security: SmtpSecurityOption) -> SmtpOptions {
    SmtpOptions {
        smtp_host: Some("127.0.0.1".to_owned()),
        smtp_port: Some(mailbox.smtp_port),
        smtp_security: security,
        smtp_from: Some("AI Governance Portal <portal@example.com>".to_owned()),
        smtp_ca_file: mailbox.ca.clone(),
        ..SmtpOptions::default()
    }
}

/// A portal with the demo loaded that mails through `smtp` (none: it does not mail).
async fn portal(smtp: Option<SmtpOptions>) -> TestApp {
    let app = spawn_configured_app(server::config::ServeOptions {
        smtp: smtp.unwrap_or_default(),
        ..test_options()
    })
    .await;
    app.load_demo().await;
    app
}

/// `who` chooses `delivery` for notifications of `kind`, through the server function.
async fn choose(app: &TestApp, who: &SignedIn, kind: &str, delivery: &str) {
    let (status, body) = app
        .call_json(
            "save_notification_settings",
            &[(kind, delivery)],
            Some(&who.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn eli(app: &TestApp) -> SignedIn {
    let eli = app.signed_in("eli@example.com", &[]).await;
    app.join(eli.user_id, "payments", Membership::Member).await;
    eli
}

/// Test mails audited (`email.tested`) that the server took, or refused.
async fn tests_audited(app: &TestApp, taken: bool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'email.tested'
         AND (payload::jsonb->'after'->>'taken')::boolean = $1",
    )
    .bind(taken)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

/// Enqueues the digests of `day` (as the daily schedule does), due now.
async fn digests_now(app: &TestApp, day: &str) {
    let mut conn = app.pool.acquire().await.expect("connection");
    queue::enqueue(
        &mut conn,
        NewJob {
            kind: JobKind::EmailDigests,
            payload: serde_json::json!({ "day": day }),
            run_at: app.now(),
            once_key: None,
            max_attempts: 3,
        },
        app.now(),
    )
    .await
    .expect("enqueued");
}

#[tokio::test]
async fn a_new_request_is_mailed_to_the_reviewer_who_chose_email_and_to_no_one_else() {
    let mailbox = Mailbox::start(&[]).await;
    let app = portal(Some(smtp(&mailbox, SmtpSecurityOption::None))).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let rob = app.signed_in("rob@example.com", &[Role::Reviewer]).await;
    let ruth = app.signed_in("ruth@example.com", &[Role::Reviewer]).await;
    choose(&app, &rita, "requests", "email").await;
    choose(&app, &ruth, "requests", "email").await;
    let (status, settings) = app
        .call_json("notification_settings", &[], Some(&rita.cookie))
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["email_enabled"], true);
    assert_eq!(settings["choices"][0]["kind"], "requests");
    assert_eq!(settings["choices"][0]["delivery"], "email");
    assert_eq!(
        settings["choices"][1]["delivery"], "app",
        "others untouched"
    );

    let eli = eli(&app).await;
    let number = app.submit_request(&eli).await;
    // Ruth's account is disabled after the notification was written, before it is mailed.
    sqlx::query("UPDATE users SET disabled_at = now() WHERE user_id = $1")
        .bind(ruth.user_id)
        .execute(&app.pool)
        .await
        .expect("disabled");
    worker::run_due(&app.services).await.expect("ran");
    // Each job ends after the server answered, and the server answers after it kept the mail.
    let messages = mailbox.messages().await;
    assert_eq!(
        messages.len(),
        1,
        "Rob chose no e-mail and Ruth is disabled: {messages:?}"
    );
    let mail = &messages[0];
    assert_eq!(mail["to"][0], "rita@example.com");
    let from = mail["from"].as_str().expect("from");
    assert!(
        from.contains("AI Governance Portal") && from.contains("<portal@example.com>"),
        "{from}"
    );
    assert_eq!(
        mail["subject"],
        format!("Request #{number} for Windsurf is waiting for review.")
    );
    let link = format!("{}/requests/{number}", app.address);
    assert!(
        mail["text"].as_str().expect("text").contains(&link),
        "{mail}"
    );
    assert!(
        mail["html"]
            .as_str()
            .expect("html")
            .contains(&format!("href=\"{link}\"")),
        "{mail}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM notifications WHERE mailed_at IS NOT NULL")
            .await,
        1
    );
    worker::run_due(&app.services).await.expect("ran");
    assert_eq!(mailbox.messages().await.len(), 1, "mailed once");

    // Security notices reach people who chose nothing: "not you?" must not be silenced.
    let mut conn = app.pool.acquire().await.expect("connection");
    app::backend::notifications::notify(
        &mut conn,
        app::domain::notices::NoticeKind::Security,
        &[rob.user_id],
        uuid::Uuid::nil(),
        "Your two-factor sign-in is locked.",
        "/account",
        app.now(),
    )
    .await
    .expect("notified");
    worker::run_due(&app.services).await.expect("ran");
    let messages = mailbox.messages().await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[1]["to"][0], "rob@example.com");
    assert!(messages[1]["text"]
        .as_str()
        .expect("text")
        .contains("always e-mailed"));
}

#[tokio::test]
async fn the_daily_digest_gathers_what_is_unread_once() {
    let mailbox = Mailbox::start(&[]).await;
    let app = portal(Some(smtp(&mailbox, SmtpSecurityOption::None))).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    choose(&app, &rita, "requests", "digest").await;
    let eli = eli(&app).await;
    let first = app.submit_request(&eli).await;
    let second = app.submit_request(&eli).await;
    let third = app.submit_request(&eli).await;
    worker::run_due(&app.services).await.expect("ran");
    assert!(
        mailbox.messages().await.is_empty(),
        "nothing until the digest"
    );

    // Rita opens the second: read things are not news.
    let read: i64 = sqlx::query_scalar(
        "SELECT notification_id FROM notifications WHERE user_id = $1 AND link = $2",
    )
    .bind(rita.user_id)
    .bind(format!("/requests/{second}"))
    .fetch_one(&app.pool)
    .await
    .expect("her notification");
    let opened = app
        .call(
            "read_notifications",
            &[("id", read.to_string().as_str())],
            Some(&rita.cookie),
        )
        .await;
    assert!(opened.status().is_success() || opened.status().is_redirection());

    digests_now(&app, "day-1").await;
    worker::run_due(&app.services).await.expect("ran");
    let messages = mailbox.messages().await;
    assert_eq!(messages.len(), 1, "one digest: {messages:?}");
    let digest = &messages[0];
    assert_eq!(digest["to"][0], "rita@example.com");
    assert_eq!(
        digest["subject"],
        "AI Governance Portal: 2 notifications you have not read"
    );
    let text = digest["text"].as_str().expect("text");
    for number in [&first, &third] {
        assert!(
            text.contains(&format!("{}/requests/{number}", app.address)),
            "{text}"
        );
    }
    assert!(!text.contains(&format!("/requests/{second}")), "{text}");

    assert_eq!(
        app.count("SELECT count(*) FROM notifications WHERE mailed_at IS NOT NULL")
            .await,
        2,
        "what it listed is marked mailed"
    );
    // The next day's digest has nothing new to say: nobody gets an empty one.
    digests_now(&app, "day-2").await;
    worker::run_due(&app.services).await.expect("ran");
    assert_eq!(
        mailbox.messages().await.len(),
        1,
        "nothing is in two digests"
    );
}

#[tokio::test]
async fn starttls_with_a_sign_in_carries_the_admins_test_mail() {
    let mailbox = Mailbox::start(&["--tls", "--user", "portal", "--password", "mail secret"]).await;
    let dir = tempfile::tempdir().expect("dir");
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, "mail secret\n").expect("written");
    let app = portal(Some(SmtpOptions {
        smtp_username: Some("portal".to_owned()),
        smtp_password_file: Some(password_file),
        ..smtp(&mailbox, SmtpSecurityOption::Starttls)
    }))
    .await;
    let nora = app.signed_in("nora@example.com", &[Role::Admin]).await;
    let page = app.html("/admin/integrations", &nora.cookie).await;
    assert!(
        page.contains(&format!(
            "127.0.0.1:{} with STARTTLS, signed in, from",
            mailbox.smtp_port
        )),
        "the settings are shown"
    );
    assert!(!page.contains("mail secret"));
    let (status, body) = app
        .call_json("admin/test_email", &[], Some(&nora.cookie))
        .await;
    assert_eq!(status, 200, "{body}");
    let messages = mailbox.messages().await;
    let mail = &messages[0];
    assert_eq!(mail["to"][0], "nora@example.com");
    assert_eq!(mail["subject"], "AI Governance Portal: test e-mail");
    assert_eq!(mail["secure"], true, "sent after STARTTLS");
    assert_eq!(mail["user"], "portal", "signed in");
    assert!(
        app.html("/admin/integrations", &nora.cookie)
            .await
            .contains("A test e-mail went to nora@example.com"),
        "the page says where it went"
    );
    assert_eq!(tests_audited(&app, true).await, 1);

    // STARTTLS never falls back to plain text, and a certificate nobody vouches for is refused.
    let plain = Mailbox::start(&[]).await;
    let mail = app::domain::notices::test_mail("http://portal", "a test");
    for (server, trusted) in [(&plain, mailbox.ca.clone()), (&mailbox, None)] {
        let mailer = app::backend::mail::Mailer::new(app::backend::mail::SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port: Some(server.smtp_port),
            security: app::backend::mail::SmtpSecurity::StartTls,
            username: None,
            password: None,
            from: "portal@example.com".to_owned(),
            extra_root_pem: trusted.map(|path| std::fs::read(path).expect("certificate")),
        })
        .expect("valid settings");
        let refused = mailer
            .send("nora@example.com", "Nora", &mail)
            .await
            .expect_err("not sent");
        assert!(refused.contains("did not take it"), "{refused}");
    }
    assert!(plain.messages().await.is_empty(), "nothing in plain text");
    assert_eq!(mailbox.messages().await.len(), 1, "only the test mail");
}

#[tokio::test]
async fn a_refused_mail_is_tried_again_and_only_admins_send_tests() {
    // The first two messages get a temporary refusal.
    let mailbox = Mailbox::start(&["--refuse", "2"]).await;
    let app = portal(Some(smtp(&mailbox, SmtpSecurityOption::None))).await;
    let nora = app.signed_in("nora@example.com", &[Role::Admin]).await;
    let eli = eli(&app).await;

    let (status, _) = app
        .call_json("admin/test_email", &[], Some(&eli.cookie))
        .await;
    assert_eq!(status, 403, "employees send no test mails");
    let (status, _) = app.call_json("notification_settings", &[], None).await;
    assert_eq!(status, 401);
    let (status, body) = app
        .call_json("admin/test_email", &[], Some(&nora.cookie))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("did not take it"),
        "{body}"
    );
    assert_eq!(
        tests_audited(&app, false).await,
        1,
        "a refused test is audited too"
    );

    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    choose(&app, &rita, "requests", "email").await;
    app.submit_request(&eli).await;
    worker::run_due(&app.services).await.expect("ran");
    assert!(mailbox.messages().await.is_empty());
    let (attempts, error): (i32, String) = sqlx::query_as(
        "SELECT attempts, last_error FROM jobs WHERE kind = 'email' AND done_at IS NULL",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the job waits");
    assert_eq!(attempts, 1);
    assert!(error.contains("451"), "{error}");
    app.advance(31);
    worker::run_due(&app.services).await.expect("ran");
    let messages = mailbox.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["to"][0], "rita@example.com");
}

#[tokio::test]
async fn choices_are_checked_and_kept_without_email_and_nothing_is_mailed() {
    let app = portal(None).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let (status, body) = app
        .call_json(
            "save_notification_settings",
            &[("requests", "pigeon")],
            Some(&rita.cookie),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "requests");
    let back = app
        .refused_form(
            "save_notification_settings",
            &[("incidents", "carrier pigeon")],
            "/notifications/settings",
            &rita.cookie,
        )
        .await;
    assert!(back.starts_with("/notifications/settings?"), "{back}");
    let shown = app.html(&back, &rita.cookie).await;
    assert!(
        shown.contains("must be one of app, email, digest"),
        "{shown}"
    );

    choose(&app, &rita, "requests", "email").await;
    choose(&app, &rita, "incidents", "digest").await;
    let (_, settings) = app
        .call_json("notification_settings", &[], Some(&rita.cookie))
        .await;
    assert_eq!(settings["email_enabled"], false);
    assert_eq!(settings["choices"][0]["delivery"], "email");
    assert_eq!(settings["choices"][3]["kind"], "incidents");
    assert_eq!(settings["choices"][3]["delivery"], "digest");
    assert_eq!(
        settings["choices"].as_array().map(Vec::len),
        Some(4),
        "security notices are not a choice"
    );
    let page = app.html("/notifications/settings", &rita.cookie).await;
    assert!(page.contains("does not send e-mail yet"), "{page}");

    let eli = eli(&app).await;
    app.submit_request(&eli).await;
    worker::run_due(&app.services).await.expect("ran");
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'email' AND done_at IS NOT NULL")
            .await,
        1,
        "the job ends"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM notifications WHERE mailed_at IS NOT NULL")
            .await,
        0,
        "unsent"
    );
    let nora = app.signed_in("nora@example.com", &[Role::Admin]).await;
    let (status, body) = app
        .call_json("admin/test_email", &[], Some(&nora.cookie))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"]
        .as_str()
        .expect("message")
        .contains("not set up"));
    assert!(app
        .html("/admin/integrations", &nora.cookie)
        .await
        .contains("E-mail is not set up"));
}
