//! The command line's words for a session: start, show, list, end, and its
//! recording (attach, consent, show) and blind coding.

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum SessionCommand {
    /// Start a session and print its id
    Start {
        #[arg(long)]
        case: String,
        /// interview, observation, professional-interview, case-meeting or document
        #[arg(long)]
        kind: String,
        #[arg(long, default_value_t = 1)]
        contact: u32,
        #[arg(long, default_value = "job centre")]
        place: String,
        /// KEY=LABEL:ROLE or LABEL:ROLE (repeatable; default: the kind's usual speakers)
        #[arg(long = "speaker", value_name = "KEY=LABEL:ROLE")]
        speakers: Vec<String>,
    },
    /// Show a session and its lines
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// List sessions
    List {
        #[arg(long)]
        case: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// End a session now
    End { id: String },
    /// Attach the session's recording (WAV, MP3, M4A/AAC, FLAC, Ogg/Vorbis, Ogg/Opus): copied into the study unless --link
    Attach {
        id: String,
        file: PathBuf,
        /// Keep the file where it is and link to it (it must then stay there, unchanged)
        #[arg(long)]
        link: bool,
        /// When the recording began, after the session started: seconds or m:ss, negative if before (default: as noted live with alt-r, else the session's start)
        #[arg(long, allow_hyphen_values = true, value_name = "TIME")]
        offset: Option<String>,
        /// Put this recording in the place of the one the session has
        #[arg(long)]
        replace: bool,
    },
    /// Note that speakers agreed to be recorded (their labels, or `all`): recording in fieldlog needs every speaker's
    Consent {
        id: String,
        #[arg(required = true)]
        speakers: Vec<String>,
    },
    /// Show the session's recording: file, length, format, where it is kept, checksum
    Recording {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Code the session blind: each coder sees only their own narratives in it, on every screen
    /// and in search (for a second coder's independent coding); --off shows everyone's again
    Blind {
        id: String,
        #[arg(long)]
        off: bool,
    },
}
