//! Show what was copied between two articles: the aligned passages with the differences marked,
//! the swapped words, how much of each text is covered, and the relation of B to A.
//!
//! ```text
//! cargo run --release --example explain -- A.txt B.txt
//! ```
//!
//! A is read as the source, B as the copy. In the passages (B's text), `[-old-]{+new+}` marks a
//! difference: A's words in `[-…-]`, B's in `{+…+}` (in colour on a terminal). The swapped words
//! are then listed, most frequent first, with the name they are part of when they are capitalized
//! ("House → Property  (White House → White Property)").

#[path = "common/out.rs"]
#[macro_use]
mod out;

use clap::Parser;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use wirecopy::align::{Aligner, Alignment, EditKind, Tokens};
use wirecopy::corpus::{read_text_file, DEFAULT_MAX_BYTES};
use wirecopy::relation::Relation;

/// Show the copied passages and swapped words between two articles.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// The source (original) article.
    a: PathBuf,
    /// The copy.
    b: PathBuf,
    /// Print only the summary and the swapped words, not the passages.
    #[arg(long, short)]
    quiet: bool,
    /// Never colour the output.
    #[arg(long)]
    no_color: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // As `cluster` reads a folder's files: binary, empty and over-size files are refused, invalid
    // UTF-8 is decoded lossily with a warning.
    let read = |p: &PathBuf| {
        let (text, warning) = read_text_file(p, DEFAULT_MAX_BYTES).map_err(|e| e.to_string())?;
        if let Some(w) = warning {
            errln!("warning: {w}");
        }
        Ok::<String, String>(text)
    };
    let (a, b) = match (read(&args.a), read(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            errln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let color = !args.no_color && std::io::stdout().is_terminal();
    let started = Instant::now();
    let (ta, tb) = (Tokens::new(&a), Tokens::new(&b));
    let al = Aligner::new().align_tokens(&ta, &tb);
    let took = started.elapsed();
    let rel = Relation::between(&al);
    outln!("A: {} ({} words)", args.a.display(), al.tokens_a);
    outln!("B: {} ({} words)", args.b.display(), al.tokens_b);
    outln!(
        "B is {}: {:.1}% of A and {:.1}% of B in {} copied passage(s); {} swaps ({:.1}% of B's \
         copied words), {:.1}% of the copied region changed; aligned in {:.2} ms",
        relation_to_a(&rel.label()),
        100.0 * rel.source_coverage,
        100.0 * rel.member_coverage,
        al.passages.len(),
        rel.swaps,
        100.0 * rel.swap_share,
        100.0 * rel.edit_share,
        took.as_secs_f64() * 1e3
    );
    if !args.quiet {
        print_passages(&a, &b, &al, color);
    }
    print_swaps(&a, &b, &ta, &tb, &al);
    ExitCode::SUCCESS
}

/// What B is to A, for the summary line: "a wrapped copy of A", "unrelated to A (...)".
fn relation_to_a(label: &str) -> String {
    match label {
        "unaligned" => "unrelated to A (no passage in common)".to_string(),
        "verbatim" => "a verbatim copy of A".to_string(),
        l if l.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {l} copy of A"),
        l => format!("a {l} copy of A"),
    }
}

fn print_passages(a: &str, b: &str, al: &Alignment, color: bool) {
    let (del, ins, end) = if color {
        ("\x1b[31m[-", "\x1b[32m{+", "\x1b[0m")
    } else {
        ("[-", "{+", "")
    };
    for (k, p) in al.passages.iter().enumerate() {
        outln!(
            "\npassage {}: A bytes {}..{} (words {}..{}), B bytes {}..{} (words {}..{}), {} words \
             matched, {} edits",
            k + 1,
            p.a.start,
            p.a.end,
            p.tokens_a.start,
            p.tokens_a.end,
            p.b.start,
            p.b.end,
            p.tokens_b.start,
            p.tokens_b.end,
            p.matched,
            p.edits.len()
        );
        let mut out = String::new();
        let mut at = p.b.start;
        for e in &p.edits {
            out.push_str(&b[at..e.b.start]);
            if e.kind != EditKind::Inserted {
                out.push_str(&format!("{del}{}-]{end}", &a[e.a.clone()]));
            }
            if e.kind != EditKind::Deleted {
                out.push_str(&format!("{ins}{}+}}{end}", &b[e.b.clone()]));
            }
            at = e.b.end.max(at);
        }
        out.push_str(&b[at..p.b.end]);
        for line in out.lines() {
            outln!("  {line}");
        }
    }
}

fn print_swaps(a: &str, b: &str, ta: &Tokens, tb: &Tokens, al: &Alignment) {
    // (A words, B words), case-insensitive -> (count, words in A, in B, phrase in A, in B).
    type Entry = (usize, String, String, String, String);
    let mut pairs: BTreeMap<(String, String), Entry> = BTreeMap::new();
    for e in al.swaps() {
        let (wa, wb) = (&a[e.a.clone()], &b[e.b.clone()]);
        let (pa, pb) = e.phrase(ta, tb);
        let key = (squash(wa).to_lowercase(), squash(wb).to_lowercase());
        let entry = pairs
            .entry(key)
            .or_insert_with(|| (0, squash(wa), squash(wb), squash(&a[pa]), squash(&b[pb])));
        entry.0 += 1;
    }
    let mut list: Vec<_> = pairs.into_values().collect();
    list.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then_with(|| x.1.to_lowercase().cmp(&y.1.to_lowercase()))
    });
    outln!("\nswapped words (A → B), {} distinct:", list.len());
    for (n, wa, wb, pa, pb) in list {
        let times = if n > 1 {
            format!(" ×{n}")
        } else {
            String::new()
        };
        if pa != wa || pb != wb {
            outln!("  {wa} → {wb}{times}  ({pa} → {pb})");
        } else {
            outln!("  {wa} → {wb}{times}");
        }
    }
}

/// Whitespace runs (newlines included) as single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
