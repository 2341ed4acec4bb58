//! The demo organization's registry: the tools the article names, with plausible statuses,
//! conditions and supply chains — one suspended with a rollback plan, one prohibited.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use super::{person, KAI, RAVI, SOFIA};
use crate::backend::platform::change::Change;
use crate::backend::platform::signing::SigningKeys;
use crate::backend::registry::editing;
use crate::backend::requests::act_in;
use crate::backend::requests::changes;
use crate::backend::requests::decisions::demo_sign_off;
use crate::domain::registry::widening::allows;
use crate::domain::requests::decision::ValidDecision;
use crate::domain::requests::state::{Decision, RequestAction};
use crate::domain::{ToolForm, TotpCode, ValidTool, ACCESS_REQUIREMENTS};
use crate::error::{AppError, OrInternal};

struct DemoTool {
    slug: &'static str,
    name: &'static str,
    vendor: &'static str,
    category: &'static str,
    description: &'static str,
    website: &'static str,
    status: &'static str,
    status_reason: &'static str,
    /// When the status was set, if not the day of loading.
    status_since: Option<&'static str>,
    conditions: &'static str,
    /// Empty: every team.
    teams: &'static [&'static str],
    data_classes: &'static [&'static str],
    /// The least-privilege requirements apply (coding agents).
    least_privilege: bool,
    distribution: &'static str,
    package_name: &'static str,
    pinned_version: &'static str,
    checksum: &'static str,
    business_owner: &'static str,
    next_review: &'static str,
    rollback_plan: &'static str,
}

const ENGINEERING: &[&str] = &["platform-engineering", "payments", "data-science"];
const EVERYDAY: &[&str] = &["internal-documents", "public-information"];

