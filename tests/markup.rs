//! What people typed never becomes markup: transcripts and reports full of
//! text that looks like Markdown or HTML are rendered, parsed back with a
//! CommonMark parser (GitHub's and other extensions on), and must hold no
//! HTML, link, image or formatting but the report's own, and read back as typed.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use fieldlog::domain::session::default_speakers;
use fieldlog::domain::*;
use fieldlog::export::document::{html, markdown, Document};
use fieldlog::export::report::{case_report, display_report, Study};
use fieldlog::store::{Change, Store};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Each as a participant or a researcher might type it.
const NASTY: &[&str] = &[
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[klik her](javascript:alert(1))",
    "![billede](http://x.dk/a.png)",
    "<http://x.dk> og <a@b.dk>",
    "*ikke* så **slemt** _vel_ __nej__",
    "# ikke en overskrift",
    "> ikke et citat",
    "1. ikke en liste",
    "2) heller ikke",
    "- nej",
    "+ nej",
    "* nej",
    "---",
    "===",
    "`kode` og ``mere``",
    "```",
    "sti C:\\Users\\anna\\ og \\* og slut\\",
    "[ref]: http://x.dk",
    "[^1] og [[wiki]]",
    "~~slettet~~ og ~sub~ og ^sup^",
    "a | b | c",
    "&amp; &copy; &#169; og & alene",
    "$x^2$ koster $5",
    "@smith2020 siger {.klasse}",
    ": en definition",
    "Dårlige tænder 👨‍👩‍👧 og e\u{301}n café",
    "to\nlinjer\n# med en overskrift",
];

fn at(minutes: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-01-06T10:00:00+01:00").unwrap() + Duration::minutes(minutes)
}

/// A case whose every text field holds each nasty text in turn.
fn study() -> (tempfile::TempDir, Store, Case, Session) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(&dir.path().join("study")).unwrap();
    let attributes = NASTY.iter().enumerate().map(|(i, t)| (format!("v{i} {t}"), t.to_string())).collect();
    let case = Case::new(CaseCode::parse("AA").unwrap(), attributes, at(0));
    store.add_case(&case).unwrap();
    let mut session = Session::new(
        case.id,
        SessionKind::Interview,
        1,
        NASTY[0],
        default_speakers(SessionKind::Interview, &case.code),
        at(0),
    );
    session.ended = Some(at(60));
    let mut changes = vec![Change::Session(session.clone())];
    let kinds = [UtteranceKind::Speech, UtteranceKind::Event, UtteranceKind::Note, UtteranceKind::Pause];
    for (i, text) in NASTY.iter().enumerate() {
        let i = i as u32;
        changes.push(Change::Utterance(Utterance {
            session: session.id,
            seq: i + 1,
            speaker: "AA".into(),
            kind: kinds[i as usize % 4],
            text: text.to_string(),
            onset: at(i64::from(i)),
            committed: at(i64::from(i)),
            elapsed_ms: i64::from(i) * 60_000,
            mark: None,
            deleted: false,
        }));
        changes.push(Change::Narrative(Narrative {
            id: Id::new(),
            session: session.id,
            first_seq: i + 1,
            last_seq: i + 1,
            title: text.to_string(),
            codes: vec![],
            memo: text.to_string(),
            author: "anna".into(),
            created: at(100),
            updated: at(100),
            deleted: false,
        }));
        changes.push(Change::Effort(Effort {
            id: Id::new(),
            case_id: case.id,
            kind: text.to_string(),
            provider: text.to_string(),
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            end: None,
            outcome: text.to_string(),
            created: at(100),
        }));
        changes.push(Change::Link(Link {
            id: Id::new(),
            case_id: case.id,
            chain: vec![text.to_string(), "job".into()],
            valence: Valence::Mixed,
            narratives: vec![],
            created: at(100),
        }));
    }
    store.commit(&changes).unwrap();
    (dir, store, case, session)
}

/// The text as it must read back: one line, no space at either end.
fn flat(text: &str) -> String {
    text.replace('\n', " ").trim().to_string()
}

