//! PostgreSQL over TLS: `sslmode` in the database URL is honoured (rustls, no OpenSSL).
//! `.ci/run` serves the local cluster with a test certificate and names its CA in
//! `SHENGUAN_TEST_PG_CA`; in CI a missing CA is an error, never a skip.

use std::path::PathBuf;

use shenguan::db::Db;

use crate::common::*;
use crate::tls_support::TestCa;

fn pg_ca() -> Option<PathBuf> {
    match std::env::var("SHENGUAN_TEST_PG_CA") {
        Ok(p) if !p.is_empty() => Some(p.into()),
        _ if std::env::var("CI").is_ok() => {
            panic!("CI is set but SHENGUAN_TEST_PG_CA is not: .ci/run enables PostgreSQL TLS")
        }
        _ => {
            eprintln!("SHENGUAN_TEST_PG_CA not set (bash .ci/pg-tls prints it): not run here");
            None
        }
    }
}

/// Whether the pool's connection is encrypted, by the server's own account.
async fn served_over_tls(db: &Db) -> bool {
    let pool = db.pg_pool().expect("a PostgreSQL database");
    let (ssl,): (bool,) =
        sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(pool)
            .await
            .unwrap();
    ssl
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_over_tls_honours_sslmode() {
    let Some(mut db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let Some(ca) = pg_ca() else {
        db.cleanup().await;
        return;
    };
    let plain_url = db.url.clone();
    // The whole server over verify-full: certificate checked against the county CA and the
    // host name.
    db.url.push_str(&format!(
        "&sslmode=verify-full&sslrootcert={}",
        ca.display()
    ));
    let app = TestApp::spawn_on(db, test_config).await;
    let push = app.push(&["market"]).await;
    app.market.claim(push.deliveries[0].id).await.unwrap();
    assert!(served_over_tls(&app.state().db).await);

    // require: encrypted, not verified.
    let require = Db::connect(&format!("{plain_url}&sslmode=require"))
        .await
        .unwrap();
    assert!(served_over_tls(&require).await);
    require.close().await;
    // disable: plain connections keep working beside TLS.
    let disable = Db::connect(&format!("{plain_url}&sslmode=disable"))
        .await
        .unwrap();
    assert!(!served_over_tls(&disable).await);
    disable.close().await;

    // verify-full against a CA that did not sign the server's certificate: refused, saying so.
    let dir = tempfile::tempdir().unwrap();
    let stranger = TestCa::new("另一个 CA").write(dir.path(), "other.crt");
    let err = Db::connect(&format!(
        "{plain_url}&sslmode=verify-full&sslrootcert={}",
        stranger.display()
    ))
    .await
    .unwrap_err();
    let text = format!("{err:#}").to_lowercase();
    assert!(
        text.contains("certificate") || text.contains("unknownissuer"),
        "{text}"
    );
    app.finish().await;
}
