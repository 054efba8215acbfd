//! Locality-sensitive hashing: banding signatures so that similar sets share a bucket.
//!
//! A signature of K slots is cut into `bands` bands of `rows` slots; two sets become candidates when
//! all rows of at least one band agree, which happens with probability `1 - (1 - s^rows)^bands` for
//! Jaccard `s` (the S-curve). [`LshParams::for_threshold`] picks the layout whose S-curve best
//! separates pairs above a threshold from pairs below it (least weighted area of false positives and
//! false negatives, as in Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3).
//!
//! [`LshIndex`] is the incremental index (insert, query); [`candidate_pairs`] is the batch form, which
//! sorts band keys instead of building hash tables and uses O(n) memory per band.

use crate::minhash::Signature;
use crate::shingle::{fmix64, sort_spread, spread32};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Band keys are already mixed 64-bit hashes ([`fmix64`]); hashing them again (SipHash) only costs
/// time, so the tables use them as they are.
#[derive(Debug, Clone, Copy, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not used for u64 keys; a plain fold keeps it correct for any other input.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// Band key to the newest entry of its bucket in [`LshIndex::entries`].
type Table = HashMap<u64, u32, BuildHasherDefault<KeyHasher>>;

/// No next entry.
const END: u32 = u32::MAX;

/// A banding layout.
///
/// # Examples
///
/// ```
/// use wirecopy::lsh::LshParams;
/// let p = LshParams::for_threshold(0.5, 128);
/// assert!(p.bands * p.rows <= 128);
/// assert!(p.probability(0.8) > 0.99 && p.probability(0.2) < 0.1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Slots per band.
    pub rows: usize,
}

impl LshParams {
    /// The layout for `num_perm` slots minimizing the false-positive area below `threshold` plus the
    /// false-negative area above it (equal weights), over all `bands * rows <= num_perm`.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = wirecopy::lsh::LshParams::for_threshold(0.3, 128);
    /// assert!(p.probability(0.3) > 0.3);
    /// ```
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Self {
        let t = threshold.clamp(0.01, 0.99);
        let mut best = LshParams { bands: 1, rows: 1 };
        let mut best_err = f64::INFINITY;
        for bands in 1..=num_perm.max(1) {
            for rows in 1..=num_perm / bands {
                let p = LshParams { bands, rows };
                let fp = integrate(|s| p.probability(s), 0.0, t);
                let fneg = integrate(|s| 1.0 - p.probability(s), t, 1.0);
                let err = fp + fneg;
                if err < best_err - 1e-12 {
                    best_err = err;
                    best = p;
                }
            }
        }
        best
    }

    /// The most selective layout using `num_perm` slots that still makes pairs of Jaccard
    /// `threshold` candidates with probability at least `recall`: the most rows per band (fewest
    /// false candidates) for which `probability(threshold) >= recall`, with as many bands as fit.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = wirecopy::lsh::LshParams::for_recall(0.1, 128, 0.99);
    /// assert_eq!((p.bands, p.rows), (128, 1));
    /// let p = wirecopy::lsh::LshParams::for_recall(0.5, 128, 0.99);
    /// assert!(p.probability(0.5) >= 0.99);
    /// ```
    pub fn for_recall(threshold: f64, num_perm: usize, recall: f64) -> Self {
        let num_perm = num_perm.max(1);
        let mut best = LshParams {
            bands: num_perm,
            rows: 1,
        };
        for rows in 2..=num_perm {
            let p = LshParams {
                bands: num_perm / rows,
                rows,
            };
            if p.probability(threshold) >= recall {
                best = p;
            } else {
                break;
            }
        }
        best
    }

    /// Probability that two sets of Jaccard `s` share at least one band.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = wirecopy::lsh::LshParams { bands: 20, rows: 5 };
    /// assert!((p.probability(1.0) - 1.0).abs() < 1e-12);
    /// ```
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The band keys of a signature, one per band (band index mixed in), written into `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::{lsh::LshParams, minhash::{Algorithm, Sketcher}};
    /// let sig = Sketcher::new(Algorithm::Classic, 16, 0).sketch(&[1, 2]);
    /// let mut keys = Vec::new();
    /// LshParams { bands: 4, rows: 4 }.band_keys_into(&sig, &mut keys);
    /// assert_eq!(keys.len(), 4);
    /// ```
    pub fn band_keys_into(&self, sig: &Signature, out: &mut Vec<u64>) {
        out.clear();
        out.extend((0..self.bands).map(|band| self.band_key(sig, band)));
    }

