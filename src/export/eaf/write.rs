//! The planned document as EAF 3.0 XML, in the schema's order, written with
//! quick-xml so that every value is escaped.

use super::{entry_id, Anchor, Media, Plan, Tier, LANGUAGE, ONE_CODE, SEVERAL_CODES};
use crate::domain::CodeGroup;
use chrono::{DateTime, FixedOffset};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::collections::BTreeSet;
use std::io;

/// Text as XML 1.0 takes it: controls other than newline and tab dropped.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect()
}

/// An attribute value: clean, on one line.
fn attribute(text: &str) -> String {
    clean(text).replace(['\n', '\t'], " ")
}

type Xml = Writer<Vec<u8>>;

/// The document's text, indented as ELAN writes it.
pub(super) fn document(plan: &Plan, media: Option<&Media>, exported: DateTime<FixedOffset>) -> String {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 4);
    write(&mut xml, plan, media, exported).expect("writing to memory does not fail");
    let mut document = String::from_utf8(xml.into_inner()).expect("the document is UTF-8");
    document.push('\n');
    document
}

fn empty(xml: &mut Xml, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
    let attributes: Vec<(&str, String)> = attributes.iter().map(|(k, v)| (*k, attribute(v))).collect();
    xml.create_element(name)
        .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())))
        .write_empty()?;
    Ok(())
}

fn text(xml: &mut Xml, name: &str, attributes: &[(&str, &str)], content: &str) -> io::Result<()> {
    let attributes: Vec<(&str, String)> = attributes.iter().map(|(k, v)| (*k, attribute(v))).collect();
    xml.create_element(name)
        .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())))
        .write_text_content(BytesText::new(&clean(content)))?;
    Ok(())
}

