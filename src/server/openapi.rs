//! The OpenAPI document's frame (title, security scheme). Its paths come from the route
//! list (`handlers::routes`), split into the router and the document together in
//! `server::api`, so nothing is documented that is not served, or served undocumented.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "shenguan 审批监管互动平台 API", description = "Approval–supervision interaction platform: pushes, claims against working-day deadlines, disputes, live events."),
    // The event stream's data and the event payloads no path returns directly (the stream
    // is not a JSON response body, so no path references them).
    components(schemas(
        crate::api::Event,
        crate::api::StreamReset,
        crate::api::DeliveryDeadlineChanged,
        crate::api::DisputeDeadlineChanged
    )),
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

/// The answers every operation of a kind can give, whatever its handler does, added where its
/// annotation does not already list them: they come from the layers and extractors all
/// handlers share (credentials, the JSON body, the path id, the request timeout), so listing
/// them by hand on each handler would drift. All carry the JSON [`crate::api::ErrorBody`].
pub fn document_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let params = op.parameters.as_deref().unwrap_or_default();
            let has_query = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let has_path = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description).into());
            };
            if secured {
                add(
                    "401",
                    "凭证缺失、过期或已撤销 / missing, expired or revoked credentials",
                );
            }
            if has_query {
                add(
                    "400",
                    "查询参数无效 / a query parameter is invalid (names it)",
                );
            }
            if has_path {
                add(
                    "404",
                    "记录不存在或不可见 / no such record, or not visible to the caller",
                );
            }
            if op.request_body.is_some() {
                add(
                    "400",
                    "请求体不是有效的 JSON / the body is not well-formed JSON",
                );
                add("413", "请求体过大 / the body is too large");
                add(
                    "415",
                    "请求体须为 application/json / the body must be application/json",
                );
                add("422", "字段无效 / a field is invalid (names it)");
            }
            // The event stream is exempt from the request timeout: it never completes.
            if path != "/api/v1/events" {
                add(
                    "408",
                    "请求超时 / the request (body upload and handling) took longer than --request-timeout-secs",
                );
            }
        }
    }
}
