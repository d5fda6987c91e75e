//! Sessions, departments, users and API keys.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::db::people as store;
use crate::domain::{Action, millis, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::{self, Auth, Revoked};
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id};
use crate::server::login_guard::ClientAddr;

use super::created;
use utoipa_axum::{router::OpenApiRouter, routes};

/// This resource's routes, each with its OpenAPI path (one list for both).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(create_department, list_departments))
        .routes(routes!(create_user, list_users))
        .routes(routes!(reset_password))
        .routes(routes!(deactivate_user))
        .routes(routes!(activate_user))
        .routes(routes!(create_api_key))
        .routes(routes!(revoke_api_key))
}

/// Log in: a bearer token for the console or scripts.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "people", request_body = Login,
    responses((status = 201, body = SessionCreated), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, description = "too many failed logins for this username from this client address; Retry-After says when to try again", body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<Login>,
) -> AppResult<(StatusCode, Json<SessionCreated>)> {
    let username = body.username.trim();
    let now = to_millis(s.clock.now());
    s.login_guard.check(&s.db, username, &client, now).await?;
    let user = store::user_by_username(&s.db, username).await?;
    // Verify against a real hash even for unknown users, so timing does not reveal them.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let ok = auth::verify_password_off_thread(body.password.clone(), hash).await?;
    let user = match user {
        // A deactivated account gets the same answer as a wrong password.
        Some(u) if ok && u.deactivated_at.is_none() => u,
        _ => {
            let wrong =
                AppError::Unauthorized("用户名或密码错误 / wrong username or password".into());
            return Err(login_failed(&s, username, &client, now, wrong).await);
        }
    };
    s.login_guard.succeeded(&s.db, username, &client).await?;
    let token = auth::new_secret(auth::SESSION_PREFIX);
    let ttl = millis(s.cfg.session_ttl);
    store::create_session(&s.db, &user, &auth::secret_hash(&token), now, now + ttl).await?;
    Ok(created(SessionCreated {
        token,
        user: user.to_api(&s.db),
    }))
}

/// argon2id of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2hlbmd1YW5kdW1teQ$Sx0pFBDaK8eMpWnbF0r+Hq2aG4xiXkRXrJ5pEtbrIvE";

