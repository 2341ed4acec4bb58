-- Past a tool's review date the organization either only warns (the policy check says the
-- review is overdue) or has the portal suspend the tool the day after. An automatic suspension
-- is a stop like the kill switch's (banner, requests on hold, reinstated by a signed decision),
-- signed by the portal's receipt key: no reviewer pulled it, so no reviewer and no code.
ALTER TABLE organization
    ADD COLUMN overdue_policy text NOT NULL DEFAULT 'warn'
        CONSTRAINT organization_overdue_policy_known CHECK (overdue_policy IN ('warn', 'suspend'));

ALTER TABLE tool_stops
    ALTER COLUMN stopped_by DROP NOT NULL,
    ALTER COLUMN totp_step DROP NOT NULL,
    -- The review date that passed, for an automatic suspension; NULL for the kill switch.
    ADD COLUMN review_due_on date,
    ADD CONSTRAINT tool_stops_signer_known CHECK (
        CASE WHEN review_due_on IS NULL
             THEN stopped_by IS NOT NULL AND totp_step IS NOT NULL
             ELSE stopped_by IS NULL AND totp_step IS NULL AND incident_id IS NULL
        END);
