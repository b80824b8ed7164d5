//! Keymap files: one bad fixture per rule, each refused with its line and
//! reason, by `fieldlog keymap check` and by the app (which then runs on the default).

mod common;

use fieldlog::keymap::{self, Action, Table};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keymaps").join(name)
}

fn check(name: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
        .args(["keymap", "check"])
        .arg(fixture(name))
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn each_bad_keymap_is_refused_with_file_line_and_reason() {
    let cases = [
        ("unknown-action.toml", ":3: ", "unknown action \"make-coffee\""),
        ("bad-key.toml", ":4: ", "\"hyper-q\" is not a key"),
        ("collision.toml", ":3: ", "\"shift-g\" is the same key as \"G\""),
        ("unknown-table.toml", ":4: ", "unknown table [reviews]"),
        ("eats-typing.toml", ":3: ", "would eat typing"),
        ("wrong-screen.toml", ":2: ", "commit-event means nothing in [home]"),
        ("bad-toml.toml", ":3: ", "is not valid TOML"),
        ("no-way-out.toml", ": ", "the live screen has no key to leave it"),
    ];
    for (name, line, reason) in cases {
        let (ok, stderr) = check(name);
        assert!(!ok, "{name} must be refused");
        assert!(stderr.contains(&format!("{name}{line}")), "{name}: {stderr}");
        assert!(stderr.contains(reason), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    }
}

#[test]
fn shipped_keymaps_and_a_good_override_pass_the_check() {
    for file in ["keymaps/default.toml", "keymaps/function-keys.toml"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
        let out = Command::new(env!("CARGO_BIN_EXE_fieldlog"))
            .args(["keymap", "check"])
            .arg(path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{file}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(check("good-override.toml").0);
}

#[test]
fn chords_a_terminal_cannot_send_are_warned_about() {
    let (ok, stderr) = check("ambiguous.toml");
    assert!(ok);
    assert!(stderr.contains("ambiguous.toml:2:") && stderr.contains("as enter"), "{stderr}");
}

#[test]
fn a_user_file_overrides_single_bindings_and_keeps_the_rest() {
    let loaded = keymap::load("default", Some(&fixture("good-override.toml")));
    assert!(loaded.refused.is_none());
    let keys = loaded.keymap;
    let alt = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT);
    assert_eq!(keys.action(Table::Live, alt('x')), Some(Action::CommitNote));
    assert_eq!(keys.action(Table::Live, alt('n')), Some(Action::CommitNote), "the default binding stays");
    assert_eq!(keys.action(Table::Live, alt('e')), None, "\"none\" unbinds");
    assert_eq!(keys.action(Table::Live, alt('2')), Some(Action::SwitchSpeaker(2)));
}

#[test]
fn a_bad_user_file_leaves_the_app_on_the_default_with_the_reason() {
    let loaded = keymap::load("default", Some(&fixture("unknown-action.toml")));
    let refused = loaded.refused.expect("refused").to_string();
    assert!(refused.contains("unknown-action.toml:3: unknown action"), "{refused}");
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(loaded.keymap.action(Table::Live, enter), Some(Action::CommitLine));
}

#[test]
fn the_default_keymap_binds_no_key_twice_on_any_screen() {
    let keys = keymap::load("default", None).keymap;
    for screen in Table::screens() {
        let help = keys.help(screen);
        let mut seen = Vec::new();
        for (written, _) in &help {
            for key in written.split(", ") {
                let parsed = keymap::keys::parse(key).unwrap();
                assert!(!seen.contains(&parsed), "{key} twice on {}", screen.name());
                seen.push(parsed);
            }
        }
        assert!(help.iter().any(|(_, a)| *a == Action::Help), "{} has help", screen.name());
    }
}

#[test]
fn every_action_has_a_key_in_the_default_keymap() {
    let keys = keymap::load("default", None).keymap;
    for action in Action::all() {
        assert!(
            Table::screens().any(|screen| keys.keys_for(screen, action).is_some()),
            "{action} has no key: a user could only reach it through their own keymap"
        );
    }
}
