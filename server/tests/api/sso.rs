//! Single sign-on against a real OpenID provider on loopback (npm `oidc-provider`, started per
//! test from `end2end/oidc-provider.mjs`): the first sign-in makes the account with the roles
//! and teams its groups map to, later ones follow the groups, a disabled account stays
//! disabled, and every broken callback — wrong state, a replayed code, a wrong nonce, an
//! expired token, another audience, an unknown key — is refused without signing anyone in.

use reqwest::header::LOCATION;
use server::config::OidcOptions;

use app::domain::Role;

use crate::helpers::{node_service, spawn_configured_app, test_options, SignedIn, TestApp};

/// A running `end2end/oidc-provider.mjs`; stopped when dropped.
struct Provider {
    _process: tokio::process::Child,
    issuer: String,
}

impl Provider {
    async fn start(port: Option<u16>) -> Self {
        let port = port.map(|p| p.to_string()).unwrap_or_else(|| "0".into());
        let (process, issuer) = node_service(
            "oidc-provider.mjs",
            "oidc-provider",
            &["--port", &port],
            "oidc issuer=",
        )
        .await;
        Provider {
            _process: process,
            issuer,
        }
    }

    fn port(&self) -> u16 {
        self.issuer
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port")
    }

    /// What the provider says about `login` from now on.
    async fn account(&self, login: &str, account: serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/__test/accounts", self.issuer))
            .body(serde_json::json!({ login: account }).to_string())
            .send()
            .await
            .expect("provider answers");
        assert!(response.status().is_success());
    }

    /// Spoils the next ID token the provider issues.
    async fn sabotage(&self, mode: &str) {
        let response = reqwest::Client::new()
            .post(format!("{}/__test/sabotage?mode={mode}", self.issuer))
            .send()
            .await
            .expect("provider answers");
        assert!(response.status().is_success());
    }
}

async fn portal(provider: &Provider) -> TestApp {
    let dir = tempfile::tempdir().expect("a directory").keep();
    let secret = dir.join("client-secret");
    std::fs::write(&secret, "portal-secret\n").expect("secret written");
    let app = spawn_configured_app(server::config::ServeOptions {
        oidc: OidcOptions {
            oidc_issuer: Some(provider.issuer.clone()),
            oidc_client_id: Some("portal".into()),
            oidc_client_secret_file: Some(secret),
            oidc_name: "Northwind SSO".into(),
        },
        ..test_options()
    })
    .await;
    app.load_demo().await;
    app
}

/// A browser: one cookie jar for the portal and the provider, redirects followed by hand.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn location(response: &reqwest::Response, base: &str) -> String {
    let to = response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("a redirect, not {}", response.status()))
        .to_str()
        .expect("text");
    if to.starts_with('/') {
        format!("{base}{to}")
    } else {
        to.to_owned()
    }
}

/// Starts a sign-in at the portal and signs in as `login` at the provider; the portal's
/// callback address the provider sends the browser back to (not yet followed). `tamper`
/// changes the authorization request on its way to the provider.
async fn at_provider(
    app: &TestApp,
    provider: &Provider,
    browser: &reqwest::Client,
    login: &str,
    tamper: impl Fn(String) -> String,
) -> String {
    let start = browser
        .get(format!("{}/auth/oidc/start", app.address))
        .send()
        .await
        .expect("portal answers");
    assert_eq!(start.status(), 303);
    let authorize = tamper(location(&start, &app.address));
    assert!(authorize.starts_with(&provider.issuer), "{authorize}");
    for expected in [
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(
            authorize.contains(expected),
            "{expected} missing: {authorize}"
        );
    }
    let interaction = browser.get(&authorize).send().await.expect("provider");
    let interaction = location(&interaction, &provider.issuer);
    let signed = browser
        .post(&interaction)
        .form(&[("prompt", "login"), ("login", login), ("password", "x")])
        .send()
        .await
        .expect("provider");
    let resume = location(&signed, &provider.issuer);
    let back = browser.get(&resume).send().await.expect("provider");
    let callback = location(&back, &provider.issuer);
    assert!(
        callback.starts_with(&format!("{}/auth/oidc/callback?", app.address)),
        "{callback}"
    );
    callback
}