const DEMO_TOOLS: &[DemoTool] = &[
    DemoTool {
        slug: "claude-code",
        name: "Claude Code",
        vendor: "Anthropic",
        category: "ai_coding",
        description: "Agentic coding assistant in the terminal: reads the repository, edits files and runs commands.",
        website: "https://www.anthropic.com/claude-code",
        status: "approved_with_conditions",
        status_reason: "",
        status_since: Some("2026-09-15"),
        conditions: "Run it in the project directory only, under a user without production credentials; commands are logged; AI-generated code is reviewed before merge.",
        teams: &["platform-engineering", "payments"],
        data_classes: &["core-source-code", "internal-documents", "public-information"],
        least_privilege: true,
        distribution: "npm",
        package_name: "@anthropic-ai/claude-code",
        pinned_version: "2.0.14",
        checksum: "5d2f6c3a9e8b7a61c0f4d2e9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9",
        business_owner: "Head of Platform Engineering",
        next_review: "2027-03-15",
        rollback_plan: "Fall back to GitHub Copilot in the IDE; remove the npm package and revoke its API keys.",
    },
    DemoTool {
        slug: "github-copilot",
        name: "GitHub Copilot",
        vendor: "GitHub (Microsoft)",
        category: "ai_coding",
        description: "Code completion and chat in the IDE, on the Business plan (no training on our code).",
        website: "https://github.com/features/copilot",
        status: "approved",
        status_reason: "",
        status_since: Some("2025-10-01"),
        conditions: "",
        teams: ENGINEERING,
        data_classes: &["core-source-code", "internal-documents", "public-information"],
        least_privilege: true,
        distribution: "ide_extension",
        package_name: "GitHub.copilot",
        pinned_version: "1.250.0",
        checksum: "",
        business_owner: "VP Engineering",
        // In the past: the registry shows the review as overdue.
        next_review: "2026-10-01",
        rollback_plan: "Disable the extension through the IDE policy; developers work without completion.",
    },
    DemoTool {
        slug: "cursor",
        name: "Cursor",
        vendor: "Anysphere",
        category: "ai_coding",
        description: "AI-first code editor (a VS Code fork) with an agent mode.",
        website: "https://cursor.com",
        status: "suspended",
        status_reason: "A cloned repository can run code as soon as it is opened (workspace trust is off by default); suspended until the vendor ships a fix",
        status_since: Some("2026-11-02"),
        conditions: "",
        teams: ENGINEERING,
        data_classes: &["internal-documents", "public-information"],
        least_privilege: true,
        distribution: "binary",
        package_name: "cursor",
        pinned_version: "1.7.28",
        checksum: "9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
        business_owner: "Head of Platform Engineering",
        next_review: "2026-12-01",
        rollback_plan: "Use GitHub Copilot in VS Code instead; uninstall Cursor and rotate any credentials stored on affected machines.",
    },
    DemoTool {
        slug: "chatgpt",
        name: "ChatGPT Enterprise",
        vendor: "OpenAI",
        category: "ai_chatbot",
        description: "General-purpose assistant in the company's Enterprise workspace (no training on our data, SSO, retention controls).",
        website: "https://openai.com/chatgpt/enterprise",
        status: "approved_with_conditions",
        status_reason: "",
        status_since: Some("2026-02-01"),
        conditions: "Company workspace with SSO only; no customer, personal or financial data; check outputs before sharing them.",
        teams: &[],
        data_classes: EVERYDAY,
        least_privilege: false,
        distribution: "saas",
        package_name: "",
        pinned_version: "",
        checksum: "",
        business_owner: "Chief Information Officer",
        next_review: "2027-03-01",
        rollback_plan: "Use Claude in the company workspace.",
    },
    DemoTool {
        slug: "chatgpt-personal",
        name: "ChatGPT (personal accounts)",
        vendor: "OpenAI",
        category: "ai_chatbot",
        description: "Free or Plus accounts people sign up for themselves.",
        website: "https://chatgpt.com",
        status: "prohibited",
        status_reason: "Personal accounts sit outside company control and may use what is typed for training",
        status_since: Some("2025-06-01"),
        conditions: "",
        teams: &[],
        data_classes: &[],
        least_privilege: false,
        distribution: "saas",
        package_name: "",
        pinned_version: "",
        checksum: "",
        business_owner: "Chief Information Security Officer",
        next_review: "",
        rollback_plan: "Use ChatGPT Enterprise with your company account.",
    },
    DemoTool {
        slug: "claude",
        name: "Claude",
        vendor: "Anthropic",
        category: "ai_chatbot",
        description: "Assistant for writing, analysis and research on the Team plan.",
        website: "https://claude.ai",
        status: "approved",
        status_reason: "",
        status_since: Some("2026-04-10"),
        conditions: "",
        teams: &[],
        data_classes: EVERYDAY,
        least_privilege: false,
        distribution: "saas",
        package_name: "",
        pinned_version: "",
        checksum: "",
        business_owner: "Chief Information Officer",
        next_review: "2027-04-10",
        rollback_plan: "Use ChatGPT Enterprise.",
    },
    DemoTool {
        slug: "gemini",
        name: "Gemini",
        vendor: "Google",
        category: "ai_chatbot",
        description: "Google's assistant in the company's Workspace accounts.",
        website: "https://gemini.google.com",
        status: "approved_with_conditions",
        status_reason: "",
        status_since: Some("2026-05-20"),
        conditions: "Signed in with a company Workspace account only; public and internal material only.",
        teams: &["marketing", "data-science"],
        data_classes: EVERYDAY,
        least_privilege: false,
        distribution: "saas",
        package_name: "",
        pinned_version: "",
        checksum: "",
        business_owner: "Head of Marketing",
        next_review: "2027-05-20",
        rollback_plan: "Use Claude or ChatGPT Enterprise.",
    },
    DemoTool {
        slug: "microsoft-copilot",
        name: "Microsoft 365 Copilot",
        vendor: "Microsoft",
        category: "ai_document",
        description: "Copilot in Word, Excel, Outlook and Teams, inside our Microsoft 365 tenant.",
        website: "https://www.microsoft.com/microsoft-365/copilot",
        status: "approved_with_conditions",
        status_reason: "",
        status_since: Some("2026-03-01"),
        conditions: "Within our tenant only (EU data boundary); sensitivity labels are respected; personal data only for Legal & Compliance and Customer Support.",
        teams: &["legal-compliance", "customer-support"],
        data_classes: &["internal-documents", "personal-data", "public-information"],
        least_privilege: false,
        distribution: "saas",
        package_name: "",
        pinned_version: "",
        checksum: "",
        business_owner: "Head of Legal & Compliance",
        next_review: "2027-03-01",
        rollback_plan: "Turn the Copilot licences off in the admin centre; work continues in Microsoft 365 without it.",
    },
    DemoTool {
        slug: "google-duet",
        name: "Google Duet AI",
        vendor: "Google",
        category: "ai_document",
        description: "Google's earlier AI add-on for Workspace, since folded into Gemini.",
        website: "https://workspace.google.com",
        status: "retired",
        status_reason: "Replaced by Gemini in Workspace",
        status_since: Some("2025-02-15"),
        conditions: "",
        teams: &[],
        data_classes: EVERYDAY,
        least_privilege: false,
        distribution: "saas",
        package_name: "",
        pinned_version: "",
        checksum: "",
        business_owner: "Head of Marketing",
        next_review: "",
        rollback_plan: "Use Gemini.",
    },
];

