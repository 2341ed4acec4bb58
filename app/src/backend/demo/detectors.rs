//! The demo organization's own detectors: the markers of its core source code and its
//! confidentiality markings, as keyword detectors beside the shipped built-ins.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::error::AppError;

/// (class, name, keywords, case-sensitive, must find, must not find)
type DemoDetector = (
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static str,
    &'static str,
);

const DEMO_DETECTORS: [DemoDetector; 3] = [
    (
        "core-source-code",
        "Northwind core-system markers",
        &[
            "com.northwind.ledger",
            "com.northwind.payments",
            "Copyright (c) Northwind Analytics",
            "northwind/payments-engine",
            "northwind/ledger",
        ],
        false,
        "package com.northwind.ledger.posting;",
        "import com.example.ledger;",
    ),
    (
        "financial-records",
        "Confidential markings",
        &["CONFIDENTIAL", "STRICTLY CONFIDENTIAL"],
        true,
        "STRICTLY CONFIDENTIAL: Q3 forecast",
        "Keep this confidential, please.",
    ),
    (
        "internal-documents",
        "Internal markings",
        &["INTERNAL ONLY", "INTERNAL USE ONLY"],
        true,
        "INTERNAL ONLY: onboarding notes",
        "Internal only in spirit.",
    ),
];

/// Adds the demo detectors missing; returns how many were added.
pub async fn load(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut added = 0;
    for (class, name, keywords, case_sensitive, must, must_not) in DEMO_DETECTORS {
        let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        let inserted = sqlx::query_scalar!(
            "INSERT INTO scan_detectors (data_class_id, name, kind, keywords, case_sensitive,
               must_match, must_not_match, updated_at)
             SELECT data_class_id, $2, 'keywords', $3, $4, ARRAY[$5], ARRAY[$6], $7
             FROM data_classes WHERE slug = $1
             ON CONFLICT ON CONSTRAINT scan_detectors_name_key DO NOTHING
             RETURNING detector_id",
            class,
            name,
            &keywords,
            case_sensitive,
            must,
            must_not,
            now
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(detector_id) = inserted {
            sqlx::query!(
                "INSERT INTO scan_detector_versions (detector_id, version, snapshot, saved_at)
                 SELECT detector_id, 1,
                   jsonb_build_object('name', name, 'kind', kind, 'pattern', pattern,
                     'keywords', keywords, 'case_sensitive', case_sensitive,
                     'must_match', must_match, 'must_not_match', must_not_match,
                     'retired', false),
                   updated_at
                 FROM scan_detectors WHERE detector_id = $1",
                detector_id
            )
            .execute(&mut *conn)
            .await?;
            added += 1;
        }
    }
    Ok(added)
}
