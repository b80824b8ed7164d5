//! Reading a REFI-QDA codebook exchange file (`.qdc`) into the study's
//! codebook. A top-level code with codes beneath it becomes a group, its
//! codes the group's codes (deeper codes join them as `PARENT / CHILD`);
//! top-level codes with nothing beneath them go to a group "imported codes".
//! A group's kind comes from fieldlog's sets ("one-of groups", "any-of
//! groups", "scale groups") when the file has them, otherwise any-of, the
//! kind that never refuses a narrative's codes; "retired groups and codes"
//! marks what is retired. A name fieldlog wrote as `GROUP: CODE` or
//! `NAME (retired)` (see `export::qdpx::codes`) is read back as the code's own.

use super::codebook::{line_at, merge_groups, CodeSpec, CodebookFileError, GroupSpec};
use crate::domain::Codebook;
use crate::export::codebook::qdc_set_name;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;

/// A `<Code>` as read: its attributes, line and the codes beneath it.
struct Node {
    guid: String,
    name: String,
    line: usize,
    description: String,
    children: Vec<Node>,
}

fn attribute(e: &BytesStart, key: &str) -> Option<String> {
    e.try_get_attribute(key)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::default()).ok())
        .map(|v| v.into_owned())
}

/// The codes and the sets (name → member GUIDs) of a `.qdc` text.
/// Each set's name and the GUIDs of its members.
type Sets = HashMap<String, Vec<String>>;

