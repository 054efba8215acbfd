//! Shingling: tokens to a set of 64-bit shingle hashes.
//!
//! Every token is hashed once with xxh3; n-gram hashes are then combined from token hashes with a
//! rolling cyclic polynomial (rotate and xor, O(1) per shingle), finished with a 64-bit mixer and the
//! seed, so the text is never re-hashed per shingle. Three kinds are provided:
//!
//! * [`ShingleKind::Words`]: word n-grams, the classic resemblance feature.
//! * [`ShingleKind::Skeleton`]: n-grams over a *spin-robust skeleton*: function words
//!   ([`stopwords`]) and tokens with digits are kept, every run of other words
//!   collapses into one placeholder. A synonym spinner swaps content words, and multi-word phrases for
//!   single words, but leaves this skeleton intact; different stories on one topic share content
//!   words, not skeleton sequences (SpotSigs, Theobald et al. SIGIR 2008; DSpin, Zhang et al. NDSS 2014).
//! * [`ShingleKind::Chars`]: character n-grams of the canonical text, for short or noisy text.
//!
//! A run of more than [`MAX_PLACEHOLDER_RUN`] content words breaks the skeleton, and skeleton
//! segments shorter than n give no shingle. Otherwise, texts shorter than one n-gram yield one
//! shingle of all their tokens, so no non-empty text has an
//! empty shingle set.

use crate::normalize::Tokenizer;
use crate::stopwords;
use std::sync::OnceLock;
use xxhash_rust::xxh3::xxh3_64;

/// The kind of shingle and its length.
///
/// # Examples
///
/// ```
/// use wirecopy::shingle::ShingleKind;
/// let k = ShingleKind::Words(5);
/// assert_eq!(k.len(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShingleKind {
    /// Word n-grams.
    Words(usize),
    /// n-grams of the function-word skeleton (see the module docs).
    Skeleton(usize),
    /// Character n-grams of the canonical text.
    Chars(usize),
}

impl ShingleKind {
    /// The n of the n-gram.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::shingle::ShingleKind::Chars(7).len(), 7);
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> usize {
        match self {
            ShingleKind::Words(n) | ShingleKind::Skeleton(n) | ShingleKind::Chars(n) => n,
        }
    }

    /// The seed of this kind's hashes under the pipeline seed `seed`.
    pub(crate) fn seeded(self, seed: u64) -> u64 {
        fmix64(seed ^ self.tag())
    }

    fn tag(self) -> u64 {
        match self {
            ShingleKind::Words(n) => 0x1000 + n as u64,
            ShingleKind::Skeleton(n) => 0x2000 + n as u64,
            ShingleKind::Chars(n) => 0x3000 + n as u64,
        }
    }
}

/// The placeholder standing for a run of content words in a skeleton.
pub(crate) const PLACEHOLDER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The hash of a canonical token: xxh3 with the lowest bit replaced by the "has a digit" flag.
#[inline]
pub(crate) fn token_hash(token: &[u8], numeric: bool) -> u64 {
    flag_numeric(xxh3_64(token), numeric)
}

/// A token's xxh3 hash with the lowest bit replaced by the "has a digit" flag.
#[inline]
pub(crate) fn flag_numeric(hash: u64, numeric: bool) -> u64 {
    (hash & !1) | u64::from(numeric)
}

/// Murmur3's 64-bit finalizer: a bijective mixer.
#[inline]
pub(crate) fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// Indices in a sorted set of evenly spread hashes, found through a directory of their top bits:
/// a lookup reads one or two elements.
#[derive(Debug, Clone)]
pub(crate) struct Directory {
    /// `starts[k]`: the first index whose hash has top bits at least `k`.
    starts: Vec<u32>,
    shift: u32,
}

impl Directory {
    /// The directory of `set` (sorted, without repeats): one start index per value of the top
    /// log2(len) bits.
    pub(crate) fn new(set: &[u64]) -> Directory {
        let bits = set.len().next_power_of_two().max(2).trailing_zeros();
        let shift = 64 - bits;
        let mut starts = vec![0u32; (1 << bits) + 1];
        let mut i = 0;
        for (k, start) in starts.iter_mut().enumerate() {
            while set.get(i).is_some_and(|&h| ((h >> shift) as usize) < k) {
                i += 1;
            }
            *start = i as u32;
        }
        Directory { starts, shift }
    }

    /// The index of `h` in `set` (the set this directory was made for), if it is there.
    #[inline]
    pub(crate) fn rank(&self, set: &[u64], h: u64) -> Option<usize> {
        let k = (h >> self.shift) as usize;
        let (from, to) = (self.starts.get(k)?, self.starts.get(k + 1)?);
        let bucket = set.get(*from as usize..*to as usize)?;
        bucket
            .iter()
            .position(|&x| x == h)
            .map(|i| i + *from as usize)
    }
}

/// True when `h` is the [`token_hash`] of a function word.
///
/// An open-addressing table of 2,048 slots (16 KiB, in L1 cache), indexed by high hash bits with
/// linear probing. A lookup reads the same [`STOP_PROBES`] slots whatever the answer (the table is
/// built so that no word lies further from its home slot), so it costs no branch on the data: about
/// half the tokens of a text are function words, a coin flip to the branch predictor.
#[cfg(test)]
pub(crate) fn is_function_word(h: u64) -> bool {
    in_stop_slots(&stopword_table().slots, h)
}

