//! Tools for developers, tests and benchmarks: never needed in the field.

pub mod generate;
pub mod sound;

/// Resident memory of this process in kilobytes (Linux), for `dev stats`.
pub fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resident memory by kind (anonymous, file pages), in kilobytes.
pub fn resident_parts_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name));
        line.and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    (field("RssAnon:"), field("RssFile:"))
}

/// The bytes the files under `dir` take.
pub fn size_on_disk(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(path) = todo.pop() {
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                if let Ok(entries) = std::fs::read_dir(&path) {
                    todo.extend(entries.flatten().map(|e| e.path()));
                }
            }
            Ok(m) => total += m.len(),
            Err(_) => {}
        }
    }
    total
}
