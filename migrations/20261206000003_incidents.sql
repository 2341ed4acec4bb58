-- The incident register: anyone signed in reports what went wrong with an AI tool; reviewers
-- and admins triage it (severity, owner, status) through to a post-incident review. Every
-- step is an event on the incident's timeline and in the audit chain.

CREATE TABLE incidents (
    incident_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- What people say and type: "incident #3". Visibility is checked per incident.
    number bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT incidents_number_key UNIQUE,
    reporter_id uuid NOT NULL CONSTRAINT incidents_reporter_fkey REFERENCES users (user_id),
    kind text NOT NULL
        CONSTRAINT incidents_kind_known CHECK (kind IN ('tool_compromised', 'malicious_package', 'data_sent', 'harmful_output', 'vendor_breach', 'other')),
    title text NOT NULL
        CONSTRAINT incidents_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    description text NOT NULL
        CONSTRAINT incidents_description_length CHECK (char_length(description) BETWEEN 1 AND 8000),
    occurred_at timestamptz NOT NULL,
    -- Set at triage.
    severity text
        CONSTRAINT incidents_severity_known CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status text NOT NULL DEFAULT 'reported'
        CONSTRAINT incidents_status_known CHECK (status IN ('reported', 'triaged', 'contained', 'resolved', 'closed', 'dismissed')),
    owner_id uuid CONSTRAINT incidents_owner_fkey REFERENCES users (user_id),
    dismissed_reason text NOT NULL DEFAULT ''
        CONSTRAINT incidents_dismissed_reason_length CHECK (char_length(dismissed_reason) <= 4000),
    -- The post-incident review.
    review_summary text NOT NULL DEFAULT ''
        CONSTRAINT incidents_review_summary_length CHECK (char_length(review_summary) <= 8000),
    root_cause text NOT NULL DEFAULT ''
        CONSTRAINT incidents_root_cause_length CHECK (char_length(root_cause) <= 8000),
    reported_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- Triaged incidents have a severity and an owner; dismissed ones say why.
    CONSTRAINT incidents_triage_complete CHECK (status IN ('reported', 'dismissed') OR (severity IS NOT NULL AND owner_id IS NOT NULL)),
    CONSTRAINT incidents_dismissal_explained CHECK (status <> 'dismissed' OR dismissed_reason <> '')
);

CREATE INDEX incidents_reporter_idx ON incidents (reporter_id, number DESC);
CREATE INDEX incidents_status_idx ON incidents (status, number DESC);

CREATE TABLE incident_tools (
    incident_id uuid NOT NULL
        CONSTRAINT incident_tools_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    tool_id uuid NOT NULL CONSTRAINT incident_tools_tool_fkey REFERENCES tools (tool_id),
    CONSTRAINT incident_tools_pkey PRIMARY KEY (incident_id, tool_id)
);
CREATE INDEX incident_tools_tool_idx ON incident_tools (tool_id);

CREATE TABLE incident_data_classes (
    incident_id uuid NOT NULL
        CONSTRAINT incident_data_classes_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    data_class_id uuid NOT NULL
        CONSTRAINT incident_data_classes_class_fkey REFERENCES data_classes (data_class_id),
    CONSTRAINT incident_data_classes_pkey PRIMARY KEY (incident_id, data_class_id)
);

CREATE TABLE incident_teams (
    incident_id uuid NOT NULL
        CONSTRAINT incident_teams_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    team_id uuid NOT NULL CONSTRAINT incident_teams_team_fkey REFERENCES teams (team_id),
    CONSTRAINT incident_teams_pkey PRIMARY KEY (incident_id, team_id)
);
CREATE INDEX incident_teams_team_idx ON incident_teams (team_id);

-- Tool requests the incident concerns (for instance the request that approved the tool).
CREATE TABLE incident_requests (
    incident_id uuid NOT NULL
        CONSTRAINT incident_requests_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    request_id uuid NOT NULL
        CONSTRAINT incident_requests_request_fkey REFERENCES tool_requests (request_id),
    CONSTRAINT incident_requests_pkey PRIMARY KEY (incident_id, request_id)
);

CREATE TABLE incident_events (
    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id uuid NOT NULL
        CONSTRAINT incident_events_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    at timestamptz NOT NULL,
    actor_id uuid CONSTRAINT incident_events_actor_fkey REFERENCES users (user_id),
    kind text NOT NULL
        CONSTRAINT incident_events_kind_known CHECK (kind IN ('reported', 'triaged', 'status_changed', 'commented', 'reviewed', 'action_added', 'action_done', 'tool_stopped', 'first_no', 'acknowledged', 'tool_reinstated')),
    from_status text,
    to_status text,
    body text NOT NULL DEFAULT ''
        CONSTRAINT incident_events_body_length CHECK (char_length(body) <= 8000)
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, event_id);

-- Follow-up actions of the post-incident review.
CREATE TABLE incident_actions (
    action_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id uuid NOT NULL
        CONSTRAINT incident_actions_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    what text NOT NULL
        CONSTRAINT incident_actions_what_length CHECK (char_length(what) BETWEEN 1 AND 500),
    owner_id uuid NOT NULL CONSTRAINT incident_actions_owner_fkey REFERENCES users (user_id),
    due_on date NOT NULL,
    done_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX incident_actions_incident_idx ON incident_actions (incident_id, due_on);
