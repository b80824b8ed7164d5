//! What a QDA tool filters by: the cases' variables with their types, each
//! session's facts as variables of its source, and sets of sessions by
//! contact point and by kind.

use crate::domain::contacts::CaseContacts;
use crate::domain::{Case, Id, Session, VariableKind, Variables};
use chrono::NaiveDate;

/// A REFI variable type and how a value of it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Text,
    Integer,
    Float,
    Date,
}

impl Type {
    pub fn word(self) -> &'static str {
        match self {
            Type::Text => "Text",
            Type::Integer => "Integer",
            Type::Float => "Float",
            Type::Date => "Date",
        }
    }

    /// The element a value of this type is written in, and the value as the schema wants it.
    pub fn value(self, value: &str) -> (&'static str, String) {
        let value = value.trim();
        match self {
            Type::Text => ("TextValue", value.to_string()),
            Type::Integer => ("IntegerValue", value.to_string()),
            Type::Float => ("FloatValue", value.replace(',', ".")),
            Type::Date => ("DateValue", value.to_string()),
        }
    }

    fn fits(self, value: &str) -> bool {
        let value = value.trim();
        match self {
            Type::Text => true,
            Type::Integer => value.parse::<i64>().is_ok(),
            Type::Float => value.replace(',', ".").parse::<f64>().is_ok_and(f64::is_finite),
            Type::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
        }
    }
}

/// One variable: its name, type and stable GUID.
pub struct Variable {
    pub id: Id,
    pub name: String,
    pub kind: Type,
}

/// The cases' variables: every declared variable and every attribute key,
/// typed by the study's declaration when every value fits it (a number
/// variable whose values are all whole is an Integer), otherwise Text.
pub fn case_variables(cases: &[Case], declared: &Variables) -> Vec<Variable> {
    let mut names: Vec<String> = declared.variables.iter().map(|v| v.name.clone()).collect();
    for (key, _) in cases.iter().flat_map(|c| &c.attributes) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(key)) {
            names.push(key.clone());
        }
    }
    names
        .into_iter()
        .filter(|name| cases.iter().any(|c| c.attributes.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))))
        .map(|name| {
            let values: Vec<&str> = cases
                .iter()
                .flat_map(|c| &c.attributes)
                .filter(|(k, _)| k.eq_ignore_ascii_case(&name))
                .map(|(_, v)| v.as_str())
                .collect();
            let wanted: &[Type] = match declared.get(&name).map(|v| &v.kind) {
                Some(VariableKind::Number) => &[Type::Integer, Type::Float],
                Some(VariableKind::Date) => &[Type::Date],
                _ => &[],
            };
            let kind =
                wanted.iter().copied().find(|t| values.iter().all(|v| t.fits(v))).unwrap_or(Type::Text);
            Variable { id: Id::named(&format!("variable:{}", name.to_lowercase())), name, kind }
        })
        .collect()
}

/// The contact ledger's counts as case variables (the dropout a date).
pub const CONTACT_FACTS: [(&str, VariableKind); 4] = [
    ("contacts kept", VariableKind::Number),
    ("contacts held", VariableKind::Number),
    ("contacts missed", VariableKind::Number),
    ("dropped out", VariableKind::Date),
];

/// `cases` with their contact ledger's counts as attributes (where a case
/// has contact points and no attribute of that name), and `declared` with
/// those variables typed; `contacts` are in `cases`' order.
pub fn with_contacts(
    cases: &[Case],
    contacts: &[CaseContacts],
    declared: &Variables,
) -> (Vec<Case>, Variables) {
    let mut cases = cases.to_vec();
    let mut declared = declared.clone();
    for (case, k) in cases.iter_mut().zip(contacts).filter(|(_, k)| !k.points.is_empty()) {
        let values = [
            Some(k.kept().to_string()),
            Some((k.kept() + k.partial()).to_string()),
            Some(k.missed().to_string()),
            k.dropout.as_ref().map(|d| d.date.to_string()),
        ];
        for ((name, kind), value) in CONTACT_FACTS.iter().zip(values) {
            let Some(value) = value else { continue };
            if case.attributes.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
                continue;
            }
            case.attributes.push((name.to_string(), value));
            if declared.get(name).is_none() {
                declared
                    .variables
                    .push(crate::domain::Variable { name: name.to_string(), kind: kind.clone() });
            }
        }
    }
    (cases, declared)
}

