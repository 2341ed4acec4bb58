-- Personal API tokens for scripts: only a SHA-256 of each token is kept (tokens carry 256 random
-- bits, so a fast hash is enough); a token is shown once, when it is created.

CREATE TABLE api_tokens (
    api_token_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL
        CONSTRAINT api_tokens_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    name text NOT NULL
        CONSTRAINT api_tokens_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    token_hash bytea NOT NULL
        CONSTRAINT api_tokens_token_hash_key UNIQUE
        CONSTRAINT api_tokens_token_hash_length CHECK (octet_length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);

CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
