-- The organization's AI security checklist and each team's progress on it.
--
-- Items are never deleted: a change (add, edit, retire) bumps the framework's version and keeps
-- the item's id, so no team's progress is lost. Progress is one current row per team and item,
-- every change also kept in the history, and the history's effect on the completion figures
-- kept per team and week (`team_checklist_weeks`), so the dashboards never read the history.

CREATE TABLE checklist_framework (
    framework_id smallint PRIMARY KEY CONSTRAINT checklist_framework_single CHECK (framework_id = 1),
    name text NOT NULL,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE checklist_items (
    item_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number integer NOT NULL CONSTRAINT checklist_items_number_key UNIQUE
        CONSTRAINT checklist_items_number_range CHECK (number BETWEEN 1 AND 999),
    title text NOT NULL CONSTRAINT checklist_items_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    category text NOT NULL
        CONSTRAINT checklist_items_category_known CHECK (category IN ('policy', 'data_protection', 'security', 'supply_chain', 'quality', 'training', 'response')),
    guidance text NOT NULL DEFAULT '' CONSTRAINT checklist_items_guidance_length CHECK (char_length(guidance) <= 8000),
    evidence_required boolean NOT NULL DEFAULT false,
    added_in_version integer NOT NULL,
    -- Set when retired: the item no longer counts, its progress stays in the history.
    retired_in_version integer
);

CREATE TABLE team_checklist_items (
    team_id uuid NOT NULL CONSTRAINT team_checklist_items_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    item_id uuid NOT NULL CONSTRAINT team_checklist_items_item_fkey REFERENCES checklist_items (item_id),
    status text NOT NULL
        CONSTRAINT team_checklist_items_status_known CHECK (status IN ('not_started', 'in_progress', 'done', 'not_applicable')),
    na_reason text NOT NULL DEFAULT '',
    owner_id uuid CONSTRAINT team_checklist_items_owner_fkey REFERENCES users (user_id) ON DELETE SET NULL,
    due_date date,
    evidence text NOT NULL DEFAULT '' CONSTRAINT team_checklist_items_evidence_length CHECK (char_length(evidence) <= 8000),
    links text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL,
    updated_by uuid CONSTRAINT team_checklist_items_updated_by_fkey REFERENCES users (user_id) ON DELETE SET NULL,
    CONSTRAINT team_checklist_items_pkey PRIMARY KEY (team_id, item_id),
    CONSTRAINT team_checklist_items_reason_required CHECK (status <> 'not_applicable' OR na_reason <> '')
);

CREATE INDEX team_checklist_items_due_idx ON team_checklist_items (due_date)
    WHERE status IN ('not_started', 'in_progress') AND due_date IS NOT NULL;

CREATE TABLE team_checklist_history (
    history_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id uuid NOT NULL CONSTRAINT team_checklist_history_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    item_id uuid NOT NULL CONSTRAINT team_checklist_history_item_fkey REFERENCES checklist_items (item_id),
    at timestamptz NOT NULL,
    actor_id uuid CONSTRAINT team_checklist_history_actor_fkey REFERENCES users (user_id) ON DELETE SET NULL,
    status text NOT NULL,
    na_reason text NOT NULL DEFAULT '',
    owner_id uuid,
    due_date date,
    evidence text NOT NULL DEFAULT '',
    links text[] NOT NULL DEFAULT '{}'
);

CREATE INDEX team_checklist_history_team_idx ON team_checklist_history (team_id, history_id DESC);

-- What the changes of one week did to a team's figures: items that became done (or stopped
-- being done), items marked (or no longer marked) not applicable. Summed over weeks they give
-- the completion at any week's end.
CREATE TABLE team_checklist_weeks (
    team_id uuid NOT NULL CONSTRAINT team_checklist_weeks_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    week_start date NOT NULL,
    done_delta integer NOT NULL DEFAULT 0,
    na_delta integer NOT NULL DEFAULT 0,
    CONSTRAINT team_checklist_weeks_pkey PRIMARY KEY (team_id, week_start)
);

CREATE INDEX team_checklist_weeks_week_idx ON team_checklist_weeks (week_start);

INSERT INTO checklist_framework (framework_id, name, version, updated_at)
VALUES (1, 'AI security checklist', 1, now());

INSERT INTO checklist_items (number, title, category, guidance, evidence_required, added_in_version) VALUES
(1, 'Establish an AI Governance Policy', 'policy',
 E'Minimum contents of the policy:\n- List of approved AI tools: clearly define which tools employees may use\n- Data types prohibited from AI input: e.g. customer data, credentials, core system source code\n- Approval process for new AI tools: must pass IT Security review first\n- Designated AI security officer: a specific person responsible for this area',
 true, 1),
(2, 'Create a list of approved AI tools', 'policy',
 'Keep the registry in this portal current for the team: every AI tool in use is approved, approved with conditions, or requested.',
 false, 1),
(3, 'Define data types prohibited from AI input', 'data_protection',
 'Customer data, credentials and secrets, and core-system source code at least; record which data classes the team handles.',
 true, 1),
(4, 'Configure Access Control (Least Privilege)', 'security',
 E'Actions required:\n- Restrict AI tools to access only the project directory\n- Prevent AI tools from accessing production credentials\n- Use separate SSH keys for AI tools\n- Log every command that AI tools execute\n- Review AI-generated code before merging',
 true, 1),
(5, 'Pin dependencies + use private registry', 'supply_chain',
 E'Supply-chain measures (difficulty):\n- Pin dependencies: lock versions to prevent automatic updates (easy)\n- Verify checksums: check the hash of packages before installation (medium)\n- Private registry: use the organization''s private registry (hard)\n- SBOM: create a Software Bill of Materials (medium)',
 true, 1),
(6, 'Implement automated Dependency Scanning', 'supply_chain',
 'Dependency scanning: use automated vulnerability scanning tools on every build (medium).',
 false, 1),
(7, 'Separate dev environment from production', 'security',
 'AI coding tools run only where production credentials and data are out of reach.',
 false, 1),
(8, 'Review AI-generated code before merging', 'quality',
 'Every change written with an AI tool is reviewed by a person before it is merged.',
 false, 1),
(9, 'Train employees on AI Security awareness', 'training',
 'Everyone who uses AI tools knows the policy, the prohibited data and how to recognise a compromised tool.',
 false, 1),
(10, 'Prepare an Incident Response Plan for AI', 'response',
 E'Incident response:\n- A dedicated incident response plan for AI, not just a generic plan\n- Communication channels: who notifies whom, when, and how\n- Tabletop exercises: simulate an AI tool being compromised\n- A rollback plan: how work continues if a tool must stop at once',
 true, 1);
