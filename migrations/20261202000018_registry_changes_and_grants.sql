-- Nothing widens what is allowed without the workflow.
--
-- A reviewer's edit that widens what a tool allows (a status towards approved, more teams or
-- data classes, conditions or requirements removed, a review date beyond the organization's
-- maximum) becomes a registry change request: a tool request of kind 'registry_change' carrying
-- the proposed entry, decided like any request.
--
-- Every permitted (tool, data class, team) answer traces to the signed receipt that granted it:
-- tool_grants holds one row per permitted pair (team_id NULL: every team) with that receipt.
-- The policy check answers yes only where a grant exists.

ALTER TABLE organization
    ADD COLUMN max_review_months integer NOT NULL DEFAULT 12
        CONSTRAINT organization_max_review_months_range CHECK (max_review_months BETWEEN 1 AND 36),
    -- While a re-review is open: 'deny' (no until re-reviewed) or 'warn' (yes, with a warning).
    ADD COLUMN stale_policy text NOT NULL DEFAULT 'deny'
        CONSTRAINT organization_stale_policy_known CHECK (stale_policy IN ('deny', 'warn'));

ALTER TABLE tool_requests
    ADD COLUMN kind text NOT NULL DEFAULT 'tool'
        CONSTRAINT tool_requests_kind_known CHECK (kind IN ('tool', 'registry_change')),
    -- The proposed registry entry (the tool form) and the entry as it was, for a change.
    ADD COLUMN proposal jsonb,
    ADD COLUMN proposal_before jsonb,
    ALTER COLUMN team_id DROP NOT NULL,
    ADD CONSTRAINT tool_requests_team_for_tool_requests
        CHECK (kind = 'registry_change' OR team_id IS NOT NULL),
    ADD CONSTRAINT tool_requests_change_has_proposal
        CHECK (kind = 'tool' OR proposal IS NOT NULL);

ALTER TABLE tools
    -- What changed when the approval went stale, in words.
    ADD COLUMN approval_stale_changes text NOT NULL DEFAULT '';

CREATE TABLE tool_grants (
    tool_id uuid NOT NULL
        CONSTRAINT tool_grants_tool_fkey REFERENCES tools (tool_id) ON DELETE CASCADE,
    data_class_id uuid NOT NULL
        CONSTRAINT tool_grants_data_class_fkey REFERENCES data_classes (data_class_id) ON DELETE CASCADE,
    -- NULL: every team.
    team_id uuid CONSTRAINT tool_grants_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    receipt_id uuid NOT NULL
        CONSTRAINT tool_grants_receipt_fkey REFERENCES request_signoffs (receipt_id),
    granted_at timestamptz NOT NULL,
    CONSTRAINT tool_grants_pair_key UNIQUE NULLS NOT DISTINCT (tool_id, data_class_id, team_id)
);

CREATE INDEX tool_grants_receipt_idx ON tool_grants (receipt_id);

-- Approvals made before grants existed keep their answers where a final approving receipt of the
-- request the entry carries exists; any other approved entry answers no until it is re-approved.
INSERT INTO tool_grants (tool_id, data_class_id, team_id, receipt_id, granted_at)
SELECT t.tool_id, td.data_class_id, scope.team_id, r.receipt_id, r.decided_at
FROM tools t
JOIN tool_data_classes td ON td.tool_id = t.tool_id
JOIN LATERAL (
    SELECT s.receipt_id, s.decided_at FROM request_signoffs s
    WHERE s.request_id = t.approval_request_id AND s.decision <> 'reject'
    ORDER BY s.decided_at DESC LIMIT 1
) r ON true
JOIN LATERAL (
    SELECT NULL::uuid AS team_id WHERE t.all_teams
    UNION ALL
    SELECT tt.team_id FROM tool_teams tt WHERE tt.tool_id = t.tool_id AND NOT t.all_teams
) scope ON true
WHERE t.status IN ('approved', 'approved_with_conditions');