const STOP_BITS: u32 = 11;
const STOP_SLOTS: usize = 1 << STOP_BITS;
/// Slots every lookup reads (the table is built so that no word lies further from its home slot).
const STOP_PROBES: usize = 3;
const _: () = assert!(STOP_PROBES == 3, "in_stop_slots reads three slots");
/// A value no token hash takes for a function word (checked when the table is built).
const EMPTY_SLOT: u64 = 0;

/// The function-word table of [`is_function_word`].
struct StopTable {
    /// `STOP_SLOTS` slots, then copies of the first ones so that probes never wrap around.
    slots: Vec<u64>,
    /// One more than the longest distance of a word from its home slot (at most `STOP_PROBES`;
    /// a test checks it).
    #[cfg_attr(not(test), allow(dead_code))]
    probes: usize,
}

/// Whether `h` is in one of the [`STOP_PROBES`] slots from its home slot in a [`StopTable`]'s
/// `slots`: a fixed number of reads, no loop, no branch on the answer.
#[inline(always)]
fn in_stop_slots(slots: &[u64], h: u64) -> bool {
    let home = (h >> (64 - STOP_BITS)) as usize;
    match slots.get(home..home + STOP_PROBES) {
        Some(&[a, b, c]) => (a == h) | (b == h) | (c == h),
        _ => false,
    }
}

fn stopword_table() -> &'static StopTable {
    static TABLE: OnceLock<StopTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![EMPTY_SLOT; STOP_SLOTS];
        let mut probes = 1;
        for w in stopwords::WORDS {
            let h = token_hash(w.as_bytes(), false);
            debug_assert_ne!(h, EMPTY_SLOT);
            let home = (h >> (64 - STOP_BITS)) as usize;
            let mut i = home;
            while t[i % STOP_SLOTS] != EMPTY_SLOT && t[i % STOP_SLOTS] != h {
                i += 1;
            }
            t[i % STOP_SLOTS] = h;
            probes = probes.max(i + 1 - home);
        }
        // Lookups read STOP_PROBES slots: a longer probe would miss words (a test checks it).
        debug_assert!(probes <= STOP_PROBES, "{probes} probes");
        let wrapped: Vec<u64> = t[..STOP_PROBES].to_vec();
        t.extend(wrapped);
        StopTable { slots: t, probes }
    })
}

/// Turns texts into shingle hashes; holds scratch buffers, so keep one per thread.
///
/// # Examples
///
/// ```
/// use wirecopy::shingle::{ShingleKind, Shingler};
/// let mut s = Shingler::new(&[ShingleKind::Words(2)], 7);
/// let mut out = Vec::new();
/// s.hashes_into("one two three", &mut out);
/// assert_eq!(out.len(), 2); // "one two", "two three"
/// ```
#[derive(Debug, Clone)]
pub struct Shingler {
    kinds: Vec<ShingleKind>,
    seed: u64,
    tokenizer: Tokenizer,
    tokens: Vec<u64>,
    skeleton: Skeleton,
    skeleton_spans: Vec<SkeletonSpan>,
    canon: String,
    bounds: Vec<usize>,
}

impl Shingler {
    /// A shingler producing the union of the given kinds, with `seed` mixed into every hash.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let _s = Shingler::new(&[ShingleKind::Words(5), ShingleKind::Skeleton(6)], 0);
    /// ```
    pub fn new(kinds: &[ShingleKind], seed: u64) -> Self {
        Shingler {
            kinds: kinds.to_vec(),
            seed,
            tokenizer: Tokenizer::new(),
            tokens: Vec::new(),
            skeleton: Skeleton::default(),
            skeleton_spans: Vec::new(),
            canon: String::new(),
            bounds: Vec::new(),
        }
    }

    /// The kinds this shingler produces.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// assert_eq!(Shingler::new(&[ShingleKind::Words(3)], 0).kinds(), &[ShingleKind::Words(3)]);
    /// ```
    pub fn kinds(&self) -> &[ShingleKind] {
        &self.kinds
    }

    /// Writes the shingle hashes of `text` into `out` (cleared first), in text order, with
    /// repeats. Use [`Shingler::set_into`] for a sorted set.
    ///
    /// # Complexity
    ///
    /// Linear in the text length; one xxh3 per token, O(1) per word or skeleton shingle.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let mut s = Shingler::new(&[ShingleKind::Words(1)], 0);
    /// let mut out = Vec::new();
    /// s.hashes_into("a b a", &mut out);
    /// assert_eq!(out[0], out[2]);
    /// ```
    pub fn hashes_into(&mut self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        self.for_each_hash(text, |h| out.push(h));
    }

    /// Calls `f` with every shingle hash of `text`, in the order of [`Shingler::hashes_into`],
    /// with repeats, without building a vector of them.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let mut s = Shingler::new(&[ShingleKind::Words(2)], 0);
    /// let mut n = 0;
    /// s.for_each_hash("one two three", |_| n += 1);
    /// assert_eq!(n, 2);
    /// ```
    pub fn for_each_hash(&mut self, text: &str, mut f: impl FnMut(u64)) {
        let needs_tokens = self
            .kinds
            .iter()
            .any(|k| matches!(k, ShingleKind::Words(_) | ShingleKind::Skeleton(_)));
        if needs_tokens {
            // The flag is `flag_numeric`'s.
            self.tokenizer.flagged_hashes_into(text, &mut self.tokens);
        }
        for i in 0..self.kinds.len() {
            let kind = self.kinds[i];
            let seed = kind.seeded(self.seed);
            match kind {
                ShingleKind::Words(n) => ngrams(&self.tokens, n, seed, &mut f),
                ShingleKind::Skeleton(n) => {
                    self.skeleton.build(&self.tokens);
                    let spans = &mut self.skeleton_spans;
                    self.skeleton
                        .ngrams_into(n, seed, spans)
                        .iter()
                        .for_each(|&h| f(h));
                }
                ShingleKind::Chars(n) => {
                    crate::normalize::normalize_into(text, &mut self.canon);
                    char_ngrams(&self.canon, n, seed, &mut self.bounds, &mut f);
                }
            }
        }
    }

