#![no_main]
//! A teammate's change file in the sync folder: any bytes give a header and
//! whole records, or a reason; no record is read past what is there.
use fieldlog::sync::file::{records, Header};
use fieldlog::sync::record::ChangeRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some((_, len))) = Header::read(data) {
        let read = records(data, len, 0);
        assert!(read.end as usize <= data.len());
        for (body, end) in read.records {
            assert!(end as usize <= data.len());
            let _ = ChangeRecord::from_body(&body, None);
        }
    }
});
