//! Exports: one module per format, reading through the store API.

pub mod codebook;
pub mod csv;
pub mod document;
pub mod eaf;
pub mod json;
pub mod markdown;
pub mod qdpx;
pub mod report;
pub mod xml;
