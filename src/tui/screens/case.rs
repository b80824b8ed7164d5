//! The case screen: attributes, the timeline of sessions by contact point,
//! efforts as bars over time, and effort → consequence links; its contact
//! points on the title line, marked missed or partial from here.

use super::{hints, Effect, ImportRequest, Input, Receipt};
use crate::domain::contacts::{case_contacts, points_of, ContactLedger, ContactPlan};
use crate::domain::followup::parse_date;
use crate::domain::{Case, Effort, Link, Session, SessionKind, Valence, Variables};
use crate::keymap::{Action, Keymap, Table};
use crate::store::Change;
use crate::tui::widgets::prompt::{self, ask, Prompt};
use chrono::{DateTime, FixedOffset, NaiveDate};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Each question the case screen asks, with what Enter does.
fn question(asking: Asking) -> Prompt<Asking> {
    let (label, verb, form) = match asking {
        Asking::Attribute => ("Attribute: ", "set", "KEY=VALUE, KEY a variable of the study"),
        Asking::NewEffort => ("Effort: ", "add", "kind; start; end; provider; outcome"),
        Asking::EditEffort(_) => ("Effort: ", "save", "kind; start; end; provider; outcome"),
        Asking::NewLink => ("Link: ", "add", "A -> B -> C; positive, negative or mixed"),
        Asking::Transcript => ("Transcript: ", "import", "FILE KIND YYYY-MM-DD"),
        Asking::Recording(_) => (
            "Recording: ",
            "attach",
            "FILE (.wav .mp3 .m4a .flac .ogg .opus): copied into the study; FILE --link: used where it is; --replace: in place of the one it has",
        ),
        Asking::Contact => ("Contact: ", "record", crate::domain::contacts::entry::FORM),
    };
    Prompt::new(asking, label, verb).with_form(form)
}

/// `FILE KIND [YYYY-MM-DD [HH:MM]]`: the file may hold spaces, so it is read from the right.
fn import_request(case: crate::domain::Id, text: &str) -> Option<ImportRequest> {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let is_date =
        |w: &str| w.len() == 10 && w.as_bytes()[4] == b'-' && w.starts_with(|c: char| c.is_ascii_digit());
    let is_time = |w: &str| w.len() == 5 && w.as_bytes()[2] == b':';
    let mut recorded = Vec::new();
    if words.len() >= 4 && is_time(words[words.len() - 1]) && is_date(words[words.len() - 2]) {
        recorded = words.split_off(words.len() - 2);
    } else if words.len() >= 3 && is_date(words[words.len() - 1]) {
        recorded = words.split_off(words.len() - 1);
    }
    let kind = words.pop()?;
    if words.is_empty() {
        return None;
    }
    Some(ImportRequest {
        case,
        file: words.join(" "),
        kind: kind.to_string(),
        recorded: (!recorded.is_empty()).then(|| recorded.join(" ")),
    })
}

/// A session as the timeline shows it.
pub struct SessionRow {
    pub session: Session,
    pub lines: usize,
    pub narratives: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Sessions,
    Efforts,
    Links,
}

const SECTIONS: [Section; 3] = [Section::Sessions, Section::Efforts, Section::Links];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Asking {
    Attribute,
    NewEffort,
    EditEffort(usize),
    NewLink,
    Transcript,
    /// A recording for the session selected.
    Recording(crate::domain::Id),
    Contact,
}

/// What the case screen shows.
pub struct CaseData {
    /// Ongoing efforts run up to this day.
    pub today: NaiveDate,
    pub case: Case,
    pub sessions: Vec<SessionRow>,
    pub efforts: Vec<Effort>,
    pub links: Vec<Link>,
    /// The study's variables: an attribute's key must be one of them.
    pub variables: Variables,
    /// The study's contact rhythm and the case's ledger (a new one if it has none).
    pub plan: ContactPlan,
    pub ledger: ContactLedger,
}

pub struct CaseState {
    today: NaiveDate,
    pub case: Case,
    sessions: Vec<SessionRow>,
    efforts: Vec<Effort>,
    links: Vec<Link>,
    variables: Variables,
    plan: ContactPlan,
    ledger: ContactLedger,
    /// Its contact points in a line, for the title: `1 ✓  2 (x)  3 –  4 ·  contacts 1 (2), missed 1`.
    contacts: String,
    section: usize,
    selected: [usize; 3],
    asking: Option<Prompt<Asking>>,
    message: Option<String>,
}

