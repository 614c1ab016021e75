//! The controlling terminal, for [`OsEnvironment::prompt_secret`](super::OsEnvironment):
//! an MFA code typed with echo off, as Python's `getpass.getpass` (botocore's prompter)
//! and git's own password prompt read one; on Windows the console.
//!
//! Never stdin or stdout: a git remote helper's belong to git (its protocol), and a
//! credential helper's too. The terminal is opened by name (`/dev/tty`), which works
//! when git's streams are pipes, and fails at once (`ENXIO`) in a process without a
//! controlling terminal: a daemon, CI, a GUI client.

use std::io;

#[cfg(any(unix, windows))]
use zeroize::Zeroizing;

/// The longest answer read; an MFA code is 6 digits.
#[cfg(any(unix, windows))]
const MAX_ANSWER: usize = 256;

/// Shows `prompt` on the controlling terminal and reads one line with echo off.
#[cfg(unix)]
pub(super) fn prompt_secret(prompt: &str) -> io::Result<String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    use rustix::termios::{self, LocalModes, OptionalActions, SpecialCodeIndex};

    // O_NOCTTY: should the name ever lead to a terminal we do not control, it must not
    // become our controlling terminal by being opened.
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::NOCTTY.bits() as i32)
        .open("/dev/tty")?;
    let saved = termios::tcgetattr(&tty)?;
    let mut quiet = saved.clone();
    // Echo off, as getpass. And byte by byte without signals: Ctrl-C then reaches us as
    // a byte and cancels with the terminal restored, where a SIGINT would end the
    // process with echo still off (getpass restores it from its `finally`; git's
    // prompt from a signal handler, which safe Rust cannot install).
    quiet
        .local_modes
        .remove(LocalModes::ECHO | LocalModes::ICANON | LocalModes::ISIG);
    quiet.special_codes[SpecialCodeIndex::VMIN] = 1;
    quiet.special_codes[SpecialCodeIndex::VTIME] = 0;
    // As getpass: the mode set (discarding what was typed ahead), then the prompt.
    termios::tcsetattr(&tty, OptionalActions::Flush, &quiet)?;
    let answer = {
        // The terminal comes back however the read ends.
        let _restore = Restore {
            tty: &tty,
            saved: &saved,
        };
        let mut io = &tty;
        io.write_all(prompt.as_bytes())?;
        io.flush()?;
        read_line(&mut io)
    };
    // The Enter the person typed was not echoed (nor a Ctrl-C: what follows, an error
    // say, starts on a line of its own).
    let _ = (&tty).write_all(b"\n");
    let answer = answer?;
    let text = std::str::from_utf8(&answer)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the answer is not UTF-8"))?;
    Ok(text.to_owned())
}

#[cfg(unix)]
struct Restore<'a> {
    tty: &'a std::fs::File,
    saved: &'a rustix::termios::Termios,
}

#[cfg(unix)]
impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let _ =
            rustix::termios::tcsetattr(self.tty, rustix::termios::OptionalActions::Now, self.saved);
    }
}

/// One line from the terminal without its line end, read without a buffer of its own
/// (nothing of the answer stays behind in memory but the wiped copy). The terminal
/// sends each byte as typed, so the line editing is done here: Backspace, Ctrl-U
/// (kill the line), Ctrl-C or Ctrl-\\ (cancel: [`io::ErrorKind::Interrupted`]),
/// Ctrl-D (end; on an empty line, no answer).
#[cfg(any(unix, windows))]
fn read_line(tty: &mut impl io::Read) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_ANSWER));
    let mut byte = [0u8; 1];
    let no_answer = || {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the terminal closed before an answer",
        )
    };
    loop {
        match tty.read(&mut byte) {
            Ok(0) if line.is_empty() => return Err(no_answer()),
            Ok(0) => break,
            Ok(_) => match byte[0] {
                0x04 if line.is_empty() => return Err(no_answer()),
                b'\n' | 0x04 => break,
                // Enter without ICRNL; the console's line end is "\r\n".
                b'\r' if cfg!(unix) => break,
                b'\r' => {}
                0x03 | 0x1c => {
                    return Err(io::Error::new(
                        io::ErrorKind::Interrupted,
                        "the prompt was cancelled",
                    ));
                }
                0x7f | 0x08 => {
                    line.pop();
                }
                0x15 => line.clear(),
                _ if line.len() >= MAX_ANSWER => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the answer is longer than {MAX_ANSWER} bytes"),
                    ));
                }
                b => line.push(b),
            },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(line)
}

/// The console (`CONIN$`, `CONOUT$`), whatever git's streams are, with
/// `ENABLE_ECHO_INPUT` off while the line is read, as Python's `getpass` on Windows
/// reads the console without echo. Untested: CI builds no Windows target.
#[cfg(windows)]
#[allow(unsafe_code)] // the console mode: no safe interface in std
pub(super) fn prompt_secret(prompt: &str) -> io::Result<String> {
    use std::io::Write;
    use std::os::windows::io::AsRawHandle;

    use windows_sys::Win32::System::Console::{ENABLE_ECHO_INPUT, GetConsoleMode, SetConsoleMode};

    struct Restore {
        handle: std::os::windows::io::RawHandle,
        mode: u32,
    }
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: the handle is the console input opened below, still open (the
            // guard drops before the file); the call only sets a mode.
            unsafe { SetConsoleMode(self.handle, self.mode) };
        }
    }

    let input = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("CONIN$")?;
    let mut output = std::fs::OpenOptions::new().write(true).open("CONOUT$")?;
    let handle = input.as_raw_handle();
    let mut mode = 0u32;
    // SAFETY: `handle` is the open console input; `mode` is a valid place to write.
    if unsafe { GetConsoleMode(handle, &mut mode) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above; the call only sets a mode.
    if unsafe { SetConsoleMode(handle, mode & !ENABLE_ECHO_INPUT) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let answer = {
        let _restore = Restore { handle, mode };
        output.write_all(prompt.as_bytes())?;
        output.flush()?;
        read_line(&mut &input)?
    };
    let _ = output.write_all(b"\r\n");
    let text = std::str::from_utf8(&answer)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the answer is not UTF-8"))?;
    Ok(text.to_owned())
}

/// No terminal prompt on other platforms.
#[cfg(not(any(unix, windows)))]
pub(super) fn prompt_secret(prompt: &str) -> io::Result<String> {
    let _ = prompt;
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no terminal prompt on this platform",
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_read_without_its_end_and_edited_as_typed() {
        for (input, want) in [
            (&b"123456\n"[..], &b"123456"[..]),
            (b"123456\r\nmore", b"123456"),
            (b"654321", b"654321"),
            (b"\n", b""),
            (b"1289\x7f\x7f34\x0856\n", b"12356"),
            (b"999\x15123456\n", b"123456"),
            (b"123456\x04more", b"123456"),
        ] {
            let got = read_line(&mut { input }).unwrap();
            assert_eq!(&got[..], want, "{input:?}");
        }
        for (input, kind) in [
            (&b""[..], io::ErrorKind::UnexpectedEof),
            (b"\x04", io::ErrorKind::UnexpectedEof),
            (b"12\x03", io::ErrorKind::Interrupted),
            (b"12\x1c34\n", io::ErrorKind::Interrupted),
        ] {
            let err = read_line(&mut { input }).unwrap_err();
            assert_eq!(err.kind(), kind, "{input:?}");
        }
        let long = vec![b'1'; MAX_ANSWER + 1];
        assert_eq!(
            read_line(&mut &long[..]).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
