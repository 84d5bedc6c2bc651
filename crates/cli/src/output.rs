//! Standard output and standard error that never panic.
//!
//! `print!` panics when stdout is a closed pipe (`kmsim run ... | head`) or a full disk (`> /dev/full`). Every
//! command writes through [`Out`] instead: the first write error is kept and later output is dropped, so the command
//! runs to its end and [`Out::finish`] decides the exit code. A closed pipe is not an error (the reader has what it
//! wanted): the command exits silently with the code it would have had. Any other write error prints one line on
//! stderr and exits [`WRITE_ERROR`]. Diagnostics on stderr go through [`err`], which ignores a stderr that cannot be
//! written (there is nowhere left to report that).

use std::io::{self, ErrorKind, StdoutLock, Write};

/// The exit code when the output cannot be written (the same code as a file that cannot be read).
pub const WRITE_ERROR: u8 = 3;

/// Standard output (line-buffered by std, so lines keep their order with stderr's) that remembers its first write
/// error.
pub struct Out {
    inner: StdoutLock<'static>,
    failed: Option<io::Error>,
}

impl Out {
    pub fn stdout() -> Out {
        Out { inner: io::stdout().lock(), failed: None }
    }

    /// Writes `text` unless an earlier write failed.
    pub fn print(&mut self, text: &str) {
        if self.failed.is_none() {
            if let Err(e) = self.inner.write_all(text.as_bytes()) {
                self.failed = Some(e);
            }
        }
    }

    /// Writes `text` and a newline.
    pub fn println(&mut self, text: &str) {
        self.print(text);
        self.print("\n");
    }

    /// Flushes and turns the command's exit `code` into the process's: `code` itself when everything was written or
    /// the reader closed the pipe, [`WRITE_ERROR`] (with a message on stderr) on any other write error.
    pub fn finish(mut self, code: u8) -> u8 {
        if self.failed.is_none() {
            if let Err(e) = self.inner.flush() {
                self.failed = Some(e);
            }
        }
        match self.failed {
            None => code,
            Some(e) if e.kind() == ErrorKind::BrokenPipe => code,
            Some(e) => {
                err(&format!("error: cannot write the output: {}", os_message(&e)));
                WRITE_ERROR
            }
        }
    }
}

/// Writes one line on stderr; a stderr that cannot be written is ignored.
pub fn err(line: &str) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(line.as_bytes()).and_then(|()| e.write_all(b"\n"));
}

/// Writes `text` as is on stderr; a stderr that cannot be written is ignored.
pub fn err_raw(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// The system's message for `e` without the `(os error N)` suffix, lower-cased first letter (`no space left on
/// device`).
fn os_message(e: &io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown error".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_messages_read_as_one_lower_case_line() {
        assert_eq!(os_message(&io::Error::from_raw_os_error(28)), "no space left on device");
        assert_eq!(os_message(&io::Error::other("Bad thing")), "bad thing");
    }
}
