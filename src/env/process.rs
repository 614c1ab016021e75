//! The process part of the seam: running `credential_process` commands.

use std::fmt;
use std::time::Duration;

/// A command to run: a program looked up on `PATH` and its arguments, with no shell.
///
/// Built with [`ProcessRequest::new`]; more fields may come (an environment, a
/// directory), so it cannot be written as a struct literal outside this crate.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessRequest {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// How long it may run before it is killed.
    pub timeout: Duration,
    /// The most output kept from each of stdout and stderr; more is an error.
    pub max_output: usize,
}

impl ProcessRequest {
    /// Runs `argv` (program first), killed after `timeout`, keeping at most
    /// `max_output` bytes of each of stdout and stderr.
    pub fn new(argv: Vec<String>, timeout: Duration, max_output: usize) -> ProcessRequest {
        ProcessRequest {
            argv,
            timeout,
            max_output,
        }
    }
}

impl fmt::Debug for ProcessRequest {
    // Arguments can carry secrets (a vault token on the command line): show the program
    // and the count only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessRequest")
            .field("program", &self.argv.first())
            .field("args", &self.argv.len().saturating_sub(1))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How a process ended.
///
/// An [`Environment`](super::Environment) of your own builds one with
/// [`ProcessOutput::new`] and [`with_stdout`](ProcessOutput::with_stdout) /
/// [`with_stderr`](ProcessOutput::with_stderr).
#[non_exhaustive]
#[derive(Clone)]
pub struct ProcessOutput {
    /// The exit code; `None` if a signal ended it.
    pub code: Option<i32>,
    /// Everything it wrote to stdout (credentials: never log it).
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
}

impl ProcessOutput {
    /// A process that ended with exit code `code` (`None`: a signal ended it) and wrote
    /// nothing.
    pub fn new(code: Option<i32>) -> ProcessOutput {
        ProcessOutput {
            code,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// The same, having written `stdout` to its standard output.
    #[must_use]
    pub fn with_stdout(self, stdout: impl Into<Vec<u8>>) -> ProcessOutput {
        ProcessOutput {
            stdout: stdout.into(),
            ..self
        }
    }

    /// The same, having written `stderr` to its standard error.
    #[must_use]
    pub fn with_stderr(self, stderr: impl Into<Vec<u8>>) -> ProcessOutput {
        ProcessOutput {
            stderr: stderr.into(),
            ..self
        }
    }
}

impl fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessOutput")
            .field("code", &self.code)
            .field("stdout_len", &self.stdout.len())
            .field("stderr_len", &self.stderr.len())
            .finish()
    }
}

/// Why a process gave no output.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessErrorKind {
    /// The program was not found or could not be started.
    Spawn,
    /// It ran longer than the timeout and was killed.
    Timeout,
    /// It wrote more than the output limit and was killed.
    TooMuchOutput,
    /// This environment cannot run processes.
    Unsupported,
}

/// A process that could not be run to completion.
#[derive(Clone, Debug)]
pub struct ProcessError {
    kind: ProcessErrorKind,
    message: String,
}

impl ProcessError {
    /// An error of `kind`; `message` must not contain secrets.
    pub fn new(kind: ProcessErrorKind, message: impl Into<String>) -> ProcessError {
        ProcessError {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ProcessErrorKind {
        self.kind
    }
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProcessError {}
