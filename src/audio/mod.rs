//! Sound: a session's recording decoded, played from any line, and made
//! in fieldlog. No terminal and no store code: screens and commands hand
//! it bytes and a place to write.

pub mod alsa;
pub mod capture;
pub mod decode;
mod mp4;
pub mod output;
pub mod player;
pub mod stretch;

use std::fs::File;
use std::path::Path;

pub use decode::{Bytes, Info, Stream};
pub use player::Player;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file is no recording fieldlog can read; why.
    #[error("{0}")]
    Unreadable(String),
    /// No sound library or device: playback (or recording) is off; why.
    #[error("{0}")]
    NoDevice(String),
    #[error("{path}: {cause}")]
    Io { path: String, cause: String },
}

impl AudioError {
    /// Names `path` in an I/O error about it.
    pub fn io(path: &Path) -> impl Fn(std::io::Error) -> AudioError + '_ {
        move |e| AudioError::Io { path: path.display().to_string(), cause: crate::store::files::cause(&e) }
    }
}

/// A new file only the user can read; never one that was there.
fn create_new(path: &Path) -> Result<File, AudioError> {
    crate::store::files::create_private(path).map_err(AudioError::io(path))
}

/// Reads what a sound file is, decoding it to the end when its container
/// does not say its length.
pub fn inspect(bytes: Box<dyn Bytes>, len: Option<u64>, extension: Option<&str>) -> Result<Info, AudioError> {
    let mut stream = Stream::open(bytes, len, extension)?;
    if stream.info().frames == 0 {
        stream.measure()?;
    }
    Ok(stream.info().clone())
}
