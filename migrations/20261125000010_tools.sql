-- Registry entries: the AI tools, their approval (status, teams, data classes, conditions), the
-- least-privilege requirements for coding agents, and the supply chain they come through.

CREATE TABLE tools (
    tool_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL
        CONSTRAINT tools_slug_key UNIQUE
        CONSTRAINT tools_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 64),
    name text NOT NULL
        CONSTRAINT tools_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
    vendor text NOT NULL
        CONSTRAINT tools_vendor_length CHECK (char_length(vendor) BETWEEN 1 AND 120),
    category text NOT NULL
        CONSTRAINT tools_category_known CHECK (category IN ('ai_coding', 'ai_chatbot', 'ai_document', 'other')),
    description text NOT NULL DEFAULT ''
        CONSTRAINT tools_description_length CHECK (char_length(description) <= 4000),
    website text NOT NULL DEFAULT ''
        CONSTRAINT tools_website_length CHECK (char_length(website) <= 2000),
    status text NOT NULL
        CONSTRAINT tools_status_known CHECK (status IN ('approved', 'approved_with_conditions', 'suspended', 'retired', 'prohibited')),
    status_reason text NOT NULL DEFAULT ''
        CONSTRAINT tools_status_reason_length CHECK (char_length(status_reason) <= 2000),
    status_since date NOT NULL,
    conditions text NOT NULL DEFAULT ''
        CONSTRAINT tools_conditions_length CHECK (char_length(conditions) <= 4000),
    -- true: approved for every team; false: only the teams in tool_teams.
    all_teams boolean NOT NULL DEFAULT true,
    -- {"<requirement>": {"required": bool, "note": text}} for the five least-privilege rules.
    access_requirements jsonb NOT NULL DEFAULT '{}',
    distribution text NOT NULL
        CONSTRAINT tools_distribution_known CHECK (distribution IN ('saas', 'npm', 'pypi', 'binary', 'ide_extension')),
    package_name text NOT NULL DEFAULT ''
        CONSTRAINT tools_package_name_length CHECK (char_length(package_name) <= 214),
    pinned_version text NOT NULL DEFAULT ''
        CONSTRAINT tools_pinned_version_length CHECK (char_length(pinned_version) <= 100),
    checksum text NOT NULL DEFAULT ''
        CONSTRAINT tools_checksum_format CHECK (checksum = '' OR checksum ~ '^[0-9a-f]{64}$'),
    business_owner text NOT NULL DEFAULT ''
        CONSTRAINT tools_business_owner_length CHECK (char_length(business_owner) <= 200),
    next_review date,
    rollback_plan text NOT NULL DEFAULT ''
        CONSTRAINT tools_rollback_plan_length CHECK (char_length(rollback_plan) <= 4000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tools_status_reason_required
        CHECK (status NOT IN ('suspended', 'prohibited') OR status_reason <> '')
);

CREATE INDEX tools_name_idx ON tools (lower(name), slug);

CREATE TABLE tool_teams (
    tool_id uuid NOT NULL CONSTRAINT tool_teams_tool_fkey REFERENCES tools (tool_id) ON DELETE CASCADE,
    team_id uuid NOT NULL CONSTRAINT tool_teams_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    CONSTRAINT tool_teams_pkey PRIMARY KEY (tool_id, team_id)
);

CREATE TABLE tool_data_classes (
    tool_id uuid NOT NULL CONSTRAINT tool_data_classes_tool_fkey REFERENCES tools (tool_id) ON DELETE CASCADE,
    data_class_id uuid NOT NULL
        CONSTRAINT tool_data_classes_class_fkey REFERENCES data_classes (data_class_id) ON DELETE CASCADE,
    CONSTRAINT tool_data_classes_pkey PRIMARY KEY (tool_id, data_class_id)
);