fn form(tool: &DemoTool) -> ToolForm {
    let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
    ToolForm {
        name: tool.name.into(),
        slug: tool.slug.into(),
        vendor: tool.vendor.into(),
        category: tool.category.into(),
        description: tool.description.into(),
        website: tool.website.into(),
        status: tool.status.into(),
        status_reason: tool.status_reason.into(),
        conditions: tool.conditions.into(),
        scope: if tool.teams.is_empty() {
            "all"
        } else {
            "teams"
        }
        .into(),
        teams: owned(tool.teams),
        data_classes: owned(tool.data_classes),
        required: if tool.least_privilege {
            ACCESS_REQUIREMENTS
                .iter()
                .map(|(key, _)| (*key).to_owned())
                .collect()
        } else {
            vec![]
        },
        notes: Default::default(),
        distribution: tool.distribution.into(),
        package_name: tool.package_name.into(),
        pinned_version: tool.pinned_version.into(),
        checksum: tool.checksum.into(),
        vendor_trains_on_data: None,
        business_owner: tool.business_owner.into(),
        next_review: tool.next_review.into(),
        rollback_plan: tool.rollback_plan.into(),
    }
}

/// Adds the demo tools that are not there yet; returns how many were added. Approved ones go
/// through the workflow like any widening — proposed by one demo reviewer as a registry change,
/// signed off by others two months ago — so every "yes" they give has a real receipt; the
/// others (suspended, retired, prohibited) are saved directly, as a reviewer would.
pub async fn load(
    conn: &mut PgConnection,
    change: &Change,
    signing: &SigningKeys,
) -> Result<u64, AppError> {
    let mut added = 0;
    for tool in DEMO_TOOLS {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM tools WHERE slug = $1) AS "exists!""#,
            tool.slug
        )
        .fetch_one(&mut *conn)
        .await?;
        if exists {
            continue;
        }
        let form = form(tool);
        let valid = form.validate()?;
        let since = tool
            .status_since
            .map(|since| {
                chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d").map_err(|_| {
                    AppError::invalid("status_since", "must be a date like 2026-11-02")
                })
            })
            .transpose()?;
        if allows(valid.status) {
            // Approved on the day its status dates from (two months ago when it names none), so
            // its history never shows a change before it existed.
            let approved = since
                .and_then(|day| day.and_hms_opt(9, 0, 0))
                .map(|at| at.and_utc())
                .filter(|at| *at < change.now)
                .unwrap_or(change.now - Duration::days(60));
            approve(conn, signing, &form, valid, approved).await?;
        } else {
            editing::save_in(conn, change, None, valid, None).await?;
        }
        if let Some(since) = since {
            sqlx::query!(
                "UPDATE tools SET status_since = $2 WHERE slug = $1",
                tool.slug,
                since
            )
            .execute(&mut *conn)
            .await?;
        }
        added += 1;
    }
    Ok(added)
}

/// Ravi proposes the tool; Sofia takes the change and signs it off, and Kai signs too when the
/// risk needs a second reviewer.
async fn approve(
    conn: &mut PgConnection,
    signing: &SigningKeys,
    form: &ToolForm,
    tool: ValidTool,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let proposer = person(conn, RAVI).await?;
    let widened = [format!(
        "a new tool, {}",
        tool.status.label().to_lowercase()
    )];
    let proposal = changes::NewProposal {
        before: None,
        form,
        tool: &tool,
        widened: &widened,
        reinstates: None,
    };
    let number = changes::propose(conn, &proposer, &proposal, at).await?;
    let first = person(conn, SOFIA).await?;
    act_in(
        conn,
        &first,
        number,
        RequestAction::Assign,
        "",
        at + Duration::minutes(1),
    )
    .await?;
    let code = TotpCode::parse("000000").or_internal("the demo placeholder code")?;
    let decision = |reviewer: &str| ValidDecision {
        decision: Decision::Approve,
        rationale: format!("{reviewer}: owned, pinned where it is installed, within the policy."),
        conditions: String::new(),
        next_review: tool.next_review,
        version: String::new(),
        code: code.clone(),
    };
    let decided = demo_sign_off(
        conn,
        signing,
        &first,
        number,
        &decision("Sofia"),
        at + Duration::minutes(2),
    )
    .await?;
    if !decided.state.is_final() {
        let second = person(conn, KAI).await?;
        demo_sign_off(
            conn,
            signing,
            &second,
            number,
            &decision("Kai"),
            at + Duration::minutes(3),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ToolStatus;

    #[test]
    fn every_demo_tool_passes_the_form_rules() {
        for tool in DEMO_TOOLS {
            let valid = form(tool).validate().expect(tool.slug);
            assert_eq!(valid.slug.as_str(), tool.slug);
        }
        let statuses: Vec<ToolStatus> = DEMO_TOOLS
            .iter()
            .filter_map(|t| ToolStatus::parse(t.status).ok())
            .collect();
        for needed in [
            ToolStatus::Approved,
            ToolStatus::ApprovedWithConditions,
            ToolStatus::Suspended,
            ToolStatus::Prohibited,
            ToolStatus::Retired,
        ] {
            assert!(statuses.contains(&needed), "{needed:?}");
        }
        let suspended = DEMO_TOOLS
            .iter()
            .find(|t| t.status == "suspended")
            .expect("one suspended");
        assert!(!suspended.rollback_plan.is_empty());
    }
}