    /// Writes the sorted, deduplicated shingle set of `text` into `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::shingle::{ShingleKind, Shingler};
    /// let mut s = Shingler::new(&[ShingleKind::Words(1)], 0);
    /// let mut out = Vec::new();
    /// s.set_into("a b a", &mut out);
    /// assert_eq!(out.len(), 2);
    /// assert!(out.windows(2).all(|w| w[0] < w[1]));
    /// ```
    pub fn set_into(&mut self, text: &str, out: &mut Vec<u64>) {
        self.hashes_into(text, out);
        out.sort_unstable();
        out.dedup();
    }
}

/// A run of more content words than this between two function words breaks the skeleton: no
/// skeleton shingle spans it, so a lone placeholder never stands for a long stretch of unrelated
/// text (a list of names, a headline, text in another language).
pub const MAX_PLACEHOLDER_RUN: usize = 8;

/// The skeleton of a token-hash stream: function words and numeric tokens kept, runs of other
/// tokens collapsed into one placeholder (see [`Skeleton::build`]), in two arrays: item `k` is a
/// kept token's hash (function word or number) or [`PLACEHOLDER`], `hashes[k]`, and stands for the
/// tokens `starts[k]..starts[k + 1]`.
///
/// The buffers are kept at the length of the longest stream so far, so the next build need not
/// fill them again.
#[derive(Debug, Clone, Default)]
pub(crate) struct Skeleton {
    /// Item hashes, then scratch.
    hashes: Vec<u64>,
    /// Where each item starts, then where the last one ends, then scratch.
    starts: Vec<u32>,
    /// How many items.
    len: usize,
    /// Scratch space of [`Skeleton::ngrams_into`].
    grams: Vec<u64>,
}

impl Skeleton {
    /// The item hashes.
    #[cfg(test)]
    fn hashes(&self) -> &[u64] {
        self.hashes.get(..self.len).unwrap_or_default()
    }

    /// Where each item starts in the token stream, then where the last one ends (one more value
    /// than there are items).
    #[cfg(test)]
    fn starts(&self) -> &[u32] {
        self.starts.get(..=self.len).unwrap_or_default()
    }

    /// Builds the skeleton of `tokens`. The low bit of a token hash marks a numeric token.
    pub(crate) fn build(&mut self, tokens: &[u64]) {
        // Written without a branch on the tokens (about half are function words, in no pattern):
        // each token writes its hash (or the placeholder) and position at `next`, and moves `next`
        // on when it starts an item, not when it extends a placeholder. Every slot before `next`
        // is written before it is read: no need to clear.
        if self.hashes.len() < tokens.len() {
            self.hashes.resize(tokens.len(), 0);
        }
        if self.starts.len() <= tokens.len() {
            self.starts.resize(tokens.len() + 1, 0);
        }
        // The table and the output in locals: stores to the output cannot make the loop reload
        // them.
        let slots = &stopword_table().slots[..];
        let (hashes, starts) = (&mut self.hashes[..], &mut self.starts[..]);
        let mut next = 0usize;
        let mut last = !PLACEHOLDER; // the previous item's hash (none yet: not a placeholder)
        for (j, &t) in tokens.iter().enumerate() {
            let keep = (t & 1 == 1) | in_stop_slots(slots, t);
            let value = if keep { t } else { PLACEHOLDER };
            let extend = !keep & (last == PLACEHOLDER);
            if let (Some(h), Some(s)) = (hashes.get_mut(next), starts.get_mut(next)) {
                *h = value;
                *s = j as u32;
            }
            next += usize::from(!extend);
            last = value;
        }
        if let Some(s) = starts.get_mut(next) {
            *s = tokens.len() as u32;
        }
        self.len = next;
    }