/// Signs in as `login` at the provider in a new browser and follows the callback: the browser
/// and the callback address it used.
async fn round_trip(app: &TestApp, provider: &Provider, login: &str) -> (reqwest::Client, String) {
    let browser = browser();
    let callback = at_provider(app, provider, &browser, login, |url| url).await;
    back_at_portal(app, &browser, &callback).await;
    (browser, callback)
}

/// Follows `callback` at the portal; where it sends the browser.
async fn back_at_portal(app: &TestApp, browser: &reqwest::Client, callback: &str) -> String {
    let response = browser.get(callback).send().await.expect("portal answers");
    assert_eq!(response.status(), 303, "{callback}");
    location(&response, &app.address)
}

/// Who the browser is signed in as at the portal, if anyone.
async fn who(app: &TestApp, browser: &reqwest::Client) -> serde_json::Value {
    browser
        .post(format!("{}/api/current_user", app.address))
        .header("Origin", &app.address)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("portal answers")
        .json()
        .await
        .expect("JSON")
}

/// What the sign-in page says to the browser now (the refusal is shown once).
async fn sign_in_problem(app: &TestApp, browser: &reqwest::Client) -> String {
    browser
        .get(format!("{}/sign-in", app.address))
        .send()
        .await
        .expect("portal answers")
        .text()
        .await
        .expect("page")
}

/// Maps `group` to `grants` (`role:…`, `member:…`, `manager:…`) as admin `admin`.
async fn map(app: &TestApp, admin: &SignedIn, group: &str, grants: &str) {
    let (status, body) = app
        .call_json(
            "admin/add_sso_mapping",
            &[("group", group), ("grants", grants)],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_first_sign_in_makes_the_account_and_the_groups_give_and_take_roles_and_teams() {
    let provider = Provider::start(None).await;
    let app = portal(&provider).await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    map(&app, &admin, "ai-managers", "role:manager").await;
    map(&app, &admin, "payments", "member:payments").await;
    map(&app, &admin, "payments-leads", "manager:payments").await;
    provider
        .account(
            "alice",
            serde_json::json!({
                "email": "alice@northwind.example", "name": "Alice Example",
                "groups": ["ai-managers", "payments", "payments-leads", "unmapped"],
            }),
        )
        .await;

    // The sign-in page offers it.
    let page = sign_in_problem(&app, &browser()).await;
    assert!(page.contains("Sign in with Northwind SSO"), "{page}");

    let browser = browser();
    let callback = at_provider(&app, &provider, &browser, "alice", |url| url).await;
    assert_eq!(
        back_at_portal(&app, &browser, &callback).await,
        format!("{}/", app.address)
    );
    let me = who(&app, &browser).await;
    assert_eq!(me["email"], "alice@northwind.example", "{me}");
    assert_eq!(me["name"], "Alice Example");
    assert_eq!(
        me["roles"],
        serde_json::json!(["employee", "manager"]),
        "{me}"
    );
    let place: String = sqlx::query_scalar(
        "SELECT m.membership FROM team_members m JOIN users u USING (user_id)
         JOIN teams t USING (team_id) WHERE u.email = 'alice@northwind.example' AND t.slug = 'payments'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a place in payments");
    assert_eq!(place, "manager", "a manager's mapping wins");
    for (action, expected) in [
        ("user.created", 1),
        ("user.roles_changed", 1),
        ("user.teams_changed", 1),
        ("auth.signed_in", 1),
    ] {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM audit_events WHERE action = '{action}'
                 AND target = 'user:alice@northwind.example'"
            ))
            .await,
            expected,
            "{action}"
        );
    }

    // Out of the groups at the provider: out of the role and the team at the next sign-in.
    provider
        .account(
            "alice",
            serde_json::json!({ "email": "alice@northwind.example", "groups": ["payments"] }),
        )
        .await;
    let (browser, _) = round_trip(&app, &provider, "alice").await;
    let me = who(&app, &browser).await;
    assert_eq!(me["roles"], serde_json::json!(["employee"]), "{me}");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM team_members m JOIN users u USING (user_id)
             WHERE u.email = 'alice@northwind.example' AND m.membership = 'member'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email = 'alice@northwind.example'")
            .await,
        1,
        "the same account, found by issuer and subject"
    );

    // A token without the groups claim changes nothing (rather than taking everything away).
    provider
        .account(
            "alice",
            serde_json::json!({ "email": "alice@northwind.example", "groups": null }),
        )
        .await;
    round_trip(&app, &provider, "alice").await;
    assert_eq!(
        app.count(
            "SELECT count(*) FROM team_members m JOIN users u USING (user_id)
             WHERE u.email = 'alice@northwind.example'"
        )
        .await,
        1,
        "still in payments"
    );

    // A reviewer's role through SSO still needs the portal's own second factor, which someone
    // without a password sets up right after signing in through the provider.
    map(&app, &admin, "ai-reviewers", "role:reviewer").await;
    provider
        .account(
            "alice",
            serde_json::json!({ "email": "alice@northwind.example", "groups": ["ai-reviewers"] }),
        )
        .await;
    let (browser, _) = round_trip(&app, &provider, "alice").await;
    let me = who(&app, &browser).await;
    assert_eq!(me["needs_two_factor"], true, "{me}");
    let begun = browser
        .post(format!("{}/api/begin_two_factor", app.address))
        .header("Origin", &app.address)
        .header("Accept", "application/json")
        .form(&[("current_password", "")])
        .send()
        .await
        .expect("portal answers");
    assert_eq!(
        begun.status(),
        200,
        "{}",
        begun.text().await.unwrap_or_default()
    );
    // Past the five minutes, the missing password is no way in.
    app.advance(10 * 60);
    let late = browser
        .post(format!("{}/api/begin_two_factor", app.address))
        .header("Origin", &app.address)
        .header("Accept", "application/json")
        .form(&[("current_password", "")])
        .send()
        .await
        .expect("portal answers");
    assert_ne!(late.status(), 200);

    // Disabled in the portal: disabled, whatever the provider says.
    sqlx::query("UPDATE users SET disabled_at = now() WHERE email = 'alice@northwind.example'")
        .execute(&app.pool)
        .await
        .expect("disabled");
    let browser = self::browser();
    let callback = at_provider(&app, &provider, &browser, "alice", |url| url).await;
    assert_eq!(
        back_at_portal(&app, &browser, &callback).await,
        format!("{}/sign-in", app.address)
    );
    assert_eq!(who(&app, &browser).await, serde_json::Value::Null);
    let page = sign_in_problem(&app, &browser).await;
    assert!(
        page.contains("This account is disabled in the portal"),
        "{page}"
    );
}

