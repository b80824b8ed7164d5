//! Reading the study back: everything the screens, the command line and the
//! exports need, each as one scan or lookup.

use super::MASKS;
use super::{
    keys, Store, StoreError, CODEBOOK, CODEBOOK_KEY, DISMISSALS, DRAFTS, EFFORTS, EFFORT_KINDS, LINKS,
    NARRATIVES, ONLY, REVISIONS, SESSIONS, TEAM, UTTERANCES, VARIABLES,
};
use super::{CONTACTS, RECRUITMENT};
use crate::domain::contacts::{ContactLedger, ContactPlan, Recruitment};
use crate::domain::narrated::NarratedTime;
use crate::domain::MaskList;
use crate::domain::{
    Case, CaseCode, Codebook, Draft, Effort, EffortKinds, Id, Link, MarkDismissal, Narrative, Revision,
    Session, TeamKey, TeamValue, Utterance, Variables,
};

impl Store {
    pub fn cases(&self) -> Result<Vec<Case>, StoreError> {
        let mut cases: Vec<Case> = self.values(&self.sled.cases)?;
        cases.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(cases)
    }

    pub fn case(&self, id: Id) -> Result<Option<Case>, StoreError> {
        self.get(&self.sled.cases, id.as_bytes())
    }

    pub fn case_by_code(&self, code: &CaseCode) -> Result<Option<Case>, StoreError> {
        self.wait_for_apply();
        match self.sled.case_codes.get(code.as_str().as_bytes())? {
            // (Stores restored encrypted by an older fieldlog sealed the index too.)
            Some(id) => self.get(&self.sled.cases, &self.unseal(&id)?),
            None => Ok(None),
        }
    }

    pub fn session(&self, id: Id) -> Result<Option<Session>, StoreError> {
        self.get(self.tree(SESSIONS), id.as_bytes())
    }

    /// All sessions, oldest first (ids are time-ordered).
    pub fn sessions(&self) -> Result<Vec<Session>, StoreError> {
        self.values(self.tree(SESSIONS))
    }

    /// A session's lines in order, tombstones included.
    pub fn utterances(&self, session: Id) -> Result<Vec<Utterance>, StoreError> {
        self.tree(UTTERANCES).scan_prefix(session.as_bytes()).map(|item| self.read(&item?.1)).collect()
    }

    pub fn utterance(&self, session: Id, seq: u32) -> Result<Option<Utterance>, StoreError> {
        self.get(self.tree(UTTERANCES), &keys::line(session, seq))
    }

    pub fn utterance_count(&self, session: Id) -> Result<usize, StoreError> {
        Ok(self.last_seq(session)? as usize)
    }

    /// The highest line number of a session, 0 when it has none.
    pub fn last_seq(&self, session: Id) -> Result<u32, StoreError> {
        match self.tree(UTTERANCES).scan_prefix(session.as_bytes()).next_back() {
            Some(item) => Ok(keys::seq_of(&item?.0)),
            None => Ok(0),
        }
    }

    pub fn revisions(&self, session: Id) -> Result<Vec<Revision>, StoreError> {
        self.tree(REVISIONS).scan_prefix(session.as_bytes()).map(|item| self.read(&item?.1)).collect()
    }

    pub fn draft(&self, session: Id) -> Result<Option<Draft>, StoreError> {
        self.get(self.tree(DRAFTS), session.as_bytes())
    }

    /// The case code of every session, for lists that show where a line is from.
    pub fn session_case_codes(&self) -> Result<std::collections::HashMap<Id, String>, StoreError> {
        let cases = self.cases()?;
        Ok(self
            .sessions()?
            .into_iter()
            .map(|s| {
                let code =
                    cases.iter().find(|c| c.id == s.case_id).map(|c| c.code.to_string()).unwrap_or_default();
                (s.id, code)
            })
            .collect())
    }

    /// Every narrative, tombstones included, oldest first.
    pub fn all_narratives(&self) -> Result<Vec<Narrative>, StoreError> {
        self.values(self.tree(NARRATIVES))
    }

    /// The narratives in use (not deleted), oldest first.
    pub fn narratives(&self) -> Result<Vec<Narrative>, StoreError> {
        Ok(self.all_narratives()?.into_iter().filter(|n| !n.deleted).collect())
    }

    pub fn narratives_of(&self, session: Id) -> Result<Vec<Narrative>, StoreError> {
        Ok(self.narratives()?.into_iter().filter(|n| n.session == session).collect())
    }

    pub fn narrative(&self, id: Id) -> Result<Option<Narrative>, StoreError> {
        self.get(self.tree(NARRATIVES), id.as_bytes())
    }

    pub fn codebook(&self) -> Result<Codebook, StoreError> {
        Ok(self.get(self.tree(CODEBOOK), CODEBOOK_KEY)?.unwrap_or_default())
    }

    /// A session's mark dismissals, in line order.
    pub fn dismissals(&self, session: Id) -> Result<Vec<MarkDismissal>, StoreError> {
        self.tree(DISMISSALS).scan_prefix(session.as_bytes()).map(|item| self.read(&item?.1)).collect()
    }

