//! Console rendering benchmark (plain `Instant` loops, prints numbers).
//!
//!     CARGO_TARGET_DIR=… cargo bench --bench console_render
//!
//! 1. 100,000 pending deliveries, one frame at 160×50: median time, against a naive ratatui
//!    `Table` that builds every row and draws it.
//! 2. Bytes written to the terminal per second when idle with countdowns ticking, at 160×50,
//!    through the real crossterm backend into a counting sink.
//! 3. Resident memory with the 100,000 deliveries loaded.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Row, Table, TableState};
use ratatui::{Terminal, TerminalOptions, Viewport};
use shenguan::api::Page;
use shenguan::console::action::Action;
use shenguan::console::theme::Theme;
use shenguan::console::widgets::countdown::format_countdown;
use shenguan::console::{App, Lang, ui};
use support::console as fixtures;

const N: usize = 100_000;
const W: u16 = 160;
const H: u16 = 50;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn loaded_app() -> (App, Duration) {
    let mut app = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::supervisor());
    let all = fixtures::many_deliveries(N);
    let t = Instant::now();
    let pages: Vec<_> = all.chunks(500).map(|c| c.to_vec()).collect();
    let n = pages.len();
    for (i, items) in pages.into_iter().enumerate() {
        app.update(Action::Deliveries {
            page: Ok(Page {
                items,
                next_cursor: (i + 1 < n).then(|| format!("c{i}")),
            }),
            first: i == 0,
        });
    }
    let load = t.elapsed();
    assert_eq!(app.delivery_total(), N);
    (app, load)
}

fn rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The naive way: build a ratatui `Row` for every delivery, then draw the table.
fn naive_frame(app: &App, term: &mut Terminal<TestBackend>) {
    let s = app.s();
    let rows: Vec<Row> = (0..app.delivery_count())
        .map(|i| {
            let d = app.delivery(i).unwrap();
            Row::new(vec![
                app.department_name(&d.department).to_string(),
                d.title.clone(),
                d.claim_deadline.format("%m-%d %H:%M").to_string(),
                format_countdown(d.claim_deadline, app.now, s),
                d.counterparty_name.clone().unwrap_or_default(),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(14),
            Constraint::Fill(3),
            Constraint::Length(12),
            Constraint::Length(16),
            Constraint::Fill(2),
        ],
    )
    .block(Block::bordered().title("待认领"));
    let mut state = TableState::default().with_selected(Some(0));
    term.draw(|f| f.render_stateful_widget(table, f.area(), &mut state))
        .unwrap();
}

#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let rss_before = rss_mb();
    let (mut app, load) = loaded_app();
    let rss_after = rss_mb();
    println!("console_render benchmark: {N} pending deliveries, frame {W}x{H}");
    println!("  load {N} deliveries in pages of 500 (app state only): {load:.2?}");

    // 1. Frame time, our virtual table (all four panes, the real UI).
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    let frames = 300;
    let mut times = Vec::with_capacity(frames);
    let start_now = app.now;
    for i in 0..frames {
        app.update(Action::Tick(
            start_now + chrono::Duration::seconds(i as i64 + 1),
        ));
        // Move the selection too, so scrolling is part of the measurement.
        if i % 10 == 0 {
            app.update(Action::Command(
                shenguan::console::action::Command::PageDown,
            ));
        }
        let t = Instant::now();
        term.draw(|f| ui::render(f, &app)).unwrap();
        times.push(t.elapsed());
    }
    let ours = median(times);
    println!("  console frame (whole UI, 4 panes), median of {frames}: {ours:.2?}");

    // Naive: build every row, draw.
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    let naive_frames = 15;
    let mut times = Vec::with_capacity(naive_frames);
    for _ in 0..naive_frames {
        let t = Instant::now();
        naive_frame(&app, &mut term);
        times.push(t.elapsed());
    }
    let naive = median(times);
    println!("  naive ratatui Table with every row built, median of {naive_frames}: {naive:.2?}");
    println!(
        "  ratio naive / console: {:.0}x",
        naive.as_secs_f64() / ours.as_secs_f64()
    );

    // 2. Idle bytes per second through the real crossterm backend.
    let sink = Counting::default();
    let backend = CrosstermBackend::new(sink.clone());
    let mut term = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, W, H)),
        },
    )
    .unwrap();
    let (mut idle, _) = loaded_app();
    idle.update(Action::Command(shenguan::console::action::Command::Home));
    term.draw(|f| ui::render(f, &idle)).unwrap();
    let first_frame = sink.0.swap(0, Ordering::Relaxed);
    let ticks = 120;
    let t0 = idle.now;
    let mut draws = 0;
    for i in 1..=ticks {
        idle.update(Action::Tick(t0 + chrono::Duration::seconds(i)));
        if idle.dirty {
            term.draw(|f| ui::render(f, &idle)).unwrap();
            idle.dirty = false;
            draws += 1;
        }
    }
    let bytes = sink.0.load(Ordering::Relaxed);
    println!("  first full frame: {first_frame} bytes");
    println!(
        "  idle, countdowns ticking: {} bytes/s ({bytes} bytes over {ticks} s, {draws} redraws)",
        bytes / ticks as usize
    );

    // 3. Memory.
    if let (Some(a), Some(b)) = (rss_before, rss_after) {
        println!(
            "  RSS: {b:.1} MB with {N} deliveries loaded ({:.1} MB for the deliveries), {:.1} MB now",
            b - a,
            rss_mb().unwrap_or(0.0)
        );
    }
}
