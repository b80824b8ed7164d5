//! Pieces of screens used in more than one place.

pub mod header;
pub mod input;
pub mod prompt;
pub mod transcript;
pub mod wrap;
