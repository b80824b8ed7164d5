//! Detectors that propose terms to mask; they never mask on their own.
//! Danish CPR numbers (DDMMYY-XXXX, with or without the dash, on a day the
//! calendar has), phone numbers (+45 and eight-digit Danish forms), e-mail
//! addresses, and capitalised words that do not begin a sentence.

use super::{fold, is_word_char, word_spans, MaskList, Masker};
use chrono::NaiveDate;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Cpr,
    Phone,
    Email,
    Name,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Cpr => "CPR number",
            Kind::Phone => "phone number",
            Kind::Email => "e-mail address",
            Kind::Name => "capitalised word",
        }
    }
}

/// Something a detector found: what, where (bytes) and the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub range: Range<usize>,
    pub text: String,
}

/// Capitalised words that are no one's name: the pronouns Danish capitalises.
const NEVER_NAMES: [&str; 4] = ["I", "De", "Dem", "Deres"];

/// Every finding in `text` that is neither listed (`masker`) nor allowed.
pub fn findings(text: &str, list: &MaskList, masker: &Masker) -> Vec<Finding> {
    let mut all: Vec<Finding> = numbers(text);
    all.extend(emails(text));
    let taken: Vec<Range<usize>> = all.iter().map(|f| f.range.clone()).collect();
    all.extend(
        names(text)
            .into_iter()
            .filter(|f| !taken.iter().any(|t| t.start < f.range.end && f.range.start < t.end)),
    );
    if all.is_empty() {
        return all;
    }
    let listed = masker.find(text);
    // A finding a listed term covers whole is masked already; one it only
    // touches (the name in an e-mail address) still says too much.
    let covered = |r: &Range<usize>| listed.iter().any(|f| f.range.start <= r.start && r.end <= f.range.end);
    all.retain(|f| !covered(&f.range) && !list.is_allowed(&f.text));
    all.sort_by_key(|f| f.range.start);
    all
}

/// Runs of digits with the separators a number is written with, split into CPR and phone findings.
fn numbers(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_plus = bytes[i] == b'+' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(bytes[i].is_ascii_digit() || starts_plus) || (i > 0 && is_joined(text, i)) {
            i += 1;
            continue;
        }
        // Digits, with single spaces or dashes between groups.
        let start = i;
        let mut end = i + usize::from(starts_plus);
        let mut digits = String::new();
        while end < bytes.len() {
            if bytes[end].is_ascii_digit() {
                digits.push(char::from(bytes[end]));
                end += 1;
            } else if matches!(bytes[end], b' ' | b'-') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end += 1;
            } else {
                break;
            }
        }
        // A number glued on by a dash (`…-8314-5835-…` in an id) is part of something else.
        let rest = &text[end..];
        let glued = rest.strip_prefix('-').unwrap_or(rest).starts_with(is_word_char);
        let whole = !glued;
        let raw = &text[start..end];
        if whole {
            if let Some(kind) = classify(raw, &digits) {
                out.push(Finding { kind, range: start..end, text: raw.to_string() });
            }
        }
        i = end.max(i + 1);
    }
    out
}

/// Whether the character before byte `i` glues a number to a word.
fn is_joined(text: &str, i: usize) -> bool {
    let mut before = text[..i].chars().rev();
    match before.next() {
        Some('-') => before.next().is_some_and(is_word_char),
        Some(c) => is_word_char(c) || c == '+',
        None => false,
    }
}

fn classify(raw: &str, digits: &str) -> Option<Kind> {
    let plus = raw.starts_with('+');
    let groups: Vec<&str> = raw.trim_start_matches('+').split([' ', '-']).collect();
    // CPR: DDMMYY-XXXX or DDMMYYXXXX, on a day the calendar has.
    let cpr_shape = matches!(groups.as_slice(), [a, b] if a.len() == 6 && b.len() == 4 && raw.contains('-'))
        || (groups.len() == 1 && digits.len() == 10);
    if !plus && cpr_shape && plausible_birthday(&digits[..6]) {
        return Some(Kind::Cpr);
    }
    // Phone: +45 and eight digits, or eight digits grouped 8, 4 4 or 2 2 2 2.
    let national = match digits.strip_prefix("45") {
        Some(rest) if plus => rest,
        _ if plus => return None,
        _ => digits,
    };
    let local: Vec<usize> = groups
        .iter()
        .skip(usize::from(plus && groups.first().is_some_and(|g| *g == "45")))
        .map(|g| g.len())
        .collect();
    let grouped = matches!(local.as_slice(), [8] | [4, 4] | [2, 2, 2, 2])
        || (plus && national.len() == 8 && local.len() == 1 && local[0] == 10);
    // Phone numbers are grouped with spaces; dashes join ids and dates.
    (national.len() == 8 && grouped && !raw.contains('-') && !national.starts_with(['0', '1']))
        .then_some(Kind::Phone)
}

