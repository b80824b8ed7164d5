#![no_main]
//! Codebook files merge or are refused whole with a line and a reason.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let book = fieldlog::domain::Codebook::default_frame();
        if let Ok(merged) = fieldlog::import::codebook::merge(&book, "fuzz.toml", text) {
            assert!(merged.groups.len() >= book.groups.len(), "a merge never removes a group");
        }
    }
});
