//! Parses the command line, then opens the full-screen app or runs one command.

fn main() {
    std::process::exit(fieldlog::cli::main());
}
