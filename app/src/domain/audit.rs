//! What an audit event says. The backend stores each record's JSON text in the hash chain.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// An operator at the server's command line (`server demo load`, …).
    Operator,
    /// The portal itself (start-up tasks, scheduled jobs).
    System,
    /// A person with an account.
    User { user_id: String, email: String },
    /// Someone not (yet) identified, such as a failed sign-in.
    Anonymous,
}

impl Actor {
    /// How the actor is shown in lists and filtered on.
    pub fn label(&self) -> String {
        match self {
            Self::Operator => "operator".into(),
            Self::System => "system".into(),
            Self::User { email, .. } => format!("user:{email}"),
            Self::Anonymous => "anonymous".into(),
        }
    }
}

macro_rules! audit_actions {
    ($($variant:ident => $name:literal,)*) => {
        /// What was done. The string forms are stable: filters and SIEM rules depend on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum AuditAction {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(Self::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            pub fn parse(input: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|action| action.as_str() == input)
            }
        }
    };
}

audit_actions! {
    DemoLoaded => "demo.loaded",
    SetupCompleted => "setup.completed",
    SettingsChanged => "settings.changed",
    UserCreated => "user.created",
    UserInvited => "user.invited",
    InvitationRevoked => "user.invitation_revoked",
    InvitationAccepted => "user.invitation_accepted",
    RolesChanged => "user.roles_changed",
    TeamsChanged => "user.teams_changed",
    UserDisabled => "user.disabled",
    UserEnabled => "user.enabled",
    TotpResetByAdmin => "user.totp_reset",
    TeamCreated => "team.created",
    TeamUpdated => "team.updated",
    ToolCreated => "tool.created",
    ToolUpdated => "tool.updated",
    DataClassCreated => "data_class.created",
    DataClassUpdated => "data_class.updated",
    RequestSubmitted => "request.submitted",
    RequestAssigned => "request.assigned",
    RequestChangesRequested => "request.changes_requested",
    RequestResubmitted => "request.resubmitted",
    RequestWithdrawn => "request.withdrawn",
    RequestSignedOff => "request.signed_off",
    RequestDecided => "request.decided",
    RequestReopened => "request.reopened",
    RegistryChangeProposed => "request.registry_change_proposed",
    ApprovalStale => "tool.approval_stale",
    IncidentReported => "incident.reported",
    IncidentUpdated => "incident.updated",
    IncidentCommented => "incident.commented",
    IncidentReviewed => "incident.reviewed",
    IncidentFollowUpAdded => "incident.follow_up_added",
    IncidentFollowUpDone => "incident.follow_up_done",
    IncidentStepTicked => "incident.step_ticked",
    PlaybookSaved => "playbook.saved",
    ExerciseScheduled => "exercise.scheduled",
    ExerciseRecorded => "exercise.recorded",
    ExerciseFollowUpAdded => "exercise.follow_up_added",
    ExerciseFollowUpDone => "exercise.follow_up_done",
    DetectorSaved => "scan.detector_saved",
    DetectorRetired => "scan.detector_retired",
    TextScanned => "scan.performed",
    ToolStopped => "tool.stopped",
    ToolStopAcknowledged => "tool.stop_acknowledged",
    ChecklistItemUpdated => "checklist.item_updated",
    ChecklistItemSaved => "checklist.item_saved",
    ChecklistItemRetired => "checklist.item_retired",
    SsoLinked => "sso.linked",
    SsoMappingAdded => "sso.mapping_added",
    SsoMappingRemoved => "sso.mapping_removed",
    WebhookAdded => "webhook.added",
    WebhookPaused => "webhook.paused",
    WebhookResumed => "webhook.resumed",
    WebhookRemoved => "webhook.removed",
    WebhookResent => "webhook.delivery_resent",
    WebhookTested => "webhook.tested",
    JobRetried => "job.retried",
    EmailTested => "email.tested",
    TokenCreated => "token.created",
    TokenRevoked => "token.revoked",
    SignedIn => "auth.signed_in",
    SignedOut => "auth.signed_out",
    SignInFailed => "auth.sign_in_failed",
    SignInThrottled => "auth.throttled",
    TotpFailed => "auth.totp_failed",
    TotpReplayed => "auth.totp_replayed",
    SecondFactorLocked => "auth.second_factor_locked",
    TotpEnrolled => "auth.totp_enrolled",
    TotpReset => "auth.totp_reset",
    RecoveryCodesGenerated => "auth.recovery_codes_generated",
    RecoveryCodeUsed => "auth.recovery_code_used",
    PasswordChanged => "auth.password_changed",
    SessionEnded => "auth.session_ended",
    CrossSiteRefused => "security.cross_site_refused",
    AccessDenied => "access.denied",
    TotpKeyRotated => "keys.totp_rotated",
}

/// One audit event as stored. Time is passed in by the caller, never read here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Format version of this record.
    pub v: u8,
    /// RFC 3339 time, UTC.
    pub at: String,
    pub actor: Actor,
    pub action: AuditAction,
    /// What it was done to, e.g. `organization` or `team:payments`.
    pub target: Option<String>,
    /// The client address the request came from, when there was a request.
    pub source: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_serialize_to_their_stable_names() {
        let cases = [
            (AuditAction::DemoLoaded, "demo.loaded"),
            (AuditAction::UserCreated, "user.created"),
            (AuditAction::TokenCreated, "token.created"),
            (AuditAction::TokenRevoked, "token.revoked"),
            (AuditAction::SignedIn, "auth.signed_in"),
            (AuditAction::SignInFailed, "auth.sign_in_failed"),
            (AuditAction::SignInThrottled, "auth.throttled"),
            (AuditAction::TotpFailed, "auth.totp_failed"),
            (AuditAction::TotpReplayed, "auth.totp_replayed"),
            (AuditAction::CrossSiteRefused, "security.cross_site_refused"),
        ];
        for (action, name) in cases {
            assert_eq!(AuditAction::parse(name), Some(action));
            let json = serde_json::to_string(&action).expect("serializes");
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(action.as_str(), name);
        }
    }

    #[test]
    fn every_action_has_a_distinct_dotted_name() {
        let mut names: Vec<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert!(names.iter().all(|n| n.contains('.')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::parse("auth.unknown"), None);
    }

    #[test]
    fn records_round_trip() {
        let record = AuditRecord {
            v: 1,
            at: "2026-11-24T10:00:00Z".into(),
            actor: Actor::Operator,
            action: AuditAction::DemoLoaded,
            target: Some("organization".into()),
            source: None,
            before: None,
            after: Some(serde_json::json!({"teams": 6})),
        };
        let text = serde_json::to_string(&record).expect("serializes");
        assert!(text.contains(r#""actor":{"kind":"operator"}"#), "{text}");
        let back: AuditRecord = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, record);
    }
}
