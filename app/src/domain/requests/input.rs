//! The tool-request form and its rules. A draft needs only a consistent form (a tool name,
//! known values, sane lengths); submitting needs it complete.

use serde::{Deserialize, Serialize};

use super::risk::AccessNeeds;
use crate::domain::form::{checkbox, distinct, required_text, text, web_address};
use crate::domain::{Distribution, Sha256Checksum, ToolCategory};
use crate::error::AppError;

/// The kinds of access a request can ask for, as the form names them.
pub const ACCESS_KINDS: [(&str, &str); 5] = [
    ("file_system", "The file system"),
    ("terminal", "A terminal (runs commands)"),
    ("git", "Git (can commit and push)"),
    ("internet", "The internet"),
    ("production", "Production systems"),
];

/// The form as submitted (`request[tool_name]`, `request[data_classes][]`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    /// The team it is for (slug).
    pub team: String,
    /// An existing registry entry to widen (slug); empty for a new tool.
    pub tool: String,
    pub tool_name: String,
    pub vendor: String,
    pub category: String,
    pub website: String,
    pub use_case: String,
    pub justification: String,
    /// How many people will use it.
    pub users: String,
    /// Keys of [`ACCESS_KINDS`].
    pub access: Vec<String>,
    pub data_classes: Vec<String>,
    pub distribution: String,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: String,
    /// A checkbox: present means the vendor trains on customer data.
    pub vendor_trains_on_data: Option<String>,
    pub alternatives: String,
}

/// A form that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub team: String,
    pub tool: Option<String>,
    pub tool_name: String,
    pub vendor: String,
    pub category: ToolCategory,
    pub website: String,
    pub use_case: String,
    pub justification: String,
    pub users: u32,
    pub access: AccessNeeds,
    pub data_classes: Vec<String>,
    pub distribution: Distribution,
    pub package_name: String,
    pub pinned_version: String,
    pub checksum: Option<Sha256Checksum>,
    pub vendor_trains_on_data: bool,
    pub alternatives: String,
}

impl RequestForm {
    pub fn validate(&self) -> Result<ValidRequest, AppError> {
        let team = required_text("team", &self.team, 64)?;
        let tool = Some(text("tool", &self.tool, 64, false)?).filter(|t| !t.is_empty());
        let tool_name = required_text("tool_name", &self.tool_name, 120)?;
        let vendor = text("vendor", &self.vendor, 120, false)?;
        let category = ToolCategory::parse(self.category.trim())
            .map_err(|m| AppError::invalid("category", m))?;
        let website = web_address("website", &self.website)?;
        let users = match self.users.trim() {
            "" => 1,
            users => users
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| {
                    AppError::invalid("users", "must be a whole number from 1 to 1000000")
                })?,
        };
        let mut access = AccessNeeds::default();
        for kind in &self.access {
            match kind.as_str() {
                "file_system" => access.file_system = true,
                "terminal" => access.terminal = true,
                "git" => access.git = true,
                "internet" => access.internet = true,
                "production" => access.production = true,
                _ => {
                    return Err(AppError::invalid(
                        "access",
                        "names an unknown kind of access",
                    ))
                }
            }
        }
        let distribution = Distribution::parse(self.distribution.trim())
            .map_err(|m| AppError::invalid("distribution", m))?;
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
        Ok(ValidRequest {
            team,
            tool,
            tool_name,
            vendor,
            category,
            website,
            use_case: text("use_case", &self.use_case, 4000, true)?,
            justification: text("justification", &self.justification, 4000, true)?,
            users,
            access,
            data_classes: distinct(&self.data_classes),
            distribution,
            package_name: text("package_name", &self.package_name, 214, false)?,
            pinned_version: text("pinned_version", &self.pinned_version, 100, false)?,
            checksum,
            vendor_trains_on_data,
            alternatives: text("alternatives", &self.alternatives, 4000, true)?,
        })
    }
}

impl ValidRequest {
    /// What submitting needs beyond a valid draft (see [`ready_to_submit`]).
    pub fn ready_to_submit(&self) -> Result<(), AppError> {
        ready_to_submit(
            &self.vendor,
            &self.use_case,
            &self.justification,
            self.data_classes.len(),
        )
    }
}

