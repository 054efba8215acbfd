//! Find where your articles were republished: the pages of a folder that copy each of them.
//!
//! ```text
//! cargo run --release --example find -- STORY.txt [MORE.txt ...] --in DIR [--jsonl FILE]
//! ```
//!
//! The pages of DIR (a folder of `.txt` files, or a JSONL file of `{"id","text"}` lines) are
//! shingled as `cluster` shingles them, so the folder's own site boilerplate is learned; then each
//! story is looked up ([`wirecopy::Detector::query`]) and its copies are printed best first: the
//! similarity, what the page is to the story (verbatim, truncated, wrapped, edited, spun, as
//! `explain` says), the share of the story the page carries, the share of the page that is the
//! story, and the page's name. A story that is itself a file of DIR is not listed as its own copy.
//! With no story and no folder, the built-in demo corpus's wire story is looked up in the demo.
//!
//! `--jsonl FILE` (`-`: stdout, nothing else printed there) writes one line per copy found:
//! `{"story", "doc", "similarity", "relation", "traits", "story_share", "page_share"}`.
//! A story that cannot be read is reported and the others are looked up; the exit status is 2
//! only when none could be read.

#[path = "common/out.rs"]
#[macro_use]
mod out;
mod common;

use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use wirecopy::align::{Aligner, Tokens};
use wirecopy::corpus::{read_text_file, Document};
use wirecopy::relation::Relation;

/// Find the pages of a folder that copy your articles.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// The articles to look up (one `.txt` file each).
    stories: Vec<PathBuf>,
    /// The folder of pages (or JSONL file) to search; the demo corpus when neither it nor a
    /// story is given.
    #[arg(long = "in", value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Write one JSON line per copy found to FILE (`-`: stdout, nothing else printed there).
    #[arg(long)]
    jsonl: Option<PathBuf>,
    #[command(flatten)]
    pipeline: common::PipelineArgs,
}

/// An article to look up: its name as printed, its file (none for the demo's), its text.
struct Story {
    name: String,
    path: Option<PathBuf>,
    text: String,
}

/// One copy of a story.
struct Found {
    page: String,
    similarity: f64,
    relation: Relation,
}

fn main() -> ExitCode {
    common::exit_code(run(&Args::parse()))
}

fn run(args: &Args) -> Result<bool, String> {
    let started = Instant::now();
    let config = args.pipeline.config()?;
    if args.stories.is_empty() && args.dir.is_some() {
        return Err("no story to look up: give one or more files before --in".to_string());
    }
    if args.dir.is_none() && !args.stories.is_empty() {
        return Err("no folder to search: give --in DIR".to_string());
    }
    let mut pages = common::load_or_demo(args.dir.as_ref(), args.pipeline.max_bytes)?;
    // The stories: files, or the demo's wire story.
    let mut stories = Vec::new();
    let mut unread = 0;
    if args.stories.is_empty() {
        let wire = pages.iter().find(|d| d.name == "wire_original.txt");
        if let Some(d) = wire {
            stories.push(Story {
                name: d.name.clone(),
                path: None,
                text: d.text.clone(),
            });
        }
    }
    for path in &args.stories {
        match read_text_file(path, args.pipeline.max_bytes) {
            Ok((text, warning)) => {
                if let Some(w) = warning {
                    errln!("warning: {w}");
                }
                stories.push(Story {
                    name: path.display().to_string(),
                    path: Some(path.clone()),
                    text,
                });
            }
            Err(e) => {
                errln!("error: {e}");
                unread += 1;
            }
        }
    }
    if stories.is_empty() {
        return Err(match unread {
            1 => "the story could not be read (see above)".to_string(),
            n => format!("none of the {n} stories could be read (see above)"),
        });
    }
    let found = args
        .pipeline
        .install(|| search(config, &mut pages, args, &stories))?;

    let stdout_taken = common::is_stdout(args.jsonl.as_deref());
    if !stdout_taken {
        for (story, copies) in stories.iter().zip(&found) {
            outln!("{}: {} copies", story.name, copies.len());
            for f in copies {
                outln!(
                    "  {:.3}  {:<32} {:>3.0}% of the story, {:>3.0}% of the page  {}",
                    f.similarity,
                    f.relation.label(),
                    100.0 * f.relation.source_coverage,
                    100.0 * f.relation.member_coverage,
                    f.page
                );
            }
        }
    }
    if let Some(path) = &args.jsonl {
        write_jsonl(path, &stories, &found)?;
    }
    let line = format!(
        "{} stories looked up in {} pages, {} copies found, {:.2} s",
        stories.len(),
        pages.len(),
        found.iter().map(Vec::len).sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    out::summary(&line, stdout_taken);
    Ok(true)
}

/// The copies of each story among `pages`, one list per story in order, each best first.
/// Progress goes to stderr for 20,000 pages or more, as in `cluster`.
fn search(
    config: wirecopy::Config,
    pages: &mut [Document],
    args: &Args,
    stories: &[Story],
) -> Vec<Vec<Found>> {
    let detector = common::shingle(config, pages, true);
    let pages = &*pages;
    let spinner = common::spinner(
        pages.len(),
        format!(
            "looking up {} stories in {} pages (boilerplate, signatures, LSH, verification)",
            stories.len(),
            pages.len()
        ),
    );
    // One story's copies, best first.
    let look_up = |aligner: &mut Aligner, story: &Story| -> Vec<Found> {
        let itself = |page: &Document| match (&story.path, &args.dir) {
            (Some(p), Some(dir)) => same_file(p, &dir.join(&page.name)),
            (None, None) => page.name == story.name,
            _ => false,
        };
        let story_tokens = Tokens::new(&story.text);
        detector
            .query(&story.text)
            .into_iter()
            .filter(|m| !itself(&pages[m.doc as usize]))
            .map(|m| {
                let page = Tokens::new(&pages[m.doc as usize].text);
                Found {
                    relation: Relation::between(&aligner.align_tokens(&story_tokens, &page)),
                    similarity: m.similarity.score,
                    page: m.name,
                }
            })
            .collect()
    };
    // The first lookup builds the index (in parallel itself); the other stories are then looked
    // up side by side, in order.
    let Some((first, rest)) = stories.split_first() else {
        return Vec::new();
    };
    let mut out = vec![look_up(&mut Aligner::new(), first)];
    use rayon::prelude::*;
    out.par_extend(rest.par_iter().map_init(Aligner::new, look_up));
    spinner.finish_and_clear();
    out
}

/// Whether two paths name the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn write_jsonl(path: &Path, stories: &[Story], found: &[Vec<Found>]) -> Result<(), String> {
    let round = |x: f64| (x * 1e4).round() / 1e4;
    let copies = stories
        .iter()
        .zip(found)
        .flat_map(|(s, c)| c.iter().map(move |f| (s, f)));
    common::write_json_lines(
        path,
        copies.map(|(story, f)| {
            let traits: Vec<&str> = f.relation.traits().collect();
            serde_json::json!({
                "story": story.name,
                "doc": f.page,
                "similarity": round(f.similarity),
                "relation": f.relation.label(),
                "traits": traits,
                "story_share": round(f.relation.source_coverage),
                "page_share": round(f.relation.member_coverage),
            })
        }),
    )
}
