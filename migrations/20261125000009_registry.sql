-- The AI-tool registry: data classes (what may and may not go into an AI tool) and the tools.
-- The default data classes come from the article, plus the usual regulated kinds.

CREATE TABLE data_classes (
    data_class_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL
        CONSTRAINT data_classes_slug_key UNIQUE
        CONSTRAINT data_classes_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 64),
    name text NOT NULL
        CONSTRAINT data_classes_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
    level text NOT NULL
        CONSTRAINT data_classes_level_known CHECK (level IN ('public', 'internal', 'confidential', 'restricted')),
    prohibited_by_default boolean NOT NULL,
    description text NOT NULL DEFAULT ''
        CONSTRAINT data_classes_description_length CHECK (char_length(description) <= 4000),
    examples text NOT NULL DEFAULT ''
        CONSTRAINT data_classes_examples_length CHECK (char_length(examples) <= 4000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO data_classes (slug, name, level, prohibited_by_default, description, examples) VALUES
    ('customer-data', 'Customer data', 'restricted', true,
     'Anything about the organization''s customers: identities, contracts, usage, support history.',
     'Customer names and addresses; account numbers; support tickets; CRM exports'),
    ('credentials-secrets', 'Credentials and secrets', 'restricted', true,
     'Anything that grants access: never paste it into any AI tool.',
     'Passwords; API keys and tokens; private keys; connection strings; .env files'),
    ('core-source-code', 'Core-system source code', 'confidential', true,
     'Source code of the systems the business runs on; allowed only where an approval names it.',
     'Payment engine; ledger; authentication service; infrastructure as code'),
    ('personal-data', 'Personal data', 'restricted', true,
     'Information about an identifiable person (GDPR personal data), including employees.',
     'Names with contact details; HR records; IP addresses tied to people'),
    ('financial-records', 'Financial records', 'confidential', true,
     'Non-public financial information of the organization.',
     'Unpublished results; forecasts; invoices; bank statements'),
    ('health-data', 'Health data', 'restricted', true,
     'Health information about any person (special category data).',
     'Sick notes; medical certificates; occupational health reports'),
    ('internal-documents', 'Internal documents', 'internal', false,
     'Everyday internal material that is not public but not sensitive either.',
     'Meeting notes; internal wiki pages; process descriptions; drafts of public texts'),
    ('public-information', 'Public information', 'public', false,
     'Anything already published by the organization.',
     'Website content; published documentation; press releases');
