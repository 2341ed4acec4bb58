-- Who an active (not disabled) account is, as every authorization decision needs it: roles,
-- whether a second factor is enrolled, and whether the organization requires one. One
-- definition for the browser session path and the API token path, which joins it to the token
-- in the same statement.
CREATE VIEW principals AS
SELECT u.user_id, u.email, u.display_name,
       ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY r.role) AS roles,
       EXISTS (SELECT 1 FROM user_totp t
               WHERE t.user_id = u.user_id AND t.confirmed_at IS NOT NULL) AS totp_enrolled,
       COALESCE((SELECT o.require_totp_for_all FROM organization o), false) AS totp_required_for_all
FROM users u
WHERE u.disabled_at IS NULL;