/// Parses `md` and checks it: no HTML, links or images at all; emphasis,
/// strong and code only with texts `ours` allows; headings only as many as
/// the document has. Gives back all the text, each block on its own line.
fn parse(md: &str, doc: &Document, ours: &dyn Fn(&Tag, &str) -> bool) -> String {
    let options = Options::all() - Options::ENABLE_SMART_PUNCTUATION - Options::ENABLE_OLD_FOOTNOTES;
    let mut text = String::new();
    let mut open: Vec<(Tag, String)> = Vec::new();
    let mut headings = 0;
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML {h:?} in\n{md}"),
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => panic!("{tag:?} in\n{md}"),
            Event::Start(
                tag @ (Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Superscript | Tag::Subscript),
            ) => open.push((tag, String::new())),
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {
                let (tag, inside) = open.pop().unwrap();
                assert!(ours(&tag, &inside), "{tag:?} around {inside:?} in\n{md}");
                text.push_str(&inside);
            }
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(
                tag @ (Tag::CodeBlock(_)
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionList
                | Tag::MetadataBlock(_)),
            ) => {
                panic!("{tag:?} in\n{md}")
            }
            Event::Rule | Event::FootnoteReference(_) | Event::TaskListMarker(_) => {
                panic!("{event:?} in\n{md}")
            }
            Event::InlineMath(m) | Event::DisplayMath(m) => panic!("maths {m:?} in\n{md}"),
            Event::Code(code) => assert!(
                ours(&Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Indented), &code),
                "code {code:?} in\n{md}"
            ),
            Event::Text(t) => match open.last_mut() {
                Some((_, inside)) => inside.push_str(&t),
                None => text.push_str(&t),
            },
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::Heading(_)) => {
                text.push('\n')
            }
            _ => {}
        }
    }
    let blocks =
        doc.blocks.iter().filter(|b| matches!(b, fieldlog::export::document::Block::Heading(..))).count();
    assert_eq!(headings, blocks + 1, "headings:\n{md}");
    text
}

fn reads_back(text: &str, wanted: &str, md: &str) {
    assert!(text.contains(&flat(wanted)), "{wanted:?} does not read back from\n{md}\n\nread:\n{text}");
}

#[test]
fn a_transcript_shows_what_was_typed_as_text() {
    let (_dir, store, case, session) = study();
    let lines = store.utterances(session.id).unwrap();
    let narratives = store.narratives().unwrap();
    let doc = fieldlog::export::markdown::transcripts(
        NASTY[3],
        &[case],
        &[(session, lines.clone())],
        &narratives,
        &store.codebook().unwrap(),
    );
    let md = markdown(&doc);
    // Ours: the speaker and narrative titles in bold, events and notes in italics, line numbers as code.
    let ours = |tag: &Tag, inside: &str| match tag {
        Tag::Strong => inside == "AA" || NASTY.iter().any(|t| inside == format!("Narrative “{}”", flat(t))),
        Tag::Emphasis => NASTY.iter().any(|t| {
            [format!("[{}]", flat(t)), format!("(note) {}", flat(t)), format!("(pause {})", flat(t))]
                .contains(&inside.to_string())
        }),
        Tag::CodeBlock(_) => {
            inside.len() == 12 && inside[4..].chars().all(|c| c.is_ascii_digit() || c == ':')
        }
        _ => false,
    };
    let text = parse(&md, &doc, &ours);
    for t in NASTY {
        reads_back(&text, t, &md);
    }
    reads_back(&text, &format!("Place: {}.", NASTY[0]), &md);
}

#[test]
fn reports_show_what_was_typed_as_text() {
    let (_dir, store, case, _) = study();
    let study = Study::load(&store, false).unwrap();
    let nothing = |_: &Tag, _: &str| false;
    let doc = case_report(&store, &study, &case).unwrap();
    let md = markdown(&doc);
    let text = parse(&md, &doc, &nothing);
    for t in NASTY {
        reads_back(&text, t, &md);
        reads_back(&text, &format!("“{}”", flat(t)), &md);
        reads_back(&text, &format!("Memo: {}", flat(t)), &md);
        reads_back(&text, &format!("v{} {}", NASTY.iter().position(|n| n == t).unwrap(), flat(t)), &md);
        reads_back(&text, &format!("{} → job (mixed)", flat(t)), &md);
    }
    let page = html(&doc);
    assert!(!page.contains("<script") && !page.contains("<img") && !page.contains("<a "), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "{page}");

    let columns = fieldlog::domain::overview::Columns::ContactPoints;
    let doc = display_report(&store, &study, &[case], &columns, NASTY[6]).unwrap();
    let md = markdown(&doc);
    let text = parse(&md, &doc, &nothing);
    reads_back(&text, NASTY[6], &md);
    for t in NASTY {
        reads_back(&text, &format!("“{}”", flat(t)), &md);
    }
}
