//! MinHash signatures: a fixed-size sketch of a shingle set whose slot agreement estimates Jaccard.
//!
//! Two algorithms sit behind one [`Sketcher`], picked by [`Algorithm`]:
//!
//! * [`Algorithm::OnePermutation`] (default): one-permutation hashing (Li, Owen & Zhang, NIPS 2012)
//!   with optimal densification (Shrivastava, ICML 2017). Each shingle hash is keyed, multiplied by an odd
//!   constant, and lands in one of K bins, keeping the minimum per bin; empty bins borrow the value of a non-empty bin chosen
//!   by a seeded hash chain, which keeps the estimator unbiased. Cost O(|S| + K) per set.
//! * [`Algorithm::Classic`]: K independent hash functions, `h_i(x) = ((x ^ a_i) * b_i) >> 32`
//!   (multiply-shift, Dietzfelbinger et al. 1997), the minimum kept for each (Broder 1997). Cost
//!   O(|S|·K), written as a flat loop over the K slots that the compiler vectorizes.
//!
//! Both estimate Jaccard J with standard error sqrt(J(1−J)/K). A [`Signature`] carries its
//! [`SketchParams`]; comparing signatures built with different parameters is an error, never a
//! silent wrong answer. [`BbitSignature`] keeps only the lowest b bits of each slot (Li & König,
//! WWW 2010) for storage, with the estimator corrected for chance collisions.

use crate::error::SignatureMismatch;
use crate::shingle::{fmix64, Shingler};
use bitvec::prelude::*;

/// The signature algorithm.
///
/// # Examples
///
/// ```
/// use wirecopy::minhash::Algorithm;
/// assert_eq!("oph".parse::<Algorithm>(), Ok(Algorithm::OnePermutation));
/// assert_eq!(Algorithm::default(), Algorithm::OnePermutation);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Algorithm {
    /// One-permutation hashing with optimal densification (Shrivastava 2017).
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "oph"))]
    OnePermutation,
    /// Classic K-hash MinHash (Broder 1997) with multiply-shift hash functions.
    #[cfg_attr(feature = "serde", serde(rename = "classic"))]
    Classic,
}

impl Algorithm {
    /// Every algorithm, for listing in a user interface.
    pub const ALL: [Algorithm; 2] = [Algorithm::OnePermutation, Algorithm::Classic];

    /// The short name accepted by [`str::parse`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::minhash::Algorithm::Classic.name(), "classic");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::OnePermutation => "oph",
            Algorithm::Classic => "classic",
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "oph" | "one-permutation" => Ok(Algorithm::OnePermutation),
            "classic" | "kperm" => Ok(Algorithm::Classic),
            _ => Err(format!(
                "unknown algorithm {s:?} (expected one of: oph, classic)"
            )),
        }
    }
}

/// What a signature was built with; only signatures with equal parameters are comparable.
///
/// # Examples
///
/// ```
/// use wirecopy::minhash::{Algorithm, Sketcher};
/// let s = Sketcher::new(Algorithm::Classic, 32, 9);
/// assert_eq!(s.params().num_perm, 32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SketchParams {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The number of slots K.
    pub num_perm: usize,
    /// The seed.
    pub seed: u64,
}

/// A MinHash signature: K 32-bit slots plus the parameters that built it.
///
/// An empty set has an all-`u32::MAX` signature that is similar to nothing.
///
/// # Examples
///
/// ```
/// use wirecopy::minhash::{Algorithm, Sketcher};
/// let s = Sketcher::new(Algorithm::OnePermutation, 128, 1);
/// let a: Vec<u64> = (0..1000).collect();
/// let b: Vec<u64> = (500..1500).collect();
/// let j = s.sketch(&a).similarity(&s.sketch(&b))?;
/// assert!((j - 1.0 / 3.0).abs() < 0.2);
/// # Ok::<(), wirecopy::SignatureMismatch>(())
/// ```
///
/// With the `serde` feature a signature is stored as its parameters, its slots and whether its set
/// was empty, and checked when read back ([`DecodeError`](crate::DecodeError)):
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use wirecopy::minhash::{Algorithm, Sketcher};
/// let sig = Sketcher::new(Algorithm::OnePermutation, 16, 7).sketch(&[1, 2, 3]);
/// let json = serde_json::to_string(&sig).unwrap();
/// assert!(json.starts_with(r#"{"params":{"algorithm":"oph","num_perm":16,"seed":7},"values":["#));
/// let back: wirecopy::minhash::Signature = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, sig);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "SignatureRepr")
)]
pub struct Signature {
    params: SketchParams,
    values: Box<[u32]>,
    empty: bool,
}

