-- The organization's review target: working days (Monday to Friday) a submitted request may wait
-- for a decision before it shows as late and its reviewers are reminded.
ALTER TABLE organization
    ADD COLUMN review_target_days integer NOT NULL DEFAULT 3
        CONSTRAINT organization_review_target_range CHECK (review_target_days BETWEEN 1 AND 30);
