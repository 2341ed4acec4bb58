//! The role × endpoint matrix: every server function and API route, called as nobody, as an
//! employee, a manager, a reviewer and an admin. Allowed callers get past the gate (to the
//! status the arguments earn: 200, or 404/422 for made-up ids and wrong passwords); the rest get
//! 401 (nobody) or 403 (a role without the permission).

use app::domain::{Membership, Role};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Everyone,
    Reviewers,
    /// Reviewers and admins: the review queue.
    Queue,
    Managers,
    Admins,
}

impl Who {
    fn lets_in(self, role: Role) -> bool {
        match self {
            Who::Everyone => true,
            Who::Reviewers => role == Role::Reviewer,
            Who::Queue => role == Role::Reviewer || role == Role::Admin,
            Who::Managers => role == Role::Manager || role == Role::Admin,
            Who::Admins => role == Role::Admin,
        }
    }
}

const NO_SUCH_ID: &str = "00000000-0000-4000-8000-000000000000";
const NO_SUCH_HANDLE: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// (server function, arguments, who may call it, status for an allowed caller)
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Who,
    u16,
);

const MATRIX: &[Case] = &[
    ("overview", &[], Who::Everyone, 200),
    ("account", &[], Who::Everyone, 200),
    ("two_factor", &[], Who::Everyone, 200),
    (
        "create_api_token",
        &[("name", "matrix")],
        Who::Everyone,
        200,
    ),
    (
        "revoke_api_token",
        &[("id", NO_SUCH_ID)],
        Who::Everyone,
        404,
    ),
    (
        "end_session",
        &[("handle", NO_SUCH_HANDLE)],
        Who::Everyone,
        404,
    ),
    (
        "change_password",
        &[
            ("current_password", "not my password at all"),
            ("new_password", "a brand new passphrase"),
        ],
        Who::Everyone,
        422,
    ),
    (
        "regenerate_recovery_codes",
        &[("current_password", "not my password at all")],
        Who::Everyone,
        422,
    ),
    (
        "begin_two_factor",
        &[("current_password", "not my password at all")],
        Who::Everyone,
        422,
    ),
    (
        "confirm_two_factor",
        &[("code", "000000")],
        Who::Everyone,
        422,
    ),
    ("admin/people", &[], Who::Admins, 200),
    (
        "admin/invite",
        &[
            ("email", "matrix@example.com"),
            ("name", "Matrix"),
            ("roles[]", "manager"),
        ],
        Who::Admins,
        200,
    ),
    (
        "admin/revoke_invitation",
        &[("id", NO_SUCH_ID)],
        Who::Admins,
        404,
    ),
    ("admin/person", &[("id", NO_SUCH_ID)], Who::Admins, 404),
    (
        "admin/update_person",
        &[("id", NO_SUCH_ID)],
        Who::Admins,
        404,
    ),
    (
        "admin/set_person_disabled",
        &[("id", NO_SUCH_ID), ("disabled", "true")],
        Who::Admins,
        404,
    ),
    (
        "admin/reset_person_totp",
        &[("id", NO_SUCH_ID)],
        Who::Admins,
        404,
    ),
    ("admin/integrations", &[], Who::Admins, 200),
    (
        "admin/add_webhook",
        &[("url", "https://hooks.example.com/x")],
        Who::Admins,
        422,
    ),
    (
        "admin/change_webhook",
        &[("id", NO_SUCH_ID), ("change", "pause")],
        Who::Admins,
        404,
    ),
    (
        "admin/test_webhook",
        &[("id", NO_SUCH_ID)],
        Who::Admins,
        404,
    ),
    (
        "admin/resend_delivery",
        &[("id", "999999")],
        Who::Admins,
        404,
    ),
    ("admin/retry_job", &[("id", "999999")], Who::Admins, 404),
    (
        "admin/add_sso_mapping",
        &[("group", "ai-admins"), ("grants", "role:owner")],
        Who::Admins,
        422,
    ),
    (
        "admin/remove_sso_mapping",
        &[("id", NO_SUCH_ID)],
        Who::Admins,
        404,
    ),
    // No mail server in these tests: past the gate, "not set up".
    ("admin/test_email", &[], Who::Admins, 409),
    ("notification_settings", &[], Who::Everyone, 200),
    (
        "save_notification_settings",
        &[("requests", "app")],
        Who::Everyone,
        200,
    ),
    ("admin/teams", &[], Who::Admins, 200),
    (
        "admin/create_team",
        &[("name", "Matrix Team")],
        Who::Admins,
        200,
    ),
    ("admin/team", &[("slug", "no-such-team")], Who::Admins, 404),
    (
        "admin/update_team",
        &[("slug", "no-such-team"), ("name", "X")],
        Who::Admins,
        404,
    ),
    (
        "admin/set_team_member",
        &[
            ("slug", "no-such-team"),
            ("email", "a@example.com"),
            ("membership", "member"),
        ],
        Who::Admins,
        404,
    ),
    ("admin/settings", &[], Who::Admins, 200),
    (
        "admin/update_settings",
        &[("name", "Northwind Analytics (demo)")],
        Who::Admins,
        200,
    ),
    ("admin/audit", &[("query[action]", "")], Who::Admins, 200),
    ("admin/verify_audit", &[], Who::Admins, 200),
    ("registry", &[("q", "code")], Who::Everyone, 200),
    ("tool", &[("slug", "claude-code")], Who::Everyone, 200),
    ("tool", &[("slug", "no-such-tool")], Who::Everyone, 404),
    (
        "policy_check",
        &[
            ("tool", "claude-code"),
            ("data_class", "internal-documents"),
            ("team", "payments"),
        ],
        Who::Everyone,
        200,
    ),
    ("data_classes", &[], Who::Everyone, 200),
    ("tool_editor", &[], Who::Reviewers, 200),
    (
        "tool_editor",
        &[("slug", "claude-code")],
        Who::Reviewers,
        200,
    ),
    (
        "save_tool",
        &[("original", "no-such-tool"), ("tool[name]", "X")],
        Who::Reviewers,
        422,
    ),
    (
        "data_class_editor",
        &[("slug", "customer-data")],
        Who::Reviewers,
        200,
    ),
    (
        "save_data_class",
        &[("original", ""), ("class[name]", "Matrix data")],
        Who::Reviewers,
        422,
    ),
    ("requests", &[("query[scope]", "mine")], Who::Everyone, 200),
    ("requests", &[("query[scope]", "queue")], Who::Queue, 200),
    ("request", &[("number", "999999")], Who::Everyone, 404),
    ("request_editor", &[], Who::Everyone, 200),
    (
        "save_request",
        &[("request[team]", "no-such-team")],
        Who::Everyone,
        422,
    ),
    (
        "request_action",
        &[("number", "999999"), ("action", "comment"), ("body", "hi")],
        Who::Everyone,
        404,
    ),
    (
        "decide_request",
        &[
            ("number", "999999"),
            ("decision[decision]", "approve"),
            ("decision[rationale]", "fine"),
            (
                "decision[version]",
                "abababababababababababababababababababababababababababababababab",
            ),
            ("decision[code]", "123456"),
        ],
        Who::Reviewers,
        404,
    ),
    (
        "receipt",
        &[("id", "00000000-0000-4000-8000-000000000000")],
        Who::Everyone,
        404,
    ),
    ("notifications", &[], Who::Everyone, 200),
    ("my_checklists", &[], Who::Everyone, 200),
    (
        "team_checklist",
        &[("team", "no-such-team")],
        Who::Everyone,
        404,
    ),
    // Nobody in the matrix belongs to a team: only admins open every team's checklist.
    ("team_checklist", &[("team", "payments")], Who::Admins, 200),
    (
        "update_checklist_item",
        &[
            ("team", "no-such-team"),
            ("number", "1"),
            ("item[status]", "done"),
        ],
        Who::Everyone,
        404,
    ),
    ("dashboard", &[], Who::Managers, 200),
    ("admin/checklist", &[], Who::Admins, 200),
    (
        "admin/save_checklist_item",
        &[("item[title]", "")],
        Who::Admins,
        422,
    ),
    (
        "admin/retire_checklist_item",
        &[("number", "999")],
        Who::Admins,
        404,
    ),
    ("read_notifications", &[], Who::Everyone, 200),
    ("incidents", &[("query[status]", "")], Who::Everyone, 200),
    ("incident", &[("number", "999999")], Who::Everyone, 404),
    ("incident_report_form", &[], Who::Everyone, 200),
    (
        "report_incident",
        &[("incident[title]", "")],
        Who::Everyone,
        422,
    ),
    (
        "triage_incident",
        &[("number", "999999"), ("triage[status]", "dismissed")],
        Who::Queue,
        404,
    ),
    (
        "comment_on_incident",
        &[("number", "999999"), ("body", "hi")],
        Who::Everyone,
        404,
    ),
    (
        "review_incident",
        &[
            ("number", "999999"),
            ("review[summary]", "s"),
            ("review[root_cause]", "r"),
        ],
        Who::Queue,
        404,
    ),
    (
        "add_incident_follow_up",
        &[
            ("number", "999999"),
            ("follow_up[what]", "Pin it"),
            ("follow_up[owner]", NO_SUCH_ID),
            ("follow_up[due]", "2099-01-01"),
        ],
        Who::Queue,
        404,
    ),
    (
        "stop_tool",
        &[("stop[tool]", ""), ("stop[code]", "123456")],
        Who::Reviewers,
        422,
    ),
    (
        "acknowledge_stop",
        &[("stop", NO_SUCH_ID)],
        Who::Everyone,
        404,
    ),
    (
        "reinstate_tool",
        &[
            ("tool", "no-such-tool"),
            (
                "reinstate[justification]",
                "The vendor shipped a fixed release.",
            ),
            ("reinstate[facts_changed]", "Pinned to the fixed release."),
        ],
        Who::Reviewers,
        404,
    ),
    (
        "tick_incident_step",
        &[("number", "999999"), ("step", "1"), ("done", "true")],
        Who::Queue,
        404,
    ),
    ("playbooks", &[], Who::Everyone, 200),
    ("exercises", &[], Who::Queue, 200),
    ("exercise", &[("number", "999999")], Who::Queue, 404),
    ("dry_run", &[("tool", "no-such-tool")], Who::Queue, 422),
    (
        "schedule_exercise",
        &[("exercise[title]", "")],
        Who::Admins,
        422,
    ),
    (
        "record_exercise",
        &[
            ("number", "999999"),
            ("outcome[gaps]", "Nobody called the vendor"),
        ],
        Who::Admins,
        404,
    ),
    (
        "add_exercise_follow_up",
        &[
            ("number", "999999"),
            ("follow_up[what]", "Name the vendor contact"),
            ("follow_up[owner]", NO_SUCH_ID),
            ("follow_up[due]", "2099-01-01"),
        ],
        Who::Admins,
        404,
    ),
    (
        "complete_exercise_follow_up",
        &[("number", "999999"), ("action", NO_SUCH_ID)],
        Who::Queue,
        404,
    ),
    ("playbook", &[("kind", "data_sent")], Who::Everyone, 200),
    ("scan_choices", &[], Who::Everyone, 200),
    ("scan_posted", &[], Who::Everyone, 200),
    (
        "class_detectors",
        &[("class", "personal-data")],
        Who::Reviewers,
        200,
    ),
    (
        "save_detector",
        &[
            ("class", "personal-data"),
            ("id", ""),
            ("detector[name]", ""),
        ],
        Who::Reviewers,
        422,
    ),
    (
        "retire_detector",
        &[("class", "personal-data"), ("id", NO_SUCH_ID)],
        Who::Reviewers,
        404,
    ),
    (
        "save_playbook",
        &[("playbook[kind]", "fire")],
        Who::Admins,
        422,
    ),
    (
        "complete_incident_follow_up",
        &[("number", "999999"), ("action", NO_SUCH_ID)],
        Who::Everyone,
        404,
    ),
];

