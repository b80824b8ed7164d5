//! fieldlog: live logging and narrative analysis for qualitative fieldwork.

pub mod audio;
pub mod cli;
pub mod dev;
pub mod domain;
pub mod export;
pub mod import;
pub mod keymap;
pub mod store;
pub mod sync;
pub mod tui;
