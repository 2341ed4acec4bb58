-- One job queue for work that leaves the transaction that caused it (deliveries, reminders,
-- digests): a job is inserted in the same transaction as its cause (an outbox), so it exists
-- exactly when the change committed. Any instance claims due jobs with FOR UPDATE SKIP LOCKED
-- and a lease: a job whose instance died mid-run is claimed again once the lease has passed.
-- Failed attempts wait longer each time; past the last attempt a job is dead, kept for admins.
CREATE TABLE jobs (
    job_id bigserial PRIMARY KEY,
    kind text NOT NULL CONSTRAINT jobs_kind_format CHECK (kind ~ '^[a-z][a-z0-9_.]{0,62}$'),
    payload jsonb NOT NULL,
    -- Scheduled work is enqueued once across instances: the key names the occurrence
    -- (say 'digest:2026-12-07'); NULL for jobs that need none.
    once_key text CONSTRAINT jobs_once_key_unique UNIQUE,
    created_at timestamptz NOT NULL,
    run_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0 CONSTRAINT jobs_attempts_range CHECK (attempts >= 0),
    max_attempts integer NOT NULL CONSTRAINT jobs_max_attempts_range CHECK (max_attempts BETWEEN 1 AND 50),
    -- Set while an instance runs the job; past it the job is due again.
    leased_until timestamptz,
    last_error text,
    done_at timestamptz,
    dead_at timestamptz,
    CONSTRAINT jobs_one_end CHECK (done_at IS NULL OR dead_at IS NULL)
);

-- What the claim reads: open jobs by when they are due.
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL AND dead_at IS NULL;
CREATE INDEX jobs_dead ON jobs (dead_at DESC) WHERE dead_at IS NOT NULL;

-- A committed job wakes the instances' workers at once instead of at their next poll
-- (notify_change: migration cache_notifications). Per row, so an insert that added nothing
-- (a scheduled occurrence already enqueued) wakes nobody; the notifications of one transaction
-- are delivered as one.
CREATE TRIGGER jobs_portal_jobs_change AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION notify_change('portal_jobs');
