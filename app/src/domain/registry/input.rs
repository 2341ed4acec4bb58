//! What a reviewer types into the tool and data-class forms, and the rules it must meet before
//! anything is stored. Whether named teams and data classes exist is the backend's check.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::form::{checkbox, distinct, required_text, text, web_address};
use crate::domain::{
    ClassificationLevel, Day, Distribution, Sha256Checksum, Slug, ToolCategory, ToolStatus,
    ACCESS_REQUIREMENTS,
};
use crate::error::AppError;

/// The tool form as submitted (`tool[name]`, `tool[teams][]`, …): every field optional, so
/// a missing one is reported by name rather than failing the whole request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolForm {
    pub name: String,
    /// Only when creating; empty: made from the name.
    pub slug: String,
    pub vendor: String,
    pub category: String,
    pub description: String,
    pub website: String,
    pub status: String,
    pub status_reason: String,
    pub conditions: String,
    /// `all` or `teams`.
    pub scope: String,
    pub teams: Vec<String>,
    pub data_classes: Vec<String>,
    /// Keys of the least-privilege requirements that apply.
    pub required: Vec<String>,
    /// A note per least-privilege requirement.
    pub notes: BTreeMap<String, String>,
    pub distribution: String,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: String,
    /// Checkbox: the vendor trains its models on customer data.
    pub vendor_trains_on_data: Option<String>,
    pub business_owner: String,
    pub next_review: String,
    pub rollback_plan: String,
}

/// One least-privilege requirement as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementSetting {
    pub required: bool,
    pub note: String,
}

/// A tool that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTool {
    pub name: String,
    pub slug: Slug,
    pub vendor: String,
    pub category: ToolCategory,
    pub description: String,
    pub website: String,
    pub status: ToolStatus,
    pub status_reason: String,
    pub conditions: String,
    /// `None`: every team.
    pub teams: Option<Vec<String>>,
    pub data_classes: Vec<String>,
    pub access_requirements: BTreeMap<String, RequirementSetting>,
    pub distribution: Distribution,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: Option<Sha256Checksum>,
    pub vendor_trains_on_data: bool,
    pub business_owner: String,
    pub next_review: Option<Day>,
    pub rollback_plan: String,
}

fn slug_for(field: &str, slug: &str, name: &str) -> Result<Slug, AppError> {
    let slug = slug.trim();
    if slug.is_empty() {
        Slug::from_name(name)
    } else {
        Slug::parse(slug)
    }
    .map_err(|m| AppError::invalid(field, m))
}

impl ToolForm {
    /// The form that validates to `tool`: how a stored entry is proposed again with a few
    /// fields changed (a reinstatement after the kill switch).
    pub fn of(tool: &ValidTool) -> Self {
        Self {
            name: tool.name.clone(),
            slug: tool.slug.as_str().to_owned(),
            vendor: tool.vendor.clone(),
            category: tool.category.as_str().to_owned(),
            description: tool.description.clone(),
            website: tool.website.clone(),
            status: tool.status.as_str().to_owned(),
            status_reason: tool.status_reason.clone(),
            conditions: tool.conditions.clone(),
            scope: if tool.teams.is_some() { "teams" } else { "all" }.to_owned(),
            teams: tool.teams.clone().unwrap_or_default(),
            data_classes: tool.data_classes.clone(),
            required: tool
                .access_requirements
                .iter()
                .filter(|(_, setting)| setting.required)
                .map(|(key, _)| key.clone())
                .collect(),
            notes: tool
                .access_requirements
                .iter()
                .filter(|(_, setting)| !setting.note.is_empty())
                .map(|(key, setting)| (key.clone(), setting.note.clone()))
                .collect(),
            distribution: tool.distribution.as_str().to_owned(),
            package_name: tool.package_name.clone(),
            pinned_version: tool.pinned_version.clone(),
            checksum: tool
                .checksum
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            vendor_trains_on_data: tool.vendor_trains_on_data.then(|| "on".to_owned()),
            business_owner: tool.business_owner.clone(),
            next_review: tool.next_review.map(|d| d.to_string()).unwrap_or_default(),
            rollback_plan: tool.rollback_plan.clone(),
        }
    }

