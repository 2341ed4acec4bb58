-- An audit trail its database owner cannot quietly rewrite.
--
-- The chain is extended by the database itself: audit_append computes the sequence number and
-- entry_hash = SHA-256(tag ‖ seq as 8 bytes big-endian ‖ prev_hash ‖ payload) — the same
-- construction as before — under the chain head's row lock, and runs with its owner's rights.
-- The portal's runtime role is granted SELECT on the audit tables and EXECUTE on this function
-- only: it cannot insert an event of its own making, nor update, delete or truncate one, nor
-- drop the triggers (server/src/database.rs grants it).
CREATE FUNCTION audit_append(
    p_payload text,
    p_occurred_at timestamptz,
    p_action text,
    p_actor text,
    p_target text
) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    next_seq bigint;
    hash bytea;
BEGIN
    SELECT * INTO head FROM audit_chain_head WHERE audit_chain_head_id = 1 FOR UPDATE;
    next_seq := head.last_seq + 1;
    hash := sha256(convert_to('ai-governance-portal/audit-event/v1', 'UTF8') || '\x00'::bytea
                   || int8send(next_seq) || head.last_hash || convert_to(p_payload, 'UTF8'));
    INSERT INTO audit_events (seq, prev_hash, entry_hash, payload, occurred_at, action, actor, target)
    VALUES (next_seq, head.last_hash, hash, p_payload, p_occurred_at, p_action, p_actor, p_target);
    UPDATE audit_chain_head SET last_seq = next_seq, last_hash = hash, updated_at = now()
    WHERE audit_chain_head_id = 1;
    RETURN next_seq;
END
$$;

REVOKE EXECUTE ON FUNCTION audit_append(text, timestamptz, text, text, text) FROM PUBLIC;

-- Signed checkpoints: every so many events or minutes the portal signs {sequence, head hash,
-- time, key id} with its Ed25519 receipt key and keeps it here (and, configured, in a file or
-- at a webhook outside the database). A chain rewritten and fully re-hashed after a checkpoint
-- no longer matches it.
CREATE TABLE audit_checkpoints (
    seq bigint PRIMARY KEY CONSTRAINT audit_checkpoints_seq_positive CHECK (seq > 0),
    head_hash bytea NOT NULL
        CONSTRAINT audit_checkpoints_head_hash_length CHECK (octet_length(head_hash) = 32),
    taken_at timestamptz NOT NULL,
    key_id text NOT NULL,
    -- The canonical JSON that was signed, and its Ed25519 signature (base64).
    payload text NOT NULL,
    signature text NOT NULL
);

CREATE TRIGGER audit_checkpoints_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
