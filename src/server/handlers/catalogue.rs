//! The credit-approval catalogue (art. 8): everyone signed in reads it; the bureau's staff or
//! an admin create items and add versions (a change never overwrites: old versions stay).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::db::catalogue::{self as store, VersionData};
use crate::domain::{Action, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id};
use crate::server::redact::Redactor;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_catalogue, create_catalogue_item))
        .routes(routes!(get_catalogue_item))
        .routes(routes!(add_catalogue_version))
}

/// A list of non-blank texts (each at most `max` characters), `min`–100 of them.
fn texts(field: &str, list: &[String], min: usize, max: usize) -> AppResult<Vec<String>> {
    if list.len() < min {
        return Err(AppError::invalid(
            field,
            "至少填写一项 / at least one entry",
        ));
    }
    if list.len() > 100 {
        return Err(AppError::invalid(
            field,
            "至多 100 项 / at most 100 entries",
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, t)| Ok(validate::text(&format!("{field}[{i}]"), t, max)?))
        .collect()
}

/// The body checked field by field, departments resolved (each must be a supervision
/// department: an unknown code is a 422 naming it).
async fn version_data(s: &AppState, b: &CatalogueItemInput) -> AppResult<VersionData> {
    let name = validate::text("name", &b.name, 200)?;
    let conditions = texts("conditions", &b.conditions, 1, 2000)?;
    let materials = texts("materials", &b.materials, 0, 500)?;
    if b.departments.is_empty() {
        return Err(AppError::invalid(
            "departments",
            "至少一个共同制定的监管部门 / at least one agreeing supervision department",
        ));
    }
    if b.departments.len() > 64 {
        return Err(AppError::invalid(
            "departments",
            "至多 64 个部门 / at most 64 departments",
        ));
    }
    let mut departments = Vec::with_capacity(b.departments.len());
    for (i, code) in b.departments.iter().enumerate() {
        let field = format!("departments[{i}]");
        match s.db.department_id(code.trim()).await? {
            Some((id, d)) if d.kind == DepartmentKind::Supervision => {
                if departments.contains(&id) {
                    return Err(AppError::invalid(
                        field,
                        format!("{code} 重复 / {code} is listed twice"),
                    ));
                }
                departments.push(id);
            }
            Some(_) => {
                return Err(AppError::invalid(
                    field,
                    format!("{code} 不是监管部门 / {code} is not a supervision department"),
                ));
            }
            None => {
                return Err(AppError::invalid(
                    field,
                    format!("没有部门 {code} / unknown department {code}"),
                ));
            }
        }
    }
    let note = b
        .note
        .as_ref()
        .map(|n| validate::text("note", n, 2000))
        .transpose()?;
    Ok(VersionData {
        name,
        conditions,
        materials,
        mode: b.verification_mode,
        departments,
        note,
    })
}

/// Every catalogue item with its current version, by code.
#[utoipa::path(get, path = "/api/v1/credit-catalogue", tag = "credit approvals",
    responses((status = 200, body = Vec<CatalogueItem>)), security(("bearer" = [])))]
pub async fn list_catalogue(
    State(s): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<CatalogueItem>>> {
    let mut items = store::list(&s.db).await?;
    shown(&s, &auth, &mut items).await?;
    Ok(Json(items))
}

/// Items as the caller may see them: another department's people named by their department.
async fn shown(s: &AppState, auth: &Auth, items: &mut [CatalogueItem]) -> AppResult<()> {
    let names = Redactor::names_in_catalogue(items);
    let redact = Redactor::new(s, &auth.0).with_people(s, names).await?;
    items.iter_mut().for_each(|c| redact.catalogue(c));
    Ok(())
}

/// Add an item to the catalogue (version 1). The bureau's staff or an admin.
#[utoipa::path(post, path = "/api/v1/credit-catalogue", tag = "credit approvals", request_body = CatalogueItemInput,
    responses((status = 201, body = CatalogueItem), (status = 403, body = ErrorBody),
              (status = 409, description = "The code is taken", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_catalogue_item(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<CatalogueItemInput>,
) -> AppResult<(StatusCode, Json<CatalogueItem>)> {
    auth.may(Action::MaintainCatalogue)?;
    let code = b
        .code
        .as_ref()
        .ok_or_else(|| AppError::invalid("code", "须填写事项编码 / required: the item's code"))?;
    let code = validate::text("code", code, 64)?;
    if b.base_version.is_some() {
        return Err(AppError::invalid(
            "base_version",
            "新事项没有旧版本 / a new item has no version to replace",
        ));
    }
    let v = version_data(&s, &b).await?;
    let now = to_millis(s.clock.now());
    let item = store::create(&s.db, &auth.0.name, code, v, now).await?;
    Ok(super::created(item))
}

/// One item with every version, oldest first.
#[utoipa::path(get, path = "/api/v1/credit-catalogue/{id}", tag = "credit approvals", params(("id" = i64, Path)),
    responses((status = 200, body = CatalogueItem), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_catalogue_item(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<CatalogueItem>> {
    let item = store::get(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("目录事项", "catalogue item"))?;
    let mut items = [item];
    shown(&s, &auth, &mut items).await?;
    let [item] = items;
    Ok(Json(item))
}

/// Change an item: its next version (the code stays). Emits `catalogue.changed`.
#[utoipa::path(post, path = "/api/v1/credit-catalogue/{id}/versions", tag = "credit approvals", params(("id" = i64, Path)),
    request_body = CatalogueItemInput,
    responses((status = 201, body = CatalogueItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "base_version is no longer current", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_catalogue_version(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(b): ApiJson<CatalogueItemInput>,
) -> AppResult<(StatusCode, Json<CatalogueItem>)> {
    auth.may(Action::MaintainCatalogue)?;
    let existing = store::get(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("目录事项", "catalogue item"))?;
    if b.code.as_ref().is_some_and(|c| c.trim() != existing.code) {
        return Err(AppError::invalid(
            "code",
            "事项编码不能修改 / an item's code cannot change",
        ));
    }
    let v = version_data(&s, &b).await?;
    let now = to_millis(s.clock.now());
    let item = store::add_version(&s.db, &auth.0.name, id, b.base_version, v, now).await?;
    Ok(super::created(item))
}
