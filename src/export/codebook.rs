//! The study's codebook as a TOML file that `codebook import` reads back.

use crate::domain::Codebook;
use std::fmt::Write;

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

pub fn to_toml(book: &Codebook) -> String {
    let mut out = String::from("# fieldlog codebook: groups are one-of, any-of or scale.\n");
    for group in &book.groups {
        let _ = write!(
            out,
            "\n[[group]]\nname = {}\nkind = {}\n",
            quoted(&group.name),
            quoted(group.kind.word())
        );
        if !group.description.is_empty() {
            let _ = writeln!(out, "description = {}", quoted(&group.description));
        }
        if group.retired {
            out.push_str("retired = true\n");
        }
        for code in &group.codes {
            let _ = write!(out, "\n[[group.code]]\nname = {}\n", quoted(&code.name));
            if !code.description.is_empty() {
                let _ = writeln!(out, "description = {}", quoted(&code.description));
            }
            if code.retired {
                out.push_str("retired = true\n");
            }
        }
    }
    out
}

/// The sets a `.qdc` carries fieldlog's own facts in: which groups are of
/// each kind, and which groups and codes are retired. Other tools show
/// them as code sets; `codebook import` reads them back.
pub const QDC_SETS: [(&str, &str); 4] = [
    ("one-of", "one-of groups: a narrative takes at most one of a group's codes"),
    ("any-of", "any-of groups: a narrative takes any number of a group's codes"),
    ("scale", "scale groups: ordered codes, a narrative takes at most one"),
    ("retired", "retired groups and codes: kept on old narratives, offered for no new one"),
];

/// The name of the set for `key` (a group kind's word, or "retired").
pub fn qdc_set_name(key: &str) -> &'static str {
    QDC_SETS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, description)| description.split(':').next().unwrap_or_default())
}

/// The codebook as a REFI-QDA codebook exchange file (`.qdc`), which NVivo,
/// ATLAS.ti, MAXQDA and QualCoder import: groups as parent codes, codes
/// beneath them (named as in a `.qdpx`), and the sets above.
pub fn to_qdc(book: &Codebook) -> String {
    use quick_xml::events::{BytesDecl, Event};
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 1);
    let written: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
        w.create_element("CodeBook")
            .with_attributes([("xmlns", "urn:QDA-XML:codebook:1.0"), ("origin", "fieldlog")])
            .write_inner_content(|w| {
                super::qdpx::codes::write_codes(w, book, &[])?;
                w.create_element("Sets").write_inner_content(|w| {
                    for (key, description) in QDC_SETS {
                        let members: Vec<String> = book
                            .groups
                            .iter()
                            .flat_map(|g| {
                                let group =
                                    (g.kind.word() == key || (key == "retired" && g.retired)).then_some(g.id);
                                let codes =
                                    g.codes.iter().filter(|c| key == "retired" && c.retired).map(|c| c.id);
                                group.into_iter().chain(codes)
                            })
                            .map(|id| id.to_string())
                            .collect();
                        if members.is_empty() {
                            continue;
                        }
                        let id = crate::domain::Id::named(&format!("codebook set:{key}")).to_string();
                        w.create_element("Set")
                            .with_attributes([("guid", id.as_str()), ("name", qdc_set_name(key))])
                            .write_inner_content(|w| {
                                super::qdpx::codes::description(w, description)?;
                                for member in &members {
                                    // The codebook schema names the member by `guid`
                                    // (a project's sets use `targetGUID`).
                                    w.create_element("MemberCode")
                                        .with_attribute(("guid", member.as_str()))
                                        .write_empty()?;
                                }
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
                Ok(())
            })?;
        Ok(())
    })();
    written.expect("writing XML into memory cannot fail");
    String::from_utf8(w.into_inner()).expect("the writer writes the UTF-8 it is given") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_codebook_imports_to_the_same_names() {
        let mut book = Codebook::default_frame();
        let low = book.find("low").unwrap();
        book.toggle_retired(low);
        let text = to_toml(&book);
        let fresh = crate::import::codebook::merge(&Codebook::default(), "x.toml", &text).unwrap();
        let names = |b: &Codebook| {
            b.groups
                .iter()
                .flat_map(|g| {
                    g.codes.iter().map(move |c| {
                        (g.name.clone(), g.kind, c.name.clone(), c.description.clone(), c.retired)
                    })
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&fresh), names(&book));
    }
}
