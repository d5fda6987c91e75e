//! The suite must pass whatever the date it runs on. `.ci/run` runs this binary a second time
//! a year ahead under `faketime` and sets `SHENGUAN_EXPECT_WALL_DATE` to the date it faked:
//! this probe fails that run if the fake did not reach the tests (so the second run cannot
//! pass by silently running at today's date).

#[test]
fn wall_clock_is_the_date_ci_asked_for() {
    let Ok(expected) = std::env::var("SHENGUAN_EXPECT_WALL_DATE") else {
        return;
    };
    let expected: chrono::NaiveDate = expected
        .parse()
        .expect("SHENGUAN_EXPECT_WALL_DATE is YYYY-MM-DD");
    let today = chrono::Utc::now().date_naive();
    // A run may straddle midnight UTC.
    let off = (today - expected).num_days();
    assert!(
        (0..=1).contains(&off),
        "wall clock says {today}, CI faked {expected}: the date was not faked"
    );
    println!("wall clock faked to {today}");
}
