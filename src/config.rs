//! The validated configuration of a [`Detector`](crate::Detector).

use crate::error::ConfigError;
use crate::lsh::LshParams;
use crate::minhash::Algorithm;

/// The default seed of every hash in the pipeline.
pub const DEFAULT_SEED: u64 = 0x5EED_C0DE_2026;

/// The probability with which the derived LSH layout makes a pair at the candidate threshold a
/// candidate.
pub const CANDIDATE_RECALL: f64 = 0.99;

/// Settings of the whole pipeline, with by-value setters. Nothing is checked until
/// [`Config::validate`], which [`Detector::new`](crate::Detector::new) calls.
///
/// The main knob is [`threshold`](Config::threshold): the similarity at which two documents count as
/// copies. The LSH layout is derived from it ([`Config::lsh_params`]) unless set explicitly.
///
/// # Examples
///
/// ```
/// use wirecopy::Config;
/// let config = Config::new().threshold(0.6).num_perm(256);
/// config.validate()?;
/// let lsh = config.lsh_params();
/// assert!(lsh.bands * lsh.rows <= 256);
/// # Ok::<(), wirecopy::ConfigError>(())
/// ```
///
/// With the `serde` feature a configuration is stored field by field; reading one back fills
/// missing fields with the defaults, refuses unknown ones and validates the result:
///
/// ```
/// # #[cfg(feature = "serde")] {
/// let c: wirecopy::Config = serde_json::from_str(r#"{"threshold": 0.6}"#).unwrap();
/// assert_eq!(c, wirecopy::Config::new().threshold(0.6));
/// assert!(serde_json::from_str::<wirecopy::Config>(r#"{"threshold": 2.0}"#).is_err());
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Config {
    pub(crate) threshold: f64,
    pub(crate) num_perm: usize,
    pub(crate) algorithm: Algorithm,
    pub(crate) seed: u64,
    pub(crate) word_ngram: usize,
    pub(crate) skeleton_ngram: usize,
    pub(crate) lsh: Option<LshParams>,
    pub(crate) boilerplate_min_df: usize,
    pub(crate) boilerplate_df_fraction: f64,
}

/// How a [`Config`] is read back: field by field (the defaults for missing ones, unknown ones
/// refused), then validated (see the `Deserialize` impl below).
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(remote = "Config", default = "Config::new", deny_unknown_fields)]
struct ConfigFields {
    threshold: f64,
    num_perm: usize,
    algorithm: Algorithm,
    seed: u64,
    word_ngram: usize,
    skeleton_ngram: usize,
    lsh: Option<LshParams>,
    boilerplate_min_df: usize,
    boilerplate_df_fraction: f64,
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Config {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let c = ConfigFields::deserialize(d)?;
        c.validate().map_err(serde::de::Error::custom)?;
        Ok(c)
    }
}

impl Default for Config {
    /// The defaults: threshold 0.5, 128 slots of one-permutation hashing, word 3-grams and skeleton
    /// 6-grams, boilerplate = shingles found in at least max(10, 0.2% of the documents) documents,
    /// seed [`DEFAULT_SEED`].
    fn default() -> Self {
        Config {
            threshold: 0.5,
            num_perm: 128,
            algorithm: Algorithm::OnePermutation,
            seed: DEFAULT_SEED,
            word_ngram: 3,
            skeleton_ngram: 6,
            lsh: None,
            boilerplate_min_df: Config::DEFAULT_BOILERPLATE_MIN_DF,
            boilerplate_df_fraction: Config::DEFAULT_BOILERPLATE_FRACTION,
        }
    }
}

impl Config {
    /// Default smallest document frequency that makes a shingle boilerplate.
    pub const DEFAULT_BOILERPLATE_MIN_DF: usize = 10;
    /// Default share of the documents that makes a shingle boilerplate (when above the minimum).
    pub const DEFAULT_BOILERPLATE_FRACTION: f64 = 0.002;

    /// The default configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new(), wirecopy::Config::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The verified similarity (see [`Detector`](crate::Detector)) at or above which two documents
    /// are copies, in `(0, 1]`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().threshold(0.7).get_threshold(), 0.7);
    /// ```
    pub fn threshold(mut self, t: f64) -> Self {
        self.threshold = t;
        self
    }

    /// Number of signature slots K (8 to 1024).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::Config::new().num_perm(4).validate().is_err());
    /// ```
    pub fn num_perm(mut self, k: usize) -> Self {
        self.num_perm = k;
        self
    }

    /// The signature algorithm.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::{minhash::Algorithm, Config};
    /// let c = Config::new().algorithm(Algorithm::Classic);
    /// assert_eq!(c.get_algorithm(), Algorithm::Classic);
    /// ```
    pub fn algorithm(mut self, a: Algorithm) -> Self {
        self.algorithm = a;
        self
    }

    /// The seed of every hash function.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().seed(7).get_seed(), 7);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Length of word n-gram shingles (1 to 16).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::Config::new().word_ngram(0).validate().is_err());
    /// ```
    pub fn word_ngram(mut self, n: usize) -> Self {
        self.word_ngram = n;
        self
    }

    /// Length of skeleton n-gram shingles (2 to 16), or 0 to turn spin-robust matching off.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::Config::new().skeleton_ngram(0).validate().is_ok());
    /// ```
    pub fn skeleton_ngram(mut self, n: usize) -> Self {
        self.skeleton_ngram = n;
        self
    }

