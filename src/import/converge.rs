//! Two codebooks made apart joined into one, and how the code ids of each
//! map onto the joined book. A group or a code given the same name on two
//! laptops before they synced is one group or code afterwards, under the
//! smaller of its two ids: a rule every laptop applies alike, whichever
//! side it meets the other from, so narratives coded with either id end
//! coded with the same one everywhere.

use crate::domain::{Codebook, Id};
use std::collections::HashMap;

/// `lead`'s groups and codes, in its order and with its names and
/// settings, then `other`'s that `lead` lacks (matched by id, else by
/// name). Returns the joined book and how many of `other`'s codes were new.
pub fn join_codebooks(lead: &Codebook, other: &Codebook) -> (Codebook, usize) {
    let mut book = lead.clone();
    let mut added = 0;
    for group in &other.groups {
        let found = book
            .groups
            .iter()
            .position(|g| g.id == group.id)
            .or_else(|| book.groups.iter().position(|g| g.name.eq_ignore_ascii_case(&group.name)));
        let Some(index) = found else {
            added += group.codes.len();
            book.groups.push(group.clone());
            continue;
        };
        let target = &mut book.groups[index];
        target.id = target.id.min(group.id);
        for code in &group.codes {
            let found = target
                .codes
                .iter()
                .position(|c| c.id == code.id)
                .or_else(|| target.codes.iter().position(|c| c.name.eq_ignore_ascii_case(&code.name)));
            match found {
                Some(i) => target.codes[i].id = target.codes[i].id.min(code.id),
                None => {
                    target.codes.push(code.clone());
                    added += 1;
                }
            }
        }
    }
    (book, added)
}

/// How the code ids of `from` that `to` does not hold map onto `to`'s
/// codes: the code of the same name in the group of the same id or name.
/// A code with no such counterpart is left out (it keeps its id).
pub fn code_ids_onto(from: &Codebook, to: &Codebook) -> HashMap<Id, Id> {
    let mut map = HashMap::new();
    for group in &from.groups {
        let target = to
            .groups
            .iter()
            .find(|g| g.id == group.id)
            .or_else(|| to.groups.iter().find(|g| g.name.eq_ignore_ascii_case(&group.name)));
        for code in &group.codes {
            if to.code(code.id).is_some() {
                continue;
            }
            let same_name =
                target.and_then(|g| g.codes.iter().find(|c| c.name.eq_ignore_ascii_case(&code.name)));
            if let Some(c) = same_name {
                map.insert(code.id, c.id);
            }
        }
    }
    map
}

/// `codes` with each id mapped by `map`, in their order, each once.
pub fn mapped_codes(codes: &[Id], map: &HashMap<Id, Id>) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::with_capacity(codes.len());
    for code in codes {
        let code = map.get(code).copied().unwrap_or(*code);
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GroupKind;

    fn two_laptops_add(name: &str) -> (Codebook, Codebook, Id, Id) {
        let base = Codebook::default_frame();
        let group = base.groups[0].id;
        let (mut a, mut b) = (base.clone(), base);
        let on_a = a.add_code(group, name).unwrap();
        let on_b = b.add_code(group, name).unwrap();
        (a, b, on_a, on_b)
    }

    #[test]
    fn a_code_of_one_name_added_on_two_laptops_is_one_code_under_the_smaller_id() {
        let (a, b, on_a, on_b) = two_laptops_add("hope");
        let kept = on_a.min(on_b);
        for (lead, other) in [(&a, &b), (&b, &a)] {
            let (book, added) = join_codebooks(lead, other);
            let hopes: Vec<Id> =
                book.groups[0].codes.iter().filter(|c| c.name == "hope").map(|c| c.id).collect();
            assert_eq!(hopes, [kept]);
            assert_eq!(added, 0);
            for side in [&a, &b] {
                let map = code_ids_onto(side, &book);
                let own = if std::ptr::eq(side, &a) { on_a } else { on_b };
                assert_eq!(map.get(&own).copied().unwrap_or(own), kept);
            }
        }
        // Whichever side leads, the two books come out the same.
        assert_eq!(join_codebooks(&a, &b).0, join_codebooks(&a, &join_codebooks(&b, &a).0).0);
    }

    #[test]
    fn a_group_of_one_name_made_on_two_laptops_is_one_group() {
        let (mut a, mut b) = (Codebook::default_frame(), Codebook::default_frame());
        let ga = a.add_group("setting", GroupKind::AnyOf).unwrap();
        let gb = b.add_group("Setting", GroupKind::AnyOf).unwrap();
        let ca = a.add_code(ga, "home").unwrap();
        let cb = b.add_code(gb, "home").unwrap();
        let (book, _) = join_codebooks(&b, &a);
        let settings: Vec<_> =
            book.groups.iter().filter(|g| g.name.eq_ignore_ascii_case("setting")).collect();
        assert_eq!(settings.len(), 1);
        assert_eq!(settings[0].id, ga.min(gb));
        assert_eq!(settings[0].codes.iter().map(|c| c.id).collect::<Vec<_>>(), [ca.min(cb)]);
        assert_eq!(
            mapped_codes(&[ca], &code_ids_onto(&a, &book)),
            mapped_codes(&[cb], &code_ids_onto(&b, &book))
        );
    }
}
