-- Decisions on tool requests: each reviewer's sign-off with its signed receipt, the approval a
-- registry entry carries (and whether it has gone stale), and in-app notifications.

-- Whether the vendor trains its models on customer data: part of what an approval covers.
ALTER TABLE tools ADD COLUMN vendor_trains_on_data boolean NOT NULL DEFAULT false;

ALTER TABLE tool_requests
    -- A request the portal opened itself because an approved tool's supply chain changed.
    ADD COLUMN re_review boolean NOT NULL DEFAULT false,
    -- The registry entry its final approval wrote (the request as reviewed stays unchanged).
    ADD COLUMN granted_tool_id uuid
        CONSTRAINT tool_requests_granted_tool_fkey REFERENCES tools (tool_id) ON DELETE SET NULL;

ALTER TABLE tools
    -- The request whose final approval the entry carries, if it came through the workflow.
    ADD COLUMN approval_request_id uuid
        CONSTRAINT tools_approval_request_fkey REFERENCES tool_requests (request_id) ON DELETE SET NULL,
    -- Set when a reviewer changes the pinned version, checksum or "trains on data" of an
    -- approved tool; cleared by the next final approval.
    ADD COLUMN approval_stale_since timestamptz,
    ADD COLUMN re_review_request_id uuid
        CONSTRAINT tools_re_review_request_fkey REFERENCES tool_requests (request_id) ON DELETE SET NULL;

-- One row per reviewer's sign-off: the decision, on exactly which version of the request
-- (SHA-256 of its canonical form), and the receipt signed for it. A reviewer signs a version
-- once; a high-risk approval needs sign-offs from distinct reviewers on the same version.
CREATE TABLE request_signoffs (
    receipt_id uuid PRIMARY KEY,
    request_id uuid NOT NULL
        CONSTRAINT request_signoffs_request_fkey REFERENCES tool_requests (request_id) ON DELETE CASCADE,
    reviewer_id uuid NOT NULL CONSTRAINT request_signoffs_reviewer_fkey REFERENCES users (user_id),
    decision text NOT NULL
        CONSTRAINT request_signoffs_decision_known CHECK (decision IN ('approve', 'approve_with_conditions', 'reject')),
    request_sha256 text NOT NULL
        CONSTRAINT request_signoffs_sha256_format CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
    conditions text NOT NULL DEFAULT '',
    next_review date,
    decided_at timestamptz NOT NULL,
    -- The signed receipt exactly as handed out.
    key_id text NOT NULL,
    payload text NOT NULL,
    signature text NOT NULL,
    CONSTRAINT request_signoffs_once_per_version UNIQUE (request_id, request_sha256, reviewer_id)
);

CREATE INDEX request_signoffs_request_idx ON request_signoffs (request_id, decided_at);

CREATE TABLE notifications (
    notification_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid NOT NULL CONSTRAINT notifications_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    message text NOT NULL
        CONSTRAINT notifications_message_length CHECK (char_length(message) BETWEEN 1 AND 500),
    -- A path inside the portal.
    link text NOT NULL CONSTRAINT notifications_link_format CHECK (link LIKE '/%'),
    read_at timestamptz
);

CREATE INDEX notifications_user_idx ON notifications (user_id, notification_id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

ALTER TABLE tool_request_events DROP CONSTRAINT tool_request_events_kind_known;
ALTER TABLE tool_request_events ADD CONSTRAINT tool_request_events_kind_known
    CHECK (kind IN ('created', 'edited', 'submitted', 'assigned', 'changes_requested', 'resubmitted',
                    'commented', 'withdrawn', 'signed_off', 'decided', 'reopened'));