/// What a [`Signature`] is read back from: its fields, checked by `TryFrom`.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct SignatureRepr {
    params: SketchParams,
    values: Vec<u32>,
    empty: bool,
}

#[cfg(feature = "serde")]
impl TryFrom<SignatureRepr> for Signature {
    type Error = crate::DecodeError;
    fn try_from(r: SignatureRepr) -> Result<Self, Self::Error> {
        if r.values.len() != r.params.num_perm || r.values.is_empty() {
            return Err(crate::DecodeError::SlotCount {
                expected: r.params.num_perm,
                found: r.values.len(),
            });
        }
        if r.empty {
            if let Some((slot, &value)) = r.values.iter().enumerate().find(|(_, &v)| v != u32::MAX)
            {
                return Err(crate::DecodeError::EmptySlot { slot, value });
            }
        }
        Ok(Signature {
            params: r.params,
            values: r.values.into_boxed_slice(),
            empty: r.empty,
        })
    }
}

impl Signature {
    /// The parameters this signature was built with.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let sig = Sketcher::new(Algorithm::Classic, 16, 0).sketch(&[1]);
    /// assert_eq!(sig.params().algorithm, Algorithm::Classic);
    /// ```
    pub fn params(&self) -> SketchParams {
        self.params
    }

    /// The slot values.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// assert_eq!(Sketcher::new(Algorithm::Classic, 16, 0).sketch(&[1]).values().len(), 16);
    /// ```
    pub fn values(&self) -> &[u32] {
        &self.values
    }

    /// True when built from an empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// assert!(Sketcher::new(Algorithm::Classic, 16, 0).sketch(&[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// The estimated Jaccard similarity: the share of equal slots (0 if either set is empty).
    ///
    /// # Errors
    ///
    /// [`SignatureMismatch`] when the two signatures were built with different parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::Classic, 64, 3);
    /// assert_eq!(s.sketch(&[1, 2, 3]).similarity(&s.sketch(&[1, 2, 3]))?, 1.0);
    /// # Ok::<(), wirecopy::SignatureMismatch>(())
    /// ```
    pub fn similarity(&self, other: &Signature) -> Result<f64, SignatureMismatch> {
        if self.params != other.params {
            return Err(SignatureMismatch {
                left: self.params,
                right: other.params,
            });
        }
        if self.empty || other.empty {
            return Ok(0.0);
        }
        let eq = self
            .values
            .iter()
            .zip(other.values.iter())
            .filter(|(a, b)| a == b)
            .count();
        Ok(eq as f64 / self.values.len() as f64)
    }

    /// Keeps the lowest `b` bits of each slot, for compact storage.
    ///
    /// # Errors
    ///
    /// [`ConfigError::BitWidth`](crate::ConfigError::BitWidth) unless `1 <= b <= 32`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let sig = Sketcher::new(Algorithm::OnePermutation, 128, 0).sketch(&[1, 2, 3]);
    /// let small = sig.to_bbit(8)?;
    /// assert_eq!(small.storage_bytes(), 128);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn to_bbit(&self, b: u32) -> Result<BbitSignature, crate::ConfigError> {
        if !(1..=32).contains(&b) {
            return Err(crate::ConfigError::BitWidth { value: b });
        }
        let mut bits = BitVec::<u64, Lsb0>::with_capacity(self.values.len() * b as usize);
        for &v in self.values.iter() {
            for i in 0..b {
                bits.push((v >> i) & 1 == 1);
            }
        }
        Ok(BbitSignature {
            params: self.params,
            b,
            bits,
            empty: self.empty,
        })
    }
}

