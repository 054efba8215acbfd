//! wirecopy finds copies of news articles: wire stories republished verbatim, truncated, wrapped in
//! a site's boilerplate, lightly edited, or machine-"spun" with synonyms.
//!
//! # Overview
//!
//! The pipeline, one module per stage:
//!
//! 1. [`normalize`]: Unicode folding (NFKC, quotes, dashes), case folding, punctuation → tokens.
//! 2. [`shingle`]: word n-grams and spin-robust *skeleton* n-grams, hashed to `u64` (tokens by one 128-bit multiply, n-grams rolled).
//! 3. [`boilerplate`]: shingles recurring across many documents (site templates) are ignored.
//! 4. [`minhash`]: fixed-size signatures (one-permutation hashing by default).
//! 5. [`lsh`]: banding signatures into candidate pairs, layout derived from the threshold.
//! 6. [`verify`]: exact resemblance and containment of candidates.
//! 7. [`cluster`]: deterministic union-find over verified pairs.
//!
//! [`corpus`] reads folders of `.txt` files and JSONL files; [`Detector`] ties it all together.
//!
//! # Example
//!
//! ```
//! use wirecopy::{Config, Detector};
//!
//! let wire = "Port workers began a 48-hour strike on Monday, halting cargo traffic at the \
//!             country's busiest harbour, the union said in a statement.";
//! let mut detector = Detector::new(Config::new().threshold(0.5))?;
//! detector.insert("wire.txt", wire);
//! detector.insert("reprint.txt", &format!("Home | News | Sport\n{wire}\nShare this article"));
//! detector.insert("other.txt", "The museum reopened its east wing after a two-year renovation.");
//! let clusters = detector.clusters();
//! assert_eq!(clusters.clusters.len(), 1);
//! assert_eq!(detector.query(wire)[0].name, "wire.txt");
//! # Ok::<(), wirecopy::ConfigError>(())
//! ```
//!
//! # Choosing parameters
//!
//! [`Config::threshold`] is the verified similarity needed to call two documents copies (default
//! 0.5); the LSH layout follows from it. The similarity is the larger of word n-gram containment and
//! skeleton containment, so a truncated copy scores like a full one and a spun copy keeps its
//! skeleton.
//!
//! # Features
//!
//! * `parallel` (default): batch work on rayon, in the caller's current pool.
//! * `jsonl` (default): [`corpus::read_jsonl`] and [`corpus::JsonlReader`] (adds `serde_json`).
//!
//! # Determinism
//!
//! Every hash is seeded ([`DEFAULT_SEED`] by default); pairs are sorted and union-find roots are the
//! smallest member, so the output is identical for any number of threads.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod align;
pub mod boilerplate;
pub mod cluster;
mod config;
pub mod corpus;
mod detector;
mod error;
pub mod features;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod relation;
pub mod shingle;
pub mod stopwords;
pub mod verify;

pub use config::{Config, DEFAULT_SEED};
pub use detector::{Cluster, Clusters, Detector, DocId, Match, Pair, MAX_BOILERPLATE_SHARE};
pub use error::{ConfigError, CorpusError, SignatureMismatch};
pub use features::{FeatureExtractor, Features, Similarity};
