-- Re-enrolling keeps the factor a person has until the new one is proven: an enrollment in
-- progress lives here, apart from the confirmed secret in user_totp, which it replaces only
-- when its first code is entered.
CREATE TABLE totp_enrollments (
    user_id uuid PRIMARY KEY
        CONSTRAINT totp_enrollments_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    secret_sealed bytea NOT NULL
        CONSTRAINT totp_enrollments_secret_sealed_length
            CHECK (octet_length(secret_sealed) = 12 + 20 + 16),
    created_at timestamptz NOT NULL
);

INSERT INTO totp_enrollments (user_id, secret_sealed, created_at)
SELECT user_id, secret_sealed, created_at FROM user_totp WHERE confirmed_at IS NULL;
DELETE FROM user_totp WHERE confirmed_at IS NULL;
ALTER TABLE user_totp ALTER COLUMN confirmed_at SET NOT NULL;

-- After an admin resets someone's second factor they must set up a new one at their next
-- sign-in, before anything else, whatever the organization's setting.
ALTER TABLE users ADD COLUMN must_enroll_totp boolean NOT NULL DEFAULT false;

DROP VIEW principals;
CREATE VIEW principals AS
SELECT u.user_id, u.email, u.display_name,
       ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY r.role) AS roles,
       EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.user_id) AS totp_enrolled,
       -- The organization requires a second factor of everyone, or an admin reset this one's.
       COALESCE((SELECT o.require_totp_for_all FROM organization o), false)
           OR u.must_enroll_totp AS totp_required
FROM users u
WHERE u.disabled_at IS NULL;
