//! The contact ledger: the founding study's appendix follow-up table
//! rebuilt from a study of 19 cases, checked in full.

mod founding;

use fieldlog::export::document::markdown;
use fieldlog::export::report::{contacts_report, Study};
use fieldlog::store::Store;

#[test]
fn the_appendix_follow_up_table_of_19_cases_is_rebuilt_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("study"), None).unwrap();
    founding::build(&store);
    let mut study = Study::load(&store, false).unwrap();
    study.today = founding::today();
    let expected = "\
# Contacts kept and missed

A contact every 3 months from the first, 4 contact points (changeable per case); as of 2026-03-01.

| case | 1 | 2 | 3 | 4 | contacts | missed | dropped out |
| --- | --- | --- | --- | --- | --- | --- | --- |
| AA | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| BB | ✓ | ✓ | ✓ | (x) | 3 (4) | 0 |  |
| CC | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| DD | ✓ | ✓ | (x) | ✓ | 3 (4) | 0 |  |
| EE | ✓ | ✓ | – | ✓ | 3 | 1 |  |
| FF | ✓ | ✓ | out | out | 2 | 0 | 2025-06-02: moved away |
| GG | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| HH | ✓ | (x) | ✓ | ✓ | 3 (4) | 0 |  |
| II | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| JJ | ✓ | ✓ | ✓ | – | 3 | 1 |  |
| KK | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| LL | ✓ | ✓ | (x) | (x) | 2 (4) | 0 |  |
| MM | ✓ | out | out | out | 1 | 0 | 2025-03-10: moved away |
| NN | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| OO | ✓ | ✓ | ✓ | (x) | 3 (4) | 0 |  |
| PP | ✓ | – | ✓ | ✓ | 3 | 1 |  |
| QQ | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| RR | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| SS | ✓ | ✓ | ✓ | ✓ | 4 | 0 |  |
| total | 19 | 16 (17) | 14 (16) | 13 (16) | 62 (68) | 3 | 2 |

Contacts: kept in full, with the contacts held at all (a partial one included) in parentheses when they differ — 3 (4) is three kept and one held in part. Missed counts contacts marked missed and past ones with nothing recorded.

✓ kept, (x) held in part, – missed, ? past with nothing recorded, · planned, out after dropping out

## Why

- BB contact 4, partial: meeting held without the person
- DD contact 3, partial: meeting held without the person
- EE contact 3, missed: visit cancelled
- HH contact 2, partial: meeting held without the person
- JJ contact 4, missed: the researcher was forgotten
- LL contact 3, partial: meeting held without the person
- LL contact 4, partial: meeting held without the person
- OO contact 4, partial: meeting held without the person
- PP contact 2, missed: the researcher was forgotten
";
    assert_eq!(markdown(&contacts_report(&study)), expected);
}
