-- Wrong second factors lock an account's second factor (for 15 minutes, then 30, … up to a day)
-- after ten in a day, on every path that takes a code. The failures themselves are counted in
-- auth_failures under the key 'factor:<user id>'.
CREATE TABLE second_factor_locks (
    user_id uuid PRIMARY KEY
        CONSTRAINT second_factor_locks_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    locked_until timestamptz NOT NULL,
    -- Locks in a row since the last right second factor: each lasts twice the one before.
    locks integer NOT NULL CONSTRAINT second_factor_locks_locks_positive CHECK (locks > 0)
);
