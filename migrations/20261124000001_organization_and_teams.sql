-- The organization this portal serves (exactly one row) and its teams.

CREATE TABLE organization (
    organization_id smallint PRIMARY KEY DEFAULT 1
        CONSTRAINT organization_single_row CHECK (organization_id = 1),
    name text NOT NULL
        CONSTRAINT organization_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    -- Demo data (and demo passwords, later) may only ever live in a demo organization.
    is_demo boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
    team_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL
        CONSTRAINT teams_slug_key UNIQUE
        CONSTRAINT teams_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 64),
    name text NOT NULL
        CONSTRAINT teams_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
    description text NOT NULL DEFAULT ''
        CONSTRAINT teams_description_length CHECK (char_length(description) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX teams_name_idx ON teams (lower(name), slug);