/// A b-bit MinHash signature (Li & König, WWW 2010): the lowest b bits of each slot, bit-packed.
///
/// Two unrelated slots agree by chance with probability about 2^-b, so the raw agreement P is
/// corrected: Ĵ = (P − 2^-b) / (1 − 2^-b), clamped to [0, 1].
///
/// # Examples
///
/// ```
/// use wirecopy::minhash::{Algorithm, Sketcher};
/// let s = Sketcher::new(Algorithm::OnePermutation, 256, 5);
/// let a: Vec<u64> = (0..2000).collect();
/// let b: Vec<u64> = (1000..3000).collect();
/// let (sa, sb) = (s.sketch(&a).to_bbit(4)?, s.sketch(&b).to_bbit(4)?);
/// assert!((sa.similarity(&sb).unwrap() - 1.0 / 3.0).abs() < 0.2);
/// # Ok::<(), wirecopy::ConfigError>(())
/// ```
///
/// With the `serde` feature it is stored as its parameters, `b`, the packed bits as 64-bit words
/// (slot i's bits are bits `i * b ..` counted from the lowest bit of the first word) and whether
/// its set was empty; the word count is checked when read back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(try_from = "BbitRepr")
)]
pub struct BbitSignature {
    params: SketchParams,
    b: u32,
    bits: BitVec<u64, Lsb0>,
    empty: bool,
}

/// The stored form of a [`BbitSignature`].
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct BbitRepr {
    params: SketchParams,
    b: u32,
    words: Vec<u64>,
    empty: bool,
}

#[cfg(feature = "serde")]
impl serde::Serialize for BbitSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut bits = self.bits.clone();
        bits.set_uninitialized(false);
        BbitRepr {
            params: self.params,
            b: self.b,
            words: bits.into_vec(),
            empty: self.empty,
        }
        .serialize(s)
    }
}

#[cfg(feature = "serde")]
impl TryFrom<BbitRepr> for BbitSignature {
    type Error = crate::DecodeError;
    fn try_from(r: BbitRepr) -> Result<Self, Self::Error> {
        if !(1..=32).contains(&r.b) {
            return Err(crate::DecodeError::BitWidth { value: r.b });
        }
        let n = r.params.num_perm;
        if n == 0 {
            return Err(crate::DecodeError::SlotCount {
                expected: n,
                found: 0,
            });
        }
        let Some(len) = n.checked_mul(r.b as usize) else {
            return Err(crate::DecodeError::WordCount {
                expected: usize::MAX,
                found: r.words.len(),
            });
        };
        if r.words.len() != len.div_ceil(64) {
            return Err(crate::DecodeError::WordCount {
                expected: len.div_ceil(64),
                found: r.words.len(),
            });
        }
        let mut bits = BitVec::<u64, Lsb0>::from_vec(r.words);
        bits.truncate(len);
        Ok(BbitSignature {
            params: r.params,
            b: r.b,
            bits,
            empty: r.empty,
        })
    }
}

impl BbitSignature {
    /// Bits kept per slot.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::Classic, 8, 0).sketch(&[1]).to_bbit(2)?;
    /// assert_eq!(s.bits_per_slot(), 2);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn bits_per_slot(&self) -> u32 {
        self.b
    }

    /// Bytes of packed storage (rounded up to whole bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::Classic, 64, 0).sketch(&[1]).to_bbit(1)?;
    /// assert_eq!(s.storage_bytes(), 8);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn storage_bytes(&self) -> usize {
        self.bits.len().div_ceil(8)
    }

    /// The collision-corrected Jaccard estimate.
    ///
    /// # Errors
    ///
    /// [`SignatureMismatch`] when built with different parameters or a different b.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::Classic, 64, 0).sketch(&[1, 2]).to_bbit(8)?;
    /// assert_eq!(s.similarity(&s).unwrap(), 1.0);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn similarity(&self, other: &BbitSignature) -> Result<f64, SignatureMismatch> {
        if self.params != other.params || self.b != other.b {
            return Err(SignatureMismatch {
                left: self.params,
                right: other.params,
            });
        }
        if self.empty || other.empty {
            return Ok(0.0);
        }
        let b = self.b as usize;
        let k = self.params.num_perm;
        let mut eq = 0usize;
        for i in 0..k {
            if self.bits[i * b..(i + 1) * b] == other.bits[i * b..(i + 1) * b] {
                eq += 1;
            }
        }
        let p = eq as f64 / k as f64;
        let c = 0.5f64.powi(self.b as i32);
        Ok(((p - c) / (1.0 - c)).clamp(0.0, 1.0))
    }
}

