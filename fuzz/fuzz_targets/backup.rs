#![no_main]
//! Backups: any text is a backup whose records fit together, or refused.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(study) = fieldlog::export::json::parse("fuzz.json", text) {
            let _ = fieldlog::export::json::changes(study);
        }
    }
});
