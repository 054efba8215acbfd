//! wirecopy finds copies of news articles: wire stories republished verbatim, truncated, wrapped in
//! a site's boilerplate, lightly edited, or machine-"spun" with synonyms.
//!
//! # Overview
//!
//! The pipeline, one module per stage:
//!
//! 1. [`normalize`]: Unicode folding (NFKC, quotes, dashes), case folding, punctuation → tokens;
//!    invisible characters skipped, HTML character references decoded in place.
//! 2. [`shingle`] and [`features`]: word n-grams and spin-robust *skeleton* n-grams of the text's
//!    body (short lines such as navigation and bylines left out; the lines of a hard-wrapped text
//!    joined back into paragraphs first), hashed with xxh3 to `u64`.
//! 3. [`boilerplate`]: shingles recurring across many documents (site templates) are ignored.
//! 4. [`minhash`]: fixed-size signatures (one-permutation hashing by default).
//! 5. [`lsh`]: banding signatures into candidate pairs, layout derived from the threshold.
//! 6. [`verify`] and [`features::coverage`]: exact scores of candidates.
//! 7. [`cluster`]: deterministic union-find; each document joins its best verified larger
//!    neighbour, so weak links cannot chain different stories together.
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
//! [`Config::threshold`] (default 0.5) is the verified similarity needed to call two documents
//! copies. The similarity is the *coverage* of the smaller text by the larger: the share of its
//! tokens under a word 3-gram or skeleton 6-gram the other text also has (see [`features`]). A
//! truncated copy scores like a full one, a spun copy keeps its skeleton, and a page quoting one
//! paragraph of a story scores low (a long unmatched stretch costs extra). Lower the threshold
//! (0.4) to catch looser rewrites such as real paraphrases at the price of more false merges; raise
//! it (0.6–0.7) for near-verbatim copies only.
//!
//! The LSH layout is derived from the threshold ([`Config::lsh_params`]): candidates are gathered
//! far below it, because a truncated copy has low Jaccard with its source. Boilerplate (shingles in
//! at least max(10, 0.2% of the documents) documents, [`Config::boilerplate`]) is ignored; raise the
//! minimum for corpora in which one story is reprinted more than ten times alongside templates.
//!
//! For corpora too large to keep shingle sets in memory (millions of articles), cluster signatures
//! alone with [`cluster::cluster_signatures`] (the `--fast` mode of the `cluster` example): it finds
//! near-verbatim copies only.
//!
//! # Features
//!
//! * `parallel` (default): batch work on rayon, in the caller's current pool.
//! * `jsonl` (default): [`corpus::read_jsonl`] and [`corpus::JsonlReader`] (adds `serde_json`).
//! * `serde` (off by default): `Serialize` and `Deserialize` for signatures (plain and b-bit),
//!   [`Config`], [`lsh::LshParams`], the results ([`Clusters`], [`Pair`], [`Match`],
//!   [`Similarity`], [`cluster::Clustering`]) and the evidence ([`relation::ClusterEvidence`],
//!   [`align::Alignment`] and their parts; kinds by lowercase name): keep a day's signatures and
//!   look the next day's pages up in an [`lsh::LshIndex`] without the texts. What is read back is
//!   checked: a configuration is validated ([`ConfigError`]; missing fields take the defaults,
//!   unknown ones are refused), a signature must have the slots its parameters say and a
//!   clustering labels numbered by first member ([`DecodeError`]). [`Features`] are not stored:
//!   extract them again from the text (their layout is internal and larger than the text).
//!
//! # Determinism
//!
//! Every hash is seeded ([`DEFAULT_SEED`] by default); pairs are sorted and union-find roots are the
//! smallest member, so the output is identical for any number of threads.
// Seven `unsafe` blocks, all x86-64 AVX-512: four call AVX-512 builds once the CPU is known to have
// the features (the token-hash and n-gram loops, the token scan, and the block merge of two sorted
// sets: `normalize::hash_queues`, `shingle::rolled`, `normalize::Tokenizer::fill`,
// `features::merged_blocks`); three are vector loads and stores on bounds-checked slices and arrays
// (`normalize::classify_avx512`, `normalize::store_edges`, `features::merged_blocks_avx512`).
#![deny(unsafe_code)]
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
pub mod template;
pub mod verify;

pub use config::{Config, CANDIDATE_RECALL, DEFAULT_SEED};
pub use detector::{Cluster, Clusters, Detector, DocId, Match, Pair, MAX_BOILERPLATE_SHARE};
pub use error::{ConfigError, CorpusError, DecodeError, SignatureMismatch};
pub use features::{FeatureExtractor, Features, Similarity};
