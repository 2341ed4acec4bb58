-- API tokens end: each has an expiry chosen at creation (at most a year) and a scope. Tokens
-- made before this had neither: they expire 90 days after they were made and may read and write,
-- as before.
ALTER TABLE api_tokens
    ADD COLUMN scope text NOT NULL DEFAULT 'read-write'
        CONSTRAINT api_tokens_scope_known CHECK (scope IN ('read', 'read-write', 'metrics')),
    ADD COLUMN expires_at timestamptz;

UPDATE api_tokens SET expires_at = created_at + interval '90 days';

ALTER TABLE api_tokens
    ALTER COLUMN scope DROP DEFAULT,
    ALTER COLUMN expires_at SET NOT NULL,
    ADD CONSTRAINT api_tokens_expiry_within_a_year
        CHECK (expires_at > created_at AND expires_at <= created_at + interval '366 days');
