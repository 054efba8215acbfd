//! The main job: cluster a folder of articles (one `.txt` per article) by underlying story.
//!
//! ```text
//! cargo run --release --example cluster -- [OPTIONS] [DIR]
//! ```
//!
//! With no DIR it runs on the built-in demo corpus. DIR may also be a `.jsonl` file of
//! `{"id","text"}` lines. Prints each cluster of two or more documents, each member with its
//! similarity to the cluster's representative, then a summary line. `--jsonl FILE` writes one
//! `{"doc", "cluster"}` line per document; `--jsonl -` writes them to stdout, which then gets no
//! other output (the summary goes to stderr).
//!
//! # Evidence: `--report FILE` and `--json FILE`
//!
//! For each cluster, the likely source is chosen (the earliest member when the JSONL lines have a
//! `date` field, else the member holding the most of the others' shared text), every other member
//! is aligned with it, and its relation is named: verbatim, truncated, wrapped, edited, spun (see
//! `wirecopy::relation` for the rules). `--report report.html` writes one self-contained HTML
//! file (inline CSS, no external resources) with the first `--max-print` clusters: members,
//! relations, scores, and the copied passages side by side with swapped words highlighted.
//! `--json FILE` (`-` for stdout, which then gets no other output) writes every cluster:
//!
//! ```text
//! {
//!   "documents": 1234,                       // documents read
//!   "clusters": [{
//!     "cluster": 1,                          // 1-based, in the order clusters are printed
//!     "source": "wire.txt",                  // name of the likely source
//!     "source_basis": "containment",         // or "date"
//!     "source_margin": 0.12,                 // lead over the runner-up; < 0.02: uncertain
//!     "members": [{                          // every member, the source included
//!       "doc": "copy.txt",
//!       "date": "2024-05-01" | null,         // the JSONL `date`, if any
//!       "similarity": 0.93,                  // detector score to the cluster representative
//!       "relation": "spun",                  // source|verbatim|truncated|wrapped|edited|spun|unaligned
//!       "traits": ["spun", "wrapped"],       // every rule that holds
//!       "source_coverage": 0.97,             // share of the source's words in copied passages
//!       "member_coverage": 0.81,             // share of this member's words in copied passages
//!       "source_outside": 0.0,               // share of the source before/after the passages
//!       "member_outside": 0.12,              // share of this member before/after the passages
//!       "swap_share": 0.18,                  // share of its copied words that are swapped
//!       "edit_share": 0.21,                  // share of the copied region that differs
//!       "swaps": 143,
//!       "moved": false,                      // passages in another order than in the source
//!       "passages": [{                       // empty for the source
//!         "source": [0, 5234],               // byte range in the source's text
//!         "member": [120, 5400],             // byte range in this member's text
//!         "source_tokens": [0, 812],         // word ranges
//!         "member_tokens": [20, 840],
//!         "matched": 700,                    // words identical on both sides
//!         "edits": [{
//!           "kind": "swap",                  // swap|inserted|deleted|rewritten
//!           "source": [1201, 1206], "member": [1290, 1298],
//!           "source_text": "House", "member_text": "Property"
//!         }]
//!       }]
//!     }]
//!   }]
//! }
//! ```
//!
//! Byte ranges are offsets into the UTF-8 text as read (invalid UTF-8 replaced by U+FFFD),
//! end exclusive.

