-- Reinstating a stopped tool, and the playbooks that turn into an incident's checklist.

-- What the tool allowed before the kill switch: a reinstatement proposes it back.
ALTER TABLE tool_stops ADD COLUMN status_before text NOT NULL DEFAULT 'approved'
    CONSTRAINT tool_stops_status_before_known
        CHECK (status_before IN ('approved', 'approved_with_conditions'));
-- Stops made before this column: the status is in the audit event the stop's save wrote.
UPDATE tool_stops s SET status_before = 'approved_with_conditions'
WHERE EXISTS (
    SELECT 1 FROM tools t JOIN audit_events e
      ON e.target = 'tool:' || t.slug AND e.action = 'tool.updated' AND e.occurred_at = s.stopped_at
    WHERE t.tool_id = s.tool_id
      AND e.payload::jsonb -> 'before' ->> 'status' = 'Approved with conditions');

-- A registry change request that reinstates a stopped tool names the stop; its justification
-- and the facts that changed are in its use case, which its receipts' request hash covers.
ALTER TABLE tool_requests
    ADD COLUMN reinstates uuid CONSTRAINT tool_requests_reinstates_fkey REFERENCES tool_stops (stop_id);

-- One playbook per incident kind, every edit a new version (the newest is in force).
CREATE TABLE playbook_versions (
    kind text NOT NULL
        CONSTRAINT playbook_versions_kind_known CHECK (kind IN ('tool_compromised', 'malicious_package', 'data_sent', 'harmful_output', 'vendor_breach', 'other')),
    version integer NOT NULL CONSTRAINT playbook_versions_version_positive CHECK (version > 0),
    -- [{"what": …, "who": …}], in order.
    steps jsonb NOT NULL CONSTRAINT playbook_versions_steps_array CHECK (jsonb_typeof(steps) = 'array'),
    -- [{"who": …, "whom": …, "when": …, "how": …}]: who notifies whom, when and how.
    channels jsonb NOT NULL CONSTRAINT playbook_versions_channels_array CHECK (jsonb_typeof(channels) = 'array'),
    -- Why this version: "reviewed after the 2026 exercise", …
    note text NOT NULL DEFAULT ''
        CONSTRAINT playbook_versions_note_length CHECK (char_length(note) <= 2000),
    -- NULL: shipped with the portal.
    edited_by uuid CONSTRAINT playbook_versions_edited_by_fkey REFERENCES users (user_id),
    edited_at timestamptz NOT NULL,
    CONSTRAINT playbook_versions_pkey PRIMARY KEY (kind, version)
);

-- An incident's checklist: its kind's playbook steps as they were when it was reported.
ALTER TABLE incidents ADD COLUMN playbook_version integer;
CREATE TABLE incident_steps (
    incident_id uuid NOT NULL
        CONSTRAINT incident_steps_incident_fkey REFERENCES incidents (incident_id) ON DELETE CASCADE,
    position integer NOT NULL,
    what text NOT NULL,
    who text NOT NULL,
    done_at timestamptz,
    done_by uuid CONSTRAINT incident_steps_done_by_fkey REFERENCES users (user_id),
    CONSTRAINT incident_steps_pkey PRIMARY KEY (incident_id, position),
    CONSTRAINT incident_steps_done_whole CHECK ((done_at IS NULL) = (done_by IS NULL))
);

ALTER TABLE incident_events DROP CONSTRAINT incident_events_kind_known;
ALTER TABLE incident_events ADD CONSTRAINT incident_events_kind_known
    CHECK (kind IN ('reported', 'triaged', 'status_changed', 'commented', 'reviewed', 'action_added', 'action_done', 'tool_stopped', 'first_no', 'acknowledged', 'tool_reinstated', 'reinstatement_proposed', 'step_done', 'step_reopened'));

-- The defaults, from the article's fourth lesson: speed is everything, the communication
-- channels are named, and there is a rollback plan. Admins edit them; every edit is a version.
INSERT INTO playbook_versions (kind, version, steps, channels, note, edited_at) VALUES
('tool_compromised', 1,
 '[{"what": "Confirm what is compromised (source leak, account takeover, malicious update) and from which version", "who": "Incident owner"},
   {"what": "Pull the kill switch on the tool if anyone may still be exposed: people switch to the rollback plan", "who": "Security reviewer on call"},
   {"what": "Revoke the tool''s API keys, OAuth grants and tokens the organization issued to it", "who": "IT operations"},
   {"what": "Check which teams used it with which data classes (the registry lists them) and whether prohibited data went in", "who": "Incident owner"},
   {"what": "Watch for look-alike packages and domains published after the leak; block them at the proxy and the package registry", "who": "Platform team"},
   {"what": "Decide, with a pinned version and checksum, whether and when to reinstate (two reviewers sign)", "who": "Security reviewers"},
   {"what": "Write the post-incident review and follow-up actions within five working days", "who": "Incident owner"}]',
 '[{"who": "Incident owner", "whom": "Security team and IT operations", "when": "Within 1 hour of the report", "how": "Incident channel and phone bridge"},
   {"who": "Security team", "whom": "Everyone using the tool", "when": "When the kill switch is pulled", "how": "Portal banner and e-mail"},
   {"who": "Incident owner", "whom": "Managers of affected teams", "when": "Within 4 hours", "how": "E-mail with the incident link"},
   {"who": "CISO", "whom": "Executives and the data protection officer", "when": "Same day if personal data may be involved", "how": "Briefing call"}]',
 'Default playbook from the article''s lesson 4.', now()),
