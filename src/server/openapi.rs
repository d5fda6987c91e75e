//! The OpenAPI document's frame (title, security scheme). Its paths come from the route
//! list (`handlers::routes`), split into the router and the document together in
//! `server::api`, so nothing is documented that is not served, or served undocumented.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "shenguan 审批监管互动平台 API", description = "Approval–supervision interaction platform: pushes, claims against working-day deadlines, disputes, live events."),
    // Event payloads that no path returns directly.
    components(schemas(crate::api::DeliveryDeadlineChanged, crate::api::DisputeDeadlineChanged)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session token from POST /api/v1/sessions, or an API key",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document without paths.
pub fn frame() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