/// Log out: revoke the token used for this request.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "people",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(State(s): State<AppState>, auth: Auth) -> AppResult<StatusCode> {
    auth.require_person()?;
    let hash = auth.1.hash.clone();
    store::revoke_session(&s.db, &auth.0, &hash, to_millis(s.clock.now())).await?;
    s.auth_cache.forget(Revoked::Session(hash));
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "people", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(State(s): State<AppState>, auth: Auth) -> AppResult<Json<Me>> {
    let p = &auth.0;
    let user = match p.user_id {
        Some(id) => store::user_by_id(&s.db, id).await?.map(|u| u.to_api(&s.db)),
        None => None,
    };
    Ok(Json(Me {
        user,
        api_key: p
            .api_key_id
            .map(|_| p.name.trim_start_matches("api-key:").to_string()),
        role: p.role,
        department: p.department_id.map(|d| s.db.dept_code(d)),
    }))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "people", request_body = NewDepartment,
    responses((status = 201, body = Department), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_department(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewDepartment>,
) -> AppResult<(StatusCode, Json<Department>)> {
    auth.may(Action::Administer)?;
    let d = NewDepartment {
        code: validate::department_code("code", body.code.trim())?,
        name: validate::text("name", &body.name, 100)?,
        kind: body.kind,
    };
    let dept =
        crate::db::people::create_department(&s.db, &auth.0, &d, to_millis(s.clock.now())).await?;
    Ok(created(dept))
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "people", responses((status = 200, body = Vec<Department>)), security(("bearer" = [])))]
pub async fn list_departments(
    State(s): State<AppState>,
    _auth: Auth,
) -> AppResult<Json<Vec<Department>>> {
    Ok(Json(
        s.db.departments().into_iter().map(|(_, d)| d).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "people", request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_user(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<User>)> {
    auth.may(Action::Administer)?;
    let username = validate::username("username", body.username.trim())?;
    validate::password("password", &body.password)?;
    let display_name = validate::text("display_name", &body.display_name, 100)?;
    let department_id = resolve_user_department(&s, body.role, body.department.as_deref()).await?;
    let hash = auth::hash_password_off_thread(body.password.clone()).await?;
    let user = store::create_user(
        &s.db,
        &auth.0,
        store::NewUserRow {
            username,
            password_hash: hash,
            display_name,
            role: body.role,
            department_id,
        },
        to_millis(s.clock.now()),
    )
    .await?;
    Ok(created(user))
}

/// Staff roles need a department of the matching kind; other roles may name one or none.
pub(crate) async fn resolve_user_department(
    s: &AppState,
    role: Role,
    code: Option<&str>,
) -> AppResult<Option<i64>> {
    let dept = match code {
        Some(c) => Some(s.db.department_id(c.trim()).await?.ok_or_else(|| {
            AppError::invalid(
                "department",
                format!("没有部门 {c} / unknown department {c}"),
            )
        })?),
        None => None,
    };
    match (role.department_kind(), &dept) {
        (Some(_), None) => Err(AppError::invalid(
            "department",
            "工作人员须属于一个部门 / staff need a department",
        )),
        (Some(kind), Some((_, d))) if d.kind != kind => Err(AppError::invalid(
            "department",
            format!(
                "{} 角色须属于{}部门 / role {} needs a department of kind {}",
                role.as_str(),
                kind.as_str(),
                role.as_str(),
                kind.as_str()
            ),
        )),
        _ => Ok(dept.map(|(id, _)| id)),
    }
}

/// A wrong password for `username` (at login or password change): count it towards the lock,
/// audit and count it, and give the answer — the lock if this failure caused one, else
/// `otherwise`. A failure to write the audit line is logged, not shown to the caller.
async fn login_failed(
    s: &AppState,
    username: &str,
    client: &str,
    now: i64,
    otherwise: AppError,
) -> AppError {
    use std::sync::atomic::Ordering;
    let locked = match s.login_guard.failed(&s.db, username, client, now).await {
        Ok(l) => l,
        Err(e) => return e,
    };
    s.metrics.login_failures.fetch_add(1, Ordering::Relaxed);
    if locked.is_some() {
        s.metrics.login_lockouts.fetch_add(1, Ordering::Relaxed);
    }
    if let Err(e) = store::record_login_failure(&s.db, username, locked.is_some(), now).await {
        tracing::warn!(error = %crate::db::Chain(&e), "cannot audit a failed login");
    }
    locked.unwrap_or(otherwise)
}

/// Change one's own password. The account's other sessions end; this one stays. A wrong
/// current password counts towards the login lock, like a failed login.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "people", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn change_password(
    State(s): State<AppState>,
    auth: Auth,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    let user_id = auth.require_person()?;
    let now = to_millis(s.clock.now());
    let username = auth.0.name.clone();
    s.login_guard.check(&s.db, &username, &client, now).await?;
    validate::password("new_password", &body.new_password)?;
    if body.new_password == body.current_password {
        return Err(AppError::invalid(
            "new_password",
            "新密码不能与当前密码相同 / the new password must differ from the current one",
        ));
    }
    let user = store::user_by_id(&s.db, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("用户", "user"))?;
    let current = body.current_password.clone();
    if !auth::verify_password_off_thread(current, user.password_hash).await? {
        let wrong = AppError::invalid(
            "current_password",
            "当前密码不正确 / the current password is wrong",
        );
        return Err(login_failed(&s, &username, &client, now, wrong).await);
    }
    s.login_guard.succeeded(&s.db, &username, &client).await?;
    let hash = auth::hash_password_off_thread(body.new_password.clone()).await?;
    let keep = auth.1.hash.clone();
    store::set_password(&s.db, &auth.0, user_id, hash, Some(keep), now).await?;
    s.auth_cache.forget(Revoked::User(user_id));
    Ok(StatusCode::NO_CONTENT)
}

/// An admin sets a new password for an account (for a forgotten one); all its sessions end.
#[utoipa::path(put, path = "/api/v1/users/{id}/password", tag = "people", params(("id" = i64, Path)),
    request_body = PasswordReset,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reset_password(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<PasswordReset>,
) -> AppResult<StatusCode> {
    auth.may(Action::Administer)?;
    validate::password("new_password", &body.new_password)?;
    let hash = auth::hash_password_off_thread(body.new_password.clone()).await?;
    store::set_password(&s.db, &auth.0, id, hash, None, to_millis(s.clock.now())).await?;
    s.auth_cache.forget(Revoked::User(id));
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivate an account (someone who left): it cannot sign in and its sessions and event
/// streams end; its history stays. Admins cannot deactivate themselves.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deactivate_user(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<User>> {
    auth.may(Action::Administer)?;
    if auth.0.user_id == Some(id) {
        return Err(AppError::conflict(
            "cannot_deactivate_self",
            "不能停用自己的账号 / you cannot deactivate your own account",
        ));
    }
    let row = store::set_active(&s.db, &auth.0, id, false, to_millis(s.clock.now()))
        .await?
        .ok_or_else(|| AppError::not_found("用户", "user"))?;
    s.auth_cache.forget(Revoked::User(id));
    Ok(Json(row.to_api(&s.db)))
}

/// Reactivate a deactivated account (it signs in again with its password).
#[utoipa::path(post, path = "/api/v1/users/{id}/activate", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn activate_user(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<User>> {
    auth.may(Action::Administer)?;
    let row = store::set_active(&s.db, &auth.0, id, true, to_millis(s.clock.now()))
        .await?
        .ok_or_else(|| AppError::not_found("用户", "user"))?;
    Ok(Json(row.to_api(&s.db)))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "people", responses((status = 200, body = Vec<User>), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_users(State(s): State<AppState>, auth: Auth) -> AppResult<Json<Vec<User>>> {
    auth.may(Action::Administer)?;
    Ok(Json(
        store::list_users(&s.db)
            .await?
            .iter()
            .map(|u| u.to_api(&s.db))
            .collect(),
    ))
}

/// Create an API key for a department's business system. The key is shown once.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "people", request_body = NewApiKey,
    responses((status = 201, body = ApiKeyCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_api_key(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewApiKey>,
) -> AppResult<(StatusCode, Json<ApiKeyCreated>)> {
    auth.may(Action::Administer)?;
    auth.require_person()?;
    let name = validate::text("name", &body.name, 100)?;
    let (dept, d) =
        s.db.department_id(body.department.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "department",
                    format!("没有部门 {} / unknown department", body.department),
                )
            })?;
    let key = auth::new_secret(auth::API_KEY_PREFIX);
    let id = store::create_api_key(
        &s.db,
        &auth.0,
        &name,
        dept,
        &auth::secret_hash(&key),
        to_millis(s.clock.now()),
    )
    .await?;
    Ok(created(ApiKeyCreated {
        id,
        name,
        department: d.code,
        key,
    }))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_api_key(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<StatusCode> {
    auth.may(Action::Administer)?;
    if store::revoke_api_key(&s.db, &auth.0, id, to_millis(s.clock.now())).await? {
        s.auth_cache.forget(Revoked::ApiKey(id));
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("API 密钥", "API key"))
    }
}