    /// Every rule on its own fields; the first broken one is reported by field name.
    pub fn validate(&self) -> Result<ValidTool, AppError> {
        let name = required_text("name", &self.name, 120)?;
        let slug = slug_for("slug", &self.slug, &name)?;
        let vendor = required_text("vendor", &self.vendor, 120)?;
        let category = ToolCategory::parse(self.category.trim())
            .map_err(|m| AppError::invalid("category", m))?;
        let description = text("description", &self.description, 4000, true)?;
        let website = web_address("website", &self.website)?;
        let status =
            ToolStatus::parse(self.status.trim()).map_err(|m| AppError::invalid("status", m))?;
        let status_reason = text("status_reason", &self.status_reason, 2000, true)?;
        if status.requires_reason() && status_reason.is_empty() {
            return Err(AppError::invalid(
                "status_reason",
                format!(
                    "is required when the status is {}",
                    status.label().to_lowercase()
                ),
            ));
        }
        let conditions = text("conditions", &self.conditions, 4000, true)?;
        if status == ToolStatus::ApprovedWithConditions && conditions.is_empty() {
            return Err(AppError::invalid(
                "conditions",
                "must say which conditions apply when approving with conditions",
            ));
        }
        let teams = match self.scope.trim() {
            "all" | "" => None,
            "teams" => {
                let teams = distinct(&self.teams);
                if teams.is_empty() {
                    return Err(AppError::invalid(
                        "teams",
                        "choose at least one team, or approve it for all teams",
                    ));
                }
                Some(teams)
            }
            _ => return Err(AppError::invalid("scope", "must be all or teams")),
        };
        let data_classes = distinct(&self.data_classes);
        let mut access_requirements = BTreeMap::new();
        for key in self.required.iter().chain(self.notes.keys()) {
            if !ACCESS_REQUIREMENTS.iter().any(|(known, _)| known == key) {
                return Err(AppError::invalid(
                    "access_requirements",
                    "names a requirement that does not exist",
                ));
            }
        }
        for (key, _) in ACCESS_REQUIREMENTS {
            let note = text(
                "access_requirements",
                self.notes.get(key).map(String::as_str).unwrap_or(""),
                500,
                false,
            )?;
            let required = self.required.iter().any(|k| k == key);
            access_requirements.insert(key.to_owned(), RequirementSetting { required, note });
        }
        let distribution = Distribution::parse(self.distribution.trim())
            .map_err(|m| AppError::invalid("distribution", m))?;
        let package_name = text("package_name", &self.package_name, 214, false)?;
        let pinned_version = text("pinned_version", &self.pinned_version, 100, false)?;
        let checksum = match self.checksum.trim() {
            "" => None,
            checksum => Some(
                Sha256Checksum::parse(checksum).map_err(|m| AppError::invalid("checksum", m))?,
            ),
        };
        let vendor_trains_on_data = checkbox(
            "vendor_trains_on_data",
            self.vendor_trains_on_data.as_deref(),
        )?;
        let business_owner = text("business_owner", &self.business_owner, 200, false)?;
        let next_review = match self.next_review.trim() {
            "" => None,
            day => Some(Day::parse(day).map_err(|m| AppError::invalid("next_review", m))?),
        };
        let rollback_plan = text("rollback_plan", &self.rollback_plan, 4000, true)?;
        Ok(ValidTool {
            name,
            slug,
            vendor,
            category,
            description,
            website,
            status,
            status_reason,
            conditions,
            teams,
            data_classes,
            access_requirements,
            distribution,
            package_name,
            pinned_version,
            checksum,
            vendor_trains_on_data,
            business_owner,
            next_review,
            rollback_plan,
        })
    }
}

