//! Tools for developers, tests and benchmarks: never needed in the field.

pub mod generate;
