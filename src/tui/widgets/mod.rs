//! Pieces of screens used in more than one place.

pub mod input;
pub mod prompt;
pub mod wrap;
