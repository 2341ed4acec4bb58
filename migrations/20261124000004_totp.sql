-- Second factor: each person's TOTP secret (sealed with a key that is not in the database) and
-- every time step ever accepted for them, so that no code is accepted twice on any path.

CREATE TABLE user_totp (
    user_id uuid PRIMARY KEY
        CONSTRAINT user_totp_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    -- nonce (12 bytes) followed by the ChaCha20-Poly1305 ciphertext of the 20-byte secret.
    secret_sealed bytea NOT NULL
        CONSTRAINT user_totp_secret_sealed_length CHECK (octet_length(secret_sealed) = 12 + 20 + 16),
    -- NULL until the person has proven the enrollment with a code.
    confirmed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE totp_used_steps (
    user_id uuid NOT NULL
        CONSTRAINT totp_used_steps_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    step bigint NOT NULL,
    used_at timestamptz NOT NULL,
    CONSTRAINT totp_used_steps_pkey PRIMARY KEY (user_id, step)
);