/// The facts of a session that become variables of its source.
pub const SOURCE_FACTS: [(&str, Type); 6] = [
    ("case", Type::Text),
    ("session kind", Type::Text),
    ("contact point", Type::Integer),
    ("session date", Type::Date),
    ("place", Type::Text),
    ("speakers", Type::Text),
];

/// The source variables, named so that none meets a case variable's name.
pub fn source_variables(case_variables: &[Variable]) -> Vec<Variable> {
    SOURCE_FACTS
        .iter()
        .map(|(name, kind)| {
            let taken = case_variables.iter().any(|v| v.name.eq_ignore_ascii_case(name));
            let name = if taken { format!("{name} (session)") } else { name.to_string() };
            Variable { id: Id::named(&format!("source variable:{name}")), name, kind: *kind }
        })
        .collect()
}

/// A session's facts, in the order of `SOURCE_FACTS`.
pub fn source_values(session: &Session, case: &str) -> [String; 6] {
    let speakers: Vec<String> =
        session.speakers.iter().map(|s| format!("{} ({})", s.label, s.role)).collect();
    [
        case.to_string(),
        session.kind.word().to_string(),
        session.contact_point.to_string(),
        session.clock.started.format("%Y-%m-%d").to_string(),
        session.place_name(),
        speakers.join(", "),
    ]
}

/// A set of sources: its GUID, name, description and members.
pub struct Set {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub members: Vec<Id>,
}

/// One set per contact point and one per session kind, in a stable order.
pub fn sets(sessions: &[&Session]) -> Vec<Set> {
    let mut points: Vec<u32> = sessions.iter().map(|s| s.contact_point).collect();
    points.sort_unstable();
    points.dedup();
    let mut sets: Vec<Set> = points
        .into_iter()
        .map(|p| Set {
            id: Id::named(&format!("set:contact point {p}")),
            name: format!("contact point {p}"),
            description: format!("The sessions at contact point {p}"),
            members: sessions.iter().filter(|s| s.contact_point == p).map(|s| s.id).collect(),
        })
        .collect();
    for kind in crate::domain::SessionKind::ALL {
        let members: Vec<Id> = sessions.iter().filter(|s| s.kind == *kind).map(|s| s.id).collect();
        if !members.is_empty() {
            sets.push(Set {
                id: Id::named(&format!("set:kind {kind}")),
                name: format!("{kind} sessions"),
                description: format!("The sessions of kind {kind}"),
                members,
            });
        }
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CaseCode, Variable as Declared};
    use chrono::DateTime;

    fn case(code: &str, attributes: &[(&str, &str)]) -> Case {
        let now = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+01:00").unwrap();
        let attributes = attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Case::new(CaseCode::parse(code).unwrap(), attributes, now)
    }

    #[test]
    fn variables_take_the_type_every_value_fits() {
        let declared = Variables {
            variables: vec![
                Declared { name: "age".into(), kind: VariableKind::Number },
                Declared { name: "hours".into(), kind: VariableKind::Number },
                Declared { name: "first contact".into(), kind: VariableKind::Date },
                Declared { name: "unused".into(), kind: VariableKind::Number },
            ],
        };
        let cases = [
            case(
                "AA",
                &[("age", "34"), ("hours", "12,5"), ("first contact", "2026-03-02"), ("site", "Nord")],
            ),
            case("BB", &[("Age", "51"), ("hours", "20")]),
        ];
        let types: Vec<(String, Type)> =
            case_variables(&cases, &declared).into_iter().map(|v| (v.name, v.kind)).collect();
        assert_eq!(
            types,
            [
                ("age".into(), Type::Integer),
                ("hours".into(), Type::Float),
                ("first contact".into(), Type::Date),
                ("site".into(), Type::Text),
            ]
        );
        assert_eq!(Type::Float.value("12,5"), ("FloatValue", "12.5".into()));
    }

    #[test]
    fn a_source_variable_steps_aside_for_a_case_variable_of_the_same_name() {
        let cases = [case("AA", &[("Place", "Nord")])];
        let names: Vec<String> = source_variables(&case_variables(&cases, &Variables::default()))
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert!(
            names.contains(&"place (session)".to_string()) && names.contains(&"case".to_string()),
            "{names:?}"
        );
    }
}
