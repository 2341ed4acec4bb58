-- Per-account rate limits (API calls, filing requests), counted in fixed windows so that every
-- instance sees the same count.
CREATE TABLE rate_counts (
    rate_key text NOT NULL,
    window_start timestamptz NOT NULL,
    count integer NOT NULL CONSTRAINT rate_counts_count_positive CHECK (count > 0),
    PRIMARY KEY (rate_key, window_start)
);