impl CaseState {
    pub fn new(data: CaseData) -> Self {
        let mut sessions = data.sessions;
        sessions.sort_by_key(|r| (r.session.contact_point, r.session.clock.started));
        let last = sessions.len().saturating_sub(1);
        let mut state = CaseState {
            today: data.today,
            case: data.case,
            sessions,
            efforts: data.efforts,
            links: data.links,
            variables: data.variables,
            plan: data.plan,
            ledger: data.ledger,
            contacts: String::new(),
            section: 0,
            selected: [last, 0, 0],
            asking: None,
            message: None,
        };
        state.summarise_contacts();
        state
    }

    /// The title's line of contact points, from the ledger as it is now.
    fn summarise_contacts(&mut self) {
        let sessions: Vec<Session> = self.sessions.iter().map(|r| r.session.clone()).collect();
        let contacts = case_contacts(&self.case, &sessions, &self.plan, Some(&self.ledger), self.today);
        self.contacts = contacts.summary();
    }

    /// Says something on the screen's message line.
    pub fn tell(&mut self, message: String) {
        self.message = Some(message);
    }

    pub fn table(&self) -> Table {
        if self.asking.is_some() {
            Table::Prompt
        } else {
            Table::Case
        }
    }

    fn len(&self, section: Section) -> usize {
        match section {
            Section::Sessions => self.sessions.len(),
            Section::Efforts => self.efforts.len(),
            Section::Links => self.links.len(),
        }
    }

    /// A save, and the word to say once it is durable.
    fn save(&mut self, changes: Vec<Change>, done: &str) -> Effect {
        Effect::save(changes, Receipt::Said(done.to_string()))
    }

    /// Takes the store writer's word on a save this screen asked for.
    pub fn on_saved(&mut self, receipt: &Receipt, error: Option<&str>) {
        self.message = match (error, receipt) {
            (Some(e), _) => Some(format!("NOT SAVED: {e}")),
            (None, Receipt::Said(done) | Receipt::Imported(done)) => Some(done.clone()),
            (None, _) => return,
        };
    }

    pub fn update(&mut self, input: Input, now: DateTime<FixedOffset>) -> Effect {
        if let Some(prompt) = self.asking.take() {
            let (still, done) = ask(prompt, input, |asking, text| self.answer(asking, text, now));
            self.asking = still;
            return done.unwrap_or(Effect::None);
        }
        self.message = None;
        let Input::Action(action) = input else { return Effect::None };
        let section = SECTIONS[self.section];
        let selected = self.selected[self.section];
        match action {
            Action::SelectUp => self.selected[self.section] = selected.saturating_sub(1),
            Action::SelectDown => {
                self.selected[self.section] = (selected + 1).min(self.len(section).saturating_sub(1))
            }
            Action::NextField => self.section = (self.section + 1) % SECTIONS.len(),
            Action::PreviousField => self.section = (self.section + SECTIONS.len() - 1) % SECTIONS.len(),
            Action::Confirm | Action::ReviewSession => match section {
                Section::Sessions => match self.sessions.get(selected) {
                    Some(row) => return Effect::OpenReview { session: row.session.id, seq: None },
                    None => self.message = Some("This case has no sessions yet.".into()),
                },
                Section::Links => match self.links.get(selected) {
                    Some(link) if !link.narratives.is_empty() => {
                        return Effect::OpenNarrativesOf(link.narratives.clone())
                    }
                    Some(_) => self.message = Some("No narratives support this link yet.".into()),
                    None => {}
                },
                Section::Efforts => return self.edit_effort(),
            },
            Action::OpenSession => match self.sessions.get(self.selected[0]) {
                Some(row) if row.session.ended.is_none() => return Effect::OpenLive(row.session.id),
                Some(_) => self.message = Some("That session has ended: read it back instead.".into()),
                None => self.message = Some("This case has no sessions yet.".into()),
            },
            Action::StartSession => return Effect::OpenForm(Box::new(self.case.clone())),
            Action::SetAttribute => self.asking = Some(question(Asking::Attribute)),
            Action::AddEffort => self.asking = Some(question(Asking::NewEffort)),
            Action::EditEffort => return self.edit_effort(),
            Action::AddLink => self.asking = Some(question(Asking::NewLink)),
            Action::ImportTranscript => self.asking = Some(question(Asking::Transcript)),
            Action::AttachRecording => match self.sessions.get(self.selected[0]) {
                Some(row) => self.asking = Some(question(Asking::Recording(row.session.id))),
                None => {
                    self.message =
                        Some("This case has no sessions yet: a recording goes with a session.".into())
                }
            },
            Action::OpenBrief => return Effect::OpenBrief(self.case.id),
            Action::RecordContact => self.asking = Some(question(Asking::Contact)),
            Action::Back => return Effect::Back,
            _ => {}
        }
        Effect::None
    }

