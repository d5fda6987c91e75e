//! Administration done straight on the database (before any admin can log in).

use crate::api::Role;
use crate::db::Db;
use crate::domain::calendar::{Calendar, parse_notice_file};
use crate::domain::{Principal, to_millis, validate};

pub async fn bootstrap(
    database: &str,
    username: &str,
    display_name: &str,
    password: &str,
) -> anyhow::Result<()> {
    bootstrap_at(
        database,
        username,
        display_name,
        password,
        chrono::Utc::now(),
    )
    .await
}

/// [`bootstrap`] recorded as happening at `now` (tests pin every write to their own clock).
pub async fn bootstrap_at(
    database: &str,
    username: &str,
    display_name: &str,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let username = validate::username("username", username.trim())?;
    validate::password("password", password)?;
    let display_name = validate::text("display_name", display_name, 100)?;
    let db = Db::connect(database).await?;
    if crate::db::people::admin_exists(&db).await? {
        anyhow::bail!(
            "已存在管理员，拒绝再次初始化 / an admin already exists; refusing to bootstrap again"
        );
    }
    let hash = crate::server::auth::hash_password(password)?;
    let now = to_millis(now);
    crate::db::people::create_user(
        &db,
        &Principal::system(),
        crate::db::people::NewUserRow {
            username,
            password_hash: hash,
            display_name,
            role: Role::Admin,
            department_id: None,
        },
        now,
    )
    .await?;
    db.close().await;
    Ok(())
}

/// Set a new password for an account straight on the database (the only admin forgot theirs)
/// and end all its sessions; running servers stop accepting them within seconds (their
/// credential cache). A deactivated account stays deactivated.
pub async fn reset_password(database: &str, username: &str, password: &str) -> anyhow::Result<()> {
    validate::password("password", password)?;
    let db = Db::connect(database).await?;
    let Some(user) = crate::db::people::user_by_username(&db, username.trim()).await? else {
        db.close().await;
        anyhow::bail!("没有用户 {username} / no user {username}");
    };
    let hash = crate::server::auth::hash_password(password)?;
    let now = to_millis(chrono::Utc::now());
    crate::db::people::set_password(&db, &Principal::system(), user.id, hash, None, now).await?;
    db.close().await;
    if user.deactivated_at.is_some() {
        eprintln!("注意：该账号已停用 / note: this account is deactivated");
    }
    Ok(())
}

/// Lift the login lock of a username from every client address (`shenguan admin unlock`);
/// running servers see it at the next attempt (the counts live in the database). Returns
/// how many client addresses had failures recorded.
pub async fn unlock(database: &str, username: &str) -> anyhow::Result<u64> {
    let Some(name) = crate::server::login_guard::key(username) else {
        anyhow::bail!("没有用户 {username} / no user {username}");
    };
    let db = Db::connect(database).await?;
    let n = crate::db::login_failures::unlock(&db, &name).await?;
    db.close().await;
    Ok(n)
}

/// Load one or more years from a notice file into the database. Running servers pick the
/// change up from the `calendar.updated` event.
pub async fn import_calendar(database: &str, text: &str) -> anyhow::Result<Vec<i32>> {
    let years = parse_notice_file(text)?;
    let db = Db::connect(database).await?;
    let now = to_millis(chrono::Utc::now());
    // Make sure the shipped years are stored first, so this import does not stand alone.
    crate::db::calendar::load(&db, now).await?;
    for (year, days) in &years {
        crate::db::calendar::store_year(&db, &Principal::system(), *year, days, now, true).await?;
    }
    db.close().await;
    Ok(years.keys().copied().collect())
}

pub async fn stored_calendar(database: &str) -> anyhow::Result<Calendar> {
    let db = Db::connect(database).await?;
    let cal = crate::db::calendar::load(&db, to_millis(chrono::Utc::now())).await?;
    db.close().await;
    Ok(cal)
}
