#![no_main]
//! Keymap files: any text is read or refused with a reason, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fieldlog::keymap::check_text("fuzz.toml", text);
    }
});