    fn edit_effort(&mut self) -> Effect {
        let i = self.selected[1];
        match self.efforts.get(i) {
            Some(e) => {
                let end = e.end.map_or(String::new(), |d| d.to_string());
                let text = format!("{}; {}; {end}; {}; {}", e.kind, e.start, e.provider, e.outcome);
                self.section = 1;
                self.asking = Some(question(Asking::EditEffort(i)).with_text(&text));
            }
            None => self.message = Some("No effort to edit: add one first.".into()),
        }
        Effect::None
    }

    /// The question's answer as changes to save, or why it is refused.
    fn answer(&mut self, asking: Asking, text: &str, now: DateTime<FixedOffset>) -> Result<Effect, String> {
        let done = match asking {
            Asking::Attribute => "Attribute saved.",
            Asking::NewEffort | Asking::EditEffort(_) => "Effort saved.",
            Asking::NewLink => "Link saved.",
            Asking::Transcript | Asking::Recording(_) | Asking::Contact => "",
        };
        let changes = match asking {
            Asking::Transcript => {
                return import_request(self.case.id, text).map(Effect::ImportTranscript).ok_or_else(|| {
                    "Write the file, the kind and the day: ~/interview.txt interview 2026-03-02".to_string()
                })
            }
            Asking::Recording(session) => {
                let file = text.trim();
                if file.is_empty() {
                    return Err("Write the recording's file: ~/interview.m4a".into());
                }
                // The words after the file, in any order: --link, --replace.
                let (mut file, mut link, mut replace) = (file, false, false);
                loop {
                    if let Some(rest) = file.strip_suffix("--link") {
                        (file, link) = (rest.trim_end(), true);
                    } else if let Some(rest) = file.strip_suffix("--replace") {
                        (file, replace) = (rest.trim_end(), true);
                    } else {
                        break;
                    }
                }
                return Ok(Effect::AttachRecording { session, file: file.to_string(), link, replace });
            }
            Asking::Attribute => self.attribute(text)?,
            Asking::NewEffort => self.effort(text, None, now)?,
            Asking::EditEffort(i) => self.effort(text, Some(i), now)?,
            Asking::NewLink => self.link(text, now)?,
            Asking::Contact => return self.contact(text, now),
        };
        Ok(self.save(changes, done))
    }

    /// A typed change to the case's contact ledger, saved whole.
    fn contact(&mut self, text: &str, now: DateTime<FixedOffset>) -> Result<Effect, String> {
        let mut ledger = self.ledger.clone();
        let held = |point: u32| self.sessions.iter().filter(|r| r.session.contact_point == point).count();
        let sessions: Vec<Session> = self.sessions.iter().map(|r| r.session.clone()).collect();
        let points = points_of(&self.case, &sessions, &self.plan, Some(&self.ledger));
        let done =
            ledger.apply(text, held, points).map_err(|why| why.replace("CODE", self.case.code.as_str()))?;
        ledger.updated = now;
        self.ledger = ledger;
        self.summarise_contacts();
        Ok(self.save(vec![Change::ContactLedger(self.ledger.clone())], &done))
    }

    fn attribute(&mut self, text: &str) -> Result<Vec<Change>, String> {
        let mut case = self.case.clone();
        self.variables.set_attribute(&mut case, text)?;
        self.case = case;
        Ok(vec![Change::Case(self.case.clone())])
    }