    /// The key of band `band` of `sig`: its rows hashed together with the band index.
    fn band_key(&self, sig: &Signature, band: usize) -> u64 {
        let rows = &sig.values()[band * self.rows..(band + 1) * self.rows];
        rows.iter()
            .fold(fmix64(band as u64 + 1), |h, &x| fmix64(h ^ u64::from(x)))
    }
}

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let steps = 50;
    let h = (b - a) / steps as f64;
    (0..steps).map(|i| f(a + (i as f64 + 0.5) * h) * h).sum()
}

/// An incremental banded index of signatures, keyed by `u32` document numbers.
///
/// # Examples
///
/// ```
/// use wirecopy::{lsh::{LshIndex, LshParams}, minhash::{Algorithm, Sketcher}};
/// let s = Sketcher::new(Algorithm::OnePermutation, 128, 0);
/// let mut index = LshIndex::new(LshParams::for_threshold(0.5, 128));
/// let a: Vec<u64> = (0..100).collect();
/// index.insert(0, &s.sketch(&a));
/// assert_eq!(index.query(&s.sketch(&a)), vec![0]);
/// ```
#[derive(Debug, Clone)]
pub struct LshIndex {
    params: LshParams,
    tables: Vec<Table>,
    /// Bucket members as linked lists, `(document, next entry)`: no allocation per bucket.
    entries: Vec<(u32, u32)>,
    keys: Vec<u64>,
}

