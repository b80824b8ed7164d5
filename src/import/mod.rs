//! Imports: one module per format, each refusing bad input whole with its
//! line and reason.

pub mod codebook;
pub mod converge;
pub mod lineage;
pub mod merge;
pub mod merge_followup;
pub mod qdc;
pub mod recording;
pub mod renumber;
pub mod transcript;
