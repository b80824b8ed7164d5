//! Pieces of screens used in more than one place.

pub mod document;
pub mod header;
pub mod input;
pub mod lanes;
pub mod mask_question;
pub mod prompt;
pub mod transcript;
pub mod word_picker;
pub mod wrap;
