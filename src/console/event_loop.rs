//! The terminal side: set up, one `tokio::select!` loop over terminal input, the server's
//! event stream, request results and a tick on each second of the server clock; draw only when
//! something changed (ratatui then sends only the cells that differ).

use std::io::{Stdout, Write, stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::ConsoleOptions;
use super::action::{Action, Effect, LegacyRequest, RequestError};
use super::app::{App, PAGE_SIZE};
use super::config::Thresholds;
use super::keymap::Keymap;
use super::theme::Theme;
use super::ui;
use crate::api::DeliveryStatus;
use crate::client::{Client, ClientError, DeliveryQuery, StreamItem};

/// China Standard Time, the offset every deadline is shown in.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// The server's clock as the console knows it: local time plus the measured skew.
pub fn server_now(skew: chrono::Duration) -> DateTime<FixedOffset> {
    (Utc::now() + skew).with_timezone(&cst())
}

/// Measures `server clock − local clock`, taking the middle of the request as the instant the
/// server read its clock.
pub async fn measure_skew(client: &Client) -> Result<chrono::Duration, ClientError> {
    let t0 = Utc::now();
    let h = client.health().await?;
    let t1 = Utc::now();
    let mid = t0 + (t1 - t0) / 2;
    Ok(h.now.with_timezone(&Utc) - mid)
}

/// Runs the full-screen console until the user quits. Refuses to start with an invalid keymap
/// or theme, an unreachable server, or a refused token — before touching the terminal.
pub async fn run(opts: ConsoleOptions) -> anyhow::Result<()> {
    let keymap = Keymap::load(opts.keymap.as_deref().unwrap_or("default"))?;
    let mut theme = Theme::load(opts.theme.as_deref().unwrap_or("default"))?;
    theme.ascii |= opts.ascii;
    let thresholds = Thresholds::load()?;
    let s = opts.lang.strings();

    let trust = crate::client::Trust::from_option(opts.ca_file.as_deref())?;
    let client = Client::with_trust(&opts.server, Some(opts.token.clone()), &trust)?;
    let skew = measure_skew(&client)
        .await
        .map_err(|e| anyhow!("cannot reach the server at {}: {e}", opts.server))?;
    let me = match client.me().await {
        Ok(me) => me,
        Err(e) => match RequestError::from(e) {
            RequestError::Unauthorized => bail!("{}", s.unauthorized),
            RequestError::SessionIdle => bail!("{}", s.session_idle),
            RequestError::Failed(m) => bail!("{m}"),
        },
    };

    let mut app = App::new(
        opts.lang,
        keymap,
        theme,
        opts.readonly,
        server_now(skew),
        Some(me),
    );
    app.thresholds = thresholds;
    app.server = opts.server.clone();

    // A panic anywhere must leave the user's terminal usable (and the message readable).
    let previous: Arc<PanicHook> = Arc::new(std::panic::take_hook());
    let chained = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        leave_terminal();
        chained(info);
    }));
    let result = match enter_terminal().context("cannot set up the terminal") {
        Ok(mut terminal) => main_loop(&mut terminal, &mut app, &client, skew).await,
        Err(e) => Err(e),
    };
    leave_terminal();
    // Put the previous panic behaviour back: the terminal is ours no more.
    let _ = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| previous(info)));
    result?;
    if let Some(msg) = app.fatal {
        bail!("{msg}");
    }
    Ok(())
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Restores the terminal: cooked mode, main screen, visible cursor. Safe to call twice.
pub fn leave_terminal() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

fn enter_terminal() -> anyhow::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    let mut out = stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    let mut t = Terminal::new(CrosstermBackend::new(out))?;
    t.clear()?;
    Ok(t)
}

