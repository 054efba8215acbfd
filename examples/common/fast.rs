//! The `--fast` mode of `cluster`: signatures only, streamed, for very large corpora.
//!
//! Two passes over the input, never holding more than one batch of texts:
//! 1. count the document frequency of every long line (count-min sketch): lines repeated across
//!    many documents are site boilerplate;
//! 2. keep each document's body (long lines that are not boilerplate), shingle it, and keep one
//!    MinHash signature and the shingle-set size.
//!
//! Candidates from LSH are joined when their estimated containment reaches the threshold.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wirecopy::boilerplate::DfCounter;
use wirecopy::cluster::{cluster_signatures, Clustering, SketchRule};
use wirecopy::corpus::{self, Document};
use wirecopy::features::{MIN_BODY_TOKENS, MIN_LINE_TOKENS};
use wirecopy::lsh::LshParams;
use wirecopy::minhash::{Signature, Sketcher};
use wirecopy::shingle::{ShingleKind, Shingler};
use xxhash_rust::xxh3::xxh3_64;

/// Documents processed per batch.
const BATCH: usize = 16_384;
/// The LSH layout finds pairs of this Jaccard with probability 0.95.
const FAST_CANDIDATE_JACCARD: f64 = 0.25;
/// Pairs below this estimated Jaccard are never copies (chance agreement of a few slots).
const FAST_MIN_JACCARD: f64 = 0.05;

/// Result of the fast mode: names, signatures, partition, verified pairs (a, b, containment).
pub struct FastOutcome {
    pub names: Vec<String>,
    pub signatures: Vec<Signature>,
    pub clustering: Clustering,
    pub pairs: Vec<(u32, u32, f64)>,
}

enum Source {
    Jsonl(PathBuf),
    Docs(Vec<Document>),
}

/// Calls `f` on successive batches of documents; returns (documents, bytes, skipped lines).
fn batches(
    source: &Source,
    mut f: impl FnMut(&[Document]),
) -> Result<(usize, usize, usize), String> {
    let (mut n, mut bytes, mut skipped) = (0, 0, 0);
    match source {
        Source::Docs(docs) => {
            for chunk in docs.chunks(BATCH) {
                f(chunk);
            }
            n = docs.len();
            bytes = docs.iter().map(|d| d.text.len()).sum();
        }
        Source::Jsonl(path) => {
            let mut batch = Vec::with_capacity(BATCH);
            for item in corpus::JsonlReader::open(path).map_err(|e| e.to_string())? {
                match item {
                    Ok(d) => {
                        n += 1;
                        bytes += d.text.len();
                        batch.push(d);
                        if batch.len() == BATCH {
                            f(&batch);
                            batch.clear();
                            if n % (BATCH * 8) == 0 {
                                err!("\r{n} documents ({:.0} MB)", bytes as f64 / 1e6);
                                let _ = std::io::stderr().flush();
                            }
                        }
                    }
                    Err(e) => {
                        skipped += 1;
                        errln!("skipped: {e}");
                    }
                }
            }
            f(&batch);
        }
    }
    Ok((n, bytes, skipped))
}

