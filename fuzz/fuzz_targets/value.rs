#![no_main]
//! The value decoder: any bytes decode to a value or to a named error.
use fieldlog::domain::{Case, Narrative, Session, Utterance};
use fieldlog::store::envelope::{decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = decode::<Utterance>(data) {
        // Any line read back is written again and read back the same.
        let again = decode::<Utterance>(&encode(&line)).expect("a re-encoded line decodes");
        assert_eq!(decode::<Utterance>(&encode(&again)).ok(), Some(again));
    }
    let _ = decode::<Session>(data);
    let _ = decode::<Case>(data);
    let _ = decode::<Narrative>(data);
});
