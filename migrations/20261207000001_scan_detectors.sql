-- "Check before you paste": the detectors that find each data class in a text. Reviewers add,
-- edit and retire them; every save is a new version kept in scan_detector_versions, whose
-- sequence is the rule set's version (what `GET /api/v1/scan/rules` serves and the CLI caches).

CREATE TABLE scan_detectors (
    detector_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    data_class_id uuid NOT NULL
        CONSTRAINT scan_detectors_class_fkey REFERENCES data_classes (data_class_id) ON DELETE CASCADE,
    name text NOT NULL
        CONSTRAINT scan_detectors_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
    kind text NOT NULL
        CONSTRAINT scan_detectors_kind_known CHECK (kind IN ('regex', 'keywords', 'builtin')),
    -- The regular expression or the built-in detector's slug; empty for keywords.
    pattern text NOT NULL DEFAULT ''
        CONSTRAINT scan_detectors_pattern_length CHECK (char_length(pattern) <= 2000),
    keywords text[] NOT NULL DEFAULT '{}'
        CONSTRAINT scan_detectors_keywords_count CHECK (cardinality(keywords) <= 500),
    case_sensitive boolean NOT NULL DEFAULT false,
    must_match text[] NOT NULL
        CONSTRAINT scan_detectors_must_match_count CHECK (cardinality(must_match) BETWEEN 1 AND 20),
    must_not_match text[] NOT NULL
        CONSTRAINT scan_detectors_must_not_match_count CHECK (cardinality(must_not_match) BETWEEN 1 AND 20),
    version integer NOT NULL DEFAULT 1,
    retired_at timestamptz,
    updated_by uuid CONSTRAINT scan_detectors_updated_by_fkey REFERENCES users (user_id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT scan_detectors_name_key UNIQUE (data_class_id, name),
    CONSTRAINT scan_detectors_shape CHECK (
        (kind = 'keywords' AND cardinality(keywords) > 0 AND pattern = '')
        OR (kind <> 'keywords' AND pattern <> '' AND cardinality(keywords) = 0))
);

CREATE INDEX scan_detectors_class_idx ON scan_detectors (data_class_id);

-- Every saved version of every detector (the first, each edit, the retirement). Never updated.
CREATE TABLE scan_detector_versions (
    seq bigserial PRIMARY KEY,
    detector_id uuid NOT NULL
        CONSTRAINT scan_detector_versions_detector_fkey REFERENCES scan_detectors (detector_id) ON DELETE CASCADE,
    version integer NOT NULL,
    snapshot jsonb NOT NULL,
    saved_by uuid CONSTRAINT scan_detector_versions_saved_by_fkey REFERENCES users (user_id),
    saved_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT scan_detector_versions_key UNIQUE (detector_id, version)
);

-- The shipped detectors: the built-ins for the classes the article names. Each carries examples
-- it must and must not match (a test runs them).
INSERT INTO scan_detectors (data_class_id, name, kind, pattern, must_match, must_not_match)
SELECT d.data_class_id, v.name, 'builtin', v.pattern, v.must_match, v.must_not_match
FROM (VALUES
    ('credentials-secrets', 'AWS access key id', 'aws-access-key-id',
     ARRAY['aws_access_key_id = AKIAIOSFODNN7EXAMPLE'], ARRAY['AKIA0000000000000000 is not a key']),
    ('credentials-secrets', 'AWS secret access key', 'aws-secret-key',
     ARRAY['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
     ARRAY['aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}']),
    ('credentials-secrets', 'GitHub token', 'github-token',
     ARRAY['token: ghp_R8x2mQ7vL1kP9sT4wZ6yB3nC5dF0hJ2gK8aE'], ARRAY['ghp_short']),
    ('credentials-secrets', 'GitLab token', 'gitlab-token',
     ARRAY['glpat-x7Kq2mP9vL4sT1wZ6yB3'], ARRAY['glpat-short']),
    ('credentials-secrets', 'Slack token', 'slack-token',
     ARRAY['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'], ARRAY['xoxb-not-a-token']),
    ('credentials-secrets', 'Slack webhook', 'slack-webhook',
     ARRAY['https://hooks.slack.com/services/T01ABCDEF23/B04GHIJKL56/q8Zx3mP7vL2sT9wK4yB6nC1d'],
     ARRAY['https://hooks.slack.com/services/']),
    ('credentials-secrets', 'Stripe API key', 'stripe-key',
     ARRAY['sk_live_4eC39HqLyjWDarjtT1zdp7dc9x'], ARRAY['sk_live_short']),
    ('credentials-secrets', 'Google API key', 'google-api-key',
     ARRAY['AIzaSyD3x8Kq2mP9vL4sT1wZ6yB3nC5dF0hJ2gK'], ARRAY['AIza-too-short']),
    ('credentials-secrets', 'PEM private key', 'pem-private-key',
     ARRAY['-----BEGIN RSA PRIVATE KEY-----'], ARRAY['-----BEGIN PUBLIC KEY-----']),
    ('credentials-secrets', 'JSON Web Token', 'jwt',
     ARRAY['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl'],
     ARRAY['eyJub3RoaW5nIjoxfQ.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl']),
    ('credentials-secrets', 'Password in a connection string', 'connection-string-password',
     ARRAY['DATABASE_URL=postgres://app:s3cr3t-Pa55@db.internal:5432/app'],
     ARRAY['DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal/app']),
    ('credentials-secrets', 'Password or secret in a config assignment', 'config-password',
     ARRAY['password = "Tr0ub4dor&3"'], ARRAY['password = "${DB_PASSWORD}"']),
    ('personal-data', 'E-mail address', 'email',
     ARRAY['contact somchai.k@bank.co.th today'], ARRAY['write to someone@example.com']),
    ('personal-data', 'Phone number', 'phone',
     ARRAY['call 081-234-5678', 'call +66 81 234 5678'], ARRAY['order 011-234-5678']),
    ('personal-data', 'Thai national ID number', 'thai-national-id',
     ARRAY['ID 1-1017-00230-07-4'], ARRAY['ID 1-1017-00230-07-5']),
    ('personal-data', 'US social security number', 'us-ssn',
     ARRAY['SSN 078-05-1121'], ARRAY['SSN 666-05-1121']),
    ('personal-data', 'IBAN', 'iban',
     ARRAY['IBAN GB82 WEST 1234 5698 7654 32'], ARRAY['IBAN GB82 WEST 1234 5698 7654 33']),
    ('customer-data', 'Payment card number', 'payment-card',
     ARRAY['card 4111 1111 1111 1111'], ARRAY['order 4111 1111 1111 1112'])
) AS v (class, name, pattern, must_match, must_not_match)
JOIN data_classes d ON d.slug = v.class;

INSERT INTO scan_detector_versions (detector_id, version, snapshot, saved_at)
SELECT detector_id, 1,
       jsonb_build_object('name', name, 'kind', kind, 'pattern', pattern, 'keywords', keywords,
                          'case_sensitive', case_sensitive, 'must_match', must_match,
                          'must_not_match', must_not_match, 'retired', false),
       updated_at
FROM scan_detectors;

-- Checklist item 3's evidence: the classes and their detectors, gathered by the portal.
ALTER TABLE checklist_items DROP CONSTRAINT checklist_items_machine_evidence_known;
ALTER TABLE checklist_items ADD CONSTRAINT checklist_items_machine_evidence_known
    CHECK (machine_evidence IN ('incident_response', 'prohibited_data'));
UPDATE checklist_items SET machine_evidence = 'prohibited_data'
    WHERE number = 3 AND title = 'Define data types prohibited from AI input';
