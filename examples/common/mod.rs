//! Code shared by the examples: options, loading a corpus, the built-in demo corpus.
#![allow(dead_code)]

pub mod fast;

/// The examples allocate through mimalloc. The default pipeline makes many short-lived buffers
/// on several threads (features, per-pair bit sets, scratch vectors), which the system allocator
/// serves with page faults and lock traffic: on the dev corpus `cluster` takes about a fifth less
/// time with mimalloc, and at 100,000 generated articles 10-20% less time and memory. Its version 2
/// (the crate's `v2` feature): on dev, 0.93x the time of version 3 and 81 instead of 125 MB peak
/// (version 3 takes more fresh huge pages, which the kernel zeroes); the same at 100,000 and
/// 1,000,000 articles. The library itself allocates through whatever global allocator its user
/// picks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::Instant;
use wirecopy::corpus::{self, Document};
use wirecopy::minhash::Algorithm;
use wirecopy::{Clusters, Config, Detector};

/// The exit status of an example: 0 on success, 1 when a requested check failed (`Ok(false)`),
/// 2 after printing the error.
pub fn exit_code(result: Result<bool, String>) -> std::process::ExitCode {
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::from(1),
        Err(msg) => {
            errln!("error: {msg}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Pipeline options shared by `cluster` and `evaluate`.
#[derive(clap::Args, Debug, Clone)]
pub struct PipelineArgs {
    /// Similarity at or above which two documents are copies, in (0, 1].
    #[arg(long, default_value_t = Config::new().get_threshold())]
    pub threshold: f64,
    /// Signature slots.
    #[arg(long, default_value_t = Config::new().get_num_perm())]
    pub num_perm: usize,
    /// Signature algorithm: oph (one-permutation hashing) or classic.
    #[arg(long, default_value = "oph")]
    pub algorithm: Algorithm,
    /// Word n-gram length.
    #[arg(long, default_value_t = Config::new().get_word_ngram())]
    pub word_ngram: usize,
    /// Skeleton n-gram length (0 turns spin-robust matching off).
    #[arg(long, default_value_t = Config::new().get_skeleton_ngram())]
    pub skeleton_ngram: usize,
    /// Explicit LSH layout BANDSxROWS (e.g. 32x4) instead of the one derived from the threshold.
    #[arg(long, value_parser = parse_layout)]
    pub lsh: Option<(usize, usize)>,
    /// Boilerplate: shingles found in at least max(MIN_DF, FRACTION x documents) documents are ignored.
    #[arg(long, value_name = "MIN_DF", default_value_t = Config::DEFAULT_BOILERPLATE_MIN_DF)]
    pub boilerplate_df: usize,
    /// See --boilerplate-df.
    #[arg(long, value_name = "FRACTION", default_value_t = Config::DEFAULT_BOILERPLATE_FRACTION)]
    pub boilerplate_fraction: f64,
    /// Seed of every hash.
    #[arg(long, default_value_t = wirecopy::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = corpus::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
}

fn parse_layout(s: &str) -> Result<(usize, usize), String> {
    let (b, r) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("invalid LSH layout {s:?} (expected BANDSxROWS, e.g. 32x4)"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("invalid LSH layout {s:?} (expected BANDSxROWS, e.g. 32x4)"))
    };
    Ok((parse(b)?, parse(r)?))
}

impl PipelineArgs {
    /// The validated configuration, or a message naming the bad value.
    pub fn config(&self) -> Result<Config, String> {
        let mut c = Config::new()
            .threshold(self.threshold)
            .num_perm(self.num_perm)
            .algorithm(self.algorithm)
            .word_ngram(self.word_ngram)
            .skeleton_ngram(self.skeleton_ngram)
            .seed(self.seed)
            .boilerplate(self.boilerplate_df, self.boilerplate_fraction);
        if let Some((b, r)) = self.lsh {
            c = c.lsh(b, r);
        }
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }

    /// Runs `f` in a pool of `--threads` threads (or the global pool).
    pub fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T, String> {
        match self.threads {
            None => Ok(f()),
            Some(0) => Err("invalid --threads 0 (expected >= 1)".to_string()),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map(|pool| pool.install(f))
                .map_err(|e| format!("cannot start {n} threads: {e}")),
        }
    }
}

/// The built-in demo corpus: an invented wire story, its copies, and unrelated stories.
pub fn demo_corpus() -> Vec<Document> {
    macro_rules! doc {
        ($name:literal) => {
            Document {
                name: $name.to_string(),
                text: include_str!(concat!("../demo/", $name)).to_string(),
            }
        };
    }
    vec![
        doc!("edited_coastal_times.txt"),
        doc!("other_story_same_event.txt"),
        doc!("reprint_valley_gazette.txt"),
        doc!("spun_contentfarm.txt"),
        doc!("spun_truncated_reprint.txt"),
        doc!("truncated_metro_daily.txt"),
        doc!("unrelated_science.txt"),
        doc!("unrelated_science_reprint.txt"),
        doc!("unrelated_sport.txt"),
        doc!("unrelated_tech.txt"),
        doc!("wire_original.txt"),
    ]
}

/// Reads a folder of `.txt` files or a `.jsonl` file, reporting every problem on stderr.
/// Fails only when nothing could be read.
pub fn load(path: &Path, max_bytes: u64) -> Result<Vec<Document>, String> {
    let started = Instant::now();
    let is_jsonl = path.is_file() && path.extension().is_some_and(|e| e == "jsonl");
    let result = if is_jsonl {
        corpus::read_jsonl(path)
    } else {
        corpus::read_dir_with_limit(path, max_bytes)
    };
    let corpus = result.map_err(|e| e.to_string())?;
    let (mut warnings, mut skipped) = (0, 0);
    for p in &corpus.problems {
        if p.is_warning() {
            warnings += 1;
            errln!("warning: {p}");
        } else {
            skipped += 1;
            errln!("skipped: {p}");
        }
    }
    if corpus.documents.is_empty() {
        return Err(format!(
            "{}: no document could be read ({skipped} skipped, {} other files not .txt)",
            path.display(),
            corpus.ignored
        ));
    }
    let ignored = match corpus.ignored {
        0 => String::new(),
        1 => "; 1 other file, not .txt, left unread".to_string(),
        n => format!("; {n} other files, not .txt, left unread"),
    };
    errln!(
        "read {} documents from {} in {:.2} s ({skipped} skipped, {warnings} with warnings{ignored})",
        corpus.documents.len(),
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(corpus.documents)
}

/// Loads `dir`, or the demo corpus when `None`.
pub fn load_or_demo(dir: Option<&PathBuf>, max_bytes: u64) -> Result<Vec<Document>, String> {
    match dir {
        Some(d) => load(d, max_bytes),
        None => {
            errln!("no folder given: running on the built-in demo corpus (examples/demo)");
            Ok(demo_corpus())
        }
    }
}

/// Shingles and clusters `docs`, with progress on stderr for large inputs. Unless `keep_texts`,
/// the texts are freed once shingled (the detector keeps what it needs), before clustering.
pub fn run(config: Config, docs: &mut [Document], keep_texts: bool) -> (Detector, Clusters) {
    let started = Instant::now();
    let detector = shingle(config, docs, keep_texts);
    let shingled = started.elapsed().as_secs_f64();
    let spinner = spinner(
        docs.len(),
        format!(
            "clustering {} documents (boilerplate, signatures, LSH, verification)",
            docs.len()
        ),
    );
    let clusters = detector.clusters();
    spinner.finish_and_clear();
    errln!(
        "shingled in {:.2} s; {} candidate pairs, {} verified, clustered in {:.2} s",
        shingled,
        clusters.candidates,
        clusters.pairs.len(),
        started.elapsed().as_secs_f64() - shingled
    );
    (detector, clusters)
}

/// A spinner with `message` on stderr while a long step runs, for inputs of 20,000 documents or
/// more (hidden otherwise).
pub fn spinner(documents: usize, message: String) -> indicatif::ProgressBar {
    if documents >= 20_000 {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(message);
        s.enable_steady_tick(std::time::Duration::from_millis(200));
        s
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// A detector holding `docs`, shingled in chunks with a progress bar on stderr for large inputs.
/// Unless `keep_texts`, each chunk's texts are freed once shingled.
pub fn shingle(config: Config, docs: &mut [Document], keep_texts: bool) -> Detector {
    let mut detector = match Detector::new(config) {
        Ok(d) => d,
        Err(e) => unreachable!("config was validated: {e}"),
    };
    let bar = if docs.len() >= 20_000 {
        indicatif::ProgressBar::new(docs.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} documents ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix("shingling");
    for chunk in docs.chunks_mut(4096) {
        detector.extend(chunk.iter().map(|d| (d.name.as_str(), d.text.as_str())));
        bar.inc(chunk.len() as u64);
        // Texts no longer needed are freed as soon as they are shingled: their memory then holds
        // the next chunks' features (at a million articles the peak is features plus what is
        // left of the texts, not both whole).
        if !keep_texts {
            for d in chunk.iter_mut() {
                d.text = String::new();
            }
        }
    }
    bar.finish_and_clear();
    detector
}

/// Writes `{"doc": name, "cluster": n}` lines, one per document.
pub fn write_jsonl(path: &Path, detector: &Detector, clusters: &Clusters) -> Result<(), String> {
    write_labels(
        path,
        |d| detector.name(d).unwrap_or_default(),
        &clusters.clustering,
    )
}

/// Whether `path` names standard output (`-`).
pub fn is_stdout(path: Option<&Path>) -> bool {
    path == Some(Path::new("-"))
}

/// Writes `{"doc": name, "cluster": n}` lines for a partition, names given by `name`, to `path`
/// (`-`: standard output, ending the program as `out` says if the reader has gone).
pub fn write_labels<'a>(
    path: &Path,
    name: impl Fn(u32) -> &'a str,
    clustering: &wirecopy::cluster::Clustering,
) -> Result<(), String> {
    let lines = clustering
        .labels()
        .iter()
        .enumerate()
        .map(|(doc, label)| serde_json::json!({"doc": name(doc as u32), "cluster": label}));
    write_json_lines(path, lines)
}

/// Writes one JSON value per line to `path` (`-`: standard output, ending the program as `out`
/// says if the reader has gone).
pub fn write_json_lines(
    path: &Path,
    lines: impl IntoIterator<Item = serde_json::Value>,
) -> Result<(), String> {
    use std::io::Write;
    let stdout = is_stdout(Some(path));
    let sink: Box<dyn Write> = if stdout {
        Box::new(std::io::stdout().lock())
    } else {
        let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Box::new(file)
    };
    let mut w = std::io::BufWriter::new(sink);
    let failed = |e: std::io::Error| {
        if stdout {
            crate::out::write_failed(e)
        }
        format!("{}: {e}", path.display())
    };
    for line in lines {
        writeln!(w, "{line}").map_err(failed)?;
    }
    w.flush().map_err(failed)
}
