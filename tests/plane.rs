//! Each case on the plane of agency × work identity (Figur 5.2), its path
//! between contacts: the report checked in full, its figure parsed as XML.

mod founding;

use fieldlog::domain::*;
use fieldlog::export::document::{html, markdown};
use fieldlog::export::report::Study;
use fieldlog::export::tables_report::plane_report;
use fieldlog::store::{Change, Store};

/// A contact point and the codes of the narrative told there.
type Told<'a> = (u32, &'a [&'a str]);

/// AA moves from low agency and weak work identity to high and strong; BB
/// stays in between; CC has narratives on one scale only.
fn study(store: &Store) {
    let mut book = store.codebook().unwrap();
    let identity = book.add_group("work identity", GroupKind::Scale).unwrap();
    for code in ["weak", "ambivalent", "strong"] {
        book.add_code(identity, code).unwrap();
    }
    store.commit(&[Change::Codebook(book)]).unwrap();
    let told: [(&str, &[Told]); 3] = [
        (
            "AA",
            &[
                (1, &["agency:low", "work identity:weak"]),
                (2, &["agency:interplay", "work identity:weak"]),
                (3, &["agency:high", "work identity:strong"]),
            ],
        ),
        (
            "BB",
            &[
                (1, &["agency:interplay", "work identity:ambivalent"]),
                (2, &["agency:interplay", "work identity:ambivalent"]),
            ],
        ),
        ("CC", &[(1, &["agency:high"])]),
    ];
    for (code, contacts) in told {
        let case = Case::new(CaseCode::parse(code).unwrap(), vec![], founding::at(0));
        store.add_case(&case).unwrap();
        for (point, codes) in contacts {
            let (s, changes) = founding::session(
                &case,
                SessionKind::Interview,
                *point,
                *point as i64 * 91,
                &["Sådan er det"],
            );
            store.commit(&changes).unwrap();
            store.commit(&[Change::Narrative(founding::narrative(store, &s, 1, "x", codes))]).unwrap();
        }
    }
    // A second narrative at AA's contact 2 pulls its identity halfway up.
    let aa2 = store.sessions().unwrap().into_iter().find(|s| s.contact_point == 2).unwrap();
    store
        .commit(&[Change::Narrative(founding::narrative(
            store,
            &aa2,
            1,
            "y",
            &["agency:interplay", "work identity:strong"],
        ))])
        .unwrap();
}

#[test]
fn cases_move_over_the_plane_of_two_scales() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("study"), None).unwrap();
    study(&store);
    let study = Study::load(&store, false).unwrap();
    let doc = plane_report(&study, "agency", "work identity").ok().unwrap();
    let expected = "\
# Cases on the plane of agency and work identity

Each case's place at each contact point: the mean of its narratives there on agency (0 low, 1 high) and on work identity (0 weak, 1 strong); a contact without narratives on both has none.

| case | contact 1 | contact 2 | contact 3 |
| --- | --- | --- | --- |
| AA | low × weak (0.00, 0.00) | interplay × ambivalent (0.50, 0.50) | high × strong (1.00, 1.00) |
| BB | interplay × ambivalent (0.50, 0.50) | interplay × ambivalent (0.50, 0.50) |  |
| CC |  |  |  |

## The plane

Each case by its code and contact point (AA·2: case AA at contact 2).

| work identity \\\\ agency | low | interplay | high |
| --- | --- | --- | --- |
| strong |  |  | AA·3 |
| ambivalent |  | AA·2 BB·1 BB·2 |  |
| weak | AA·1 |  |  |

*Figure (in the HTML report): Each case's path over agency × work identity from contact to contact.*
";
    assert_eq!(markdown(&doc), expected);
    let page = html(&doc);
    let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap() + 6];
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut circles = 0;
    loop {
        match reader.read_event().expect("the figure is XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) if e.local_name().as_ref() == "circle" => circles += 1,
            _ => {}
        }
    }
    assert_eq!(circles, 5, "a point per case and contact with a position");
    if let Ok(path) = std::env::var("FIELDLOG_WRITE_PLANE") {
        std::fs::write(path, &page).unwrap();
    }
    assert!(plane_report(&study, "agency", "force").err().unwrap().contains("\"force\" is not a scale"));
    assert!(plane_report(&study, "agency", "agency").err().unwrap().contains("choose two scale groups"));
}
