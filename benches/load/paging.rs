//! The delivery queue, cursor-paged.

use crate::prelude::*;

/// The queue, cursor-paged, 100 pages deep over the 1,000,000+ deliveries.
pub async fn run(b: &mut Bench) -> anyhow::Result<()> {
    let s = &b.s;
    let report = &mut b.report;
    println!("\n[list] paging GET /api/v1/deliveries 100 pages deep (50 rows each)");
    let staff = s.staff.values().next().expect("staff").clone();
    let views: [(&str, &Client, Option<DeliveryStatus>); 3] = [
        (
            "a department's pending queue",
            &staff,
            Some(DeliveryStatus::Pending),
        ),
        (
            "all departments, pending (supervisor)",
            &s.watcher,
            Some(DeliveryStatus::Pending),
        ),
        (
            "all departments, every status (supervisor)",
            &s.watcher,
            None,
        ),
    ];
    for (what, client, status) in views {
        let mut q = shenguan::client::DeliveryQuery {
            status,
            limit: Some(50),
            ..Default::default()
        };
        let mut lat = Vec::with_capacity(100);
        let mut rows = 0;
        for _ in 0..100 {
            let t = Instant::now();
            let page = client.deliveries(&q).await?;
            lat.push(t.elapsed());
            rows += page.items.len();
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        let first = lat[0];
        let deepest = *lat.last().expect("a page");
        lat.sort();
        println!(
            "  {what}: {rows} rows; first page {:.1} ms, page {} {:.1} ms, median {:.1} ms, p99 {:.1} ms",
            ms(first),
            lat.len(),
            ms(deepest),
            ms(pct(&lat, 50.0)),
            ms(pct(&lat, 99.0))
        );
        report.add(
            &format!("list {what}: page latency over 100 pages (median / p99 / deepest page)"),
            "fast at 1,000,000 rows",
            format!(
                "{:.1} / {:.1} / {:.1} ms",
                ms(pct(&lat, 50.0)),
                ms(pct(&lat, 99.0)),
                ms(deepest)
            ),
            None,
        );
    }
    Ok(())
}