/// The data-class form as submitted (`class[name]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataClassForm {
    pub name: String,
    /// Only when creating; empty: made from the name.
    pub slug: String,
    pub level: String,
    /// A checkbox: present (`on`, `true`) means prohibited by default.
    pub prohibited_by_default: Option<String>,
    pub description: String,
    pub examples: String,
}

/// A data class that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDataClass {
    pub name: String,
    pub slug: Slug,
    pub level: ClassificationLevel,
    pub prohibited_by_default: bool,
    pub description: String,
    pub examples: String,
}

impl DataClassForm {
    pub fn validate(&self) -> Result<ValidDataClass, AppError> {
        let name = required_text("name", &self.name, 120)?;
        let slug = slug_for("slug", &self.slug, &name)?;
        let level = ClassificationLevel::parse(self.level.trim())
            .map_err(|m| AppError::invalid("level", m))?;
        let prohibited_by_default = checkbox(
            "prohibited_by_default",
            self.prohibited_by_default.as_deref(),
        )?;
        Ok(ValidDataClass {
            name,
            slug,
            level,
            prohibited_by_default,
            description: text("description", &self.description, 4000, true)?,
            examples: text("examples", &self.examples, 4000, true)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ToolForm {
        ToolForm {
            name: " Claude Code ".into(),
            vendor: "Anthropic".into(),
            category: "ai_coding".into(),
            status: "approved".into(),
            scope: "all".into(),
            distribution: "npm".into(),
            ..ToolForm::default()
        }
    }

    fn field_of(form: &ToolForm) -> String {
        form.validate()
            .expect_err("invalid")
            .field()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_minimal_tool_is_valid_and_gets_a_slug_from_its_name() {
        let tool = form().validate().expect("valid");
        assert_eq!(tool.name, "Claude Code");
        assert_eq!(tool.slug.as_str(), "claude-code");
        assert_eq!(tool.teams, None);
        assert_eq!(tool.access_requirements.len(), 5);
        assert!(tool.access_requirements.values().all(|r| !r.required));
    }

    #[test]
    fn a_stored_tool_round_trips_through_its_form() {
        let mut full = form();
        full.scope = "teams".into();
        full.teams = vec!["payments".into()];
        full.data_classes = vec!["public".into()];
        full.required = vec!["code_reviewed".into()];
        full.notes = BTreeMap::from([("commands_logged".into(), "Shell history kept".into())]);
        full.checksum = "AB".repeat(32);
        full.pinned_version = "1.2.3".into();
        full.vendor_trains_on_data = Some("on".into());
        full.next_review = "2027-01-31".into();
        let tool = full.validate().expect("valid");
        assert_eq!(ToolForm::of(&tool).validate().expect("valid again"), tool);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        type Breaks = Box<dyn Fn(&mut ToolForm)>;
        let cases: Vec<(&str, Breaks)> = vec![
            ("name", Box::new(|f| f.name = "  ".into())),
            ("name", Box::new(|f| f.name = "x".repeat(121))),
            ("name", Box::new(|f| f.name = "a\u{0}b".into())),
            ("slug", Box::new(|f| f.slug = "Not A Slug".into())),
            ("vendor", Box::new(|f| f.vendor = String::new())),
            ("category", Box::new(|f| f.category = "robot".into())),
            (
                "description",
                Box::new(|f| f.description = "x".repeat(4001)),
            ),
            (
                "website",
                Box::new(|f| f.website = "ftp://example.com".into()),
            ),
            ("website", Box::new(|f| f.website = "https://a b".into())),
            ("status", Box::new(|f| f.status = "banned".into())),
            ("status_reason", Box::new(|f| f.status = "suspended".into())),
            (
                "status_reason",
                Box::new(|f| f.status = "prohibited".into()),
            ),
            (
                "conditions",
                Box::new(|f| f.status = "approved_with_conditions".into()),
            ),
            ("scope", Box::new(|f| f.scope = "some".into())),
            ("teams", Box::new(|f| f.scope = "teams".into())),
            (
                "access_requirements",
                Box::new(|f| f.required = vec!["root_access".into()]),
            ),
            (
                "access_requirements",
                Box::new(|f| {
                    f.notes.insert("commands_logged".into(), "x".repeat(501));
                }),
            ),
            (
                "distribution",
                Box::new(|f| f.distribution = "cd-rom".into()),
            ),
            (
                "package_name",
                Box::new(|f| f.package_name = "x".repeat(215)),
            ),
            (
                "pinned_version",
                Box::new(|f| f.pinned_version = "x".repeat(101)),
            ),
            ("checksum", Box::new(|f| f.checksum = "abc".into())),
            ("checksum", Box::new(|f| f.checksum = "z".repeat(64))),
            (
                "business_owner",
                Box::new(|f| f.business_owner = "x".repeat(201)),
            ),
            (
                "next_review",
                Box::new(|f| f.next_review = "2027-02-30".into()),
            ),
            (
                "rollback_plan",
                Box::new(|f| f.rollback_plan = "x".repeat(4001)),
            ),
        ];
        for (field, breaks) in cases {
            let mut form = form();
            breaks(&mut form);
            assert_eq!(field_of(&form), field, "{form:?}");
        }
    }

    #[test]
    fn suspension_with_a_reason_conditions_teams_and_supply_chain_are_kept() {
        let mut form = form();
        form.status = "suspended".into();
        form.status_reason = "Vendor incident".into();
        form.scope = "teams".into();
        form.teams = vec![
            "payments".into(),
            " payments ".into(),
            "".into(),
            "web".into(),
        ];
        form.data_classes = vec!["internal-documents".into()];
        form.required = vec!["commands_logged".into()];
        form.notes
            .insert("commands_logged".into(), "Through the audit proxy".into());
        form.checksum = "AB".repeat(32);
        form.next_review = "2027-03-01".into();
        form.description = "Line one\nLine two".into();
        let tool = form.validate().expect("valid");
        assert_eq!(tool.status, ToolStatus::Suspended);
        assert_eq!(tool.teams, Some(vec!["payments".into(), "web".into()]));
        assert_eq!(
            tool.access_requirements["commands_logged"],
            RequirementSetting {
                required: true,
                note: "Through the audit proxy".into()
            }
        );
        assert_eq!(
            tool.checksum.as_ref().map(Sha256Checksum::as_str),
            Some("ab".repeat(32).as_str())
        );
        assert_eq!(
            tool.next_review.map(|d| d.to_string()).as_deref(),
            Some("2027-03-01")
        );
        assert_eq!(tool.description, "Line one\nLine two");
    }

    #[test]
    fn data_classes_need_a_name_and_a_known_level() {
        let valid = DataClassForm {
            name: "Trade secrets".into(),
            level: "restricted".into(),
            prohibited_by_default: Some("on".into()),
            ..DataClassForm::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(valid.slug.as_str(), "trade-secrets");
        assert!(valid.prohibited_by_default);
        let unchecked = DataClassForm {
            name: "Press kit".into(),
            level: "public".into(),
            ..DataClassForm::default()
        }
        .validate()
        .expect("valid");
        assert!(!unchecked.prohibited_by_default);
        for (field, form) in [
            ("name", DataClassForm::default()),
            (
                "level",
                DataClassForm {
                    name: "X".into(),
                    level: "secret".into(),
                    ..DataClassForm::default()
                },
            ),
            (
                "prohibited_by_default",
                DataClassForm {
                    name: "X".into(),
                    level: "public".into(),
                    prohibited_by_default: Some("maybe".into()),
                    ..DataClassForm::default()
                },
            ),
            (
                "examples",
                DataClassForm {
                    name: "X".into(),
                    level: "public".into(),
                    examples: "x".repeat(4001),
                    ..DataClassForm::default()
                },
            ),
        ] {
            let error = form.validate().expect_err("invalid");
            assert_eq!(error.field(), Some(field));
        }
    }
}
