-- First-run setup needs a one-time code that `serve` prints to its console, so a network
-- visitor cannot take an empty portal before its owner. Only the code's SHA-256 is kept; each
-- instance that starts while setup is open adds its own, and setup removes them all.
CREATE TABLE setup_codes (
    code_hash bytea PRIMARY KEY
        CONSTRAINT setup_codes_code_hash_length CHECK (octet_length(code_hash) = 32),
    created_at timestamptz NOT NULL
);

-- New organizations require a second factor of everyone until an admin turns it off; a portal
-- whose organization is not named yet is a new one.
ALTER TABLE organization ALTER COLUMN require_totp_for_all SET DEFAULT true;

CREATE OR REPLACE VIEW principals AS
SELECT u.user_id, u.email, u.display_name,
       ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY r.role) AS roles,
       EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.user_id) AS totp_enrolled,
       COALESCE((SELECT o.require_totp_for_all FROM organization o), true)
           OR u.must_enroll_totp AS totp_required
FROM users u
WHERE u.disabled_at IS NULL;
