//! Error types: one enum per API boundary.
//!
//! * [`ConfigError`]: a parameter out of range, raised once by [`Config::validate`](crate::Config::validate).
//! * [`CorpusError`]: a file or line that could not be read, always naming the path (and line).
//! * [`SignatureMismatch`]: two signatures built with different parameters were compared.
//! * [`DecodeError`]: a stored signature or clustering (read back with the `serde` feature) does
//!   not hold together.

use std::path::PathBuf;

/// A configuration value out of range.
///
/// Every variant carries the offending value and its bounds.
///
/// # Examples
///
/// ```
/// use wirecopy::{Config, ConfigError};
///
/// let err = Config::new().threshold(1.5).validate().unwrap_err();
/// assert!(matches!(err, ConfigError::Threshold { .. }));
/// assert!(err.to_string().contains("1.5"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The similarity threshold is not inside `(0, 1]`.
    #[error("invalid threshold {value} (expected > 0 and <= 1)")]
    Threshold {
        /// The value given.
        value: f64,
    },
    /// The number of signature slots is out of range.
    #[error("invalid number of signature slots {value} (expected >= {min} and <= {max})")]
    NumPerm {
        /// The value given.
        value: usize,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
    /// An explicit LSH layout does not fit the signature.
    #[error("invalid LSH layout {bands} bands x {rows} rows (expected bands >= 1, rows >= 1, bands * rows <= {num_perm} slots)")]
    BandsRows {
        /// Bands given.
        bands: usize,
        /// Rows per band given.
        rows: usize,
        /// Signature slots available.
        num_perm: usize,
    },
    /// A shingle length is out of range.
    #[error("invalid shingle size {value} (expected >= {min} and <= {max})")]
    ShingleSize {
        /// The value given.
        value: usize,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
    /// The boilerplate document-frequency limit is out of range.
    #[error("invalid boilerplate document frequency {value} (expected >= {min})")]
    BoilerplateDf {
        /// The value given.
        value: usize,
        /// Smallest allowed.
        min: usize,
    },
    /// The boilerplate document-frequency fraction is not inside `[0, 1]`.
    #[error("invalid boilerplate fraction {value} (expected >= 0 and <= 1)")]
    BoilerplateFraction {
        /// The value given.
        value: f64,
    },
    /// A b-bit width is out of range.
    #[error("invalid b-bit width {value} (expected >= 1 and <= 32)")]
    BitWidth {
        /// The value given.
        value: u32,
    },
}

/// Why a file, a JSONL line or a path could not be read.
///
/// Every variant names the path; line-level variants also carry the 1-based line number.
///
/// # Examples
///
/// ```
/// let err = wirecopy::corpus::read_dir("/no/such/folder").unwrap_err();
/// assert!(err.to_string().contains("/no/such/folder"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorpusError {
    /// The operating system refused to open or read the path.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The path is not a folder (for [`read_dir`](crate::corpus::read_dir)).
    #[error("{}: not a folder", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than the limit.
    #[error("{}: file is {size} bytes, over the {limit}-byte limit; skipped", path.display())]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file holds no text (zero bytes, or only whitespace).
    #[error("{}: empty document; skipped", path.display())]
    Empty {
        /// The path.
        path: PathBuf,
    },
    /// The file looks binary (NUL bytes or mostly control bytes).
    #[error("{}: binary content (byte {offset} is not text); skipped", path.display())]
    Binary {
        /// The path.
        path: PathBuf,
        /// Offset of the first offending byte.
        offset: usize,
    },
    /// Invalid UTF-8: the document was kept, decoded lossily (U+FFFD for bad bytes).
    #[error("{}: invalid UTF-8 at byte {offset}; decoded lossily ({bad_bytes} bad bytes replaced)", path.display())]
    InvalidUtf8 {
        /// The path.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
        /// How many bytes were replaced.
        bad_bytes: usize,
    },
    /// A JSONL line is not an object with a string `id` (or number) and a string `text`.
    #[error("{}:{line}: {reason}; line skipped", path.display())]
    BadLine {
        /// The path.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Two documents have the same name (JSONL `id`); the later one is skipped.
    #[error("{}:{line}: duplicate id {id:?}; skipped", path.display())]
    DuplicateId {
        /// The path.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The id.
        id: String,
    },
}

impl CorpusError {
    /// True when the document was still read (a warning), false when it was skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::CorpusError;
    /// let e = CorpusError::Empty { path: "a.txt".into() };
    /// assert!(!e.is_warning());
    /// ```
    pub fn is_warning(&self) -> bool {
        matches!(self, CorpusError::InvalidUtf8 { .. })
    }
}

/// Two signatures built with different algorithms, sizes or seeds were compared.
///
/// # Examples
///
/// ```
/// use wirecopy::minhash::{Algorithm, Sketcher};
/// let a = Sketcher::new(Algorithm::Classic, 64, 1).sketch(&[1, 2, 3]);
/// let b = Sketcher::new(Algorithm::Classic, 64, 2).sketch(&[1, 2, 3]);
/// assert!(a.similarity(&b).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("signatures are not comparable: {left:?} vs {right:?}")]
pub struct SignatureMismatch {
    /// Parameters of the left signature.
    pub left: crate::minhash::SketchParams,
    /// Parameters of the right signature.
    pub right: crate::minhash::SketchParams,
}

/// A stored value read back (with the `serde` feature) that does not hold together: a signature
/// whose slots do not match its parameters, a clustering whose labels are not numbered by first
/// member. Every variant carries the offending values.
///
/// # Examples
///
/// ```
/// let e = wirecopy::DecodeError::SlotCount { expected: 128, found: 64 };
/// assert_eq!(e.to_string(), "signature has 64 slots, its parameters say 128");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The number of slots is not the parameters' `num_perm`, or is zero.
    #[error("signature has {found} slots, its parameters say {expected}")]
    SlotCount {
        /// `num_perm` of the parameters.
        expected: usize,
        /// Slots found.
        found: usize,
    },
    /// A signature marked as built from an empty set has a slot other than `u32::MAX`.
    #[error(
        "signature marked empty has slot {slot} = {value} (expected {})",
        u32::MAX
    )]
    EmptySlot {
        /// The slot.
        slot: usize,
        /// Its value.
        value: u32,
    },
    /// A b-bit signature's width is outside `1..=32`.
    #[error("invalid b-bit width {value} (expected >= 1 and <= 32)")]
    BitWidth {
        /// The width found.
        value: u32,
    },
    /// A b-bit signature's packed words do not hold `num_perm * b` bits.
    #[error("b-bit signature has {found} words, {expected} expected for its slots and width")]
    WordCount {
        /// Words needed.
        expected: usize,
        /// Words found.
        found: usize,
    },
    /// A clustering label is not numbered by first member (documents 0, 1, 2, ... open labels
    /// 0, 1, 2, ... in order).
    #[error("document {doc} has label {label}, but the labels before it reach only {max}")]
    Label {
        /// The document.
        doc: usize,
        /// Its label.
        label: u32,
        /// The next new label it could have had.
        max: u32,
    },
}