#[tokio::test]
async fn an_address_the_provider_has_not_verified_does_not_take_over_an_account() {
    let provider = Provider::start(None).await;
    let app = portal(&provider).await;
    provider
        .account(
            "mallory",
            serde_json::json!({ "email": "nora.admin@northwind.example", "email_verified": false }),
        )
        .await;
    let browser = browser();
    let callback = at_provider(&app, &provider, &browser, "mallory", |url| url).await;
    assert_eq!(
        back_at_portal(&app, &browser, &callback).await,
        format!("{}/sign-in", app.address)
    );
    assert_eq!(who(&app, &browser).await, serde_json::Value::Null);
    assert_eq!(app.count("SELECT count(*) FROM sso_identities").await, 0);
    let page = sign_in_problem(&app, &browser).await;
    assert!(
        page.contains("has not verified your e-mail address"),
        "{page}"
    );

    // Nor does it make a new account (someone else's address, for later).
    provider
        .account(
            "mallory",
            serde_json::json!({ "email": "future.hire@northwind.example", "email_verified": false }),
        )
        .await;
    round_trip(&app, &provider, "mallory").await;
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email = 'future.hire@northwind.example'")
            .await,
        0
    );
}

#[tokio::test]
async fn someone_with_an_authenticator_is_linked_and_mapped_only_once_their_code_is_right() {
    let provider = Provider::start(None).await;
    let app = portal(&provider).await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    map(&app, &admin, "ai-admins", "role:admin").await;
    let tia = app.signed_in("tia@example.com", &[Role::Reviewer]).await;
    provider
        .account(
            "tia",
            serde_json::json!({ "email": "tia@example.com", "groups": ["ai-admins"] }),
        )
        .await;
    let browser = browser();
    let callback = at_provider(&app, &provider, &browser, "tia", |url| url).await;
    assert_eq!(
        back_at_portal(&app, &browser, &callback).await,
        format!("{}/sign-in/code", app.address)
    );
    assert_eq!(who(&app, &browser).await, serde_json::Value::Null);
    assert_eq!(
        app.count("SELECT count(*) FROM sso_identities").await,
        0,
        "not linked yet"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM user_roles r JOIN users u USING (user_id)
             WHERE u.email = 'tia@example.com' AND r.role = 'admin'"
        )
        .await,
        0,
        "no role from the groups yet"
    );
    let code = app.fresh_code(&tia);
    let coded = browser
        .post(format!("{}/api/sign_in_code", app.address))
        .header("Origin", &app.address)
        .header("Accept", "application/json")
        .form(&[("code", code.as_str())])
        .send()
        .await
        .expect("portal answers");
    assert!(
        coded.status().is_success() || coded.status().is_redirection(),
        "{}",
        coded.status()
    );
    let me = who(&app, &browser).await;
    assert_eq!(me["email"], "tia@example.com", "{me}");
    assert_eq!(
        me["roles"],
        serde_json::json!(["employee", "reviewer", "admin"]),
        "{me}"
    );
    assert_eq!(app.count("SELECT count(*) FROM sso_identities").await, 1);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_events WHERE action = 'sso.linked'
             AND target = 'user:tia@example.com'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_broken_callback_signs_nobody_in() {
    let provider = Provider::start(None).await;
    let app = portal(&provider).await;
    let refused = |page: String| {
        assert!(
            page.contains("could not be verified")
                || page.contains("has expired or was not started"),
            "{page}"
        );
    };

    // Wrong state.
    let browser = browser();
    let callback = at_provider(&app, &provider, &browser, "bob", |url| url).await;
    let forged = callback.replace("state=", "state=x");
    assert_eq!(
        back_at_portal(&app, &browser, &forged).await,
        format!("{}/sign-in", app.address)
    );
    assert_eq!(who(&app, &browser).await, serde_json::Value::Null);
    refused(sign_in_problem(&app, &browser).await);

    // A callback answered once: the same address again is refused.
    let (browser, callback) = round_trip(&app, &provider, "bob").await;
    assert_eq!(who(&app, &browser).await["email"], "bob@sso.example");
    let again = self::browser();
    assert_eq!(
        back_at_portal(&app, &again, &callback).await,
        format!("{}/sign-in", app.address)
    );
    assert_eq!(who(&app, &again).await, serde_json::Value::Null);

    // A used code with a new sign-in's state: the provider refuses it.
    let thief = self::browser();
    let fresh = at_provider(&app, &provider, &thief, "carol", |url| url).await;
    let code = |url: &str| {
        url.split(['?', '&'])
            .find_map(|p| p.strip_prefix("code="))
            .expect("a code")
            .to_owned()
    };
    let replayed = fresh.replace(&code(&fresh), &code(&callback));
    assert_eq!(
        back_at_portal(&app, &thief, &replayed).await,
        format!("{}/sign-in", app.address)
    );
    assert_eq!(who(&app, &thief).await, serde_json::Value::Null);
    refused(sign_in_problem(&app, &thief).await);

    // A nonce other than the one the portal sent.
    let browser = self::browser();
    let callback = at_provider(&app, &provider, &browser, "dave", |url| {
        url.replace("nonce=", "nonce=other")
    })
    .await;
    assert_eq!(
        back_at_portal(&app, &browser, &callback).await,
        format!("{}/sign-in", app.address)
    );
    assert_eq!(who(&app, &browser).await, serde_json::Value::Null);

    // An expired token, one for another client, one signed with a key the provider does not
    // publish: each refused.
    for mode in ["expired", "audience", "unknown-key"] {
        let browser = self::browser();
        let callback = at_provider(&app, &provider, &browser, "erin", |url| url).await;
        provider.sabotage(mode).await;
        app.advance(60);
        assert_eq!(
            back_at_portal(&app, &browser, &callback).await,
            format!("{}/sign-in", app.address),
            "{mode}"
        );
        assert_eq!(who(&app, &browser).await, serde_json::Value::Null, "{mode}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE email IN ('carol@sso.example', 'dave@sso.example', 'erin@sso.example')")
            .await,
        0,
        "no account made for a refused sign-in"
    );
    assert!(
        app.count("SELECT coalesce(sum(count), 0)::bigint FROM audit_tallies WHERE action = 'auth.sign_in_failed' AND array_to_string(targets, ' ') LIKE '%sso:%'")
            .await
            >= 6,
        "refusals are counted"
    );
}

