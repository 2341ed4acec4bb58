//! The OpenAPI 3 document of `/api/v1`. Paths come from the handlers' `#[utoipa::path]`
//! annotations through the same router that serves them, so a route cannot exist without
//! being documented.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The error envelope every `/api/v1` failure uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `not_found`, `unauthorized`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The parameter or field at fault, when there is one.
    pub field: Option<String>,
}

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token from the account page or `server token create`.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AI Governance Portal API",
        description = "The approved AI-tool registry, data classes and the policy check, for scripts and gateways. Every route but the signing keys needs `Authorization: Bearer <token>`; errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`."
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "account", description = "The token's owner"),
        (name = "registry", description = "AI tools, data classes and the policy check"),
        (name = "requests", description = "Tool requests"),
        (name = "receipts", description = "Verifying signed decision receipts"),
        (name = "scanner", description = "Check a text for the organization's prohibited data classes before it goes into an AI tool, and the detectors for scanning locally"),
        (name = "incidents", description = "The incident register: report incidents with AI tools (a gateway or SIEM may open one) and follow them"),
        (name = "audit", description = "The hash-chained audit log, its verification and signed checkpoints, for SIEMs (admins)")
    )
)]
pub struct ApiDoc;
