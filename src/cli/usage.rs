//! A command line clap cannot read, said in one sentence (its usage block is
//! for `--help`, not for an error).

use clap::error::ErrorKind;

/// Prints help or the version as clap does; any other problem as one
/// sentence naming the bad input and where to read more. Returns the exit code.
pub fn refuse(e: clap::Error) -> i32 {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { 2 } else { 0 };
    }
    eprintln!("fieldlog: {}", sentence(&e));
    2
}

/// `the following required arguments were not provided: --kind <KIND>; see fieldlog session start --help`
pub fn sentence(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    // clap writes the problem, a blank line, then tips and the usage.
    let problem = rendered.split("\n\n").next().unwrap_or_default();
    let problem = problem.strip_prefix("error: ").unwrap_or(problem);
    let mut said = problem.split_whitespace().collect::<Vec<_>>().join(" ");
    if said.ends_with(':') {
        said.pop();
    }
    let tips: Vec<String> = rendered
        .lines()
        .filter_map(|l| l.trim().strip_prefix("tip: "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    if !tips.is_empty() {
        said += &format!(" ({})", tips.join("; "));
    }
    let usage = rendered.lines().find_map(|l| l.trim().strip_prefix("Usage: "));
    let command: Vec<&str> = usage
        .unwrap_or("fieldlog")
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    format!("{said}; see `{} --help`", command.join(" "))
}