// The output macros first: `common` uses them.
#[path = "common/out.rs"]
#[macro_use]
mod out;
mod common;
#[path = "common/report.rs"]
mod report;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Cluster news articles by underlying story: verbatim, truncated, wrapped, edited and spun copies.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Folder of `.txt` articles (searched recursively), or a `.jsonl` file of {"id","text"} lines.
    /// Without it, the built-in demo corpus is used.
    dir: Option<PathBuf>,
    /// Write one {"doc": NAME, "cluster": N} line per document to FILE (`-`: stdout, nothing else
    /// printed there).
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    /// Print at most this many clusters (the summary counts them all).
    #[arg(long, default_value_t = 100)]
    max_print: usize,
    /// Print only the summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Signature-only mode for very large corpora: streams the input, keeps one MinHash signature
    /// of the word n-grams and the set size per document, and joins LSH candidates whose estimated
    /// containment reaches --threshold. Finds verbatim, wrapped and truncated copies; not spun ones.
    /// It measures lines and bodies in space-separated words: for Chinese or Japanese text use the
    /// default pipeline.
    #[arg(long)]
    fast: bool,
    /// Write an HTML report (sources, relations, copied passages) of the printed clusters to FILE.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write the evidence for every cluster as JSON to FILE (`-`: stdout, nothing else printed).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    pipeline: common::PipelineArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit_code(run(&args).map(|()| true))
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    if common::is_stdout(args.jsonl.as_deref()) && common::is_stdout(args.json.as_deref()) {
        return Err("--jsonl - and --json - both write to stdout; give one a file".to_string());
    }
    if args.fast {
        if args.report.is_some() || args.json.is_some() {
            return Err("--report and --json need the full pipeline; drop --fast".to_string());
        }
        return run_fast(args, started);
    }
    let config = args.pipeline.config()?;
    let mut docs = common::load_or_demo(args.dir.as_ref(), args.pipeline.max_bytes)?;
    let keep_texts = args.report.is_some() || args.json.is_some();
    let (detector, clusters) = args
        .pipeline
        .install(|| common::run(config, &mut docs, keep_texts))?;
    let json_stdout = common::is_stdout(args.json.as_deref());
    // With `--json -` or `--jsonl -`, stdout carries only that; the summary goes to stderr.
    let stdout_taken = json_stdout || common::is_stdout(args.jsonl.as_deref());
    if !args.quiet && !stdout_taken {
        for (i, c) in clusters.clusters.iter().take(args.max_print).enumerate() {
            let rep = detector.name(c.representative).unwrap_or_default();
            outln!(
                "cluster {} ({} documents, representative {rep})",
                i + 1,
                c.members.len()
            );
            let mut members = c.members.clone();
            members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (doc, score) in members {
                outln!("  {score:.3}  {}", detector.name(doc).unwrap_or_default());
            }
        }
        if clusters.clusters.len() > args.max_print {
            outln!(
                "... {} more clusters (raise --max-print to see them)",
                clusters.clusters.len() - args.max_print
            );
        }
    }
    if let Some(path) = &args.jsonl {
        common::write_jsonl(path, &detector, &clusters)?;
    }
    let in_clusters: usize = clusters.clusters.iter().map(|c| c.members.len()).sum();
    let summary = format!(
        "{} documents, {} clusters of copies ({} documents in them), {} clusters in all",
        detector.len(),
        clusters.clusters.len(),
        in_clusters,
        clusters.clustering.len(),
    );
    if args.report.is_some() || args.json.is_some() {
        let explaining = Instant::now();
        let dates = args
            .dir
            .as_deref()
            .map(report::read_dates)
            .unwrap_or_default();
        let max = if args.json.is_some() {
            usize::MAX
        } else {
            args.max_print
        };
        let explained = args
            .pipeline
            .install(|| report::explain(&docs, &dates, &clusters, max))?;
        if let Some(path) = &args.report {
            let shown = explained.len().min(args.max_print);
            report::write_html(path, &docs, &dates, &explained[..shown], &summary)?;
        }
        if let Some(path) = &args.json {
            let value = report::json(&docs, &dates, &explained);
            if json_stdout {
                outln!("{value}");
            } else {
                std::fs::write(path, format!("{value}\n"))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        errln!(
            "explained {} clusters in {:.2} s",
            explained.len(),
            explaining.elapsed().as_secs_f64()
        );
    }
    let line = format!("{summary}, {:.2} s", started.elapsed().as_secs_f64());
    out::summary(&line, stdout_taken);
    // The process ends here and its memory goes with it: freeing every document's features one
    // by one first would only delay the exit.
    std::mem::forget((detector, clusters, docs));
    Ok(())
}

fn run_fast(args: &Args, started: Instant) -> Result<(), String> {
    let demo = if args.dir.is_none() {
        errln!("no folder given: running on the built-in demo corpus (examples/demo)");
        common::demo_corpus()
    } else {
        Vec::new()
    };
    let out = common::fast::run(&args.pipeline, args.dir.as_deref(), demo)?;
    let groups = out.clustering.groups();
    let stdout_taken = common::is_stdout(args.jsonl.as_deref());
    if !args.quiet && !stdout_taken {
        for (i, members) in groups.iter().take(args.max_print).enumerate() {
            let rep = members[0];
            outln!(
                "cluster {} ({} documents, representative {})",
                i + 1,
                members.len(),
                out.names[rep as usize]
            );
            for &m in members {
                let est = out.signatures[rep as usize]
                    .similarity(&out.signatures[m as usize])
                    .unwrap_or(0.0);
                outln!("  {est:.3}  {}", out.names[m as usize]);
            }
        }
        if groups.len() > args.max_print {
            outln!(
                "... {} more clusters (raise --max-print to see them)",
                groups.len() - args.max_print
            );
        }
    }
    if let Some(path) = &args.jsonl {
        common::write_labels(path, |d| out.names[d as usize].as_str(), &out.clustering)?;
    }
    let in_clusters: usize = groups.iter().map(Vec::len).sum();
    let line = format!(
        "{} documents, {} clusters of copies ({} documents in them), {} clusters in all, {:.2} s",
        out.names.len(),
        groups.len(),
        in_clusters,
        out.clustering.len(),
        started.elapsed().as_secs_f64()
    );
    out::summary(&line, stdout_taken);
    // As in `run`: the process ends here.
    std::mem::forget((out, groups));
    Ok(())
}
