-- The kill switch: a reviewer stops a tool for the whole organization with a fresh code. The
-- tool is suspended in the same transaction, open requests for it are put on hold, and the stop
-- is signed like a decision (the receipt's payload and signature are kept here). People of the
-- teams using the tool see a banner until they acknowledge it.

CREATE TABLE tool_stops (
    -- Also the receipt's id.
    stop_id uuid PRIMARY KEY,
    tool_id uuid NOT NULL CONSTRAINT tool_stops_tool_fkey REFERENCES tools (tool_id),
    incident_id uuid CONSTRAINT tool_stops_incident_fkey REFERENCES incidents (incident_id),
    reason text NOT NULL
        CONSTRAINT tool_stops_reason_length CHECK (char_length(reason) BETWEEN 1 AND 2000),
    instead text NOT NULL DEFAULT ''
        CONSTRAINT tool_stops_instead_length CHECK (char_length(instead) <= 4000),
    stopped_by uuid NOT NULL CONSTRAINT tool_stops_stopped_by_fkey REFERENCES users (user_id),
    stopped_at timestamptz NOT NULL,
    totp_step bigint NOT NULL,
    key_id text NOT NULL,
    payload text NOT NULL,
    signature text NOT NULL,
    -- When the policy check first answered no because of it (on the incident's timeline).
    first_no_at timestamptz,
    -- When the tool was reinstated: the banner goes.
    lifted_at timestamptz
);

-- At most one stop in force per tool.
CREATE UNIQUE INDEX tool_stops_one_in_force ON tool_stops (tool_id) WHERE lifted_at IS NULL;

CREATE TABLE tool_stop_acknowledgements (
    stop_id uuid NOT NULL
        CONSTRAINT tool_stop_acknowledgements_stop_fkey REFERENCES tool_stops (stop_id),
    user_id uuid NOT NULL
        CONSTRAINT tool_stop_acknowledgements_user_fkey REFERENCES users (user_id),
    at timestamptz NOT NULL,
    CONSTRAINT tool_stop_acknowledgements_pkey PRIMARY KEY (stop_id, user_id)
);

-- A request for a stopped tool waits: no decision lands on it until the tool is reinstated.
ALTER TABLE tool_requests
    ADD COLUMN held_by uuid CONSTRAINT tool_requests_held_by_fkey REFERENCES tool_stops (stop_id);

ALTER TABLE tool_request_events DROP CONSTRAINT tool_request_events_kind_known;
ALTER TABLE tool_request_events ADD CONSTRAINT tool_request_events_kind_known
    CHECK (kind IN ('created', 'edited', 'submitted', 'assigned', 'changes_requested', 'resubmitted', 'commented', 'withdrawn', 'signed_off', 'decided', 'reopened', 'held', 'released'));
