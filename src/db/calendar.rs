//! The holiday calendar as stored: the shipped notices on first start, and any year an
//! admin loads afterwards (a new State Council notice needs no new release).

use chrono::NaiveDate;

use crate::api::{CalendarDay, event_types};
use crate::db::{DbError, DbResult};
use crate::domain::Principal;
use crate::domain::calendar::{Calendar, SHIPPED_HOLIDAYS_JSON, parse_notice_file};

use super::Db;

/// Load the calendar; on an empty database, store the shipped 2021–2026 notices first.
pub async fn load(db: &Db, now: i64) -> DbResult<Calendar> {
    let (n,): (i64,) = read!(db, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM calendar_years"
    )
    .fetch_one(c)
    .await)?;
    if n == 0 {
        let shipped = parse_notice_file(SHIPPED_HOLIDAYS_JSON)?;
        for (year, days) in shipped {
            store_year(db, &Principal::system(), year, &days, &[], now, false).await?;
        }
    }
    let years: Vec<(i64,)> = read!(db, |c| sqlx::query_as(
        "SELECT year FROM calendar_years ORDER BY year"
    )
    .fetch_all(c)
    .await)?;
    let days: Vec<(i64, String, String, bool)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT notice_year, date, name, is_off_day FROM calendar_days ORDER BY notice_year, date"
    )
    .fetch_all(c)
    .await
    })?;
    let mut cal = Calendar::default();
    for (year,) in years {
        let list = days
            .iter()
            .filter(|d| d.0 == year)
            .map(|(_, date, name, off)| {
                Ok(CalendarDay {
                    date: date.parse::<NaiveDate>().map_err(|e| DbError::Corrupt {
                        what: "calendar date",
                        source: Box::new(e),
                    })?,
                    name: name.clone(),
                    is_off_day: *off,
                })
            })
            .collect::<DbResult<Vec<_>>>();
        cal.load_year(year as i32, list?)?;
    }
    Ok(cal)
}

/// Replace one year's notice. Emits `calendar.updated` so every instance reloads. `forced`:
/// what was unusual about a notice the actor forced in (recorded in the audit line).
pub async fn store_year(
    db: &Db,
    actor: &Principal,
    year: i32,
    days: &[CalendarDay],
    forced: &[String],
    now: i64,
    announce: bool,
) -> DbResult<()> {
    let (actor, days, forced) = (actor.clone(), days.to_vec(), forced.to_vec());
    write_tx!(db, |tx, fx| {
        sqlx::query("DELETE FROM calendar_days WHERE notice_year = $1")
            .bind(year as i64)
            .execute(&mut *tx)
            .await?;
        for d in &days {
            sqlx::query("INSERT INTO calendar_days (notice_year, date, name, is_off_day) VALUES ($1, $2, $3, $4)")
                .bind(year as i64)
                .bind(d.date.to_string())
                .bind(&d.name)
                .bind(d.is_off_day)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO calendar_years (year, imported_at) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET imported_at = $2")
            .bind(year as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        fx.audit(
            now,
            &actor.name,
            "calendar.import",
            "calendar",
            Some(year as i64),
            if forced.is_empty() {
                serde_json::json!({"days": days.len()})
            } else {
                serde_json::json!({"days": days.len(), "forced": forced})
            },
        );
        if announce {
            fx.event(
                event_types::CALENDAR_UPDATED,
                crate::domain::Audience::Everyone,
                &serde_json::json!({"year": year}),
                now,
            );
        }
    });
    Ok(())
}