async fn main_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    client: &Client,
    initial_skew: chrono::Duration,
) -> anyhow::Result<()> {
    // Clocks drift: measure the skew again every ten minutes.
    let skew_ms = Arc::new(AtomicI64::new(initial_skew.num_milliseconds()));
    let remeasure = {
        let (client, skew_ms) = (client.clone(), skew_ms.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(600)).await;
                if let Ok(s) = measure_skew(&client).await {
                    skew_ms.store(s.num_milliseconds(), Ordering::Relaxed);
                }
            }
        })
    };
    let _abort = AbortOnDrop(remeasure);
    let skew = || chrono::Duration::milliseconds(skew_ms.load(Ordering::Relaxed));
    let (tx, mut rx) = unbounded_channel::<Action>();
    let mut keys = crossterm::event::EventStream::new();
    let mut server = client.events(None);
    terminal.draw(|f| ui::render(f, app))?;
    app.dirty = false;
    // Debug builds only: lets the end-to-end test prove that a panic leaves the terminal usable.
    #[cfg(debug_assertions)]
    if std::env::var_os("SHENGUAN_CONSOLE_TEST_PANIC").is_some() {
        panic!("test panic (SHENGUAN_CONSOLE_TEST_PANIC)");
    }
    // Subscribe before loading the lists: whatever happens while they load arrives as events
    // and is applied on top, so nothing falls into a gap between the two.
    let wait = tokio::time::sleep(Duration::from_secs(3));
    tokio::pin!(wait);
    loop {
        tokio::select! {
            item = server.next() => {
                let Some(item) = item else { break };
                let done = matches!(
                    item,
                    StreamItem::Connected | StreamItem::Unauthorized | StreamItem::SessionIdle
                );
                if let Some(effect) = app.update(Action::Stream(item)) {
                    perform(effect, client, &tx);
                }
                if done {
                    break;
                }
            }
            () = &mut wait => break,
        }
    }
    let startup = app.startup();
    perform(startup, client, &tx);

    let tick = tokio::time::sleep(until_next_second(skew()));
    tokio::pin!(tick);
    loop {
        if app.quit {
            return Ok(());
        }
        if app.dirty {
            terminal.draw(|f| ui::render(f, app))?;
            app.dirty = false;
        }
        let action = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Action::Key(k),
                Some(Ok(TermEvent::Paste(p))) => Action::Paste(p),
                Some(Ok(TermEvent::Resize(..))) => {
                    terminal.autoresize()?;
                    Action::Resize
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => return Ok(()),
            },
            Some(item) = server.next() => Action::Stream(item),
            Some(a) = rx.recv() => a,
            () = &mut tick => {
                tick.as_mut().reset(tokio::time::Instant::now() + until_next_second(skew()));
                Action::Tick(server_now(skew()))
            }
        };
        if let Some(effect) = app.update(action) {
            perform(effect, client, &tx);
        }
        // Apply whatever else is already waiting before drawing once.
        while let Ok(a) = rx.try_recv() {
            if let Some(effect) = app.update(a) {
                perform(effect, client, &tx);
            }
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Time until the server clock's next whole second (so countdowns change on the second).
fn until_next_second(skew: chrono::Duration) -> Duration {
    let now = Utc::now() + skew;
    let ms = 1000 - now.timestamp_subsec_millis().min(999) as u64;
    Duration::from_millis(ms + 2)
}

/// Carries out an effect: requests run as tasks and send their result back as an action.
pub fn perform(effect: Effect, client: &Client, tx: &UnboundedSender<Action>) {
    let c = client.clone();
    let tx = tx.clone();
    match effect {
        Effect::Quit => {}
        Effect::Batch(list) => {
            for e in list {
                perform(e, client, &tx);
            }
        }
        Effect::LoadDeliveries { cursor } => {
            tokio::spawn(async move {
                let first = cursor.is_none();
                let q = DeliveryQuery {
                    status: Some(DeliveryStatus::Pending),
                    limit: Some(PAGE_SIZE),
                    cursor,
                    ..Default::default()
                };
                let page = c.deliveries(&q).await.map_err(RequestError::from);
                let _ = tx.send(Action::Deliveries { page, first });
            });
        }
        Effect::LoadDuties { cursor } => {
            tokio::spawn(async move {
                let first = cursor.is_none();
                let page = c
                    .duties(None, cursor.as_deref())
                    .await
                    .map_err(RequestError::from);
                let _ = tx.send(Action::Duties { page, first });
            });
        }
        Effect::LoadDisputes => {
            tokio::spawn(async move {
                let r = c.disputes(Some("open")).await.map_err(RequestError::from);
                let _ = tx.send(Action::Disputes(r));
            });
        }
        Effect::LoadDepartments => {
            tokio::spawn(async move {
                // Names are a nicety: without them the console shows department codes.
                if let Ok(d) = c.departments().await {
                    let _ = tx.send(Action::Departments(d));
                }
            });
        }
        Effect::LoadMonthly { month } => {
            // The month-end screen: the live statistics, the issued bulletin beside the live
            // draft, and the 12-month trend, each arriving on its own.
            month_end_loads(&month, &c, &tx);
            tokio::spawn(async move {
                let stats = c.monthly_stats(&month).await.map_err(RequestError::from);
                let _ = tx.send(Action::Monthly { month, stats });
            });
        }
        Effect::IssueBulletin { month } => {
            tokio::spawn(async move {
                let b = crate::api::NewBulletin {
                    month,
                    correction: None,
                };
                let result = c.issue_bulletin(&b).await.map_err(RequestError::from);
                let _ = tx.send(Action::Issued(result));
            });
        }
        Effect::ExportBulletin { month, version } => {
            tokio::spawn(async move {
                let result = export_bulletin(&c, &month, version).await;
                let _ = tx.send(Action::Exported(result));
            });
        }
        Effect::LoadDetail { id } => {
            tokio::spawn(async move {
                let r = c
                    .delivery(id)
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::Detail(r));
            });
        }
        Effect::Claim { id } => {
            tokio::spawn(async move {
                let result = c.claim(id).await.map_err(RequestError::from);
                let _ = tx.send(Action::Claimed { id, result });
            });
        }
        Effect::Feedback { delivery_id, body } => {
            tokio::spawn(async move {
                let result = c
                    .feedback(delivery_id, &body)
                    .await
                    .map_err(RequestError::from);
                let _ = tx.send(Action::FeedbackSent {
                    delivery_id,
                    result,
                });
            });
        }
        Effect::Reply { dispute_id, body } => {
            tokio::spawn(async move {
                let result = c.reply(dispute_id, &body).await.map_err(RequestError::from);
                let _ = tx.send(Action::ReplySent { dispute_id, result });
            });
        }
        Effect::Lookup { query } => {
            tokio::spawn(async move {
                let r = super::app::lookup(&c, &query)
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::LookedUp(r));
            });
        }
        Effect::LoadJointEvents => {
            tokio::spawn(async move {
                let r = c.joint_events(None, None).await.map_err(RequestError::from);
                let _ = tx.send(Action::JointEvents(r));
            });
        }
        Effect::Acknowledge { event_id } => {
            tokio::spawn(async move {
                let result = c
                    .acknowledge_joint_event(event_id)
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::JointDone { event_id, result });
            });
        }
        Effect::DecideLetter {
            action_id,
            decision,
        } => {
            tokio::spawn(async move {
                let result = c
                    .decide_license_action(action_id, &decision)
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::LetterDecided { action_id, result });
            });
        }
        Effect::RecordVerification {
            task_id,
            round,
            pass,
            findings,
        } => {
            tokio::spawn(async move {
                let body = crate::api::NewVerificationResult {
                    outcome: if pass {
                        crate::api::VerificationOutcome::Pass
                    } else {
                        crate::api::VerificationOutcome::Fail
                    },
                    findings,
                    departments: Vec::new(),
                    round: Some(round),
                };
                let result = c
                    .record_verification(task_id, &body)
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::VerificationDone { task_id, result });
            });
        }
        Effect::Sign {
            event_id,
            agree,
            comment,
        } => {
            tokio::spawn(async move {
                let result = c
                    .sign_joint_report(event_id, agree, comment.as_deref())
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::JointDone { event_id, result });
            });
        }
        Effect::InquiryReply { letter_id, body } => {
            tokio::spawn(async move {
                let result = c
                    .reply_inquiry_letter(letter_id, &body)
                    .await
                    .map(Box::new)
                    .map_err(RequestError::from);
                let _ = tx.send(Action::InquiryReplied { letter_id, result });
            });
        }
        Effect::Legacy { case_id, step } => {
            tokio::spawn(async move {
                let result = match &step {
                    LegacyRequest::Opinion(b) => c.legacy_opinion(case_id, b).await,
                    LegacyRequest::Verification(b) => c.legacy_verification(case_id, b).await,
                    LegacyRequest::Decision(b) => c.legacy_decision(case_id, b).await,
                }
                .map(Box::new)
                .map_err(RequestError::from);
                let _ = tx.send(Action::LegacyDone { case_id, result });
            });
        }
        Effect::Escalate {
            delivery_id,
            reason,
        } => {
            tokio::spawn(async move {
                let result = c
                    .escalate(delivery_id, &reason)
                    .await
                    .map_err(RequestError::from);
                let _ = tx.send(Action::Escalated {
                    delivery_id,
                    result,
                });
            });
        }
    }
}

