-- People and their roles.

CREATE TABLE users (
    user_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL
        CONSTRAINT users_email_key UNIQUE
        CONSTRAINT users_email_format CHECK (
            email = lower(email) AND char_length(email) <= 254 AND position('@' IN email) > 1
        ),
    display_name text NOT NULL
        CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 200),
    -- An argon2id PHC string; NULL until the person has set a password.
    password_hash text
        CONSTRAINT users_password_hash_format CHECK (password_hash LIKE '$argon2id$%'),
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
    user_id uuid NOT NULL
        CONSTRAINT user_roles_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    role text NOT NULL
        CONSTRAINT user_roles_role_known CHECK (role IN ('employee', 'reviewer', 'manager', 'admin')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_roles_pkey PRIMARY KEY (user_id, role)
);
