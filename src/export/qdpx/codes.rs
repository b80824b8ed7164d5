//! The codebook as REFI-QDA codes, shared by the project (`.qdpx`) and the
//! codebook exchange file (`.qdc`): each group a parent code that cannot be
//! coded, its codes beneath it.
//!
//! Names: QualCoder (and NVivo) keep one code per name, so a code name
//! that appears in more than one group (`low` under agency and under
//! self-worth) is written `GROUP: CODE` in every group it appears in
//! ("agency: low", "self-worth: low"); a name used once stays as it is.
//! A retired code is written `NAME (retired)`.

use super::super::xml::{attr, text};
use crate::domain::{Case, Codebook, Id};
use quick_xml::events::BytesText;
use quick_xml::Writer;
use std::collections::HashMap;
use std::io;

/// The name each code is written under: unique in the file, ignoring case.
pub fn code_names(book: &Codebook) -> HashMap<Id, String> {
    let base =
        |name: &str, retired: bool| if retired { format!("{name} (retired)") } else { name.to_string() };
    let mut uses: HashMap<String, usize> = HashMap::new();
    for code in book.groups.iter().flat_map(|g| &g.codes) {
        *uses.entry(base(&code.name, code.retired).to_lowercase()).or_default() += 1;
    }
    let mut names = HashMap::new();
    let mut taken: Vec<String> = Vec::new();
    for group in &book.groups {
        for code in &group.codes {
            let plain = base(&code.name, code.retired);
            let mut name =
                if uses[&plain.to_lowercase()] > 1 { format!("{}: {plain}", group.name) } else { plain };
            // A qualified name could still meet another code's own name.
            let stem = name.clone();
            let mut n = 1;
            while taken.contains(&name.to_lowercase()) {
                n += 1;
                name = format!("{stem} ({n})");
            }
            taken.push(name.to_lowercase());
            names.insert(code.id, name);
        }
    }
    names
}

/// `<Codes>…</Codes>`: groups (not codable) with their codes, then each of
/// `cases` as a code of its own under the case's GUID (see `cases_as_codes`).
pub fn write_codes<W: io::Write>(w: &mut Writer<W>, book: &Codebook, cases: &[Case]) -> io::Result<()> {
    let names = code_names(book);
    w.create_element("Codes").write_inner_content(|w| {
        for group in &book.groups {
            let id = group.id.to_string();
            let name = attr(&group.name);
            w.create_element("Code")
                .with_attributes([("guid", id.as_str()), ("name", &*name), ("isCodable", "false")])
                .write_inner_content(|w| {
                    description(w, &group.description)?;
                    for code in &group.codes {
                        let id = code.id.to_string();
                        let name = attr(&names[&code.id]);
                        let element = w.create_element("Code").with_attributes([
                            ("guid", id.as_str()),
                            ("name", &*name),
                            ("isCodable", "true"),
                        ]);
                        if code.description.is_empty() {
                            element.write_empty()?;
                        } else {
                            element.write_inner_content(|w| description(w, &code.description))?;
                        }
                    }
                    Ok(())
                })?;
        }
        for case in cases {
            let id = case.id.to_string();
            w.create_element("Code")
                .with_attributes([
                    ("guid", id.as_str()),
                    ("name", &*attr(case.code.as_str())),
                    ("isCodable", "true"),
                ])
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `<Description>` with `content`, if there is any.
pub fn description<W: io::Write>(w: &mut Writer<W>, content: &str) -> io::Result<()> {
    if !content.is_empty() {
        w.create_element("Description").write_text_content(BytesText::new(&text(content)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GroupKind;

    #[test]
    fn a_name_in_two_groups_is_qualified_in_both_and_others_stay_plain() {
        let mut book = Codebook::default_frame();
        let worth = book.add_group("self-worth", GroupKind::Scale).unwrap();
        book.add_code(worth, "low").unwrap();
        book.add_code(worth, "Agency: low").unwrap();
        let names = code_names(&book);
        let name = |path: &str| names[&book.find(path).unwrap()].clone();
        assert_eq!(name("agency:low"), "agency: low");
        assert_eq!(name("self-worth:low"), "self-worth: low");
        assert_eq!(name("self-worth:Agency: low"), "Agency: low (2)");
        assert_eq!(name("agency:high"), "high");
        let mut all: Vec<String> = names.values().map(|n| n.to_lowercase()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), names.len(), "every name is unique: {names:?}");
    }
}