#[tokio::test]
async fn keys_the_provider_rotated_are_fetched_again() {
    let provider = Provider::start(None).await;
    let port = provider.port();
    let app = portal(&provider).await;
    let (browser, _) = round_trip(&app, &provider, "frank").await;
    assert_eq!(who(&app, &browser).await["email"], "frank@sso.example");

    // The provider restarts with a new signing key; the portal still has the old key set.
    drop(provider);
    let provider = Provider::start(Some(port)).await;
    app.advance(60);
    let (browser, _) = round_trip(&app, &provider, "frank").await;
    assert_eq!(who(&app, &browser).await["email"], "frank@sso.example");
}

#[tokio::test]
async fn admins_map_groups_and_a_bad_mapping_names_its_field() {
    let provider = Provider::start(None).await;
    let app = portal(&provider).await;
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    for (email, roles) in [
        ("emp@example.com", &[][..]),
        ("rev@example.com", &[Role::Reviewer]),
        ("man@example.com", &[Role::Manager]),
    ] {
        let person = app.signed_in(email, roles).await;
        let (status, _) = app
            .call_json(
                "admin/add_sso_mapping",
                &[("group", "ai-admins"), ("grants", "role:admin")],
                Some(&person.cookie),
            )
            .await;
        assert_eq!(status, 403, "{roles:?}");
    }
    for (form, field) in [
        ([("group", " "), ("grants", "role:admin")], "group"),
        ([("group", "ai-admins"), ("grants", "role:owner")], "grants"),
        (
            [("group", "ai-admins"), ("grants", "role:employee")],
            "grants",
        ),
        (
            [("group", "ai-admins"), ("grants", "member:no-such-team")],
            "grants",
        ),
    ] {
        let (status, body) = app
            .call_json("admin/add_sso_mapping", &form, Some(&admin.cookie))
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let back = app
        .refused_form(
            "admin/add_sso_mapping",
            &[("group", "ai-admins"), ("grants", "")],
            "/admin/integrations",
            &admin.cookie,
        )
        .await;
    let shown = app.html(&back, &admin.cookie).await;
    assert!(shown.contains("choose what the group grants"), "{shown}");
    assert_eq!(
        app.count("SELECT count(*) FROM sso_group_mappings").await,
        0
    );

    map(&app, &admin, "ai-admins", "role:admin").await;
    let (status, body) = app
        .call_json(
            "admin/add_sso_mapping",
            &[("group", "ai-admins"), ("grants", "role:admin")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("group")),
        "{body}"
    );
    let page = app.html("/admin/integrations", &admin.cookie).await;
    assert!(page.contains("Northwind SSO at"), "{page}");
    assert!(
        page.contains(&format!("{}/auth/oidc/callback", app.address)),
        "{page}"
    );
    assert!(
        page.contains("ai-admins") && page.contains("Role: Admin"),
        "{page}"
    );
    let id: uuid::Uuid = sqlx::query_scalar("SELECT mapping_id FROM sso_group_mappings")
        .fetch_one(&app.pool)
        .await
        .expect("the mapping");
    let (status, body) = app
        .call_json(
            "admin/remove_sso_mapping",
            &[("id", &id.to_string())],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        app.count("SELECT count(*) FROM sso_group_mappings").await,
        0
    );
    for action in ["sso.mapping_added", "sso.mapping_removed"] {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM audit_events WHERE action = '{action}'
                 AND target = 'sso_group:ai-admins'"
            ))
            .await,
            1,
            "{action}"
        );
    }
}
