//! The demo organization: realistic base data so a first-time user sees a working portal.
//! Loading is idempotent: running it again changes nothing that is already there.

mod checklists;
mod detectors;
mod incidents;
mod registry;
mod requests;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::backend::audit::{self, NewEvent};
use crate::backend::identity::auth::totp::{self, SealingKey, TotpSecret};
use crate::backend::identity::users::{self, active_principal_in, parse_new_user, Principal};
use crate::backend::platform::change::Change;
use crate::backend::platform::signing::SigningKeys;
use crate::domain::{Actor, AuditAction, DisplayName, Email, Membership, Role, Slug};
use crate::error::{AppError, OrInternal};

pub const DEMO_ORGANIZATION: &str = "Northwind Analytics (demo)";

/// (name, description) of each demo team; slugs are derived from the names.
pub const DEMO_TEAMS: &[(&str, &str)] = &[
    (
        "Platform Engineering",
        "Builds and runs the internal developer platform and CI.",
    ),
    (
        "Payments",
        "Card processing, settlement and the ledger services.",
    ),
    (
        "Data Science",
        "Forecasting models and the analytics warehouse.",
    ),
    (
        "Customer Support",
        "Answers customers by chat, mail and phone.",
    ),
    (
        "Legal & Compliance",
        "Contracts, regulatory reporting and the privacy office.",
    ),
    ("Marketing", "Campaigns, web content and brand."),
];

/// The password of every demo person. Demo people exist only in a demo organization.
pub const DEMO_PASSWORD: &str = "northwind-demo-passphrase";

/// (email, name, roles, teams) of the demo people. Reviewers and admins get TOTP enrolled.
pub const DEMO_PEOPLE: &[DemoPerson] = &[
    (
        "nora.admin@northwind.example",
        "Nora Lindqvist",
        &[Role::Admin],
        &[("legal-compliance", Membership::Member)],
    ),
    (
        "omar.admin@northwind.example",
        "Omar Haddad",
        &[Role::Admin],
        &[("platform-engineering", Membership::Member)],
    ),
    (
        "ravi.reviewer@northwind.example",
        "Ravi Menon",
        &[Role::Reviewer],
        &[("platform-engineering", Membership::Member)],
    ),
    (
        "sofia.reviewer@northwind.example",
        "Sofia Brandt",
        &[Role::Reviewer],
        &[("legal-compliance", Membership::Member)],
    ),
    (
        "kai.reviewer@northwind.example",
        "Kai Tanaka",
        &[Role::Reviewer],
        &[("data-science", Membership::Member)],
    ),
    (
        "lena.reviewer@northwind.example",
        "Lena Fischer",
        &[Role::Reviewer],
        &[("payments", Membership::Member)],
    ),
    (
        "maya.manager@northwind.example",
        "Maya Okafor",
        &[Role::Manager],
        &[
            ("payments", Membership::Manager),
            ("customer-support", Membership::Manager),
        ],
    ),
    (
        "eli.employee@northwind.example",
        "Eli Novak",
        &[],
        &[("payments", Membership::Member)],
    ),
    (
        "dana.employee@northwind.example",
        "Dana Weiss",
        &[],
        &[("data-science", Membership::Member)],
    ),
];

/// Email, name, roles (besides employee) and team memberships of a demo person.
// The demo people who act in the demo's requests and decisions.
pub(super) const ELI: &str = "eli.employee@northwind.example";
pub(super) const NORA: &str = "nora.admin@northwind.example";
pub(super) const DANA: &str = "dana.employee@northwind.example";
pub(super) const RAVI: &str = "ravi.reviewer@northwind.example";
pub(super) const SOFIA: &str = "sofia.reviewer@northwind.example";
pub(super) const KAI: &str = "kai.reviewer@northwind.example";
pub(super) const LENA: &str = "lena.reviewer@northwind.example";

/// A demo person as the portal sees them when they act.
pub(super) async fn person(conn: &mut PgConnection, email: &str) -> Result<Principal, AppError> {
    let user_id = sqlx::query_scalar!("SELECT user_id FROM users WHERE email = $1", email)
        .fetch_one(&mut *conn)
        .await?;
    active_principal_in(conn, user_id)
        .await?
        .or_internal("finding a demo person")
}

pub type DemoPerson = (
    &'static str,
    &'static str,
    &'static [Role],
    &'static [(&'static str, Membership)],
);

/// What a demo load added (zero everywhere when it had been loaded before).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoLoaded {
    pub organization: bool,
    pub teams: u64,
    pub people: u64,
    pub tools: u64,
    pub requests: u64,
    pub checklist_changes: u64,
    /// Incidents and tabletop exercises.
    pub incidents: u64,
    /// The organization's own scanner detectors.
    pub detectors: u64,
}

/// How to sign in as a demo person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSignIn {
    pub email: String,
    pub roles: Vec<Role>,
    /// For people with TOTP: the URL to add to an authenticator app.
    pub otpauth_url: Option<String>,
}

