-- Tool requests: an employee asks for a new AI tool or a wider approval of one in the registry;
-- reviewers work them to a decision. Every step is an event on the request's timeline.

CREATE TABLE tool_requests (
    request_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- What people say and type: "request #12". Ids in links are numbers, visibility is checked.
    number bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT tool_requests_number_key UNIQUE,
    requester_id uuid NOT NULL CONSTRAINT tool_requests_requester_fkey REFERENCES users (user_id),
    team_id uuid NOT NULL CONSTRAINT tool_requests_team_fkey REFERENCES teams (team_id),
    -- The registry entry to widen; null for a tool not in the registry yet.
    tool_id uuid CONSTRAINT tool_requests_tool_fkey REFERENCES tools (tool_id) ON DELETE SET NULL,
    tool_name text NOT NULL
        CONSTRAINT tool_requests_tool_name_length CHECK (char_length(tool_name) BETWEEN 1 AND 120),
    vendor text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_vendor_length CHECK (char_length(vendor) <= 120),
    category text NOT NULL
        CONSTRAINT tool_requests_category_known CHECK (category IN ('ai_coding', 'ai_chatbot', 'ai_document', 'other')),
    website text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_website_length CHECK (char_length(website) <= 2000),
    use_case text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_use_case_length CHECK (char_length(use_case) <= 4000),
    justification text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_justification_length CHECK (char_length(justification) <= 4000),
    users_count integer NOT NULL DEFAULT 1
        CONSTRAINT tool_requests_users_count_range CHECK (users_count BETWEEN 1 AND 1000000),
    access_file_system boolean NOT NULL DEFAULT false,
    access_terminal boolean NOT NULL DEFAULT false,
    access_git boolean NOT NULL DEFAULT false,
    access_internet boolean NOT NULL DEFAULT false,
    access_production boolean NOT NULL DEFAULT false,
    distribution text NOT NULL
        CONSTRAINT tool_requests_distribution_known CHECK (distribution IN ('saas', 'npm', 'pypi', 'binary', 'ide_extension')),
    package_name text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_package_name_length CHECK (char_length(package_name) <= 214),
    pinned_version text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_pinned_version_length CHECK (char_length(pinned_version) <= 100),
    checksum text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_checksum_format CHECK (checksum = '' OR checksum ~ '^[0-9a-f]{64}$'),
    vendor_trains_on_data boolean NOT NULL DEFAULT false,
    alternatives text NOT NULL DEFAULT ''
        CONSTRAINT tool_requests_alternatives_length CHECK (char_length(alternatives) <= 4000),
    state text NOT NULL DEFAULT 'draft'
        CONSTRAINT tool_requests_state_known CHECK (state IN ('draft', 'submitted', 'in_review', 'changes_requested', 'approved', 'approved_with_conditions', 'rejected', 'withdrawn')),
    assignee_id uuid CONSTRAINT tool_requests_assignee_fkey REFERENCES users (user_id),
    -- The risk assessment as computed at the last submission (rules, points, level).
    risk jsonb,
    required_approvals smallint NOT NULL DEFAULT 1
        CONSTRAINT tool_requests_required_approvals_range CHECK (required_approvals BETWEEN 1 AND 2),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    submitted_at timestamptz,
    decided_at timestamptz
);

CREATE INDEX tool_requests_requester_idx ON tool_requests (requester_id, number DESC);
CREATE INDEX tool_requests_queue_idx ON tool_requests (state, submitted_at);
CREATE INDEX tool_requests_team_idx ON tool_requests (team_id);

CREATE TABLE tool_request_data_classes (
    request_id uuid NOT NULL
        CONSTRAINT tool_request_data_classes_request_fkey REFERENCES tool_requests (request_id) ON DELETE CASCADE,
    data_class_id uuid NOT NULL
        CONSTRAINT tool_request_data_classes_class_fkey REFERENCES data_classes (data_class_id),
    CONSTRAINT tool_request_data_classes_pkey PRIMARY KEY (request_id, data_class_id)
);

CREATE TABLE tool_request_events (
    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id uuid NOT NULL
        CONSTRAINT tool_request_events_request_fkey REFERENCES tool_requests (request_id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    actor_id uuid CONSTRAINT tool_request_events_actor_fkey REFERENCES users (user_id),
    kind text NOT NULL
        CONSTRAINT tool_request_events_kind_known CHECK (kind IN ('created', 'edited', 'submitted', 'assigned', 'changes_requested', 'resubmitted', 'commented', 'withdrawn', 'signed_off', 'decided')),
    from_state text,
    to_state text,
    body text NOT NULL DEFAULT ''
        CONSTRAINT tool_request_events_body_length CHECK (char_length(body) <= 4000)
);

CREATE INDEX tool_request_events_request_idx ON tool_request_events (request_id, event_id);
