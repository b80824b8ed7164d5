//! The study's tables on the founding-shaped study of 19 cases, checked in
//! full: case variables cross-tabulated with totals, counts of sessions,
//! contacts and efforts, narratives by two code groups, two cases side by side.

mod founding;

use fieldlog::export::document::markdown;
use fieldlog::export::report::Study;
use fieldlog::export::tables_report::{code_display_report, compare_report, cross_report};
use fieldlog::store::Store;

fn study() -> (tempfile::TempDir, Study) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("study"), None).unwrap();
    founding::build(&store);
    let mut study = Study::load(&store, false).unwrap();
    study.today = founding::today();
    (dir, study)
}

#[test]
fn case_variables_cross_tabulate_with_totals() {
    let (_dir, study) = study();
    let table = |rows, cols| markdown(&cross_report(&study, rows, cols).ok().unwrap());
    assert_eq!(
        table("gender", "age group"),
        "\
# gender × age group

Counts cases by gender and age group.

| gender | 18-29 | 30-39 | 40-49 | 50-59 | total |
| --- | --- | --- | --- | --- | --- |
| f | 3 | 2 | 3 | 2 | 10 |
| m | 1 | 4 | 2 | 2 | 9 |
| total | 4 | 6 | 5 | 4 | 19 |
"
    );
    assert_eq!(
        table("site", "contact"),
        "\
# site × contact

Counts contacts kept (held) by site and contact.

| site | 1 | 2 | 3 | 4 | total |
| --- | --- | --- | --- | --- | --- |
| Nord | 10 | 9 | 8 | 7 (9) | 34 (36) |
| Syd | 9 | 7 (8) | 6 (8) | 6 (7) | 28 (32) |
| total | 19 | 16 (17) | 14 (16) | 13 (16) | 62 (68) |

Contacts: kept in full, with the contacts held at all (a partial one included) in parentheses when they differ — 3 (4) is three kept and one held in part. Missed counts contacts marked missed and past ones with nothing recorded.
"
    );
    assert_eq!(
        table("education", "outcome"),
        "\
# education × outcome

Counts efforts by education and outcome.

| education | ended early | ongoing | ordinary job | total |
| --- | --- | --- | --- | --- |
| none | 4 | 5 | 3 | 12 |
| vocational | 2 | 2 | 3 | 7 |
| total | 6 | 7 | 6 | 19 |
"
    );
    insta::assert_snapshot!("sessions_by_site_and_kind", table("site", "kind"));
    assert!(cross_report(&study, "colour", "site").err().unwrap().contains("rows \"colour\" are neither case nor a variable: the study's variables are gender, age group, education, site"));
    assert!(cross_report(&study, "site", "shoe")
        .err()
        .unwrap()
        .contains("neither kind, contact, outcome, effort nor a variable"));
}

#[test]
fn narratives_by_two_code_groups_and_two_cases_side_by_side() {
    let (_dir, study) = study();
    insta::assert_snapshot!(
        "agency_by_force",
        markdown(&code_display_report(&study, "agency", "force").ok().unwrap())
    );
    assert!(code_display_report(&study, "agency", "agency")
        .err()
        .unwrap()
        .contains("choose two code groups"));
    assert!(code_display_report(&study, "agency", "mood")
        .err()
        .unwrap()
        .contains("there is no code group \"mood\""));
    let case = |code: &str| study.cases.iter().find(|c| c.code.as_str() == code).unwrap().clone();
    insta::assert_snapshot!("compare_bb_and_ee", markdown(&compare_report(&study, &case("BB"), &case("EE"))));
}
