//! The test harness itself: a test app removes its database when it is dropped, also when a
//! test ends without `finish` (a failed assertion, say).

use crate::both_backends;
use crate::common::*;

both_backends!(a_dropped_test_app_removes_its_database);

async fn a_dropped_test_app_removes_its_database(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market"]).await;
    let dir = app.db.sqlite_dir();
    let pg = app.db.pg_schema();
    assert!(dir.is_some() != pg.is_some(), "one database or the other");
    drop(app);
    if let Some(dir) = dir {
        assert!(!dir.exists(), "{} is left behind", dir.display());
    }
    if let Some((base, schema)) = pg {
        let pool = sqlx::PgPool::connect(&base).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1")
            .bind(&schema)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert_eq!(n, 0, "schema {schema} is left behind");
    }
}
