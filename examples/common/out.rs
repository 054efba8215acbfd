//! Standard output for the examples. `println!` panics when the reader has gone (`explain A B |
//! head`); [`outln!`] ends the program quietly instead, with status 0, since the reader took what
//! it wanted. Any other write error ends it with status 2 and a message.

/// `println!` to standard output, ending the program as the module says when the write fails.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            crate::out::write_failed(e)
        }
    }};
}

/// Ends the program after a failed write to standard output (see the module).
pub fn write_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0)
    }
    eprintln!("error: writing to standard output: {e}");
    std::process::exit(2)
}
