-- One row per scan: who, from where, when, how large, through what, the counts per class and,
-- for a tool and team, the answer — never the text. A gateway scans before every prompt, so a
-- scan must not wait for the audit chain's head (one writer at a time); once a minute is over
-- its rows are written to the chain as one `scan.performed` event per person and source
-- (backend::scan::records::flush) and removed here.
CREATE TABLE scan_records (
    scan_record_id bigserial PRIMARY KEY,
    -- The serialized actor (JSON) and its label, which identifies it.
    actor text NOT NULL,
    actor_label text NOT NULL,
    -- The proxy-resolved client address; '' when there was none.
    source text NOT NULL,
    scanned_at timestamptz NOT NULL,
    via text NOT NULL CONSTRAINT scan_records_via_known CHECK (via IN ('page', 'api')),
    size integer NOT NULL CONSTRAINT scan_records_size_positive CHECK (size > 0),
    rules_version bigint NOT NULL,
    -- {class slug: findings}
    counts jsonb NOT NULL,
    tool text,
    team text,
    allowed boolean,
    CONSTRAINT scan_records_verdict_whole
        CHECK ((tool IS NULL) = (team IS NULL) AND (tool IS NULL) = (allowed IS NULL))
);

CREATE INDEX scan_records_scanned_at ON scan_records (scanned_at);
