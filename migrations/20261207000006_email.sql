-- E-mail: what each notification is about (people choose per kind how they hear of it), when it
-- left by e-mail (alone or in a digest), and each person's choices.

ALTER TABLE notifications
    ADD COLUMN kind text NOT NULL DEFAULT 'requests'
        CONSTRAINT notifications_kind_known
        CHECK (kind IN ('requests', 'reviews', 'checklists', 'incidents', 'security')),
    ADD COLUMN mailed_at timestamptz;
-- Notifications written before kinds existed, told apart by where they lead.
UPDATE notifications SET kind = CASE
    WHEN link LIKE '/incidents%' THEN 'incidents'
    WHEN link LIKE '/teams/%' THEN 'checklists'
    WHEN link LIKE '/tools/%' OR link LIKE '/data-classes%' THEN 'reviews'
    WHEN link LIKE '/account%' OR link LIKE '/admin/people%' THEN 'security'
    ELSE 'requests'
END;
-- Every writer names the kind from now on.
ALTER TABLE notifications ALTER COLUMN kind DROP DEFAULT;

-- The daily digest reads, per person, what is neither read nor mailed yet.
CREATE INDEX notifications_unmailed_idx ON notifications (user_id, created_at)
    WHERE mailed_at IS NULL AND read_at IS NULL;

-- No row: in the portal only (the default). A row says how someone hears of one kind.
CREATE TABLE notification_preferences (
    user_id uuid NOT NULL
        CONSTRAINT notification_preferences_user_fkey REFERENCES users (user_id) ON DELETE CASCADE,
    kind text NOT NULL
        CONSTRAINT notification_preferences_kind_known
        CHECK (kind IN ('requests', 'reviews', 'checklists', 'incidents', 'security')),
    delivery text NOT NULL
        CONSTRAINT notification_preferences_delivery_known
        CHECK (delivery IN ('app', 'email', 'digest')),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, kind)
);