/// Whether DDMMYY is a day in 1900–1999 or 2000–2099.
fn plausible_birthday(ddmmyy: &str) -> bool {
    let n = |r: Range<usize>| ddmmyy[r].parse::<u32>().unwrap_or(0);
    let (day, month, year) = (n(0..2), n(2..4), n(4..6));
    [1900, 2000].iter().any(|century| NaiveDate::from_ymd_opt((century + year) as i32, month, day).is_some())
}

/// `local@domain.tld`.
fn emails(text: &str) -> Vec<Finding> {
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start =
            text[..at].char_indices().rev().take_while(|(_, c)| local(*c)).last().map_or(at, |(i, _)| i);
        let end = text[at + 1..]
            .char_indices()
            .take_while(|(_, c)| domain(*c))
            .last()
            .map_or(at + 1, |(i, c)| at + 1 + i + c.len_utf8());
        let host = text[at + 1..end].trim_end_matches('.');
        let end = at + 1 + host.len();
        let tld_ok = host.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
        });
        if start < at && tld_ok {
            out.push(Finding { kind: Kind::Email, range: start..end, text: text[start..end].to_string() });
        }
    }
    out
}

/// Capitalised words that do not begin a sentence, a line or a quotation.
fn names(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for span in word_spans(text) {
        let word = &text[span.clone()];
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        if !first.is_uppercase() || word.chars().count() < 2 || NEVER_NAMES.contains(&word) {
            continue;
        }
        let before = text[..span.start].trim_end_matches([' ', '"', '“', '”', '«', '»', '(', '\'', '‘', '’']);
        let starts_sentence =
            before.is_empty() || before.ends_with(['.', '!', '?', ':', '\n', '…', '-', '–']);
        if !starts_sentence {
            out.push(Finding { kind: Kind::Name, range: span, text: word.to_string() });
        }
    }
    out
}

/// The distinct findings of many texts, each with how often and where first (the caller's label).
pub fn tally<'a, L: Clone>(
    texts: impl IntoIterator<Item = (L, &'a str)>,
    list: &MaskList,
    masker: &Masker,
) -> Vec<(Kind, String, usize, L)> {
    let mut seen: Vec<(Kind, String, usize, L)> = Vec::new();
    let mut index: std::collections::HashMap<(Kind, String), usize> = std::collections::HashMap::new();
    for (label, text) in texts {
        for f in findings(text, list, masker) {
            let key = (f.kind, fold(&f.text));
            match index.get(&key) {
                Some(&i) => seen[i].2 += 1,
                None => {
                    index.insert(key, seen.len());
                    seen.push((f.kind, f.text, 1, label.clone()));
                }
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let list = MaskList::default();
        findings(text, &list, &Masker::new(&list, None)).into_iter().map(|f| (f.kind, f.text)).collect()
    }

    #[test]
    fn cpr_numbers_on_real_days_with_or_without_the_dash() {
        assert_eq!(kinds("mit cpr er 010203-1234 ok"), [(Kind::Cpr, "010203-1234".into())]);
        assert_eq!(kinds("2902001234"), [(Kind::Cpr, "2902001234".into())]);
        assert!(kinds("321299-1234 og 011399-1234").is_empty(), "no 32nd day, no 13th month");
        assert!(kinds("3002001234").is_empty(), "no 30 February");
        assert!(kinds("x010203-1234").is_empty(), "glued to a word");
    }

    #[test]
    fn danish_phone_numbers_in_the_usual_forms() {
        for text in [
            "ring 42345678",
            "ring 22 33 44 55",
            "ring 2233 4455",
            "ring +45 22 33 44 55",
            "ring +4522334455",
        ] {
            let found = kinds(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, Kind::Phone, "{text}");
        }
        assert!(kinds("05123456 og 123 45 678 og +46 22334455").is_empty());
        assert!(
            kinds("guid 01a213cf-e436-7683-8314-5835c6eaa0bf og 2233-4455").is_empty(),
            "dashes join ids"
        );
    }

    #[test]
    fn e_mail_addresses() {
        assert_eq!(kinds("skriv til mette.h@koege.dk."), [(Kind::Email, "mette.h@koege.dk".into())]);
        assert!(kinds("@ alene og x@y og a@b.c1").is_empty());
    }

    #[test]
    fn capitalised_words_inside_a_sentence_not_at_its_start() {
        let found = kinds("Hun bor i Køge. Derfor ringede Mette. I skal komme, sagde De.\nJa, Netto.");
        let words: Vec<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(words, ["Køge", "Mette", "Netto"]);
    }

    #[test]
    fn listed_and_allowed_words_are_not_proposed() {
        let mut list = MaskList::default();
        list.add("Mette", "[sagsbehandleren]", None).unwrap();
        list.allow("Netto");
        let masker = Masker::new(&list, None);
        let found: Vec<String> = findings("med Mettes hjælp hos Netto i Køge", &list, &masker)
            .into_iter()
            .map(|f| f.text)
            .collect();
        assert_eq!(found, ["Køge"]);
        let found: Vec<String> =
            findings("skriv til mette@koege.dk", &list, &masker).into_iter().map(|f| f.text).collect();
        assert_eq!(found, ["mette@koege.dk"], "a term inside an address does not hide the address");
    }
}
