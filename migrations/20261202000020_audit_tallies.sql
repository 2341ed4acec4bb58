-- Refusals an outsider can cause at will (cross-site posts, throttled sign-ins, denied or
-- hidden objects) are counted here per kind, actor, source and minute, and written to the
-- audit chain as one event with a count once the minute is over: the log cannot be flooded for
-- free, and nothing is lost.
CREATE TABLE audit_tallies (
    action text NOT NULL,
    -- The serialized actor (JSON) and its label, which identifies it.
    actor text NOT NULL,
    actor_label text NOT NULL,
    -- The proxy-resolved client address; '' when there was none.
    source text NOT NULL,
    minute timestamptz NOT NULL
        CONSTRAINT audit_tallies_minute_whole CHECK (minute = date_trunc('minute', minute)),
    count bigint NOT NULL CONSTRAINT audit_tallies_count_positive CHECK (count > 0),
    -- The first few distinct targets, each at most 256 characters.
    targets text[] NOT NULL,
    PRIMARY KEY (action, actor_label, source, minute)
);