/// Hashes of a text's long lines (at least [`MIN_LINE_TOKENS`] words), trimmed, without repeats.
fn long_lines(text: &str, out: &mut Vec<u64>) {
    out.clear();
    for line in text.lines() {
        if line.split_whitespace().count() >= MIN_LINE_TOKENS {
            out.push(xxh3_64(line.trim().as_bytes()));
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// The body of `text`: long lines that are not boilerplate; every line when too little is left.
/// Returns the number of words in it.
fn body(text: &str, df: &DfCounter, limit: usize, out: &mut String) -> usize {
    out.clear();
    let mut words = 0;
    for line in text.lines() {
        let t = line.trim();
        let n = t.split_whitespace().count();
        if n >= MIN_LINE_TOKENS && df.estimate(xxh3_64(t.as_bytes())) < limit {
            out.push_str(t);
            out.push('\n');
            words += n;
        }
    }
    if words < MIN_BODY_TOKENS {
        out.clear();
        out.push_str(text);
        words = text.split_whitespace().count();
    }
    words
}

/// Runs the fast mode on `source` (a JSONL file, a folder) or on `demo` when `source` is `None`,
/// in a pool of `--threads` threads.
pub fn run(
    args: &super::PipelineArgs,
    source: Option<&Path>,
    demo: Vec<Document>,
) -> Result<FastOutcome, String> {
    args.install(|| run_in_pool(args, source, demo))?
}

fn run_in_pool(
    args: &super::PipelineArgs,
    source: Option<&Path>,
    demo: Vec<Document>,
) -> Result<FastOutcome, String> {
    use rayon::prelude::*;
    let config = args.config()?;
    let sketcher = Sketcher::new(
        config.get_algorithm(),
        config.get_num_perm(),
        config.get_seed(),
    );
    let shingler = Shingler::new(
        &[ShingleKind::Words(config.get_word_ngram())],
        config.get_seed(),
    );
    let n = config.get_word_ngram();
    let started = Instant::now();
    let source = match source {
        Some(p) if p.is_file() && p.extension().is_some_and(|e| e == "jsonl") => {
            Source::Jsonl(p.to_path_buf())
        }
        Some(p) => Source::Docs(super::load(p, args.max_bytes)?),
        None => Source::Docs(demo),
    };

    // Pass 1: document frequency of long lines.
    let mut df = DfCounter::new();
    let (docs, bytes, skipped) = batches(&source, |batch| {
        let lines: Vec<Vec<u64>> = batch
            .par_iter()
            .map_init(Vec::new, |buf, d| {
                long_lines(&d.text, buf);
                buf.clone()
            })
            .collect();
        for l in &lines {
            df.add_set(l);
        }
    })?;
    if docs == 0 {
        return Err("no document could be read".to_string());
    }
    let limit = config.boilerplate_limit(docs);
    let counted = started.elapsed().as_secs_f64();
    errln!(
        "\rpass 1: {docs} documents ({:.1} MB, {skipped} lines skipped), line frequencies in {counted:.2} s",
        bytes as f64 / 1e6
    );

    // Pass 2: body → shingle set → signature and size.
    let mut names = Vec::with_capacity(docs);
    let mut signatures: Vec<Signature> = Vec::with_capacity(docs);
    let mut sizes: Vec<u32> = Vec::with_capacity(docs);
    batches(&source, |batch| {
        let done: Vec<(Signature, u32)> = batch
            .par_iter()
            .map_init(
                || (shingler.clone(), String::new()),
                |(sh, text), d| {
                    // The set size is taken as the number of n-grams (repeats are rare in prose).
                    let words = body(&d.text, &df, limit, text);
                    let size = words.saturating_sub(n - 1).max(1);
                    (
                        sketcher.sketch_text(sh, text),
                        size.min(u32::MAX as usize) as u32,
                    )
                },
            )
            .collect();
        for (sig, size) in done {
            signatures.push(sig);
            sizes.push(size);
        }
        names.extend(batch.iter().map(|d| d.name.clone()));
    })?;
    let sketched = started.elapsed().as_secs_f64();
    errln!(
        "\rpass 2: signatures in {:.2} s ({:.0} MB/s over both passes)",
        sketched - counted,
        bytes as f64 / 1e6 / sketched
    );
    let params = LshParams::for_recall(FAST_CANDIDATE_JACCARD, config.get_num_perm(), 0.95);
    let rule = SketchRule::Containment(config.get_threshold(), FAST_MIN_JACCARD);
    let (clustering, pairs) = cluster_signatures(&signatures, &sizes, params, rule);
    errln!(
        "LSH {}x{} and verification: {} pairs at estimated containment >= {} in {:.2} s",
        params.bands,
        params.rows,
        pairs.len(),
        config.get_threshold(),
        started.elapsed().as_secs_f64() - sketched
    );
    Ok(FastOutcome {
        names,
        signatures,
        clustering,
        pairs,
    })
}
