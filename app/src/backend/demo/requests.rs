//! The demo's tool requests: one in every state, filed, reviewed and decided through the same
//! functions people use (receipts signed, registry written), at times spread over the last weeks.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::{person, DANA, ELI, KAI, LENA, RAVI, SOFIA};
use crate::backend::platform::signing::SigningKeys;
use crate::backend::requests::decisions::demo_sign_off;
use crate::backend::requests::{act_in, save_draft_in};
use crate::domain::requests::decision::ValidDecision;
use crate::domain::requests::state::{Decision, RequestAction};
use crate::domain::{RequestForm, TotpCode};
use crate::error::{AppError, OrInternal};

/// A step after filing: (days after filing, who, what, text).
type Step = (i64, &'static str, Act, &'static str);

#[derive(Clone, Copy)]
enum Act {
    Do(RequestAction),
    Decide(Decision, &'static str),
}

struct DemoRequest {
    by: &'static str,
    /// Days ago it was filed.
    filed: i64,
    form: fn() -> RequestForm,
    steps: &'static [Step],
}

fn base(team: &str, tool: &str, name: &str, vendor: &str, category: &str) -> RequestForm {
    RequestForm {
        team: team.into(),
        tool: tool.into(),
        tool_name: name.into(),
        vendor: vendor.into(),
        category: category.into(),
        distribution: "saas".into(),
        users: "8".into(),
        data_classes: vec!["internal-documents".into()],
        ..RequestForm::default()
    }
}

fn devin() -> RequestForm {
    RequestForm {
        website: "https://devin.ai".into(),
        use_case: "An autonomous agent that fixes failing ledger reconciliation jobs overnight."
            .into(),
        justification: "Two engineers spend a day a week on these fixes.".into(),
        users: "4".into(),
        access: vec!["terminal".into(), "git".into(), "production".into()],
        data_classes: vec!["core-source-code".into(), "financial-records".into()],
        distribution: "saas".into(),
        alternatives: "Claude Code with a human at the keyboard.".into(),
        ..base("payments", "", "Devin", "Cognition", "ai_coding")
    }
}

fn windsurf() -> RequestForm {
    RequestForm {
        website: "https://windsurf.com".into(),
        use_case: "Editor with AI completion for the settlement services.".into(),
        justification: "The team prefers it to Copilot for multi-file edits.".into(),
        users: "12".into(),
        access: vec!["file_system".into(), "git".into()],
        data_classes: vec!["core-source-code".into()],
        distribution: "ide_extension".into(),
        package_name: "codeium.windsurf".into(),
        pinned_version: "1.12.3".into(),
        ..base("payments", "", "Windsurf", "Codeium", "ai_coding")
    }
}

fn jupyter_ai() -> RequestForm {
    RequestForm {
        website: "https://github.com/jupyterlab/jupyter-ai".into(),
        use_case: "Explain and draft notebook cells on anonymised forecasting data.".into(),
        justification: "Speeds up exploratory analysis.".into(),
        access: vec!["file_system".into()],
        distribution: "pypi".into(),
        package_name: "jupyter-ai".into(),
        pinned_version: "2.28.2".into(),
        checksum: "3b5e8c1f0a9d7e6b4c2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c".into(),
        ..base(
            "data-science",
            "",
            "Jupyter AI",
            "Project Jupyter",
            "ai_coding",
        )
    }
}

fn tabnine() -> RequestForm {
    RequestForm {
        use_case: "Code completion in the payment gateway repository.".into(),
        justification: "Runs on our own infrastructure.".into(),
        access: vec!["file_system".into()],
        data_classes: vec!["core-source-code".into()],
        distribution: "ide_extension".into(),
        ..base("payments", "", "Tabnine", "Tabnine", "ai_coding")
    }
}

fn notion_ai() -> RequestForm {
    RequestForm {
        website: "https://www.notion.so/product/ai".into(),
        use_case: "Summarise experiment write-ups in the team wiki.".into(),
        justification: "The wiki already lives in Notion.".into(),
        users: "15".into(),
        data_classes: vec!["internal-documents".into(), "public-information".into()],
        ..base(
            "data-science",
            "",
            "Notion AI",
            "Notion Labs",
            "ai_document",
        )
    }
}

fn claude_code_for_payments() -> RequestForm {
    RequestForm {
        use_case: "Use the approved Claude Code on the payments services too.".into(),
        justification: "Platform Engineering's results: fewer flaky tests, faster reviews.".into(),
        users: "10".into(),
        access: vec!["file_system".into(), "terminal".into(), "git".into()],
        data_classes: vec!["core-source-code".into()],
        distribution: "npm".into(),
        package_name: "@anthropic-ai/claude-code".into(),
        pinned_version: "2.0.14".into(),
        // The registry's checksum of the same pinned version: one version, one checksum.
        checksum: "5d2f6c3a9e8b7a61c0f4d2e9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9".into(),
        ..base(
            "payments",
            "claude-code",
            "Claude Code",
            "Anthropic",
            "ai_coding",
        )
    }
}

fn deepseek() -> RequestForm {
    RequestForm {
        website: "https://chat.deepseek.com".into(),
        use_case: "Draft answers to merchant support tickets.".into(),
        justification: "Free of charge.".into(),
        data_classes: vec!["customer-data".into()],
        vendor_trains_on_data: Some("true".into()),
        ..base("payments", "", "DeepSeek Chat", "DeepSeek", "ai_chatbot")
    }
}

fn otter() -> RequestForm {
    RequestForm {
        website: "https://otter.ai".into(),
        use_case: "Transcribe model review meetings.".into(),
        justification: "Saves writing minutes.".into(),
        ..base("data-science", "", "Otter.ai", "Otter.ai", "ai_document")
    }
}

fn perplexity() -> RequestForm {
    RequestForm {
        website: "https://www.perplexity.ai".into(),
        use_case: "Literature search for forecasting methods.".into(),
        ..base(
            "data-science",
            "",
            "Perplexity",
            "Perplexity AI",
            "ai_chatbot",
        )
    }
}

use RequestAction as A;

const DEMO_REQUESTS: &[DemoRequest] = &[
    DemoRequest { by: DANA, filed: 1, form: perplexity, steps: &[] },
    DemoRequest { by: ELI, filed: 2, form: windsurf, steps: &[(0, ELI, Act::Do(A::Submit), "")] },
    DemoRequest {
        by: DANA,
        filed: 6,
        form: jupyter_ai,
        steps: &[
            (0, DANA, Act::Do(A::Submit), ""),
            (1, SOFIA, Act::Do(A::Assign), ""),
            (1, SOFIA, Act::Do(A::Comment), "Which notebooks would it read? Only the anonymised ones?"),
            (2, DANA, Act::Do(A::Comment), "Only the anonymised forecasting notebooks."),
        ],
    },
    DemoRequest {
        by: ELI,
        filed: 9,
        form: tabnine,
        steps: &[
            (0, ELI, Act::Do(A::Submit), ""),
            (1, LENA, Act::Do(A::Assign), ""),
            (2, LENA, Act::Do(A::RequestChanges), "Pin a version and give its SHA-256: the supply chain must be checkable."),
        ],
    },
    DemoRequest {
        by: DANA,
        filed: 20,
        form: notion_ai,
        steps: &[
            (0, DANA, Act::Do(A::Submit), ""),
            (1, RAVI, Act::Do(A::Assign), ""),
            (2, RAVI, Act::Decide(Decision::Approve, ""), "Internal and public documents only; the vendor does not train on workspace data."),
        ],
    },
    DemoRequest {
        by: ELI,
        filed: 16,
        form: claude_code_for_payments,
        steps: &[
            (0, ELI, Act::Do(A::Submit), ""),
            (1, KAI, Act::Do(A::Assign), ""),
            (3, KAI, Act::Decide(Decision::ApproveWithConditions, "Project directory only; no production credentials on the machine; every command logged."), "Pinned and checksummed; least privilege as on Platform Engineering."),
            (4, LENA, Act::Decide(Decision::Approve, ""), "Agree with Kai's conditions."),
        ],
    },
    DemoRequest {
        by: ELI,
        filed: 12,
        form: deepseek,
        steps: &[
            (0, ELI, Act::Do(A::Submit), ""),
            (1, LENA, Act::Do(A::Assign), ""),
            (1, LENA, Act::Decide(Decision::Reject, ""), "The vendor trains on customer data and merchants' tickets are customer data. Use the approved ChatGPT Enterprise workspace instead."),
        ],
    },
    DemoRequest {
        by: DANA,
        filed: 8,
        form: otter,
        steps: &[(0, DANA, Act::Do(A::Submit), ""), (2, DANA, Act::Do(A::Withdraw), "Teams transcription is enough.")],
    },
    DemoRequest {
        by: ELI,
        filed: 4,
        form: devin,
        steps: &[
            (0, ELI, Act::Do(A::Submit), ""),
            (1, RAVI, Act::Do(A::Assign), ""),
            (2, RAVI, Act::Decide(Decision::ApproveWithConditions, "A sandbox account with read-only production access; every action reviewed the next morning."), "Worth a trial under tight conditions. Needs a second reviewer: production access."),
        ],
    },
];

/// Files the demo requests unless there are requests already; returns how many it filed.
pub async fn load(
    conn: &mut PgConnection,
    signing: &SigningKeys,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let any = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tool_requests WHERE kind = 'tool') AS "any!""#
    )
    .fetch_one(&mut *conn)
    .await?;
    if any {
        return Ok(0);
    }
    let code = TotpCode::parse("000000").or_internal("the demo placeholder code")?;
    for demo in DEMO_REQUESTS {
        let filed = now - Duration::days(demo.filed);
        let requester = person(conn, demo.by).await?;
        let number = save_draft_in(conn, &requester, None, &(demo.form)(), filed).await?;
        for (i, (after, who, act, text)) in demo.steps.iter().enumerate() {
            // Steps on one day keep their order a minute apart.
            let at = filed + Duration::days(*after) + Duration::minutes(i as i64);
            let actor = person(conn, who).await?;
            match act {
                Act::Do(action) => {
                    act_in(conn, &actor, number, *action, text, at).await?;
                }
                Act::Decide(decision, conditions) => {
                    let today = crate::backend::platform::change::today(at)?;
                    let decision = ValidDecision {
                        decision: *decision,
                        rationale: (*text).to_owned(),
                        conditions: (*conditions).to_owned(),
                        next_review: (*decision != Decision::Reject).then(|| today.plus_months(12)),
                        version: String::new(),
                        code: code.clone(),
                    };
                    demo_sign_off(conn, signing, &actor, number, &decision, at).await?;
                }
            }
        }
    }
    Ok(DEMO_REQUESTS.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_form_is_valid() {
        for demo in DEMO_REQUESTS {
            let form = (demo.form)();
            assert!(form.validate().is_ok(), "{}", form.tool_name);
        }
    }
}
