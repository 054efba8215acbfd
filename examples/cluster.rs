//! The main job: cluster a folder of articles (one `.txt` per article) by underlying story.
//!
//! ```text
//! cargo run --release --example cluster -- [OPTIONS] [DIR]
//! ```
//!
//! With no DIR it runs on the built-in demo corpus. DIR may also be a `.jsonl` file of
//! `{"id","text"}` lines. Prints each cluster of two or more documents, each member with its
//! similarity to the cluster's representative, then a summary line.

mod common;

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
    /// Write one {"doc": NAME, "cluster": N} line per document to FILE.
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    /// Print at most this many clusters (the summary counts them all).
    #[arg(long, default_value_t = 100)]
    max_print: usize,
    /// Print only the summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Signature-only mode for very large corpora: streams the input, keeps one MinHash signature
    /// (word 5-grams) per document, and joins LSH candidates whose estimated Jaccard reaches
    /// --threshold. Finds near-verbatim copies only (not spun or heavily truncated ones).
    #[arg(long)]
    fast: bool,
    #[command(flatten)]
    pipeline: common::PipelineArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    if args.fast {
        return run_fast(args, started);
    }
    let config = args.pipeline.config()?;
    let docs = common::load_or_demo(args.dir.as_ref(), args.pipeline.max_bytes)?;
    let (detector, clusters) = args.pipeline.install(|| common::run(config, &docs))?;
    if !args.quiet {
        for (i, c) in clusters.clusters.iter().take(args.max_print).enumerate() {
            let rep = detector.name(c.representative).unwrap_or_default();
            println!(
                "cluster {} ({} documents, representative {rep})",
                i + 1,
                c.members.len()
            );
            let mut members = c.members.clone();
            members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (doc, score) in members {
                println!("  {score:.3}  {}", detector.name(doc).unwrap_or_default());
            }
        }
        if clusters.clusters.len() > args.max_print {
            println!(
                "... {} more clusters (raise --max-print to see them)",
                clusters.clusters.len() - args.max_print
            );
        }
    }
    if let Some(path) = &args.jsonl {
        common::write_jsonl(path, &detector, &clusters)?;
    }
    let in_clusters: usize = clusters.clusters.iter().map(|c| c.members.len()).sum();
    println!(
        "{} documents, {} clusters of copies ({} documents in them), {} clusters in all, {:.2} s",
        detector.len(),
        clusters.clusters.len(),
        in_clusters,
        clusters.clustering.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_fast(args: &Args, started: Instant) -> Result<(), String> {
    let demo = if args.dir.is_none() {
        eprintln!("no folder given: running on the built-in demo corpus (examples/demo)");
        common::demo_corpus()
    } else {
        Vec::new()
    };
    let out = common::fast::run(&args.pipeline, args.dir.as_deref(), demo)?;
    let groups = out.clustering.groups();
    if !args.quiet {
        for (i, members) in groups.iter().take(args.max_print).enumerate() {
            let rep = members[0];
            println!(
                "cluster {} ({} documents, representative {})",
                i + 1,
                members.len(),
                out.names[rep as usize]
            );
            for &m in members {
                let est = out.signatures[rep as usize]
                    .similarity(&out.signatures[m as usize])
                    .unwrap_or(0.0);
                println!("  {est:.3}  {}", out.names[m as usize]);
            }
        }
        if groups.len() > args.max_print {
            println!(
                "... {} more clusters (raise --max-print to see them)",
                groups.len() - args.max_print
            );
        }
    }
    if let Some(path) = &args.jsonl {
        common::write_labels(path, |d| out.names[d as usize].as_str(), &out.clustering)?;
    }
    let in_clusters: usize = groups.iter().map(Vec::len).sum();
    println!(
        "{} documents, {} clusters of copies ({} documents in them), {} clusters in all, {:.2} s",
        out.names.len(),
        groups.len(),
        in_clusters,
        out.clustering.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
