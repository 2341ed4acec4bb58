-- Failed sign-in attempts, per account and per client address, for throttling that holds across
-- every instance. Rows older than the throttling window are pruned as new ones arrive.

CREATE TABLE auth_failures (
    auth_failure_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- "account:<email>" or "address:<ip>"
    throttle_key text NOT NULL
        CONSTRAINT auth_failures_key_length CHECK (char_length(throttle_key) <= 300),
    failed_at timestamptz NOT NULL
);

CREATE INDEX auth_failures_key_time_idx ON auth_failures (throttle_key, failed_at);
CREATE INDEX auth_failures_time_idx ON auth_failures (failed_at);
