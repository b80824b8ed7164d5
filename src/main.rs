//! Parses the command line, then opens the full-screen app or runs one command.

fn main() {
    // Like other command-line tools, end quietly when the reader of our output
    // goes away (`fieldlog search x | head`) instead of panicking on the write.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Everything fieldlog writes holds study data: the store, backups,
    // exports. Readable by the user only, whatever makes the file.
    #[cfg(unix)]
    // SAFETY: setting the file mode mask before any thread starts.
    unsafe {
        libc::umask(0o077);
    }
    std::process::exit(fieldlog::cli::main());
}
