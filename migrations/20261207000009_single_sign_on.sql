-- Single sign-on through the organization's OpenID provider. An account is found by the
-- provider's issuer and subject; the e-mail address links an existing account only the first
-- time, and only when the provider says it verified the address.
CREATE TABLE sso_identities (
    issuer text NOT NULL,
    subject text NOT NULL
        CONSTRAINT sso_identities_subject_length CHECK (char_length(subject) BETWEEN 1 AND 255),
    user_id uuid NOT NULL CONSTRAINT sso_identities_user_fkey REFERENCES users (user_id),
    linked_at timestamptz NOT NULL,
    last_sign_in_at timestamptz NOT NULL,
    -- The groups the provider named at the last sign-in.
    groups text[] NOT NULL DEFAULT '{}',
    CONSTRAINT sso_identities_pkey PRIMARY KEY (issuer, subject),
    CONSTRAINT sso_identities_user_key UNIQUE (user_id, issuer)
);

-- What a provider group means in the portal: a role, or a place in a team. A role or team
-- named by any mapping is the provider's to give: at each sign-in through it, people get it
-- exactly when one of their groups maps to it. Roles and teams no mapping names stay as admins
-- set them.
CREATE TABLE sso_group_mappings (
    mapping_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    group_name text NOT NULL
        CONSTRAINT sso_group_mappings_group_length CHECK (char_length(group_name) BETWEEN 1 AND 200),
    role text CONSTRAINT sso_group_mappings_role_known CHECK (role IN ('reviewer', 'manager', 'admin')),
    team_id uuid CONSTRAINT sso_group_mappings_team_fkey REFERENCES teams (team_id) ON DELETE CASCADE,
    membership text
        CONSTRAINT sso_group_mappings_membership_known CHECK (membership IN ('member', 'manager')),
    created_by uuid NOT NULL CONSTRAINT sso_group_mappings_created_by_fkey REFERENCES users (user_id),
    created_at timestamptz NOT NULL,
    CONSTRAINT sso_group_mappings_one_target CHECK (
        (role IS NOT NULL AND team_id IS NULL AND membership IS NULL)
        OR (role IS NULL AND team_id IS NOT NULL AND membership IS NOT NULL))
);
CREATE UNIQUE INDEX sso_group_mappings_role_key ON sso_group_mappings (group_name, role)
    WHERE role IS NOT NULL;
CREATE UNIQUE INDEX sso_group_mappings_team_key ON sso_group_mappings (group_name, team_id)
    WHERE team_id IS NOT NULL;
