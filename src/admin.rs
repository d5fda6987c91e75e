//! Administration done straight on the database (before any admin can log in).

use crate::api::Role;
use crate::db::Db;
use crate::domain::calendar::{Calendar, parse_notice_file, vet_notice};
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

/// Load one or more years from a notice file into the database. Each year must pass
/// [`vet_notice`] (or be forced); nothing is stored unless every year does. Running servers
/// pick the change up from the `calendar.updated` event and re-derive running deadlines.
pub async fn import_calendar(database: &str, text: &str, force: bool) -> anyhow::Result<Vec<i32>> {
    let years = parse_notice_file(text)?;
    let mut forced = std::collections::BTreeMap::new();
    let mut refused = vec![];
    for (year, days) in &years {
        match vet_notice(*year, days, force) {
            Ok(problems) => {
                forced.insert(*year, problems);
            }
            Err(problems) => refused.push(format!("{year}: {}", problems.join("；"))),
        }
    }
    if !refused.is_empty() {
        let hint = if years.iter().all(|(y, d)| {
            crate::domain::calendar::check_notice(*y, d)
                .refused
                .is_empty()
        }) {
            "\n核对无误可加 --force 强制导入 / add --force to import it anyway"
        } else {
            ""
        };
        anyhow::bail!(
            "通知不完整，未导入 / the notice was not imported:\n{}{hint}",
            refused.join("\n")
        );
    }
    let db = Db::connect(database).await?;
    let now = to_millis(chrono::Utc::now());
    // Make sure the shipped years are stored first, so this import does not stand alone.
    crate::db::calendar::load(&db, now).await?;
    // No one is logged in here: the audit log records the operating-system account.
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let actor = Principal {
        name: format!("cli:{who}"),
        ..Principal::system()
    };
    for (year, days) in &years {
        let forced = forced.get(year).map(Vec::as_slice).unwrap_or_default();
        crate::db::calendar::store_year(&db, &actor, *year, days, forced, now, true).await?;
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
