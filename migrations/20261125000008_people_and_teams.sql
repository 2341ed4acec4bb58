-- Team membership, invitations, recovery codes and the organization's two-factor setting.

ALTER TABLE organization
    ADD COLUMN require_totp_for_all boolean NOT NULL DEFAULT false;

CREATE TABLE team_members (
    team_id uuid NOT NULL
        CONSTRAINT team_members_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    user_id uuid NOT NULL
        CONSTRAINT team_members_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    -- A manager of a team is also counted as one of its members.
    membership text NOT NULL
        CONSTRAINT team_members_membership_known CHECK (membership IN ('member', 'manager')),
    added_at timestamptz NOT NULL,
    CONSTRAINT team_members_pkey PRIMARY KEY (team_id, user_id)
);

CREATE INDEX team_members_user_idx ON team_members (user_id);

-- An invitation is a one-time link: only the SHA-256 of its 256-bit token is kept.
CREATE TABLE invitations (
    invitation_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL
        CONSTRAINT invitations_token_hash_key UNIQUE
        CONSTRAINT invitations_token_hash_length CHECK (octet_length(token_hash) = 32),
    email text NOT NULL
        CONSTRAINT invitations_email_format CHECK (email = lower(email) AND char_length(email) <= 254),
    display_name text NOT NULL
        CONSTRAINT invitations_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 200),
    roles text[] NOT NULL,
    -- [{"team": slug, "membership": "member" | "manager"}]
    teams jsonb NOT NULL DEFAULT '[]',
    invited_by uuid
        CONSTRAINT invitations_invited_by_fkey REFERENCES users (user_id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at timestamptz
);

CREATE INDEX invitations_email_idx ON invitations (email);

-- Single-use recovery codes (80 random bits each), kept as SHA-256.
CREATE TABLE recovery_codes (
    user_id uuid NOT NULL
        CONSTRAINT recovery_codes_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    code_hash bytea NOT NULL
        CONSTRAINT recovery_codes_code_hash_length CHECK (octet_length(code_hash) = 32),
    created_at timestamptz NOT NULL,
    used_at timestamptz,
    CONSTRAINT recovery_codes_pkey PRIMARY KEY (user_id, code_hash)
);