/// The month-end screen's requests for `month` (see [`Effect::LoadMonthly`]).
fn month_end_loads(month: &str, c: &crate::client::Client, tx: &UnboundedSender<Action>) {
    let (month2, c2, tx2) = (month.to_string(), c.clone(), tx.clone());
    tokio::spawn(async move {
        // Not issued yet is an answer (404), not a failure.
        let issued = match c2.bulletin(&month2, None).await {
            Ok(b) => Ok(Some(Box::new(b))),
            Err(e) if e.status() == Some(reqwest::StatusCode::NOT_FOUND) => Ok(None),
            Err(e) => Err(RequestError::from(e)),
        };
        let live = c2
            .bulletin(&month2, Some("live"))
            .await
            .map(Box::new)
            .map_err(RequestError::from);
        let _ = tx2.send(Action::Bulletins {
            month: month2,
            issued,
            live,
        });
    });
    let (month, c, tx) = (month.to_string(), c.clone(), tx.clone());
    tokio::spawn(async move {
        let mut months = Vec::with_capacity(12);
        let mut failed = None;
        for name in super::app::months_ending(&month) {
            match c.monthly_stats(&name).await {
                Ok(s) => months.push(s),
                Err(e) => {
                    failed = Some(RequestError::from(e));
                    break;
                }
            }
        }
        let months = match failed {
            Some(e) => Err(e),
            None => Ok(months),
        };
        let _ = tx.send(Action::Trend { month, months });
    });
}

/// Fetch the bulletin as XLSX and write it in the working directory; its absolute path.
async fn export_bulletin(
    c: &crate::client::Client,
    month: &str,
    version: Option<i32>,
) -> Result<String, RequestError> {
    let v = version.map(|v| v.to_string());
    let v = v.as_deref().unwrap_or("live");
    let bytes = c
        .monthly_report(month, crate::api::ReportFormat::Xlsx, Some(v))
        .await
        .map_err(RequestError::from)?;
    let name = match version {
        Some(n) => format!("bulletin-{month}-v{n}.xlsx"),
        None => format!("bulletin-{month}-draft.xlsx"),
    };
    let path = std::path::absolute(&name).map_err(|e| RequestError::Failed(e.to_string()))?;
    std::fs::write(&path, bytes)
        .map_err(|e| RequestError::Failed(format!("{}: {e}", path.display())))?;
    Ok(path.display().to_string())
}
