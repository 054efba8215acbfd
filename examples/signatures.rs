//! Signature throughput: raw text to 128-slot MinHash signatures over a JSONL corpus.
//!
//! ```text
//! cargo run --release --example signatures -- CORPUS.jsonl [--threads N] [--algorithm NAME]
//!     [--truth TRUTH.jsonl] [--num-perm K] [--seed S] [--repeat R] [--no-lsh]
//!     [--baseline-threads B]
//! ```
//!
//! Reads every `{"id","text"}` line into memory, then times signature building alone (default
//! normalization, word 5-grams, [`Sketcher::sketch_texts`] in a pool of `--threads` threads). With
//! `--truth`, compares each planted pair's estimate with its exact Jaccard (`{"a","b","jaccard"}`
//! lines). Unless `--no-lsh`, also times an LSH build + query of all documents at 32 bands × 4 rows
//! (the peers' layout). The last stdout line is one JSON object: `docs`, `bytes`, `seconds`,
//! `mb_per_s`, `docs_per_s`, and `mean_abs_err`, `lsh_seconds` when measured. This is the contract
//! `benches/peers/run.sh` relies on.
//!
//! `--baseline-threads B` measures scaling in one process: each of the `--repeat` rounds runs one
//! pass in a pool of B threads and one in the main pool, in alternating order, and the JSON gains
//! `baseline_threads`, `baseline_seconds` (its fastest pass), `speedup` (fastest baseline pass ÷
//! fastest main pass), `speedup_median` (median over rounds of the two passes' ratio) and
//! `passes` (the rounds). On a
//! shared machine whose speed swings from second to second, passes a few milliseconds apart see
//! the same machine; separate processes seconds apart do not.

// The output macros first: `common` uses them.
#[path = "common/out.rs"]
#[macro_use]
mod out;
mod common;

use clap::Parser;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use wirecopy::lsh::{LshIndex, LshParams};
use wirecopy::minhash::{Algorithm, Signature, Sketcher};
use wirecopy::shingle::{ShingleKind, Shingler};