fn read(file: &str, text: &str) -> Result<(Vec<Node>, Sets), CodebookFileError> {
    let mut reader = Reader::from_str(text);
    let error = |at: u64, reason: String| CodebookFileError {
        file: file.to_string(),
        line: line_at(text, usize::try_from(at).unwrap_or(usize::MAX)),
        reason,
    };
    let mut roots: Vec<Node> = Vec::new();
    let mut open: Vec<Node> = Vec::new();
    let mut sets = Sets::new();
    let mut set: Option<String> = None;
    let mut in_description = false;
    let mut seen_root = false;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| error(reader.error_position(), format!("this is not well-formed XML: {e}")))?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let tag = e.local_name().as_ref().to_string();
                if !seen_root {
                    seen_root = true;
                    if tag != "CodeBook" {
                        return Err(error(at, format!("this is not a REFI codebook (.qdc): its root element is <{tag}>, not <CodeBook>")));
                    }
                    continue;
                }
                match tag.as_str() {
                    "Code" => {
                        let node = Node {
                            guid: attribute(&e, "guid").unwrap_or_default(),
                            name: attribute(&e, "name").unwrap_or_default(),
                            line: line_at(text, usize::try_from(at).unwrap_or(0)),
                            description: String::new(),
                            children: Vec::new(),
                        };
                        if node.name.trim().is_empty() {
                            return Err(error(at, "a <Code> has no name".into()));
                        }
                        if empty {
                            match open.last_mut() {
                                Some(parent) => parent.children.push(node),
                                None => roots.push(node),
                            }
                        } else {
                            open.push(node);
                        }
                    }
                    "Description" if !empty => in_description = true,
                    "Set" if !empty => {
                        let name = attribute(&e, "name").unwrap_or_default();
                        sets.entry(name.clone()).or_default();
                        set = Some(name);
                    }
                    "MemberCode" => {
                        let target = attribute(&e, "guid").or_else(|| attribute(&e, "targetGUID"));
                        if let (Some(name), Some(target)) = (&set, target) {
                            sets.entry(name.clone()).or_default().push(target);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_description => {
                let content = t.xml10_content();
                if set.is_none() {
                    if let Some(node) = open.last_mut() {
                        node.description.push_str(&content);
                    }
                }
            }
            Event::GeneralRef(r) if in_description => {
                let entity = format!("&{};", r.xml10_content());
                let resolved = quick_xml::escape::unescape(&entity).map_err(|e| error(at, e.to_string()))?;
                if let (None, Some(node)) = (&set, open.last_mut()) {
                    node.description.push_str(&resolved);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "Code" => {
                    let node = open.pop().expect("a closing tag matches an opening one in well-formed XML");
                    match open.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => roots.push(node),
                    }
                }
                "Description" => in_description = false,
                "Set" => set = None,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        let reason = if text.trim().is_empty() {
            "the file is empty: a REFI codebook (.qdc) starts with <CodeBook>"
        } else {
            "this is not a REFI codebook (.qdc): it has no <CodeBook> element"
        };
        return Err(error(0, reason.into()));
    }
    Ok((roots, sets))
}

/// `node` and every code beneath it, as codes of one group: `PARENT / CHILD` below the first level.
fn flatten<'a>(node: &'a Node, prefix: &str, out: &mut Vec<(String, &'a Node)>) {
    let name = if prefix.is_empty() { node.name.clone() } else { format!("{prefix} / {}", node.name) };
    out.push((name.clone(), node));
    for child in &node.children {
        flatten(child, &name, out);
    }
}

/// Merges a `.qdc` file's codes into `book`; on any error `book` is unchanged.
pub fn merge(book: &Codebook, file: &str, text: &str) -> Result<Codebook, CodebookFileError> {
    let (roots, sets) = read(file, text)?;
    let member =
        |key: &str, guid: &str| sets.get(qdc_set_name(key)).is_some_and(|m| m.iter().any(|g| g == guid));
    let kind_of =
        |guid: &str| ["one-of", "scale", "any-of"].into_iter().find(|k| member(k, guid)).unwrap_or("any-of");
    // A name fieldlog qualified or marked on export is read back as the code's own.
    let own_name = |group: &str, name: &str, retired: bool| {
        let name = name.strip_prefix(&format!("{group}: ")).unwrap_or(name);
        let name = if retired { name.strip_suffix(" (retired)").unwrap_or(name) } else { name };
        name.to_string()
    };
    let mut groups = Vec::new();
    let mut loose = Vec::new();
    for root in &roots {
        if root.children.is_empty() {
            loose.push(CodeSpec {
                name: root.name.clone(),
                line: root.line,
                description: root.description.trim().to_string(),
                retired: member("retired", &root.guid),
            });
            continue;
        }
        let mut codes = Vec::new();
        for child in &root.children {
            let mut flat = Vec::new();
            flatten(child, "", &mut flat);
            codes.extend(flat.into_iter().map(|(name, node)| {
                let retired = member("retired", &node.guid);
                CodeSpec {
                    name: own_name(&root.name, &name, retired),
                    line: node.line,
                    description: node.description.trim().to_string(),
                    retired,
                }
            }));
        }
        groups.push(GroupSpec {
            name: root.name.clone(),
            line: root.line,
            kind: kind_of(&root.guid).to_string(),
            kind_line: root.line,
            description: root.description.trim().to_string(),
            retired: member("retired", &root.guid),
            codes,
        });
    }
    if !loose.is_empty() {
        let line = loose[0].line;
        groups.push(GroupSpec {
            name: "imported codes".into(),
            line,
            kind: "any-of".into(),
            kind_line: line,
            description: String::new(),
            retired: false,
            codes: loose,
        });
    }
    merge_groups(book, file, groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GroupKind;
    use crate::export::codebook::to_qdc;

    /// A code's name, description and retired mark.
    type CodeShape = (String, String, bool);

    /// Groups with their kind, description and retired mark, and their codes likewise.
    fn shape(book: &Codebook) -> Vec<(String, GroupKind, String, bool, Vec<CodeShape>)> {
        book.groups
            .iter()
            .map(|g| {
                let codes =
                    g.codes.iter().map(|c| (c.name.clone(), c.description.clone(), c.retired)).collect();
                (g.name.clone(), g.kind, g.description.clone(), g.retired, codes)
            })
            .collect()
    }

    #[test]
    fn a_codebook_goes_out_as_qdc_and_comes_back_the_same() {
        let mut book = Codebook::default_frame();
        let worth = book.add_group("selvværd & <tro>", GroupKind::Scale).unwrap();
        let low = book.add_code(worth, "low").unwrap();
        book.describe(low, "lidt \"selvværd\" & tro på sig selv\nanden linje");
        let retired = book.find("agency:interplay").unwrap();
        book.toggle_retired(retired);
        let old_group = book.groups.iter().find(|g| g.name == "force").unwrap().id;
        book.toggle_retired(old_group);
        let text = to_qdc(&book);
        let back = merge(&Codebook::default(), "book.qdc", &text).unwrap();
        assert_eq!(shape(&back), shape(&book), "{text}");
    }

    #[test]
    fn another_tools_codebook_is_read_as_groups_and_codes() {
        let text = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
<Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="Arbejde" isCodable="true">
    <Description>Alt om arbejde</Description>
    <Code guid="00000000-0000-0000-0000-000000000002" name="Praktik" isCodable="true">
      <Code guid="00000000-0000-0000-0000-000000000003" name="Løntilskud" isCodable="true"/>
    </Code>
    <Code guid="00000000-0000-0000-0000-000000000004" name="Job" isCodable="true"/>
  </Code>
  <Code guid="00000000-0000-0000-0000-000000000005" name="Helbred" isCodable="true" color="#ff0000"/>
</Codes>
</CodeBook>"##;
        let book = merge(&Codebook::default(), "nvivo.qdc", text).unwrap();
        let arbejde = &book.groups[0];
        assert_eq!(
            (arbejde.name.as_str(), arbejde.kind, arbejde.description.as_str()),
            ("Arbejde", GroupKind::AnyOf, "Alt om arbejde")
        );
        let names: Vec<&str> = arbejde.codes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Praktik", "Praktik / Løntilskud", "Job"]);
        assert_eq!(book.groups[1].name, "imported codes");
        assert_eq!(book.groups[1].codes[0].name, "Helbred");
    }

    #[test]
    fn a_bad_file_is_refused_with_its_line_and_the_codebook_unchanged() {
        let book = Codebook::default_frame();
        let cases = [
            ("<CodeBook>\n<Codes>\n<Code name=\"a\">\n</Codes>\n</CodeBook>", 4, "not well-formed"),
            ("<Project>\n</Project>", 1, "not a REFI codebook"),
            ("", 1, "empty"),
            ("<CodeBook><Codes>\n<Code guid=\"x\" name=\" \"/></Codes></CodeBook>", 2, "has no name"),
            (
                "<CodeBook><Codes>\n<Code name=\"g\"><Code name=\"a\"/>\n<Code name=\"A\"/></Code></Codes></CodeBook>",
                3,
                "twice",
            ),
        ];
        for (text, line, reason) in cases {
            let e = merge(&book, "bad.qdc", text).unwrap_err();
            assert_eq!((e.line, e.reason.contains(reason)), (line, true), "{text}: {e}");
        }
    }
}