    /// The skeleton n-grams: their hashes, returned (in scratch space of this skeleton), and with
    /// the token range each covers, written to `spans` (replacing what it held), in item order. A
    /// placeholder for more than [`MAX_PLACEHOLDER_RUN`] tokens is a wall no n-gram spans;
    /// segments between walls shorter than `n` items give nothing. The hashes are those of
    /// [`ngrams`] over each segment.
    ///
    /// An n-gram's hash depends only on its own items, so the hashes are rolled over every window
    /// of `n` items, as if the items were one segment, and the windows holding no wall are kept,
    /// without a branch on the data.
    pub(crate) fn ngrams_into(
        &mut self,
        n: usize,
        seed: u64,
        spans: &mut Vec<SkeletonSpan>,
    ) -> &mut [u64] {
        let n = n.max(1);
        let items = self.hashes.get(..self.len).unwrap_or_default();
        let starts = self.starts.get(..=self.len).unwrap_or_default();
        if items.len() < n {
            spans.clear();
            return &mut [];
        }
        // Window `i` covers items `i..i + n`: `total` of them. Both outputs are written up to
        // `total` (not cleared first: every slot before `kept` is written before it is read).
        let total = items.len() + 1 - n;
        if self.grams.len() < total {
            self.grams.resize(total, 0);
        }
        spans.resize(total, SkeletonSpan::default());
        let (grams, out) = (&mut self.grams[..], &mut spans[..]);
        // An item is a wall when it is a placeholder for more than `MAX_PLACEHOLDER_RUN` tokens.
        let wall = |h: u64, start: u32, end: u32| {
            h == PLACEHOLDER && end.wrapping_sub(start) as usize > MAX_PLACEHOLDER_RUN
        };
        let ends = starts.get(1..).unwrap_or_default();
        // One past the last wall among the items seen (window `i` is kept when that is at most
        // `i`), and the rolled hash of the first `n - 1` items.
        let mut after = 0;
        let mut h = 0u64;
        for (m, ((&x, &a), &b)) in items.iter().zip(starts).zip(ends).take(n - 1).enumerate() {
            if wall(x, a, b) {
                after = m + 1;
            }
            h = h.rotate_left(1) ^ x;
        }
        // Window `i`: its last item, where that starts and ends, where the window starts, and its
        // first item, which leaves the hash at the next window (none leaves at the first).
        let lasts = items.get(n - 1..).unwrap_or_default();
        let last_starts = starts.get(n - 1..).unwrap_or_default();
        let last_ends = starts.get(n..).unwrap_or_default();
        let out_rot = (n % 64) as u32;
        let mut leaving = 0u64;
        let mut kept = 0;
        for (i, ((((&x, &a), &end), &start), &first)) in lasts
            .iter()
            .zip(last_starts)
            .zip(last_ends)
            .zip(starts)
            .zip(items)
            .enumerate()
        {
            after = if wall(x, a, end) { i + n } else { after };
            h = h.rotate_left(1) ^ leaving.rotate_left(out_rot) ^ x;
            leaving = first;
            let hash = fmix64(h ^ seed);
            if let (Some(g), Some(s)) = (grams.get_mut(kept), out.get_mut(kept)) {
                *g = hash;
                *s = SkeletonSpan { start, end };
            }
            kept += usize::from(after <= i);
        }
        spans.truncate(kept);
        self.grams.get_mut(..kept).unwrap_or_default()
    }
}

/// The tokens `start..end` a skeleton shingle covers (its hash is the n-gram written beside it,
/// and in `Features` its rank says which element of the set it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SkeletonSpan {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// Where n-gram hashes go: one at a time, or a batch at once.
pub(crate) trait HashSink {
    /// One hash.
    fn one(&mut self, h: u64);
    /// Hashes in order.
    #[inline(always)]
    fn batch(&mut self, hs: &[u64]) {
        for &h in hs {
            self.one(h);
        }
    }
}

/// A closure called with each hash.
pub(crate) struct EachHash<F>(pub(crate) F);

impl<F: FnMut(u64)> HashSink for EachHash<F> {
    #[inline(always)]
    fn one(&mut self, h: u64) {
        (self.0)(h);
    }
}

/// A vector the hashes are appended to, a batch in one copy.
impl HashSink for Vec<u64> {
    #[inline(always)]
    fn one(&mut self, h: u64) {
        self.push(h);
    }
    #[inline(always)]
    fn batch(&mut self, hs: &[u64]) {
        self.extend_from_slice(hs);
    }
}

/// Rolling n-gram hashes over `items` (cyclic polynomial: rotate and xor), each finished by
/// [`fmix64`] with the seed.
#[inline(always)]
pub(crate) fn ngrams(items: &[u64], n: usize, seed: u64, out: &mut impl FnMut(u64)) {
    ngrams_to(items, n, seed, &mut EachHash(out));
}

/// [`ngrams`] into any [`HashSink`] (a `Vec<u64>` takes them a batch at a time).
#[inline(always)]
pub(crate) fn ngrams_to(items: &[u64], n: usize, seed: u64, out: &mut impl HashSink) {
    let n = n.max(1);
    if items.is_empty() {
        return;
    }
    if items.len() <= n {
        let mut h = 0u64;
        for &t in items {
            h = h.rotate_left(1) ^ t;
        }
        out.one(fmix64(h ^ seed));
        return;
    }
    match n {
        // The default word 5-grams of signatures and 3-grams of features: a constant rotation.
        5 => rolled::<5>(items, seed, out),
        3 => rolled::<3>(items, seed, out),
        _ => rolled_any(items, n, seed, out),
    }
}

/// [`ngrams`] for `N`, known at compile time, with `items.len() > N`.
#[inline(always)]
fn rolled<const N: usize>(items: &[u64], seed: u64, out: &mut impl HashSink) {
    #[cfg(target_arch = "x86_64")]
    if crate::normalize::has_avx512() {
        // SAFETY: the CPU has the features the function is compiled for (checked just above).
        #[allow(unsafe_code)]
        unsafe {
            windows_avx512::<N, _>(items, seed, out);
        }
        return;
    }
    // Without SIMD 64-bit multiplies the rolling form is the cheaper one.
    rolled_any(items, N, seed, out);
}