/// A reviewer must be able to judge a request: the vendor, the use case, the justification and
/// the kinds of data it will touch. Every gap is named at once (the error is about the first),
/// so a requester submitting from the request page learns all they still have to fill in.
pub fn ready_to_submit(
    vendor: &str,
    use_case: &str,
    justification: &str,
    data_classes: usize,
) -> Result<(), AppError> {
    let gaps: Vec<(&str, &str)> = [
        (vendor.trim().is_empty(), ("vendor", "the vendor")),
        (use_case.trim().is_empty(), ("use_case", "the use case")),
        (
            justification.trim().is_empty(),
            ("justification", "the business justification"),
        ),
        (
            data_classes == 0,
            ("data_classes", "the kinds of data it will touch"),
        ),
    ]
    .into_iter()
    .filter_map(|(missing, gap)| missing.then_some(gap))
    .collect();
    match gaps.first() {
        None => Ok(()),
        Some((field, _)) => {
            let named: Vec<&str> = gaps.iter().map(|(_, words)| *words).collect();
            Err(AppError::invalid(
                *field,
                format!("to submit for review, first fill in {}", named.join(", ")),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> RequestForm {
        RequestForm {
            team: "payments".into(),
            tool_name: "Windsurf".into(),
            category: "ai_coding".into(),
            distribution: "binary".into(),
            ..RequestForm::default()
        }
    }

    #[test]
    fn a_draft_needs_little_and_submitting_needs_more() {
        let valid = draft().validate().expect("a draft");
        assert_eq!(valid.users, 1);
        assert_eq!(valid.access, AccessNeeds::default());
        let gaps = valid.ready_to_submit().expect_err("incomplete");
        assert_eq!(gaps.field(), Some("vendor"));
        assert_eq!(
            gaps.to_string(),
            "vendor: to submit for review, first fill in the vendor, the use case, \
             the business justification, the kinds of data it will touch"
        );
        let mut form = draft();
        form.vendor = "Codeium".into();
        form.justification = "Saves a week per quarter".into();
        let gaps = form.validate().expect("draft").ready_to_submit();
        assert_eq!(gaps.expect_err("incomplete").field(), Some("use_case"));
        let mut form = draft();
        form.use_case = "Refactoring the ledger".into();
        form.justification = "Saves a week per quarter".into();
        form.vendor = "Codeium".into();
        form.data_classes = vec!["core-source-code".into(), "core-source-code".into()];
        form.access = vec!["terminal".into(), "production".into()];
        form.users = "12".into();
        form.vendor_trains_on_data = Some("on".into());
        let valid = form.validate().expect("valid");
        assert!(valid.ready_to_submit().is_ok());
        assert_eq!(valid.data_classes, ["core-source-code"]);
        assert!(valid.access.terminal && valid.access.production && !valid.access.git);
        assert_eq!(valid.users, 12);
        assert!(valid.vendor_trains_on_data);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        type Breaks = Box<dyn Fn(&mut RequestForm)>;
        let cases: Vec<(&str, Breaks)> = vec![
            ("team", Box::new(|f| f.team = String::new())),
            ("tool_name", Box::new(|f| f.tool_name = " ".into())),
            ("tool_name", Box::new(|f| f.tool_name = "x".repeat(121))),
            ("category", Box::new(|f| f.category = "robot".into())),
            (
                "website",
                Box::new(|f| f.website = "javascript:alert(1)".into()),
            ),
            ("users", Box::new(|f| f.users = "0".into())),
            ("users", Box::new(|f| f.users = "many".into())),
            ("users", Box::new(|f| f.users = "1000001".into())),
            ("access", Box::new(|f| f.access = vec!["root".into()])),
            (
                "distribution",
                Box::new(|f| f.distribution = "floppy".into()),
            ),
            ("checksum", Box::new(|f| f.checksum = "abc".into())),
            (
                "vendor_trains_on_data",
                Box::new(|f| f.vendor_trains_on_data = Some("maybe".into())),
            ),
            ("use_case", Box::new(|f| f.use_case = "x".repeat(4001))),
            (
                "alternatives",
                Box::new(|f| f.alternatives = "\u{7}".into()),
            ),
        ];
        for (field, breaks) in cases {
            let mut form = draft();
            breaks(&mut form);
            let error = form.validate().expect_err("invalid");
            assert_eq!(error.field(), Some(field), "{form:?}");
        }
    }
}
