//! `session attach`, `session consent`, `session recording`.

use super::commands::{find_session, now};
use crate::import::recording::{attach as attach_to, note_consent, Attach, Keeping};
use crate::store::Store;
use anyhow::bail;
use std::path::Path;

/// Seconds (`12.5`, `-3`) or minutes and seconds (`1:30`, `-0:05`) as ms.
pub fn parse_offset(text: &str) -> anyhow::Result<i64> {
    let t = text.trim();
    let (sign, t) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let seconds = match t.split_once(':') {
        Some((m, s)) if s.len() == 2 => m
            .parse::<u32>()
            .ok()
            .zip(s.parse::<f64>().ok().filter(|s| *s < 60.0))
            .map(|(m, s)| f64::from(m) * 60.0 + s),
        Some(_) => None,
        None => t.parse::<f64>().ok(),
    };
    match seconds.filter(|s| s.is_finite()) {
        Some(s) => Ok(sign * (s * 1000.0).round() as i64),
        None => bail!("--offset {text:?} is no time: give seconds (12.5, -3) or minutes:seconds (1:30)"),
    }
}

pub fn attach(
    store: &Store,
    id: &str,
    file: &Path,
    link: bool,
    offset: Option<&str>,
    replace: bool,
) -> anyhow::Result<()> {
    let session = find_session(store, id)?;
    let offset_ms = offset.map(parse_offset).transpose()?;
    let keeping = if link { Keeping::Link } else { Keeping::Copy };
    let how = Attach { file, keeping, offset_ms, replace, made_here: false };
    let recording = attach_to(store, &session, how, now())?;
    println!("attached to session {id}: {}", recording.describe());
    Ok(())
}

pub fn consent(store: &Store, id: &str, speakers: &[String]) -> anyhow::Result<()> {
    let session = find_session(store, id)?;
    let labels: Vec<String> = if speakers.iter().any(|s| s == "all") {
        session.speakers.iter().map(|s| s.label.clone()).collect()
    } else {
        speakers.to_vec()
    };
    let consent = note_consent(store, &session, &labels, now()).map_err(anyhow::Error::msg)?;
    let missing = crate::domain::Consent::missing(Some(&consent), &session);
    if missing.is_empty() {
        println!("every speaker of session {id} agreed to be recorded");
    } else {
        println!("noted; still without consent to recording: {}", missing.join(", "));
    }
    Ok(())
}

pub fn show(store: &Store, id: &str, json: bool) -> anyhow::Result<()> {
    let session = find_session(store, id)?;
    for said in crate::import::recording::mend_unfinished(store).map_err(anyhow::Error::msg)? {
        eprintln!("{said}");
    }
    let Some(recording) = store.recording(session.id)? else {
        bail!("session {id} has no recording: attach one with `fieldlog session attach {id} FILE`")
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&recording)?);
        return Ok(());
    }
    println!("{}", recording.describe());
    if let Some(started) = session.recording_started {
        println!(
            "begins {} (session started {})",
            started.format("%Y-%m-%d %H:%M:%S%.3f"),
            session.clock.started.format("%H:%M:%S")
        );
    }
    println!("sha256 {}", recording.sha256);
    let missing = crate::domain::Consent::missing(store.consent(session.id)?.as_ref(), &session);
    if !missing.is_empty() {
        println!("no consent to recording noted for: {}", missing.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_offset;

    #[test]
    fn offsets_are_seconds_or_minutes_and_seconds_either_side() {
        assert_eq!(parse_offset("12.5").unwrap(), 12_500);
        assert_eq!(parse_offset("-3").unwrap(), -3_000);
        assert_eq!(parse_offset("1:30").unwrap(), 90_000);
        assert_eq!(parse_offset("-0:05").unwrap(), -5_000);
        for bad in ["", "1:3", "abc", "1:75", "nan"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }
}