    /// `kind; start; end; provider; outcome` — end may be empty while it goes on.
    fn effort(
        &mut self,
        text: &str,
        editing: Option<usize>,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<Change>, String> {
        let parts: Vec<&str> = text.split(';').map(str::trim).collect();
        let kind = parts.first().copied().unwrap_or("");
        if kind.is_empty() || parts.len() < 2 {
            return Err(
                "Write the effort as: kind; start date; end date (or nothing); provider; outcome".into()
            );
        }
        let start = parse_date(parts[1])?;
        let end = match parts.get(2).copied().unwrap_or("") {
            "" => None,
            date => Some(parse_date(date)?),
        };
        if end.is_some_and(|e: NaiveDate| e < start) {
            return Err("The effort cannot end before it starts.".into());
        }
        let mut effort = match editing.and_then(|i| self.efforts.get(i)) {
            Some(e) => e.clone(),
            None => Effort {
                id: crate::domain::Id::new(),
                case_id: self.case.id,
                kind: String::new(),
                provider: String::new(),
                start,
                end: None,
                outcome: String::new(),
                created: now,
            },
        };
        effort.kind = kind.to_string();
        effort.start = start;
        effort.end = end;
        effort.provider = parts.get(3).copied().unwrap_or("").to_string();
        effort.outcome = parts[4.min(parts.len())..].join("; ");
        match editing {
            Some(i) => self.efforts[i] = effort.clone(),
            None => {
                self.efforts.push(effort.clone());
                self.selected[1] = self.efforts.len() - 1;
            }
        }
        Ok(vec![Change::Effort(effort)])
    }

    /// `A -> B -> C; valence`
    fn link(&mut self, text: &str, now: DateTime<FixedOffset>) -> Result<Vec<Change>, String> {
        let (chain, valence) = text
            .rsplit_once(';')
            .ok_or("Write the link as: effort -> consequence; positive, negative or mixed")?;
        let link = Link {
            id: crate::domain::Id::new(),
            case_id: self.case.id,
            chain: Link::parse_chain(chain)?,
            valence: Valence::parse(valence)?,
            narratives: Vec::new(),
            created: now,
        };
        self.links.push(link.clone());
        Ok(vec![Change::Link(link)])
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, keys: &Keymap) {
        let hint = hints(
            keys,
            Table::Case,
            &[
                (Action::NextField, "section"),
                (Action::Confirm, "open"),
                (Action::StartSession, "new session"),
                (Action::AddEffort, "effort"),
                (Action::AddLink, "link"),
                (Action::SetAttribute, "attribute"),
                (Action::RecordContact, "contact"),
                (Action::OpenBrief, "brief"),
                (Action::Help, "help"),
                (Action::Back, "back"),
            ],
        );
        let hint_rows = prompt::hint_lines(&hint, usize::from(area.width)).len() as u16;
        let effort_rows = (self.efforts.len() as u16 + 2).min(area.height / 4).max(3);
        let link_rows = (self.links.len() as u16 + 1).min(area.height / 5).max(2);
        let [title, attributes, sessions, efforts, links, prompt_row, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(effort_rows),
            Constraint::Length(link_rows),
            Constraint::Length(1),
            // A question's reason for refusing an answer may need the second row.
            Constraint::Length(if self.asking.is_some() { 2 } else { hint_rows.clamp(1, 2) }),
        ])
        .areas(area);
        frame.render_widget(
            Line::from(format!(" Case {}   {}", self.case.code, self.contacts)).bold().reversed(),
            title,
        );
        let attrs: Vec<String> = self.case.attributes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let attrs = if attrs.is_empty() { "no attributes yet".to_string() } else { attrs.join(" · ") };
        frame.render_widget(Line::from(format!(" {attrs}")).dim(), attributes);
        self.render_sessions(frame, sessions);
        self.render_efforts(frame, efforts);
        self.render_links(frame, links);
        let (asking, message) = (self.asking.as_ref(), self.message.as_deref());
        prompt::bottom(frame, [prompt_row, footer], keys, asking, message, hint);
    }