/// [`windows`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw")]
fn windows_avx512<const N: usize, S: HashSink>(items: &[u64], seed: u64, out: &mut S) {
    windows::<N>(items, seed, out);
}

/// Windows hashed at once, then handed to `out` in order.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const WINDOWS: usize = 256;

/// [`rolled_any`] for `N`, with `items.len() > N`, in closed form: the rolled hash of the window
/// ending at item `i` is the xor of `items[i - j]` rotated left by `j`, for `j` in `0..N` (rolling
/// rotates every earlier item once more and rotates the leaving one out). Without the chain from
/// one window to the next, each batch of windows is hashed in one loop of plain arithmetic that
/// the compiler vectorizes (the AVX-512 build; elsewhere the rolling form is cheaper); the values
/// are those of [`rolled_any`].
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
#[inline(always)]
fn windows<const N: usize>(items: &[u64], seed: u64, out: &mut impl HashSink) {
    let mut buf = [0u64; WINDOWS];
    let total = items.len() + 1 - N;
    let mut first = 0;
    while first < total {
        let m = (total - first).min(WINDOWS);
        // Item `first + i + N - 1 - j` of each window, for every `j`: slices of equal length.
        let span = items.get(first..first + m + N - 1).unwrap_or_default();
        let buf = &mut buf[..m];
        // The newest item of each window (`j = 0`, no rotation) starts the hash.
        let newest = span.get(N - 1..N - 1 + m).unwrap_or_default();
        for (h, &t) in buf.iter_mut().zip(newest) {
            *h = t;
        }
        for j in 1..N {
            let lane = span.get(N - 1 - j..N - 1 - j + m).unwrap_or_default();
            let r = (j % 64) as u32;
            for (h, &t) in buf.iter_mut().zip(lane) {
                *h ^= t.rotate_left(r);
            }
        }
        for h in buf.iter_mut() {
            *h = fmix64(*h ^ seed);
        }
        out.batch(buf);
        first += m;
    }
}

/// [`ngrams`] with `items.len() > n`.
#[inline(always)]
fn rolled_any(items: &[u64], n: usize, seed: u64, out: &mut impl HashSink) {
    let out_rot = (n % 64) as u32;
    let mut h = 0u64;
    for &t in &items[..n] {
        h = h.rotate_left(1) ^ t;
    }
    out.one(fmix64(h ^ seed));
    for (&old, &new) in items.iter().zip(&items[n..]) {
        h = h.rotate_left(1) ^ old.rotate_left(out_rot) ^ new;
        out.one(fmix64(h ^ seed));
    }
}

fn char_ngrams(
    canon: &str,
    n: usize,
    seed: u64,
    bounds: &mut Vec<usize>,
    out: &mut impl FnMut(u64),
) {
    if canon.is_empty() {
        return;
    }
    bounds.clear();
    bounds.extend(canon.char_indices().map(|(i, _)| i));
    bounds.push(canon.len());
    let chars = bounds.len() - 1;
    let n = n.max(1);
    if chars <= n {
        out(fmix64(xxh3_64(canon.as_bytes()) ^ seed));
        return;
    }
    for i in 0..=chars - n {
        let s = &canon.as_bytes()[bounds[i]..bounds[i + n]];
        out(fmix64(xxh3_64(s) ^ seed));
    }
}

/// Sorts `v`, whose top bits are spread evenly (shingle hashes, mixed keys).
///
/// Two least-significant-digit radix passes order the words by their top `2 * b` bits, b about
/// half of log2(n) + 4, up to 11 (at most 2,048 counters per pass, in L1 cache; no comparison):
/// about one word in 32 then shares its top bits with another. One pass of insertion sort orders
/// those (a predictable branch: nearly every word is larger than the last); should it have much
/// more to do than evenly spread bits would give (a crafted input), `sort_unstable` finishes the
/// job.
pub(crate) fn sort_spread(v: &mut [u64]) {
    sort_spread_with(v, &mut Vec::new(), &mut Vec::new());
}

/// [`sort_spread`] with scratch buffers.
fn sort_spread_with(v: &mut [u64], counts: &mut Vec<u32>, tmp: &mut Vec<u64>) {
    let n = v.len();
    if n < 64 || n > u32::MAX as usize {
        v.sort_unstable();
        return;
    }
    let log2 = usize::BITS - 1 - n.leading_zeros();
    let bits = ((log2 + 5) / 2).min(11);
    let digits = 1usize << bits;
    let mask = digits as u64 - 1;
    let low = |h: u64| ((h >> (64 - 2 * bits)) & mask) as usize;
    let high = |h: u64| (h >> (64 - bits)) as usize;
    counts.clear();
    counts.resize(2 * digits, 0);
    let (lows, highs) = counts.split_at_mut(digits);
    for &h in v.iter() {
        lows[low(h)] += 1;
        highs[high(h)] += 1;
    }
    let (mut at_low, mut at_high) = (0, 0);
    for (l, h) in lows.iter_mut().zip(highs.iter_mut()) {
        (*l, at_low) = (at_low, at_low + *l);
        (*h, at_high) = (at_high, at_high + *h);
    }
    // Every slot of `tmp[..n]` is written before it is read.
    if tmp.len() < n {
        tmp.resize(n, 0);
    }
    for &h in v.iter() {
        let at = &mut lows[low(h)];
        tmp[*at as usize] = h;
        *at += 1;
    }
    for &h in &tmp[..n] {
        let at = &mut highs[high(h)];
        v[*at as usize] = h;
        *at += 1;
    }
    let mut budget = 8 * n;
    for i in 1..n {
        let x = v[i];
        if v[i - 1] <= x {
            continue;
        }
        let mut j = i - 1;
        while j > 0 && v[j - 1] > x {
            j -= 1;
        }
        budget = budget.saturating_sub(i - j);
        if budget == 0 {
            v.sort_unstable();
            return;
        }
        v.copy_within(j..i, j + 1);
        v[j] = x;
    }
}

