//! One record of a change file: what one laptop changed between two syncs,
//! as JSON (a backup's form, cut down to the changed records), sealed with
//! the study's key in an encrypted study.

use crate::domain::{Id, Lineage, PurgedCase};
use crate::export::json::{StudyExport, VERSION};
use crate::store::FileKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "fieldlog-changes";

#[derive(Debug, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub format: String,
    /// The version of the study's JSON form the records are written in.
    pub version: u32,
    /// The laptop (store) that made the changes.
    pub laptop: Id,
    /// Who synced (`FIELDLOG_AUTHOR`, else the login name).
    pub author: String,
    /// The changed records and what they refer to.
    pub study: StudyExport,
    /// Each changed record by its sync name, with its version and the
    /// versions it was made from (see `import::lineage`).
    pub lineage: BTreeMap<String, Lineage>,
    /// Records sent only for what a change refers to: old news to a laptop that holds them.
    pub context: Vec<String>,
    /// Cases purged on this laptop: every laptop erases them too, and takes
    /// them from no change file again. (Absent in files of fieldlog before purges synced.)
    #[serde(default)]
    pub purged: Vec<PurgedCase>,
}

impl ChangeRecord {
    pub fn new(
        laptop: Id,
        author: &str,
        study: StudyExport,
        lineage: BTreeMap<String, Lineage>,
        context: Vec<String>,
    ) -> ChangeRecord {
        ChangeRecord {
            format: FORMAT.into(),
            version: VERSION,
            laptop,
            author: author.into(),
            study,
            lineage,
            context,
            purged: Vec::new(),
        }
    }

    pub fn to_body(&self, key: Option<&FileKey>) -> Vec<u8> {
        let plain = serde_json::to_vec(self).expect("a change record is always valid JSON");
        match key {
            Some(key) => key.seal(&plain),
            None => plain,
        }
    }

    /// A record's body read back; a reason in words if it cannot be.
    pub fn from_body(body: &[u8], key: Option<&FileKey>) -> Result<ChangeRecord, String> {
        let plain = match key {
            Some(key) => key.open(body).ok_or("a record does not open with the study's key")?,
            None => body.to_vec(),
        };
        let record: ChangeRecord =
            serde_json::from_slice(&plain).map_err(|e| format!("a record does not read: {e}"))?;
        if record.format != FORMAT {
            return Err(format!("a record's format is {:?}", record.format));
        }
        if record.version > VERSION {
            return Err(format!(
                "a record was written by a newer fieldlog (version {}); update fieldlog to read it",
                record.version
            ));
        }
        Ok(record)
    }
}
