-- The audit log: an append-only hash chain. Each event's hash covers a domain tag, its sequence
-- number, the previous event's hash and the exact payload text, so any edit, insertion or
-- deletion is found by verification. Writers serialize on the chain head's row lock.

CREATE TABLE audit_chain_head (
    audit_chain_head_id smallint PRIMARY KEY DEFAULT 1
        CONSTRAINT audit_chain_head_single_row CHECK (audit_chain_head_id = 1),
    last_seq bigint NOT NULL,
    last_hash bytea NOT NULL
        CONSTRAINT audit_chain_head_hash_length CHECK (octet_length(last_hash) = 32),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO audit_chain_head (last_seq, last_hash) VALUES (0, decode(repeat('00', 32), 'hex'));

CREATE TABLE audit_events (
    seq bigint PRIMARY KEY
        CONSTRAINT audit_events_seq_positive CHECK (seq > 0),
    prev_hash bytea NOT NULL
        CONSTRAINT audit_events_prev_hash_length CHECK (octet_length(prev_hash) = 32),
    entry_hash bytea NOT NULL
        CONSTRAINT audit_events_entry_hash_length CHECK (octet_length(entry_hash) = 32),
    -- The exact bytes that were hashed. Text, not jsonb: jsonb would normalise them.
    payload text NOT NULL,
    -- Derived from the payload for filtering; never written directly.
    occurred_at timestamptz NOT NULL,
    action text NOT NULL,
    actor text NOT NULL,
    target text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
CREATE INDEX audit_events_action_idx ON audit_events (action, seq);

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
