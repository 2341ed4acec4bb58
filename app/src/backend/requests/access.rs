//! Who may see a request and how they stand to it. Visibility: the requester, managers of the
//! request's team, reviewers and admins. Anyone else gets `Hidden` — on the wire the same as
//! `NotFound` for a number that does not exist, so guessing numbers reveals nothing — and the
//! refusal is audited as `access.denied`.

use crate::backend::identity::users::Principal;
use crate::domain::requests::state::{Party, Refusal, RequestKind, RequestState};
use crate::domain::Permission;
use crate::error::AppError;
use sqlx::PgConnection;
use uuid::Uuid;

/// What one request holds, as stored.
pub(crate) struct Stored {
    pub request_id: Uuid,
    pub number: i64,
    pub requester_id: Uuid,
    pub state: RequestState,
    pub kind: RequestKind,
    is_team_manager: bool,
}

/// How `principal` stands to a request; `None`: they may not see it.
pub(crate) fn party_of(
    principal: &Principal,
    requester_id: Uuid,
    is_team_manager: bool,
) -> Option<Party> {
    if principal.user_id == requester_id {
        Some(Party::Requester)
    } else if principal.may(Permission::ReviewRequests) {
        Some(Party::Reviewer)
    } else if principal.may(Permission::ObserveAllRequests) || is_team_manager {
        Some(Party::Observer)
    } else {
        None
    }
}

/// Request `number` locked for a change, with `principal`'s party; `NotFound` when they may
/// not see it.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    principal: &Principal,
    number: i64,
) -> Result<(Stored, Party), AppError> {
    let row = sqlx::query!(
        r#"SELECT r.request_id, r.number, r.requester_id, r.state AS "state: RequestState",
             r.kind AS "kind: RequestKind",
             EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = r.team_id
                     AND m.user_id = $2 AND m.membership = 'manager') AS "is_team_manager!"
           FROM tool_requests r WHERE r.number = $1 FOR UPDATE OF r"#,
        number,
        principal.user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let stored = Stored {
        request_id: row.request_id,
        number: row.number,
        requester_id: row.requester_id,
        state: row.state,
        kind: row.kind,
        is_team_manager: row.is_team_manager,
    };
    let party =
        party_of(principal, stored.requester_id, stored.is_team_manager).ok_or(AppError::Hidden)?;
    Ok((stored, party))
}

pub(crate) fn refused(refusal: Refusal, state: RequestState) -> AppError {
    match refusal {
        Refusal::WrongParty => AppError::Forbidden,
        Refusal::Final | Refusal::WrongState => AppError::Conflict {
            message: refusal.message(state),
        },
    }
}
