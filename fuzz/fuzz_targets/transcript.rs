#![no_main]
//! The transcript importer takes any bytes: it parses them or names a line.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((lines, speakers)) = fieldlog::import::transcript::parse(data) {
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|l| speakers.contains(&l.speaker)));
    }
});
