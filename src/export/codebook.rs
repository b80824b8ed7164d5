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
