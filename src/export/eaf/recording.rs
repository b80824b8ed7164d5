//! The recording an ELAN document of a session links to, when the session
//! has one attached: a linked file where it is; a copy in a plain study
//! where the study keeps it; and in an unmasked export, the recording
//! written beside the document (unsealed), linked by its relative path. A
//! masked export never carries the sound itself: the voices say the names.

use super::Media;
use crate::domain::{Kept, Recording};
use crate::store::Store;
use std::path::{Path, PathBuf};

/// The recording for the document at `document`: the link, a file written
/// (if any), or a note why there is no link.
pub fn link(
    store: &Store,
    recording: &Recording,
    document: &Path,
    unmasked: bool,
) -> Result<(Option<Media>, Option<PathBuf>), String> {
    match (&recording.kept, unmasked) {
        (Kept::Linked { path }, _) => Media::for_file(Path::new(path), document).map(|m| (Some(m), None)),
        (Kept::Copied { .. }, true) => {
            let beside = document.with_extension(recording.extension());
            let (mut bytes, _) = store.open_recording(recording).map_err(|e| e.to_string())?;
            let mut file = std::fs::File::create(&beside).map_err(|e| format!("{}: {e}", beside.display()))?;
            std::io::copy(&mut bytes, &mut file).map_err(|e| format!("{}: {e}", beside.display()))?;
            Media::for_file(&beside, document).map(|m| (Some(m), Some(beside)))
        }
        (Kept::Copied { sealed: false, file }, false) => {
            let kept = store.path().join(crate::store::recordings::FOLDER).join(file);
            Media::for_file(&kept, document).map(|m| (Some(m), None))
        }
        (Kept::Copied { sealed: true, .. }, false) => Err(format!(
            "{}: the recording {} is sealed in the encrypted study; give --unmasked to write it beside the document",
            document.display(),
            recording.name
        )),
    }
}