    /// Whether the store holds no case and no session yet.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.cases()?.is_empty() && self.tree(SESSIONS).is_empty())
    }

    /// The line numbers of a session's marks that were dismissed in review.
    pub fn dismissed_marks(&self, session: Id) -> Result<Vec<u32>, StoreError> {
        self.tree(DISMISSALS).scan_prefix(session.as_bytes()).map(|item| Ok(keys::seq_of(&item?.0))).collect()
    }

    pub fn variables(&self) -> Result<Variables, StoreError> {
        Ok(self.get(self.tree(VARIABLES), ONLY)?.unwrap_or_default())
    }

    /// The study's mask list: what identifies people, and what to write instead.
    pub fn mask_list(&self) -> Result<MaskList, StoreError> {
        Ok(self.get(self.tree(MASKS), ONLY)?.unwrap_or_default())
    }

    pub fn effort_kinds(&self) -> Result<EffortKinds, StoreError> {
        Ok(self.get(self.tree(EFFORT_KINDS), ONLY)?.unwrap_or_default())
    }

    /// Every effort, oldest record first.
    pub fn efforts(&self) -> Result<Vec<Effort>, StoreError> {
        self.values(self.tree(EFFORTS))
    }

    pub fn effort(&self, id: Id) -> Result<Option<Effort>, StoreError> {
        self.get(self.tree(EFFORTS), id.as_bytes())
    }

    /// Every link, oldest first.
    pub fn links(&self) -> Result<Vec<Link>, StoreError> {
        self.values(self.tree(LINKS))
    }

    /// The study's contact rhythm (the founding study's if none was set).
    pub fn contact_plan(&self) -> Result<ContactPlan, StoreError> {
        Ok(self.get(self.tree(CONTACTS), keys::CONTACT_PLAN)?.unwrap_or_default())
    }

    /// Every case's contact ledger (cases with nothing recorded have none).
    pub fn contact_ledgers(&self) -> Result<Vec<ContactLedger>, StoreError> {
        self.tree(CONTACTS).scan_prefix(keys::LEDGER_PREFIX).map(|item| self.read(&item?.1)).collect()
    }

    pub fn contact_ledger(&self, case: Id) -> Result<Option<ContactLedger>, StoreError> {
        self.get(self.tree(CONTACTS), &keys::ledger(case))
    }

    /// Every narrated time set, by narrative.
    pub fn narrated_times(&self) -> Result<Vec<NarratedTime>, StoreError> {
        self.tree(CONTACTS).scan_prefix(keys::NARRATED_PREFIX).map(|item| self.read(&item?.1)).collect()
    }

    /// The recruitment log, oldest entry first.
    pub fn recruitment(&self) -> Result<Vec<Recruitment>, StoreError> {
        self.values(self.tree(RECRUITMENT))
    }

    /// Every case's contact points as of `today`, in case order.
    pub fn case_contacts(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<Vec<crate::domain::contacts::CaseContacts>, StoreError> {
        let (sessions, plan, ledgers) = (self.sessions()?, self.contact_plan()?, self.contact_ledgers()?);
        Ok(self
            .cases()?
            .iter()
            .map(|case| {
                let ledger = ledgers.iter().find(|l| l.case_id == case.id);
                crate::domain::contacts::case_contacts(case, &sessions, &plan, ledger, today)
            })
            .collect())
    }
}

/// The team tree (see `TeamValue`): sync bookkeeping and blind settings.
impl Store {
    pub fn team(&self, key: &str) -> Result<Option<TeamValue>, StoreError> {
        self.get(self.tree(TEAM), key.as_bytes())
    }

    /// The sessions coded blind (see `BlindSetting`).
    pub fn blind_sessions(&self) -> Result<std::collections::HashSet<Id>, StoreError> {
        Ok(self.blind_settings()?.into_iter().filter(|b| b.on).map(|b| b.session).collect())
    }

    /// The narratives `author` must not see: other coders' in blind sessions.
    pub fn narratives_hidden_from(&self, author: &str) -> Result<std::collections::HashSet<Id>, StoreError> {
        let blind = self.blind_sessions()?;
        if blind.is_empty() {
            return Ok(Default::default());
        }
        let all = self.all_narratives()?;
        Ok(all.into_iter().filter(|n| crate::domain::hidden_from(n, &blind, author)).map(|n| n.id).collect())
    }

    /// Every blind setting ever made, on or off.
    pub fn blind_settings(&self) -> Result<Vec<crate::domain::BlindSetting>, StoreError> {
        let prefix = TeamKey::blind_prefix();
        Ok(self
            .team_values(prefix)?
            .into_iter()
            .filter_map(|(key, value)| match (key[prefix.len()..].parse(), value) {
                (Ok(session), TeamValue::Blind(on)) => Some(crate::domain::BlindSetting { session, on }),
                _ => None,
            })
            .collect())
    }

    /// Every team value whose key starts with `prefix`, with its key.
    pub fn team_values(&self, prefix: &str) -> Result<Vec<(String, TeamValue)>, StoreError> {
        self.tree(TEAM)
            .scan_prefix(prefix.as_bytes())
            .map(|item| {
                let (key, value) = item?;
                Ok((String::from_utf8_lossy(&key).into_owned(), self.read(&value)?))
            })
            .collect()
    }
}
