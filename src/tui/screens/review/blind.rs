//! Blind coding from review: the session is set so that each coder sees
//! only their own narratives in it (a second coder flags without seeing the
//! first's brackets, titles or codes); both sets are kept, each with its author.

use super::ReviewState;
use crate::domain::BlindSetting;
use crate::export::json::blind_change;
use crate::tui::screens::Effect;

impl ReviewState {
    /// Turns blind coding of the session on (other coders' narratives leave
    /// the screen at once) or off (they show when the session is opened again).
    pub(super) fn toggle_blind(&mut self) -> Effect {
        self.blind = !self.blind;
        let done = if self.blind {
            let author = self.author.clone();
            self.narratives.retain(|n| n.author == author);
            format!("Blind coding on: {author}, and every other coder, sees only their own narratives here.")
        } else {
            "Blind coding off: everyone's narratives show when the session is opened again.".to_string()
        };
        self.status = "Saving…".into();
        self.save(vec![blind_change(BlindSetting { session: self.session.id, on: self.blind })], done)
    }
}