async fn status_of(
    app: &TestApp,
    function: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> (u16, Value) {
    app.call_json(function, form, cookie).await
}

#[tokio::test]
async fn every_server_function_lets_in_exactly_the_roles_it_should() {
    let app = spawn_app().await;
    app.load_demo().await;
    let mut people = vec![];
    for role in [Role::Employee, Role::Manager, Role::Reviewer, Role::Admin] {
        let email = format!("matrix.{role}@example.com");
        people.push((role, app.signed_in(&email, &[role]).await));
    }

    for (function, form, who, allowed_status) in MATRIX {
        let (status, body) = status_of(&app, function, form, None).await;
        assert_eq!(status, 401, "anonymous {function}: {body}");
        assert_eq!(body["code"], "unauthorized", "anonymous {function}");

        for (role, person) in &people {
            let allowed = who.lets_in(*role);
            let (status, body) = status_of(&app, function, form, Some(&person.cookie)).await;
            if allowed {
                assert_eq!(status, *allowed_status, "{role} {function}: {body}");
            } else {
                assert_eq!(status, 403, "{role} {function}: {body}");
                assert_eq!(body["code"], "forbidden", "{role} {function}");
            }
        }
    }
}

/// The finer permissions a use case asks itself (`Principal::may`): who reads someone else's
/// request, who files one for a team they are not in, whose checklists a dashboard covers.
#[tokio::test]
async fn the_finer_permissions_decide_inside_each_use_case() {
    let app = spawn_app().await;
    app.load_demo().await;
    let requester = app.signed_in("finer.eli@example.com", &[]).await;
    app.join(requester.user_id, "payments", Membership::Member)
        .await;
    let form = [
        ("request[team]", "payments"),
        ("request[tool_name]", "Windsurf"),
        ("request[category]", "ai_coding"),
        ("request[distribution]", "binary"),
    ];
    let (status, number) = app
        .call_json("save_request", &form, Some(&requester.cookie))
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.as_i64().expect("a number").to_string();

    for role in [Role::Employee, Role::Manager, Role::Reviewer, Role::Admin] {
        let person = app
            .signed_in(&format!("finer.{role}@example.com"), &[role])
            .await;
        // Reading another's request: reviewers work on it, admins observe it.
        let (status, body) = app
            .call_json("request", &[("number", &number)], Some(&person.cookie))
            .await;
        let reads = matches!(role, Role::Reviewer | Role::Admin);
        assert_eq!(status, if reads { 200 } else { 404 }, "{role}: {body}");
        if reads {
            let party = if role == Role::Reviewer {
                "reviewer"
            } else {
                "observer"
            };
            assert_eq!(body["party"], party, "{role}");
        }
        // Filing for a team one is not in: admins only; others are told which field is wrong.
        let (status, body) = app
            .call_json("save_request", &form, Some(&person.cookie))
            .await;
        if role == Role::Admin {
            assert_eq!(status, 200, "{role}: {body}");
        } else {
            assert_eq!(
                (status, body["field"].as_str()),
                (422, Some("team")),
                "{role}"
            );
        }
        // The dashboard: admins see every team, a manager only the teams they manage (none).
        let (status, body) = app.call_json("dashboard", &[], Some(&person.cookie)).await;
        match role {
            Role::Admin => {
                assert_eq!(body["scope_all"], true, "{body}");
                assert!(body["teams"].as_i64() > Some(0), "{body}");
            }
            Role::Manager => {
                assert_eq!(
                    (&body["scope_all"], &body["teams"]),
                    (&false.into(), &0.into())
                );
            }
            _ => assert_eq!(status, 403, "{role}"),
        }
    }
}

#[tokio::test]
async fn a_reviewer_without_a_second_factor_may_only_set_one_up() {
    let app = spawn_app().await;
    app.load_demo().await;
    app.create_user(
        "new.reviewer@example.com",
        "New Reviewer",
        &[Role::Reviewer],
    )
    .await;
    let cookie = app.sign_in("new.reviewer@example.com", None).await;

    let (status, body) = status_of(&app, "overview", &[], Some(&cookie)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("enrollment_required"))
    );
    for function in ["account", "two_factor"] {
        let (status, body) = status_of(&app, function, &[], Some(&cookie)).await;
        assert_eq!(status, 200, "{function}: {body}");
    }
    let (_, me) = status_of(&app, "current_user", &[], Some(&cookie)).await;
    assert_eq!(me["needs_two_factor"], true);

    // The page sends them to set it up.
    let response = app.page("/", &cookie).await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/account/two-factor");
}

