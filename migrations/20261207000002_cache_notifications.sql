-- Instances keep in memory what every scan and every policy check would otherwise read again:
-- the compiled scanner (backend::scan::rules::ScannerCache), the policy check's answers
-- (backend::registry::policy::PolicyCache) and the registry's API pages (server rest::tools,
-- which read the same tables). Every committed change to what they were built from notifies a
-- channel, and each instance listening forgets what it kept (all are also bounded by a TTL of one
-- second, should a notification be missed). The channel is the trigger's argument.
CREATE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

-- One statement trigger per table and channel, named <table>_<channel>_change:
-- - portal_rules, the scanner: detectors and the classes they belong to;
-- - portal_policy, the policy check and the registry search: every table their statements read
--   (a request's number never changes; the tool's link to its re-review is on `tools`).
DO $$
DECLARE
    watched record;
BEGIN
    FOR watched IN
        SELECT * FROM (VALUES
            ('scan_detectors', 'portal_rules'),
            ('data_classes', 'portal_rules'),
            ('tools', 'portal_policy'),
            ('tool_teams', 'portal_policy'),
            ('teams', 'portal_policy'),
            ('data_classes', 'portal_policy'),
            ('tool_data_classes', 'portal_policy'),
            ('tool_grants', 'portal_policy'),
            ('organization', 'portal_policy')
        ) AS w (table_name, channel)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
             FOR EACH STATEMENT EXECUTE FUNCTION notify_change(%L)',
            watched.table_name || '_' || watched.channel || '_change',
            watched.table_name,
            watched.channel);
    END LOOP;
END
$$;
