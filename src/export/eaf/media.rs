//! The recording an ELAN document links to: its URL, the way to it from the
//! document, and its media type.

use std::path::{Component, Path};

/// The recording a document links to (ELAN's MEDIA_DESCRIPTOR).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// A `file:` URL of the recording's absolute path.
    pub url: String,
    /// The path from the document's folder, so that ELAN finds the recording
    /// when both are moved together.
    pub relative_url: Option<String>,
    pub mime_type: &'static str,
}

/// Media types by file extension, as ELAN records them.
const MEDIA_TYPES: &[(&str, &str)] = &[
    ("wav", "audio/x-wav"),
    ("mp3", "audio/mpeg"),
    ("m4a", "audio/mp4"),
    ("ogg", "audio/ogg"),
    ("flac", "audio/flac"),
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("mpg", "video/mpeg"),
    ("mpeg", "video/mpeg"),
];

impl Media {
    /// The recording at `file`, for a document to be written at `document`.
    pub fn for_file(file: &Path, document: &Path) -> Result<Media, String> {
        let extension = file.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        let Some((_, mime_type)) = MEDIA_TYPES.iter().find(|(e, _)| *e == extension) else {
            let known: Vec<&str> = MEDIA_TYPES.iter().map(|(e, _)| *e).collect();
            return Err(format!(
                "{} is no recording ELAN plays: give a file ending in .{}",
                file.display(),
                known.join(", .")
            ));
        };
        let absolute = std::fs::canonicalize(file)
            .map_err(|e| format!("cannot find the recording {}: {e}", file.display()))?;
        let folder = match document.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let relative_url = std::fs::canonicalize(folder)
            .ok()
            .and_then(|folder| relative_path(&folder, &absolute))
            .map(|path| percent_encode(&path));
        let path = absolute.to_string_lossy().replace('\\', "/");
        let path = path.strip_prefix("//?/").unwrap_or(&path);
        let rooted = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        Ok(Media { url: format!("file://{}", percent_encode(&rooted)), relative_url, mime_type })
    }
}

/// `to` as seen from the folder `from` (both absolute): `./a.wav`, `../media/a.wav`.
fn relative_path(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    if from.first() != to.first() {
        return None; // another drive: no relative way
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec![".".to_string()];
    parts.extend(std::iter::repeat_n("..".to_string(), from.len() - common));
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.len() > 1 && parts[1] == ".." {
        parts.remove(0);
    }
    Some(parts.join("/"))
}

/// A path as URL text: bytes other than letters, digits, `-._~` and `/` as `%XX`.
fn percent_encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