/// Loads the demo organization in one transaction, audited when it adds anything. A real
/// organization already set up is left untouched: demo data is only ever added to an empty
/// portal or to the demo itself.
pub async fn load(
    pool: &PgPool,
    totp_key: &SealingKey,
    signing_keys: &SigningKeys,
    now: DateTime<Utc>,
) -> Result<DemoLoaded, AppError> {
    let mut tx = pool.begin().await?;
    let existing =
        sqlx::query!("SELECT is_demo FROM organization WHERE organization_id = 1 FOR UPDATE")
            .fetch_optional(&mut *tx)
            .await?;
    if existing.as_ref().is_some_and(|org| !org.is_demo) {
        return Err(AppError::Conflict {
            message: "this portal holds a real organization; the demo is only loaded into an empty portal".into(),
        });
    }
    let mut loaded = DemoLoaded {
        organization: existing.is_none(),
        ..DemoLoaded::default()
    };
    if loaded.organization {
        let name =
            DisplayName::parse(DEMO_ORGANIZATION).map_err(|m| AppError::invalid("name", m))?;
        sqlx::query!(
            // The demo shows employees signing in with a password alone (its reviewers and
            // admins have a second factor); real organizations require one of everyone.
            "INSERT INTO organization (organization_id, name, is_demo, require_totp_for_all)
             VALUES (1, $1, true, false)",
            name.as_str()
        )
        .execute(&mut *tx)
        .await?;
    }
    for (name, description) in DEMO_TEAMS {
        let slug = Slug::from_name(name).map_err(|m| AppError::invalid("slug", m))?;
        loaded.teams += sqlx::query!(
            "INSERT INTO teams (slug, name, description) VALUES ($1, $2, $3)
             ON CONFLICT ON CONSTRAINT teams_slug_key DO NOTHING",
            slug.as_str(),
            name,
            description
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for (email, name, roles, teams) in DEMO_PEOPLE {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1) AS "exists!""#,
            email
        )
        .fetch_one(&mut *tx)
        .await?;
        if exists {
            continue;
        }
        let person = parse_new_user(email, name, DEMO_PASSWORD, roles)?;
        let user_id = users::insert(&mut tx, Actor::Operator, person, now).await?;
        if roles.iter().any(|role| role.requires_totp()) {
            totp::store_confirmed(&mut tx, totp_key, user_id, &TotpSecret::generate(), now).await?;
        }
        for (slug, membership) in teams.iter() {
            sqlx::query!(
                "INSERT INTO team_members (team_id, user_id, membership, added_at)
                 SELECT team_id, $2, $3, $4 FROM teams WHERE slug = $1",
                slug,
                user_id,
                membership.as_str(),
                now
            )
            .execute(&mut *tx)
            .await?;
        }
        loaded.people += 1;
    }
    let change = Change {
        actor: Actor::Operator,
        by: None,
        source: None,
        now,
        today: crate::backend::platform::change::today(now)?,
    };
    loaded.tools = registry::load(&mut tx, &change, signing_keys).await?;
    loaded.requests = requests::load(&mut tx, signing_keys, now).await?;
    loaded.checklist_changes = checklists::load(&mut tx, now).await?;
    loaded.incidents = incidents::load(&mut tx, now).await?;
    loaded.detectors = detectors::load(&mut tx, now).await?;
    if loaded.organization
        || loaded.teams > 0
        || loaded.people > 0
        || loaded.tools > 0
        || loaded.requests > 0
        || loaded.checklist_changes > 0
        || loaded.incidents > 0
        || loaded.detectors > 0
    {
        let event = NewEvent::new(Actor::Operator, AuditAction::DemoLoaded)
            .target("organization")
            .after(serde_json::json!({
                "organization_created": loaded.organization,
                "teams_added": loaded.teams,
                "people_added": loaded.people,
                "tools_added": loaded.tools,
                "requests_added": loaded.requests,
                "checklist_changes": loaded.checklist_changes,
                "incidents_added": loaded.incidents,
                "detectors_added": loaded.detectors,
            }));
        audit::append(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(loaded)
}

/// The demo people's sign-in details, TOTP URLs included (opened with the key), in the order
/// of [`DEMO_PEOPLE`]. Empty unless the demo is loaded.
pub async fn sign_ins(pool: &PgPool, totp_key: &SealingKey) -> Result<Vec<DemoSignIn>, AppError> {
    let mut out = Vec::new();
    for (email, _, roles, _) in DEMO_PEOPLE {
        let row = sqlx::query!(
            "SELECT u.user_id, t.secret_sealed AS \"secret_sealed?\" FROM users u
             JOIN organization o ON o.is_demo
             LEFT JOIN user_totp t ON t.user_id = u.user_id
             WHERE u.email = $1",
            email
        )
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else { continue };
        let otpauth_url = match row.secret_sealed {
            Some(sealed) => {
                let address = Email::parse(email).map_err(|m| AppError::invalid("email", m))?;
                Some(totp_key.open(&sealed, row.user_id)?.otpauth_url(&address)?)
            }
            None => None,
        };
        let mut roles = roles.to_vec();
        roles.insert(0, Role::Employee);
        out.push(DemoSignIn {
            email: (*email).to_owned(),
            roles,
            otpauth_url,
        });
    }
    Ok(out)
}