('malicious_package', 1,
 '[{"what": "Identify the malicious package, the versions and the registry it came from (npm, PyPI, Maven)", "who": "Incident owner"},
   {"what": "Block it in the private registry and the proxy; pin every project to the last known-good version and checksum", "who": "Platform team"},
   {"what": "Search build logs, lock files and developer machines for installs since it was published", "who": "IT operations"},
   {"what": "Isolate and reimage machines that installed it; rotate every credential they held", "who": "IT operations"},
   {"what": "Pull the kill switch on the AI tool whose name it abused if people may install it by mistake", "who": "Security reviewer on call"},
   {"what": "Write the post-incident review: how it got in, which checklist item (5, 6) failed", "who": "Incident owner"}]',
 '[{"who": "Incident owner", "whom": "Developers of affected teams", "when": "Within 1 hour", "how": "Team chat and e-mail, with the package name and the check to run"},
   {"who": "Platform team", "whom": "Security team", "when": "When the block is in place", "how": "Incident channel"},
   {"who": "Security team", "whom": "Managers of affected teams", "when": "Daily until contained", "how": "Status e-mail"}]',
 'Default playbook from the article''s lesson 4.', now()),
('data_sent', 1,
 '[{"what": "Find out which data class went to which tool, by whom, and when", "who": "Incident owner"},
   {"what": "Ask the vendor to delete it and confirm in writing; check whether the vendor trains on it", "who": "Vendor manager"},
   {"what": "Assess whether it is a personal-data breach that must be notified to the regulator (72 hours)", "who": "Data protection officer"},
   {"what": "Stop the tool for the team if the data may keep flowing", "who": "Security reviewer on call"},
   {"what": "Remind the team which data classes are prohibited and where the scanner is", "who": "Team manager"},
   {"what": "Write the post-incident review and follow-up actions", "who": "Incident owner"}]',
 '[{"who": "Reporter", "whom": "Security team", "when": "At once", "how": "Portal incident report"},
   {"who": "Incident owner", "whom": "Data protection officer", "when": "Within 24 hours", "how": "E-mail and call"},
   {"who": "Data protection officer", "whom": "Regulator and the people concerned", "when": "Within 72 hours when required", "how": "Official notification"}]',
 'Default playbook from the article''s lesson 4.', now());

-- Tabletop exercises: a scenario from a playbook rehearsed on a day with its participants;
-- once held, what went well, the gaps found and follow-up actions.
CREATE TABLE exercises (
    exercise_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT exercises_number_key UNIQUE,
    title text NOT NULL
        CONSTRAINT exercises_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    kind text NOT NULL
        CONSTRAINT exercises_kind_known CHECK (kind IN ('tool_compromised', 'malicious_package', 'data_sent', 'harmful_output', 'vendor_breach', 'other')),
    -- The playbook version rehearsed (the one in force when it was scheduled).
    playbook_version integer,
    scenario text NOT NULL
        CONSTRAINT exercises_scenario_length CHECK (char_length(scenario) BETWEEN 1 AND 8000),
    held_on date NOT NULL,
    participants text NOT NULL
        CONSTRAINT exercises_participants_length CHECK (char_length(participants) BETWEEN 1 AND 4000),
    went_well text NOT NULL DEFAULT ''
        CONSTRAINT exercises_went_well_length CHECK (char_length(went_well) <= 8000),
    gaps text NOT NULL DEFAULT ''
        CONSTRAINT exercises_gaps_length CHECK (char_length(gaps) <= 8000),
    -- When its outcome was recorded; NULL while it is only scheduled.
    recorded_at timestamptz,
    created_by uuid NOT NULL CONSTRAINT exercises_created_by_fkey REFERENCES users (user_id),
    created_at timestamptz NOT NULL,
    CONSTRAINT exercises_outcome_recorded CHECK (recorded_at IS NULL OR went_well <> '' OR gaps <> '')
);
CREATE INDEX exercises_held_on_idx ON exercises (held_on DESC);

CREATE TABLE exercise_actions (
    action_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exercise_id uuid NOT NULL
        CONSTRAINT exercise_actions_exercise_fkey REFERENCES exercises (exercise_id) ON DELETE CASCADE,
    what text NOT NULL
        CONSTRAINT exercise_actions_what_length CHECK (char_length(what) BETWEEN 1 AND 500),
    owner_id uuid NOT NULL CONSTRAINT exercise_actions_owner_fkey REFERENCES users (user_id),
    due_on date NOT NULL,
    done_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX exercise_actions_exercise_idx ON exercise_actions (exercise_id, due_on);

-- How old the incident-response evidence (playbook reviews, the last exercise) may get before
-- checklist item 10 is due again.
ALTER TABLE organization ADD COLUMN response_review_months integer NOT NULL DEFAULT 12
    CONSTRAINT organization_response_review_months_range CHECK (response_review_months BETWEEN 1 AND 36);

-- Checklist items whose evidence the portal gathers itself.
ALTER TABLE checklist_items ADD COLUMN machine_evidence text
    CONSTRAINT checklist_items_machine_evidence_known CHECK (machine_evidence IN ('incident_response'));
UPDATE checklist_items SET machine_evidence = 'incident_response'
    WHERE number = 10 AND title = 'Prepare an Incident Response Plan for AI';