/// A bijection of `u32` that spreads its values evenly (the finalizer of MurmurHash3).
pub(crate) fn spread32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// Positions that fit beside a hash's top bits in one word (see [`packed_order`]).
const POSITION_BITS: u32 = 16;

/// The low bits of a [`packed_order`] word: the position.
pub(crate) const POSITION_MASK: u64 = (1 << POSITION_BITS) - 1;

/// The positions of `src` (evenly spread hashes) in order of their values' top bits, into
/// `packed`: one word per input, the value's top bits with the position in place of its low
/// bits ([`POSITION_MASK`]), radix-sorted by [`sort_spread_with`] (half the data of sorting
/// (value, position) pairs). Two different values that share their top bits come out in order of
/// position, which may not be the order of the values: callers read the values back by position
/// and check. False, with nothing sorted, for more than `2^16` inputs.
pub(crate) fn packed_order(
    src: &[u64],
    packed: &mut Vec<u64>,
    counts: &mut Vec<u32>,
    tmp: &mut Vec<u64>,
) -> bool {
    if src.len() > 1 << POSITION_BITS {
        return false;
    }
    packed.clear();
    packed.extend(
        src.iter()
            .enumerate()
            .map(|(i, &h)| h & !POSITION_MASK | i as u64),
    );
    sort_spread_with(packed, counts, tmp);
    true
}

/// [`ranked_set_into`] for at most `2^16` inputs, by [`packed_order`]: the full hash is read
/// back by position. Two different hashes that share their top bits (about one document in a
/// billion) may come out of order; then this returns false, having checked, and the caller sorts
/// the pairs instead.
fn packed_ranks(
    src: &[u64],
    out: &mut Vec<u64>,
    ranks: &mut [u32],
    scratch: &mut RankScratch,
) -> bool {
    let RankScratch {
        counts,
        packed,
        packed_tmp,
        ..
    } = scratch;
    if !packed_order(src, packed, counts, packed_tmp) {
        return false;
    }
    for &key in packed.iter() {
        let i = (key & POSITION_MASK) as usize;
        let (Some(&h), Some(rank)) = (src.get(i), ranks.get_mut(i)) else {
            return false;
        };
        match out.last() {
            Some(&last) if h < last => return false,
            Some(&last) if h == last => {}
            _ => out.push(h),
        }
        *rank = (out.len() - 1) as u32;
    }
    true
}

/// Scratch buffers for [`ranked_set_into`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RankScratch {
    counts: Vec<u32>,
    packed: Vec<u64>,
    packed_tmp: Vec<u64>,
    pairs: Vec<(u64, u32)>,
}

