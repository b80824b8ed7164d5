//! Parses the command line, then opens the full-screen app or runs one command.

fn main() {
    // Like other command-line tools, end quietly when the reader of our output
    // goes away (`fieldlog search x | head`) instead of panicking on the write.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(fieldlog::cli::main());
}