fn write(
    xml: &mut Xml,
    plan: &Plan,
    media: Option<&Media>,
    exported: DateTime<FixedOffset>,
) -> io::Result<()> {
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let date = exported.to_rfc3339();
    let root = [
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xsi:noNamespaceSchemaLocation", "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"),
        ("AUTHOR", "fieldlog"),
        ("DATE", date.as_str()),
        ("FORMAT", "3.0"),
        ("VERSION", "3.0"),
    ];
    xml.create_element("ANNOTATION_DOCUMENT").with_attributes(root).write_inner_content(|xml| {
        header(xml, plan, media)?;
        let times: Vec<i64> = plan
            .tiers
            .iter()
            .flat_map(|t| &t.annotations)
            .flat_map(|a| match a.anchor {
                Anchor::Time(start, end) => vec![start, end],
                Anchor::Parent(..) => vec![],
            })
            .collect::<BTreeSet<i64>>()
            .into_iter()
            .collect();
        let slot = |t: i64| format!("ts{}", times.binary_search(&t).map_or(0, |p| p + 1));
        xml.create_element("TIME_ORDER").write_inner_content(|xml| {
            for (i, t) in times.iter().enumerate() {
                empty(
                    xml,
                    "TIME_SLOT",
                    &[("TIME_SLOT_ID", &format!("ts{}", i + 1)), ("TIME_VALUE", &t.to_string())],
                )?;
            }
            Ok(())
        })?;
        for tier in &plan.tiers {
            tier_element(xml, tier, &slot)?;
        }
        for t in &plan.types {
            let mut attributes = vec![
                ("GRAPHIC_REFERENCES", "false"),
                ("LINGUISTIC_TYPE_ID", t.id.as_str()),
                ("TIME_ALIGNABLE", if t.constraint.is_some() { "false" } else { "true" }),
            ];
            if let Some(c) = t.constraint {
                attributes.push(("CONSTRAINTS", c));
            }
            if let Some(v) = &t.vocabulary {
                attributes.push(("CONTROLLED_VOCABULARY_REF", v));
            }
            empty(xml, "LINGUISTIC_TYPE", &attributes)?;
        }
        let (id, definition, label) = LANGUAGE;
        empty(xml, "LANGUAGE", &[("LANG_ID", id), ("LANG_DEF", definition), ("LANG_LABEL", label)])?;
        for (stereotype, description) in [ONE_CODE, SEVERAL_CODES] {
            if plan.types.iter().any(|t| t.constraint == Some(stereotype)) {
                empty(xml, "CONSTRAINT", &[("DESCRIPTION", description), ("STEREOTYPE", stereotype)])?;
            }
        }
        for group in &plan.groups {
            vocabulary(xml, group)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn header(xml: &mut Xml, plan: &Plan, media: Option<&Media>) -> io::Result<()> {
    let last = plan.annotations.to_string();
    xml.create_element("HEADER")
        .with_attributes([("MEDIA_FILE", ""), ("TIME_UNITS", "milliseconds")])
        .write_inner_content(|xml| {
            if let Some(m) = media {
                let mut attributes = vec![("MEDIA_URL", m.url.as_str()), ("MIME_TYPE", m.mime_type)];
                if let Some(relative) = &m.relative_url {
                    attributes.push(("RELATIVE_MEDIA_URL", relative));
                }
                empty(xml, "MEDIA_DESCRIPTOR", &attributes)?;
            }
            for (name, value) in &plan.properties {
                text(xml, "PROPERTY", &[("NAME", name)], value)?;
            }
            text(xml, "PROPERTY", &[("NAME", "lastUsedAnnotationId")], &last)
        })?;
    Ok(())
}

fn tier_element(xml: &mut Xml, tier: &Tier, slot: &dyn Fn(i64) -> String) -> io::Result<()> {
    let mut attributes = vec![("LINGUISTIC_TYPE_REF", tier.kind.as_str())];
    if let Some(parent) = &tier.parent {
        attributes.push(("PARENT_REF", parent));
    }
    if let Some(participant) = &tier.participant {
        attributes.push(("PARTICIPANT", participant));
    }
    attributes.push(("TIER_ID", &tier.id));
    let attributes: Vec<(&str, String)> = attributes.iter().map(|(k, v)| (*k, attribute(v))).collect();
    let element =
        xml.create_element("TIER").with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())));
    if tier.annotations.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|xml| {
        for a in &tier.annotations {
            xml.create_element("ANNOTATION").write_inner_content(|xml| {
                let id = format!("a{}", a.id);
                let mut attributes = vec![("ANNOTATION_ID", id)];
                if let Some(entry) = &a.entry {
                    attributes.push(("CVE_REF", entry.clone()));
                }
                let name = match a.anchor {
                    Anchor::Time(start, end) => {
                        attributes.push(("TIME_SLOT_REF1", slot(start)));
                        attributes.push(("TIME_SLOT_REF2", slot(end)));
                        "ALIGNABLE_ANNOTATION"
                    }
                    Anchor::Parent(parent, previous) => {
                        attributes.push(("ANNOTATION_REF", format!("a{parent}")));
                        if let Some(p) = previous {
                            attributes.push(("PREVIOUS_ANNOTATION", format!("a{p}")));
                        }
                        "REF_ANNOTATION"
                    }
                };
                xml.create_element(name)
                    .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())))
                    .write_inner_content(|xml| text(xml, "ANNOTATION_VALUE", &[], &a.value))?;
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A code group as an ELAN controlled vocabulary: its codes as entries.
fn vocabulary(xml: &mut Xml, group: &CodeGroup) -> io::Result<()> {
    let language = LANGUAGE.0;
    xml.create_element("CONTROLLED_VOCABULARY")
        .with_attribute(("CV_ID", attribute(&group.name).as_str()))
        .write_inner_content(|xml| {
            let kind = format!("{} ({})", group.description, group.kind.word());
            text(xml, "DESCRIPTION", &[("LANG_REF", language)], kind.trim_start())?;
            for code in &group.codes {
                let description = if code.retired {
                    format!("(retired) {}", code.description)
                } else {
                    code.description.clone()
                };
                let mut attributes = vec![("LANG_REF", language)];
                if !description.trim().is_empty() {
                    attributes.insert(0, ("DESCRIPTION", description.trim()));
                }
                xml.create_element("CV_ENTRY_ML")
                    .with_attribute(("CVE_ID", entry_id(code.id).as_str()))
                    .write_inner_content(|xml| text(xml, "CVE_VALUE", &attributes, &code.name))?;
            }
            Ok(())
        })?;
    Ok(())
}