/// Writes the sorted set of `src` (without repeats) into `out` (the same as copying,
/// `sort_unstable` and `dedup`), and into `ranks`, for each element of `src`, its index in `out`:
/// where each occurrence went.
///
/// Up to `2^POSITION_BITS` inputs (every news article) are sorted as one word each by
/// [`sort_spread`] (see [`packed_ranks`]); longer inputs, and the rare input whose packed words
/// come out of order, as (hash, position) pairs by `sort_unstable`. One walk then drops repeats
/// and assigns the ranks.
pub(crate) fn ranked_set_into(
    src: &[u64],
    out: &mut Vec<u64>,
    ranks: &mut Vec<u32>,
    scratch: &mut RankScratch,
) {
    out.clear();
    ranks.clear();
    ranks.resize(src.len(), 0);
    if packed_ranks(src, out, ranks, scratch) {
        return;
    }
    out.clear();
    let pairs = &mut scratch.pairs;
    pairs.clear();
    pairs.extend(src.iter().enumerate().map(|(i, &h)| (h, i as u32)));
    pairs.sort_unstable();
    for &(h, i) in pairs.iter() {
        if out.last() != Some(&h) {
            out.push(h);
        }
        if let Some(r) = ranks.get_mut(i as usize) {
            *r = (out.len() - 1) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded sequence of evenly spread hashes.
    fn spread_sequence(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            fmix64(state)
        }
    }

    #[test]
    fn directory_answers_as_a_binary_search() {
        let mut next = spread_sequence(0x9876);
        for len in [0usize, 1, 2, 3, 7, 8, 9, 100, 600] {
            let mut set: Vec<u64> = (0..len).map(|_| next()).collect();
            if len == 7 {
                set.extend([0, 1, u64::MAX, u64::MAX - 1]);
            }
            set.sort_unstable();
            set.dedup();
            let directory = Directory::new(&set);
            for (i, &h) in set.iter().enumerate() {
                assert_eq!(directory.rank(&set, h), Some(i));
            }
            for h in (0..2000).map(|_| next()).chain([0, 2, u64::MAX - 2]) {
                assert_eq!(directory.rank(&set, h), set.binary_search(&h).ok());
            }
        }
    }

    #[test]
    fn ranked_sets_are_sorted_sets_with_each_input_s_index() {
        let mut next = spread_sequence(11);
        let (mut out, mut ranks, mut scratch) = (Vec::new(), Vec::new(), RankScratch::default());
        for len in [0usize, 1, 5, 63, 64, 65, 300, 2000] {
            for repeats in [false, true] {
                let mut src: Vec<u64> = (0..len).map(|_| next()).collect();
                if repeats {
                    // Repeats, and a run of equal top bits (the crafted case).
                    for i in (0..len).step_by(3) {
                        src[i] = src[i / 2];
                    }
                    for (i, h) in src.iter_mut().enumerate().take(len / 4) {
                        *h = i as u64;
                    }
                }
                ranked_set_into(&src, &mut out, &mut ranks, &mut scratch);
                let mut want = src.clone();
                want.sort_unstable();
                want.dedup();
                assert_eq!(out, want, "{len}");
                assert_eq!(ranks.len(), len);
                for (h, &r) in src.iter().zip(&ranks) {
                    assert_eq!(out[r as usize], *h);
                }
            }
        }
    }

    fn set(kinds: &[ShingleKind], text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        Shingler::new(kinds, 1).set_into(text, &mut out);
        out
    }

    /// The closed form of the n-gram windows equals the rolled hashes, across batch edges.
    #[test]
    fn windows_match_rolled() {
        let mut next = spread_sequence(5);
        let items: Vec<u64> = (0..700).map(|_| next()).collect();
        for len in [5, 6, 7, 255, 256, 257, 260, 261, 262, 511, 512, 513, 700] {
            let items = &items[..len];
            let mut want = Vec::new();
            rolled_any(items, 5, 9, &mut want);
            let mut got = Vec::new();
            windows::<5>(items, 9, &mut got);
            assert_eq!(got, want, "{len}");
            let mut got = Vec::new();
            rolled::<5>(items, 9, &mut EachHash(|h| got.push(h)));
            assert_eq!(got, want, "{len}");
            let mut want = Vec::new();
            rolled_any(items, 3, 9, &mut want);
            let mut got = Vec::new();
            windows::<3>(items, 9, &mut got);
            assert_eq!(got, want, "{len}");
            let mut got = vec![1];
            ngrams_to(items, 3, 9, &mut got);
            assert_eq!(got[1..], want[..], "{len}");
        }
    }

    #[test]
    fn rolling_equals_direct() {
        let items: Vec<u64> = (0..50u64).map(|i| fmix64(i + 1)).collect();
        let mut rolled = Vec::new();
        ngrams(&items, 5, 9, &mut |h| rolled.push(h));
        for (i, h) in rolled.iter().enumerate() {
            let mut d = Vec::new();
            ngrams(&items[i..i + 5], 5, 9, &mut |h| d.push(h));
            assert_eq!(*h, d[0], "window {i}");
        }
    }

    #[test]
    fn word_shingles_ignore_case_and_punctuation() {
        let k = [ShingleKind::Words(3)];
        assert_eq!(
            set(&k, "The cat sat on the mat."),
            set(&k, "the CAT, sat on — the mat")
        );
        assert_ne!(set(&k, "the cat sat"), set(&k, "the sat cat"));
    }

    #[test]
    fn skeleton_survives_synonym_swaps() {
        let k = [ShingleKind::Skeleton(4)];
        let a = set(
            &k,
            "The president said on Monday that the talks in Tehran would continue for 3 days",
        );
        let b = set(
            &k,
            "The leader said on Monday that the negotiations in Tehran would proceed for 3 days",
        );
        assert_eq!(a, b);
    }

    #[test]
    fn non_ascii_tokens_match_ascii_twins() {
        let k = [ShingleKind::Words(2)];
        assert_eq!(set(&k, "Iran's “new” deal"), set(&k, "Iran’s \"new\" deal"));
    }

    #[test]
    fn short_text_has_one_shingle() {
        assert_eq!(set(&[ShingleKind::Words(5)], "two words").len(), 1);
        assert!(set(&[ShingleKind::Words(5)], " ,, ").is_empty());
        assert_eq!(set(&[ShingleKind::Chars(5)], "abc").len(), 1);
    }

    /// The branch-free [`Skeleton::build`] against a plain loop, on token streams mixing function
    /// words, numbers, content words and the placeholder value itself; and
    /// [`Skeleton::ngrams_into`] against rolling each segment between walls on its own.
    #[test]
    fn skeleton_items_match_a_plain_loop() {
        let vocab: Vec<u64> = [
            "the", "of", "and", "harbour", "strike", "tehran", "a", "was",
        ]
        .iter()
        .map(|w| token_hash(w.as_bytes(), false))
        .chain([token_hash(b"2024", true), PLACEHOLDER, 0, 1])
        .collect();
        let mut state = 5u64;
        let mut got = Skeleton::default();
        let mut spans = Vec::new();
        let mut walls = 0;
        for len in 0..300 {
            // In every third stream mostly content words ("strike"), so that walls come up.
            let extra = if len % 3 == 0 { 20 } else { 0 };
            let tokens: Vec<u64> = (0..len)
                .map(|_| {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let r = (fmix64(state) % (vocab.len() as u64 + extra)) as usize;
                    vocab[if r < vocab.len() { r } else { 4 }]
                })
                .collect();
            let mut want: Vec<(u64, u32, u32)> = Vec::new();
            for (j, &t) in tokens.iter().enumerate() {
                let j = j as u32;
                if t & 1 == 1 || is_function_word(t) {
                    want.push((t, j, j + 1));
                } else {
                    match want.last_mut() {
                        Some(last) if last.0 == PLACEHOLDER => last.2 = j + 1,
                        _ => want.push((PLACEHOLDER, j, j + 1)),
                    }
                }
            }
            got.build(&tokens);
            let items: Vec<(u64, u32, u32)> = got
                .hashes()
                .iter()
                .zip(got.starts())
                .zip(&got.starts()[1..])
                .map(|((&h, &a), &b)| (h, a, b))
                .collect();
            assert_eq!(items, want, "{tokens:?}");
            let wall = |&(h, a, b): &(u64, u32, u32)| {
                h == PLACEHOLDER && (b - a) as usize > MAX_PLACEHOLDER_RUN
            };
            walls += want.iter().filter(|x| wall(x)).count();
            for n in [1, 2, 3, 6] {
                let (mut want_ngrams, mut want_hashes) = (Vec::new(), Vec::new());
                for seg in want.split(wall) {
                    if seg.len() < n {
                        continue;
                    }
                    let seg_hashes: Vec<u64> = seg.iter().map(|x| x.0).collect();
                    let mut j = 0;
                    ngrams(&seg_hashes, n, 9, &mut |hash| {
                        want_ngrams.push(SkeletonSpan {
                            start: seg[j].1,
                            end: seg[j + n - 1].2,
                        });
                        want_hashes.push(hash);
                        j += 1;
                    });
                }
                let hashes = got.ngrams_into(n, 9, &mut spans).to_vec();
                assert_eq!(spans, want_ngrams, "n {n} {tokens:?}");
                assert_eq!(hashes, want_hashes);
            }
        }
        assert!(walls > 100, "{walls}");
    }

    #[test]
    fn function_word_lookups_read_few_slots() {
        assert!(
            stopword_table().probes <= STOP_PROBES,
            "{}",
            stopword_table().probes
        );
    }

    #[test]
    fn function_word_table_matches_the_list() {
        for w in stopwords::WORDS {
            assert!(is_function_word(token_hash(w.as_bytes(), false)), "{w}");
        }
        for w in ["president", "strike", "tehran", "2022", "harbour", "said2"] {
            assert!(!is_function_word(token_hash(w.as_bytes(), false)), "{w}");
        }
    }

    #[test]
    fn kinds_do_not_collide() {
        let a = set(&[ShingleKind::Words(1)], "alpha");
        let b = set(&[ShingleKind::Skeleton(1)], "alpha");
        assert_ne!(a, b);
    }

    #[test]
    fn spread_sort_sorts() {
        for n in [0usize, 1, 63, 64, 65, 1000, 5000, 300_000] {
            for crafted in [false, true] {
                let mut v: Vec<u64> = (0..n as u64)
                    .map(|i| {
                        let top = if crafted {
                            (i % 5) as u32
                        } else {
                            spread32(i as u32 / 3)
                        };
                        u64::from(top) << 32 | (i * 7919 % 1000)
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_unstable();
                sort_spread(&mut v);
                assert_eq!(v, want, "{n} {crafted}");
            }
        }
        // A bijection: no two of a range of inputs meet.
        let mut seen: Vec<u32> = (0..100_000).map(spread32).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 100_000);
    }

    #[test]
    fn ranked_sets_survive_hashes_that_share_their_top_bits() {
        // Two different hashes with the same top 48 bits, the larger first: the packed sort
        // orders them by position, notices, and the pair sort takes over.
        let mut src: Vec<u64> = (0..100).map(fmix64).collect();
        let top = fmix64(1000) & !0xFFFF;
        src[10] = top | 0x9;
        src[20] = top | 0x3;
        src[30] = top | 0x9;
        let (mut out, mut ranks) = (Vec::new(), Vec::new());
        ranked_set_into(&src, &mut out, &mut ranks, &mut RankScratch::default());
        let mut want = src.clone();
        want.sort_unstable();
        want.dedup();
        assert_eq!(out, want);
        assert!(src.iter().zip(&ranks).all(|(h, &r)| out[r as usize] == *h));
        assert!(!packed_ranks(
            &src,
            &mut Vec::new(),
            &mut ranks,
            &mut RankScratch::default()
        ));
    }

    #[test]
    fn ranked_set_matches_sort_and_dedup() {
        let mut scratch = RankScratch::default();
        let (mut got, mut ranks) = (Vec::new(), Vec::new());
        for n in [0usize, 1, 2, 63, 64, 65, 100, 1000, 5000, 70_000] {
            for dups in [0u64, 3, 1000] {
                let src: Vec<u64> = (0..n as u64)
                    .map(|i| {
                        if dups > 0 {
                            fmix64(i % dups)
                        } else {
                            fmix64(i)
                        }
                    })
                    .chain((0..n as u64 / 7).map(|i| i.wrapping_mul(0x0100_0000_0000_0000)))
                    .chain((0..n as u64 / 5).map(|i| fmix64(i) >> 20))
                    .collect();
                let mut want = src.clone();
                want.sort_unstable();
                want.dedup();
                ranked_set_into(&src, &mut got, &mut ranks, &mut scratch);
                assert_eq!(got, want, "n {n} dups {dups}");
                assert!(src.iter().zip(&ranks).all(|(h, &r)| got[r as usize] == *h));
            }
        }
    }
}