    /// An explicit LSH layout instead of the one derived from the threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wirecopy::Config::new().lsh(16, 4);
    /// assert_eq!(c.lsh_params().bands, 16);
    /// assert!(wirecopy::Config::new().lsh(64, 4).validate().is_err()); // 256 > 128 slots
    /// ```
    pub fn lsh(mut self, bands: usize, rows: usize) -> Self {
        self.lsh = Some(LshParams { bands, rows });
        self
    }

    /// Boilerplate suppression: a shingle found in at least `max(min_df, fraction · documents)`
    /// documents is ignored. `min_df` must be at least 2; use `usize::MAX` to turn it off.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wirecopy::Config::new().boilerplate(50, 0.02);
    /// assert_eq!(c.boilerplate_limit(10_000), 200);
    /// ```
    pub fn boilerplate(mut self, min_df: usize, fraction: f64) -> Self {
        self.boilerplate_min_df = min_df;
        self.boilerplate_df_fraction = fraction;
        self
    }

    /// The threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().get_threshold(), 0.5);
    /// ```
    pub fn get_threshold(&self) -> f64 {
        self.threshold
    }

    /// The number of signature slots.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().get_num_perm(), 128);
    /// ```
    pub fn get_num_perm(&self) -> usize {
        self.num_perm
    }

    /// The signature algorithm.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::Algorithm;
    /// assert_eq!(wirecopy::Config::new().get_algorithm(), Algorithm::OnePermutation);
    /// ```
    pub fn get_algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The word n-gram length.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().get_word_ngram(), 3);
    /// ```
    pub fn get_word_ngram(&self) -> usize {
        self.word_ngram
    }

    /// The skeleton n-gram length (0: off).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().get_skeleton_ngram(), 6);
    /// ```
    pub fn get_skeleton_ngram(&self) -> usize {
        self.skeleton_ngram
    }

    /// The seed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().get_seed(), wirecopy::DEFAULT_SEED);
    /// ```
    pub fn get_seed(&self) -> u64 {
        self.seed
    }

    /// The Jaccard level the LSH layout is tuned for: a sixth of the threshold. Copies are verified
    /// by coverage, which stays high for a truncated or spun copy whose Jaccard with its source is
    /// low (a copy keeping a fraction f of a text has Jaccard about f, less after spinning), so
    /// candidates must be gathered far below the threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!((wirecopy::Config::new().threshold(0.6).candidate_threshold() - 0.1).abs() < 1e-12);
    /// ```
    pub fn candidate_threshold(&self) -> f64 {
        self.threshold / 6.0
    }

    /// The LSH layout: the explicit one, or [`LshParams::for_recall`] at
    /// [`Config::candidate_threshold`] with recall [`CANDIDATE_RECALL`].
    ///
    /// # Examples
    ///
    /// ```
    /// let p = wirecopy::Config::new().lsh_params();
    /// assert!(p.probability(0.1) >= 0.99);
    /// ```
    pub fn lsh_params(&self) -> LshParams {
        self.lsh.unwrap_or_else(|| {
            LshParams::for_recall(self.candidate_threshold(), self.num_perm, CANDIDATE_RECALL)
        })
    }

    /// Document frequency at or above which a shingle counts as boilerplate in a corpus of
    /// `documents` documents.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Config::new().boilerplate_limit(100), 10);
    /// ```
    pub fn boilerplate_limit(&self, documents: usize) -> usize {
        let rel = (self.boilerplate_df_fraction * documents as f64).ceil();
        let rel = if rel.is_finite() && rel > 0.0 {
            rel as usize
        } else {
            0
        };
        self.boilerplate_min_df.max(rel)
    }

    /// Checks every value.
    ///
    /// # Errors
    ///
    /// The first [`ConfigError`] found.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::Config::new().validate().is_ok());
    /// assert!(wirecopy::Config::new().threshold(0.0).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(ConfigError::Threshold {
                value: self.threshold,
            });
        }
        if !(8..=1024).contains(&self.num_perm) {
            return Err(ConfigError::NumPerm {
                value: self.num_perm,
                min: 8,
                max: 1024,
            });
        }
        if !(1..=16).contains(&self.word_ngram) {
            return Err(ConfigError::ShingleSize {
                value: self.word_ngram,
                min: 1,
                max: 16,
            });
        }
        if self.skeleton_ngram != 0 && !(2..=16).contains(&self.skeleton_ngram) {
            return Err(ConfigError::ShingleSize {
                value: self.skeleton_ngram,
                min: 2,
                max: 16,
            });
        }
        if let Some(p) = self.lsh {
            if p.bands == 0 || p.rows == 0 || p.bands.saturating_mul(p.rows) > self.num_perm {
                return Err(ConfigError::BandsRows {
                    bands: p.bands,
                    rows: p.rows,
                    num_perm: self.num_perm,
                });
            }
        }
        if self.boilerplate_min_df < 2 {
            return Err(ConfigError::BoilerplateDf {
                value: self.boilerplate_min_df,
                min: 2,
            });
        }
        if !(self.boilerplate_df_fraction >= 0.0 && self.boilerplate_df_fraction <= 1.0) {
            return Err(ConfigError::BoilerplateFraction {
                value: self.boilerplate_df_fraction,
            });
        }
        Ok(())
    }
}
