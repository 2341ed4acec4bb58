-- Instances keep API tokens and their principals in memory for at most a second
-- (backend::identity::token_cache). Every change that can take access away — a token revoked,
-- expired early or rescoped, an account disabled or renamed, a role or second factor changed,
-- the organization's second-factor rule (or its row) — notifies `portal_auth` when it commits,
-- and every instance listening forgets what it cached. `last_used_at` bookkeeping notifies
-- nobody.
CREATE FUNCTION notify_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_auth', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_tokens_auth_change
    AFTER UPDATE OF revoked_at, expires_at, scope, user_id, token_hash OR DELETE OR TRUNCATE
    ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER users_auth_change
    AFTER UPDATE OF email, display_name, disabled_at, must_enroll_totp OR DELETE OR TRUNCATE
    ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER user_roles_auth_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER user_totp_auth_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_totp
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER organization_auth_change
    AFTER INSERT OR UPDATE OF require_totp_for_all OR DELETE OR TRUNCATE ON organization
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
