//! Keymaps: key events become named actions through TOML files in `keymaps/`,
//! merged with the user's file; the help overlay is generated from them.

mod action;
pub mod keys;
mod load;

pub use action::{Action, Table, SPEAKER_KEYS, THEME_KEYS};
pub use load::{check_file, check_text, load, KeymapError, Loaded, SHIPPED};

use crokey::crossterm::event::KeyEvent;
use crokey::KeyCombination;
use std::collections::BTreeMap;

/// One key bound to one action, with the key as the file wrote it (for help).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub key: KeyCombination,
    pub written: String,
    pub action: Action,
}

/// The active keymap: bindings per table, after merging.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    pub name: String,
    tables: BTreeMap<Table, Vec<Binding>>,
}

impl Keymap {
    /// The action a key event means on `screen`; `None` if it means none
    /// (on a screen that takes typing, the caller then treats it as text).
    pub fn action(&self, screen: Table, event: KeyEvent) -> Option<Action> {
        self.action_for_key(screen, keys::from_event(event))
    }

    /// What the help overlay lists for `screen`: each action that has keys, in
    /// action order, with every key that reaches it from this screen.
    pub fn help(&self, screen: Table) -> Vec<(String, Action)> {
        Action::all()
            .into_iter()
            .filter_map(|action| self.keys_for(screen, action).map(|keys| (keys, action)))
            .collect()
    }

    /// The keys that give `action` on `screen`, joined for display ("alt-1, f1").
    pub fn keys_for(&self, screen: Table, action: Action) -> Option<String> {
        let mut written = Vec::new();
        for table in screen.lookup_order() {
            for binding in self.table(table).iter().filter(|b| b.action == action) {
                // A key the screen's own table uses for something else never reaches a later table.
                if self.action_for_key(screen, binding.key) == Some(action)
                    && !written.contains(&binding.written)
                {
                    written.push(binding.written.clone());
                }
            }
        }
        (!written.is_empty()).then(|| written.join(", "))
    }

    fn action_for_key(&self, screen: Table, key: KeyCombination) -> Option<Action> {
        screen
            .lookup_order()
            .into_iter()
            .find_map(|table| self.table(table).iter().find(|b| b.key == key).map(|b| b.action))
    }

    fn table(&self, table: Table) -> &[Binding] {
        self.tables.get(&table).map(Vec::as_slice).unwrap_or(&[])
    }

    fn bind(&mut self, table: Table, binding: Binding) {
        let list = self.tables.entry(table).or_default();
        list.retain(|b| b.key != binding.key);
        list.push(binding);
    }

    fn unbind(&mut self, table: Table, key: KeyCombination) {
        if let Some(list) = self.tables.get_mut(&table) {
            list.retain(|b| b.key != key);
        }
    }
}
