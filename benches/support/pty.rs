//! The real program in a real terminal: a pseudo-terminal whose other end
//! the bench types into and reads back, keeping the screen as a terminal
//! would (vt100), so a figure ends when the user could see it.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Terminal {
    master: File,
    child: Child,
    pub screen: vt100::Parser,
}

impl Terminal {
    /// Starts `program` with `args` in a new terminal of `cols` × `rows`.
    pub fn spawn(program: &Path, args: &[&OsStr], envs: &[(&str, &OsStr)], cols: u16, rows: u16) -> Terminal {
        let size = libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
        let (mut master, mut slave) = (0, 0);
        // SAFETY: the out-pointers are valid; name and termios may be null.
        let opened =
            unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: openpty gave us these two descriptors to own.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut command = Command::new(program);
        command.args(args).env("TERM", "xterm-256color");
        for (key, value) in envs {
            command.env(key, value);
        }
        command
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("starting the program in a terminal");
        Terminal { master, child, screen: vt100::Parser::new(rows, cols, 0) }
    }

    /// Types `bytes` (keys as a terminal sends them) and returns when they were sent.
    pub fn send(&mut self, bytes: &[u8]) -> Instant {
        self.master.write_all(bytes).expect("typing into the terminal");
        Instant::now()
    }

    /// Reads what the program draws until `seen` holds of the screen; returns
    /// when the read that made it hold arrived, or None after `limit`.
    pub fn wait_for(
        &mut self,
        limit: Duration,
        mut seen: impl FnMut(&vt100::Screen) -> bool,
    ) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        let mut buffer = [0u8; 1 << 16];
        loop {
            if seen(self.screen.screen()) {
                return Some(Instant::now());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let mut poll = libc::pollfd { fd: self.master.as_raw_fd(), events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut poll, 1, left.as_millis().min(1000) as i32 + 1) };
            if ready <= 0 {
                continue;
            }
            match self.master.read(&mut buffer) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.screen.process(&buffer[..n]),
            }
        }
    }

    /// Reads whatever the program drew in the next `wait`.
    pub fn settle(&mut self, wait: Duration) {
        let _ = self.wait_for(wait, |_| false);
    }

    /// The whole screen as text.
    pub fn text(&self) -> String {
        self.screen.screen().contents()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the program to end (after it was told to quit), reading
    /// what it draws meanwhile so it never blocks on a full terminal.
    pub fn wait_exit(mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            self.settle(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
