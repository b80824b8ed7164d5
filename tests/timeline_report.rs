//! The time view as a figure: the timeline report's SVG, drawn from the
//! 19-case study, parsed as XML and checked for what a reader must find.

mod founding;

use fieldlog::export::document::html;
use fieldlog::export::report::Study;
use fieldlog::export::timeline_svg::{study_timeline, timeline_report, timeline_svg, Marks};
use fieldlog::store::Store;
use quick_xml::events::Event;
use quick_xml::Reader;

fn study() -> (tempfile::TempDir, Study) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("study"), None).unwrap();
    founding::build(&store);
    let mut study = Study::load(&store, false).unwrap();
    study.today = founding::today();
    (dir, study)
}

/// Every element's name and the text of `<title>`s and `<text>`s, reading the whole document as XML.
fn parse(svg: &str) -> (Vec<String>, Vec<String>) {
    let mut reader = Reader::from_str(svg);
    let (mut names, mut texts, mut text) = (Vec::new(), Vec::new(), String::new());
    let mut depth = 0i32;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not XML at {}: {e}", reader.buffer_position())) {
            Event::Start(e) => {
                depth += 1;
                text.clear();
                names.push(e.local_name().as_ref().to_string());
            }
            Event::Empty(e) => names.push(e.local_name().as_ref().to_string()),
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                text.push_str(&quick_xml::escape::unescape(&format!("&{};", r.xml10_content())).unwrap())
            }
            Event::End(_) => {
                depth -= 1;
                if !text.is_empty() {
                    texts.push(std::mem::take(&mut text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element closed");
    (names, texts)
}

#[test]
fn the_figure_is_well_formed_svg_with_a_lane_per_case() {
    let (_dir, study) = study();
    let svg = timeline_svg(&study_timeline(&study), Marks::Agency, false);
    let (names, texts) = parse(&svg);
    assert_eq!(names[0], "svg");
    assert_eq!(names.iter().filter(|n| *n == "g").count(), 19, "a lane per case");
    for code in founding::CASES.map(|c| c.0) {
        assert!(texts.iter().any(|t| t == code), "lane {code}");
    }
    for month in ["2025-01", "2025-06", "2025-10"] {
        assert!(texts.iter().any(|t| t == month), "month {month}");
    }
    assert_eq!(texts.iter().filter(|t| t.ends_with("missed") && t.starts_with("contact")).count(), 3);
    assert_eq!(texts.iter().filter(|t| t.ends_with("held in part") && t.starts_with("contact")).count(), 6);
    assert_eq!(texts.iter().filter(|t| *t == "dropped out").count(), 2 + 1, "two dropouts and the legend");
    assert_eq!(texts.iter().filter(|t| t.starts_with("told of: ")).count(), 2, "two narrated times");
    assert!(names.iter().filter(|n| *n == "circle").count() >= 62, "a mark per narrative");
    let voices = timeline_svg(&study_timeline(&study), Marks::Orientation, true);
    let (_, texts) = parse(&voices);
    assert!(texts.iter().any(|t| t == "prof.") && texts.iter().any(|t| t == "looking back"));
}

#[test]
fn the_html_page_holds_the_figure_and_its_caption() {
    let (_dir, study) = study();
    let page = html(&timeline_report(&study, Marks::Agency, false));
    let start = page.find("<svg").unwrap();
    let end = page.find("</svg>").unwrap() + "</svg>".len();
    parse(&page[start..end]);
    assert!(page.contains("<figcaption>The follow-up year of 19 cases, 2025-01 to 2025-10: sessions by kind"));
    if let Ok(path) = std::env::var("FIELDLOG_WRITE_TIMELINE") {
        std::fs::write(path, &page).unwrap();
    }
}
