use leptos::prelude::*;

use crate::domain::FieldChange;

use super::EmptyState;
use super::When;
use crate::domain::ToolStatus;
use crate::model::HistoryEntry;

/// A tool's status as a coloured badge; the words carry the meaning, the colour only helps.
#[component]
pub fn StatusBadge(status: ToolStatus) -> impl IntoView {
    let tone = match status {
        ToolStatus::Approved => "badge badge--ok",
        ToolStatus::ApprovedWithConditions => "badge badge--info",
        ToolStatus::Suspended => "badge badge--warn",
        ToolStatus::Retired => "badge badge--neutral",
        ToolStatus::Prohibited => "badge badge--danger",
    };
    view! {
        <span class=tone data-status=status.as_str()>
            {status.label()}
        </span>
    }
}

/// How a recorded field name reads.
fn field_label(field: &str) -> String {
    let label = match field {
        "status_reason" => "Reason for the status",
        "data_classes" => "Permitted data classes",
        "access_requirements" => "Least-privilege requirements",
        "package_name" => "Package",
        "pinned_version" => "Pinned version",
        "checksum" => "SHA-256 checksum",
        "business_owner" => "Business owner",
        "next_review" => "Next review",
        "rollback_plan" => "Rollback plan",
        "vendor_trains_on_data" => "Vendor trains on customer data",
        "prohibited_by_default" => "Prohibited by default",
        "level" => "Classification",
        other => {
            let mut label = other.replace('_', " ");
            if let Some(first) = label.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            return label;
        }
    };
    label.to_owned()
}

/// Who changed what and when, newest first, from the audit log.
#[component]
pub fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! {
            <EmptyState title="No recorded changes">
                <p>"Changes made in the portal appear here with who made them and when."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <ol class="history" data-testid="history">
            {entries
                .into_iter()
                .map(|entry| {
                    let created = entry.action.ends_with(".created");
                    view! {
                        <li class="history__entry">
                            <p class="history__meta">
                                <strong>{if created { "Created" } else { "Changed" }}</strong>
                                " by "
                                {entry.actor.clone()}
                                " · "
                                <When at=entry.at />
                                " · event "
                                {entry.seq}
                            </p>
                            {(!created).then(|| view! { <FieldChanges changes=entry.changes /> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

/// What changed, field by field: the value before, struck through, and the value after.
#[component]
pub fn FieldChanges(changes: Vec<FieldChange>) -> impl IntoView {
    view! {
        <ul class="history__changes" data-testid="field-changes">
            {changes
                .into_iter()
                .map(|change| {
                    view! {
                        <li>
                            <span class="history__field">{field_label(&change.field)}</span>
                            ": "
                            <del>{change.before}</del>
                            " → "
                            <ins>{change.after}</ins>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
