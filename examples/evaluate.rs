//! Scores the clustering of a labeled corpus: pairwise precision, recall, F1 and adjusted Rand index
//! (the definitions of `score.py`), and with a manifest, recall by transformation.
//!
//! ```text
//! cargo run --release --example evaluate -- DIR TRUTH.jsonl [--manifest MANIFEST.jsonl]
//! ```
//!
//! TRUTH holds `{"doc": NAME, "cluster": LABEL}` lines. A manifest line has `doc`, `base_doc` and
//! `transformation` (and optionally `parameters.spin_p`): for every document that is not its own
//! base, *recall to base* is the share predicted in its base's cluster; for `partial` documents
//! (hard negatives) that share is reported as false merges. `--min-precision` and `--min-ari` make
//! the exit status fail below a bar (the CI quality gate); with a manifest, `--min-recall
//! KIND=R` and `--max-recall KIND=R` (repeatable) do the same for one transformation's recall to
//! base, KIND as printed (`truncate`, `spin p=0.3`; the value follows the last `=`).

// The output macros first: `common` uses them.
#[path = "common/out.rs"]
#[macro_use]
mod out;
mod common;

use clap::Parser;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Score wirecopy's clusters against a labeled corpus.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Folder of `.txt` documents (or a `.jsonl` corpus).
    dir: PathBuf,
    /// Ground truth: {"doc", "cluster"} per line.
    truth: PathBuf,
    /// Manifest with `doc`, `base_doc`, `transformation` per line, for recall by transformation.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Also write the predicted {"doc","cluster"} lines here (a file: stdout carries the metrics).
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    /// Exit with status 1 if pair precision is below this.
    #[arg(long)]
    min_precision: Option<f64>,
    /// Exit with status 1 if the adjusted Rand index is below this.
    #[arg(long)]
    min_ari: Option<f64>,
    /// Exit with status 1 if this transformation's recall to base is below R (KIND=R, as printed:
    /// `truncate=0.98`, `spin p=0.3=0.95`; repeatable; needs --manifest).
    #[arg(long, value_name = "KIND=R", value_parser = kind_bar)]
    min_recall: Vec<(String, f64)>,
    /// Exit with status 1 if this transformation's recall to base is above R (for hard negatives:
    /// `partial=0`; repeatable; needs --manifest).
    #[arg(long, value_name = "KIND=R", value_parser = kind_bar)]
    max_recall: Vec<(String, f64)>,
    /// Print the metrics as one JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    pipeline: common::PipelineArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit_code(run(&args))
}

/// Parses `KIND=R`: a transformation as printed (it may hold `=` itself) and a recall in [0, 1].
fn kind_bar(s: &str) -> Result<(String, f64), String> {
    let (kind, value) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("expected KIND=R, got {s:?}"))?;
    let kind = kind.trim();
    if kind.is_empty() {
        return Err(format!("no transformation before '=' in {s:?}"));
    }
    match value.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok((kind.to_string(), r)),
        _ => Err(format!(
            "invalid recall {value:?} in {s:?} (expected 0 to 1)"
        )),
    }
}

/// The transformations a manifest line counts under: its own, and with a spin probability, the
/// same with ` p=P` (`spin p=0.3`).
fn kinds_of(r: &serde_json::Value) -> Vec<String> {
    let kind = label(&r["transformation"]);
    let with_p = r["parameters"]["spin_p"]
        .as_f64()
        .map(|p| format!("{kind} p={p}"));
    std::iter::once(kind).chain(with_p).collect()
}

/// The error for a `--min-recall`/`--max-recall` KIND the manifest does not have, listing those
/// it has.
fn unknown_kind<'a>(kind: &str, known: impl IntoIterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.into_iter().map(String::as_str).collect();
    format!(
        "no document of transformation {kind:?} in the manifest (it has: {})",
        known.join(", ")
    )
}

