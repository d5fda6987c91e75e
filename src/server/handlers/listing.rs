//! What every list request shares: the `limit` parameter, keyset cursors, cutting a page from
//! `limit + 1` rows, and which department a list is scoped to. One place, so that every list
//! answers bad paging the same way.

use base64::Engine;

use crate::domain::Principal;
use crate::server::AppState;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{Params, bad_param};

/// An opaque keyset cursor over (sort key, id).
pub(crate) fn encode_cursor(a: i64, b: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{a}:{b}"))
}

pub(crate) fn decode_cursor(c: &str) -> AppResult<(i64, i64)> {
    let bad = || bad_param("cursor", "无效的游标 / invalid cursor");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (a, b) = text.split_once(':').ok_or_else(bad)?;
    Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
}

/// `limit`: 1–500, default 50.
pub(crate) fn take_limit(q: &mut Params) -> AppResult<i64> {
    take_limit_upto(q, 500)
}

/// `limit`: 1–`max`, default 50.
pub(crate) fn take_limit_upto(q: &mut Params, max: i64) -> AppResult<i64> {
    let what = format!("应为 1–{max} 的整数 / expected an integer 1–{max}");
    let limit = q.take_parsed::<i64>("limit", &what)?.unwrap_or(50);
    if !(1..=max).contains(&limit) {
        return Err(bad_param("limit", &what));
    }
    Ok(limit)
}

/// Cut a page from rows fetched with `limit + 1`: the extra row only says that another page
/// follows, whose cursor is the last kept row's.
pub(crate) fn cut_page<T>(
    rows: &mut Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    more.then(|| rows.last().map(cursor_of)).flatten()
}

/// The department a list is scoped to: any (or the one named) for roles that see all; the
/// caller's own for a department, which naming another department cannot widen (404).
pub(crate) async fn scoped_department(
    s: &AppState,
    p: &Principal,
    code: Option<String>,
) -> AppResult<Option<i64>> {
    Ok(match (p.sees_all(), code) {
        (true, None) => None,
        (true, Some(code)) => Some(
            s.db.department_id(&code)
                .await?
                .ok_or_else(|| bad_param("department", "没有这个部门 / unknown department"))?
                .0,
        ),
        (false, code) => {
            let own = p.department_id.ok_or_else(AppError::forbidden_role)?;
            if code.is_some_and(|c| c != s.db.dept_code(own)) {
                return Err(AppError::not_found("部门", "department"));
            }
            Some(own)
        }
    })
}

/// The department a list without a `department` parameter is scoped to: none for the roles
/// that see all, the caller's own otherwise (a role of no department lists nothing: 403).
pub(crate) fn own_scope(p: &Principal) -> AppResult<Option<i64>> {
    if p.sees_all() {
        Ok(None)
    } else {
        Ok(Some(p.department_id.ok_or_else(AppError::forbidden_role)?))
    }
}