/// Raw text to MinHash signatures: throughput, estimate error, LSH time.
#[derive(Parser, Debug)]
struct Args {
    /// JSONL corpus of {"id","text"} lines.
    corpus: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Signature algorithm: oph (one-permutation hashing, default) or classic.
    #[arg(long, default_value = "oph")]
    algorithm: Algorithm,
    /// Signature slots.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// Planted pairs {"a","b","jaccard"} per line: report mean |estimate − exact Jaccard| (--truth).
    #[arg(long, value_name = "TRUTH.jsonl")]
    truth: Option<PathBuf>,
    /// Skip the LSH build + query timing.
    #[arg(long)]
    no_lsh: bool,
    /// Seed of the shingler and the sketcher (default: the crate's default seed).
    #[arg(long, default_value_t = wirecopy::DEFAULT_SEED)]
    seed: u64,
    /// Repeat the signature pass this many times and report the fastest.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Also time passes in a pool of this many threads, alternating with the main passes, and
    /// report the speedup of the main pool over it.
    #[arg(long, value_name = "B")]
    baseline_threads: Option<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit_code(run(&args).map(|()| true))
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    for item in wirecopy::corpus::JsonlReader::open(&args.corpus).map_err(|e| e.to_string())? {
        match item {
            Ok(d) => {
                ids.push(d.name);
                texts.push(d.text);
            }
            Err(e) => errln!("skipped: {e}"),
        }
    }
    if texts.is_empty() {
        return Err(format!("{}: no document", args.corpus.display()));
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    errln!(
        "read {} documents ({bytes} bytes) in {:.2} s",
        texts.len(),
        started.elapsed().as_secs_f64()
    );

    let pool = thread_pool(args.threads, "--threads")?;
    let threads = pool.current_num_threads();
    let baseline = match args.baseline_threads {
        Some(b) => Some(thread_pool(Some(b), "--baseline-threads")?),
        None => None,
    };

    let sketcher = Sketcher::new(args.algorithm, args.num_perm, args.seed);
    let shingler = Shingler::new(&[ShingleKind::Words(5)], args.seed);
    let (mut best, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
    let mut best_baseline = f64::INFINITY;
    let mut paired = Vec::new();
    let mut sigs: Vec<Signature> = Vec::new();
    // One baseline pass, timed (its signatures dropped after the timing, as the main passes'.
    let baseline_pass =
        |b: &rayon::ThreadPool| timed(|| b.install(|| sketcher.sketch_texts(&shingler, &texts)));
    for round in 0..args.repeat.max(1) {
        // The baseline pass first in even rounds, after the main pass in odd ones.
        let first = baseline
            .as_ref()
            .filter(|_| round % 2 == 0)
            .map(baseline_pass);
        drop(std::mem::take(&mut sigs));
        let (t, cpu) = (Instant::now(), cpu_seconds());
        sigs = pool.install(|| sketcher.sketch_texts(&shingler, &texts));
        let main_time = t.elapsed().as_secs_f64();
        best = best.min(main_time);
        best_cpu = best_cpu.min(cpu_seconds() - cpu);
        let after = baseline
            .as_ref()
            .filter(|_| round % 2 == 1)
            .map(baseline_pass);
        if let Some(bt) = first.or(after) {
            best_baseline = best_baseline.min(bt);
            paired.push(bt / main_time);
        }
    }
    let seconds = best;

    let mut out = format!(
        "{{\"docs\": {}, \"bytes\": {bytes}, \"seconds\": {seconds:.6}, \"mb_per_s\": {:.3}, \
         \"docs_per_s\": {:.1}, \"cpu_seconds\": {best_cpu:.2}, \"threads\": {threads}, \
         \"algorithm\": \"{}\", \"num_perm\": {}",
        texts.len(),
        bytes as f64 / seconds / 1e6,
        texts.len() as f64 / seconds,
        args.algorithm.name(),
        sketcher.params().num_perm,
    );

    if let Some(b) = &baseline {
        paired.sort_by(f64::total_cmp);
        let mid = paired.len() / 2;
        let median = if paired.len() % 2 == 1 {
            paired[mid]
        } else {
            (paired[mid - 1] + paired[mid]) / 2.0
        };
        errln!(
            "{} threads vs {}: fastest passes {seconds:.4} s vs {best_baseline:.4} s; \
             pass ratios {:.2}..{:.2}",
            threads,
            b.current_num_threads(),
            paired[0],
            paired[paired.len() - 1]
        );
        out.push_str(&format!(
            ", \"baseline_threads\": {}, \"baseline_seconds\": {best_baseline:.6}, \
             \"speedup\": {:.3}, \"speedup_median\": {median:.3}, \"passes\": {}",
            b.current_num_threads(),
            best_baseline / seconds,
            paired.len(),
        ));
    }

    if let Some(path) = &args.truth {
        let by_id: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let (err, n) = truth_error(path, &by_id, &sigs)?;
        errln!("mean |estimate - exact| over {n} planted pairs: {err:.5}");
        out.push_str(&format!(
            ", \"mean_abs_err\": {err:.6}, \"truth_pairs\": {n}"
        ));
    }

    if !args.no_lsh {
        let t = Instant::now();
        let mut index = LshIndex::new(LshParams { bands: 32, rows: 4 });
        for (i, s) in sigs.iter().enumerate() {
            index.insert(i as u32, s);
        }
        let mut found = 0usize;
        for s in &sigs {
            found += index.query(s).len();
        }
        let lsh_seconds = t.elapsed().as_secs_f64();
        errln!("LSH 32x4 build + query: {lsh_seconds:.3} s, {found} hits (self included)");
        out.push_str(&format!(
            ", \"lsh_seconds\": {lsh_seconds:.6}, \"lsh_hits\": {found}"
        ));
    }
    out.push('}');
    outln!("{out}");
    Ok(())
}

/// A pool of `threads` threads (default: all cores); `option` names the value in errors.
fn thread_pool(threads: Option<usize>, option: &str) -> Result<rayon::ThreadPool, String> {
    match threads {
        Some(0) => return Err(format!("invalid {option} 0 (expected >= 1)")),
        Some(n) => rayon::ThreadPoolBuilder::new().num_threads(n).build(),
        None => rayon::ThreadPoolBuilder::new().build(),
    }
    .map_err(|e| format!("cannot start the thread pool: {e}"))
}

/// Seconds `f` takes (its result dropped after the timing).
fn timed<T>(f: impl FnOnce() -> T) -> f64 {
    let t = Instant::now();
    let out = f();
    let seconds = t.elapsed().as_secs_f64();
    drop(out);
    seconds
}

/// CPU time of this process so far (user + system, all threads; Linux, 10 ms ticks), or NaN when
/// unavailable: under a loaded machine it shows the work apart from waiting for a core.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name: state is field 3; utime, stime are 14, 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Mean |estimate − exact| over the pairs of a truth file, and the number of pairs used.
fn truth_error(
    path: &PathBuf,
    by_id: &HashMap<&str, usize>,
    sigs: &[Signature],
) -> Result<(f64, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut sum, mut n) = (0.0f64, 0usize);
    for (no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: not JSON ({e})", path.display(), no + 1))?;
        let key = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(x)) => Some(x.to_string()),
            _ => None,
        };
        let (Some(a), Some(b), Some(j)) = (
            key("a"),
            key("b"),
            v.get("jaccard").and_then(|j| j.as_f64()),
        ) else {
            return Err(format!(
                "{}:{}: expected a, b and jaccard",
                path.display(),
                no + 1
            ));
        };
        let (Some(&ia), Some(&ib)) = (by_id.get(a.as_str()), by_id.get(b.as_str())) else {
            continue;
        };
        let est = sigs[ia].similarity(&sigs[ib]).map_err(|e| e.to_string())?;
        sum += (est - j).abs();
        n += 1;
    }
    if n == 0 {
        return Err(format!("{}: no pair of known documents", path.display()));
    }
    Ok((sum / n as f64, n))
}