fn read_lines(path: &PathBuf) -> Result<Vec<serde_json::Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn label(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn comb2(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Pairwise scores and ARI of `pred` against `truth` over the documents of `truth`.
fn score(truth: &HashMap<String, String>, pred: &HashMap<String, String>) -> serde_json::Value {
    let docs: Vec<&String> = truth.keys().collect();
    let mut table: HashMap<(&str, String), u64> = HashMap::new();
    let mut a: HashMap<&str, u64> = HashMap::new();
    let mut b: HashMap<String, u64> = HashMap::new();
    for d in &docs {
        let t = truth[*d].as_str();
        let p = pred
            .get(*d)
            .cloned()
            .unwrap_or_else(|| format!("\u{0}singleton:{d}"));
        *table.entry((t, p.clone())).or_default() += 1;
        *a.entry(t).or_default() += 1;
        *b.entry(p).or_default() += 1;
    }
    let sum_ij: f64 = table.values().map(|&v| comb2(v)).sum();
    let sum_a: f64 = a.values().map(|&v| comb2(v)).sum();
    let sum_b: f64 = b.values().map(|&v| comb2(v)).sum();
    let total = comb2(docs.len() as u64);
    let precision = if sum_b > 0.0 { sum_ij / sum_b } else { 1.0 };
    let recall = if sum_a > 0.0 { sum_ij / sum_a } else { 1.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let expected = if total > 0.0 {
        sum_a * sum_b / total
    } else {
        0.0
    };
    let maximum = (sum_a + sum_b) / 2.0;
    let ari = if total == 0.0 || maximum == expected {
        1.0
    } else {
        (sum_ij - expected) / (maximum - expected)
    };
    let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
    serde_json::json!({
        "docs": docs.len(),
        "true_pairs": sum_a as u64,
        "predicted_pairs": sum_b as u64,
        "precision": r4(precision),
        "recall": r4(recall),
        "f1": r4(f1),
        "ari": r4(ari),
    })
}

fn run(args: &Args) -> Result<bool, String> {
    let started = Instant::now();
    if args.manifest.is_none() && !(args.min_recall.is_empty() && args.max_recall.is_empty()) {
        return Err("--min-recall and --max-recall need --manifest".to_string());
    }
    if common::is_stdout(args.jsonl.as_deref()) {
        return Err("--jsonl -: the metrics go to stdout; give the labels a file".to_string());
    }
    let config = args.pipeline.config()?;
    let truth: HashMap<String, String> = read_lines(&args.truth)?
        .iter()
        .map(|r| (label(&r["doc"]), label(&r["cluster"])))
        .collect();
    // The manifest is read, and the recall bars checked against its transformations, before
    // the run: a misspelled KIND fails at once.
    let manifest = match &args.manifest {
        Some(m) => read_lines(m)?,
        None => Vec::new(),
    };
    let kinds: std::collections::BTreeSet<String> = manifest.iter().flat_map(kinds_of).collect();
    for (kind, _) in args.min_recall.iter().chain(&args.max_recall) {
        if !kinds.contains(kind) {
            return Err(unknown_kind(kind, &kinds));
        }
    }
    let mut docs = common::load(&args.dir, args.pipeline.max_bytes)?;
    let (detector, clusters) = args
        .pipeline
        .install(|| common::run(config, &mut docs, false))?;
    let seconds = started.elapsed().as_secs_f64();
    let pred: HashMap<String, String> = clusters
        .clustering
        .labels()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                detector.name(i as u32).unwrap_or_default().to_string(),
                l.to_string(),
            )
        })
        .collect();
    if let Some(path) = &args.jsonl {
        common::write_jsonl(path, &detector, &clusters)?;
    }
    let mut missing: Vec<&String> = truth.keys().filter(|d| !pred.contains_key(*d)).collect();
    missing.sort();
    if let Some(first) = missing.first() {
        let hint = format!(
            "document names are paths relative to {} (e.g. {:?})",
            args.dir.display(),
            detector.name(0).unwrap_or_default()
        );
        if missing.len() == truth.len() {
            return Err(format!(
                "none of the {} documents in {} was read from {} (first: {first:?}); {hint}",
                truth.len(),
                args.truth.display(),
                args.dir.display()
            ));
        }
        errln!(
            "warning: {} of {} documents in {} were not read (first: {first:?}); they count as \
             singletons; {hint}",
            missing.len(),
            truth.len(),
            args.truth.display()
        );
    }
    let mut result = score(&truth, &pred);
    result["seconds"] = serde_json::json!((seconds * 1000.0).round() / 1000.0);

    let mut by_kind: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut seed_clusters = std::collections::BTreeSet::new();
    let mut seeds = 0;
    if args.manifest.is_some() {
        for r in &manifest {
            let doc = label(&r["doc"]);
            let base = label(&r["base_doc"]);
            let kind = label(&r["transformation"]);
            if r["source"] == "seed" && kind == "original" {
                seeds += 1;
                seed_clusters.insert(pred.get(&doc).cloned().unwrap_or_else(|| doc.clone()));
            }
            if doc == base {
                continue;
            }
            let hit = pred.contains_key(&doc) && pred.get(&doc) == pred.get(&base);
            for k in kinds_of(r) {
                let e = by_kind.entry(k).or_default();
                e.0 += u64::from(hit);
                e.1 += 1;
            }
        }
        let kinds: serde_json::Map<String, serde_json::Value> = by_kind
            .iter()
            .map(|(k, (h, n))| {
                (
                    k.clone(),
                    serde_json::json!({"hits": h, "total": n, "recall": (*h as f64 / *n as f64 * 1000.0).round() / 1000.0}),
                )
            })
            .collect();
        result["recall_to_base"] = serde_json::Value::Object(kinds);
        if seeds > 0 {
            result["seed_originals"] = serde_json::json!(seeds);
            result["seed_clusters"] = serde_json::json!(seed_clusters.len());
        }
    }

    if args.json {
        outln!("{result}");
    } else {
        for k in [
            "docs",
            "true_pairs",
            "predicted_pairs",
            "precision",
            "recall",
            "f1",
            "ari",
            "seconds",
        ] {
            outln!("{k}: {}", result[k]);
        }
        if !by_kind.is_empty() {
            outln!("recall to base by transformation (for partial: false merges):");
            for (k, (h, n)) in &by_kind {
                outln!("  {k:<32} {h:>4}/{n:<4} {:.3}", *h as f64 / *n as f64);
            }
        }
        if seeds > 0 {
            outln!(
                "seed originals: {seeds} in {} clusters",
                seed_clusters.len()
            );
        }
    }
    let mut ok = true;
    let p = result["precision"].as_f64().unwrap_or(0.0);
    let ari = result["ari"].as_f64().unwrap_or(0.0);
    if let Some(min) = args.min_precision {
        if p < min {
            errln!("quality gate: precision {p} is below {min}");
            ok = false;
        }
    }
    if let Some(min) = args.min_ari {
        if ari < min {
            errln!("quality gate: ARI {ari} is below {min}");
            ok = false;
        }
    }
    let recall_of = |kind: &str| -> Result<f64, String> {
        match by_kind.get(kind) {
            Some(&(h, n)) => Ok(h as f64 / n as f64),
            None => Err(unknown_kind(kind, by_kind.keys())),
        }
    };
    for (kind, min) in &args.min_recall {
        let r = recall_of(kind)?;
        if r < *min {
            errln!("quality gate: recall of {kind:?} {r:.3} is below {min}");
            ok = false;
        }
    }
    for (kind, max) in &args.max_recall {
        let r = recall_of(kind)?;
        if r > *max {
            errln!("quality gate: recall of {kind:?} {r:.3} is above {max}");
            ok = false;
        }
    }
    Ok(ok)
}
