//! The scanner end to end: the API with and without a verdict, its refusals, the rule set and
//! its ETag, reviewers' detector editing taking effect on the next scan, the scan page with and
//! without a session, the shipped and demo detectors passing their own examples, and the CLI
//! in its three formats against a portal's rules.

use app::domain::scan::engine::check_detector;
use app::domain::scan::{DetectorKind, ValidDetector};
use app::domain::{Membership, Role};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, SignedIn, TestApp};

const ELI: &str = "eli.employee@northwind.example";
const LEAKY: &str = "deploy key AKIAIOSFODNN7EXAMPLE\ncard on file 4111 1111 1111 1111\nnot a card 4111 1111 1111 1112";

async fn scan(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/scan"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn classes(report: &Value) -> Vec<(String, i64)> {
    report["classes"]
        .as_array()
        .expect("classes")
        .iter()
        .map(|c| {
            (
                c["class"].as_str().expect("class").to_owned(),
                c["count"].as_i64().expect("count"),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_api_finds_validated_data_and_says_whether_it_may_go_into_a_tool() {
    let app = spawn_app().await;
    app.load_demo().await;
    let token = app.api_token(ELI).await;

    let (status, report) = scan(&app, &token, &json!({ "text": LEAKY })).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        classes(&report),
        [
            ("credentials-secrets".to_owned(), 1),
            ("customer-data".to_owned(), 1)
        ],
        "the card failing Luhn is not reported: {report}"
    );
    let first = &report["findings"][0];
    assert_eq!(
        (
            first["line"].as_i64(),
            first["column"].as_i64(),
            first["excerpt"].as_str()
        ),
        (Some(1), Some(12), Some("AKIA…LE"))
    );
    assert_eq!(report["findings"][1]["line"], 2);
    assert!(report.get("verdict").is_none(), "no tool, no verdict");
    assert!(
        !report.to_string().contains("AKIAIOSFODNN7EXAMPLE"),
        "only excerpts"
    );

    // A tool and a team: the policy check for every class found.
    let (status, report) = scan(
        &app,
        &token,
        &json!({ "text": LEAKY, "tool": "chatgpt", "team": "payments" }),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let verdict = &report["verdict"];
    assert_eq!(verdict["allowed"], false, "{verdict}");
    assert_eq!(
        verdict["blocked_classes"]
            .as_array()
            .map(|b| b.iter().map(|c| c["class"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("credentials-secrets"), json!("customer-data")])
    );
    assert!(
        verdict["reason"]
            .as_str()
            .is_some_and(|r| r.contains("may not be sent to any AI tool")),
        "{verdict}"
    );

    // Only an internal marking: the tool's approval lists internal documents for the team.
    let (_, report) = scan(
        &app,
        &token,
        &json!({ "text": "INTERNAL ONLY: the onboarding notes", "tool": "chatgpt", "team": "payments" }),
    )
    .await;
    assert_eq!(classes(&report), [("internal-documents".to_owned(), 1)]);
    assert_eq!(report["verdict"]["allowed"], true, "{report}");

    // Nothing found: the tool's own standing decides.
    let (_, report) = scan(
        &app,
        &token,
        &json!({ "text": "What is a good name for a cat?", "tool": "chatgpt-personal", "team": "payments" }),
    )
    .await;
    assert!(report["findings"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(
        report["verdict"]["allowed"], false,
        "a prohibited tool: {report}"
    );

    // The audit records who, the size and the counts, never the text: each person's scans of a
    // minute as one event, one by one while they are few.
    app.flush_scans().await;
    let event: Value = sqlx::query_scalar(
        "SELECT payload::jsonb FROM audit_events WHERE action = 'scan.performed' ORDER BY seq LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audited");
    // The test may straddle a minute: every scan listed, in order, across the events.
    let each: Vec<Value> = sqlx::query_scalar(
        "SELECT scan FROM audit_events,
             jsonb_array_elements(payload::jsonb->'after'->'each') WITH ORDINALITY AS x(scan, n)
         WHERE action = 'scan.performed' ORDER BY seq, n",
    )
    .fetch_all(&app.pool)
    .await
    .expect("audited");
    let first = &each[0];
    assert_eq!(first["size"], LEAKY.len());
    assert_eq!(first["counts"]["customer-data"], 1);
    assert_eq!(first["via"], "api");
    assert_eq!(first["tool"], Value::Null, "the first scan named no tool");
    let second = &each[1];
    assert_eq!(
        (&second["tool"], &second["team"]),
        (&json!("chatgpt"), &json!("payments"))
    );
    assert_eq!(second["allowed"], false);
    assert_eq!(event["after"]["via"]["api"], event["after"]["scans"]);
    assert_eq!(event["actor"]["email"], ELI);
}

#[tokio::test]
async fn the_api_refuses_bad_input_naming_the_field() {
    let app = spawn_app().await;
    app.load_demo().await;
    let token = app.api_token(ELI).await;
    for (body, field) in [
        (json!({ "text": "" }), "text"),
        (json!({ "text": "hello", "tool": "chatgpt" }), "team"),
        (json!({ "text": "hello", "team": "payments" }), "tool"),
        (
            json!({ "text": "hello", "tool": "no-such-tool", "team": "payments" }),
            "tool",
        ),
        (
            json!({ "text": "hello", "tool": "chatgpt", "team": "no-such-team" }),
            "team",
        ),
        (json!({ "text": 42 }), "body"),
    ] {
        let (status, error) = scan(&app, &token, &body).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(error["error"]["field"], field, "{body}: {error}");
    }
    // Not JSON at all.
    let response = app
        .client
        .post(app.url("/api/v1/scan"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    // Over 1 MiB: a clear 413 in the envelope.
    let big = "a".repeat(1024 * 1024 + 1);
    let (status, error) = scan(&app, &token, &json!({ "text": big })).await;
    assert_eq!(status, 413, "{error}");
    assert_eq!(error["error"]["code"], "too_large");
    assert!(error["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("1 MiB")));
    // No token.
    let response = app
        .client
        .post(app.url("/api/v1/scan"))
        .json(&json!({ "text": "hello" }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
}

async fn save_detector(
    app: &TestApp,
    reviewer: &SignedIn,
    class: &str,
    id: &str,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("class", class), ("id", id)];
    form.extend_from_slice(fields);
    app.call_json("save_detector", &form, Some(&reviewer.cookie))
        .await
}

#[tokio::test]
async fn reviewers_edit_detectors_and_the_next_scan_uses_them() {
    let app = spawn_app().await;
    app.load_demo().await;
    let token = app.api_token(ELI).await;
    let reviewer = app
        .signed_in("rules.reviewer@example.com", &[Role::Reviewer])
        .await;
    let rules = app.api_get("/api/v1/scan/rules", &token).await;
    assert_eq!(rules.status(), 200);
    let etag = rules.headers()["etag"].to_str().expect("etag").to_owned();
    let before: Value = rules.json().await.expect("json");
    let again = app
        .client
        .get(app.url("/api/v1/scan/rules"))
        .bearer_auth(&token)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), 304);

    // Refusals name their field, and nothing is saved.
    let falcon = [
        ("detector[name]", "Project code names"),
        ("detector[kind]", "keywords"),
        ("detector[keywords]", "Falcon\nOsprey"),
        ("detector[must_match]", "the Falcon launch"),
        ("detector[must_not_match]", "a falconry club"),
    ];
    let broken: [(&[(&str, &str)], &str); 4] = [
        (
            &[("detector[kind]", "regex"), ("detector[pattern]", "x*")],
            "pattern",
        ),
        (
            &[
                ("detector[kind]", "regex"),
                ("detector[pattern]", "(unclosed"),
            ],
            "pattern",
        ),
        (&[("detector[must_match]", "nothing here")], "must_match"),
        (&[("detector[must_not_match]", "FALCON")], "must_not_match"),
    ];
    for (changes, field) in broken {
        let mut form: Vec<(&str, &str)> = falcon.to_vec();
        for (name, value) in changes {
            form.retain(|(n, _)| n != name);
            form.push((name, value));
        }
        let (status, error) = save_detector(&app, &reviewer, "core-source-code", "", &form).await;
        assert_eq!(status, 422, "{field}: {error}");
        assert_eq!(error["field"], field, "{error}");
    }
    let employee = app
        .signed_in("rules.employee@example.com", &[Role::Employee])
        .await;
    let (status, _) = save_detector(&app, &employee, "core-source-code", "", &falcon).await;
    assert_eq!(status, 403);

    let (status, id) = save_detector(&app, &reviewer, "core-source-code", "", &falcon).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().expect("id").to_owned();
    let text = json!({ "text": "Status of project FALCON: on track" });
    let (_, report) = scan(&app, &token, &text).await;
    assert_eq!(
        classes(&report),
        [("core-source-code".to_owned(), 1)],
        "used at once"
    );

    // The rule set moved on: a new version and ETag.
    let rules = app.api_get("/api/v1/scan/rules", &token).await;
    assert_ne!(rules.headers()["etag"].to_str().expect("etag"), etag);
    let after: Value = rules.json().await.expect("json");
    assert!(after["version"].as_i64() > before["version"].as_i64());

    // Changed to case-sensitive: "FALCON" is no longer found; then retired.
    let mut case = falcon.to_vec();
    case.push(("detector[case_sensitive]", "true"));
    let (status, body) = save_detector(&app, &reviewer, "core-source-code", &id, &case).await;
    assert_eq!(status, 200, "{body}");
    let (_, report) = scan(&app, &token, &text).await;
    assert!(classes(&report).is_empty(), "{report}");
    let (status, _) = app
        .call_json(
            "retire_detector",
            &[("class", "core-source-code"), ("id", &id)],
            Some(&reviewer.cookie),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = save_detector(&app, &reviewer, "core-source-code", &id, &falcon).await;
    assert_eq!(status, 409, "retired is final: {body}");
    let (_, report) = scan(&app, &token, &json!({ "text": "Falcon" })).await;
    assert!(classes(&report).is_empty());
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM scan_detector_versions WHERE detector_id = '{id}'"
        ))
        .await,
        3,
        "added, changed, retired"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action LIKE 'scan.detector_%'")
            .await,
        3
    );
    // A detector of another class is not reached through this one.
    let (status, _) = app
        .call_json(
            "retire_detector",
            &[("class", "personal-data"), ("id", &id)],
            Some(&reviewer.cookie),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_shipped_and_demo_detector_passes_its_own_examples() {
    let app = spawn_app().await;
    app.load_demo().await;
    // (name, kind, pattern, keywords, case-sensitive, must find, must not find)
    type Row = (
        String,
        String,
        String,
        Vec<String>,
        bool,
        Vec<String>,
        Vec<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT name, kind, pattern, keywords, case_sensitive, must_match, must_not_match
         FROM scan_detectors",
    )
    .fetch_all(&app.pool)
    .await
    .expect("detectors");
    assert!(rows.len() >= 21, "{}", rows.len());
    for (name, kind, pattern, keywords, case_sensitive, must_match, must_not_match) in rows {
        let detector = ValidDetector {
            name: name.clone(),
            kind: DetectorKind::parse(&kind).expect("kind"),
            pattern,
            keywords,
            case_sensitive,
            must_match,
            must_not_match,
        };
        assert!(
            check_detector(&detector).is_ok(),
            "{name}: {:?}",
            check_detector(&detector)
        );
    }
    // Checklist item 3 shows the classes and how many detectors in force find each.
    let admin = app
        .signed_in("evidence.admin@example.com", &[Role::Admin])
        .await;
    let (status, checklist) = app
        .call_json(
            "team_checklist",
            &[("team", "payments")],
            Some(&admin.cookie),
        )
        .await;
    assert_eq!(status, 200, "{checklist}");
    let item = checklist["progress"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["number"] == 3)
        .expect("item 3")
        .clone();
    let detectors_of = |slug: &str| {
        item["machine_evidence"]["classes"]
            .as_array()
            .expect("classes")
            .iter()
            .find(|c| c["slug"] == slug)
            .map(|c| c["detectors"].clone())
    };
    assert_eq!(
        detectors_of("credentials-secrets"),
        Some(json!(12)),
        "{item}"
    );
    assert_eq!(detectors_of("health-data"), Some(json!(0)));
    let html = app.html("/teams/payments/checklist", &admin.cookie).await;
    assert!(
        html.contains("No detector finds Health data yet"),
        "a prohibited class nothing finds is called out"
    );
    // Every prohibited class of the demo has a detector but one.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM data_classes d WHERE d.prohibited_by_default AND NOT EXISTS
               (SELECT 1 FROM scan_detectors s WHERE s.data_class_id = d.data_class_id)"
        )
        .await,
        1,
        "health data has no detector"
    );
}

#[tokio::test]
async fn the_scan_page_shows_findings_and_the_verdict_without_javascript() {
    let app = spawn_app().await;
    app.load_demo().await;
    let employee = app
        .signed_in("scan.page@example.com", &[Role::Employee])
        .await;
    app.join(employee.user_id, "payments", Membership::Member)
        .await;
    let eli = employee.cookie.clone();
    let post = |cookie: Option<String>, origin: &str, form: Vec<(&'static str, String)>| {
        let mut request = app
            .client
            .post(app.url("/scan"))
            .header("origin", origin)
            .header("accept", "text/html")
            .form(&form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let form = || {
        vec![
            ("text", LEAKY.to_owned()),
            ("tool", "chatgpt".to_owned()),
            ("team", "payments".to_owned()),
        ]
    };
    let page = post(Some(eli.clone()), &app.address, form())
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("data-testid=\"scan-verdict\""), "{html}");
    assert!(html.contains("data-allowed=\"false\""));
    assert!(html.contains("AKIA…LE") && html.contains("Payment card number"));
    assert!(html.contains("<mark"), "the text comes back marked");

    // A field error shows beside its field.
    let mut bad = form();
    bad[2].1 = "no-such-team".into();
    let html = post(Some(eli.clone()), &app.address, bad)
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("no team has this identifier"), "{html}");

    // Another site's form is refused; nobody signed in is asked to sign in.
    let refused = post(Some(eli), "https://evil.example", form())
        .await
        .expect("page");
    assert_eq!(refused.status(), 403);
    let anonymous = post(None, &app.address, form())
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!anonymous.contains("scan-verdict"));
    app.flush_scans().await;
    assert_eq!(
        app.count(
            "SELECT sum((payload::jsonb->'after'->>'scans')::int)::bigint FROM audit_events
             WHERE action = 'scan.performed'"
        )
        .await,
        1,
        "the one scan that ran (refused ones scan nothing)"
    );
}

#[tokio::test]
async fn the_cli_scans_a_tree_with_the_portals_rules_in_three_formats() {
    let app = spawn_app().await;
    app.load_demo().await;
    let token = app.api_token(ELI).await;
    let dir = tempfile::tempdir().expect("dir");
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("src")).expect("dirs");
    std::fs::create_dir_all(root.join("build")).expect("dirs");
    std::fs::write(root.join(".gitignore"), "build/\n").expect("write");
    std::fs::write(
        root.join("src/config.py"),
        "DEBUG = True\nDATABASE_URL = 'postgres://app:s3cr3t-Pa55@db.internal/app'\n",
    )
    .expect("write");
    std::fs::write(root.join("build/out.txt"), "AKIAIOSFODNN7EXAMPLE\n").expect("write");
    std::fs::write(root.join("logo.png"), b"\x89PNG\0\0AKIAIOSFODNN7EXAMPLE").expect("write");
    std::fs::write(root.join("notes.md"), "nothing to see\n").expect("write");
    // Hidden files hold secrets and are read; git's own folder is not.
    std::fs::write(
        root.join(".env"),
        "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc9x\n",
    )
    .expect("write");
    std::fs::create_dir_all(root.join(".git")).expect("dirs");
    std::fs::write(
        root.join(".git/config"),
        "token = ghp_R8x2mQ7vL1kP9sT4wZ6yB3nC5dF0hJ2gK8aE\n",
    )
    .expect("write");

    // Asynchronously: the portal answering the CLI runs on this test's thread.
    let run = |args: Vec<String>, stdin: Option<&'static str>| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .arg("scan")
            .args(["--portal", &app.address])
            .args(args)
            .env("PORTAL_TOKEN", &token)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        async move {
            use tokio::io::AsyncWriteExt;
            let mut child = command.spawn().expect("server scan");
            let mut input = child.stdin.take().expect("stdin");
            if let Some(text) = stdin {
                input.write_all(text.as_bytes()).await.expect("written");
            }
            drop(input);
            child.wait_with_output().await.expect("output")
        }
    };
    let tree = root.to_str().expect("utf-8").to_owned();
    let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let text = run(args(&[&tree]), None).await;
    assert_eq!(text.status.code(), Some(1), "{text:?}");
    let stdout = String::from_utf8(text.stdout).expect("utf-8");
    assert_eq!(
        stdout.lines().count(),
        2,
        "ignored, binary and .git files skipped: {stdout}"
    );
    assert!(stdout.contains(".env:1:"), "{stdout}");
    assert!(stdout.contains("src/config.py:2:"), "{stdout}");
    assert!(
        stdout.contains("Password in a connection string"),
        "{stdout}"
    );
    assert!(!stdout.contains("s3cr3t-Pa55"), "excerpts only");

    let jsonl = run(args(&["--format", "jsonl", &tree]), None).await;
    let lines: Vec<Value> = String::from_utf8(jsonl.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let line = lines
        .iter()
        .find(|l| l["path"].as_str().is_some_and(|p| p.ends_with("config.py")))
        .expect("config.py");
    assert_eq!(
        (
            line["class"].as_str(),
            line["line"].as_i64(),
            line["prohibited"].as_bool()
        ),
        (Some("credentials-secrets"), Some(2), Some(true))
    );

    let sarif = run(
        args(&["--format", "sarif", "-"]),
        Some("card 4111 1111 1111 1111\n"),
    )
    .await;
    assert_eq!(sarif.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&sarif.stdout).expect("sarif");
    assert_eq!(document["version"], "2.1.0");
    let result = &document["runs"][0]["results"][0];
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        6
    );
    let rule_ids: Vec<&str> = document["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(rule_ids.contains(&result["ruleId"].as_str().expect("rule")));

    // Clean input exits 0; an internal marking is found but is not prohibited: 0 too.
    let clean = run(args(&["-"]), Some("INTERNAL ONLY: lunch menu\n")).await;
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");
    assert!(String::from_utf8_lossy(&clean.stdout).contains("Internal documents"));
    // No rules: exit 2 with the reason.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["scan", &tree])
        .output()
        .await
        .expect("server scan");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--rules FILE"));
}

/// A gateway scans before every prompt: a scan is a POST but changes nothing the instance
/// keeps, so it must not clear the token (or policy, or rules) cache its next call needs.
#[tokio::test]
async fn a_scan_keeps_the_caches_a_gateways_next_call_needs() {
    let app = spawn_app().await;
    app.load_demo().await;
    let token = app.api_token(ELI).await;
    assert_eq!(app.api_get("/api/v1/me", &token).await.status(), 200);
    // Disabled behind the portal's back (no notification): only the cache still knows Eli.
    let mut tx = app.pool.begin().await.expect("begin");
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("triggers off");
    sqlx::query("UPDATE users SET disabled_at = now() WHERE email = $1")
        .bind(ELI)
        .execute(&mut *tx)
        .await
        .expect("disabled");
    tx.commit().await.expect("commit");
    let (status, report) = scan(&app, &token, &json!({ "text": "INTERNAL ONLY" })).await;
    assert_eq!(status, 200, "answered from the cached token: {report}");
    assert_eq!(
        app.api_get("/api/v1/me", &token).await.status(),
        200,
        "the scan did not clear the cache"
    );
}