#[tokio::test]
async fn anonymous_visitors_see_only_sign_in_setup_and_invitation_pages() {
    let app = spawn_app().await;
    app.load_demo().await;
    for path in [
        "/",
        "/account",
        "/account/two-factor",
        "/admin/people",
        "/admin/teams",
        "/admin/settings",
        "/admin/integrations",
        "/admin/audit",
        "/notifications/settings",
    ] {
        let response = app.page(path, "").await;
        assert_eq!(response.status(), 302, "{path}");
        // The sign-in page is told where to come back to.
        let sign_in = match path {
            "/" => "/sign-in".to_owned(),
            path => format!("/sign-in?next={path}"),
        };
        assert_eq!(response.headers()["location"], sign_in.as_str(), "{path}");
    }
    let response = app.page("/sign-in", "").await;
    assert_eq!(response.status(), 200);
    // The invitation page asks for the link's code when no invitation is open.
    let response = app.page("/invite", "").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("Invitation code"), "{html}");
}

#[tokio::test]
async fn admin_pages_tell_other_roles_they_may_not() {
    let app = spawn_app().await;
    app.load_demo().await;
    let employee = app.signed_in("eve@example.com", &[Role::Employee]).await;
    for path in [
        "/admin/people",
        "/admin/teams",
        "/admin/checklist",
        "/admin/settings",
        "/admin/integrations",
        "/admin/audit",
    ] {
        let response = app.page(path, &employee.cookie).await;
        assert_eq!(response.status(), 403, "{path}");
        let html = response.text().await.expect("html");
        assert!(
            html.contains("You do not have permission to do that."),
            "{path}"
        );
        assert!(!html.contains("Invite someone"), "{path}");
        // Neither the header's "Admin" entry nor the section's tabs.
        assert!(!html.contains(r#"aria-label="Administration""#), "{path}");
        assert!(!html.contains(">Admin</a>"), "{path}");
    }
    let admin = app.signed_in("root@example.com", &[Role::Admin]).await;
    for (path, text) in [
        ("/admin/people", "Invite someone"),
        ("/admin/teams", "Create a team"),
        ("/admin/settings", "Require two-factor sign-in for everyone"),
        ("/admin/audit", "Verify chain"),
        ("/admin/integrations", "Add a webhook"),
        ("/admin/checklist", "Add an item"),
        ("/account", "API tokens"),
    ] {
        let response = app.page(path, &admin.cookie).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.expect("html");
        assert!(html.contains(text), "{path}: {text}");
        assert!(html.contains(">Admin</a>"), "{path}");
        // The section's tabs on its own pages only.
        assert_eq!(
            html.contains(r#"aria-label="Administration""#),
            path.starts_with("/admin/"),
            "{path}"
        );
    }
}

/// Every `/api/v1` route and the roles it lets in (all of them, so far: reading).
const API_ROUTES: &[&str] = &[
    "/api/v1/me",
    "/api/v1/data-classes",
    "/api/v1/tools",
    "/api/v1/tools/claude-code",
    "/api/v1/policy/check?tool=claude-code&data_class=internal-documents&team=payments",
    "/api/v1/incidents",
    "/api/v1/scan/rules",
];

#[tokio::test]
async fn the_api_lets_in_every_role_with_a_token_and_nobody_without() {
    let app = spawn_app().await;
    app.load_demo().await;
    let mut tokens = vec![];
    for role in Role::ALL {
        let email = format!("api.{role}@example.com");
        let user = app.create_user(&email, "Api", &[role]).await;
        if role.requires_totp() {
            app.enroll_totp(user).await;
        }
        tokens.push((role, app.api_token(&email).await));
    }
    // A reviewer who has not set up two-factor sign-in yet.
    app.create_user("late@example.com", "Late", &[Role::Reviewer])
        .await;
    let late = app.api_token("late@example.com").await;

    for route in API_ROUTES {
        for (role, token) in &tokens {
            let response = app
                .client
                .get(app.url(route))
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 200, "{role} {route}");
        }
        let response = app.get(route).await;
        assert_eq!(response.status(), 401, "anonymous {route}");
        let response = app
            .client
            .get(app.url(route))
            .bearer_auth(&late)
            .send()
            .await
            .expect("request");
        let expected = if *route == "/api/v1/me" { 200 } else { 403 };
        assert_eq!(response.status(), expected, "enrollment owed {route}");
    }
}