    fn heading(&self, section: Section, text: &str) -> Line<'static> {
        let focused = SECTIONS[self.section] == section;
        let style = if focused {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        };
        Line::styled(format!(" {text}"), style)
    }

    fn row_style(&self, section: Section, i: usize) -> Style {
        if SECTIONS[self.section] == section && self.selected[self.section] == i {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        }
    }

    /// Rows `0..count` of a section that fit in `height`, keeping the selection in view.
    fn window(&self, section: Section, count: usize, height: usize) -> std::ops::Range<usize> {
        let index = SECTIONS.iter().position(|s| *s == section).unwrap_or(0);
        let top = self.selected[index].saturating_sub(height.saturating_sub(1));
        top..(top + height).min(count)
    }

    fn render_sessions(&self, frame: &mut Frame, area: Rect) {
        if area.height == 0 {
            return;
        }
        frame.render_widget(
            self.heading(Section::Sessions, "Sessions by contact point"),
            Rect { height: 1, ..area },
        );
        if self.sessions.is_empty() {
            frame.render_widget(
                Line::from("   No sessions yet.").dim(),
                Rect { y: area.y + 1, height: 1, ..area },
            );
            return;
        }
        let height = usize::from(area.height.saturating_sub(1));
        for (row, i) in self.window(Section::Sessions, self.sessions.len(), height).enumerate() {
            let r = &self.sessions[i];
            let s = &r.session;
            let speakers: Vec<&str> = s.speakers.iter().map(|sp| sp.label.as_str()).collect();
            let length = match s.ended {
                Some(end) => {
                    crate::domain::clock::format_duration_ms((end - s.clock.started).num_milliseconds())[..5]
                        .to_string()
                }
                None => "open".to_string(),
            };
            let kind = match s.kind {
                SessionKind::ProfessionalInterview => "prof. interview",
                kind => kind.word(),
            };
            // Narrow screens give up the place, then the speakers, before the counts.
            let wide = usize::from(area.width);
            let place: String = s.place_name().chars().take(14).collect();
            let place = if wide >= 78 { format!("{place:<14} ") } else { String::new() };
            let speakers = if wide >= 64 { format!("{:<8} ", speakers.join(",")) } else { String::new() };
            let text = format!(
                " {:>2}  {}  {kind:<15} {place}{speakers}{:>5} {:>5} l. {:>3} n.",
                s.contact_point,
                s.clock.started.format("%Y-%m-%d"),
                length,
                r.lines,
                r.narratives
            );
            let y = area.y + 1 + row as u16;
            frame.render_widget(
                Line::styled(text, self.row_style(Section::Sessions, i)),
                Rect { y, height: 1, ..area },
            );
        }
    }

    /// The span of time the bars are drawn over: sessions and efforts, first to last.
    fn time_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let dates = self
            .sessions
            .iter()
            .map(|r| r.session.clock.started.date_naive())
            .chain(self.efforts.iter().flat_map(|e| [e.start, e.end.unwrap_or(self.today.max(e.start))]));
        let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
        for d in dates {
            first = Some(first.map_or(d, |f| f.min(d)));
            last = Some(last.map_or(d, |l| l.max(d)));
        }
        Some((first?, last?.max(first? + chrono::Duration::days(1))))
    }

    fn render_efforts(&self, frame: &mut Frame, area: Rect) {
        if area.height == 0 {
            return;
        }
        frame.render_widget(self.heading(Section::Efforts, "Efforts over time"), Rect { height: 1, ..area });
        let Some((first, last)) = self.time_span().filter(|_| !self.efforts.is_empty()) else {
            frame.render_widget(
                Line::from("   None recorded.").dim(),
                Rect { y: area.y + 1, height: 1, ..area },
            );
            return;
        };
        let label_width = 28usize;
        let bar_width = usize::from(area.width).saturating_sub(label_width + 2).max(1);
        let days = (last - first).num_days().max(1) as f64;
        let column =
            |d: NaiveDate| (((d - first).num_days() as f64 / days) * (bar_width - 1) as f64).round() as usize;
        // The axis: where sessions took place.
        let mut axis = vec!['─'; bar_width];
        for r in &self.sessions {
            axis[column(r.session.clock.started.date_naive()).min(bar_width - 1)] = '┼';
        }
        let axis_text = format!(
            "{:<label_width$}  {}",
            format!("  {first} – {last}"),
            axis.into_iter().collect::<String>()
        );
        frame.render_widget(Line::from(axis_text).dim(), Rect { y: area.y + 1, height: 1, ..area });
        let height = usize::from(area.height.saturating_sub(2));
        for (row, i) in self.window(Section::Efforts, self.efforts.len(), height).enumerate() {
            let e = &self.efforts[i];
            let from = column(e.start).min(bar_width - 1);
            let to = column(e.end.unwrap_or(self.today)).clamp(from, bar_width - 1);
            let fill = if e.end.is_some() { '█' } else { '▒' };
            let bar: String =
                (0..bar_width).map(|c| if (from..=to).contains(&c) { fill } else { ' ' }).collect();
            let mut label = format!("  {}", e.kind);
            if label.chars().count() > label_width {
                label = label.chars().take(label_width - 1).collect::<String>() + "…";
            }
            let spans = vec![
                Span::styled(format!("{label:<label_width$}  "), self.row_style(Section::Efforts, i)),
                Span::styled(bar, Style::default().fg(Color::Cyan)),
            ];
            frame.render_widget(Line::from(spans), Rect { y: area.y + 2 + row as u16, height: 1, ..area });
        }
    }

    fn render_links(&self, frame: &mut Frame, area: Rect) {
        if area.height == 0 {
            return;
        }
        frame.render_widget(
            self.heading(Section::Links, "Efforts and their consequences"),
            Rect { height: 1, ..area },
        );
        if self.links.is_empty() {
            frame.render_widget(
                Line::from("   None recorded.").dim(),
                Rect { y: area.y + 1, height: 1, ..area },
            );
            return;
        }
        let height = usize::from(area.height.saturating_sub(1));
        for (row, i) in self.window(Section::Links, self.links.len(), height).enumerate() {
            let l = &self.links[i];
            let text = format!("  {} ({}) · {} narr.", l.chain_text(), l.valence, l.narratives.len());
            frame.render_widget(
                Line::styled(text, self.row_style(Section::Links, i)),
                Rect { y: area.y + 1 + row as u16, height: 1, ..area },
            );
        }
    }
}
