-- Instances keep in memory what every scan and every policy check would otherwise read again:
-- the compiled scanner (backend::scan::rules::ScannerCache), the policy check's answers
-- (backend::registry::policy::PolicyCache) and the registry's API pages (server rest::tools,
-- which read the same tables). Every committed change to what they were built from
-- notifies a channel, and each instance listening forgets what it kept (both are also bounded by
-- a TTL of one second, should a notification be missed). The channel is the trigger's argument.
CREATE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

-- The scanner: detectors and the classes they belong to.
CREATE TRIGGER scan_detectors_rules_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scan_detectors
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_rules');

CREATE TRIGGER data_classes_rules_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_classes
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_rules');

-- The policy check: every table its one statement reads (a request's number never changes; the
-- tool's link to its re-review is on `tools`).
CREATE TRIGGER tools_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tools
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');

CREATE TRIGGER tool_teams_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tool_teams
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');

CREATE TRIGGER teams_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');

CREATE TRIGGER data_classes_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_classes
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');

CREATE TRIGGER tool_data_classes_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tool_data_classes
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');

CREATE TRIGGER tool_grants_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tool_grants
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');

CREATE TRIGGER organization_policy_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organization
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('portal_policy');
