-- Webhooks: URLs an admin registers for kinds of events, each delivery signed with the hook's
-- own secret (HMAC-SHA256). The secret is sealed with the portal's key file (outside the
-- database) together with the hook's id, URL, format and events: a URL or subscription changed
-- in the database alone no longer opens the secret, so nothing is delivered unnoticed to an
-- address no admin registered. Hooks are never edited (remove and add instead) and never deleted
-- (their deliveries stay readable).
CREATE TABLE webhooks (
    webhook_id uuid PRIMARY KEY,
    url text NOT NULL CONSTRAINT webhooks_url_length CHECK (char_length(url) <= 2000),
    description text NOT NULL DEFAULT ''
        CONSTRAINT webhooks_description_length CHECK (char_length(description) <= 200),
    events text[] NOT NULL CONSTRAINT webhooks_events_present CHECK (cardinality(events) > 0),
    format text NOT NULL CONSTRAINT webhooks_format_known CHECK (format IN ('json', 'slack', 'teams')),
    sealed_secret bytea NOT NULL,
    created_at timestamptz NOT NULL,
    created_by uuid CONSTRAINT webhooks_created_by_fkey REFERENCES users (user_id) ON DELETE SET NULL,
    paused_at timestamptz,
    removed_at timestamptz
);

-- The hooks an event goes to: active ones, by the kinds they listen to.
CREATE INDEX webhooks_events ON webhooks USING gin (events)
    WHERE paused_at IS NULL AND removed_at IS NULL;

-- One row per event and hook, written in the transaction of the change it announces, with the
-- job that delivers it. Its state is the job's (due, retrying, dead) plus what the receiver
-- last answered. A re-send enqueues a new job for the same row: receivers see the same event id.
CREATE TABLE webhook_deliveries (
    delivery_id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    webhook_id uuid NOT NULL CONSTRAINT webhook_deliveries_webhook_fkey REFERENCES webhooks (webhook_id),
    event text NOT NULL,
    -- The event as the JSON format sends it; the chat formats are made from it when sent.
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    job_id bigint NOT NULL CONSTRAINT webhook_deliveries_job_fkey REFERENCES jobs (job_id),
    attempts integer NOT NULL DEFAULT 0,
    last_attempt_at timestamptz,
    -- The receiver's HTTP status, or NULL when none came (refused, timed out).
    last_status integer,
    last_error text NOT NULL DEFAULT '',
    delivered_at timestamptz,
    CONSTRAINT webhook_deliveries_once UNIQUE (event_id, webhook_id)
);

CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (created_at DESC, delivery_id DESC);
