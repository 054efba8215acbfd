//! Feature extraction against the fastest signature path, on real text.
//!
//! ```text
//! cargo run --release --example extraction -- [DIR ...] [--passes N]
//! ```
//!
//! Reads every `.txt` article under each DIR (or a `.jsonl` of `{"id","text"}` lines; the built-in
//! demo corpus when none is given), then times, on one thread, the default pipeline's feature
//! extraction ([`FeatureExtractor::extract_into`]) and the fastest signature path (raw text to a
//! 128-slot one-permutation signature of word 5-grams, [`Sketcher::sketch_text_into`]). The two
//! alternate pass by pass, so both see the same machine; each keeps its fastest pass. The last
//! stdout line is one JSON object: `docs`, `bytes`, `passes`, `extract_mb_per_s`,
//! `signature_mb_per_s` and `ratio` (how many times longer extraction takes).
//!
//! The README's "within 2x" table was measured with
//! `extraction ../shared/eval/dev/docs ../shared/eval/reprints-dev/docs --passes 15`.

// The output macros first: `common` uses them.
#[path = "common/out.rs"]
#[macro_use]
mod out;
mod common;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use wirecopy::minhash::{Algorithm, Sketcher};
use wirecopy::shingle::{ShingleKind, Shingler};
use wirecopy::{Config, FeatureExtractor, Features};

/// Feature extraction vs the fastest signature path, alternated passes on one thread.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Folders of `.txt` articles (or `.jsonl` files); the demo corpus when none is given.
    dirs: Vec<PathBuf>,
    /// Passes of each over all texts; the fastest of each is kept.
    #[arg(long, default_value_t = 15)]
    passes: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit_code(run(&args).map(|()| true))
}

fn run(args: &Args) -> Result<(), String> {
    if args.passes == 0 {
        return Err("invalid --passes 0 (expected >= 1)".to_string());
    }
    let mut texts = Vec::new();
    if args.dirs.is_empty() {
        texts.extend(
            common::load_or_demo(None, u64::MAX)?
                .into_iter()
                .map(|d| d.text),
        );
    }
    for dir in &args.dirs {
        let docs = common::load_or_demo(Some(dir), u64::MAX)?;
        texts.extend(docs.into_iter().map(|d| d.text));
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    if bytes == 0 {
        return Err("no text to time".to_string());
    }
    let config = Config::new();
    let mut fx = FeatureExtractor::new(&config);
    let mut features = Features::default();
    let mut shingler = Shingler::new(&[ShingleKind::Words(5)], wirecopy::DEFAULT_SEED);
    let sketcher = Sketcher::new(Algorithm::OnePermutation, 128, wirecopy::DEFAULT_SEED);
    let mut sig = sketcher.sketch(&[]);
    let (mut best_fx, mut best_sig) = (f64::INFINITY, f64::INFINITY);
    let mut check = 0usize;
    for _ in 0..args.passes {
        let t = Instant::now();
        for text in &texts {
            fx.extract_into(text, &mut features);
            check += features.size();
        }
        best_fx = best_fx.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for text in &texts {
            sketcher.sketch_text_into(&mut shingler, text, &mut sig);
            check += usize::from(sig.is_empty());
        }
        best_sig = best_sig.min(t.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    errln!(
        "{} texts, {mb:.1} MB, {} passes each: extraction {:.0} MB/s, signature path {:.0} MB/s \
         (checksum {check})",
        texts.len(),
        args.passes,
        mb / best_fx,
        mb / best_sig
    );
    outln!(
        "{{\"docs\": {}, \"bytes\": {bytes}, \"passes\": {}, \"extract_mb_per_s\": {:.1}, \
         \"signature_mb_per_s\": {:.1}, \"ratio\": {:.3}}}",
        texts.len(),
        args.passes,
        mb / best_fx,
        mb / best_sig,
        best_fx / best_sig
    );
    Ok(())
}
