//! The life cycle of a tool request: which party may do what in which state, as one table.
//!
//! `draft → submitted → in_review ⇄ changes_requested → approved | approved_with_conditions |
//! rejected`, and `withdrawn` by the requester before a decision. Final states are final.

use serde::{Deserialize, Serialize};

named_values! {
    /// Where a tool request stands.
    RequestState, "request state" {
        Draft => "draft", "Draft",
        Submitted => "submitted", "Submitted",
        InReview => "in_review", "In review",
        ChangesRequested => "changes_requested", "Changes requested",
        Approved => "approved", "Approved",
        ApprovedWithConditions => "approved_with_conditions", "Approved with conditions",
        Rejected => "rejected", "Rejected",
        Withdrawn => "withdrawn", "Withdrawn",
    }
}

impl RequestState {
    /// Nothing happens to a request after this.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Approved | Self::ApprovedWithConditions | Self::Rejected | Self::Withdrawn
        )
    }
}

named_values! {
    /// What a request asks for: a tool (new, or a wider approval of one in the registry), or a
    /// reviewer's change to the registry that widens what a tool allows.
    RequestKind, "request kind" {
        Tool => "tool", "Tool request",
        RegistryChange => "registry_change", "Registry change",
    }
}

named_values! {
    /// A reviewer's decision, signed off with a fresh TOTP code.
    Decision, "decision" {
        Approve => "approve", "Approve",
        ApproveWithConditions => "approve_with_conditions", "Approve with conditions",
        Reject => "reject", "Reject",
    }
}

/// What someone does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestAction {
    /// The requester changes their draft or answers a request for changes.
    Edit,
    Submit,
    /// A reviewer takes the request (or takes it over).
    Assign,
    RequestChanges,
    /// The requester sends the changed request back to review.
    Resubmit,
    Decide(Decision),
    Withdraw,
    Comment,
}

/// Who acts, relative to the request. The requester is never the reviewer of their own request,
/// whatever roles they hold (segregation of duties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Party {
    Requester,
    /// A reviewer who did not file the request.
    Reviewer,
    /// Anyone else allowed to see it: a manager of the request's team, an admin.
    Observer,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request is approved, rejected or withdrawn.
    Final,
    /// Not in this state.
    WrongState,
    /// Not by this party.
    WrongParty,
}

impl Refusal {
    pub fn message(self, state: RequestState) -> String {
        match self {
            Self::Final => format!(
                "this request is {} and cannot change any more",
                state.label().to_lowercase()
            ),
            Self::WrongState => format!(
                "not possible while the request is {}",
                state.label().to_lowercase()
            ),
            Self::WrongParty => "you may not do that on this request".to_owned(),
        }
    }
}

use RequestState as S;

/// (from, action, by, to) — every allowed step; anything else is refused. A decision to approve
/// moves to its final state only once enough distinct reviewers have signed off (see
/// [`after_decision`]); the table gives the state when it is the last sign-off needed.
const TRANSITIONS: &[(RequestState, RequestAction, Party, RequestState)] = {
    use Decision as D;
    use Party::{Observer, Requester, Reviewer};
    use RequestAction as A;
    &[
        (S::Draft, A::Edit, Requester, S::Draft),
        (S::Draft, A::Submit, Requester, S::Submitted),
        (S::Draft, A::Withdraw, Requester, S::Withdrawn),
        (S::Submitted, A::Assign, Reviewer, S::InReview),
        (
            S::Submitted,
            A::RequestChanges,
            Reviewer,
            S::ChangesRequested,
        ),
        (S::Submitted, A::Withdraw, Requester, S::Withdrawn),
        (S::Submitted, A::Comment, Requester, S::Submitted),
        (S::Submitted, A::Comment, Reviewer, S::Submitted),
        (S::Submitted, A::Comment, Observer, S::Submitted),
        (S::InReview, A::Assign, Reviewer, S::InReview),
        (
            S::InReview,
            A::RequestChanges,
            Reviewer,
            S::ChangesRequested,
        ),
        (S::InReview, A::Decide(D::Approve), Reviewer, S::Approved),
        (
            S::InReview,
            A::Decide(D::ApproveWithConditions),
            Reviewer,
            S::ApprovedWithConditions,
        ),
        (S::InReview, A::Decide(D::Reject), Reviewer, S::Rejected),
        (S::InReview, A::Withdraw, Requester, S::Withdrawn),
        (S::InReview, A::Comment, Requester, S::InReview),
        (S::InReview, A::Comment, Reviewer, S::InReview),
        (S::InReview, A::Comment, Observer, S::InReview),
        (S::ChangesRequested, A::Edit, Requester, S::ChangesRequested),
        (S::ChangesRequested, A::Resubmit, Requester, S::InReview),
        (S::ChangesRequested, A::Withdraw, Requester, S::Withdrawn),
        (
            S::ChangesRequested,
            A::Comment,
            Requester,
            S::ChangesRequested,
        ),
        (
            S::ChangesRequested,
            A::Comment,
            Reviewer,
            S::ChangesRequested,
        ),
        (
            S::ChangesRequested,
            A::Comment,
            Observer,
            S::ChangesRequested,
        ),
    ]
};