impl LshIndex {
    /// An empty index.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = wirecopy::lsh::LshIndex::new(wirecopy::lsh::LshParams { bands: 8, rows: 4 });
    /// assert_eq!(i.params().bands, 8);
    /// ```
    pub fn new(params: LshParams) -> Self {
        LshIndex {
            params,
            tables: vec![Table::default(); params.bands],
            entries: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// The banding layout.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = wirecopy::lsh::LshIndex::new(wirecopy::lsh::LshParams { bands: 8, rows: 4 });
    /// assert_eq!(i.params().rows, 4);
    /// ```
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Adds document `id`. Empty signatures are not indexed.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::{lsh::{LshIndex, LshParams}, minhash::{Algorithm, Sketcher}};
    /// let mut i = LshIndex::new(LshParams { bands: 4, rows: 2 });
    /// i.insert(3, &Sketcher::new(Algorithm::Classic, 8, 0).sketch(&[1]));
    /// ```
    pub fn insert(&mut self, id: u32, sig: &Signature) {
        if sig.is_empty() {
            return;
        }
        self.params.band_keys_into(sig, &mut self.keys);
        for (table, key) in self.tables.iter_mut().zip(&self.keys) {
            let entry = self.entries.len() as u32;
            let head = table.entry(*key).or_insert(END);
            self.entries.push((id, *head));
            *head = entry;
        }
    }

    /// The documents sharing at least one band with `sig`, sorted, without repeats.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::{lsh::{LshIndex, LshParams}, minhash::{Algorithm, Sketcher}};
    /// let i = LshIndex::new(LshParams { bands: 4, rows: 2 });
    /// assert!(i.query(&Sketcher::new(Algorithm::Classic, 8, 0).sketch(&[1])).is_empty());
    /// ```
    pub fn query(&self, sig: &Signature) -> Vec<u32> {
        let mut keys = Vec::new();
        let mut out = Vec::new();
        if sig.is_empty() {
            return out;
        }
        self.params.band_keys_into(sig, &mut keys);
        for (table, key) in self.tables.iter().zip(&keys) {
            let mut at = table.get(key).copied().unwrap_or(END);
            while let Some(&(id, next)) = self.entries.get(at as usize) {
                out.push(id);
                at = next;
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Buckets larger than this contribute a star and a chain instead of all their pairs.
pub const MAX_BUCKET_PAIRS: usize = 128;

/// All candidate pairs `(i, j)`, `i < j`, of a batch of signatures: pairs sharing a band. Sorted,
/// without repeats. Empty signatures take part in no pair.
///
/// A bucket of more than [`MAX_BUCKET_PAIRS`] documents (mass duplicates, or shared boilerplate) yields
/// the pairs of each member with the bucket's first member and with its successor instead of all
/// m(m−1)/2 pairs, which keeps the cost linear and the members connected.
///
/// # Complexity
///
/// O(bands · n log n) time, O(n) extra memory per band.
///
/// # Examples
///
/// ```
/// use wirecopy::{lsh::{candidate_pairs, LshParams}, minhash::{Algorithm, Sketcher}};
/// let s = Sketcher::new(Algorithm::OnePermutation, 64, 0);
/// let a: Vec<u64> = (0..200).collect();
/// let b: Vec<u64> = (1000..1200).collect();
/// let sigs = vec![s.sketch(&a), s.sketch(&b), s.sketch(&a)];
/// assert_eq!(candidate_pairs(&sigs, LshParams { bands: 16, rows: 4 }), vec![(0, 2)]);
/// ```
pub fn candidate_pairs(sigs: &[Signature], params: LshParams) -> Vec<(u32, u32)> {
    counted_candidate_pairs(sigs, params, None, &|_, _| true).pairs
}

/// A list of document pairs.
type Pairs = Vec<(u32, u32)>;

/// [`Counted::shared`] of a pair whose shared slots LSH does not tell exactly.
pub(crate) const UNCOUNTED: u16 = u16::MAX;

/// The candidate pairs of [`candidate_pairs`] that a filter kept, with the number of signature
/// slots each pair shares where the banding tells it exactly.
#[derive(Debug, Default)]
pub(crate) struct Counted {
    /// The kept pairs, in the order [`candidate_pairs`] gives them.
    pub pairs: Vec<(u32, u32)>,
    /// For each kept pair, its number of equal signature slots, or [`UNCOUNTED`].
    pub shared: Vec<u16>,
    /// How many distinct candidate pairs there were, kept or not.
    pub candidates: usize,
}

/// [`candidate_pairs`] with the slots each pair shares. With one row per band and one band per
/// slot, two signatures share a band exactly when they share its slot (the band key is a
/// bijection of the slot value), so a pair's number of buckets is its number of equal slots,
/// unless one of them was a large bucket, which lists only some of its pairs: such pairs, and
/// every pair under other layouts, are [`UNCOUNTED`].
///
/// With `touching`, only the pairs with at least one flagged document (`touching[d]`), each
/// with the same count: the pairs a second banding needs when only those documents' signatures
/// changed. A bucket without a flagged member is passed over.
///
/// Only the pairs for which `keep(pair, shared)` holds are listed (all are counted in
/// [`Counted::candidates`]): a prefilter applied as the pairs are counted, so that the pairs it
/// rejects (most of them, at scale) are never stored.
pub(crate) fn counted_candidate_pairs(
    sigs: &[Signature],
    params: LshParams,
    touching: Option<&[bool]>,
    keep: &(dyn Fn((u32, u32), u16) -> bool + Sync),
) -> Counted {
    let live: Vec<u32> = (0..sigs.len() as u32)
        .filter(|&i| sigs.get(i as usize).is_some_and(|s| !s.is_empty()))
        .collect();
    // Per band: the pairs of small buckets (every pair) and those of large ones (a star and a chain).
    let band_pairs = |bins: &mut Bins, band: usize| -> (Parted, Pairs) {
        let (pairs, large) = if params.rows == 1 {
            // A one-row band's key is its slot value, spread by a bijection (the same buckets):
            // key and document packed in one word; only the entries that may share their key
            // with another are kept (see `Bins::colliding`), radix-sorted on the key's top bits.
            bins.entries.clear();
            bins.entries.extend(live.iter().filter_map(|&i| {
                let v = sigs.get(i as usize)?.values().get(band)?;
                Some(u64::from(spread32(*v)) << 32 | u64::from(i))
            }));
            let mut packed = bins.colliding(touching);
            sort_spread(&mut packed);
            bucket_pairs(&packed, |&x| x >> 32, |&x| x as u32, touching)
        } else {
            let live = live
                .iter()
                .filter_map(|&i| Some((i, sigs.get(i as usize)?)));
            let mut keyed: Vec<(u64, u32)> =
                live.map(|(i, s)| (params.band_key(s, band), i)).collect();
            keyed.sort_unstable();
            bucket_pairs(&keyed, |e| e.0, |e| e.1, touching)
        };
        (parted(pairs, sigs.len()), large)
    };
    let m = live.len();
    #[cfg(feature = "parallel")]
    let per_band: Vec<(Parted, Pairs)> = {
        use rayon::prelude::*;
        (0..params.bands)
            .into_par_iter()
            .map_init(|| Bins::new(m), band_pairs)
            .collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per_band: Vec<(Parted, Pairs)> = {
        let mut bins = Bins::new(m);
        (0..params.bands)
            .map(|b| band_pairs(&mut bins, b))
            .collect()
    };
    let (mut small, mut large) = (Vec::new(), Vec::new());
    for (s, l) in per_band {
        small.push(s);
        large.extend(l);
    }
    large.sort_unstable();
    large.dedup();
    let exact = params.rows == 1
        && sigs
            .iter()
            .find(|s| !s.is_empty())
            .is_some_and(|s| s.values().len() == params.bands);
    count_pairs(small, &large, sigs.len(), exact, keep)
}

/// One one-row band's entries and scratch bit sets over their keys' bins (the keys' top bits,
/// 16 to 32 bins per document up to four million documents, so that few share a bin by chance;
/// 2^26 bins, 8 MiB a bit set, beyond).
struct Bins {
    /// The band's entries: key << 32 | document.
    entries: Vec<u64>,
    log2: u32,
    once: Vec<u64>,
    twice: Vec<u64>,
}

impl Bins {
    /// Bins for bands of up to `docs` entries.
    fn new(docs: usize) -> Bins {
        let log2 = (usize::BITS - docs.leading_zeros() + 4).clamp(10, 26);
        let words = (1usize << log2) / 64;
        Bins {
            entries: Vec::new(),
            log2,
            once: vec![0; words],
            twice: vec![0; words],
        }
    }

    /// The entries that may share their key with another: those whose bin holds two entries or
    /// more; with `touching`, those whose bin holds a flagged document's key. Either way every
    /// bucket of two or more (with a flagged member) is listed whole, which is all that
    /// [`bucket_pairs`] reads, and most documents, alone in their bin, are not listed.
    fn colliding(&mut self, touching: Option<&[bool]>) -> Vec<u64> {
        let shift = 64 - self.log2;
        let bin = |e: u64| (e >> shift) as usize;
        let (once, twice) = (&mut self.once, &mut self.twice);
        once.fill(0);
        let marked = match touching {
            None => {
                twice.fill(0);
                for &e in &self.entries {
                    let b = bin(e);
                    if let (Some(o), Some(t)) = (once.get_mut(b / 64), twice.get_mut(b / 64)) {
                        *t |= *o & 1 << (b % 64);
                        *o |= 1 << (b % 64);
                    }
                }
                &*twice
            }
            Some(flags) => {
                for &e in &self.entries {
                    if flags.get(e as u32 as usize).copied().unwrap_or(false) {
                        let b = bin(e);
                        if let Some(o) = once.get_mut(b / 64) {
                            *o |= 1 << (b % 64);
                        }
                    }
                }
                &*once
            }
        };
        let hit = |e: u64| {
            let b = bin(e);
            marked.get(b / 64).is_some_and(|w| w >> (b % 64) & 1 == 1)
        };
        self.entries.iter().copied().filter(|&e| hit(e)).collect()
    }
}

/// The pairs of one band's buckets, from its entries sorted by `key` (each naming a document):
/// every pair of a small bucket, a star and a chain over a large one (more than
/// [`MAX_BUCKET_PAIRS`] documents). With `touching`, only pairs with a flagged document, and no
/// bucket without one.
fn bucket_pairs<T>(
    entries: &[T],
    key: impl Fn(&T) -> u64,
    doc: impl Fn(&T) -> u32,
    touching: Option<&[bool]>,
) -> (Pairs, Pairs) {
    let flagged = |d: u32| touching.is_none_or(|t| t.get(d as usize).copied().unwrap_or(false));
    // One scan finds the buckets of two or more (most documents are alone in a bucket) and sizes
    // the lists before they are filled (for every pair, flagged or not: untouched capacity costs
    // no pages; growing them would copy and fault in fresh pages again).
    let mut buckets: Vec<&[T]> = Vec::new();
    let (mut n_pairs, mut n_large) = (0, 0);
    for bucket in entries.chunk_by(|x, y| key(x) == key(y)) {
        let m = bucket.len();
        if m >= 2 {
            buckets.push(bucket);
            if m <= MAX_BUCKET_PAIRS {
                n_pairs += m * (m - 1) / 2;
            } else {
                n_large += 2 * (m - 1);
            }
        }
    }
    let (mut pairs, mut large) = (Vec::with_capacity(n_pairs), Vec::with_capacity(n_large));
    let push = |list: &mut Pairs, a: u32, b: u32| {
        if flagged(a) || flagged(b) {
            list.push((a, b));
        }
    };
    let mut group: Vec<u32> = Vec::new();
    for bucket in buckets {
        group.clear();
        group.extend(bucket.iter().map(&doc));
        if !group.iter().any(|&d| flagged(d)) {
            continue;
        }
        if group.len() <= MAX_BUCKET_PAIRS {
            for x in 0..group.len() {
                for y in x + 1..group.len() {
                    push(&mut pairs, group[x], group[y]);
                }
            }
        } else {
            for x in 1..group.len() {
                push(&mut large, group[0], group[x]);
                push(&mut large, group[x - 1], group[x]);
            }
        }
    }
    (pairs, large)
}

/// Parts of the document range: the small buckets' pairs of each band are grouped by the part of
/// their first document, so that ranges of parts can be counted side by side.
const PARTS: usize = 64;

/// The part of first document `a` of `n`.
fn part_of(a: u32, n: usize) -> usize {
    (u64::from(a) * PARTS as u64 / n.max(1) as u64) as usize
}

/// One band's pairs of small buckets, one list per part of their first document (see
/// [`part_of`]), each sized before it is filled.
#[derive(Debug)]
struct Parted {
    parts: Vec<Vec<(u32, u32)>>,
}

/// `pairs` (first documents below `n`) split by part, in their order within each part.
fn parted(pairs: Vec<(u32, u32)>, n: usize) -> Parted {
    let mut sizes = [0usize; PARTS];
    for &(a, _) in &pairs {
        if let Some(c) = sizes.get_mut(part_of(a, n)) {
            *c += 1;
        }
    }
    let mut parts: Vec<Vec<(u32, u32)>> = sizes.iter().map(|&c| Vec::with_capacity(c)).collect();
    for &(a, b) in &pairs {
        if let Some(list) = parts.get_mut(part_of(a, n)) {
            list.push((a, b));
        }
    }
    Parted { parts }
}

/// The distinct pairs of `small` (every band's small buckets) and `large` (sorted, distinct), in
/// order, each with its count: its number of repeats in `small`, when `exact` and not in
/// `large`, else [`UNCOUNTED`]. Ranges of first documents are counted side by side with the
/// `parallel` feature (in the caller's pool), each written into its own slice of the output; the
/// output does not depend on how the range is cut. Only pairs `keep` accepts are written.
fn count_pairs(
    mut small: Vec<Parted>,
    large: &[(u32, u32)],
    n: usize,
    exact: bool,
    keep: &(dyn Fn((u32, u32), u16) -> bool + Sync),
) -> Counted {
    // Chunks of parts with about the same number of listed pairs, a few per thread.
    #[cfg(feature = "parallel")]
    let threads = rayon::current_num_threads();
    #[cfg(not(feature = "parallel"))]
    let threads = 1;
    let per_part: Vec<usize> = (0..PARTS)
        .map(|p| {
            small
                .iter()
                .map(|b| b.parts.get(p).map_or(0, Vec::len))
                .sum()
        })
        .collect();
    let listed: usize = per_part.iter().sum();
    let chunks = (4 * threads).clamp(1, PARTS);
    let mut cuts = vec![0];
    let mut acc = 0;
    for (p, &c) in per_part.iter().enumerate() {
        acc += c;
        if acc * chunks >= listed * cuts.len() && p + 1 < PARTS {
            cuts.push(p + 1);
        }
    }
    cuts.push(PARTS);
    cuts.dedup();
    let ranges: Vec<std::ops::Range<usize>> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
    // Each chunk takes its parts' lists from every band, and frees each once it is sorted in.
    type Lists = Vec<Vec<(u32, u32)>>;
    let owned: Vec<Lists> = ranges
        .iter()
        .map(|parts| {
            small
                .iter_mut()
                .flat_map(|b| b.parts.get_mut(parts.clone()).unwrap_or_default())
                .map(std::mem::take)
                .collect()
        })
        .collect();
    drop(small);
    // First pass, per chunk: its documents' partners, sorted, and its number of distinct pairs.
    let sorted = |(parts, lists): (&std::ops::Range<usize>, Lists)| -> Sorted {
        let docs = first_doc(parts.start, n)..first_doc(parts.end, n);
        let sorted = sort_pairs(lists, docs.clone());
        let large = &large[large.partition_point(|p| (p.0 as usize) < docs.start)
            ..large.partition_point(|p| (p.0 as usize) < docs.end)];
        let mut kept = 0;
        let distinct = merged(
            docs.start,
            &sorted.0,
            &sorted.1,
            large,
            exact,
            |pair, count| kept += usize::from(keep(pair, count)),
        );
        Sorted {
            docs,
            starts: sorted.0,
            partners: sorted.1,
            large,
            distinct,
            kept,
        }
    };
    #[cfg(feature = "parallel")]
    let sorted: Vec<Sorted> = {
        use rayon::prelude::*;
        ranges.par_iter().zip(owned).map(sorted).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let sorted: Vec<Sorted> = ranges.iter().zip(owned).map(sorted).collect();
    // Second pass: each chunk writes its pairs into its own slice.
    let total: usize = sorted.iter().map(|c| c.kept).sum();
    let mut out = Counted {
        pairs: vec![(0, 0); total],
        shared: vec![0; total],
        candidates: sorted.iter().map(|c| c.distinct).sum(),
    };
    let mut jobs = Vec::with_capacity(sorted.len());
    let (mut pairs, mut shared) = (&mut out.pairs[..], &mut out.shared[..]);
    for chunk in &sorted {
        let (p, rest_p) = std::mem::take(&mut pairs).split_at_mut(chunk.kept);
        let (s, rest_s) = std::mem::take(&mut shared).split_at_mut(chunk.kept);
        (pairs, shared) = (rest_p, rest_s);
        jobs.push((chunk, p, s));
    }
    let fill = |(chunk, pairs, shared): (&Sorted, &mut [(u32, u32)], &mut [u16])| {
        let mut i = 0;
        let (starts, partners) = (&chunk.starts, &chunk.partners);
        merged(
            chunk.docs.start,
            starts,
            partners,
            chunk.large,
            exact,
            |pair, count| {
                if !keep(pair, count) {
                    return;
                }
                if let (Some(p), Some(s)) = (pairs.get_mut(i), shared.get_mut(i)) {
                    (*p, *s) = (pair, count);
                }
                i += 1;
            },
        );
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        jobs.into_par_iter().for_each(fill);
    }
    #[cfg(not(feature = "parallel"))]
    jobs.into_iter().for_each(fill);
    out
}

/// The first document of part `p` of `n` (`n` for `PARTS`): the least `a` with `part_of(a) >= p`.
fn first_doc(p: usize, n: usize) -> usize {
    // part_of(a) = floor(a * PARTS / n) >= p  <=>  a >= ceil(p * n / PARTS).
    (p * n).div_ceil(PARTS).min(n)
}

/// A chunk's sorted pairs (see [`count_pairs`]).
struct Sorted<'a> {
    docs: std::ops::Range<usize>,
    starts: Vec<usize>,
    partners: Vec<u32>,
    large: &'a [(u32, u32)],
    /// Distinct pairs, and of those the kept ones.
    distinct: usize,
    kept: usize,
}

/// Walks the distinct pairs of `sorted` (see [`sort_pairs`]) merged with `large`, in order,
/// calling `emit(pair, count)` for each; returns how many there were.
fn merged(
    first: usize,
    starts: &[usize],
    partners: &[u32],
    large: &[(u32, u32)],
    exact: bool,
    mut emit: impl FnMut((u32, u32), u16),
) -> usize {
    // The distinct pairs of small buckets in order, each with its number of repeats (its count).
    let runs = starts.windows(2).enumerate().flat_map(|(i, w)| {
        let a = (first + i) as u32;
        let list = partners.get(w[0]..w[1]).unwrap_or_default();
        list.chunk_by(|x, y| x == y)
            .map(move |run| ((a, run[0]), run.len()))
    });
    let mut runs = runs.peekable();
    let mut large = large.iter().copied().peekable();
    let mut count = 0;
    loop {
        let next = match (runs.peek(), large.peek()) {
            (Some(&(p, _)), Some(&q)) => p.min(q),
            (Some(&(p, _)), None) => p,
            (None, Some(&q)) => q,
            (None, None) => break,
        };
        let run = runs.next_if(|&(p, _)| p == next).map_or(0, |(_, n)| n);
        let in_large = large.next_if(|&q| q == next).is_some();
        emit(
            next,
            match u16::try_from(run) {
                Ok(n) if exact && !in_large && n < UNCOUNTED => n,
                _ => UNCOUNTED,
            },
        );
        count += 1;
    }
    count
}

/// The pairs of `lists` (first documents in `docs`) in sorted order, repeats kept, as each first
/// document's partners: `partners[starts[i]..starts[i + 1]]` are those of `docs.start + i`,
/// sorted. A counting sort on the first document, then each short list sorted in cache: cheaper
/// than sorting all pairs at once, and the lists are freed as they are read.
fn sort_pairs(lists: Vec<Vec<(u32, u32)>>, docs: std::ops::Range<usize>) -> (Vec<usize>, Vec<u32>) {
    let n = docs.len();
    let mut starts = vec![0usize; n + 1];
    for &(a, _) in lists.iter().flatten() {
        if let Some(c) = (a as usize)
            .checked_sub(docs.start)
            .and_then(|i| starts.get_mut(i + 1))
        {
            *c += 1;
        }
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut partners = vec![0u32; starts[n]];
    for list in lists {
        for (a, b) in list {
            if let Some(at) = (a as usize)
                .checked_sub(docs.start)
                .and_then(|i| next.get_mut(i))
            {
                if let Some(slot) = partners.get_mut(*at) {
                    *slot = b;
                }
                *at += 1;
            }
        }
    }
    for w in starts.windows(2) {
        if let Some(list) = partners.get_mut(w[0]..w[1]) {
            list.sort_unstable();
        }
    }
    (starts, partners)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{Algorithm, Sketcher};

    #[test]
    fn layout_fits() {
        for t in [0.1, 0.3, 0.5, 0.8] {
            for k in [16, 64, 128] {
                let p = LshParams::for_threshold(t, k);
                assert!(p.bands * p.rows <= k && p.bands >= 1 && p.rows >= 1);
            }
        }
    }

    #[test]
    fn index_and_batch_agree() {
        let s = Sketcher::new(Algorithm::OnePermutation, 64, 3);
        let sets: Vec<Vec<u64>> = (0..30u64)
            .map(|i| ((i % 7) * 50..(i % 7) * 50 + 60 + i).collect())
            .collect();
        let sigs: Vec<_> = sets.iter().map(|x| s.sketch(x)).collect();
        let p = LshParams::for_threshold(0.5, 64);
        let mut idx = LshIndex::new(p);
        let mut from_index = Vec::new();
        for (i, sig) in sigs.iter().enumerate() {
            for j in idx.query(sig) {
                from_index.push((j, i as u32));
            }
            idx.insert(i as u32, sig);
        }
        from_index.sort_unstable();
        assert_eq!(from_index, candidate_pairs(&sigs, p));
    }

    /// The pairs and counts do not depend on how many threads count them (the document range
    /// is cut into chunks by the number of threads) nor on the parts: a large corpus with groups
    /// of copies, counted in pools of 1, 2 and 5 threads, and as one part against a naive count.
    #[cfg(feature = "parallel")]
    #[test]
    fn counted_pairs_do_not_depend_on_threads() {
        let s = Sketcher::new(Algorithm::OnePermutation, 32, 5);
        // 3000 sets in groups of 1 to 6 overlapping copies.
        let sets: Vec<Vec<u64>> = (0..3000u64)
            .map(|i| {
                let g = i / 6 * 6 + i % 6 % (1 + i / 6 % 6);
                (g * 100..g * 100 + 40)
                    .chain(i * 7 + 1_000_000..i * 7 + 1_000_003)
                    .collect()
            })
            .collect();
        let sigs: Vec<_> = sets.iter().map(|x| s.sketch(x)).collect();
        let p = LshParams { bands: 32, rows: 1 };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| counted_candidate_pairs(&sigs, p, None, &|_, _| true))
        };
        let one = run(1);
        assert!(one.pairs.len() > 2000);
        for threads in [2, 5] {
            let other = run(threads);
            assert_eq!(other.pairs, one.pairs);
            assert_eq!(other.shared, one.shared);
        }
        // Counted the naive way: every listed pair of every band, sorted and run-length counted.
        let mut listed = Vec::new();
        for band in 0..p.bands {
            let mut keyed: Vec<(u64, u32)> = (0..sigs.len())
                .map(|i| (p.band_key(&sigs[i], band), i as u32))
                .collect();
            keyed.sort_unstable();
            for group in keyed.chunk_by(|a, b| a.0 == b.0) {
                assert!(group.len() <= MAX_BUCKET_PAIRS);
                for x in 0..group.len() {
                    for y in x + 1..group.len() {
                        listed.push((group[x].1, group[y].1));
                    }
                }
            }
        }
        listed.sort_unstable();
        let naive: Vec<((u32, u32), u16)> = listed
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u16))
            .collect();
        let got: Vec<((u32, u32), u16)> = one.pairs.into_iter().zip(one.shared).collect();
        assert_eq!(got, naive);
        assert_eq!(one.candidates, naive.len());
        // A filter drops pairs as they are counted: the rest, in order, and the same total.
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let kept = pool.install(|| {
                counted_candidate_pairs(&sigs, p, None, &|(a, _), n| n >= 3 && a % 2 == 0)
            });
            let want: Vec<_> = naive
                .iter()
                .filter(|((a, _), n)| *n >= 3 && a % 2 == 0)
                .copied()
                .collect();
            assert!(!want.is_empty() && want.len() < naive.len());
            let got: Vec<_> = kept.pairs.into_iter().zip(kept.shared).collect();
            assert_eq!(got, want);
            assert_eq!(kept.candidates, naive.len());
        }
    }

    /// `Bins::colliding` keeps exactly the entries whose bin holds another entry (with flags, a
    /// flagged entry), in order, so every entry sharing its key with another (a flagged one) is
    /// kept: checked with few bins, so that many keys share one by chance, and many repeated keys.
    #[test]
    fn colliding_keeps_every_entry_whose_key_is_shared() {
        let mut x = 7u64;
        let mut next = || {
            x = fmix64(x.wrapping_add(1));
            x
        };
        for round in 0..300usize {
            let mut bins = Bins::new(round % 3);
            assert_eq!(bins.log2, 10);
            let n = round * 7 % 1500;
            bins.entries = (0..n as u64)
                .map(|d| {
                    let r = next();
                    let key = if r % 3 == 0 {
                        (r >> 40) as u32 % 40 * 0x0101_0101
                    } else {
                        (r >> 32) as u32
                    };
                    u64::from(key) << 32 | d
                })
                .collect();
            let flags: Vec<bool> = (0..n).map(|_| next() % 11 == 0).collect();
            let bin = |e: u64| e >> 54;
            let key = |e: u64| e >> 32;
            let entries = bins.entries.clone();
            for touching in [None, Some(&flags[..])] {
                let flagged = |e: u64| touching.is_none_or(|f| f[e as u32 as usize]);
                // An entry's bin (key) holds another entry, or a flagged one.
                let shares = |e: u64, same: &dyn Fn(u64, u64) -> bool| {
                    entries
                        .iter()
                        .any(|&o| same(o, e) && flagged(o) && (touching.is_some() || o != e))
                };
                let want: Vec<u64> = entries
                    .iter()
                    .copied()
                    .filter(|&e| shares(e, &|o, e| bin(o) == bin(e)))
                    .collect();
                let got = bins.colliding(touching);
                assert_eq!(got, want, "round {round}");
                for &e in &entries {
                    if shares(e, &|o, e| key(o) == key(e)) {
                        assert!(got.contains(&e));
                    }
                }
            }
        }
    }

    /// Against brute force: every pair sharing a band is a candidate, and a counted pair's count
    /// is its number of equal slots; with one row per band, a pair in no large bucket is counted.
    #[test]
    fn counted_pairs_match_brute_force() {
        let s = Sketcher::new(Algorithm::OnePermutation, 32, 9);
        // 200 sets: groups that overlap a lot, and 150 copies of one set (a large bucket).
        let mut sets: Vec<Vec<u64>> = (0..50u64)
            .map(|i| ((i % 9) * 40..(i % 9) * 40 + 30 + i % 13).collect())
            .collect();
        sets.extend((0..150u64).map(|i| (5000..5100).chain([9000 + i]).collect()));
        sets.push(Vec::new());
        let sigs: Vec<_> = sets.iter().map(|x| s.sketch(x)).collect();
        for p in [
            LshParams { bands: 32, rows: 1 },
            LshParams { bands: 8, rows: 4 },
        ] {
            let counted = counted_candidate_pairs(&sigs, p, None, &|_, _| true);
            assert_eq!(counted.pairs, candidate_pairs(&sigs, p));
            // Only the pairs touching some flagged documents: the same pairs and counts, filtered.
            let flags: Vec<bool> = (0..sigs.len()).map(|d| d % 7 == 3 || d == 120).collect();
            let touching = counted_candidate_pairs(&sigs, p, Some(&flags), &|_, _| true);
            let want_touching: Vec<((u32, u32), u16)> = counted
                .pairs
                .iter()
                .zip(&counted.shared)
                .filter(|((a, b), _)| flags[*a as usize] || flags[*b as usize])
                .map(|(&pair, &n)| (pair, n))
                .collect();
            let got_touching: Vec<((u32, u32), u16)> =
                touching.pairs.into_iter().zip(touching.shared).collect();
            assert!(!want_touching.is_empty());
            assert_eq!(got_touching, want_touching);
            assert_eq!(counted.pairs.len(), counted.shared.len());
            let mut want = Vec::new();
            for a in 0..sigs.len() {
                for b in a + 1..sigs.len() {
                    let (x, y) = (&sigs[a], &sigs[b]);
                    if !x.is_empty()
                        && !y.is_empty()
                        && (0..p.bands).any(|band| p.band_key(x, band) == p.band_key(y, band))
                    {
                        want.push((a as u32, b as u32));
                    }
                }
            }
            let large_ones = (50..200u32).collect::<Vec<_>>();
            for ((a, b), &n) in counted.pairs.iter().zip(&counted.shared) {
                let (x, y) = (&sigs[*a as usize], &sigs[*b as usize]);
                let equal = x
                    .values()
                    .iter()
                    .zip(y.values())
                    .filter(|(u, v)| u == v)
                    .count();
                // Counted whenever it can be, and then right.
                if p.rows == 1 && !large_ones.contains(a) || n != UNCOUNTED {
                    assert_eq!(usize::from(n), equal, "{a} {b}");
                }
                if p.rows > 1 {
                    assert_eq!(n, UNCOUNTED);
                }
            }
            // The large bucket lists a star and a chain, not all of its pairs.
            let outside: Vec<_> = want.iter().filter(|(a, _)| *a < 50).collect();
            for pair in outside {
                assert!(counted.pairs.contains(pair), "{pair:?}");
            }
            assert!(counted.pairs.iter().all(|pair| want.contains(pair)));
        }
    }
}
