//! Where an export's files are made: beside their place under a temporary
//! name, renamed into place only when the whole export has passed its
//! checks; dropped before that, every one of them is removed (and the
//! folder, if the export made it), so a refused or failed export leaves
//! nothing behind that could hold a masked term.

use super::ExportError;
use std::path::{Path, PathBuf};

#[derive(Default)]
pub struct Output {
    /// A folder this export made, removed again if the export fails.
    made: Option<PathBuf>,
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io { path: path.to_path_buf(), source }
}

impl Output {
    /// The folder `path`, made if need be.
    pub fn folder(&mut self, path: &Path) -> Result<(), ExportError> {
        if !path.is_dir() {
            // One level only: a mistyped path makes no folders all the way down.
            std::fs::create_dir(path).map_err(io(path))?;
            self.made.get_or_insert_with(|| path.to_path_buf());
        }
        Ok(())
    }

    /// A new file that becomes `path` when the export is finished; `at`
    /// is its index, for `file_mut`.
    pub fn file(&mut self, path: &Path) -> Result<usize, ExportError> {
        let beside = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map_or("export".into(), |n| n.to_string_lossy().into_owned());
        let file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(beside)
            .map_err(io(path))?;
        self.files.push((file, path.to_path_buf()));
        Ok(self.files.len() - 1)
    }

    pub fn file_mut(&mut self, at: usize) -> &mut std::fs::File {
        self.files[at].0.as_file_mut()
    }

    /// A whole file's bytes.
    pub fn put(&mut self, path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
        let at = self.file(path)?;
        std::io::Write::write_all(self.file_mut(at), bytes).map_err(io(path))
    }

    /// Every file into its place, in the order they were made; the paths.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, ExportError> {
        let mut placed = Vec::new();
        for (file, path) in std::mem::take(&mut self.files) {
            file.persist(&path).map_err(|e| ExportError::Io { path: path.clone(), source: e.error })?;
            placed.push(path);
        }
        self.made = None;
        Ok(placed)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // The temporary files remove themselves; then the folder, if it is ours and empty.
        self.files.clear();
        if let Some(folder) = &self.made {
            let _ = std::fs::remove_dir(folder);
        }
    }
}