/// Builds signatures for one [`SketchParams`]; cheap to clone, immutable, shareable across threads.
///
/// # Examples
///
/// ```
/// use wirecopy::minhash::{Algorithm, Sketcher};
/// let s = Sketcher::new(Algorithm::OnePermutation, 128, 42);
/// let sig = s.sketch(&[10, 20, 30]);
/// assert_eq!(sig.values().len(), 128);
/// ```
#[derive(Debug, Clone)]
pub struct Sketcher {
    params: SketchParams,
    a: Box<[u64]>,
    b: Box<[u64]>,
}

impl Sketcher {
    /// A sketcher with `num_perm` slots (at least 1; values below are raised to 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let _s = wirecopy::minhash::Sketcher::new(wirecopy::minhash::Algorithm::Classic, 64, 0);
    /// ```
    pub fn new(algorithm: Algorithm, num_perm: usize, seed: u64) -> Self {
        let num_perm = num_perm.max(1);
        let mut state = fmix64(seed ^ 0x6a09_e667_f3bc_c909);
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            fmix64(state)
        };
        let a: Box<[u64]> = (0..num_perm).map(|_| next()).collect();
        let b: Box<[u64]> = (0..num_perm).map(|_| next() | 1).collect();
        Sketcher {
            params: SketchParams {
                algorithm,
                num_perm,
                seed,
            },
            a,
            b,
        }
    }

    /// The parameters of the signatures this sketcher builds.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// assert_eq!(Sketcher::new(Algorithm::Classic, 8, 1).params().seed, 1);
    /// ```
    pub fn params(&self) -> SketchParams {
        self.params
    }

    /// The signature of a set of shingle hashes (duplicates allowed, order irrelevant).
    ///
    /// # Complexity
    ///
    /// O(|set| + K) for one-permutation hashing, O(|set|·K) for classic MinHash.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::Classic, 16, 0);
    /// assert_eq!(s.sketch(&[3, 1, 2]), s.sketch(&[1, 2, 3, 3]));
    /// ```
    pub fn sketch(&self, set: &[u64]) -> Signature {
        let mut sig = self.empty_signature();
        self.sketch_into(set, &mut sig);
        sig
    }

    /// Writes the signature of `set` into `sig`, reusing its storage.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::OnePermutation, 64, 0);
    /// let mut sig = s.sketch(&[]);
    /// s.sketch_into(&[1, 2, 3], &mut sig);
    /// assert_eq!(sig, s.sketch(&[1, 2, 3]));
    /// ```
    pub fn sketch_into(&self, set: &[u64], sig: &mut Signature) {
        let k = self.params.num_perm;
        if sig.values.len() != k {
            sig.values = vec![u32::MAX; k].into_boxed_slice();
        }
        sig.params = self.params;
        sig.empty = set.is_empty();
        let values = &mut sig.values[..];
        values.fill(u32::MAX);
        if set.is_empty() {
            return;
        }
        self.absorb(set, values);
        self.finish(values);
    }

    /// [`Sketcher::sketch`] of the set whose elements `feed` hands over a slice at a time (each
    /// element once, in any order), without the set in memory.
    pub(crate) fn sketch_chunks(&self, feed: impl FnOnce(&mut dyn FnMut(&[u64]))) -> Signature {
        let mut sig = self.empty_signature();
        let mut any = false;
        let values = &mut sig.values[..];
        feed(&mut |chunk: &[u64]| {
            any |= !chunk.is_empty();
            self.absorb(chunk, values);
        });
        if any {
            self.finish(values);
        }
        sig.empty = !any;
        sig
    }

    /// The signature of a text: the shingle hashes `shingler` produces, streamed into the sketch
    /// without building the shingle set.
    ///
    /// # Complexity
    ///
    /// Linear in the text length for one-permutation hashing (plus O(K)); classic MinHash adds
    /// O(K) per shingle.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let s = Sketcher::new(Algorithm::OnePermutation, 128, 0);
    /// let mut sh = Shingler::new(&[ShingleKind::Words(5)], 0);
    /// let text = "one two three four five six seven";
    /// let mut set = Vec::new();
    /// sh.hashes_into(text, &mut set);
    /// assert_eq!(s.sketch_text(&mut sh, text), s.sketch(&set));
    /// ```
    pub fn sketch_text(&self, shingler: &mut Shingler, text: &str) -> Signature {
        let mut sig = self.empty_signature();
        self.sketch_text_into(shingler, text, &mut sig);
        sig
    }

    /// Writes the signature of `text` (see [`Sketcher::sketch_text`]) into `sig`, reusing its
    /// storage.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let s = Sketcher::new(Algorithm::Classic, 64, 0);
    /// let mut sh = Shingler::new(&[ShingleKind::Words(2)], 0);
    /// let mut sig = s.sketch(&[]);
    /// s.sketch_text_into(&mut sh, "a b c", &mut sig);
    /// assert!(!sig.is_empty());
    /// ```
    pub fn sketch_text_into(&self, shingler: &mut Shingler, text: &str, sig: &mut Signature) {
        let k = self.params.num_perm;
        if sig.values.len() != k {
            sig.values = vec![u32::MAX; k].into_boxed_slice();
        }
        sig.params = self.params;
        let values = &mut sig.values[..];
        values.fill(u32::MAX);
        // Whether any shingle was seen: a flag set, not a count, so that no shingle waits for the
        // previous one's read-modify-write of it when the loop is not inlined here.
        let mut seen = false;
        match self.params.algorithm {
            Algorithm::OnePermutation => {
                let mix = self.a[0];
                let kk = k as u64;
                shingler.for_each_hash(text, |x| {
                    seen = true;
                    oph_update(values, kk, mix, x);
                });
            }
            Algorithm::Classic => {
                let (a, b) = (&self.a[..], &self.b[..]);
                shingler.for_each_hash(text, |x| {
                    seen = true;
                    classic_update(values, a, b, x);
                });
            }
        }
        if seen {
            self.finish(values);
        }
        sig.empty = !seen;
    }

    /// The signatures of many shingle sets, in order: in parallel in the caller's rayon pool with
    /// the `parallel` feature, identical for any number of threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// let s = Sketcher::new(Algorithm::OnePermutation, 32, 0);
    /// let sets = vec![vec![1u64, 2, 3], vec![4, 5]];
    /// let sigs = s.sketch_batch(&sets);
    /// assert_eq!(sigs[1], s.sketch(&[4, 5]));
    /// ```
    pub fn sketch_batch<S: AsRef<[u64]> + Sync>(&self, sets: &[S]) -> Vec<Signature> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            sets.par_iter().map(|s| self.sketch(s.as_ref())).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            sets.iter().map(|s| self.sketch(s.as_ref())).collect()
        }
    }

    /// The signatures of many raw texts, shingled like `shingler` (cloned once per worker), in
    /// order: in parallel in the caller's rayon pool with the `parallel` feature, identical for any
    /// number of threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::minhash::{Algorithm, Sketcher};
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let s = Sketcher::new(Algorithm::OnePermutation, 128, 0);
    /// let sh = Shingler::new(&[ShingleKind::Words(5)], 0);
    /// let sigs = s.sketch_texts(&sh, &["a text of several words here", "another one"]);
    /// assert_eq!(sigs.len(), 2);
    /// assert_eq!(sigs[1], s.sketch_text(&mut sh.clone(), "another one"));
    /// ```
    pub fn sketch_texts<T: AsRef<str> + Sync>(
        &self,
        shingler: &Shingler,
        texts: &[T],
    ) -> Vec<Signature> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            texts
                .par_iter()
                .map_init(
                    || shingler.clone(),
                    |sh, t| self.sketch_text(sh, t.as_ref()),
                )
                .collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            let mut sh = shingler.clone();
            texts
                .iter()
                .map(|t| self.sketch_text(&mut sh, t.as_ref()))
                .collect()
        }
    }

    fn empty_signature(&self) -> Signature {
        Signature {
            params: self.params,
            values: vec![u32::MAX; self.params.num_perm].into_boxed_slice(),
            empty: true,
        }
    }

    /// Lowers `values` by the elements of `set` (one-permutation bins are densified only by
    /// [`Sketcher::finish`], once every element is in).
    fn absorb(&self, set: &[u64], values: &mut [u32]) {
        match self.params.algorithm {
            Algorithm::Classic => {
                let (a, b) = (&self.a[..], &self.b[..]);
                for &x in set {
                    classic_update(values, a, b, x);
                }
            }
            Algorithm::OnePermutation => {
                let (k, mix) = (values.len() as u64, self.a[0]);
                for &x in set {
                    oph_update(values, k, mix, x);
                }
            }
        }
    }

    /// Completes the values of a non-empty set: one-permutation hashing densifies its empty bins.
    fn finish(&self, values: &mut [u32]) {
        if self.params.algorithm == Algorithm::OnePermutation {
            self.densify(values);
        }
    }

    /// Optimal densification (Shrivastava 2017): an empty bin borrows from the first bin met on a
    /// seeded pseudo-random walk that depends only on the bin and the attempt number, and that was
    /// non-empty before densification.
    fn densify(&self, values: &mut [u32]) {
        let k = values.len() as u64;
        let mix = self.a[0];
        // Bitmap of the bins filled by hashing; on the stack for K <= 1024 (the configurable range).
        let mut stack = [0u64; 16];
        let mut heap = Vec::new();
        let words = values.len().div_ceil(64);
        let filled: &mut [u64] = if words <= stack.len() {
            &mut stack[..words]
        } else {
            heap.resize(words, 0u64);
            &mut heap
        };
        let mut empty = 0usize;
        for (word, chunk) in filled.iter_mut().zip(values.chunks(64)) {
            let mut bits = 0u64;
            for (i, &v) in chunk.iter().enumerate() {
                bits |= u64::from(v != u32::MAX) << i;
            }
            *word = bits;
            empty += chunk.len() - bits.count_ones() as usize;
        }
        if empty == 0 {
            return;
        }
        if empty == values.len() {
            // Only possible if every hash equals u32::MAX in its low bits; treat as one value.
            values.fill(u32::MAX - 1);
            return;
        }
        let filled: &[u64] = filled;
        let is_filled = |j: usize| filled[j / 64] >> (j % 64) & 1 == 1;
        // Visit only the empty bins: the clear bits of the bitmap.
        for (w, &word) in filled.iter().enumerate() {
            let mut holes = !word;
            while holes != 0 {
                let i = w * 64 + holes.trailing_zeros() as usize;
                holes &= holes - 1;
                if i >= values.len() {
                    break;
                }
                let mut attempt = 1u64;
                loop {
                    let r = fmix64(mix ^ ((i as u64) << 32) ^ attempt);
                    let j = (((r >> 32) * k) >> 32) as usize;
                    if is_filled(j) {
                        values[i] = values[j];
                        break;
                    }
                    attempt += 1;
                }
            }
        }
    }
}

