//! Exports: one module per format, reading through the store API.

pub mod codebook;
pub mod json;
