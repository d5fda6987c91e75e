//! The bulletin's exports (issue 13 part 3): golden CSV and Markdown of the fixed month on both
//! databases, the workbook read back, the draft mark, a department's export, and the CLI.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use shenguan::api::*;

use crate::both_backends;
use crate::bulletins::november;
use crate::common::*;

both_backends!(
    golden_csv_and_markdown,
    workbook_read_back,
    draft_exports_are_marked_and_departments_export_their_own,
    cli_report_monthly_writes_the_file
);

async fn issued_november(b: Backend) -> Option<TestApp> {
    let app = TestApp::spawn(b).await?;
    november(&app).await;
    app.set_clock("2026-12-02T09:00:00+08:00").await;
    app.duty
        .issue_bulletin(&NewBulletin {
            month: "2026-11".into(),
            correction: None,
        })
        .await
        .unwrap();
    Some(app)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

async fn golden_csv_and_markdown(b: Backend) {
    let Some(app) = issued_november(b).await else {
        return;
    };
    let csv = text(
        app.duty
            .monthly_report("2026-11", ReportFormat::Csv, None)
            .await
            .unwrap(),
    );
    let md = text(
        app.duty
            .monthly_report("2026-11", ReportFormat::Md, None)
            .await
            .unwrap(),
    );
    // One snapshot for both databases: the same month reads the same on either.
    insta::assert_snapshot!("bulletin_2026_11_v1_csv", csv);
    insta::assert_snapshot!("bulletin_2026_11_v1_md", md);
}

fn cell(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => format!("{i}"),
        other => format!("{other:?}"),
    }
}

async fn workbook_read_back(b: Backend) {
    let Some(app) = issued_november(b).await else {
        return;
    };
    let bytes = app
        .duty
        .monthly_report("2026-11", ReportFormat::Xlsx, Some("1"))
        .await
        .unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "概况",
            "排名",
            "部门统计",
            "其他期限",
            "许可与信用",
            "上传情况",
            "迟报清单",
            "问责记录"
        ]
    );
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).unwrap();
        assert!(
            cell(&r, 0, 0).starts_with("2026年11月审管信息上传认领情况通报"),
            "{name}"
        );
        let status = cell(&r, 1, 0);
        assert!(
            status.starts_with("第 1 版，发布于 2026-12-02 09:00"),
            "{name}: {status}"
        );
    }
    let summary = wb.worksheet_range("概况").unwrap();
    assert_eq!(
        (cell(&summary, 2, 0), cell(&summary, 2, 1)),
        ("项目".into(), "数值".into())
    );
    assert_eq!(
        (cell(&summary, 5, 0), cell(&summary, 5, 1)),
        ("审批信息推送".into(), "4".into())
    );
    let ranking = wb.worksheet_range("排名").unwrap();
    assert_eq!(cell(&ranking, 2, 6), "按时率");
    assert_eq!(
        (cell(&ranking, 3, 1), cell(&ranking, 3, 0)),
        ("market".into(), "1".into())
    );
    let rate: f64 = cell(&ranking, 3, 6).parse().unwrap();
    assert!(
        (rate - 2.0 / 3.0).abs() < 1e-9,
        "a number with a percent format: {rate}"
    );
    let depts = wb.worksheet_range("部门统计").unwrap();
    assert_eq!(cell(&depts, 2, 8), "平均认领用时（工作小时）");
    let health = (3..8).find(|r| cell(&depts, *r, 1) == "health").unwrap();
    assert_eq!(cell(&depts, health, 8), "18");
    let ledger = wb.worksheet_range("问责记录").unwrap();
    assert_eq!(
        ledger.height(),
        3 + 4,
        "title, status, header and four records (three missed deadlines, one late upload)"
    );
    // The workbook's charts and frozen panes are not read by calamine; the zip holds them.
}

async fn draft_exports_are_marked_and_departments_export_their_own(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    november(&app).await;
    // Not issued: the export is the live draft, marked on every sheet and page.
    let bytes = app
        .duty
        .monthly_report("2026-11", ReportFormat::Xlsx, None)
        .await
        .unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    for name in wb.sheet_names() {
        let r = wb.worksheet_range(&name).unwrap();
        assert!(cell(&r, 1, 0).starts_with("草稿 / draft"), "{name}");
    }
    let md = text(
        app.duty
            .monthly_report("2026-11", ReportFormat::Md, None)
            .await
            .unwrap(),
    );
    assert_eq!(
        md.matches("**草稿 / draft**").count(),
        2,
        "at the top and at the end"
    );
    let csv = text(
        app.duty
            .monthly_report("2026-11", ReportFormat::Csv, None)
            .await
            .unwrap(),
    );
    assert!(csv.lines().next().unwrap().contains("草稿 / draft"));

    // A department's export: every line, its own ledger records only.
    let mine = text(
        app.market
            .monthly_report("2026-11", ReportFormat::Csv, Some("live"))
            .await
            .unwrap(),
    );
    let ledger = mine.split("[问责记录]").nth(1).unwrap();
    assert!(ledger.contains(",market,"), "{ledger}");
    assert!(
        !ledger.contains(",health,") && !ledger.contains(",approval,"),
        "{ledger}"
    );
    assert!(
        mine.contains(",health,卫生健康局,"),
        "every department's line is circulated"
    );
    for (query, status) in [
        ("month=2026-11&format=pdf", 400),
        ("month=2026-11", 400),
        ("month=2026-11&format=csv&version=0", 400),
        ("month=2026-11&format=csv&version=1", 404),
        ("month=11-2026&format=csv", 400),
    ] {
        let (s, _) = app
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/reports/monthly?{query}"),
                app.market.token(),
                None,
            )
            .await;
        assert_eq!(s, status, "{query}");
    }
}

async fn cli_report_monthly_writes_the_file(b: Backend) {
    let Some(app) = issued_november(b).await else {
        return;
    };
    let (_, token) = login_token(&app.anon, "market1").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("通报.md");
    let url = app.url.clone();
    let (home, out2) = (dir.path().to_path_buf(), out.clone());
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_shenguan"))
            .args([
                "report",
                "monthly",
                "--month",
                "2026-11",
                "--format",
                "md",
                "--version",
                "1",
            ])
            .arg("--out")
            .arg(&out2)
            .args(["--server", &url])
            .env("SHENGUAN_TOKEN", token)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let via_api = text(
        app.market
            .monthly_report("2026-11", ReportFormat::Md, Some("1"))
            .await
            .unwrap(),
    );
    assert_eq!(written, via_api, "the caller's own view, byte for byte");
    // A version that does not exist: a clear error, non-zero exit.
    let url = app.url.clone();
    let (_, token) = login_token(&app.anon, "market1").await;
    let out3 = dir.path().join("none.md");
    let failed = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_shenguan"))
            .args([
                "report",
                "monthly",
                "--month",
                "2026-11",
                "--format",
                "md",
                "--version",
                "9",
            ])
            .arg("--out")
            .arg(&out3)
            .args(["--server", &url])
            .env("SHENGUAN_TOKEN", token)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("404"));
}
