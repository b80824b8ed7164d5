//! The time view's budget (issue 16): 20 cases × 12 months drawn in
//! ≤ 50 ms. A generated study of 20 cases, five sessions each a season
//! apart (a year), with narratives, two efforts a case and contacts marked
//! missed and partial; timed as a user meets it: `t` on home to the time
//! view on screen (store reads, lanes built, first frame), then a frame
//! redrawn after each scroll, at 80×24 and 200×60, idle and with both
//! cores busy. `cargo bench --bench timeline`.

mod support;

use chrono::NaiveDate;
use fieldlog::dev::generate::generate;
use fieldlog::domain::contacts::{ContactLedger, ContactMarkKind};
use fieldlog::domain::{Effort, Id, SystemClock};
use fieldlog::keymap;
use fieldlog::store::{Change, Store};
use fieldlog::tui::app::App;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::sync::Arc;
use std::time::Instant;
use support::Samples;

fn key(app: &mut App, c: char) {
    app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
}

fn study(store: &Store) {
    generate(store, 20, 5, 40).unwrap();
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    for (i, case) in store.cases().unwrap().into_iter().enumerate() {
        let effort = |kind: &str, start: &str, end: Option<&str>| {
            Change::Effort(Effort {
                id: Id::new(),
                case_id: case.id,
                kind: kind.into(),
                provider: String::new(),
                start: day(start),
                end: end.map(day),
                outcome: String::new(),
                created: case.created,
            })
        };
        let mut ledger = ContactLedger::new(case.id, case.created);
        ledger
            .mark(2 + (i as u32 % 2), Some(ContactMarkKind::Partial), "meeting without the person")
            .unwrap();
        ledger.mark(5, Some(ContactMarkKind::Missed), "cancelled").unwrap();
        store
            .commit(&[
                effort("wage-subsidy job", "2025-02-01", Some("2025-08-01")),
                effort("mentor", "2025-05-01", None),
                Change::ContactLedger(ledger),
            ])
            .unwrap();
    }
}

fn main() {
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let store = Arc::new(Store::open_or_create(&dir.path().join("study")).unwrap());
    study(&store);
    for busy in [false, true] {
        let load = if busy { Some(support::Load::start()) } else { None };
        let (mut open, mut frames) = (Samples::default(), [Samples::default(), Samples::default()]);
        for _ in 0..30 {
            let keys = keymap::load("default", None).keymap;
            let mut app = App::new(store.clone(), keys, Box::new(SystemClock), None).unwrap();
            let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
            terminal.draw(|frame| app.render(frame)).unwrap();
            let began = Instant::now();
            key(&mut app, 't');
            terminal.draw(|frame| app.render(frame)).unwrap();
            open.push(began.elapsed());
            for (i, (w, h)) in [(80, 24), (200, 60)].into_iter().enumerate() {
                let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
                for step in 0..20 {
                    let began = Instant::now();
                    key(&mut app, if step % 2 == 0 { 'j' } else { 'l' });
                    terminal.draw(|frame| app.render(frame)).unwrap();
                    frames[i].push(began.elapsed());
                }
            }
        }
        drop(load);
        let when = if busy { "both cores busy" } else { "idle" };
        println!("time view, 20 cases × 12 months, {when}:");
        println!("  t on home to the time view on screen (200×60): {}", open.summary());
        println!("  scroll to redrawn frame, 80×24:               {}", frames[0].summary());
        println!("  scroll to redrawn frame, 200×60:              {}", frames[1].summary());
    }
}
