-- Browser sessions (tower-sessions records). `user_id` is copied out of the session data when
-- someone is signed in, so all of a person's sessions can be listed and ended at once.

CREATE TABLE sessions (
    session_id text PRIMARY KEY
        CONSTRAINT sessions_id_length CHECK (char_length(session_id) <= 64),
    user_id uuid
        CONSTRAINT sessions_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    data jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
