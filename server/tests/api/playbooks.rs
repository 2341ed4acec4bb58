//! Playbooks: admins keep one per incident kind, every save a version; a new incident's
//! checklist is its kind's playbook in force, ticked by triagers with timestamps.

use app::domain::Role;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn admins_version_playbooks_and_new_incidents_follow_the_one_in_force() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.signed_in("ada@example.com", &[Role::Admin]).await;
    let rita = app.signed_in("rita@example.com", &[Role::Reviewer]).await;
    let eli = app.signed_in("eli@example.com", &[]).await;

    // Everyone reads them: the three defaults from the article, and none yet for the rest.
    let (status, list) = app.call_json("playbooks", &[], Some(&eli.cookie)).await;
    assert_eq!(status, 200, "{list}");
    let versions: Vec<(&str, Value)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|p| (p["kind"].as_str().unwrap_or_default(), p["version"].clone()))
        .collect();
    assert_eq!(versions.len(), 6);
    // The demo's admin reviewed the three after its exercise.
    assert!(versions.contains(&("malicious_package", Value::from(2))));
    assert!(versions.contains(&("vendor_breach", Value::Null)));

    let form = |steps: &'static str| {
        vec![
            ("playbook[kind]", "malicious_package"),
            ("playbook[steps]", steps),
            (
                "playbook[channels]",
                "Owner | Developers | Within 1 hour | Team chat",
            ),
            ("playbook[note]", "After the spring exercise"),
        ]
    };
    let steps = "Block the package | Platform team\nRotate credentials | IT operations";
    // Only admins save; each broken field is named; nothing is saved meanwhile.
    for who in [&eli, &rita] {
        let (status, _) = app
            .call_json("save_playbook", &form(steps), Some(&who.cookie))
            .await;
        assert_eq!(status, 403);
    }
    for (key, value, field) in [
        ("playbook[kind]", "meteor", "kind"),
        ("playbook[steps]", "Block the package", "steps"),
        ("playbook[steps]", "", "steps"),
        ("playbook[channels]", "Owner | Developers", "channels"),
    ] {
        let mut broken = form(steps);
        broken.retain(|(k, _)| *k != key);
        broken.push((key, value));
        let (status, body) = app
            .call_json("save_playbook", &broken, Some(&admin.cookie))
            .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some(field)),
            "{value}: {body}"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM playbook_versions").await, 6);

    let (status, version) = app
        .call_json("save_playbook", &form(steps), Some(&admin.cookie))
        .await;
    assert_eq!((status, version), (200, Value::from(3)));
    // Saving the same again without a note makes no new version.
    let mut same = form(steps);
    same.retain(|(k, _)| *k != "playbook[note]");
    let (_, version) = app
        .call_json("save_playbook", &same, Some(&admin.cookie))
        .await;
    assert_eq!(version, 3);
    let (status, page) = app
        .call_json(
            "playbook",
            &[("kind", "malicious_package")],
            Some(&eli.cookie),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["may_edit"], false);
    assert_eq!(page["versions"][0]["version"], 3);
    assert_eq!(page["versions"][0]["steps"][1]["who"], "IT operations");
    assert_eq!(page["versions"][0]["edited_by"], "ada@example.com");
    assert_eq!(page["versions"][2]["version"], 1, "the default is kept");
    assert_eq!(page["versions"][2]["edited_by"], Value::Null);
    let (status, _) = app
        .call_json("playbook", &[("kind", "meteor")], Some(&eli.cookie))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_events WHERE action = 'playbook.saved'")
            .await,
        1
    );

    // A new incident of that kind starts with version 2's steps.
    let (status, number) = app
        .call_json(
            "report_incident",
            &[
                ("incident[title]", "Typosquatted package in CI"),
                ("incident[kind]", "malicious_package"),
                ("incident[description]", "Found in the lock file."),
            ],
            Some(&eli.cookie),
        )
        .await;
    assert_eq!(status, 200, "{number}");
    let number = number.to_string();
    let (_, detail) = app
        .call_json("incident", &[("number", &number)], Some(&eli.cookie))
        .await;
    assert_eq!(detail["playbook_version"], 3, "{detail}");
    let steps: Vec<&str> = detail["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["what"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(steps, ["Block the package", "Rotate credentials"]);
    assert_eq!(detail["channels"][0]["how"], "Team chat");

    // Triagers tick steps, with who and when, on the timeline; the reporter may not.
    let tick = |step: &'static str, done: &'static str| {
        vec![
            ("number", number.clone()),
            ("step", step.to_owned()),
            ("done", done.to_owned()),
        ]
    };
    let call = |fields: Vec<(&'static str, String)>, cookie: String| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call_json("tick_incident_step", &form, Some(&cookie))
                .await
        }
    };
    let (status, _) = call(tick("1", "true"), eli.cookie.clone()).await;
    assert_eq!(status, 403);
    let (status, body) = call(tick("9", "true"), rita.cookie.clone()).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("step")),
        "{body}"
    );
    for _ in 0..2 {
        let (status, body) = call(tick("1", "true"), rita.cookie.clone()).await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, detail) = app
        .call_json("incident", &[("number", &number)], Some(&rita.cookie))
        .await;
    assert!(detail["steps"][0]["done_at"].is_string(), "{detail}");
    assert_eq!(detail["steps"][0]["done_by"], "rita@example.com");
    assert!(detail["steps"][1]["done_at"].is_null());
    let (status, _) = call(tick("1", "false"), rita.cookie.clone()).await;
    assert_eq!(status, 200);
    let (_, detail) = app
        .call_json("incident", &[("number", &number)], Some(&rita.cookie))
        .await;
    assert!(detail["steps"][0]["done_at"].is_null());
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        ["reported", "step_done", "step_reopened"],
        "once each"
    );

    // Saved unchanged with a note, it is a review: a version of its own.
    let mut review = same.clone();
    review.push(("playbook[note]", "Reviewed: no change"));
    let (_, version) = app
        .call_json("save_playbook", &review, Some(&admin.cookie))
        .await;
    assert_eq!(version, 4);
}