/// The state `action` by `party` leads to from `state`, or why it is refused.
pub fn next(
    state: RequestState,
    action: RequestAction,
    party: Party,
) -> Result<RequestState, Refusal> {
    if state.is_final() {
        return Err(Refusal::Final);
    }
    let mut in_state = TRANSITIONS
        .iter()
        .filter(|(from, act, _, _)| *from == state && *act == action)
        .peekable();
    if in_state.peek().is_none() {
        return Err(Refusal::WrongState);
    }
    in_state
        .find(|(_, _, by, _)| *by == party)
        .map(|(_, _, _, to)| *to)
        .ok_or(Refusal::WrongParty)
}

/// Where a decision leaves the request: a rejection ends it at once; an approval ends it only
/// with `approvals` (this one included) from at least `required` distinct reviewers — until
/// then it stays in review, waiting for the next sign-off. Conditions from any approving
/// reviewer make the outcome "approved with conditions".
pub fn after_decision(
    decision: Decision,
    approvals: usize,
    required: usize,
    any_conditions: bool,
) -> RequestState {
    match decision {
        Decision::Reject => RequestState::Rejected,
        _ if approvals < required => RequestState::InReview,
        Decision::ApproveWithConditions => RequestState::ApprovedWithConditions,
        Decision::Approve if any_conditions => RequestState::ApprovedWithConditions,
        Decision::Approve => RequestState::Approved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Party::{Observer, Requester, Reviewer};

    fn actions() -> Vec<RequestAction> {
        let mut all = vec![
            RequestAction::Edit,
            RequestAction::Submit,
            RequestAction::Assign,
            RequestAction::RequestChanges,
            RequestAction::Resubmit,
            RequestAction::Withdraw,
            RequestAction::Comment,
        ];
        all.extend(Decision::ALL.iter().map(|d| RequestAction::Decide(*d)));
        all
    }

    /// Every (state, action, party) triple, checked against the expected outcome written out
    /// independently of the table.
    #[test]
    fn every_state_action_and_party_gives_the_expected_outcome() {
        for &state in RequestState::ALL {
            for action in actions() {
                for party in [Requester, Reviewer, Observer] {
                    let expected = expected(state, action, party);
                    assert_eq!(
                        next(state, action, party),
                        expected,
                        "{state:?} {action:?} {party:?}"
                    );
                }
            }
        }
    }

    fn expected(
        state: RequestState,
        action: RequestAction,
        party: Party,
    ) -> Result<RequestState, Refusal> {
        use RequestAction as A;
        if state.is_final() {
            return Err(Refusal::Final);
        }
        let (to, allowed): (RequestState, &[Party]) = match (state, action) {
            (S::Draft, A::Edit) => (S::Draft, &[Requester]),
            (S::Draft, A::Submit) => (S::Submitted, &[Requester]),
            (S::Submitted | S::InReview, A::Assign) => (S::InReview, &[Reviewer]),
            (S::Submitted | S::InReview, A::RequestChanges) => (S::ChangesRequested, &[Reviewer]),
            (S::InReview, A::Decide(Decision::Approve)) => (S::Approved, &[Reviewer]),
            (S::InReview, A::Decide(Decision::ApproveWithConditions)) => {
                (S::ApprovedWithConditions, &[Reviewer])
            }
            (S::InReview, A::Decide(Decision::Reject)) => (S::Rejected, &[Reviewer]),
            (S::ChangesRequested, A::Edit) => (S::ChangesRequested, &[Requester]),
            (S::ChangesRequested, A::Resubmit) => (S::InReview, &[Requester]),
            (_, A::Withdraw) => (S::Withdrawn, &[Requester]),
            (S::Draft, A::Comment) => return Err(Refusal::WrongState),
            (_, A::Comment) => (state, &[Requester, Reviewer, Observer]),
            _ => return Err(Refusal::WrongState),
        };
        if allowed.contains(&party) {
            Ok(to)
        } else {
            Err(Refusal::WrongParty)
        }
    }

    #[test]
    fn final_states_are_final_and_say_so() {
        for state in [
            S::Approved,
            S::ApprovedWithConditions,
            S::Rejected,
            S::Withdrawn,
        ] {
            assert!(state.is_final());
            for action in actions() {
                assert_eq!(next(state, action, Requester), Err(Refusal::Final));
                assert_eq!(next(state, action, Reviewer), Err(Refusal::Final));
            }
            assert!(Refusal::Final.message(state).contains("cannot change"));
        }
    }

    #[test]
    fn a_requester_can_never_decide_and_a_reviewer_never_edits() {
        for &state in RequestState::ALL {
            for decision in Decision::ALL {
                assert!(next(state, RequestAction::Decide(*decision), Requester).is_err());
                assert!(next(state, RequestAction::Decide(*decision), Observer).is_err());
            }
            assert!(next(state, RequestAction::Edit, Reviewer).is_err());
        }
    }

    #[test]
    fn high_risk_approvals_wait_for_the_second_reviewer() {
        use Decision::*;
        assert_eq!(after_decision(Approve, 1, 2, false), S::InReview);
        assert_eq!(after_decision(Approve, 2, 2, false), S::Approved);
        assert_eq!(
            after_decision(Approve, 2, 2, true),
            S::ApprovedWithConditions
        );
        assert_eq!(
            after_decision(ApproveWithConditions, 1, 1, true),
            S::ApprovedWithConditions
        );
        assert_eq!(
            after_decision(ApproveWithConditions, 1, 2, true),
            S::InReview
        );
        assert_eq!(after_decision(Reject, 0, 2, false), S::Rejected);
        assert_eq!(after_decision(Approve, 1, 1, false), S::Approved);
    }
}
