//! The OpenAPI document for integrators, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::handlers;
use super::sse;

#[derive(OpenApi)]
#[openapi(
    info(title = "shenguan 审批监管互动平台 API", description = "Approval–supervision interaction platform: pushes, claims against working-day deadlines, disputes, live events."),
    paths(
        handlers::healthz, handlers::metrics, handlers::openapi, handlers::set_test_clock,
        handlers::login, handlers::logout, handlers::me, handlers::change_password,
        handlers::create_department, handlers::list_departments, handlers::create_user, handlers::list_users,
        handlers::reset_password, handlers::deactivate_user, handlers::activate_user,
        handlers::create_api_key, handlers::revoke_api_key,
        handlers::create_approval_push, handlers::create_supervision_push, handlers::get_push,
        handlers::list_deliveries, handlers::get_delivery, handlers::claim_delivery, handlers::escalate_delivery,
        handlers::open_dispute, handlers::list_disputes, handlers::get_dispute, handlers::reply_dispute, handlers::resolve_dispute,
        handlers::monthly_stats, handlers::list_accountability,
        handlers::calendar_info, handlers::import_calendar_year, handlers::calendar_deadline,
        sse::events,
    ),
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

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
