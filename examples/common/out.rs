//! Standard output for the examples. `println!` panics when the reader has gone (`explain A B |
//! head`); [`outln!`] ends the program quietly instead, with status 0, since the reader took what
//! it wanted. Any other write error ends it with status 2 and a message. Standard error (progress
//! and problems) goes through [`errln!`], which drops what nobody reads.

/// `println!` to standard output, ending the program as the module says when the write fails.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            crate::out::write_failed(e)
        }
    }};
}

/// `eprintln!` to standard error, which carries progress and problems only: when nobody reads
/// it any more (`cluster DIR 2>&1 | head`), the line is dropped and the program goes on, where
/// `eprintln!` would panic.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `eprint!` without a newline, as [`errln!`] does it (for `cluster --fast`'s progress; the
/// other examples share this module without it).
#[allow(unused_macros)]
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Prints a run's summary line: on stdout, or on stderr when stdout carries `--json -` or
/// `--jsonl -` output (`stdout_taken`).
#[allow(dead_code)]
pub fn summary(line: &str, stdout_taken: bool) {
    if stdout_taken {
        errln!("{line}");
    } else {
        outln!("{line}");
    }
}

/// Ends the program after a failed write to standard output (see the module).
pub fn write_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0)
    }
    errln!("error: writing to standard output: {e}");
    std::process::exit(2)
}
