//! The `--fast` mode of `cluster`: signatures only, streamed, for very large corpora.

use std::io::Write;
use std::path::Path;
use std::time::Instant;
use wirecopy::cluster::{cluster_signatures, Clustering};
use wirecopy::corpus::{self, Document};
use wirecopy::lsh::LshParams;
use wirecopy::minhash::{Signature, Sketcher};
use wirecopy::shingle::{ShingleKind, Shingler};

/// Documents shingled per batch; texts are dropped after each batch.
const BATCH: usize = 16_384;

/// Result of the fast mode: names, partition, verified pairs (a, b, estimated Jaccard).
pub struct FastOutcome {
    pub names: Vec<String>,
    pub signatures: Vec<Signature>,
    pub clustering: Clustering,
    pub pairs: Vec<(u32, u32, f64)>,
}

/// Streams `source` (a JSONL file, a folder, or the demo corpus), keeping one signature per document.
pub fn run(
    args: &super::PipelineArgs,
    source: Option<&Path>,
    demo: Vec<Document>,
) -> Result<FastOutcome, String> {
    let config = args.config()?;
    let sketcher = Sketcher::new(
        config.get_algorithm(),
        config.get_num_perm(),
        config.get_seed(),
    );
    let shingler = Shingler::new(&[ShingleKind::Words(5)], config.get_seed());
    let started = Instant::now();
    let mut names = Vec::new();
    let mut signatures: Vec<Signature> = Vec::new();
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    let mut bytes = 0usize;
    let flush = |batch: &mut Vec<Document>, names: &mut Vec<String>, sigs: &mut Vec<Signature>| {
        let texts: Vec<&str> = batch.iter().map(|d| d.text.as_str()).collect();
        sigs.extend(sketcher.sketch_texts(&shingler, &texts));
        names.extend(batch.drain(..).map(|d| d.name));
    };
    let is_jsonl =
        source.is_some_and(|p| p.is_file() && p.extension().is_some_and(|e| e == "jsonl"));
    let mut skipped = 0usize;
    if is_jsonl {
        let path = source.unwrap_or(Path::new(""));
        let reader = corpus::JsonlReader::open(path).map_err(|e| e.to_string())?;
        for item in reader {
            match item {
                Ok(d) => {
                    bytes += d.text.len();
                    batch.push(d);
                    if batch.len() == BATCH {
                        args.install(|| flush(&mut batch, &mut names, &mut signatures))?;
                        if names.len() % (BATCH * 8) == 0 {
                            eprint!(
                                "\rsketched {} documents ({:.0} MB)",
                                names.len(),
                                bytes as f64 / 1e6
                            );
                            let _ = std::io::stderr().flush();
                        }
                    }
                }
                Err(e) => {
                    skipped += 1;
                    eprintln!("skipped: {e}");
                }
            }
        }
    } else {
        let docs = match source {
            Some(p) => super::load(p, args.max_bytes)?,
            None => demo,
        };
        for d in docs {
            bytes += d.text.len();
            batch.push(d);
        }
    }
    args.install(|| flush(&mut batch, &mut names, &mut signatures))?;
    if names.is_empty() {
        return Err("no document could be read".to_string());
    }
    let sketched = started.elapsed().as_secs_f64();
    eprintln!(
        "\rsketched {} documents ({:.1} MB, {skipped} lines skipped) in {:.2} s ({:.0} MB/s)",
        names.len(),
        bytes as f64 / 1e6,
        sketched,
        bytes as f64 / 1e6 / sketched
    );
    let params = LshParams::for_threshold(config.get_threshold(), config.get_num_perm());
    let (clustering, pairs) =
        args.install(|| cluster_signatures(&signatures, params, config.get_threshold()))?;
    eprintln!(
        "LSH {}x{} and verification: {} pairs at estimated Jaccard >= {} in {:.2} s",
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