/// One shingle into a one-permutation sketch: keyed with the seed's word and multiplied by an odd
/// constant (a bijection; shingle hashes are already mixed, the product only spreads structured
/// inputs such as small integers), its high half picks the bin, its low half competes for the
/// bin's minimum.
#[inline(always)]
fn oph_update(values: &mut [u32], k: u64, mix: u64, x: u64) {
    let h = (x ^ mix).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let bin = (((h >> 32) * k) >> 32) as usize;
    let v = h as u32;
    if let Some(slot) = values.get_mut(bin) {
        // Branch-free: whether a shingle lowers its bin is a coin flip the predictor cannot learn.
        *slot = (*slot).min(v);
    }
}

/// One shingle into a classic sketch: K multiply-shift hashes, a flat loop over equal-length slices
/// that the compiler vectorizes.
#[inline(always)]
fn classic_update(values: &mut [u32], a: &[u64], b: &[u64], x: u64) {
    for ((v, &ai), &bi) in values.iter_mut().zip(a).zip(b) {
        let h = ((x ^ ai).wrapping_mul(bi) >> 32) as u32;
        *v = (*v).min(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(a: &[u64], b: &[u64]) -> f64 {
        let sa: std::collections::BTreeSet<_> = a.iter().collect();
        let sb: std::collections::BTreeSet<_> = b.iter().collect();
        sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64
    }

    #[test]
    fn estimates_within_four_sigma() {
        let mut rng = 12345u64;
        let mut next = || {
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            fmix64(rng)
        };
        for algo in Algorithm::ALL {
            for k in [64usize, 128, 256] {
                let s = Sketcher::new(algo, k, 7);
                for trial in 0..40 {
                    let n = 20 + (next() % 800) as usize;
                    let shared = (next() % (n as u64 + 1)) as usize;
                    let common: Vec<u64> = (0..shared).map(|_| next()).collect();
                    let mut a = common.clone();
                    let mut b = common;
                    a.extend((0..n - shared).map(|_| next()));
                    b.extend((0..(next() % 400) as usize).map(|_| next()));
                    let j = exact(&a, &b);
                    let est = s.sketch(&a).similarity(&s.sketch(&b)).unwrap();
                    let bound = 4.0 * (j * (1.0 - j) / k as f64).sqrt() + 1.0 / k as f64;
                    assert!(
                        (est - j).abs() <= bound,
                        "{algo:?} k={k} trial={trial} j={j} est={est}"
                    );
                }
            }
        }
    }

    fn texts() -> Vec<String> {
        let words = [
            "Port",
            "workers",
            "began",
            "a",
            "strike",
            "on",
            "Monday,",
            "the",
            "union's",
            "“leader”",
            "said",
            "café",
            "48-hour",
            "ﬁnal",
            "ＡＢＣ",
        ];
        let mut state = 5u64;
        (0..60)
            .map(|i| {
                (0..i * 7)
                    .map(|_| {
                        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                        words[(fmix64(state) % words.len() as u64) as usize]
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn text_path_equals_set_path() {
        use crate::shingle::ShingleKind;
        for kinds in [
            vec![ShingleKind::Words(5)],
            vec![ShingleKind::Words(3), ShingleKind::Skeleton(4)],
            vec![ShingleKind::Chars(5)],
        ] {
            let mut sh = Shingler::new(&kinds, 3);
            for algo in Algorithm::ALL {
                let s = Sketcher::new(algo, 64, 11);
                for t in texts() {
                    let mut set = Vec::new();
                    sh.hashes_into(&t, &mut set);
                    assert_eq!(s.sketch_text(&mut sh, &t), s.sketch(&set), "{algo:?} {t:?}");
                    // Handed over in pieces, some left out: the kept elements' signature.
                    let (x, y) = set.split_at(set.len() / 3);
                    let masked = s.sketch_chunks(|f| {
                        f(x);
                        for (i, e) in y.iter().enumerate() {
                            if ![0, 1, 3].contains(&i) {
                                f(std::slice::from_ref(e));
                            }
                        }
                    });
                    let kept: Vec<u64> = x
                        .iter()
                        .chain(
                            y.iter()
                                .enumerate()
                                .filter(|(i, _)| ![0, 1, 3].contains(i))
                                .map(|p| p.1),
                        )
                        .copied()
                        .collect();
                    assert_eq!(masked, s.sketch(&kept), "{algo:?} {t:?}");
                }
            }
        }
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn batches_identical_for_any_thread_count() {
        use crate::shingle::ShingleKind;
        let texts = texts();
        let sh = Shingler::new(&[ShingleKind::Words(5)], 1);
        let sets: Vec<Vec<u64>> = texts
            .iter()
            .map(|t| {
                let mut v = Vec::new();
                sh.clone().hashes_into(t, &mut v);
                v
            })
            .collect();
        for algo in Algorithm::ALL {
            let s = Sketcher::new(algo, 128, 2);
            let sequential: Vec<Signature> = sets.iter().map(|x| s.sketch(x)).collect();
            for threads in [1, 2, 3, 8] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                assert_eq!(pool.install(|| s.sketch_texts(&sh, &texts)), sequential);
                assert_eq!(pool.install(|| s.sketch_batch(&sets)), sequential);
            }
        }
    }

    #[test]
    fn mismatched_params_refused() {
        let a = Sketcher::new(Algorithm::Classic, 64, 1).sketch(&[1]);
        let b = Sketcher::new(Algorithm::OnePermutation, 64, 1).sketch(&[1]);
        assert!(a.similarity(&b).is_err());
        assert!(a
            .to_bbit(8)
            .unwrap()
            .similarity(&a.to_bbit(4).unwrap())
            .is_err());
    }

    #[test]
    fn empty_sets_match_nothing() {
        let s = Sketcher::new(Algorithm::OnePermutation, 32, 1);
        assert_eq!(s.sketch(&[]).similarity(&s.sketch(&[])).unwrap(), 0.0);
        let one = s.sketch(&[5]);
        assert_eq!(one.similarity(&one).unwrap(), 1.0);
    }
}
